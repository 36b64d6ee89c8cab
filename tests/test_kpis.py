"""Headline figures, comparisons and trends on the hand-built mall of `tests/sales_data.py`.

Every expected number is worked out by hand in the comments, from the orders
and refunds listed in that module's docstring.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from queries.core.actors import Scope
from queries.core.periods import month_range, preset_range, range_from_dates
from queries.sales.kpis import Headline, change, compare, headline, headlines_by_vendor, trend
from tests.builders import Item, MallBuilder, local
from tests.sales_data import SalesMall, build_sales_mall

TZ = "Asia/Shanghai"
ZONE = ZoneInfo(TZ)
NOV = month_range(2026, 11, ZONE)
OCT = month_range(2026, 10, ZONE)
DEC = month_range(2026, 12, ZONE)


@pytest.fixture(scope="module", params=("sqlite", "postgresql"))
def mall(request, db_factory) -> SalesMall:
    """The hand-built mall, once per backend for the whole module (read only)."""
    return build_sales_mall(db_factory.engine(request.param))


def _headline(mall: SalesMall, vendor_id: int | None, period=NOV) -> Headline:
    with mall.engine.connect() as conn:
        return headline(conn, scope=Scope(vendor_id), period=period, tz=TZ)


def test_shop_a_in_november(mall):
    h = _headline(mall, mall.shop_a)
    # Paid in November (Shanghai): o1 16300 (00:00:00 on the 1st), o2 9000 (cancelled, still
    # paid), o3 2598, o4 2000 (23:59:59 on the 30th). Not o0 (Oct 31 23:59:59), o5 (Dec 1
    # 00:00), o6 (never paid). GMV = 16300 + 9000 + 2598 + 2000 = 29898.
    assert h.gmv_cents == 29898
    assert h.paid_orders == 4
    # Buyers m1, m2, m4.
    assert h.buyers == 3
    # AOV = 29898 / 4 = 7474.5 → half up 7475 (banker's rounding would give 7474).
    assert h.aov_cents == 7475
    # Completed in November: r2 2000 (order paid in October) + r4 598. Not r1 (December),
    # r3 (never completed), r5 (shop B).
    assert h.refunded_cents == 2598
    assert h.refund_rate == pytest.approx(2598 / 29898)
    assert h.net_sales_cents == 29898 - 2598 == 27300
    # m1 bought from A in October → returning; m2 new; m4 bought only from B before → new for A.
    assert (h.new_buyers, h.returning_buyers) == (2, 1)
    # m2 paid twice (o2, o3) → 1 of 3 buyers.
    assert h.repurchase_buyers == 1
    assert h.repurchase_rate == pytest.approx(1 / 3)


def test_whole_mall_in_november(mall):
    h = _headline(mall, None)
    # A's four orders + o7 (B, 5000): GMV 29898 + 5000 = 34898 over 5 orders.
    assert (h.gmv_cents, h.paid_orders) == (34898, 5)
    # m1, m2, m3, m4.
    assert h.buyers == 4
    # 34898 / 5 = 6979.6 → 6980.
    assert h.aov_cents == 6980
    # r2 2000 + r4 598 + r5 1000 = 3598.
    assert h.refunded_cents == 3598
    assert h.net_sales_cents == 34898 - 3598
    # Mall-new: m2 and m3 (first paid order in the mall ever in November);
    # m1 (o0 in October) and m4 (o8 in September) are returning to the mall.
    assert (h.new_buyers, h.returning_buyers) == (2, 2)
    # Only m2 paid twice in November (m4's second order is in December).
    assert h.repurchase_buyers == 1
    assert h.repurchase_rate == pytest.approx(1 / 4)


def test_other_shop_and_scope_isolation(mall):
    b = _headline(mall, mall.shop_b)
    # B: o7 only (o8 is September). m3 is B's new buyer. r5 1000 of 5000.
    assert (b.gmv_cents, b.paid_orders, b.buyers, b.new_buyers) == (5000, 1, 1, 1)
    assert (b.refunded_cents, b.refund_rate) == (1000, 0.2)
    a = _headline(mall, mall.shop_a)
    mall_total = _headline(mall, None)
    # The mall is exactly A + B: neither shop counts the other's orders or refunds.
    assert a.gmv_cents + b.gmv_cents == mall_total.gmv_cents
    assert a.refunded_cents + b.refunded_cents == mall_total.refunded_cents


def test_vendor_with_no_sales_has_zeros_and_no_ratios(mall):
    c = _headline(mall, mall.shop_c)
    assert c == Headline()
    assert (c.aov_cents, c.refund_rate, c.repurchase_rate) == (None, None, None)


def test_empty_period(mall):
    june = month_range(2026, 6, ZONE)
    assert _headline(mall, mall.shop_a, june) == Headline()
    assert _headline(mall, None, june) == Headline()


def test_refund_completed_in_a_later_month(mall):
    dec = _headline(mall, mall.shop_a, DEC)
    # December: o5 10000 paid; r1 3000 completed on Dec 3 (its order was paid in November).
    assert (dec.gmv_cents, dec.refunded_cents, dec.refund_rate) == (10000, 3000, 0.3)
    # m4's first order with A was o4 in November → returning in December.
    assert (dec.new_buyers, dec.returning_buyers) == (0, 1)


def test_midnight_boundaries(mall):
    # October ends at 2026-10-31 23:59:59 Shanghai: o0 (10000) is October's, alone.
    oct_a = _headline(mall, mall.shop_a, OCT)
    assert (oct_a.gmv_cents, oct_a.paid_orders, oct_a.new_buyers) == (10000, 1, 1)
    # One day, Nov 1: only o1 (paid at 00:00:00 exactly).
    nov1 = range_from_dates(date(2026, 11, 1), date(2026, 11, 2), ZONE)
    assert _headline(mall, mall.shop_a, nov1).gmv_cents == 16300


def test_headlines_by_vendor_match_single_reads(mall):
    with mall.engine.connect() as conn:
        every = headlines_by_vendor(conn, period=NOV, tz=TZ)
    # One entry per vendor, the shop without sales included.
    assert set(every) == {mall.shop_a, mall.shop_b, mall.shop_c}
    for vendor_id, figures in every.items():
        assert figures == _headline(mall, vendor_id)


def test_month_comparison(mall):
    with mall.engine.connect() as conn:
        cmp = compare(conn, scope=Scope(mall.shop_a), period=NOV, tz=TZ)
    # A calendar month is compared with the calendar month before: October.
    assert cmp.previous_period == OCT
    assert cmp.previous.gmv_cents == 10000
    before = cmp.vs_previous()
    # (29898 − 10000) / 10000 = 1.9898
    assert before["gmv_cents"] == pytest.approx(1.9898)
    # Orders 1 → 4: +300 %.
    assert before["paid_orders"] == pytest.approx(3.0)
    # October refunded nothing of 10000 → rate 0; November 2598/29898 → change in points.
    assert before["refund_rate"] == pytest.approx(2598 / 29898 * 100)
    # AOV October 10000 → 7475: −25.25 %.
    assert before["aov_cents"] == pytest.approx(-0.2525)
    # A year earlier (November 2025) nothing sold: no relative change, no rates.
    assert cmp.year_period == month_range(2025, 11, ZONE)
    assert cmp.year_ago == Headline()
    assert cmp.vs_year()["gmv_cents"] is None
    assert cmp.vs_year()["refund_rate"] is None


def test_change_rules():
    assert change("gmv_cents", 150, 100) == pytest.approx(0.5)
    assert change("gmv_cents", 150, 0) is None
    assert change("aov_cents", None, 100) is None
    # Rates change in percentage points: 20 % → 25 % is +5 points.
    assert change("refund_rate", 0.25, 0.20) == pytest.approx(5.0)
    assert change("repurchase_rate", 0.1, None) is None


def test_trend_by_day_zero_filled(mall):
    with mall.engine.connect() as conn:
        frame = trend(conn, scope=Scope(mall.shop_a), period=NOV, tz=TZ, grain="day")
    # 30 buckets, every day of November, zeros where nothing happened.
    assert len(frame) == 30
    assert frame["bucket"].iloc[0] == date(2026, 11, 1)
    assert frame["bucket"].iloc[-1] == date(2026, 11, 30)
    by_day = frame.set_index("bucket")
    assert by_day.loc[date(2026, 11, 1), "gmv_cents"] == 16300  # o1 at 00:00:00
    assert by_day.loc[date(2026, 11, 30), "gmv_cents"] == 2000  # o4 at 23:59:59
    assert by_day.loc[date(2026, 11, 2), "refunded_cents"] == 2000  # r2
    assert by_day.loc[date(2026, 11, 2), "net_sales_cents"] == -2000
    assert by_day.loc[date(2026, 11, 3), "gmv_cents"] == 0
    assert by_day.loc[date(2026, 11, 3), "aov_cents"] is None
    # The days add up to the month's headline.
    assert frame["gmv_cents"].sum() == 29898
    assert frame["paid_orders"].sum() == 4
    assert frame["refunded_cents"].sum() == 2598


def test_trend_by_week_and_month(mall):
    with mall.engine.connect() as conn:
        weeks = trend(conn, scope=Scope(mall.shop_a), period=NOV, tz=TZ, grain="week")
        months = trend(conn, scope=Scope(mall.shop_a), period=NOV, tz=TZ, grain="month")
    # 2026-11-01 is a Sunday: its ISO week starts Monday 2026-10-26; 2026-11-30 is a Monday.
    # Weeks: 10-26, 11-02, 11-09, 11-16, 11-23, 11-30 → 6 buckets.
    assert list(weeks["bucket"]) == [
        date(2026, 10, 26),
        date(2026, 11, 2),
        date(2026, 11, 9),
        date(2026, 11, 16),
        date(2026, 11, 23),
        date(2026, 11, 30),
    ]
    # Week of 10-26 holds o1 (16300) only (o0 is outside the period); 11-02 holds o2 (9000);
    # 11-16 holds o3 (2598); 11-30 holds o4 (2000).
    assert list(weeks["gmv_cents"]) == [16300, 9000, 0, 2598, 0, 2000]
    assert list(months["bucket"]) == [date(2026, 11, 1)]
    assert list(months["gmv_cents"]) == [29898]
    # One buyer per bucket is counted once: m1, m2, m4 in the month.
    assert list(months["buyers"]) == [3]


def test_trend_of_an_empty_period(mall):
    june = month_range(2026, 6, ZONE)
    with mall.engine.connect() as conn:
        frame = trend(conn, scope=Scope(mall.shop_c), period=june, tz=TZ, grain="day")
    assert len(frame) == 30
    assert frame["gmv_cents"].sum() == 0


def test_today_compares_with_same_elapsed_time_yesterday(empty_db):
    with empty_db.begin() as conn:
        b = MallBuilder(conn)
        cat = b.category()
        shop = b.vendor()
        product = b.product(shop, cat)
        m = b.member()
        # Yesterday (Nov 4): 11:00 inside the elapsed 12 hours; 13:00 after it.
        b.order(shop, m, [Item(product, 1, 1000)], paid_at=local("2026-11-04 11:00"))
        b.order(shop, m, [Item(product, 1, 7000)], paid_at=local("2026-11-04 13:00"))
        # Today (Nov 5) until noon.
        b.order(shop, m, [Item(product, 1, 3000)], paid_at=local("2026-11-05 10:30"))
    now = local("2026-11-05 12:00").astimezone(ZONE)
    today = preset_range("today", now, ZONE)
    with empty_db.connect() as conn:
        cmp = compare(conn, scope=Scope(shop), period=today, tz=TZ)
    # Today 3000 vs yesterday's first 12 hours 1000 (the 13:00 order is not yet comparable).
    assert (cmp.current.gmv_cents, cmp.previous.gmv_cents) == (3000, 1000)
    assert cmp.vs_previous()["gmv_cents"] == pytest.approx(2.0)
    # m paid twice yesterday but not within today's elapsed time: one order, no repurchase.
    assert cmp.previous.repurchase_buyers == 0
    # Last 7 days as of Nov 5 = Oct 29 … Nov 4: both Nov 4 orders (8000); before it nothing.
    week = preset_range("last_7", now, ZONE)
    with empty_db.connect() as conn:
        cmp7 = compare(conn, scope=Scope(shop), period=week, tz=TZ)
    assert cmp7.current.gmv_cents == 8000
    assert cmp7.previous_period.end == week.start
    assert cmp7.previous.gmv_cents == 0
    assert cmp7.vs_previous()["gmv_cents"] is None
    assert isinstance(now, datetime)
