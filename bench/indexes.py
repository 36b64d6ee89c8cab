"""Measure proposed indexes beyond the contract (`python -m bench.indexes`).

For each proposal: the page's data calls for the median and the largest shop over
30 days, timed on the contract's indexes alone, then with the index built (and the
table analyzed), then the index is dropped again: the console never depends on it.
PostgreSQL; prints a Markdown table for `docs/performance.md`.
"""

from __future__ import annotations

import argparse
import time

import sqlalchemy as sa

from bench.measure import timed
from bench.pages import PAGES
from bench.run import _periods, default_url, pick_subjects
from queries.core.actors import Scope
from queries.core.db import connect_engine

TZ = "Asia/Shanghai"

# (name, the pages it is for, CREATE, DROP, ANALYZE)
PROPOSALS = (
    (
        "note_views (note_id, viewed_at)",
        ("content",),
        "CREATE INDEX mb_ix_note_views_note ON note_views (note_id, viewed_at)",
        "DROP INDEX IF EXISTS mb_ix_note_views_note",
        "ANALYZE note_views",
    ),
    (
        "coupons (order_id)",
        ("campaigns",),
        "CREATE INDEX mb_ix_coupons_order ON coupons (order_id)",
        "DROP INDEX IF EXISTS mb_ix_coupons_order",
        "ANALYZE coupons",
    ),
    (
        "orders (promotion_id)",
        ("campaigns",),
        "CREATE INDEX mb_ix_orders_promotion ON orders (promotion_id)",
        "DROP INDEX IF EXISTS mb_ix_orders_promotion",
        "ANALYZE orders",
    ),
)


def _read_page(conn: sa.Connection, page_name: str, scope: Scope, period) -> None:
    """Every data call of one page, as the page makes them."""
    page = next(p for p in PAGES if p.name == page_name)
    for call in page.calls_for(scope):
        call.read(conn, scope, period, TZ)


def main(argv: list[str] | None = None) -> int:
    """Time each proposal's pages without and with its index; print the table."""
    parser = argparse.ArgumentParser(prog="python -m bench.indexes", description=__doc__)
    parser.add_argument("--db", default=default_url("large"))
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    engine = connect_engine(args.db)
    lines = [
        "| index | page | subject | without | with | speed-up | build |",
        "|---|---|---|---:|---:|---:|---:|",
    ]
    try:
        with engine.connect() as conn:
            as_of, subjects = pick_subjects(conn, TZ)
        period = _periods(as_of, TZ)["30d"]
        shops = [s for s in subjects if s.key != "mall"]
        for name, pages, create, drop, analyze in PROPOSALS:
            with engine.begin() as conn:
                conn.execute(sa.text(drop))
            before = {}
            with engine.connect() as conn:
                for page in pages:
                    for shop in shops:
                        before[page, shop.key] = timed(
                            args.runs, _read_page, conn, page, Scope(shop.vendor_id), period
                        )
            began = time.perf_counter()
            with engine.begin() as conn:
                conn.execute(sa.text(create))
            built = time.perf_counter() - began
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(sa.text(analyze))
            try:
                with engine.connect() as conn:
                    for page in pages:
                        for shop in shops:
                            after = timed(
                                args.runs, _read_page, conn, page, Scope(shop.vendor_id), period
                            )
                            was = before[page, shop.key].median
                            lines.append(
                                f"| `{name}` | {page} | {shop.key} | {was * 1000:,.0f} ms "
                                f"| {after.median * 1000:,.0f} ms | {was / after.median:.1f}× "
                                f"| {built:.1f} s |"
                            )
            finally:
                with engine.begin() as conn:
                    conn.execute(sa.text(drop))
    finally:
        engine.dispose()
    print(f"30 days to {as_of:%Y-%m-%d %H:%M} UTC, median of {args.runs} runs each.")  # noqa: T201
    print("\n".join(lines))  # noqa: T201
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
