"""Settlement statement lines computed in SQL, and the detail rows beneath them.

The lines are the contract's "Settlement statement": for vendor v and period P,
gross / platform subsidy / commission / payment fee come from v's orders paid in
P, refund / commission returned from v's refunds *completed* in P. Commission
is rounded half up per order item (per refund for the commission returned),
with integer arithmetic inside SQL: round_half_up(a × b ÷ 10000) =
(2·a·b + 10000) div 20000.

`compute_totals` answers every vendor asked for in ONE statement (a month-end
over 1,000 vendors is one query, not 1,000 × N). The detail rows stream from a
server-side cursor so that a workbook of millions of orders keeps memory flat; a
page's first rows (a `limit`) are fetched at once.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, replace
from datetime import date, datetime
from typing import NamedTuple
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from queries.core.messages import text
from queries.core.periods import TimeRange, range_from_dates
from queries.core.read_ahead import ReadAhead
from queries.core.schema import SETTLEMENT_LINES, order_items, orders, payments, refunds, vendors
from queries.figures import paid_in, refunds_completed_in

__all__ = [
    "LINES",
    "LINE_LABELS",
    "ORDER_LINES",
    "REFUND_LINES",
    "OrderRow",
    "RefundRow",
    "Totals",
    "compute_totals",
    "half_up_bps",
    "iter_order_rows",
    "iter_refund_rows",
    "iter_vendor_lines",
    "payment_fees",
    "period_range",
    "refs_by_vendor",
]

# The statement's lines in the order they are shown; net is derived.
LINES = (*SETTLEMENT_LINES, "adjustment_cents", "net_cents")
ORDER_LINES = ("gross_cents", "platform_subsidy_cents", "commission_cents", "payment_fee_cents")
REFUND_LINES = ("refund_cents", "commission_refund_cents")

# Glossary words (shared/glossary.md), for workbooks and the shell; pages use dashboard.i18n.
LINE_LABELS: dict[str, tuple[str, str]] = {
    "gross_cents": text("error.finance.lines.gross_cents"),
    "platform_subsidy_cents": text("error.finance.lines.platform_subsidy_cents"),
    "commission_cents": text("error.finance.lines.commission_cents"),
    "payment_fee_cents": text("error.finance.lines.payment_fee_cents"),
    "refund_cents": text("error.finance.lines.refund_cents"),
    "commission_refund_cents": text("error.finance.lines.commission_refund_cents"),
    "adjustment_cents": text("error.finance.lines.adjustment_cents"),
    "net_cents": text("error.finance.lines.net_cents"),
}

_YIELD_PER = 2000


@dataclass(frozen=True)
class Totals:
    """One statement's lines in fen; `net_cents` follows from the others."""

    gross_cents: int = 0
    platform_subsidy_cents: int = 0
    commission_cents: int = 0
    payment_fee_cents: int = 0
    refund_cents: int = 0
    commission_refund_cents: int = 0
    adjustment_cents: int = 0

    @property
    def net_cents(self) -> int:
        """gross + subsidy − commission − fee − refund + commission returned + adjustment."""
        return (
            self.gross_cents
            + self.platform_subsidy_cents
            - self.commission_cents
            - self.payment_fee_cents
            - self.refund_cents
            + self.commission_refund_cents
            + self.adjustment_cents
        )

    def as_dict(self) -> dict[str, int]:
        """Every line including `net_cents`, in LINES order."""
        values = asdict(self)
        values["net_cents"] = self.net_cents
        return {line: values[line] for line in LINES}

    def with_adjustment(self, adjustment_cents: int) -> Totals:
        """The same lines with another adjustment."""
        return replace(self, adjustment_cents=adjustment_cents)

    @classmethod
    def from_row(cls, row) -> Totals:
        """Totals from a settlements row (or any mapping holding the lines)."""
        m = row._mapping if hasattr(row, "_mapping") else row
        return cls(**{line: int(m[line]) for line in LINES if line != "net_cents"})


class OrderRow(NamedTuple):
    """One paid order of a statement, as the Orders sheet shows it.

    A named tuple, not a dataclass: a million of them are made for one workbook, and
    a tuple is made from the database row in one step.
    """

    order_id: int
    order_no: str
    paid_at: datetime
    goods_cents: int
    discount_cents: int
    platform_discount_cents: int
    shipping_cents: int
    paid_cents: int
    commission_cents: int
    payment_fee_cents: int


