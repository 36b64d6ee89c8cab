"""Audit log (操作日志): who changed what, when and why.

Operators see every action in the mall and filter by action, entity type,
person, shop and date; a vendor sees the actions on their own shop; finance the
settlement actions. Every row is shown in words (`dashboard.ui.audit_words.readable`):
the action and fields in the chosen language, what was touched by name and
number, money as ¥, times local. Paged in SQL; the filtered trail downloads as a
workbook holding the same columns and values.
"""

from __future__ import annotations

from datetime import timedelta

import streamlit as st

from dashboard.data.audit import AuditFilter, audit_download_builder, audit_page, filter_choices
from dashboard.i18n import lang, t, tn
from dashboard.shell.auth import guarded
from dashboard.shell.context import current_actor, page_scope, settings
from dashboard.shell.url_state import bind, fit_page
from dashboard.ui.actions import step_page
from dashboard.ui.audit_words import Reading, action_label, entity_label
from dashboard.ui.formatting import number
from dashboard.ui.widgets import empty_state, freshness, show_error, today_local
from queries.audit import AuditScope
from queries.core.errors import UserError
from queries.core.periods import range_from_dates

PAGE_SIZE = 50
PAGE_KEY = "audit_page_no"

actor = current_actor()
audit_scope = AuditScope.for_actor(actor)
shop = page_scope(actor).vendor_id if actor.role == "operator" else None
st.title(t("page.audit"))


def _read_filters() -> AuditFilter:
    today = today_local()
    choices = filter_choices(audit_scope)
    language = lang()
    actions = ["", *sorted(choices.actions, key=lambda code: action_label(code, language))]
    # A shared or reloaded link keeps the trail it showed (values outside the choices: ignored).
    bind("audit_action", "action", options=actions)
    bind("audit_entity", "entity", options=["", *choices.entities])
    bind("audit_actor", "who", options=["", *choices.people])
    with st.form("audit_filters"):
        a, b, c = st.columns(3)
        action = a.selectbox(
            t("audit.action"),
            actions,
            format_func=lambda x: action_label(x, language) if x else t("audit.any_action"),
            key="audit_action",
        )
        entity = b.selectbox(
            t("audit.entity_type"),
            ["", *choices.entities],
            format_func=lambda x: entity_label(x, language) if x else t("audit.any_entity"),
            key="audit_entity",
        )
        who = c.selectbox(
            t("audit.actor"),
            ["", *choices.people],
            format_func=lambda x: x if x else t("audit.any_actor"),
            key="audit_actor",
        )
        a, b = st.columns(2)
        use_dates = a.checkbox(t("audit.use_dates"), key="audit_use_dates")
        dates = b.date_input(
            t("audit.dates"), value=(today - timedelta(days=6), today), key="audit_dates"
        )
        st.form_submit_button(t("audit.apply"), icon=":material/search:")
    start = end = None
    if use_dates and isinstance(dates, tuple | list) and len(dates) == 2:
        first, last = sorted(dates)
        period = range_from_dates(first, last + timedelta(days=1), settings().tz)
        start, end = period.start, period.end
    return AuditFilter(
        actor=who or "",
        action=action or "",
        entity=entity or "",
        vendor_id=shop,
        start=start,
        end=end,
    )


if actor.role == "finance":
    st.caption(t("audit.finance_scope"))
elif actor.role == "vendor":
    st.caption(t("audit.vendor_scope"))
filters = _read_filters()
if st.session_state.get("audit_seen") != filters:
    st.session_state["audit_seen"] = filters
    st.session_state[PAGE_KEY] = 1
bind(PAGE_KEY, "page", kind=int, default=1)
how = Reading.for_page(lang())
try:
    rows, total = audit_page(
        audit_scope, filters, st.session_state.get(PAGE_KEY, 1), PAGE_SIZE, how
    )
except UserError as exc:
    show_error(exc)
    st.stop()
freshness("audit_refresh")
if total == 0:
    empty_state(t("audit.empty"))
    st.stop()
pages = max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1)
fit_page(PAGE_KEY, pages)
st.caption(
    tn("audit.total", total, total=number(total), page=st.session_state[PAGE_KEY], pages=pages)
)
st.dataframe(
    rows,
    hide_index=True,
    column_config={t("audit.col.changes"): st.column_config.TextColumn(width="large")},
)
prev_col, next_col, download_col = st.columns([1, 1, 2])
prev_col.button(
    t("audit.prev"),
    on_click=step_page,
    args=(PAGE_KEY, -1, pages),
    key="audit_prev",
    disabled=st.session_state[PAGE_KEY] <= 1,
)
next_col.button(
    t("audit.next"),
    on_click=step_page,
    args=(PAGE_KEY, 1, pages),
    key="audit_next",
    disabled=st.session_state[PAGE_KEY] >= pages,
)
download_col.download_button(
    t("audit.download"),
    data=guarded(audit_download_builder(audit_scope, filters, how)),
    file_name=f"audit-{lang()}.xlsx",
    mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    key="audit_download",
    on_click="ignore",
    icon=":material/download:",
    help=t("widget.download_help"),  # made on the click: the button spins meanwhile
)
