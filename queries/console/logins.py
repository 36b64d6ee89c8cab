"""Logging in: password check, lockouts of accounts and client addresses, new sessions.

Every answer takes one bcrypt check, whether the name exists or not, and an unknown
name fails with the same words as a wrong password. Failures are counted by the name
as typed, so a locked name says nothing about whether an account has it. A lock is a
row in `mallboard_lockouts`, read by every app process alike.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from queries.audit import record
from queries.console.passwords import has_control_characters, password_matches
from queries.console.policy import DEFAULT_POLICY, LoginPolicy
from queries.console.sessions import hash_token, prune
from queries.console.tables import accounts, lockouts, login_attempts, sessions
from queries.core.actors import System
from queries.core.errors import Invalid
from queries.core.invalidation import changed
from queries.core.messages import text
from queries.core.schema import vendors

__all__ = ["MAX_PASSWORD", "MAX_USERNAME", "LoginOutcome", "log_in"]

MAX_USERNAME = 64
MAX_PASSWORD = 1024  # longer is no password anyone typed; refused before any work


@dataclass(frozen=True)
class LoginOutcome:
    """What a login attempt came to.

    `status`: "ok" (with `token`, the cookie's session id), "failed" (wrong name or
    password: one message for both), "locked" (until `locked_until`), "disabled",
    or "shop_<status>" for a vendor whose shop is suspended, closed or missing.
    """

    status: str
    username: str = ""
    token: str | None = None
    must_change_password: bool = False
    locked_until: datetime | None = None


def _check_input(username: str, password: str) -> str:
    name = (username or "").strip().lower()
    if not name or not password:
        raise Invalid(*text("error.console.logins.empty"))
    if len(name) > MAX_USERNAME:
        raise Invalid(*text("error.console.logins.username_too_long", length=MAX_USERNAME))
    if len(password) > MAX_PASSWORD:
        raise Invalid(*text("error.console.logins.password_too_long"))
    if has_control_characters(name) or has_control_characters(password):
        raise Invalid(*text("error.console.logins.control_characters"))
    return name


def _lock_until(conn: sa.Connection, kind: str, subject: str, moment: datetime) -> datetime | None:
    return conn.execute(
        sa.select(lockouts.c.locked_until).where(
            lockouts.c.subject_kind == kind,
            lockouts.c.subject == subject,
            lockouts.c.locked_until > moment,
        )
    ).scalar_one_or_none()


def _failures(conn: sa.Connection, column, value: str, since: datetime) -> int:
    """Failed attempts by `column == value` after `since` and after the last success."""
    last_ok = (
        sa.select(sa.func.max(login_attempts.c.at))
        .where(column == value, login_attempts.c.succeeded.is_(True))
        .scalar_subquery()
    )
    return conn.execute(
        sa.select(sa.func.count()).where(
            column == value,
            login_attempts.c.succeeded.is_(False),
            login_attempts.c.at > since,
            login_attempts.c.at > sa.func.coalesce(last_ok, since),
        )
    ).scalar_one()


def _lock(
    conn: sa.Connection, kind: str, subject: str, moment: datetime, until: datetime, vendor_id
) -> None:
    conn.execute(
        lockouts.delete().where(lockouts.c.subject_kind == kind, lockouts.c.subject == subject)
    )
    conn.execute(
        lockouts.insert().values(
            subject_kind=kind, subject=subject, locked_at=moment, locked_until=until
        )
    )
    record(
        conn,
        System(subject if kind == "account" else "-", "visitor"),
        action="account.lock" if kind == "account" else "address.lock",
        entity="account" if kind == "account" else "address",
        entity_id=subject,
        vendor_id=vendor_id,
        after={"locked_until": until.isoformat()},
        at=moment,
    )


def _failed(
    conn: sa.Connection,
    *,
    name: str,
    client: str | None,
    vendor_id: int | None,
    reason: str,
    policy: LoginPolicy,
    moment: datetime,
    count: bool = True,
) -> datetime | None:
    """Record a failure (attempt and audit row); lock what crossed its limit. Returns the
    lock's end if this failure locked the name or the address."""
    conn.execute(
        login_attempts.insert().values(
            at=moment, username=name, client_address=client, succeeded=False
        )
    )
    record(
        conn,
        System(name, "visitor"),
        action="account.login_failed",
        entity="account",
        entity_id=name,
        vendor_id=vendor_id,
        reason=reason,
        after={"client_address": client} if client else None,
        at=moment,
    )
    if not count:
        return None
    since = moment - policy.window
    until = moment + policy.lockout
    locked = None
    if _failures(conn, login_attempts.c.username, name, since) >= policy.max_failures:
        _lock(conn, "account", name, moment, until, vendor_id)
        locked = until
    if client and (
        _failures(conn, login_attempts.c.client_address, client, since)
        >= policy.max_failures_per_address
    ):
        _lock(conn, "address", client, moment, until, None)
        locked = until
    return locked


