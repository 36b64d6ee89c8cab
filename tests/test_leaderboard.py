"""The operators' vendor leaderboard on `tests/sales_data.py` (November 2026 vs October).

Read live, then with the rollups cut on several days: the same board, on the
hand-built mall and on a demo mall, SQLite and PostgreSQL.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest

from queries.core.actors import Scope
from queries.core.errors import Forbidden
from queries.core.periods import month_range, range_from_dates
from queries.sales.leaderboard import leaderboard
from tests.builders import SHANGHAI, day
from tests.rollup_checks import live_then_rolled
from tests.sales_data import SalesMall, build_sales_mall
from tests.test_rollups import CUTS as ROLLUP_CUTS
from tests.test_rollups import PERIODS as ROLLUP_PERIODS

TZ = "Asia/Shanghai"
NOV = month_range(2026, 11, ZoneInfo(TZ))


@pytest.fixture(scope="module", params=("sqlite", "postgresql"))
def mall(request, db_factory) -> SalesMall:
    return build_sales_mall(db_factory.engine(request.param))


def test_every_vendor_ranked_by_gmv(mall):
    with mall.engine.connect() as conn:
        frame = leaderboard(conn, scope=Scope.mall(), period=NOV, tz=TZ)
    rows = {r.vendor_id: r for r in frame.itertuples(index=False)}
    # Order: A 29898, B 5000, C 0 (the shop without sales is listed too).
    assert list(frame["vendor_id"]) == [mall.shop_a, mall.shop_b, mall.shop_c]
    a, b, c = rows[mall.shop_a], rows[mall.shop_b], rows[mall.shop_c]
    # A: November 29898 vs October 10000 (o0) → growth (29898 − 10000) / 10000 = 1.9898.
    assert (a.gmv_cents, a.previous_gmv_cents) == (29898, 10000)
    assert a.gmv_growth == pytest.approx(1.9898)
    # 4 paid orders, 3 buyers, 2 new (m2, m4); refunded 2000 + 598 = 2598.
    assert (a.paid_orders, a.buyers, a.new_buyers, a.refunded_cents) == (4, 3, 2, 2598)
    assert a.refund_rate == pytest.approx(2598 / 29898)
    # B: 5000, nothing in October → no growth figure; r5 1000 → 20 %.
    assert (b.gmv_cents, b.previous_gmv_cents, b.gmv_growth) == (5000, 0, None)
    assert (b.new_buyers, b.refund_rate) == (1, 0.2)
    # C: zeros and no ratios.
    assert (c.gmv_cents, c.paid_orders, c.new_buyers) == (0, 0, 0)
    assert (c.gmv_growth, c.refund_rate) == (None, None)


def test_leaderboard_is_for_the_whole_mall_only(mall):
    with mall.engine.connect() as conn, pytest.raises(Forbidden):
        leaderboard(conn, scope=Scope(mall.shop_a), period=NOV, tz=TZ)


def _board(engine, vendor_id, period) -> dict:
    with engine.connect() as conn:
        return {"board": leaderboard(conn, scope=Scope.mall(), period=period, tz=TZ)}


def test_rollups_give_the_live_leaderboard_on_the_hand_built_mall(mall):
    """The periods and cuts of the headline's rollup test (tests/test_rollups.py)."""
    live = live_then_rolled(mall.engine, _board, (None,), ROLLUP_PERIODS, ROLLUP_CUTS)
    board = live[(None, "november")]["board"].set_index("vendor_id")
    assert board.loc[mall.shop_a, "new_buyers"] == 2  # hand-worked above, so not of empties


def test_rollups_give_the_live_leaderboard_on_a_demo_mall(rollup_demo_mall):
    engine, _ = rollup_demo_mall
    periods = {
        "30 days": range_from_dates(day("2026-10-21"), day("2026-11-20"), SHANGHAI),
        "a year": range_from_dates(day("2025-11-20"), day("2026-11-20"), SHANGHAI),
    }
    live = live_then_rolled(engine, _board, (None,), periods, ("2026-11-20", "2026-11-01"))
    assert live[(None, "a year")]["board"]["new_buyers"].sum() > 0
