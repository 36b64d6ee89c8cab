"""Finance's writes on settlement statements, each one transaction with its audit row.

Every function is `f(engine, actor, …)`, finance only (`Forbidden` otherwise),
and checks the `version` the user saw: a second click or a second person gets
`Conflict` with the current values, never a second change. After commit the
`settlements` topic is announced so cached figures are cleared.

- `issue_statements`: drafts with frozen totals for a period that has ended.
  Explicit vendors: all or nothing (any overlap refuses the whole call).
  All vendors (`vendor_ids=None`): vendors with an overlapping statement are
  skipped and reported; closed vendors with nothing in the period are skipped.
  A vendor that joined (`vendors.joined_at`) at or after the period's end did
  not exist in it: left out of "all", refused when named.
  Two identical issues at once: the unique (vendor, start, end) constraint lets
  one through; the other's IntegrityError becomes `Conflict`.
- `adjust_statement`: a draft's adjustment (the whole amount, may be negative)
  with a required note; net recomputed.
- `discard_statement`: deletes a draft; its audit row keeps the totals.
- `confirm_statement`, `mark_paid`: draft → confirmed → paid.
- `carry_negative_into`: adds a confirmed/paid statement's negative net to a
  later draft of the same vendor as an adjustment whose note names the source.
  The audit row (`settlement.adjust`, `after.carried_from`) marks the carry;
  a statement whose carry sits on a statement that still exists cannot be
  carried again (a discarded target frees it).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from queries.core import messages
from queries.core.actors import Actor, require_role
from queries.core.errors import Conflict, Invalid, NotFound
from queries.core.invalidation import changed
from queries.core.money import yuan
from queries.core.schema import audit_log, settlements, vendors
from queries.core.settings import load_settings
from queries.core.validation import TEXT_RULES, parse_text
from queries.finance.lines import LINES, Totals, compute_totals, period_range
from queries.finance.statement_rows import (
    ENTITY,
    audit_statement,
    check_statement,
    load_statement,
    now_utc,
    row_values,
    stale_conflict,
    update_statement,
)

__all__ = [
    "IssueResult",
    "adjust_statement",
    "carried_into",
    "carry_negative_into",
    "confirm_statement",
    "discard_statement",
    "issue_statements",
    "mark_paid",
]

_MAX_NOTE = TEXT_RULES["adjustment_note"].max_length
_MAX_REFERENCE = TEXT_RULES["payment_reference"].max_length


@dataclass(frozen=True)
class IssueResult:
    """What `issue_statements` did: new statement ids, and vendors skipped with why."""

    settlement_ids: tuple[int, ...]
    skipped: tuple[tuple[int, str], ...] = ()


# --- issue ------------------------------------------------------------------------------


def _check_period(period_start: date, period_end: date, tz: str, now: datetime) -> None:
    if not period_start < period_end:
        raise Invalid(*messages.text("error.finance.actions.end_date_must_after_start"))
    today = now.astimezone(ZoneInfo(tz)).date()
    if period_end > today:
        raise Invalid(
            *messages.text(
                "error.finance.actions.period_has_not_ended_end", period_end=period_end, today=today
            ),
        )


def issue_statements(
    engine: sa.Engine,
    actor: Actor,
    *,
    period_start: date,
    period_end: date,
    vendor_ids: Sequence[int] | None = None,
    tz: str | None = None,
    now: datetime | None = None,
) -> IssueResult:
    """Issue draft statements with frozen totals for `[period_start, period_end)`.

    `tz` defaults to the platform timezone setting; `now` is for tests.
    """
    require_role(actor, "finance")
    tz = tz or load_settings().timezone
    moment = now_utc(now)
    _check_period(period_start, period_end, tz, moment)
    period = period_range(period_start, period_end, tz)
    try:
        with engine.begin() as conn:
            result = _issue(conn, actor, period, period_start, period_end, vendor_ids, moment)
    except IntegrityError as exc:
        raise Conflict(
            *messages.text("error.finance.actions.statement_period_was_just_issued"),
        ) from exc
    if result.settlement_ids:
        changed("settlements")
    return result


def _issue(conn, actor, period, period_start, period_end, vendor_ids, moment) -> IssueResult:
    wanted = sa.select(vendors.c.vendor_id, vendors.c.status, vendors.c.joined_at).order_by(
        vendors.c.vendor_id
    )
    if vendor_ids is not None:
        wanted = wanted.where(vendors.c.vendor_id.in_(list(vendor_ids)))
    # Locking the vendor rows serializes two issues of the same vendors (PostgreSQL).
    found = conn.execute(wanted.with_for_update()).all()
    # A shop that joined (was approved) at or after the period's end did not exist in it:
    # it gets no statement (docs/decisions.md, "Statements only for shops that existed").
    late = [v for v, _, joined in found if joined >= period.end]
    known = {v: status for v, status, joined in found if joined < period.end}
    if vendor_ids is not None:
        missing = sorted(set(vendor_ids) - {v for v, _, _ in found})
        if missing:
            ids = ", ".join(f"#{v}" for v in missing)
            raise NotFound(
                *messages.text("error.finance.actions.no_such_vendor", ids=ids), details=missing
            )
        if late:
            ids = ", ".join(f"#{v}" for v in late)
            raise Invalid(
                *messages.text("error.finance.actions.vendor_joined_after_period_ended", ids=ids),
                details={"joined_after_period": late},
            )
    overlap = sa.select(settlements.c.vendor_id, settlements.c.settlement_id).where(
        settlements.c.period_start < period_end, settlements.c.period_end > period_start
    )
    if vendor_ids is not None:
        overlap = overlap.where(settlements.c.vendor_id.in_(list(vendor_ids)))
    overlapping: dict[int, int] = dict(conn.execute(overlap).all())
    if vendor_ids is not None and overlapping:
        ids = [f"#{s}" for s in overlapping.values()]
        raise Conflict(
            *messages.text("error.finance.actions.period_overlaps", ids=messages.listed(ids)),
            details={str(v): s for v, s in overlapping.items()},
        )
    totals = compute_totals(conn, period=period, vendor_ids=vendor_ids)
    skipped: list[tuple[int, str]] = []
    rows = []
    for vendor_id, status in known.items():
        lines = totals.get(vendor_id, Totals())
        if vendor_id in overlapping:
            skipped.append((vendor_id, f"overlaps #{overlapping[vendor_id]}"))
            continue
        if vendor_ids is None and status == "closed" and lines == Totals():
            skipped.append((vendor_id, "closed, nothing in the period"))
            continue
        rows.append(
            {
                "vendor_id": vendor_id,
                "period_start": period_start,
                "period_end": period_end,
                **lines.as_dict(),
                "status": "draft",
                "created_at": moment,
                "version": 1,
            }
        )
    ids: list[int] = []
    for values in rows:
        new_id = conn.execute(settlements.insert().values(**values)).inserted_primary_key[0]
        ids.append(new_id)
        row = {**values, "settlement_id": new_id}
        after = {k: values[k] for k in (*LINES, "period_start", "period_end", "status")}
        audit_statement(conn, actor, "settlement.issue", None, after, row)
    return IssueResult(tuple(ids), tuple(skipped))


# --- changes to one statement -----------------------------------------------------------


def _note(text: str | None) -> str:
    """An adjustment's note: required, multi-line, at most `_MAX_NOTE` characters."""
    return parse_text(text, TEXT_RULES["adjustment_note"])


