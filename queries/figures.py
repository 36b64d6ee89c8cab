"""The figures' one definition each, live over the contract's orders and refunds.

GMV, paid orders, buyers, refunded and "paid in the period" are written here once;
the live reads, the rollup builders (`rollups`), the leaderboard, the merchant list
and the report CLI use them. `queries.sales.kpis` puts the headline statements
together (one `UNION ALL` row per period); the sales leaderboard and the merchant
list use the live builders per vendor; `queries.rolled.headline` is the rollups' twin.
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from queries.core import schema as s
from queries.core.actors import Scope
from queries.core.db import within
from queries.core.periods import TimeRange

__all__ = [
    "as_date",
    "as_int",
    "buyer_figures_select",
    "buyers",
    "gmv",
    "paid_before",
    "paid_in",
    "paid_orders",
    "paid_within",
    "refunded",
    "refunded_select",
    "refunds_completed_before",
    "refunds_completed_in",
    "refunds_completed_within",
    "scope_paid_in",
]


def as_int(value) -> int:
    """SUM of BIGINT is NUMERIC on PostgreSQL: bring it back to int (None → 0)."""
    return 0 if value is None else int(value)


def as_date(value) -> date:
    """A DATE read back as a date (SQLite gives its text)."""
    return value if isinstance(value, date) else date.fromisoformat(str(value))


# --- which orders and refunds count ---------------------------------------------------


def paid_in(orders, period: TimeRange) -> sa.ColumnElement[bool]:
    """`orders` (the table or an alias) paid in the period: `paid_at` in [start, end)."""
    return sa.and_(orders.c.paid_at >= period.start, orders.c.paid_at < period.end)


def scope_paid_in(scope: Scope, period: TimeRange, orders=s.orders) -> sa.ColumnElement[bool]:
    """The scope's orders paid in the period (the (vendor_id, paid_at) / (paid_at) index range)."""
    return sa.and_(scope.owns(orders.c.vendor_id), paid_in(orders, period))


def paid_within(orders, spans: list) -> sa.ColumnElement[bool]:
    """`orders` paid in one of the half-open `spans`."""
    return within(orders.c.paid_at, spans)


def paid_before(orders, cut_at) -> sa.ColumnElement[bool]:
    """`orders` paid before `cut_at`, the rollups' cut as an instant (the orders they hold)."""
    return sa.and_(orders.c.paid_at.is_not(None), orders.c.paid_at < cut_at)


def refunds_completed_in(refunds, period: TimeRange) -> sa.ColumnElement[bool]:
    """`refunds` completed in the period: status completed, `completed_at` in [start, end)."""
    return sa.and_(
        refunds.c.status == "completed",
        refunds.c.completed_at >= period.start,
        refunds.c.completed_at < period.end,
    )


def refunds_completed_within(refunds, spans: list) -> sa.ColumnElement[bool]:
    """`refunds` completed in one of the half-open `spans`."""
    return sa.and_(refunds.c.status == "completed", within(refunds.c.completed_at, spans))


def refunds_completed_before(refunds, cut_at) -> sa.ColumnElement[bool]:
    """`refunds` completed before `cut_at`, the rollups' cut as an instant (the refunds held)."""
    return sa.and_(refunds.c.status == "completed", refunds.c.completed_at < cut_at)


# --- the figures ----------------------------------------------------------------------


def gmv(orders) -> sa.ColumnElement:
    """GMV: Σ `paid_cents` of the paid orders selected."""
    return sa.func.sum(orders.c.paid_cents)


def paid_orders() -> sa.ColumnElement:
    """Paid orders: the number of paid orders selected."""
    return sa.func.count()


def buyers(orders) -> sa.ColumnElement:
    """Buyers: the distinct members of the paid orders selected."""
    return sa.func.count(sa.distinct(orders.c.member_id))


