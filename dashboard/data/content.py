"""Cached reads of the Content page: one call returns everything the page draws.

Notes, views and orders are written by the platform, never by the console, so a
short TTL keeps these fresh. The vendor id is a plain argument (None = the mall).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import pandas as pd

from dashboard.caching import cached
from dashboard.shell.context import read_engine, settings
from queries.content import notes as content
from queries.core.actors import Scope
from queries.core.periods import TimeRange

__all__ = ["ContentView", "content_view"]


@dataclass(frozen=True)
class ContentView:
    """The Content page's figures for one scope and period."""

    totals: dict[str, int]
    notes: pd.DataFrame
    tags: pd.DataFrame
    affinity: pd.DataFrame


@cached(ttl=300, max_entries=64)
def _mall_baseline(start: datetime, end: datetime, kind: str) -> tuple[int, dict[str, int]]:
    """The mall's tag readers among its buyers (affinity's baseline), once for every shop."""
    with read_engine().connect() as conn:
        period, tz = TimeRange(start, end, kind), settings().timezone
        return content.mall_tag_viewers(conn, period=period, tz=tz)


@cached(ttl=300, max_entries=256)
def content_view(vendor_id: int | None, start: datetime, end: datetime, kind: str) -> ContentView:
    """Notes, tags read before buying and tag affinity of the shop (or mall) in [start, end)."""
    scope, period, tz = Scope(vendor_id), TimeRange(start, end, kind), settings().timezone
    baseline = None if vendor_id is None else _mall_baseline(start, end, kind)
    with read_engine().connect() as conn:
        totals, notes = content.summary_and_notes(conn, scope=scope, period=period, tz=tz)
        return ContentView(
            totals=totals,
            notes=notes,
            tags=content.tag_attribution(conn, scope=scope, period=period, tz=tz),
            affinity=content.affinity(
                conn, scope=scope, period=period, mall_baseline=baseline, tz=tz
            ),
        )
