"""The headline of a period from the rollups: their whole days summed, the live rest added.

`queries.sales.kpis` uses it (one `UNION ALL` row per period) when the period's whole
days are held by the rollups and new buyers are not asked for. The whole days are
summed from `rollup_sales_daily` and their buyers counted from `rollup_buyer_days`;
a period with a live rest (this month to now) adds the rest's sums, read with the
live definitions of `queries.figures`, and checks its few members against the
rolled buyers.
"""

from __future__ import annotations

import sqlalchemy as sa

from queries.core import schema as s
from queries.core.actors import Scope
from queries.core.db import union_all
from queries.core.periods import TimeRange
from queries.figures import gmv, paid_in, paid_orders, refunded_select
from queries.rolled.coverage import (
    MALL,
    Coverage,
    buyer_day_figures,
    buyer_days,
    complete_before,
    covered_days,
    new_in_period,
    sales_daily,
    scope_days,
)

__all__ = ["rolled_headline_select", "rolled_spans"]


def rolled_headline_select(
    covered: Coverage, *, vendor_id: int | None, which: int, repurchase: bool = True
) -> sa.Select:
    """`queries.sales.kpis`' headline row (no new buyers) from the rollups' whole days, plus the
    live parts of the period if it has any (this month to now).

    Sums add up across the parts; buyers do not. The rolled days give their buyers and
    repurchase buyers (`buyer_day_figures`); each member of the live parts is then either
    another buyer (not among the rolled ones; a repurchase buyer with two live orders) or
    one already counted, who becomes a repurchase buyer if the rolled days held only one
    order of theirs. Only the live members are hashed, not the rolled days' buyers.
    Without `repurchase` the row's repurchase buyers are NULL (the caller does not show them).
    """
    d, o = sales_daily, s.orders
    shop = [] if vendor_id is None else [o.c.vendor_id == vendor_id]
    zero = sa.literal(0, sa.BigInteger)
    sums = union_all(
        [
            sa.select(d.c.gmv_cents, d.c.paid_orders, d.c.refunded_cents).where(
                scope_days(d, "local_day", covered, vendor_id)
            ),
            *[
                sa.select(gmv(o), paid_orders(), zero).where(paid_in(o, part), *shop)
                for part in covered.live
            ],
            *[
                sa.select(zero, zero, refunded.scalar_subquery())
                for refunded in (
                    refunded_select(part, vendor_id=vendor_id, by_vendor=False)
                    for part in covered.live
                )
            ],
        ]
    ).subquery("sums")
    totals = sa.select(
        sa.func.sum(sums.c.gmv_cents).label("gmv_cents"),
        sa.func.sum(sums.c.paid_orders).label("paid_orders"),
        sa.func.sum(sums.c.refunded_cents).label("refunded_cents"),
    ).subquery("totals")
    days = buyer_day_figures(covered, vendor_id=vendor_id).subquery("rolled_buyers")
    buyers = _with_live_buyers(days, covered, vendor_id) if covered.live else days
    again = buyers.c.repurchase_buyers if repurchase else sa.null()
    return sa.select(
        sa.literal_column(str(int(which))).label("which"),  # an int of ours, never input
        totals.c.gmv_cents,
        totals.c.paid_orders,
        buyers.c.buyers,
        sa.null().label("new_buyers"),
        again.label("repurchase_buyers"),
        totals.c.refunded_cents,
    ).select_from(totals.join(buyers, sa.true()))


def _with_live_buyers(days: sa.Subquery, covered: Coverage, vendor_id: int | None) -> sa.Subquery:
    """(buyers, repurchase_buyers) of the rolled `days` with the live parts' members added."""
    b, o = buyer_days, s.orders
    shop = [] if vendor_id is None else [o.c.vendor_id == vendor_id]
    live = union_all(
        [sa.select(o.c.member_id).where(paid_in(o, part), *shop) for part in covered.live]
    ).subquery("live_orders")
    live_members = (
        sa.select(live.c.member_id, sa.func.count().label("n"))
        .group_by(live.c.member_id)
        .subquery("live_members")
    )
    first = new_in_period(b.c.previous_on, covered)
    once = sa.and_(sa.or_(b.c.next_on.is_(None), b.c.next_on >= covered.end), b.c.orders == 1)
    rolled = (
        sa.select(b.c.member_id, once.label("once"))
        .where(scope_days(b, "paid_on", covered, vendor_id), first)
        .subquery("rolled")
    )
    seen = rolled.c.member_id.is_not(None)
    became = sa.or_(sa.and_(seen, rolled.c.once), sa.and_(~seen, live_members.c.n >= 2))
    extra = (
        sa.select(
            sa.func.sum(sa.case((seen, 0), else_=1)).label("buyers"),
            sa.func.sum(sa.case((became, 1), else_=0)).label("repurchase_buyers"),
        )
        .select_from(live_members.outerjoin(rolled, rolled.c.member_id == live_members.c.member_id))
        .subquery("extra")
    )
    return (
        sa.select(
            (days.c.buyers + sa.func.coalesce(extra.c.buyers, 0)).label("buyers"),
            (days.c.repurchase_buyers + sa.func.coalesce(extra.c.repurchase_buyers, 0)).label(
                "repurchase_buyers"
            ),
        )
        .select_from(days.join(extra, sa.true()))
        .subquery("buyers")
    )


def rolled_spans(
    conn: sa.Connection, scope: Scope, spans: list[tuple], tz: str | None
) -> dict[int, Coverage]:
    """The spans (by index) holding whole days the rollups hold, with their days and rest."""
    if tz is None or scope.vendor_id == MALL:
        return {}
    cut = complete_before(conn, tz=tz)
    if cut is None:
        return {}
    found = {}
    for n, (start, end) in enumerate(spans):
        covered = covered_days(TimeRange(start, end), tz=tz, cut=cut)
        if covered is not None:
            found[n] = covered
    return found
