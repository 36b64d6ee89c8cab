"""Orders (订单管理), read-only: find, filter, page through, open one order, download the list.

Settings (an `st.form`) → `OrderFilter` → one cached page of rows → render. Only
the page shown travels to the browser; the download streams the whole filtered
list into a workbook when its button is clicked.
"""

from __future__ import annotations

from datetime import timedelta

import pandas as pd
import streamlit as st

from dashboard.data.orders import one_order, order_page, order_workbook_builder
from dashboard.i18n import all_strings, choose_placeholder, lang, status_label, t, tn
from dashboard.shell.context import page_scope
from dashboard.shell.url_state import bind
from dashboard.ui.formatting import as_datetime, local_datetime, money, number
from dashboard.ui.widgets import (
    download_table,
    empty_state,
    freshness,
    literal,
    show_error,
    today_local,
)
from exports.xlsx import Column
from queries.core.errors import UserError
from queries.core.schema import ORDER_CHANNELS, ORDER_STATUSES
from queries.orders.detail import OrderDetail
from queries.orders.search import DATE_FIELDS, REFUND_STATES, OrderFilter

PAGE_SIZE = 50
PAGE_KEY = "orders_page_no"


def _read_filters() -> OrderFilter | None:
    """The filter form; None (with the reason shown) when its input cannot be used."""
    today = today_local()
    with st.form("orders_filters"):
        left, right = st.columns(2)
        bind("orders_order_no", "order")
        order_no = left.text_input(t("orders.order_no"), key="orders_order_no")
        member_raw = right.text_input(t("orders.member_id"), key="orders_member_id")
        a, b, c = st.columns(3)
        statuses = a.multiselect(
            t("orders.statuses"),
            ORDER_STATUSES,
            format_func=lambda code: status_label("order", code),
            placeholder=choose_placeholder(many=True),
            key="orders_statuses",
        )
        channels = b.multiselect(
            t("orders.channels"),
            ORDER_CHANNELS,
            format_func=lambda code: status_label("channel", code),
            placeholder=choose_placeholder(many=True),
            key="orders_channels",
        )
        refund_state = c.selectbox(
            t("orders.refund_state"),
            [None, *REFUND_STATES],
            format_func=lambda s: t("orders.any") if s is None else t(f"orders.refund_state.{s}"),
            help=t("orders.refund_state_help"),
            placeholder=t("orders.any"),  # Streamlit shows a chosen None as the placeholder
            key="orders_refund_state",
        )
        a, b, c = st.columns(3)
        use_dates = a.checkbox(t("orders.use_dates"), key="orders_use_dates")
        date_field = b.radio(
            t("orders.date_field"),
            DATE_FIELDS,
            format_func=lambda f: t(f"orders.date_field.{f}"),
            horizontal=True,
            key="orders_date_field",
        )
        dates = c.date_input(
            t("orders.dates"), value=(today - timedelta(days=29), today), key="orders_dates"
        )
        st.form_submit_button(t("orders.search"), icon=":material/search:")

    member_raw = member_raw.strip()
    if member_raw and not member_raw.isdigit():
        st.error(t("orders.bad_member_id"))
        return None
    first = last = None
    if use_dates:
        if not isinstance(dates, tuple | list) or len(dates) != 2:
            st.warning(t("orders.bad_dates"))
            return None
        first, last = sorted(dates)
    return OrderFilter(
        order_no=order_no or None,
        member_id=int(member_raw) if member_raw else None,
        statuses=tuple(statuses),
        channels=tuple(channels),
        first_day=first,
        last_day=last,
        date_field=date_field,
        refund_state=refund_state,
    )


def _step(delta: int, pages: int) -> None:
    st.session_state[PAGE_KEY] = min(max(st.session_state.get(PAGE_KEY, 1) + delta, 1), pages)


def _list_frame(rows: pd.DataFrame, mall: bool) -> pd.DataFrame:
    """The page's rows with translated words and formatted money and times."""
    shown = {
        t("orders.col.order_no"): rows["order_no"],
        t("orders.col.status"): rows["status"].map(lambda c: status_label("order", c)),
        t("orders.col.channel"): rows["channel"].map(lambda c: status_label("channel", c)),
        t("orders.col.member_id"): rows["member_id"].astype(str),
        t("orders.col.paid_at"): [local_datetime(as_datetime(v)) for v in rows["paid_at"]],
        t("orders.col.created_at"): [local_datetime(as_datetime(v)) for v in rows["created_at"]],
        t("orders.col.paid"): rows["paid_cents"].map(money),
        t("orders.col.refunded"): rows["refunded_cents"].map(money),
        t("orders.col.refund_state"): rows["refund_state"].map(
            lambda s: t(f"orders.refund_state.{s}")
        ),
        t("orders.col.promotion"): rows["promotion_name"].fillna(""),
        t("orders.col.live_session"): rows["live_session_title"].fillna(""),
    }
    if mall:
        shown = {t("orders.col.shop"): rows["vendor_name"], **shown}
    return pd.DataFrame(shown)


