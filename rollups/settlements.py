"""The settlement day rows' build: every shop's statement lines per local day.

Gross, subsidy and commission (rounded per order item) on the local day the order was
paid, refunds and the commission returned (rounded per refund) on the day the refund
completed, for the orders paid and refunds completed before the cut. Read by
`queries.finance.rolled_days`. A refresh of the days from `start` replaces those days'
rows (`delete_settlement_days_from`, then the insert from `start_at`, their local
midnight): a day's lines come only from the orders paid and refunds completed that day.
Payment fees are not in the rows (always read live).
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy import BigInteger

from queries.core import schema as s
from queries.core.db import local_day
from queries.figures import gmv, refunded, refunds_completed_before
from queries.finance.lines import half_up_bps
from queries.finance.rolled_days import DAY_LINES, settlement_days
from queries.rolled.coverage import scope_ids
from rollups.sales import of_scopes

__all__ = ["delete_settlement_days_from", "insert_settlement_days"]


def delete_settlement_days_from(conn: sa.Connection, start: date) -> None:
    """Delete every shop's day rows from the local day `start` on."""
    d = settlement_days
    shops = scope_ids(conn, mall=False)  # each shop's days through the (vendor_id, day) key
    conn.execute(d.delete().where(of_scopes(d.c.vendor_id, shops), d.c.local_day >= start))


def insert_settlement_days(conn: sa.Connection, zone, cut_at, *, start_at=None) -> None:
    """Every shop's statement lines per local day, for the orders paid and refunds
    completed before `cut_at` (and from `start_at`, if given; `zone` is the bound timezone)."""
    o, i, r = s.orders, s.order_items, s.refunds
    paid_day = local_day(o.c.paid_at, zone).label("day")
    paid = o.c.paid_at < cut_at  # NULL (never paid) is not before anything
    completed = refunds_completed_before(r, cut_at)
    if start_at is not None:
        paid = sa.and_(paid, o.c.paid_at >= start_at)
        completed = sa.and_(completed, r.c.completed_at >= start_at)

    def branch(day, **sums) -> sa.Select:
        zero = sa.literal(0, BigInteger)
        figures = [sums.get(line, zero).label(line) for line in DAY_LINES]
        return sa.select(o.c.vendor_id, day, *figures).group_by(o.c.vendor_id, day)

    order_sums = branch(
        paid_day,
        gross_cents=gmv(o),
        platform_subsidy_cents=sa.func.sum(o.c.platform_discount_cents),
    ).where(paid)
    commission = (
        branch(
            paid_day,
            commission_cents=sa.func.sum(half_up_bps(i.c.amount_cents, i.c.commission_bps)),
        )
        .select_from(i.join(o, i.c.order_id == o.c.order_id))
        .where(paid)
    )
    back_day = local_day(r.c.completed_at, zone).label("day")
    refund_lines = (
        branch(
            back_day,
            refund_cents=refunded(r),
            commission_refund_cents=sa.func.sum(half_up_bps(r.c.amount_cents, i.c.commission_bps)),
        )
        .select_from(
            r.join(i, r.c.order_item_id == i.c.order_item_id).join(o, r.c.order_id == o.c.order_id)
        )
        .where(completed)
    )
    every = sa.union_all(order_sums, commission, refund_lines).subquery("day_lines")
    rows = (
        sa.select(
            every.c.vendor_id,
            every.c.day,
            *(sa.cast(sa.func.sum(every.c[line]), BigInteger) for line in DAY_LINES),
        )
        .group_by(every.c.vendor_id, every.c.day)
        .order_by(every.c.vendor_id, every.c.day)  # a shop's days together on disk
    )
    names = ["vendor_id", "local_day", *DAY_LINES]
    conn.execute(settlement_days.insert().from_select(names, rows))
