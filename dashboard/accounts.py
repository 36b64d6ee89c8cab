"""`python -m dashboard.accounts`: the console's accounts, from a shell.

The accounts live in the database `DATABASE_URL` names, in the console's own tables
(`queries.console`); run `python -m dashboard.migrate` once first.

    python -m dashboard.accounts add NAME --role operator
    python -m dashboard.accounts add NAME --role vendor --vendor-id 12 --one-time
    python -m dashboard.accounts disable|enable|unlock|reset-password NAME
    python -m dashboard.accounts list
    python -m dashboard.accounts import-yaml [data/accounts.yaml]

Passwords are asked at a prompt, twice, never taken from the command line (read
one per line from stdin when it is not a terminal); `--one-time` and
`reset-password` print a generated password that must be changed at the first
login. Every change is an audit row by `shell:<user>`. Exit 0 done, 1 the database
cannot be used (unreachable, not a mall, not migrated), 2 bad input or a refusal
(the reason on stderr, nothing changed). Messages are Chinese when
`MALLBOARD_LANG` or `LANG` starts with zh.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

import bcrypt
import pandas as pd
import sqlalchemy as sa
import yaml

from dashboard.migrate import lang, message, open_database, say
from demo.accounts import DEMO_ACCOUNTS
from queries.console.accounts import (
    USERNAME,
    account,
    account_list,
    check_new_account,
    create_account,
    insert_account,
    is_demo_database,
    reset_password,
    set_account_disabled,
    unlock_account,
)
from queries.console.migrate import pending
from queries.console.passwords import check_new_password
from queries.core.actors import ROLES, System
from queries.core.errors import DatabaseUnavailable, Invalid, UserError
from queries.core.messages import text
from queries.core.settings import PROJECT_ROOT
from queries.merchants.names import vendor_names

__all__ = ["USERNAME", "accounts_file", "main", "shell_actor"]

# The README's demo logins: an old accounts file made by `make run` holds them with
# their published passwords, which must never become logins of a real mall.
_PUBLISHED_DEMO_PASSWORDS = {username: password for username, _, password, _ in DEMO_ACCOUNTS}


def shell_actor() -> System:
    """Who the audit rows of a shell command name: `shell:<the OS user>`."""
    try:
        user = getpass.getuser()
    except (OSError, KeyError):  # no login name and no passwd entry (a bare container)
        user = str(os.getuid())
    return System(f"shell:{user}", "shell")


def _out(line: str = "") -> None:
    print(line)  # noqa: T201 - a shell tool


def _read_password(prompt: str) -> str:
    """One password: at a hidden prompt on a terminal, else one line of stdin."""
    if sys.stdin.isatty():
        return getpass.getpass(prompt)
    # getpass would open /dev/tty (or warn and echo): a pipe gives one line instead.
    sys.stderr.write(prompt)
    sys.stderr.flush()
    line = sys.stdin.readline()
    if not line:
        raise EOFError
    sys.stderr.write("\n")
    return line.rstrip("\r\n")


def _ask_new_password(username: str) -> str:
    """A new password, asked twice and checked against the rules before the second ask."""
    first = _read_password(message("error.console.cli.password_prompt"))
    check_new_password(first, username=username)
    if first != _read_password(message("error.console.cli.password_repeat")):
        raise Invalid(*text("error.console.cli.passwords_differ"))
    return first


# --- the commands -----------------------------------------------------------------------


def _add(engine: sa.Engine, args: argparse.Namespace) -> None:
    username = args.username
    # The checks the insert makes, run before the prompt: no password is asked for an
    # account that cannot be created.
    with engine.connect() as conn:
        check_new_account(conn, username=username, role=args.role, vendor_id=args.vendor_id)
    password = None if args.one_time else _ask_new_password(username)
    generated = create_account(
        engine,
        shell_actor(),
        username=username,
        role=args.role,
        vendor_id=args.vendor_id,
        password=password,
        name=args.name,
        email=args.email or "",
        one_time=args.one_time,
    )
    _out(message("error.console.cli.added", username=username, role=args.role))
    if generated is not None:
        _out(message("error.console.cli.one_time_password", username=username))
        _out(generated)


def _set_disabled(engine: sa.Engine, username: str, *, disabled: bool) -> None:
    with engine.connect() as conn:
        before = account(conn, username=username)
    set_account_disabled(engine, shell_actor(), username=username, disabled=disabled)
    if before is not None and before.disabled == disabled:
        key = "already_disabled" if disabled else "already_enabled"
    else:
        key = "disabled" if disabled else "enabled"
    _out(message(f"error.console.cli.{key}", username=username))


def _unlock(engine: sa.Engine, username: str) -> None:
    was_locked = unlock_account(engine, shell_actor(), username=username)
    key = "unlocked" if was_locked else "not_locked"
    _out(message(f"error.console.cli.{key}", username=username))


def _reset(engine: sa.Engine, username: str) -> None:
    password = reset_password(engine, shell_actor(), username=username)
    _out(message("error.console.cli.reset", username=username))
    _out(message("error.console.cli.one_time_password", username=username))
    _out(password)


def _when(value, tz: ZoneInfo) -> str:
    if value is None or pd.isna(value):
        return ""
    moment = pd.Timestamp(value)
    if moment.tzinfo is None:  # stored as UTC
        moment = moment.tz_localize("UTC")
    return moment.tz_convert(tz).strftime("%Y-%m-%d %H:%M")


def _list(engine: sa.Engine, tz: ZoneInfo) -> None:
    with engine.connect() as conn:
        table = account_list(conn)
        shops = dict(vendor_names(conn))
    if table.empty:
        _out(message("error.console.cli.no_accounts"))
        return
    yes = message("error.console.cli.yes")
    rows = [message("error.console.cli.list_columns").split("|")]
    for row in table.itertuples(index=False):
        vendor_id = None if pd.isna(row.vendor_id) else int(row.vendor_id)
        state = "state_disabled" if row.disabled else "state_active"
        rows.append(
            [
                row.username,
                row.role,
                "" if vendor_id is None else f"{vendor_id} {shops.get(vendor_id, '?')}",
                message(f"error.console.cli.{state}"),
                _when(row.locked_until, tz),
                yes if row.must_change_password else "",
            ]
        )
    widths = [max(_width(r[i]) for r in rows) for i in range(len(rows[0]))]
    for r in rows:
        cells = (cell + " " * (width - _width(cell)) for cell, width in zip(r, widths, strict=True))
        _out("  ".join(cells).rstrip())


def _width(cell: str) -> int:
    """Columns `cell` takes on a terminal (a Chinese character takes two)."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in cell)


