"""Run the real entry script in Streamlit's `AppTest`, logged in as a given account.

The app reads its database from `DATABASE_URL` and its accounts from
`MALLBOARD_ACCOUNTS`, as in production; the session is seeded as the
authenticator leaves it after a successful login, so the entry's own checks
(account exists, shop not suspended, role → pages) all run.

    app = AppSession(engine.url, tmp_path)
    app.add("shop1", role="vendor", vendor_id=1)
    at = app.open("sales", as_user="shop1")
    assert not at.exception
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import sqlalchemy as sa
import streamlit as st
from streamlit.testing.v1 import AppTest

from dashboard.accounts import Account, accounts_path, load_accounts
from dashboard.shell.context import dispose_engines

ENTRY = str(Path(__file__).resolve().parent.parent / "streamlit_app.py")
TEST_COOKIE_KEY = "test-cookie-key-" + "x1y2z3w4" * 4
TIMEOUT = 60


def _fast_hash() -> str:
    import bcrypt

    return bcrypt.hashpw(b"password-for-tests", bcrypt.gensalt(rounds=4)).decode("ascii")


class AppSession:
    """An accounts file and environment for running the app against one test database."""

    def __init__(self, database_url: str | sa.URL, tmp_path: Path, *, lang: str = "en") -> None:
        url = database_url
        if isinstance(url, sa.URL):
            url = url.render_as_string(hide_password=False)
        self.database_url = url
        self.accounts_file = tmp_path / "accounts.yaml"
        self.lang = lang
        self._environ()

    def _environ(self) -> None:
        os.environ["DATABASE_URL"] = self.database_url
        os.environ["MALLBOARD_ACCOUNTS"] = str(self.accounts_file)
        os.environ["MALLBOARD_COOKIE_KEY"] = TEST_COOKIE_KEY
        os.environ["MALLBOARD_RAISE_ERRORS"] = "1"

    def add(
        self, username: str, *, role: str, vendor_id: int | None = None, disabled: bool = False
    ) -> None:
        """Add an account (a cheap bcrypt hash: tests never log in with it by password)."""
        import yaml

        self._environ()
        accounts = load_accounts(self.accounts_file)
        accounts[username] = Account(
            username=username,
            name=username,
            email="",
            role=role,
            vendor_id=vendor_id,
            password_hash=_fast_hash(),
            disabled=disabled,
        )
        data = {
            "accounts": {
                a.username: {k: v for k, v in a.__dict__.items() if k != "username"}
                for a in accounts.values()
            }
        }
        self.accounts_file.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
        assert accounts_path() == self.accounts_file

    def app(self, *, as_user: str | None) -> AppTest:
        """A fresh AppTest of the entry script, logged in as `as_user` (None: logged out)."""
        self._environ()
        st.cache_data.clear()  # results of another test database must not leak in
        dispose_engines()  # and no pool may keep connections to it open
        at = AppTest.from_file(ENTRY, default_timeout=TIMEOUT)
        at.session_state["lang"] = self.lang
        if as_user is not None:
            at.session_state["authentication_status"] = True
            at.session_state["username"] = as_user
            at.session_state["name"] = as_user
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
