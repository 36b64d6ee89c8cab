"""`python -m bench.load`: concurrent vendor sessions through the real app server (issue 29).

    python -m bench.load [--db URL] [--app-db URL] [--sessions 1,10,50] [--processes 1,2]
                         [--replica URL|same] [--duration S] [--every S] [--no-browser]
                         [--no-nginx] [--out docs/performance.md]

For each number of app processes (and, with `--replica`, without and with
`READ_DATABASE_URL`) it starts the processes (`streamlit run streamlit_app.py`, headless,
free loopback ports, `DATABASE_URL` = `--app-db`, default `--db`), then for each number of
sessions N: N clients (`bench.load_client`: Streamlit's websocket protocol, one tab
each), each logged in as a vendor of a different shop (`bench.load_serve`), open Home,
Sales and Orders in turn, one page every `--every` seconds (5), for `--duration` seconds
(30), after each has opened the three pages once unrecorded (warm caches). The clients
reach the processes through the deployed nginx site (`deploy/nginx/mallboard.conf`,
served on loopback as tests/nginx_site.py serves it; each client has its own sticky
`mb_route` cookie), or with `--no-nginx` directly, client i on process i mod P. Beside
them one real Chromium (`bench.load_browser`, its own shop) does the same and times what
a person sees.

Reported per cell: pages, pages per second, p50 / p95 / max page time of the clients and
of the browser, errors, sessions lost, the cores used by the app processes, by the load
generator (this process, Playwright and Chromium), by PostgreSQL (the whole server) and
by anything else, and the load average. The issue's target: 50 sessions on two
processes, p95 ≤ 2 s, no error, no session lost.

The bench's accounts (`bench_load_<shop>`) and their sessions are removed at the end.
The section (between the `bench.load` markers) is printed and replaces its earlier copy
in `--out`.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import secrets
import shutil
import signal
import sys
import tempfile
import time
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

import sqlalchemy as sa

from bench.load_client import Client, PageOpen
from bench.load_serve import (
    AppProcesses,
    CpuSample,
    CpuUse,
    backends,
    cpu_between,
    pick_vendors,
    prepare_logins,
    remove_logins,
    username,
    with_application,
)
from bench.measure import Timing
from bench.progress import progress
from bench.sections import write_section
from queries.console.migrate import pending
from queries.core.db import connect_engine

__all__ = ["END", "HEADING", "START", "Cell", "main"]

HEADING = "## Concurrent sessions through the served app (issue 29)"
START, END = "<!-- bench.load: start -->", "<!-- bench.load: end -->"
PAGES = ("home", "sales", "orders")
APPLICATION = "mallboard_bench_load"  # the apps' application_name: their backends' CPU
TARGET_P95 = 2.0  # seconds, 50 sessions on two processes
ROOT = Path(__file__).resolve().parent.parent


say = progress("bench.load")


def _loadavg() -> str:
    return " ".join(f"{v:.2f}" for v in os.getloadavg())


@dataclass
class Cell:
    """One measured cell: P processes, with or without the replica, N sessions."""

    processes: int
    replica: bool
    sessions: int
    seconds: float = 0.0  # the measured window
    pages: list[PageOpen] = field(default_factory=list)
    browser: list[PageOpen] = field(default_factory=list)
    warm_errors: list[tuple[str, str]] = field(default_factory=list)  # (page, error)
    cpu: CpuUse | None = None
    load: tuple[str, str] = ("", "")
    dead: int = 0  # app processes that died

    def timing(self, pages: list[PageOpen], page: str | None = None) -> Timing:
        """The times of the finished, faultless pages (of `page` if given)."""
        return Timing([p.seconds for p in pages if p.error is None and (page in (None, p.page))])

    @property
    def errors(self) -> list[PageOpen]:
        return [p for p in self.pages + self.browser if p.error]

    @property
    def lost(self) -> int:
        return len({p.client for p in self.pages + self.browser if p.lost})


async def _sleep_until(moment: float) -> None:
    delay = moment - time.monotonic()
    if delay > 0:
        await asyncio.sleep(delay)


async def _paced(opener, first: int, offset: float, t0: float, every: float, until: float):
    """Open pages in turn from PAGES[first], one every `every` s from t0 + offset, until
    `until`: a page later than its slot starts at once, and none starts after `until`
    (so a saturated server is measured for the window, not for every slot)."""
    done = []
    k = 0
    while True:
        moment = t0 + offset + k * every
        if max(moment, time.monotonic()) >= until:
            return done
        await _sleep_until(moment)
        done.append(await opener(PAGES[(first + k) % len(PAGES)]))
        k += 1


@dataclass
class Plan:
    """What every cell of a run shares: the shops, their cookies, the rhythm, the browser."""

    vendors: list[int]  # the clients' shops, client i → vendors[i]
    cookies: dict[int, str]  # the signed session cookie by shop
    every: float
    duration: float
    browser_vendor: int | None = None
    playwright: object | None = None  # Playwright's async API, when a browser runs beside
    nginx: bool = False  # through deploy/nginx's site (else sticky in the client)
    engine: sa.Engine | None = None  # the bench's own connection (the apps' backends)


async def run_cell(
    cell: Cell, plan: Plan, urls: list[str], app_pids: list[int], dial: str | None = None
) -> Cell:
    """Connect the clients (and the browser), warm every page once, then measure.

    `urls`: the app processes' (client i on urls[i mod len]), or nginx's site alone, whose
    host name stands for `dial` ("127.0.0.1:port").
    """
    from bench.load_browser import BrowserTab

    clients = [
        Client(
            i,
            base_url=urls[i % len(urls)],
            cookie=plan.cookies[vendor],
            username=username(vendor),
            process=i % len(urls),
            dial=dial,
        )
        for i, vendor in enumerate(plan.vendors[: cell.sessions])
    ]
    await asyncio.gather(*(c.connect() for c in clients))
    tab = None
    if plan.playwright is not None:
        process = cell.sessions % len(urls)  # the browser is one more session
        cookie = plan.cookies[plan.browser_vendor]
        tab = BrowserTab(
            plan.playwright, urls[process], cookie, client=-1, process=process, dial=dial
        )
        await tab.__aenter__()
    try:
        # Warm: each client opens the three pages once, ending on the page before its first.
        async def warm(client: Client) -> list[PageOpen]:
            order = [PAGES[(client.index + j + 1) % len(PAGES)] for j in range(len(PAGES))]
            return [await client.open(page) for page in order]

        async def warm_tab() -> list[PageOpen]:
            return [await tab.first_open(), await tab.open("sales"), await tab.open("orders")]

        warmed = await asyncio.gather(*(warm(c) for c in clients), *([warm_tab()] if tab else []))
        cell.warm_errors = [(p.page, p.error) for run in warmed for p in run if p.error]
        load_before = _loadavg()
        t0 = time.monotonic() + 0.2
        until, every, n = t0 + plan.duration, plan.every, len(clients)
        before = CpuSample.take(app_pids, backends(plan.engine, APPLICATION))
        runs = [
            _paced(c.open, c.index % len(PAGES), every * c.index / n, t0, every, until)
            for c in clients
        ]
        if tab:
            runs.append(_paced(tab.open, 0, every / 2, t0, every, until))
        results = await asyncio.gather(*runs)
        await _sleep_until(until)  # the window is at least `duration`, however quick the pages
        after = CpuSample.take(app_pids, backends(plan.engine, APPLICATION))
        cell.seconds, cell.cpu = after.at - t0, cpu_between(before, after)
        cell.load = (load_before, _loadavg())
        cell.pages = [page for pages in results[:n] for page in pages]
        cell.browser = results[n] if tab else []
    finally:
        if tab:
            await tab.__aexit__(None, None, None)
        await asyncio.gather(*(c.close() for c in clients), return_exceptions=True)
    return cell


def replica_supported() -> bool:
    """Whether the app reads READ_DATABASE_URL (the replica routing of issue 29, item 2)."""
    pattern = re.compile(r"READ_DATABASE_URL")
    return any(
        pattern.search(path.read_text(encoding="utf-8"))
        for folder in ("queries", "dashboard")
        for path in (ROOT / folder).rglob("*.py")
    )


@contextmanager
def _site(plan: Plan, app_urls: list[str], folder: Path):
    """(the URLs the clients use, the address nginx's host name stands for, or None)."""
    if not plan.nginx:
        yield app_urls, None
        return
    # The deployed site itself, served from a folder as its tests serve it (only its ports,
    # certificate and upstream servers substituted): the bench measures what is deployed.
    from tests.nginx_site import served_site

    with served_site(folder, [urlsplit(url).netloc for url in app_urls]) as site:
        yield [site.url], f"127.0.0.1:{urlsplit(site.url).port}"


async def _cells_on(plan: Plan, processes: int, env: dict, sessions, replica: bool):
    """Start `processes` app processes and measure each number of sessions on them."""
    cells = []
    say(f"starting {processes} app process(es){' with the replica' if replica else ''}")
    with (
        tempfile.TemporaryDirectory(prefix="bench-load-") as folder,
        AppProcesses(processes, env, Path(folder)) as apps,
        _site(plan, apps.urls, Path(folder) / "nginx") as (urls, dial),
    ):
        pids = [p.pid for p in apps.processes]
        for n in sessions:
            say(f"{n} session(s) on {processes} process(es)")
            cell = await run_cell(Cell(processes, replica, n), plan, urls, pids, dial)
            cell.dead = apps.alive().count(False)
            cells.append(cell)
            say(_summary(cell))
    return cells


async def measure(args, url: str, app_url: str, replica: str | None) -> tuple[list[Cell], dict]:
    """Every cell of the run: processes × (without, with the replica) × sessions."""
    engine = connect_engine(url, check=False)
    if pending(engine):
        engine.dispose()
        raise SystemExit(
            "the console's tables need migrating first (the app would show only that): "
            "DATABASE_URL=… python -m dashboard.migrate"
        )
    # SIGTERM (a stopped `make bench`) ends the run through its finally blocks: the app
    # processes stop and the bench's accounts are removed.
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, asyncio.current_task().cancel)
    key = secrets.token_urlsafe(48)  # this run's cookie key (the apps get it too)
    sessions = sorted(set(args.sessions))
    browser = not args.no_browser
    vendors = pick_vendors(engine, max(sessions) + (1 if browser else 0))
    plan = Plan(vendors, {}, args.every, args.duration, nginx=args.nginx)
    plan.engine = engine
    if browser:
        plan.browser_vendor = vendors.pop()
    say(f"{len(vendors)} shops for the clients" + (", one for the browser" if browser else ""))
    shops = vendors + ([plan.browser_vendor] if browser else [])
    plan.cookies = prepare_logins(engine, shops, key)
    facts = {"orders": _orders(engine)}
    cells: list[Cell] = []
    playwright = None
    try:
        if browser:
            from playwright.async_api import async_playwright

            playwright = async_playwright()
            plan.playwright = await playwright.__aenter__()
        for processes in args.processes:
            for with_replica in (False, True) if replica else (False,):
                env = {
                    "DATABASE_URL": with_application(app_url, APPLICATION),
                    "MALLBOARD_COOKIE_KEY": key,
                }
                if with_replica:
                    env["READ_DATABASE_URL"] = with_application(replica, APPLICATION)
                cells += await _cells_on(plan, processes, env, sessions, with_replica)
    finally:
        if playwright is not None:
            await playwright.__aexit__(None, None, None)
        remove_logins(engine)
        engine.dispose()
    return cells, facts


