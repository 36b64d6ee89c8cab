"""The migrations build exactly the console's tables the code declares, on both databases.

A table, column, key or index declared in `queries/` (accounts, sessions, the rollups)
but made differently by `migrations/versions` (or not at all) is a difference Alembic's
own comparison finds: the console would then run against shapes it does not expect on
every database that was migrated rather than created by the tests.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

# Every module that declares console tables, as migrations/env.py imports them.
import queries.finance.rolled_days  # noqa: F401
import queries.members.rfm  # noqa: F401
import queries.rolled.campaigns  # noqa: F401
import queries.rolled.content  # noqa: F401
import queries.rolled.members  # noqa: F401
from queries.console.migrate import head_revision, upgrade
from queries.console.tables import SCHEMA, metadata


def _declared(sqlite: bool) -> sa.MetaData:
    """The declared console tables, as the database names them (SQLite: no schema)."""
    if not sqlite:
        return metadata
    copy = sa.MetaData()

    def no_schema(*_) -> object:
        return sa.schema.BLANK_SCHEMA

    for table in metadata.tables.values():
        table.to_metadata(copy, schema=None, referred_schema_fn=no_schema)
    return copy


def test_the_migrations_make_the_declared_tables(backend, db_factory):
    engine = db_factory.engine(backend)  # the contract's tables, as a platform's database
    assert upgrade(engine) == head_revision()
    with engine.connect() as conn:
        sqlite = conn.dialect.name == "sqlite"
        version = "mallboard_alembic_version" if sqlite else "alembic_version"

        def ours(name, kind, parent) -> bool:
            if kind == "schema":
                return name == (None if sqlite else SCHEMA)
            if kind == "table":
                return name.startswith("mallboard_") and name != version
            return True

        context = MigrationContext.configure(
            conn,
            opts={
                "include_schemas": not sqlite,
                "include_name": ours,
                "compare_type": True,
                "version_table": version,
                "version_table_schema": None if sqlite else SCHEMA,
            },
        )
        differences = compare_metadata(context, _declared(sqlite))
    assert differences == []
