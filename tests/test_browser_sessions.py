"""Sessions and passwords in a real browser, on SQLite and on PostgreSQL (issue 26).

1. Six wrong passwords lock the account: "locked until HH:MM" (Shanghai time, a
   quarter of an hour on); the right password is refused the same way until the lock
   ends (its end moved into the past here, rather than waiting 15 minutes).
2. A supplier approved with a login logs in with its one-time password, meets only the
   "Choose a new password" form (language switch kept), is refused a common password,
   sets a good one; then the old one is refused and the new one works.
3. A session cookie copied before a logout logs nobody in on a restarted server.
4. An account disabled while its Orders page is open: the download button delivers
   nothing, and the next click shows the login form with "This account is disabled".
"""

from __future__ import annotations

import contextlib
import re
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect

from queries.console.accounts import set_account_disabled
from queries.console.tables import lockouts, login_attempts
from queries.core.actors import Actor, System
from queries.core.db import connect_engine
from queries.core.schema import audit_log, supplier_applications
from queries.merchants.onboarding import approve_with_login
from tests.browser import (
    RunningApp,
    _demo_database,
    _fill_demo,
    login,
    logout,
    open_page,
    serve,
    submit_login,
    until_done,
    wait_idle,
)

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

WRONG = "Wrong username or password"
LOCKED = re.compile(r"Too many failed logins: locked until (\d\d):(\d\d)\.")
ACCOUNT_DISABLED = "This account is disabled"
NEW_PASSWORD = "Plum-Orchard-2026!"


@pytest.fixture(params=["sqlite", "postgresql"])
def app(request) -> RunningApp:
    """The served demo mall, once on each database."""
    return request.getfixturevalue("running_app" if request.param == "sqlite" else "running_app_pg")


@pytest.fixture(params=["sqlite", "postgresql"])
def demo_url(request, tmp_path) -> str:
    """A tiny demo mall with its demo logins, not served: the test starts its own servers."""
    if request.param == "sqlite":
        return _demo_database(tmp_path)
    url = request.getfixturevalue("db_factory").url("postgresql")
    _fill_demo(url)
    return url


@contextlib.contextmanager
def _engine(url: str) -> Iterator[sa.Engine]:
    engine = connect_engine(url, check=False)
    try:
        yield engine
    finally:
        engine.dispose()


@contextlib.contextmanager
def _served(url: str, folder: Path) -> Iterator[RunningApp]:
    """`streamlit run` on `url` until the block ends (then the process is stopped)."""
    folder.mkdir()
    server = serve(url, folder)
    try:
        yield next(server)
    finally:
        server.close()


def _attempts(engine: sa.Engine, username: str) -> int:
    with engine.connect() as conn:
        return conn.execute(
            sa.select(sa.func.count()).where(login_attempts.c.username == username)
        ).scalar_one()


def _attempt(page, engine: sa.Engine, username: str, password: str) -> None:
    """Submit the login form once and wait until the app has answered it.

    Done when the database holds one more attempt of `username` (every answer — wrong,
    locked or right — writes one), so the message on the page is this answer's.
    """
    before = _attempts(engine, username)

    def submit() -> None:
        page.get_by_role("textbox", name="Username").fill(username)
        page.get_by_role("textbox", name="Password").fill(password)
        page.get_by_role("button", name="Log in").click()

    def answered(timeout: float) -> None:
        deadline = time.monotonic() + timeout / 1000
        while _attempts(engine, username) == before:
            if time.monotonic() > deadline:
                raise PlaywrightTimeout("the login form was not answered")
            page.wait_for_timeout(100)

    until_done(page, submit, answered)
    wait_idle(page)


def _locked_until(page) -> tuple[int, int]:
    message = page.get_by_text(LOCKED)
    message.wait_for()
    found = LOCKED.search(message.inner_text())
    assert found, message.inner_text()
    return int(found[1]), int(found[2])


def test_six_wrong_passwords_lock_the_account_until_the_lock_ends(app, browser_page):
    page = browser_page
    page.goto(app.url)
    with _engine(app.database_url) as engine:
        _attempt(page, engine, "operator", "not-the-password-1")
        page.get_by_text(WRONG).wait_for()
        for n in range(2, 7):
            _attempt(page, engine, "operator", f"not-the-password-{n}")
        hour, minute = _locked_until(page)
        expected = datetime.now(ZoneInfo("Asia/Shanghai")) + timedelta(minutes=15)
        off = (hour * 60 + minute - (expected.hour * 60 + expected.minute) + 720) % 1440 - 720
        assert abs(off) <= 2, f"locked until {hour:02}:{minute:02}, expected about {expected}"

        # The right password is refused with the same words while the lock lasts.
        _attempt(page, engine, "operator", "demo-operator")
        assert _locked_until(page) == (hour, minute)
        expect(page.get_by_text("Signed in as")).to_have_count(0)

        # The lock ends (moved into the past rather than waited for): the password works.
        with engine.begin() as conn:
            moved = conn.execute(
                lockouts.update()
                .where(lockouts.c.subject_kind == "account", lockouts.c.subject == "operator")
                .values(locked_until=datetime.now(UTC) - timedelta(minutes=1))
            ).rowcount
        assert moved == 1
        _attempt(page, engine, "operator", "demo-operator")
        page.get_by_text("Signed in as operator").wait_for()

        with engine.connect() as conn:
            actions = dict(
                conn.execute(
                    sa.select(audit_log.c.action, sa.func.count())
                    .where(audit_log.c.entity_id == "operator")
                    .group_by(audit_log.c.action)
                ).all()
            )
    # Six wrong passwords and the refused right one; one lock.
    assert actions.get("account.login_failed", 0) >= 7, actions
    assert actions.get("account.lock") == 1, actions


