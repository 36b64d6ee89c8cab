"""The plainest hand-written SQL for the same figures as the page calls, for the ratio column.

PostgreSQL only (local-day bucketing with `timezone()`); on SQLite the ratio
column is left empty. Values are always bound parameters; the only text put
together is the fixed vendor condition (`AND o.vendor_id = :v`, or nothing for
the whole mall). Each function fetches every row, as the page call does, and
returns plain tuples: the cost of building DataFrames is the query layer's own.

Keys are the `bench.pages` call names. A call without a plain twin here has no
ratio in the report (said so there).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from bench.pages import COMPARE_KW, home_now
from queries.core.actors import Scope
from queries.core.periods import (
    TimeRange,
    local_midnight,
    preset_range,
    previous_range,
    year_earlier,
)
from queries.core.types import UTCDateTime

__all__ = ["PLAIN", "plain_buyers", "plain_for"]

Plain = Callable[[sa.Connection, Scope, TimeRange, str], object]


def _run(conn: sa.Connection, sql: str, scope: Scope, start, end, **params) -> list:
    """Run `sql` with the vendor condition filled in and the bounds bound."""
    vendor = "" if scope.is_mall else "AND o.vendor_id = :v"
    join = "" if scope.is_mall else "JOIN orders o ON o.order_id = r.order_id"
    sql = sql.replace("{vendor}", vendor).replace("{join}", join)
    bounds = {n: v for n, v in (("s", start), ("e", end)) if re.search(rf":{n}\b", sql)}
    stmt = sa.text(sql).bindparams(*(sa.bindparam(n, type_=UTCDateTime()) for n in bounds))
    if not scope.is_mall:
        params["v"] = scope.vendor_id
    return conn.execute(stmt, {**bounds, **params}).all()


# --- headline, comparison, trend ------------------------------------------------------

BUYERS = """
WITH b AS (
  SELECT o.member_id, count(*) AS n, sum(o.paid_cents) AS gmv
  FROM orders o WHERE o.paid_at >= :s AND o.paid_at < :e {vendor}
  GROUP BY o.member_id)
SELECT sum(b.gmv), sum(b.n), count(*),
  sum(CASE WHEN EXISTS (SELECT 1 FROM orders o WHERE o.member_id = b.member_id
                        AND o.paid_at < :s {vendor}) THEN 0 ELSE 1 END),
  sum(CASE WHEN b.n >= 2 THEN 1 ELSE 0 END)
FROM b"""
REFUNDED = """
SELECT sum(r.amount_cents) FROM refunds r {join}
WHERE r.status = 'completed' AND r.completed_at >= :s AND r.completed_at < :e {vendor}"""


BUYERS_ONLY = """
SELECT sum(b.gmv), sum(b.n), count(*), sum(CASE WHEN b.n >= 2 THEN 1 ELSE 0 END)
FROM (SELECT o.member_id, count(*) AS n, sum(o.paid_cents) AS gmv
      FROM orders o WHERE o.paid_at >= :s AND o.paid_at < :e {vendor}
      GROUP BY o.member_id) b"""


# What Home and Sales show (GMV, orders, buyers): one pass, buyers counted distinct.
SOLD = """
SELECT sum(o.paid_cents), count(*), count(DISTINCT o.member_id)
FROM orders o WHERE o.paid_at >= :s AND o.paid_at < :e {vendor}"""


def plain_buyers(new_buyers: bool = True, repurchase: bool = True) -> str:
    """The plainest statement of a headline's order figures with what the call asks for."""
    if new_buyers:
        return BUYERS
    return BUYERS_ONLY if repurchase else SOLD


def _headline(conn, scope, period):
    # Mirror the pages: the same figures as `compare` is asked for (`COMPARE_KW`).
    rows = _run(conn, plain_buyers(**COMPARE_KW), scope, period.start, period.end)
    return rows, _run(conn, REFUNDED, scope, period.start, period.end)


def _compare(conn, scope, period, tz):
    zone = ZoneInfo(tz)
    for each in (period, previous_range(period, zone), year_earlier(period, zone)):
        _headline(conn, scope, each)


TREND = """
SELECT CAST(date_trunc('day', timezone(:tz, o.paid_at)) AS DATE) AS d,
  sum(o.paid_cents), count(*), count(DISTINCT o.member_id)
FROM orders o WHERE o.paid_at >= :s AND o.paid_at < :e {vendor} GROUP BY 1"""
TREND_REFUNDS = """
SELECT CAST(date_trunc('day', timezone(:tz, r.completed_at)) AS DATE) AS d, sum(r.amount_cents)
FROM refunds r {join}
WHERE r.status = 'completed' AND r.completed_at >= :s AND r.completed_at < :e {vendor}
GROUP BY 1"""


