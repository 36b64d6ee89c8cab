"""`python -m bench.refresh`: how long the rollup refresh takes, what it costs readers, its disk.

    python -m bench.refresh [--db URL] [--runs N] [--max-refreshes N] [--no-check]
                            [--findings bench/FINDINGS.md] [--out docs/performance.md]

On a demo mall already loaded (`make bench` runs this after `bench.run`, on the same
`mallboard_bench_large`; PostgreSQL only), with D0 = the day before the latest paid
order's local day in the platform timezone:
(a) a full rebuild `rollups.refresh.refresh(…, through=D0, rebuild=True)`, each family's
    seconds — on emptied tables (TRUNCATE first), as a platform's first build after
    migrating, so that the sizes below hold no dead rows of an earlier build;
(b) the nightly refresh: `through=D0+1`, one new day plus the look-back, per family, with
    the slowest statements (the `rollups/` function that sent each one);
(c) the same refresh again, which must change no row (each table's count and row-hash
    sum before and after, unless `--no-check`);
(d) `pg_total_relation_size` of every rollup table beside the contract's tables';
(e) the p95 of a few page reads (`bench.pages`: Home and Sales over 30 days, the largest
    shop and the whole mall) alone, then while nightly refreshes run in a thread beside
    them (a read counts when a refresh was running as it started).
It leaves the rollups cut at the latest paid order's day, as `bench.run` builds them.

The Markdown section (heading `HEADING`, between the `bench.refresh` markers) is printed,
and replaces its earlier copy in `--findings` and in `--out` (appended the first time);
`bench.run` copies bench/FINDINGS.md into docs/performance.md, so both stay one section.
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from bench import sections
from bench.measure import Timing
from bench.pages import PAGES
from bench.progress import progress
from queries.core.actors import Scope
from queries.core.rls import STAFF, use_scope
from rollups.families import FAMILIES
from rollups.refresh import FamilyRun, refresh

__all__ = ["HEADING", "Measured", "main", "measure", "report", "write_section"]

HEADING = "## Rollup refresh on the large mall (issue 27)"
START, END = "<!-- bench.refresh: start -->", "<!-- bench.refresh: end -->"
NIGHTLY_TARGET = 20.0  # seconds: the issue's nightly refresh, one day plus the look-back
READ_PAGES = ("home", "sales")  # the pages read beside a refresh, over 30 days
READ_SUBJECTS = ("largest", "mall")
ROOT = Path(__file__).resolve().parent.parent


say = progress("bench.refresh")


# --- the statements a refresh sends ---------------------------------------------------


@dataclass
class Statement:
    """One statement a refresh sent: its family, the rollups/ function, its first words."""

    family: str
    caller: str
    text: str
    seconds: float


class StatementLog:
    """Times every statement of an engine, tagged with the rollups/ function that sent it."""

    def __init__(self, engine: sa.Engine) -> None:
        self.statements: list[Statement] = []
        self.family = ""  # the family running now (the refresh's progress names the last one)
        self.recording = False
        sa.event.listen(engine, "before_cursor_execute", self._before)
        sa.event.listen(engine, "after_cursor_execute", self._after)

    def _before(self, conn, cursor, statement, parameters, context, executemany) -> None:
        conn.info.setdefault("bench_began", []).append(time.perf_counter())

    def _after(self, conn, cursor, statement, parameters, context, executemany) -> None:
        began = conn.info["bench_began"].pop()
        if self.recording:
            self.statements.append(Statement(self.family, _caller(), _first_words(statement), 0.0))
            self.statements[-1].seconds = time.perf_counter() - began


def _caller() -> str:
    """The innermost frame in rollups/ (not refresh.py): which step sent the statement."""
    frame = sys._getframe(2)
    while frame is not None:
        name = frame.f_code.co_filename
        if "/rollups/" in name and not name.endswith("/refresh.py"):
            return f"{Path(name).stem}.{frame.f_code.co_name}"
        frame = frame.f_back
    return "rollups.refresh"


def _first_words(statement: str) -> str:
    words = statement.split()
    if words and words[0].upper() in ("INSERT", "DELETE", "UPDATE", "ANALYZE"):
        return " ".join(words[:3])[:90]  # the verb and the table it writes
    return " ".join(words)[:60]


# --- what is measured -----------------------------------------------------------------


@dataclass
class Measured:
    """Everything one run measured."""

    d0: date
    tz: str
    rebuild: list[FamilyRun] = field(default_factory=list)
    nightly: list[FamilyRun] = field(default_factory=list)
    again: list[FamilyRun] = field(default_factory=list)
    nightly_statements: list[Statement] = field(default_factory=list)
    changed: list[str] | None = None  # tables a second refresh changed (None: not checked)
    sizes: list[tuple[str, str, int, int]] = field(default_factory=list)  # family, table, B, rows
    contract_bytes: int = 0
    alone: dict[tuple[str, str], Timing] = field(default_factory=dict)
    during: dict[tuple[str, str], Timing] = field(default_factory=dict)
    # the same reads by the family running as each started
    by_family: dict[tuple[str, str, str], Timing] = field(default_factory=dict)
    background: list[list[FamilyRun]] = field(default_factory=list)
    subjects: dict[str, int | None] = field(default_factory=dict)


def _qualified(table: sa.Table) -> str:
    return f"{table.schema}.{table.name}" if table.schema else table.name


def _empty_rollups(engine: sa.Engine) -> None:
    """TRUNCATE every family's table and the state (a first build after migrating)."""
    from queries.rolled.coverage import rollup_state

    names = [_qualified(t) for f in FAMILIES for t in f.tables] + [_qualified(rollup_state)]
    with engine.begin() as conn:  # fixed names from the table definitions, never input
        conn.exec_driver_sql("TRUNCATE " + ", ".join(names))


