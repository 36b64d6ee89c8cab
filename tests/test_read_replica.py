"""The read replica (`READ_DATABASE_URL`) and the app's connection pools.

Routing is tested on the one test server: the "replica" is a copy of the primary's
database (`CREATE DATABASE … TEMPLATE`) holding a price of its own, so a page shows
where it read from; being on the same server, it reports the primary's own WAL position
and so is always caught up. To pin it behind, the test makes its reported position 0
(what a lagging standby reports as its replay position is the one thing replaced): the
copy really does lack the write. A replica that stops answering is a TCP relay in front
of the server that the test closes and opens again. The real streaming standby is
tests/test_scale_out.py's.
"""

from __future__ import annotations

import logging
import socket
import threading

import pytest
import sqlalchemy as sa
import streamlit as st
from streamlit.testing.v1 import AppTest

from dashboard.caching import cached
from dashboard.shell import context
from dashboard.shell.auth import TOKEN
from dashboard.shell.context import read_engine
from queries.console.cache_generations import bump
from queries.console.tables import sessions
from queries.core import schema as s
from queries.core.db import connect_engine
from queries.core.errors import Invalid
from queries.core.replica import (
    Lag,
    ReplicaHealth,
    caught_up,
    replica_lag,
    replica_trouble,
    wal_position,
)
from queries.core.settings import load_settings
from tests.apptest import ENTRY, TIMEOUT, AppSession, texts
from tests.builders import MallBuilder
from tests.conftest import _admin_url

# --- settings and the rules, no database ------------------------------------------------------


def test_replica_and_pool_settings_are_validated(tmp_path):
    none = tmp_path / "none.toml"
    pg = "postgresql://app@db/mall"
    found = load_settings({"DATABASE_URL": pg}, none)
    assert (found.read_database_url, found.db_pool_size, found.db_pool_timeout_seconds) == (
        None,
        10,
        10,
    )
    found = load_settings(
        {"DATABASE_URL": pg, "READ_DATABASE_URL": "postgres://app@standby/mall"}, none
    )
    assert found.read_database_url == "postgresql+psycopg://app@standby/mall"
    secrets = tmp_path / "secrets.toml"
    secrets.write_text('READ_DATABASE_URL = "postgresql://app@standby2/mall"\nDB_POOL_SIZE = "3"\n')
    found = load_settings({"DATABASE_URL": pg}, secrets)
    assert found.read_database_url.endswith("@standby2/mall") and found.db_pool_size == 3
    refused = {
        "READ_DATABASE_URL must be postgresql": {"READ_DATABASE_URL": "mysql://x/y"},
        "needs PostgreSQL for both": {"READ_DATABASE_URL": "sqlite:///copy.sqlite"},
        "DB_POOL_SIZE must be a whole number from 1": {"DB_POOL_SIZE": "0"},
        "DB_POOL_TIMEOUT_SECONDS must be a whole number": {"DB_POOL_TIMEOUT_SECONDS": "x"},
    }
    for says, given in refused.items():
        with pytest.raises(Invalid) as caught:
            load_settings({"DATABASE_URL": pg, **given}, none)
        assert says in caught.value.message("en"), says
    with pytest.raises(Invalid, match="needs PostgreSQL"):
        load_settings({"READ_DATABASE_URL": pg}, none)  # the embedded SQLite demo


def test_a_write_is_shown_once_the_replica_has_replayed_past_it():
    assert caught_up(None, None) and caught_up(5, None)
    assert caught_up(100, 100) and caught_up(101, 100)
    assert not caught_up(99, 100) and not caught_up(None, 100)


def test_an_outage_is_logged_once_and_the_replica_tried_again_every_few_seconds(caplog):
    now = [1000.0]
    health = ReplicaHealth(recheck_seconds=5, clock=lambda: now[0])
    assert health.usable() and health.down_since is None
    with caplog.at_level(logging.WARNING, logger="mallboard"):
        health.failed(RuntimeError("connection refused"))
        health.failed(RuntimeError("connection refused"))
        assert not health.usable()  # inside the window: the primary serves
        now[0] += 4.9
        assert not health.usable()
        now[0] += 0.2
        assert health.usable()  # one read tries again …
        assert not health.usable()  # … the others wait for the next window
        health.failed(RuntimeError("still refused"))
        now[0] += 5
        assert health.usable()
        health.answered()
        health.answered()
        assert health.usable() and health.down_since is None
    said = [r.getMessage() for r in caplog.records if r.name == "mallboard"]
    assert said == [
        "read replica unreachable, reading from the primary: connection refused",
        "read replica answers again: reads return to it",
    ]


