"""The content rollups give the live Content figures, and their absence changes nothing.

On the hand-built content mall (`tests/content_data.py`, plus a shop C without
sales) and on a demo mall, each scope's note totals, notes list, tags read before
buying and tag affinity (with the mall's baseline) are read live (no rollup
tables), then again with the rollups cut on several days: before the data, on the
day of m1's second order (rolled days and a live rest that share a buyer), on a
day with no order, after November. Every frame must be equal, for each shop, the
shop without sales and the whole mall, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime

import pandas as pd
import pytest
import sqlalchemy as sa

from queries.content.notes import (
    affinity,
    mall_tag_viewers,
    notes,
    summary,
    summary_and_notes,
    tag_attribution,
)
from queries.core import schema as s
from queries.core.actors import Scope
from queries.core.periods import TimeRange, month_range, range_from_dates
from queries.rolled.content import (
    CONTENT,
    buyers_to_cut,
    content_coverage,
    last_paid,
    tag_attribution_days,
    tag_buyers_to_cut,
    tag_readers,
)
from queries.rolled.coverage import MALL, complete_before, rollup_state, state_key
from rollups.build import build_rollups, drop_rollups
from tests.builders import SHANGHAI, Item, MallBuilder, day, local
from tests.conftest import BACKENDS
from tests.content_data import build_content_mall, view
from tests.rollup_checks import live_then_rolled

TZ = "Asia/Shanghai"


PERIODS = {
    "november": month_range(2026, 11, SHANGHAI),
    "january (empty)": month_range(2027, 1, SHANGHAI),
    # m1 bought on 11-10 and 11-11: counted once, whichever side of a cut the days are.
    "nov 10 – nov 11": range_from_dates(day("2026-11-10"), day("2026-11-12"), SHANGHAI),
    # Starts after m1's first order: m1 is a buyer of the period through 11-11 alone.
    "nov 11 – nov 30": range_from_dates(day("2026-11-11"), day("2026-12-01"), SHANGHAI),
    # Runs to the 11-14 cut (the nets' read): starts on m1's second paid and read day.
    "nov 11 – nov 13": range_from_dates(day("2026-11-11"), day("2026-11-14"), SHANGHAI),
    # Starts and ends inside days: 11-10 13:00 and 11-20 09:00 Shanghai.
    "nov 10 13:00 – nov 20 9:00": TimeRange(
        datetime(2026, 11, 10, 5, tzinfo=UTC), datetime(2026, 11, 20, 1, tzinfo=UTC)
    ),
}
CUTS = ("2026-10-01", "2026-11-11", "2026-11-14", "2026-12-01")


def _read(engine: sa.Engine, vendor_id: int | None, period: TimeRange) -> dict:
    """Each Content read; the page's own (summary and notes in one, the cached mall baseline)
    must give the figures of the separate reads, rolled or live."""
    scope = Scope(vendor_id)
    with engine.connect() as conn:
        figures = {
            "summary": summary(conn, scope=scope, period=period, tz=TZ),
            "notes": notes(conn, scope=scope, period=period, tz=TZ),
            "tags": tag_attribution(conn, scope=scope, period=period, tz=TZ),
            "affinity": affinity(conn, scope=scope, period=period, tz=TZ),
        }
        totals, listed = summary_and_notes(conn, scope=scope, period=period, tz=TZ)
        mall = mall_tag_viewers(conn, period=period, tz=TZ)
        with_mall = affinity(conn, scope=scope, period=period, mall_baseline=mall, tz=TZ)
    assert totals == figures["summary"]
    pd.testing.assert_frame_equal(listed, figures["notes"])
    pd.testing.assert_frame_equal(with_mall, figures["affinity"])
    return figures


@pytest.fixture(scope="module", params=BACKENDS)
def content_mall(request, db_factory):
    engine, shop_a, shop_b, (n1, n2, *_) = build_content_mall(db_factory.engine(request.param))
    with engine.begin() as conn:
        shop_c = MallBuilder(conn).vendor("C")  # no orders at all
        # m4 (the fourth member) reads two of A's notes on 11-20: one viewer of A that day.
        m4 = conn.execute(
            sa.select(s.note_views.c.member_id).where(
                s.note_views.c.viewed_at == local("2026-11-20 12:00")
            )
        ).scalar_one()
        view(conn, m4, n2, "2026-11-20 08:00")
    yield engine, shop_a, shop_b, shop_c
    with engine.begin() as conn:
        drop_rollups(conn)


def test_content_rollup_gives_the_live_figures_on_the_hand_built_mall(content_mall):
    engine, *shops = content_mall
    live = live_then_rolled(engine, _read, (*shops, None), PERIODS, CUTS)
    # The hand-worked figures (tests/test_content.py), so the comparison is not of empties.
    assert live[(shops[0], "november")]["tags"].values.tolist() == [
        ["平价好物", 3, 4, 56000],
        ["通勤穿搭", 2, 3, 16000],
    ]
    assert live[(shops[0], "nov 10 – nov 11")]["tags"].values.tolist() == [
        ["平价好物", 1, 2, 15000],
        ["通勤穿搭", 1, 2, 15000],
    ]
    # tests/test_content.py's 7 views and 4 viewers, and m4's second note on 11-20.
    assert live[(shops[0], "november")]["summary"] == {
        "notes_posted": 1,
        "notes_viewed": 2,
        "note_views": 8,
        "note_viewers": 4,
    }
    b_affinity = live[(shops[1], "november")]["affinity"]
    assert dict(zip(b_affinity["tag"], b_affinity["affinity"], strict=True)) == {
        "护肤": 2.5,
        "通勤穿搭": 1.0,
        "平价好物": 0.625,
    }


def _rows_at_cut(engine: sa.Engine, cut: str, query: sa.Select) -> tuple[list, date | None]:
    """The rows of `query` with the rollups built up to `cut`, and the content state's cut."""
    with engine.begin() as conn:
        build_rollups(conn, tz=TZ, complete_before=day(cut))
        rows = conn.execute(query).all()
        state = complete_before(conn, rollup=CONTENT, tz=TZ)
        drop_rollups(conn)
    return rows, state


