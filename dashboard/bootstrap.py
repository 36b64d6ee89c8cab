"""First-run set-up of the embedded demo: the SQLite demo mall, the cookie key, demo logins.

`make run` calls `python -m dashboard.bootstrap` before starting the app. With
`DATABASE_URL` set (a real mall) it only makes sure the cookie key exists: the
console's tables of a real mall are migrated by `python -m dashboard.migrate`, and
demo logins exist only in a database the demo loader built and marked.
"""

from __future__ import annotations

import fcntl
import sys
from collections.abc import Callable
from pathlib import Path

from dashboard.shell.cookie_key import ensure_cookie_key
from demo.accounts import DEMO_ACCOUNTS, prepare_demo_console
from queries.core.db import connect_engine
from queries.core.errors import UserError
from queries.core.settings import DEFAULT_SQLITE_PATH, Settings, load_settings

__all__ = ["DEMO_ACCOUNTS", "ensure_demo_database", "main", "prepare"]


def ensure_demo_database(
    path: Path = DEFAULT_SQLITE_PATH,
    *,
    scale: str = "small",
    progress: Callable[[str], None] | None = None,
) -> bool:
    """Create and fill the embedded demo database if it is missing; True if it was built.

    The file at this path is made only here, by the demo loader: it is the demo.
    """
    from demo.generate import generate
    from queries.core.schema import create_schema

    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # two first visitors must not build it twice
        if path.exists():
            return False
        partial = path.with_suffix(".building")
        partial.unlink(missing_ok=True)
        engine = connect_engine(f"sqlite:///{partial}", check=False)
        try:
            create_schema(engine)
            generate(engine, scale=scale, seed=7, progress=progress)
            prepare_demo_console(engine)
        finally:
            engine.dispose()
        partial.replace(path)  # only a complete mall ever appears under the real name
    return True


def prepare(settings: Settings, *, progress: Callable[[str], None] | None = None) -> list:
    """Everything `make run` needs before the app starts; returns demo accounts it created."""
    ensure_cookie_key()
    if not settings.is_demo:
        return []
    ensure_demo_database(progress=progress)
    engine = connect_engine(settings.database_url)
    try:
        return prepare_demo_console(engine)  # a demo file of an older version catches up
    finally:
        engine.dispose()


def main() -> int:
    """`python -m dashboard.bootstrap`: exit 0 ready, 1 the database cannot be used."""

    def say(line: str) -> None:
        print(line, file=sys.stderr)  # noqa: T201 - a shell tool

    try:
        settings = load_settings()
        if settings.is_demo and not DEFAULT_SQLITE_PATH.exists():
            say("Building the demo mall (first run, under a minute)…")
        created = prepare(settings, progress=say)
    except UserError as exc:
        say(exc.message("en"))
        return 1
    if settings.is_demo:
        say(f"Demo database: {DEFAULT_SQLITE_PATH}")
        say("Demo logins (demo database only):")
        for username, role, password, _ in DEMO_ACCOUNTS:
            say(f"  {username:<11} {password:<16} {role}")
        if created:
            say("(created now)")
    else:
        say("DATABASE_URL is set: no demo logins. Run `python -m dashboard.migrate`, then")
        say("create the first operator: `python -m dashboard.accounts add NAME --role operator`.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
