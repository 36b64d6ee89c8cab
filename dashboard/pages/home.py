"""Home (首页): today / last 7 days / this month for the shop, or the whole mall for staff.

For each: GMV, paid orders, buyers, AOV and refund rate with their change against
the previous period (环比), then GMV per day over the last 30 days.
UI only: one cached read (`dashboard.data.sales.home_view`), then drawing.
"""

from __future__ import annotations

from datetime import UTC, datetime

import plotly.graph_objects as go
import streamlit as st

from dashboard.data.rollups import rollup_freshness
from dashboard.data.sales import HOME_PRESETS, home_view, shop_name
from dashboard.i18n import t
from dashboard.shell.context import current_actor, page_scope, settings
from dashboard.ui.charts import show as show_chart
from dashboard.ui.formatting import money
from dashboard.ui.tables import headline_kpis
from dashboard.ui.widgets import empty_state, freshness, kpi_row, show_error
from queries.core.actors import Scope
from queries.core.errors import UserError
from queries.core.periods import next_minute_today

HOME_FIGURES = ("gmv_cents", "paid_orders", "buyers", "aov_cents", "refund_rate")

actor = current_actor()
# Vendors see their own shop; operators and finance land on the whole mall (no shop picker).
scope = page_scope(actor) if actor.role == "vendor" else Scope.mall()
if scope.is_mall:
    st.title(t("sales.home.welcome_mall"))
else:
    st.title(t("sales.home.welcome_vendor", name=shop_name(scope.vendor_id) or scope.vendor_id))

# The next whole minute (one cache entry a minute), never past the platform's day.
now = next_minute_today(datetime.now(UTC), settings().tz)
try:
    view = home_view(scope.vendor_id, now)
except UserError as exc:
    show_error(exc)
    st.stop()

for preset in HOME_PRESETS:
    st.subheader(t(f"preset.{preset}"))
    kpi_row(headline_kpis(view.comparisons[preset], HOME_FIGURES, with_year=False), columns=5)

st.subheader(t("sales.home.trend"))
daily = view.trend
if daily["paid_orders"].sum() == 0:
    empty_state(t("sales.home.empty"))
figure = go.Figure(
    go.Bar(
        x=daily["bucket"],
        y=[int(c) / 100 for c in daily["gmv_cents"]],  # chart axis only; hover shows exact money
        hovertext=[money(c) for c in daily["gmv_cents"]],
        name=t("sales.fig.gmv"),
    )
)
figure.update_layout(
    xaxis_title=t("sales.trend.bucket"),
    yaxis_title=f"{t('sales.fig.gmv')} ({settings().currency_symbol})",
    margin={"t": 20},
    height=320,
)
show_chart(figure, key="home_trend")
st.page_link("dashboard/pages/sales.py", label=t("sales.home.more"), icon=":material/monitoring:")
freshness("home_refresh", rollups=rollup_freshness())
