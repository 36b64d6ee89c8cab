"""Tell whoever caches figures that a write changed them.

Write functions call `changed(topic, …)` after their transaction commits; the
dashboard subscribes and clears the cached reads of those topics. The query
layer stays free of Streamlit.
"""

from __future__ import annotations

from collections.abc import Callable

__all__ = ["TOPICS", "changed", "subscribe"]

TOPICS = (
    "products",
    "promotions",
    "settlements",
    "applications",
    "vendors",
    "audit",
)

_listeners: list[Callable[[tuple[str, ...]], None]] = []


def subscribe(listener: Callable[[tuple[str, ...]], None]) -> None:
    """Call `listener(topics)` after every write (once per listener)."""
    if listener not in _listeners:
        _listeners.append(listener)


def changed(*topics: str) -> None:
    """Announce that committed writes changed the figures of `topics`."""
    unknown = set(topics) - set(TOPICS)
    if unknown:
        raise ValueError(f"unknown topics {sorted(unknown)}")
    for listener in list(_listeners):
        listener(tuple(topics))
