"""The console's own tables, declared once for both databases.

Every table is named `mallboard_<what>` and sits in the schema `mallboard`. On
PostgreSQL that schema exists (the migrations create it); on SQLite, which has no
schemas, every engine maps `mallboard` to the file's own (`schema_translate_map`,
see `queries.core.db.connect_engine`), so the prefix keeps the names apart from the
contract's. The migrations in `migrations/versions/` create these shapes; a test
holds the two to the same columns.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy import Boolean, Column, ForeignKey, Index, Integer, MetaData, Table, Text

from queries.core.db import CONSOLE_SCHEMA
from queries.core.types import BigKey, UTCDateTime

__all__ = [
    "SCHEMA",
    "accounts",
    "cache_generations",
    "lockouts",
    "login_attempts",
    "metadata",
    "meta",
    "present",
    "sessions",
]

SCHEMA = CONSOLE_SCHEMA
PREFIX = "mallboard_"

metadata = MetaData(schema=SCHEMA)


def _table(name: str, *parts) -> Table:
    return Table(PREFIX + name, metadata, *parts)


accounts = _table(
    "accounts",
    Column("username", sa.String(64), primary_key=True),
    Column("name", Text, nullable=False),
    Column("email", Text, nullable=False, server_default=""),
    Column("role", sa.String(16), nullable=False),
    # The shop of a vendor login. No foreign key: `vendors` is the platform's table,
    # and the console may not reference it from its own schema (checked in code).
    Column("vendor_id", Integer),
    Column("password_hash", Text, nullable=False),
    Column("must_change_password", Boolean, nullable=False, server_default=sa.false()),
    Column("disabled", Boolean, nullable=False, server_default=sa.false()),
    Column("password_changed_at", UTCDateTime, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("version", Integer, nullable=False, server_default="1"),
    sa.CheckConstraint("role IN ('vendor', 'operator', 'finance')", name="role_known"),
    sa.CheckConstraint("(role = 'vendor') = (vendor_id IS NOT NULL)", name="vendor_has_shop"),
)

sessions = _table(
    "sessions",
    # SHA-256 of the random id the cookie carries: a leaked table logs nobody in.
    Column("session_hash", sa.String(64), primary_key=True),
    Column(
        "username",
        sa.String(64),
        ForeignKey(f"{SCHEMA}.{PREFIX}accounts.username", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("created_at", UTCDateTime, nullable=False),
    Column("last_seen_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
    Column("client_address", sa.String(64)),
    Column("user_agent", sa.String(200)),
    # The primary's WAL position after this session's latest own write (migration 0004):
    # its reads stay on the primary until the read replica has replayed that far, also
    # on another app process (queries.core.replica). NULL: no write waits.
    Column("write_lsn", sa.BigInteger),
    Index("mallboard_sessions_username", "username"),
    Index("mallboard_sessions_expires_at", "expires_at"),
)

login_attempts = _table(
    "login_attempts",
    Column("attempt_id", BigKey, sa.Identity(), primary_key=True),
    Column("at", UTCDateTime, nullable=False),
    # As typed (trimmed, lower-cased, cut to 64): unknown names are counted too, so a
    # lockout says nothing about whether an account exists.
    Column("username", sa.String(64), nullable=False),
    Column("client_address", sa.String(64)),
    Column("succeeded", Boolean, nullable=False),
    Index("mallboard_login_attempts_username_at", "username", "at"),
    Index("mallboard_login_attempts_address_at", "client_address", "at"),
)

lockouts = _table(
    "lockouts",
    Column("subject_kind", sa.String(16), primary_key=True),  # 'account' or 'address'
    Column("subject", sa.String(64), primary_key=True),
    Column("locked_at", UTCDateTime, nullable=False),
    Column("locked_until", UTCDateTime, nullable=False),
    sa.CheckConstraint("subject_kind IN ('account', 'address')", name="subject_kind_known"),
)

# One row per write topic (queries.core.invalidation.TOPICS), its generation raised by
# every write that announces it (queries.console.cache_generations, migration 0004): every
# app process reads the few rows once per script run and drops its cached reads of a
# topic whose generation moved, whichever process wrote.
cache_generations = _table(
    "cache_generations",
    Column("topic", sa.String(32), primary_key=True),
    Column("generation", sa.BigInteger, nullable=False),
)

meta = _table(
    "meta",
    Column("key", sa.String(64), primary_key=True),
    Column("value", Text, nullable=False),
)


def present(conn: sa.Connection, table: Table) -> bool:
    """Whether the console's `table` exists in this database (migrated), on either kind."""
    schema = None if conn.dialect.name == "sqlite" else table.schema
    return sa.inspect(conn).has_table(table.name, schema=schema)
