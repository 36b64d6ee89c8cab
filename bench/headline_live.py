"""The live headline against the plainest SQL for the same figures, with and without repurchase.

    python -m bench.headline_live [--db URL] [--runs N] [--vendor ID] [--tz ZONE]

Issue 27 (item 8): Home and Sales show GMV, paid orders, buyers and refunds, not
repurchase buyers, so their headline read must not group the period's orders per
member. This times the headline statement of `queries.sales.kpis.headlines`
read live (no `tz`: no rollup is read, whatever the database holds) for Home's
nine spans (today, last 7 days, this month, each with its previous period and
the same range a year earlier, "now" at the end of the data's last day, as
`bench.pages.home_now`) and for a 30-day and a one-year period with their
previous and year-earlier periods (the Sales page), for the largest shop and the
whole mall. Beside each: the plain SQL for the same figures (`bench.plain`: one
statement of order figures and one of refunds per headline), with repurchase
buyers (the read before) and without them (the read Home and Sales now make).

Read only: it runs SELECTs on one connection (every statement planned for its own
values: `plan_cache_mode = force_custom_plan`) and rolls back. The four reads of a
case take turns going first, run by run, so none always finds the cache warmed by
another; each time is the median of `--runs` runs after one unrecorded warm-up.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from bench.pages import HOME_PRESETS, home_now
from bench.plain import REFUNDED, _run, plain_buyers
from queries.core import schema as s
from queries.core.actors import Scope
from queries.core.db import connect_engine
from queries.core.periods import TimeRange, preset_range, previous_range, year_earlier

__all__ = ["cases", "main"]

DEFAULT_DB = "postgresql+psycopg://postgres@127.0.0.1:5432/mallboard_bench_large"


def _triples(periods: list[TimeRange], zone: ZoneInfo) -> list[TimeRange]:
    """Each period with its previous period and year-earlier range, as `compare_many` asks."""
    return [q for p in periods for q in (p, previous_range(p, zone), year_earlier(p, zone))]


def cases(as_of: datetime, tz: str) -> dict[str, list[TimeRange]]:
    """The spans each timed read asks for: Home's nine, a 30-day and a one-year comparison."""
    from bench.run import _periods  # the benchmark's own periods, ending at the data's day

    zone = ZoneInfo(tz)
    periods = _periods(as_of, tz)
    now = home_now(periods["30d"])
    home = [preset_range(preset, now, zone) for preset in HOME_PRESETS]
    return {
        "home": _triples(home, zone),
        "30d": _triples([periods["30d"]], zone),
        "year": _triples([periods["year"]], zone),
    }


def _ours(conn, scope: Scope, periods: list[TimeRange], repurchase: bool):
    from queries.sales.kpis import headlines

    # No tz: the live read (the path a mall without rollups takes), whatever exists.
    return headlines(conn, scope=scope, periods=periods, new_buyers=False, repurchase=repurchase)


def _plain(conn, scope: Scope, periods: list[TimeRange], repurchase: bool):
    # Plainest: each distinct span's two statements (the read asks for a span once).
    out = []
    for start, end in dict.fromkeys((p.start, p.end) for p in periods):
        sold = _run(conn, plain_buyers(new_buyers=False, repurchase=repurchase), scope, start, end)
        out.append((sold, _run(conn, REFUNDED, scope, start, end)))
    return out


READS = {
    "ours_repurchase": lambda c, sc, ps: _ours(c, sc, ps, True),
    "plain_repurchase": lambda c, sc, ps: _plain(c, sc, ps, True),
    "ours": lambda c, sc, ps: _ours(c, sc, ps, False),
    "plain": lambda c, sc, ps: _plain(c, sc, ps, False),
}


def _check(conn, scope: Scope, periods: list[TimeRange]) -> None:
    """The read without repurchase gives the same GMV, orders, buyers and refunds as with it."""
    with_it = _ours(conn, scope, periods, True)
    without = _ours(conn, scope, periods, False)
    keys = ("gmv_cents", "paid_orders", "buyers", "refunded_cents")
    for a, b in zip(with_it, without, strict=True):
        if any(getattr(a, k) != getattr(b, k) for k in keys):
            raise SystemExit(f"figures differ: {a} != {b}")


def time_case(engine, scope: Scope, periods: list[TimeRange], runs: int) -> dict[str, float]:
    """Median seconds of each read over `runs` runs, the reads taking turns going first."""
    names = list(READS)
    samples: dict[str, list[float]] = {n: [] for n in names}
    with engine.connect() as conn:
        # Each statement planned for its own bounds: after psycopg prepares a statement run
        # five times, PostgreSQL may switch to a generic plan, and the plain refunds
        # statement's for a shop took ~1 s instead of ~40 ms: a ratio of plans, not of SQL.
        conn.exec_driver_sql("SET plan_cache_mode = force_custom_plan")
        _check(conn, scope, periods)
        for name in names:  # warm-up, unrecorded
            READS[name](conn, scope, periods)
        for run in range(runs):
            shift = run % len(names)
            for name in names[shift:] + names[:shift]:
                began = time.perf_counter()
                READS[name](conn, scope, periods)
                samples[name].append(time.perf_counter() - began)
        conn.rollback()
    return {n: statistics.median(v) for n, v in samples.items()}


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:9.1f}"


def main(argv: list[str] | None = None) -> int:
    """Time every case and print a table (milliseconds, medians)."""
    parser = argparse.ArgumentParser(prog="python -m bench.headline_live")
    parser.add_argument("--db", default=DEFAULT_DB)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--vendor", type=int, default=501, help="the shop (default the largest)")
    parser.add_argument("--tz", default="Asia/Shanghai")
    parser.add_argument("--only", help="comma-separated cases: home,30d,year")
    args = parser.parse_args(argv)
    engine = connect_engine(args.db, check=False)  # the app's session options (jit off)
    with engine.connect() as conn:
        as_of = conn.execute(sa.select(sa.func.max(s.orders.c.paid_at))).scalar_one()
    found = cases(as_of, args.tz)
    only = set(args.only.split(",")) if args.only else set(found)
    print(f"as of {as_of.isoformat()}, {args.runs} runs, medians in ms")
    print(
        f"{'subject':<12} {'case':<5} {'before':>9} {'plain+rep':>9} {'after':>9} {'plain':>9}"
        f" {'bef/pl+rep':>10} {'before/pl':>9} {'after/pl':>9}"
    )
    for subject, scope in ((f"vendor {args.vendor}", Scope(args.vendor)), ("mall", Scope.mall())):
        for case, periods in found.items():
            if case not in only:
                continue
            t = time_case(engine, scope, periods, args.runs)
            print(
                f"{subject:<12} {case:<5} {_ms(t['ours_repurchase'])} {_ms(t['plain_repurchase'])}"
                f" {_ms(t['ours'])} {_ms(t['plain'])}"
                f" {t['ours_repurchase'] / t['plain_repurchase']:10.2f}"
                f" {t['ours_repurchase'] / t['plain']:9.2f} {t['ours'] / t['plain']:9.2f}",
                flush=True,
            )
    engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
