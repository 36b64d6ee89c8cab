"""Two app processes behind the deployed nginx site, on a primary and its streaming replica.

Everything on loopback, made for this test: a throwaway PostgreSQL primary and its
replica (`tests/loopback_pg.py`: initdb, pg_basebackup -R, run as the postgres OS user),
the tiny demo mall loaded into the primary, two `streamlit run` processes (DATABASE_URL
the primary, READ_DATABASE_URL the replica, both as `mallboard_app`) and nginx serving
`deploy/nginx/mallboard.conf` in front of them. Chromium picks a process with the
site's own sticky cookie (`mb_route`), set to a value nginx was seen to send to that
process (its access log names the process that answered each request).

The journey: a vendor logged in on each process; a price edited on A is on B's page at
once (B had the old one cached); A dies and the page left on it goes on, logged in, on
B; the replica stops and the pages still work; it starts again and the reads return
to it.
"""

from __future__ import annotations

import http.client
import os
import re
import signal
import ssl
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.app_role import APP_ROLE, app_url
from tests.browser import (
    CHROMIUM,
    CHROMIUM_ARGS,
    RunningApp,
    _fill_demo,
    login,
    open_page,
    serve,
    wait_idle,
)
from tests.loopback_pg import Pair, loopback_pair, missing
from tests.nginx_site import (
    HOST,
    NGINX,
    ServedSite,
    chromium_host_rule,
    open_exact,
    served_site,
)

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def _missing() -> str | None:
    if not os.access(CHROMIUM, os.X_OK):
        return f"no Chromium at {CHROMIUM}"
    if NGINX is None:
        return "nginx is not installed (apt-get install nginx-light)"
    return missing()


MISSING = _missing()
# CI has all of them (.ci/run installs Chromium and nginx; PostgreSQL's server is there
# for the shared test database): there a missing one fails the test.
if MISSING and os.environ.get("CI") != "true":
    pytestmark.append(pytest.mark.skip(reason=MISSING))

DATABASE = "mall"
ROUTE_COOKIE = "mb_route"
VENDOR, PASSWORD = "shop_big", "demo-shop-big"


def _address(app: RunningApp) -> str:
    """A served app's host:port."""
    return app.url.removeprefix("http://")


@dataclass
class Deployment:
    """What the test started: the database pair, the two processes and nginx."""

    pair: Pair
    apps: dict[str, RunningApp]
    site: ServedSite
    stops: dict[str, ExitStack]

    def upstream(self, name: str) -> str:
        """The address nginx knows process `name` by (host:port)."""
        return _address(self.apps[name])

    def kill(self, name: str) -> None:
        """Kill process `name` as a crash would (SIGKILL: nothing is closed cleanly)."""
        port = int(self.apps[name].url.rsplit(":", 1)[1])
        os.kill(_pid_serving(port), signal.SIGKILL)
        self.stops.pop(name).close()  # reaps it


