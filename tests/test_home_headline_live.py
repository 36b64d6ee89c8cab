"""Home's headline read without repurchase buyers: the same figures, no row per member.

Home (and Sales) show GMV, paid orders, buyers, AOV and refunds, never repurchase
buyers, so their read asks `compare_many(..., repurchase=False)`: the live statement
counts buyers distinct in one pass over the orders. On a hand-built mall whose
edges sit on Shanghai's midnight (a member paying at 23:59:59 and again at 00:00:00
the next day), its GMV, orders, buyers and refunds equal the read with repurchase
buyers, for both shops and the whole mall, live and with the rollups' whole days;
and the figures are the hand-worked ones.

    now = 2026-12-06 15:00 Shanghai (today = Dec 6, yesterday = Dec 5)

    shop A (pA, 10000 a unit)
      oA1 m1 2026-12-05 23:59:59  10000  (yesterday's last second)
      oA2 m1 2026-12-06 00:00:00  20000  (today's first second)
      oA3 m2 2026-12-06 09:00     10000  cancelled later, still paid
      oA4 m2 2026-12-06 10:00     10000
      oA5 m3 2026-12-06 11:00     unpaid
      oA6 m3 2026-10-27 12:00     30000  (40 days before today; refunded 5000 today 08:00)
      oA7 m4 2025-12-06 01:00     10000  (a year earlier)
      rA2 oA2 3000 approved, not completed (not counted)
      rA1 oA1 1000 completed 2026-12-05 23:59:59 (yesterday)
    shop B (pB, 5000 a unit)
      oB1 m1 2026-12-06 12:00      5000  (m1 buys from both shops today)
      oB2 m4 2026-12-01 00:00:00   5000  (this month's first second)
      oB3 m4 2026-11-30 23:59:59   5000  (last month's last second)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from queries.core.actors import Scope
from queries.core.periods import preset_range
from queries.sales.kpis import Comparison, compare, compare_many, headline
from rollups.build import build_rollups, drop_rollups
from tests.builders import Item, MallBuilder, day, local

TZ = "Asia/Shanghai"
ZONE = ZoneInfo(TZ)
NOW = local("2026-12-06 15:00:00")
HOME_PRESETS = ("today", "last_7", "this_month")  # as dashboard.data.sales.HOME_PRESETS
SHOWN = ("gmv_cents", "paid_orders", "buyers", "aov_cents", "refunded_cents", "refund_rate")


@dataclass(frozen=True)
class Mall:
    engine: sa.Engine
    shop_a: int
    shop_b: int


def _build(engine: sa.Engine) -> Mall:
    with engine.begin() as conn:
        b = MallBuilder(conn)
        cat = b.category()
        a, bb = b.vendor("A"), b.vendor("B")
        pa, pb = b.product(a, cat), b.product(bb, cat, price_cents=5000)
        m1, m2, m3, m4 = (b.member() for _ in range(4))
        one = [Item(pa, 1, 10000)]
        o_a1 = b.order(a, m1, one, paid_at=local("2026-12-05 23:59:59"))
        o_a2 = b.order(a, m1, [Item(pa, 2, 10000)], paid_at=local("2026-12-06 00:00:00"))
        b.order(a, m2, one, paid_at=local("2026-12-06 09:00:00"), status="cancelled")
        b.order(a, m2, one, paid_at=local("2026-12-06 10:00:00"))
        b.order(a, m3, one, paid_at=None)
        o_a6 = b.order(a, m3, [Item(pa, 3, 10000)], paid_at=local("2026-10-27 12:00:00"))
        b.order(a, m4, one, paid_at=local("2025-12-06 01:00:00"))
        b.refund(o_a6, 0, 5000, completed_at=local("2026-12-06 08:00:00"))
        b.refund(o_a2, 0, 3000, status="approved", requested_at=local("2026-12-06 09:00:00"))
        b.refund(o_a1, 0, 1000, completed_at=local("2026-12-05 23:59:59"))
        five = [Item(pb, 1, 5000)]
        b.order(bb, m1, five, paid_at=local("2026-12-06 12:00:00"))
        b.order(bb, m4, five, paid_at=local("2026-12-01 00:00:00"))
        b.order(bb, m4, five, paid_at=local("2026-11-30 23:59:59"))
    return Mall(engine, a, bb)


@pytest.fixture(scope="module", params=("sqlite", "postgresql"))
def mall(request, db_factory) -> Mall:
    """The hand-built mall, once per backend for the whole module."""
    built = _build(db_factory.engine(request.param))
    yield built
    with built.engine.begin() as conn:
        drop_rollups(conn)


def _home(engine: sa.Engine, vendor_id: int | None, *, repurchase: bool) -> list[Comparison]:
    """Home's read (`dashboard.data.sales.home_view`'s call), repurchase buyers on or off."""
    with engine.connect() as conn:
        return compare_many(
            conn,
            scope=Scope(vendor_id),
            periods=[preset_range(preset, NOW, ZONE) for preset in HOME_PRESETS],
            tz=TZ,
            new_buyers=False,
            repurchase=repurchase,
        )


def _shown(comparisons: list[Comparison]) -> list[tuple]:
    """What Home shows of each headline (current, 环比 and 同比 sides)."""
    return [
        tuple(getattr(h, name) for name in SHOWN)
        for c in comparisons
        for h in (c.current, c.previous, c.year_ago)
    ]


def _same_without_repurchase(mall: Mall) -> None:
    for vendor_id in (mall.shop_a, mall.shop_b, None):
        with_it = _home(mall.engine, vendor_id, repurchase=True)
        without = _home(mall.engine, vendor_id, repurchase=False)
        assert _shown(without) == _shown(with_it), vendor_id
        for c in without:
            for h in (c.current, c.previous, c.year_ago):
                assert (h.repurchase_buyers, h.repurchase_rate) == (None, None)
                assert (h.new_buyers, h.returning_buyers) == (None, None)


def test_home_without_repurchase_gives_the_same_figures_live(mall):
    with mall.engine.begin() as conn:
        drop_rollups(conn)
    _same_without_repurchase(mall)


def test_home_without_repurchase_gives_the_same_figures_from_rollups(mall):
    # Rolled up to Dec 5 (exclusive): Dec 5 and today live; then to Dec 6: only today live.
    for cut in ("2026-12-05", "2026-12-06"):
        with mall.engine.begin() as conn:
            build_rollups(conn, tz=TZ, complete_before=day(cut))
        _same_without_repurchase(mall)
    with mall.engine.begin() as conn:
        drop_rollups(conn)


def test_the_hand_worked_figures_across_midnight(mall):
    with mall.engine.begin() as conn:
        drop_rollups(conn)
    today, last_7, month = _home(mall.engine, mall.shop_a, repurchase=False)
    # Today (Dec 6, to 15:00): oA2 20000 (00:00:00), oA3 10000 (cancelled, paid), oA4 10000;
    # buyers m1, m2; refunds: 5000 of oA6 (paid 40 days ago), not rA2 (approved, not completed).
    h = today.current
    assert (h.gmv_cents, h.paid_orders, h.buyers, h.refunded_cents) == (40000, 3, 2, 5000)
    assert h.aov_cents == 13333  # 40000 / 3 = 13333.3
    # Yesterday to 15:00: oA1 paid at 23:59:59 is past 15:00, not in the 环比 span; rA1 too.
    y = today.previous
    assert (y.gmv_cents, y.paid_orders, y.buyers, y.refunded_cents) == (0, 0, 0, 0)
    # A year earlier (2025-12-06 to 15:00): oA7 10000, m4.
    assert (today.year_ago.gmv_cents, today.year_ago.buyers) == (10000, 1)
    # Last 7 days (Nov 29 – Dec 5, whole days): oA1 only; rA1 completed 23:59:59 on Dec 5.
    w = last_7.current
    assert (w.gmv_cents, w.paid_orders, w.buyers, w.refunded_cents) == (10000, 1, 1, 1000)
    # This month to now: oA1 + oA2 (m1 on both sides of midnight, one buyer) + oA3 + oA4.
    m = month.current
    assert (m.gmv_cents, m.paid_orders, m.buyers, m.refunded_cents) == (50000, 4, 2, 6000)
    with mall.engine.connect() as conn:
        whole = headline(
            conn,
            scope=Scope.mall(),
            period=preset_range("this_month", NOW, ZONE),
            tz=TZ,
            new_buyers=False,
            repurchase=False,
        )
    # The mall this month: A's 50000 / 4 + B's oB1 5000 and oB2 5000 (Dec 1 00:00:00; not
    # oB3, Nov 30 23:59:59); buyers m1 (both shops, once), m2, m4.
    assert (whole.gmv_cents, whole.paid_orders, whole.buyers) == (60000, 6, 3)


def test_sales_compare_without_repurchase_keeps_its_figures(mall):
    """The Sales page's read: a whole-day period across the midnight edge."""
    with mall.engine.begin() as conn:
        drop_rollups(conn)
    period = preset_range("last_7", NOW + timedelta(days=1), ZONE)  # Nov 30 – Dec 6
    found = {}
    for vendor_id in (mall.shop_a, mall.shop_b, None):
        with mall.engine.connect() as conn:
            args = {"scope": Scope(vendor_id), "period": period, "tz": TZ, "new_buyers": False}
            on, off = compare(conn, **args), compare(conn, **args, repurchase=False)
        for a, b in ((on.current, off.current), (on.previous, off.previous)):
            assert tuple(getattr(b, n) for n in SHOWN) == tuple(getattr(a, n) for n in SHOWN)
        found[vendor_id] = on.current, off.current
    # Shop A: oA1–oA4, buyers m1 (either side of midnight) and m2, both repurchase buyers
    # when asked; not computed when not.
    on, off = found[mall.shop_a]
    assert (off.gmv_cents, off.paid_orders, off.buyers) == (50000, 4, 2)
    assert (on.repurchase_buyers, off.repurchase_buyers) == (2, None)