def _fingerprints(engine: sa.Engine) -> dict[str, tuple[int, int]]:
    """Each rollup table's row count and the sum of its rows' hashes (a content check)."""
    found = {}
    with engine.connect() as conn:
        for family in FAMILIES:
            for table in family.tables:
                row = conn.exec_driver_sql(
                    "SELECT count(*), coalesce(sum(hashtextextended(t::text, 0)), 0) "
                    f"FROM {_qualified(table)} t"
                ).one()
                found[table.name] = (int(row[0]), int(row[1]))
        conn.rollback()
    return found


def _sizes(engine: sa.Engine, measured: Measured) -> None:
    with engine.connect() as conn:
        for family in FAMILIES:
            for table in family.tables:
                size, rows = conn.execute(
                    sa.text(
                        "SELECT pg_total_relation_size(c.oid), greatest(c.reltuples, 0)::bigint "
                        "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                        "WHERE n.nspname = :schema AND c.relname = :name"
                    ),
                    {"schema": table.schema or "public", "name": table.name},
                ).one()
                measured.sizes.append((family.name, table.name, int(size), int(rows)))
        measured.contract_bytes = int(
            conn.execute(
                sa.text(
                    "SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0) FROM pg_class c "
                    "JOIN pg_namespace n ON n.oid = c.relnamespace "
                    "WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'm')"
                )
            ).scalar_one()
        )


def _read_once(engine, page, vendor_id, period, tz) -> float:
    """One cold read of a page's calls on a connection of its own (as `make bench`)."""
    scope = Scope(vendor_id)
    with use_scope(STAFF), engine.connect() as conn:
        began = time.perf_counter()
        for call in page.calls_for(scope):
            call.read(conn, scope, period, tz)
        spent = time.perf_counter() - began
        conn.rollback()
    return spent


def _reads(measured: Measured):
    pages = {p.name: p for p in PAGES}
    for subject in READ_SUBJECTS:
        for name in READ_PAGES:
            yield (subject, name), pages[name], measured.subjects[subject]