def refunded(refunds) -> sa.ColumnElement:
    """Refunded: Σ `amount_cents` of the completed refunds selected."""
    return sa.func.sum(refunds.c.amount_cents)


# --- the headline's live statements ---------------------------------------------------


def buyer_figures_select(
    period: TimeRange,
    *,
    vendor_id: int | None,
    by_vendor: bool,
    new_buyers: bool = True,
    repurchase: bool = True,
) -> sa.Select:
    """GMV, paid orders, buyers, new and repurchase buyers, optionally per vendor.

    `new_buyers=False` leaves out the new / returning split (NULL): it costs one
    look-up per buyer into the buyer's earlier orders, which pages that do not
    show it (Home, Sales) should not pay for. `repurchase=False` leaves out the
    repurchase buyers (NULL).

    With both: inner, one row per (vendor,) member with their paid orders and GMV
    in P; outer, sums, plus whether that member had a paid order with the same
    scope before P (then they are returning, else new). With neither, no row per
    member is needed: one pass over the period's orders, buyers counted distinct.
    """
    o = s.orders
    keys = [o.c.vendor_id, o.c.member_id] if by_vendor else [o.c.member_id]
    where = [paid_in(o, period)]
    if vendor_id is not None:
        where.append(o.c.vendor_id == vendor_id)
    if not new_buyers and not repurchase:
        # What Home and Sales show (GMV, orders, buyers): the plain aggregate. A row per
        # member first took up to 2x the plain statement on the large mall (bench.headline_live).
        flat = [
            gmv(o).label("gmv_cents"),
            paid_orders().label("paid_orders"),
            buyers(o).label("buyers"),
            sa.null().label("new_buyers"),
            sa.null().label("repurchase_buyers"),
        ]
        if by_vendor:
            return sa.select(o.c.vendor_id, *flat).where(*where).group_by(o.c.vendor_id)
        return sa.select(*flat).where(*where)
    buyer = (
        sa.select(
            *keys,
            paid_orders().label("n"),
            gmv(o).label("gmv"),
        )
        .where(*where)
        .group_by(*keys)
        .subquery("buyer")
    )
    new = sa.null()
    if new_buyers:  # (an alias of orders copies every column: only built when needed)
        earlier = o.alias("earlier")
        before = [earlier.c.member_id == buyer.c.member_id, earlier.c.paid_at < period.start]
        if by_vendor:
            before.append(earlier.c.vendor_id == buyer.c.vendor_id)
        elif vendor_id is not None:
            before.append(earlier.c.vendor_id == vendor_id)
        new = sa.func.sum(sa.case((sa.exists().where(*before), 0), else_=1))
    again = sa.null()
    if repurchase:
        again = sa.func.sum(sa.case((buyer.c.n >= 2, 1), else_=0))
    figures = [
        sa.func.sum(buyer.c.gmv).label("gmv_cents"),
        sa.func.sum(buyer.c.n).label("paid_orders"),
        sa.func.count().label("buyers"),
        new.label("new_buyers"),
        again.label("repurchase_buyers"),
    ]
    if by_vendor:
        return sa.select(buyer.c.vendor_id, *figures).group_by(buyer.c.vendor_id)
    return sa.select(*figures)


def refunded_select(period: TimeRange, *, vendor_id: int | None, by_vendor: bool) -> sa.Select:
    """Σ completed refunds with completed_at in P, of the scope's orders."""
    r, o = s.refunds, s.orders
    where = [refunds_completed_in(r, period)]
    total = refunded(r).label("refunded_cents")
    if by_vendor:
        return (
            sa.select(o.c.vendor_id, total)
            .select_from(r.join(o, o.c.order_id == r.c.order_id))
            .where(*where)
            .group_by(o.c.vendor_id)
        )
    if vendor_id is None:
        return sa.select(total).where(*where)
    return (
        sa.select(total)
        .select_from(r.join(o, o.c.order_id == r.c.order_id))
        .where(*where, o.c.vendor_id == vendor_id)
    )