def _pid_serving(port: int) -> int:
    """The pid of the `streamlit run … --server.port <port>` process (read from /proc)."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            args = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue  # gone meanwhile
        if b"streamlit" in args and b"--server.port" in args:
            if args[args.index(b"--server.port") + 1] == str(port).encode():
                return int(entry.name)
    raise LookupError(f"no streamlit process on port {port}")


@pytest.fixture
def deployment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Deployment]:
    """The primary and replica, the demo mall, processes A and B, and nginx before them."""
    if MISSING:
        pytest.fail(f"{MISSING}, and CI=true: .ci/run should have installed it")
    with ExitStack() as stack:
        pair = stack.enter_context(loopback_pair())
        admin = sa.create_engine(pair.primary.url(), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.exec_driver_sql(f"CREATE DATABASE {DATABASE}")  # a constant name
        admin.dispose()
        primary = pair.primary.url(DATABASE)
        _fill_demo(primary)  # the mall, grants, migrations, the demo logins
        pair.wait_replayed(DATABASE)
        # From here on both servers log every statement: where the pages read from.
        pair.primary.log_statements()
        pair.replica.log_statements()
        # `serve` hands the environment on to the process, DATABASE_URL its own.
        monkeypatch.setenv("READ_DATABASE_URL", app_url(pair.replica.url(DATABASE)))
        monkeypatch.setenv("TRUSTED_PROXIES", "127.0.0.1")
        apps: dict[str, RunningApp] = {}
        stops: dict[str, ExitStack] = {}
        for name in ("A", "B"):
            folder = tmp_path / name
            folder.mkdir()
            process = stack.enter_context(ExitStack())
            apps[name] = process.enter_context(_served(primary, folder))
            stops[name] = process
        site = stack.enter_context(
            served_site(tmp_path / "nginx", [_address(app) for app in apps.values()])
        )
        yield Deployment(pair, apps, site, stops)


def _served(database_url: str, folder: Path):
    """`tests.browser.serve` as a context manager (stopped when it exits)."""
    return contextmanager(serve)(database_url, folder)


def _get(site: ServedSite, path: str, cookie: str) -> http.client.HTTPResponse:
    """GET `path` from nginx over HTTPS with the Cookie header `cookie`."""
    port = int(site.url.rsplit(":", 1)[1])
    connection = http.client.HTTPSConnection(
        "127.0.0.1", port, timeout=10, context=ssl._create_unverified_context()
    )
    connection.request("GET", path, headers={"Host": f"{HOST}:{port}", "Cookie": cookie})
    response = connection.getresponse()
    response.read()
    connection.close()
    return response


def _route_cookies(response: http.client.HTTPResponse) -> list[str]:
    """The route cookies the response sets (Streamlit sets its own XSRF cookie too)."""
    sent = response.headers.get_all("Set-Cookie") or []
    return [c for c in sent if c.startswith(f"{ROUTE_COOKIE}=")]


def _log_lines(site: ServedSite) -> list[str]:
    return site.access_log.read_text().splitlines()


def _routes(deployment: Deployment) -> dict[str, str]:
    """A route cookie value nginx sends to each process, found by asking nginx."""
    site = deployment.site
    for n in range(64):
        response = _get(site, "/_stcore/health", f"{ROUTE_COOKIE}=probe{n}")
        assert response.status == 200, response.status
        # A browser that sent the cookie gets no new one.
        assert _route_cookies(response) == [], response.headers
    log = site.access_log.read_text()
    served = dict(re.findall(r"route=(probe\d+) upstream=(\S+)$", log, re.M))
    routes = {}
    for name in deployment.apps:
        address = deployment.upstream(name)
        found = [route for route, upstream in served.items() if upstream == address]
        assert found, f"no probe reached process {name}: {served}"
        routes[name] = found[0]
    return routes


def _context(browser, deployment: Deployment, route: str):
    """A browser of its own, pinned to a process by its route cookie; its page."""
    context = browser.new_context(
        ignore_https_errors=True, locale="en-US", viewport={"width": 1400, "height": 1000}
    )
    context.add_cookies(
        [
            {
                "name": ROUTE_COOKIE,
                "value": route,
                "url": deployment.site.url,
                "secure": True,
                "httpOnly": True,
                "sameSite": "Lax",
            }
        ]
    )
    page = context.new_page()
    page.set_default_timeout(30_000)
    return page


def _price(page) -> str:
    """The price in the Products page's edit form (the most recently changed product)."""
    field = page.get_by_test_id("stMain").get_by_role("textbox", name="Price (¥)")
    field.wait_for()
    return field.input_value()


def _served_by(site: ServedSite, path: str, route: str) -> list[str]:
    """The upstreams (in order tried) of every logged request for `path` with `route`."""
    pattern = re.compile(
        rf'"GET {re.escape(path)}[ ?][^"]*" \d+ \d+ route={re.escape(route)} upstream=(.+)$'
    )
    return [m.group(1) for line in _log_lines(site) if (m := pattern.search(line))]


def _wait_logged(site: ServedSite, path: str, route: str, *, count: int) -> list[str]:
    """`_served_by` once it lists `count` requests (or what it lists after 10 s)."""
    deadline = time.monotonic() + 10
    while len(found := _served_by(site, path, route)) < count and time.monotonic() < deadline:
        time.sleep(0.2)
    return found


