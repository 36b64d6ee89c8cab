"""Supplier onboarding (供应商入驻): the review queue, one application, and decisions.

Reads: `application_queue` (oldest first, with how long each waited and whether
it is past the review deadline), `status_counts` (the tabs), and
`application_detail` (every field, the licence check, duplicates, history).

The write is `decide_application`: a conditional UPDATE from the status the
operator saw, the shop an approval creates, and the audit row, in one
transaction. The UPDATE comes first so that of two operators deciding at once
the second waits on the row lock, then matches nothing and is told who won;
it never creates a second shop.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pandas as pd
import sqlalchemy as sa
from stdnum.cn import uscc
from stdnum.exceptions import InvalidChecksum, InvalidLength, ValidationError

from queries.audit import record
from queries.console.accounts import insert_account
from queries.core import messages
from queries.core.actors import Actor, require_role
from queries.core.errors import Conflict, Invalid, NotFound
from queries.core.invalidation import changed
from queries.core.periods import local_midnight
from queries.core.schema import (
    APPLICATION_STATUSES,
    audit_log,
    categories,
    supplier_applications,
    vendors,
)
from queries.core.validation import TEXT_RULES, parse_text
from queries.merchants.transitions import DECISIONS, application_allowed

__all__ = [
    "ENTITY",
    "MAX_NOTE",
    "MAX_SHOP_NAME",
    "ApplicationDetail",
    "LicenceCheck",
    "QueueChoices",
    "application_detail",
    "application_queue",
    "approve_with_login",
    "check_licence",
    "decide_application",
    "queue_choices",
    "status_counts",
]

ENTITY = "supplier_application"
MAX_NOTE = TEXT_RULES["review_note"].max_length
MAX_SHOP_NAME = TEXT_RULES["shop_name"].max_length
QUEUE_LIMIT = 5000

_a = supplier_applications.c
_OPEN = ("pending", "needs_info")
_FIELDS = tuple(_a.keys())  # every column of an application, in the table's order


# --- the licence number ---------------------------------------------------------------


@dataclass(frozen=True)
class LicenceCheck:
    """The unified social credit code check: `problem` is None, `length`, `format` or `checksum`."""

    number: str
    problem: str | None

    @property
    def valid(self) -> bool:
        return self.problem is None


def check_licence(number: str) -> LicenceCheck:
    """Check an 18-character unified social credit code (GB 32100-2015) with python-stdnum."""
    try:
        uscc.validate(number)
    except InvalidLength:
        return LicenceCheck(number, "length")
    except InvalidChecksum:
        return LicenceCheck(number, "checksum")
    except ValidationError:  # InvalidFormat, InvalidComponent: letters outside the alphabet
        return LicenceCheck(number, "format")
    return LicenceCheck(number, None)


# --- reads ------------------------------------------------------------------------------


def _category_ids(category_id: int) -> sa.Select:
    """The category and its direct children: a top-level pick covers its leaves."""
    c = categories.c
    return sa.select(c.category_id).where(
        sa.or_(c.category_id == category_id, c.parent_id == category_id)
    )


def application_queue(
    conn: sa.Connection,
    *,
    status: str | None = "pending",
    category_id: int | None = None,
    region: str | None = None,
    submitted_from: date | None = None,
    submitted_to: date | None = None,
    search: str | None = None,
    now: datetime,
    deadline_days: int = 3,
    tz: str = "Asia/Shanghai",
    limit: int = QUEUE_LIMIT,
) -> pd.DataFrame:
    """Applications matching the filters, oldest first, with hours/days waited and `overdue`.

    `submitted_from` / `submitted_to` are the first and last local day (inclusive).
    A pending or needs-info application has waited until `now`; a decided one
    until its decision. Only `pending` ones can be overdue: needs-info waits on
    the applicant, not on the platform.
    """
    zone = ZoneInfo(tz)
    cat = categories.c
    terms: list[sa.ColumnElement[bool]] = []
    if status:
        terms.append(_a.status == status)
    if category_id is not None:
        terms.append(_a.category_id.in_(_category_ids(category_id)))
    if region:
        terms.append(_a.region == region)
    if submitted_from is not None:
        terms.append(_a.submitted_at >= local_midnight(submitted_from, zone))
    if submitted_to is not None:
        terms.append(_a.submitted_at < local_midnight(submitted_to + timedelta(days=1), zone))
    if search and search.strip():
        text = search.strip()
        terms.append(
            sa.or_(
                _a.company_name.icontains(text, autoescape=True),
                _a.business_license_no.icontains(text.upper(), autoescape=True),
            )
        )
    rows = conn.execute(
        sa.select(
            *(_a[name] for name in _FIELDS),
            cat.name.label("category_name"),
            cat.name_en.label("category_name_en"),
        )
        .join(categories, cat.category_id == _a.category_id)
        .where(*terms)
        .order_by(_a.submitted_at, _a.application_id)
        .limit(limit)
    ).all()
    columns = [*_FIELDS, "category_name", "category_name_en"]
    frame = pd.DataFrame([tuple(r) for r in rows], columns=columns)
    moment = now.astimezone(UTC)
    waited = [
        ((moment if r.reviewed_at is None or r.status in _OPEN else r.reviewed_at) - r.submitted_at)
        / timedelta(hours=1)
        for r in rows
    ]
    frame["waited_hours"] = pd.Series(waited, dtype="float64")
    frame["waited_days"] = frame["waited_hours"] / 24
    frame["overdue"] = (frame["status"] == "pending") & (frame["waited_hours"] > deadline_days * 24)
    frame["vendor_id"] = frame["vendor_id"].astype("Int64")
    return frame


@dataclass(frozen=True)
class QueueChoices:
    """What the queue's filters offer: categories (id, name, name_en, parent_id) and regions."""

    categories: tuple[tuple[int, str, str, int | None], ...]
    regions: tuple[str, ...]


