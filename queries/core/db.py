"""Engines, the contract check, and local-time SQL functions for both databases.

`local_day`, `local_week`, `local_month` and `local_hour` bucket a UTC
timestamp column by the platform timezone's calendar *inside* SQL, with the
zone's name as a bound parameter (never a fixed offset): PostgreSQL's
`timezone()` knows daylight saving, and on SQLite the same is a Python function
registered on every connection. Pass the *same* `bindparam` object for the
zone in the select list and in GROUP BY, so PostgreSQL sees one expression.
"""

from __future__ import annotations

import sqlite3
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from queries.core.errors import (
    DatabaseBusy,
    DatabaseDown,
    DatabaseTrouble,
    DatabaseUnavailable,
    MissingContract,
    NoDatabaseFile,
    NotADatabase,
    QueryTimeout,
)
from queries.core.messages import listed, text
from queries.core.rls import install as install_row_scope
from queries.core.schema import metadata

__all__ = [
    "CONSOLE_SCHEMA",
    "Pool",
    "check_contract",
    "connect_engine",
    "database_trouble",
    "local_day",
    "local_hour",
    "local_month",
    "local_week",
    "union_all",
    "within",
]


def within(column, spans: list) -> sa.ColumnElement[bool]:
    """`column` inside one of the half-open `spans` (TimeRange-like: `.start`, `.end`)."""
    return sa.or_(*(sa.and_(column >= span.start, column < span.end) for span in spans))


def union_all(selects: list[sa.Select]) -> sa.Select | sa.CompoundSelect:
    """The one select as it is, or the UNION ALL of several (reads that combine figures)."""
    return selects[0] if len(selects) == 1 else sa.union_all(*selects)


# --- local-time bucketing -------------------------------------------------------------


class _LocalBucket(FunctionElement):
    """`(column, tz)` → the local date that starts the column's day / week / month."""

    type = sa.Date()
    inherit_cache = True
    grain = "day"


class local_day(_LocalBucket):  # noqa: N801 - reads like a SQL function
    grain = "day"
    inherit_cache = True


class local_week(_LocalBucket):  # noqa: N801
    grain = "week"
    inherit_cache = True


class local_month(_LocalBucket):  # noqa: N801
    grain = "month"
    inherit_cache = True


class local_hour(FunctionElement):  # noqa: N801
    """`(column, tz)` → the local hour of day, 0–23."""

    type = sa.Integer()
    inherit_cache = True


@compiles(_LocalBucket, "postgresql")
def _pg_bucket(element, compiler, **kw):
    column, tz = (compiler.process(c, **kw) for c in element.clauses)
    # element.grain is a class constant (day / week / month), never input.
    return f"CAST(date_trunc('{element.grain}', timezone({tz}, {column})) AS DATE)"


@compiles(_LocalBucket, "sqlite")
def _sqlite_bucket(element, compiler, **kw):
    column, tz = (compiler.process(c, **kw) for c in element.clauses)
    return f"mb_local_bucket({column}, {tz}, '{element.grain}')"


@compiles(local_hour, "postgresql")
def _pg_hour(element, compiler, **kw):
    column, tz = (compiler.process(c, **kw) for c in element.clauses)
    return f"CAST(EXTRACT(HOUR FROM timezone({tz}, {column})) AS INTEGER)"


@compiles(local_hour, "sqlite")
def _sqlite_hour(element, compiler, **kw):
    column, tz = (compiler.process(c, **kw) for c in element.clauses)
    return f"mb_local_hour({column}, {tz})"


@lru_cache(maxsize=16)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def _parse_sqlite_ts(text: str | None) -> datetime | None:
    if text is None:
        return None
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def _sqlite_local_bucket(text: str | None, tz: str, grain: str) -> str | None:
    moment = _parse_sqlite_ts(text)
    if moment is None:
        return None
    day = moment.astimezone(_zone(tz)).date()
    if grain == "week":
        day -= timedelta(days=day.weekday())
    elif grain == "month":
        day = day.replace(day=1)
    return day.isoformat()


def _sqlite_local_hour(text: str | None, tz: str) -> int | None:
    moment = _parse_sqlite_ts(text)
    return None if moment is None else moment.astimezone(_zone(tz)).hour


