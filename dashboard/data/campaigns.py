"""Cached reads of the Campaigns page: one call returns everything the page draws.

Promotions are written in the console, so a promotion write (topic `promotions`)
clears these reads; orders come from the platform, so a short TTL keeps the rest
fresh. The vendor id is a plain argument (None = the whole mall).
"""

from __future__ import annotations

from datetime import datetime

from dashboard.caching import cached
from dashboard.shell.context import read_engine, settings
from queries.marketing import campaigns
from queries.core.actors import Scope
from queries.core.periods import TimeRange
from queries.reports import Report

__all__ = ["campaigns_report"]


@cached(ttl=300, topics=("promotions",), max_entries=256)
def campaigns_report(vendor_id: int | None, start: datetime, end: datetime, kind: str) -> Report:
    """The campaigns report (promotions, coupons, campaigns, live sessions) of [start, end)."""
    with read_engine().connect() as conn:
        return campaigns.report(
            conn,
            scope=Scope(vendor_id),
            period=TimeRange(start, end, kind),
            tz=settings().timezone,
        )
