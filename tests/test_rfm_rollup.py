"""The RFM rollup gives the live segments, to the second at the window's edges.

A hand-built shop whose members sit on the edges of the default rules as of
2026-12-01 00:00 Shanghai (window from 2025-12-01, recent since 2026-09-02, ¥500
the high-value line), read as of 11-30, 12-01 and 12-02 live and from the rollup;
then every as-of day of two months on a demo mall, for its biggest shop, a small
one, one without sales and the whole mall; and periods ending inside a day (today's
pages), before and after the rollup's cut. SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from queries.core.actors import Scope
from queries.core.periods import TimeRange, range_from_dates
from queries.members.overview import rfm_segments
from queries.members.rfm import RfmRules, rolled_as_of
from rollups.build import build_rollups, drop_rollups
from tests.builders import SHANGHAI, Item, MallBuilder, day, local
from tests.conftest import BACKENDS

TZ = "Asia/Shanghai"


def _as_of(text: str) -> TimeRange:
    """The 30 days ending at the local midnight that starts `text` (the as-of day)."""
    end = day(text)
    return range_from_dates(end - timedelta(days=30), end, SHANGHAI)


def _segments(conn, vendor_id, period, tz=None) -> dict[str, tuple[int, int]]:
    frame = rfm_segments(conn, scope=Scope(vendor_id), period=period, tz=tz)
    return {r.segment: (r.buyers, r.gmv_cents) for r in frame.itertuples() if r.buyers}


@pytest.fixture(scope="module", params=BACKENDS)
def edge_shop(request, db_factory):
    engine = db_factory.engine(request.param)
    with engine.begin() as conn:
        b = MallBuilder(conn)
        shop, quiet = b.vendor("Edges"), b.vendor("Quiet")
        product = b.product(shop, b.category())

        def buy(when: str, cents: int) -> None:
            member = members[when[:1]]
            b.order(shop, member, [Item(product, unit_price_cents=cents)], paid_at=local(when[2:]))

        members = {name: b.member() for name in "PQRS"}
        buy("P 2025-12-01 00:00:00", 50_000)  # the window's first instant; exactly ¥500
        buy("Q 2025-11-30 23:59:59", 10_000)  # a second before it
        buy("R 2026-05-01 10:00:00", 10_000)
        buy("R 2026-09-02 00:00:01", 10_000)  # recent as of 12-01, not as of 12-02
        buy("S 2026-09-01 23:59:59", 49_999)  # a fen under the line; recent as of 11-30 only
    yield engine, shop, quiet
    with engine.begin() as conn:
        drop_rollups(conn)


# Worked by hand from the orders above.
EXPECTED = {
    "2026-11-30": {  # window from 2025-11-30, recent since 2026-09-01
        "important_winback": (1, 50_000),  # P
        "general_winback": (1, 10_000),  # Q
        "general_value": (1, 20_000),  # R: two orders, the last recent
        "general_develop": (1, 49_999),  # S: recent, one order, under ¥500
    },
    "2026-12-01": {  # Q has left the window; S is no longer recent
        "important_winback": (1, 50_000),
        "general_value": (1, 20_000),
        "general_winback": (1, 49_999),
    },
    "2026-12-02": {  # P has left; R is no longer recent
        "general_keep": (1, 20_000),
        "general_winback": (1, 49_999),
    },
}


def test_rfm_rollup_holds_the_hand_worked_segments(edge_shop):
    engine, shop, quiet = edge_shop
    with engine.begin() as conn:
        drop_rollups(conn)
        for as_of, expected in EXPECTED.items():
            assert _segments(conn, shop, _as_of(as_of), TZ) == expected, f"live {as_of}"
        build_rollups(conn, tz=TZ, complete_before=day("2026-12-05"))
    with engine.connect() as conn:
        for as_of, expected in EXPECTED.items():
            period = _as_of(as_of)
            assert rolled_as_of(conn, scope=Scope(shop), end=period.end, tz=TZ, rules=RfmRules())
            assert _segments(conn, shop, period, TZ) == expected, f"rolled {as_of}"
            assert _segments(conn, quiet, period, TZ) == {}
            assert _segments(conn, None, period, TZ) == expected  # the mall is this shop


def test_rfm_reads_live_where_the_rollup_cannot_answer(edge_shop):
    engine, shop, _ = edge_shop
    with engine.begin() as conn:
        build_rollups(conn, tz=TZ, complete_before=day("2026-12-01"))
    with engine.connect() as conn:
        scope = Scope(shop)
        end = _as_of("2026-12-01").end
        assert None is rolled_as_of(
            conn, scope=scope, end=end, tz=TZ, rules=RfmRules(recent_days=30)
        )
        assert None is rolled_as_of(conn, scope=scope, end=end, tz=None, rules=RfmRules())
        long_after = end + timedelta(days=8)  # a week past the cut: the moves are most buyers
        assert None is rolled_as_of(conn, scope=scope, end=long_after, tz=TZ, rules=RfmRules())
        for as_of, expected in EXPECTED.items():  # rolled and moved past the cut
            assert _segments(conn, shop, _as_of(as_of), TZ) == expected, as_of


# Worked by hand: the end inside a day, the rollup's midnight before it plus the moves.
INSIDE_DAYS = {
    # Window from 2025-12-01 09:00: P's order (00:00) has left it, Q's too; recent since
    # 2026-09-02 09:00: R's last order (00:00:01) no longer is. R: two orders, ¥200.
    "2026-12-01 09:00:00": {"general_keep": (1, 20_000), "general_winback": (1, 49_999)},
    # Window from 2025-11-30 23:59:59: Q's order is its first instant; recent since
    # 2026-09-01 23:59:59: S's order is, for its last second.
    "2026-11-30 23:59:59": {
        "important_winback": (1, 50_000),
        "general_winback": (1, 10_000),
        "general_value": (1, 20_000),
        "general_develop": (1, 49_999),
    },
    # A second after midnight: P's order (00:00:00) has just left the window; R's last
    # (2026-09-02 00:00:01) is exactly the recency edge, still recent.
    "2026-12-01 00:00:01": {"general_value": (1, 20_000), "general_winback": (1, 49_999)},
}


@pytest.mark.parametrize("cut", ["2026-11-30", "2026-12-01", "2026-12-05"])
def test_an_end_inside_a_day_is_the_rollups_midnight_plus_the_moves(edge_shop, cut):
    """Today's page (the period ends now) reads the rollup as of the last midnight it holds
    and moves the buyers whose orders entered, left or stopped being recent since."""
    engine, shop, quiet = edge_shop
    with engine.begin() as conn:
        drop_rollups(conn)
        live = {at: _segments(conn, shop, _ending(at), TZ) for at in INSIDE_DAYS}
        build_rollups(conn, tz=TZ, complete_before=day(cut))
    assert live == INSIDE_DAYS
    with engine.connect() as conn:
        for at, expected in INSIDE_DAYS.items():
            end = local(at)
            as_of = rolled_as_of(conn, scope=Scope(shop), end=end, tz=TZ, rules=RfmRules())
            assert as_of == min(end.astimezone(SHANGHAI).date(), day(cut))
            assert _segments(conn, shop, _ending(at), TZ) == expected, (at, cut)
            assert _segments(conn, None, _ending(at), TZ) == expected  # the mall is this shop
            assert _segments(conn, quiet, _ending(at), TZ) == {}


def _ending(text: str) -> TimeRange:
    """The 30 days ending at the local instant `text`."""
    end = local(text)
    return TimeRange(end - timedelta(days=30), end)


def test_rfm_rollup_gives_the_live_segments_every_day_on_a_demo_mall(rollup_demo_mall):
    engine, demo = rollup_demo_mall
    scopes = (demo.biggest_vendor_id, demo.small_vendor_id, demo.empty_vendor_id, None)
    days = [day("2026-09-20") + timedelta(days=n) for n in range(62)]
    with engine.begin() as conn:
        drop_rollups(conn)
    afternoons = [day("2026-11-17") + timedelta(days=n) for n in range(7)]  # cut on 11-20
    with engine.connect() as conn:
        live = {(v, d): _segments(conn, v, _as_of(d.isoformat()), TZ) for v in scopes for d in days}
        live_afternoons = {
            (v, d): _segments(conn, v, _afternoon(d), TZ) for v in scopes for d in afternoons
        }
    with engine.begin() as conn:
        build_rollups(conn, tz=TZ, complete_before=day("2026-11-20"))
    with engine.connect() as conn:
        for (vendor_id, as_of), expected in live.items():
            period = _as_of(as_of.isoformat())
            rolled = rolled_as_of(
                conn, scope=Scope(vendor_id), end=period.end, tz=TZ, rules=RfmRules()
            )
            assert (rolled is not None) == (as_of <= day("2026-11-20"))
            got = _segments(conn, vendor_id, period, TZ)
            assert got == expected, f"{vendor_id} as of {as_of}"
        for (vendor_id, on), expected in live_afternoons.items():  # rolled plus the moves
            assert _segments(conn, vendor_id, _afternoon(on), TZ) == expected, (vendor_id, on)
    assert live[(demo.biggest_vendor_id, day("2026-11-20"))]
    assert live_afternoons[(demo.biggest_vendor_id, day("2026-11-22"))]
    assert live[(demo.empty_vendor_id, day("2026-11-20"))] == {}


def _afternoon(on) -> TimeRange:
    """The 30 days ending at 15:30 Shanghai on the day `on`."""
    return _ending(f"{on.isoformat()} 15:30:00")
