"""Campaigns (营销活动分析): promotion results, coupons, platform campaigns year over year, live."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from dashboard.data.campaigns import campaigns_report
from dashboard.data.rollups import rollup_freshness
from dashboard.i18n import status_label, t
from dashboard.shell.context import page_scope, settings
from dashboard.ui.charts import show as show_chart
from dashboard.ui.tables import figure_kpis, show_table
from dashboard.ui.widgets import empty_state, freshness, kpi_row, period_form, show_error
from dashboard.views.campaign_sections import campaign_name, live, money_texts, year_over_year
from queries.core.errors import UserError

# Headline total → (label key, kind).
HEADLINE = [
    ("promotion_orders", "campaigns.kpi.orders", "int"),
    ("promotion_gmv_cents", "campaigns.kpi.gmv", "money"),
    ("discount_cents", "campaigns.kpi.discount", "money"),
    ("roi", "campaigns.kpi.roi", "number"),
    ("platform_share", "campaigns.kpi.platform_share", "ratio"),
    ("coupons_issued", "campaigns.kpi.coupons_issued", "int"),
    ("coupons_used", "campaigns.kpi.coupons_used", "int"),
    ("redemption_rate", "campaigns.kpi.redemption", "ratio"),
    ("live_sessions", "campaigns.kpi.live_sessions", "int"),
    ("live_gmv_cents", "campaigns.kpi.live_gmv", "money"),
    ("live_conversion", "campaigns.kpi.live_conversion", "ratio2"),
]


def _headline(totals: dict) -> None:
    kpi_row(figure_kpis(totals, HEADLINE))
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
period = period_form("campaigns")
try:
    report = campaigns_report(scope.vendor_id, period.start, period.end, period.kind)
except UserError as exc:
    show_error(exc)
    st.stop()

freshness("campaigns_refresh", rollups=rollup_freshness())
_headline(report.totals)
_promotions(report.breakdowns["promotions"])
_coupons(report.breakdowns["coupons"])
year_over_year(report.breakdowns["campaigns"])
live(report.breakdowns["live_sessions"])