# --- positions on a real server ---------------------------------------------------------------


def test_positions_on_a_primary_and_on_sqlite(empty_db):
    with empty_db.connect() as conn:
        first = wal_position(conn)
    if empty_db.dialect.name == "sqlite":
        assert first is None
        return
    with empty_db.begin() as conn:
        MallBuilder(conn).category()
    with empty_db.connect() as conn:
        later = wal_position(conn)
        current = conn.execute(
            sa.text("SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::bigint")
        ).scalar()
    assert first is not None and first < later <= current
    # A primary named as its own replica (pg_last_wal_replay_lsn() is NULL there) is at
    # the primary's position: never behind.
    with empty_db.connect() as primary, empty_db.connect() as replica:
        assert replica_lag(replica, written=wal_position(primary)) == Lag(0, 0.0)
        far = 2**50  # a primary far ahead: bytes behind; no replayed transaction to time
        before = wal_position(replica)
        lag = replica_lag(replica, written=far)
        after = wal_position(replica)  # other tests may write meanwhile
        assert far - after <= lag.bytes <= far - before and lag.seconds == 0.0


def test_what_a_replica_error_means_for_a_read(db_factory):
    empty_db = db_factory.engine("postgresql", schema=False)
    raised = {}
    for name, sql in {
        "conflict": "DO $$ BEGIN RAISE EXCEPTION 'conflict with recovery' "
        "USING ERRCODE = '40001'; END $$",
        "bug": "SELECT 1 / 0",
    }.items():
        with pytest.raises(sa.exc.DBAPIError) as caught, empty_db.connect() as conn:
            conn.exec_driver_sql(sql)
        raised[name] = caught.value
    closed = connect_engine(
        empty_db.url.set(port=1).render_as_string(hide_password=False), check=False, probe=False
    )
    with pytest.raises(sa.exc.SQLAlchemyError) as caught, closed.connect():
        pass
    closed.dispose()
    assert replica_trouble(caught.value) == "down"
    assert replica_trouble(raised["conflict"]) == "conflict"
    assert replica_trouble(raised["bug"]) is None
    db_factory.drop(empty_db)


# --- routing, on one PostgreSQL server ---------------------------------------------------------


class Relay:
    """A TCP relay on a port of its own to the test server: closed, the "replica" is down."""

    def __init__(self, upstream: tuple[str, int]) -> None:
        self.upstream = upstream
        probe = socket.socket()
        probe.bind(("127.0.0.1", 0))
        self.port = probe.getsockname()[1]
        probe.close()
        self._listener: socket.socket | None = None
        self._open: list[socket.socket] = []

    def start(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(16)
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # closed
            server = socket.create_connection(self.upstream)
            self._open += [client, server]
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        for end in (source, sink):
            try:
                end.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def stop(self) -> None:
        if self._listener is not None:
            # shutdown wakes the thread blocked in accept(); close alone leaves it listening
            self._listener.shutdown(socket.SHUT_RDWR)
            self._listener.close()
            self._listener = None
        while self._open:
            end = self._open.pop()
            try:
                end.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            end.close()


@pytest.fixture
def pair(db_factory, tmp_path):
    """A primary with shop Alpha's lipstick at ¥100.00, and a copy of it (the "replica")
    where it costs ¥77.00. Accounts alpha, alpha2 (Alpha) and ops; sessions made later
    exist on the primary only."""
    primary = db_factory.engine("postgresql")
    with primary.begin() as conn:
        b = MallBuilder(conn)
        shop = b.vendor("Alpha")
        product = b.product(shop, b.category(), "Lipstick", price_cents=10000, stock=5)
    session = AppSession(primary.url, tmp_path)
    for name in ("alpha", "alpha2"):
        session.add(name, role="vendor", vendor_id=shop)
    session.add("ops", role="operator")
    primary.dispose()
    context.dispose_engines()
    name = primary.url.database
    copy = f"{name}_replica"
    admin = sa.create_engine(_admin_url(), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{copy}" TEMPLATE "{name}"')  # names made here
    replica_admin = connect_engine(
        primary.url.set(database=copy).render_as_string(hide_password=False), check=False
    )
    with replica_admin.begin() as conn:
        conn.execute(
            s.products.update().where(s.products.c.product_id == product).values(price_cents=7700)
        )
    replica_url = sa.make_url(session.app_url).set(database=copy)
    yield session, primary, replica_admin, replica_url, product
    context.dispose_engines()
    replica_admin.dispose()
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{copy}" WITH (FORCE)')
    admin.dispose()


def _tab(session: AppSession, user: str, token: str | None = None) -> AppTest:
    """Another browser tab of the same app process: a login of its own (or the session
    `token` of one, as a click landing on another process brings it), the shared cache
    kept (`AppSession.app` empties it, as a test of another database must)."""
    at = AppTest.from_file(ENTRY, default_timeout=TIMEOUT)
    at.session_state["lang"] = session.lang
    at.session_state[TOKEN] = token or session.login_token(user)
    at.run()
    at.switch_page("dashboard/pages/products.py")
    at.run()
    return at


def _edit_price(at: AppTest, product: int, price: str) -> None:
    at.selectbox(key="products_one_pick").set_value(product).run()
    next(w for w in at.text_input if w.label == "Price (¥)").set_value(price)
    next(b for b in at.button if b.label == "Save").click().run()
    assert not at.exception


def _waiting(at: AppTest) -> int | None:
    try:
        return at.session_state[context.WRITE_LSN]
    except KeyError:
        return None


def test_pages_read_the_replica_while_logins_and_sessions_stay_on_the_primary(pair, monkeypatch):
    session, primary, replica_admin, replica_url, _product = pair
    monkeypatch.setenv("READ_DATABASE_URL", replica_url.render_as_string(hide_password=False))
    at = session.open("products", as_user="alpha")
    assert not at.exception
    assert "77.00" in texts(at) and "100.00" not in texts(at)  # the replica's copy
    # The login's session exists on the primary only, and the pages went on with it.
    with primary.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(sessions)).scalar() == 1
    with replica_admin.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(sessions)).scalar() == 0


