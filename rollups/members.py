"""The member rollups' build: first paid orders, cohort months and the RFM segments' moves.

Each member's first paid order per shop and in the mall, then the cohort months from the
distinct (member, month) of the orders joined to those first orders, and the RFM segments'
daily moves. Read by `queries.rolled.members` and `queries.members.rfm`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta

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
from rollups.incremental import every_scope, one_of

__all__ = ["insert_buyer_firsts", "insert_cohort_months", "insert_rfm_changes"]


def insert_buyer_firsts(
    conn: sa.Connection, cut_at, *, by_vendor: bool, start_at: datetime | None = None
) -> None:
    """Each member's first paid order with each shop (or the mall), if paid before the cut.

    With `start_at` (an incremental refresh) only the rows of first orders from it on are
    replaced: the orders paid before it are those of the last refresh, so a first order
    before it stays the first; a member without one first paid at their earliest order
    from `start_at` on (a late order inside the look-back included).
    """
    o, f = s.orders, buyer_firsts
    shop = o.c.vendor_id if by_vendor else sa.literal(MALL, sa.BigInteger)
    keys = [o.c.vendor_id, o.c.member_id] if by_vendor else [o.c.member_id]
    paid = [paid_before(o, cut_at)]
    if start_at is not None:
        level = f.c.vendor_id != MALL if by_vendor else f.c.vendor_id == MALL
        conn.execute(
            f.delete().where(every_scope(f.c.vendor_id), level, f.c.first_paid_at >= start_at)
        )
        held = sa.select(f.c.member_id).where(f.c.vendor_id == shop, f.c.member_id == o.c.member_id)
        paid += [o.c.paid_at >= start_at, ~held.exists()]
    rows = sa.select(shop, o.c.member_id, sa.func.min(o.c.paid_at)).where(*paid).group_by(*keys)
    names = ["vendor_id", "member_id", "first_paid_at"]
    conn.execute(buyer_firsts.insert().from_select(names, rows))


def insert_cohort_months(
    conn: sa.Connection,
    zone,
    cut_at,
    *,
    by_vendor: bool,
    from_month: date | None = None,
    from_month_at: datetime | None = None,
) -> None:
    """Per shop (or the mall), cohort month and month: the cohort's members paying in it.

    The cut's own month is counted up to the cut (month to date). With `from_month` (and
    its local start `from_month_at`) only the months from it on are replaced: an earlier
    month's members and their first orders are those of the last refresh. Needs the
    buyer firsts of the same cut.
    """
    o, f = s.orders, buyer_firsts
    shop = o.c.vendor_id if by_vendor else sa.literal(MALL, sa.BigInteger)
    month = local_month(o.c.paid_at, zone)
    paid = [paid_before(o, cut_at)]
    if from_month is not None:
        c = cohort_months
        level = c.c.vendor_id != MALL if by_vendor else c.c.vendor_id == MALL
        conn.execute(c.delete().where(level, c.c.month >= from_month))
        paid.append(o.c.paid_at >= from_month_at)
    active = (
        sa.select(shop.label("vendor_id"), o.c.member_id, month.label("month"))
        .where(*paid)
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


def insert_rfm_changes(
    conn: sa.Connection,
    zone,
    cut_at: datetime,
    *,
    cut: date,
    start: date | None = None,
    midnight: Callable[[date], datetime] | None = None,
) -> None:
    """Fill `rollup_rfm_changes` for the as-of days up to the `cut` (default rules).

    With `start` (an incremental refresh; `midnight(day)` gives a local day's start) only
    the as-of days from `start` on are replaced. A member's state as of a day reads their
    paid days before it, which before `start` are those of the last refresh; so the moves
    of the days before `start` stand, and each member's state just before `start` (as of
    `start − 1`, the same as at their last candidate day before it: a state changes on
    candidate days only) is what their first move from `start` on starts from.
    """
    rules, o = RFM_RULES, s.orders
    paid_on = local_day(o.c.paid_at, zone)
    paid = [paid_before(o, cut_at)]
    if start is not None:
        conn.execute(
            rfm_changes.delete().where(
                every_scope(rfm_changes.c.vendor_id), rfm_changes.c.as_of >= start
            )
        )
        paid += _members_moving(o, start=start, cut=cut, midnight=midnight)
    levels = [
        sa.select(
            shop.label("vendor_id"),
            o.c.member_id,
            paid_on.label("paid_on"),
            paid_orders().label("orders"),
            gmv(o).label("cents"),
        )
        .where(*paid)
        .group_by(*keys, o.c.member_id, paid_on)
        for shop, keys in ((o.c.vendor_id, [o.c.vendor_id]), (sa.literal(MALL, sa.BigInteger), []))
    ]
    days = sa.union_all(*levels).cte("days")
    # The days a member's segment can change: an order enters, stops being recent, leaves.
    shifts = (1, rules.recent_days + 1, rules.window_days + 1)
    candidates = [
        sa.select(days.c.vendor_id, days.c.member_id, _plus_days(days.c.paid_on, n).label("as_of"))
        for n in shifts
    ]
    if start is not None:
        candidates = [c.where(c.selected_columns.as_of >= start) for c in candidates]
        # The state each member starts the window from.
        before = sa.literal(start - timedelta(days=1), sa.Date)
        candidates.append(sa.select(days.c.vendor_id, days.c.member_id, before))
    candidates = sa.union(*candidates).subquery("candidates")
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
    )
    if start is None:
        moves = moves.subquery("moves")
        kept = sa.true()
    else:
        moves = moves.cte("moves")  # read twice below: computed once
        kept = moves.c.as_of >= start  # not the state the window starts from
    one = sa.literal(1, BigInteger)
    deltas = sa.union_all(
        sa.select(
            moves.c.vendor_id,
            moves.c.as_of,
            moves.c.segment,
            one.label("buyers"),
            moves.c.cents.label("gmv"),
        ).where(moves.c.segment.is_not(None), kept),
        sa.select(moves.c.vendor_id, moves.c.as_of, moves.c.was, -one, -moves.c.was_cents).where(
            moves.c.was.is_not(None), kept
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


def _members_moving(o, *, start: date, cut: date, midnight) -> list[sa.ColumnElement[bool]]:
    """The paid orders an incremental RFM refresh reads: those of the members with a
    candidate day in [start, cut] (a paid day 1, 91 or 366 days before one), over the
    days their states as of [start − 1, cut] look at ([start − 366, cut))."""
    rules, m = RFM_RULES, s.orders.alias("moving")
    bands = [
        sa.and_(
            m.c.paid_at >= midnight(start - timedelta(days=n)),
            m.c.paid_at < midnight(cut - timedelta(days=n - 1)),
        )
        for n in (1, rules.recent_days + 1, rules.window_days + 1)
    ]
    moving = sa.select(m.c.member_id).where(sa.or_(*bands)).distinct()
    return [
        o.c.paid_at >= midnight(start - timedelta(days=rules.window_days + 1)),
        one_of(o.c.member_id, moving),
    ]
