"""Measure proposal P5: daily rollups beside the live queries (`python -m bench.rollup`).

Builds two materialized views in the bench database (PostgreSQL), times their
build (what a nightly refresh costs), then times a year of the largest shop and
of the whole mall two ways: the console's live query and the same figures read
from the rollup. Drops the views afterwards: the console never depends on them.
Prints a Markdown table for `docs/performance.md`.

- `mb_sales_daily (local_day, vendor_id, orders, gmv_cents)`: the trend's GMV and
  paid orders (not buyers: distinct members do not add up across days);
- `mb_item_sales_daily (local_day, vendor_id, category_id, channel, item_sales_cents,
  units, orders)`: item sales by category and by channel (an order has one channel
  and one local day, so per-day distinct order counts add up).
"""

from __future__ import annotations

import argparse
import time
from datetime import date, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from bench.measure import timed
from bench.run import _periods, default_url, pick_subjects
from queries.actors import Scope
from queries.db import connect_engine
from queries.kpis import trend
from queries.sales import item_breakdowns

TZ = "Asia/Shanghai"  # also written into the views' DDL, which takes no parameters

BUILD = (
    """CREATE MATERIALIZED VIEW mb_sales_daily AS
    SELECT (timezone('Asia/Shanghai', o.paid_at))::date AS local_day, o.vendor_id,
           count(*) AS orders, sum(o.paid_cents) AS gmv_cents
    FROM orders o WHERE o.paid_at IS NOT NULL GROUP BY 1, 2""",
    "CREATE INDEX ON mb_sales_daily (vendor_id, local_day)",
    "CREATE INDEX ON mb_sales_daily (local_day)",
    """CREATE MATERIALIZED VIEW mb_item_sales_daily AS
    SELECT (timezone('Asia/Shanghai', o.paid_at))::date AS local_day, o.vendor_id, p.category_id,
           o.channel, sum(i.amount_cents) AS item_sales_cents, sum(i.quantity) AS units,
           count(DISTINCT o.order_id) AS orders
    FROM orders o JOIN order_items i ON i.order_id = o.order_id
    JOIN products p ON p.product_id = i.product_id
    WHERE o.paid_at IS NOT NULL GROUP BY 1, 2, 3, 4""",
    "CREATE INDEX ON mb_item_sales_daily (vendor_id, local_day)",
    "CREATE INDEX ON mb_item_sales_daily (local_day)",
    "ANALYZE mb_sales_daily",
    "ANALYZE mb_item_sales_daily",
)
DROP = (
    "DROP MATERIALIZED VIEW IF EXISTS mb_sales_daily",
    "DROP MATERIALIZED VIEW IF EXISTS mb_item_sales_daily",
)
VENDOR = " AND vendor_id = :v"
# figure → its statements on the rollups (the first one's money is checked against live)
FROM_ROLLUP = {
    "trend (GMV, orders by day)": (
        """SELECT local_day, sum(orders), sum(gmv_cents)
        FROM mb_sales_daily WHERE local_day >= :a AND local_day < :b{vendor}
        GROUP BY local_day ORDER BY local_day""",
    ),
    "item sales by category and by channel": (
        """SELECT category_id, sum(item_sales_cents), sum(units),
        sum(orders) FROM mb_item_sales_daily WHERE local_day >= :a AND local_day < :b{vendor}
        GROUP BY category_id""",
        """SELECT channel, sum(item_sales_cents), sum(units), sum(orders)
        FROM mb_item_sales_daily WHERE local_day >= :a AND local_day < :b{vendor}
        GROUP BY channel""",
    ),
}

# The live side of the second: the page's one breakdown statement, which also gives the
# city tiers, hours and top products that these rollups do not hold.
LIVE = {
    "trend (GMV, orders by day)": lambda c, sc, p: trend(c, scope=sc, period=p, tz=TZ),
    "item sales by category and by channel": lambda c, sc, p: (
        item_breakdowns(c, scope=sc, period=p, tz=TZ).by_category
    ),
}


def _money(frame) -> int:
    """The money total of a live result (GMV for the trend, item sales otherwise)."""
    column = "gmv_cents" if "gmv_cents" in frame.columns else "item_sales_cents"
    return int(frame[column].sum())


def _money_rows(rows: list) -> int:
    """The same total from rollup rows (money is the third column for the trend, else second)."""
    return int(sum(row[2] if isinstance(row[0], date) else row[1] for row in rows))


def _fetch(conn: sa.Connection, statements: list, params: dict) -> list[list]:
    """Every statement's rows."""
    return [conn.execute(statement, params).all() for statement in statements]


def main(argv: list[str] | None = None) -> int:
    """Build the rollups, time live against rollup, drop them, print the table."""
    parser = argparse.ArgumentParser(prog="python -m bench.rollup", description=__doc__)
    parser.add_argument("--db", default=default_url("large"))
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    engine = connect_engine(args.db)
    lines = [
        "| figure | subject | live median | rollup median | speed-up | same total |",
        "|---|---|---:|---:|---:|---|",
    ]
    try:
        with engine.begin() as conn:
            for statement in DROP:
                conn.execute(sa.text(statement))
            began = time.perf_counter()
            for statement in BUILD:
                conn.execute(sa.text(statement))  # DDL: no bound parameters allowed
            built = time.perf_counter() - began
        with engine.connect() as conn:
            as_of, subjects = pick_subjects(conn, TZ)
            year = _periods(as_of, TZ)["year"]
            zone = ZoneInfo(TZ)
            first, end = year.first_day(zone), year.end_date(zone)
            for subject in (s for s in subjects if s.key != "median"):
                scope = Scope(subject.vendor_id)
                for name, sqls in FROM_ROLLUP.items():
                    vendor = "" if scope.is_mall else VENDOR
                    text = [sa.text(sql.replace("{vendor}", vendor)) for sql in sqls]
                    params = {"a": first, "b": end} | (
                        {} if scope.is_mall else {"v": scope.vendor_id}
                    )
                    live = timed(args.runs, LIVE[name], conn, scope, year)
                    rolled = timed(args.runs, _fetch, conn, text, params)
                    # Every statement's money total against the live one (each breakdown
                    # of item sales counts every line once, so they all share it).
                    live_total = _money(LIVE[name](conn, scope, year))
                    same = all(
                        _money_rows(rows) == live_total for rows in _fetch(conn, text, params)
                    )
                    lines.append(
                        f"| {name} | {subject.key} | {live.median * 1000:,.0f} ms "
                        f"| {rolled.median * 1000:,.1f} ms | {live.median / rolled.median:,.0f}× "
                        f"| {'yes' if same else '**no**'} |"
                    )
    finally:
        with engine.begin() as conn:
            for statement in DROP:
                conn.execute(sa.text(statement))
        engine.dispose()
    print(
        f"Built both rollups in {built:.1f} s ({datetime.now():%Y-%m-%d %H:%M}), "  # noqa: T201
        f"year = {first} … {end} (exclusive), {args.runs} runs each, database cache warm."
    )
    print("\n".join(lines))  # noqa: T201
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
