"""Engines, the contract check, and local-time SQL functions for both databases.

`local_day`, `local_week`, `local_month` and `local_hour` bucket a UTC
timestamp column by the platform timezone's calendar *inside* SQL, with the
zone's name as a bound parameter (never a fixed offset): PostgreSQL's
`timezone()` knows daylight saving, and on SQLite the same is a Python function
registered on every connection. Pass the *same* `bindparam` object for the
zone in the select list and in GROUP BY, so PostgreSQL sees one expression.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from queries.core.errors import DatabaseUnavailable, MissingContract
from queries.core.messages import listed, text
from queries.core.schema import metadata

__all__ = [
    "CONSOLE_SCHEMA",
    "check_contract",
    "connect_engine",
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
    cursor.execute("PRAGMA busy_timeout = 10000")
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


def connect_engine(url: str, *, check: bool = True) -> sa.Engine:
    """An engine for `url`, checked to answer (and to hold the contract when `check`)."""
    if url.startswith("sqlite"):
        engine = sa.create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": 10},
            execution_options={"schema_translate_map": {CONSOLE_SCHEMA: None}},
        )
        sa.event.listen(engine, "connect", _on_sqlite_connect)
    else:
        engine = sa.create_engine(
            url,
            pool_pre_ping=True,
            pool_size=5,
            max_overflow=5,
            connect_args={"connect_timeout": 5, "options": PG_SESSION_OPTIONS},
        )
    try:
        with engine.connect() as conn:
            conn.execute(sa.select(1))
    except OperationalError as exc:
        engine.dispose()
        raise DatabaseUnavailable(
            *text("error.core.db.cannot_reach_database", url=_safe_url(url), exc=_first_line(exc)),
        ) from exc
    if check:
        missing = check_contract(engine)
        if missing:
            engine.dispose()
            raise MissingContract(
                *text("error.core.db.missing_contract", missing=listed(missing)),
                details=missing,
            )
    return engine


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
