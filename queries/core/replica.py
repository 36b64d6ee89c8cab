"""Reading from a PostgreSQL hot standby without showing anyone their own change undone.

`READ_DATABASE_URL` names a streaming replica of `DATABASE_URL`. Positions are WAL
positions (LSNs) as byte counts: `wal_position` is the primary's current position on a
primary and the replayed one on a standby (`pg_last_wal_replay_lsn()`, NULL on a
primary), so a primary named as its own replica is always caught up. After a user's
own write the app keeps the primary's position in the user's session; `caught_up`
says when the replica has replayed that far. `ReplicaHealth` remembers an outage, logs
it once, and lets one read try the replica again every few seconds. `replica_lag`
is what operators see on the Data jobs page.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa

from queries.core.db import database_trouble
from queries.core.errors import DatabaseDown

__all__ = [
    "RECHECK_SECONDS",
    "Lag",
    "ReplicaHealth",
    "caught_up",
    "replica_lag",
    "replica_trouble",
    "wal_position",
]

_LOG = logging.getLogger("mallboard")

# How long a replica that did not answer is left alone before one read tries it again.
RECHECK_SECONDS = 5.0

_IN_RECOVERY = sa.func.pg_is_in_recovery()
_LSN = sa.case((_IN_RECOVERY, sa.func.pg_last_wal_replay_lsn()), else_=sa.func.pg_current_wal_lsn())
# Bytes since the start of the WAL: comparable numbers (bigint: LSNs stay below 2⁶³).
_POSITION = sa.cast(
    sa.func.pg_wal_lsn_diff(_LSN, sa.literal_column("'0/0'::pg_lsn")), sa.BigInteger
)
# SQLSTATEs a standby gives a read it cancels to go on replaying (conflict with recovery).
_RECOVERY_CONFLICT = {"40001", "40P01"}


def wal_position(conn: sa.Connection) -> int | None:
    """This server's WAL position in bytes: written (primary) or replayed (standby).

    None on SQLite, and on a standby that has replayed nothing yet.
    """
    if conn.dialect.name != "postgresql":
        return None
    return conn.execute(sa.select(_POSITION)).scalar()


def caught_up(replayed: int | None, wanted: int | None) -> bool:
    """Whether a replica at position `replayed` shows a write the primary had at `wanted`."""
    return wanted is None or (replayed is not None and replayed >= wanted)


@dataclass(frozen=True)
class Lag:
    """How far a replica is behind its primary: WAL bytes not replayed, and the seconds
    since the last transaction it replayed committed (0 when nothing waits)."""

    bytes: int | None
    seconds: float | None


def replica_lag(replica: sa.Connection, *, written: int | None) -> Lag:
    """The replica's lag behind a primary whose `wal_position` is `written` (PostgreSQL)."""
    row = replica.execute(
        sa.select(
            _POSITION.label("replayed"),
            sa.case(
                (
                    _IN_RECOVERY,
                    sa.extract(
                        "epoch",
                        sa.func.clock_timestamp() - sa.func.pg_last_xact_replay_timestamp(),
                    ),
                )
            ).label("seconds"),
        )
    ).one()
    if written is None or row.replayed is None:
        return Lag(None, None)
    behind = max(written - row.replayed, 0)
    # An idle primary sends nothing to replay: the time since the last replayed
    # transaction is then its age, not a delay.
    seconds = 0.0 if behind == 0 or row.seconds is None else max(float(row.seconds), 0.0)
    return Lag(behind, seconds)


def replica_trouble(exc: BaseException) -> str | None:
    """What a replica's error means for a read: "down" (read the primary until it answers
    again), "conflict" (the standby cancelled the read to replay: read it from the
    primary this once), or None (not the replica's doing: raise it)."""
    trouble = database_trouble(exc)
    if isinstance(trouble, DatabaseDown):
        return "down"
    orig = getattr(exc, "orig", None) or exc
    if getattr(orig, "sqlstate", None) in _RECOVERY_CONFLICT:
        return "conflict"
    return None


class ReplicaHealth:
    """Whether the read replica answers, as one app process last saw it (thread-safe).

    Down: reads go to the primary; once `recheck_seconds` have passed, `usable` lets one
    caller try the replica again. The outage and the return are logged once each.
    """

    def __init__(
        self,
        recheck_seconds: float = RECHECK_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.recheck_seconds = recheck_seconds
        self._clock = clock
        self._lock = threading.Lock()
        self._down_since: datetime | None = None
        self._last_try = 0.0
        self.reason = ""

    @property
    def down_since(self) -> datetime | None:
        """When this process found the replica unreachable (None: it answers)."""
        return self._down_since

    def usable(self) -> bool:
        """Whether to read from the replica now (up, or down long enough to try again)."""
        with self._lock:
            if self._down_since is None:
                return True
            now = self._clock()
            if now - self._last_try < self.recheck_seconds:
                return False
            self._last_try = now  # this caller tries; the others wait for the next window
            return True

    def failed(self, exc: BaseException) -> None:
        """The replica did not answer: reads go to the primary (logged once per outage)."""
        reason = (str(getattr(exc, "__cause__", None) or exc).splitlines() or [""])[0]
        with self._lock:
            self._last_try = self._clock()
            if self._down_since is not None:
                return
            self._down_since = datetime.now(UTC)
            self.reason = reason
        _LOG.warning("read replica unreachable, reading from the primary: %s", reason)

    def answered(self) -> None:
        """The replica answered: reads go back to it (logged once after an outage)."""
        with self._lock:
            if self._down_since is None:
                return
            self._down_since = None
            self.reason = ""
        _LOG.warning("read replica answers again: reads return to it")