class Running:
    """Which family a refresh is at now ("" between refreshes): set from its progress."""

    def __init__(self) -> None:
        self.family = ""


def _timed(refresh_engine: sa.Engine, now: Running | StatementLog | None, **kw) -> list[FamilyRun]:
    """`refresh(**kw)` as the staff, telling `now` which family runs (the progress line
    comes after each family)."""
    names = iter([f.name for f in FAMILIES[1:]] + [""])
    if now is not None:
        now.family = FAMILIES[0].name

    def progress(line: str) -> None:
        say("  " + line)
        if now is not None:
            now.family = next(names)

    with use_scope(STAFF):
        return refresh(refresh_engine, progress=progress, **kw)


def measure(
    url: str, *, runs: int = 20, max_refreshes: int = 5, check: bool = True
) -> tuple[Measured, dict]:
    """Run (a)–(e) on the database at `url`; the measurements and facts about the run."""
    from bench.run import _periods, pick_subjects, quiet_streamlit
    from queries.console.migrate import upgrade
    from queries.core.db import connect_engine
    from queries.core.settings import load_settings, normalize_url

    url = normalize_url(url)
    os.environ["DATABASE_URL"] = url  # the settings (timezone) and any wrapper read it
    tz = load_settings().timezone
    quiet_streamlit()
    refresher = connect_engine(url)
    reader = connect_engine(url)
    if refresher.dialect.name != "postgresql":
        raise SystemExit(
            "bench.refresh measures PostgreSQL (pg_total_relation_size): --db postgresql://…"
        )
    try:
        upgrade(refresher)  # the console's tables, the rollups' among them
        with use_scope(STAFF), reader.connect() as conn:
            as_of, picked = pick_subjects(conn, tz)
            facts = {
                "version": conn.execute(sa.text("SHOW server_version")).scalar_one(),
                "orders": conn.execute(sa.text("SELECT count(*) FROM orders")).scalar_one(),
                "as_of": as_of,
            }
        last_day = as_of.astimezone(ZoneInfo(tz)).date()
        measured = Measured(d0=last_day - timedelta(days=1), tz=tz)
        measured.subjects = {p.key: p.vendor_id for p in picked}
        d0 = measured.d0
        log = StatementLog(refresher)

        say(f"(a) full rebuild through {d0} on emptied tables …")
        _empty_rollups(refresher)
        measured.rebuild = _timed(refresher, None, tz=tz, through=d0, rebuild=True)
        say(f"(b) nightly refresh through {d0 + timedelta(days=1)} …")
        log.recording = True
        measured.nightly = _timed(refresher, log, tz=tz, through=d0 + timedelta(days=1))
        log.recording = False
        measured.nightly_statements = list(log.statements)
        before = _fingerprints(refresher) if check else None
        say("(c) the same refresh again …")
        measured.again = _timed(refresher, None, tz=tz, through=d0 + timedelta(days=1))
        if before is not None:
            after = _fingerprints(refresher)
            measured.changed = sorted(t for t in before if before[t] != after.get(t))
        say("(d) sizes …")
        _sizes(refresher, measured)
        period = _periods(as_of, tz)["30d"]
        say(f"(e) page reads alone ({runs} rounds) …")
        _read_alone(reader, measured, period, tz, runs)
        say("(e) page reads beside nightly refreshes …")
        _read_during(refresher, reader, measured, period, tz, runs, max_refreshes)
        facts["last_day"] = last_day
    finally:
        reader.dispose()
        refresher.dispose()
    return measured, facts


def _read_alone(reader, measured: Measured, period, tz: str, runs: int) -> None:
    reads = list(_reads(measured))
    for done in range(runs + 1):  # the first round warms the buffers, unrecorded
        for key, page, vendor_id in reads:
            spent = _read_once(reader, page, vendor_id, period, tz)
            if done:
                measured.alone.setdefault(key, Timing()).add(spent)


