"""Members (会员分析): new vs returning buyers, who they are, RFM segments, cohort retention."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from dashboard.data.members import members_view
from dashboard.data.rollups import rollup_freshness
from dashboard.i18n import status_label, t
from dashboard.shell.context import page_scope, settings
from dashboard.shell.url_state import bind
from dashboard.ui.charts import show as show_chart
from dashboard.ui.tables import figure_kpis, show_table
from dashboard.ui.widgets import empty_state, freshness, kpi_row, period_picker, show_error
from dashboard.views.member_segments import cohorts, rfm
from queries.core.errors import UserError
from queries.core.periods import TimeRange

GRAINS = ("day", "week", "month")
HEADLINE = [
    ("buyers", "members.kpi.buyers", "int"),
    ("new_buyers", "members.kpi.new", "int"),
    ("returning_buyers", "members.kpi.returning", "int"),
    ("repurchase_rate", "members.kpi.repurchase_rate", "ratio"),
]


@dataclass(frozen=True)
class Filters:
    """What the filter form asked for."""

    period: TimeRange
    grain: str


def _filters() -> Filters:
    with st.form("members_filters"):
        left, right = st.columns([3, 1])
        with left:
            period = period_picker("members")
        with right:
            bind("m_grain", "grain", options=GRAINS)
            grain = st.selectbox(
                t("members.grain"), GRAINS, format_func=lambda g: t(f"grain.{g}"), key="m_grain"
            )
        st.form_submit_button(t("widget.apply"))
    return Filters(period, grain)


def _headline(totals: dict) -> None:
    kpi_row(figure_kpis(totals, HEADLINE))
    st.caption(t("members.definitions", tz=settings().timezone))


def _trend(frame: pd.DataFrame, grain: str) -> None:
    st.subheader(t("members.trend.title"))
    if frame.empty:
        return
    figure = go.Figure()
    figure.add_bar(x=frame["bucket"], y=frame["new_buyers"], name=t("members.kpi.new"))
    figure.add_bar(x=frame["bucket"], y=frame["returning_buyers"], name=t("members.kpi.returning"))
    figure.add_scatter(
        x=frame["bucket"],
        y=[None if r is None else float(r) for r in frame["repurchase_rate"]],
        name=t("members.kpi.repurchase_rate"),
        yaxis="y2",
        mode="lines+markers",
    )
    figure.update_layout(
        barmode="stack",
        xaxis_title=t("members.trend.bucket"),
        yaxis_title=t("members.kpi.buyers"),
        yaxis2={
            "title": t("members.trend.rate_axis"),
            "overlaying": "y",
            "side": "right",
            "tickformat": ".1%",
            "rangemode": "tozero",
            "tickmode": "auto",  # its own round ticks, not the buyers axis's grid
            "showgrid": False,
        },
        legend={"orientation": "h"},
        margin={"t": 30},
        height=420,
    )
    show_chart(figure, key="m_trend_chart", grain=grain)
    show_table(
        frame,
        [
            ("bucket", t("members.trend.bucket"), "date"),
            ("buyers", t("members.kpi.buyers"), "int"),
            ("new_buyers", t("members.kpi.new"), "int"),
            ("returning_buyers", t("members.kpi.returning"), "int"),
            ("repurchase_buyers", t("members.kpi.repurchase"), "int"),
            ("repurchase_rate", t("members.kpi.repurchase_rate"), "ratio"),
        ],
        key="members_trend",
    )


def _mix(view) -> None:
    st.subheader(t("members.mix.title"))
    labels = {
        "level": lambda v: status_label("level", v),
        "city_tier": lambda v: t(f"members.tier.{v}"),
        "age_band": lambda v: t(f"members.age.{v}"),
    }
    frames = {"level": view.levels, "city_tier": view.tiers, "age_band": view.age_bands}
    for cell, (by, frame) in zip(st.columns(3), frames.items(), strict=True):
        with cell:
            frame = frame.assign(label=[labels[by](v) for v in frame[by]])
            figure = go.Figure(go.Bar(x=frame["label"], y=frame["buyers"]))
            figure.update_layout(
                title=t(f"members.mix.{by}"),
                xaxis_title=t(f"members.mix.{by}"),
                yaxis_title=t("members.mix.buyers"),
                margin={"t": 40},
                height=320,
            )
            show_chart(figure, key=f"m_mix_{by}")
            show_table(
                frame,
                [
                    ("label", t(f"members.mix.{by}"), "text"),
                    ("buyers", t("members.mix.buyers"), "int"),
                    ("share", t("members.mix.share"), "ratio"),
                ],
                key=f"members_{by}",
            )


st.title(t("page.members"))
scope = page_scope()
filters = _filters()
try:
    view = members_view(
        scope.vendor_id,
        filters.period.start,
        filters.period.end,
        filters.period.kind,
        filters.grain,
    )
except UserError as exc:
    show_error(exc)
    st.stop()

freshness("members_refresh", rollups=rollup_freshness())
if view.totals["buyers"] == 0:
    empty_state(t("members.empty"))
_headline(view.totals)
_trend(view.trend, filters.grain)
_mix(view)
rfm(view.rfm)
cohorts(view.cohorts)
