"""Unique keys only where a refresh writes over by key (layout `content/5`).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07

`rollup_note_views` and `rollup_tag_attribution` had four-column primary keys that
nothing looks up (a refresh replaces whole days; pages read a scope's day range): they
were a third of each table (490 MB on the large mall). They get a (vendor_id, day)
index instead, which PostgreSQL stores at one entry per value. `rollup_tag_readers`,
written over by key, is keyed by member first (what the refresh and a period's live
tail look up), which replaces its member index; its day ranges get a small index.
The content rollups are derived data: the three tables are made again empty, and the
content family's state row goes, so the next `python -m rollups refresh` builds it
whole (pages read live until then).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from queries.core.rls import rollup_policies

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def _schema() -> str | None:
    return None if op.get_bind().dialect.name == "sqlite" else "mallboard"


def _note_views(*, keyed: bool) -> list:
    key = {"primary_key": True} if keyed else {"nullable": False}
    return [
        sa.Column("vendor_id", sa.BigInteger(), **key),
        sa.Column("viewed_on", sa.Date(), **key),
        sa.Column("note_id", sa.BigInteger(), **key),
        sa.Column("member_id", sa.BigInteger(), **key),
        sa.Column("views", sa.BigInteger(), nullable=False),
        sa.Column("previous_on", sa.Date(), nullable=True),
        sa.Column("member_previous_on", sa.Date(), nullable=True),
    ]


def _tag_attribution(*, keyed: bool) -> list:
    key = {"primary_key": True} if keyed else {"nullable": False}
    return [
        sa.Column("vendor_id", sa.BigInteger(), **key),
        sa.Column("paid_on", sa.Date(), **key),
        sa.Column("tag", sa.Text(), **key),
        sa.Column("member_id", sa.BigInteger(), **key),
        sa.Column("previous_on", sa.Date(), nullable=True),
        sa.Column("orders", sa.BigInteger(), nullable=False),
        sa.Column("item_sales_cents", sa.BigInteger(), nullable=False),
    ]


def _tag_readers(key: tuple[str, ...]) -> list:
    return [
        sa.Column("member_id", sa.BigInteger(), nullable=False),
        sa.Column("tag", sa.Text(), nullable=False),
        sa.Column("viewed_on", sa.Date(), nullable=False),
        sa.Column("previous_on", sa.Date(), nullable=True),
        sa.Column("paid_to_on", sa.Date(), nullable=True),
        sa.Column("paid_from_on", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint(*key),
    ]


def _make(name: str, columns: list, indexes: dict[str, list[str]], *, by_shop: bool) -> None:
    """Drop the table (its indexes and policies go with it) and create it anew."""
    schema = _schema()
    op.drop_table(name, schema=schema)
    op.create_table(name, *columns, schema=schema)
    for index, columns_of in indexes.items():
        op.create_index(index, name, columns_of, unique=False, schema=schema)
    if op.get_bind().dialect.name == "postgresql":
        for statement in rollup_policies(name, by_shop=by_shop):
            op.execute(statement)


def _forget_content(layout: str) -> None:
    state = sa.table("mallboard_rollup_state", sa.column("rollup"), schema=_schema())
    op.execute(state.delete().where(state.c.rollup.like(f"{layout}@%")))


def upgrade() -> None:
    _make(
        "mallboard_rollup_note_views",
        _note_views(keyed=False),
        {"mallboard_rollup_note_views_by_day": ["vendor_id", "viewed_on"]},
        by_shop=True,
    )
    _make(
        "mallboard_rollup_tag_attribution",
        _tag_attribution(keyed=False),
        {"mallboard_rollup_tag_attribution_by_day": ["vendor_id", "paid_on"]},
        by_shop=True,
    )
    _make(
        "mallboard_rollup_tag_readers",
        _tag_readers(("member_id", "tag", "viewed_on")),
        {"mallboard_rollup_tag_readers_by_day": ["viewed_on"]},
        by_shop=False,
    )
    _forget_content("content/4")


def downgrade() -> None:
    _make("mallboard_rollup_note_views", _note_views(keyed=True), {}, by_shop=True)
    _make("mallboard_rollup_tag_attribution", _tag_attribution(keyed=True), {}, by_shop=True)
    _make(
        "mallboard_rollup_tag_readers",
        _tag_readers(("viewed_on", "tag", "member_id")),
        {"mallboard_rollup_tag_readers_by_member": ["member_id", "viewed_on"]},
        by_shop=False,
    )
    _forget_content("content/5")
