"""Real databases for every test: a fresh SQLite file or a fresh PostgreSQL database.

PostgreSQL is found through `TEST_DATABASE_URL`, else the local server at
127.0.0.1:5432. Under `CI=true` it is mandatory: a missing server fails the run.
Each fresh PostgreSQL database is created for the test and dropped after it, so
several test runs (and xdist workers) never share tables.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator

import pytest
import sqlalchemy as sa

from queries.core.db import connect_engine
from queries.core.schema import create_schema

pytest_plugins = ["tests.browser"]  # running_app, browser_page fixtures for journeys

BACKENDS = ("sqlite", "postgresql")
DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def _admin_url() -> str:
    from queries.core.settings import normalize_url

    return normalize_url(os.environ.get("TEST_DATABASE_URL") or DEFAULT_PG)


def _postgres_reachable() -> str | None:
    """None when PostgreSQL answers, else the reason it does not."""
    try:
        engine = sa.create_engine(_admin_url(), connect_args={"connect_timeout": 3})
        with engine.connect() as conn:
            conn.execute(sa.select(1))
        engine.dispose()
        return None
    except Exception as exc:  # noqa: BLE001 - any failure means "not reachable"
        return str(exc).splitlines()[0]


@pytest.fixture(scope="session")
def postgres_available() -> bool:
    reason = _postgres_reachable()
    if reason is None:
        return True
    if os.environ.get("CI") == "true":
        pytest.fail(f"PostgreSQL is mandatory under CI=true and is not reachable: {reason}")
    return False


class DatabaseFactory:
    """Makes fresh, empty databases with the contract schema, and drops them after."""

    def __init__(self, tmp_path_factory: pytest.TempPathFactory, pg_ok: bool) -> None:
        self._tmp = tmp_path_factory
        self._pg_ok = pg_ok
        self._cleanups: list[Callable[[], None]] = []

    def url(self, backend: str) -> str:
        """The URL of a new, empty database (no tables)."""
        if backend == "sqlite":
            return f"sqlite:///{self._tmp.mktemp('db') / 'mall.sqlite'}"
        if not self._pg_ok:
            pytest.skip("PostgreSQL is not reachable here (it is mandatory under CI=true)")
        name = f"mbt_{uuid.uuid4().hex[:12]}"
        admin = sa.create_engine(_admin_url(), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')  # name is generated above
        admin.dispose()

        def drop() -> None:
            admin = sa.create_engine(_admin_url(), isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            admin.dispose()

        self._cleanups.append(drop)
        return sa.make_url(_admin_url()).set(database=name).render_as_string(hide_password=False)

    def engine(self, backend: str, *, schema: bool = True) -> sa.Engine:
        """An engine on a new database, with the contract tables unless `schema=False`."""
        engine = connect_engine(self.url(backend), check=False)
        self._cleanups.append(engine.dispose)
        if schema:
            create_schema(engine)
        return engine

    def drop(self, engine: sa.Engine) -> None:
        """Dispose of `engine` and drop its database now rather than at the end of the run."""
        engine.dispose()
        if engine.dialect.name != "postgresql":
            return
        admin = sa.create_engine(_admin_url(), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{engine.url.database}" WITH (FORCE)')
        admin.dispose()

    def close(self) -> None:
        for cleanup in reversed(self._cleanups):
            cleanup()


@pytest.fixture(scope="session")
def db_factory(tmp_path_factory, postgres_available) -> Iterator[DatabaseFactory]:
    factory = DatabaseFactory(tmp_path_factory, postgres_available)
    yield factory
    factory.close()


@pytest.fixture(params=BACKENDS)
def backend(request) -> str:
    """Each test that takes it runs on SQLite and on PostgreSQL."""
    return request.param


@pytest.fixture
def empty_db(backend: str, db_factory: DatabaseFactory) -> Iterator[sa.Engine]:
    """A fresh database with the contract schema and no rows, dropped after the test."""
    engine = db_factory.engine(backend)
    yield engine
    from dashboard.shell.context import dispose_engines

    dispose_engines()  # an AppTest of this test may have pooled connections to it
    db_factory.drop(engine)


_TINY_CACHE: dict[str, sa.Engine] = {}


@pytest.fixture
def tiny_demo(backend: str, db_factory: DatabaseFactory) -> sa.Engine:
    """The `tiny` demo mall, built once per backend per test run. Read it, never write."""
    if backend not in _TINY_CACHE:
        from demo.generate import generate

        engine = db_factory.engine(backend)
        generate(engine, scale="tiny", seed=7)
        _TINY_CACHE[backend] = engine
    return _TINY_CACHE[backend]


@pytest.fixture(scope="module", params=BACKENDS)
def rollup_demo_mall(request, db_factory):
    """A `tiny` demo mall of the module's own (rollup tests drop and rebuild its rollups)."""
    from datetime import UTC, datetime

    from demo.generate import generate

    engine = db_factory.engine(request.param)
    summary = generate(
        engine, scale="tiny", seed=5, as_of=datetime(2026, 11, 20, 6, 30, tzinfo=UTC)
    )
    return engine, summary


@pytest.fixture(autouse=True)
def _rollups_of_any_age():
    """The app sets ROLLUP_MAX_AGE_DAYS process-wide when it runs (AppTest runs it in this
    process): every test starts from the query layer's default again (any age is read)."""
    from queries.rolled.coverage import read_rollups_up_to

    read_rollups_up_to(None)
    yield
    read_rollups_up_to(None)


@pytest.fixture(autouse=True)
def _no_language_left_in_the_bare_session():
    """Outside an app run (where AppTest formats widget values between runs) Streamlit
    answers `st.session_state` from one stand-in session for the whole process: a language
    a test leaves there would format the next test's choices in it."""
    import streamlit as st

    st.session_state.pop("lang", None)
    yield
    st.session_state.pop("lang", None)


# What the bench commands set in the environment (the app's settings) as they run.
BENCH_ENV = ("DATABASE_URL", "MALLBOARD_ACCOUNTS", "MALLBOARD_COOKIE_KEY", "MALLBOARD_RAISE_ERRORS")


@pytest.fixture
def restored_env(monkeypatch):
    """A bench command sets the app's environment; put it back after the test."""
    for name in BENCH_ENV:
        monkeypatch.setenv(name, "placeholder")
        monkeypatch.delenv(name)
    return monkeypatch
