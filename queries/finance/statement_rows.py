"""The steps every finance write on a statement shares: load, check, update, audit.

A statement is loaded (locked when asked), checked against the version the
user saw and the statuses the action allows, updated on that version (a
`Conflict` when someone came first) and audited in the same transaction.
The writes themselves are `queries.finance.actions`.
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa

from queries.audit import record
from queries.core import messages
from queries.core.errors import Conflict, Invalid, NotFound
from queries.core.schema import settlements
from queries.finance.lines import LINES

__all__ = [
    "ENTITY",
    "audit_statement",
    "check_statement",
    "load_statement",
    "now_utc",
    "row_values",
    "stale_conflict",
    "update_statement",
]

ENTITY = "settlement"


def now_utc(now: datetime | None) -> datetime:
    """`now` (or the current time) in UTC."""
    return (now or datetime.now(UTC)).astimezone(UTC)


def row_values(row: dict) -> dict:
    """The audited fields of a statement row (JSON-friendly)."""
    keys = (*LINES, "status", "period_start", "period_end", "version")
    keys += ("adjustment_note", "payment_reference", "confirmed_at", "paid_at")
    return {k: row[k] for k in keys}


def load_statement(conn: sa.Connection, settlement_id: int, *, lock: bool = False) -> dict:
    """The statement row (locked FOR UPDATE when asked), or NotFound."""
    stmt = sa.select(settlements).where(settlements.c.settlement_id == settlement_id)
    if lock:
        stmt = stmt.with_for_update()
    row = conn.execute(stmt).first()
    if row is None:
        raise NotFound(
            *messages.text(
                "error.finance.statement_rows.settlement_statement_does_not_exist",
                settlement_id=settlement_id,
            ),
        )
    return dict(row._mapping)


def stale_conflict(row: dict) -> Conflict:
    """The Conflict of a statement someone else changed, with its current values."""
    return Conflict(
        *messages.text("error.finance.statement_rows.someone_else_changed_statement_refresh"),
        details=row_values(row),
    )


# A statement's status in words, for messages (the pages' labels say the same).
_STATUS_WORDS = {
    "draft": messages.text("label.finance.statement_rows.status_words.draft"),
    "confirmed": messages.text("label.finance.statement_rows.status_words.confirmed"),
    "paid": messages.text("label.finance.statement_rows.status_words.paid"),
}


def check_statement(row: dict, expected_version: int, *statuses: str) -> None:
    """Refuse a stale version (Conflict) or a status not in `statuses` (Invalid)."""
    if row["version"] != expected_version:
        raise stale_conflict(row)
    if row["status"] not in statuses:
        zh, en = _STATUS_WORDS.get(row["status"], (row["status"], row["status"]))
        raise Invalid(
            *messages.text(
                "error.finance.statement_rows.statement_action_not_possible", zh=zh, en=en
            ),
            details={"status": row["status"]},
        )


def update_statement(conn: sa.Connection, row: dict, **values) -> dict:
    """UPDATE … WHERE id AND version; Conflict when someone got there first."""
    result = conn.execute(
        settlements.update()
        .where(
            settlements.c.settlement_id == row["settlement_id"],
            settlements.c.version == row["version"],
        )
        .values(**values, version=row["version"] + 1)
    )
    if result.rowcount != 1:
        raise stale_conflict(load_statement(conn, row["settlement_id"]))
    return {**row, **values, "version": row["version"] + 1}


def audit_statement(conn, actor, action, before: dict | None, after: dict | None, row, reason=None):
    """The audit row of a write on the statement `row`."""
    record(
        conn,
        actor,
        action=action,
        entity=ENTITY,
        entity_id=row["settlement_id"],
        vendor_id=row["vendor_id"],
        reason=reason,
        before=before,
        after=after,
    )
