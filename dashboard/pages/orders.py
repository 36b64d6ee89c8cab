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
from dashboard.i18n import choose_placeholder, lang, status_label, t, tn
from dashboard.shell.auth import guarded
from dashboard.shell.context import page_scope
from dashboard.shell.url_state import bind
from dashboard.ui.actions import step_page
from dashboard.ui.formatting import as_datetime, local_datetime, money, number
from dashboard.ui.widgets import (
    empty_state,
    freshness,
    literal,
    show_error,
    today_local,
)
from dashboard.views.order_detail import show_detail
from queries.core.errors import UserError
from queries.core.messages import text
from queries.core.schema import ORDER_CHANNELS, ORDER_STATUSES
from queries.core.validation import parse_whole_number
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

    try:  # ASCII digits within BIGINT: no superscript ², no overflow
        member_id = parse_whole_number(
            member_raw, field="member_id", label=text("label.core.number.member_id"), required=False
        )
    except UserError as exc:
        show_error(exc)
        return None
    first = last = None
    if use_dates:
        if not isinstance(dates, tuple | list) or len(dates) != 2:
            st.warning(t("orders.bad_dates"))
            return None
        first, last = sorted(dates)
    return OrderFilter(
        order_no=order_no or None,
        member_id=member_id,
        statuses=tuple(statuses),
        channels=tuple(channels),
        first_day=first,
        last_day=last,
        date_field=date_field,
        refund_state=refund_state,
    )


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
        on_click=step_page,
        args=(PAGE_KEY, -1, result.pages),
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
        on_click=step_page,
        args=(PAGE_KEY, 1, result.pages),
        disabled=result.page >= result.pages,
        key="orders_next",
    )
    info_col.caption(t("orders.page_of", page=result.page, pages=number(result.pages)))
    st.download_button(
        t("orders.download_all"),
        data=guarded(order_workbook_builder(vendor_id, filters, lang())),
        file_name=f"{t('orders.file_name')}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        help=tn("orders.download_help", result.total, total=number(result.total)),
        on_click="ignore",
        icon=":material/download:",
        key="orders_download",
    )
    return list(result.rows["order_no"])


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
                    show_detail(detail)
except UserError as exc:
    show_error(exc)
