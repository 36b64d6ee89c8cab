"""The Members family of the rollups, optional: read when present, never required.

New buyers and cohorts need each buyer's first paid order with the shop (or the
mall) ever; found live, that is one look-up into the buyer's order history per
buyer, and cohorts look at twelve months of orders whatever the period. The
platform keeps two tables beside the sales rollups (`queries.rolled.coverage`), built by
`rollups.build` up to `rollup_state.complete_before` of `members/1`:

- `rollup_buyer_firsts`: per shop and member, the `paid_at` of the member's first
  paid order with the shop, for every first order paid before the cut (vendor_id
  −1 = the mall: the first paid order in the mall);
- `rollup_cohort_months`: per shop, cohort month (the local month of the first
  paid order) and local month, the cohort's members with a paid order in that
  month, for every month before the cut's and the cut's month up to the cut.

A member missing from `rollup_buyer_firsts` has paid the shop nothing before the
cut, so their first order is their earliest one from the cut on: the live rest of a
period finds it among the orders it reads anyway. A paid order's `paid_at` never
moves (the contract: never cleared; the platform: never changed), so the rows of
closed days never change and rolled and live reads agree (`tests/test_member_rollups.py`).
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy import BigInteger, Column, Date, Index, Table

from queries.core import schema as s
from queries.core.actors import Scope
from queries.core.periods import TimeRange, add_months, local_midnight
from queries.core.types import UTCDateTime
from queries.figures import scope_paid_in
from queries.rolled.coverage import MALL, complete_before, rollup_metadata, rollup_vendor_id

__all__ = [
    "MEMBERS",
    "buyer_firsts",
    "cohort_months",
    "cohort_rows",
    "cohort_rows_through_cut",
    "firsts_cut",
    "firsts_in_period",
]

# The rollup_state row of these tables, with their layout's version.
MEMBERS = "members/2"

buyer_firsts = Table(
    "mallboard_rollup_buyer_firsts",
    rollup_metadata,
    Column("vendor_id", BigInteger, primary_key=True),
    Column("member_id", BigInteger, primary_key=True),
    Column("first_paid_at", UTCDateTime, nullable=False),
    Index("mallboard_rollup_buyer_firsts_by_time", "vendor_id", "first_paid_at"),
)

cohort_months = Table(
    "mallboard_rollup_cohort_months",
    rollup_metadata,
    Column("vendor_id", BigInteger, primary_key=True),
    Column("cohort", Date, primary_key=True),  # first day of the first paid order's month
    Column("month", Date, primary_key=True),  # first day of the month the members paid in
    Column("buyers", BigInteger, nullable=False),
)


def firsts_cut(conn: sa.Connection, *, scope: Scope, tz: str) -> tuple[date, datetime] | None:
    """(cut, cut_at): the member rollups' first day not held and its local midnight, or None.

    A shop whose id is the mall's marker reads live rather than the mall's rows.
    """
    if scope.vendor_id == MALL:
        return None
    cut = complete_before(conn, rollup=MEMBERS, tz=tz)
    if cut is None:
        return None
    return cut, local_midnight(cut, ZoneInfo(tz))


def _first_of(scope: Scope, member_column):
    """The join condition of the scope's first-order row of the member in `member_column`."""
    f = buyer_firsts
    return sa.and_(
        f.c.vendor_id == rollup_vendor_id(scope.vendor_id), f.c.member_id == member_column
    )


def _no_first_before_cut(scope: Scope):
    """The order's member has no first order with the scope before the cut (no rollup row)."""
    held = sa.select(buyer_firsts.c.member_id).where(_first_of(scope, s.orders.c.member_id))
    return ~held.exists()


def firsts_in_period(
    scope: Scope, *, start: datetime, end: datetime, cut_at: datetime
) -> sa.Subquery:
    """`first_paid` of every member whose first paid order with the scope is in [start, end).

    Needs `start < cut_at`: first orders before the cut are rollup rows; a member
    without one first paid at or after the cut, so their first order is the
    earliest of theirs in [cut_at, end) — inside [start, end), hence new.
    """
    f, o = buyer_firsts, s.orders
    rolled = sa.select(f.c.first_paid_at.label("first_paid")).where(
        f.c.vendor_id == rollup_vendor_id(scope.vendor_id),
        f.c.first_paid_at >= start,
        f.c.first_paid_at < min(end, cut_at),
    )
    if end <= cut_at:
        return rolled.subquery("firsts_in_period")
    tail = (
        sa.select(sa.func.min(o.c.paid_at).label("first_paid"))
        .where(scope_paid_in(scope, TimeRange(cut_at, end)))
        .where(_no_first_before_cut(scope))
        .group_by(o.c.member_id)
    )
    return sa.union_all(rolled, tail).subquery("firsts_in_period")


