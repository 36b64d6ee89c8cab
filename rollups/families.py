"""The rollup families: which tables each one fills, and how it refreshes a window of days.

A family is refreshed in one transaction of its own (`rollups.refresh`): its rows for
the window's days are replaced and its cut (`rollup_state.complete_before`) moves to
the window's end in the same commit, so readers see either the old rows and cut or
the new ones, never half. `Window.start` None means every day (a rebuild).

Each family's `refresh(conn, window)` returns the rows it wrote. Families that only
hold per-day rows replace the window's days; families whose rows carry history
(a buyer's first order, the previous and next days of a member) also bring the rows
before the window forward where the new days change them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from queries.core.periods import local_midnight
from queries.finance.rolled_days import SETTLEMENTS, settlement_days
from queries.members.rfm import rfm_changes
from queries.rolled.campaigns import CAMPAIGNS, live_session_buyers, promotion_orders
from queries.rolled.content import (
    CONTENT,
    buyers_to_cut,
    last_paid,
    note_views_days,
    tag_attribution_days,
    tag_buyers_to_cut,
    tag_readers,
)
from queries.rolled.coverage import NAME, buyer_days, item_sales, refunds_daily, sales_daily
from queries.rolled.members import MEMBERS, buyer_firsts, cohort_months
from rollups.campaigns import delete_campaigns_from, insert_campaign_rows
from rollups.content import (
    insert_counts_to_cut,
    insert_last_paid,
    insert_note_views,
    insert_tag_attribution,
    insert_tag_readers,
    refresh_buyers_to_cut,
    refresh_tag_readers,
)
from rollups.members import insert_buyer_firsts, insert_cohort_months, insert_rfm_changes
from rollups.sales import (
    delete_sales_from,
    insert_buyer_days,
    insert_item_days,
    insert_item_sums,
    insert_refunds_daily,
    insert_sales_daily,
)
from rollups.settlements import delete_settlement_days_from, insert_settlement_days

__all__ = ["FAMILIES", "Family", "Window"]


@dataclass(frozen=True)
class Window:
    """The local days a refresh recomputes: `[start, through)`; `start` None = all days."""

    tz: str
    start: date | None
    through: date

    @property
    def zone(self) -> sa.BindParameter:
        """The zone as one bound parameter (the same object in SELECT and GROUP BY)."""
        return sa.bindparam("tz", self.tz)

    @property
    def through_at(self) -> datetime:
        """The instant the window ends: local midnight of `through`."""
        return local_midnight(self.through, ZoneInfo(self.tz))

    @property
    def start_at(self) -> datetime | None:
        """The instant the window starts (None: the beginning)."""
        return None if self.start is None else local_midnight(self.start, ZoneInfo(self.tz))


@dataclass(frozen=True)
class Family:
    """One family of rollup tables, its state name and how to refresh a window of it."""

    name: str
    tables: tuple[sa.Table, ...]
    refresh: Callable[[sa.Connection, Window], None]

    def empty(self, conn: sa.Connection) -> None:
        """Delete every row of the family's tables."""
        for table in self.tables:
            conn.execute(table.delete())

    def rows(self, conn: sa.Connection) -> int:
        """How many rows the family's tables hold (PostgreSQL: the planner's estimate, as
        of the ANALYZE after the last refresh; counting 10^8 rows nightly buys nothing)."""
        if conn.dialect.name == "postgresql":
            c = sa.table(
                "pg_class",
                sa.column("oid"),
                sa.column("relname"),
                sa.column("relnamespace"),
                sa.column("reltuples"),
                schema="pg_catalog",
            )
            n = sa.table(
                "pg_namespace", sa.column("oid"), sa.column("nspname"), schema="pg_catalog"
            )
            estimate = (
                sa.select(sa.func.coalesce(sa.func.sum(sa.func.greatest(c.c.reltuples, 0)), 0))
                .select_from(c.join(n, n.c.oid == c.c.relnamespace))
                .where(
                    n.c.nspname == self.tables[0].schema,
                    c.c.relname.in_([t.name for t in self.tables]),
                )
            )
            return int(conn.execute(estimate).scalar_one())
        return sum(
            conn.execute(sa.select(sa.func.count()).select_from(t)).scalar_one()
            for t in self.tables
        )


# --- the families' refreshes ----------------------------------------------------------
# Until a family refreshes a window incrementally, it recomputes every day up to the
# window's end: correct, only slower.


