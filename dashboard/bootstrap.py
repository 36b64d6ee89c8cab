"""First-run set-up of the embedded demo: the SQLite demo mall, the cookie key, demo logins.

`make run` calls `python -m dashboard.bootstrap` before starting the app. With
`DATABASE_URL` set (a real mall) it only makes sure the cookie key exists: demo
accounts are for the demo database alone.
"""

from __future__ import annotations

import fcntl
import sys
from collections.abc import Callable
from pathlib import Path

import sqlalchemy as sa

from dashboard.accounts import accounts_path, add_account, load_accounts
from dashboard.shell.cookie_key import ensure_cookie_key
from queries.core.db import connect_engine
from queries.core.errors import UserError
from queries.core.settings import DEFAULT_SQLITE_PATH, Settings, load_settings

__all__ = ["DEMO_ACCOUNTS", "ensure_demo_accounts", "ensure_demo_database", "main"]

# Fixed, documented demo logins (README): demo databases only.
DEMO_ACCOUNTS = (
    ("shop_big", "vendor", "demo-shop-big", "big"),
    ("shop_small", "vendor", "demo-shop-small", "small"),
    ("operator", "operator", "demo-operator", None),
    ("finance", "finance", "demo-finance", None),
)


def ensure_demo_database(
    path: Path = DEFAULT_SQLITE_PATH,
    *,
    scale: str = "small",
    progress: Callable[[str], None] | None = None,
) -> bool:
    """Create and fill the embedded demo database if it is missing; True if it was built."""
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
        finally:
            engine.dispose()
        partial.replace(path)  # only a complete mall ever appears under the real name
    return True


def ensure_demo_accounts(engine: sa.Engine) -> list[tuple[str, str, str, int | None]]:
    """Create the demo logins if the accounts file has none; return (user, role, password, shop)."""
    from demo.pick import demo_shops

    if load_accounts():
        return []
    with engine.connect() as conn:
        shops = demo_shops(conn)
    created = []
    for username, role, password, size in DEMO_ACCOUNTS:
        vendor_id = shops[size] if size else None
        add_account(
            username=username,
            role=role,
            vendor_id=vendor_id,
            password=password,
            name=username.replace("_", " ").title(),
        )
        created.append((username, role, password, vendor_id))
    return created


def prepare(settings: Settings, *, progress: Callable[[str], None] | None = None) -> list:
    """Everything `make run` needs before the app starts; returns demo accounts it created."""
    ensure_cookie_key()
    if not settings.is_demo:
        return []
    ensure_demo_database(progress=progress)
    engine = connect_engine(settings.database_url)
    try:
        return ensure_demo_accounts(engine)
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
        say(f"Accounts file: {accounts_path()}")
        say("Demo logins (demo database only):")
        for username, role, password, _ in DEMO_ACCOUNTS:
            say(f"  {username:<11} {password:<16} {role}")
        if created:
            say("(created now)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
