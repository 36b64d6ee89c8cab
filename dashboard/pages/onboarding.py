"""Supplier onboarding (供应商入驻, operators): the review queue, one application, decisions.

Status tabs with counts (a segmented control: only the chosen list is read) →
filter form → `QueueFilters` → one cached read → the queue, oldest first, with
those past the review deadline highlighted. Opening an application shows every
field, the licence check, possible duplicates and its decision history, and
the decision form. Approving may also create the shop's login account; its
one-time password is shown once, right after.
"""

from __future__ import annotations

from datetime import timedelta

import pandas as pd
import streamlit as st

from dashboard.data.onboarding import (
    QueueFilters,
    choices,
    counts,
    queue,
)
from dashboard.i18n import localized, pick, status_label, t, t_plain
from dashboard.shell.context import current_actor, settings
from dashboard.shell.url_state import bind
from dashboard.ui.formatting import as_datetime, local_datetime, number
from dashboard.ui.widgets import (
    download_table,
    empty_state,
    freshness,
    require_page_role,
    show_error,
    today_local,
)
from dashboard.views.onboarding_detail import show_detail, show_flash
from exports.xlsx import Column
from queries.core.errors import UserError
from queries.core.schema import APPLICATION_STATUSES
from queries.merchants.onboarding import QUEUE_LIMIT


def _waited(hours: float) -> str:
    """How long an application waited, for a table cell (plain text, not Markdown)."""
    if hours < 48:
        return t_plain("onboarding.waited_hours", hours=number(hours, 1))
    return t_plain("onboarding.waited_days", days=number(hours / 24, 1))


def _category_label(category_id: int | None) -> str:
    if category_id is None:
        return t("onboarding.any_category")
    for cid, name, name_en, parent in choices().categories:
        if cid == category_id:
            label = pick(name, name_en)
            return f"— {label}" if parent is not None else label
    return str(category_id)


def _read_filters(status: str) -> QueueFilters | None:
    """The filter form; None (with the reason shown) when its dates cannot be used."""
    offered = choices()
    today = today_local()
    with st.form("onboarding_filters"):
        a, b, c = st.columns([2, 2, 3])
        category_id = a.selectbox(
            t("onboarding.category"),
            [None, *(cid for cid, *_ in offered.categories)],
            format_func=_category_label,
            placeholder=_category_label(None),  # Streamlit shows a chosen None as this
            key="onboarding_category",
        )
        region = b.selectbox(
            t("onboarding.region"),
            [None, *offered.regions],
            format_func=lambda r: t("onboarding.any_region") if r is None else r,
            placeholder=t("onboarding.any_region"),  # a chosen None shows the placeholder
            key="onboarding_region",
        )
        bind("onboarding_search", "q")
        search = c.text_input(t("onboarding.search"), key="onboarding_search")
        a, b = st.columns([1, 2])
        use_dates = a.checkbox(t("onboarding.use_dates"), key="onboarding_use_dates")
        dates = b.date_input(
            t("onboarding.dates"),
            value=(today - timedelta(days=29), today),
            key="onboarding_dates",
        )
        st.form_submit_button(t("onboarding.apply"), icon=":material/search:")
    first = last = None
    if use_dates:
        if not isinstance(dates, tuple | list) or len(dates) != 2:
            st.warning(t("onboarding.bad_dates"))
            return None
        first, last = sorted(dates)
    return QueueFilters(
        status=status,
        category_id=category_id,
        region=region,
        submitted_from=first,
        submitted_to=last,
        search=search.strip() or None,
    )


def _category_name(row) -> str:
    return row[localized("category_name")]


