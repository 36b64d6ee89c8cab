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
from dashboard.shell.context import engine, settings
from queries.core.actors import Scope
from queries.sales.kpis import Comparison, compare, compare_many, trend
from queries.sales.leaderboard import leaderboard
from queries.core.periods import TimeRange, local_midnight, preset_range
from queries.sales.breakdowns import ItemBreakdowns, category_products, item_breakdowns, refunds_by_reason

__all__ = [
    "COST_FIGURES",
    "FIGURES",
    "HOME_PRESETS",
    "HomeView",
    "SalesView",
    "category_view",
    "headline_kpis",
    "home_view",
    "leaderboard_view",
    "sales_view",
    "shop_name",
    "show_change",
    "show_value",
    "table",
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
    with engine().connect() as conn:
        args = {"scope": scope, "period": period, "tz": tz}
        # The page shows no new / returning split: skip its per-buyer look-ups.
        return SalesView(
            comparison=compare(conn, **args, new_buyers=False),
            trend=trend(conn, **args, grain=grain),
            items=item_breakdowns(conn, **args, top=20),
            refunds_by_reason=refunds_by_reason(conn, **args),
        )


@cached(ttl=120, max_entries=256)
def category_view(vendor_id: int | None, period: TimeRange, category_id: int) -> pd.DataFrame:
    """Item sales per product inside one top-level category."""
    with engine().connect() as conn:
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
    with engine().connect() as conn:
        found = compare_many(
            conn,
            scope=scope,
            periods=[preset_range(preset, now, tz) for preset in HOME_PRESETS],
            tz=config.timezone,
            new_buyers=False,  # Home shows GMV, orders, buyers, AOV, refund rate only
        )
        comparisons = dict(zip(HOME_PRESETS, found, strict=True))
        daily = trend(conn, scope=scope, period=recent, tz=config.timezone, grain="day")
    return HomeView(comparisons=comparisons, trend=daily, trend_period=recent)


@cached(ttl=120, topics=("vendors",), max_entries=64)
def leaderboard_view(period: TimeRange) -> pd.DataFrame:
    """Every shop's figures over `period`, highest GMV first (operators only)."""
    with engine().connect() as conn:
        return leaderboard(conn, scope=Scope.mall(), period=period, tz=settings().timezone)


# --- view helpers shared by the three pages (formatting only, no reads) ---------------

# Headline figure → (label key, help key or None, how its value and change are shown).
FIGURES = {
    "gmv_cents": ("sales.fig.gmv", "sales.help.gmv", "money"),
    "paid_orders": ("sales.fig.paid_orders", None, "int"),
    "buyers": ("sales.fig.buyers", None, "int"),
    "aov_cents": ("sales.fig.aov", "sales.help.aov", "money"),
    "refunded_cents": ("sales.fig.refunded", "sales.help.refunded", "money"),
    "refund_rate": ("sales.fig.refund_rate", "sales.help.refund_rate", "ratio"),
    "net_sales_cents": ("sales.fig.net_sales", "sales.help.net_sales", "money"),
    "new_buyers": ("sales.fig.new_buyers", None, "int"),
    "returning_buyers": ("sales.fig.returning_buyers", None, "int"),
    "repurchase_rate": ("sales.fig.repurchase_rate", None, "ratio"),
}

# Figures where a rise is bad news: their change is coloured "up = red" (st.metric inverse).
COST_FIGURES = frozenset({"refunded_cents", "refund_rate"})


def show_value(value, kind: str) -> str:
    """A figure as text: money, count, ratio or text; None as "—"."""
    from dashboard.ui.formatting import DASH, money, number, percent

    if value is None or (isinstance(value, float) and value != value):
        return DASH
    if kind == "money":
        return money(int(value))
    if kind == "int":
        return number(int(value))
    if kind == "ratio":
        return percent(value)
    if kind == "id":
        return str(int(value))
    return str(value)


def show_change(name: str, value: float | None) -> str:
    """A change as text: percentage points for rates, signed percent otherwise."""
    from dashboard.ui.formatting import DASH, percent, pp

    if value is None:
        return DASH
    if FIGURES[name][2] == "ratio":
        return pp(value)
    return ("+" if value > 0 else "") + percent(value)


def headline_kpis(comparison: Comparison, names: tuple[str, ...], *, with_year: bool = True):
    """`dashboard.ui.widgets.Kpi`s of `names` with their 环比 (and 同比)."""
    from dashboard.i18n import t
    from dashboard.ui.widgets import Kpi

    now = comparison.current.as_dict()
    before, year = comparison.vs_previous(), comparison.vs_year()
    out = []
    for name in names:
        label_key, help_key, kind = FIGURES[name]
        out.append(
            Kpi(
                label=t(label_key),
                value=show_value(now[name], kind),
                vs_previous=show_change(name, before[name]),
                vs_year=show_change(name, year[name]) if with_year else None,
                help=t(help_key) if help_key else None,
                cost=name in COST_FIGURES,
            )
        )
    return out


def table(frame: pd.DataFrame, spec: list[tuple[str, str, str]]):
    """(display frame with translated headers and formatted values, download Columns).

    `spec` lists (frame column, label key, kind) with kind text / int / money / ratio / id
    (an id: digits without grouping on screen, a number in the workbook).
    """
    from dashboard.i18n import t
    from exports.xlsx import Column

    shown = pd.DataFrame(
        {t(label): [show_value(v, kind) for v in frame[col]] for col, label, kind in spec}
    )
    columns = [Column(t(label), "int" if kind == "id" else kind) for _, label, kind in spec]
    return shown, columns


@cached(ttl=300, topics=("vendors",), max_entries=256)
def shop_name(vendor_id: int) -> str | None:
    """One shop's name for page titles."""
    from queries.merchants.names import vendor_name

    with engine().connect() as conn:
        return vendor_name(conn, vendor_id=vendor_id)