def _orders(engine: sa.Engine) -> int:
    from queries.core import schema as s

    with engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(s.orders)).scalar_one()


def _s(seconds: float | None) -> str:
    return "—" if seconds is None else f"{seconds:.2f}"


def _summary(cell: Cell) -> str:
    timing = cell.timing(cell.pages)
    return (
        f"{len(timing.samples)} pages, p50 {_s(timing.median)} s, p95 {_s(timing.p95)} s, "
        f"{len(cell.errors)} errors, {cell.lost} lost"
    )


def _label(cell: Cell) -> str:
    """A cell in the report's words: "2 processes, 50 sessions, replica"."""
    replica = ", replica" if cell.replica else ""
    return f"{cell.processes} process(es), {cell.sessions} session(s){replica}"


def _verdict(ok: bool) -> str:
    return "**met**" if ok else "**missed**"


def report(cells: list[Cell], facts: dict) -> list[str]:
    """The Markdown section."""
    lines = [
        START,
        HEADING,
        "",
        f"Measured {facts['finished']:%Y-%m-%d %H:%M %Z} by `python -m bench.load "
        f"{facts['argv']}` on `{facts['db']}` ({facts['orders']:,} orders; "
        f"{os.cpu_count()} cores shared by the app processes, PostgreSQL and the load "
        f"generator; load average {facts['load'][0]} before the run, {facts['load'][1]} "
        "after). Each session is a vendor of a different shop (the largest shop first, then "
        "a fixed random sample of active shops) opening Home, Sales and Orders in turn, one "
        f"page every {facts['every']:g} s, for {facts['duration']:g} s after opening each "
        "page once unrecorded (warm caches: Home's figures are cached per minute, the other "
        "reads 60–120 s, so some opens in a window still read the database). Routing: "
        f"{facts['routing']}. A page's time is from the rerun message "
        "to the run's end (`script_finished`) over Streamlit's websocket; the browser's "
        "(one Chromium, a shop of its own, the same rhythm) from the click on the "
        "sidebar's link until the page's title is shown and the app is no longer running. "
        f"Replica: {facts['replica_note']} CPU, in cores used over the window: the app "
        "processes (each), the load generator (the clients, Playwright, Chromium, nginx), "
        "the PostgreSQL backends connected to this database, the rest of the machine "
        "(other people's work: the machine is shared), and how busy the whole machine was; "
        "app CPU per page = the app processes' CPU seconds ÷ the pages finished.",
        "",
        "| processes | replica | sessions | pages | pages/s | p50 (s) | p95 (s) | max (s) | "
        "browser p50 / p95 (s) | errors | lost | cores: app / generator / PostgreSQL / rest "
        "| machine busy | app CPU per page (s) | load avg |",
        "|--:|---|--:|--:|--:|--:|--:|--:|---|--:|--:|---|--:|--:|---|",
    ]
    for cell in cells:
        timing, seen = cell.timing(cell.pages), cell.timing(cell.browser)
        cpu = cell.cpu
        cores = (
            f"{' + '.join(f'{a:.2f}' for a in cpu.apps)} / {cpu.generator:.2f} / "
            f"{cpu.postgres:.2f} / {cpu.other:.2f} | {cpu.machine:.2f}"
            if cpu
            else "— | —"
        )
        finished = len(cell.pages) + len(cell.browser)
        per_page = sum(cpu.apps) * cell.seconds / finished if cpu and finished else None
        lines.append(
            f"| {cell.processes} | {'yes' if cell.replica else 'no'} | {cell.sessions} | "
            f"{len(timing.samples)} | {len(timing.samples) / max(cell.seconds, 1e-6):.2f} | "
            f"{_s(timing.median)} | {_s(timing.p95)} | {_s(max(timing.samples, default=None))} | "
            f"{_s(seen.median)} / {_s(seen.p95)} ({seen.n}) | {len(cell.errors)} | "
            f"{cell.lost} | {cores} | {_s(per_page)} | "
            f"{cell.load[0].split()[0]} → {cell.load[1].split()[0]} |"
        )
    lines += ["", "p95 by page (s), clients:", ""]
    lines += ["| processes | replica | sessions | " + " | ".join(PAGES) + " |"]
    lines += ["|--:|---|--:|" + "--:|" * len(PAGES)]
    for cell in cells:
        lines.append(
            f"| {cell.processes} | {'yes' if cell.replica else 'no'} | {cell.sessions} | "
            + " | ".join(_s(cell.timing(cell.pages, page).p95) for page in PAGES)
            + " |"
        )
    target = [c for c in cells if c.processes == 2 and c.sessions == 50]
    for cell in target:
        p95 = cell.timing(cell.pages).p95
        ok = p95 is not None and p95 <= TARGET_P95 and not cell.errors and not cell.lost
        lines += [
            "",
            f"Target (50 sessions, two processes{', replica' if cell.replica else ''}: p95 ≤ "
            f"{TARGET_P95:g} s, no error, no session lost): {_verdict(ok)} (p95 {_s(p95)} s, "
            f"{len(cell.errors)} errors, {cell.lost} lost).",
        ]
    problems = Counter(
        (_label(c), "browser" if p.client < 0 else "client", p.page, p.error)
        for c in cells
        for p in c.errors
    )
    warm = Counter((_label(c), page, error) for c in cells for page, error in c.warm_errors)
    if problems:
        listed = [
            f"{where}, {who} {page}: {error} (×{n})"
            for (where, who, page, error), n in problems.items()
        ]
        lines += ["", f"Errors ({problems.total()}): " + "; ".join(listed[:10]) + "."]
    if warm:
        listed = [f"{where}, {page}: {error} (×{n})" for (where, page, error), n in warm.items()]
        lines += ["", f"Errors while warming ({warm.total()}): " + "; ".join(listed[:10]) + "."]
    dead = [_label(c) for c in cells if c.dead]
    if dead:
        lines += ["", "App processes died: " + ", ".join(dead) + "."]
    lines.append(END)
    return lines


