"""Accounts, sessions, login attempts, lockouts and the console's marks.

Revision ID: 0001
Revises:
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from queries.core.types import BigKey, UTCDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _schema() -> str | None:
    """`mallboard` on PostgreSQL; SQLite's tables carry the `mallboard_` prefix alone."""
    return None if op.get_bind().dialect.name == "sqlite" else "mallboard"


def upgrade() -> None:
    schema = _schema()
    op.create_table(
        "mallboard_accounts",
        sa.Column("username", sa.String(64), primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("email", sa.Text, nullable=False, server_default=""),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("vendor_id", sa.Integer),
        sa.Column("password_hash", sa.Text, nullable=False),
        sa.Column("must_change_password", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("disabled", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("password_changed_at", UTCDateTime, nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("version", sa.Integer, nullable=False, server_default="1"),
        sa.CheckConstraint("role IN ('vendor', 'operator', 'finance')", name="role_known"),
        sa.CheckConstraint("(role = 'vendor') = (vendor_id IS NOT NULL)", name="vendor_has_shop"),
        schema=schema,
    )
    accounts_key = (
        f"{schema}.mallboard_accounts.username" if schema else "mallboard_accounts.username"
    )
    op.create_table(
        "mallboard_sessions",
        sa.Column("session_hash", sa.String(64), primary_key=True),
        sa.Column(
            "username",
            sa.String(64),
            sa.ForeignKey(accounts_key, ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("last_seen_at", UTCDateTime, nullable=False),
        sa.Column("expires_at", UTCDateTime, nullable=False),
        sa.Column("client_address", sa.String(64)),
        sa.Column("user_agent", sa.String(200)),
        schema=schema,
    )
    op.create_index(
        "mallboard_sessions_username", "mallboard_sessions", ["username"], schema=schema
    )
    op.create_index(
        "mallboard_sessions_expires_at", "mallboard_sessions", ["expires_at"], schema=schema
    )
    op.create_table(
        "mallboard_login_attempts",
        sa.Column("attempt_id", BigKey, sa.Identity(), primary_key=True),
        sa.Column("at", UTCDateTime, nullable=False),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("client_address", sa.String(64)),
        sa.Column("succeeded", sa.Boolean, nullable=False),
        schema=schema,
    )
    op.create_index(
        "mallboard_login_attempts_username_at",
        "mallboard_login_attempts",
        ["username", "at"],
        schema=schema,
    )
    op.create_index(
        "mallboard_login_attempts_address_at",
        "mallboard_login_attempts",
        ["client_address", "at"],
        schema=schema,
    )
    op.create_table(
        "mallboard_lockouts",
        sa.Column("subject_kind", sa.String(16), primary_key=True),
        sa.Column("subject", sa.String(64), primary_key=True),
        sa.Column("locked_at", UTCDateTime, nullable=False),
        sa.Column("locked_until", UTCDateTime, nullable=False),
        sa.CheckConstraint("subject_kind IN ('account', 'address')", name="subject_kind_known"),
        schema=schema,
    )
    op.create_table(
        "mallboard_meta",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
        schema=schema,
    )


def downgrade() -> None:
    schema = _schema()
    for name in (
        "mallboard_meta",
        "mallboard_lockouts",
        "mallboard_login_attempts",
        "mallboard_sessions",
        "mallboard_accounts",
    ):
        op.drop_table(name, schema=schema)
