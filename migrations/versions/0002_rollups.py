"""The rollups move into the console's own schema (issue 27).

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-07

The summary tables the console reads for speed (`queries.rolled`, `queries.members.rfm`,
`queries.finance.rolled_days`) and their state, with each family's last refresh. The
contract's tables are not touched; rollups a demo of an earlier version built in the
contract's schema are left where they are (`python -m rollups refresh --rebuild` fills
these).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from queries.core.types import UTCDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

TABLES = (
    "mallboard_rollup_tag_readers",
    "mallboard_rollup_tag_buyers_to_cut",
    "mallboard_rollup_tag_attribution",
    "mallboard_rollup_state",
    "mallboard_rollup_shop_tag_readers",
    "mallboard_rollup_settlement_days",
    "mallboard_rollup_sales_daily",
    "mallboard_rollup_rfm_changes",
    "mallboard_rollup_refunds_daily",
    "mallboard_rollup_promotion_orders",
    "mallboard_rollup_note_views",
    "mallboard_rollup_live_session_buyers",
    "mallboard_rollup_item_sales",
    "mallboard_rollup_cohort_months",
    "mallboard_rollup_buyers_to_cut",
    "mallboard_rollup_buyer_firsts",
    "mallboard_rollup_buyer_days",
)


def _schema() -> str | None:
    """`mallboard` on PostgreSQL; SQLite's tables carry the `mallboard_` prefix alone."""
    return None if op.get_bind().dialect.name == "sqlite" else "mallboard"


