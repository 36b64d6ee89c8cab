"""Cached reads and the decision write of the Supplier onboarding page.

Reads are cleared by the `applications` topic (a decision) and `vendors` (an
approval opens a shop that duplicates may point at). The queue is read as of
the current minute, so "waited" and "overdue" move on even between decisions.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

import pandas as pd

from dashboard.caching import cached
from dashboard.shell.context import engine, read_engine, reread, settings
from queries.core.actors import Actor
from queries.core.errors import Conflict, NotFound, UserError
from queries.merchants.onboarding import (
    ApplicationDetail,
    QueueChoices,
    application_detail,
    application_queue,
    approve_with_login,
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
    with read_engine().connect() as conn:
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
    with read_engine().connect() as conn:
        return status_counts(conn)


@cached(ttl=600, topics=("applications",))
def choices() -> QueueChoices:
    """The categories and regions the filters offer."""
    with read_engine().connect() as conn:
        return queue_choices(conn)


@cached(ttl=60, topics=("applications", "vendors"), max_entries=128)
def detail(application_id: int) -> ApplicationDetail:
    """One application with its licence check, duplicates and decision history."""
    with read_engine().connect() as conn:
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
        reread(("applications",))
        raise


@dataclass(frozen=True)
class DecisionOutcome:
    """What a decision did: the new shop, and its login account (or why it was not created)."""

    vendor_id: int | None
    username: str | None = None
    password: str | None = None
    account_error: UserError | None = None


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
    """Decide; on approval with a `username`, also create the shop's login (one-time
    password), in the same transaction: a refused username refuses the approval too."""
    if decision != "approve" or username is None:
        vendor_id = decide(
            actor,
            application_id,
            decision=decision,
            seen_status=seen_status,
            note=note,
            shop_name=shop_name if decision == "approve" else None,
        )
        return DecisionOutcome(vendor_id)
    try:
        vendor_id, password = approve_with_login(
            engine(),
            actor,
            application_id,
            seen_status=seen_status,
            username=username,
            note=note,
            shop_name=shop_name,
            tz=settings().timezone,
        )
    except (Conflict, NotFound):
        reread(("applications",))
        raise
    return DecisionOutcome(vendor_id, username=username, password=password)
