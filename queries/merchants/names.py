"""Shop names for pickers and labels."""

from __future__ import annotations

import sqlalchemy as sa

from queries.core.schema import vendors

__all__ = ["vendor_name", "vendor_names", "vendor_status"]


def vendor_names(conn: sa.Connection) -> list[tuple[int, str]]:
    """(vendor_id, name) of every shop, by name."""
    rows = conn.execute(sa.select(vendors.c.vendor_id, vendors.c.name).order_by(vendors.c.name))
    return [(row.vendor_id, row.name) for row in rows]


def vendor_name(conn: sa.Connection, *, vendor_id: int) -> str | None:
    """One shop's name, or None when there is no such shop."""
    return conn.execute(
        sa.select(vendors.c.name).where(vendors.c.vendor_id == vendor_id)
    ).scalar_one_or_none()


def vendor_status(conn: sa.Connection, *, vendor_id: int) -> str | None:
    """A shop's status (`active`, `suspended`, `closed`), or None when there is no such shop."""
    return conn.execute(
        sa.select(vendors.c.status).where(vendors.c.vendor_id == vendor_id)
    ).scalar_one_or_none()
