"""The Orders page in AppTest, as a vendor (own orders only), an operator and finance.

Data: the mall of `tests/test_orders.py` (see its docstring for every order).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from queries.core import schema as s
from tests.apptest import AppSession, texts
from tests.builders import MallBuilder
from tests.conftest import BACKENDS
from tests.test_orders import build_orders_mall

BASE = datetime(2026, 11, 1, 2, 0, tzinfo=UTC)


@pytest.fixture(scope="module", params=BACKENDS)
def site(request, db_factory, tmp_path_factory):
    engine = db_factory.engine(request.param)
    with engine.begin() as conn:
        ids = build_orders_mall(conn)
    session = AppSession(engine.url, tmp_path_factory.mktemp("orders_page"))
    session.add("shop_a", role="vendor", vendor_id=ids.shop_a)
    session.add("ops", role="operator")
    session.add("money", role="finance")
    return session, ids


def _order_nos(at) -> list[str]:
    """The order numbers of the list table (the first dataframe on the page)."""
    frame = at.dataframe[0].value
    return list(frame["Order no."])


def _search(at, **fields):
    """Fill the filter form and submit it."""
    for key, value in fields.items():
        widget = at.get("text_input") + at.get("multiselect") + at.get("selectbox")
        matches = [w for w in widget if getattr(w, "key", None) == f"orders_{key}"]
        assert matches, key
        if matches[0].type == "text_input":
            matches[0].input(value)
        else:
            matches[0].set_value(value)
    submit = [b for b in at.button if b.label == "Search"]
    submit[0].click().run()
    return at


def test_vendor_sees_only_their_orders(site):
    session, _ = site
    at = session.open("orders", as_user="shop_a")
    assert not at.exception and not at.warning and not at.error
    assert _order_nos(at) == ["A-005", "A-006", "A-004", "A-003", "A-001", "A-002"]
    page = texts(at)
    assert "B-001" not in page and "Shop B" not in page
    assert "Orders found: 6" in page and "Page 1 of 1" in page
    assert "Shop" not in list(at.dataframe[0].value.columns)  # one shop: no shop column
    table = at.dataframe[0].value.set_index("Order no.")
    assert table.loc["A-002", "Status"] == "Completed"
    assert table.loc["A-002", "Paid"] == "¥128.00"
    assert table.loc["A-002", "Refund state"] == "Partly refunded"
    assert table.loc["A-005", "Paid at"] == "—"
    assert table.loc["A-001", "Paid at"] == "2026-11-01 00:00"  # Shanghai time
    assert [b.label for b in at.get("download_button")] == ["Download the filtered list (Excel)"]


def test_vendor_cannot_open_another_shops_order_by_number(site):
    session, _ = site
    at = _search(session.open("orders", as_user="shop_a"), order_no="B-001")
    assert not at.exception
    assert "No order numbered B-001 matches" in texts(at)  # the typed text, as typed
    assert not at.dataframe and "Shop B" not in texts(at)


def test_search_by_number_opens_the_order(site):
    session, _ = site
    at = _search(session.open("orders", as_user="shop_a"), order_no="A-002")
    assert not at.exception
    assert _order_nos(at) == ["A-002"]
    page = texts(at)
    assert "Order A-002" in page
    assert "店铺满减" in page and "Not bought in a live session." in page
    items, payments, refunds = (f.value for f in at.dataframe[1:4])
    assert list(items["Product"]) == ["面霜", "口红"]
    assert list(items["Amount"]) == ["¥90.00", "¥30.00"]  # 2×50.00−10.00, 1×30.00
    assert list(items["Refunded"]) == ["¥0.00", "¥30.00"]
    assert list(payments["Method"]) == ["WeChat Pay"] and list(payments["Amount"]) == ["¥128.00"]
    assert list(refunds["Status"]) == ["Completed"] and list(refunds["Reason"]) == ["不喜欢"]
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Paid"] == "¥128.00" and metrics["Refunded"] == "¥30.00"
    assert metrics["Shipping"] == "¥8.00"


def test_filters_and_member_search(site):
    session, ids = site
    at = _search(session.open("orders", as_user="shop_a"), statuses=["paid"])
    assert _order_nos(at) == ["A-004", "A-001"]
    at = _search(session.open("orders", as_user="shop_a"), member_id=str(ids.m1))
    assert _order_nos(at) == ["A-001", "A-002"]
    # dates bound the payment time: A-001 paid at Shanghai midnight is November 1st's
    at = session.open("orders", as_user="shop_a")
    at.checkbox(key="orders_use_dates").check()
    at.date_input(key="orders_dates").set_value((date(2026, 11, 1), date(2026, 11, 1)))
    _search(at)
    assert _order_nos(at) == ["A-001"]
    at.radio(key="orders_date_field").set_value("created")
    at.date_input(key="orders_dates").set_value((date(2026, 11, 4), date(2026, 11, 4)))
    _search(at)
    assert _order_nos(at) == ["A-005"]
    at = _search(session.open("orders", as_user="shop_a"), member_id="abc")
    assert "The member ID must be a whole number" in texts(at)
    at = _search(session.open("orders", as_user="shop_a"), channels=["h5"], refund_state="full")
    assert not at.exception
    assert "No orders match" in texts(at)


def test_operator_sees_the_whole_mall_or_one_shop(site):
    session, ids = site
    at = session.open("orders", as_user="ops")
    assert not at.exception
    frame = at.dataframe[0].value
    assert list(frame["Order no."]) == [
        "A-005",
        "A-006",
        "A-004",
        "B-001",
        "A-003",
        "A-001",
        "A-002",
    ]
    assert list(frame["Shop"])[3] == "Shop B"
    at = session.open("orders", as_user="ops", query={"vendor": str(ids.shop_b)})
    assert not at.exception
    assert _order_nos(at) == ["B-001"]


def test_finance_filters_by_refund_state_and_sees_the_live_session(site):
    session, _ = site
    at = _search(session.open("orders", as_user="money"), refund_state="full")
    assert not at.exception
    assert _order_nos(at) == ["A-003"]
    page = texts(at)
    assert "Order A-003" in page and "A 直播" in page and "Platform promotion" in page


def test_chinese_words(site):
    session, _ = site
    session.lang = "zh"
    try:
        at = session.open("orders", as_user="shop_a")
    finally:
        session.lang = "en"
    assert not at.exception
    frame = at.dataframe[0].value.set_index("订单号")
    assert frame.loc["A-001", "订单状态"] == "已付款"
    assert frame.loc["A-003", "退款状态"] == "全额退款"


@pytest.fixture(scope="module")
def busy_shop(db_factory, tmp_path_factory):
    """One shop with 120 paid orders P000…P119, one minute apart (SQLite: paging is UI here)."""
    engine = db_factory.engine("sqlite")
    with engine.begin() as conn:
        b = MallBuilder(conn)
        shop, member = b.vendor("Busy"), b.member()
        conn.execute(
            s.orders.insert(),
            [
                {
                    "order_no": f"P{n:03d}",
                    "vendor_id": shop,
                    "member_id": member,
                    "created_at": BASE + timedelta(minutes=n),
                    "paid_at": BASE + timedelta(minutes=n),
                    "status": "paid" if n % 2 else "shipped",
                    "channel": "app",
                    "goods_cents": 100,
                    "discount_cents": 0,
                    "platform_discount_cents": 0,
                    "shipping_cents": 0,
                    "paid_cents": 100,
                }
                for n in range(120)
            ],
        )
    session = AppSession(engine.url, tmp_path_factory.mktemp("orders_busy"))
    session.add("busy", role="vendor", vendor_id=shop)
    return session


def test_paging_with_next_previous_and_a_page_number(busy_shop):
    at = busy_shop.open("orders", as_user="busy")
    assert not at.exception
    assert "Orders found: 120" in texts(at) and "Page 1 of 3" in texts(at)
    # 50 a page, newest first: P119…P070, then P069…P020, then P019…P000
    assert _order_nos(at) == [f"P{n:03d}" for n in range(119, 69, -1)]
    assert at.button(key="orders_prev").disabled
    at.button(key="orders_next").click().run()
    assert _order_nos(at) == [f"P{n:03d}" for n in range(69, 19, -1)]
    assert "Page 2 of 3" in texts(at)
    at.number_input(key="orders_page_no").set_value(3).run()
    assert _order_nos(at) == [f"P{n:03d}" for n in range(19, -1, -1)]
    assert at.button(key="orders_next").disabled
    at.button(key="orders_prev").click().run()
    assert _order_nos(at)[0] == "P069"
    # a new search starts again on page 1: 60 shipped orders (even numbers)
    _search(at, statuses=["shipped"])
    assert "Orders found: 60" in texts(at) and "Page 1 of 2" in texts(at)
    assert _order_nos(at)[:2] == ["P118", "P116"]