def _read_during(refresher, reader, measured, period, tz, runs, max_refreshes) -> None:
    """Reads back to back while nightly refreshes run in a thread, until every read has
    `runs` samples and the refresh under way has finished (a whole refresh at least)."""
    now, enough = Running(), threading.Event()
    failure: list[BaseException] = []
    through = measured.d0 + timedelta(days=1)

    def background() -> None:
        try:
            while not enough.is_set() and len(measured.background) < max_refreshes:
                measured.background.append(_timed(refresher, now, tz=tz, through=through))
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            failure.append(exc)
        finally:
            now.family = ""

    thread = threading.Thread(target=background, name="bench-refresh", daemon=True)
    thread.start()
    reads = list(_reads(measured))
    try:
        while thread.is_alive():
            for key, page, vendor_id in reads:
                family = now.family
                spent = _read_once(reader, page, vendor_id, period, tz)
                if family:
                    measured.during.setdefault(key, Timing()).add(spent)
                    measured.by_family.setdefault((*key, family), Timing()).add(spent)
            if all(measured.during.get(k, Timing()).n >= runs for k, _, _ in reads):
                enough.set()  # the refresh under way finishes; no other starts
    finally:
        enough.set()
        thread.join()
    if failure:
        raise failure[0]


# --- the report -----------------------------------------------------------------------


def _s(seconds: float | None) -> str:
    return "—" if seconds is None else f"{seconds:,.1f}"


def _ms(seconds: float | None) -> str:
    return "—" if seconds is None else f"{seconds * 1000:,.0f}"


def _mb(size: int) -> str:
    return f"{size / 1e6:,.0f}" if size >= 1e6 else f"{size / 1e6:,.2f}"


def _by_family(runs: list[FamilyRun]) -> dict[str, FamilyRun]:
    return {r.name: r for r in runs}


def _total(runs: list[FamilyRun]) -> float:
    return sum(r.seconds for r in runs)


def _verdict(ok: bool) -> str:
    return "met" if ok else "**NOT met**"