def _reference(text: str | None) -> str:
    """A transfer reference: one line of visible text, at most `_MAX_REFERENCE` characters."""
    return parse_text(text, TEXT_RULES["payment_reference"])


def adjust_statement(
    engine: sa.Engine,
    actor: Actor,
    settlement_id: int,
    *,
    expected_version: int,
    adjustment_cents: int,
    note: str,
) -> dict:
    """Set a draft's adjustment (fen, may be negative) and its note; net follows."""
    require_role(actor, "finance")
    note = _note(note)
    if isinstance(adjustment_cents, bool) or not isinstance(adjustment_cents, int):
        raise Invalid(*messages.text("error.finance.actions.adjustment_must_whole_fen"))
    with engine.begin() as conn:
        row = load_statement(conn, settlement_id)
        check_statement(row, expected_version, "draft")
        net = Totals.from_row(row).with_adjustment(adjustment_cents).net_cents
        before = {k: row[k] for k in ("adjustment_cents", "adjustment_note", "net_cents")}
        after = {"adjustment_cents": adjustment_cents, "adjustment_note": note, "net_cents": net}
        new = update_statement(conn, row, **after)
        audit_statement(conn, actor, "settlement.adjust", before, after, row, reason=note)
    changed("settlements")
    return new


def discard_statement(
    engine: sa.Engine, actor: Actor, settlement_id: int, *, expected_version: int
) -> None:
    """Delete a draft; the audit row keeps its totals in `before`."""
    require_role(actor, "finance")
    with engine.begin() as conn:
        row = load_statement(conn, settlement_id)
        check_statement(row, expected_version, "draft")
        result = conn.execute(
            settlements.delete().where(
                settlements.c.settlement_id == settlement_id,
                settlements.c.version == expected_version,
            )
        )
        if result.rowcount != 1:
            raise stale_conflict(load_statement(conn, settlement_id))
        audit_statement(conn, actor, "settlement.discard", row_values(row), None, row)
    changed("settlements")


