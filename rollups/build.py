"""Build the rollups from the contract tables: the platform's job, played by the demo.

The console never writes outside the contract's tables on a platform database:
these statements are what the platform would run (nightly, or as orders are
paid), given here so the demo mall and the benchmark have the rollups that
`queries.rolled` reads. `build_rollups` drops and recreates every rollup table, fills
them for the local days before the cut, family by family, and records the cut:
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

__all__ = ["build_rollups", "drop_rollups"]


def build_rollups(conn: sa.Connection, *, tz: str, complete_before: date) -> None:
    """(Re)build every rollup row for the local days before `complete_before`."""
    # Dropped, not emptied: a table of an earlier layout (an earlier build) may lack columns.
    drop_rollups(conn)
    rollup_metadata.create_all(conn)
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
        for table in rollup_metadata.sorted_tables:
            conn.exec_driver_sql(f"ANALYZE {table.name}")  # fixed table names, never input


def drop_rollups(conn: sa.Connection) -> None:
    """Remove the rollups: the console goes back to reading everything live."""
    rollup_metadata.drop_all(conn, checkfirst=True)
