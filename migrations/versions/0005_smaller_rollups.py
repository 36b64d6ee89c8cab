"""Smaller rollups: each member's last paid day per shop instead of the shops' reader rows;
no product rows of the mall's own in the item sales.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07

`rollup_shop_tag_readers` held every reading day of a member again for every shop they
bought from: a third of all the rollups' disk on the large mall (2.4 GB), read only for
periods of rolled days alone. The shops' nets to the cut are now kept from the mall's
reader rows and `rollup_last_paid` (a member's last paid day per shop and in the mall),
so the layout is `content/4`: the old state row goes, and the next
`python -m rollups refresh` builds the content family whole (until then pages read
live, as for any family without a cut). On PostgreSQL the new table has the same
row-level security as the other rollups (migration 0003).

The mall's item-sales product rows repeated its shops' (a product is one shop's): 40 %
of `rollup_item_sales`. They are deleted; the mall's product breakdown reads the shops'
rows. The sales layout is otherwise unchanged, so its cut stays.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from queries.core.rls import rollup_policies

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def _schema() -> str | None:
    return None if op.get_bind().dialect.name == "sqlite" else "mallboard"


def _state():
    return sa.table("mallboard_rollup_state", sa.column("rollup"), schema=_schema())


def _secure(name: str) -> None:
    """The rollups' row-level security (PostgreSQL): a shop's rows and the mall's."""
    if op.get_bind().dialect.name == "postgresql":
        for statement in rollup_policies(name, by_shop=True):
            op.execute(statement)


def upgrade() -> None:
    schema = _schema()
    op.drop_index(
        "mallboard_rollup_shop_tag_readers_by_day",
        table_name="mallboard_rollup_shop_tag_readers",
        schema=schema,
    )
    op.drop_table("mallboard_rollup_shop_tag_readers", schema=schema)
    op.create_table(
        "mallboard_rollup_last_paid",
        sa.Column("member_id", sa.BigInteger(), nullable=False),
        sa.Column("vendor_id", sa.BigInteger(), nullable=False),
        sa.Column("last_on", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("member_id", "vendor_id"),
        schema=schema,
    )
    state = _state()
    op.execute(state.delete().where(state.c.rollup.like("content/3@%")))
    items = sa.table(
        "mallboard_rollup_item_sales",
        sa.column("vendor_id"),
        sa.column("breakdown"),
        schema=schema,
    )
    op.execute(items.delete().where(items.c.vendor_id == -1, items.c.breakdown == "product"))
    _secure("mallboard_rollup_last_paid")


def downgrade() -> None:
    # The older layouts lack the mall's product rows and the shops' reader rows: without
    # a cut, an older console reads live until its next refresh builds them whole.
    schema = _schema()
    op.drop_table("mallboard_rollup_last_paid", schema=schema)
    state = _state()
    for layout in ("content/4@%", "sales/3@%"):
        op.execute(state.delete().where(state.c.rollup.like(layout)))
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
    _secure("mallboard_rollup_shop_tag_readers")