def _on_sqlite_connect(dbapi_connection, _record) -> None:
    dbapi_connection.create_function("mb_local_bucket", 3, _sqlite_local_bucket, deterministic=True)
    dbapi_connection.create_function("mb_local_hour", 2, _sqlite_local_hour, deterministic=True)
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.close()


# --- engines --------------------------------------------------------------------------


# The console's own sessions only (the server's settings are the platform's): JIT
# compiles every big aggregate again (≈ 180 ms a query on the large demo) and never
# pays back for the console's short reads. `random_page_cost` stays the server's:
# 1.1 sped up one big shop's item breakdowns but slowed mall-wide Members 2.6×
# (docs/performance.md).
PG_SESSION_OPTIONS = "-c jit=off"

# The console's own tables (`queries.console.tables`) live in this schema on PostgreSQL;
# SQLite has none, so its engines read the name as the file's main database.
CONSOLE_SCHEMA = "mallboard"

# How long a SQLite statement waits for another program's write lock before "busy":
# shell tools (rollups, the demo loader) wait long; the app answers a person, so it says
# "busy — retry" after a short wait instead (docs/decisions.md "Database trouble").
SQLITE_BUSY_SECONDS = 10.0
SQLITE_APP_BUSY_SECONDS = 3.0
# The progress handler looks at the clock every this many SQLite VM steps (≈ 0.5 ms).
SQLITE_PROGRESS_STEPS = 10_000


@dataclass(frozen=True)
class Pool:
    """How many connections an engine keeps (`size`, as many again in a burst) and how
    long a checkout waits for one before `sqlalchemy.exc.TimeoutError` ("busy")."""

    size: int = 5
    timeout: float = 30.0

    def options(self) -> dict[str, float]:
        """`create_engine`'s pool arguments."""
        return {"pool_size": self.size, "max_overflow": self.size, "pool_timeout": self.timeout}


def connect_engine(
    url: str,
    *,
    check: bool = True,
    create: bool | None = None,
    query_timeout: float | None = None,
    pool: Pool | None = None,
    probe: bool = True,
    connect_timeout: int = 5,
) -> sa.Engine:
    """An engine for `url`, checked to answer (and to hold the contract when `check`).

    A `sqlite:///` path that names no file is refused (`NoDatabaseFile`) unless `create`
    (default: only when `check` is off, i.e. a tool building a new database). With
    `query_timeout` (seconds; the app's engine only) every statement is stopped past it
    (`QueryTimeout`). Trouble with the database during any statement is raised as a
    `DatabaseTrouble` (`DatabaseDown`, `DatabaseBusy`, `QueryTimeout`); opening it here,
    as a `DatabaseUnavailable` (`NoDatabaseFile`, `NotADatabase`) or `MissingContract`.
    `pool`: the app's sizes (default: SQLAlchemy's for SQLite, 5 + 5 on PostgreSQL).
    `probe=False` opens no connection here (a read replica may be down at start:
    its first statement says so); `connect_timeout`: seconds a PostgreSQL connect waits.
    """
    if create is None:
        create = not check
    path = sqlite_path(url)
    if path is not None and not create and not path.is_file():
        raise NoDatabaseFile(*text("error.core.db.no_database_file", path=path))
    if url.startswith("sqlite"):
        engine = _sqlite_engine(
            url, path=path, create=create, query_timeout=query_timeout, pool=pool
        )
    else:
        options = PG_SESSION_OPTIONS
        if query_timeout is not None:
            # Every statement of the session (reads, writes, lock waits) is bounded.
            options += f" -c statement_timeout={round(query_timeout * 1000)}"
        engine = sa.create_engine(
            url,
            pool_pre_ping=True,
            **(pool or Pool()).options(),
            connect_args={"connect_timeout": connect_timeout, "options": options},
        )

    def translate(context: sa.engine.ExceptionContext) -> None:
        if context.is_pre_ping:  # the pool reconnects by itself: leave its ping alone
            return
        found = database_trouble(
            context.sqlalchemy_exception or context.original_exception,
            path=path,
            seconds=query_timeout,
            disconnected=context.is_disconnect,
        )
        if found is not None:
            raise found

    sa.event.listen(engine, "handle_error", translate)
    install_row_scope(engine)  # PostgreSQL: every transaction says whose rows it reads
    if not probe:
        return engine
    try:
        with engine.connect() as conn:
            conn.execute(sa.select(1))
            if path is not None:  # SQLite reads the file's header only when asked to
                conn.exec_driver_sql("PRAGMA schema_version")
    except NoDatabaseFile:
        engine.dispose()
        raise
    except sa.exc.SQLAlchemyError as exc:  # DatabaseTrouble, or an error it left as it was
        engine.dispose()
        raise _cannot_open(exc, url, path) from exc
    if check:
        try:
            missing = check_contract(engine)
        except sa.exc.SQLAlchemyError as exc:
            engine.dispose()
            raise _cannot_open(exc, url, path) from exc
        if missing:
            engine.dispose()
            raise MissingContract(
                *text("error.core.db.missing_contract", missing=listed(missing)),
                details=missing,
            )
    return engine


