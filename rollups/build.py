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

import sqlalchemy as sa

from queries.console.migrate import upgrade_on
from queries.console.tables import present
from queries.rolled.coverage import rollup_metadata, rollup_state, state_key
from rollups.families import FAMILIES, Window

__all__ = ["ROLLUP_TABLES", "build_rollups", "drop_rollups"]


# Every rollup table but the state (`rollup_metadata` also holds the console's accounts).
ROLLUP_TABLES = tuple(
    t
    for t in rollup_metadata.sorted_tables
    if t.name.startswith("mallboard_rollup_") and t is not rollup_state
)


def build_rollups(conn: sa.Connection, *, tz: str, complete_before: date) -> None:
    """(Re)build every family for the local days before `complete_before`, on `conn`
    (inside the caller's transaction: the demo loader and the tests)."""
    upgrade_on(conn)  # the tables exist at the code's layout
    drop_rollups(conn)
    for family in FAMILIES:
        family.refresh(conn, Window(tz, None, complete_before))
        key = state_key(family.name, tz)  # the zone its local days were cut in
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
