"""The data each page needs: per page, the query calls its cached read makes, and that read.

Every call is `read(conn, scope, period, tz)`, so the benchmark can time it
cold (straight to `queries/`, no Streamlit cache), set it beside the plain SQL
of `bench.plain` (by the same name), and the plan test can capture its SQL.
`Page.cached` calls the page's `dashboard.data` wrapper with the same
arguments the page passes; `Page.clear` empties that wrapper's cache.

Keep each page's calls in step with its wrapper in `dashboard/data/`: the
cold time of a page is the sum of its calls' times.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from queries.catalog.products import list_products
from queries.content import notes as content
from queries.core import schema as s
from queries.core.actors import Scope
from queries.core.periods import TimeRange, local_midnight, preset_range
from queries.finance.settlements import period_overview, statement_detail, vendor_statements
from queries.marketing import campaigns
from queries.members import overview as members
from queries.members.cohorts import cohorts
from queries.orders.search import OrderFilter, search_orders
from queries.sales.breakdowns import item_breakdowns, refunds_by_reason
from queries.sales.kpis import compare, compare_many, trend

__all__ = ["PAGES", "Call", "Page", "home_now", "page_names", "vendor_statement_id"]

Read = Callable[[sa.Connection, Scope, TimeRange, str], Any]

# Home and Sales show neither the new / returning split nor repurchase buyers: their
# wrappers skip both, so do these calls.
COMPARE_KW = {"new_buyers": False, "repurchase": False}
HOME_PRESETS = ("today", "last_7", "this_month")  # as dashboard.data.sales.HOME_PRESETS
HOME_TREND_DAYS = 30
VENDOR_STATUSES = ("confirmed", "paid")  # what a vendor's Statements page shows
PAGE_SIZE = 50  # Orders and Products pages


@dataclass(frozen=True)
class Call:
    """One query call of a page; `name` also keys its plain SQL in `bench.plain.PLAIN`."""

    name: str
    read: Read


@dataclass(frozen=True)
class Page:
    """A page: its query calls for a scope, and its cached read (for warm timings)."""

    name: str
    calls_for: Callable[[Scope], tuple[Call, ...]]
    cached: Callable[[int | None, TimeRange, str], Any]
    clear: Callable[[], None]
    period_free: bool = False  # the page ignores the picked period (Home, Products)
    apptest: str = ""  # the page file a vendor opens (AppTest render)
    mall_apptest: str = ""  # the page file staff open for the whole mall ("" = same)
    mall_role: str = "operator"

    def render_target(self, vendor_id: int | None) -> tuple[str, str]:
        """(page file name, role) to render this page for a vendor or the whole mall."""
        if vendor_id is not None:
            return self.apptest, "vendor"
        return self.mall_apptest or self.apptest, self.mall_role


def _zone(tz: str) -> ZoneInfo:
    return ZoneInfo(tz)


def _dates(period: TimeRange, tz: str):
    zone = _zone(tz)
    return period.first_day(zone), period.end_date(zone)


# --- home -----------------------------------------------------------------------------


def home_now(period: TimeRange):
    """Home ignores the period: it is read "now" = one second before the period ends.

    (A period ending at a local midnight then gives Home a full "today".)
    """
    return period.end - timedelta(seconds=1)


def _home_compare(conn, scope, period, tz):
    zone, now = _zone(tz), home_now(period)
    periods = [preset_range(preset, now, zone) for preset in HOME_PRESETS]
    return compare_many(conn, scope=scope, periods=periods, tz=tz, **COMPARE_KW)


def _home_trend(conn, scope, period, tz):
    zone, now = _zone(tz), home_now(period)
    today = now.astimezone(zone).date()
    start = local_midnight(today - timedelta(days=HOME_TREND_DAYS - 1), zone)
    recent = TimeRange(start, now, "custom")
    return trend(conn, scope=scope, period=recent, tz=tz, grain="day")


def _home_calls(scope: Scope) -> tuple[Call, ...]:
    return (Call("home.compare", _home_compare), Call("home.trend", _home_trend))


def _home_cached(vendor_id, period, tz):
    from dashboard.data.sales import home_view

    return home_view(vendor_id, home_now(period))


def _home_clear():
    from dashboard.data.sales import home_view

    home_view.clear()


# --- sales ----------------------------------------------------------------------------


def _kw(fn, **extra) -> Read:
    def read(conn, scope, period, tz):
        return fn(conn, scope=scope, period=period, tz=tz, **extra)

    return read


def _sales_calls(scope: Scope) -> tuple[Call, ...]:
    return (
        Call("sales.compare", _kw(compare, **COMPARE_KW)),
        Call("sales.trend", _kw(trend, grain="day")),
        Call("sales.item_breakdowns", _kw(item_breakdowns, top=20)),
        Call("sales.refunds_by_reason", _kw(refunds_by_reason)),
    )


def _sales_cached(vendor_id, period, tz):
    from dashboard.data.sales import sales_view

    return sales_view(vendor_id, period, "day")


def _sales_clear():
    from dashboard.data.sales import sales_view

    sales_view.clear()


# --- members --------------------------------------------------------------------------


def _members_calls(scope: Scope) -> tuple[Call, ...]:
    return (
        Call("members.summary_trend", _kw(members.summary_and_trend, grain="day")),
        Call("members.mixes", _kw(members.buyer_mixes)),
        Call("members.rfm", _kw(members.rfm_segments)),
        Call("members.cohorts", _kw(cohorts)),
    )


def _members_cached(vendor_id, period, tz):
    from dashboard.data.members import members_view

    return members_view(vendor_id, period.start, period.end, period.kind, "day")


def _members_clear():
    from dashboard.data.members import members_view

    members_view.clear()


# --- campaigns and content ------------------------------------------------------------


def _campaigns_calls(scope: Scope) -> tuple[Call, ...]:
    return (Call("campaigns.report", _kw(campaigns.report)),)


def _campaigns_cached(vendor_id, period, tz):
    from dashboard.data.campaigns import campaigns_report

    return campaigns_report(vendor_id, period.start, period.end, period.kind)


def _campaigns_clear():
    from dashboard.data.campaigns import campaigns_report

    campaigns_report.clear()


def _content_calls(scope: Scope) -> tuple[Call, ...]:
    return (
        Call("content.summary_and_notes", _kw(content.summary_and_notes)),
        Call("content.tag_attribution", _kw(content.tag_attribution)),
        Call("content.affinity", _kw(content.affinity)),
    )


def _content_cached(vendor_id, period, tz):
    from dashboard.data.content import content_view

    return content_view(vendor_id, period.start, period.end, period.kind)


def _content_clear():
    from dashboard.data.content import content_view

    content_view.clear()


# --- settlements ----------------------------------------------------------------------


def vendor_statement_id(conn: sa.Connection, vendor_id: int, before) -> int | None:
    """The vendor's newest confirmed or paid statement starting before `before` (a date)."""
    st = s.settlements
    return conn.execute(
        sa.select(st.c.settlement_id)
        .where(
            st.c.vendor_id == vendor_id,
            st.c.status.in_(VENDOR_STATUSES),
            st.c.period_start < before,
        )
        .order_by(st.c.period_start.desc())
        .limit(1)
    ).scalar()