# --- import-yaml ------------------------------------------------------------------------


@dataclass(frozen=True)
class _OldAccount:
    """One entry of the old accounts file, as written by the YAML-era `accounts` command."""

    username: str
    role: str
    vendor_id: int | None
    password_hash: str
    name: str
    email: str
    disabled: bool


def accounts_file() -> Path:
    """Where the old accounts file is: `MALLBOARD_ACCOUNTS`, else data/accounts.yaml."""
    return Path(os.environ.get("MALLBOARD_ACCOUNTS") or PROJECT_ROOT / "data" / "accounts.yaml")


def _read_old_accounts(path: Path) -> list[_OldAccount]:
    """The file's accounts; `Invalid` when it is missing or not an accounts file."""
    if not path.is_file():
        raise Invalid(*text("error.console.cli.no_yaml_file", path=path))
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        entries = data.get("accounts") or {}
        if not isinstance(entries, dict):
            raise TypeError("'accounts' is not a mapping")
        found = []
        for username, fields in entries.items():
            vendor_id = fields.get("vendor_id")
            found.append(
                _OldAccount(
                    username=str(username),
                    role=str(fields.get("role", "")),
                    vendor_id=None if vendor_id is None else int(vendor_id),
                    password_hash=str(fields.get("password_hash") or ""),
                    name=str(fields.get("name") or username),
                    email=str(fields.get("email") or ""),
                    disabled=bool(fields.get("disabled", False)),
                )
            )
    except (OSError, UnicodeDecodeError, yaml.YAMLError, AttributeError, TypeError) as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise Invalid(*text("error.console.cli.bad_yaml_file", path=path, reason=reason)) from exc
    except ValueError as exc:  # a vendor_id that is not a number
        reason = str(exc).strip().splitlines()[0]
        raise Invalid(*text("error.console.cli.bad_yaml_file", path=path, reason=reason)) from exc
    return found


def _is_bcrypt(password_hash: str) -> bool:
    return password_hash.startswith(("$2a$", "$2b$", "$2y$")) and len(password_hash) == 60


def _is_published_demo_login(old: _OldAccount) -> bool:
    demo = _PUBLISHED_DEMO_PASSWORDS.get(old.username)
    if demo is None:
        return False
    try:
        return bcrypt.checkpw(demo.encode("utf-8"), old.password_hash.encode("ascii"))
    except ValueError:
        return False