class RefundRow(NamedTuple):
    """One refund completed in a statement's period, as the Refunds sheet shows it."""

    refund_id: int
    order_no: str
    completed_at: datetime
    amount_cents: int
    commission_refund_cents: int


def period_range(period_start: date, period_end: date, tz: str) -> TimeRange:
    """The UTC range of local dates `[period_start, period_end)` in the platform timezone."""
    return range_from_dates(period_start, period_end, ZoneInfo(tz))


def half_up_bps(amount: sa.ColumnElement, bps: sa.ColumnElement) -> sa.ColumnElement:
    """round_half_up(amount × bps ÷ 10000) in integer SQL (BIGINT on PostgreSQL)."""
    return (2 * sa.cast(amount, sa.BigInteger) * bps + 10000) // 20000


def _sum(expr: sa.ColumnElement, label: str) -> sa.Label:
    # PostgreSQL's SUM(bigint) is NUMERIC: cast back so Python gets an int.
    return sa.cast(sa.func.coalesce(sa.func.sum(expr), 0), sa.BigInteger).label(label)


def _vendor_filter(column: sa.ColumnElement, vendor_ids: Sequence[int] | None):
    return sa.true() if vendor_ids is None else column.in_(list(vendor_ids))


def compute_totals(
    conn: sa.Connection, *, period: TimeRange, vendor_ids: Sequence[int] | None = None
) -> dict[int, Totals]:
    """Today's lines of every vendor in `vendor_ids` (None: every vendor), in one query.

    A vendor with nothing in the period gets all zeros; the adjustment is 0
    (finance's adjustments live only on issued statements).
    """
    o = orders
    by_vendor = _vendor_filter(o.c.vendor_id, vendor_ids)
    order_agg = (
        sa.select(
            o.c.vendor_id,
            _sum(o.c.paid_cents, "gross"),
            _sum(o.c.platform_discount_cents, "subsidy"),
        )
        .where(paid_in(orders, period), by_vendor)
        .group_by(o.c.vendor_id)
        .subquery("order_agg")
    )
    commission_agg = (
        sa.select(
            o.c.vendor_id,
            _sum(half_up_bps(order_items.c.amount_cents, order_items.c.commission_bps), "comm"),
        )
        .select_from(order_items.join(o, order_items.c.order_id == o.c.order_id))
        .where(paid_in(orders, period), by_vendor)
        .group_by(o.c.vendor_id)
        .subquery("commission_agg")
    )
    fee_agg = _fee_select(period, vendor_ids).subquery("fee_agg")
    refund_agg = (
        sa.select(
            o.c.vendor_id,
            _sum(refunds.c.amount_cents, "refund"),
            _sum(half_up_bps(refunds.c.amount_cents, order_items.c.commission_bps), "comm_back"),
        )
        .select_from(
            refunds.join(order_items, refunds.c.order_item_id == order_items.c.order_item_id).join(
                o, refunds.c.order_id == o.c.order_id
            )
        )
        .where(refunds_completed_in(refunds, period), by_vendor)
        .group_by(o.c.vendor_id)
        .subquery("refund_agg")
    )
    v = vendors.c.vendor_id
    zero = sa.literal(0, sa.BigInteger)
    stmt = (
        sa.select(
            v,
            sa.func.coalesce(order_agg.c.gross, zero),
            sa.func.coalesce(order_agg.c.subsidy, zero),
            sa.func.coalesce(commission_agg.c.comm, zero),
            sa.func.coalesce(fee_agg.c.fee, zero),
            sa.func.coalesce(refund_agg.c.refund, zero),
            sa.func.coalesce(refund_agg.c.comm_back, zero),
        )
        .select_from(
            vendors.outerjoin(order_agg, order_agg.c.vendor_id == v)
            .outerjoin(commission_agg, commission_agg.c.vendor_id == v)
            .outerjoin(fee_agg, fee_agg.c.vendor_id == v)
            .outerjoin(refund_agg, refund_agg.c.vendor_id == v)
        )
        .where(_vendor_filter(v, vendor_ids))
        .order_by(v)
    )
    return {int(row[0]): Totals(*(int(x) for x in row[1:])) for row in conn.execute(stmt).all()}