def confirm_statement(
    engine: sa.Engine,
    actor: Actor,
    settlement_id: int,
    *,
    expected_version: int,
    now: datetime | None = None,
) -> dict:
    """Draft → confirmed: from now on the vendor sees it."""
    require_role(actor, "finance")
    with engine.begin() as conn:
        row = load_statement(conn, settlement_id)
        check_statement(row, expected_version, "draft")
        after = {"status": "confirmed", "confirmed_at": now_utc(now)}
        new = update_statement(conn, row, **after)
        audit_statement(conn, actor, "settlement.confirm", {"status": "draft"}, after, row)
    changed("settlements")
    return new


def mark_paid(
    engine: sa.Engine,
    actor: Actor,
    settlement_id: int,
    *,
    expected_version: int,
    payment_reference: str,
    now: datetime | None = None,
) -> dict:
    """Confirmed → paid, with the bank transfer's reference."""
    require_role(actor, "finance")
    reference = _reference(payment_reference)
    with engine.begin() as conn:
        row = load_statement(conn, settlement_id)
        check_statement(row, expected_version, "confirmed")
        after = {"status": "paid", "paid_at": now_utc(now), "payment_reference": reference}
        new = update_statement(conn, row, **after)
        audit_statement(conn, actor, "settlement.pay", {"status": "confirmed"}, after, row)
    changed("settlements")
    return new


# --- carrying a negative net ------------------------------------------------------------


def carried_into(conn: sa.Connection, *, settlement_id: int, vendor_id: int) -> int | None:
    """The statement a negative net was carried into and that still holds it, or None.

    Read from the audit trail in order: a carry row (`settlement.adjust` with
    `after.carried_from`) names its target; a later discard of that target
    frees the carry. (Ids may be reused on SQLite, so order decides, not ids.)
    """
    rows = conn.execute(
        sa.select(audit_log.c.action, audit_log.c.entity_id, audit_log.c.after)
        .where(
            audit_log.c.vendor_id == vendor_id,
            audit_log.c.entity == ENTITY,
            audit_log.c.action.in_(("settlement.adjust", "settlement.discard")),
        )
        .order_by(audit_log.c.audit_id)
    ).all()
    target: int | None = None
    for action, entity_id, after in rows:
        if action == "settlement.adjust" and after:
            if json.loads(after).get("carried_from") == settlement_id:
                target = int(entity_id)
        elif action == "settlement.discard" and target == int(entity_id):
            target = None
    return target


def carry_negative_into(
    engine: sa.Engine,
    actor: Actor,
    from_settlement_id: int,
    into_settlement_id: int,
    *,
    expected_version: int,
) -> dict:
    """Add a confirmed/paid statement's negative net to a later draft of the same vendor.

    `expected_version` is the target draft's. The note names the source
    statement; the audit row's `after.carried_from` prevents a second carry.
    """
    require_role(actor, "finance")
    with engine.begin() as conn:
        # Lock the source first: two carries of one statement queue up here (PostgreSQL).
        source = load_statement(conn, from_settlement_id, lock=True)
        target = load_statement(conn, into_settlement_id)
        check_statement(target, expected_version, "draft")
        if source["status"] not in ("confirmed", "paid") or source["net_cents"] >= 0:
            raise Invalid(
                *messages.text("error.finance.actions.only_confirmed_paid_statement_with"),
            )
        if (
            target["vendor_id"] != source["vendor_id"]
            or target["period_start"] < source["period_end"]
        ):
            raise Invalid(
                *messages.text("error.finance.actions.can_only_carried_into_later"),
            )
        already = carried_into(
            conn, settlement_id=from_settlement_id, vendor_id=source["vendor_id"]
        )
        if already is not None:
            raise Conflict(
                *messages.text(
                    "error.finance.actions.statement_was_already_carried_into",
                    from_settlement_id=from_settlement_id,
                    already=already,
                ),
                details={"carried_into": already},
            )
        amount = source["net_cents"]
        line = " / ".join(
            messages.text(
                "label.finance.actions.carried_note",
                source=from_settlement_id,
                start=source["period_start"],
                end=source["period_end"],
                amount=yuan(amount),
            )
        )
        earlier = target["adjustment_note"]
        separator = messages.text("label.note_separator")[0]
        note = line if not earlier else separator.join((earlier, line))
        adjustment = target["adjustment_cents"] + amount
        net = Totals.from_row(target).with_adjustment(adjustment).net_cents
        before = {k: target[k] for k in ("adjustment_cents", "adjustment_note", "net_cents")}
        after = {
            "adjustment_cents": adjustment,
            "adjustment_note": note[:_MAX_NOTE],
            "net_cents": net,
        }
        new = update_statement(conn, target, **after)
        audit_statement(
            conn,
            actor,
            "settlement.adjust",
            before,
            {**after, "carried_from": from_settlement_id},
            target,
            reason=line,
        )
    changed("settlements")
    return new
