"""The console's own accounts: who may log in, with which role, bound to which shop.

They live in a git-ignored YAML file (`data/accounts.yaml`, or `MALLBOARD_ACCOUNTS`)
with bcrypt hashes, never in the platform's database. From a shell:

    python -m dashboard.accounts add USERNAME --role vendor --vendor-id 12
    python -m dashboard.accounts disable USERNAME
    python -m dashboard.accounts list

Passwords are asked at a prompt, never taken from the command line.
"""

from __future__ import annotations

import argparse
import fcntl
import getpass
import os
import re
import secrets
import sys
from contextlib import contextmanager
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import bcrypt
import yaml

from dashboard.strings.common import STRINGS
from queries.core.actors import ROLES
from queries.core.errors import Conflict, Invalid, NotFound
from queries.core.settings import PROJECT_ROOT

__all__ = [
    "Account",
    "account_message",
    "accounts_path",
    "add_account",
    "create_account",
    "disable_account",
    "load_accounts",
    "verify_password",
]

USERNAME = re.compile(r"^[a-z0-9][a-z0-9_.-]{2,31}$")
MIN_PASSWORD = 8


@dataclass(frozen=True)
class Account:
    """One login: its role, its shop for vendors, and its bcrypt hash."""

    username: str
    name: str
    email: str
    role: str
    vendor_id: int | None
    password_hash: str
    disabled: bool = False


def account_message(key: str, **fmt: object) -> tuple[str, str]:
    """The (zh, en) pair of a shell string (`error.accounts.…`), filled from `fmt`."""
    zh, en = STRINGS[key]
    return zh.format(**fmt), en.format(**fmt)


def accounts_path() -> Path:
    """Where the accounts file is."""
    return Path(os.environ.get("MALLBOARD_ACCOUNTS") or PROJECT_ROOT / "data" / "accounts.yaml")


def load_accounts(path: Path | None = None) -> dict[str, Account]:
    """Every account in the file (an absent file has none)."""
    path = path or accounts_path()
    if not path.exists():
        return {}
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return {
        name: Account(username=name, **fields) for name, fields in data.get("accounts", {}).items()
    }


@contextmanager
def _locked(path: Path):
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def _save(accounts: dict[str, Account], path: Path) -> None:
    data = {
        "accounts": {
            a.username: {k: v for k, v in asdict(a).items() if k != "username"}
            for a in accounts.values()
        }
    }
    tmp = path.with_suffix(".tmp")
    tmp.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=True), encoding="utf-8")
    os.chmod(tmp, 0o600)
    tmp.replace(path)


def hash_password(password: str) -> str:
    """A bcrypt hash of `password`."""
    return bcrypt.hashpw(password.encode("utf-8"), bcrypt.gensalt()).decode("ascii")


def verify_password(account: Account, password: str) -> bool:
    """Whether `password` is the account's."""
    return bcrypt.checkpw(password.encode("utf-8"), account.password_hash.encode("ascii"))


def _validate(username: str, role: str, vendor_id: int | None, password: str) -> None:
    if not USERNAME.match(username):
        raise Invalid(*account_message("error.accounts.username_format"))
    if role not in ROLES:
        raise Invalid(*account_message("error.accounts.unknown_role", role=role))
    if (role == "vendor") != (vendor_id is not None):
        raise Invalid(*account_message("error.accounts.vendor_binds_one_shop"))
    if len(password) < MIN_PASSWORD:
        raise Invalid(*account_message("error.accounts.password_too_short", length=MIN_PASSWORD))


def add_account(
    *,
    username: str,
    role: str,
    vendor_id: int | None,
    password: str,
    name: str | None = None,
    email: str = "",
    path: Path | None = None,
    replace_existing: bool = False,
) -> Account:
    """Add an account (refused if the username is taken, unless `replace_existing`)."""
    path = path or accounts_path()
    _validate(username, role, vendor_id, password)
    account = Account(
        username=username,
        name=name or username,
        email=email,
        role=role,
        vendor_id=vendor_id,
        password_hash=hash_password(password),
    )
    with _locked(path):
        accounts = load_accounts(path)
        if username in accounts and not replace_existing:
            raise Conflict(*account_message("error.accounts.username_taken", username=username))
        accounts[username] = account
        _save(accounts, path)
    return account


def create_account(
    *,
    username: str,
    role: str,
    vendor_id: int | None,
    name: str | None = None,
    email: str = "",
    path: Path | None = None,
) -> str:
    """Add an account with a generated one-time password, and return that password."""
    password = secrets.token_urlsafe(12)
    add_account(
        username=username,
        role=role,
        vendor_id=vendor_id,
        password=password,
        name=name,
        email=email,
        path=path,
    )
    return password


def disable_account(username: str, *, path: Path | None = None) -> None:
    """Stop an account from logging in (it stays in the file)."""
    path = path or accounts_path()
    with _locked(path):
        accounts = load_accounts(path)
        if username not in accounts:
            raise NotFound(*account_message("error.accounts.no_such_account", username=username))
        accounts[username] = replace(accounts[username], disabled=True)
        _save(accounts, path)


def _ask_password() -> str:
    first = getpass.getpass("Password: ")
    if first != getpass.getpass("Repeat password: "):
        raise Invalid(*account_message("error.accounts.passwords_differ"))
    return first


def main(argv: list[str] | None = None) -> int:
    """The shell command; exit 0 done, 2 bad input."""
    parser = argparse.ArgumentParser(prog="python -m dashboard.accounts")
    sub = parser.add_subparsers(dest="command", required=True)
    add = sub.add_parser("add", help="add an account (the password is asked at a prompt)")
    add.add_argument("username")
    add.add_argument("--role", required=True, choices=ROLES)
    add.add_argument("--vendor-id", type=int)
    add.add_argument("--name")
    add.add_argument("--email", default="")
    disable = sub.add_parser("disable", help="stop an account from logging in")
    disable.add_argument("username")
    sub.add_parser("list", help="list the accounts")
    args = parser.parse_args(argv)
    try:
        if args.command == "add":
            add_account(
                username=args.username,
                role=args.role,
                vendor_id=args.vendor_id,
                password=_ask_password(),
                name=args.name,
                email=args.email,
            )
            print(f"added {args.username}")  # noqa: T201 - a shell tool
        elif args.command == "disable":
            disable_account(args.username)
            print(f"disabled {args.username}")  # noqa: T201
        else:
            for account in sorted(load_accounts().values(), key=lambda a: a.username):
                state = "disabled" if account.disabled else "active"
                shop = "" if account.vendor_id is None else f" vendor {account.vendor_id}"
                print(f"{account.username}\t{account.role}{shop}\t{state}")  # noqa: T201
    except (Invalid, Conflict, NotFound) as exc:
        print(exc.message("en"), file=sys.stderr)  # noqa: T201
        return 2
    except (EOFError, KeyboardInterrupt):
        print("cancelled", file=sys.stderr)  # noqa: T201
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