def _cannot_open(exc: Exception, url: str, path: Path | None) -> DatabaseUnavailable:
    """Why `connect_engine` could not open the database, as a user error of its own kind."""
    cause = exc.__cause__ if isinstance(exc, DatabaseTrouble) and exc.__cause__ else exc
    if _sqlite_code(cause) in (sqlite3.SQLITE_NOTADB, sqlite3.SQLITE_CORRUPT):
        return NotADatabase(*text("error.core.db.not_a_database", path=path or "?"))
    if isinstance(exc, DatabaseBusy):
        return DatabaseUnavailable(exc.zh, exc.en)
    return DatabaseUnavailable(
        *text(
            "error.core.db.cannot_reach_database",
            url=_safe_url(url),
            exc=_first_line(cause),  # the driver's reason, not our words
        ),
    )


def _sqlite_code(exc: BaseException) -> int | None:
    """SQLite's primary result code of a (wrapped) sqlite3 error, else None."""
    orig = getattr(exc, "orig", None) or exc
    code = getattr(orig, "sqlite_errorcode", None) if isinstance(orig, sqlite3.Error) else None
    return None if code is None else code & 0xFF


def sqlite_path(url: str) -> Path | None:
    """The file a `sqlite:///` URL names (None: not SQLite, or an in-memory database)."""
    try:
        parsed = sa.make_url(url)
    except sa.exc.ArgumentError:
        return None
    if parsed.get_backend_name() != "sqlite":
        return None
    database = parsed.database or ""
    if parsed.query.get("uri") == "true":
        if not database.startswith("file:"):
            return None
        database = database[len("file:") :].split("?", 1)[0]
    if not database or database == ":memory:":
        return None
    return Path(database)


def _sqlite_engine(
    url: str, *, path: Path | None, create: bool, query_timeout: float | None, pool: Pool | None
) -> sa.Engine:
    busy = SQLITE_BUSY_SECONDS
    if query_timeout is not None:
        busy = min(SQLITE_APP_BUSY_SECONDS, query_timeout)
    # A file's engine pools (QueuePool); an in-memory database keeps SQLAlchemy's own pool.
    sizes = pool.options() if pool is not None and path is not None else {}
    engine = sa.create_engine(
        url,
        connect_args={"check_same_thread": False, "timeout": busy},
        execution_options={"schema_translate_map": {CONSOLE_SCHEMA: None}},
        **sizes,
    )
    sa.event.listen(engine, "connect", _on_sqlite_connect)
    if path is not None and not create:

        @sa.event.listens_for(engine, "do_connect")
        def _refuse_missing_file(*_args) -> None:
            # A file deleted while the app runs must not come back empty at the next connect.
            if not path.is_file():
                raise DatabaseDown(*text("error.core.db.no_database_file", path=path))

    if query_timeout is not None:
        _limit_sqlite_statements(engine, query_timeout)
    return engine