def upgrade() -> None:
    schema = _schema()
    op.create_table(
        "mallboard_rollup_buyer_days",
        sa.Column("vendor_id", sa.BigInteger(), nullable=False),
        sa.Column("paid_on", sa.Date(), nullable=False),
        sa.Column("member_id", sa.BigInteger(), nullable=False),
        sa.Column("orders", sa.BigInteger(), nullable=False),
        sa.Column("previous_on", sa.Date(), nullable=True),
        sa.Column("next_on", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("vendor_id", "paid_on", "member_id"),
        schema=schema,
    )
    op.create_table(
        "mallboard_rollup_buyer_firsts",
        sa.Column("vendor_id", sa.BigInteger(), nullable=False),
        sa.Column("member_id", sa.BigInteger(), nullable=False),
        sa.Column("first_paid_at", UTCDateTime, nullable=False),
        sa.PrimaryKeyConstraint("vendor_id", "member_id"),
        schema=schema,
    )
    op.create_index(
        "mallboard_rollup_buyer_firsts_by_time",
        "mallboard_rollup_buyer_firsts",
        ["vendor_id", "first_paid_at"],
        unique=False,
        schema=schema,
    )
    op.create_table(
        "mallboard_rollup_buyers_to_cut",
        sa.Column("vendor_id", sa.BigInteger(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("net", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("vendor_id", "day"),
        schema=schema,
    )
    op.create_table(
        "mallboard_rollup_cohort_months",
        sa.Column("vendor_id", sa.BigInteger(), nullable=False),
        sa.Column("cohort", sa.Date(), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("buyers", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("vendor_id", "cohort", "month"),
        schema=schema,
    )
    op.create_table(
        "mallboard_rollup_item_sales",
        sa.Column("vendor_id", sa.BigInteger(), nullable=False),
        sa.Column("grain", sa.Text(), nullable=False),
        sa.Column("bucket", sa.Date(), nullable=False),
        sa.Column("breakdown", sa.Text(), nullable=False),
        sa.Column("key_int", sa.BigInteger(), nullable=True),
        sa.Column("key_text", sa.Text(), nullable=True),
        sa.Column("item_sales_cents", sa.BigInteger(), nullable=False),
        sa.Column("units", sa.BigInteger(), nullable=False),
        sa.Column("orders", sa.BigInteger(), nullable=False),
        schema=schema,
    )
    op.create_index(
        "mallboard_rollup_item_sales_scope",
        "mallboard_rollup_item_sales",
        ["vendor_id", "grain", "bucket"],
        unique=False,
        schema=schema,
    )
    op.create_table(
        "mallboard_rollup_live_session_buyers",
        sa.Column("live_session_id", sa.BigInteger(), nullable=False),
        sa.Column("vendor_id", sa.BigInteger(), nullable=False),
        sa.Column("member_id", sa.BigInteger(), nullable=False),
        sa.Column("orders", sa.BigInteger(), nullable=False),
        sa.Column("gmv_cents", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("live_session_id", "vendor_id", "member_id"),
        schema=schema,
    )
    op.create_table(
        "mallboard_rollup_note_views",
        sa.Column("vendor_id", sa.BigInteger(), nullable=False),
        sa.Column("viewed_on", sa.Date(), nullable=False),
        sa.Column("note_id", sa.BigInteger(), nullable=False),
        sa.Column("member_id", sa.BigInteger(), nullable=False),
        sa.Column("views", sa.BigInteger(), nullable=False),
        sa.Column("previous_on", sa.Date(), nullable=True),
        sa.Column("member_previous_on", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("vendor_id", "viewed_on", "note_id", "member_id"),
        schema=schema,
    )
    op.create_table(
        "mallboard_rollup_promotion_orders",
        sa.Column("promotion_id", sa.BigInteger(), nullable=False),
        sa.Column("vendor_id", sa.BigInteger(), nullable=False),
        sa.Column("order_id", sa.BigInteger(), nullable=False),
        sa.Column("paid_cents", sa.BigInteger(), nullable=False),
        sa.Column("discount_cents", sa.BigInteger(), nullable=False),
        sa.Column("platform_discount_cents", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("promotion_id", "vendor_id", "order_id"),
        schema=schema,
    )
    op.create_table(
        "mallboard_rollup_refunds_daily",
        sa.Column("vendor_id", sa.BigInteger(), nullable=False),
        sa.Column("local_day", sa.Date(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("refunds", sa.BigInteger(), nullable=False),
        sa.Column("refunded_cents", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("vendor_id", "local_day", "reason"),
        schema=schema,
    )
    op.create_table(
        "mallboard_rollup_rfm_changes",
        sa.Column("vendor_id", sa.BigInteger(), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("segment", sa.Text(), nullable=False),
        sa.Column("buyers", sa.BigInteger(), nullable=False),
        sa.Column("gmv_cents", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("vendor_id", "as_of", "segment"),
        schema=schema,
    )
    op.create_table(
        "mallboard_rollup_sales_daily",
        sa.Column("vendor_id", sa.BigInteger(), nullable=False),
        sa.Column("local_day", sa.Date(), nullable=False),
        sa.Column("gmv_cents", sa.BigInteger(), nullable=False),
        sa.Column("paid_orders", sa.BigInteger(), nullable=False),
        sa.Column("buyers", sa.BigInteger(), nullable=False),
        sa.Column("refunded_cents", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("vendor_id", "local_day"),
        schema=schema,
    )
    op.create_table(
        "mallboard_rollup_settlement_days",
        sa.Column("vendor_id", sa.BigInteger(), nullable=False),
        sa.Column("local_day", sa.Date(), nullable=False),
        sa.Column("gross_cents", sa.BigInteger(), nullable=False),
        sa.Column("platform_subsidy_cents", sa.BigInteger(), nullable=False),
        sa.Column("commission_cents", sa.BigInteger(), nullable=False),
        sa.Column("refund_cents", sa.BigInteger(), nullable=False),
        sa.Column("commission_refund_cents", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("vendor_id", "local_day"),
        schema=schema,
    )
    op.create_table(
        "mallboard_rollup_shop_tag_readers",
        sa.Column("vendor_id", sa.BigInteger(), nullable=False),
        sa.Column("viewed_on", sa.Date(), nullable=False),
        sa.Column("tag", sa.Text(), nullable=False),
        sa.Column("member_id", sa.BigInteger(), nullable=False),
        sa.Column("previous_on", sa.Date(), nullable=True),
        sa.Column("paid_to_on", sa.Date(), nullable=True),
        sa.Column("paid_from_on", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("vendor_id", "viewed_on", "tag", "member_id"),
        schema=schema,
    )
    op.create_index(
        "mallboard_rollup_shop_tag_readers_by_day",
        "mallboard_rollup_shop_tag_readers",
        ["vendor_id", "viewed_on"],
        unique=False,
        schema=schema,
        postgresql_include=["tag", "previous_on", "paid_to_on", "paid_from_on"],
    )
    op.create_table(
        "mallboard_rollup_state",
        sa.Column("rollup", sa.Text(), nullable=False),
        sa.Column("complete_before", sa.Date(), nullable=False),
        sa.Column("last_started_at", UTCDateTime, nullable=True),
        sa.Column("last_finished_at", UTCDateTime, nullable=True),
        sa.Column("last_duration_ms", sa.BigInteger(), nullable=True),
        sa.Column("last_rows", sa.BigInteger(), nullable=True),
        sa.Column("last_outcome", sa.Text(), nullable=True),
        sa.Column("last_message", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("rollup"),
        schema=schema,
    )
    op.create_table(
        "mallboard_rollup_tag_attribution",
        sa.Column("vendor_id", sa.BigInteger(), nullable=False),
        sa.Column("paid_on", sa.Date(), nullable=False),
        sa.Column("tag", sa.Text(), nullable=False),
        sa.Column("member_id", sa.BigInteger(), nullable=False),
        sa.Column("previous_on", sa.Date(), nullable=True),
        sa.Column("orders", sa.BigInteger(), nullable=False),
        sa.Column("item_sales_cents", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("vendor_id", "paid_on", "tag", "member_id"),
        schema=schema,
    )
    op.create_table(
        "mallboard_rollup_tag_buyers_to_cut",
        sa.Column("vendor_id", sa.BigInteger(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("tag", sa.Text(), nullable=False),
        sa.Column("net", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("vendor_id", "day", "tag"),
        schema=schema,
    )
    op.create_table(
        "mallboard_rollup_tag_readers",
        sa.Column("viewed_on", sa.Date(), nullable=False),
        sa.Column("tag", sa.Text(), nullable=False),
        sa.Column("member_id", sa.BigInteger(), nullable=False),
        sa.Column("previous_on", sa.Date(), nullable=True),
        sa.Column("paid_to_on", sa.Date(), nullable=True),
        sa.Column("paid_from_on", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("viewed_on", "tag", "member_id"),
        schema=schema,
    )
    op.create_index(
        "mallboard_rollup_tag_readers_by_member",
        "mallboard_rollup_tag_readers",
        ["member_id", "viewed_on"],
        unique=False,
        schema=schema,
    )


def downgrade() -> None:
    schema = _schema()
    for name in TABLES:
        op.drop_table(name, schema=schema)
