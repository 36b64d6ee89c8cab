"""The operators' vendor leaderboard: every shop's figures over a period, in one statement.

Per vendor: GMV, its growth against the previous period (环比, by the contract's
rules in `queries.periods.previous_range`), paid orders, buyers, new buyers,
refunded and refund rate. Vendors without sales are listed with zeros and no
ratios. The statement groups the period's orders by vendor once (not one query
per vendor) and joins the result to `vendors`.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pandas as pd
import sqlalchemy as sa

from queries import schema as s
from queries.actors import Scope
from queries.errors import Forbidden
from queries.headline_sql import as_int, buyer_figures_select, refunded_select
from queries.kpis import change
from queries.periods import TimeRange, previous_range

__all__ = ["COLUMNS", "leaderboard"]

COLUMNS = (
    "vendor_id",
    "vendor_name",
    "status",
    "gmv_cents",
    "previous_gmv_cents",
    "gmv_growth",
    "paid_orders",
    "buyers",
    "new_buyers",
    "refunded_cents",
    "refund_rate",
)


def leaderboard(conn: sa.Connection, *, scope: Scope, period: TimeRange, tz: str) -> pd.DataFrame:
    """Every vendor's figures over `period`, highest GMV first (whole-mall scope only)."""
    if not scope.is_mall:
        raise Forbidden("商家排行仅对运营开放", "The vendor leaderboard is for operators only")
    before = previous_range(period, ZoneInfo(tz))
    v, o = s.vendors, s.orders
    sold = buyer_figures_select(period, vendor_id=None, by_vendor=True).subquery("sold")
    refunded = refunded_select(period, vendor_id=None, by_vendor=True).subquery("refunded")
    earlier = (
        sa.select(o.c.vendor_id, sa.func.sum(o.c.paid_cents).label("gmv"))
        .where(o.c.paid_at >= before.start, o.c.paid_at < before.end)
        .group_by(o.c.vendor_id)
        .subquery("earlier")
    )
    stmt = (
        sa.select(
            v.c.vendor_id,
            v.c.name,
            v.c.status,
            sold.c.gmv_cents,
            earlier.c.gmv.label("previous_gmv"),
            sold.c.paid_orders,
            sold.c.buyers,
            sold.c.new_buyers,
            refunded.c.refunded_cents,
        )
        .select_from(
            v.outerjoin(sold, sold.c.vendor_id == v.c.vendor_id)
            .outerjoin(earlier, earlier.c.vendor_id == v.c.vendor_id)
            .outerjoin(refunded, refunded.c.vendor_id == v.c.vendor_id)
        )
        .order_by(sa.func.coalesce(sold.c.gmv_cents, 0).desc(), v.c.vendor_id)
    )
    rows = []
    for row in conn.execute(stmt):
        gmv, previous, back = (
            as_int(row.gmv_cents),
            as_int(row.previous_gmv),
            as_int(row.refunded_cents),
        )
        rows.append(
            (
                row.vendor_id,
                row.name,
                row.status,
                gmv,
                previous,
                change("gmv_cents", gmv, previous),
                as_int(row.paid_orders),
                as_int(row.buyers),
                as_int(row.new_buyers),
                back,
                back / gmv if gmv else None,
            )
        )
    frame = pd.DataFrame(rows, columns=list(COLUMNS))
    for column in ("gmv_growth", "refund_rate"):
        frame[column] = pd.Series([r[COLUMNS.index(column)] for r in rows], dtype=object)
    return frame
