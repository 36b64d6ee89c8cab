"""Campaign analytics on a hand-built mall, on SQLite and PostgreSQL.

Period P = June 2026 in Shanghai. Promotions (A and B are vendors):
- pa1: A's ¥-off, 06-10…06-20, budget ¥100. Paid orders o1 (goods 200, discount 20),
  o2 (100, 10), o4 (100, 10, paid 07-05: after P still counts); o3 carries it unpaid.
- pc: A's coupon promotion, 06-01…06-30. Coupons c1 (issued 06-02, used on o5),
  c2 (06-03, unused), c3 (issued 05-28, used on o6), c4 (06-10, used 07-02 on o7).
  o5, o6 (100, 5), o7 (50, 5). o8 carries promotion_id=pc but no coupon: not counted.
- pp: platform, campaign 618, 06-01…06-19, budget ¥1,000: o9 A (300, 30, platform 30),
  o10 B (500, 50, platform 50).
- pb: B's own, o11 B (100, 10). pu: a platform promotion no order of A used.
- 618 in 2025: pp25 platform 2025-06-01…06-10 (o12 A 200/20, o13 B 100/10) and pa25, A's
  own in the campaign, 2025-06-05…06-20 (o14 A 200/10).
Live: ls1 A 06-18 20:00–22:00 local, 300 viewers: o15 (100), o17 (50) by m1, o16 (200,
paid the day after) by m2. lsb: B's, 0 viewers. ls_may: A's, in May.
"""

from __future__ import annotations

import pytest

from queries.core import schema as s
from queries.core.actors import Scope
from queries.core.periods import month_range
from queries.marketing.campaigns import (
    campaign_comparison,
    coupon_results,
    live_session_results,
    period_promotions,
    promotion_results,
    report,
)
from tests.builders import SHANGHAI, Item, MallBuilder, local
from tests.conftest import BACKENDS

TZ = "Asia/Shanghai"
JUNE = month_range(2026, 6, SHANGHAI)
EMPTY = month_range(2027, 3, SHANGHAI)


def _coupon(conn, promotion_id, member_id, issued, used=None, order_id=None) -> int:
    result = conn.execute(
        s.coupons.insert().values(
            promotion_id=promotion_id,
            member_id=member_id,
            issued_at=local(issued),
            used_at=local(used) if used else None,
            order_id=order_id,
        )
    )
    return result.inserted_primary_key[0]