def _trend(conn, scope, period, tz):
    sold = _run(conn, TREND, scope, period.start, period.end, tz=tz)
    return sold, _run(conn, TREND_REFUNDS, scope, period.start, period.end, tz=tz)


def _home_compare(conn, scope, period, tz):
    # Plainest: each preset's comparison on its own (two statements per headline).
    now, zone = home_now(period), ZoneInfo(tz)
    for preset in ("today", "last_7", "this_month"):
        _compare(conn, scope, preset_range(preset, now, zone), tz)


def _home_trend(conn, scope, period, tz):
    zone, now = ZoneInfo(tz), home_now(period)
    today = now.astimezone(zone).date()
    recent = TimeRange(local_midnight(today - timedelta(days=29), zone), now)
    return _trend(conn, scope, recent, tz)


# --- breakdowns -----------------------------------------------------------------------

LINES = """FROM orders o JOIN order_items i ON i.order_id = o.order_id
WHERE o.paid_at >= :s AND o.paid_at < :e {vendor}"""
FIGURES = "sum(i.amount_cents), sum(i.quantity), count(DISTINCT o.order_id)"
# {{vendor}} in f-strings stays the literal placeholder `_run` fills in.
BY_CATEGORY = f"""
SELECT coalesce(c.parent_id, c.category_id), {FIGURES}
FROM orders o JOIN order_items i ON i.order_id = o.order_id
JOIN products p ON p.product_id = i.product_id JOIN categories c ON c.category_id = p.category_id
WHERE o.paid_at >= :s AND o.paid_at < :e {{vendor}} GROUP BY 1"""
BY_CHANNEL = f"SELECT o.channel, {FIGURES} {LINES} GROUP BY o.channel"
BY_CITY_TIER = f"""
SELECT m.city_tier, {FIGURES}
FROM orders o JOIN order_items i ON i.order_id = o.order_id
JOIN members m ON m.member_id = o.member_id
WHERE o.paid_at >= :s AND o.paid_at < :e {{vendor}} GROUP BY m.city_tier"""
BY_HOUR = f"""
SELECT CAST(EXTRACT(HOUR FROM timezone(:tz, o.paid_at)) AS INTEGER), {FIGURES} {LINES}
GROUP BY 1"""
TOP_PRODUCTS = f"""
SELECT p.product_id, p.name, p.vendor_id, v.name, c.name, c.name_en, {FIGURES}
FROM orders o JOIN order_items i ON i.order_id = o.order_id
JOIN products p ON p.product_id = i.product_id JOIN vendors v ON v.vendor_id = p.vendor_id
JOIN categories c ON c.category_id = p.category_id
WHERE o.paid_at >= :s AND o.paid_at < :e {{vendor}}
GROUP BY p.product_id, p.name, p.vendor_id, v.name, c.name, c.name_en
ORDER BY 7 DESC, p.product_id LIMIT 20"""
REFUND_REASONS = """
SELECT r.reason, count(*), sum(r.amount_cents) FROM refunds r {join}
WHERE r.status = 'completed' AND r.completed_at >= :s AND r.completed_at < :e {vendor}
GROUP BY r.reason"""


def _sql(sql: str, with_tz: bool = False) -> Plain:
    def plain(conn, scope, period, tz):
        extra = {"tz": tz} if with_tz else {}
        return _run(conn, sql, scope, period.start, period.end, **extra)

    return plain


def _each(*plains: Plain) -> Plain:
    """The plainest SQL of a call that reads several figures at once: one statement each."""

    def plain(conn, scope, period, tz):
        return [read(conn, scope, period, tz) for read in plains]

    return plain


# --- members, content -----------------------------------------------------------------

MEMBERS_SUMMARY = """
WITH b AS (SELECT o.member_id, count(*) AS n FROM orders o
           WHERE o.paid_at >= :s AND o.paid_at < :e {vendor} GROUP BY o.member_id),
f AS (SELECT o.member_id, min(o.paid_at) AS first_paid FROM orders o
      WHERE o.member_id IN (SELECT member_id FROM b) AND o.paid_at IS NOT NULL {vendor}
      GROUP BY o.member_id)
SELECT count(*), sum(CASE WHEN f.first_paid >= :s THEN 1 ELSE 0 END),
       sum(CASE WHEN b.n >= 2 THEN 1 ELSE 0 END)
FROM b JOIN f ON f.member_id = b.member_id"""
MEMBERS_TREND = """
WITH b AS (SELECT (timezone(:tz, o.paid_at))::date AS day, o.member_id, count(*) AS n
           FROM orders o WHERE o.paid_at >= :s AND o.paid_at < :e {vendor}
           GROUP BY 1, 2),
f AS (SELECT o.member_id, min(o.paid_at) AS first_paid FROM orders o
      WHERE o.member_id IN (SELECT member_id FROM b) AND o.paid_at IS NOT NULL {vendor}
      GROUP BY o.member_id)
SELECT b.day, count(*),
       sum(CASE WHEN f.first_paid >= :s AND (timezone(:tz, f.first_paid))::date = b.day
           THEN 1 ELSE 0 END),
       sum(CASE WHEN b.n >= 2 THEN 1 ELSE 0 END)
FROM b JOIN f ON f.member_id = b.member_id GROUP BY b.day ORDER BY b.day"""


