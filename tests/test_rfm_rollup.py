"""The RFM rollup gives the live segments, to the second at the window's edges.

A hand-built shop whose members sit on the edges of the default rules as of
2026-12-01 00:00 Shanghai (window from 2025-12-01, recent since 2026-09-02, ¥500
the high-value line), read as of 11-30, 12-01 and 12-02 live and from the rollup;
then every as-of day of two months on a demo mall, for its biggest shop, a small
one, one without sales and the whole mall. SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

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
    inside_a_day = TimeRange(
        datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 12, 1, 1, tzinfo=UTC)
    )  # ends at 09:00 Shanghai
    with engine.connect() as conn:
        scope = Scope(shop)
        assert None is rolled_as_of(
            conn, scope=scope, end=inside_a_day.end, tz=TZ, rules=RfmRules()
        )
        assert None is rolled_as_of(
            conn, scope=scope, end=_as_of("2026-12-02").end, tz=TZ, rules=RfmRules()
        )  # after the cut
        assert None is rolled_as_of(
            conn, scope=scope, end=_as_of("2026-12-01").end, tz=TZ, rules=RfmRules(recent_days=30)
        )
        assert None is rolled_as_of(
            conn, scope=scope, end=_as_of("2026-12-01").end, tz=None, rules=RfmRules()
        )
        for as_of, expected in EXPECTED.items():  # live past the cut, rolled before it
            assert _segments(conn, shop, _as_of(as_of), TZ) == expected, as_of


def test_rfm_rollup_gives_the_live_segments_every_day_on_a_demo_mall(rollup_demo_mall):
    engine, demo = rollup_demo_mall
    scopes = (demo.biggest_vendor_id, demo.small_vendor_id, demo.empty_vendor_id, None)
    days = [day("2026-09-20") + timedelta(days=n) for n in range(62)]
    with engine.begin() as conn:
        drop_rollups(conn)
    with engine.connect() as conn:
        live = {(v, d): _segments(conn, v, _as_of(d.isoformat()), TZ) for v in scopes for d in days}
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
    assert live[(demo.biggest_vendor_id, day("2026-11-20"))]
    assert live[(demo.empty_vendor_id, day("2026-11-20"))] == {}