def _overview(conn, scope, period, tz):
    first, end = _dates(period, tz)
    return period_overview(conn, scope=scope, period_start=first, period_end=end, tz=tz)


def _statement_list(conn, scope, period, tz):
    return vendor_statements(conn, scope=scope, statuses=VENDOR_STATUSES)


def _statement(conn, scope, period, tz):
    found = vendor_statement_id(conn, scope.vendor_id, _dates(period, tz)[1])
    if found is None:
        return None
    return statement_detail(conn, scope=scope, settlement_id=found, tz=tz, statuses=VENDOR_STATUSES)


def _settlements_calls(scope: Scope) -> tuple[Call, ...]:
    """Finance's period table for the mall; a vendor's Statements page (list + newest)."""
    if scope.is_mall:
        return (Call("settlements.period_overview", _overview),)
    return (
        Call("settlements.statement_list", _statement_list),
        Call("settlements.statement_detail", _statement),
    )


def _settlements_cached(vendor_id, period, tz):
    from dashboard.data import settlements as data
    from dashboard.shell.context import engine

    first, end = _dates(period, tz)
    if vendor_id is None:
        return data.period_table(first, end)
    listed = data.statement_list(vendor_id, data.VENDOR_STATUSES)
    with engine().connect() as conn:  # the page picks the newest row of the list
        found = vendor_statement_id(conn, vendor_id, end)
    detail = data.statement(vendor_id, found, data.VENDOR_STATUSES) if found else None
    return listed, detail


def _settlements_clear():
    from dashboard.data import settlements as data

    for read in (data.period_table, data.statement_list, data.statement):
        read.clear()


# --- products and orders --------------------------------------------------------------


def _products_calls(scope: Scope) -> tuple[Call, ...]:
    def read(conn, scope, period, tz):
        return list_products(conn, scope=scope, page=1, page_size=PAGE_SIZE)

    return (Call("products.list", read),)


def _products_cached(vendor_id, period, tz):
    from dashboard.data.products import ProductFilter, product_page

    return product_page(vendor_id, ProductFilter(), 1, PAGE_SIZE)


def _products_clear():
    from dashboard.data.products import product_page

    product_page.clear()


def _order_filter(period: TimeRange, tz: str) -> OrderFilter:
    first, end = _dates(period, tz)
    return OrderFilter(first_day=first, last_day=end - timedelta(days=1))


def _orders_calls(scope: Scope) -> tuple[Call, ...]:
    def read(conn, scope, period, tz):
        filters = _order_filter(period, tz)
        return search_orders(conn, scope=scope, filters=filters, tz=tz, page=1, page_size=PAGE_SIZE)

    return (Call("orders.search", read),)


def _orders_cached(vendor_id, period, tz):
    from dashboard.data.orders import order_page

    return order_page(vendor_id, _order_filter(period, tz), 1, PAGE_SIZE)


def _orders_clear():
    from dashboard.data.orders import order_page

    order_page.clear()


PAGES: tuple[Page, ...] = (
    Page("home", _home_calls, _home_cached, _home_clear, period_free=True, apptest="home"),
    Page("sales", _sales_calls, _sales_cached, _sales_clear, apptest="sales"),
    Page("members", _members_calls, _members_cached, _members_clear, apptest="members"),
    Page("campaigns", _campaigns_calls, _campaigns_cached, _campaigns_clear, apptest="campaigns"),
    Page("content", _content_calls, _content_cached, _content_clear, apptest="content"),
    Page(
        "settlements",
        _settlements_calls,
        _settlements_cached,
        _settlements_clear,
        apptest="statements",
        mall_apptest="settlements",
        mall_role="finance",
    ),
    Page(
        "products",
        _products_calls,
        _products_cached,
        _products_clear,
        period_free=True,
        apptest="products",
    ),
    Page("orders", _orders_calls, _orders_cached, _orders_clear, apptest="orders"),
)


def page_names() -> list[str]:
    """The pages in report order."""
    return [p.name for p in PAGES]