def test_content_rollup_rows_hold_the_hand_worked_figures(content_mall):
    """Cut 2026-12-01. A: m1 on 11-10 (¥100) and 11-11 (¥50, previous day 11-10) for both
    of n1's tags; m3 on 11-15, pa2's ¥400 for 平价好物 (n2); m4 on 11-20 (¥10), both tags.
    B: m2 on 11-12, ¥500 for 护肤. The mall: the same eight rows under its marker."""
    engine, shop_a, shop_b, shop_c = content_mall
    r = tag_attribution_days
    rows, state = _rows_at_cut(
        engine, "2026-12-01",
        sa.select(
            r.c.vendor_id, r.c.paid_on, r.c.tag, r.c.previous_on, r.c.orders,
            r.c.item_sales_cents,
        ).order_by(r.c.vendor_id, r.c.paid_on, r.c.tag),
    )  # fmt: skip
    shop_rows = [
        ("2026-11-10", "平价好物", None, 1, 10000),
        ("2026-11-10", "通勤穿搭", None, 1, 10000),
        ("2026-11-11", "平价好物", "2026-11-10", 1, 5000),
        ("2026-11-11", "通勤穿搭", "2026-11-10", 1, 5000),
        ("2026-11-15", "平价好物", None, 1, 40000),
        ("2026-11-20", "平价好物", None, 1, 1000),
        ("2026-11-20", "通勤穿搭", None, 1, 1000),
    ]
    b_row = ("2026-11-12", "护肤", None, 1, 50000)

    def as_text(row):
        vendor, paid_on, tag, previous, orders, cents = row
        return vendor, str(paid_on), tag, previous and str(previous), int(orders), int(cents)

    expected_mall = sorted([(MALL, *x) for x in [*shop_rows, b_row]], key=lambda x: (x[1], x[2]))
    assert [as_text(x) for x in rows] == [
        *expected_mall,
        *((shop_a, *x) for x in shop_rows),
        (shop_b, *b_row),
    ]  # C: no row
    assert state == day("2026-12-01")


