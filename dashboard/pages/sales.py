"""Sales (销售分析): headline figures with 环比 / 同比, trend, item-sales breakdowns, refunds.

UI only: the filter form becomes a `SalesFilters`, one cached read returns the
figures (`dashboard.data.sales.sales_view`), and this script draws them.
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from dashboard.data.rollups import rollup_freshness
from dashboard.data.sales import category_view, sales_view
from dashboard.i18n import localized, status_label, t, t_plain
from dashboard.shell.context import current_actor, page_scope, settings
from dashboard.shell.url_state import bind
from dashboard.ui.charts import show as show_chart
from dashboard.ui.formatting import local_date
from dashboard.ui.tables import formatted, headline_kpis
from dashboard.ui.widgets import (
    download_table,
    empty_state,
    freshness,
    kpi_row,
    period_picker,
    show_error,
)
from dashboard.views.sales_charts import ITEM_SPEC, breakdown, trend_chart
from queries.core.errors import UserError
from queries.core.periods import TimeRange
from queries.sales.kpis import GRAINS

KPI_FIGURES = (
    "gmv_cents",
    "paid_orders",
    "buyers",
    "aov_cents",
    "refunded_cents",
    "refund_rate",
    "net_sales_cents",
)


@dataclass(frozen=True)
class SalesFilters:
    """What the filter form asked for."""

    vendor_id: int | None
    period: TimeRange
    grain: str


def _category_name(row) -> str:
    return row[localized("name")]


actor = current_actor()
scope = page_scope(actor)
st.title(t("page.sales"))
st.caption(t("sales.intro"))

with st.form("sales_filters"):
    left, right = st.columns([3, 1])
    with left:
        period = period_picker("sales", default="last_30")
    with right:
        bind("sales_grain", "grain", options=GRAINS)
        grain = st.radio(
            t("sales.grain"), GRAINS, format_func=lambda g: t(f"grain.{g}"), key="sales_grain"
        )
    st.form_submit_button(t("widget.apply"))
filters = SalesFilters(scope.vendor_id, period, grain)

try:
    view = sales_view(filters.vendor_id, filters.period, filters.grain)
except UserError as exc:
    show_error(exc)
    st.stop()

tz = settings().tz
st.caption(
    t(
        "sales.period_caption",
        first=local_date(filters.period.first_day(tz)),
        last=local_date(filters.period.last_day(tz)),
    )
)
current = view.comparison.current
if current.paid_orders == 0 and current.refunded_cents == 0:
    empty_state(t("sales.empty"))
kpi_row(headline_kpis(view.comparison, KPI_FIGURES))

st.subheader(t("sales.trend"))
show_chart(trend_chart(view.trend), key="chart_trend", grain=filters.grain)
trend_spec = [
    ("bucket", "sales.trend.bucket", "date"),
    ("gmv_cents", "sales.fig.gmv", "money"),
    ("paid_orders", "sales.fig.paid_orders", "int"),
    ("buyers", "sales.fig.buyers", "int"),
    ("aov_cents", "sales.fig.aov", "money"),
    ("refunded_cents", "sales.fig.refunded", "money"),
    ("net_sales_cents", "sales.fig.net_sales", "money"),
]
_, trend_columns = formatted(view.trend, trend_spec)
download_table(
    view.trend[[c for c, _, _ in trend_spec]],
    trend_columns,
    file_name="sales_trend",
    key="dl_trend",
)

st.subheader(t("sales.breakdowns"))
st.caption(t("sales.item_sales_note"))
views = ("category", "channel", "city_tier", "hour")
picked = (
    st.segmented_control(
        t("sales.breakdowns"),
        views,
        default="category",
        format_func=lambda v: t(f"sales.view.{v}"),
        key="sales_view",
        label_visibility="collapsed",
    )
    or "category"
)
if picked == "category":
    categories = view.items.by_category
    names = [_category_name(row) for _, row in categories.iterrows()]
    breakdown(categories, names, "sales.col.category", "dl_category")
    if not categories.empty:
        ids = [None, *categories["category_id"].tolist()]
        by_id = dict(zip(categories["category_id"], names, strict=True))
        chosen = st.selectbox(
            t("sales.pick_category"),
            ids,
            format_func=lambda c: t("sales.pick_category_none") if c is None else by_id[c],
            placeholder=t("sales.pick_category_none"),  # a chosen None shows the placeholder
            key="sales_category",
        )
        if chosen is not None:
            products = category_view(filters.vendor_id, filters.period, int(chosen))
            st.markdown(f"**{t('sales.category_products', name=by_id[chosen])}**")
            spec = [("product_id", "sales.col.product_id", "int")]
            spec += [("name", "sales.col.product", "text"), *ITEM_SPEC]
            shown, columns = formatted(products, spec)
            st.dataframe(shown, hide_index=True, width="stretch")
            download_table(
                products[[c for c, _, _ in spec]],
                columns,
                file_name=f"sales_category_{chosen}",
                key="dl_category_products",
            )
elif picked == "channel":
    labels = [status_label("channel", c) for c in view.items.by_channel["channel"]]
    breakdown(view.items.by_channel, labels, "sales.col.channel", "dl_channel")
elif picked == "city_tier":
    labels = [t(f"sales.tier.{int(c)}") for c in view.items.by_city_tier["city_tier"]]
    breakdown(view.items.by_city_tier, labels, "sales.col.city_tier", "dl_city_tier")
else:
    hours = view.items.by_hour["hour"]
    labels = [t_plain("sales.hour_label", hour=f"{int(h):02d}") for h in hours]  # chart, table
    breakdown(view.items.by_hour, labels, "sales.col.hour", "dl_hour")

st.subheader(t("sales.top_products"))
top = view.items.top_products
if top.empty:
    empty_state(t("sales.no_breakdown"))
else:
    top = top.assign(category_label=top[localized("category")])
    spec = [
        ("name", "sales.col.product", "text"),
        ("category_label", "sales.col.category", "text"),
    ]
    if scope.is_mall:
        spec.append(("vendor_name", "sales.col.vendor", "text"))
    spec += ITEM_SPEC[:3]
    shown, columns = formatted(top, spec)
    st.dataframe(shown, hide_index=True, width="stretch")
    download_table(
        top[[c for c, _, _ in spec]], columns, file_name="sales_top_products", key="dl_top"
    )

st.subheader(t("sales.refunds_by_reason"))
refunds = view.refunds_by_reason
if refunds.empty:
    empty_state(t("sales.no_refunds"))
else:
    spec = [
        ("reason", "sales.col.reason", "text"),
        ("refunds", "sales.fig.refunds", "int"),
        ("refunded_cents", "sales.fig.refunded", "money"),
    ]
    shown, columns = formatted(refunds, spec)
    st.dataframe(shown, hide_index=True, width="stretch")
    download_table(refunds, columns, file_name="sales_refunds_by_reason", key="dl_refunds")

freshness("sales_refresh", rollups=rollup_freshness())