def log_in(
    engine: sa.Engine,
    *,
    username: str,
    password: str,
    client_address: str | None = None,
    user_agent: str | None = None,
    policy: LoginPolicy = DEFAULT_POLICY,
    now: datetime | None = None,
) -> LoginOutcome:
    """Check a login form's name and password; on success open a session.

    `client_address` is the browser's address as a trusted proxy reported it, or None
    (then only the account's own limit applies). Raises `Invalid` for a form that is
    empty, too long or holds control characters, before anything is written.
    """
    name = _check_input(username, password)
    moment = (now or datetime.now(UTC)).astimezone(UTC)
    with engine.begin() as conn:
        row = conn.execute(
            sa.select(
                accounts.c.username,
                accounts.c.password_hash,
                accounts.c.disabled,
                accounts.c.must_change_password,
                accounts.c.role,
                accounts.c.vendor_id,
            ).where(accounts.c.username == name)
        ).first()
        matches = password_matches(password, row.password_hash if row else None)
        vendor_id = row.vendor_id if row else None
        locks = [
            until
            for until in (
                _lock_until(conn, "account", name, moment),
                _lock_until(conn, "address", client_address, moment) if client_address else None,
            )
            if until is not None
        ]
        if locks:
            _failed(
                conn,
                name=name,
                client=client_address,
                vendor_id=vendor_id,
                reason="locked",
                policy=policy,
                moment=moment,
                count=False,
            )
            outcome = LoginOutcome("locked", name, locked_until=max(locks))
        elif not matches:
            locked = _failed(
                conn,
                name=name,
                client=client_address,
                vendor_id=vendor_id,
                reason="wrong_password",
                policy=policy,
                moment=moment,
            )
            outcome = (
                LoginOutcome("locked", name, locked_until=locked)
                if locked
                else LoginOutcome("failed", name)
            )
        elif row.disabled:
            _failed(
                conn,
                name=name,
                client=client_address,
                vendor_id=vendor_id,
                reason="disabled",
                policy=policy,
                moment=moment,
                count=False,
            )
            outcome = LoginOutcome("disabled", name)
        else:
            shop = _shop_refusal(conn, row.role, row.vendor_id)
            if shop:
                outcome = LoginOutcome(shop, name)
            else:
                token = _open_session(
                    conn, name, client_address, user_agent, policy=policy, moment=moment
                )
                outcome = LoginOutcome(
                    "ok", name, token=token, must_change_password=bool(row.must_change_password)
                )
    if outcome.status not in ("ok", "shop_suspended", "shop_closed", "shop_missing"):
        changed("audit")  # a failure's audit row; a success writes none
    return outcome


def _shop_refusal(conn: sa.Connection, role: str, vendor_id: int | None) -> str | None:
    if role != "vendor":
        return None
    status = conn.execute(
        sa.select(vendors.c.status).where(vendors.c.vendor_id == vendor_id)
    ).scalar_one_or_none()
    if status is None:
        return "shop_missing"
    return None if status == "active" else f"shop_{status}"


def _open_session(
    conn: sa.Connection,
    name: str,
    client: str | None,
    user_agent: str | None,
    *,
    policy: LoginPolicy,
    moment: datetime,
) -> str:
    conn.execute(
        login_attempts.insert().values(
            at=moment, username=name, client_address=client, succeeded=True
        )
    )
    token = secrets.token_urlsafe(32)  # 256 random bits; only its hash is stored
    conn.execute(
        sessions.insert().values(
            session_hash=hash_token(token),
            username=name,
            created_at=moment,
            last_seen_at=moment,
            expires_at=moment + policy.lifetime,
            client_address=client,
            user_agent=(user_agent or "")[:200] or None,
        )
    )
    prune(conn, moment=moment, keep_attempts=max(policy.window, timedelta(days=1)))
    return token