def _csv(text: str) -> list[int]:
    return [int(part) for part in text.split(",") if part.strip()]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bench.load", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--db", help="database URL (default: mallboard_bench_large)")
    parser.add_argument("--app-db", help="the URL the app processes use (default: --db)")
    parser.add_argument("--sessions", type=_csv, default=[1, 10, 50], help="default 1,10,50")
    parser.add_argument("--processes", type=_csv, default=[1, 2], help="default 1,2")
    parser.add_argument(
        "--replica", help="READ_DATABASE_URL for the 'with replica' rows; 'same': --app-db itself"
    )
    parser.add_argument("--duration", type=float, default=30.0, help="seconds per cell (30)")
    parser.add_argument(
        "--every", type=float, default=5.0, help="seconds between a session's pages"
    )
    parser.add_argument("--no-browser", action="store_true", help="no Chromium beside the clients")
    parser.add_argument(
        "--nginx",
        action=argparse.BooleanOptionalAction,
        default=shutil.which("nginx") is not None or os.access("/usr/sbin/nginx", os.X_OK),
        help="through deploy/nginx's site (default when nginx is installed); "
        "--no-nginx: client i on process i mod P",
    )
    parser.add_argument("--out", default=str(ROOT / "docs" / "performance.md"), help="'-': none")
    return parser


