"""Content (种草内容): notes on the shop's products, tags read before buying, tag affinity."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from dashboard.data.content import content_view
from dashboard.data.rollups import rollup_freshness
from dashboard.i18n import t
from dashboard.shell.context import page_scope, settings
from dashboard.ui.charts import show as show_chart
from dashboard.ui.tables import cell, figure_kpis, show_table
from dashboard.ui.widgets import empty_state, freshness, kpi_row, period_form, show_error
from queries.core.errors import UserError


def _headline(totals: dict) -> None:
    names = ("notes_posted", "notes_viewed", "note_views", "note_viewers")
    kpi_row(figure_kpis(totals, [(name, f"content.kpi.{name}", "int") for name in names]))
    with st.expander(t("content.definitions.title"), expanded=True):
        st.markdown(t("content.definitions"))


def _notes(frame: pd.DataFrame) -> None:
    st.subheader(t("content.notes.title"))
    if frame.empty:
        empty_state(t("content.notes.empty"))
        return
    show_table(
        frame,
        [
            ("title", t("content.col.title"), "text"),
            ("posted_at", t("content.col.posted"), "datetime"),
            ("tags", t("content.col.tags"), "text"),
            ("products", t("content.col.products"), "int"),
            ("views", t("content.col.views"), "int"),
            ("viewers", t("content.col.viewers"), "int"),
        ],
        key="content_notes",
    )


def _tags(frame: pd.DataFrame) -> None:
    st.subheader(t("content.tags.title"))
    if frame.empty:
        empty_state(t("content.tags.empty"))
        return
    figure = go.Figure(
        go.Bar(
            x=frame["tag"],
            y=frame["item_sales_cents"] / 100,
            name=t("content.col.item_sales"),
            hovertext=[cell("money", v) for v in frame["item_sales_cents"]],
        )
    )
    figure.update_layout(
        xaxis_title=t("content.col.tag"),
        yaxis_title=f"{t('content.col.item_sales')} ({settings().currency_symbol})",
        margin={"t": 20},
        height=380,
    )
    show_chart(figure, key="ct_tags_chart")
    show_table(
        frame,
        [
            ("tag", t("content.col.tag"), "text"),
            ("buyers", t("content.col.buyers"), "int"),
            ("orders", t("content.col.orders"), "int"),
            ("item_sales_cents", t("content.col.item_sales"), "money"),
        ],
        key="content_tags",
    )


def _affinity(frame: pd.DataFrame, is_mall: bool) -> None:
    st.subheader(t("content.affinity.title"))
    if is_mall:
        st.caption(t("content.affinity.mall_note"))
    if frame.empty:
        empty_state(t("content.affinity.empty"))
        return
    figure = go.Figure(
        go.Bar(
            x=frame["tag"],
            y=[None if v is None else float(v) for v in frame["affinity"]],
            name=t("content.col.affinity"),
            hovertext=[cell("number", v) for v in frame["affinity"]],
        )
    )
    figure.add_hline(y=1, line_dash="dot")
    figure.update_layout(
        xaxis_title=t("content.col.tag"),
        yaxis_title=t("content.col.affinity"),
        margin={"t": 20},
        height=380,
    )
    show_chart(figure, key="ct_affinity_chart")
    show_table(
        frame,
        [
            ("tag", t("content.col.tag"), "text"),
            ("shop_viewers", t("content.col.shop_viewers"), "int"),
            ("shop_share", t("content.col.shop_share"), "ratio"),
            ("mall_viewers", t("content.col.mall_viewers"), "int"),
            ("mall_share", t("content.col.mall_share"), "ratio"),
            ("affinity", t("content.col.affinity"), "number"),
        ],
        key="content_affinity",
    )


st.title(t("page.content"))
scope = page_scope()
period = period_form("content")
try:
    view = content_view(scope.vendor_id, period.start, period.end, period.kind)
except UserError as exc:
    show_error(exc)
    st.stop()

freshness("content_refresh", rollups=rollup_freshness())
_headline(view.totals)
_notes(view.notes)
_tags(view.tags)
_affinity(view.affinity, scope.is_mall)
