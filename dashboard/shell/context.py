"""The running app's settings, engines, logged-in actor and the scope a page reads.

A vendor's scope always comes from their account: `page_scope` ignores any
`?vendor=` in the URL for vendors. Staff pick a shop (or the whole mall) in the
sidebar, remembered in the URL so a leaderboard row can open a vendor's view.

Two engines at most: `engine()` for `DATABASE_URL` (writes, logins and sessions, and
every read while no replica is configured) and the read replica's (`READ_DATABASE_URL`).
Page reads take `read_engine()`: once per script run `dashboard.caching` asks
`_choose_source` where this run reads — the replica, unless it is down (then the primary,
logged once, tried again every few seconds) or this user wrote something it has not
replayed yet (`pg_last_wal_replay_lsn()` below the primary's position after the write,
kept in the session and its row: `queries.core.replica`).
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
import streamlit as st
from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

from dashboard import caching
from dashboard.caching import Source, cached, clear_topics
from queries.console.cache_generations import generations
from queries.console.write_positions import remember_write_position, write_position
from queries.core.actors import Actor, Scope, scope_for
from queries.core.db import Pool, connect_engine
from queries.core.invalidation import subscribe
from queries.core.replica import (
    Lag,
    ReplicaHealth,
    caught_up,
    replica_lag,
    replica_trouble,
    wal_position,
)
from queries.core.settings import SECRETS_PATH, Settings, load_settings
from queries.rolled.coverage import read_rollups_up_to

__all__ = [
    "ReplicaStatus",
    "current_actor",
    "dispose_engines",
    "engine",
    "open_vendor_view",
    "page_scope",
    "read_engine",
    "replica_engine",
    "replica_status",
    "reread",
    "settings",
    "vendor_choices",
]

_LOG = logging.getLogger("mallboard")

_SETTING_NAMES = (
    "DATABASE_URL",
    "READ_DATABASE_URL",
    "PLATFORM_TIMEZONE",
    "CURRENCY",
    "REVIEW_DEADLINE_DAYS",
    "QUERY_TIMEOUT_SECONDS",
    "DB_POOL_SIZE",
    "DB_POOL_TIMEOUT_SECONDS",
)
_settings_memo: dict[tuple, Settings] = {}


def settings() -> Settings:
    """The validated settings, read again whenever the environment or secrets.toml changes.

    Keyed on what they are read from, so tests can point elsewhere, while formatting
    ten thousand cells does not parse secrets.toml ten thousand times.
    """
    try:
        stamp = SECRETS_PATH.stat().st_mtime_ns
    except OSError:
        stamp = None
    key = (stamp, *(os.environ.get(name) for name in _SETTING_NAMES))
    found = _settings_memo.get(key)
    if found is None:
        found = load_settings()  # raises (nothing remembered) when they are invalid
        _settings_memo.clear()
        _settings_memo[key] = found
    return found


_created_engines: list[sa.Engine] = []
# A replica that does not answer costs a read this long at most before the primary serves it.
REPLICA_CONNECT_SECONDS = 2


@st.cache_resource(show_spinner=False)
def _engine(
    url: str, query_timeout: float, pool_size: int = 10, pool_timeout: float = 10.0
) -> sa.Engine:
    # The app's engine alone has the time limit: shell tools (exports, rollups, the demo
    # loader, bench) run long statements on purpose. It never creates a SQLite file.
    engine = connect_engine(
        url, create=False, query_timeout=query_timeout, pool=Pool(pool_size, pool_timeout)
    )
    _created_engines.append(engine)
    return engine


@st.cache_resource(show_spinner=False)
def _replica(url: str, query_timeout: float, pool_size: int, pool_timeout: float) -> sa.Engine:
    # Opened without a first connection: a replica down at start must not stop the app.
    engine = connect_engine(
        url,
        check=False,
        create=False,
        query_timeout=query_timeout,
        pool=Pool(pool_size, pool_timeout),
        probe=False,
        connect_timeout=REPLICA_CONNECT_SECONDS,
    )
    _created_engines.append(engine)
    return engine


# Whether this process's reads reach the replica (one per process, like its engine).
_health = ReplicaHealth()


def dispose_engines() -> None:
    """Close every engine this process opened and forget them (tests switch databases)."""
    global _health  # noqa: PLW0603 - a new database, a replica not yet seen down
    _engine.clear()
    _replica.clear()
    while _created_engines:
        _created_engines.pop().dispose()
    _health = ReplicaHealth()


def engine() -> sa.Engine:
    """The shared engine for the configured database (never mutated), every statement
    bounded by `QUERY_TIMEOUT_SECONDS`: writes, logins and sessions use it."""
    config = settings()
    # Rollups older than ROLLUP_MAX_AGE_DAYS are not read: the app's reads go live.
    read_rollups_up_to(config.rollup_max_age_days)
    return _engine(
        config.database_url,
        config.query_timeout_seconds,
        config.db_pool_size,
        config.db_pool_timeout_seconds,
    )


def replica_engine() -> sa.Engine | None:
    """The read replica's engine (None: no `READ_DATABASE_URL`)."""
    config = settings()
    if config.read_database_url is None:
        return None
    return _replica(
        config.read_database_url,
        config.query_timeout_seconds,
        config.db_pool_size,
        config.db_pool_timeout_seconds,
    )