MEMBERS_MIX = """
SELECT m.{column}, count(*) FROM members m WHERE m.member_id IN (
  SELECT o.member_id FROM orders o WHERE o.paid_at >= :s AND o.paid_at < :e {vendor})
GROUP BY m.{column}"""
MEMBERS_AGE_BANDS = MEMBERS_MIX.replace(
    "m.{column}",
    """CASE WHEN m.birth_year >= 2000 THEN '2000s' WHEN m.birth_year >= 1995 THEN '1995_1999'
  WHEN m.birth_year >= 1990 THEN '1990_1994' WHEN m.birth_year >= 1985 THEN '1985_1989'
  WHEN m.birth_year >= 1980 THEN '1980_1984' WHEN m.birth_year IS NOT NULL THEN 'before_1980'
  ELSE 'unknown' END""",
).replace("GROUP BY m.{column}", "GROUP BY 1")


CONTENT_SUMMARY = """
WITH n AS (SELECT DISTINCT np.note_id FROM note_products np JOIN products o
           ON o.product_id = np.product_id WHERE true {vendor})
SELECT (SELECT count(*) FROM notes WHERE note_id IN (SELECT note_id FROM n)
          AND posted_at >= :s AND posted_at < :e),
       count(DISTINCT v.note_id), count(*), count(DISTINCT v.member_id)
FROM note_views v WHERE v.note_id IN (SELECT note_id FROM n)
  AND v.viewed_at >= :s AND v.viewed_at < :e"""
CONTENT_NOTES = """
WITH n AS (SELECT DISTINCT np.note_id FROM note_products np JOIN products o
           ON o.product_id = np.product_id WHERE true {vendor})
SELECT v.note_id, count(*), count(DISTINCT v.member_id)
FROM note_views v WHERE v.note_id IN (SELECT note_id FROM n)
  AND v.viewed_at >= :s AND v.viewed_at < :e
GROUP BY v.note_id ORDER BY 2 DESC, 1 LIMIT 100"""
TAG_ATTRIBUTION = """
SELECT a.tag, count(DISTINCT a.member_id), count(DISTINCT a.order_id), sum(a.amount_cents)
FROM (SELECT DISTINCT t.tag, i.order_item_id, i.amount_cents, o.order_id, o.member_id
      FROM orders o JOIN order_items i ON i.order_id = o.order_id
      JOIN note_products np ON np.product_id = i.product_id
      JOIN note_views v ON v.member_id = o.member_id AND v.note_id = np.note_id
        AND v.viewed_at <= o.paid_at AND v.viewed_at > o.paid_at - INTERVAL '7 days'
      JOIN note_tags t ON t.note_id = np.note_id
      WHERE o.paid_at >= :s AND o.paid_at < :e {vendor}) a
GROUP BY a.tag"""


# --- settlements, orders, products ----------------------------------------------------

SETTLEMENT_TOTALS = """
SELECT o.vendor_id, sum(o.paid_cents), sum(o.platform_discount_cents),
  (SELECT sum((2 * CAST(i.amount_cents AS BIGINT) * i.commission_bps + 10000) / 20000)
   FROM order_items i JOIN orders x ON x.order_id = i.order_id
   WHERE x.vendor_id = o.vendor_id AND x.paid_at >= :s AND x.paid_at < :e),
  (SELECT sum(p.fee_cents) FROM payments p JOIN orders x ON x.order_id = p.order_id
   WHERE x.vendor_id = o.vendor_id AND x.paid_at >= :s AND x.paid_at < :e)
FROM orders o WHERE o.paid_at >= :s AND o.paid_at < :e {vendor} GROUP BY o.vendor_id"""
SETTLEMENT_REFUNDS = """
SELECT o.vendor_id, sum(r.amount_cents),
  sum((2 * CAST(r.amount_cents AS BIGINT) * i.commission_bps + 10000) / 20000)
FROM refunds r JOIN order_items i ON i.order_item_id = r.order_item_id
JOIN orders o ON o.order_id = r.order_id
WHERE r.status = 'completed' AND r.completed_at >= :s AND r.completed_at < :e {vendor}
GROUP BY o.vendor_id"""


