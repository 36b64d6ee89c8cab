"""A hand-built mall for settlement statements, every answer worked out by hand.

Period of interest: November 2026 in Shanghai time, [2026-11-01, 2026-12-01).
Categories: 美妆 at 500 bps today; 家居 at 800 bps today (items below carry a 300 bps
snapshot from when they were ordered). Shops: S1 (under test; its name looks like
a formula), S2 (nothing ever), S3 (one plain order).

Orders of S1 (paid_at in Shanghai time):
  o1  2026-10-31 23:59:59  1×10000 @500                      paid 10000  (October!)
  o2  2026-11-01 00:00:00  2 lines 1×1005 @500 each           paid  2010  two payments
      (1000 fee 6, 1010 fee 7): fee 13; commission 50.25→50 per line = 100
      (rounding the total 2010×5% = 100.5 would give 101)
  o3  2026-11-15 12:00     1×1010 −200 line discount @500, platform-funded 200,
      shipping 500: goods 1010, discount 200, paid 1310; commission 810×5% = 40.5→41;
      one payment fee 8; its text order_no starts with '-'
  o4  2026-11-20 10:00     1×3000 @500, since cancelled, no refund   paid 3000; commission 150
  o5  2026-11-25 10:00     1×2000 @300 (家居 is 800 today)          paid 2000; commission 60
  o6  2026-11-30 23:59:59  1×500 @500                          paid   500; commission 25
  o7  2026-12-01 00:00:00  1×700 @500                          paid   700  (December)
  o8  created 2026-11-10, never paid                                        (never counted)
Refunds of S1:
  r1  o1 line 1000 completed 2026-11-03 10:00 (November; its order was paid in October):
      commission returned 1000×5% = 50
  r2  o5 line 500 approved, never completed                                (never counted)
  r3  o3 line 810 completed 2026-12-02 10:00 (December): returned 40.5→41
S3: o9 2026-11-10 12:00 1×10000 @500, fee 60: gross 10000, commission 500.

November, S1: gross 2010+1310+3000+2000+500 = 8820; subsidy 200;
  commission 100+41+150+60+25 = 376; fee 13+8 = 21; refund 1000; returned 50;
  net 8820+200−376−21−1000+50 = 7673.
October, S1: gross 10000, commission 500, net 9500.
December, S1: gross 700, commission 35, refund 810, returned 41: net 700−35−810+41 = −104.
November, S3: net 10000−500−60 = 9440. S2: all zeros.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from tests.builders import Item, MallBuilder, local

TZ = "Asia/Shanghai"
NOV_START, NOV_END = date(2026, 11, 1), date(2026, 12, 1)
OCT_START, DEC_START, JAN_START = date(2026, 10, 1), date(2026, 12, 1), date(2027, 1, 1)
S1_NAME = '=HYPERLINK("x")'
S1_NOV = {
    "gross_cents": 8820,
    "platform_subsidy_cents": 200,
    "commission_cents": 376,
    "payment_fee_cents": 21,
    "refund_cents": 1000,
    "commission_refund_cents": 50,
    "adjustment_cents": 0,
    "net_cents": 7673,
}
S3_NOV = {
    "gross_cents": 10000,
    "platform_subsidy_cents": 0,
    "commission_cents": 500,
    "payment_fee_cents": 60,
    "refund_cents": 0,
    "commission_refund_cents": 0,
    "adjustment_cents": 0,
    "net_cents": 9440,
}
ZEROS = dict.fromkeys(S1_NOV, 0)


@dataclass(frozen=True)
class SettlementMall:
    engine: sa.Engine
    s1: int
    s2: int
    s3: int
    orders: dict  # name → BuiltOrder
    refunds: dict  # name → refund_id


def build_settlement_mall(engine: sa.Engine) -> SettlementMall:
    """Insert the mall of the module docstring."""
    with engine.begin() as conn:
        b = MallBuilder(conn)
        beauty = b.category("美妆", "Beauty", commission_bps=500)
        home = b.category("家居", "Home", commission_bps=800)
        s1, s2, s3 = b.vendor(S1_NAME), b.vendor("Empty shop"), b.vendor("Shop 3")
        p1 = b.product(s1, beauty, "+plus cream")
        p2 = b.product(s1, home, "@home lamp")
        p3 = b.product(s3, beauty)
        m = b.member()
        o = {}
        o["o1"] = b.order(s1, m, [Item(p1, 1, 10000)], paid_at=local("2026-10-31 23:59:59"))
        o["o2"] = b.order(
            s1,
            m,
            [Item(p1, 1, 1005), Item(p1, 1, 1005)],
            paid_at=local("2026-11-01 00:00:00"),
            payments=[(1000, 6), (1010, 7)],
        )
        o["o3"] = b.order(
            s1,
            m,
            [Item(p1, 1, 1010, discount_cents=200)],
            paid_at=local("2026-11-15 12:00:00"),
            platform_discount_cents=200,
            shipping_cents=500,
            payments=[(1310, 8)],
            order_no="-3",
        )
        o["o4"] = b.order(
            s1, m, [Item(p1, 1, 3000)], paid_at=local("2026-11-20 10:00:00"), status="cancelled"
        )
        o["o5"] = b.order(
            s1, m, [Item(p2, 1, 2000, commission_bps=300)], paid_at=local("2026-11-25 10:00:00")
        )
        o["o6"] = b.order(s1, m, [Item(p1, 1, 500)], paid_at=local("2026-11-30 23:59:59"))
        o["o7"] = b.order(s1, m, [Item(p1, 1, 700)], paid_at=local("2026-12-01 00:00:00"))
        o["o8"] = b.order(
            s1, m, [Item(p1, 1, 900)], paid_at=None, created_at=local("2026-11-10 09:00:00")
        )
        o["o9"] = b.order(
            s3,
            m,
            [Item(p3, 1, 10000)],
            paid_at=local("2026-11-10 12:00:00"),
            payments=[(10000, 60)],
        )
        r = {
            "r1": b.refund(o["o1"], 0, 1000, completed_at=local("2026-11-03 10:00:00")),
            "r2": b.refund(
                o["o5"], 0, 500, status="approved", requested_at=local("2026-11-26 10:00:00")
            ),
            "r3": b.refund(o["o3"], 0, 810, completed_at=local("2026-12-02 10:00:00")),
        }
    return SettlementMall(engine, s1, s2, s3, o, r)