def report(measured: Measured, facts: dict) -> list[str]:
    """The Markdown section, between its markers."""
    from bench.report import cold_target

    d0, next_day = measured.d0, measured.d0 + timedelta(days=1)
    rebuilt, nightly, again = (
        _by_family(measured.rebuild), _by_family(measured.nightly), _by_family(measured.again)
    )  # fmt: skip
    failed = [r for r in measured.rebuild + measured.nightly + measured.again if r.outcome != "ok"]
    first = measured.nightly[0].start if measured.nightly else None
    lines = [
        START,
        HEADING,
        "",
        f"Measured {facts['finished']:%Y-%m-%d %H:%M} by `python -m bench.refresh "
        f"{facts['argv']}` on `{facts['db']}` ({facts['orders']:,} orders, latest payment "
        f"{facts['as_of']:%Y-%m-%d %H:%M} UTC = local day {facts['last_day']} in {measured.tz}; "
        f"PostgreSQL {facts['version']}; {os.cpu_count()} cores, load average "
        f"{facts['load'][0]} at the start, {facts['load'][1]} at the end). D0 = {d0}: "
        f"(a) a full rebuild through D0 (exclusive) on emptied tables, as a first build after "
        f"migrating; (b) the nightly refresh through {next_day}: the new day {d0} and the "
        f"look-back (days from {first or '—'}); (c) the same refresh again. "
        f"Seconds per family (`rollups.refresh.FamilyRun`).",
        "",
        "| family | (a) rebuild (s) | rows | (b) nightly (s) | (c) again (s) |",
        "|---|--:|--:|--:|--:|",
    ]
    for family in FAMILIES:
        a, b, c = rebuilt.get(family.name), nightly.get(family.name), again.get(family.name)
        lines.append(
            f"| {family.name} | {_s(a and a.seconds)} | {a.rows if a else 0:,} | "
            f"{_s(b and b.seconds)} | {_s(c and c.seconds)} |"
        )
    nightly_total = _total(measured.nightly)
    lines += [
        f"| **all** | **{_s(_total(measured.rebuild))}** | "
        f"{sum(r.rows for r in measured.rebuild):,} | **{_s(nightly_total)}** | "
        f"**{_s(_total(measured.again))}** |",
        "",
        f"Nightly refresh ≤ {NIGHTLY_TARGET:.0f} s: {_verdict(nightly_total <= NIGHTLY_TARGET)} "
        f"({nightly_total:,.1f} s). Rows are the planner's estimates after each family's ANALYZE.",
    ]
    if failed:
        lines += ["", "Failed: " + "; ".join(f"{r.name}: {r.message}" for r in failed) + "."]
    if measured.changed is None:
        lines += ["", "(c) was not checked for changed rows (`--no-check`)."]
    elif measured.changed:
        lines += ["", "(c) **changed rows** of: " + ", ".join(measured.changed) + "."]
    else:
        lines += [
            "",
            "(c) changed no row: every rollup table's count and sum of row hashes "
            "(`hashtextextended(t::text, 0)`) equal before and after.",
        ]
    lines += _statement_lines(measured.nightly_statements)
    lines += _size_lines(measured)
    lines += [
        "",
        "Page reads (`bench.pages`' calls, cold, one connection each, as `make bench` times "
        "them) over the 30 days to the latest payment; alone: "
        f"{len(next(iter(measured.alone.values())).samples) if measured.alone else 0} rounds "
        "after one unrecorded; beside: back to back, from the start to the end of "
        f"{len(measured.background)} whole nightly refresh(es) (through {next_day}, in a "
        "thread on connections of its own), the reads that started while a family was being "
        "refreshed. Targets: `bench.report.cold_target`.",
        "",
        "| read | target (ms) | alone median | alone p95 | beside median | beside p95 | n beside "
        "| p95 beside within target |",
        "|---|--:|--:|--:|--:|--:|--:|---|",
    ]
    for (subject, page), alone in measured.alone.items():
        during = measured.during.get((subject, page), Timing())
        target = cold_target(page, subject, "30d")
        vendor = measured.subjects.get(subject)
        label = f"{page}, {'shop #' + str(vendor) if vendor is not None else 'whole mall'}"
        ok = "—" if target is None or during.p95 is None else _verdict(during.p95 <= target)
        lines.append(
            f"| {label} | {_ms(target)} | {_ms(alone.median)} | {_ms(alone.p95)} | "
            f"{_ms(during.median)} | {_ms(during.p95)} | {during.n} | {ok} |"
        )
    if measured.background:
        times = ", ".join(f"{_total(runs):,.1f}" for runs in measured.background)
        lines += ["", f"The refreshes beside the reads took {times} s."]
    lines += _family_read_lines(measured)
    lines.append(END)
    return lines


def _family_read_lines(measured: Measured) -> list[str]:
    """The reads beside a refresh by the family it was at: p95 in ms (reads)."""
    families = [f.name for f in FAMILIES if any(k[2] == f.name for k in measured.by_family)]
    if not families:
        return []
    lines = [
        "",
        "The same reads by the family the refresh was at when each started: p95 ms (reads).",
        "",
        "| read | " + " | ".join(families) + " |",
        "|---|" + "--:|" * len(families),
    ]
    for subject, page in measured.alone:
        cells = []
        for family in families:
            found = measured.by_family.get((subject, page, family))
            cells.append("—" if found is None else f"{_ms(found.p95)} ({found.n})")
        lines.append(f"| {page}, {subject} | " + " | ".join(cells) + " |")
    return lines


