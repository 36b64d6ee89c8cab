"""`make bench`: time the console on a demo mall and write docs/performance.md.

    python -m bench.run [--scale large|medium|small|tiny] [--runs N] [--db URL]
                        [--out docs/performance.md] [--quick] [--budget SECONDS] …

Defaults are the issue's: the `large` demo on the local PostgreSQL
(`mallboard_bench_large`, created and loaded when missing, reused when it
already holds that scale), at least 20 runs per measurement, the `small` and
`medium` malls for growth, a synthetic 1,000,000-order statement. A database
holding other data is refused unless `--reload`. `--quick` is for the smoke
test: a 5,000-order synthetic statement, no growth, one render.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from bench import report
from bench.measure import PageResult, time_page, time_render
from bench.pages import PAGES
from queries.core import schema as s
from queries.core.periods import TimeRange, preset_range, range_from_dates

__all__ = ["Subject", "default_url", "ensure_demo", "main", "pick_subjects"]

SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432"
SCALE_NAMES = ("tiny", "small", "medium", "large")
GROWTH_SCALES = ("small", "medium", "large")
STATEMENT_ROWS, QUICK_STATEMENT_ROWS = 1_000_000, 5_000
_began = time.perf_counter()


def say(line: str) -> None:
    """Progress on stderr with the elapsed time."""
    sys.stderr.write(f"[{time.perf_counter() - _began:7.1f}s] {line}\n")
    sys.stderr.flush()


def quiet_streamlit() -> None:
    """Silence bare-mode warnings (no ScriptRunContext, memory cache) in the progress output."""
    import logging

    import streamlit  # noqa: F401 - creates its loggers

    for name in list(logging.root.manager.loggerDict):
        if name.startswith("streamlit"):
            logging.getLogger(name).setLevel(logging.ERROR)


def default_url(name: str) -> str:
    """The bench database of a scale (or of the synthetic statement) on the local server."""
    return f"{SERVER}/mallboard_bench_{name}"


def ensure_database(url: str) -> None:
    """Create the PostgreSQL database of `url` if it does not exist (SQLite creates itself)."""
    parsed = sa.make_url(url)
    if not parsed.drivername.startswith("postgresql"):
        return
    admin = sa.create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            found = conn.execute(
                sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": parsed.database}
            ).first()
            if not found:
                from psycopg import sql

                statement = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(parsed.database))
                with conn.connection.driver_connection.cursor() as cursor:
                    cursor.execute(statement)
    finally:
        admin.dispose()


def ensure_demo(url: str, scale: str, *, reload: bool = False, rollups: bool = True) -> str:
    """Make `url` hold the demo mall of `scale`: reuse it, load it, or refuse other data.

    With `rollups` the mall has the rollups (built when a reused mall lacks
    them), without it has none (dropped). Returns the rollups' `complete_before`, or "".
    """
    from demo.generate import SCALES, generate
    from demo.load import clear_all, has_data
    from queries.core.db import connect_engine
    from queries.core.schema import create_schema

    ensure_database(url)
    engine = connect_engine(url, check=False)
    try:
        create_schema(engine)
        with engine.connect() as conn:
            vendors = conn.execute(sa.select(sa.func.count()).select_from(s.vendors)).scalar_one()
            orders = conn.execute(sa.select(sa.func.count()).select_from(s.orders)).scalar_one()
            filled = has_data(conn)
        if filled and vendors == SCALES[scale].vendors and orders > 0:
            say(f"Reusing the {scale} demo mall ({orders:,} orders) at {_safe(url)}")
            return _rollups_for(engine, rollups)
        if filled and not reload:
            raise SystemExit(
                f"{_safe(url)} holds other data ({vendors} shops, {orders:,} orders), not the "
                f"{scale} demo mall; pass --reload to replace it, or --db another database."
            )
        if filled:
            with engine.begin() as conn:
                clear_all(conn)
        say(f"Loading the {scale} demo mall into {_safe(url)} …")
        generate(engine, scale=scale, seed=7, progress=say, rollups=rollups)
        if engine.dialect.name == "postgresql":
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                # A mall's tables are vacuumed by autovacuum; do it now so that it does
                # not start in the middle of the measurements (insert threshold).
                conn.execute(sa.text("VACUUM ANALYZE"))
        return _rollups_for(engine, rollups)
    finally:
        engine.dispose()


def _rollups_for(engine: sa.Engine, wanted: bool) -> str:
    """Build the rollups (up to the data's last payment day) or drop them, as asked.

    A mall missing one family (built by an earlier version) has them all rebuilt.
    """
    from queries.core.settings import load_settings
    from queries.finance.rolled_days import SETTLEMENTS
    from queries.rolled.campaigns import CAMPAIGNS
    from queries.rolled.content import CONTENT
    from queries.rolled.coverage import NAME, complete_before
    from queries.rolled.members import MEMBERS
    from rollups.build import build_rollups, drop_rollups

    tz = load_settings().timezone
    with engine.begin() as conn:
        names = (NAME, MEMBERS, CONTENT, CAMPAIGNS, SETTLEMENTS)
        cuts = {complete_before(conn, rollup=name, tz=tz) for name in names}
        before = cuts.pop() if len(cuts) == 1 else None
        if not wanted:
            drop_rollups(conn)
            return ""
        if before is None:
            last = conn.execute(sa.select(sa.func.max(s.orders.c.paid_at))).scalar_one()
            say("Building the P5 rollups …")
            before = last.astimezone(ZoneInfo(tz)).date()
            build_rollups(conn, tz=tz, complete_before=before)
    return before.isoformat()


def _safe(url: str) -> str:
    return sa.make_url(url).render_as_string(hide_password=True)


@dataclass(frozen=True)
class Subject:
    """Whose data a measurement reads: a vendor (with its paid orders in the year) or the mall."""

    key: str
    vendor_id: int | None
    orders: int


def pick_subjects(conn: sa.Connection, tz: str) -> tuple[datetime, list[Subject]]:
    """The data's "now" (the last payment) and the largest vendor, a median one and the mall."""
    o = s.orders
    # max() keeps the column's type: an aware UTC datetime on both databases.
    as_of = conn.execute(sa.select(sa.func.max(o.c.paid_at))).scalar_one()
    year = _periods(as_of, tz)["year"]
    counts = conn.execute(
        sa.select(o.c.vendor_id, sa.func.count().label("n"))
        .where(o.c.paid_at >= year.start, o.c.paid_at < year.end)
        .group_by(o.c.vendor_id)
        .order_by(sa.desc("n"), o.c.vendor_id)
    ).all()
    total = sum(int(n) for _, n in counts)
    largest = counts[0]
    median = counts[len(counts) // 2]
    return as_of, [
        Subject("largest", int(largest[0]), int(largest[1])),
        Subject("median", int(median[0]), int(median[1])),
        Subject("mall", None, total),
    ]


def _periods(as_of: datetime, tz: str) -> dict[str, TimeRange]:
    zone = ZoneInfo(tz)
    today = as_of.astimezone(zone).date()
    return {
        "30d": preset_range("last_30", as_of, zone),
        "year": range_from_dates(today - timedelta(days=365), today, zone, "custom"),
    }


def measure_pages(
    engine, subjects, periods, tz, *, runs, budget, min_runs=3, plain=True, warm=True, only=None
):
    """Every page (or those named in `only`) × subject × period (period-free pages: 30d)."""
    results: list[PageResult] = []
    for page in PAGES:
        if only and page.name not in only:
            continue
        for subject in subjects:
            for name, period in periods.items():
                if page.period_free and name != "30d":
                    continue
                result = time_page(
                    engine, page, subject=subject.key, vendor_id=subject.vendor_id,
                    period=period, period_name=name, tz=tz, runs=runs, budget=budget,
                    min_runs=min_runs, plain=plain, warm=warm,
                )  # fmt: skip
                cold = result.cold.median
                say(
                    f"{page.name:<12} {subject.key:<8} {name:<5} cold median "
                    + (f"{cold * 1000:8.1f} ms" if cold is not None else "   —")
                    + (f"  ERROR {result.error}" if result.error else "")
                )
                results.append(result)
    return results


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n")[0])
    parser.add_argument("--scale", choices=SCALE_NAMES, default="large")
    parser.add_argument("--runs", type=int, default=20, help="runs per measurement (default 20)")
    parser.add_argument("--db", help="database URL (default: mallboard_bench_<scale> on localhost)")
    parser.add_argument("--out", default="docs/performance.md")
    parser.add_argument("--quick", action="store_true", help="smoke test: tiny workbook, no growth")
    parser.add_argument("--budget", type=float, help="stop a measurement after SECONDS")
    parser.add_argument("--min-runs", type=int, default=3, help="runs made despite --budget")
    parser.add_argument("--reload", action="store_true", help="replace other data in --db")
    parser.add_argument("--workbook-db", help="database of the synthetic statement")
    parser.add_argument("--workbook-runs", type=int, help="runs per workbook job (default --runs)")
    parser.add_argument("--statement-rows", type=int, help="orders in the synthetic statement")
    parser.add_argument("--render-runs", type=int, help="warm AppTest renders (default --runs)")
    parser.add_argument("--growth-runs", type=int, help="runs per growth point (default --runs)")
    parser.add_argument(
        "--workbooks-file", help="reuse the workbook results saved in FILE (else run, then save)"
    )
    parser.add_argument("--no-workbooks", action="store_true")
    parser.add_argument("--no-render", action="store_true")
    parser.add_argument("--render-subjects", default="largest,mall", help="who renders pages")
    parser.add_argument("--no-month-end", action="store_true")
    parser.add_argument("--no-pages", action="store_true", help="skip the page data")
    parser.add_argument("--pages", help="only these pages' data, e.g. sales,home")
    parser.add_argument("--no-growth", action="store_true")
    parser.add_argument(
        "--without-rollups",
        action="store_true",
        help="drop the P5 rollups first: measure a database with the contract's tables only",
    )
    parser.add_argument("--note", action="append", default=[], help="a line for the report")
    parser.add_argument("--save-run", help="also pickle the measurements to FILE")
    parser.add_argument("--from-run", help="only rewrite the report from a --save-run FILE")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and write the report; 0 when it ran (targets are reported, not fatal)."""
    args = _parser().parse_args(argv)
    if args.from_run:  # re-render (e.g. after editing bench/FINDINGS.md), nothing measured
        import pickle

        report.write(Path(args.out), pickle.loads(Path(args.from_run).read_bytes()))  # noqa: S301
        say(f"wrote {args.out} from {args.from_run}")
        return 0
    from queries.core.db import connect_engine

    url = args.db or default_url(args.scale)
    rollups = ensure_demo(url, args.scale, reload=args.reload, rollups=not args.without_rollups)
    os.environ["DATABASE_URL"] = url  # dashboard.data wrappers read it through settings
    from queries.core.settings import load_settings

    tz = load_settings().timezone
    engine = connect_engine(url)
    with engine.connect() as conn:
        as_of, subjects = pick_subjects(conn, tz)
    periods = _periods(as_of, tz)
    run = report.BenchRun(
        scale=args.scale, url=_safe(url), dialect=engine.dialect.name, runs=args.runs,
        budget=args.budget, as_of=as_of, tz=tz, periods=periods, subjects=subjects,
        argv=list(argv if argv is not None else sys.argv[1:]), notes=list(args.note),
        rollups=rollups,
    )  # fmt: skip
    say(f"as of {as_of:%Y-%m-%d %H:%M} UTC; subjects {subjects}")
    import dashboard.caching  # noqa: F401 - its loggers exist before they are quieted

    quiet_streamlit()
    if not args.no_pages:
        run.pages = measure_pages(
            engine, subjects, periods, tz, runs=args.runs, budget=args.budget,
            min_runs=args.min_runs, only=args.pages.split(",") if args.pages else None,
        )  # fmt: skip
    run.database = report.database_info(engine)
    engine.dispose()
    if not args.no_render:
        renders = args.render_runs or args.runs
        chosen = PAGES[:1] if args.quick else PAGES
        with tempfile.TemporaryDirectory(prefix="mallboard-bench-render-") as folder:
            for page in chosen:
                for subject in subjects:
                    if subject.key not in args.render_subjects.split(","):
                        continue
                    result = time_render(
                        url, page, subject=subject.key, vendor_id=subject.vendor_id,
                        runs=renders, folder=Path(folder),
                    )  # fmt: skip
                    say(
                        f"render {result.page} {subject.key}: {result.timing.median} {result.error}"
                    )
                    run.renders.append(result)
    if not args.no_workbooks:
        run.workbooks = _saved_workbooks(args, url, as_of, tz, subjects[0])
    if not args.no_growth and not args.quick:
        run.growth = _growth(args, run, tz)
    run.machine = report.machine_info(url)
    run.finished = datetime.now().astimezone()
    report.write(Path(args.out), run)
    say(f"wrote {args.out}")
    if args.save_run:
        import pickle

        Path(args.save_run).write_bytes(pickle.dumps(run))
    return 0


def _saved_workbooks(args, url: str, as_of: datetime, tz: str, largest: Subject) -> dict:
    """The workbook results; with `--workbooks-file`, parts saved there earlier are reused.

    (The synthetic statement does not depend on the demo mall, so it can be measured
    in an earlier run; the report says when each part was measured.)
    """
    import pickle

    saved = Path(args.workbooks_file) if args.workbooks_file else None
    out: dict = {}
    if saved is not None and saved.exists():
        out = pickle.loads(saved.read_bytes())  # noqa: S301 - our own file from an earlier run
        say(f"workbook results reused from {saved}: {sorted(k for k in out if '_' not in k)}")
    _workbooks(args, url, as_of, tz, largest, out)
    if saved is not None:
        saved.write_bytes(pickle.dumps(out))
    return out


def _workbooks(args, url: str, as_of: datetime, tz: str, largest: Subject, out: dict) -> None:
    """The synthetic statement and the month-end run (the parts `out` lacks), beside plain."""
    from bench.workbooks import SYNTHETIC_MONTH, count_rows, ensure_synthetic, month_before

    runs = args.workbook_runs or args.runs
    wb_url = args.workbook_db or default_url("workbook")
    rows = args.statement_rows or (QUICK_STATEMENT_ROWS if args.quick else STATEMENT_ROWS)
    if "statement" not in out and sa.make_url(wb_url).drivername.startswith("postgresql"):
        ensure_database(wb_url)
        ensure_synthetic(wb_url, rows, say=say)
        first, end = SYNTHETIC_MONTH
        total = count_rows(wb_url, first, end, tz, 1)
        out["statement"] = _pairs("statement", wb_url, first, end, tz, total, runs, 1)
        out["statement_orders"] = rows
    if "month_end" not in out and not args.no_month_end:
        first, end = month_before(as_of.astimezone(ZoneInfo(tz)).date())
        total = count_rows(url, first, end, tz, None)
        out["month_end"] = _pairs("month-end", url, first, end, tz, total, runs, 0)
        out["month"] = (first, end)


def _pairs(job, url, first, end, tz, rows, runs, vendor_id) -> dict:
    """`runs` of the console's job and of the plain writer, alternating."""
    from bench.workbooks import run_job

    mine, plain = [], []
    for done in range(runs):
        mine.append(run_job(job, url, first, end, tz, rows, vendor_id))
        plain.append(run_job(f"plain-{job}", url, first, end, tz, rows, vendor_id))
        say(
            f"{job} run {done + 1}: {mine[-1].seconds:.1f} s ({mine[-1].peak_rss_mb:.0f} MB) "
            f"vs plain {plain[-1].seconds:.1f} s ({plain[-1].peak_rss_mb:.0f} MB)"
        )
    return {"rows": rows, "console": mine, "plain": plain, "at": datetime.now().astimezone()}


def _growth(args, run, tz: str) -> dict:
    """Cold page data of the largest vendor and the mall at each scale (this run's for its own)."""
    from queries.core.db import connect_engine

    runs = args.growth_runs or args.runs
    out: dict = {}
    for scale in GROWTH_SCALES:
        if scale == args.scale:
            out[scale] = (run.database["counts"]["orders"], run.pages)
            continue
        url = default_url(scale)
        ensure_demo(url, scale, rollups=not args.without_rollups)
        engine = connect_engine(url)
        with engine.connect() as conn:
            as_of, subjects = pick_subjects(conn, tz)
            orders = conn.execute(sa.select(sa.func.count()).select_from(s.orders)).scalar_one()
        chosen = [subjects[0], subjects[2]]
        say(f"growth: {scale} ({orders:,} orders)")
        pages = measure_pages(
            engine, chosen, _periods(as_of, tz), tz, runs=runs, budget=args.budget,
            min_runs=args.min_runs, plain=False, warm=False,
        )  # fmt: skip
        engine.dispose()
        out[scale] = (int(orders), pages)
    return out


if __name__ == "__main__":
    # Run the importable module's `main`, so that pickled results name `bench.run.Subject`.
    from bench.run import main as _main

    raise SystemExit(_main())
