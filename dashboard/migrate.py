"""`python -m dashboard.migrate`: create or upgrade the console's own tables.

It reads `DATABASE_URL` (or `.streamlit/secrets.toml`), refuses a database that does
not hold the mall's contract tables, and runs the Alembic migrations of
`migrations/` (`queries.console.migrate.upgrade`). It changes nothing in the
contract's tables and can run again safely. Exit 0 done (or nothing to do), 1 the
database cannot be reached, is not a mall, or refused the change (nothing changed
then). Messages are Chinese when `MALLBOARD_LANG` or `LANG` starts with zh.

The helpers here (language, error line, opening the database) serve
`python -m dashboard.accounts` too.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import sqlalchemy as sa

from queries.console.migrate import current_revision, upgrade
from queries.core.db import connect_engine
from queries.core.errors import UserError
from queries.core.messages import text
from queries.core.rls import STAFF, set_scope
from queries.core.settings import Settings, load_settings

__all__ = ["lang", "main", "message", "open_database", "say"]


def lang() -> str:
    """The language of the messages: Chinese when `MALLBOARD_LANG` (else `LANG`) starts with zh."""
    chosen = os.environ.get("MALLBOARD_LANG") or os.environ.get("LANG") or ""
    return "zh" if chosen.lower().startswith("zh") else "en"


def message(key: str, **fmt: object) -> str:
    """The text `key` of queries/core/messages.py in the shell's language."""
    zh, en = text(key, **fmt)
    return zh if lang() == "zh" else en


def say(line: str) -> None:
    """Print one line on stderr (errors and refusals)."""
    print(line, file=sys.stderr)  # noqa: T201 - a shell tool


def _missing_sqlite_file(url: str) -> Path | None:
    """The path of a SQLite URL whose file does not exist (connecting would create it)."""
    parsed = sa.make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return None
    database = parsed.database or ""
    if parsed.query.get("uri") == "true" and database.startswith("file:"):
        database = database[len("file:") :]
    if not database or database == ":memory:":
        return None
    path = Path(database)
    return None if path.is_file() else path


def open_database() -> tuple[Settings, sa.Engine] | None:
    """The settings and an engine on `DATABASE_URL` holding the contract tables, or None
    once the reason was said (bad settings, no file, unreachable, not a mall)."""
    set_scope(STAFF)  # row-level security (deploy/rls.sql): a shell command reads as staff
    try:
        settings = load_settings()
        missing = _missing_sqlite_file(settings.database_url)
        if missing is not None:
            say(message("error.console.cli.no_database_file", path=missing))
            return None
        return settings, connect_engine(settings.database_url, check=True)
    except UserError as exc:
        say(exc.message(lang()))
        return None


def _revision_before(engine: sa.Engine) -> str | None:
    try:
        return current_revision(engine)
    except sa.exc.DBAPIError:  # no right to read the console's schema: upgrade will say
        return None


def main() -> int:
    """The shell command; exit 0 done, 1 the database is unusable or refused the change."""
    opened = open_database()
    if opened is None:
        return 1
    _, engine = opened
    try:
        before = _revision_before(engine)
        reached = upgrade(engine)
    except UserError as exc:  # the database cannot be written: nothing was changed
        say(exc.message(lang()))
        return 1
    except sa.exc.SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", exc)).strip().splitlines()[0]
        say(message("error.console.cli.database_error", reason=reason))
        return 1
    except KeyboardInterrupt:
        say(message("error.console.cli.cancelled"))
        return 1
    finally:
        engine.dispose()
    key = "error.console.cli.already_current" if before == reached else "error.console.cli.migrated"
    print(message(key, revision=reached))  # noqa: T201 - a shell tool
    return 0


if __name__ == "__main__":
    sys.exit(main())
