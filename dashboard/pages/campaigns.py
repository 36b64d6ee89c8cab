"""Campaigns (营销活动分析): promotion results, coupons, platform campaigns year over year, live."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from dashboard.data.campaigns import campaigns_report
from dashboard.i18n import status_label, t
from dashboard.shell.context import page_scope, settings
from dashboard.ui import formatting as fmt
from dashboard.ui.charts import show as show_chart
from dashboard.ui.tables import show_table
from dashboard.ui.widgets import (
    Kpi,
    empty_state,
    freshness,
    kpi_row,
    period_picker,
    show_error,
)
from dashboard.views.campaign_sections import campaign_name, live, money_texts, year_over_year
from queries.core.errors import UserError
from queries.core.periods import TimeRange


@dataclass(frozen=True)
class Filters:
    """What the filter form asked for."""

    period: TimeRange


def _filters() -> Filters:
    with st.form("campaigns_filters"):
        period = period_picker("campaigns")
        st.form_submit_button(t("widget.apply"))
    return Filters(period)


def _headline(totals: dict) -> None:
    kpi_row(
        [
            Kpi(t("campaigns.kpi.orders"), fmt.number(totals["promotion_orders"])),
            Kpi(t("campaigns.kpi.gmv"), fmt.money(totals["promotion_gmv_cents"])),
            Kpi(t("campaigns.kpi.discount"), fmt.money(totals["discount_cents"])),
            Kpi(t("campaigns.kpi.roi"), fmt.number(totals["roi"], 2)),
            Kpi(t("campaigns.kpi.platform_share"), fmt.percent(totals["platform_share"])),
            Kpi(t("campaigns.kpi.coupons_issued"), fmt.number(totals["coupons_issued"])),
            Kpi(t("campaigns.kpi.coupons_used"), fmt.number(totals["coupons_used"])),
            Kpi(t("campaigns.kpi.redemption"), fmt.percent(totals["redemption_rate"])),
            Kpi(t("campaigns.kpi.live_sessions"), fmt.number(totals["live_sessions"])),
            Kpi(t("campaigns.kpi.live_gmv"), fmt.money(totals["live_gmv_cents"])),
            Kpi(t("campaigns.kpi.live_conversion"), fmt.percent(totals["live_conversion"], 2)),
        ]
    )
    st.caption(t("campaigns.definitions"))


def _promotions(frame: pd.DataFrame) -> None:
    st.subheader(t("campaigns.promotions.title"))
    if frame.empty:
        empty_state(t("campaigns.promotions.empty"))
        return
    frame = frame.assign(
        kind_label=[status_label("kind", k) for k in frame["kind"]],
        owner=[
            t("campaigns.owner.platform")
            if pd.isna(v)
            else t("campaigns.owner.shop", vendor_id=int(v))
            for v in frame["vendor_id"]
        ],
        campaign_label=[campaign_name(None if pd.isna(c) else c) for c in frame["campaign"]],
    )
    figure = go.Figure()
    figure.add_bar(
        x=frame["name"],
        y=frame["gmv_cents"] / 100,
        name=t("campaigns.col.gmv"),
        hovertext=money_texts(frame["gmv_cents"]),
    )
    figure.add_bar(
        x=frame["name"],
        y=frame["discount_cents"] / 100,
        name=t("campaigns.col.discount"),
        hovertext=money_texts(frame["discount_cents"]),
    )
    figure.update_layout(
        title=t("campaigns.chart.gmv_vs_discount"),
        barmode="group",
        xaxis_title=t("campaigns.col.name"),
        yaxis_title=t("campaigns.chart.amount", symbol=settings().currency_symbol),
        legend={"orientation": "h"},
        height=420,
    )
    show_chart(figure, key="c_promotions_chart")
    show_table(
        frame,
        [
            ("name", t("campaigns.col.name"), "text"),
            ("kind_label", t("campaigns.col.kind"), "text"),
            ("owner", t("campaigns.col.owner"), "text"),
            ("campaign_label", t("campaigns.col.campaign"), "text"),
            ("starts_at", t("campaigns.col.starts"), "datetime"),
            ("ends_at", t("campaigns.col.ends"), "datetime"),
            ("paid_orders", t("campaigns.col.paid_orders"), "int"),
            ("gmv_cents", t("campaigns.col.gmv"), "money"),
            ("discount_cents", t("campaigns.col.discount"), "money"),
            ("platform_share", t("campaigns.col.platform_share"), "ratio"),
            ("roi", t("campaigns.col.roi"), "number"),
            ("budget_cents", t("campaigns.col.budget"), "money"),
            ("budget_used", t("campaigns.col.budget_used"), "ratio"),
        ],
        key="campaigns_promotions",
    )


def _coupons(frame: pd.DataFrame) -> None:
    st.subheader(t("campaigns.coupons.title"))
    st.caption(t("campaigns.coupons.rule"))
    if frame.empty:
        empty_state(t("campaigns.coupons.empty"))
        return
    show_table(
        frame,
        [
            ("name", t("campaigns.col.name"), "text"),
            ("issued", t("campaigns.col.issued"), "int"),
            ("used", t("campaigns.col.used"), "int"),
            ("redemption_rate", t("campaigns.col.redemption"), "ratio"),
        ],
        key="campaigns_coupons",
    )


st.title(t("page.campaigns"))
scope = page_scope()
filters = _filters()
try:
    report = campaigns_report(
        scope.vendor_id, filters.period.start, filters.period.end, filters.period.kind
    )
except UserError as exc:
    show_error(exc)
    st.stop()

freshness("campaigns_refresh")
_headline(report.totals)
_promotions(report.breakdowns["promotions"])
_coupons(report.breakdowns["coupons"])
year_over_year(report.breakdowns["campaigns"])
live(report.breakdowns["live_sessions"])