@pytest.fixture(scope="module", params=BACKENDS)
def mall(request, db_factory):
    """The data set above, built once per backend; returns (engine, ids)."""
    engine = db_factory.engine(request.param)
    ids: dict[str, int] = {}
    with engine.begin() as conn:
        b = MallBuilder(conn)
        cat = b.category()
        a, vb = b.vendor("A"), b.vendor("B")
        pa, pb_ = b.product(a, cat), b.product(vb, cat)
        m1, m2, m3 = b.member(), b.member(), b.member()
        ids.update(a=a, b=vb, m1=m1)

        def promo(key, vendor, start, end, **kw):
            ids[key] = b.promotion(
                vendor_id=vendor, name=key, starts_at=local(start), ends_at=local(end), **kw
            )

        def order(vendor, member, goods, discount, paid, platform=0, **kw):
            product = pa if vendor == a else pb_
            return b.order(
                vendor,
                member,
                [Item(product, unit_price_cents=goods * 100)],
                paid_at=local(paid) if paid else None,
                created_at=local("2026-06-01 00:00"),
                order_discount_cents=discount * 100,
                platform_discount_cents=platform * 100,
                **kw,
            )

        promo("pa1", a, "2026-06-10 00:00", "2026-06-20 00:00", budget_cents=10000)
        promo("pc", a, "2026-06-01 00:00", "2026-06-30 00:00", kind="coupon", threshold_cents=5000)
        promo("pp", None, "2026-06-01 00:00", "2026-06-19 00:00", campaign="618",
              budget_cents=100000)  # fmt: skip
        promo("pb", vb, "2026-06-01 00:00", "2026-06-30 00:00")
        promo("pu", None, "2026-06-01 00:00", "2026-06-30 00:00")
        promo("draft", a, "2026-06-01 00:00", "2026-06-30 00:00", status="draft")
        promo("pp25", None, "2025-06-01 00:00", "2025-06-10 00:00", campaign="618")
        promo("pa25", a, "2025-06-05 00:00", "2025-06-20 00:00", campaign="618")

        order(a, m1, 200, 20, "2026-06-12 10:00", promotion_id=ids["pa1"])  # o1
        order(a, m2, 100, 10, "2026-06-15 10:00", promotion_id=ids["pa1"])  # o2
        order(a, m1, 100, 10, None, promotion_id=ids["pa1"])  # o3, never paid
        order(a, m3, 100, 10, "2026-07-05 10:00", promotion_id=ids["pa1"])  # o4
        o5 = order(a, m1, 100, 5, "2026-06-05 10:00")
        o6 = order(a, m2, 100, 5, "2026-06-06 10:00")
        o7 = order(a, m3, 50, 5, "2026-07-02 10:00")
        order(a, m3, 100, 0, "2026-06-07 10:00", promotion_id=ids["pc"])  # o8
        _coupon(conn, ids["pc"], m1, "2026-06-02 10:00", "2026-06-05 10:00", o5.order_id)
        _coupon(conn, ids["pc"], m2, "2026-06-03 10:00")
        _coupon(conn, ids["pc"], m2, "2026-05-28 10:00", "2026-06-06 10:00", o6.order_id)
        _coupon(conn, ids["pc"], m3, "2026-06-10 10:00", "2026-07-02 10:00", o7.order_id)
        order(a, m1, 300, 30, "2026-06-18 10:00", platform=30, promotion_id=ids["pp"])  # o9
        order(vb, m2, 500, 50, "2026-06-18 10:00", platform=50, promotion_id=ids["pp"])  # o10
        order(vb, m3, 100, 10, "2026-06-10 10:00", promotion_id=ids["pb"])  # o11
        order(a, m1, 200, 20, "2025-06-08 10:00", platform=20, promotion_id=ids["pp25"])  # o12
        order(vb, m2, 100, 10, "2025-06-09 10:00", promotion_id=ids["pp25"])  # o13
        order(a, m2, 200, 10, "2025-06-15 10:00", promotion_id=ids["pa25"])  # o14

        ls1 = b.live_session(
            a, started_at=local("2026-06-18 20:00"), ended_at=local("2026-06-18 22:00"), viewers=300
        )
        lsb = b.live_session(
            vb, started_at=local("2026-06-18 20:00"), ended_at=local("2026-06-18 22:00"), viewers=0
        )
        b.live_session(
            a, started_at=local("2026-05-18 20:00"), ended_at=local("2026-05-18 22:00"), viewers=9
        )
        ids.update(ls1=ls1, lsb=lsb)
        order(a, m1, 100, 0, "2026-06-18 21:00", live_session_id=ls1, channel="live")  # o15
        order(a, m2, 200, 0, "2026-06-19 09:00", live_session_id=ls1, channel="live")  # o16
        order(a, m1, 50, 0, "2026-06-18 21:30", live_session_id=ls1, channel="live")  # o17
        order(vb, m3, 80, 0, "2026-06-18 21:00", live_session_id=lsb, channel="live")
    return engine, ids


def _by_id(frame):
    return {int(r["promotion_id"]): r for r in frame.to_dict("records")}


def test_promotion_results_for_a_vendor(mall):
    engine, ids = mall
    with engine.connect() as conn:
        got = _by_id(
            promotion_results(
                conn, scope=Scope(ids["a"]), promotion_ids=[ids["pa1"], ids["pc"], ids["pp"]]
            )
        )
    # pa1: o1 180 + o2 90 + o4 90 (paid after June: whole life) = ¥360; discount 20+10+10 = ¥40;
    # ROI 360/40 = 9; budget 40/100 = 0.4; no platform money → share 0.
    assert got[ids["pa1"]] == {
        "promotion_id": ids["pa1"],
        "paid_orders": 3,
        "gmv_cents": 36000,
        "discount_cents": 4000,
        "platform_discount_cents": 0,
        "platform_share": 0.0,
        "roi": 9.0,
        "budget_used": 0.4,
    }
    # pc (coupon): o5 95 + o6 95 + o7 45 = ¥235 via coupons.order_id; o8 carries its id but
    # no coupon of it was used: not counted. Discount 15; ROI 235/15; no budget → None.
    pc = got[ids["pc"]]
    assert (pc["paid_orders"], pc["gmv_cents"], pc["discount_cents"]) == (3, 23500, 1500)
    assert pc["roi"] == pytest.approx(23500 / 1500) and pc["budget_used"] is None
    # pp over A's orders only: o9 270, discount 30 all platform-funded; budget 30/1000.
    pp = got[ids["pp"]]
    assert (pp["paid_orders"], pp["gmv_cents"], pp["discount_cents"]) == (1, 27000, 3000)
    assert pp["platform_share"] == 1.0 and pp["budget_used"] == 0.03