def read_engine() -> sa.Engine:
    """Where a page's read goes in this run: the replica, or the primary (see above)."""
    source = caching.current_source()
    return engine() if source is None else source.engine


# --- choosing a run's source ----------------------------------------------------------

WRITE_LSN = "_mb_write_lsn"  # the primary's position after this session's own last write
WRITE_LSN_LOADED = "_mb_write_lsn_loaded"  # the session row's was read in this process
SESSION_HASH = "_mb_session_hash"  # the session's hash, kept by dashboard.shell.auth


def _with_generations(name: str, database: sa.Engine, conn: sa.Connection) -> Source:
    try:
        found = generations(conn)
    except (sa.exc.ProgrammingError, sa.exc.OperationalError) as exc:
        if isinstance(exc, sa.exc.DBAPIError) and exc.connection_invalidated:
            raise
        found = {}  # a database without the console's tables: nothing to follow
    return Source(name, database, found)


def _primary_source() -> Source:
    database = engine()
    with database.connect() as conn:
        return _with_generations("primary", database, conn)


def _waiting_position() -> int | None:
    """The position this user's own last write needs the replica to have replayed."""
    if get_script_run_ctx() is None:
        return None
    state = st.session_state
    if not state.get(WRITE_LSN_LOADED):
        state[WRITE_LSN_LOADED] = True
        session_hash = state.get(SESSION_HASH)
        if session_hash:  # a click that landed on this process after a write on another
            with engine().connect() as conn:
                kept = write_position(conn, session_hash=session_hash)
            if kept is not None and kept > (state.get(WRITE_LSN) or 0):
                state[WRITE_LSN] = kept
    return state.get(WRITE_LSN)


def _choose_source() -> Source:
    """This run's source, with the topics' generations read there (see the module doc)."""
    replica = replica_engine()
    if replica is None or not _health.usable():
        return _primary_source()
    wanted = _waiting_position()
    try:
        with replica.connect() as conn:
            if wanted is not None:
                if not caught_up(wal_position(conn), wanted):
                    _health.answered()
                    return _primary_source()  # this user's write is not there yet
                st.session_state.pop(WRITE_LSN, None)  # replayed: the replica shows it
            source = _with_generations("replica", replica, conn)
    except sa.exc.SQLAlchemyError as exc:
        trouble = replica_trouble(exc)
        if trouble is None:
            raise
        return _replica_failed(exc, trouble)
    _health.answered()
    return source


def _replica_failed(exc: BaseException, trouble: str) -> Source:
    """The primary's source after the replica failed a read (`trouble`: "down": left
    alone for a while, logged once; "conflict": cancelled by its replay, this read only)."""
    if trouble == "down":
        _health.failed(exc)
    return _primary_source()


caching.use_sources(_choose_source, _replica_failed)


def _remember_own_write() -> None:
    """Keep the primary's position now in this session (and its row): this user's reads
    stay on the primary until the replica has replayed it. Nothing without a replica."""
    if get_script_run_ctx() is None or settings().read_database_url is None:
        return
    try:
        with engine().connect() as conn:
            position = wal_position(conn)
        if position is None:
            return
        state = st.session_state
        state[WRITE_LSN] = max(position, state.get(WRITE_LSN) or 0)
        session_hash = state.get(SESSION_HASH)
        if session_hash:
            remember_write_position(engine(), session_hash=session_hash, position=position)
    except sa.exc.SQLAlchemyError as exc:  # the write is done; its page says so
        _LOG.warning("could not keep the position of a write: %s", exc)
    caching.reroute()


