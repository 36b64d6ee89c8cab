"""Who is acting (`Actor`) and whose data a read covers (`Scope`).

A vendor's scope always comes from their account, never from a page: a vendor
asking for another shop still gets their own.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from queries.core.errors import Forbidden
from queries.core.messages import text

__all__ = ["ROLES", "Actor", "Scope", "System", "require_role", "scope_for"]

ROLES = ("vendor", "operator", "finance")


@dataclass(frozen=True)
class Actor:
    """The logged-in user as the query layer sees them."""

    username: str
    role: str
    vendor_id: int | None = None

    def __post_init__(self) -> None:
        if self.role not in ROLES:
            raise ValueError(f"unknown role {self.role!r}")
        if (self.role == "vendor") != (self.vendor_id is not None):
            raise ValueError("a vendor actor has exactly one vendor_id; staff have none")

    @property
    def is_staff(self) -> bool:
        """Operators and finance see the whole mall."""
        return self.role != "vendor"


@dataclass(frozen=True)
class System:
    """Who an audit row names when no logged-in user acted: a login form's visitor
    (`role="visitor"`, the name as typed) or a shell command (`role="shell"`)."""

    username: str
    role: str

    @property
    def is_staff(self) -> bool:
        """Never: a visitor or a shell command reads nothing through a scope."""
        return False


@dataclass(frozen=True)
class Scope:
    """Which rows a read covers: one vendor's, or the whole mall's (`vendor_id=None`)."""

    vendor_id: int | None = None

    @classmethod
    def mall(cls) -> Scope:
        """The whole mall, counted as if it were one shop."""
        return cls(None)

    @property
    def is_mall(self) -> bool:
        return self.vendor_id is None

    def owns(self, vendor_column):
        """The condition that a row with shop `vendor_column` is in scope (always, for the mall)."""
        return sa.true() if self.is_mall else vendor_column == self.vendor_id


def scope_for(actor: Actor, requested_vendor_id: int | None = None) -> Scope:
    """The scope `actor` may read: a vendor's own shop, or what staff asked for."""
    if actor.role == "vendor":
        return Scope(actor.vendor_id)
    return Scope(requested_vendor_id)


def require_role(actor: Actor, *roles: str) -> None:
    """Raise `Forbidden` unless the actor has one of `roles`."""
    if actor.role not in roles:
        raise Forbidden(*text("error.core.actors.your_role_may_not_do"))
