"""Item-sales breakdowns, refunds by reason and the `sales` report, on `tests/sales_data.py`.

Item sales of A's November lines: o1 pA1 10000 + pA2 2×3000−500 = 5500 (00:00, app, m1 tier 1);
o2 pA1 10000−1000 = 9000 (10:30, live, m2 tier 2); o3 pA2 2598 (21:15, mini_program, m2);
o4 pA2 2000 (23:59:59, app, m4 tier 4). Total 29098 = GMV 29898 − o1's shipping 800.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest

from queries.core.actors import Scope
from queries.core.periods import month_range
from queries.sales.breakdowns import category_products, item_breakdowns, refunds_by_reason, report
from tests.sales_data import SalesMall, build_sales_mall

TZ = "Asia/Shanghai"
NOV = month_range(2026, 11, ZoneInfo(TZ))
JUNE = month_range(2026, 6, ZoneInfo(TZ))


@pytest.fixture(scope="module", params=("sqlite", "postgresql"))
def mall(request, db_factory) -> SalesMall:
    return build_sales_mall(db_factory.engine(request.param))


def _read(mall, fn, vendor_id, period=NOV, **kw):
    with mall.engine.connect() as conn:
        return fn(conn, scope=Scope(vendor_id), period=period, tz=TZ, **kw)


def _items(mall, vendor_id, period=NOV, **kw):
    """The item-sales breakdowns of one scope (one statement for all five)."""
    return _read(mall, item_breakdowns, vendor_id, period, **kw)


def _rows(frame, *columns):
    return [tuple(r) for r in frame[list(columns)].itertuples(index=False, name=None)]


def test_by_top_level_category(mall):
    frame = _items(mall, mall.shop_a).by_category
    # 美妆 (via its child 护肤): pA1 10000 + 9000 = 19000, 2 units, 2 orders.
    # 服饰: pA2 5500 + 2598 + 2000 = 10098, 2 + 1 + 1 = 4 units, 3 orders.
    assert _rows(frame, "category_id", "name", "item_sales_cents", "units", "orders") == [
        (mall.beauty, "美妆", 19000, 2, 2),
        (mall.clothing, "服饰", 10098, 4, 3),
    ]
    assert frame["share"].iloc[0] == pytest.approx(19000 / 29098)


def test_drill_into_a_category(mall):
    frame = _read(mall, category_products, mall.shop_a, category_id=mall.beauty)
    # Only A's products: pB1 (B, 美妆) is another shop's.
    assert _rows(frame, "product_id", "item_sales_cents", "units") == [(mall.p_a1, 19000, 2)]
    mall_frame = _read(mall, category_products, None, category_id=mall.beauty)
    # The whole mall adds pB1: o7 5000.
    assert _rows(mall_frame, "product_id", "item_sales_cents") == [
        (mall.p_a1, 19000),
        (mall.p_b1, 5000),
    ]


def test_by_channel(mall):
    frame = _items(mall, mall.shop_a).by_channel
    # app: o1 15500 + o4 2000 = 17500; live: o2 9000; mini_program: o3 2598.
    assert _rows(frame, "channel", "item_sales_cents", "orders") == [
        ("app", 17500, 2),
        ("live", 9000, 1),
        ("mini_program", 2598, 1),
    ]


def test_by_city_tier(mall):
    frame = _items(mall, mall.shop_a).by_city_tier
    # tier 1 m1: 15500; tier 2 m2: 9000 + 2598 = 11598; tier 4 m4: 2000 (m3, tier 3, is B's).
    assert _rows(frame, "city_tier", "item_sales_cents") == [(1, 15500), (2, 11598), (4, 2000)]


def test_by_hour_of_day(mall):
    frame = _items(mall, mall.shop_a).by_hour
    assert list(frame["hour"]) == list(range(24))
    sold = {h: v for h, v in _rows(frame, "hour", "item_sales_cents") if v}
    # 00:00:00 o1 15500; 10:30 o2 9000; 21:15 o3 2598; 23:59:59 o4 2000 (local hours).
    assert sold == {0: 15500, 10: 9000, 21: 2598, 23: 2000}
    assert frame["item_sales_cents"].sum() == 29098


def test_top_products(mall):
    frame = _items(mall, mall.shop_a).top_products
    assert _rows(frame, "product_id", "item_sales_cents", "units", "vendor_id") == [
        (mall.p_a1, 19000, 2, mall.shop_a),
        (mall.p_a2, 10098, 4, mall.shop_a),
    ]
    top1 = _items(mall, None, top=1).top_products
    assert list(top1["product_id"]) == [mall.p_a1]


def test_refunds_by_reason(mall):
    frame = _read(mall, refunds_by_reason, mall.shop_a)
    # Completed in November, of A's orders: r2 质量问题 2000; r4 尺码不合适 598.
    # r5 (质量问题, B) and r1 (December) are not A's November refunds.
    assert _rows(frame, "reason", "refunds", "refunded_cents") == [
        ("质量问题", 1, 2000),
        ("尺码不合适", 1, 598),
    ]
    whole = _read(mall, refunds_by_reason, None)
    assert _rows(whole, "reason", "refunded_cents") == [("质量问题", 3000), ("尺码不合适", 598)]


def test_breakdowns_of_a_shop_without_sales_are_empty_not_errors(mall):
    items = _items(mall, mall.shop_c)
    for frame in (items.by_category, items.by_channel, items.by_city_tier, items.top_products):
        assert frame.empty
    assert _read(mall, refunds_by_reason, mall.shop_c).empty
    hours = _items(mall, mall.shop_c, period=JUNE).by_hour
    assert len(hours) == 24
    assert hours["item_sales_cents"].sum() == 0
    assert set(hours["share"]) == {None}


def test_other_shops_rows_never_appear(mall):
    frame = _items(mall, mall.shop_b).top_products
    assert set(frame["vendor_id"]) == {mall.shop_b}
    frame = _items(mall, mall.shop_b).by_category
    # B sold only pB1 (美妆) 5000.
    assert _rows(frame, "name", "item_sales_cents") == [("美妆", 5000)]


def test_sales_report(mall):
    result = _read(mall, report, mall.shop_a)
    assert result.totals["gmv_cents"] == 29898
    assert result.totals["aov_cents"] == 7475
    assert result.totals["net_sales_cents"] == 27300
    assert result.totals["new_buyers"] == 2
    assert set(result.breakdowns) == {
        "trend",
        "by_category",
        "by_channel",
        "by_city_tier",
        "by_hour",
        "top_products",
        "refunds_by_reason",
    }
    assert len(result.breakdowns["trend"]) == 30