def _settlement_totals(conn, scope, period, tz):
    zone = ZoneInfo(tz)
    start = local_midnight(period.first_day(zone), zone)
    end = local_midnight(period.end_date(zone), zone)
    rows = _run(conn, SETTLEMENT_TOTALS, scope, start, end)
    return rows, _run(conn, SETTLEMENT_REFUNDS, scope, start, end)


ORDERS_COUNT = "SELECT count(*) FROM orders o WHERE o.paid_at >= :s AND o.paid_at < :e {vendor}"
ORDERS_PAGE = """
SELECT o.order_id, o.order_no, o.vendor_id, v.name, o.member_id, o.status, o.channel,
  o.created_at, o.paid_at, o.goods_cents, o.discount_cents, o.platform_discount_cents,
  o.shipping_cents, o.paid_cents,
  (SELECT coalesce(sum(r.amount_cents), 0) FROM refunds r
   WHERE r.order_id = o.order_id AND r.status = 'completed'),
  (SELECT string_agg(DISTINCT r.status, ',') FROM refunds r WHERE r.order_id = o.order_id),
  p.name, l.title
FROM orders o JOIN vendors v ON v.vendor_id = o.vendor_id
LEFT JOIN promotions p ON p.promotion_id = o.promotion_id
LEFT JOIN live_sessions l ON l.live_session_id = o.live_session_id
WHERE o.paid_at >= :s AND o.paid_at < :e {vendor}
ORDER BY o.paid_at DESC, o.order_id DESC LIMIT 50"""


def _orders(conn, scope, period, tz):
    zone = ZoneInfo(tz)
    start = local_midnight(period.first_day(zone), zone)
    end = local_midnight(period.end_date(zone), zone)
    return _run(conn, ORDERS_COUNT, scope, start, end), _run(conn, ORDERS_PAGE, scope, start, end)


PRODUCTS_COUNT = "SELECT count(*) FROM products o WHERE true {vendor}"
PRODUCTS_PAGE = """
SELECT o.product_id, o.vendor_id, v.name, o.category_id, c.name, c.name_en, o.name,
  o.price_cents, o.stock, o.status, o.updated_at, o.version
FROM products o JOIN vendors v ON v.vendor_id = o.vendor_id
JOIN categories c ON c.category_id = o.category_id
WHERE true {vendor} ORDER BY o.updated_at DESC, o.product_id LIMIT 50"""


BAN_REASONS = """
SELECT a.entity_id, a.reason FROM audit_log a WHERE a.audit_id IN (
  SELECT max(b.audit_id) FROM audit_log b
  WHERE b.action = 'product.ban' AND b.entity = 'product' AND b.entity_id IN :ids
  GROUP BY b.entity_id)"""


def _products(conn, scope, period, tz):
    count = _run(conn, PRODUCTS_COUNT, scope, period.start, period.end)
    page = _run(conn, PRODUCTS_PAGE, scope, period.start, period.end)
    # The page shows why a banned product was banned: the newest ban's audit reason.
    banned = [str(row[0]) for row in page if row[9] == "banned"]
    reasons = []
    if banned:
        stmt = sa.text(BAN_REASONS).bindparams(sa.bindparam("ids", expanding=True))
        reasons = conn.execute(stmt, {"ids": banned}).all()
    return count, page, reasons


PLAIN: dict[str, Plain] = {
    "home.compare": _home_compare,
    "home.trend": _home_trend,
    "sales.compare": _compare,
    "sales.trend": _trend,
    "sales.item_breakdowns": _each(
        _sql(BY_CATEGORY),
        _sql(BY_CHANNEL),
        _sql(BY_CITY_TIER),
        _sql(BY_HOUR, with_tz=True),
        _sql(TOP_PRODUCTS),
    ),
    "sales.refunds_by_reason": _sql(REFUND_REASONS),
    "members.summary_trend": _each(_sql(MEMBERS_SUMMARY), _sql(MEMBERS_TREND, with_tz=True)),
    "members.mixes": _each(
        _sql(MEMBERS_MIX.replace("{column}", "level")),
        _sql(MEMBERS_MIX.replace("{column}", "city_tier")),
        _sql(MEMBERS_AGE_BANDS),
    ),
    "content.summary_and_notes": _each(_sql(CONTENT_SUMMARY), _sql(CONTENT_NOTES)),
    "content.tag_attribution": _sql(TAG_ATTRIBUTION),
    "settlements.period_overview": _settlement_totals,
    "orders.search": _orders,
    "products.list": _products,
}


def plain_for(name: str, dialect: str) -> Plain | None:
    """The plain twin of a page call, or None (no twin, or not PostgreSQL)."""
    return PLAIN.get(name) if dialect == "postgresql" else None
