"""Refresh the rollups: each family in a short transaction of its own, one refresh at a time.

`refresh` recomputes, family by family, the days from the family's cut minus the
look-back (late payment callbacks and refunds land there) up to `through`, and moves
the cut in the same commit as the rows. A family without a cut (never built, built in
another zone, or `rebuild`) is recomputed whole. A refresh stopped at any point leaves
every family either as it was or refreshed: readers never see half a family, and never
wait (rows are deleted and inserted; no table is dropped or locked).

One refresh runs at a time: a PostgreSQL advisory lock held by a connection of its own
(gone with the process), or on SQLite an exclusive lock on a file beside the database
(released by the system when the process ends) — never a lock readers or the
console's writes wait on.
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

from queries.console.tables import present
from queries.core.errors import UserError
from queries.core.messages import text
from queries.rolled.coverage import rollup_state, state_key
from rollups.families import FAMILIES, Family, Window

__all__ = [
    "LOOKBACK_DAYS",
    "AlreadyRunning",
    "FamilyRun",
    "family_status",
    "refresh",
    "refresh_lock",
]

LOOKBACK_DAYS = 3
# pg_try_advisory_lock's key: "mallroll" as a 64-bit number.
_LOCK_KEY = 0x6D616C6C726F6C6C


class AlreadyRunning(UserError):
    """Another refresh holds the lock."""


@dataclass(frozen=True)
class FamilyRun:
    """What a refresh did to one family."""

    name: str
    start: date | None  # the first day recomputed (None: every day)
    through: date
    rows: int
    seconds: float
    outcome: str  # ok | failed
    message: str = ""


@contextmanager
def refresh_lock(engine: sa.Engine) -> Iterator[None]:
    """Hold the one-refresh-at-a-time lock, or raise `AlreadyRunning` at once."""
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            got = conn.execute(sa.select(sa.func.pg_try_advisory_lock(_LOCK_KEY))).scalar()
            conn.commit()
            if not got:
                raise AlreadyRunning(*text("error.rollups.already_running"))
            try:
                yield
            finally:
                conn.execute(sa.select(sa.func.pg_advisory_unlock(_LOCK_KEY)))
                conn.commit()
        return
    path = Path(engine.url.database or "memory").with_suffix(".rollups.lock")
    with open(path, "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise AlreadyRunning(*text("error.rollups.already_running")) from exc
        handle.write(str(os.getpid()))
        handle.flush()
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _cut(conn: sa.Connection, family: Family, tz: str) -> date | None:
    return conn.execute(
        sa.select(rollup_state.c.complete_before).where(
            rollup_state.c.rollup == state_key(family.name, tz)
        )
    ).scalar()


def _window(
    cut: date | None,
    *,
    tz: str,
    through: date,
    start: date | None,
    rebuild: bool,
    lookback_days: int,
) -> Window:
    if rebuild or cut is None:
        return Window(tz, None, through)
    first = min(cut, through) - timedelta(days=lookback_days)
    if start is not None:
        first = min(first, start)
    return Window(tz, first, through)


def _record(conn: sa.Connection, key: str, values: dict) -> None:
    """Insert or update the family's state row (one row per family and zone)."""
    done = conn.execute(
        rollup_state.update().where(rollup_state.c.rollup == key).values(**values)
    ).rowcount
    if not done:
        conn.execute(rollup_state.insert().values(rollup=key, **values))


def refresh(
    engine: sa.Engine,
    *,
    tz: str,
    through: date,
    start: date | None = None,
    rebuild: bool = False,
    lookback_days: int = LOOKBACK_DAYS,
    families: tuple[Family, ...] = FAMILIES,
    progress: Callable[[str], None] | None = None,
) -> list[FamilyRun]:
    """Refresh every family up to `through` (exclusive); raises `AlreadyRunning`."""
    say = progress or (lambda _line: None)
    with engine.connect() as conn:
        if not present(conn, rollup_state):
            raise UserError(*text("error.rollups.not_migrated"))
    runs: list[FamilyRun] = []
    with refresh_lock(engine):
        for family in families:
            runs.append(
                _refresh_family(
                    engine,
                    family,
                    tz=tz,
                    through=through,
                    start=start,
                    rebuild=rebuild,
                    lookback_days=lookback_days,
                )
            )
            run = runs[-1]
            say(
                f"{run.name}: {run.outcome}, days from {run.start or 'the beginning'} "
                f"to {run.through} (exclusive), {run.rows:,} rows, {run.seconds:.1f} s"
                + (f" — {run.message}" if run.message else "")
            )
    return runs


def _refresh_family(
    engine: sa.Engine,
    family: Family,
    *,
    tz: str,
    through: date,
    start: date | None,
    rebuild: bool,
    lookback_days: int,
) -> FamilyRun:
    key = state_key(family.name, tz)
    began, started_at = time.perf_counter(), datetime.now(UTC)
    try:
        with engine.begin() as conn:
            window = _window(
                _cut(conn, family, tz),
                tz=tz,
                through=through,
                start=start,
                rebuild=rebuild,
                lookback_days=lookback_days,
            )
            if window.start is None:
                family.empty(conn)
            family.refresh(conn, window)
            if conn.dialect.name == "postgresql":
                for table in family.tables:  # fixed names, never input; allowed in a transaction
                    conn.exec_driver_sql(f"ANALYZE {table.schema}.{table.name}")
            rows = family.rows(conn)
            seconds = time.perf_counter() - began
            _record(
                conn,
                key,
                {
                    "complete_before": through,
                    "last_started_at": started_at,
                    "last_finished_at": datetime.now(UTC),
                    "last_duration_ms": round(seconds * 1000),
                    "last_rows": rows,
                    "last_outcome": "ok",
                    "last_message": None,
                },
            )
        return FamilyRun(family.name, window.start, through, rows, seconds, "ok")
    except sa.exc.SQLAlchemyError as exc:
        message = str(getattr(exc, "orig", exc)).strip().splitlines()[0][:500]
        seconds = time.perf_counter() - began
        with engine.begin() as conn:  # the failure is kept; the old rows and cut stay
            if _cut(conn, family, tz) is not None:
                _record(
                    conn,
                    key,
                    {
                        "last_started_at": started_at,
                        "last_finished_at": datetime.now(UTC),
                        "last_duration_ms": round(seconds * 1000),
                        "last_outcome": "failed",
                        "last_message": message,
                    },
                )
        return FamilyRun(family.name, None, through, 0, seconds, "failed", message)


def family_status(conn: sa.Connection, *, tz: str) -> list[dict]:
    """Each family's cut and last run (empty cut: never built in this zone)."""
    found = []
    for family in FAMILIES:
        row = conn.execute(
            sa.select(rollup_state).where(rollup_state.c.rollup == state_key(family.name, tz))
        ).first()
        found.append({"family": family.name, **(dict(row._mapping) if row else {})})
    return found
