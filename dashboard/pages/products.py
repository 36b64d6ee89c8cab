"""Products (商品管理): find and page through products; vendors edit, operators ban.

Filter form → `ProductFilter` → one cached page → render. A vendor edits one
product in a form, many in an editable table (with a "raise / lower by N %"
preview), or thousands through a workbook (批量导入). An operator picks a shop
(or the whole mall) and bans a product with a reason, or lifts a ban.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard.data.products import (
    ProductFilter,
    categories,
    product_page,
)
from dashboard.i18n import choose_placeholder, localized, pick, status_label, t, tn
from dashboard.shell.context import current_actor, page_scope
from dashboard.shell.url_state import bind, fit_page
from dashboard.ui.actions import step_page
from dashboard.ui.formatting import local_datetime, money, number
from dashboard.ui.widgets import download_table, empty_state, freshness
from dashboard.views.products_edit import STATE, ban, edit_one, edit_table, show_error
from dashboard.views.products_workbook import workbook
from exports.xlsx import Column
from queries.catalog.products import SORTS
from queries.core.errors import UserError
from queries.core.schema import PRODUCT_STATUSES

PAGE_SIZE = 50
PAGE_KEY = "products_page_no"

actor = current_actor()
scope = page_scope(actor)
st.title(t("page.products"))


def _category_labels() -> dict[int | None, str]:
    """Category names in the session's language (fixed now: AppTest formats outside the run)."""
    names = {cid: pick(zh, en) for cid, zh, en in categories()}
    return {None: t("products.any_category"), **names}


def _read_filters() -> ProductFilter:
    with st.form("products_filters"):
        a, b, c = st.columns([2, 2, 1])
        bind("products_search", "q")
        search = a.text_input(t("products.search"), key="products_search")
        statuses = b.multiselect(
            t("products.statuses"),
            PRODUCT_STATUSES,
            format_func={c: status_label("product", c) for c in PRODUCT_STATUSES}.__getitem__,
            placeholder=choose_placeholder(many=True),
            key="products_statuses",
        )
        sort = c.selectbox(
            t("products.sort"),
            list(SORTS),
            format_func={s: t(f"products.sort.{s}") for s in SORTS}.__getitem__,
            key="products_sort",
        )
        a, b, c = st.columns([2, 1, 1])
        category_id = a.selectbox(
            t("products.category"),
            [None, *(cid for cid, _, _ in categories())],
            format_func=_category_labels().__getitem__,
            placeholder=_category_labels()[None],  # Streamlit shows a chosen None as this
            key="products_category",
        )
        low = b.checkbox(t("products.low_stock"), key="products_low")
        below = c.number_input(
            t("products.low_stock_below"),
            min_value=1,
            max_value=100_000,
            value=10,
            step=1,
            key="products_below",
        )
        st.form_submit_button(t("products.apply"), icon=":material/search:")
    return ProductFilter(
        search=search.strip(),
        statuses=tuple(statuses),
        category_id=category_id,
        low_stock_below=int(below) if low else None,
        sort=sort,
    )


def _shown(rows: pd.DataFrame) -> pd.DataFrame:
    """The page's rows in words and yuan, for reading."""
    frame = {
        t("products.col.id"): rows["product_id"].astype(str),
        t("products.col.name"): rows["name"],
        t("products.col.category"): rows[localized("category_name")],
        t("products.col.price"): rows["price_cents"].map(money),
        t("products.col.stock"): rows["stock"].map(number),
        t("products.col.status"): rows["status"].map(lambda c: status_label("product", c)),
        t("products.col.ban_reason"): rows["ban_reason"].fillna(""),
        t("products.col.updated"): [local_datetime(v.to_pydatetime()) for v in rows["updated_at"]],
    }
    if scope.is_mall:
        frame = {t("products.col.shop"): rows["vendor_name"], **frame}
    return pd.DataFrame(frame)


flash = STATE.pop_flash()
if flash:
    st.success(flash)
filters = _read_filters()
seen = (scope.vendor_id, filters)
if st.session_state.get("products_seen") != seen:
    st.session_state["products_seen"] = seen
    st.session_state[PAGE_KEY] = 1
bind(PAGE_KEY, "page", kind=int, default=1)
try:
    rows, total = product_page(
        scope.vendor_id, filters, st.session_state.get(PAGE_KEY, 1), PAGE_SIZE
    )
except UserError as exc:
    show_error(exc)
    st.stop()
freshness("products_refresh")
pages = max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1)
fit_page(PAGE_KEY, pages)
if total == 0:
    empty_state(t("products.empty") if filters != ProductFilter() else t("products.empty_shop"))
    if actor.role == "vendor":
        workbook(actor, scope.vendor_id, filters)
    st.stop()

st.caption(
    tn("products.total", total, total=number(total), page=st.session_state[PAGE_KEY], pages=pages)
)
st.dataframe(_shown(rows), hide_index=True)
prev_col, next_col, _ = st.columns([1, 1, 4])
prev_col.button(
    t("products.prev"),
    on_click=step_page,
    args=(PAGE_KEY, -1, pages),
    key="products_prev",
    disabled=st.session_state[PAGE_KEY] <= 1,
)
next_col.button(
    t("products.next"),
    on_click=step_page,
    args=(PAGE_KEY, 1, pages),
    key="products_next",
    disabled=st.session_state[PAGE_KEY] >= pages,
)
download_table(
    rows[["product_id", "name", "price_cents", "stock", "status"]].assign(
        status=rows["status"].map(lambda c: status_label("product", c))
    ),
    [
        Column(t("products.col.id"), "int"),
        Column(t("products.col.name")),
        Column(t("products.col.price"), "money"),
        Column(t("products.col.stock"), "int"),
        Column(t("products.col.status")),
    ],
    file_name="products_page",
    key="products_page_download",
)

if actor.role == "vendor":
    modes = ["one", "table", "workbook"]
    mode = st.segmented_control(
        t("products.mode"),
        modes,
        default="one",
        format_func={m: t(f"products.mode.{m}") for m in modes}.__getitem__,
        key="products_mode",
    )
    if mode == "table":
        edit_table(actor, rows)
    elif mode == "workbook":
        workbook(actor, scope.vendor_id, filters)
    else:
        edit_one(actor, rows)
elif actor.role == "operator":
    st.subheader(t("products.ban_title"))
    ban(actor, rows)