def test_tag_reader_rows_hold_the_hand_worked_days(content_mall):
    """Cut 2026-11-12: views and payments before it, one row per (day, tag, member). m1 read
    n1 on 11-03, 11-10 and 11-11 (previous day 11-03, then 11-10) and paid on 11-10 and
    11-11; m2 read n1 on 11-05 and n3 (护肤) on 11-11 and paid only on 11-12 (after the
    cut); m5 read n1 on 10-31 23:59 (Shanghai) and never paid."""
    r = tag_readers
    rows, _ = _rows_at_cut(
        content_mall[0], "2026-11-12",
        sa.select(
            r.c.viewed_on, r.c.tag, r.c.previous_on, r.c.paid_to_on, r.c.paid_from_on,
            r.c.member_id,
        ).order_by(r.c.viewed_on, r.c.tag, r.c.member_id),
    )  # fmt: skip
    members = sorted({row[-1] for row in rows})
    m1, m2, m5 = members  # member ids in creation order: m1, m2, m5 read before the cut
    got = [(*(x and str(x) for x in row[:-1]), row[-1]) for row in rows]
    assert got == [
        ("2026-10-31", "平价好物", None, None, None, m5),
        ("2026-10-31", "通勤穿搭", None, None, None, m5),
        ("2026-11-03", "平价好物", None, None, "2026-11-10", m1),
        ("2026-11-03", "通勤穿搭", None, None, "2026-11-10", m1),
        ("2026-11-05", "平价好物", None, None, None, m2),
        ("2026-11-05", "通勤穿搭", None, None, None, m2),
        ("2026-11-10", "平价好物", "2026-11-03", "2026-11-10", "2026-11-10", m1),
        ("2026-11-10", "通勤穿搭", "2026-11-03", "2026-11-10", "2026-11-10", m1),
        ("2026-11-11", "平价好物", "2026-11-10", "2026-11-11", "2026-11-11", m1),
        ("2026-11-11", "护肤", None, None, None, m2),
        ("2026-11-11", "通勤穿搭", "2026-11-10", "2026-11-11", "2026-11-11", m1),
    ]


def test_last_paid_rows_hold_each_buyers_last_day_per_shop_and_in_the_mall(content_mall):
    """Cut 2026-11-14. A's buyers before it: m1 (11-10, 11-11) and m2 (11-12); B's: m2
    (11-12) and m6 (11-13). One row per member and shop, and per member in the mall (−1),
    with the last paid day: m5 (never paid) has none; C (no sales) none."""
    engine, shop_a, shop_b, _ = content_mall
    p = last_paid
    rows, _ = _rows_at_cut(
        engine, "2026-11-14",
        sa.select(p.c.member_id, p.c.vendor_id, p.c.last_on).order_by(
            p.c.member_id, p.c.vendor_id
        ),
    )  # fmt: skip
    m1, m2, m6 = sorted({row[0] for row in rows})
    assert [(row[0], row[1], str(row[2])) for row in rows] == [
        (m1, MALL, "2026-11-11"),
        (m1, shop_a, "2026-11-11"),
        (m2, MALL, "2026-11-12"),
        *sorted([(m2, shop_a, "2026-11-12"), (m2, shop_b, "2026-11-12")]),
        (m6, MALL, "2026-11-13"),
        (m6, shop_b, "2026-11-13"),
    ]


