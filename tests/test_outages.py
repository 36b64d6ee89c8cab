"""Database trouble gets its own page; every statement of the app has a time limit.

With the database down (PostgreSQL refusing connections to it, its sessions ended),
every role — and a visitor at the login form — gets "the database is unavailable"
with a Retry button in their language, never "Something unexpected" or a traceback,
and the next run after the database is back works again by itself, still logged in.
A mistyped SQLite path creates nothing; a file that is not a database and a database
another program holds locked each get their own sentence. A statement that runs past
`QUERY_TIMEOUT_SECONDS` is stopped ("this took too long — narrow the period") and its
connection goes on working; shell tools' engines have no such limit.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import sqlalchemy as sa
import streamlit as st

from dashboard.i18n import all_strings
from dashboard.shell import context
from queries.core.db import connect_engine
from queries.core.errors import DatabaseDown, NoDatabaseFile, NotADatabase, QueryTimeout
from tests.apptest import AppSession, texts
from tests.builders import Item, MallBuilder, local
from tests.conftest import _admin_url

HEAVY_SQLITE = (
    "WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < 1000000000) "
    "SELECT count(*) FROM c"
)


def _words(key: str, lang: str) -> str:
    zh, en = all_strings()[key]
    return zh if lang == "zh" else en


def _message(key: str, lang: str) -> str:
    """A message's fixed opening words (before any `{value}`)."""
    return _words(key, lang).split("{")[0].strip()


@pytest.fixture
def mall(empty_db, tmp_path):
    """A shop with a sale, and a login per role, on a fresh database."""
    with empty_db.begin() as conn:
        b = MallBuilder(conn)
        category = b.category()
        shop = b.vendor("Alpha")
        buyer = b.member()
        b.order(
            shop, buyer, [Item(b.product(shop, category))], paid_at=local("2026-11-01 10:00:00")
        )
    session = AppSession(empty_db.url, tmp_path)
    session.add("shop_alpha", role="vendor", vendor_id=shop)
    session.add("ops", role="operator")
    session.engine = empty_db
    yield session
    context.dispose_engines()


def _admin() -> sa.Engine:
    return sa.create_engine(_admin_url(), isolation_level="AUTOCOMMIT")


@contextmanager
def database_down(name: str) -> Iterator[None]:
    """PostgreSQL refuses new connections to `name` and ends the open ones; back after."""
    admin = _admin()
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
            conn.execute(
                sa.text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = :name AND pid <> pg_backend_pid()"
                ),
                {"name": name},
            )
        yield
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
        admin.dispose()


def _assert_trouble_page(at, lang: str, kind: str = "unavailable") -> None:
    shown = texts(at)
    assert not at.exception, at.exception
    assert _words(f"outage.{kind}_title", lang) in shown, shown
    assert _words("error.unexpected", lang) not in shown
    retry = [b for b in at.button if b.key == "mb_outage_retry"]
    assert retry and retry[0].label == _words("outage.retry", lang)


def _start(session: AppSession, lang: str, user: str | None, page: str | None):
    session.lang = lang
    at = session.app(as_user=user)
    at.run()
    if page is not None:
        at.switch_page(f"dashboard/pages/{page}.py")
        at.run()
    assert not at.exception, at.exception
    return at


# --- PostgreSQL down ------------------------------------------------------------------


def test_outage_page_for_every_role_and_the_login_then_recovery(db_factory, tmp_path):
    engine = db_factory.engine("postgresql")
    with engine.begin() as conn:
        b = MallBuilder(conn)
        shop = b.vendor("Alpha")
        b.order(
            shop,
            b.member(),
            [Item(b.product(shop, b.category()))],
            paid_at=local("2026-11-01 10:00:00"),
        )
    session = AppSession(engine.url, tmp_path)
    session.add("shop_alpha", role="vendor", vendor_id=shop)
    session.add("ops", role="operator")
    engine.dispose()
    try:
        for lang in ("en", "zh"):
            for user, page in (("ops", "orders"), ("shop_alpha", "sales"), (None, None)):
                # One app at a time: AppTest reads widget labels in the latest run's language.
                at = _start(session, lang, user, page)
                with database_down(engine.url.database):
                    at.run()
                    _assert_trouble_page(at, lang)
                    assert _message("error.core.db.unavailable", lang) in texts(at), (lang, user)
                    at.button(key="mb_outage_retry").click().run()  # still down: the same page
                    _assert_trouble_page(at, lang)
                    if user is None:  # a new visitor while down: the app starts on this page
                        fresh = session.app(as_user=None)
                        fresh.run()
                        _assert_trouble_page(fresh, lang)
                at.button(key="mb_outage_retry").click().run()  # back: the page, still logged in
                assert not at.exception, at.exception
                shown = texts(at)
                assert _words("outage.unavailable_title", lang) not in shown
                if user is None:
                    assert _words("login.title", lang) in shown
                else:
                    assert _words("login.title", lang) not in shown, (lang, user)
                    assert user in shown  # the sidebar's "signed in as"
    finally:
        context.dispose_engines()
        db_factory.drop(engine)


