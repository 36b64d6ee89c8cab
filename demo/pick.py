"""The three shops the demo logins and tests use: the biggest, a small one, an empty one.

Found from the data with SQL, by `generate` right after loading and by anyone
later on a database built earlier (same rule, same answer):
- big: the largest GMV ever (ties: lowest id);
- small: an active shop other than the big one with at least 5 paid orders in the
  30 days before the latest payment (else at least 1), the fewest paid orders overall;
- empty: the lowest-id active shop without any order.
"""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from queries.core.schema import metadata

__all__ = ["demo_shops"]


def demo_shops(conn: sa.Connection) -> dict[str, int | None]:
    """The demo's big, small and empty shops, found again from the data with SQL."""
    o, v = metadata.tables["orders"], metadata.tables["vendors"]
    latest = conn.execute(sa.select(sa.func.max(o.c.paid_at))).scalar()
    if latest is None:
        return {"big": None, "small": None, "empty": None}
    big = conn.execute(
        sa.select(o.c.vendor_id)
        .where(o.c.paid_at.is_not(None))
        .group_by(o.c.vendor_id)
        .order_by(sa.func.sum(o.c.paid_cents).desc(), o.c.vendor_id)
        .limit(1)
    ).scalar()
    recent = sa.func.sum(sa.case((o.c.paid_at >= latest - timedelta(days=30), 1), else_=0))
    small = None
    for minimum in (5, 1):
        small = conn.execute(
            sa.select(o.c.vendor_id)
            .join(v, v.c.vendor_id == o.c.vendor_id)
            .where(o.c.paid_at.is_not(None), v.c.status == "active", o.c.vendor_id != big)
            .group_by(o.c.vendor_id)
            .having(recent >= minimum)
            .order_by(sa.func.count(), o.c.vendor_id)
            .limit(1)
        ).scalar()
        if small is not None:
            break
    empty = conn.execute(
        sa.select(v.c.vendor_id)
        .where(v.c.status == "active", ~sa.exists().where(o.c.vendor_id == v.c.vendor_id))
        .order_by(v.c.vendor_id)
        .limit(1)
    ).scalar()
    return {"big": big, "small": small, "empty": empty}