def test_counts_to_the_cut_hold_the_hand_worked_nets(content_mall):
    """Cut 2026-11-14. The mall's reader rows count for the periods [a, cut) with
    previous_on < a ≤ their last day: m1's 平价 rows 11-03, 11-10 (previous 11-03), 11-11
    (previous 11-10) give +1 −1 on 11-03 and 11-10 (dropped, zero) and +1 on 11-11; m2's
    11-05 row (paid 11-12, after it) +1 on 11-05. A shop's (tag, member) counts once, on
    the earlier of the last reading day of the tag and the last paid day in the shop: m2
    (read 平价 and 通勤 last on 11-05, 护肤 on 11-11, paid A and B on 11-12) on 11-05, 11-05
    and 11-11 in both; m6 (通勤 on 11-13, paid B on 11-13) on 11-13 in B. Buyer days: m1
    11-10 and 11-11 (previous 11-10), m2 11-12, m6 11-13 (B)."""
    engine, shop_a, shop_b, _ = content_mall
    n = tag_buyers_to_cut
    tag_rows, _ = _rows_at_cut(
        engine, "2026-11-14",
        sa.select(n.c.vendor_id, n.c.tag, n.c.day, n.c.net).order_by(
            n.c.vendor_id, n.c.tag, n.c.day
        ),
    )  # fmt: skip
    b = buyers_to_cut
    buyer_rows, _ = _rows_at_cut(
        engine, "2026-11-14",
        sa.select(b.c.vendor_id, b.c.day, b.c.net).order_by(b.c.vendor_id, b.c.day),
    )  # fmt: skip
    a_tags = [
        ("平价好物", "2026-11-05", 1),
        ("平价好物", "2026-11-11", 1),
        ("护肤", "2026-11-11", 1),
        ("通勤穿搭", "2026-11-05", 1),
        ("通勤穿搭", "2026-11-11", 1),
    ]
    got = sorted((row[0], row[1], str(row[2]), int(row[3])) for row in tag_rows)
    assert got == sorted(
        [
            *((MALL, *x) for x in a_tags),
            (MALL, "通勤穿搭", "2026-11-13", 1),  # m6
            *((shop_a, *x) for x in a_tags),
            (shop_b, "平价好物", "2026-11-05", 1),
            (shop_b, "护肤", "2026-11-11", 1),
            (shop_b, "通勤穿搭", "2026-11-05", 1),
            (shop_b, "通勤穿搭", "2026-11-13", 1),
        ]
    )  # C: no row
    got = sorted((row[0], str(row[1]), int(row[2])) for row in buyer_rows)
    assert got == sorted(
        [
            *((MALL, d, 1) for d in ("2026-11-11", "2026-11-12", "2026-11-13")),
            (shop_a, "2026-11-11", 1),
            (shop_a, "2026-11-12", 1),
            (shop_b, "2026-11-12", 1),
            (shop_b, "2026-11-13", 1),
        ]
    )


def test_a_period_to_the_cut_reads_its_counts_from_the_nets(content_mall):
    """11-11 to the 11-14 cut: A's buyers m1 and m2, readers m1 (平价好物, 通勤穿搭) and m2
    (护肤); the mall's buyers m1, m2, m6 and readers m1 (平价好物), m1 and m6 (通勤穿搭), m2
    (护肤). One net changed by hand shows in the figures: they come from the nets."""
    engine, shop_a, _, _ = content_mall
    period = PERIODS["nov 11 – nov 13"]
    n = tag_buyers_to_cut
    with engine.begin() as conn:
        build_rollups(conn, tz=TZ, complete_before=day("2026-11-14"))
        assert content_coverage(conn, scope=Scope(shop_a), period=period, tz=TZ).runs_to_cut()
        before = affinity(conn, scope=Scope(shop_a), period=period, tz=TZ)
        conn.execute(
            n.update()
            .where(n.c.vendor_id == MALL, n.c.tag == "通勤穿搭", n.c.day == day("2026-11-13"))
            .values(net=n.c.net + 1)
        )
        after = affinity(conn, scope=Scope(shop_a), period=period, tz=TZ)
        drop_rollups(conn)
    figures = ["tag", "shop_viewers", "shop_buyers", "mall_viewers", "mall_buyers", "affinity"]
    assert before[figures].values.tolist() == [
        ["平价好物", 1, 2, 1, 3, 1.5],
        ["护肤", 1, 2, 1, 3, 1.5],
        ["通勤穿搭", 1, 2, 2, 3, 0.75],
    ]
    assert after["mall_viewers"].tolist() == [1, 1, 3]


def test_a_period_of_rolled_days_alone_reads_no_live_rest(content_mall):
    engine, shop_a, _, _ = content_mall
    with engine.begin() as conn:
        build_rollups(conn, tz=TZ, complete_before=day("2026-12-01"))
        covered = content_coverage(conn, scope=Scope(shop_a), period=PERIODS["november"], tz=TZ)
        assert (covered.first, covered.end, covered.live) == (
            day("2026-11-01"),
            day("2026-12-01"),
            (),
        )
        assert content_coverage(conn, scope=Scope(MALL), period=PERIODS["november"], tz=TZ) is None
        drop_rollups(conn)
        assert content_coverage(conn, scope=Scope(None), period=PERIODS["november"], tz=TZ) is None


