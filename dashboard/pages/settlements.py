"""Settlements (结算管理), finance: a period's statements, the actions on them, month-end files.

Period form → `PeriodPick` → one cached table of every vendor → render, then
the panels that act (issue; adjust / discard / confirm / mark paid / carry;
month-end files). Each action calls one write, keeps its message for the next
run and reruns, so the table shows what the write did.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard.data import settlements as data
from dashboard.data.rollups import rollup_freshness
from dashboard.i18n import status_label, t
from dashboard.shell.context import current_actor
from dashboard.ui.formatting import money, number
from dashboard.ui.widgets import (
    Kpi,
    empty_state,
    freshness,
    kpi_row,
    show_error,
)
from dashboard.views.settlement_panels import (
    issue_panel,
    month_end_panel,
    show_flash,
    statement_panel,
)
from dashboard.views.statement_table import download_statements, period_heading, pick_period
from queries.core.errors import UserError
from queries.finance.lines import LINES


def _table(frame: pd.DataFrame) -> None:
    """Every vendor's state and lines, and its download."""
    yes, no = t("settlements.yes"), t("settlements.no")
    shown = {
        t("settlements.col.vendor"): frame["vendor_name"],
        t("settlements.col.state"): frame["status"].map(lambda s: status_label("settlement", s)),
        t("settlements.col.statement"): frame["settlement_id"].map(
            lambda v: "" if pd.isna(v) else f"#{int(v)}"
        ),
        **{t(f"settlements.line.{line}"): frame[line].map(money) for line in LINES},
        t("settlements.col.today_net"): frame["today_net_cents"].map(money),
        t("settlements.col.differs"): frame["differs"].map(lambda d: yes if d else no),
        t("settlements.col.overlaps"): frame["overlaps"],
    }
    st.dataframe(pd.DataFrame(shown), hide_index=True)
    columns = [
        ("vendor_id", "settlements.col.vendor_id", "int"),
        ("vendor_name", "settlements.col.vendor", "text"),
        ("status", "settlements.col.state", "text"),
        ("settlement_id", "settlements.col.statement", "int"),
        *((line, f"settlements.line.{line}", "money") for line in LINES),
        ("today_net_cents", "settlements.col.today_net", "money"),
        ("adjustment_note", "settlements.col.note", "text"),
        ("payment_reference", "settlements.col.reference", "text"),
    ]
    download_statements(
        frame, columns, file_name=t("settlements.file_name"), key="settlements_download"
    )


def _kpis(frame: pd.DataFrame) -> None:
    issued = frame["status"] != "not_issued"
    kpi_row(
        [
            Kpi(t("settlements.kpi.vendors"), number(len(frame))),
            Kpi(t("settlements.kpi.issued"), number(int(issued.sum()))),
            Kpi(t("settlements.kpi.not_issued"), number(int((~issued).sum()))),
            Kpi(t("settlements.kpi.net"), money(int(frame["net_cents"].sum()))),
        ]
    )


st.title(t("page.settlements"))
st.caption(t("settlements.intro"))
actor = current_actor()
show_flash()
pick = pick_period("settlements")
if pick is not None:
    try:
        table = data.period_table(pick.start, pick.end)
        freshness("settlements_refresh", rollups=rollup_freshness())
        st.subheader(period_heading(pick.start, pick.end))
        if table.empty:
            empty_state(t("settlements.no_vendors"))
        else:
            _kpis(table)
            st.caption(t("settlements.not_issued_note"))
            _table(table)
            issue_panel(actor, pick, table)
            statement_panel(actor, table, pick)
            month_end_panel(pick)
    except UserError as exc:
        show_error(exc)
