"""How long sessions last and when logins lock: one frozen object from the settings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

__all__ = ["DEFAULT_POLICY", "LoginPolicy", "login_policy"]


@dataclass(frozen=True)
class LoginPolicy:
    """Session lifetimes and brute-force limits (defaults as documented in the README)."""

    session_hours: int = 12
    idle_minutes: int = 120
    max_failures: int = 5
    max_failures_per_address: int = 20
    window_minutes: int = 15
    lockout_minutes: int = 15

    @property
    def lifetime(self) -> timedelta:
        """A session's absolute lifetime."""
        return timedelta(hours=self.session_hours)

    @property
    def idle(self) -> timedelta:
        """How long a session may go unused."""
        return timedelta(minutes=self.idle_minutes)

    @property
    def window(self) -> timedelta:
        """The span in which failed logins are counted."""
        return timedelta(minutes=self.window_minutes)

    @property
    def lockout(self) -> timedelta:
        """How long a lock lasts."""
        return timedelta(minutes=self.lockout_minutes)


DEFAULT_POLICY = LoginPolicy()


def login_policy(settings) -> LoginPolicy:
    """The policy the settings (`queries.core.settings.Settings`) describe."""
    return LoginPolicy(
        session_hours=settings.session_hours,
        idle_minutes=settings.idle_minutes,
        max_failures=settings.max_failures,
        max_failures_per_address=settings.max_failures_per_address,
        window_minutes=settings.window_minutes,
        lockout_minutes=settings.lockout_minutes,
    )