def _sales(conn: sa.Connection, window: Window) -> None:
    # Days from the window's start: paid days and refunds' completed days, item-sales
    # days (the shops', then the mall's) and the months from start's month that end
    # before the cut's month; buyer days with their links to the days before.
    start, start_at = window.start, window.start_at
    if start is None:
        SALES.empty(conn)
    else:
        delete_sales_from(conn, start)
    zone, cut_at = window.zone, window.through_at
    for by_vendor in (True, False):
        insert_sales_daily(conn, zone, cut_at, by_vendor=by_vendor, start_at=start_at)
        insert_refunds_daily(conn, zone, cut_at, by_vendor=by_vendor, start_at=start_at)
    insert_item_days(conn, zone, cut_at, start_at=start_at)
    insert_item_sums(conn, month_before=window.through.replace(day=1), start=start)
    insert_buyer_days(conn, zone, cut_at, start=start, start_at=start_at)


def _members(conn: sa.Connection, window: Window) -> None:
    # First orders from the window's start (members without an earlier one), cohort
    # months from start's month, RFM moves of the as-of days from start.
    zone, cut_at, start = window.zone, window.through_at, window.start
    if start is None:
        MEMBER_FAMILY.empty(conn)
    for by_vendor in (True, False):
        insert_buyer_firsts(conn, cut_at, by_vendor=by_vendor, start_at=window.start_at)
    month = None if start is None else start.replace(day=1)
    month_at = None if month is None else local_midnight(month, ZoneInfo(window.tz))
    for by_vendor in (True, False):
        insert_cohort_months(
            conn, zone, cut_at, by_vendor=by_vendor, from_month=month, from_month_at=month_at
        )
    insert_rfm_changes(
        conn,
        zone,
        cut_at,
        cut=window.through,
        start=start,
        midnight=lambda day: local_midnight(day, ZoneInfo(window.tz)),
    )


def _content(conn: sa.Connection, window: Window) -> None:
    # Attributed days and note views from the window's start (previous days carried from
    # the rows before); reader rows from start, and the earlier ones a payment from start
    # on changes, with the tags' nets moved by the difference; buyers' nets of the days
    # whose buyer rows changed (the sales family's, refreshed first).
    zone, cut_at, start, start_at = window.zone, window.through_at, window.start, window.start_at
    if start is None:
        CONTENT_FAMILY.empty(conn)
        insert_tag_attribution(conn, zone, cut_at)
        insert_tag_readers(conn, zone, cut_at)
        insert_last_paid(conn, zone, cut_at)
        insert_counts_to_cut(conn)  # reads the sales family's buyer days: refreshed first
        insert_note_views(conn, zone, cut_at)
        return
    insert_tag_attribution(conn, zone, cut_at, start=start, start_at=start_at)
    refresh_tag_readers(conn, zone, cut_at, start=start, start_at=start_at)
    refresh_buyers_to_cut(conn, zone, start=start, start_at=start_at)
    insert_note_views(conn, zone, cut_at, start=start, start_at=start_at)


def _campaigns(conn: sa.Connection, window: Window) -> None:
    # The pairs of the orders paid in the window; every live session with an order
    # paid in it, whole (its rows count its orders whenever paid).
    if window.start_at is None:
        CAMPAIGN_FAMILY.empty(conn)
    else:
        delete_campaigns_from(conn, window.start_at)
    insert_campaign_rows(conn, window.through_at, start_at=window.start_at)


def _settlements(conn: sa.Connection, window: Window) -> None:
    # Each shop's days from the window's start (a day's lines: its paid orders and
    # its completed refunds).
    if window.start is None:
        SETTLEMENT_FAMILY.empty(conn)
    else:
        delete_settlement_days_from(conn, window.start)
    insert_settlement_days(conn, window.zone, window.through_at, start_at=window.start_at)


SALES = Family(NAME, (sales_daily, refunds_daily, item_sales, buyer_days), _sales)
MEMBER_FAMILY = Family(MEMBERS, (buyer_firsts, cohort_months, rfm_changes), _members)
CONTENT_FAMILY = Family(
    CONTENT,
    (
        tag_attribution_days,
        tag_readers,
        last_paid,
        tag_buyers_to_cut,
        buyers_to_cut,
        note_views_days,
    ),
    _content,
)
CAMPAIGN_FAMILY = Family(CAMPAIGNS, (promotion_orders, live_session_buyers), _campaigns)
SETTLEMENT_FAMILY = Family(SETTLEMENTS, (settlement_days,), _settlements)

# In this order: the content family reads the sales family's buyer days.
FAMILIES: tuple[Family, ...] = (
    SALES,
    MEMBER_FAMILY,
    CONTENT_FAMILY,
    CAMPAIGN_FAMILY,
    SETTLEMENT_FAMILY,
)
