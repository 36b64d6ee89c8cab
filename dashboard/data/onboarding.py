"""Cached reads and the decision write of the Supplier onboarding page.

Reads are cleared by the `applications` topic (a decision) and `vendors` (an
approval opens a shop that duplicates may point at). The queue is read as of
the current minute, so "waited" and "overdue" move on even between decisions.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

import pandas as pd

from dashboard.accounts import USERNAME, account_message, create_account, load_accounts
from dashboard.caching import cached, clear_topics
from dashboard.shell.context import engine, settings
from queries.core.actors import Actor
from queries.core.errors import Conflict, Invalid, NotFound, UserError
from queries.merchants.onboarding import (
    ApplicationDetail,
    QueueChoices,
    application_detail,
    application_queue,
    decide_application,
    queue_choices,
    status_counts,
)

__all__ = [
    "DecisionOutcome",
    "QueueFilters",
    "choices",
    "counts",
    "decide",
    "decide_with_account",
    "detail",
    "queue",
]


@dataclass(frozen=True)
class QueueFilters:
    """What the queue's filter form asked for."""

    status: str
    category_id: int | None = None
    region: str | None = None
    submitted_from: date | None = None
    submitted_to: date | None = None
    search: str | None = None


def _minute() -> datetime:
    return datetime.now(UTC).replace(second=0, microsecond=0)


@cached(ttl=60, topics=("applications", "vendors"), max_entries=128)
def _queue(filters: QueueFilters, now: datetime, deadline_days: int, tz: str) -> pd.DataFrame:
    with engine().connect() as conn:
        return application_queue(
            conn,
            status=filters.status,
            category_id=filters.category_id,
            region=filters.region,
            submitted_from=filters.submitted_from,
            submitted_to=filters.submitted_to,
            search=filters.search,
            now=now,
            deadline_days=deadline_days,
            tz=tz,
        )


def queue(filters: QueueFilters) -> pd.DataFrame:
    """The applications matching `filters`, oldest first, with waiting time and overdue flag."""
    config = settings()
    return _queue(filters, _minute(), config.review_deadline_days, config.timezone)


@cached(ttl=60, topics=("applications",))
def counts() -> dict[str, int]:
    """How many applications are in each status (the tabs)."""
    with engine().connect() as conn:
        return status_counts(conn)


@cached(ttl=600, topics=("applications",))
def choices() -> QueueChoices:
    """The categories and regions the filters offer."""
    with engine().connect() as conn:
        return queue_choices(conn)


@cached(ttl=60, topics=("applications", "vendors"), max_entries=128)
def detail(application_id: int) -> ApplicationDetail:
    """One application with its licence check, duplicates and decision history."""
    with engine().connect() as conn:
        return application_detail(conn, application_id=application_id)


def decide(actor: Actor, application_id: int, **kwargs) -> int | None:
    """Record a decision (never cached); returns the new shop's id on approval.

    A refusal because the application was decided meanwhile (perhaps outside this
    server, which announced nothing) clears the cached queue and detail, so that the
    page redraws it as it is now instead of offering the refused decision again.
    """
    try:
        return decide_application(engine(), actor, application_id, tz=settings().timezone, **kwargs)
    except (Conflict, NotFound):
        clear_topics(("applications",))
        raise


@dataclass(frozen=True)
class DecisionOutcome:
    """What a decision did: the new shop, and its login account (or why it was not created)."""

    vendor_id: int | None
    username: str | None = None
    password: str | None = None
    account_error: UserError | None = None


def _check_username(username: str) -> None:
    """Refuse a malformed or taken username before anything is decided."""
    if not USERNAME.match(username):
        raise Invalid(*account_message("error.accounts.username_format"))
    if username in load_accounts():
        raise Invalid(*account_message("error.accounts.username_taken", username=username))


def decide_with_account(
    actor: Actor,
    application_id: int,
    *,
    decision: str,
    seen_status: str,
    note: str | None,
    shop_name: str | None,
    username: str | None,
    contact_email: str,
) -> DecisionOutcome:
    """Decide; on approval with a `username`, also create the shop's account (one-time password).

    The username is checked first, so a bad one refuses the whole decision. The
    account lives in the console's accounts file, outside the database
    transaction: if writing it fails after the shop was created, the outcome
    says so and the operator creates it from the shell.
    """
    with_account = decision == "approve" and username is not None
    if with_account:
        _check_username(username)
    vendor_id = decide(
        actor,
        application_id,
        decision=decision,
        seen_status=seen_status,
        note=note,
        shop_name=shop_name if decision == "approve" else None,
    )
    if not with_account:
        return DecisionOutcome(vendor_id)
    try:
        password = create_account(
            username=username,
            role="vendor",
            vendor_id=vendor_id,
            name=(shop_name or "").strip() or username,
            email=contact_email,
        )
    except UserError as exc:
        return DecisionOutcome(vendor_id, account_error=exc)
    return DecisionOutcome(vendor_id, username=username, password=password)
