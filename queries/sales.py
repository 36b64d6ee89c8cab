"""Sales breakdowns in item sales, refunds by reason, and the `sales` report.

Breakdowns use the contract's **item sales** (商品销售额): Σ `order_items.amount_cents`
of paid orders (`paid_at` in P). It excludes shipping and order-level
discount, so it does not add up to GMV; pages and workbooks label it so.

Every statement starts from the scope's orders paid in P (the contract indexes
`orders (vendor_id, paid_at)` / `orders (paid_at)`) and reaches their lines by
`order_items (order_id)`; grouping happens in SQL.
"""

from __future__ import annotations

import pandas as pd
import sqlalchemy as sa

from queries import schema as s
from queries.actors import Scope
from queries.db import local_hour
from queries.kpis import headline, trend
from queries.periods import TimeRange
from queries.reports import Report

__all__ = [
    "BREAKDOWNS",
    "by_category",
    "by_channel",
    "by_city_tier",
    "by_hour",
    "category_products",
    "refunds_by_reason",
    "report",
    "top_products",
]

_ITEM_COLUMNS = ["item_sales_cents", "units", "orders", "share"]


def _paid_where(scope: Scope, period: TimeRange) -> list:
    o = s.orders
    where = [o.c.paid_at >= period.start, o.c.paid_at < period.end]
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
    rows = [tuple(r) for r in conn.execute(stmt)]
    return _with_share(pd.DataFrame(rows, columns=[*keys, "item_sales_cents", "units", "orders"]))


def _with_share(frame: pd.DataFrame) -> pd.DataFrame:
    """Int figures (SUM is NUMERIC on PostgreSQL) and each row's share of item sales."""
    for column in ("item_sales_cents", "units", "orders"):
        frame[column] = pd.Series([int(v) for v in frame[column]], dtype="int64")
    total = int(frame["item_sales_cents"].sum())
    shares = [int(v) / total if total else None for v in frame["item_sales_cents"]]
    frame["share"] = pd.Series(shares, dtype=object)
    return frame


def _categories(conn: sa.Connection) -> pd.DataFrame:
    """Every category with the top-level category above it (itself for a top-level one).

    `categories` is a small dimension table (tens to hundreds of rows): reading it is
    a lookup, not aggregation. Mapping to the top level in SQL with a CASE, and naming
    the groups here, keeps the planner starting from the period's orders; joining a
    recursive CTE or `categories` in made PostgreSQL misjudge the join and read every
    order line of the mall.
    """
    c = s.categories
    rows = conn.execute(sa.select(c.c.category_id, c.c.parent_id, c.c.name, c.c.name_en)).all()
    parent = {row.category_id: row.parent_id for row in rows}
    tops = []
    for row in rows:
        top, seen = row.category_id, set()
        while parent.get(top) is not None and top not in seen:  # a cycle stops the walk
            seen.add(top)
            top = parent[top]
        tops.append(top)
    frame = pd.DataFrame(
        [(r.category_id, r.name, r.name_en) for r in rows],
        columns=["category_id", "name", "name_en"],
    )
    frame["top_id"] = tops
    return frame


def by_category(conn: sa.Connection, *, scope: Scope, period: TimeRange, tz: str) -> pd.DataFrame:
    """Item sales per top-level category, largest first."""
    del tz
    p, i = s.products, s.order_items
    categories = _categories(conn)
    mapping = dict(zip(categories["category_id"], categories["top_id"], strict=True))
    top = p.c.category_id
    if any(k != v for k, v in mapping.items()):
        moved = {int(k): int(v) for k, v in mapping.items() if k != v}
        top = sa.case(moved, value=p.c.category_id, else_=p.c.category_id)
    lines = (
        sa.select(top.label("top_id"), i.c.amount_cents, i.c.quantity, s.orders.c.order_id)
        .select_from(_lines().join(p, p.c.product_id == i.c.product_id))
        .where(*_paid_where(scope, period))
        .subquery("lines")
    )
    stmt = sa.select(
        lines.c.top_id,
        sa.func.sum(lines.c.amount_cents).label("item_sales_cents"),
        sa.func.sum(lines.c.quantity).label("units"),
        sa.func.count(sa.distinct(lines.c.order_id)).label("orders"),
    ).group_by(lines.c.top_id)
    sold = _frame(conn, stmt, ["category_id"])
    names = categories.set_index("category_id")[["name", "name_en"]]
    sold = sold.join(names, on="category_id")
    sold = sold.sort_values(["item_sales_cents", "category_id"], ascending=[False, True])
    columns = ["category_id", "name", "name_en", "item_sales_cents", "units", "orders", "share"]
    return sold[columns].reset_index(drop=True)


def category_products(
    conn: sa.Connection, *, scope: Scope, period: TimeRange, tz: str, category_id: int
) -> pd.DataFrame:
    """Item sales per product inside one top-level category (and its subcategories)."""
    del tz
    p = s.products
    categories = _categories(conn)
    inside = [int(c) for c in categories.loc[categories["top_id"] == category_id, "category_id"]]
    stmt = (
        sa.select(p.c.product_id, p.c.name, *_item_figures())
        .select_from(_lines().join(p, p.c.product_id == s.order_items.c.product_id))
        .where(*_paid_where(scope, period), p.c.category_id.in_(inside))
        .group_by(p.c.product_id, p.c.name)
        .order_by(sa.desc("item_sales_cents"), p.c.product_id)
    )
    return _frame(conn, stmt, ["product_id", "name"])


