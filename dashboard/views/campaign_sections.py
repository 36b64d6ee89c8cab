"""The Campaigns page's later sections: platform campaigns year over year, and live sessions."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from dashboard.i18n import all_strings, t
from dashboard.shell.context import settings
from dashboard.ui import formatting as fmt
from dashboard.ui.charts import show as show_chart
from dashboard.ui.tables import cell, show_table
from dashboard.ui.widgets import empty_state

__all__ = ["campaign_name", "live", "money_texts", "year_over_year"]


def money_texts(cents: pd.Series) -> list[str]:
    """Exact money for a chart's hover labels (its axis is in yuan)."""
    return [cell("money", v) for v in cents]


def campaign_name(code: str | None) -> str:
    """A platform campaign's name in the session's language; an unknown code as it is."""
    if code is None:
        return fmt.DASH
    key = f"campaigns.campaign.{code}"
    return t(key) if key in all_strings() else code


def _window(start, end) -> str:
    if start is None or pd.isna(start):
        return fmt.DASH
    return f"{fmt.local_datetime(start)} – {fmt.local_datetime(end)}"


def year_over_year(frame: pd.DataFrame) -> None:
    """Each platform campaign this year beside last year's, as a chart and a table."""
    st.subheader(t("campaigns.yoy.title"))
    st.caption(t("campaigns.yoy.rule"))
    if frame.empty:
        empty_state(t("campaigns.yoy.empty"))
        return
    frame = frame.assign(
        label=[
            f"{campaign_name(c)} {y}" for c, y in zip(frame["campaign"], frame["year"], strict=True)
        ],
        window=[
            _window(a, b) for a, b in zip(frame["window_start"], frame["window_end"], strict=True)
        ],
        prev_window=[
            _window(a, b)
            for a, b in zip(frame["prev_window_start"], frame["prev_window_end"], strict=True)
        ],
    )
    figure = go.Figure()
    figure.add_bar(
        x=frame["label"],
        y=frame["gmv_cents"] / 100,
        name=t("campaigns.yoy.this_year"),
        hovertext=money_texts(frame["gmv_cents"]),
    )
    figure.add_bar(
        x=frame["label"],
        y=[None if v is None else v / 100 for v in frame["prev_gmv_cents"]],
        name=t("campaigns.yoy.last_year"),
        hovertext=money_texts(frame["prev_gmv_cents"]),
    )
    figure.update_layout(
        barmode="group",
        xaxis_title=t("campaigns.col.campaign"),
        yaxis_title=t("campaigns.chart.amount", symbol=settings().currency_symbol),
        legend={"orientation": "h"},
        height=380,
    )
    show_chart(figure, key="c_yoy_chart")
    show_table(
        frame,
        [
            ("label", t("campaigns.col.campaign"), "text"),
            ("window", t("campaigns.col.window"), "text"),
            ("paid_orders", t("campaigns.col.paid_orders"), "int"),
            ("gmv_cents", t("campaigns.col.gmv"), "money"),
            ("discount_cents", t("campaigns.col.discount"), "money"),
            ("prev_window", t("campaigns.col.prev_window"), "text"),
            ("prev_paid_orders", t("campaigns.col.prev_orders"), "int"),
            ("prev_gmv_cents", t("campaigns.col.prev_gmv"), "money"),
            ("prev_discount_cents", t("campaigns.col.prev_discount"), "money"),
            ("gmv_change", t("campaigns.col.gmv_change"), "ratio"),
        ],
        key="campaigns_yoy",
    )


def live(frame: pd.DataFrame) -> None:
    """Live sessions: GMV per session, viewers, conversion."""
    st.subheader(t("campaigns.live.title"))
    st.caption(t("campaigns.live.rule"))
    if frame.empty:
        empty_state(t("campaigns.live.empty"))
        return
    figure = go.Figure(
        go.Bar(
            x=frame["title"],
            y=frame["gmv_cents"] / 100,
            name=t("campaigns.col.gmv"),
            hovertext=money_texts(frame["gmv_cents"]),
        )
    )
    figure.update_layout(
        xaxis_title=t("campaigns.col.title"),
        yaxis_title=t("campaigns.chart.amount", symbol=settings().currency_symbol),
        height=380,
    )
    show_chart(figure, key="c_live_chart")
    show_table(
        frame,
        [
            ("title", t("campaigns.col.title"), "text"),
            ("started_at", t("campaigns.col.started"), "datetime"),
            ("viewers", t("campaigns.col.viewers"), "int"),
            ("paid_orders", t("campaigns.col.paid_orders"), "int"),
            ("gmv_cents", t("campaigns.col.gmv"), "money"),
            ("buyers", t("campaigns.col.buyers"), "int"),
            ("conversion", t("campaigns.col.conversion"), "ratio"),
            ("gmv_per_viewer_cents", t("campaigns.col.gmv_per_viewer"), "money"),
        ],
        key="campaigns_live",
    )
