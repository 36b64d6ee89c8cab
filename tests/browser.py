"""Journeys in a real browser: the app served by `streamlit run`, driven by Playwright.

Debian's Chromium (`/usr/bin/chromium`) — nothing downloads a browser. Each
`running_app` serves a fresh SQLite copy of the tiny demo mall with the demo
logins (`demo.accounts.DEMO_ACCOUNTS`), on a free local port.

    def test_x(running_app, browser_page):
        login(browser_page, running_app, "shop_big", "demo-shop-big")
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from bench.load_browser import CHROMIUM, CHROMIUM_ARGS  # one Chromium setup, bench's too
from tests.app_role import grant_app_role, is_postgres

ROOT = Path(__file__).resolve().parent.parent
TEST_COOKIE_KEY = "Br0wsErT3stK3y-Zq9Lm2Xv7Np4Wc8Hd1Fj6Gs5Ty3"


@dataclass(frozen=True)
class RunningApp:
    """A served app: its base URL, database URL and the test's folder (logs, screenshots)."""

    url: str
    database_url: str
    folder: Path


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_healthy(url: str, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"streamlit exited with {process.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise TimeoutError("streamlit did not become healthy")


def _fill_demo(url: str) -> None:
    """The tiny demo mall and its demo logins in the (empty) database at `url`."""
    from demo.accounts import prepare_demo_console
    from demo.generate import generate
    from queries.console.migrate import upgrade
    from queries.core.db import connect_engine
    from queries.core.schema import create_schema

    engine = connect_engine(url, check=False)
    create_schema(engine)
    generate(engine, scale="tiny", seed=7)
    if is_postgres(url):
        # As a platform does it: deploy/grants.sql as the administrator, then the
        # console's migrations as its own role (which then owns its tables).
        app = connect_engine(grant_app_role(url), check=False)
        try:
            upgrade(app)
        finally:
            app.dispose()
    prepare_demo_console(engine)  # the console's tables, the demo mark, the demo logins
    engine.dispose()


def _demo_database(tmp: Path) -> str:
    url = f"sqlite:///{tmp / 'mall.sqlite'}"
    _fill_demo(url)
    return url


def serve(database_url: str, folder: Path) -> Iterator[RunningApp]:
    """`streamlit run` the app on `database_url` on a free port until the generator closes.

    On PostgreSQL the app logs in as the console's role `mallboard_app` (deploy/grants.sql
    is run first, again if `_fill_demo` ran it); `RunningApp.database_url` stays the
    administrator's, for the test's own looks behind the page.
    """
    port = _free_port()
    served_url = grant_app_role(database_url) if is_postgres(database_url) else database_url
    env = {
        **os.environ,
        "DATABASE_URL": served_url,
        "MALLBOARD_COOKIE_KEY": TEST_COOKIE_KEY,
    }
    env.pop("MALLBOARD_RAISE_ERRORS", None)
    log = open(folder / "streamlit.log", "w")  # noqa: SIM115 - closed below
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            "streamlit_app.py",
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
            "--server.headless",
            "true",
            "--browser.gatherUsageStats",
            "false",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url, process)
        yield RunningApp(url, database_url, folder)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


@pytest.fixture
def running_app(tmp_path) -> Iterator[RunningApp]:
    """The app on a fresh tiny demo mall (SQLite), served on a free port for this test."""
    yield from serve(_demo_database(tmp_path), tmp_path)


