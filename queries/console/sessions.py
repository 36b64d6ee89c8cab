"""Server-side sessions: the cookie carries a random id, the table its SHA-256.

`check_session` runs on every script run (every click, every download): a session
that expired, went idle, was logged out (anywhere, by any process), or whose account
was disabled or had its password changed is gone, and the browser is logged out.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pandas as pd
import sqlalchemy as sa

from queries.audit import record
from queries.console.policy import DEFAULT_POLICY, LoginPolicy
from queries.console.tables import accounts, lockouts, login_attempts, sessions
from queries.core.actors import Actor
from queries.core.invalidation import changed
from queries.core.schema import vendors

__all__ = [
    "SessionCheck",
    "active_sessions",
    "check_session",
    "end_all_sessions",
    "end_session",
    "hash_token",
    "prune",
]

# last_seen_at is written at most this often: a click a second costs no write a second.
TOUCH_EVERY = timedelta(seconds=60)


def hash_token(token: str) -> str:
    """The stored form of a session id (hex SHA-256)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class SessionCheck:
    """A session's account if it may go on, else why not.

    `reason`: None (go on), "ended" (logged out, expired, idle, password changed),
    "disabled", or "shop_<status>" for a vendor whose shop is no longer active.
    """

    reason: str | None
    username: str = ""
    role: str = ""
    vendor_id: int | None = None
    must_change_password: bool = False
    session_hash: str = ""


def check_session(
    engine: sa.Engine,
    *,
    token: str | None,
    policy: LoginPolicy = DEFAULT_POLICY,
    now: datetime | None = None,
) -> SessionCheck:
    """Whether the session `token` names may act now; touches or ends it accordingly."""
    if not token or len(token) > 200:
        return SessionCheck("ended")
    moment = (now or datetime.now(UTC)).astimezone(UTC)
    digest = hash_token(token)
    with engine.connect() as conn:
        row = conn.execute(
            sa.select(
                sessions.c.last_seen_at,
                sessions.c.expires_at,
                accounts.c.username,
                accounts.c.role,
                accounts.c.vendor_id,
                accounts.c.disabled,
                accounts.c.must_change_password,
                vendors.c.status.label("shop_status"),
            )
            .join(accounts, accounts.c.username == sessions.c.username)
            .outerjoin(vendors, vendors.c.vendor_id == accounts.c.vendor_id)
            .where(sessions.c.session_hash == digest)
        ).first()
    if row is None:
        return SessionCheck("ended")
    expired = row.expires_at <= moment or row.last_seen_at + policy.idle <= moment
    if expired:
        with engine.begin() as conn:
            conn.execute(sessions.delete().where(sessions.c.session_hash == digest))
        return SessionCheck("ended")
    if row.disabled:
        # Kept (refused at every click and download, each saying why) until it expires or
        # the account is enabled again, which deletes it: a session never comes back.
        return SessionCheck("disabled")
    if row.role == "vendor" and row.shop_status != "active":
        return SessionCheck(f"shop_{row.shop_status or 'missing'}")
    if moment - row.last_seen_at >= TOUCH_EVERY:
        with engine.begin() as conn:
            conn.execute(
                sessions.update()
                .where(sessions.c.session_hash == digest)
                .values(last_seen_at=moment)
            )
    return SessionCheck(
        None,
        username=row.username,
        role=row.role,
        vendor_id=row.vendor_id,
        must_change_password=bool(row.must_change_password),
        session_hash=digest,
    )


def end_session(engine: sa.Engine, *, token: str | None) -> None:
    """Log out: the session is deleted, so its cookie is refused by every process."""
    if not token:
        return
    with engine.begin() as conn:
        conn.execute(sessions.delete().where(sessions.c.session_hash == hash_token(token)))


def end_all_sessions(engine: sa.Engine, actor: Actor, *, now: datetime | None = None) -> int:
    """ "Log out everywhere": every session of the actor's account ends; returns how many."""
    moment = (now or datetime.now(UTC)).astimezone(UTC)
    with engine.begin() as conn:
        ended = conn.execute(
            sessions.delete().where(sessions.c.username == actor.username)
        ).rowcount
        record(
            conn,
            actor,
            action="account.logout_everywhere",
            entity="account",
            entity_id=actor.username,
            vendor_id=actor.vendor_id,
            after={"sessions_ended": ended},
            at=moment,
        )
    changed("audit")
    return ended


def active_sessions(
    conn: sa.Connection, *, username: str, now: datetime | None = None
) -> pd.DataFrame:
    """The account's open sessions, newest first (`session_hash` marks the current one)."""
    moment = (now or datetime.now(UTC)).astimezone(UTC)
    query = (
        sa.select(
            sessions.c.session_hash,
            sessions.c.created_at,
            sessions.c.last_seen_at,
            sessions.c.expires_at,
            sessions.c.client_address,
            sessions.c.user_agent,
        )
        .where(sessions.c.username == username, sessions.c.expires_at > moment)
        .order_by(sessions.c.last_seen_at.desc())
    )
    return pd.DataFrame(
        conn.execute(query).mappings().all(), columns=[*query.selected_columns.keys()]
    )


def prune(conn: sa.Connection, *, moment: datetime, keep_attempts: timedelta) -> None:
    """Delete expired sessions, ended locks and attempts older than `keep_attempts`: the
    app keeps its own tables small (run at each successful login)."""
    conn.execute(sessions.delete().where(sessions.c.expires_at <= moment))
    conn.execute(lockouts.delete().where(lockouts.c.locked_until <= moment))
    conn.execute(login_attempts.delete().where(login_attempts.c.at < moment - keep_attempts))
