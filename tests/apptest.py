"""Run the real entry script in Streamlit's `AppTest`, logged in as a given account.

The app reads its database from `DATABASE_URL`, as in production. Accounts live in
the console's own tables of that database (migrated here); `open(…, as_user=…)`
logs in through `queries.console.logins.log_in` and hands the app the session id,
as the login form does, so the entry's own checks (session valid, account enabled,
shop active, role → pages) all run on every script run.

    app = AppSession(engine.url, tmp_path)
    app.add("shop1", role="vendor", vendor_id=1)
    at = app.open("sales", as_user="shop1")
    assert not at.exception
"""

from __future__ import annotations

import os
import re
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

import sqlalchemy as sa
import streamlit as st
from streamlit.testing.v1 import AppTest

from dashboard.shell.auth import TOKEN
from dashboard.shell.context import dispose_engines
from queries.console.logins import log_in
from queries.console.migrate import upgrade
from queries.console.tables import accounts
from queries.core.db import connect_engine
from tests.app_role import app_url, grant_app_role, is_postgres

ENTRY = str(Path(__file__).resolve().parent.parent / "streamlit_app.py")
TEST_COOKIE_KEY = "Kq3vZ8rT1mWb6YpN0sLd4HjX7cGf2UeA9oRi5Bt"
TIMEOUT = 60
TEST_PASSWORD = "password-for-tests"


@cache
def _fast_hash() -> str:
    import bcrypt

    return bcrypt.hashpw(TEST_PASSWORD.encode(), bcrypt.gensalt(rounds=4)).decode("ascii")


# Databases (by URL) already granted and migrated in this process: a module's shared mall
# is prepared once, not once per test. Every test database has a name of its own.
_PREPARED: set[str] = set()


class AppSession:
    """The environment and accounts for running the app against one test database."""

    def __init__(
        self, database_url: str | sa.URL, tmp_path: Path, *, lang: str = "en", migrate: bool = True
    ) -> None:
        url = database_url
        if isinstance(url, sa.URL):
            url = url.render_as_string(hide_password=False)
        # The administrator's URL: tests change data behind the page's back with it.
        self.database_url = url
        # What the app logs in with: on PostgreSQL the console's role `mallboard_app`,
        # made by deploy/grants.sql as the README's order says (grants, then migrations
        # as that role); on SQLite the same file.
        self.app_url = url
        prepared = url in _PREPARED  # grants and migrations done for it in this process
        if migrate and is_postgres(url):
            self.app_url = app_url(url) if prepared else grant_app_role(url)
        self.lang = lang
        self._environ()
        if migrate and not prepared:
            engine = self._engine()
            try:
                upgrade(engine)
            finally:
                engine.dispose()
            _PREPARED.add(url)

    def _environ(self) -> None:
        os.environ["DATABASE_URL"] = self.app_url
        os.environ["MALLBOARD_COOKIE_KEY"] = TEST_COOKIE_KEY
        os.environ["MALLBOARD_RAISE_ERRORS"] = "1"

    def _engine(self) -> sa.Engine:
        """An engine as the app connects (on PostgreSQL, as `mallboard_app`)."""
        return connect_engine(self.app_url, check=False)

    def add(
        self,
        username: str,
        *,
        role: str,
        vendor_id: int | None = None,
        disabled: bool = False,
        must_change_password: bool = False,
    ) -> None:
        """Add an account with the test password (a cheap bcrypt hash), straight into the
        table: tests may bind a login to a shop that does not exist."""
        self._environ()
        now = datetime.now(UTC)
        engine = self._engine()
        try:
            with engine.begin() as conn:
                conn.execute(accounts.delete().where(accounts.c.username == username))
                conn.execute(
                    accounts.insert().values(
                        username=username,
                        name=username,
                        email="",
                        role=role,
                        vendor_id=vendor_id,
                        password_hash=_fast_hash(),
                        must_change_password=must_change_password,
                        disabled=disabled,
                        password_changed_at=now,
                        created_at=now,
                        version=1,
                    )
                )
        finally:
            engine.dispose()

    def login_token(self, username: str) -> str | None:
        """A fresh session id for `username` through the real login, or None if refused."""
        engine = self._engine()
        try:
            outcome = log_in(engine, username=username, password=TEST_PASSWORD)
        finally:
            engine.dispose()
        return outcome.token

    def app(self, *, as_user: str | None) -> AppTest:
        """A fresh AppTest of the entry script, logged in as `as_user` (None: logged out)."""
        self._environ()
        st.cache_data.clear()  # results of another test database must not leak in
        dispose_engines()  # and no pool may keep connections to it open
        at = AppTest.from_file(ENTRY, default_timeout=TIMEOUT)
        at.session_state["lang"] = self.lang
        # AppTest formats widget values between runs, outside any run, where Streamlit's
        # stand-in session answers: it must name the app's language.
        st.session_state["lang"] = self.lang
        if as_user is not None:
            token = self.login_token(as_user)
            if token is not None:
                at.session_state[TOKEN] = token
        return at

    def open(self, page: str, *, as_user: str, query: dict[str, str] | None = None) -> AppTest:
        """Log in as `as_user`, open `dashboard/pages/<page>.py`, and run it."""
        at = self.app(as_user=as_user)
        at.run()
        at.switch_page(f"dashboard/pages/{page}.py")
        for key, value in (query or {}).items():  # after switch_page, which resets them
            at.query_params[key] = value
        at.run()
        return at


def logins(engine: sa.Engine) -> dict:
    """The console's accounts by username: (role, vendor_id, password_hash, must_change)."""
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(
                accounts.c.username,
                accounts.c.role,
                accounts.c.vendor_id,
                accounts.c.password_hash,
                accounts.c.must_change_password,
            )
        ).all()
    return {r.username: r for r in rows}


# Markdown's backslash escapes and the zero-width spaces `widgets.literal` puts in user
# text: a person sees neither.
_ESCAPED = re.compile(r"\\([!-/:-@\[-`{-~])")


def as_seen(markdown: str) -> str:
    """Markdown source as a person reads it: escapes and zero-width spaces removed."""
    return _ESCAPED.sub(r"\1", markdown).replace("\u200b", "")


def markdown_source(at: AppTest) -> str:
    """The Markdown the page sends, escapes included (texts() shows what a person reads)."""
    groups = (at.markdown, at.info, at.warning, at.error, at.success, at.caption, at.subheader)
    return "\n".join(str(e.value) for group in groups for e in group)


def texts(at: AppTest) -> str:
    """Every piece of text on the page, joined: markdown, captions, metrics, alerts, tables."""
    parts: list[str] = []
    for group in (
        at.title,
        at.header,
        at.subheader,
        at.markdown,
        at.caption,
        at.info,
        at.warning,
        at.error,
        at.success,
    ):
        parts.extend(as_seen(str(e.value)) for e in group)
    parts.extend(str(e.value) for e in at.text)
    for metric in at.metric:
        parts.append(f"{metric.label} {metric.value}")
    for frame in at.dataframe:
        parts.append(frame.value.to_string())
    for table in at.table:
        parts.append(table.value.to_string())
    return "\n".join(parts)
