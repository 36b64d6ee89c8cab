"""The sales rollups' build: daily sales and refunds, buyer days, item-sales days and months.

Daily sales and refunds are grouped from orders and refunds directly, for the shops and
again for the mall (the mall's buyers are counted over the mall). The shops' item-sales
day rows come from one pass over the paid order lines; the mall's item-sales rows and
every month row are sums of the shops' day rows (orders add up across shops and days:
an order has one of each). Read by `queries.rolled.coverage` and `queries.rolled.headline`.

A refresh of the days from `start` on (`rollups.families`) first deletes their rows
(`delete_sales_from`: the day rows of those days, the month rows from start's month,
and the buyer days from start, unlinking the days before that pointed at them), then
calls each insert function with `start_at` (start's local midnight): only the orders
paid and refunds completed from then on are read. A paid order keeps its `paid_at`
and a completed refund its `completed_at` (the platform's rules), so the days before
`start` stay as they were.
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from queries.core import schema as s
from queries.core.db import local_day, local_hour
from queries.figures import (
    buyers,
    gmv,
    paid_before,
    paid_orders,
    refunded,
    refunds_completed_before,
)
from queries.rolled.coverage import (
    MALL,
    buyer_days,
    item_sales,
    month_of,
    refunds_daily,
    sales_daily,
    scope_ids,
)
from queries.sales.breakdowns import category_tops, top_category_id

__all__ = [
    "delete_sales_from",
    "of_scopes",
    "insert_buyer_days",
    "insert_item_days",
    "insert_item_sums",
    "insert_refunds_daily",
    "insert_sales_daily",
]

_FIGURES = ("item_sales_cents", "units", "orders")


def _from(column, start_at) -> sa.ColumnElement[bool]:
    """`column` (an instant) at or after `start_at`; always true without a start."""
    return sa.true() if start_at is None else column >= start_at


def of_scopes(column, ids: list[int]) -> sa.ColumnElement[bool]:
    """`column` IN the ids, written as literals (integers read from the database): no
    limit on bound parameters (SQLite's 32,766) for a platform with many shops."""
    return column.in_(sa.bindparam(f"ids_{column.name}", ids, expanding=True, literal_execute=True))


def delete_sales_from(conn: sa.Connection, start: date) -> None:
    """Delete the family's rows of the local days from `start` on (and the month rows from
    start's month on), and unlink the buyer days before `start` from the ones deleted."""
    ids = scope_ids(conn)
    for table in (sales_daily, refunds_daily):
        conn.execute(
            table.delete().where(of_scopes(table.c.vendor_id, ids), table.c.local_day >= start)
        )
    r = item_sales
    for grain, first in (("day", start), ("month", start.replace(day=1))):
        conn.execute(
            r.delete().where(of_scopes(r.c.vendor_id, ids), r.c.grain == grain, r.c.bucket >= first)
        )
    # A member's last day before `start` pointed at their first day from it: unlinked
    # before the days from `start` go; `insert_buyer_days` links it to the new first day.
    _link_last_days(conn, start, ids, clear=True)
    b = buyer_days
    conn.execute(b.delete().where(of_scopes(b.c.vendor_id, ids), b.c.paid_on >= start))


def _link_last_days(conn: sa.Connection, start: date, ids: list[int], *, clear: bool) -> None:
    """Set (or clear) `next_on` of each member's last buyer day before `start` to their
    first day from it: that day's `previous_on` names the row (a primary-key update)."""
    b = buyer_days
    firsts = (
        sa.select(b.c.vendor_id, b.c.member_id, b.c.previous_on, b.c.paid_on)
        .where(of_scopes(b.c.vendor_id, ids), b.c.paid_on >= start, b.c.previous_on < start)
        .subquery("firsts")
    )
    conn.execute(
        sa.update(b)
        .where(
            b.c.vendor_id == firsts.c.vendor_id,
            b.c.member_id == firsts.c.member_id,
            b.c.paid_on == firsts.c.previous_on,
        )
        .values(next_on=None if clear else firsts.c.paid_on)
    )


def insert_sales_daily(
    conn: sa.Connection, zone, cut_at, *, by_vendor: bool, start_at=None
) -> None:
    """GMV, orders and buyers per paid day, and refunds per completed day (from `start_at`)."""
    o, r = s.orders, s.refunds
    shop = o.c.vendor_id if by_vendor else sa.literal(MALL, sa.BigInteger)
    paid_day = local_day(o.c.paid_at, zone)
    paid = sa.select(
        shop.label("vendor_id"),
        paid_day.label("local_day"),
        gmv(o).label("gmv"),
        paid_orders().label("orders"),
        buyers(o).label("buyers"),
        sa.literal(0, sa.BigInteger).label("refunded"),
    ).where(paid_before(o, cut_at), _from(o.c.paid_at, start_at))
    back_day = local_day(r.c.completed_at, zone)
    refund_days = (
        sa.select(
            shop.label("vendor_id"),
            back_day.label("local_day"),
            *(sa.literal(0, sa.BigInteger).label(n) for n in ("gmv", "orders", "buyers")),
            refunded(r).label("refunded"),
        )
        .select_from(r.join(o, o.c.order_id == r.c.order_id))
        .where(refunds_completed_before(r, cut_at), _from(r.c.completed_at, start_at))
    )
    if by_vendor:
        paid, refund_days = (
            paid.group_by(o.c.vendor_id, paid_day),
            refund_days.group_by(o.c.vendor_id, back_day),
        )
    else:
        paid, refund_days = paid.group_by(paid_day), refund_days.group_by(back_day)
    both = sa.union_all(paid, refund_days).subquery("both_days")
    rows = sa.select(
        both.c.vendor_id,
        both.c.local_day,
        *(sa.func.sum(both.c[n]) for n in ("gmv", "orders", "buyers", "refunded")),
    ).group_by(both.c.vendor_id, both.c.local_day)
    names = ["vendor_id", "local_day", "gmv_cents", "paid_orders", "buyers", "refunded_cents"]
    conn.execute(sales_daily.insert().from_select(names, rows))


def insert_refunds_daily(
    conn: sa.Connection, zone, cut_at, *, by_vendor: bool, start_at=None
) -> None:
    """Completed refunds per completed day and reason (completed from `start_at`)."""
    o, r = s.orders, s.refunds
    day = local_day(r.c.completed_at, zone)
    shop = o.c.vendor_id if by_vendor else sa.literal(MALL, sa.BigInteger)
    keys = [o.c.vendor_id, day, r.c.reason] if by_vendor else [day, r.c.reason]
    rows = (
        sa.select(shop, day, r.c.reason, sa.func.count(), refunded(r))
        .select_from(r.join(o, o.c.order_id == r.c.order_id))
        .where(refunds_completed_before(r, cut_at), _from(r.c.completed_at, start_at))
        .group_by(*keys)
    )
    names = ["vendor_id", "local_day", "reason", "refunds", "refunded_cents"]
    conn.execute(refunds_daily.insert().from_select(names, rows))


def insert_buyer_days(
    conn: sa.Connection, zone, cut_at, *, start: date | None = None, start_at=None
) -> None:
    """Per shop (and the mall), local day and member with a paid order: the orders, and the
    member's previous and next such days.

    With `start` (its local midnight `start_at`), only the days from it: a member's first
    day there takes its previous day from their orders paid before, and their last day
    before it (its `next_on` cleared by `delete_sales_from`) points at that first day.
    """
    o = s.orders
    paid_on = local_day(o.c.paid_at, zone)
    levels = [
        sa.select(
            shop.label("vendor_id"),
            paid_on.label("paid_on"),
            o.c.member_id,
            paid_orders().label("orders"),
        )
        .where(paid_before(o, cut_at), _from(o.c.paid_at, start_at))
        .group_by(*keys, paid_on, o.c.member_id)
        for shop, keys in ((o.c.vendor_id, [o.c.vendor_id]), (sa.literal(MALL, sa.BigInteger), []))
    ]
    days = sa.union_all(*levels).subquery("buyer_days")
    by_member = {
        "partition_by": (days.c.vendor_id, days.c.member_id),
        "order_by": days.c.paid_on,
    }
    previous_on = sa.func.lag(days.c.paid_on).over(**by_member)
    if start_at is not None:
        # The member's last paid day before the window, from their own orders (the
        # member_id index: a few rows), with this shop or, for the mall's rows, any.
        earlier = s.orders.alias("earlier")
        last_before = (
            sa.select(local_day(sa.func.max(earlier.c.paid_at), zone))
            .where(
                earlier.c.member_id == days.c.member_id,
                earlier.c.paid_at < start_at,
                sa.or_(days.c.vendor_id == MALL, earlier.c.vendor_id == days.c.vendor_id),
            )
            .scalar_subquery()
        )
        previous_on = sa.func.coalesce(previous_on, last_before)
    rows = sa.select(
        days.c.vendor_id,
        days.c.paid_on,
        days.c.member_id,
        days.c.orders,
        previous_on,
        sa.func.lead(days.c.paid_on).over(**by_member),
    ).order_by(days.c.vendor_id, days.c.paid_on)
    names = ["vendor_id", "paid_on", "member_id", "orders", "previous_on", "next_on"]
    conn.execute(buyer_days.insert().from_select(names, rows))
    if start is not None:
        _link_last_days(conn, start, scope_ids(conn), clear=False)


def insert_item_days(conn: sa.Connection, zone, cut_at, *, start_at=None) -> None:
    """Each shop's day rows of the five breakdowns, from one pass over the paid lines
    (of the orders paid from `start_at`)."""
    o, i, p, m = s.orders, s.order_items, s.products, s.members
    lines = (
        sa.select(
            o.c.order_id,
            o.c.vendor_id,
            local_day(o.c.paid_at, zone).label("day"),
            o.c.channel,
            local_hour(o.c.paid_at, zone).label("hour"),
            o.c.member_id,
            i.c.product_id,
            top_category_id(category_tops(conn)).label("category_id"),
            i.c.amount_cents,
            i.c.quantity,
        )
        .select_from(
            o.join(i, i.c.order_id == o.c.order_id).join(p, p.c.product_id == i.c.product_id)
        )
        .where(paid_before(o, cut_at), _from(o.c.paid_at, start_at))
        .cte("lines")
    )
    no_int, no_text = sa.null(), sa.null()
    keys = {
        "category": (lines.c.category_id, no_text),
        "channel": (no_int, lines.c.channel),
        "hour": (lines.c.hour, no_text),
        "city_tier": (m.c.city_tier, no_text),
        "product": (lines.c.product_id, no_text),
    }
    branches = []
    for name, (key_int, key_text) in keys.items():
        branch = sa.select(
            lines.c.vendor_id,
            sa.literal("day").label("grain"),
            lines.c.day,
            sa.literal(name).label("breakdown"),
            sa.cast(key_int, sa.BigInteger).label("key_int"),
            sa.cast(key_text, sa.Text).label("key_text"),
            sa.func.sum(lines.c.amount_cents),
            sa.func.sum(lines.c.quantity),
            sa.func.count(sa.distinct(lines.c.order_id)),
        ).group_by(lines.c.vendor_id, lines.c.day, key_text if name == "channel" else key_int)
        if name == "city_tier":
            branch = branch.select_from(lines.join(m, m.c.member_id == lines.c.member_id))
        branches.append(branch)
    names = ["vendor_id", "grain", "bucket", "breakdown", "key_int", "key_text", *_FIGURES]
    # Written in (shop, day) order, so that a shop's days lie together on disk: a
    # month of the largest shop is then a few pages, not rows scattered over the table.
    rows = sa.union_all(*branches).subquery("day_rows")
    ordered = sa.select(rows).order_by(rows.c.vendor_id, rows.c.day)
    conn.execute(item_sales.insert().from_select(names, ordered))


def insert_item_sums(conn: sa.Connection, *, month_before: date, start: date | None = None) -> None:
    """The mall's day rows (sums over shops, products aside), then every scope's whole
    months (sums of days)
    before `month_before`: of the days from `start` and the months from its month."""
    r = item_sales
    keys = (r.c.breakdown, r.c.key_int, r.c.key_text)
    sums = [sa.func.sum(r.c[n]) for n in _FIGURES]
    names = ["vendor_id", "grain", "bucket", "breakdown", "key_int", "key_text", *_FIGURES]

    ids = None if start is None else scope_ids(conn)

    def since(first: date | None, *, mall: bool = True) -> list:
        if first is None:
            return []
        return [of_scopes(r.c.vendor_id, ids if mall else ids[:-1]), r.c.bucket >= first]

    mall_days = (
        sa.select(sa.literal(MALL, sa.BigInteger), sa.literal("day"), r.c.bucket, *keys, *sums)
        # Not the products: each is one shop's, so the mall reads its shops' rows.
        .where(
            r.c.grain == "day",
            r.c.vendor_id != MALL,
            r.c.breakdown != "product",
            *since(start, mall=False),
        )
        .group_by(r.c.bucket, *keys)
        .order_by(r.c.bucket)
    )
    conn.execute(r.insert().from_select(names, mall_days))
    month = month_of(r.c.bucket)
    months = (
        sa.select(r.c.vendor_id, sa.literal("month"), month, *keys, *sums)
        .where(
            r.c.grain == "day",
            r.c.bucket < month_before,
            *since(None if start is None else start.replace(day=1)),
        )
        .group_by(r.c.vendor_id, month, *keys)
        .order_by(r.c.vendor_id, month)
    )
    conn.execute(r.insert().from_select(names, months))