def queue_choices(conn: sa.Connection) -> QueueChoices:
    """Every category (each top-level one, then its children) and every region applied from."""
    c = categories.c
    rows = conn.execute(
        sa.select(c.category_id, c.name, c.name_en, c.parent_id).order_by(
            sa.func.coalesce(c.parent_id, c.category_id), c.parent_id.is_not(None), c.category_id
        )
    ).all()
    regions = conn.execute(sa.select(_a.region).group_by(_a.region).order_by(_a.region))
    return QueueChoices(tuple(tuple(r) for r in rows), tuple(r[0] for r in regions))


def status_counts(conn: sa.Connection) -> dict[str, int]:
    """How many applications are in each status (every status present, zeros included)."""
    rows = conn.execute(sa.select(_a.status, sa.func.count()).group_by(_a.status))
    counts = dict.fromkeys(APPLICATION_STATUSES, 0)
    counts.update({status: int(n) for status, n in rows})
    return counts


@dataclass(frozen=True)
class ApplicationDetail:
    """One application: its fields, the checks that help the decision, and its history."""

    fields: dict
    category_name: str
    category_name_en: str
    licence: LicenceCheck
    duplicates: pd.DataFrame  # kind (application|shop), id, name, status, matched_on
    history: pd.DataFrame  # at, actor, role, action, reason

    @property
    def application_id(self) -> int:
        return self.fields["application_id"]

    @property
    def status(self) -> str:
        return self.fields["status"]


DUPLICATE_COLUMNS = ("kind", "id", "name", "status", "matched_on")
HISTORY_COLUMNS = ("at", "actor", "role", "action", "reason")


def _duplicates(conn: sa.Connection, fields: dict) -> pd.DataFrame:
    """Other applications, and shops, with the same licence number or company name."""
    licence = uscc.compact(fields["business_license_no"])
    name = fields["company_name"].strip()
    out: list[tuple] = []
    others = conn.execute(
        sa.select(_a.application_id, _a.company_name, _a.status, _a.business_license_no)
        .where(
            _a.application_id != fields["application_id"],
            sa.or_(sa.func.upper(_a.business_license_no) == licence, _a.company_name == name),
        )
        .order_by(_a.application_id)
    )
    for r in others:
        out.append(
            ("application", r.application_id, r.company_name, r.status, _matched(r, licence, name))
        )
    v, src = vendors.c, supplier_applications.alias("src")
    shops = conn.execute(
        sa.select(v.vendor_id, v.name, v.status, src.c.business_license_no, src.c.company_name)
        .select_from(vendors.outerjoin(src, src.c.application_id == v.application_id))
        .where(
            sa.or_(
                sa.func.upper(src.c.business_license_no) == licence,
                src.c.company_name == name,
                v.name == name,
            ),
            # An approved application's own shop is not a duplicate of it.
            sa.or_(v.application_id.is_(None), v.application_id != fields["application_id"]),
        )
        .order_by(v.vendor_id)
    )
    for r in shops:
        matched = "licence" if (r.business_license_no or "").upper() == licence else "name"
        out.append(("shop", r.vendor_id, r.name, r.status, matched))
    return pd.DataFrame(out, columns=list(DUPLICATE_COLUMNS))