def test_content_rollup_gives_the_live_figures_on_a_demo_mall(rollup_demo_mall):
    """A year and a month to today of the biggest shop, a small one, an empty one, the mall."""
    engine, demo = rollup_demo_mall
    periods = {
        "year": range_from_dates(day("2025-11-20"), day("2026-11-20"), SHANGHAI),
        "30 days": range_from_dates(day("2026-10-21"), day("2026-11-20"), SHANGHAI),
        "30 days to the cut": range_from_dates(day("2026-10-20"), day("2026-11-19"), SHANGHAI),
    }
    scopes = (demo.biggest_vendor_id, demo.small_vendor_id, demo.empty_vendor_id, None)
    live = live_then_rolled(engine, _read, scopes, periods, ("2026-11-20", "2026-11-01"))
    biggest = live[(demo.biggest_vendor_id, "year")]
    assert len(biggest["tags"]) > 3 and biggest["tags"]["buyers"].min() > 0
    assert biggest["affinity"]["shop_viewers"].min() > 0
    assert live[(demo.empty_vendor_id, "year")]["tags"].empty


def test_page_reads_take_a_shorter_list_and_refuse_an_empty_one(content_mall):
    """The totals of the combined read do not depend on how many notes it lists: rolled
    days alone (november), with a live rest (inside days), and all live (no tz)."""
    engine, shop_a, *_ = content_mall
    november = PERIODS["november"]
    with engine.begin() as conn:
        build_rollups(conn, tz=TZ, complete_before=day("2026-12-01"))
    periods = (november, PERIODS["nov 10 13:00 – nov 20 9:00"])
    try:
        with engine.connect() as conn:
            for vendor_id, period in itertools.product((shop_a, None), periods):
                scope = Scope(vendor_id)
                totals, top = summary_and_notes(conn, scope=scope, period=period, limit=1, tz=TZ)
                assert totals == summary(conn, scope=scope, period=period, tz=TZ)
                assert totals["notes_viewed"] > 1  # so the list of one is shorter
                expected = notes(conn, scope=scope, period=period, limit=1, tz=TZ)
                pd.testing.assert_frame_equal(top, expected)
                live_totals, live_top = summary_and_notes(conn, scope=scope, period=period, limit=1)
                assert live_totals == totals
                pd.testing.assert_frame_equal(live_top, top)
            with pytest.raises(ValueError):
                summary_and_notes(conn, scope=Scope(shop_a), period=november, limit=0, tz=TZ)
    finally:
        with engine.begin() as conn:
            drop_rollups(conn)


def test_affinity_with_live_buyers_counts_an_order_written_after_the_build(empty_db):
    """Content rolled but no sales rollup: buyers are read live, so a payment recorded after
    the build (its day already rolled) counts, although the readers' paid days miss it."""
    engine, _, shop_b, (_, _, n3, _) = build_content_mall(empty_db)
    with engine.begin() as conn:
        late_buyer = MallBuilder(conn).member()
        view(conn, late_buyer, n3, "2026-11-20 10:00")
        build_rollups(conn, tz=TZ, complete_before=day("2026-12-01"))
        conn.execute(rollup_state.delete().where(rollup_state.c.rollup != state_key(CONTENT, TZ)))
        product = conn.execute(
            sa.select(s.products.c.product_id).where(s.products.c.vendor_id == shop_b)
        ).scalar()
        MallBuilder(conn).order(
            shop_b, late_buyer, [Item(product, unit_price_cents=100)],
            paid_at=local("2026-11-21 12:00"),
        )  # fmt: skip
    november = PERIODS["november"]
    with engine.connect() as conn:
        assert content_coverage(conn, scope=Scope(shop_b), period=november, tz=TZ) is not None
        rolled = affinity(conn, scope=Scope(shop_b), period=november, tz=TZ)
        live = affinity(conn, scope=Scope(shop_b), period=november)
    assert rolled["shop_viewers"].tolist() == live["shop_viewers"].tolist()
    assert rolled["tag"].tolist() == live["tag"].tolist()