def _switch_language(page, label: str) -> None:
    wait_idle(page)
    page.get_by_test_id("stSidebar").get_by_text(label, exact=True).click()
    wait_idle(page)


def test_one_time_password_must_be_replaced_then_only_the_new_one_works(app, browser_page):
    page = browser_page
    with _engine(app.database_url) as engine:
        with engine.connect() as conn:
            application_id = conn.execute(
                sa.select(sa.func.min(supplier_applications.c.application_id)).where(
                    supplier_applications.c.status == "pending"
                )
            ).scalar_one()
        assert application_id is not None, "the demo mall has no pending application"
        _, one_time = approve_with_login(
            engine,
            Actor("operator", "operator"),
            application_id,
            seen_status="pending",
            username="shop_new",
        )

    page.goto(app.url)
    title = page.get_by_role("heading", name="Choose a new password")
    submit_login(page, "shop_new", one_time, expect=title)
    wait_idle(page)
    sidebar = page.get_by_test_id("stSidebar")
    # No page before the new password: no navigation, no "Signed in as".
    expect(sidebar.get_by_role("link")).to_have_count(0)
    expect(page.get_by_text("Signed in as")).to_have_count(0)
    # The language switch stays, and the form speaks of a new password (新密码).
    _switch_language(page, "中文")
    page.get_by_role("textbox", name="新密码", exact=True).wait_for()
    _switch_language(page, "English")
    title.wait_for()

    def choose(password: str):
        def act() -> None:
            page.get_by_role("textbox", name="New password", exact=True).fill(password)
            page.get_by_role("textbox", name="New password again", exact=True).fill(password)
            page.get_by_role("button", name="Save the new password").click()

        return act

    common = page.get_by_text("This is one of the most common passwords; choose another.")
    until_done(page, choose("password123"), common.wait_for)
    expect(sidebar.get_by_role("link")).to_have_count(0)
    signed_in = page.get_by_text("Signed in as shop_new")
    until_done(page, choose(NEW_PASSWORD), signed_in.wait_for)
    expect(title).to_have_count(0)

    logout(page)
    submit_login(page, "shop_new", one_time, expect=page.get_by_text(WRONG))
    expect(page.get_by_text("Signed in as")).to_have_count(0)
    login(page, app, "shop_new", NEW_PASSWORD)
    expect(title).to_have_count(0)


def _open_with_cookie(page, url: str, cookie: dict):
    """A fresh browser context holding only `cookie`, opened at `url`; returns its page."""
    context = page.context.browser.new_context(locale="en-US")
    context.add_cookies(
        [{"name": cookie["name"], "value": cookie["value"], "domain": "127.0.0.1", "path": "/"}]
    )
    other = context.new_page()
    other.set_default_timeout(30_000)
    other.goto(url)
    return other


def test_a_cookie_copied_before_logout_is_refused_after_a_restart(demo_url, browser_page, tmp_path):
    page = browser_page
    with _served(demo_url, tmp_path / "first") as first:
        login(page, first, "shop_big", "demo-shop-big")
        cookie = next(c for c in page.context.cookies() if c["name"] == "mallboard_session")
        # The session's random id and its signature: no username in it.
        assert re.fullmatch(r"[A-Za-z0-9_-]{40,100}\.[A-Za-z0-9_-]{40,}", cookie["value"])
        assert "shop_big" not in cookie["value"]
        # The copy logs in while the session lasts (so its refusal below is the logout's).
        copy = _open_with_cookie(page, first.url, cookie)
        copy.get_by_text("Signed in as shop_big").wait_for()
        copy.context.close()
        logout(page)

    with _served(demo_url, tmp_path / "second") as second:
        copy = _open_with_cookie(page, second.url, cookie)
        try:
            copy.get_by_role("textbox", name="Username").wait_for()
            wait_idle(copy)
            copy.wait_for_timeout(2000)  # a cookie that logged in would show by now
            expect(copy.get_by_text("Signed in as")).to_have_count(0)
        finally:
            copy.context.close()


def test_an_account_disabled_while_its_page_is_open_gets_no_download_and_no_page(app, browser_page):
    page = browser_page
    login(page, app, "shop_big", "demo-shop-big")
    main = open_page(page, "Orders")
    button = main.get_by_role("button", name="Download the filtered list (Excel)")
    with page.expect_download() as delivered:  # the button works while the session holds
        button.click()
    assert Path(delivered.value.path()).stat().st_size > 0

    with _engine(app.database_url) as engine:
        set_account_disabled(
            engine, System("shell:test", "shell"), username="shop_big", disabled=True
        )
    with pytest.raises(PlaywrightTimeout), page.expect_download(timeout=5000):
        button.click()

    page.get_by_test_id("stSidebar").get_by_role("link", name="Products").click()
    page.get_by_text(ACCOUNT_DISABLED).wait_for()
    page.get_by_role("textbox", name="Username").wait_for()
    wait_idle(page)
    expect(page.get_by_text("Signed in as")).to_have_count(0)
    expect(main.get_by_role("heading", name="Products")).to_have_count(0)