def _show_queue(rows: pd.DataFrame, filters: QueueFilters) -> None:
    """The queue table (overdue rows highlighted) and its workbook."""
    deadline = settings().review_deadline_days
    overdue = int(rows["overdue"].sum())
    if overdue:
        st.warning(t("onboarding.overdue_count", count=overdue, days=deadline))
    if len(rows) >= QUEUE_LIMIT:
        st.caption(t("onboarding.limited", count=number(QUEUE_LIMIT)))
    decided = filters.status in ("approved", "rejected")
    shown = pd.DataFrame(
        {
            t("onboarding.col.id"): rows["application_id"].astype(str),
            t("onboarding.col.company"): rows["company_name"],
            t("onboarding.col.licence"): rows["business_license_no"],
            t("onboarding.col.category"): [_category_name(r) for _, r in rows.iterrows()],
            t("onboarding.col.region"): rows["region"],
            t("onboarding.col.submitted"): [
                local_datetime(as_datetime(v)) for v in rows["submitted_at"]
            ],
            t("onboarding.col.waited"): rows["waited_hours"].map(_waited),
            t("onboarding.col.overdue"): [
                t("onboarding.overdue_yes") if o else "" for o in rows["overdue"]
            ],
        }
    )
    if decided:
        shown[t("onboarding.col.reviewed_by")] = rows["reviewed_by"].fillna("")
    flags = dict(zip(rows.index, rows["overdue"], strict=True))

    def highlight(row: pd.Series) -> list[str]:
        color = "background-color: #fde2e1" if flags[row.name] else ""
        return [color] * len(row)

    st.dataframe(shown.style.apply(highlight, axis=1), hide_index=True, width="stretch")
    export = rows.assign(
        status_label=[status_label("application", s) for s in rows["status"]],
        category=[_category_name(r) for _, r in rows.iterrows()],
        overdue_label=[t("onboarding.overdue_yes") if o else "" for o in rows["overdue"]],
    )
    spec = [
        ("application_id", "onboarding.col.id", "int"),
        ("company_name", "onboarding.col.company", "text"),
        ("business_license_no", "onboarding.col.licence", "text"),
        ("category", "onboarding.col.category", "text"),
        ("region", "onboarding.col.region", "text"),
        ("contact_name", "onboarding.col.contact", "text"),
        ("contact_email", "onboarding.col.email", "text"),
        ("contact_phone", "onboarding.col.phone", "text"),
        ("submitted_at", "onboarding.col.submitted", "datetime"),
        ("status_label", "onboarding.col.status", "text"),
        ("waited_days", "onboarding.col.waited_days", "number"),
        ("overdue_label", "onboarding.col.overdue", "text"),
        ("reviewed_by", "onboarding.col.reviewed_by", "text"),
        ("reviewed_at", "onboarding.col.reviewed_at", "datetime"),
        ("review_note", "onboarding.col.note", "text"),
    ]
    download_table(
        export[[c for c, _, _ in spec]],
        [Column(t(h), kind) for _, h, kind in spec],
        file_name=f"{t('onboarding.file_name')}-{filters.status}",
        key="onboarding_download",
    )


actor = current_actor()
st.title(t("page.onboarding"))
st.caption(t("onboarding.intro"))
require_page_role(actor, "operator")

show_flash()
try:
    tally = counts()
    st.subheader(t("onboarding.by_status"))
    bind("onboarding_status", "status", options=APPLICATION_STATUSES, default="pending")
    status = (
        st.segmented_control(
            t("onboarding.col.status"),
            APPLICATION_STATUSES,
            default="pending",
            format_func=lambda s: t(
                "onboarding.tab", status=status_label("application", s), count=number(tally[s])
            ),
            key="onboarding_status",
            label_visibility="collapsed",
        )
        or "pending"
    )
    filters = _read_filters(status)
    if filters is not None:
        rows = queue(filters)
        if rows.empty:
            if filters == QueueFilters(status=status):
                empty_state(
                    t("onboarding.empty_status", status=status_label("application", status))
                )
            else:
                empty_state(t("onboarding.empty"))
        else:
            _show_queue(rows, filters)
            ids = [int(i) for i in rows["application_id"]]
            names = dict(zip(ids, rows["company_name"], strict=True))
            picked = st.selectbox(
                t("onboarding.open"),
                ids,
                index=0 if len(ids) == 1 else None,
                format_func=lambda i: f"#{i} {names[i]}",
                placeholder=t("onboarding.open_placeholder"),
                key=f"onboarding_pick_{status}",
            )
            if picked is not None:
                show_detail(actor, int(picked))
    freshness("onboarding_refresh")
except UserError as exc:
    show_error(exc)
