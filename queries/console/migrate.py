"""Bring the console's own tables to the newest migration (Alembic, `migrations/`).

`upgrade` is what `python -m dashboard.migrate`, `make run`'s bootstrap and the demo
loader run; it changes nothing in the contract's tables and can run again safely.
`pending` says whether a database still needs it (the app refuses to start then).
"""

from __future__ import annotations

import functools
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.exc import DBAPIError

from queries.console.tables import SCHEMA
from queries.core.errors import UserError
from queries.core.messages import text

__all__ = ["current_revision", "head_revision", "pending", "upgrade", "upgrade_on"]

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"


def _config(connection: sa.Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


@functools.cache
def head_revision() -> str:
    """The newest revision in `migrations/versions` (read once: the files ship with the code,
    and reading them again was a tenth of every page run's time under load)."""
    return ScriptDirectory.from_config(_config()).get_current_head()


def current_revision(engine: sa.Engine) -> str | None:
    """The revision the database is at (None: never migrated)."""
    with engine.connect() as conn:
        sqlite = conn.dialect.name == "sqlite"
        context = MigrationContext.configure(
            conn,
            opts={
                "version_table": "mallboard_alembic_version" if sqlite else "alembic_version",
                "version_table_schema": None if sqlite else SCHEMA,
            },
        )
        return context.get_current_revision()


def pending(engine: sa.Engine) -> bool:
    """Whether the console's tables are missing or older than the code."""
    try:
        return current_revision(engine) != head_revision()
    except DBAPIError:  # no schema yet, or no right to read it
        return True


def upgrade_on(conn: sa.Connection) -> None:
    """Apply every missing migration inside the caller's transaction on `conn`."""
    command.upgrade(_config(conn), "head")


def upgrade(engine: sa.Engine) -> str:
    """Apply every missing migration in one transaction; return the revision reached.

    Raises `UserError` with the database's reason when it cannot be written (a
    read-only file or a role without the right): nothing is changed then.
    """
    try:
        with engine.begin() as conn:
            command.upgrade(_config(conn), "head")
    except DBAPIError as exc:
        reason = str(getattr(exc, "orig", exc)).strip().splitlines()[0]
        raise UserError(*text("error.console.migrate.cannot_write", reason=reason)) from exc
    return head_revision()
