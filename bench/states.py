"""`python -m bench.states`: the pages in the states a user meets, in one report.

    python -m bench.states [--db URL] [--runs N] [--pages home,sales,…]
                           [--findings bench/FINDINGS.md] [--out docs/performance.md]

On a demo mall already loaded with its rollups (`make bench` runs this after
`bench.refresh`, on `mallboard_bench_large`), the pages that read rollups are timed
cold (their query calls straight to `queries/`, as `bench.measure.time_page`) for the
largest shop, the median one and the mall, over the last 30 days and the last 365
days, both ending now (the data's last payment: today is read live), in four states:

- **nightly done**: the cut at today (yesterday is the last rolled day);
- **1 day behind**: the cut at yesterday, as before the nightly run;
- **3 days behind**: after a missed run; older than `ROLLUP_MAX_AGE_DAYS` (2), so the
  console does not read them and reads live — timed as it behaves;
- **no rollups**: every read live, what a platform without them meets, beside the plain
  hand-written SQL of the same figures (`bench.plain`): the one like-for-like ratio.

The cut is moved back by the refresh itself (`refresh(through=…)`, which replaces the
days from the look-back on) and forward again by the next refresh, whose time is the
"nightly refresh after a missed run". Rolled reads have no plain twin over the same
summary tables, so no ratio is given for them (a ratio against raw scans measures
nothing).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from bench.measure import PageResult, time_page
from bench.pages import PAGES
from bench.progress import progress
from bench.report import cold_target, within_plain
from bench.sections import write_section
from queries.core.periods import TimeRange, local_midnight
from queries.core.rls import STAFF, use_scope
from queries.rolled.coverage import read_rollups_up_to
from rollups.refresh import refresh

__all__ = ["HEADING", "main"]

HEADING = "## Pages in the states a user meets (issue 27)"
START, END = "<!-- bench.states: start -->", "<!-- bench.states: end -->"
ROLLED_PAGES = ("home", "sales", "members", "campaigns", "content", "settlements")
STATES = ("nightly done", "1 day behind", "3 days behind", "no rollups")
APP_MAX_AGE_DAYS = 2  # ROLLUP_MAX_AGE_DAYS's default: what the console reads


say = progress("bench.states")


@dataclass
class Row:
    """One page, subject, period and state: its cold median and p95, and its call ratios."""

    state: str
    result: PageResult


def _periods(as_of: datetime, tz: str) -> dict[str, TimeRange]:
    """The last 30 and 365 days up to now (one second after the data's last payment)."""
    zone = ZoneInfo(tz)
    today = as_of.astimezone(zone).date()
    now = as_of + timedelta(seconds=1)
    return {
        "30d": TimeRange(local_midnight(today - timedelta(days=29), zone), now, "custom"),
        "year": TimeRange(local_midnight(today - timedelta(days=364), zone), now, "custom"),
    }


def _move_cut(engine: sa.Engine, tz: str, through: date) -> float:
    """Refresh every family to `through` (back or forward); its seconds."""
    began = time.perf_counter()
    with use_scope(STAFF):
        runs = refresh(engine, tz=tz, through=through)
    failed = [r for r in runs if r.outcome != "ok"]
    if failed:
        raise SystemExit(f"refresh to {through} failed: {failed[0].message}")
    return time.perf_counter() - began


def measure(url: str, *, runs: int, pages: tuple[str, ...]) -> tuple[list[Row], dict]:
    """Time the pages in each state; the rows and facts about the run."""
    from bench.run import pick_subjects, quiet_streamlit
    from queries.core.db import connect_engine
    from queries.core.settings import load_settings, normalize_url

    url = normalize_url(url)
    os.environ["DATABASE_URL"] = url
    tz = load_settings().timezone
    quiet_streamlit()
    engine = connect_engine(url)
    with use_scope(STAFF), engine.connect() as conn:
        as_of, subjects = pick_subjects(conn, tz)
    today = datetime.now(ZoneInfo(tz)).date()
    periods = _periods(as_of, tz)
    chosen = [p for p in PAGES if p.name in pages]
    rows: list[Row] = []
    facts: dict = {"as_of": as_of, "today": today, "refresh": {}}
    cuts = {"nightly done": today, "1 day behind": today - timedelta(days=1)}
    cuts["3 days behind"] = today - timedelta(days=3)
    try:
        for state in STATES:
            if state in cuts:
                seconds = _move_cut(engine, tz, cuts[state])
                facts["refresh"][state] = seconds
                say(f"{state}: cut {cuts[state]} ({seconds:.1f} s)")
                read_rollups_up_to(APP_MAX_AGE_DAYS)
            else:
                read_rollups_up_to(-1)  # no rollups read: live
            for page in chosen:
                for subject in subjects:
                    for name, period in periods.items():
                        if page.period_free and name != "30d":
                            continue
                        with use_scope(STAFF):
                            result = time_page(
                                engine,
                                page,
                                subject=subject.key,
                                vendor_id=subject.vendor_id,
                                period=period,
                                period_name=name,
                                tz=tz,
                                runs=runs,
                                plain=state == "no rollups",
                                warm=False,
                            )
                        rows.append(Row(state, result))
                        say(f"{state} {page.name} {subject.key} {name}: {result.cold.median}")
        # Back to the nightly state: the refresh after a missed run.
        facts["refresh"]["after a missed run"] = _move_cut(engine, tz, today)
    finally:
        read_rollups_up_to(None)
        engine.dispose()
    facts["subjects"] = {s.key: s.vendor_id for s in subjects}
    return rows, facts


def _ms(seconds: float | None) -> str:
    return "—" if seconds is None else f"{seconds * 1000:,.0f}"


def report(rows: list[Row], facts: dict) -> list[str]:
    """The Markdown section."""
    lines = [
        START,
        HEADING,
        "",
        f"Generated by `python -m bench.states {facts.get('argv', '')}` on …/{facts['db']}, "
        f"{facts['finished']:%Y-%m-%d %H:%M %Z}; load average {facts['load'][0]} before, "
        f"{facts['load'][1]} after (two cores). Periods end now (the last payment, "
        f"{facts['as_of']:%Y-%m-%d %H:%M} UTC): today is read live in every state. Cold "
        "page data (the page's query calls, summed), median / p95 ms of the runs. "
        '"3 days behind" is older than `ROLLUP_MAX_AGE_DAYS` (2): the console reads '
        "live, as timed. The ratio is given for live reads only, against the plain SQL of "
        "the same figures (worst call: ours ÷ plain; within 1.2× or +5 ms).",
        "",
        "| page | subject | period | target | " + " | ".join(STATES) + " | live ÷ plain |",
        "|---|---|---|--:|" + "--:|" * len(STATES) + "---|",
    ]
    keyed = {(r.state, r.result.page, r.result.subject, r.result.period): r.result for r in rows}
    seen = []
    for r in rows:
        key = (r.result.page, r.result.subject, r.result.period)
        if key not in seen:
            seen.append(key)
    misses = []
    for page, subject, period in seen:
        target = cold_target(page, subject, period)
        cells = []
        for state in STATES:
            found = keyed.get((state, page, subject, period))
            if found is None:
                cells.append("—")
                continue
            if found.error:
                cells.append("error")
                continue
            p95 = found.cold.p95
            miss = target is not None and p95 is not None and p95 > target
            if miss:
                misses.append(f"{page} / {subject} / {period} / {state}")
            cell = f"{_ms(found.cold.median)} / {_ms(p95)}"
            cells.append(f"**{cell}**" if miss else cell)
        live = keyed.get(("no rollups", page, subject, period))
        lines.append(
            f"| {page} | {subject} | {period} | "
            f"{'report' if target is None else _ms(target)} | "
            + " | ".join(cells)
            + f" | {_ratio(live)} |"
        )
    refreshes = ", ".join(f"{k}: {v:.1f} s" for k, v in facts["refresh"].items())
    lines += [
        "",
        f"Refreshes that moved the cut: {refreshes}.",
        "",
        f"p95 over target (bold): {len(misses)} of "
        f"{sum(1 for r in rows if cold_target(r.result.page, r.result.subject, r.result.period))}"
        + (": " + "; ".join(misses) if misses else "")
        + ".",
        END,
    ]
    return lines


def _ratio(result: PageResult | None) -> str:
    """The worst call's ours ÷ plain of a live page, and whether all are within 1.2× / +5 ms."""
    if result is None or result.error:
        return "—"
    pairs = [
        (c.timing.median, c.plain.median)
        for c in result.calls
        if c.plain is not None and c.plain.median and c.timing.median is not None
    ]
    if not pairs:
        return "no twin"
    worst = max(pairs, key=lambda pair: pair[0] / pair[1])
    ok = all(within_plain(ours, plain) for ours, plain in pairs)
    return f"{worst[0] / worst[1]:.2f} ({'within' if ok else '**over**'})"


def _load() -> str:
    return f"{os.getloadavg()[0]:.1f}"


def main(argv: list[str] | None = None) -> int:
    """Measure, print the section and write it; 0 when it ran (targets are reported)."""
    from bench.run import default_url

    parser = argparse.ArgumentParser(prog="python -m bench.states", description=__doc__)
    parser.add_argument("--db", help="the loaded demo mall (default: the large bench database)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--pages", default=",".join(ROLLED_PAGES))
    parser.add_argument("--findings", default="bench/FINDINGS.md")
    parser.add_argument("--out", default="docs/performance.md")
    args = parser.parse_args(argv)
    url = args.db or default_url("large")
    load_before = _load()
    rows, facts = measure(url, runs=args.runs, pages=tuple(args.pages.split(",")))
    facts.update(
        finished=datetime.now().astimezone(),
        load=(load_before, _load()),
        db=sa.make_url(url).database,
        argv=f"--runs {args.runs}",
    )
    lines = report(rows, facts)
    print("\n".join(lines))  # noqa: T201 - the report
    for target in (args.findings, args.out):
        if target != "-":
            write_section(Path(target), lines, start=START, end=END, heading=HEADING)
            say(f"wrote the section in {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
