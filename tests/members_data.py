"""The hand-built members mall (its orders and the answers: tests/test_members.py)."""

from __future__ import annotations

import sqlalchemy as sa

from tests.builders import Item, MallBuilder, local


def build_members_mall(engine: sa.Engine) -> tuple[sa.Engine, int, int]:
    """The data set of tests/test_members.py; returns (engine, vendor A, vendor B)."""
    with engine.begin() as conn:
        b = MallBuilder(conn)
        cat = b.category()
        a, v_b = b.vendor("A"), b.vendor("B")
        pa, pb = b.product(a, cat), b.product(v_b, cat)
        m1 = b.member(level="gold", birth_year=2000, city_tier=1)
        m2 = b.member(level="regular", birth_year=1996, city_tier=2)
        m3 = b.member(level="silver", birth_year=None, city_tier=3)
        m4 = b.member(level="gold", birth_year=1988, city_tier=4)
        m5 = b.member(level="diamond", birth_year=1979, city_tier=1)
        m6, m7, m8 = b.member(), b.member(), b.member()

        def buy(vendor, member, when, yuan):
            product = pa if vendor == a else pb
            b.order(
                vendor, member, [Item(product, unit_price_cents=yuan * 100)], paid_at=local(when)
            )

        buy(a, m1, "2026-10-15 10:00", 300)
        buy(a, m1, "2026-11-10 10:00", 300)
        buy(a, m2, "2026-11-01 00:00:30", 100)
        buy(a, m2, "2026-11-20 10:00", 100)
        buy(a, m3, "2026-10-31 23:59:59", 600)
        buy(a, m3, "2026-11-05 10:00", 100)
        buy(v_b, m4, "2026-11-03 10:00", 100)
        buy(v_b, m5, "2026-10-10 10:00", 100)
        buy(a, m5, "2026-11-12 10:00", 100)
        buy(a, m6, "2026-03-01 10:00", 600)
        buy(a, m6, "2026-05-01 10:00", 100)
        buy(a, m7, "2025-11-20 10:00", 100)
        buy(a, m7, "2026-01-10 10:00", 100)
        buy(a, m8, "2026-10-20 10:00", 100)
        # An unpaid order is no order: m8 never paid for it.
        b.order(a, m8, [Item(pa)], paid_at=None, created_at=local("2026-11-15 10:00"))
    return engine, a, v_b
