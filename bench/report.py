"""docs/performance.md from one benchmark run: machine, database, timings, targets, growth plot.

Every number in the report is from the run that wrote it; the findings and
proposals (bench/FINDINGS.md, written by hand after reading the plans) follow
the generated part verbatim. The growth plot is a small hand-written SVG
beside the report (no plotting dependency).
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import sqlalchemy as sa

from queries.core.schema import metadata

__all__ = ["BenchRun", "database_info", "machine_info", "write"]

FINDINGS = Path(__file__).with_name("FINDINGS.md")
# (vendor or mall, period) → cold p95 target in seconds (issue 8).
COLD_TARGETS = {("vendor", "30d"): 0.3, ("mall", "30d"): 1.5, ("vendor", "year"): 1.0}
COLD_TARGETS[("mall", "year")] = 3.0
WARM_TARGET = 0.05
REPORT_ONLY = {("members", "mall", "year"), ("content", "mall", "year")}
SUBJECT_LABELS = {"largest": "largest vendor", "median": "median vendor", "mall": "whole mall"}


@dataclass
class BenchRun:
    """Everything one run measured."""

    scale: str
    url: str
    dialect: str
    runs: int
    budget: float | None
    as_of: datetime
    tz: str
    periods: dict
    subjects: list
    argv: list[str]
    notes: list[str] = field(default_factory=list)
    pages: list = field(default_factory=list)
    renders: list = field(default_factory=list)
    workbooks: dict = field(default_factory=dict)
    growth: dict = field(default_factory=dict)
    database: dict = field(default_factory=dict)
    machine: dict = field(default_factory=dict)
    started: datetime = field(default_factory=lambda: datetime.now().astimezone())
    finished: datetime | None = None
    load_at_start: str = field(default_factory=lambda: _loadavg())
    rollups: str = ""  # the rollups the pages read: "" = none (the contract's tables only)


def _loadavg() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "?"


def database_info(engine: sa.Engine) -> dict:
    """Size on disk (PostgreSQL), server version and every contract table's row count."""
    info: dict = {"counts": {}}
    with engine.connect() as conn:
        for table in metadata.sorted_tables:
            info["counts"][table.name] = conn.execute(
                sa.select(sa.func.count()).select_from(table)
            ).scalar_one()
        if engine.dialect.name == "postgresql":
            info["size"] = conn.execute(
                sa.text("SELECT pg_size_pretty(pg_database_size(current_database()))")
            ).scalar_one()
            info["version"] = conn.execute(sa.text("SHOW server_version")).scalar_one()
            for name in ("shared_buffers", "work_mem", "effective_cache_size", "jit"):
                info[name] = conn.execute(sa.text(f"SHOW {name}")).scalar_one()  # fixed names
        else:
            path = engine.url.database or ""
            info["size"] = (
                f"{os.path.getsize(path) / 2**20:.0f} MB" if os.path.exists(path) else "?"
            )
            info["version"] = "SQLite " + conn.exec_driver_sql("select sqlite_version()").scalar()
    return info


def machine_info(url: str) -> dict:
    """Cores, memory, CPU model, load average."""
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        kib = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f"{kib / 2**20:.1f} GiB"
    except (OSError, ValueError, IndexError):
        memory = "?"
    nproc = subprocess.run(["nproc"], capture_output=True, text=True, check=False).stdout.strip()
    return {"nproc": nproc or str(os.cpu_count()), "memory": memory, "cpu": cpu, "load": _loadavg()}


