"""The campaign rollups' build: the carried (promotion, order) pairs and the live sessions' buyers.

Of the orders paid before the cut; read by `queries.rolled.campaigns`. A refresh from
`start_at` (`rollups.families`) replaces the pairs of the orders paid from then on (an
order's promotion, coupons and `paid_at` never change after payment), and every live
session with an order paid from then on whole: a session's rows count its orders
whenever they were paid.
"""

from __future__ import annotations

import sqlalchemy as sa

from queries.core import schema as s
from queries.core.actors import Scope
from queries.figures import gmv, paid_orders
from queries.marketing.carried_orders import carried_pairs
from queries.rolled.campaigns import live_session_buyers, promotion_orders

__all__ = ["delete_campaigns_from", "insert_campaign_rows"]


def _sessions_paid_from(start_at) -> sa.Select:
    """The live sessions with an order paid at or after `start_at` (the orders (paid_at) index)."""
    o = s.orders
    return (
        sa.select(o.c.live_session_id)
        .where(o.c.live_session_id.is_not(None), o.c.paid_at >= start_at)
        .distinct()
    )


def delete_campaigns_from(conn: sa.Connection, start_at) -> None:
    """Delete the pairs of the orders paid from `start_at` on, and the rows of every live
    session with an order paid from then on."""
    o, p, b = s.orders, promotion_orders, live_session_buyers
    paid_from = sa.select(o.c.order_id).where(o.c.paid_at >= start_at)
    conn.execute(p.delete().where(p.c.order_id.in_(paid_from)))
    conn.execute(b.delete().where(b.c.live_session_id.in_(_sessions_paid_from(start_at))))


def insert_campaign_rows(conn: sa.Connection, cut_at, *, start_at=None) -> None:
    """Every (promotion, paid order) carried before the cut, and per live session, shop and
    member the paid orders carrying it; with `start_at`, the pairs of the orders paid from
    then on and the sessions with such an order (all their orders paid before the cut)."""
    pairs = carried_pairs(Scope.mall(), paid_before=cut_at)
    if start_at is not None:
        # Each branch of the union reads the orders (by their promotion, by a coupon):
        # the window's bound goes into both, where the (paid_at) index serves it.
        from_start = s.orders.c.paid_at >= start_at
        pairs = sa.union_all(*(branch.where(from_start) for branch in pairs.selects))
    pairs = pairs.subquery("pairs")
    money = ["paid_cents", "discount_cents", "platform_discount_cents"]
    names = ["promotion_id", "vendor_id", "order_id", *money]
    rows = sa.select(*[pairs.c[n] for n in names])
    conn.execute(promotion_orders.insert().from_select(names, rows))
    o = s.orders
    keys = (o.c.live_session_id, o.c.vendor_id, o.c.member_id)
    sessions = [] if start_at is None else [o.c.live_session_id.in_(_sessions_paid_from(start_at))]
    per_member = (
        sa.select(*keys, paid_orders(), gmv(o))
        .where(o.c.live_session_id.is_not(None), o.c.paid_at < cut_at, *sessions)
        .group_by(*keys)
    )
    names = ["live_session_id", "vendor_id", "member_id", "orders", "gmv_cents"]
    conn.execute(live_session_buyers.insert().from_select(names, per_member))
