"""The orders a promotion carried: (promotion, order) pairs and their sums.

An order "carries" a promotion when `orders.promotion_id` names it, except for a
`coupon` promotion, whose orders are those a coupon of it was used on
(`coupons.order_id`). Both are read through one (promotion_id, order_id) union,
so an order is counted once per promotion. With the campaign rollups
(`queries.rolled.campaigns`), the orders paid before their cut are rollup rows and
the rest is read live. Used by the Campaigns report (`queries.marketing.campaigns`) and the
rollup build.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from queries.core import schema as s
from queries.core.actors import Scope
from queries.figures import gmv, paid_orders
from queries.rolled.campaigns import campaigns_cut, promotion_orders

__all__ = [
    "SUMS",
    "carried_pairs",
    "carried_rows",
    "carried_sums",
    "matching_promotions",
]

ORD = s.orders
PRO = s.promotions
CPN = s.coupons


def _carried_select(
    promotion_filter,
    scope: Scope,
    cut_at: datetime | None = None,
    matching: dict[int, str] | None = None,
) -> sa.CompoundSelect:
    """(promotion_id, order_id, vendor_id, the order's money) of the scope's paid orders
    carrying a matching promotion.

    Non-coupon promotions through `orders.promotion_id`; coupon promotions through
    `coupons.order_id`. One row per (promotion, order): see the comment on the union.
    The scope and "paid" are applied inside each branch, so a vendor's branch reads
    only that vendor's orders (orders (vendor_id, paid_at)). With `cut_at` (the campaign
    rollups' cut) the orders paid before it are rollup rows and the rest is read live;
    `matching` (every matching promotion's id and kind) is then required, as the rollup
    rows are found by those ids.
    """
    paid = sa.and_(ORD.c.paid_at.is_not(None), scope.owns(ORD.c.vendor_id))
    if cut_at is not None:
        paid = sa.and_(ORD.c.paid_at >= cut_at, scope.owns(ORD.c.vendor_id))
    # The order's shop and money ride along (they depend on order_id only, so a pair is
    # still one row): the sums need not look every carried order up again.
    money = (ORD.c.vendor_id, *_money(ORD))
    by_order = (
        sa.select(PRO.c.promotion_id, ORD.c.order_id, *money)
        .join(ORD, ORD.c.promotion_id == PRO.c.promotion_id)
        .where(PRO.c.kind != "coupon", promotion_filter, paid)
    )
    if matching is None:
        by_coupon = (
            sa.select(PRO.c.promotion_id, ORD.c.order_id, *money)
            .join(CPN, CPN.c.promotion_id == PRO.c.promotion_id)
            .join(ORD, ORD.c.order_id == CPN.c.order_id)
            .where(PRO.c.kind == "coupon", promotion_filter, paid)
        )
    else:
        # The ids on the coupons' and rollup rows' own columns, not through a join to
        # promotions: PostgreSQL then knows that a double-11 promotion has 80,000 coupons
        # and 13,000 of the largest shop's orders. Through the join it assumed the
        # average (321 and 68), looked each coupon's order up (79,000 probes for the
        # shop's 69 orders since the cut) instead of hashing those orders, and sorted
        # 52,000 rows on disk.
        coupon_ids = [i for i, kind in matching.items() if kind == "coupon"]
        by_coupon = (
            sa.select(CPN.c.promotion_id, ORD.c.order_id, *money)
            .join(ORD, ORD.c.order_id == CPN.c.order_id)
            .where(CPN.c.promotion_id.in_(coupon_ids), paid)
        )
    # The branches cannot share a pair: an order names one promotion, the coupon branch
    # reads only coupon promotions and the other none, and the rollup rows (unique by
    # their key) are the orders paid before the cut, the live branches those from it.
    # Only two coupons of one promotion on one order repeat a pair, so only that branch
    # is made distinct, and UNION ALL spares hashing every rolled row once more
    # (70 of the largest shop's 30-day Campaigns report's 320 ms).
    by_coupon = by_coupon.distinct()
    if cut_at is None:
        return sa.union_all(by_order, by_coupon)
    if matching is None:
        raise ValueError("the rollup rows of a cut are found by the matching promotions' ids")
    r = promotion_orders
    rolled = sa.select(r.c.promotion_id, r.c.order_id, r.c.vendor_id, *_money(r)).where(
        r.c.promotion_id.in_(list(matching)), scope.owns(r.c.vendor_id)
    )
    return sa.union_all(rolled, by_order, by_coupon)


def _money(table) -> tuple:
    """An order's (or a carried row's) paid, discount and platform discount columns."""
    return (table.c.paid_cents, table.c.discount_cents, table.c.platform_discount_cents)


def carried_pairs(scope: Scope, *, paid_before: datetime) -> sa.CompoundSelect:
    """Every (promotion, order) pair of the scope's orders paid before `paid_before`, live."""
    return _carried_select(ORD.c.paid_at < paid_before, scope)


def carried_rows(
    promotion_filter, scope: Scope, cut_at: datetime | None, matching: dict[int, str]
) -> sa.Subquery:
    """The carried (promotion, order) rows of `_carried_select` as a subquery."""
    return _carried_select(promotion_filter, scope, cut_at, matching).subquery("carried")


def matching_promotions(conn: sa.Connection, promotion_filter) -> dict[int, str]:
    """Each promotion that `promotion_filter` matches: its id and kind."""
    query = sa.select(PRO.c.promotion_id, PRO.c.kind).where(promotion_filter)
    return {int(row.promotion_id): row.kind for row in conn.execute(query)}


SUMS = ("paid_orders", "gmv_cents", "discount_cents", "platform_discount_cents")


def _order_sums(orders) -> list:
    """Count and money sums of `orders` (a subquery or CTE with the orders' money columns)."""
    return [
        paid_orders().label("paid_orders"),
        gmv(orders).label("gmv_cents"),
        sa.func.sum(orders.c.discount_cents).label("discount_cents"),
        sa.func.sum(orders.c.platform_discount_cents).label("platform_discount_cents"),
    ]


def carried_sums(
    conn: sa.Connection, *, scope: Scope, ids: list[int], with_total: bool, tz: str | None = None
) -> tuple[dict[int, dict[str, int]], dict[str, int]]:
    """Paid orders, GMV and discounts of the scope's orders carrying each of `ids` and, with
    `with_total`, carrying any of them (an order with two promotions counted once).

    One statement: the carried (promotion, order) pairs are found once (a CTE) for both
    the per-promotion rows and the total row (promotion id NULL).
    """
    zero = dict.fromkeys(SUMS, 0)
    if not ids:
        return {}, zero
    cut_at = campaigns_cut(conn, tz=tz)
    listed = PRO.c.promotion_id.in_(ids)
    carried = _carried_select(listed, scope, cut_at, matching_promotions(conn, listed)).cte(
        "carried"
    )
    per_promotion = sa.select(carried.c.promotion_id, *_order_sums(carried)).group_by(
        carried.c.promotion_id
    )
    stmt = per_promotion
    if with_total:
        money = ("paid_cents", "discount_cents", "platform_discount_cents")
        distinct_orders = (
            sa.select(carried.c.order_id, *(carried.c[name] for name in money))
            .distinct()  # an order carrying two of the promotions counts once
            .subquery("distinct_orders")
        )
        total = sa.select(sa.null().label("promotion_id"), *_order_sums(distinct_orders))
        stmt = sa.union_all(per_promotion, total)
    sums, overall = {}, zero
    for row in conn.execute(stmt).mappings():
        figures = {name: int(row[name] or 0) for name in SUMS}
        if row["promotion_id"] is None:
            overall = figures
        else:
            sums[int(row["promotion_id"])] = figures
    return sums, overall
