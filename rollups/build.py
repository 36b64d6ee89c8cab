"""Build the rollups from the contract tables: the platform's job, played by the demo.

The rollups live in the console's own schema (`mallboard`, created by the migrations),
never among the contract's tables. `build_rollups` empties every rollup table (their
shapes change only through the migrations), fills them for the local days before the
cut, family by family, and records the cut:
- `rollups.sales`: daily sales and refunds, buyer days, item-sales days and months
  (read by `queries.rolled.coverage`);
- `rollups.members`: first paid orders, cohort months, the RFM segments' moves
  (`queries.rolled.members`, `queries.members.rfm`);
- `rollups.content`: attributed order items, tag readers, note views (`queries.rolled.content`);
- `rollups.campaigns`: carried (promotion, order) pairs, live sessions' buyers
  (`queries.rolled.campaigns`);
- `rollups.settlements`: every shop's statement lines per local day
  (`queries.finance.rolled_days`).
"""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from queries.console.migrate import upgrade_on
from queries.console.tables import present
from queries.core.periods import local_midnight
from queries.finance.rolled_days import SETTLEMENTS
from queries.rolled.campaigns import CAMPAIGNS
from queries.rolled.content import CONTENT
from queries.rolled.coverage import NAME, rollup_metadata, rollup_state, state_key
from queries.rolled.members import MEMBERS
from rollups.campaigns import insert_campaign_rows
from rollups.content import (
    insert_counts_to_cut,
    insert_note_views,
    insert_tag_attribution,
    insert_tag_readers,
)
from rollups.members import insert_buyer_firsts, insert_cohort_months, insert_rfm_changes
from rollups.sales import (
    insert_buyer_days,
    insert_item_days,
    insert_item_sums,
    insert_refunds_daily,
    insert_sales_daily,
)
from rollups.settlements import insert_settlement_days

__all__ = ["ROLLUP_TABLES", "build_rollups", "drop_rollups"]


# Every rollup table but the state (`rollup_metadata` also holds the console's accounts).
ROLLUP_TABLES = tuple(
    t
    for t in rollup_metadata.sorted_tables
    if t.name.startswith("mallboard_rollup_") and t is not rollup_state
)


def build_rollups(conn: sa.Connection, *, tz: str, complete_before: date) -> None:
    """(Re)build every rollup row for the local days before `complete_before`."""
    upgrade_on(conn)  # the tables exist at the code's layout
    drop_rollups(conn)
    cut_at = local_midnight(complete_before, ZoneInfo(tz))
    zone = sa.bindparam("tz", tz)
    month_before = complete_before.replace(day=1)
    for by_vendor in (True, False):
        insert_sales_daily(conn, zone, cut_at, by_vendor=by_vendor)
        insert_refunds_daily(conn, zone, cut_at, by_vendor=by_vendor)
        insert_buyer_firsts(conn, cut_at, by_vendor=by_vendor)
    insert_item_days(conn, zone, cut_at)
    insert_item_sums(conn, month_before=month_before)
    for by_vendor in (True, False):
        insert_cohort_months(conn, zone, cut_at, by_vendor=by_vendor)
    insert_rfm_changes(conn, zone, cut_at, cut=complete_before)
    insert_tag_attribution(conn, zone, cut_at)
    insert_tag_readers(conn, zone, cut_at)
    insert_buyer_days(conn, zone, cut_at)
    insert_counts_to_cut(conn)
    insert_note_views(conn, zone, cut_at)
    insert_campaign_rows(conn, cut_at)
    insert_settlement_days(conn, zone, cut_at)
    for name in (NAME, MEMBERS, CONTENT, CAMPAIGNS, SETTLEMENTS):
        key = state_key(name, tz)  # the zone its local days were cut in
        conn.execute(rollup_state.insert().values(rollup=key, complete_before=complete_before))
    if conn.dialect.name == "postgresql":
        for table in ROLLUP_TABLES:
            # Fixed table names, never input.
            conn.exec_driver_sql(f"ANALYZE {table.schema}.{table.name}")


def drop_rollups(conn: sa.Connection) -> None:
    """Empty the rollups (state first): the console goes back to reading everything live."""
    if not present(conn, rollup_state):
        return
    conn.execute(rollup_state.delete())
    for table in ROLLUP_TABLES:
        conn.execute(table.delete())
