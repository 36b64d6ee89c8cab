"""A hand-built mall for the sales figures, with every answer worked out by hand.

Shops: A (under test), B (another shop), C (no sales ever). Period of interest:
November 2026 in Shanghai time. Categories: 美妆 (top) > 护肤 (child); 服饰 (top).
Products: pA1 (A, 护肤), pA2 (A, 服饰), pB1 (B, 美妆).

Members: m1 (tier 1) bought from A in October → returning for A in November;
m2 (tier 2) first buys from A in November, twice → new + repurchase;
m3 (tier 3) buys only from B → never A's buyer, but new to the mall in November;
m4 (tier 4) bought from B in September, first buys from A in November → new for A,
returning for the mall; m5 never pays.

Orders (paid_at in Shanghai time):
  o0  A m1 2026-10-31 23:59:59  pA1 10000                            paid 10000  (October!)
  o1  A m1 2026-11-01 00:00:00  pA1 10000 + pA2 2×3000 −500, ship 800 paid 16300  app
  o2  A m2 2026-11-05 10:30     pA1 10000 −1000, status cancelled      paid  9000  live
  o3  A m2 2026-11-20 21:15     pA2 2598                               paid  2598  mini_program
  o4  A m4 2026-11-30 23:59:59  pA2 2000                               paid  2000  app
  o5  A m4 2026-12-01 00:00:00  pA1 10000                              paid 10000  (December)
  o6  A m5 created 2026-11-10, never paid                                         (not counted)
  o7  B m3 2026-11-10 12:00     pB1 5000                               paid  5000  app
  o8  B m4 2026-09-15 12:00     pB1 4000                               paid  4000  (September)

Refunds (completed_at in Shanghai time):
  r1  o1 line pA1  3000 completed 2026-12-03 10:00  (December, order paid in November)
  r2  o0 line pA1  2000 completed 2026-11-02 10:00  质量问题 (November, order paid in October)
  r3  o2 line pA1  1500 approved, never completed   (never counted)
  r4  o3 line pA2   598 completed 2026-11-25 09:00  尺码不合适 (November)
  r5  o7 line pB1  1000 completed 2026-11-11 09:00  质量问题 (shop B)
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from tests.builders import Item, MallBuilder, local


@dataclass(frozen=True)
class SalesMall:
    """The ids of the hand-built mall."""

    engine: sa.Engine
    shop_a: int
    shop_b: int
    shop_c: int
    beauty: int
    skincare: int
    clothing: int
    p_a1: int
    p_a2: int
    p_b1: int


def build_sales_mall(engine: sa.Engine) -> SalesMall:
    """Insert the mall described in the module docstring."""
    with engine.begin() as conn:
        b = MallBuilder(conn)
        beauty = b.category("美妆", "Beauty")
        skincare = b.category("护肤", "Skincare", parent_id=beauty)
        clothing = b.category("服饰", "Clothing")
        shop_a, shop_b, shop_c = b.vendor("Shop A"), b.vendor("Shop B"), b.vendor("Shop C")
        p_a1 = b.product(shop_a, skincare, "Serum")
        p_a2 = b.product(shop_a, clothing, "Scarf")
        p_b1 = b.product(shop_b, beauty, "Lipstick")
        m1 = b.member(city_tier=1)
        m2 = b.member(city_tier=2)
        m3 = b.member(city_tier=3)
        m4 = b.member(city_tier=4)
        m5 = b.member(city_tier=2)

        o0 = b.order(shop_a, m1, [Item(p_a1, 1, 10000)], paid_at=local("2026-10-31 23:59:59"))
        o1 = b.order(
            shop_a,
            m1,
            [Item(p_a1, 1, 10000), Item(p_a2, 2, 3000, discount_cents=500)],
            paid_at=local("2026-11-01 00:00:00"),
            shipping_cents=800,
            status="completed",
        )
        o2 = b.order(
            shop_a,
            m2,
            [Item(p_a1, 1, 10000, discount_cents=1000)],
            paid_at=local("2026-11-05 10:30:00"),
            status="cancelled",
            channel="live",
        )
        o3 = b.order(
            shop_a,
            m2,
            [Item(p_a2, 1, 2598)],
            paid_at=local("2026-11-20 21:15:00"),
            channel="mini_program",
        )
        b.order(shop_a, m4, [Item(p_a2, 1, 2000)], paid_at=local("2026-11-30 23:59:59"))
        b.order(shop_a, m4, [Item(p_a1, 1, 10000)], paid_at=local("2026-12-01 00:00:00"))
        b.order(
            shop_a, m5, [Item(p_a1, 1, 10000)], paid_at=None, created_at=local("2026-11-10 09:00")
        )
        o7 = b.order(shop_b, m3, [Item(p_b1, 1, 5000)], paid_at=local("2026-11-10 12:00:00"))
        b.order(shop_b, m4, [Item(p_b1, 1, 4000)], paid_at=local("2026-09-15 12:00:00"))

        b.refund(o1, 0, 3000, completed_at=local("2026-12-03 10:00"), reason="不想要了")
        b.refund(o0, 0, 2000, completed_at=local("2026-11-02 10:00"), reason="质量问题")
        b.refund(
            o2,
            0,
            1500,
            status="approved",
            requested_at=local("2026-11-06 10:00"),
            reason="质量问题",
        )
        b.refund(o3, 0, 598, completed_at=local("2026-11-25 09:00"), reason="尺码不合适")
        b.refund(o7, 0, 1000, completed_at=local("2026-11-11 09:00"), reason="质量问题")
    return SalesMall(engine, shop_a, shop_b, shop_c, beauty, skincare, clothing, p_a1, p_a2, p_b1)
