"""The campaign rollups' build: the carried (promotion, order) pairs and the live sessions' buyers.

Of the orders paid before the cut; read by `queries.rolled.campaigns`.
"""

from __future__ import annotations

import sqlalchemy as sa

from queries.core import schema as s
from queries.core.actors import Scope
from queries.figures import gmv, paid_orders
from queries.marketing.carried_orders import carried_pairs
from queries.rolled.campaigns import live_session_buyers, promotion_orders

__all__ = ["insert_campaign_rows"]


def insert_campaign_rows(conn: sa.Connection, cut_at) -> None:
    """Every (promotion, paid order) carried before the cut, and per live session, shop and
    member the paid orders carrying it."""
    pairs = carried_pairs(Scope.mall(), paid_before=cut_at).subquery("pairs")
    money = ["paid_cents", "discount_cents", "platform_discount_cents"]
    names = ["promotion_id", "vendor_id", "order_id", *money]
    rows = sa.select(*[pairs.c[n] for n in names])
    conn.execute(promotion_orders.insert().from_select(names, rows))
    o = s.orders
    keys = (o.c.live_session_id, o.c.vendor_id, o.c.member_id)
    per_member = (
        sa.select(*keys, paid_orders(), gmv(o))
        .where(o.c.live_session_id.is_not(None), o.c.paid_at < cut_at)
        .group_by(*keys)
    )
    names = ["live_session_id", "vendor_id", "member_id", "orders", "gmv_cents"]
    conn.execute(live_session_buyers.insert().from_select(names, per_member))
