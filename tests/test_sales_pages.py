"""Home, Sales and Vendor leaderboard pages in AppTest, on the mall of `tests/sales_data.py`.

Shop A in November 2026: GMV ¥298.98, 4 paid orders, 3 buyers, AOV ¥74.75, refunded ¥25.98,
net ¥273.00. The whole mall: GMV ¥348.98, 5 orders, 4 buyers. Shop B sells "Lipstick";
A's pages must never show it.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from queries.core.actors import Scope
from queries.core.periods import preset_range
from queries.core.settings import load_settings
from queries.sales.kpis import headline
from tests.apptest import AppSession, texts
from tests.conftest import BACKENDS
from tests.sales_data import build_sales_mall


@pytest.fixture(scope="module", params=BACKENDS)
def site(request, db_factory, tmp_path_factory):
    mall = build_sales_mall(db_factory.engine(request.param))
    session = AppSession(mall.engine.url, tmp_path_factory.mktemp("sales_pages"))
    session.add("shop_a", role="vendor", vendor_id=mall.shop_a)
    session.add("ops", role="operator")
    session.add("money", role="finance")
    return session, mall


def _november(at):
    """Pick the custom range 2026-11-01 … 2026-11-30 in the filter form and apply it."""
    at.selectbox(key="sales_preset").set_value("custom")
    at.date_input(key="sales_dates").set_value((date(2026, 11, 1), date(2026, 11, 30)))
    [b for b in at.button if b.label == "Apply"][0].click().run()
    assert not at.exception
    return at


def _metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_sales_as_vendor_shows_only_their_shop(site):
    session, _ = site
    at = _november(session.open("sales", as_user="shop_a"))
    figures = _metrics(at)
    assert figures["GMV"] == "¥298.98"
    assert figures["Paid orders"] == "4"
    assert figures["Buyers"] == "3"
    assert figures["AOV"] == "¥74.75"  # 29898 / 4 = 7474.5 → 7475 fen
    assert figures["Refunded"] == "¥25.98"
    assert figures["Net sales"] == "¥273.00"
    # The change leads the delta, so the arrow follows its sign; "vs previous" describes it.
    for metric in at.metric:
        assert metric.delta[0] in "+-—", metric.delta
        assert metric.proto.delta_description == "vs previous"
    page = texts(at)
    assert "Lipstick" not in page and "Shop B" not in page
    # Categories in item sales: 美妆 ¥190.00, 服饰 ¥100.98 (English names on an English page).
    table = at.dataframe[0].value
    assert list(table["Category"]) == ["Beauty", "Clothing"]
    assert list(table["Item sales"]) == ["¥190.00", "¥100.98"]
    assert "Item sales" in page
    # Top products: Serum then Scarf; no shop column for one shop.
    top = at.dataframe[1].value
    assert list(top["Product"]) == ["Serum", "Scarf"]
    assert "Shop" not in top.columns
    # Every table can be downloaded.
    assert len(at.get("download_button")) == 4  # trend, categories, top products, refunds


def test_sales_category_drill_down_and_other_views(site):
    session, mall = site
    at = _november(session.open("sales", as_user="shop_a"))
    at.selectbox(key="sales_category").set_value(mall.beauty).run()
    assert not at.exception
    products = at.dataframe[1].value
    assert list(products["Product"]) == ["Serum"]
    assert list(products["Item sales"]) == ["¥190.00"]
    at.segmented_control(key="sales_view").set_value("channel").run()
    assert list(at.dataframe[0].value["Channel"]) == ["App", "Live", "Mini program"]
    at.segmented_control(key="sales_view").set_value("hour").run()
    assert len(at.dataframe[0].value) == 24
    assert not at.exception


def test_sales_as_operator_for_the_mall_and_one_shop(site):
    session, mall = site
    at = _november(session.open("sales", as_user="ops"))
    assert _metrics(at)["GMV"] == "¥348.98"
    assert "Lipstick" in texts(at)
    at = _november(session.open("sales", as_user="ops", query={"vendor": str(mall.shop_b)}))
    assert _metrics(at)["GMV"] == "¥50.00"
    assert "Serum" not in texts(at)


def test_sales_as_finance_and_an_empty_period(site):
    session, _ = site
    at = session.open("sales", as_user="money")
    at.selectbox(key="sales_preset").set_value("custom")
    at.date_input(key="sales_dates").set_value((date(2026, 6, 1), date(2026, 6, 30)))
    [b for b in at.button if b.label == "Apply"][0].click().run()
    assert not at.exception
    figures = _metrics(at)
    assert figures["GMV"] == "¥0.00"
    assert figures["AOV"] == "—"
    assert figures["Refund rate"] == "—"
    assert {m.label: m.delta for m in at.metric}["GMV"] == "—"  # nothing to compare with
    assert "every figure is zero" in texts(at)


def _this_month_gmv(mall, vendor_id) -> str:
    """What the Home page must show for this month, from the same rule (clock independent)."""
    tz = load_settings().tz
    now = datetime.now(UTC).replace(second=0, microsecond=0) + timedelta(minutes=1)
    with mall.engine.connect() as conn:
        h = headline(
            conn,
            scope=Scope(vendor_id),
            period=preset_range("this_month", now, tz),
            tz=tz.key,
        )
    cents = h.gmv_cents
    return f"¥{cents // 100:,}.{cents % 100:02d}"


def test_home_as_vendor(site):
    session, mall = site
    at = session.open("home", as_user="shop_a")
    assert not at.exception
    assert at.title[0].value == "Shop A at a glance"
    # Three presets × five figures.
    assert len(at.metric) == 15
    assert [m.label for m in at.metric[:5]] == [
        "GMV",
        "Paid orders",
        "Buyers",
        "AOV",
        "Refund rate",
    ]
    assert at.metric[10].value == _this_month_gmv(mall, mall.shop_a)
    assert "Lipstick" not in texts(at) and "Shop B" not in texts(at)


@pytest.mark.parametrize("user", ["ops", "money"])
def test_home_as_staff_shows_the_whole_mall(site, user):
    session, mall = site
    at = session.open("home", as_user=user)
    assert not at.exception
    assert at.title[0].value == "The whole mall at a glance"
    assert at.metric[10].value == _this_month_gmv(mall, None)


def test_leaderboard_as_operator_opens_a_shop(site):
    session, mall = site
    at = session.open("leaderboard", as_user="ops")
    at.selectbox(key="board_preset").set_value("custom")
    at.date_input(key="board_dates").set_value((date(2026, 11, 1), date(2026, 11, 30)))
    [b for b in at.button if b.label == "Apply"][0].click().run()
    assert not at.exception
    board = at.dataframe[0].value
    assert list(board["Shop"]) == ["Shop A", "Shop B", "Shop C"]
    assert list(board["GMV"]) == ["¥298.98", "¥50.00", "¥0.00"]
    # A: (29898 − 10000) / 10000 = +199.0 %; B had no October sales; C sold nothing.
    assert list(board["GMV growth"]) == ["199.0%", "—", "—"]
    assert list(board["Refund rate"])[2] == "—"
    assert at.get("download_button")
    at.selectbox(key="board_pick").set_value(mall.shop_b)
    at.button(key="board_open").click().run()
    assert not at.exception
    # The Sales page now shows shop B.
    assert at.title[0].value == "Sales"
    assert at.sidebar.selectbox(key="scope_vendor").value == mall.shop_b


def test_pages_in_chinese_have_every_word(site, tmp_path):
    session, mall = site
    zh = AppSession(session.database_url, tmp_path, lang="zh")
    zh.add("shop_a", role="vendor", vendor_id=mall.shop_a)
    zh.add("ops", role="operator")
    for page, user in (("home", "shop_a"), ("sales", "shop_a"), ("leaderboard", "ops")):
        at = zh.open(page, as_user=user)
        assert not at.exception, page
        page_text = texts(at)
        # A missing translation shows its key (e.g. "sales.fig.gmv").
        assert "sales." not in page_text, page
        assert "成交额" in page_text, page
