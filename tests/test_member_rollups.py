"""The member rollups give the live figures, and their absence changes nothing.

On the hand-built members mall (`tests/members_data.py`, plus a shop C without
sales) and on a demo mall, the Members page's buyers, new buyers and repurchase
(summary and trend, every grain), cohorts, RFM segments and buyer mixes are read
live (no rollup tables),
then again with rollups cut on several days: before the data, before the cohort
window, on a month's first day, in the middle of November (on the day of a new
buyer's first order), after November, after everything. Every frame must be equal,
for each shop, the shop without sales and the whole mall, on SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from queries.core.actors import Scope
from queries.core.periods import TimeRange, month_range, range_from_dates
from queries.members.cohorts import cohorts
from queries.members.overview import buyer_mixes, rfm_segments, summary, summary_and_trend
from queries.rolled.coverage import MALL
from queries.rolled.members import buyer_firsts, cohort_months, firsts_cut
from rollups.build import build_rollups, drop_rollups
from tests.builders import SHANGHAI, MallBuilder, day
from tests.conftest import BACKENDS
from tests.members_data import build_members_mall
from tests.rollup_checks import live_then_rolled

TZ = "Asia/Shanghai"


PERIODS = {
    "november": month_range(2026, 11, SHANGHAI),
    "january (empty)": month_range(2027, 1, SHANGHAI),
    "oct 15 – nov 12": range_from_dates(day("2026-10-15"), day("2026-11-12"), SHANGHAI),
    "a year to nov 30": range_from_dates(day("2025-12-01"), day("2026-11-30"), SHANGHAI),
    "nov 1 – nov 11 (to a cut)": range_from_dates(day("2026-11-01"), day("2026-11-11"), SHANGHAI),
    # Starts and ends inside days: 10-31 12:00 and 11-12 09:00 Shanghai.
    "oct 31 noon – nov 12 9:00": TimeRange(
        datetime(2026, 10, 31, 4, tzinfo=UTC), datetime(2026, 11, 12, 1, tzinfo=UTC)
    ),
}
CUTS = ("2025-06-01", "2025-12-15", "2026-11-01", "2026-11-12", "2026-12-01", "2027-03-01")
GRAINS = ("day", "week", "month")


def _read(engine: sa.Engine, vendor_id: int | None, period: TimeRange) -> dict:
    scope = Scope(vendor_id)
    with engine.connect() as conn:
        frames = {
            grain: summary_and_trend(conn, scope=scope, period=period, tz=TZ, grain=grain)
            for grain in GRAINS
        }
        return {
            "summary": summary(conn, scope=scope, period=period, tz=TZ),
            **{f"totals {g}": totals for g, (totals, _) in frames.items()},
            **{f"trend {g}": daily for g, (_, daily) in frames.items()},
            "cohorts": cohorts(conn, scope=scope, period=period, tz=TZ),
            "rfm": rfm_segments(conn, scope=scope, period=period, tz=TZ),
            **{
                f"mix {name}": frame
                for name, frame in buyer_mixes(conn, scope=scope, period=period, tz=TZ).items()
            },
        }


@pytest.fixture(scope="module", params=BACKENDS)
def members_mall(request, db_factory):
    engine, shop_a, shop_b = build_members_mall(db_factory.engine(request.param))
    with engine.begin() as conn:
        shop_c = MallBuilder(conn).vendor("C")  # no orders at all
    yield engine, shop_a, shop_b, shop_c
    with engine.begin() as conn:
        drop_rollups(conn)


def test_member_rollups_give_the_live_figures_on_the_hand_built_mall(members_mall):
    engine, *shops = members_mall
    live = live_then_rolled(engine, _read, (*shops, None), PERIODS, CUTS)
    assert live[(shops[0], "november")]["summary"]["new_buyers"] == 2  # the hand-worked one


def test_member_rollup_rows_hold_the_hand_worked_figures(members_mall):
    """Cut 2026-12-01. A's first orders: m1 10-15, m2 11-01 00:00:30, m3 10-31 23:59:59,
    m5 11-12 (their October order was B's), m6 03-01, m7 2025-11-20, m8 10-20; the mall's
    m5 is B's 10-10. A's cohorts × months: 2025-11: m7 (and again 2026-01); 2026-03: m6
    (again 05); 2026-10: m1, m3, m8, of whom m1 and m3 again in 11; 2026-11: m2, m5."""
    engine, shop_a, shop_b, shop_c = members_mall
    f, c = buyer_firsts, cohort_months
    with engine.begin() as conn:
        build_rollups(conn, tz=TZ, complete_before=day("2026-12-01"))
        counts = dict(
            conn.execute(sa.select(f.c.vendor_id, sa.func.count()).group_by(f.c.vendor_id)).all()
        )
        mall_m5 = conn.execute(
            sa.select(sa.func.min(f.c.first_paid_at)).where(
                f.c.vendor_id == MALL, f.c.first_paid_at >= datetime(2026, 10, 1, tzinfo=UTC)
            )
        ).scalar_one()
        a_cohorts = conn.execute(
            sa.select(c.c.cohort, c.c.month, c.c.buyers)
            .where(c.c.vendor_id == shop_a)
            .order_by(c.c.cohort, c.c.month)
        ).all()
        drop_rollups(conn)
    assert counts == {shop_a: 7, shop_b: 2, MALL: 8}  # C: no row
    assert mall_m5 == datetime(2026, 10, 10, 2, tzinfo=UTC)  # 10:00 Shanghai
    assert [(str(a), str(b), int(n)) for a, b, n in a_cohorts] == [
        ("2025-11-01", "2025-11-01", 1),
        ("2025-11-01", "2026-01-01", 1),
        ("2026-03-01", "2026-03-01", 1),
        ("2026-03-01", "2026-05-01", 1),
        ("2026-10-01", "2026-10-01", 3),
        ("2026-10-01", "2026-11-01", 2),
        ("2026-11-01", "2026-11-01", 2),
    ]


def test_a_shop_with_the_malls_marker_id_reads_live(members_mall):
    engine = members_mall[0]
    with engine.begin() as conn:
        build_rollups(conn, tz=TZ, complete_before=day("2026-12-01"))
        assert firsts_cut(conn, scope=Scope(MALL), tz=TZ) is None
        assert firsts_cut(conn, scope=Scope(None), tz=TZ) is not None
        drop_rollups(conn)
        assert firsts_cut(conn, scope=Scope(None), tz=TZ) is None


def test_member_rollups_give_the_live_figures_on_a_demo_mall(rollup_demo_mall):
    """A year and a month to today (and to this afternoon) of the biggest shop, a small one,
    an empty one, the mall."""
    engine, demo = rollup_demo_mall
    periods = {
        "year": range_from_dates(day("2025-11-20"), day("2026-11-20"), SHANGHAI),
        "30 days": range_from_dates(day("2026-10-21"), day("2026-11-20"), SHANGHAI),
        "30 days to the cut": range_from_dates(day("2026-10-20"), day("2026-11-19"), SHANGHAI),
        # Today's page: to 15:30 Shanghai, after the cut (its tail live, RFM moved).
        "30 days to this afternoon": TimeRange(
            datetime(2026, 10, 21, 7, 30, tzinfo=UTC), datetime(2026, 11, 20, 7, 30, tzinfo=UTC)
        ),
    }
    scopes = (demo.biggest_vendor_id, demo.small_vendor_id, demo.empty_vendor_id, None)
    live = live_then_rolled(engine, _read, scopes, periods, ("2026-11-20", "2026-11-01"))
    biggest = live[(demo.biggest_vendor_id, "year")]
    assert biggest["summary"]["new_buyers"] > 0 and len(biggest["cohorts"]) > 12
    assert live[(demo.empty_vendor_id, "year")]["summary"]["buyers"] == 0