def _limit_sqlite_statements(engine: sa.Engine, seconds: float) -> None:
    """Interrupt any SQLite statement running longer than `seconds` (SQLITE_INTERRUPT).

    SQLite has no statement timeout: a progress handler looks at the clock every few
    thousand VM steps, measured from the statement's start, stamped before each execute.
    """

    @sa.event.listens_for(engine, "connect")
    def _install(dbapi_connection, record) -> None:
        started: list[float | None] = [None]
        record.info["mb_statement_started"] = started

        def too_long() -> bool:
            begun = started[0]
            return begun is not None and time.monotonic() - begun > seconds

        dbapi_connection.set_progress_handler(too_long, SQLITE_PROGRESS_STEPS)

    @sa.event.listens_for(engine, "checkout")
    def _fresh(_dbapi_connection, record, _proxy) -> None:
        started = record.info.get("mb_statement_started")
        if started is not None:
            started[0] = None  # a stamp left from the last user times nothing

    @sa.event.listens_for(engine, "before_cursor_execute")
    def _stamp(conn, *_args) -> None:
        started = conn.info.get("mb_statement_started")
        if started is not None:
            started[0] = time.monotonic()


# PostgreSQL SQLSTATEs: a statement stopped by `statement_timeout` (or `lock_timeout`),
# and the classes that mean the server is gone, shutting down, or out of room.
_PG_TIMEOUT = {"57014", "55P03"}
_PG_GONE_CLASSES = ("08", "53", "57P", "3D000", "58")


def database_trouble(
    exc: BaseException,
    *,
    path: Path | None = None,
    seconds: float | None = None,
    disconnected: bool = False,
) -> DatabaseTrouble | None:
    """The `DatabaseTrouble` a person should see for database error `exc`, or None if it is
    not trouble with the database itself (a bug, a broken rule: left to its caller)."""
    if isinstance(exc, DatabaseTrouble):
        return exc
    if isinstance(exc, sa.exc.TimeoutError):  # every pooled connection stayed in use
        return DatabaseBusy(*text("error.core.db.busy"))
    code = _sqlite_code(exc)
    if code is not None:
        if code == sqlite3.SQLITE_INTERRUPT:  # our progress handler: past the time limit
            return _timeout(seconds)
        if code in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
            return DatabaseBusy(*text("error.core.db.busy"))
        if code in (sqlite3.SQLITE_NOTADB, sqlite3.SQLITE_CORRUPT):
            return DatabaseDown(*text("error.core.db.not_a_database", path=path or "?"))
        if code in (sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_IOERR):
            return DatabaseDown(*text("error.core.db.unavailable"))
        return None
    orig = getattr(exc, "orig", None) or exc
    sqlstate = getattr(orig, "sqlstate", None)
    if sqlstate in _PG_TIMEOUT:
        return _timeout(seconds)
    disconnected = disconnected or bool(getattr(exc, "connection_invalidated", False))
    if disconnected or isinstance(exc, sa.exc.InterfaceError):
        return DatabaseDown(*text("error.core.db.unavailable"))
    if isinstance(exc, sa.exc.OperationalError) and (
        sqlstate is None or sqlstate.startswith(_PG_GONE_CLASSES)
    ):
        # No SQLSTATE: libpq's own failures (refused, server closed the connection, …).
        return DatabaseDown(*text("error.core.db.unavailable"))
    return None


def _timeout(seconds: float | None) -> QueryTimeout:
    shown = "?" if seconds is None else f"{seconds:g}"
    return QueryTimeout(*text("error.core.db.timeout", seconds=shown))


def check_contract(engine: sa.Engine) -> list[str]:
    """Every contract table or `table.column` the database lacks (empty when complete)."""
    inspector = sa.inspect(engine)
    present = set(inspector.get_table_names()) | set(inspector.get_view_names())
    missing: list[str] = []
    for table in metadata.sorted_tables:
        if table.name not in present:
            missing.append(table.name)
            continue
        columns = {c["name"] for c in inspector.get_columns(table.name)}
        missing.extend(f"{table.name}.{c.name}" for c in table.columns if c.name not in columns)
    return missing


def _safe_url(url: str) -> str:
    """The URL without its password, for messages."""
    try:
        return sa.make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - a malformed URL is shown as given
        return "?"


def _first_line(exc: Exception) -> str:
    text = str(getattr(exc, "orig", exc)) or exc.__class__.__name__
    return text.strip().splitlines()[0]
