"""Row-level security on the rollups: a shop's transaction sees its own rows and the mall's.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-07

The same rule as deploy/rls.sql for the contract's tables, on the console's own rollup
tables, with FORCE: the console's role owns them, and an owner bypasses its tables'
policies otherwise. The console sets `mallboard.scope` / `mallboard.vendor_id` at the start
of every transaction (queries/core/rls.py): staff see every row and alone may write (the
refresh runs as staff); a shop sees its own rows and the whole mall's (vendor_id −1, the
mall-wide benchmarks a page may show) and the rows that belong to no shop (the mall's tag
readers, the state); a transaction that set neither sees nothing. Superusers (the demo
loader, the benchmark) bypass RLS as always. PostgreSQL only: SQLite has no RLS.
"""

from __future__ import annotations

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

# Read once per statement (an InitPlan), not once per row.
STAFF = "(SELECT current_setting('mallboard.scope', true) = 'staff')"
SHOP = "(SELECT nullif(current_setting('mallboard.vendor_id', true), '')::bigint)"

# Tables with a vendor_id (a shop's rows, or −1 for the mall's) and those without.
BY_SHOP = (
    "mallboard_rollup_sales_daily",
    "mallboard_rollup_item_sales",
    "mallboard_rollup_refunds_daily",
    "mallboard_rollup_buyer_days",
    "mallboard_rollup_buyer_firsts",
    "mallboard_rollup_cohort_months",
    "mallboard_rollup_rfm_changes",
    "mallboard_rollup_tag_attribution",
    "mallboard_rollup_shop_tag_readers",
    "mallboard_rollup_tag_buyers_to_cut",
    "mallboard_rollup_buyers_to_cut",
    "mallboard_rollup_note_views",
    "mallboard_rollup_promotion_orders",
    "mallboard_rollup_live_session_buyers",
    "mallboard_rollup_settlement_days",
)
SHARED = ("mallboard_rollup_tag_readers", "mallboard_rollup_state")


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in BY_SHOP + SHARED:
        shop_set = f"{SHOP} IS NOT NULL"
        sees = shop_set if table in SHARED else f"{shop_set} AND vendor_id IN ({SHOP}, -1)"
        op.execute(f"ALTER TABLE mallboard.{table} ENABLE ROW LEVEL SECURITY")
        op.execute(f"ALTER TABLE mallboard.{table} FORCE ROW LEVEL SECURITY")
        # Reading: staff, or the shop's (and the mall's) rows. Writing, deleting included
        # (a FOR ALL policy's USING is what DELETE and UPDATE see): staff only.
        op.execute(
            f"CREATE POLICY mallboard_read ON mallboard.{table} FOR SELECT TO PUBLIC "
            f"USING ({STAFF} OR {sees})"
        )
        op.execute(
            f"CREATE POLICY mallboard_write ON mallboard.{table} FOR ALL TO PUBLIC "
            f"USING ({STAFF}) WITH CHECK ({STAFF})"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in BY_SHOP + SHARED:
        op.execute(f"DROP POLICY IF EXISTS mallboard_read ON mallboard.{table}")
        op.execute(f"DROP POLICY IF EXISTS mallboard_write ON mallboard.{table}")
        op.execute(f"ALTER TABLE mallboard.{table} NO FORCE ROW LEVEL SECURITY")
        op.execute(f"ALTER TABLE mallboard.{table} DISABLE ROW LEVEL SECURITY")