def test_platform_promotion_over_the_whole_mall(mall):
    engine, ids = mall
    with engine.connect() as conn:
        got = _by_id(promotion_results(conn, scope=Scope.mall(), promotion_ids=[ids["pp"]]))
    # o9 270 + o10 450 = 720; discount 30 + 50 = 80; ROI 9; budget 80/1000.
    row = got[ids["pp"]]
    assert (row["paid_orders"], row["gmv_cents"], row["discount_cents"]) == (2, 72000, 8000)
    assert row["roi"] == 9.0 and row["budget_used"] == 0.08


def test_other_vendors_promotion_is_left_out(mall):
    engine, ids = mall
    with engine.connect() as conn:
        got = promotion_results(conn, scope=Scope(ids["a"]), promotion_ids=[ids["pb"], 999999])
        empty = promotion_results(conn, scope=Scope(ids["a"]), promotion_ids=[])
    assert got.empty and empty.empty
    # Typed even when empty, so callers can merge on promotion_id.
    assert str(empty["promotion_id"].dtype) == "int64" and str(got["gmv_cents"].dtype) == "int64"
    assert list(empty.columns) == [
        "promotion_id",
        "paid_orders",
        "gmv_cents",
        "discount_cents",
        "platform_discount_cents",
        "platform_share",
        "roi",
        "budget_used",
    ]


def test_listed_promotions_per_scope(mall):
    engine, ids = mall
    with engine.connect() as conn:
        a = period_promotions(conn, scope=Scope(ids["a"]), period=JUNE)
        mall_ = period_promotions(conn, scope=Scope.mall(), period=JUNE)
        b = period_promotions(conn, scope=Scope(ids["b"]), period=JUNE)
    # A: own pa1, pc + platform pp (used by o9). Not pu (unused by A), pb (B's), the draft,
    # nor 2025's. The mall: every non-draft promotion overlapping June.
    assert set(a["promotion_id"]) == {ids["pa1"], ids["pc"], ids["pp"]}
    assert set(mall_["promotion_id"]) == {ids[k] for k in ("pa1", "pc", "pp", "pb", "pu")}
    assert set(b["promotion_id"]) == {ids["pb"], ids["pp"]}
    pp_for_b = b[b["promotion_id"] == ids["pp"]].iloc[0]
    assert pp_for_b["gmv_cents"] == 45000 and bool(pp_for_b["is_platform"])


def test_coupon_redemption(mall):
    engine, ids = mall
    with engine.connect() as conn:
        a = coupon_results(conn, scope=Scope(ids["a"]), period=JUNE)
        b = coupon_results(conn, scope=Scope(ids["b"]), period=JUNE)
    # Issued in June: c1, c2, c4 (c3 was issued in May). Used at any time: c1, c4 → 2/3.
    assert a[["issued", "used"]].values.tolist() == [[3, 2]]
    assert a["redemption_rate"].iloc[0] == pytest.approx(2 / 3)
    assert b.empty


def test_live_sessions(mall):
    engine, ids = mall
    with engine.connect() as conn:
        a = live_session_results(conn, scope=Scope(ids["a"]), period=JUNE)
        b = live_session_results(conn, scope=Scope(ids["b"]), period=JUNE)
    # ls1: o15 100 + o16 200 (paid after the session) + o17 50 = ¥350, 3 orders, buyers m1, m2.
    # Conversion 2/300; GMV per viewer 35000/300 = 116.67 fen → 117 (half up). May's is out.
    assert a["live_session_id"].tolist() == [ids["ls1"]]
    row = a.iloc[0]
    assert (row["paid_orders"], row["gmv_cents"], row["buyers"]) == (3, 35000, 2)
    assert row["conversion"] == pytest.approx(2 / 300)
    assert row["gmv_per_viewer_cents"] == 117
    # B's session has no viewers: conversion and per-viewer have no value.
    assert b["live_session_id"].tolist() == [ids["lsb"]]
    assert b["conversion"].iloc[0] is None and b["gmv_per_viewer_cents"].iloc[0] is None