_SERVER_NEWS = re.compile(r"(FATAL|ERROR|PANIC|WARNING):  |LOG:  database system")


def _show_failure(deployment: Deployment, pages: dict) -> None:
    """What each page and log showed (CI keeps only the output)."""
    for name, page in pages.items():
        try:
            page.screenshot(path=str(deployment.site.folder / f"failed-{name}.png"))
            print(f"[scale-out] page {name} at {page.url}:\n{page.inner_text('body')[:1500]}")
        except Exception as exc:  # noqa: BLE001 - a report of a failure must not fail itself
            print(f"[scale-out] page {name} could not be read: {exc}")
    for name, app in deployment.apps.items():
        log = app.folder / "streamlit.log"
        if log.exists():
            print(f"[scale-out] process {name}'s log:\n{log.read_text()[-3000:]}")
    errors = (deployment.site.folder / "error.log").read_text().splitlines()
    errors = "\n".join(line for line in errors if "[info]" not in line)
    print(f"[scale-out] nginx's errors:\n{errors[-3000:]}")
    for server in (deployment.pair.primary, deployment.pair.replica):
        # Not the statements (every one is logged): what went wrong, and starts and stops.
        lines = server.log.read_text(errors="replace").splitlines()
        kept = [
            line for line in lines if re.search(r"(FATAL|ERROR|PANIC|WARNING|ready|shut)", line)
        ]
        print(f"[scale-out] {server.data.name}'s log:\n" + "\n".join(kept[-30:]))


# A page's own reads in a server's statement log: the app's statements that name the
# contract's tables or the rollups (not its sessions, generations or WAL positions).
_ENTRY = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", re.M)
_PAGE_TABLES = re.compile(r"\b(orders|order_items|members|refunds|promotions)\b|rollup_\w+")


def _page_reads(log: str) -> list[str]:
    """The statements of a server's log (a slice of it) that read a page's figures."""
    starts = [m.start() for m in _ENTRY.finditer(log)] + [len(log)]
    entries = (log[a:b] for a, b in zip(starts, starts[1:], strict=False))
    return [
        entry
        for entry in entries
        if f" {APP_ROLE}@{DATABASE} " in entry
        and re.search(r"LOG:  (statement|execute [^:]*):", entry)
        and _PAGE_TABLES.search(entry)
    ]


def _no_trouble(page, name: str) -> None:
    """The page shows its title, not the database-trouble page nor a traceback."""
    main = page.get_by_test_id("stMain")
    assert main.get_by_role("heading", name=name, exact=True).count() == 1
    assert page.get_by_role("button", name="Retry").count() == 0
    assert "The database is unavailable" not in main.inner_text()
    assert "Traceback" not in page.content()


def _app_log(deployment: Deployment, name: str) -> str:
    return (deployment.apps[name].folder / "streamlit.log").read_text()


def _edit_on_a_shows_on_b(deployment: Deployment, app: RunningApp, page_a, page_b) -> str:
    """A price edited on A is the price B shows at once; the new price."""
    # B shows the products first, so its cache holds the price before the edit.
    login(page_b, app, VENDOR, PASSWORD)
    open_page(page_b, "Products")
    before = _price(page_b)
    new_price = "123.45" if before != "123.45" else "234.56"

    login(page_a, app, VENDOR, PASSWORD)
    main = open_page(page_a, "Products")
    assert _price(page_a) == before
    main.get_by_role("textbox", name="Price (¥)").fill(new_price)
    main.get_by_role("button", name="Save", exact=True).click()
    main.get_by_text("Saved changes to 1 product.").wait_for()

    # The same page on B, at once: its cached list was read before the edit.
    open_page(page_b, "Orders")
    open_page(page_b, "Products")
    assert _price(page_b) == new_price, "process B shows the price before the edit"
    return new_price


