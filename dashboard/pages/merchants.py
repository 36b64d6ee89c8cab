"""Merchants (商家管理, operators): every shop, its last 30 days, and its status.

Filter form → `MerchantFilters` → one cached read → the table. Selecting a row
opens that shop's Sales analytics (`dashboard.shell.context.open_vendor_view`, which
sets `?vendor=ID`). Below, an operator suspends, reactivates or closes a shop
with a reason (a closed shop cannot be reopened), and looks after the picked shop's
logins (`dashboard.views.shop_logins`).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import streamlit as st

from dashboard.data.vendors import merchants, set_status
from dashboard.i18n import choose_placeholder, lang, localized, status_label, t, t_plain, tn
from dashboard.shell.context import current_actor, open_vendor_view, settings
from dashboard.shell.url_state import bind
from dashboard.ui.formatting import local_date, money, number, percent
from dashboard.ui.submitted import new_form_id, remember, submission
from dashboard.ui.widgets import (
    download_table,
    empty_state,
    freshness,
    literal,
    picked_row,
    require_page_role,
    show_error,
)
from dashboard.views.shop_logins import show_shop_logins
from exports.xlsx import Column
from queries.core.errors import UserError
from queries.core.schema import VENDOR_STATUSES
from queries.merchants.transitions import vendor_targets
from queries.merchants.vendors import MAX_REASON

FLASH = "merchants_flash"
SPEC = [
    ("vendor_id", "merchants.col.id", "int"),
    ("name", "merchants.col.name", "text"),
    ("status_label", "merchants.col.status", "text"),
    ("region", "merchants.col.region", "text"),
    ("joined_at", "merchants.col.joined", "datetime"),
    ("category", "merchants.col.category", "text"),
    ("products", "merchants.col.products", "int"),
    ("paid_orders", "merchants.col.paid_orders", "int"),
    ("gmv_cents", "merchants.col.gmv", "money"),
    ("refunded_cents", "merchants.col.refunded", "money"),
    ("refund_rate", "merchants.col.refund_rate", "ratio"),
    ("contact_email", "merchants.col.email", "text"),
]


@dataclass(frozen=True)
class MerchantFilters:
    """What the filter form asked for."""

    search: str
    statuses: tuple[str, ...]


def _read_filters() -> MerchantFilters:
    with st.form("merchants_filters"):
        left, right = st.columns([3, 2])
        bind("merchants_search", "q")
        search = left.text_input(t("merchants.search"), key="merchants_search")
        statuses = right.multiselect(
            t("merchants.statuses"),
            VENDOR_STATUSES,
            format_func=lambda s: status_label("vendor", s),
            placeholder=choose_placeholder(many=True),
            key="merchants_statuses",
        )
        st.form_submit_button(t("merchants.apply"), icon=":material/search:")
    return MerchantFilters(search.strip(), tuple(statuses))


def _labelled(rows: pd.DataFrame) -> pd.DataFrame:
    """The rows with translated status and category words."""
    column = localized("main_category_name")
    return rows.assign(
        status_label=[status_label("vendor", s) for s in rows["status"]],
        category=rows[column].where(rows[column].notna(), "—"),
    )


def _show_table(rows: pd.DataFrame) -> None:
    shown = pd.DataFrame(
        {
            t("merchants.col.id"): rows["vendor_id"].astype(str),
            t("merchants.col.name"): rows["name"],
            t("merchants.col.status"): rows["status_label"],
            t("merchants.col.region"): rows["region"],
            t("merchants.col.joined"): [
                local_date(pd.Timestamp(v).tz_convert(settings().tz).date())
                for v in rows["joined_at"]
            ],
            t("merchants.col.category"): rows["category"],
            t("merchants.col.products"): rows["products"].map(number),
            t("merchants.col.paid_orders"): rows["paid_orders"].map(number),
            t("merchants.col.gmv"): rows["gmv_cents"].map(money),
            t("merchants.col.refunded"): rows["refunded_cents"].map(money),
            t("merchants.col.refund_rate"): rows["refund_rate"].map(percent),
        }
    )
    total_text = tn("merchants.total", len(rows), count=number(len(rows)))
    st.caption(total_text + " · " + t("merchants.select_hint"))
    picked = picked_row(shown, key="merchants_table")
    download_table(
        rows[[c for c, _, _ in SPEC]],
        [Column(t(h), kind) for _, h, kind in SPEC],
        file_name=t("merchants.file_name"),
        key="merchants_download",
    )
    if picked is not None:
        open_vendor_view(int(rows["vendor_id"].iloc[picked]))


def _manage(actor, rows: pd.DataFrame) -> int:
    """Open a shop's analytics, or change its status with a reason; returns the shop picked."""
    st.subheader(t("merchants.manage"))
    names = dict(zip(rows["vendor_id"].astype(int), rows["name"], strict=True))
    left, right = st.columns([3, 1], vertical_alignment="bottom")
    picked = left.selectbox(
        t("merchants.pick"),
        list(names),
        # A select box's options are plain text (not Markdown): the name as written.
        format_func=lambda v: t_plain("scope.vendor_option", name=names[v], vendor_id=v),
        key="merchants_pick",
    )
    if right.button(
        t("merchants.open_analytics"), key="merchants_open", icon=":material/monitoring:"
    ):
        open_vendor_view(int(picked))
    row = rows.loc[rows["vendor_id"] == picked].iloc[0]
    current = row["status"]
    st.markdown(t("merchants.current", status=status_label("vendor", current)))
    targets = vendor_targets(current)
    if not targets:
        st.info(t("merchants.closed_final"))
        return int(picked)
    with st.form(f"merchants_status_{picked}"):
        st.radio(
            t("merchants.action"),
            targets,
            format_func=lambda s: t(f"merchants.action.{s}"),
            horizontal=True,
            key="merchants_action",
        )
        st.text_area(t("merchants.reason"), max_chars=MAX_REASON, key="merchants_reason")
        st.caption(t("merchants.suspend_note"))
        # The callback gets the status shown in this run: a change made meanwhile is refused.
        st.form_submit_button(
            t("merchants.submit"),
            type="primary",
            on_click=_submit,
            # A new id for each drawing of the form: see `dashboard.ui.submitted`.
            args=(actor, int(picked), names[picked], current, new_form_id()),
        )
    return int(picked)