def _matched(row, licence: str, name: str) -> str:
    """What made the row a duplicate: `licence` wins over `name` when both match."""
    return "licence" if row.business_license_no.upper() == licence else "name"


def _history(conn: sa.Connection, application_id: int) -> pd.DataFrame:
    """Every audit row about this application, oldest first."""
    a = audit_log.c
    # No contract index serves (entity, entity_id); the trail of applications is small.
    rows = conn.execute(
        sa.select(a.at, a.actor, a.role, a.action, a.reason)
        .where(a.entity == ENTITY, a.entity_id == str(application_id))
        .order_by(a.at, a.audit_id)
    ).all()
    return pd.DataFrame([tuple(r) for r in rows], columns=list(HISTORY_COLUMNS))


def application_detail(conn: sa.Connection, *, application_id: int) -> ApplicationDetail:
    """One application with its licence check, duplicates and decision history."""
    cat = categories.c
    row = conn.execute(
        sa.select(supplier_applications, cat.name, cat.name_en)
        .join(categories, cat.category_id == _a.category_id)
        .where(_a.application_id == application_id)
    ).first()
    if row is None:
        raise _not_found(application_id)
    fields = {name: row._mapping[_a[name]] for name in _FIELDS}
    return ApplicationDetail(
        fields=fields,
        category_name=row.name,
        category_name_en=row.name_en,
        licence=check_licence(fields["business_license_no"]),
        duplicates=_duplicates(conn, fields),
        history=_history(conn, application_id),
    )


# --- the decision -----------------------------------------------------------------------


def _not_found(application_id: int) -> NotFound:
    return NotFound(
        *messages.text(
            "error.merchants.onboarding.application_does_not_exist", application_id=application_id
        )
    )


# The statuses as the console's words (as `status.application.*` of the dashboard's strings),
# for the messages below: a user never reads a raw code such as `needs_info`.
_STATUS_WORDS = {
    "pending": messages.text("label.merchants.onboarding.status_words.pending"),
    "needs_info": messages.text("label.merchants.onboarding.status_words.needs_info"),
    "approved": messages.text("label.merchants.onboarding.status_words.approved"),
    "rejected": messages.text("label.merchants.onboarding.status_words.rejected"),
}


def _words(status: str) -> tuple[str, str]:
    """(Chinese, English) words for an application status; an unknown code as itself."""
    return _STATUS_WORDS.get(status, (status, status))


def _validate(decision: str, seen_status: str, note: str | None, shop_name: str | None):
    """The target status, cleaned note and shop name; Invalid when the decision breaks a rule."""
    if decision not in DECISIONS:
        raise Invalid(
            *messages.text("error.merchants.onboarding.unknown_decision", decision=decision)
        )
    target = DECISIONS[decision]
    if not application_allowed(seen_status, target):
        (seen_zh, seen_en), (target_zh, target_en) = _words(seen_status), _words(target)
        raise Invalid(
            *messages.text(
                "error.merchants.onboarding.application_cannot_become",
                seen_zh=seen_zh,
                target_zh=target_zh,
                seen_en=seen_en,
                target_en=target_en,
            ),
            details={"status": seen_status, "target": target},
        )
    # A note is optional on approval, required when asking for information or rejecting.
    note = parse_text(note, TEXT_RULES["review_note"], required=target != "approved")
    if shop_name is not None:
        shop_name = parse_text(shop_name, TEXT_RULES["shop_name"])
    return target, note, shop_name


def _already_decided(current: dict, tz: str) -> Conflict:
    """Who decided the application the operator was looking at, and when."""
    status, who, when = current["status"], current["reviewed_by"], current["reviewed_at"]
    details = {"status": status, "reviewed_by": who, "reviewed_at": when}
    zh, en = _words(status)
    if who is None or when is None:
        return Conflict(
            *messages.text(
                "error.merchants.onboarding.application_has_changed_now_refresh", zh=zh, en=en
            ),
            details=details,
        )
    at = when.astimezone(ZoneInfo(tz)).strftime("%Y-%m-%d %H:%M")
    return Conflict(
        *messages.text(
            "error.merchants.onboarding.already_decided_application_at_now",
            who=who,
            at=at,
            zh=zh,
            en=en,
        ),
        details=details,
    )


