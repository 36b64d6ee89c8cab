"""One order (订单详情), read-only: its lines, payments, refunds, promotion and live session.

Limited to the scope's vendor like the search (`queries.orders.search`): another
shop's order number reads as `None`, exactly as a number that does not exist.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import pandas as pd
import sqlalchemy as sa

from queries.core import schema as s
from queries.core.actors import Scope
from queries.core.frames import rows_frame
from queries.orders.search import ROW_SELECT, with_lookups

__all__ = ["LiveSessionRef", "OrderDetail", "PromotionRef", "order_detail"]

_o = s.orders


@dataclass(frozen=True)
class PromotionRef:
    """The promotion an order carries."""

    promotion_id: int
    name: str
    kind: str
    funded_by: str
    campaign: str | None
    is_platform: bool


@dataclass(frozen=True)
class LiveSessionRef:
    """The live session an order was bought in."""

    live_session_id: int
    title: str
    started_at: datetime
    ended_at: datetime
    viewers: int


@dataclass(frozen=True)
class OrderDetail:
    """One order with its lines, payments, refunds, promotion and live session."""

    order_id: int
    order_no: str
    vendor_id: int
    vendor_name: str
    member_id: int
    status: str
    channel: str
    created_at: datetime
    paid_at: datetime | None
    completed_at: datetime | None
    goods_cents: int
    discount_cents: int
    platform_discount_cents: int
    shipping_cents: int
    paid_cents: int
    refunded_cents: int
    refund_state: str
    items: pd.DataFrame
    payments: pd.DataFrame
    refunds: pd.DataFrame
    promotion: PromotionRef | None
    live_session: LiveSessionRef | None


# --- refund state -------------------------------------------------------------------
# --- one order ----------------------------------------------------------------------


def _frame(result: sa.CursorResult) -> pd.DataFrame:
    return rows_frame(result.all(), tuple(result.keys()))


def order_detail(conn: sa.Connection, *, scope: Scope, order_no: str) -> OrderDetail | None:
    """The order numbered `order_no` in `scope`, or None (missing and other shops' alike)."""
    order_no = (order_no or "").strip()
    if not order_no:
        return None
    terms = [_o.c.order_no == order_no]
    if not scope.is_mall:
        terms.append(_o.c.vendor_id == scope.vendor_id)
    head = (
        conn.execute(
            sa.select(
                *ROW_SELECT,
                _o.c.completed_at,
                _o.c.promotion_id,
                s.promotions.c.kind.label("promotion_kind"),
                s.promotions.c.funded_by.label("promotion_funded_by"),
                s.promotions.c.campaign.label("promotion_campaign"),
                s.promotions.c.vendor_id.label("promotion_vendor_id"),
                _o.c.live_session_id,
                s.live_sessions.c.started_at.label("live_started_at"),
                s.live_sessions.c.ended_at.label("live_ended_at"),
                s.live_sessions.c.viewers.label("live_viewers"),
            )
            .select_from(with_lookups(_o))
            .where(*terms)
        )
        .mappings()
        .one_or_none()
    )
    if head is None:
        return None
    order_id = head["order_id"]
    return OrderDetail(
        order_id=order_id,
        order_no=head["order_no"],
        vendor_id=head["vendor_id"],
        vendor_name=head["vendor_name"],
        member_id=head["member_id"],
        status=head["status"],
        channel=head["channel"],
        created_at=head["created_at"],
        paid_at=head["paid_at"],
        completed_at=head["completed_at"],
        goods_cents=head["goods_cents"],
        discount_cents=head["discount_cents"],
        platform_discount_cents=head["platform_discount_cents"],
        shipping_cents=head["shipping_cents"],
        paid_cents=head["paid_cents"],
        refunded_cents=int(head["refunded_cents"]),
        refund_state=head["refund_state"],
        items=_items(conn, order_id),
        payments=_payments(conn, order_id),
        refunds=_refunds(conn, order_id),
        promotion=_promotion(head),
        live_session=_live_session(head),
    )


def _items(conn: sa.Connection, order_id: int) -> pd.DataFrame:
    """The order's lines with product names and what of each was refunded (completed)."""
    i, p, r = s.order_items, s.products, s.refunds
    refunded = (
        sa.select(sa.func.coalesce(sa.func.sum(r.c.amount_cents), 0))
        .where(r.c.order_item_id == i.c.order_item_id, r.c.status == "completed")
        # the order_id term lets the refunds (order_id) index narrow the lookup
        .where(r.c.order_id == order_id)
        .scalar_subquery()
    )
    stmt = (
        sa.select(
            i.c.order_item_id,
            i.c.product_id,
            p.c.name.label("product_name"),
            i.c.quantity,
            i.c.unit_price_cents,
            i.c.discount_cents,
            i.c.amount_cents,
            i.c.commission_bps,
            refunded.label("refunded_cents"),
        )
        .select_from(i.join(p, p.c.product_id == i.c.product_id))
        .where(i.c.order_id == order_id)
        .order_by(i.c.order_item_id)
    )
    return _frame(conn.execute(stmt))


def _payments(conn: sa.Connection, order_id: int) -> pd.DataFrame:
    pay = s.payments
    stmt = (
        sa.select(
            pay.c.payment_id,
            pay.c.method,
            pay.c.amount_cents,
            pay.c.fee_cents,
            pay.c.paid_at,
            pay.c.transaction_no,
        )
        .where(pay.c.order_id == order_id)
        .order_by(pay.c.paid_at, pay.c.payment_id)
    )
    return _frame(conn.execute(stmt))


def _refunds(conn: sa.Connection, order_id: int) -> pd.DataFrame:
    r, i, p = s.refunds, s.order_items, s.products
    stmt = (
        sa.select(
            r.c.refund_id,
            r.c.order_item_id,
            p.c.name.label("product_name"),
            r.c.amount_cents,
            r.c.reason,
            r.c.status,
            r.c.requested_at,
            r.c.completed_at,
        )
        .select_from(
            r.join(i, i.c.order_item_id == r.c.order_item_id).join(
                p, p.c.product_id == i.c.product_id
            )
        )
        .where(r.c.order_id == order_id)
        .order_by(r.c.requested_at, r.c.refund_id)
    )
    return _frame(conn.execute(stmt))


def _promotion(head: sa.RowMapping) -> PromotionRef | None:
    if head["promotion_id"] is None:
        return None
    return PromotionRef(
        promotion_id=head["promotion_id"],
        name=head["promotion_name"],
        kind=head["promotion_kind"],
        funded_by=head["promotion_funded_by"],
        campaign=head["promotion_campaign"],
        is_platform=head["promotion_vendor_id"] is None,
    )


def _live_session(head: sa.RowMapping) -> LiveSessionRef | None:
    if head["live_session_id"] is None:
        return None
    return LiveSessionRef(
        live_session_id=head["live_session_id"],
        title=head["live_session_title"],
        started_at=head["live_started_at"],
        ended_at=head["live_ended_at"],
        viewers=head["live_viewers"],
    )
