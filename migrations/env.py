"""Alembic's environment for the console's own tables (run by `queries.console.migrate`).

The connection comes from the caller (`config.attributes["connection"]`); nothing
here reads an ini file or the environment. On PostgreSQL the `mallboard` schema is
created first and holds Alembic's version table; on SQLite the version table is
`mallboard_alembic_version` beside the console's other `mallboard_` tables. The
contract's tables are never touched: autogenerate sees only the console's metadata.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import context

# The modules that declare the console's tables, so that `metadata` holds them all.
import queries.finance.rolled_days  # noqa: F401
import queries.members.rfm  # noqa: F401
import queries.rolled.campaigns  # noqa: F401
import queries.rolled.content  # noqa: F401
import queries.rolled.members  # noqa: F401
from queries.console.tables import SCHEMA, metadata

# Two processes migrating one PostgreSQL database at once take turns.
_LOCK_KEY = 0x6D616C6C  # "mall"


def _run(connection) -> None:
    sqlite = connection.dialect.name == "sqlite"
    if not sqlite:
        connection.execute(sa.select(sa.func.pg_advisory_xact_lock(_LOCK_KEY)))
        # deploy/grants.sql creates the schema for the console's role, which may not
        # create schemas: CREATE SCHEMA IF NOT EXISTS would still need that right.
        if not sa.inspect(connection).has_schema(SCHEMA):
            # DDL takes no bound parameters: the schema's name is the constant above.
            connection.execute(sa.schema.CreateSchema(SCHEMA, if_not_exists=True))
    context.configure(
        connection=connection,
        target_metadata=metadata,
        version_table="mallboard_alembic_version" if sqlite else "alembic_version",
        version_table_schema=None if sqlite else SCHEMA,
        include_schemas=False,
        transaction_per_migration=False,
        render_as_batch=sqlite,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only `queries.console.migrate` runs this
    raise SystemExit("Run `python -m dashboard.migrate`, which uses DATABASE_URL.")
_run(connection)
