"""The member rollups' build: first paid orders, cohort months and the RFM segments' moves.

Each member's first paid order per shop and in the mall, then the cohort months from the
distinct (member, month) of the orders joined to those first orders, and the RFM segments'
daily moves. Read by `queries.rolled.members` and `queries.members.rfm`.
"""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy import BigInteger
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import FunctionElement

from queries.core import schema as s
from queries.core.db import local_day, local_month
from queries.figures import gmv, paid_before, paid_orders
from queries.members.rfm import RFM_RULES, rfm_changes, segment_of
from queries.rolled.coverage import MALL
from queries.rolled.members import buyer_firsts, cohort_months

__all__ = ["insert_buyer_firsts", "insert_cohort_months", "insert_rfm_changes"]


def insert_buyer_firsts(conn: sa.Connection, cut_at, *, by_vendor: bool) -> None:
    """Each member's first paid order with each shop (or the mall), if paid before the cut."""
    o = s.orders
    shop = o.c.vendor_id if by_vendor else sa.literal(MALL, sa.BigInteger)
    keys = [o.c.vendor_id, o.c.member_id] if by_vendor else [o.c.member_id]
    rows = (
        sa.select(shop, o.c.member_id, sa.func.min(o.c.paid_at))
        .where(paid_before(o, cut_at))
        .group_by(*keys)
    )
    names = ["vendor_id", "member_id", "first_paid_at"]
    conn.execute(buyer_firsts.insert().from_select(names, rows))


def insert_cohort_months(conn: sa.Connection, zone, cut_at, *, by_vendor: bool) -> None:
    """Per shop (or the mall), cohort month and month: the cohort's members paying in it.

    The cut's own month is counted up to the cut (month to date).
    """
    o, f = s.orders, buyer_firsts
    shop = o.c.vendor_id if by_vendor else sa.literal(MALL, sa.BigInteger)
    month = local_month(o.c.paid_at, zone)
    active = (
        sa.select(shop.label("vendor_id"), o.c.member_id, month.label("month"))
        .where(paid_before(o, cut_at))
        .distinct()
        .subquery("active")
    )
    # Every member paying before the cut has a first order before it: an inner join.
    cohort = local_month(f.c.first_paid_at, zone)
    rows = (
        sa.select(active.c.vendor_id, cohort, active.c.month, sa.func.count())
        .select_from(
            active.join(
                f,
                sa.and_(f.c.vendor_id == active.c.vendor_id, f.c.member_id == active.c.member_id),
            )
        )
        .group_by(active.c.vendor_id, cohort, active.c.month)
    )
    names = ["vendor_id", "cohort", "month", "buyers"]
    conn.execute(cohort_months.insert().from_select(names, rows))


class _plus_days(FunctionElement):  # noqa: N801 - reads like a SQL function
    """`(date column, days)` → the date `days` later (negative: earlier)."""

    type = sa.Date()
    inherit_cache = True


@compiles(_plus_days, "postgresql")
def _pg_plus_days(element, compiler, **kw):
    column, days = (compiler.process(c, **kw) for c in element.clauses)
    return f"({column} + CAST({days} AS INTEGER))"


@compiles(_plus_days, "sqlite")
def _sqlite_plus_days(element, compiler, **kw):
    column, days = (compiler.process(c, **kw) for c in element.clauses)
    return f"date({column}, CAST({days} AS INTEGER) || ' days')"


def insert_rfm_changes(conn: sa.Connection, zone, cut_at: datetime, *, cut: date) -> None:
    """Fill `rollup_rfm_changes` for the as-of days up to the `cut` (default rules)."""
    rules, o = RFM_RULES, s.orders
    paid_on = local_day(o.c.paid_at, zone)
    levels = [
        sa.select(
            shop.label("vendor_id"),
            o.c.member_id,
            paid_on.label("paid_on"),
            paid_orders().label("orders"),
            gmv(o).label("cents"),
        )
        .where(paid_before(o, cut_at))
        .group_by(*keys, o.c.member_id, paid_on)
        for shop, keys in ((o.c.vendor_id, [o.c.vendor_id]), (sa.literal(MALL, sa.BigInteger), []))
    ]
    days = sa.union_all(*levels).cte("days")
    # The days a member's segment can change: an order enters, stops being recent, leaves.
    shifts = (1, rules.recent_days + 1, rules.window_days + 1)
    candidates = sa.union(
        *[
            sa.select(
                days.c.vendor_id, days.c.member_id, _plus_days(days.c.paid_on, n).label("as_of")
            )
            for n in shifts
        ]
    ).subquery("candidates")
    c, d = candidates, days.alias("window_days")
    in_window = sa.and_(
        d.c.vendor_id == c.c.vendor_id,
        d.c.member_id == c.c.member_id,
        d.c.paid_on < c.c.as_of,
        d.c.paid_on >= _plus_days(c.c.as_of, -rules.window_days),
    )
    orders, cents = sa.func.sum(d.c.orders), sa.func.sum(d.c.cents)
    segment = sa.case(
        (orders.is_(None), sa.null()),  # nothing paid in the window: in no segment
        else_=segment_of(
            sa.func.max(d.c.paid_on) >= _plus_days(c.c.as_of, -rules.recent_days),
            orders >= rules.frequent_orders,
            cents >= rules.monetary_cents,
        ),
    )
    states = (
        sa.select(
            c.c.vendor_id,
            c.c.member_id,
            c.c.as_of,
            segment.label("segment"),
            sa.func.coalesce(cents, 0).label("cents"),
        )
        .select_from(c.outerjoin(d, in_window))
        .where(c.c.as_of <= cut)
        .group_by(c.c.vendor_id, c.c.member_id, c.c.as_of)
        .subquery("states")
    )
    by_member = {
        "partition_by": (states.c.vendor_id, states.c.member_id),
        "order_by": states.c.as_of,
    }
    moves = sa.select(
        states.c.vendor_id,
        states.c.as_of,
        states.c.segment,
        states.c.cents,
        sa.func.lag(states.c.segment).over(**by_member).label("was"),
        sa.func.lag(states.c.cents).over(**by_member).label("was_cents"),
    ).subquery("moves")
    one = sa.literal(1, BigInteger)
    deltas = sa.union_all(
        sa.select(
            moves.c.vendor_id,
            moves.c.as_of,
            moves.c.segment,
            one.label("buyers"),
            moves.c.cents.label("gmv"),
        ).where(moves.c.segment.is_not(None)),
        sa.select(moves.c.vendor_id, moves.c.as_of, moves.c.was, -one, -moves.c.was_cents).where(
            moves.c.was.is_not(None)
        ),
    ).subquery("deltas")
    moved, moved_gmv = sa.func.sum(deltas.c.buyers), sa.func.sum(deltas.c.gmv)
    rows = (
        sa.select(deltas.c.vendor_id, deltas.c.as_of, deltas.c.segment, moved, moved_gmv)
        .group_by(deltas.c.vendor_id, deltas.c.as_of, deltas.c.segment)
        .having(sa.or_(moved != 0, moved_gmv != 0))  # a member re-evaluated to the same state
    )
    names = ["vendor_id", "as_of", "segment", "buyers", "gmv_cents"]
    conn.execute(rfm_changes.insert().from_select(names, rows))
