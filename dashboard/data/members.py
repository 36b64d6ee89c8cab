"""Cached reads of the Members page: one call returns everything the page draws.

Orders are written by the platform, never by the console, so no write topic
clears these reads: a short TTL keeps them fresh, and the page's refresh button
clears them at once. The vendor id is a plain argument (None = the whole mall).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import pandas as pd

from dashboard.caching import cached
from dashboard.shell.context import read_engine, settings
from queries.core.actors import Scope
from queries.core.periods import TimeRange
from queries.members import overview as members
from queries.members.cohorts import cohorts

__all__ = ["MembersView", "members_view"]


@dataclass(frozen=True)
class MembersView:
    """The Members page's figures for one scope and period."""

    totals: dict[str, object]
    trend: pd.DataFrame
    levels: pd.DataFrame
    tiers: pd.DataFrame
    age_bands: pd.DataFrame
    rfm: pd.DataFrame
    cohorts: pd.DataFrame


@cached(ttl=300, max_entries=256)
def members_view(
    vendor_id: int | None, start: datetime, end: datetime, kind: str, grain: str
) -> MembersView:
    """Every figure of the Members page for the shop (or the mall) and [start, end)."""
    scope, period, tz = Scope(vendor_id), TimeRange(start, end, kind), settings().timezone
    args = {"scope": scope, "period": period}
    with read_engine().connect() as conn:
        # The summary and the trend share the buyers' first orders: one statement.
        totals, trend = members.summary_and_trend(conn, **args, tz=tz, grain=grain)
        mixes = members.buyer_mixes(conn, **args, tz=tz)
        return MembersView(
            totals=totals,
            trend=trend,
            levels=mixes["level"],
            tiers=mixes["city_tier"],
            age_bands=mixes["age_band"],
            rfm=members.rfm_segments(conn, **args, tz=tz),
            cohorts=cohorts(conn, scope=scope, period=period, tz=tz),
        )
