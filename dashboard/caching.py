"""Cached reads, dropped when a write — in this process or any other — changed their figures.

`cached(ttl=…, topics=(…))` wraps `st.cache_data`. The cache is shared by all
users, so every cached function that returns one vendor's data takes the vendor
id as a plain argument. Each result carries the time it was read, so a page can
say how fresh its figures are; the refresh button clears what the page used.

Where a run reads from (`Source`): the primary, or the read replica
(`READ_DATABASE_URL`), chosen once per script run by `dashboard.shell.context` (which
registers itself with `use_sources`). The source's name is part of every cache key, so
figures read from the replica and from the primary are never mixed. Choosing it reads
the topics' generations there (one small SELECT, `queries.console.cache_generations`):

- a topic whose generation moved since this process last looked has its cached reads
  cleared (a write in another process);
- every entry is stamped with its topics' generations as this process knew them when it
  was read; an entry older than what is known now is read again. That closes the race
  of a read that began before another session's clear and stored its result after it.

A write in this process clears its topics here at once, as before (`clear_topics`).
If the replica stops answering during a read, that read is made again on the primary.
"""

from __future__ import annotations

import functools
import threading
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
import streamlit as st
from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

from queries.core.invalidation import TOPICS, subscribe
from queries.core.replica import replica_trouble

__all__ = [
    "Source",
    "Stamped",
    "cached",
    "clear_topics",
    "current_source",
    "known_generations",
    "reroute",
    "run_reads",
    "run_source",
    "start_run",
    "use_sources",
]

_by_topic: dict[str, list[Any]] = defaultdict(list)
_run = threading.local()  # Streamlit runs each session's script in its own thread


@dataclass(frozen=True)
class Stamped:
    """A cached value, when it was read, and its topics' generations known then."""

    value: Any
    as_of: datetime
    generations: tuple[tuple[str, int], ...] = ()


@dataclass(frozen=True)
class Source:
    """Where a script run's reads go, and the topics' generations read there this run."""

    name: str  # "primary" or "replica": part of every cache key
    engine: sa.Engine
    generations: Mapping[str, int] = field(default_factory=dict)

    @functools.cached_property
    def key(self) -> str:
        """The database whose generations these are (the URL, without its password)."""
        return self.engine.url.render_as_string(hide_password=True)


# Registered by dashboard.shell.context: choose this run's source (reading its
# generations), and the primary's source after the replica failed a read.
_resolve: Callable[[], Source] | None = None
_fallback: Callable[[BaseException, str], Source] | None = None

# The highest generation of each topic seen in each database, by this process.
_known: dict[str, dict[str, int]] = defaultdict(dict)
_known_lock = threading.Lock()


def use_sources(resolve: Callable[[], Source], fallback: Callable[[BaseException, str], Source]):
    """Register how a run chooses its source, and how it falls back to the primary."""
    global _resolve, _fallback  # noqa: PLW0603 - one registration, by the shell's context
    _resolve, _fallback = resolve, fallback


def start_run() -> None:
    """Forget the reads and the source of the previous script run (called by the entry)."""
    _run.reads = []
    _run.source = None


def reroute() -> None:
    """Choose the source again at the next read (after this user's own write)."""
    _run.source = None


def run_reads() -> list[tuple[datetime, Any]]:
    """(as_of, cached function) of every cached read in this script run."""
    return list(getattr(_run, "reads", []))


def _observe(source: Source) -> None:
    """Take in the generations a run read; clear the topics that moved since last seen."""
    moved = []
    with _known_lock:
        known = _known[source.key]
        for topic, generation in source.generations.items():
            if generation > known.get(topic, 0):
                known[topic] = generation
                moved.append(topic)
    if moved:
        clear_topics(tuple(moved))


def known_generations(source: Source) -> dict[str, int]:
    """The generations this process has seen in the source's database."""
    with _known_lock:
        return dict(_known[source.key])


def run_source() -> Source | None:
    """This script run's source, chosen at its first read (None: no shell registered).

    Outside a Streamlit script run (a test or a tool calling a read) it is chosen for
    every read, since no run's end would forget it.
    """
    if _resolve is None:
        return None
    in_run = get_script_run_ctx() is not None
    source = getattr(_run, "source", None) if in_run else None
    if source is None:
        source = _resolve()
        _observe(source)
        if in_run:
            _run.source = source
    return source


def current_source() -> Source | None:
    """The source a read in progress reads from: the cached read's own (a read made again
    on the primary), else the run's."""
    return getattr(_run, "computing", None) or run_source()


def _fall_back(exc: BaseException, source: Source | None) -> Source | None:
    """The primary's source after the replica failed a read (None: raise the error)."""
    if source is None or source.name != "replica" or _fallback is None:
        return None
    trouble = replica_trouble(exc)
    if trouble is None:
        return None
    primary = _fallback(exc, trouble)
    _observe(primary)
    if get_script_run_ctx() is not None and trouble == "down":
        _run.source = primary  # the rest of the run reads the primary too
    return primary


def cached(*, ttl: int = 600, topics: tuple[str, ...] = (), max_entries: int = 512) -> Callable:
    """`st.cache_data` keyed by the run's source, with a freshness stamp and its topics'
    generations; dropped by writes to `topics` in any process."""
    unknown = set(topics) - set(TOPICS)
    if unknown:
        raise ValueError(f"unknown topics {sorted(unknown)}")

    def decorate(fn: Callable) -> Callable:
        @functools.wraps(fn)  # keeps fn's name and source, which key Streamlit's cache
        def stamped(source: str, *args, **kwargs) -> Stamped:
            del source  # the cache key: the body reads from current_source()
            current = current_source()
            known = known_generations(current) if current is not None and topics else {}
            seen = tuple((topic, known.get(topic, 0)) for topic in topics)
            return Stamped(fn(*args, **kwargs), datetime.now(UTC), seen)

        inner = st.cache_data(ttl=ttl, max_entries=max_entries, show_spinner=False)(stamped)
        for topic in topics:
            _by_topic[topic].append(inner)

        def fresh(source: Source | None, args, kwargs) -> Stamped:
            name = "primary" if source is None else source.name
            outer = getattr(_run, "computing", None)
            _run.computing = source
            try:
                result = inner(name, *args, **kwargs)
                if source is not None and topics:
                    known = known_generations(source)
                    if any(seen < known.get(topic, 0) for topic, seen in result.generations):
                        inner.clear(name, *args, **kwargs)  # read before a write it must show
                        result = inner(name, *args, **kwargs)
            finally:
                _run.computing = outer
            return result

        @functools.wraps(fn)
        def read(*args, **kwargs):
            source = run_source()
            try:
                result = fresh(source, args, kwargs)
            except Exception as exc:
                primary = _fall_back(exc, source)
                if primary is None:
                    raise
                result = fresh(primary, args, kwargs)
            if not hasattr(_run, "reads"):
                _run.reads = []
            _run.reads.append((result.as_of, inner))
            return result.value

        read.clear = inner.clear
        return read

    return decorate


def clear_topics(topics: tuple[str, ...]) -> None:
    """Clear every cached read of `topics` in this process (all users: the cache is shared)."""
    for topic in topics:
        for function in _by_topic.get(topic, ()):
            function.clear()


subscribe(clear_topics)