@pytest.fixture
def running_app_pg(tmp_path, db_factory) -> Iterator[RunningApp]:
    """The app on a fresh tiny demo mall in a new PostgreSQL database, served for this test."""
    url = db_factory.url("postgresql")
    _fill_demo(url)
    yield from serve(url, tmp_path)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Mark a journey whose test body failed, so its page can say what it showed."""
    outcome = yield
    report = outcome.get_result()
    if report.when == "call" and report.failed:
        item.journey_failed = True


def _show_failed_page(page, folder) -> None:
    """Print what the page showed when a journey failed (CI keeps only the output)."""
    try:
        shot = folder / "failed.png"
        page.screenshot(path=str(shot), full_page=True)
        text = page.get_by_test_id("stMain").first.inner_text(timeout=2_000)
    except Exception as exc:  # noqa: BLE001 - a report of a failure must not fail itself
        print(f"[journey] the page could not be read: {exc}")
        return
    print(f"[journey] url {page.url}; screenshot {shot}; the page showed:\n{text[:3000]}")
    # The server's own log says what the page cannot (a failed download, an exception).
    log = folder / "streamlit.log"
    if log.exists():
        tail = log.read_text(errors="replace").splitlines()[-60:]
        print("[journey] the app's log ended with:\n" + "\n".join(tail))


@pytest.fixture
def browser_page(tmp_path, request):
    """A Playwright page in Debian's headless Chromium."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        context = browser.new_context(locale="en-US", viewport={"width": 1400, "height": 1000})
        page = context.new_page()
        page.set_default_timeout(30_000)
        try:
            yield page
            if getattr(request.node, "journey_failed", False):
                _show_failed_page(page, tmp_path)
        finally:
            context.close()
            browser.close()


def login(page, app: RunningApp, username: str, password: str) -> None:
    """Open the app and log in through the real form."""
    page.goto(app.url)
    submit_login(page, username, password, expect=page.get_by_text(f"Signed in as {username}"))
    # The session cookie is written by a script in the page just after; wait for it
    # so that a navigation by URL right away keeps the session, as it will for a person.
    for _ in range(100):
        if any(c["name"] == "mallboard_session" for c in page.context.cookies()):
            return
        page.wait_for_timeout(100)
    raise AssertionError("the login cookie was never set")


def logout(page) -> None:
    """Log out with the sidebar button and wait for the login form (one, once idle)."""
    forms = page.get_by_role("textbox", name="Username")

    def click_log_out() -> None:
        if forms.count() == 0:  # an earlier click may have landed after all
            page.get_by_role("button", name="Log out").click()

    # While a rerun is under way the previous run's form may still be on the page
    # beside the new one; once the app is idle there must be exactly one.
    until_done(page, click_log_out, forms.first.wait_for)
    wait_idle(page)
    assert forms.count() == 1, f"{forms.count()} login forms after logging out"
    # The browser drops the cookie a moment later; the server refuses it meanwhile.
    for _ in range(100):
        if not any(c["name"] == "mallboard_session" for c in page.context.cookies()):
            return
        page.wait_for_timeout(100)


def wait_idle(page) -> None:
    """Wait until the app has finished its current script run."""
    page.wait_for_timeout(300)
    page.get_by_test_id("stStatusWidget").wait_for(state="hidden", timeout=60_000)


def open_page(page, name: str):
    """Open a page from the sidebar, once: a person's click is not retried either."""
    main = page.get_by_test_id("stMain")
    wait_idle(page)
    page.get_by_test_id("stSidebar").get_by_role("link", name=name).click()
    main.get_by_role("heading", name=name).wait_for()
    wait_idle(page)
    return main


def until_done(page, act, done, *, attempts: int = 3, timeout: float = 15_000) -> None:
    """`act()` once the app is idle, until `done(timeout=…)` succeeds.

    For forms drawn in the session's first run: a fill that lands while that run still
    redraws them can be wiped by the redraw, as a very fast person would see; retry it.
    """
    for attempt in range(attempts):
        wait_idle(page)
        act()
        try:
            done(timeout=timeout)
            return
        except PlaywrightTimeout:
            if attempt == attempts - 1:
                raise


def submit_login(page, username: str, password: str, *, expect) -> None:
    """Fill and submit the login form until `expect` (a locator) shows."""

    def submit() -> None:
        page.get_by_role("textbox", name="Username").fill(username)
        page.get_by_role("textbox", name="Password").fill(password)
        page.get_by_role("button", name="Log in").click()

    until_done(page, submit, expect.wait_for)
