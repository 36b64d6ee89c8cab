"""Reads of settlement statements: a period's table for finance, a vendor's own statements.

A vendor's state for a period is that of the statement issued for exactly that
vendor and period (`draft`, `confirmed`, `paid`), or `not_issued`. Issued
statements show their frozen totals; not-issued ones are computed from today's
data (`queries.finance.lines.compute_totals`, one query for all vendors; the
pages' reads take closed days from `queries.finance.rolled_days` when present).
Computation lives in `settlement_lines`, writes in `settlement_actions`,
differences in `reconciliation`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import pandas as pd
import sqlalchemy as sa

from queries.core.actors import Scope
from queries.core.schema import audit_log, settlements, vendors
from queries.finance.lines import (
    LINES,
    OrderRow,
    RefundRow,
    Totals,
    compute_totals,
    iter_order_rows,
    iter_refund_rows,
    period_range,
)
from queries.finance.rolled_days import statement_totals

__all__ = [
    "NOT_ISSUED",
    "STATEMENT_COLUMNS",
    "StatementDetail",
    "StatementInfo",
    "statement_infos",
    "get_statement",
    "last_change",
    "overlapping_statements",
    "period_overview",
    "statement_detail",
    "vendor_statements",
]

NOT_ISSUED = "not_issued"
STATEMENT_COLUMNS = (
    "settlement_id",
    "vendor_id",
    "period_start",
    "period_end",
    *LINES,
    "status",
    "created_at",
    "confirmed_at",
    "paid_at",
    "adjustment_note",
    "payment_reference",
    "version",
)
# What the period overview shows of an issued statement besides its lines (None if not issued).
STATEMENT_META = (
    "settlement_id",
    "version",
    "adjustment_note",
    "payment_reference",
    "created_at",
    "confirmed_at",
    "paid_at",
)


@dataclass(frozen=True)
class StatementInfo:
    """A vendor's statement for one period: frozen when issued, else today's figures.

    `today` is always recomputed from today's data (with the statement's own
    adjustment), so `differences` shows what moved since issue.
    """

    vendor_id: int
    vendor_name: str
    vendor_status: str
    period_start: date
    period_end: date
    status: str
    totals: Totals
    today: Totals
    settlement: dict | None = None

    @property
    def differences(self) -> dict[str, tuple[int, int]]:
        """{line: (frozen, today)} for every line that moved since issue (empty if not issued)."""
        if self.settlement is None:
            return {}
        frozen, now = self.totals.as_dict(), self.today.as_dict()
        return {k: (frozen[k], now[k]) for k in frozen if frozen[k] != now[k]}


def statement_infos(
    conn: sa.Connection,
    *,
    period_start: date,
    period_end: date,
    tz: str,
    vendor_ids: Sequence[int] | None = None,
    read_rollups: bool = False,
) -> list[StatementInfo]:
    """Every vendor's statement for exactly `[period_start, period_end)`, in vendor order.

    Without `vendor_ids`, a vendor that joined at or after the period's end (and so
    has no statement for it) is left out: it did not exist in the period.

    Three queries whatever the number of vendors: names, issued statements,
    and today's totals of all of them: live, or with `read_rollups` from the
    settlement day rows where the platform provides them (the pages' reads; what
    is issued, reconciled or exported stays live).
    """
    if read_rollups:
        today = statement_totals(
            conn, period_start=period_start, period_end=period_end, tz=tz, vendor_ids=vendor_ids
        )
    else:
        period = period_range(period_start, period_end, tz)
        today = compute_totals(conn, period=period, vendor_ids=vendor_ids)
    names = sa.select(
        vendors.c.vendor_id, vendors.c.name, vendors.c.status, vendors.c.joined_at
    ).order_by(vendors.c.vendor_id)
    ended = period_range(period_start, period_end, tz).end
    issued_stmt = sa.select(settlements).where(
        settlements.c.period_start == period_start, settlements.c.period_end == period_end
    )
    if vendor_ids is not None:
        names = names.where(vendors.c.vendor_id.in_(list(vendor_ids)))
        issued_stmt = issued_stmt.where(settlements.c.vendor_id.in_(list(vendor_ids)))
    issued = {r.vendor_id: dict(r._mapping) for r in conn.execute(issued_stmt)}
    out = []
    for vendor_id, name, vendor_status, joined_at in conn.execute(names):
        row = issued.get(vendor_id)
        if vendor_ids is None and row is None and joined_at >= ended:
            continue  # the shop joined after the period: it has no statement for it
        computed = today.get(vendor_id, Totals())
        if row is None:
            totals, status = computed, NOT_ISSUED
        else:
            totals, status = Totals.from_row(row), row["status"]
            computed = computed.with_adjustment(totals.adjustment_cents)
        out.append(
            StatementInfo(
                vendor_id=vendor_id,
                vendor_name=name,
                vendor_status=vendor_status,
                period_start=period_start,
                period_end=period_end,
                status=status,
                totals=totals,
                today=computed,
                settlement=row,
            )
        )
    return out


def get_statement(
    conn: sa.Connection, *, settlement_id: int, scope: Scope | None = None
) -> dict | None:
    """One statement as a dict (None when missing or outside a vendor scope)."""
    stmt = sa.select(settlements).where(settlements.c.settlement_id == settlement_id)
    if scope is not None and not scope.is_mall:
        stmt = stmt.where(settlements.c.vendor_id == scope.vendor_id)
    row = conn.execute(stmt).first()
    return None if row is None else dict(row._mapping)


def last_change(conn: sa.Connection, *, settlement_id: int) -> dict | None:
    """The newest audit row of a statement (`action`, `actor`, `at`), or None."""
    a = audit_log.c
    row = conn.execute(
        sa.select(a.action, a.actor, a.at)
        .where(a.entity == "settlement", a.entity_id == str(settlement_id))
        .order_by(a.audit_id.desc())
        .limit(1)
    ).first()
    return None if row is None else dict(row._mapping)


def overlapping_statements(
    conn: sa.Connection,
    *,
    period_start: date,
    period_end: date,
    vendor_ids: Sequence[int] | None = None,
) -> list[dict]:
    """Statements whose period overlaps `[period_start, period_end)` (dates, end exclusive)."""
    stmt = (
        sa.select(settlements)
        .where(settlements.c.period_start < period_end, settlements.c.period_end > period_start)
        .order_by(settlements.c.vendor_id, settlements.c.period_start)
    )
    if vendor_ids is not None:
        stmt = stmt.where(settlements.c.vendor_id.in_(list(vendor_ids)))
    return [dict(r._mapping) for r in conn.execute(stmt)]


def period_overview(
    conn: sa.Connection, *, scope: Scope, period_start: date, period_end: date, tz: str
) -> pd.DataFrame:
    """A row per vendor in scope: state, every line, and whether today's data differ.

    Columns: vendor_id, vendor_name, vendor_status, status (`not_issued` or the
    statement's), settlement_id, version, the LINES (frozen when issued),
    adjustment_note, payment_reference, created_at, confirmed_at, paid_at,
    today_net_cents (recomputed with the statement's adjustment), differs (bool),
    overlaps (ids of other statements of the vendor overlapping the period, as text).
    """
    vendor_ids = None if scope.is_mall else [scope.vendor_id]
    others: dict[int, list[str]] = {}
    for row in overlapping_statements(
        conn, period_start=period_start, period_end=period_end, vendor_ids=vendor_ids
    ):
        if (row["period_start"], row["period_end"]) != (period_start, period_end):
            others.setdefault(row["vendor_id"], []).append(f"#{row['settlement_id']}")
    records = []
    for info in statement_infos(
        conn,
        period_start=period_start,
        period_end=period_end,
        tz=tz,
        vendor_ids=vendor_ids,
        read_rollups=True,
    ):
        issued = info.settlement or {}
        records.append(
            {
                "vendor_id": info.vendor_id,
                "vendor_name": info.vendor_name,
                "vendor_status": info.vendor_status,
                "status": info.status,
                **info.totals.as_dict(),
                **{k: issued.get(k) for k in STATEMENT_META},
                "today_net_cents": info.today.net_cents,
                "differs": bool(info.differences),
                "overlaps": ", ".join(others.get(info.vendor_id, [])),
            }
        )
    columns = [
        "vendor_id",
        "vendor_name",
        "vendor_status",
        "status",
        *LINES,
        *STATEMENT_META,
        "today_net_cents",
        "differs",
        "overlaps",
    ]
    return pd.DataFrame.from_records(records, columns=columns)


def vendor_statements(
    conn: sa.Connection, *, scope: Scope, statuses: Sequence[str] = ("confirmed", "paid")
) -> pd.DataFrame:
    """Issued statements in scope with one of `statuses`, newest period first.

    A vendor's own page asks for confirmed and paid only: drafts are finance's.
    """
    stmt = (
        sa.select(settlements, vendors.c.name.label("vendor_name"))
        .join(vendors, vendors.c.vendor_id == settlements.c.vendor_id)
        .where(settlements.c.status.in_(list(statuses)))
        .order_by(settlements.c.period_start.desc(), settlements.c.vendor_id)
    )
    if not scope.is_mall:
        stmt = stmt.where(settlements.c.vendor_id == scope.vendor_id)
    rows = [dict(r._mapping) for r in conn.execute(stmt)]
    return pd.DataFrame.from_records(rows, columns=[*STATEMENT_COLUMNS, "vendor_name"])


@dataclass(frozen=True)
class StatementDetail:
    """One statement with the orders and refunds beneath it (the first `limit` of each)."""

    info: StatementInfo
    orders: pd.DataFrame
    refunds: pd.DataFrame
    orders_truncated: bool
    refunds_truncated: bool


def statement_detail(
    conn: sa.Connection,
    *,
    scope: Scope,
    settlement_id: int,
    tz: str,
    statuses: Sequence[str] = ("draft", "confirmed", "paid"),
    limit: int = 2000,
) -> StatementDetail | None:
    """An issued statement in scope with one of `statuses`, and its detail rows; else None.

    A vendor asks with ("confirmed", "paid"): a draft of theirs looks missing.
    """
    row = get_statement(conn, settlement_id=settlement_id, scope=scope)
    if row is None or row["status"] not in statuses:
        return None
    (info,) = statement_infos(
        conn,
        period_start=row["period_start"],
        period_end=row["period_end"],
        tz=tz,
        vendor_ids=[row["vendor_id"]],
        read_rollups=True,
    )
    period = period_range(row["period_start"], row["period_end"], tz)
    lines = {"vendor_id": info.vendor_id, "period": period, "limit": limit + 1}
    orders = list(iter_order_rows(conn, **lines))
    refunds = list(iter_refund_rows(conn, **lines))
    return StatementDetail(
        info=info,
        orders=pd.DataFrame(orders[:limit], columns=ORDER_ROW_COLUMNS),
        refunds=pd.DataFrame(refunds[:limit], columns=REFUND_ROW_COLUMNS),
        orders_truncated=len(orders) > limit,
        refunds_truncated=len(refunds) > limit,
    )


ORDER_ROW_COLUMNS = list(OrderRow._fields)
REFUND_ROW_COLUMNS = list(RefundRow._fields)