def _statement_lines(statements: list[Statement], top: int = 6) -> list[str]:
    if not statements:
        return []
    lines = [
        "",
        f"The nightly refresh's slowest statements (of {len(statements)}; the `rollups/` "
        "function that sent each):",
        "",
        "| family | sent by | statement | s |",
        "|---|---|---|--:|",
    ]
    for st in sorted(statements, key=lambda x: -x.seconds)[:top]:
        lines.append(f"| {st.family} | `{st.caller}` | `{st.text}` | {st.seconds:,.2f} |")
    return lines


def _size_lines(measured: Measured) -> list[str]:
    total = sum(size for _, _, size, _ in measured.sizes)
    contract = measured.contract_bytes
    ratio = total / contract if contract else 0.0
    lines = [
        "",
        "(d) Disk after (a)–(c), `pg_total_relation_size` (table, indexes, TOAST), largest first:",
        "",
        "| family | table | MB | share | rows |",
        "|---|---|--:|--:|--:|",
    ]
    for family, table, size, rows in sorted(measured.sizes, key=lambda x: -x[2]):
        share = f"{size / total:.0%}" if total else "—"
        lines.append(f"| {family} | {table} | {_mb(size)} | {share} | {rows:,} |")
    families: dict[str, int] = {}
    for family, _, size, _ in measured.sizes:
        families[family] = families.get(family, 0) + size
    per_family = ", ".join(
        f"{name} {_mb(size)} MB" for name, size in sorted(families.items(), key=lambda x: -x[1])
    )
    top = sorted(measured.sizes, key=lambda x: -x[2])[:3]
    top_share = sum(s for _, _, s, _ in top) / total if total else 0.0
    lines += [
        f"| **all rollups** | | **{_mb(total)}** | | |",
        f"| **the contract's tables** (schema public) | | **{_mb(contract)}** | | |",
        "",
        f"Per family: {per_family}. All rollups ≤ the contract's data: "
        f"{_verdict(total <= contract)} ({ratio:.1f}×); the three largest tables "
        f"({', '.join(t for _, t, _, _ in top)}) hold {top_share:.0%} of it.",
    ]
    return lines


def write_section(path: Path, lines: list[str]) -> None:
    """Replace this section in `path` (between its markers, else from its heading to the
    next heading or marker), or append it."""
    sections.write_section(path, lines, start=START, end=END, heading=HEADING)


def _shown(arg: str) -> str:
    """An argument as the report shows it: a URL by its database name only."""
    return f"…/{sa.make_url(arg).database}" if "://" in arg else arg


def _load() -> str:
    try:
        return Path("/proc/loadavg").read_text().split()[0]
    except OSError:
        return "?"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bench.refresh", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--db", help="database URL (default: mallboard_bench_large)")
    parser.add_argument("--runs", type=int, default=20, help="reads of each kind (default 20)")
    parser.add_argument(
        "--max-refreshes", type=int, default=5, help="refreshes at most beside the reads"
    )
    parser.add_argument("--no-check", action="store_true", help="skip (c)'s changed-rows check")
    parser.add_argument("--findings", default=str(ROOT / "bench" / "FINDINGS.md"), help="'-': none")
    parser.add_argument("--out", default=str(ROOT / "docs" / "performance.md"), help="'-': none")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Measure, print the section and write it; 0 when it ran (targets are reported)."""
    from bench.run import default_url

    args = _parser().parse_args(argv)
    url = args.db or default_url("large")
    load_before = _load()
    measured, facts = measure(
        url, runs=args.runs, max_refreshes=args.max_refreshes, check=not args.no_check
    )
    facts.update(
        finished=datetime.now().astimezone(),
        load=(load_before, _load()),
        db=sa.make_url(url).database,
        argv=" ".join(_shown(a) for a in (argv if argv is not None else sys.argv[1:])),
    )
    lines = report(measured, facts)
    print("\n".join(lines))  # noqa: T201 - the report
    for target in (args.findings, args.out):
        if target != "-":
            write_section(Path(target), lines)
            say(f"wrote the section in {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
