"""Reconciliation: issued statements against today's data, and orders that do not add up.

A statement's totals are frozen when issued. Recomputing them from today's
orders and refunds (same vendor, same period, same rules) shows every line
that moved since: an order corrected after issue, a payment recorded late, a
refund re-dated into the period. A refund completed *after* the period belongs
to a later statement by the contract, so it is never a difference here.

The contract keeps no history of orders, so the exact row that changed cannot
always be named. Each differing line lists its candidate causes: the period's
rows that contribute to that line, the suspicious ones first and marked with
why (a payment recorded after issue, payments that do not add up, a refund
requested after issue). When nothing is suspicious every contributing row is
listed (up to `cause_limit` per line), so finance can check them against the
frozen figure. An order moved *out* of the period cannot be found this way; the
gap still shows in the line.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import pandas as pd
import sqlalchemy as sa

from queries.core.actors import Scope
from queries.core.schema import orders, payments, refunds, settlements, vendors
from queries.figures import paid_in
from queries.finance.lines import (
    ORDER_LINES,
    REFUND_LINES,
    Totals,
    compute_totals,
    period_range,
)

__all__ = [
    "DIFFERENCE_COLUMNS",
    "CAUSE_COLUMNS",
    "Reconciliation",
    "cancelled_without_refund",
    "payment_mismatches",
    "reconcile",
    "statement_differences",
]

DIFFERENCE_COLUMNS = [
    "settlement_id",
    "vendor_id",
    "vendor_name",
    "period_start",
    "period_end",
    "status",
    "line",
    "frozen_cents",
    "today_cents",
    "difference_cents",
]
CAUSE_COLUMNS = ["settlement_id", "line", "kind", "ref", "order_no", "amount_cents", "reason"]


@dataclass(frozen=True)
class Reconciliation:
    """Differences line by line, their candidate causes, and orders that do not add up."""

    differences: pd.DataFrame
    causes: pd.DataFrame
    payment_mismatches: pd.DataFrame
    cancelled_unrefunded: pd.DataFrame

    @property
    def is_clean(self) -> bool:
        """True when nothing was flagged."""
        return (
            self.differences.empty
            and self.payment_mismatches.empty
            and self.cancelled_unrefunded.empty
        )


def statement_differences(frozen: Totals, today: Totals) -> dict[str, tuple[int, int]]:
    """Lines whose frozen value differs from today's: {line: (frozen, today)}.

    Today's totals take the statement's own adjustment (finance's, not data).
    """
    recomputed = today.with_adjustment(frozen.adjustment_cents).as_dict()
    return {
        line: (value, recomputed[line])
        for line, value in frozen.as_dict().items()
        if value != recomputed[line]
    }


def _issued(conn, scope: Scope, period_start: date, period_end: date) -> list[dict]:
    stmt = (
        sa.select(settlements, vendors.c.name.label("vendor_name"))
        .join(vendors, vendors.c.vendor_id == settlements.c.vendor_id)
        .where(settlements.c.period_start < period_end, settlements.c.period_end > period_start)
        .order_by(settlements.c.vendor_id, settlements.c.period_start)
    )
    if not scope.is_mall:
        stmt = stmt.where(settlements.c.vendor_id == scope.vendor_id)
    return [dict(r._mapping) for r in conn.execute(stmt)]


def reconcile(
    conn: sa.Connection,
    *,
    scope: Scope,
    period_start: date,
    period_end: date,
    tz: str,
    cause_limit: int = 200,
) -> Reconciliation:
    """Check every statement overlapping the dates, and the orders paid in them."""
    issued = _issued(conn, scope, period_start, period_end)
    by_period: dict[tuple[date, date], list[dict]] = {}
    for row in issued:
        by_period.setdefault((row["period_start"], row["period_end"]), []).append(row)
    diff_rows: list[dict] = []
    cause_rows: list[dict] = []
    for (start, end), rows in by_period.items():
        # One query per distinct period (usually one) for all its vendors.
        today = compute_totals(
            conn, period=period_range(start, end, tz), vendor_ids=[r["vendor_id"] for r in rows]
        )
        for row in rows:
            gaps = statement_differences(
                Totals.from_row(row), today.get(row["vendor_id"], Totals())
            )
            for line, (frozen, now) in gaps.items():
                diff_rows.append(
                    {
                        **{k: row[k] for k in DIFFERENCE_COLUMNS[:6]},
                        "line": line,
                        "frozen_cents": frozen,
                        "today_cents": now,
                        "difference_cents": now - frozen,
                    }
                )
            if gaps:
                cause_rows.extend(
                    causes_for(conn, statement=row, lines=list(gaps), tz=tz, limit=cause_limit)
                )
    period = period_range(period_start, period_end, tz)
    vendor_id = scope.vendor_id
    return Reconciliation(
        differences=pd.DataFrame.from_records(diff_rows, columns=DIFFERENCE_COLUMNS),
        causes=pd.DataFrame.from_records(cause_rows, columns=CAUSE_COLUMNS),
        payment_mismatches=payment_mismatches(conn, vendor_id=vendor_id, period=period),
        cancelled_unrefunded=cancelled_without_refund(conn, vendor_id=vendor_id, period=period),
    )


def causes_for(
    conn: sa.Connection, *, statement: dict, lines: Sequence[str], tz: str, limit: int = 200
) -> list[dict]:
    """Candidate causes of a statement's differing `lines` (see the module docstring)."""
    period = period_range(statement["period_start"], statement["period_end"], tz)
    issued_at = statement["created_at"]
    out: list[dict] = []
    order_lines = [line for line in lines if line in ORDER_LINES]
    if order_lines:
        late_payment = sa.exists().where(
            payments.c.order_id == orders.c.order_id, payments.c.paid_at >= issued_at
        )
        paid_sum = (
            sa.select(sa.func.coalesce(sa.func.sum(payments.c.amount_cents), 0))
            .where(payments.c.order_id == orders.c.order_id)
            .scalar_subquery()
        )
        suspicious = sa.or_(late_payment, paid_sum != orders.c.paid_cents)
        stmt = (
            sa.select(
                orders.c.order_id,
                orders.c.order_no,
                orders.c.paid_cents,
                late_payment.label("late"),
                (paid_sum != orders.c.paid_cents).label("mismatch"),
            )
            .where(
                orders.c.vendor_id == statement["vendor_id"],
                paid_in(orders, period),
            )
            .order_by(sa.case((suspicious, 0), else_=1), orders.c.paid_at, orders.c.order_id)
            .limit(limit)
        )
        for order_id, order_no, paid, late, mismatch in conn.execute(stmt):
            reason = (
                "payment_after_issue" if late else "payments_mismatch" if mismatch else "in_period"
            )
            for line in order_lines:
                out.append(
                    {
                        "settlement_id": statement["settlement_id"],
                        "line": line,
                        "kind": "order",
                        "ref": str(order_id),
                        "order_no": order_no,
                        "amount_cents": int(paid),
                        "reason": reason,
                    }
                )
    refund_lines = [line for line in lines if line in REFUND_LINES]
    if refund_lines:
        late_request = refunds.c.requested_at >= issued_at
        stmt = (
            sa.select(refunds.c.refund_id, orders.c.order_no, refunds.c.amount_cents, late_request)
            .select_from(refunds.join(orders, refunds.c.order_id == orders.c.order_id))
            .where(
                orders.c.vendor_id == statement["vendor_id"],
                refunds.c.status == "completed",
                refunds.c.completed_at >= period.start,
                refunds.c.completed_at < period.end,
            )
            .order_by(sa.case((late_request, 0), else_=1), refunds.c.completed_at)
            .limit(limit)
        )
        for refund_id, order_no, amount, late in conn.execute(stmt):
            for line in refund_lines:
                out.append(
                    {
                        "settlement_id": statement["settlement_id"],
                        "line": line,
                        "kind": "refund",
                        "ref": str(refund_id),
                        "order_no": order_no,
                        "amount_cents": int(amount),
                        "reason": "requested_after_issue" if late else "in_period",
                    }
                )
    if "net_cents" in lines and not (order_lines or refund_lines):
        out.append(
            {
                "settlement_id": statement["settlement_id"],
                "line": "net_cents",
                "kind": "statement",
                "ref": str(statement["settlement_id"]),
                "order_no": None,
                "amount_cents": int(statement["net_cents"]),
                "reason": "net_does_not_add_up",
            }
        )
    return out


def _vendor_and_period(vendor_id: int | None, period) -> list:
    where = [paid_in(orders, period)]
    if vendor_id is not None:
        where.append(orders.c.vendor_id == vendor_id)
    return where


# The order columns both order checks list (the shop's name as `vendor_name`).
ORDER_COLUMNS = ("order_id", "order_no", "vendor_id", "vendor_name", "paid_at", "paid_cents")


def _order_columns() -> tuple[sa.ColumnElement, ...]:
    """The selected columns behind `ORDER_COLUMNS` (also the GROUP BY of the payment check)."""
    o = orders.c
    return (o.order_id, o.order_no, o.vendor_id, vendors.c.name, o.paid_at, o.paid_cents)


def payment_mismatches(conn: sa.Connection, *, vendor_id: int | None, period) -> pd.DataFrame:
    """Orders paid in the period whose payments do not add up to `paid_cents`."""
    paid_sum = sa.cast(sa.func.coalesce(sa.func.sum(payments.c.amount_cents), 0), sa.BigInteger)
    stmt = (
        sa.select(*_order_columns(), paid_sum.label("payments_cents"))
        .select_from(
            orders.join(vendors, vendors.c.vendor_id == orders.c.vendor_id).outerjoin(
                payments, payments.c.order_id == orders.c.order_id
            )
        )
        .where(*_vendor_and_period(vendor_id, period))
        .group_by(*_order_columns())
        .having(paid_sum != orders.c.paid_cents)
        .order_by(orders.c.paid_at, orders.c.order_id)
    )
    columns = [*ORDER_COLUMNS, "payments_cents"]
    return pd.DataFrame([tuple(r) for r in conn.execute(stmt)], columns=columns)


def cancelled_without_refund(conn: sa.Connection, *, vendor_id: int | None, period) -> pd.DataFrame:
    """Orders paid in the period, cancelled since, with no completed refund."""
    refunded = sa.exists().where(
        refunds.c.order_id == orders.c.order_id, refunds.c.status == "completed"
    )
    stmt = (
        sa.select(*_order_columns())
        .join(vendors, vendors.c.vendor_id == orders.c.vendor_id)
        .where(*_vendor_and_period(vendor_id, period), orders.c.status == "cancelled", ~refunded)
        .order_by(orders.c.paid_at, orders.c.order_id)
    )
    columns = list(ORDER_COLUMNS)
    return pd.DataFrame([tuple(r) for r in conn.execute(stmt)], columns=columns)