def by_channel(conn: sa.Connection, *, scope: Scope, period: TimeRange, tz: str) -> pd.DataFrame:
    """Item sales per order channel (app, mini program, h5, live)."""
    del tz
    o = s.orders
    stmt = (
        sa.select(o.c.channel, *_item_figures())
        .select_from(_lines())
        .where(*_paid_where(scope, period))
        .group_by(o.c.channel)
        .order_by(sa.desc("item_sales_cents"), o.c.channel)
    )
    return _frame(conn, stmt, ["channel"])


def by_city_tier(conn: sa.Connection, *, scope: Scope, period: TimeRange, tz: str) -> pd.DataFrame:
    """Item sales per buyer's city tier (1–4), tier order."""
    del tz
    m = s.members
    stmt = (
        sa.select(m.c.city_tier, *_item_figures())
        .select_from(_lines().join(m, m.c.member_id == s.orders.c.member_id))
        .where(*_paid_where(scope, period))
        .group_by(m.c.city_tier)
        .order_by(m.c.city_tier)
    )
    return _frame(conn, stmt, ["city_tier"])


def by_hour(conn: sa.Connection, *, scope: Scope, period: TimeRange, tz: str) -> pd.DataFrame:
    """Item sales per local hour of payment, all 24 hours (zeros where nothing sold)."""
    zone = sa.bindparam("tz", tz)
    hour = local_hour(s.orders.c.paid_at, zone)
    stmt = (
        sa.select(hour.label("hour"), *_item_figures())
        .select_from(_lines())
        .where(*_paid_where(scope, period))
        .group_by(hour)
    )
    sold = {int(r.hour): r for r in conn.execute(stmt)}
    rows = []
    for h in range(24):
        r = sold.get(h)
        rows.append((h, r.item_sales_cents, r.units, r.orders) if r else (h, 0, 0, 0))
    # The 24 rows are filled in Python: zero-filling, not aggregation.
    return _with_share(pd.DataFrame(rows, columns=["hour", "item_sales_cents", "units", "orders"]))


def top_products(
    conn: sa.Connection, *, scope: Scope, period: TimeRange, tz: str, limit: int = 10
) -> pd.DataFrame:
    """The products with the most item sales, with their shop and category."""
    del tz
    p, c, v = s.products, s.categories, s.vendors
    stmt = (
        sa.select(
            p.c.product_id,
            p.c.name,
            p.c.vendor_id,
            v.c.name.label("vendor_name"),
            c.c.name.label("category"),
            c.c.name_en.label("category_en"),
            *_item_figures(),
        )
        .select_from(
            _lines()
            .join(p, p.c.product_id == s.order_items.c.product_id)
            .join(v, v.c.vendor_id == p.c.vendor_id)
            .join(c, c.c.category_id == p.c.category_id)
        )
        .where(*_paid_where(scope, period))
        .group_by(p.c.product_id, p.c.name, p.c.vendor_id, v.c.name, c.c.name, c.c.name_en)
        .order_by(sa.desc("item_sales_cents"), p.c.product_id)
        .limit(limit)
    )
    keys = ["product_id", "name", "vendor_id", "vendor_name", "category", "category_en"]
    return _frame(conn, stmt, keys).drop(columns=["share"])


def refunds_by_reason(
    conn: sa.Connection, *, scope: Scope, period: TimeRange, tz: str
) -> pd.DataFrame:
    """Completed refunds with completed_at in P, of the scope's orders, per reason."""
    del tz
    r, o = s.refunds, s.orders
    where = [
        r.c.status == "completed",
        r.c.completed_at >= period.start,
        r.c.completed_at < period.end,
    ]
    source = r
    if scope.vendor_id is not None:
        source = r.join(o, o.c.order_id == r.c.order_id)
        where.append(o.c.vendor_id == scope.vendor_id)
    stmt = (
        sa.select(
            r.c.reason,
            sa.func.count().label("refunds"),
            sa.func.sum(r.c.amount_cents).label("refunded_cents"),
        )
        .select_from(source)
        .where(*where)
        .group_by(r.c.reason)
        .order_by(sa.desc("refunded_cents"), r.c.reason)
    )
    rows = [(row.reason, int(row.refunds), int(row.refunded_cents)) for row in conn.execute(stmt)]
    frame = pd.DataFrame(rows, columns=["reason", "refunds", "refunded_cents"])
    return frame.astype({"refunds": "int64", "refunded_cents": "int64"})


# Breakdown name → function, in the order reports and pages show them.
BREAKDOWNS = {
    "by_category": by_category,
    "by_channel": by_channel,
    "by_city_tier": by_city_tier,
    "by_hour": by_hour,
    "top_products": top_products,
    "refunds_by_reason": refunds_by_reason,
}


def report(conn: sa.Connection, *, scope: Scope, period: TimeRange, tz: str) -> Report:
    """The `sales` report: headline totals, the daily trend and every breakdown."""
    totals = headline(conn, scope=scope, period=period, tz=tz).as_dict()
    breakdowns = {"trend": trend(conn, scope=scope, period=period, tz=tz, grain="day")}
    for name, read in BREAKDOWNS.items():
        breakdowns[name] = read(conn, scope=scope, period=period, tz=tz)
    return Report(totals=totals, breakdowns=breakdowns)
