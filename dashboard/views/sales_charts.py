"""The Sales page's charts and breakdown tables: the trend, and item sales by one dimension."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from dashboard.i18n import t
from dashboard.shell.context import settings
from dashboard.ui.charts import show as show_chart
from dashboard.ui.formatting import money
from dashboard.ui.tables import formatted
from dashboard.ui.widgets import download_table, empty_state

__all__ = ["ITEM_SPEC", "breakdown", "trend_chart"]

ITEM_SPEC = [
    ("item_sales_cents", "sales.fig.item_sales", "money"),
    ("units", "sales.fig.units", "int"),
    ("orders", "sales.fig.orders", "int"),
    ("share", "sales.fig.share", "ratio"),
]


def _yuan(cents: pd.Series) -> list[float]:
    """Fen as yuan for chart axes only (labels and tables use exact money text)."""
    return [int(c) / 100 for c in cents]


def trend_chart(frame: pd.DataFrame) -> go.Figure:
    """GMV and net sales as lines, paid orders as bars on their own axis."""
    figure = go.Figure()
    for column, key in (("gmv_cents", "sales.fig.gmv"), ("net_sales_cents", "sales.fig.net_sales")):
        figure.add_trace(
            go.Scatter(
                x=frame["bucket"],
                y=_yuan(frame[column]),
                name=t(key),
                mode="lines+markers",
                hovertext=[money(v) for v in frame[column]],
            )
        )
    figure.add_trace(
        go.Bar(
            x=frame["bucket"],
            y=frame["paid_orders"],
            name=t("sales.fig.paid_orders"),
            yaxis="y2",
            opacity=0.3,
        )
    )
    figure.update_layout(
        xaxis_title=t("sales.trend.bucket"),
        yaxis={
            "title": f"{t('sales.fig.gmv')} ({settings().currency_symbol})",
            "rangemode": "tozero",
        },
        yaxis2={
            "title": t("sales.fig.paid_orders"),
            "overlaying": "y",
            "side": "right",
            # Its own whole-number ticks from 0, not the GMV axis's grid ("11.29 orders").
            "tickmode": "auto",
            "tickformat": ",d",
            "rangemode": "tozero",
            "showgrid": False,
        },
        legend={"orientation": "h"},
        margin={"t": 30},
        height=360,
    )
    return figure


def _bar(labels: list[str], cents: pd.Series, title: str) -> go.Figure:
    figure = go.Figure(
        go.Bar(
            x=labels,
            y=_yuan(cents),
            hovertext=[money(v) for v in cents],
        )
    )
    figure.update_layout(
        yaxis_title=f"{t('sales.fig.item_sales')} ({settings().currency_symbol})",
        xaxis_title=title,
        margin={"t": 20},
        height=320,
    )
    return figure


def breakdown(frame: pd.DataFrame, labels: list[str], label_key: str, key: str) -> None:
    """A bar chart, its table and its download, for one breakdown in item sales."""
    if frame["item_sales_cents"].sum() == 0:
        empty_state(t("sales.no_breakdown"))
        return
    show_chart(_bar(labels, frame["item_sales_cents"], t(label_key)), key=f"chart_{key}")
    data = frame.assign(label=labels)
    shown, columns = formatted(data, [("label", label_key, "text"), *ITEM_SPEC])
    st.dataframe(shown, hide_index=True, width="stretch")
    download_table(
        data[["label", *(c for c, _, _ in ITEM_SPEC)]], columns, file_name=f"sales_{key}", key=key
    )
