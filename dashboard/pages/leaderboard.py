"""Vendor leaderboard (商家排行, operators): every shop's GMV, growth, refund rate, new buyers.

Selecting a row (or picking a shop below the table) opens that shop's Sales view:
`dashboard.shell.context.open_vendor_view` sets the shop picker and `?vendor=ID`.
UI only: one cached read (`dashboard.data.sales.leaderboard_view`), then drawing.
"""

from __future__ import annotations

import streamlit as st

from dashboard.data.rollups import rollup_freshness
from dashboard.data.sales import leaderboard_view
from dashboard.i18n import choose_placeholder, status_label, t, t_plain
from dashboard.shell.context import current_actor, open_vendor_view
from dashboard.ui.tables import formatted
from dashboard.ui.widgets import (
    download_table,
    empty_state,
    freshness,
    period_form,
    picked_row,
    require_page_role,
    show_error,
)
from queries.core.errors import UserError

SPEC = [
    ("vendor_id", "sales.board.vendor_id", "id"),
    ("vendor_name", "sales.col.vendor", "text"),
    ("status_label", "sales.board.status", "text"),
    ("gmv_cents", "sales.fig.gmv", "money"),
    ("previous_gmv_cents", "sales.board.previous_gmv", "money"),
    ("gmv_growth", "sales.board.growth", "ratio"),
    ("paid_orders", "sales.fig.paid_orders", "int"),
    ("buyers", "sales.fig.buyers", "int"),
    ("new_buyers", "sales.fig.new_buyers", "int"),
    ("refunded_cents", "sales.fig.refunded", "money"),
    ("refund_rate", "sales.fig.refund_rate", "ratio"),
]


actor = current_actor()
st.title(t("page.leaderboard"))
st.caption(t("sales.board.intro"))
require_page_role(actor, "operator")

period = period_form("board")

try:
    board = leaderboard_view(period)
except UserError as exc:
    show_error(exc)
    st.stop()

if board.empty:
    empty_state(t("sales.board.empty"))
    st.stop()
if board["gmv_cents"].sum() == 0 and board["refunded_cents"].sum() == 0:
    empty_state(t("sales.board.no_sales"))

board = board.assign(status_label=[status_label("vendor", s) for s in board["status"]])
shown, columns = formatted(board, SPEC)
picked = picked_row(shown, key="board_table")
download_table(
    board[[c for c, _, _ in SPEC]], columns, file_name="vendor_leaderboard", key="dl_board"
)

if picked is not None:
    open_vendor_view(int(board["vendor_id"].iloc[picked]))

names = dict(zip(board["vendor_id"], board["vendor_name"], strict=True))
left, right = st.columns([3, 1], vertical_alignment="bottom")
picked = left.selectbox(
    t("sales.board.pick"),
    list(names),
    # A select box's options are plain text (not Markdown): the name as written.
    format_func=lambda v: t_plain("scope.vendor_option", name=names[v], vendor_id=v),
    placeholder=choose_placeholder(names),
    key="board_pick",
)
if right.button(t("sales.board.open"), key="board_open", icon=":material/open_in_new:"):
    open_vendor_view(int(picked))

freshness("board_refresh", rollups=rollup_freshness())