def _rolled_cohorts(scope: Scope, *, first_month: date, months_before: date) -> sa.Select:
    """Rollup (cohort, month, buyers) rows with cohort and month in [first_month, months_before)."""
    c = cohort_months
    return sa.select(c.c.cohort, c.c.month, c.c.buyers).where(
        c.c.vendor_id == rollup_vendor_id(scope.vendor_id),
        c.c.cohort >= first_month,
        c.c.month >= first_month,
        c.c.month < months_before,
    )


def cohort_rows(
    scope: Scope,
    *,
    first_month: date,
    stop_month: date,
    live_start: datetime,
    window_end: datetime,
    month_of,
) -> sa.Select | sa.CompoundSelect:
    """(cohort, month, buyers) of the cohorts from `first_month` on, up to `window_end`.

    Months in [first_month, stop_month) are rollup rows: whole months before the
    cut's month. The rest, [live_start, window_end) with `live_start` the local start
    of `stop_month`, is read live; there a member's cohort is the month of their rollup
    first order or, without one (nothing paid before the cut, which is not before
    `live_start`), of their earliest order read here. `month_of(column)` gives the
    local month of a timestamp.
    """
    f, o = buyer_firsts, s.orders
    rolled = _rolled_cohorts(scope, first_month=first_month, months_before=stop_month)
    if live_start >= window_end:
        return rolled
    active = (
        sa.select(
            o.c.member_id,
            month_of(o.c.paid_at).label("month"),
            sa.func.min(o.c.paid_at).label("first_here"),
        )
        .where(scope_paid_in(scope, TimeRange(live_start, window_end)))
        .group_by(o.c.member_id, month_of(o.c.paid_at))
        .cte("active")
    )
    earliest = (
        sa.select(active.c.member_id, sa.func.min(active.c.first_here).label("first_here"))
        .group_by(active.c.member_id)
        .subquery("earliest")
    )
    cohort = month_of(sa.func.coalesce(f.c.first_paid_at, earliest.c.first_here))
    joined = active.join(earliest, earliest.c.member_id == active.c.member_id).outerjoin(
        f, _first_of(scope, active.c.member_id)
    )
    live = (
        sa.select(cohort.label("cohort"), active.c.month, sa.func.count().label("buyers"))
        .select_from(joined)
        .where(cohort >= first_month)
        .group_by(cohort, active.c.month)
    )
    return sa.union_all(rolled, live)


def cohort_rows_through_cut(
    scope: Scope,
    *,
    first_month: date,
    cut_month: date,
    month_start: datetime,
    cut_at: datetime,
    window_end: datetime,
    month_of,
) -> sa.Select | sa.CompoundSelect:
    """`cohort_rows` for a window ending in the cut's month, at or after the cut.

    Every month is rollup rows, the cut's month up to the cut included (it starts at
    `month_start`); the members who paid in [cut_at, window_end) and not earlier in
    the cut's month are added to their cohort's row of the cut's month (without a
    first order before the cut, their cohort is the cut's month itself).
    """
    f, o = buyer_firsts, s.orders
    rolled = _rolled_cohorts(scope, first_month=first_month, months_before=add_months(cut_month, 1))
    if window_end <= cut_at:
        return rolled
    earlier = s.orders.alias("earlier")
    paid_earlier = (
        sa.select(earlier.c.order_id)
        .where(
            earlier.c.member_id == o.c.member_id,
            earlier.c.paid_at >= month_start,
            earlier.c.paid_at < cut_at,
        )
        .where(scope.owns(earlier.c.vendor_id))
    )
    extra = (
        sa.select(o.c.member_id)
        .where(scope_paid_in(scope, TimeRange(cut_at, window_end)))
        .where(~paid_earlier.exists())
        .distinct()
        .subquery("extra")
    )
    cohort = sa.func.coalesce(month_of(f.c.first_paid_at), sa.literal(cut_month, sa.Date))
    added = (
        sa.select(cohort.label("cohort"), sa.literal(cut_month, sa.Date), sa.func.count())
        .select_from(extra.outerjoin(f, _first_of(scope, extra.c.member_id)))
        .where(cohort >= first_month)
        .group_by(cohort)
    )
    return sa.union_all(rolled, added)
