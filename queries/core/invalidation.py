"""Tell every app process that a write changed the figures of some topics.

Write functions call `changed(topic, …)` right after their transaction commits. Two
things follow, in this order:

1. *Recorders* (`record_with`) make the news durable in the database the write went to:
   `queries.console.cache_generations` raises each topic's generation there, which every
   app process reads once per script run (on SQLite and PostgreSQL alike). The database
   is the engine this thread last committed a transaction on — the write's own, since
   `changed` follows its commit at once; a class-wide `commit` listener remembers it, so
   no write function passes its engine along.
2. *Listeners* (`subscribe`) act in this process: the dashboard clears its cached reads
   of those topics at once, and notes the write for the user's next reads.

The query layer stays free of Streamlit.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import sqlalchemy as sa

__all__ = ["TOPICS", "changed", "last_committed_engine", "record_with", "subscribe"]

TOPICS = (
    "products",
    "promotions",
    "settlements",
    "applications",
    "vendors",
    "audit",
)

Listener = Callable[[tuple[str, ...]], None]
Recorder = Callable[[sa.Engine, tuple[str, ...]], None]

_listeners: list[Listener] = []
_recorders: list[Recorder] = []
_committed = threading.local()


@sa.event.listens_for(sa.Engine, "commit")
def _remember(conn: sa.Connection) -> None:
    _committed.engine = conn.engine


def last_committed_engine() -> sa.Engine | None:
    """The engine this thread last committed a transaction on (None: none yet)."""
    return getattr(_committed, "engine", None)


def subscribe(listener: Listener) -> None:
    """Call `listener(topics)` after every write (once per listener)."""
    if listener not in _listeners:
        _listeners.append(listener)


def record_with(recorder: Recorder) -> None:
    """Call `recorder(engine, topics)` after every write, before the listeners (once)."""
    if recorder not in _recorders:
        _recorders.append(recorder)


def changed(*topics: str) -> None:
    """Announce that committed writes changed the figures of `topics`."""
    unknown = set(topics) - set(TOPICS)
    if unknown:
        raise ValueError(f"unknown topics {sorted(unknown)}")
    engine = last_committed_engine()
    if engine is not None:
        for recorder in list(_recorders):
            recorder(engine, tuple(topics))
    for listener in list(_listeners):
        listener(tuple(topics))
