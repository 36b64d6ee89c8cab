"""Cache generations across app processes, and a session's last write position.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-07

`mallboard_cache_generations`: one row per write topic, its generation raised after
every write that announces it, so that every app process drops its cached reads of that
topic at its next script run (queries/console/cache_generations.py). Rows are made by
the first write of a topic (an upsert), so a new topic needs no migration.

`mallboard_sessions.write_lsn`: the primary's WAL position after the session's latest own
write, so that its reads stay on the primary until the read replica has replayed it,
also when the session's next click lands on another process (queries/core/replica.py).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # `mallboard` on PostgreSQL; SQLite's tables carry the `mallboard_` prefix alone.
    schema = {"sqlite": None}.get(op.get_bind().dialect.name, "mallboard")
    op.create_table(
        "mallboard_cache_generations",
        sa.Column("topic", sa.String(32), primary_key=True),
        sa.Column("generation", sa.BigInteger, nullable=False),
        schema=schema,
    )
    # A nullable column without a default: SQLite adds it in place, no table rebuild.
    op.add_column("mallboard_sessions", sa.Column("write_lsn", sa.BigInteger), schema=schema)


def downgrade() -> None:
    schema = {"sqlite": None}.get(op.get_bind().dialect.name, "mallboard")
    with op.batch_alter_table("mallboard_sessions", schema=schema) as batch:
        batch.drop_column("write_lsn")
    op.drop_table("mallboard_cache_generations", schema=schema)