def decide_application(
    engine: sa.Engine,
    actor: Actor,
    application_id: int,
    *,
    decision: str,
    seen_status: str,
    note: str | None = None,
    shop_name: str | None = None,
    tz: str = "Asia/Shanghai",
    now: datetime | None = None,
) -> int | None:
    """Approve, ask for information, or reject; on approval create the shop and return its id."""
    require_role(actor, "operator")
    target, note, shop_name = _validate(decision, seen_status, note, shop_name)
    moment = (now or datetime.now(UTC)).astimezone(UTC)
    with engine.begin() as conn:
        vendor_id = _decide(
            conn, actor, application_id, decision, target, seen_status, note, shop_name, tz, moment
        )
    if vendor_id is None:
        changed("applications", "audit")
    else:
        changed("applications", "vendors", "audit")
    return vendor_id


def approve_with_login(
    engine: sa.Engine,
    actor: Actor,
    application_id: int,
    *,
    seen_status: str,
    username: str,
    note: str | None = None,
    shop_name: str | None = None,
    tz: str = "Asia/Shanghai",
    now: datetime | None = None,
) -> tuple[int, str]:
    """Approve and create the new shop's login in the same transaction: (shop id, its
    one-time password). A refused username (malformed, taken) refuses the approval too."""
    require_role(actor, "operator")
    target, note, shop_name = _validate("approve", seen_status, note, shop_name)
    moment = (now or datetime.now(UTC)).astimezone(UTC)
    with engine.begin() as conn:
        vendor_id = _decide(
            conn, actor, application_id, "approve", target, seen_status, note, shop_name, tz, moment
        )
        contact = conn.execute(
            sa.select(vendors.c.name, vendors.c.contact_email).where(
                vendors.c.vendor_id == vendor_id
            )
        ).one()
        password = insert_account(
            conn,
            actor,
            username=username,
            role="vendor",
            vendor_id=vendor_id,
            name=contact.name,
            email=contact.contact_email or "",
            now=moment,
        )
    changed("applications", "vendors", "audit")
    return vendor_id, password


def _decide(
    conn: sa.Connection,
    actor: Actor,
    application_id: int,
    decision: str,
    target: str,
    seen_status: str,
    note: str | None,
    shop_name: str | None,
    tz: str,
    moment: datetime,
) -> int | None:
    result = conn.execute(
        supplier_applications.update()
        .where(_a.application_id == application_id, _a.status == seen_status)
        .values(status=target, reviewed_by=actor.username, reviewed_at=moment, review_note=note)
    )
    if result.rowcount != 1:
        current = conn.execute(
            sa.select(supplier_applications).where(_a.application_id == application_id)
        ).first()
        if current is None:
            raise _not_found(application_id)
        raise _already_decided(dict(current._mapping), tz)
    row = conn.execute(
        sa.select(supplier_applications).where(_a.application_id == application_id)
    ).one()
    vendor_id = None
    after: dict = {"status": target, "review_note": note}
    if target == "approved":
        # Without a name of the operator's, the shop takes the company's name (cut to
        # the limit) from the application, checked like a typed name: an application's
        # control or direction-override characters never become a shop's name.
        name = shop_name or parse_text(
            (row.company_name or "").strip()[:MAX_SHOP_NAME], TEXT_RULES["shop_name"]
        )
        vendor_id = conn.execute(
            vendors.insert().values(
                name=name,
                status="active",
                region=row.region,
                joined_at=moment,
                application_id=application_id,
                contact_email=row.contact_email,
            )
        ).inserted_primary_key[0]
        conn.execute(
            supplier_applications.update()
            .where(_a.application_id == application_id)
            .values(vendor_id=vendor_id)
        )
        after.update(vendor_id=vendor_id, shop_name=name)
    record(
        conn,
        actor,
        action=f"application.{decision}",
        entity=ENTITY,
        entity_id=application_id,
        vendor_id=vendor_id,
        reason=note,
        before={"status": seen_status},
        after=after,
        at=moment,
    )
    return vendor_id