# --- SQLite: a mistyped path, a file that is not a database, a locked database ----------


def test_a_mistyped_sqlite_path_creates_nothing(tmp_path):
    typo = tmp_path / "mal.sqlite"
    url = f"sqlite:///{typo}"
    with pytest.raises(NoDatabaseFile) as refused:
        connect_engine(url)
    assert str(typo) in refused.value.en and "Nothing was created" in refused.value.en
    with pytest.raises(NoDatabaseFile):
        connect_engine(url, check=False, create=False, query_timeout=30)
    session = AppSession(url, tmp_path, migrate=False)
    for lang in ("en", "zh"):
        session.lang = lang
        at = session.app(as_user=None)
        at.run()
        assert not at.exception, at.exception
        shown = texts(at)
        zh, en = all_strings()["error.core.db.no_database_file"]
        assert (zh if lang == "zh" else en).format(path=typo) in shown
        assert _words("error.unexpected", lang) not in shown
    assert not typo.exists()
    assert list(tmp_path.glob("mal*")) == []
    context.dispose_engines()


def test_a_deleted_sqlite_file_does_not_come_back_empty(tmp_path):
    path = tmp_path / "mall.sqlite"
    url = f"sqlite:///{path}"
    built = connect_engine(url, check=False)  # a tool building a new database may create it
    built.dispose()
    assert path.is_file()
    engine = connect_engine(url, check=False, create=False, query_timeout=30)
    engine.dispose()  # the next statement opens a new connection
    path.unlink()
    with pytest.raises(DatabaseDown, match="no database file"), engine.connect() as conn:
        conn.execute(sa.select(1))
    assert not path.exists()
    engine.dispose()


def test_a_file_that_is_not_a_database(tmp_path):
    path = tmp_path / "notes.sqlite"
    path.write_bytes(b"These are meeting notes, not a SQLite database.\n" * 200)
    url = f"sqlite:///{path}"
    with pytest.raises(NotADatabase, match="is not a SQLite database"):
        connect_engine(url)
    session = AppSession(url, tmp_path, migrate=False)
    for lang in ("en", "zh"):
        session.lang = lang
        at = session.app(as_user=None)
        at.run()
        assert not at.exception, at.exception
        shown = texts(at)
        assert str(path) in shown
        zh, en = all_strings()["error.core.db.not_a_database"]
        assert (zh if lang == "zh" else en).format(path=path) in shown
    context.dispose_engines()


def test_a_locked_sqlite_database_says_busy_then_works(db_factory, tmp_path):
    engine = db_factory.engine("sqlite")
    with engine.begin() as conn:
        b = MallBuilder(conn)
        shop = b.vendor("Alpha")
        b.order(
            shop,
            b.member(),
            [Item(b.product(shop, b.category()))],
            paid_at=local("2026-11-01 10:00:00"),
        )
    session = AppSession(engine.url, tmp_path)
    session.add("ops", role="operator")
    engine.dispose()
    try:
        for lang in ("en", "zh"):
            at = _start(session, lang, "ops", "orders")
            holder = sqlite3.connect(engine.url.database, isolation_level=None)
            try:
                holder.execute("BEGIN EXCLUSIVE")  # another program writing
                began = time.monotonic()
                at.run()
                waited = time.monotonic() - began
                _assert_trouble_page(at, lang, "busy")
                assert _message("error.core.db.busy", lang) in texts(at)
                assert 2.5 < waited < 9, waited  # the app's short wait, not the tools' 10 s
            finally:
                holder.execute("ROLLBACK")
                holder.close()
            at.button(key="mb_outage_retry").click().run()
            assert not at.exception, at.exception
            assert _words("outage.busy_title", lang) not in texts(at)
    finally:
        context.dispose_engines()


# --- the time limit ---------------------------------------------------------------------


def test_the_setting_is_checked(tmp_path):
    from queries.core.errors import Invalid
    from queries.core.settings import load_settings

    none = tmp_path / "secrets.toml"  # no secrets file
    environ = {"DATABASE_URL": "sqlite:///x.sqlite"}
    assert load_settings(environ, none).query_timeout_seconds == 30
    assert load_settings({**environ, "QUERY_TIMEOUT_SECONDS": "5"}, none).query_timeout_seconds == 5
    for bad in ("0", "abc", "-3", "99999", "1.5"):
        with pytest.raises(Invalid, match="QUERY_TIMEOUT_SECONDS"):
            load_settings({**environ, "QUERY_TIMEOUT_SECONDS": bad}, none)


