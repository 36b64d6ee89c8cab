"""Promotions (营销活动): the shop's promotions by state with their results; create and manage.

Filter form → `PromotionFilter` → one cached page → render. The create form
shows only the fields of the chosen kind; managing a promotion offers only
what its state allows (a running promotion: its end and budget). Vendors work
on their own shop's promotions; operators create platform promotions and may
cancel any promotion with a reason.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard.data import promotions as data
from dashboard.data.rollups import rollup_freshness
from dashboard.i18n import choose_placeholder, plain, status_label, t, tn
from dashboard.shell.context import current_actor, page_scope
from dashboard.shell.url_state import bind, fit_page
from dashboard.ui.actions import step_page
from dashboard.ui.formatting import local_datetime, money, number
from dashboard.ui.widgets import download_table, empty_state, freshness
from dashboard.views.promotion_form import STATE, create, kind_labels, manage, show_error, terms
from exports.xlsx import Column
from queries.core.errors import UserError
from queries.core.schema import PROMOTION_KINDS
from queries.marketing.promotions import STATES

PAGE_SIZE = 50
PAGE_KEY = "promotions_page_no"

actor = current_actor()
scope = page_scope(actor)
st.title(t("page.promotions"))


def _none(value):
    return None if pd.isna(value) else value


def _read_filters() -> data.PromotionFilter:
    with st.form("promotions_filters"):
        a, b, c = st.columns([2, 2, 1])
        states = a.multiselect(
            t("promotions.states"),
            STATES,
            format_func={s: status_label("promotion_state", s) for s in STATES}.__getitem__,
            placeholder=choose_placeholder(many=True),
            key="promotions_states",
        )
        kinds = b.multiselect(
            t("promotions.kinds"),
            PROMOTION_KINDS,
            format_func=kind_labels().__getitem__,
            placeholder=choose_placeholder(many=True),
            key="promotions_kinds",
        )
        platform_only = c.checkbox(t("promotions.platform_only"), key="promotions_platform")
        st.form_submit_button(t("promotions.apply"), icon=":material/search:")
    return data.PromotionFilter(tuple(states), tuple(kinds), platform_only)


def _table(rows: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            t("promotions.col.id"): rows["promotion_id"].astype(str),
            t("promotions.col.name"): rows["name"],
            t("promotions.col.shop"): [
                t("promotions.platform") if pd.isna(v) else n
                for v, n in zip(rows["vendor_id"], rows["vendor_name"], strict=True)
            ],
            t("promotions.col.kind"): rows["kind"].map(lambda k: status_label("kind", k)),
            t("promotions.col.terms"): [plain(terms(r)) for _, r in rows.iterrows()],
            t("promotions.col.state"): rows["state"].map(
                lambda s: status_label("promotion_state", s)
            ),
            t("promotions.col.starts"): [
                local_datetime(v.to_pydatetime()) for v in rows["starts_at"]
            ],
            t("promotions.col.ends"): [local_datetime(v.to_pydatetime()) for v in rows["ends_at"]],
            t("promotions.col.budget"): [money(_none(v)) for v in rows["budget_cents"]],
            t("promotions.col.orders"): [number(_none(v)) for v in rows["paid_orders"]],
            t("promotions.col.gmv"): [money(_none(v)) for v in rows["gmv_cents"]],
            t("promotions.col.discount"): [money(_none(v)) for v in rows["discount_cents"]],
            t("promotions.col.roi"): [
                "—" if _none(v) is None else number(v, 2) for v in rows["roi"]
            ],
        }
    )


flash = STATE.pop_flash()
if flash:
    st.success(flash[0])
    if flash[1]:
        st.warning(flash[1])
filters = _read_filters()
if st.session_state.get("promotions_seen") != (scope.vendor_id, filters):
    st.session_state["promotions_seen"] = (scope.vendor_id, filters)
    st.session_state[PAGE_KEY] = 1
bind(PAGE_KEY, "page", kind=int, default=1)
try:
    rows, total = data.promotion_page(
        scope.vendor_id, filters, st.session_state.get(PAGE_KEY, 1), PAGE_SIZE
    )
except UserError as exc:
    show_error(exc)
    st.stop()
freshness("promotions_refresh", rollups=rollup_freshness())
pages = max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1)
fit_page(PAGE_KEY, pages)
if total == 0:
    empty_state(t("promotions.empty"))
else:
    st.caption(
        tn(
            "promotions.total",
            total,
            total=number(total),
            page=st.session_state[PAGE_KEY],
            pages=pages,
        )
    )
    st.dataframe(_table(rows), hide_index=True)
    prev_col, next_col, _ = st.columns([1, 1, 4])
    prev_col.button(
        t("promotions.prev"),
        on_click=step_page,
        args=(PAGE_KEY, -1, pages),
        key="promotions_prev",
        disabled=st.session_state[PAGE_KEY] <= 1,
    )
    next_col.button(
        t("promotions.next"),
        on_click=step_page,
        args=(PAGE_KEY, 1, pages),
        key="promotions_next",
        disabled=st.session_state[PAGE_KEY] >= pages,
    )
    download_table(
        rows[
            [
                "promotion_id",
                "name",
                "kind",
                "state",
                "starts_at",
                "ends_at",
                "gmv_cents",
                "discount_cents",
            ]
        ].assign(
            kind=rows["kind"].map(lambda k: status_label("kind", k)),
            state=rows["state"].map(lambda s: status_label("promotion_state", s)),
            gmv_cents=rows["gmv_cents"].fillna(0).astype("int64"),
            discount_cents=rows["discount_cents"].fillna(0).astype("int64"),
        ),
        [
            Column(t("promotions.col.id"), "int"),
            Column(t("promotions.col.name")),
            Column(t("promotions.col.kind")),
            Column(t("promotions.col.state")),
            Column(t("promotions.col.starts"), "datetime"),
            Column(t("promotions.col.ends"), "datetime"),
            Column(t("promotions.col.gmv"), "money"),
            Column(t("promotions.col.discount"), "money"),
        ],
        file_name="promotions",
        key="promotions_download",
    )

if actor.role in ("vendor", "operator"):
    mode = st.segmented_control(
        t("promotions.mode"),
        ["manage", "create"],
        default="manage",
        format_func={m: t(f"promotions.mode.{m}") for m in ("manage", "create")}.__getitem__,
        key="promotions_mode",
    )
    if mode == "create":
        create(actor)
    elif total:
        manage(actor, rows)
