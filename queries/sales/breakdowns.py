"""Sales breakdowns in item sales, refunds by reason, and the `sales` report.

Breakdowns use the contract's **item sales** (商品销售额): Σ `order_items.amount_cents`
of paid orders (`paid_at` in P). It excludes shipping and order-level
discount, so it does not add up to GMV; pages and workbooks label it so.

Every statement starts from the scope's orders paid in P (the contract indexes
`orders (vendor_id, paid_at)` / `orders (paid_at)`) and reaches their lines by
`order_items (order_id)`; grouping happens in SQL.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import sqlalchemy as sa

from queries.core import schema as s
from queries.core.actors import Scope
from queries.core.db import local_hour, union_all
from queries.core.periods import TimeRange
from queries.figures import paid_within, refunded, refunds_completed_within
from queries.reports import Report
from queries.rolled.coverage import (
    Coverage,
    coverage,
    item_sales_rows,
    refunds_by_reason_rows,
    scope_ids,
)
from queries.sales.kpis import headline, trend

__all__ = [
    "ItemBreakdowns",
    "category_products",
    "category_tops",
    "item_breakdowns",
    "refunds_by_reason",
    "report",
    "top_category_id",
]

_FIGURES = ["item_sales_cents", "units", "orders"]


def _paid_where(scope: Scope, spans: list[TimeRange]) -> list:
    """The scope's orders paid within `spans` (one period, or a period's live parts)."""
    o = s.orders
    where = [paid_within(o, spans)]
    if scope.vendor_id is not None:
        where.append(o.c.vendor_id == scope.vendor_id)
    return where


def _item_figures() -> list:
    """Item sales, units and distinct paid orders of the grouped lines."""
    i, o = s.order_items, s.orders
    return [
        sa.func.sum(i.c.amount_cents).label("item_sales_cents"),
        sa.func.sum(i.c.quantity).label("units"),
        sa.func.count(sa.distinct(o.c.order_id)).label("orders"),
    ]


def _lines():
    """Paid orders joined to their lines (filter orders first, then reach items by order_id)."""
    return s.orders.join(s.order_items, s.order_items.c.order_id == s.orders.c.order_id)


def _frame(conn: sa.Connection, stmt: sa.Select, keys: list[str]) -> pd.DataFrame:
    """Run a grouped item-sales statement into a frame."""
    width = len(keys)
    rows = [
        (*r[:width], int(r[width]), int(r[width + 1]), int(r[width + 2]))
        for r in conn.execute(stmt)
    ]
    return _figures_frame(rows, keys)


def _figures_frame(rows: list[tuple], keys: list[str], *, share: bool = True) -> pd.DataFrame:
    """Rows of (*keys, item sales, units, orders) as a frame, with each row's share of sales.

    Built column by column from the Python values at once: setting columns one by
    one on a frame cost more than the statement for a small shop.
    """
    columns = list(zip(*rows, strict=True)) if rows else [()] * (len(keys) + 3)
    data: dict[str, object] = {k: list(v) for k, v in zip(keys, columns, strict=False)}
    for offset, name in enumerate(_FIGURES):
        data[name] = np.array(columns[len(keys) + offset], dtype="int64")
    if share:
        total = sum(columns[len(keys)])
        data["share"] = np.array(
            [v / total if total else None for v in columns[len(keys)]], dtype=object
        )
    return pd.DataFrame(data)


def category_tops(conn: sa.Connection) -> dict[int, tuple[int, str, str]]:
    """Every category id → (its top-level category id, its name, its English name).

    `categories` is a small dimension table (tens to hundreds of rows): reading it is
    a lookup, not aggregation. Mapping to the top level in SQL with a CASE, and naming
    the groups here, keeps the planner starting from the period's orders; joining a
    recursive CTE or `categories` in made PostgreSQL misjudge the join and read every
    order line of the mall.
    """
    c = s.categories
    rows = conn.execute(sa.select(c.c.category_id, c.c.parent_id, c.c.name, c.c.name_en)).all()
    parent = {row.category_id: row.parent_id for row in rows}
    found = {}
    for row in rows:
        top, seen = row.category_id, set()
        while parent.get(top) is not None and top not in seen:  # a cycle stops the walk
            seen.add(top)
            top = parent[top]
        found[int(row.category_id)] = (int(top), row.name, row.name_en)
    return found


def category_products(
    conn: sa.Connection, *, scope: Scope, period: TimeRange, tz: str, category_id: int
) -> pd.DataFrame:
    """Item sales per product inside one top-level category (and its subcategories)."""
    del tz
    p = s.products
    inside = [c for c, (top, _, _) in category_tops(conn).items() if top == category_id]
    stmt = (
        sa.select(p.c.product_id, p.c.name, *_item_figures())
        .select_from(_lines().join(p, p.c.product_id == s.order_items.c.product_id))
        .where(*_paid_where(scope, [period]), p.c.category_id.in_(inside))
        .group_by(p.c.product_id, p.c.name)
        .order_by(sa.desc("item_sales_cents"), p.c.product_id)
    )
    return _frame(conn, stmt, ["product_id", "name"])


@dataclass(frozen=True)
class ItemBreakdowns:
    """Item sales of one scope and period by category, channel, city tier, hour and product."""

    by_category: pd.DataFrame
    by_channel: pd.DataFrame
    by_city_tier: pd.DataFrame
    by_hour: pd.DataFrame
    top_products: pd.DataFrame


def top_category_id(categories: dict[int, tuple[int, str, str]]):
    """`products.category_id` mapped to its top-level category (a CASE; none if all are top)."""
    moved = {k: top for k, (top, _, _) in categories.items() if k != top}
    if not moved:
        return s.products.c.category_id
    return sa.case(moved, value=s.products.c.category_id, else_=s.products.c.category_id)


def _branch(name: str, key_int, key_text, figures: list) -> list:
    """The columns of one breakdown in the UNION: its name, its key, its three figures."""
    return [
        sa.literal_column(f"'{name}'").label("breakdown"),  # a fixed name, never input
        sa.cast(key_int, sa.BigInteger).label("key_int"),
        sa.cast(key_text, sa.String).label("key_text"),
        *figures,
    ]


def _sums(amount, quantity, orders) -> list:
    return [
        sa.func.sum(amount).label("item_sales_cents"),
        sa.func.sum(quantity).label("units"),
        orders.label("orders"),
    ]


def item_breakdowns(
    conn: sa.Connection, *, scope: Scope, period: TimeRange, tz: str, top: int = 20
) -> ItemBreakdowns:
    """Every item-sales breakdown of the Sales page, from one pass over the period's lines.

    The scope's paid lines in P are read once (a CTE; both databases materialise a CTE
    used more than once) and grouped five ways in one UNION ALL, beside two small
    look-ups (the categories; the top products' names): five separate
    statements read the orders and their lines five times (3.6 s → 0.5 s for the largest
    demo shop's 30 days). Channel, hour and city tier are order attributes, so they
    are grouped from one row per order and count orders without DISTINCT. Where the
    platform provides the rollups (`queries.rolled.coverage`), their whole days replace the
    lines of those days, and only the rest of P is read live.
    """
    categories = category_tops(conn)
    covered = coverage(conn, scope=scope, period=period, tz=tz)
    if covered is None:
        statement = union_all(_live_branches(scope, [period], categories, tz, top=top))
    else:
        shops = None if scope.vendor_id is not None else scope_ids(conn, mall=False)
        statement = _with_rollup(scope, covered, categories, tz, top=top, shops=shops)
    rows = conn.execute(statement).all()
    grouped: dict[str, list[tuple]] = {}
    for row in rows:
        key = row.key_text if row.breakdown == "channel" else row.key_int
        figures = (int(row.item_sales_cents), int(row.units), int(row.orders))
        grouped.setdefault(row.breakdown, []).append((key, *figures))
    # The rows below are ordered and labelled here: ordering, not aggregation.
    return ItemBreakdowns(
        by_category=_category_frame(grouped.get("category", []), categories),
        by_channel=_keyed(grouped.get("channel", []), "channel", by_sales=True),
        by_city_tier=_keyed(grouped.get("city_tier", []), "city_tier", by_sales=False),
        by_hour=_hours(grouped.get("hour", [])),
        top_products=_top_products(conn, grouped.get("product", [])),
    )


def _with_rollup(
    scope: Scope,
    covered: Coverage,
    categories: dict,
    tz: str,
    *,
    top: int,
    shops: list[int] | None,
) -> sa.Select:
    """The rollup's rows of the covered days plus the live rest, summed per key; top products.

    Products are summed by their id alone, apart from the other (small) breakdowns:
    grouped on all three key columns, PostgreSQL expected as many groups as rows and
    sorted the largest shop's 80,000 product-days on disk (82 ms; apart, 46 ms).
    """
    parts = [item_sales_rows(covered, vendor_id=scope.vendor_id, shops=shops)]
    if covered.live:
        parts += _live_branches(scope, list(covered.live), categories, tz, top=None)
    both = sa.union_all(*parts).subquery("both_parts")
    keys = (both.c.breakdown, both.c.key_int, both.c.key_text)
    sums = [sa.func.sum(both.c[n]).label(n) for n in _FIGURES]
    others = sa.select(*keys, *sums).where(both.c.breakdown != "product").group_by(*keys)
    per_product = (
        sa.select(both.c.key_int, *sums)
        .where(both.c.breakdown == "product")
        .group_by(both.c.key_int)
        .order_by(sa.desc("item_sales_cents"), both.c.key_int)
        .limit(top)
        .subquery("per_product")
    )
    best = sa.select(
        sa.literal_column("'product'").label("breakdown"),  # a fixed name, never input
        per_product.c.key_int,
        sa.cast(sa.null(), sa.String).label("key_text"),
        *(per_product.c[n] for n in _FIGURES),
    )
    return sa.union_all(others, best)


def _live_branches(
    scope: Scope, spans: list[TimeRange], categories: dict, tz: str, *, top: int | None
) -> list[sa.Select]:
    """The five breakdowns of the lines paid in `spans`, read live (products: the best `top`)."""
    o, i, p, m = s.orders, s.order_items, s.products, s.members
    zone = sa.bindparam("tz", tz)
    lines = (
        sa.select(
            o.c.order_id,
            o.c.channel,
            local_hour(o.c.paid_at, zone).label("hour"),
            o.c.member_id,
            i.c.product_id,
            i.c.amount_cents,
            i.c.quantity,
        )
        .select_from(_lines())
        .where(*_paid_where(scope, spans))
        .cte("lines")
    )
    per_order = (
        sa.select(
            lines.c.order_id,
            lines.c.channel,
            lines.c.hour,
            lines.c.member_id,
            sa.func.sum(lines.c.amount_cents).label("amount_cents"),
            sa.func.sum(lines.c.quantity).label("quantity"),
        )
        .group_by(lines.c.order_id, lines.c.channel, lines.c.hour, lines.c.member_id)
        .cte("per_order")
    )
    per_product = sa.select(
        lines.c.product_id,
        *_sums(
            lines.c.amount_cents, lines.c.quantity, sa.func.count(sa.distinct(lines.c.order_id))
        ),
    ).group_by(lines.c.product_id)
    if top is not None:
        per_product = per_product.order_by(sa.desc("item_sales_cents"), lines.c.product_id).limit(
            top
        )
    per_product = per_product.subquery("per_product")
    top_id = top_category_id(categories)
    no_int, no_text = sa.null(), sa.null()
    order_sums = _sums(per_order.c.amount_cents, per_order.c.quantity, sa.func.count())
    return [
        sa.select(
            *_branch(
                "category",
                top_id,
                no_text,
                _sums(
                    lines.c.amount_cents,
                    lines.c.quantity,
                    sa.func.count(sa.distinct(lines.c.order_id)),
                ),
            )
        )
        .select_from(lines.join(p, p.c.product_id == lines.c.product_id))
        .group_by(top_id),
        sa.select(*_branch("channel", no_int, per_order.c.channel, order_sums)).group_by(
            per_order.c.channel
        ),
        sa.select(*_branch("hour", per_order.c.hour, no_text, order_sums)).group_by(
            per_order.c.hour
        ),
        sa.select(*_branch("city_tier", m.c.city_tier, no_text, order_sums))
        .select_from(per_order.join(m, m.c.member_id == per_order.c.member_id))
        .group_by(m.c.city_tier),
        sa.select(
            *_branch(
                "product",
                per_product.c.product_id,
                no_text,
                [per_product.c.item_sales_cents, per_product.c.units, per_product.c.orders],
            )
        ),
    ]


def _keyed(rows: list[tuple], key: str, *, by_sales: bool) -> pd.DataFrame:
    """One breakdown's rows as a frame: largest first (then key), or in key order."""
    order = (lambda r: (-r[1], r[0])) if by_sales else (lambda r: r[0])
    return _figures_frame(sorted(rows, key=order), [key])


def _category_frame(rows: list[tuple], categories: dict[int, tuple[int, str, str]]) -> pd.DataFrame:
    """Top-level categories with their names, largest first."""
    ranked = sorted(rows, key=lambda r: (-r[1], r[0]))
    named = [(r[0], *categories.get(r[0], (None, None, None))[1:], *r[1:]) for r in ranked]
    return _figures_frame(named, ["category_id", "name", "name_en"])


def _hours(rows: list[tuple]) -> pd.DataFrame:
    """All 24 local hours, zeros where nothing sold."""
    sold = {int(r[0]): r[1:] for r in rows}
    return _figures_frame([(h, *sold.get(h, (0, 0, 0))) for h in range(24)], ["hour"])


def _top_products(conn: sa.Connection, rows: list[tuple]) -> pd.DataFrame:
    """The best-selling products (already ranked in SQL) with their shop and category names."""
    p, c, v = s.products, s.categories, s.vendors
    keys = ["product_id", "name", "vendor_id", "vendor_name", "category", "category_en"]
    labels = {}
    if rows:
        stmt = (
            sa.select(
                p.c.product_id,
                p.c.name,
                p.c.vendor_id,
                v.c.name.label("vendor_name"),
                c.c.name.label("category"),
                c.c.name_en.label("category_en"),
            )
            .join(v, v.c.vendor_id == p.c.vendor_id)
            .join(c, c.c.category_id == p.c.category_id)
            .where(p.c.product_id.in_([r[0] for r in rows]))
        )
        labels = {r.product_id: tuple(r) for r in conn.execute(stmt)}
    ranked = sorted(rows, key=lambda r: (-r[1], r[0]))
    return _figures_frame([(*labels[r[0]], *r[1:]) for r in ranked], keys, share=False)


def refunds_by_reason(
    conn: sa.Connection, *, scope: Scope, period: TimeRange, tz: str
) -> pd.DataFrame:
    """Completed refunds with completed_at in P, of the scope's orders, per reason.

    Days the rollups hold are read from them, the rest of P live.
    """
    covered = coverage(conn, scope=scope, period=period, tz=tz)
    spans = [period] if covered is None else list(covered.live)
    parts = [_live_refunds(scope, spans)] if spans else []
    if covered is not None:
        parts.append(refunds_by_reason_rows(covered, vendor_id=scope.vendor_id))
    both = union_all(parts).subquery("refund_parts")
    stmt = (
        sa.select(
            both.c.reason,
            sa.func.sum(both.c.refunds).label("refunds"),
            sa.func.sum(both.c.refunded_cents).label("refunded_cents"),
        )
        .group_by(both.c.reason)
        .order_by(sa.desc("refunded_cents"), both.c.reason)
    )
    rows = conn.execute(stmt).all()
    return pd.DataFrame(
        {
            "reason": [row.reason for row in rows],
            "refunds": np.array([int(row.refunds) for row in rows], dtype="int64"),
            "refunded_cents": np.array([int(row.refunded_cents) for row in rows], dtype="int64"),
        }
    )


def _live_refunds(scope: Scope, spans: list[TimeRange]) -> sa.Select:
    """Completed refunds of the scope's orders per reason, completed within `spans`."""
    r, o = s.refunds, s.orders
    where = [refunds_completed_within(r, spans)]
    source = r
    if scope.vendor_id is not None:
        source = r.join(o, o.c.order_id == r.c.order_id)
        where.append(o.c.vendor_id == scope.vendor_id)
    return (
        sa.select(
            r.c.reason,
            sa.func.count().label("refunds"),
            refunded(r).label("refunded_cents"),
        )
        .select_from(source)
        .where(*where)
        .group_by(r.c.reason)
    )


def report(conn: sa.Connection, *, scope: Scope, period: TimeRange, tz: str) -> Report:
    """The `sales` report: headline totals, the daily trend and every breakdown."""
    totals = headline(conn, scope=scope, period=period, tz=tz).as_dict()
    items = item_breakdowns(conn, scope=scope, period=period, tz=tz, top=10)
    breakdowns = {
        "trend": trend(conn, scope=scope, period=period, tz=tz, grain="day"),
        **{name: getattr(items, name) for name in ItemBreakdowns.__dataclass_fields__},
        "refunds_by_reason": refunds_by_reason(conn, scope=scope, period=period, tz=tz),
    }
    return Report(totals=totals, breakdowns=breakdowns)
