"""Which status changes are allowed, as two tables: applications and shops.

Each table maps `(from, to)` to who may make that change. `console` is an
operator in this console; `applicant` is the supplier resubmitting outside it
(the platform's storefront does that: the console never writes it). A pair
that is not in a table is never allowed. `approved`, `rejected` and `closed`
have no way out: they are final.
"""

from __future__ import annotations

from queries.core.schema import APPLICATION_STATUSES, VENDOR_STATUSES

__all__ = [
    "APPLICATION_TRANSITIONS",
    "DECISIONS",
    "VENDOR_ACTIONS",
    "VENDOR_TRANSITIONS",
    "application_allowed",
    "application_targets",
    "vendor_allowed",
    "vendor_targets",
]

CONSOLE = "console"
APPLICANT = "applicant"

APPLICATION_TRANSITIONS: dict[tuple[str, str], str] = {
    ("pending", "approved"): CONSOLE,
    ("pending", "needs_info"): CONSOLE,
    ("pending", "rejected"): CONSOLE,
    ("needs_info", "approved"): CONSOLE,
    ("needs_info", "rejected"): CONSOLE,
    # The applicant answers a request for information on the platform, not here.
    ("needs_info", "pending"): APPLICANT,
}

VENDOR_TRANSITIONS: dict[tuple[str, str], str] = {
    ("active", "suspended"): CONSOLE,
    ("suspended", "active"): CONSOLE,
    ("active", "closed"): CONSOLE,
    ("suspended", "closed"): CONSOLE,
}

# The console's decision words → the application status each one sets.
DECISIONS: dict[str, str] = {
    "approve": "approved",
    "needs_info": "needs_info",
    "reject": "rejected",
}

# A shop's new status → the audit action that records it.
VENDOR_ACTIONS: dict[str, str] = {
    "suspended": "vendor.suspend",
    "active": "vendor.reactivate",
    "closed": "vendor.close",
}


def application_allowed(current: str, target: str, *, by: str = CONSOLE) -> bool:
    """Whether `by` may move an application from `current` to `target`."""
    return APPLICATION_TRANSITIONS.get((current, target)) == by


def vendor_allowed(current: str, target: str, *, by: str = CONSOLE) -> bool:
    """Whether `by` may move a shop from `current` to `target`."""
    return VENDOR_TRANSITIONS.get((current, target)) == by


def application_targets(current: str) -> tuple[str, ...]:
    """The statuses an operator may give an application now in `current`, in list order."""
    return tuple(s for s in APPLICATION_STATUSES if application_allowed(current, s))


def vendor_targets(current: str) -> tuple[str, ...]:
    """The statuses an operator may give a shop now in `current`, in list order."""
    return tuple(s for s in VENDOR_STATUSES if vendor_allowed(current, s))