def _a_dies_and_work_goes_on(deployment: Deployment, page_a, price: str) -> None:
    """A dies; the page left on it reconnects through nginx to B, still logged in."""
    deployment.kill("A")
    open_page(page_a, "Orders")
    page_a.get_by_text(f"Signed in as {VENDOR}").wait_for()
    assert page_a.get_by_role("textbox", name="Password").count() == 0
    # And goes on working there: another price, saved on B.
    main = open_page(page_a, "Products")
    assert _price(page_a) == price
    main.get_by_role("textbox", name="Price (¥)").fill("99.90")
    main.get_by_role("button", name="Save", exact=True).click()
    main.get_by_text("Saved changes to 1 product.").wait_for()
    wait_idle(page_a)
    assert "Traceback" not in page_a.content()


def _replica_down_and_back(deployment: Deployment, page) -> None:
    """Pages read the replica; with it stopped, the primary; started again, the replica."""
    primary, replica = deployment.pair.primary, deployment.pair.replica
    # Reads go to the replica: the page's statements are in its log, not the primary's.
    marks = primary.log_size(), replica.log_size()
    open_exact(page, "Members")
    assert _page_reads(replica.log_since(marks[1])), "Members read nothing on the replica"
    assert not _page_reads(primary.log_since(marks[0])), "Members read on the primary"

    # The replica stops: the same page and another still work, read from the primary.
    replica.stop()
    mark = primary.log_size()
    for name in ("Orders", "Members"):
        open_exact(page, name)
        _no_trouble(page, name)
    assert _page_reads(primary.log_since(mark)), "no page read reached the primary"
    assert "read replica unreachable, reading from the primary" in _app_log(deployment, "B")

    # It starts again: within a few seconds the runs read there again (their first
    # statement, the topics' generations, reaches its log), and so do a page's reads.
    replica.start()
    mark = replica.log_size()
    deadline = time.monotonic() + 30
    names = ("Orders", "Members")
    while not _statements_of_app(replica.log_since(mark)):
        assert time.monotonic() < deadline, "the replica was not read again within 30 s"
        open_exact(page, names[0])
        names = names[::-1]
    marks = primary.log_size(), replica.log_size()
    open_exact(page, "Campaigns")
    _no_trouble(page, "Campaigns")
    assert _page_reads(replica.log_since(marks[1])), "Campaigns read nothing on the replica"
    assert not _page_reads(primary.log_since(marks[0])), "Campaigns read on the primary"
    assert "read replica answers again: reads return to it" in _app_log(deployment, "B")


def _statements_of_app(log: str) -> bool:
    """Whether the app ran any statement in this slice of a server's log."""
    return f" {APP_ROLE}@{DATABASE} LOG:  " in log


def test_two_processes_behind_nginx_on_a_primary_and_its_replica(deployment):
    from playwright.sync_api import sync_playwright

    site = deployment.site
    routes = _routes(deployment)
    # A browser without the cookie is given one, not a credential and HTTPS only.
    (cookie,) = _route_cookies(_get(site, "/", ""))
    assert re.fullmatch(
        rf"{ROUTE_COOKIE}=[0-9a-f]{{32}}; Path=/; Secure; HttpOnly; SameSite=Lax", cookie
    ), cookie
    app = RunningApp(site.url, deployment.pair.primary.url(DATABASE), site.folder)

    pages = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=[*CHROMIUM_ARGS, chromium_host_rule()]
        )
        try:
            for name in ("A", "B"):
                pages[name] = _context(browser, deployment, routes[name])
            price = _edit_on_a_shows_on_b(deployment, app, pages["A"], pages["B"])
            # Each browser's pages came from its own process.
            for name in ("A", "B"):
                assert set(_served_by(site, "/", routes[name])) == {deployment.upstream(name)}
            _a_dies_and_work_goes_on(deployment, pages["A"], price)
            _replica_down_and_back(deployment, pages["B"])
        except Exception:
            _show_failure(deployment, pages)
            raise
        finally:
            for page in pages.values():
                page.context.close()
            browser.close()

    # Browser A's websocket: first on A (closed when A died), then on B via nginx
    # (a websocket is logged when it closes: the browser has just closed it).
    streams = _wait_logged(site, "/_stcore/stream", routes["A"], count=2)
    assert streams and deployment.upstream("A") in streams[0], streams
    assert any(s.endswith(deployment.upstream("B")) for s in streams[1:]), streams