def payment_fees(
    conn: sa.Connection, *, period: TimeRange, vendor_ids: Sequence[int] | None = None
) -> dict[int, int]:
    """The payment fee line of every vendor with orders paid in `period` (others: 0)."""
    return {int(v): int(fee) for v, fee in conn.execute(_fee_select(period, vendor_ids))}


def _fee_select(period: TimeRange, vendor_ids: Sequence[int] | None) -> sa.Select:
    """(vendor_id, fee) of the orders paid in `period`, per vendor."""
    o = orders
    if vendor_ids is None:
        fee, fee_source = (
            payments.c.fee_cents,
            payments.join(o, payments.c.order_id == o.c.order_id),
        )
    else:
        # A few shops' orders reach their payments one by one through payments
        # (order_id): joined, PostgreSQL scanned every payment of the mall (the largest
        # shop's month: 190 ms for the fees, ≈ 40 ms by look-up).
        fee, fee_source = _order_fee(), o
    return (
        sa.select(o.c.vendor_id, _sum(fee, "fee"))
        .select_from(fee_source)
        .where(paid_in(orders, period), _vendor_filter(o.c.vendor_id, vendor_ids))
        .group_by(o.c.vendor_id)
    )


def _order_fee() -> sa.ScalarSelect:
    """The payment fees of the outer query's order (0 without payments)."""
    return (
        sa.select(_sum(payments.c.fee_cents, "f"))
        .where(payments.c.order_id == orders.c.order_id)
        .scalar_subquery()
    )


def _order_rows_select(vendor_id: int | None, period: TimeRange) -> sa.Select:
    """One vendor's order lines in paid order; for None every vendor's, vendor by vendor,
    each row ending with its vendor_id."""
    o = orders
    commission = (
        sa.select(_sum(half_up_bps(order_items.c.amount_cents, order_items.c.commission_bps), "c"))
        .where(order_items.c.order_id == o.c.order_id)
        .scalar_subquery()
    )
    fee = _order_fee()
    lines = sa.select(
        o.c.order_id,
        o.c.order_no,
        o.c.paid_at,
        *(_whole(c) for c in (o.c.goods_cents, o.c.discount_cents)),
        *(_whole(c) for c in (o.c.platform_discount_cents, o.c.shipping_cents, o.c.paid_cents)),
        commission,
        fee,
    ).where(paid_in(orders, period))
    if vendor_id is None:
        return lines.add_columns(o.c.vendor_id).order_by(o.c.vendor_id, o.c.paid_at, o.c.order_id)
    return lines.where(o.c.vendor_id == vendor_id).order_by(o.c.paid_at, o.c.order_id)


def _refund_rows_select(vendor_id: int | None, period: TimeRange) -> sa.Select:
    """As `_order_rows_select`, for the refunds completed in the period."""
    lines = (
        sa.select(
            refunds.c.refund_id,
            orders.c.order_no,
            refunds.c.completed_at,
            _whole(refunds.c.amount_cents),
            _whole(half_up_bps(refunds.c.amount_cents, order_items.c.commission_bps)),
        )
        .select_from(
            refunds.join(order_items, refunds.c.order_item_id == order_items.c.order_item_id).join(
                orders, refunds.c.order_id == orders.c.order_id
            )
        )
        .where(refunds_completed_in(refunds, period))
    )
    order = (refunds.c.completed_at, refunds.c.refund_id)
    if vendor_id is None:
        return lines.add_columns(orders.c.vendor_id).order_by(orders.c.vendor_id, *order)
    return lines.where(orders.c.vendor_id == vendor_id).order_by(*order)