@pytest.fixture
def one_second(monkeypatch):
    """The app's time limit set to one second (the environment, as in production)."""
    monkeypatch.setenv("QUERY_TIMEOUT_SECONDS", "1")
    context.dispose_engines()
    yield
    context.dispose_engines()


def test_a_slow_statement_of_the_app_is_stopped(one_second, backend, db_factory, monkeypatch):
    url = db_factory.url(backend)
    if backend == "sqlite":
        connect_engine(url, check=False).dispose()  # the tests' own file
        slow = HEAVY_SQLITE
    else:
        slow = "SELECT pg_sleep(3)"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setattr(context, "connect_engine", _unchecked(context.connect_engine))
    app_engine = context.engine()  # the engine the app's pages read through
    began = time.monotonic()
    with pytest.raises(QueryTimeout) as stopped, app_engine.connect() as conn:
        conn.exec_driver_sql(slow).all()
    assert time.monotonic() - began < 2.5
    assert stopped.value.en.startswith("This took too long (more than 1 s)")
    assert "Narrow the period" in stopped.value.en
    assert _message("error.core.db.timeout", "zh") in stopped.value.zh
    # The connection went back to the pool and works.
    for _ in range(3):
        with app_engine.connect() as conn:
            assert conn.execute(sa.select(1)).scalar() == 1
    # A write is bounded as well, and nothing of it stays.
    with app_engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE scratch (n INTEGER)")
    slow_rows = HEAVY_SQLITE if backend == "sqlite" else "SELECT 1 FROM pg_sleep(3)"
    with pytest.raises(QueryTimeout), app_engine.begin() as conn:
        conn.exec_driver_sql("INSERT INTO scratch VALUES (1)")
        conn.exec_driver_sql(f"INSERT INTO scratch {slow_rows}")
    with app_engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM scratch").scalar() == 0


def test_shell_tools_have_no_time_limit(one_second, backend, db_factory):
    """The same slow statement: the app's engine (1 s limit) stops it, a tool's engine
    (exports, rollups, demo loader, bench) lets it finish."""
    url = db_factory.url(backend)
    slow = (
        "SELECT pg_sleep(2.5)"
        if backend == "postgresql"
        else HEAVY_SQLITE.replace("1000000000", "30000000")
    )
    app = connect_engine(url, check=False, query_timeout=1)
    with pytest.raises(QueryTimeout), app.connect() as conn:
        conn.exec_driver_sql(slow).all()
    app.dispose()
    tool = connect_engine(url, check=False)
    with tool.connect() as conn:
        assert conn.exec_driver_sql(slow).all()
    tool.dispose()


def _unchecked(connect):
    """The app's engine factory on a database without the contract tables (no check)."""

    def build(url, **kwargs):
        return connect(url, check=False, **kwargs)

    return build


def test_a_page_read_past_the_limit_says_so(one_second, db_factory, tmp_path):
    """PostgreSQL: another session locks `orders`, the page's read waits, the limit stops it."""
    engine = db_factory.engine("postgresql")
    with engine.begin() as conn:
        b = MallBuilder(conn)
        shop = b.vendor("Alpha")
        b.order(
            shop,
            b.member(),
            [Item(b.product(shop, b.category()))],
            paid_at=local("2026-11-01 10:00:00"),
        )
    session = AppSession(engine.url, tmp_path)
    session.add("ops", role="operator")
    session.add("shop_alpha", role="vendor", vendor_id=shop)
    try:
        for lang, user in (("en", "ops"), ("zh", "shop_alpha")):
            at = _start(session, lang, user, "orders")
            st.cache_data.clear()  # the page must read again, not show what it read before
            with engine.connect() as holder:
                holder.exec_driver_sql("BEGIN")
                holder.exec_driver_sql("LOCK TABLE orders IN ACCESS EXCLUSIVE MODE")
                began = time.monotonic()
                at.run()
                assert time.monotonic() - began < 10
                holder.rollback()
            _assert_trouble_page(at, lang, "timeout")
            shown = texts(at)
            assert _message("error.core.db.timeout", lang) in shown
            assert "Traceback" not in shown
            at.button(key="mb_outage_retry").click().run()  # the lock is gone: the page reads
            assert not at.exception, at.exception
            assert _words("outage.timeout_title", lang) not in texts(at)
    finally:
        context.dispose_engines()
        db_factory.drop(engine)
