"""Reconciliation (对账), finance: issued statements against today's data, and odd orders.

Period form → `PeriodPick` → one cached `Reconciliation` → four tables: the
differing lines, their candidate causes, orders whose payments do not add up,
and paid orders cancelled without a completed refund.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard.data import settlements as data
from dashboard.i18n import status_label, t
from dashboard.shell.context import current_actor
from dashboard.ui.formatting import as_datetime, local_date, local_datetime, money, number
from dashboard.ui.widgets import (
    Kpi,
    download_table,
    empty_state,
    freshness,
    kpi_row,
    show_error,
)
from dashboard.views.statement_table import period_heading, pick_period
from exports.xlsx import Column
from queries.core.errors import UserError


def _section(frame: pd.DataFrame, spec, heading: str, key: str, help_key: str | None = None):
    """A heading, a formatted table (or "none") and its download."""
    st.subheader(t(heading))
    if help_key:
        st.caption(t(help_key))
    if frame.empty:
        empty_state(t("settlements.rec.none"))
        return
    shown = {}
    for column, header, _kind, show in spec:
        shown[t(header)] = frame[column].map(show) if show else frame[column]
    st.dataframe(pd.DataFrame(shown), hide_index=True)
    export = frame[[c for c, _, _, _ in spec]].copy()
    for column, _, kind, show in spec:
        if kind == "text" and show is not None:
            export[column] = frame[column].map(show)
    download_table(
        export,
        [Column(t(h), kind) for _, h, kind, _ in spec],
        file_name=f"{t('settlements.rec.file_name')}-{key}",
        key=f"reconciliation_{key}_download",
    )


def _line(code: str) -> str:
    return t(f"settlements.line.{code}")


def _when(value) -> str:
    return local_datetime(as_datetime(value))


DIFFERENCES = [
    ("settlement_id", "settlements.col.statement", "int", lambda v: f"#{v}"),
    ("vendor_name", "settlements.col.vendor", "text", None),
    ("period_start", "settlements.col.period_start", "date", local_date),
    ("period_end", "settlements.col.period_end", "date", local_date),
    ("status", "settlements.col.state", "text", lambda s: status_label("settlement", s)),
    ("line", "settlements.col.line", "text", _line),
    ("frozen_cents", "settlements.col.frozen", "money", money),
    ("today_cents", "settlements.col.today", "money", money),
    ("difference_cents", "settlements.col.difference", "money", money),
]
CAUSES = [
    ("settlement_id", "settlements.col.statement", "int", lambda v: f"#{v}"),
    ("line", "settlements.col.line", "text", _line),
    ("kind", "settlements.col.kind", "text", lambda k: t(f"settlements.kind.{k}")),
    ("ref", "settlements.col.ref", "text", None),
    ("order_no", "settlements.col.order_no", "text", None),
    ("amount_cents", "settlements.col.amount", "money", money),
    ("reason", "settlements.col.reason", "text", lambda r: t(f"settlements.reason.{r}")),
]
MISMATCHES = [
    ("order_no", "settlements.col.order_no", "text", None),
    ("vendor_name", "settlements.col.vendor", "text", None),
    ("paid_at", "settlements.col.paid_time", "datetime", _when),
    ("paid_cents", "settlements.col.paid", "money", money),
    ("payments_cents", "settlements.col.payments", "money", money),
]
CANCELLED = [
    ("order_no", "settlements.col.order_no", "text", None),
    ("vendor_name", "settlements.col.vendor", "text", None),
    ("paid_at", "settlements.col.paid_time", "datetime", _when),
    ("paid_cents", "settlements.col.paid", "money", money),
]


st.title(t("page.reconciliation"))
st.caption(t("settlements.rec.intro"))
current_actor()
pick = pick_period("reconciliation")
if pick is not None:
    try:
        result = data.reconciliation(pick.start, pick.end)
        freshness("reconciliation_refresh")
        st.caption(period_heading(pick.start, pick.end))
        differing = result.differences["settlement_id"].nunique()
        kpi_row(
            [
                Kpi(t("settlements.rec.kpi.differences"), number(differing)),
                Kpi(t("settlements.rec.kpi.mismatches"), number(len(result.payment_mismatches))),
                Kpi(t("settlements.rec.kpi.cancelled"), number(len(result.cancelled_unrefunded))),
            ],
            columns=3,
        )
        if result.is_clean:
            st.success(t("settlements.rec.clean"))
        _section(result.differences, DIFFERENCES, "settlements.rec.differences", "differences")
        if not result.causes.empty:
            _section(
                result.causes,
                CAUSES,
                "settlements.rec.causes",
                "causes",
                "settlements.rec.causes_help",
            )
        _section(result.payment_mismatches, MISMATCHES, "settlements.rec.mismatches", "payments")
        _section(result.cancelled_unrefunded, CANCELLED, "settlements.rec.cancelled", "cancelled")
    except UserError as exc:
        show_error(exc)