def _stream(
    conn: sa.Connection, stmt: sa.Select, limit: int | None = None, *, read_ahead: bool = False
) -> Iterator[sa.Row]:
    """Rows through a server-side cursor (PostgreSQL), `_YIELD_PER` at a time; the first
    `limit` rows (a page's listing) at once, which saves the cursor's round trips.

    `read_ahead` fetches the next chunk in a worker thread while the caller uses this one
    (PostgreSQL only; see queries.core.read_ahead). Only for a stream that is the connection's
    one user meanwhile: one vendor's statement, not the month-end's interleaved streams.
    """
    if limit is not None:
        yield from conn.execute(stmt.limit(limit)).all()
        return
    result = conn.execute(stmt, execution_options={"yield_per": _YIELD_PER})
    try:
        if read_ahead and conn.dialect.name == "postgresql":
            with ReadAhead(result.partitions()) as chunks:
                for chunk in chunks:
                    yield from chunk
        else:
            yield from result
    finally:
        result.close()


def iter_order_rows(
    conn: sa.Connection, *, vendor_id: int, period: TimeRange, limit: int | None = None
) -> Iterator[OrderRow]:
    """Every order of the vendor paid in `period` (the first `limit`), oldest first.

    Streamed without a limit (a workbook); the first `limit` rows are fetched at once.
    """
    # With a limit the database stops after those rows (the index is in paid_at order)
    # instead of working out every order's commission and fees for a page of them.
    rows = _stream(conn, _order_rows_select(vendor_id, period), limit, read_ahead=True)
    yield from map(_order_row, rows)


def _whole(column: sa.ColumnElement) -> sa.ColumnElement:
    """A money column as BIGINT, so that every driver hands Python an int as it is."""
    return sa.cast(column, sa.BigInteger)


# The selects give every value its Python type already (ids and money are BIGINT):
# a row becomes a line in one C-level step, which a million-order workbook feels.
_order_row = OrderRow._make
_refund_row = RefundRow._make


def iter_vendor_lines(
    conn: sa.Connection, *, period: TimeRange
) -> tuple[Iterator[tuple[int, OrderRow]], Iterator[tuple[int, RefundRow]]]:
    """Every vendor's order lines and refund lines of `period` as (vendor_id, row), vendor by
    vendor in id order and each vendor's in `iter_order_rows` / `iter_refund_rows` order.

    Two streams over the whole period (the month-end run), instead of two queries per
    vendor: a small shop's refunds alone cost a scan of the month's refunds.
    """
    orders_stream = _stream(conn, _order_rows_select(None, period))
    refunds_stream = _stream(conn, _refund_rows_select(None, period))
    return (
        ((row[-1], _order_row(row[:-1])) for row in orders_stream),
        ((row[-1], _refund_row(row[:-1])) for row in refunds_stream),
    )


def iter_refund_rows(
    conn: sa.Connection, *, vendor_id: int, period: TimeRange, limit: int | None = None
) -> Iterator[RefundRow]:
    """Every refund of the vendor completed in `period` (the first `limit`), oldest first."""
    rows = _stream(conn, _refund_rows_select(vendor_id, period), limit, read_ahead=True)
    yield from map(_refund_row, rows)


def refs_by_vendor(
    conn: sa.Connection, *, period: TimeRange, vendor_ids: Sequence[int] | None = None
) -> tuple[dict[int, list[str]], dict[int, list[int]]]:
    """Order nos of the paid orders and ids of the completed refunds in `period`, per vendor.

    Two queries whatever the number of vendors (for the shell's JSON).
    """
    order_nos: dict[int, list[str]] = {}
    refund_ids: dict[int, list[int]] = {}
    paid = (
        sa.select(orders.c.vendor_id, orders.c.order_no)
        .where(paid_in(orders, period), _vendor_filter(orders.c.vendor_id, vendor_ids))
        .order_by(orders.c.vendor_id, orders.c.paid_at, orders.c.order_id)
    )
    for vendor_id, order_no in _stream(conn, paid):
        order_nos.setdefault(vendor_id, []).append(order_no)
    done = (
        sa.select(orders.c.vendor_id, refunds.c.refund_id)
        .select_from(refunds.join(orders, refunds.c.order_id == orders.c.order_id))
        .where(
            refunds_completed_in(refunds, period), _vendor_filter(orders.c.vendor_id, vendor_ids)
        )
        .order_by(orders.c.vendor_id, refunds.c.completed_at, refunds.c.refund_id)
    )
    for vendor_id, refund_id in _stream(conn, done):
        refund_ids.setdefault(vendor_id, []).append(int(refund_id))
    return order_nos, refund_ids