def test_own_write_is_read_from_the_primary_until_the_replica_replays_it(pair, monkeypatch):
    session, primary, replica_admin, replica_url, product = pair
    monkeypatch.setenv("READ_DATABASE_URL", replica_url.render_as_string(hide_password=False))
    pinned = {"behind": True}

    def reported(conn: sa.Connection) -> int | None:
        # What a standby reports as replayed: nothing, while it is pinned behind.
        if pinned["behind"] and conn.engine.url.database == replica_url.database:
            return 0
        return wal_position(conn)

    monkeypatch.setattr(context, "wal_position", reported)
    writer = session.open("products", as_user="alpha")
    assert "77.00" in texts(writer)
    other = _tab(session, "alpha2")  # the same shop, another person, the same process
    assert "77.00" in texts(other)

    _edit_price(writer, product, "150.00")
    assert "Saved changes to 1 product." in texts(writer)
    # The writer reads the primary: the replica (and this process's cache of it) is older.
    assert "150.00" in texts(writer) and "77.00" not in texts(writer)
    waiting = _waiting(writer)
    with primary.connect() as conn:
        kept = conn.execute(
            sa.select(sessions.c.write_lsn).where(sessions.c.write_lsn.is_not(None))
        )
        assert [row.write_lsn for row in kept] == [waiting] and waiting > 0
    writer.run()
    assert "150.00" in texts(writer)
    other.run()
    assert "77.00" in texts(other)  # no write of theirs to wait for: the replica
    # The writer's next click lands on another process: a new Streamlit session with the
    # same login, which knows of the write from the session's row.
    elsewhere = _tab(session, "alpha", token=writer.session_state[TOKEN])
    assert "150.00" in texts(elsewhere) and _waiting(elsewhere) == waiting

    # The replica replays the write (the price and the generation it raised), and says so.
    with replica_admin.begin() as conn:
        conn.execute(
            s.products.update().where(s.products.c.product_id == product).values(price_cents=15000)
        )
        bump(conn, ("products", "audit"))
    pinned["behind"] = False
    writer.run()
    assert "150.00" in texts(writer) and _waiting(writer) is None  # back on the replica
    other.run()
    assert "150.00" in texts(other)  # its cached ¥77.00 went with the replica's generation


