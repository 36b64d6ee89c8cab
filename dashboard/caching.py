"""Cached reads, cleared when a write announces that it changed their figures.

`cached(ttl=…, topics=(…))` wraps `st.cache_data`. The cache is shared by all
users, so every cached function that returns one vendor's data takes the vendor
id as a plain argument. Each result carries the time it was read, so a page can
say how fresh its figures are; the refresh button clears what the page used.
"""

from __future__ import annotations

import functools
import threading
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import streamlit as st

from queries.core.invalidation import TOPICS, subscribe

__all__ = ["Stamped", "cached", "clear_topics", "run_reads", "start_run"]

_by_topic: dict[str, list[Any]] = defaultdict(list)
_run = threading.local()  # Streamlit runs each session's script in its own thread


@dataclass(frozen=True)
class Stamped:
    """A cached value and when it was read from the database."""

    value: Any
    as_of: datetime


def start_run() -> None:
    """Forget the reads of the previous script run (called by the entry script)."""
    _run.reads = []


def run_reads() -> list[tuple[datetime, Any]]:
    """(as_of, cached function) of every cached read in this script run."""
    return list(getattr(_run, "reads", []))


def cached(*, ttl: int = 600, topics: tuple[str, ...] = (), max_entries: int = 512) -> Callable:
    """`st.cache_data` with a freshness stamp, cleared by writes to `topics`."""
    unknown = set(topics) - set(TOPICS)
    if unknown:
        raise ValueError(f"unknown topics {sorted(unknown)}")

    def decorate(fn: Callable) -> Callable:
        @functools.wraps(fn)  # keeps fn's name and source, which key Streamlit's cache
        def stamped(*args, **kwargs) -> Stamped:
            return Stamped(fn(*args, **kwargs), datetime.now(UTC))

        inner = st.cache_data(ttl=ttl, max_entries=max_entries, show_spinner=False)(stamped)
        for topic in topics:
            _by_topic[topic].append(inner)

        @functools.wraps(fn)
        def read(*args, **kwargs):
            result = inner(*args, **kwargs)
            if not hasattr(_run, "reads"):
                _run.reads = []
            _run.reads.append((result.as_of, inner))
            return result.value

        read.clear = inner.clear
        return read

    return decorate


def clear_topics(topics: tuple[str, ...]) -> None:
    """Clear every cached read of `topics` (all users: the cache is shared)."""
    for topic in topics:
        for function in _by_topic.get(topic, ()):
            function.clear()


subscribe(clear_topics)
