"""Cached reads of the Home, Sales and Vendor leaderboard pages.

The console never writes orders or refunds, so no write topic touches these
figures except a shop's status on the leaderboard (`vendors`); a short TTL keeps
them fresh. Every function takes the vendor id as a plain argument (None = the
whole mall) and returns a frozen dataclass or a DataFrame.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import pandas as pd

from dashboard.caching import cached
from dashboard.shell.context import read_engine, settings
from queries.core.actors import Scope
from queries.core.periods import TimeRange, local_midnight, preset_range
from queries.sales.breakdowns import (
    ItemBreakdowns,
    category_products,
    item_breakdowns,
    refunds_by_reason,
)
from queries.sales.kpis import Comparison, compare, compare_many, trend
from queries.sales.leaderboard import leaderboard

__all__ = [
    "HOME_PRESETS",
    "HomeView",
    "SalesView",
    "category_view",
    "home_view",
    "leaderboard_view",
    "sales_view",
    "shop_name",
]

HOME_PRESETS = ("today", "last_7", "this_month")
HOME_TREND_DAYS = 30


@dataclass(frozen=True)
class SalesView:
    """Everything the Sales page shows for one scope, period and granularity."""

    comparison: Comparison
    trend: pd.DataFrame
    items: ItemBreakdowns  # by category, channel, city tier, hour; top products
    refunds_by_reason: pd.DataFrame


@cached(ttl=120, max_entries=256)
def sales_view(vendor_id: int | None, period: TimeRange, grain: str) -> SalesView:
    """Headline with 环比 / 同比, trend and every breakdown of the shop (or mall)."""
    scope, tz = Scope(vendor_id), settings().timezone
    with read_engine().connect() as conn:
        args = {"scope": scope, "period": period, "tz": tz}
        # The page shows neither the new / returning split nor repurchase buyers: skip
        # the per-buyer look-ups and the row per member (buyers are counted distinct).
        return SalesView(
            comparison=compare(conn, **args, new_buyers=False, repurchase=False),
            trend=trend(conn, **args, grain=grain),
            items=item_breakdowns(conn, **args, top=20),
            refunds_by_reason=refunds_by_reason(conn, **args),
        )


@cached(ttl=120, max_entries=256)
def category_view(vendor_id: int | None, period: TimeRange, category_id: int) -> pd.DataFrame:
    """Item sales per product inside one top-level category."""
    with read_engine().connect() as conn:
        return category_products(
            conn,
            scope=Scope(vendor_id),
            period=period,
            tz=settings().timezone,
            category_id=category_id,
        )


@dataclass(frozen=True)
class HomeView:
    """The first page's figures: a comparison per preset, and the daily trend."""

    comparisons: dict[str, Comparison]
    trend: pd.DataFrame
    trend_period: TimeRange


@cached(ttl=60, max_entries=128)
def home_view(vendor_id: int | None, now: datetime) -> HomeView:
    """Today / last 7 days / this month with their 环比, and the last 30 days by day."""
    config = settings()
    tz, scope = config.tz, Scope(vendor_id)
    today = now.astimezone(tz).date()
    recent = TimeRange(
        local_midnight(today - timedelta(days=HOME_TREND_DAYS - 1), tz), now, "custom"
    )
    with read_engine().connect() as conn:
        found = compare_many(
            conn,
            scope=scope,
            periods=[preset_range(preset, now, tz) for preset in HOME_PRESETS],
            tz=config.timezone,
            # Home shows GMV, orders, buyers, AOV, refund rate only: no new / returning
            # split, no repurchase buyers (no row per member: buyers counted distinct).
            new_buyers=False,
            repurchase=False,
        )
        comparisons = dict(zip(HOME_PRESETS, found, strict=True))
        daily = trend(conn, scope=scope, period=recent, tz=config.timezone, grain="day")
    return HomeView(comparisons=comparisons, trend=daily, trend_period=recent)


@cached(ttl=120, topics=("vendors",), max_entries=64)
def leaderboard_view(period: TimeRange) -> pd.DataFrame:
    """Every shop's figures over `period`, highest GMV first (operators only)."""
    with read_engine().connect() as conn:
        return leaderboard(conn, scope=Scope.mall(), period=period, tz=settings().timezone)


@cached(ttl=300, topics=("vendors",), max_entries=256)
def shop_name(vendor_id: int) -> str | None:
    """One shop's name for page titles."""
    from queries.merchants.names import vendor_name

    with read_engine().connect() as conn:
        return vendor_name(conn, vendor_id=vendor_id)
