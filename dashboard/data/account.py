"""Reads and writes of My account and of the Merchants page's shop logins.

Nothing here is cached: sessions open, go idle and end all the time, and a lock or a
one-time password an operator acts on must be the one the database holds now. The
reads are one small indexed query each.
"""

from __future__ import annotations

import pandas as pd

from dashboard.shell.context import engine
from queries.console import accounts
from queries.console.sessions import active_sessions, end_all_sessions
from queries.core.actors import Actor

__all__ = [
    "change_password",
    "log_out_everywhere",
    "my_sessions",
    "reset_password",
    "set_disabled",
    "shop_logins",
    "unlock",
]


def my_sessions(username: str) -> pd.DataFrame:
    """The account's open sessions, newest activity first (`session_hash` marks this one)."""
    with engine().connect() as conn:
        return active_sessions(conn, username=username)


def change_password(
    actor: Actor, *, current_password: str, new_password: str, keep_session_hash: str | None
) -> None:
    """The user's own new password; their other sessions end, this one stays."""
    accounts.change_password(
        engine(),
        actor,
        current_password=current_password,
        new_password=new_password,
        keep_session_hash=keep_session_hash,
    )


def log_out_everywhere(actor: Actor) -> int:
    """End every session of the actor's account; returns how many ended."""
    return end_all_sessions(engine(), actor)


def shop_logins(vendor_id: int) -> pd.DataFrame:
    """One shop's logins with their lock and open sessions, by username."""
    with engine().connect() as conn:
        return accounts.account_list(conn, vendor_id=vendor_id)


def reset_password(actor: Actor, username: str, seen_version: int) -> str:
    """A new one-time password for `username` (returned, to be shown once)."""
    return accounts.reset_password(engine(), actor, username=username, seen_version=seen_version)


def set_disabled(actor: Actor, username: str, disabled: bool, seen_version: int) -> None:
    """Disable (its sessions end) or enable a login."""
    accounts.set_account_disabled(
        engine(), actor, username=username, disabled=disabled, seen_version=seen_version
    )


def unlock(actor: Actor, username: str) -> bool:
    """Lift a login's lock; False if it was no longer locked."""
    return accounts.unlock_account(engine(), actor, username=username)
