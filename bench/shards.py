"""`python -m bench.shards`: the numbers behind docs/scaling.md (sharding by vendor, on paper).

    python -m bench.shards [--db URL] [--shards 32] [--runs 3]

On a loaded demo mall (PostgreSQL; default `mallboard_bench_large`), read only:
(a) each contract table's rows and bytes, by how it would be placed under Citus when
    distributed by `vendor_id` (its own column, one it would need, or a reference table);
(b) the vendors' paid orders placed on `--shards` hash shards as Citus places an int
    column (`hashint4` ranges of equal width): the fullest shard against the mean;
(c) every rollup table's rows, and the share of them that are the mall's (`vendor_id`
    −1, which would all sit on one shard);
(d) the page reads of Home, Sales, Orders, Members, Content and the statements
    (`bench.pages`' calls, with the rollups, as the app reads) for the largest shop, a
    median shop and the whole mall: median of `--runs` after one unrecorded.
Prints Markdown tables; docs/scaling.md quotes them by hand.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import timedelta

import sqlalchemy as sa

from bench.pages import PAGES
from bench.progress import progress
from queries.core import schema as s
from queries.core.actors import Scope
from queries.core.db import connect_engine
from queries.core.periods import preset_range
from queries.core.rls import STAFF, use_scope
from rollups.families import FAMILIES

__all__ = ["PLACEMENT", "main"]

# How each contract table would be placed when the platform shards by vendor.
PLACEMENT = {
    "vendors": "reference (small, joined by every page)",
    "categories": "reference",
    "members": "reference (the issue's choice; see the text)",
    "products": "distributed by vendor_id",
    "orders": "distributed by vendor_id",
    "live_sessions": "distributed by vendor_id",
    "settlements": "distributed by vendor_id",
    "order_items": "needs vendor_id (a contract addition) to be co-located",
    "payments": "needs vendor_id (a contract addition) to be co-located",
    "refunds": "needs vendor_id (a contract addition) to be co-located",
    "promotions": "reference (platform promotions have no vendor_id)",
    "coupons": "by member_id (platform coupons have no shop)",
    "notes": "by note_id (members' content, no shop)",
    "note_tags": "by note_id",
    "note_products": "by note_id",
    "note_views": "by note_id",
    "supplier_applications": "reference or coordinator-local (no shop before approval)",
    "audit_log": "coordinator-local (written with the console's own rows)",
}
READS = ("home", "sales", "orders", "members", "content", "settlements")


_say = progress("bench.shards")


def tables(conn: sa.Connection) -> list[str]:
    """(a) rows (the planner's estimate) and bytes of every contract table, by placement."""
    lines = ["| table | rows | size | placement when sharded by vendor |", "|---|--:|--:|---|"]
    for table in s.metadata.sorted_tables:
        rows, size = conn.execute(
            sa.text(
                "SELECT reltuples::bigint, pg_total_relation_size(oid) FROM pg_class "
                "WHERE oid = to_regclass(:name)"
            ),
            {"name": table.name},
        ).one()
        lines.append(
            f"| {table.name} | {rows:,} | {size / 2**20:,.0f} MB | "
            f"{PLACEMENT.get(table.name, '?')} |"
        )
    return lines


def shards(conn: sa.Connection, count: int) -> list[str]:
    """(b) paid orders per shard when `vendor_id` is hashed into `count` equal ranges."""
    rows = conn.execute(
        sa.select(
            s.orders.c.vendor_id,
            sa.func.hashint4(s.orders.c.vendor_id).label("h"),
            sa.func.count().label("n"),
        )
        .where(s.orders.c.paid_at.is_not(None))
        .group_by(s.orders.c.vendor_id)
    ).all()
    width = 2**32 // count  # Citus splits the int4 hash space into equal ranges
    per_shard = [0] * count
    shops = [0] * count
    for _, hashed, n in rows:
        index = min((hashed + 2**31) // width, count - 1)
        per_shard[index] += n
        shops[index] += 1
    total = sum(per_shard)
    ordered = sorted(n for _, _, n in rows)
    largest = ordered[-1]
    mean = total / count
    return [
        f"{len(rows):,} shops with paid orders, {total:,} paid orders; the largest shop has "
        f"{largest:,} ({largest / total:.1%}), the median {ordered[len(ordered) // 2]:,}; "
        f"the 10 largest {sum(ordered[-10:]) / total:.1%}.",
        f"On {count} hash shards: fullest {max(per_shard):,} paid orders "
        f"({max(per_shard) / mean:.2f}× the mean {mean:,.0f}), emptiest {min(per_shard):,} "
        f"({min(per_shard) / mean:.2f}×); shops per shard {min(shops)}–{max(shops)}.",
    ]


def rollup_rows(conn: sa.Connection) -> list[str]:
    """(c) each rollup table's rows and the mall's share (vendor_id −1)."""
    lines = ["| family | table | rows | mall rows (−1) | mall share |", "|---|---|--:|--:|--:|"]
    for family in FAMILIES:
        for table in family.tables:
            if "vendor_id" not in table.c:
                continue
            total = conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
            mall = conn.execute(
                sa.select(sa.func.count()).select_from(table).where(table.c.vendor_id == -1)
            ).scalar_one()
            share = f"{mall / total:.1%}" if total else "—"
            lines.append(f"| {family.name} | {table.name} | {total:,} | {mall:,} | {share} |")
    return lines


def reads(engine: sa.Engine, runs: int) -> list[str]:
    """(d) each page's reads for the largest shop, a median shop and the mall (ms)."""
    from bench.run import pick_subjects

    tz = "Asia/Shanghai"
    with use_scope(STAFF), engine.connect() as conn:
        as_of, subjects = pick_subjects(conn, tz)
    from zoneinfo import ZoneInfo

    period = preset_range("last_30", as_of + timedelta(seconds=1), ZoneInfo(tz))
    pages = {p.name: p for p in PAGES}
    head = " | ".join(
        f"{x.key} (#{x.vendor_id}, {x.orders:,} orders a year)" if x.vendor_id else x.key
        for x in subjects
    )
    lines = [f"| page (30 days) | {head} | mall ÷ largest shop |", "|---" + "|--:" * 4 + "|"]
    for name in READS:
        page = pages[name]
        medians = []
        for subject in subjects:
            scope = Scope(subject.vendor_id)
            spent = []
            for run in range(runs + 1):
                began = time.perf_counter()
                with use_scope(STAFF), engine.connect() as conn:
                    for call in page.calls_for(scope):
                        call.read(conn, scope, period, tz)
                    conn.rollback()
                if run:  # the first warms the database's cache
                    spent.append(time.perf_counter() - began)
            medians.append(statistics.median(spent))
        ratio = medians[2] / medians[0] if medians[0] else float("nan")
        cells = " | ".join(f"{m * 1000:,.0f}" for m in medians)
        lines.append(f"| {name} | {cells} | {ratio:.1f}× |")
        _say(f"{name}: {cells}")
    return lines


def main(argv: list[str] | None = None) -> int:
    """Print the tables."""
    from bench.run import default_url

    parser = argparse.ArgumentParser(prog="python -m bench.shards", description=__doc__)
    parser.add_argument("--db", help="database URL (default: mallboard_bench_large)")
    parser.add_argument("--shards", type=int, default=32, help="Citus' default: 32")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    engine = connect_engine(args.db or default_url("large"), check=False)
    try:
        with use_scope(STAFF), engine.connect() as conn:
            out = ["(a)", "", *tables(conn), "", "(b)", "", *shards(conn, args.shards)]
            _say("tables and shards done")
            out += ["", "(c)", "", *rollup_rows(conn)]
            _say("rollup rows done")
        out += ["", "(d) ms, median of runs", "", *reads(engine, args.runs)]
    finally:
        engine.dispose()
    print("\n".join(out))  # noqa: T201 - the report
    return 0


if __name__ == "__main__":
    sys.exit(main())