def test_campaign_year_over_year(mall):
    engine, ids = mall
    with engine.connect() as conn:
        a = campaign_comparison(conn, scope=Scope(ids["a"]), period=JUNE, tz=TZ)
        whole = campaign_comparison(conn, scope=Scope.mall(), period=JUNE, tz=TZ)
    row = a.to_dict("records")[0]
    # 2026 window: pp only, 06-01 → 06-19. 2025 window: pp25 starts 06-01, pa25 ends 06-20.
    assert (row["campaign"], row["year"]) == ("618", 2026)
    assert row["window_start"] == local("2026-06-01 00:00")
    assert row["window_end"] == local("2026-06-19 00:00")
    assert row["prev_window_start"] == local("2025-06-01 00:00")
    assert row["prev_window_end"] == local("2025-06-20 00:00")
    # A 2026: o9 (270, discount 30). A 2025: o12 180 + o14 190 = 370, discount 20 + 10 = 30.
    assert (row["paid_orders"], row["gmv_cents"], row["discount_cents"]) == (1, 27000, 3000)
    assert (row["prev_paid_orders"], row["prev_gmv_cents"], row["prev_discount_cents"]) == (
        2,
        37000,
        3000,
    )
    assert row["gmv_change"] == pytest.approx((27000 - 37000) / 37000)
    # Mall 2026: o9 + o10 = 720 / 80. 2025: o12 180 + o13 90 + o14 190 = 460, discount 40.
    m = whole.to_dict("records")[0]
    assert (m["paid_orders"], m["gmv_cents"], m["discount_cents"]) == (2, 72000, 8000)
    assert (m["prev_paid_orders"], m["prev_gmv_cents"], m["prev_discount_cents"]) == (
        3,
        46000,
        4000,
    )


def test_campaign_year_is_the_local_year(db_factory, backend):
    engine = db_factory.engine(backend)
    with engine.begin() as conn:
        b = MallBuilder(conn)
        # 2026-01-01 00:30 Shanghai is 2025-12-31 16:30 UTC: still the 2026 campaign.
        for start in ("2026-01-01 00:30", "2025-01-01 00:30"):
            b.promotion(
                vendor_id=None,
                campaign="newyear",
                starts_at=local(start),
                ends_at=local(start.replace("01-01 00:30", "01-03 00:00")),
            )
        got = campaign_comparison(
            conn, scope=Scope.mall(), period=month_range(2026, 1, SHANGHAI), tz=TZ
        )
    assert got[["campaign", "year", "paid_orders"]].values.tolist() == [["newyear", 2026, 0]]
    assert got["prev_window_start"].iloc[0] == local("2025-01-01 00:30")
    assert got["prev_gmv_cents"].iloc[0] == 0


def test_report_totals_for_a_vendor(mall):
    engine, ids = mall
    with engine.connect() as conn:
        got = report(conn, scope=Scope(ids["a"]), period=JUNE, tz=TZ)
    # Distinct paid orders carrying pa1, pc or pp: o1 o2 o4 | o5 o6 o7 | o9 = 7.
    # GMV 180+90+90 + 95+95+45 + 270 = 865; discount 20+10+10 + 5+5+5 + 30 = 85; platform 30.
    t = got.totals
    assert (t["promotion_orders"], t["promotion_gmv_cents"], t["discount_cents"]) == (
        7,
        86500,
        8500,
    )
    assert t["platform_discount_cents"] == 3000
    assert (t["coupons_issued"], t["coupons_used"]) == (3, 2)
    assert (t["live_sessions"], t["live_viewers"], t["live_gmv_cents"]) == (1, 300, 35000)
    assert set(got.breakdowns) == {"promotions", "coupons", "campaigns", "live_sessions"}
    # Nothing of B's anywhere in A's report.
    assert set(got.breakdowns["promotions"]["vendor_id"].dropna()) == {ids["a"]}
    assert set(got.breakdowns["live_sessions"]["vendor_id"]) == {ids["a"]}


def test_empty_period(mall):
    engine, ids = mall
    with engine.connect() as conn:
        got = report(conn, scope=Scope(ids["a"]), period=EMPTY, tz=TZ)
    assert got.totals["promotion_orders"] == 0 and got.totals["promotion_gmv_cents"] == 0
    assert got.totals["redemption_rate"] is None and got.totals["roi"] is None
    assert got.totals["live_conversion"] is None
    assert all(frame.empty for frame in got.breakdowns.values())


def test_listed_results_from_one_statement_equal_promotion_results(mall):
    """The page's one-statement results agree with promotion_results, promotion by promotion."""
    engine, ids = mall
    with engine.connect() as conn:
        for scope in (Scope(ids["a"]), Scope(ids["b"]), Scope.mall()):
            listed = period_promotions(conn, scope=scope, period=JUNE)
            alone = promotion_results(
                conn, scope=scope, promotion_ids=listed["promotion_id"].tolist()
            )
            columns = alone.columns.tolist()
            together = listed[columns].sort_values("promotion_id").reset_index(drop=True)
            assert together.equals(alone), scope