def _skip_reason(
    conn: sa.Connection, old: _OldAccount, *, shops: set[int], demo_database: bool
) -> str | None:
    """Why `old` is not imported (in the shell's language), or None to import it."""
    name = old.username
    if old.disabled:
        return message("error.console.cli.skip_disabled", username=name)
    if not _is_bcrypt(old.password_hash):
        return message("error.console.cli.skip_bad_hash", username=name)
    if account(conn, username=name) is not None:
        return message("error.console.cli.skip_exists", username=name)
    if old.vendor_id is not None and old.vendor_id not in shops:
        return message("error.console.cli.skip_no_shop", username=name, vendor_id=old.vendor_id)
    try:
        check_new_account(conn, username=name, role=old.role, vendor_id=old.vendor_id)
    except UserError as exc:
        return message("error.console.cli.skip_invalid", username=name, reason=exc.message(lang()))
    if not demo_database and _is_published_demo_login(old):
        return message("error.console.cli.skip_demo_password", username=name)
    return None


def _import_yaml(engine: sa.Engine, path: Path) -> None:
    """Import the file's accounts in one transaction, keeping their hashes."""
    olds = _read_old_accounts(path)
    actor = shell_actor()
    imported: list[_OldAccount] = []
    skipped: list[str] = []
    with engine.begin() as conn:
        demo_database = is_demo_database(conn)
        shops = {vendor_id for vendor_id, _ in vendor_names(conn)}
        for old in olds:
            reason = _skip_reason(conn, old, shops=shops, demo_database=demo_database)
            if reason is not None:
                skipped.append(reason)
                continue
            insert_account(
                conn,
                actor,
                username=old.username,
                role=old.role,
                vendor_id=old.vendor_id,
                password_hash=old.password_hash,
                name=old.name,
                email=old.email,
            )
            imported.append(old)
    for old in imported:
        _out(message("error.console.cli.imported", username=old.username, role=old.role))
    for reason in skipped:
        _out(reason)
    _out(
        message(
            "error.console.cli.import_summary",
            imported=len(imported),
            skipped=len(skipped),
            path=path,
        )
    )
    if imported:
        _out(message("error.console.cli.import_note"))


# --- the command line -------------------------------------------------------------------


def _vendor_id(value: str) -> int:
    if not value.isascii() or not value.isdigit() or len(value) > 10:
        raise argparse.ArgumentTypeError(f"expected a shop id (a whole number), got {value!r}")
    return int(value)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m dashboard.accounts",
        description="The console's accounts in the database DATABASE_URL names.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    add = sub.add_parser("add", help="add an account (its password is asked at a prompt)")
    add.add_argument("username")
    add.add_argument("--role", required=True, choices=ROLES)
    add.add_argument("--vendor-id", type=_vendor_id, help="the shop of a vendor account")
    add.add_argument("--name", help="the person's name (default: the username)")
    add.add_argument("--email", default="")
    add.add_argument(
        "--one-time",
        action="store_true",
        help="print a generated password, to be changed at the first login",
    )
    for command, what in (
        ("disable", "stop an account from logging in (its sessions end)"),
        ("enable", "let a disabled account log in again"),
        ("unlock", "lift an account's lock after failed logins"),
        ("reset-password", "print a new one-time password (its sessions end)"),
    ):
        sub.add_parser(command, help=what).add_argument("username")
    sub.add_parser("list", help="list the accounts")
    old = sub.add_parser("import-yaml", help="import the old accounts file once")
    old.add_argument(
        "path",
        nargs="?",
        type=Path,
        help="default: MALLBOARD_ACCOUNTS, else data/accounts.yaml",
    )
    return parser


def _run(engine: sa.Engine, args: argparse.Namespace, tz: ZoneInfo) -> None:
    if args.command == "add":
        _add(engine, args)
    elif args.command in ("disable", "enable"):
        _set_disabled(engine, args.username, disabled=args.command == "disable")
    elif args.command == "unlock":
        _unlock(engine, args.username)
    elif args.command == "reset-password":
        _reset(engine, args.username)
    elif args.command == "list":
        _list(engine, tz)
    else:
        _import_yaml(engine, args.path or accounts_file())


def main(argv: list[str] | None = None) -> int:
    """The shell command; exit 0 done, 1 the database cannot be used, 2 bad input."""
    args = _parser().parse_args(argv)
    opened = open_database()
    if opened is None:
        return 1
    settings, engine = opened
    try:
        if pending(engine):
            say(message("error.console.cli.not_migrated"))
            return 1
        _run(engine, args, settings.tz)
    except DatabaseUnavailable as exc:
        say(exc.message(lang()))
        return 1
    except UserError as exc:
        say(exc.message(lang()))
        return 2
    except (EOFError, KeyboardInterrupt):
        say(message("error.console.cli.cancelled"))
        return 2
    except sa.exc.SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", exc)).strip().splitlines()[0]
        say(message("error.console.cli.database_error", reason=reason))
        return 1
    finally:
        engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
