"""Smaller display points of issue 24, each on the mall of `tests/sales_data.py`:

- a typed order number is shown literally (Streamlit's Markdown turns " -- " into "—");
- the leaderboard's shop id is a number in its workbook, as on Merchants;
- cost-like figures (refunded, refund rate) are coloured so that up is bad;
- every download says, while its workbook is made, that it is being prepared
  (a deferred download: the button shows a spinner; its tooltip says so);
- the English counts are plural-correct ("the 1 order found", not "1 orders").
"""

from __future__ import annotations

import io
from datetime import date

import openpyxl
import pytest
import streamlit

from dashboard.ui.widgets import literal
from tests.apptest import AppSession, as_seen, texts
from tests.conftest import BACKENDS
from tests.sales_data import build_sales_mall


@pytest.fixture(scope="module", params=BACKENDS)
def site(request, db_factory, tmp_path_factory):
    mall = build_sales_mall(db_factory.engine(request.param))
    session = AppSession(mall.engine.url, tmp_path_factory.mktemp("display_points"))
    session.add("shop_a", role="vendor", vendor_id=mall.shop_a)
    session.add("ops", role="operator")
    return session, mall


@pytest.fixture
def downloads(monkeypatch) -> list:
    """The data (bytes or the on-click function) of every download button drawn."""
    captured: list = []
    original = streamlit.download_button

    def recording(label, data=None, *args, **kwargs):
        captured.append(data)
        return original(label, data, *args, **kwargs)

    monkeypatch.setattr(streamlit, "download_button", recording)
    return captured


def _workbook(data) -> openpyxl.Workbook:
    data = data() if callable(data) else data
    return openpyxl.load_workbook(io.BytesIO(data), read_only=True)


def _november(at, key: str):
    at.selectbox(key=f"{key}_preset").set_value("custom")
    at.date_input(key=f"{key}_dates").set_value((date(2026, 11, 1), date(2026, 11, 30)))
    [b for b in at.button if b.label == "Apply"][0].click().run()
    assert not at.exception
    return at


@pytest.mark.parametrize("typed", ["A -- B", "x -> y", "**bold** _it_ `tick`"])
def test_a_typed_order_number_is_shown_literally(site, typed):
    session, _ = site
    at = session.open("orders", as_user="shop_a")
    at.text_input(key="orders_order_no").input(typed)
    [b for b in at.button if b.label == "Search"][0].click().run()
    assert not at.exception
    messages = [info.value for info in at.info]
    # Escaped for Markdown: it shows character for character, and nothing is left to act on.
    assert any(f"No order numbered {literal(typed)} matches" in m for m in messages), messages
    assert any(f"No order numbered {typed} matches" in as_seen(m) for m in messages), messages


def test_the_leaderboards_shop_id_is_a_number_in_its_workbook(site, downloads):
    session, mall = site
    at = _november(session.open("leaderboard", as_user="ops"), "board")
    board = at.dataframe[0].value
    assert list(board["Shop ID"]) == [str(mall.shop_a), str(mall.shop_b), str(mall.shop_c)]
    sheet = _workbook(downloads[-1]).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Shop ID"
    assert [row[0] for row in rows[1:]] == [mall.shop_a, mall.shop_b, mall.shop_c]
    assert all(isinstance(row[0], int) for row in rows[1:])  # a number, not text
    # As on Merchants.
    downloads.clear()
    at = session.open("merchants", as_user="ops")
    assert not at.exception
    merchants = list(_workbook(downloads[-1]).worksheets[0].iter_rows(values_only=True))
    assert all(isinstance(row[0], int) for row in merchants[1:]) and merchants[1:]


def test_a_rising_refund_rate_is_drawn_as_bad_news(site):
    from streamlit.proto.Metric_pb2 import Metric

    session, _ = site
    at = _november(session.open("sales", as_user="shop_a"), "sales")
    metrics = {m.label: m for m in at.metric}
    # November 2598 / 29898 = 8.7 % refunded against 0.0 % in the 30 days before.
    rate = metrics["Refund rate"]
    assert rate.proto.delta.startswith("+")
    assert rate.proto.color == Metric.MetricColor.RED  # up is bad
    # Ordinary figures stay grey whatever their sign (red means "up" in China).
    assert metrics["GMV"].proto.delta.startswith("+")
    assert metrics["GMV"].proto.color == Metric.MetricColor.GRAY
    # A cost-like figure without a change has no colour either.
    assert metrics["Refunded"].proto.delta == "—"
    assert metrics["Refunded"].proto.color == Metric.MetricColor.GRAY


def test_every_download_is_made_on_click_and_says_so(site):
    session, _ = site
    at = _november(session.open("sales", as_user="shop_a"), "sales")
    buttons = at.get("download_button")
    assert buttons
    for button in buttons:
        assert button.proto.deferred_file_id  # the button spins while its file is made
        assert "spinner" in button.proto.help
    at = session.open("orders", as_user="shop_a")
    orders = [b for b in at.get("download_button") if b.proto.label.startswith("Download the")]
    assert orders and orders[0].proto.deferred_file_id
    assert "take a moment" in orders[0].proto.help


def test_english_counts_are_plural_correct(site):
    session, _ = site
    at = session.open("orders", as_user="shop_a")
    at.text_input(key="orders_order_no").input(_first_order_no(at))
    [b for b in at.button if b.label == "Search"][0].click().run()
    assert not at.exception
    download = [b for b in at.get("download_button") if b.proto.label.startswith("Download the")]
    assert download[0].proto.help == "Builds a workbook of the 1 order found when clicked."
    assert "1 orders" not in texts(at)


def _first_order_no(at) -> str:
    return str(at.dataframe[0].value["Order no."].iloc[0])


def test_one_shop_is_one_shop(site):
    session, _ = site
    at = session.open("merchants", as_user="ops")
    assert any(c.value.startswith("3 shops · ") for c in at.caption)
    at.text_input(key="merchants_search").input("Shop A")
    [b for b in at.button if b.label == "Search"][0].click().run()
    assert not at.exception
    captions = [c.value for c in at.caption]
    assert any(c.startswith("1 shop · ") for c in captions), captions


def test_every_singular_form_has_its_plural():
    """A `.one` key is the count-of-1 form of its base key, which must exist."""
    from dashboard.i18n import all_strings

    table = all_strings()
    singular = [key for key in table if key.endswith(".one") and key[:-4] in table]
    assert {"orders.download_help.one", "merchants.total.one", "audit.total.one"} <= set(singular)
    for key in singular:
        assert "{count}" not in table[key][1], key  # "1 shop", not "{count} shop"
