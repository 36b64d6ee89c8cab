"""Shop names for pickers and labels."""

from __future__ import annotations

import sqlalchemy as sa

from queries.schema import vendors

__all__ = ["demo_shops", "vendor_name", "vendor_names", "vendor_status"]


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


def demo_shops(conn: sa.Connection) -> dict[str, int]:
    """The demo logins' shops: the biggest active shop by paid orders, and a small one."""
    from queries.schema import orders

    counts = (
        sa.select(orders.c.vendor_id, sa.func.count().label("n"))
        .where(orders.c.paid_at.is_not(None))
        .group_by(orders.c.vendor_id)
        .subquery()
    )
    rows = conn.execute(
        sa.select(vendors.c.vendor_id, counts.c.n)
        .join(counts, counts.c.vendor_id == vendors.c.vendor_id)
        .where(vendors.c.status == "active")
        .order_by(counts.c.n.desc(), vendors.c.vendor_id)
    ).all()
    if not rows:
        raise LookupError("the demo mall has no active shop with paid orders")
    small = [r.vendor_id for r in rows if r.n >= 20]
    return {
        "big": rows[0].vendor_id,
        "small": small[len(small) * 3 // 4] if small else rows[-1].vendor_id,
    }
