"""Audit log (操作日志): who changed what, when and why.

Operators see every action in the mall and filter by actor, action, shop and
date; a vendor sees the actions on their own shop; finance the settlement
actions. Paged in SQL; the filtered trail downloads as a workbook.
"""

from __future__ import annotations

import json
from datetime import timedelta

import pandas as pd
import streamlit as st

from dashboard.context import current_actor, page_scope, settings
from dashboard.data.audit import AuditFilter, action_choices, audit_download_builder, audit_page
from dashboard.formatting import local_datetime, number
from dashboard.i18n import lang, t
from dashboard.widgets import empty_state, freshness, show_error, today_local
from exports.xlsx import Column, frame_to_xlsx
from queries.audit import AuditScope
from queries.errors import UserError
from queries.periods import range_from_dates

PAGE_SIZE = 50
PAGE_KEY = "audit_page_no"

actor = current_actor()
audit_scope = AuditScope.for_actor(actor)
shop = page_scope(actor).vendor_id if actor.role == "operator" else None
st.title(t("page.audit"))


def _read_filters() -> AuditFilter:
    today = today_local()
    with st.form("audit_filters"):
        a, b = st.columns(2)
        who = a.text_input(t("audit.actor"), key="audit_actor")
        actions = ["", *action_choices(audit_scope)]
        action = b.selectbox(
            t("audit.action"),
            actions,
            format_func=lambda x: t("audit.any_action") if not x else x,
            key="audit_action",
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
        actor=who.strip(), action_prefix=action, vendor_id=shop, start=start, end=end
    )


def _changes(before: str | None, after: str | None) -> str:
    """`field: old → new` for each changed field of the audit row."""
    try:
        old = json.loads(before) if isinstance(before, str) and before else {}
        new = json.loads(after) if isinstance(after, str) and after else {}
    except ValueError:
        return ""
    if not isinstance(old, dict) or not isinstance(new, dict):
        return ""
    keys = list(dict.fromkeys([*old, *new]))
    return "; ".join(f"{k}: {old.get(k, '—')} → {new.get(k, '—')}" for k in keys)


def _labels() -> dict[str, str]:
    """The translated words the table and the workbook use, read in the page's own run."""
    keys = ("at", "actor", "role", "action", "entity", "shop", "reason", "changes")
    out = {key: t(f"audit.col.{key}") for key in keys}
    out.update({f"role.{r}": t(f"role.{r}") for r in ("vendor", "operator", "finance")})
    return out


def _frame(rows: pd.DataFrame, words: dict[str, str]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            words["at"]: [local_datetime(v.to_pydatetime()) for v in rows["at"]],
            words["actor"]: rows["actor"],
            words["role"]: rows["role"].map(lambda r: words.get(f"role.{r}", r)),
            words["action"]: rows["action"],
            words["entity"]: rows["entity"] + " #" + rows["entity_id"],
            words["shop"]: [("—" if pd.isna(v) else f"#{v}") for v in rows["vendor_id"]],
            words["reason"]: rows["reason"].fillna(""),
            words["changes"]: [
                _changes(b, a) for b, a in zip(rows["before"], rows["after"], strict=True)
            ],
        }
    )


def _xlsx_writer(words: dict[str, str], sheet: str):
    """A function turning trail rows into a workbook; it runs on click, outside the page run."""
    config = settings()

    def write(rows: pd.DataFrame) -> bytes:
        frame = _frame(rows, words).astype(object)
        frame[words["at"]] = [v.to_pydatetime() for v in rows["at"]]
        columns = [Column(name, "datetime" if i == 0 else "text") for i, name in enumerate(frame)]
        return frame_to_xlsx(
            {sheet[:31]: (frame, columns)}, tz=config.tz, currency_symbol=config.currency_symbol
        )

    return write


def _step(delta: int, pages: int) -> None:
    st.session_state[PAGE_KEY] = min(max(st.session_state.get(PAGE_KEY, 1) + delta, 1), pages)


if actor.role == "finance":
    st.caption(t("audit.finance_scope"))
elif actor.role == "vendor":
    st.caption(t("audit.vendor_scope"))
filters = _read_filters()
if st.session_state.get("audit_seen") != filters:
    st.session_state["audit_seen"] = filters
    st.session_state[PAGE_KEY] = 1
try:
    rows, total = audit_page(audit_scope, filters, st.session_state.get(PAGE_KEY, 1), PAGE_SIZE)
except UserError as exc:
    show_error(exc)
    st.stop()
freshness("audit_refresh")
if total == 0:
    empty_state(t("audit.empty"))
    st.stop()
pages = max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1)
st.caption(t("audit.total", total=number(total), page=st.session_state[PAGE_KEY], pages=pages))
words = _labels()
st.dataframe(_frame(rows, words), hide_index=True)
prev_col, next_col, download_col = st.columns([1, 1, 2])
prev_col.button(
    t("audit.prev"),
    on_click=_step,
    args=(-1, pages),
    key="audit_prev",
    disabled=st.session_state[PAGE_KEY] <= 1,
)
next_col.button(
    t("audit.next"),
    on_click=_step,
    args=(1, pages),
    key="audit_next",
    disabled=st.session_state[PAGE_KEY] >= pages,
)
download_col.download_button(
    t("audit.download"),
    data=audit_download_builder(audit_scope, filters, _xlsx_writer(words, t("page.audit"))),
    file_name=f"audit-{lang()}.xlsx",
    mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    key="audit_download",
    on_click="ignore",
    icon=":material/download:",
)
