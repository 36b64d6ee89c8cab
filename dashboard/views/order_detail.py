"""The Orders page's order detail: summary, items, payments, refunds, promotion and live session."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard.i18n import all_strings, status_label, t, tn
from dashboard.ui.formatting import as_datetime, local_datetime, money, number
from dashboard.ui.widgets import download_table, empty_state, literal
from exports.xlsx import Column
from queries.orders.detail import OrderDetail

__all__ = ["show_detail"]


def _campaign_name(code: str) -> str:
    """A platform campaign's name in the session's language; an unknown code as it is
    (`t()`, which it goes into, shows it literally)."""
    key = f"campaigns.campaign.{code}"
    return t(key) if key in all_strings() else code


def _table(frame: pd.DataFrame, spec: list[tuple[str, str, str, object]], key: str) -> None:
    """A detail table: (source column, header key, xlsx kind, on-screen formatter) per column."""
    shown = pd.DataFrame(
        {t(h): frame[c].map(f) if f else frame[c] for c, h, _, f in spec}, index=frame.index
    )
    st.dataframe(shown, hide_index=True)
    download_table(
        frame[[c for c, _, _, _ in spec]],
        [Column(t(h), kind) for _, h, kind, _ in spec],
        file_name=f"{t('orders.file_name')}-{key}",
        key=f"orders_dl_{key}",
    )


def show_detail(order: OrderDetail) -> None:
    """One order: summary, items, payments, refunds, promotion and live session."""
    st.subheader(t("orders.detail", order_no=order.order_no))
    st.markdown(
        f"**{t('orders.col.status')}**: {status_label('order', order.status)} · "
        f"**{t('orders.col.channel')}**: {status_label('channel', order.channel)} · "
        f"**{t('orders.col.shop')}**: {literal(order.vendor_name)} · "
        f"**{t('orders.col.member_id')}**: {order.member_id}  \n"
        f"**{t('orders.col.created_at')}**: {local_datetime(order.created_at)} · "
        f"**{t('orders.col.paid_at')}**: {local_datetime(order.paid_at)} · "
        f"**{t('orders.detail.completed_at')}**: {local_datetime(order.completed_at)} · "
        f"**{t('orders.col.refund_state')}**: {t(f'orders.refund_state.{order.refund_state}')}"
    )
    cells = st.columns(6)
    for cell, key, cents in zip(
        cells,
        ("goods", "discount", "platform_subsidy", "shipping", "paid", "refunded"),
        (
            order.goods_cents,
            order.discount_cents,
            order.platform_discount_cents,
            order.shipping_cents,
            order.paid_cents,
            order.refunded_cents,
        ),
        strict=True,
    ):
        cell.metric(t(f"orders.col.{key}"), money(cents))

    st.markdown(f"**{t('orders.detail.items')}**")
    _table(
        order.items,
        [
            ("product_name", "orders.col.product", "text", None),
            ("quantity", "orders.col.quantity", "int", number),
            ("unit_price_cents", "orders.col.unit_price", "money", money),
            ("discount_cents", "orders.col.line_discount", "money", money),
            ("amount_cents", "orders.col.amount", "money", money),
            ("refunded_cents", "orders.col.refunded", "money", money),
        ],
        "items",
    )

    st.markdown(f"**{t('orders.detail.payments')}**")
    if order.payments.empty:
        empty_state(t("orders.detail.no_payments"))
    else:
        _table(
            order.payments,
            [
                ("method", "orders.col.method", "text", lambda m: status_label("payment", m)),
                ("amount_cents", "orders.col.payment_amount", "money", money),
                ("fee_cents", "orders.col.fee", "money", money),
                (
                    "paid_at",
                    "orders.col.paid_at",
                    "datetime",
                    lambda v: local_datetime(as_datetime(v)),
                ),
                ("transaction_no", "orders.col.transaction_no", "text", None),
            ],
            "payments",
        )

    st.markdown(f"**{t('orders.detail.refunds')}**")
    if order.refunds.empty:
        empty_state(t("orders.detail.no_refunds"))
    else:
        _table(
            order.refunds,
            [
                ("product_name", "orders.col.product", "text", None),
                ("amount_cents", "orders.col.refund_amount", "money", money),
                ("reason", "orders.col.reason", "text", None),
                ("status", "orders.col.refund_status", "text", lambda s: status_label("refund", s)),
                (
                    "requested_at",
                    "orders.col.requested_at",
                    "datetime",
                    lambda v: local_datetime(as_datetime(v)),
                ),
                (
                    "completed_at",
                    "orders.col.refund_completed_at",
                    "datetime",
                    lambda v: local_datetime(as_datetime(v)),
                ),
            ],
            "refunds",
        )

    left, right = st.columns(2)
    left.markdown(f"**{t('orders.detail.promotion')}**")
    promo = order.promotion
    if promo is None:
        left.caption(t("orders.detail.no_promotion"))
    else:
        owner = "platform_promotion" if promo.is_platform else "shop_promotion"
        words = (
            literal(promo.name),
            status_label("kind", promo.kind),
            t(f"orders.detail.{owner}"),
            t(f"orders.detail.funded_by.{promo.funded_by}"),
        )
        left.markdown(" · ".join(words))
        if promo.campaign:
            left.caption(t("orders.detail.campaign", campaign=_campaign_name(promo.campaign)))
    right.markdown(f"**{t('orders.detail.live_session')}**")
    live = order.live_session
    if live is None:
        right.caption(t("orders.detail.no_live"))
    else:
        right.markdown(literal(live.title))
        right.caption(
            tn(
                "orders.detail.live_time",
                live.viewers,
                start=local_datetime(live.started_at),
                end=local_datetime(live.ended_at),
                viewers=number(live.viewers),
            )
        )
