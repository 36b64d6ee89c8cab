"""The Members page's segment sections: RFM segments and monthly cohort retention."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from dashboard.i18n import t
from dashboard.ui import formatting as fmt
from dashboard.ui.charts import show as show_chart
from dashboard.ui.tables import show_table
from dashboard.ui.widgets import empty_state
from queries.members.overview import RFM_RULES

__all__ = ["cohorts", "rfm"]


def rfm(frame: pd.DataFrame) -> None:
    """Buyers per RFM segment, with the rules that define them."""
    rules = RFM_RULES
    st.subheader(t("members.rfm.title"))
    st.markdown(
        t(
            "members.rfm.rules",
            window=rules.window_days,
            recent=rules.recent_days,
            orders=rules.frequent_orders,
            money=fmt.money(rules.monetary_cents),
        )
    )
    if int(frame["buyers"].sum()) == 0:
        empty_state(t("members.rfm.empty", window=rules.window_days))
        return
    yes_no = {True: t("members.rfm.yes"), False: t("members.rfm.no")}
    frame = frame.assign(
        label=[t(f"members.rfm.{code}") for code in frame["segment"]],
        r=[yes_no[bool(v)] for v in frame["recent"]],
        f=[yes_no[bool(v)] for v in frame["frequent"]],
        m=[yes_no[bool(v)] for v in frame["high_value"]],
    )
    figure = go.Figure(go.Bar(x=frame["buyers"], y=frame["label"], orientation="h"))
    figure.update_layout(
        xaxis_title=t("members.mix.buyers"),
        yaxis_title=t("members.rfm.segment"),
        yaxis={"autorange": "reversed"},
        margin={"t": 20},
        height=360,
    )
    show_chart(figure, key="m_rfm_chart")
    show_table(
        frame,
        [
            ("label", t("members.rfm.segment"), "text"),
            ("r", t("members.rfm.r"), "text"),
            ("f", t("members.rfm.f"), "text"),
            ("m", t("members.rfm.m"), "text"),
            ("buyers", t("members.mix.buyers"), "int"),
            ("gmv_cents", t("members.rfm.gmv", window=rules.window_days), "money"),
        ],
        key="members_rfm",
    )


def cohorts(frame: pd.DataFrame) -> None:
    """Monthly cohorts' retention as a heatmap and a table."""
    months = 12
    st.subheader(t("members.cohort.title"))
    st.caption(t("members.cohort.rules", months=months))
    if frame.empty:
        empty_state(t("members.cohort.empty", months=months))
        return
    labels = [c.strftime("%Y-%m") for c in frame["cohort"]]
    frame = frame.assign(cohort_label=labels)
    grid = frame.pivot(index="cohort_label", columns="months_since", values="retention")
    grid = grid.reindex(columns=range(0, months))
    values = [[None if pd.isna(v) else float(v) for v in row] for row in grid.to_numpy()]
    figure = go.Figure(
        go.Heatmap(
            z=values,
            x=list(grid.columns),
            y=list(grid.index),
            colorscale="Blues",
            zmin=0,
            zmax=1,
            text=[[fmt.percent(v) if v is not None else "" for v in row] for row in values],
            texttemplate="%{text}",
            hovertemplate="%{y} · +%{x}: %{text}<extra></extra>",
            colorbar={"title": t("members.cohort.retention"), "tickformat": ".0%"},
        )
    )
    figure.update_layout(
        xaxis_title=t("members.cohort.months_since"),
        yaxis_title=t("members.cohort.cohort"),
        yaxis={"autorange": "reversed", "type": "category"},
        xaxis={"dtick": 1},
        margin={"t": 20},
        height=max(320, 60 + 34 * len(grid.index)),
    )
    show_chart(figure, key="m_cohort_chart")
    show_table(
        frame,
        [
            ("cohort_label", t("members.cohort.cohort"), "text"),
            ("cohort_size", t("members.cohort.size"), "int"),
            ("months_since", t("members.cohort.months_since"), "int"),
            ("buyers", t("members.cohort.buyers"), "int"),
            ("retention", t("members.cohort.retention"), "ratio"),
        ],
        key="members_cohorts",
    )