def _plain(text: object) -> str:
    """Data text (shop, promotion, live titles) shown literally inside markdown."""
    return "".join(f"\\{ch}" if ch in "\\`*_{}[]<>()#+-.!|~$" else ch for ch in str(text))


def _campaign_name(code: str) -> str:
    """A platform campaign's name in the session's language; an unknown code as it is."""
    key = f"campaigns.campaign.{code}"
    return t(key) if key in all_strings() else _plain(code)


def _show_list(vendor_id: int | None, filters: OrderFilter) -> list[str]:
    """The paged table with its controls and download; returns the page's order numbers."""
    seen = (vendor_id, filters)
    if st.session_state.get("orders_seen") != seen:  # a new search starts on page 1
        st.session_state["orders_seen"] = seen
        st.session_state[PAGE_KEY] = 1
    bind(PAGE_KEY, "page", kind=int, default=1)
    result = order_page(vendor_id, filters, st.session_state.get(PAGE_KEY, 1), PAGE_SIZE)
    st.session_state[PAGE_KEY] = result.page  # clamped by the query
    freshness("orders_refresh")
    if result.total == 0:
        if filters.order_no:
            empty_state(t("orders.not_found", order_no=literal(filters.order_no)))
        elif filters == OrderFilter():
            empty_state(t("orders.empty_shop"))
        else:
            empty_state(t("orders.empty"))
        return []
    st.caption(t("orders.total", total=number(result.total)))
    st.dataframe(_list_frame(result.rows, vendor_id is None), hide_index=True)
    prev_col, page_col, next_col, info_col = st.columns([1, 1, 1, 3])
    prev_col.button(
        t("orders.prev"),
        on_click=_step,
        args=(-1, result.pages),
        disabled=result.page <= 1,
        key="orders_prev",
    )
    page_col.number_input(
        t("orders.page"),
        min_value=1,
        max_value=result.pages,
        step=1,
        key=PAGE_KEY,
        label_visibility="collapsed",
    )
    next_col.button(
        t("orders.next"),
        on_click=_step,
        args=(1, result.pages),
        disabled=result.page >= result.pages,
        key="orders_next",
    )
    info_col.caption(t("orders.page_of", page=result.page, pages=number(result.pages)))
    st.download_button(
        t("orders.download_all"),
        data=order_workbook_builder(vendor_id, filters, lang()),
        file_name=f"{t('orders.file_name')}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        help=tn("orders.download_help", result.total, total=number(result.total)),
        on_click="ignore",
        icon=":material/download:",
        key="orders_download",
    )
    return list(result.rows["order_no"])


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


def _show_detail(order: OrderDetail) -> None:
    """One order: summary, items, payments, refunds, promotion and live session."""
    st.subheader(t("orders.detail", order_no=order.order_no))
    st.markdown(
        f"**{t('orders.col.status')}**: {status_label('order', order.status)} · "
        f"**{t('orders.col.channel')}**: {status_label('channel', order.channel)} · "
        f"**{t('orders.col.shop')}**: {_plain(order.vendor_name)} · "
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
            _plain(promo.name),
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
        right.markdown(_plain(live.title))
        right.caption(
            tn(
                "orders.detail.live_time",
                live.viewers,
                start=local_datetime(live.started_at),
                end=local_datetime(live.ended_at),
                viewers=number(live.viewers),
            )
        )


st.title(t("page.orders"))
st.caption(t("orders.intro"))
scope = page_scope()
try:
    filters = _read_filters()
    if filters is not None:
        order_nos = _show_list(scope.vendor_id, filters)
        if order_nos:
            picked = st.selectbox(
                t("orders.open"),
                order_nos,
                index=0 if len(order_nos) == 1 else None,
                placeholder=t("orders.open_placeholder"),
            )
            if picked is not None:
                detail = one_order(scope.vendor_id, picked)
                if detail is None:
                    empty_state(t("orders.not_found", order_no=literal(picked)))
                else:
                    _show_detail(detail)
except UserError as exc:
    show_error(exc)