def test_a_replica_that_does_not_answer_is_left_for_the_primary_and_found_again(
    pair, monkeypatch, caplog
):
    session, primary, replica_admin, replica_url, _product = pair
    server = sa.make_url(session.app_url)
    relay = Relay((server.host or "127.0.0.1", server.port or 5432))
    through = replica_url.set(host="127.0.0.1", port=relay.port)
    monkeypatch.setenv("READ_DATABASE_URL", through.render_as_string(hide_password=False))
    caplog.set_level(logging.WARNING, logger="mallboard")
    try:
        at = session.open("products", as_user="alpha")  # nothing listens there yet
        assert not at.exception and "100.00" in texts(at)
        at.run()
        assert "100.00" in texts(at)
        monkeypatch.setattr(context._health, "recheck_seconds", 0)  # try at every run
        relay.start()
        at.run()
        assert not at.exception and "77.00" in texts(at)
        relay.stop()  # the replica goes away between two clicks: its pooled connections too
        at.run()
        assert not at.exception and "100.00" in texts(at)
        at.run()
        assert "100.00" in texts(at)
        relay.start()
        at.run()
        assert "77.00" in texts(at)
    finally:
        relay.stop()
    said = [r.getMessage().split(":")[0] for r in caplog.records if r.name == "mallboard"]
    assert said == [
        "read replica unreachable, reading from the primary",
        "read replica answers again",
        "read replica unreachable, reading from the primary",
        "read replica answers again",
    ]


_MIDWAY: dict[str, Relay | None] = {"relay": None}


@cached(ttl=600)
def _price_read_midway(product_id: int) -> int:
    relay = _MIDWAY["relay"]
    if relay is not None:  # the replica goes away while this read is under way
        _MIDWAY["relay"] = None
        relay.stop()
    with read_engine().connect() as conn:
        stmt = sa.select(s.products.c.price_cents).where(s.products.c.product_id == product_id)
        return conn.execute(stmt).scalar_one()


def test_a_read_the_replica_fails_midway_is_made_on_the_primary(pair, monkeypatch, caplog):
    session, _primary, _replica_admin, replica_url, product = pair
    server = sa.make_url(session.app_url)
    relay = Relay((server.host or "127.0.0.1", server.port or 5432))
    through = replica_url.set(host="127.0.0.1", port=relay.port)
    monkeypatch.setenv("READ_DATABASE_URL", through.render_as_string(hide_password=False))
    caplog.set_level(logging.WARNING, logger="mallboard")
    st.cache_data.clear()
    relay.start()
    try:
        with read_engine().connect() as conn:  # the replica answers: a pooled connection
            conn.execute(sa.select(1))
        _MIDWAY["relay"] = relay
        assert _price_read_midway(product) == 10000  # the primary's, not the replica's 7700
    finally:
        _MIDWAY["relay"] = None
        relay.stop()
    said = [r.getMessage().split(":")[0] for r in caplog.records if r.name == "mallboard"]
    assert said == ["read replica unreachable, reading from the primary"]


def test_operators_see_the_replica_and_its_lag_on_data_jobs(pair, monkeypatch):
    session, _primary, _replica_admin, replica_url, _product = pair
    at = session.open("data_jobs", as_user="ops")
    assert "No read replica" in texts(at)
    monkeypatch.setenv("READ_DATABASE_URL", replica_url.render_as_string(hide_password=False))
    at = session.open("data_jobs", as_user="ops")
    assert not at.exception
    page = texts(at)
    assert "Read replica" in page and "answers" in page and "0 bytes" in page
    monkeypatch.setenv("READ_DATABASE_URL", replica_url.set(port=1).render_as_string())
    at = session.open("data_jobs", as_user="ops")
    assert not at.exception and "does not answer" in texts(at)


# --- the pool ----------------------------------------------------------------------------------


def test_an_exhausted_pool_shows_the_busy_page_instead_of_waiting(empty_db, tmp_path, monkeypatch):
    monkeypatch.setenv("DB_POOL_SIZE", "1")
    monkeypatch.setenv("DB_POOL_TIMEOUT_SECONDS", "1")
    with empty_db.begin() as conn:
        b = MallBuilder(conn)
        shop = b.vendor("Alpha")
        b.product(shop, b.category(), "Lipstick", price_cents=10000)
    session = AppSession(empty_db.url, tmp_path)
    session.add("alpha", role="vendor", vendor_id=shop)
    at = session.open("products", as_user="alpha")
    assert not at.exception and "100.00" in texts(at)
    (app_engine,) = context._created_engines  # the app process's own engine
    held = [app_engine.connect(), app_engine.connect()]  # its pool: 1 + 1 in a burst
    try:
        at.run()
        assert not at.exception
        assert "The database is busy" in texts(at)
    finally:
        for conn in held:
            conn.close()
    at.run()
    assert "100.00" in texts(at) and "busy" not in texts(at)