def _submit(actor, vendor_id: int, name: str, seen_status: str, form_id: str) -> None:
    """Change the shop's status; the outcome (or the refusal) shows at the top of the next run.

    A second callback of the form just submitted (a double click) changes nothing and
    shows the first one's outcome again (see `dashboard.ui.submitted`).
    """
    state = st.session_state
    with submission(form_id, replay_to=FLASH) as earlier:
        if earlier is not None:  # a double click: the first click's outcome is shown again
            return
        language = lang()
        target = state["merchants_action"]
        reason = state["merchants_reason"]
        # The message is made now: from the write until the outcome is remembered, nothing
        # may touch st.session_state (Streamlit could stop the callback there).
        status = status_label("vendor", target)
        done = ("ok", t("merchants.done", vendor_id=vendor_id, name=literal(name), status=status))
        try:
            set_status(actor, vendor_id, status=target, seen_status=seen_status, reason=reason)
        except UserError as exc:
            state[FLASH] = ("error", literal(exc.message(language)))
            return
        remember(form_id, done)
        state[FLASH] = done
        state["merchants_reason"] = ""  # the next change needs its own reason


actor = current_actor()
st.title(t("page.merchants"))
st.caption(t("merchants.intro"))
require_page_role(actor, "operator")

flash = st.session_state.pop(FLASH, None)
if flash:
    kind, message = flash
    if kind == "ok":
        st.success(message, icon=":material/check_circle:")
    else:
        st.error(message)
filters = _read_filters()
try:
    rows = merchants(filters.search, filters.statuses)
    if rows.empty:
        empty_state(
            t("merchants.empty_mall" if filters == MerchantFilters("", ()) else "merchants.empty")
        )
    else:
        rows = _labelled(rows)
        if rows["gmv_cents"].sum() == 0:
            empty_state(t("merchants.no_sales"))
        _show_table(rows)
        show_shop_logins(actor, _manage(actor, rows))
    freshness("merchants_refresh")
except UserError as exc:
    show_error(exc)
