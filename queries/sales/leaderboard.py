"""The operators' vendor leaderboard: every shop's figures over a period, in one statement.

Per vendor: GMV, its growth against the previous period (环比, by the contract's
rules in `queries.core.periods.previous_range`), paid orders, buyers, new buyers,
refunded and refund rate. Vendors without sales are listed with zeros and no
ratios. The statement groups the period's orders by vendor once (not one query
per vendor) and joins the result to `vendors`.

Where the platform's rollups hold the whole period (its days in the sales rollups,
and every first order up to its end in the member rollups), the figures come
from them instead: per shop, GMV, orders and refunds from the daily rows, buyers
from the buyer days (each at their first day in the period), new buyers from the
first orders; the previous period's GMV adds any live part to its rolled days.
This is the default period (the last 30 whole days), which read live scans a
month of every shop's orders and each buyer's history (seconds on a big mall).
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pandas as pd
import sqlalchemy as sa

from queries.core import schema as s
from queries.core.actors import Scope
from queries.core.db import union_all
from queries.core.errors import Forbidden
from queries.core.messages import text
from queries.core.periods import TimeRange, previous_range
from queries.figures import as_int, buyer_figures_select, gmv, paid_in, refunded_select
from queries.rolled.coverage import Coverage, buyer_days, coverage, new_in_period, sales_daily
from queries.rolled.members import buyer_firsts, firsts_cut
from queries.sales.kpis import change

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
        raise Forbidden(*text("error.sales.leaderboard.operators_only"))
    before = previous_range(period, ZoneInfo(tz))
    v = s.vendors
    sold_part, refunded_part = _rolled_parts(conn, period, tz) or _live_parts(period)
    sold, refunded = sold_part.subquery("sold"), refunded_part.subquery("refunded")
    earlier = _gmv_by_vendor(before, coverage(conn, scope=scope, period=before, tz=tz))
    earlier = earlier.subquery("earlier")
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


def _live_parts(period: TimeRange) -> tuple[sa.Select, sa.Select]:
    """Per vendor from the orders: (gmv_cents, paid_orders, buyers, new_buyers) and refunds."""
    return (
        buyer_figures_select(period, vendor_id=None, by_vendor=True),
        refunded_select(period, vendor_id=None, by_vendor=True),
    )


def _rolled_parts(
    conn: sa.Connection, period: TimeRange, tz: str
) -> tuple[sa.Select, sa.Select] | None:
    """The same per vendor from the rollups, or None unless they hold the whole period."""
    covered = coverage(conn, scope=Scope.mall(), period=period, tz=tz)
    firsts = firsts_cut(conn, scope=Scope.mall(), tz=tz)
    if covered is None or covered.live or firsts is None or period.end > firsts[1]:
        return None
    d, b, f = sales_daily, buyer_days, buyer_firsts
    sums = (
        sa.select(
            d.c.vendor_id,
            sa.func.sum(d.c.gmv_cents).label("gmv_cents"),
            sa.func.sum(d.c.paid_orders).label("paid_orders"),
            sa.func.sum(d.c.refunded_cents).label("refunded_cents"),
        )
        .where(_shop_days(d.c.vendor_id, d.c.local_day, covered))
        .group_by(d.c.vendor_id)
        .cte("sums")  # read by both parts: summed once
    )
    buyers = (  # each buyer at their first day in the period
        sa.select(b.c.vendor_id, sa.func.count().label("buyers"))
        .where(_shop_days(b.c.vendor_id, b.c.paid_on, covered))
        .where(new_in_period(b.c.previous_on, covered))
        .group_by(b.c.vendor_id)
        .subquery("buyers")
    )
    new = (  # a new buyer's first paid order with the shop lies in the period
        sa.select(f.c.vendor_id, sa.func.count().label("new_buyers"))
        .where(f.c.vendor_id > 0)
        .where(f.c.first_paid_at >= period.start, f.c.first_paid_at < period.end)
        .group_by(f.c.vendor_id)
        .subquery("new")
    )
    sold = sa.select(
        sums.c.vendor_id,
        sums.c.gmv_cents,
        sums.c.paid_orders,
        buyers.c.buyers,
        sa.func.coalesce(new.c.new_buyers, 0).label("new_buyers"),
    ).select_from(
        sums.outerjoin(buyers, buyers.c.vendor_id == sums.c.vendor_id).outerjoin(
            new, new.c.vendor_id == sums.c.vendor_id
        )
    )
    refunded = sa.select(sums.c.vendor_id, sums.c.refunded_cents)
    return sold, refunded


def _shop_days(vendor_column, day_column, covered: Coverage) -> sa.ColumnElement[bool]:
    """A shop's row (not the mall's, −1) of one of the covered days."""
    return sa.and_(vendor_column > 0, covered.holds(day_column))


def _gmv_by_vendor(period: TimeRange, covered: Coverage | None) -> sa.Select:
    """(vendor_id, gmv) of the period: the rolled days' rows and the rest from the orders."""
    o, d = s.orders, sales_daily
    live = [period] if covered is None else list(covered.live)
    parts = [
        sa.select(o.c.vendor_id, gmv(o).label("gmv"))
        .where(paid_in(o, part))
        .group_by(o.c.vendor_id)
        for part in live
    ]
    if covered is not None:
        parts.append(
            sa.select(d.c.vendor_id, d.c.gmv_cents.label("gmv")).where(
                _shop_days(d.c.vendor_id, d.c.local_day, covered)
            )
        )
    rows = union_all(parts).subquery("gmv_parts")
    return sa.select(rows.c.vendor_id, sa.func.sum(rows.c.gmv).label("gmv")).group_by(
        rows.c.vendor_id
    )
