"""Accounts: who may log in, with which role and shop; one function per action.

Every change runs in one transaction with its `audit_log` row, guarded by the
account's `version` (the row the user saw) where a page offers it. Resetting or
changing a password deletes the account's (other) sessions in that same transaction;
a disabled account's sessions are refused at their next click, with the reason.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

import pandas as pd
import sqlalchemy as sa

from queries.audit import record
from queries.console.passwords import (
    check_new_password,
    hash_password,
    one_time_password,
    password_matches,
)
from queries.console.tables import accounts, lockouts, login_attempts, meta, sessions
from queries.core.actors import ROLES, Actor, System, require_role
from queries.core.errors import Conflict, Invalid, NotFound
from queries.core.invalidation import changed
from queries.core.messages import text
from queries.core.schema import vendors

__all__ = [
    "USERNAME",
    "Account",
    "account",
    "account_count",
    "account_list",
    "change_password",
    "check_new_account",
    "create_account",
    "insert_account",
    "is_demo_database",
    "mark_demo_database",
    "reset_password",
    "set_first_password",
    "set_account_disabled",
    "unlock_account",
]

USERNAME = re.compile(r"^[a-z0-9][a-z0-9_.-]{2,31}$")
ENTITY = "account"


@dataclass(frozen=True)
class Account:
    """One login as the console reads it (never its hash)."""

    username: str
    name: str
    email: str
    role: str
    vendor_id: int | None
    must_change_password: bool
    disabled: bool
    version: int


def _account(row) -> Account:
    return Account(
        username=row.username,
        name=row.name,
        email=row.email,
        role=row.role,
        vendor_id=row.vendor_id,
        must_change_password=bool(row.must_change_password),
        disabled=bool(row.disabled),
        version=row.version,
    )


_FIELDS = (
    accounts.c.username,
    accounts.c.name,
    accounts.c.email,
    accounts.c.role,
    accounts.c.vendor_id,
    accounts.c.must_change_password,
    accounts.c.disabled,
    accounts.c.version,
)


def account(conn: sa.Connection, *, username: str) -> Account | None:
    """The account named `username`, or None."""
    row = conn.execute(sa.select(*_FIELDS).where(accounts.c.username == username)).first()
    return None if row is None else _account(row)


def account_count(conn: sa.Connection) -> int:
    """How many accounts exist (none: the app explains how to create the first)."""
    return conn.execute(sa.select(sa.func.count()).select_from(accounts)).scalar_one()


def account_list(
    conn: sa.Connection, *, vendor_id: int | None = None, now: datetime | None = None
) -> pd.DataFrame:
    """Accounts (one shop's, or all) with their lock and their open sessions, by name."""
    moment = (now or datetime.now(UTC)).astimezone(UTC)
    open_sessions = (
        sa.select(sa.func.count())
        .where(sessions.c.username == accounts.c.username, sessions.c.expires_at > moment)
        .scalar_subquery()
    )
    locked_until = (
        sa.select(lockouts.c.locked_until)
        .where(
            lockouts.c.subject_kind == "account",
            lockouts.c.subject == accounts.c.username,
            lockouts.c.locked_until > moment,
        )
        .scalar_subquery()
    )
    query = sa.select(
        *_FIELDS,
        locked_until.label("locked_until"),
        open_sessions.label("sessions"),
    ).order_by(accounts.c.username)
    if vendor_id is not None:
        query = query.where(accounts.c.vendor_id == vendor_id)
    return pd.DataFrame(
        conn.execute(query).mappings().all(), columns=[*query.selected_columns.keys()]
    )


# --- creating ---------------------------------------------------------------------------


def check_new_account(
    conn: sa.Connection, *, username: str, role: str, vendor_id: int | None
) -> None:
    """Raise `Invalid` / `Conflict` unless an account with these fields may be added."""
    if not USERNAME.match(username):
        raise Invalid(*text("error.console.accounts.username_format"))
    if role not in ROLES:
        raise Invalid(*text("error.console.accounts.unknown_role", role=role))
    if (role == "vendor") != (vendor_id is not None):
        raise Invalid(*text("error.console.accounts.vendor_binds_one_shop"))
    if vendor_id is not None:
        known = conn.execute(
            sa.select(vendors.c.vendor_id).where(vendors.c.vendor_id == vendor_id)
        ).first()
        if known is None:
            raise Invalid(*text("error.console.accounts.no_such_shop", vendor_id=vendor_id))
    if account(conn, username=username) is not None:
        raise Conflict(*text("error.console.accounts.username_taken", username=username))


def insert_account(
    conn: sa.Connection,
    actor: Actor | System,
    *,
    username: str,
    role: str,
    vendor_id: int | None,
    password: str | None = None,
    password_hash: str | None = None,
    name: str | None = None,
    email: str = "",
    one_time: bool = False,
    now: datetime | None = None,
) -> str | None:
    """Add an account inside the caller's transaction; return its one-time password if
    one was generated (no `password` given).

    `password_hash` imports an existing bcrypt hash unchanged (the old accounts file).
    """
    check_new_account(conn, username=username, role=role, vendor_id=vendor_id)
    generated = None
    if password_hash is None:
        if password is None:
            generated = password = one_time_password()
            one_time = True
        else:
            check_new_password(password, username=username)
        password_hash = hash_password(password)
    moment = (now or datetime.now(UTC)).astimezone(UTC)
    conn.execute(
        accounts.insert().values(
            username=username,
            name=(name or username).strip()[:200] or username,
            email=email.strip()[:200],
            role=role,
            vendor_id=vendor_id,
            password_hash=password_hash,
            must_change_password=one_time,
            disabled=False,
            password_changed_at=moment,
            created_at=moment,
            version=1,
        )
    )
    record(
        conn,
        actor,
        action="account.create",
        entity=ENTITY,
        entity_id=username,
        vendor_id=vendor_id,
        after={"role": role, "one_time_password": one_time},
        at=moment,
    )
    return generated


def create_account(engine: sa.Engine, actor: Actor | System, **fields) -> str | None:
    """`insert_account` in a transaction of its own (the shell command, the tests)."""
    if isinstance(actor, Actor):
        require_role(actor, "operator")
    with engine.begin() as conn:
        password = insert_account(conn, actor, **fields)
    changed("audit")
    return password


# --- changing ---------------------------------------------------------------------------


def _changed_row(conn: sa.Connection, username: str, seen_version: int | None) -> Account:
    """The account, or NotFound / Conflict when it is gone or changed since it was seen."""
    current = account(conn, username=username)
    if current is None:
        raise NotFound(*text("error.console.accounts.no_such_account", username=username))
    if seen_version is not None and current.version != seen_version:
        raise Conflict(*text("error.console.accounts.changed_meanwhile", username=username))
    return current


def _bump(conn: sa.Connection, current: Account, **values) -> None:
    result = conn.execute(
        accounts.update()
        .where(accounts.c.username == current.username, accounts.c.version == current.version)
        .values(version=current.version + 1, **values)
    )
    if result.rowcount != 1:
        raise Conflict(*text("error.console.accounts.changed_meanwhile", username=current.username))


def set_account_disabled(
    engine: sa.Engine,
    actor: Actor | System,
    *,
    username: str,
    disabled: bool,
    seen_version: int | None = None,
    now: datetime | None = None,
) -> None:
    """Disable an account (its sessions are refused from the next click) or enable it
    (operators; its old sessions are deleted)."""
    if isinstance(actor, Actor):
        require_role(actor, "operator")
        if disabled and actor.username == username:
            raise Invalid(*text("error.console.accounts.not_yourself"))
    moment = (now or datetime.now(UTC)).astimezone(UTC)
    with engine.begin() as conn:
        current = _changed_row(conn, username, seen_version)
        if current.disabled == disabled:
            return
        # A disabled account's sessions stay, refused with "this account is disabled" at
        # every click (the user learns why); enabling it deletes them, so none comes back.
        _bump(conn, current, disabled=disabled)
        if not disabled:
            conn.execute(sessions.delete().where(sessions.c.username == username))
        record(
            conn,
            actor,
            action="account.disable" if disabled else "account.enable",
            entity=ENTITY,
            entity_id=username,
            vendor_id=current.vendor_id,
            before={"disabled": current.disabled},
            after={"disabled": disabled},
            at=moment,
        )
    changed("audit")


def reset_password(
    engine: sa.Engine,
    actor: Actor | System,
    *,
    username: str,
    seen_version: int | None = None,
    now: datetime | None = None,
) -> str:
    """Give the account a new one-time password (returned, shown once); its sessions end
    and its lock is lifted."""
    if isinstance(actor, Actor):
        require_role(actor, "operator")
    moment = (now or datetime.now(UTC)).astimezone(UTC)
    password = one_time_password()
    with engine.begin() as conn:
        current = _changed_row(conn, username, seen_version)
        _bump(
            conn,
            current,
            password_hash=hash_password(password),
            must_change_password=True,
            password_changed_at=moment,
        )
        conn.execute(sessions.delete().where(sessions.c.username == username))
        _lift_lock(conn, username)
        record(
            conn,
            actor,
            action="account.reset_password",
            entity=ENTITY,
            entity_id=username,
            vendor_id=current.vendor_id,
            after={"one_time_password": True},
            at=moment,
        )
    changed("audit")
    return password


def change_password(
    engine: sa.Engine,
    actor: Actor,
    *,
    current_password: str,
    new_password: str,
    keep_session_hash: str | None = None,
    now: datetime | None = None,
) -> None:
    """The user's own new password (their current one required). Their other sessions
    end; the one they are using (`keep_session_hash`) stays."""
    if not current_password or not new_password:
        raise Invalid(*text("error.console.accounts.passwords_required"))
    check_new_password(new_password, username=actor.username)
    if new_password == current_password:
        raise Invalid(*text("error.console.accounts.password_unchanged"))
    moment = (now or datetime.now(UTC)).astimezone(UTC)
    with engine.begin() as conn:
        stored = conn.execute(
            sa.select(accounts.c.password_hash).where(accounts.c.username == actor.username)
        ).scalar_one_or_none()
        if not password_matches(current_password, stored):
            raise Invalid(*text("error.console.accounts.current_password_wrong"))
        current = _changed_row(conn, actor.username, None)
        _store_own_password(conn, actor, current, new_password, keep_session_hash, moment)
    changed("audit")


def _store_own_password(
    conn: sa.Connection,
    actor: Actor,
    current: Account,
    new_password: str,
    keep_session_hash: str | None,
    moment: datetime,
) -> None:
    """The user's new password in place, their other sessions ended, the audit row."""
    _bump(
        conn,
        current,
        password_hash=hash_password(new_password),
        must_change_password=False,
        password_changed_at=moment,
    )
    others = sessions.delete().where(sessions.c.username == actor.username)
    if keep_session_hash:
        others = others.where(sessions.c.session_hash != keep_session_hash)
    conn.execute(others)
    record(
        conn,
        actor,
        action="account.change_password",
        entity=ENTITY,
        entity_id=actor.username,
        vendor_id=current.vendor_id,
        after={"one_time_password": False},
        at=moment,
    )


def _lift_lock(conn: sa.Connection, username: str) -> bool:
    """Remove the account's lock and the failures that led to it; True if it was locked."""
    lifted = conn.execute(
        lockouts.delete().where(
            lockouts.c.subject_kind == "account", lockouts.c.subject == username
        )
    ).rowcount
    conn.execute(
        login_attempts.delete().where(
            login_attempts.c.username == username, login_attempts.c.succeeded.is_(False)
        )
    )
    return bool(lifted)


def unlock_account(
    engine: sa.Engine, actor: Actor | System, *, username: str, now: datetime | None = None
) -> bool:
    """Lift an account's lock before it ends (operators); False if it was not locked."""
    if isinstance(actor, Actor):
        require_role(actor, "operator")
    moment = (now or datetime.now(UTC)).astimezone(UTC)
    with engine.begin() as conn:
        current = _changed_row(conn, username, None)
        locked = conn.execute(
            sa.select(lockouts.c.locked_until).where(
                lockouts.c.subject_kind == "account",
                lockouts.c.subject == username,
                lockouts.c.locked_until > moment,
            )
        ).scalar_one_or_none()
        _lift_lock(conn, username)
        if locked is None:
            return False
        record(
            conn,
            actor,
            action="account.unlock",
            entity=ENTITY,
            entity_id=username,
            vendor_id=current.vendor_id,
            before={"locked_until": locked.isoformat()},
            at=moment,
        )
    changed("audit")
    return True


# --- the demo mark ----------------------------------------------------------------------

DEMO_KEY = "demo_database"


def mark_demo_database(conn: sa.Connection) -> None:
    """Mark this database as the demo mall (the demo loader alone calls this)."""
    if not is_demo_database(conn):
        conn.execute(meta.insert().values(key=DEMO_KEY, value="true"))


def is_demo_database(conn: sa.Connection) -> bool:
    """Whether the demo loader built this database (only then do demo logins exist)."""
    try:
        value = conn.execute(sa.select(meta.c.value).where(meta.c.key == DEMO_KEY)).scalar()
    except sa.exc.DBAPIError:  # the console's tables are not there (yet)
        return False
    return value == "true"


def set_first_password(
    engine: sa.Engine,
    actor: Actor,
    *,
    session_hash: str,
    new_password: str,
    now: datetime | None = None,
) -> None:
    """Replace a one-time password at the first login. The session (opened with that
    password moments ago) stands for the current password; every other session ends."""
    if not new_password:
        raise Invalid(*text("error.console.accounts.passwords_required"))
    check_new_password(new_password, username=actor.username)
    moment = (now or datetime.now(UTC)).astimezone(UTC)
    with engine.begin() as conn:
        current = _changed_row(conn, actor.username, None)
        stored = conn.execute(
            sa.select(accounts.c.password_hash).where(accounts.c.username == actor.username)
        ).scalar_one()
        if not current.must_change_password:
            raise Conflict(
                *text("error.console.accounts.changed_meanwhile", username=actor.username)
            )
        if password_matches(new_password, stored):
            raise Invalid(*text("error.console.accounts.password_unchanged"))
        _store_own_password(conn, actor, current, new_password, session_hash, moment)
    changed("audit")