def _shown(arg: str) -> str:
    """An argument as the report shows it: a URL by its database name only."""
    return f"…/{sa.make_url(arg).database}" if "://" in arg else arg


def main(argv: list[str] | None = None) -> int:
    """Measure, print the section and write it; 0 when it ran (the target is reported)."""
    from bench.run import default_url

    args = _parser().parse_args(argv)
    url = args.db or default_url("large")
    app_url = args.app_db or url
    replica = app_url if args.replica == "same" else args.replica
    if replica and not replica_supported():
        say("the app does not read READ_DATABASE_URL yet: the replica rows are left out")
        replica_note = "not measured — the app does not read `READ_DATABASE_URL` yet."
        replica = None
    elif replica:
        same = sa.make_url(replica).database == sa.make_url(app_url).database
        replica_note = (
            "`READ_DATABASE_URL` named the primary's own database (a stand-in: the routing's "
            "cost, not a second server's relief)."
            if same
            else f"`READ_DATABASE_URL` = `{_shown(replica)}`."
        )
    else:
        replica_note = "not measured in this run (`--replica`)."
    load_before = _loadavg()
    cells, facts = asyncio.run(measure(args, url, app_url, replica))
    facts.update(
        finished=datetime.now().astimezone(),
        load=(load_before, _loadavg()),
        db=sa.make_url(url).database,
        argv=" ".join(_shown(a) for a in (argv if argv is not None else sys.argv[1:])),
        every=args.every,
        duration=args.duration,
        routing=(
            "through deploy/nginx/mallboard.conf served on loopback: sticky by each client's "
            "own `mb_route` cookie, TLS ended by nginx"
            if args.nginx
            else "no nginx: client i on process i mod P, sticky in the client"
        ),
        replica_note=replica_note,
    )
    lines = report(cells, facts)
    print("\n".join(lines))  # noqa: T201 - the report
    if args.out != "-":
        write_section(Path(args.out), lines, start=START, end=END, heading=HEADING)
        say(f"wrote the section in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