def _after_write(topics: tuple[str, ...]) -> None:
    del topics  # every write: the user's next reads must show it
    _remember_own_write()


subscribe(_after_write)


def reread(topics: tuple[str, ...]) -> None:
    """The page showed old values (a write was refused as a conflict): drop the cached
    reads of `topics`, and read from the primary until the replica has caught up."""
    clear_topics(topics)
    _remember_own_write()


# --- the replica as operators see it ---------------------------------------------------


@dataclass(frozen=True)
class ReplicaStatus:
    """The read replica as this process sees it: None fields where it cannot be known."""

    configured: bool
    answering: bool = False
    down_since: datetime | None = None
    reason: str = ""
    lag: Lag | None = None


def replica_status() -> ReplicaStatus:
    """Whether a replica is configured, answers, and how far behind it is (uncached)."""
    replica = replica_engine()
    if replica is None:
        return ReplicaStatus(configured=False)
    with engine().connect() as primary:  # the primary's trouble is not the replica's
        written = wal_position(primary)
    try:
        with replica.connect() as conn:
            lag = replica_lag(conn, written=written)
    except sa.exc.SQLAlchemyError as exc:
        if replica_trouble(exc) != "down":
            raise
        _health.failed(exc)
        return ReplicaStatus(True, False, _health.down_since, _health.reason)
    _health.answered()
    return ReplicaStatus(True, True, lag=lag)


def current_actor() -> Actor:
    """The logged-in user; the entry script sets it before any page runs."""
    actor = st.session_state.get("actor")
    if not isinstance(actor, Actor):
        st.stop()
    return actor


@cached(ttl=300, topics=("vendors",))
def _vendor_choices(database_url: str) -> list[tuple[int, str]]:
    from queries.merchants.names import vendor_names

    del database_url  # the cache key: the app's database
    with read_engine().connect() as conn:
        return vendor_names(conn)


def vendor_choices() -> list[tuple[int, str]]:
    """(vendor_id, name) of every shop, for the staff's shop picker."""
    return _vendor_choices(settings().database_url)


def page_scope(actor: Actor | None = None) -> Scope:
    """The shop this page shows: the vendor's own, or the staff's pick (default: whole mall).

    The staff's pick is in the URL (`?vendor=ID`: a link or a leaderboard row opens
    that shop; a value this session has already seen does not undo a later pick) and
    follows them to the next page.
    """
    from dashboard.i18n import t, t_plain
    from dashboard.shell import url_state

    actor = actor or current_actor()
    if actor.role == "vendor":
        return scope_for(actor)  # never from the URL
    choices = vendor_choices()
    ids = [None] + [vendor_id for vendor_id, _ in choices]
    names = dict(choices)
    raw = url_state.incoming("scope_vendor", "vendor")
    requested = int(raw) if raw and raw.isascii() and raw.isdigit() and len(raw) <= 9 else None
    # The picker's value on the previous page, or the one kept: Streamlit would reset a
    # widget on a new page, so its value is handed over explicitly.
    current = st.session_state.get("scope_vendor", url_state.recall("vendor"))
    if requested in names:
        current = requested
    st.session_state["scope_vendor"] = current if current in ids else None
    picked = st.sidebar.selectbox(
        t("scope.label"),
        ids,
        format_func=lambda v: (
            # A select box's options are plain text, not Markdown: the name as written.
            t("scope.mall")
            if v is None
            else t_plain("scope.vendor_option", name=names[v], vendor_id=v)
        ),
        placeholder=t("scope.mall"),  # Streamlit shows a chosen None as the placeholder
        key="scope_vendor",
    )
    url_state.remember("vendor", picked)
    url_state.publish("scope_vendor", "vendor", lambda: None if picked is None else str(picked))
    return scope_for(actor, picked)


def open_vendor_view(vendor_id: int, page: str = "dashboard/pages/sales.py") -> None:
    """Staff only: switch the shop picker to `vendor_id` and open `page` for it."""
    from dashboard.shell import url_state

    url_state.remember("vendor", vendor_id)
    st.switch_page(page, query_params={"vendor": str(vendor_id)})