def _ms(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    return f"{seconds * 1000:,.0f}" if seconds >= 0.1 else f"{seconds * 1000:,.1f}"


def _kind(subject: str) -> str:
    return "mall" if subject == "mall" else "vendor"


def cold_target(page: str, subject: str, period: str) -> float | None:
    """The cold p95 target in seconds, or None where the issue asks for a report only."""
    if (page, _kind(subject), period) in REPORT_ONLY:
        return None
    return COLD_TARGETS[(_kind(subject), period)]


def _verdict(ok: bool | None) -> str:
    return "—" if ok is None else ("pass" if ok else "**MISS**")


def within_plain(query: float | None, plain: float | None) -> bool | None:
    """At most 1.2 × the plain SQL, or the plain time + 5 ms."""
    if query is None or plain is None:
        return None
    return query <= max(1.2 * plain, plain + 0.005)


def _subject_name(run: BenchRun, key: str) -> str:
    for subject in run.subjects:
        if subject.key == key:
            return SUBJECT_LABELS[key] + (
                "" if subject.vendor_id is None else f" #{subject.vendor_id}"
            )
    return key


def _head(run: BenchRun) -> list[str]:
    db, m = run.database, run.machine
    counts = db.get("counts", {})
    lines = [
        "# Performance at mall scale",
        "",
        "Generated by `make bench` (`python -m bench.run "
        + " ".join(run.argv)
        + f"`), {run.started:%Y-%m-%d %H:%M %Z} – "
        + (f"{run.finished:%H:%M %Z}" if run.finished else "?")
        + ". Rerun it to refresh every number; the findings at the end are written by hand.",
        "",
        "Cold = the page's query calls straight to `queries/` (nothing from Streamlit's cache; "
        "the database's own cache warmed by one unrecorded run). Warm = the page's cached "
        "`dashboard.data` read served from Streamlit's cache. Times in milliseconds; p95 is the "
        "nearest-rank 95th percentile.",
        "",
        "## Machine and database",
        "",
        f"- {m.get('nproc', '?')} cores ({m.get('cpu', '?')}), {m.get('memory', '?')} memory; "
        f"load average {run.load_at_start} at the start, {m.get('load', '?')} at the end "
        "(the machine was shared with other work while this ran).",
        f"- {db.get('version', '?')}; "
        + ", ".join(
            f"{k} {db[k]}"
            for k in ("shared_buffers", "work_mem", "effective_cache_size", "jit")
            if k in db
        ),
        f"- Database `{run.url}` ({run.scale} demo): {db.get('size', '?')} on disk.",
        f"- Data as of {run.as_of:%Y-%m-%d %H:%M} UTC (the last payment); timezone {run.tz}.",
        "- "
        + (
            f"Sales, member, content and campaign rollups (proposal P5) present, complete "
            f"before {run.rollups}: Home, Sales, Members and Content read their whole days "
            "from them and the rest live, Campaigns the orders paid before the cut; the "
            "plain twins read live."
            if getattr(run, "rollups", "")
            else "No rollups: the contract's tables only; every page reads live."
        ),
        f"- Runs per measurement: {run.runs}; a page's cold and warm data are always "
        f"timed {run.runs} times (cold: its calls alone, in its own order)"
        + (
            f"; each call beside its plain twin is timed in pairs that stopped once "
            f"they had taken {run.budget:.0f} s"
            if run.budget
            else ""
        )
        + "; the number of runs actually made is in each table's `n` column (a call with a "
        "plain twin: pairs in both orders, half of them right after its twin).",
        *(f"- {note}" for note in run.notes),
        "",
        "| table | rows |",
        "|---|---:|",
        *(f"| {name} | {count:,} |" for name, count in counts.items()),
        "",
        "Subjects: "
        + "; ".join(
            f"{SUBJECT_LABELS[s.key]}{'' if s.vendor_id is None else f' #{s.vendor_id}'} "
            f"({s.orders:,} paid orders in the year)"
            for s in run.subjects
        )
        + ". Periods: "
        + "; ".join(
            f"{k} = [{p.start:%Y-%m-%d %H:%M}, {p.end:%Y-%m-%d %H:%M}) UTC"
            for k, p in run.periods.items()
        )
        + ". Home and Products ignore the period (Home: today / 7 days / this month and the "
        "30-day trend; Products: the first page of the list) and are measured once.",
        "",
    ]
    return lines


def _page_rows(run: BenchRun) -> tuple[list[str], list[tuple[str, bool]]]:
    lines = [
        "## The data each page needs",
        "",
        "| page | subject | period | n | cold median | cold p95 | target | | warm median | "
        "warm p95 | | cold via wrapper (1st call) |",
        "|---|---|---|---:|---:|---:|---:|---|---:|---:|---|---:|",
    ]
    verdicts: list[tuple[str, bool]] = []
    for r in run.pages:
        name = f"{r.page} · {_subject_name(run, r.subject)} · {r.period}"
        if r.error:
            lines.append(f"| {r.page} | {_subject_name(run, r.subject)} | {r.period} | "
                         f"{r.cold.n} | error: {r.error} |||||||||")  # fmt: skip
            verdicts.append((name + " (error)", False))
            continue
        target = cold_target(r.page, r.subject, r.period)
        cold_ok = None if target is None or r.cold.p95 is None else r.cold.p95 <= target
        warm_ok = None if r.warm.p95 is None else r.warm.p95 <= WARM_TARGET
        if cold_ok is not None:
            verdicts.append((f"{name}: cold p95 {_ms(r.cold.p95)} ms ≤ {_ms(target)} ms", cold_ok))
        if warm_ok is not None:
            verdicts.append((f"{name}: warm p95 {_ms(r.warm.p95)} ms ≤ 50 ms", warm_ok))
        lines.append(
            f"| {r.page} | {_subject_name(run, r.subject)} | {r.period} | {r.cold.n} | "
            f"{_ms(r.cold.median)} | {_ms(r.cold.p95)} | "
            f"{'report only' if target is None else _ms(target)} | {_verdict(cold_ok)} | "
            f"{_ms(r.warm.median)} | {_ms(r.warm.p95)} | {_verdict(warm_ok)} | "
            f"{_ms(r.wrapper_cold)} |"
        )
    return lines + [""], verdicts


def _call_rows(run: BenchRun) -> tuple[list[str], list[tuple[str, bool]]]:
    lines = [
        "## Each query beside the plainest hand-written SQL",
        "",
        "The plain SQL (`bench/plain.py`) computes the same figures with `text()` and returns "
        "raw rows; it runs beside the query on the same connection in every run, the two "
        "taking turns going first (n counts both orders). Target: "
        "query median ≤ 1.2 × plain median, or ≤ plain + 5 ms. Calls without a plain twin show —.",
        "",
        "| query | subject | period | n | query median | query p95 | plain median | ratio | |",
        "|---|---|---|---:|---:|---:|---:|---:|---|",
    ]
    verdicts = []
    for r in run.pages:
        for c in r.calls:
            if not c.timing.n:
                continue
            plain = c.plain.median if c.plain and c.plain.n else None
            ratio = c.timing.median / plain if plain else None
            ok = within_plain(c.timing.median, plain)
            if ok is not None:
                verdicts.append(
                    (f"{c.name} · {_subject_name(run, r.subject)} · {r.period}: "
                     f"{_ms(c.timing.median)} ms vs plain {_ms(plain)} ms", ok)
                )  # fmt: skip
            lines.append(
                f"| {c.name} | {_subject_name(run, r.subject)} | {r.period} | {c.timing.n} | "
                f"{_ms(c.timing.median)} | {_ms(c.timing.p95)} | {_ms(plain)} | "
                f"{'—' if ratio is None else f'{ratio:.2f}'} | {_verdict(ok)} |"
            )
    return lines + [""], verdicts


def _render_rows(run: BenchRun) -> list[str]:
    if not run.renders:
        return []
    lines = [
        "## Full page render with AppTest (warm)",
        "",
        "The real entry script logged in (`tests/apptest.py`), the page opened once (first run, "
        "cold cache, not counted), then rerun: every read is served from Streamlit's cache, so "
        "this is the cost of drawing the page. Pages at their default filters.",
        "",
        "| page file | subject | n | first run | warm median | warm p95 |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for r in run.renders:
        if r.error:
            lines.append(f"| {r.page} | {_subject_name(run, r.subject)} | {r.timing.n} | "
                         f"error: {r.error} |||")  # fmt: skip
            continue
        lines.append(
            f"| {r.page} | {_subject_name(run, r.subject)} | {r.timing.n} | {_ms(r.first)} | "
            f"{_ms(r.timing.median)} | {_ms(r.timing.p95)} |"
        )
    return lines + [""]


def _median(values: list[float]) -> float:
    ordered = sorted(values)
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2


def _workbook_rows(run: BenchRun) -> tuple[list[str], list[tuple[str, bool]]]:
    wb = run.workbooks
    if not wb:
        return [], []
    lines = [
        "## Settlement workbooks",
        "",
        "Each run in its own process; peak memory is that process's maximum resident set "
        "(its `VmHWM`, Python and libraries included). The plain writer is a hand-written SQL "
        "cursor streamed cell by cell (`write_string`, `write_datetime`, `write_number`) "
        "into xlsxwriter in constant-memory mode with the same rows and formats, run "
        "alternately with the console's writer. Rows = order rows + "
        "refund rows. `n` = runs of each writer; the time each pair of jobs finished is "
        "in the last column.",
        "",
        "| workbook | rows | writer | n | median s | rows/s (median) | peak MB (max) | "
        "throughput vs plain | | measured |",
        "|---|---:|---|---:|---:|---:|---:|---:|---|---|",
    ]
    verdicts = []
    labels = {
        "statement": f"synthetic statement, {wb.get('statement_orders', 0):,} orders",
        "month_end": "month-end run, every vendor " + (
            f"({wb['month'][0]} – {wb['month'][1]})" if "month" in wb else ""
        ),
    }  # fmt: skip
    for key, label in labels.items():
        if key not in wb:
            continue
        pair = wb[key]
        mine = _median([r.seconds for r in pair["console"]])
        plain = _median([r.seconds for r in pair["plain"]])
        rows = pair["rows"]
        share = plain / mine if mine else None  # (rows/mine) ÷ (rows/plain)
        peak = max(r.peak_rss_mb for r in pair["console"])
        plain_peak = max(r.peak_rss_mb for r in pair["plain"])
        ok_speed = share is not None and share >= 0.8
        ok_memory = peak < 300
        verdicts.append((f"{label}: throughput {share:.2f} × plain ≥ 0.8", ok_speed))
        verdicts.append((f"{label}: peak memory {peak:.0f} MB < 300 MB", ok_memory))
        n = len(pair["console"])
        lines.append(
            f"| {label} | {rows:,} | console | {n} | {mine:.1f} | {rows / mine:,.0f} | "
            f"{peak:.0f} | {share:.2f} | {_verdict(ok_speed and ok_memory)} | "
            f"{pair['at']:%H:%M %Z} |"
        )
        lines.append(
            f"| | | plain xlsxwriter | {n} | {plain:.1f} | {rows / plain:,.0f} | "
            f"{plain_peak:.0f} | 1.00 | | |"
        )
    return lines + [""], verdicts


def _growth_rows(run: BenchRun, svg_name: str) -> list[str]:
    if not run.growth:
        return []
    scales = [k for k in ("small", "medium", "large") if k in run.growth]
    orders = {k: run.growth[k][0] for k in scales}
    lines = [
        "## Growth with the data",
        "",
        "Cold median of each page's data at each scale (orders in the database in brackets). "
        "The largest scale's numbers are this run's; the others come from the `small` and "
        "`medium` demo malls in the same run.",
        "",
        f"![Cold page data against orders]({svg_name})",
        "",
        "| page | subject | period | " + " | ".join(f"{k} ({orders[k]:,})" for k in scales) + " |",
        "|---|---|---|" + "---:|" * len(scales),
    ]
    table: dict[tuple[str, str, str], dict[str, float | None]] = {}
    for scale in scales:
        for r in run.growth[scale][1]:
            if r.subject == "median":
                continue
            table.setdefault((r.page, r.subject, r.period), {})[scale] = r.cold.median
    for (page, subject, period), values in table.items():
        cells = " | ".join(_ms(values.get(k)) for k in scales)
        lines.append(f"| {page} | {SUBJECT_LABELS[subject]} | {period} | {cells} |")
    return lines + [""]


COLOURS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f")


def growth_svg(run: BenchRun) -> str:
    """Cold median (ms) of each page's whole-mall year data against orders, as an SVG."""
    scales = [k for k in ("small", "medium", "large") if k in run.growth]
    series: dict[str, list[tuple[int, float]]] = {}
    for scale in scales:
        orders, pages = run.growth[scale]
        for r in pages:
            wanted = "30d" if r.page in ("home", "products") else "year"
            if r.subject == "mall" and r.period == wanted and r.cold.median is not None:
                series.setdefault(r.page, []).append((orders, r.cold.median * 1000))
    width, height, left, bottom, top, right = 720, 420, 70, 50, 30, 160
    max_x = max((x for points in series.values() for x, _ in points), default=1)
    max_y = max((y for points in series.values() for _, y in points), default=1) * 1.1
    px = lambda x: left + (width - left - right) * x / max_x  # noqa: E731
    py = lambda y: height - bottom - (height - bottom - top) * y / max_y  # noqa: E731
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        'font-family="sans-serif" font-size="12">',
        f'<rect width="{width}" height="{height}" fill="white"/>',
        f'<text x="{left}" y="18" font-size="14">Whole mall, cold median per page '
        "(year; Home and Products: their fixed view) against orders</text>",
        f'<line x1="{left}" y1="{height - bottom}" x2="{width - right}" y2="{height - bottom}" '
        'stroke="black"/>',
        f'<line x1="{left}" y1="{top}" x2="{left}" y2="{height - bottom}" stroke="black"/>',
        f'<text x="{(width - right + left) / 2}" y="{height - 10}" text-anchor="middle">'
        "orders in the database</text>",
        f'<text x="15" y="{(height - bottom + top) / 2}" transform="rotate(-90 15 '
        f'{(height - bottom + top) / 2})" text-anchor="middle">ms</text>',
    ]
    for i in range(6):
        y = max_y * i / 5
        out.append(f'<text x="{left - 6}" y="{py(y) + 4:.1f}" text-anchor="end">{y:,.0f}</text>')
        out.append(f'<line x1="{left}" y1="{py(y):.1f}" x2="{width - right}" y2="{py(y):.1f}" '
                   'stroke="#ddd"/>')  # fmt: skip
    for scale in scales:
        x = run.growth[scale][0]
        out.append(f'<text x="{px(x):.1f}" y="{height - bottom + 16}" text-anchor="middle">'
                   f"{x / 1e6:.2f}M</text>")  # fmt: skip
    for index, (page, points) in enumerate(sorted(series.items())):
        colour = COLOURS[index % len(COLOURS)]
        path = " ".join(f"{px(x):.1f},{py(y):.1f}" for x, y in sorted(points))
        out.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"/>')
        for x, y in points:
            out.append(f'<circle cx="{px(x):.1f}" cy="{py(y):.1f}" r="3" fill="{colour}"/>')
        ly = top + 16 * index + 10
        out.append(f'<rect x="{width - right + 12}" y="{ly - 9}" width="10" height="10" '
                   f'fill="{colour}"/>')  # fmt: skip
        out.append(f'<text x="{width - right + 28}" y="{ly}">{page}</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


def _targets(verdicts: list[tuple[str, bool]]) -> list[str]:
    missed = [name for name, ok in verdicts if not ok]
    lines = [
        "## Targets",
        "",
        f"{len(verdicts) - len(missed)} of {len(verdicts)} checks pass. Members (cohorts) and "
        "Content (7-day attribution) for the whole mall over a year are reported, not targeted.",
        "",
    ]
    if missed:
        lines += ["Missed:", "", *(f"- {name}" for name in missed), ""]
    return lines


def write(path: Path, run: BenchRun) -> None:
    """Write the report (and the growth SVG beside it)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    svg_name = f"{path.stem}-scale.svg"
    pages, page_verdicts = _page_rows(run)
    calls, call_verdicts = _call_rows(run)
    books, book_verdicts = _workbook_rows(run)
    lines = _head(run)
    lines += _targets(page_verdicts + call_verdicts + book_verdicts)
    lines += pages + calls + _render_rows(run) + books
    if run.growth:
        (path.parent / svg_name).write_text(growth_svg(run), encoding="utf-8")
        lines += _growth_rows(run, svg_name)
    if FINDINGS.exists():
        lines += [FINDINGS.read_text(encoding="utf-8").rstrip(), ""]
    path.write_text("\n".join(lines), encoding="utf-8")
