"""Content (种草) analytics on a hand-built mall (tests/content_data.py), on SQLite and PostgreSQL.

Period P = November 2026, Shanghai; the data set, worked out by hand order by order
and view by view, is described in tests/content_data.py.
"""

from __future__ import annotations

import pytest

from queries.content.affinity import affinity
from queries.content.attribution import tag_attribution
from queries.content.notes import notes, summary
from queries.core.actors import Scope
from queries.core.periods import month_range
from tests.builders import SHANGHAI, Item, MallBuilder, local
from tests.conftest import BACKENDS
from tests.content_data import build_content_mall, note, view

NOV = month_range(2026, 11, SHANGHAI)
EMPTY = month_range(2027, 1, SHANGHAI)


@pytest.fixture(scope="module", params=BACKENDS)
def mall(request, db_factory):
    """The data set above, built once per backend."""
    return build_content_mall(db_factory.engine(request.param))


def _rows(frame):
    return [tuple(r) for r in frame.values.tolist()]


def test_tags_read_before_buying_for_a_vendor(mall):
    engine, a, _, _ = mall
    with engine.connect() as conn:
        got = tag_attribution(conn, scope=Scope(a), period=NOV)
    # 平价好物: o1 pa1 100 (m1), o4 pa1 50 (m1), o3 pa2 400 (m3, via n2), o5 pa1 10 (m4)
    #   → buyers m1, m3, m4 = 3; orders o1, o3, o4, o5 = 4; item sales ¥560.
    # 通勤穿搭 (n1 only): o1 100, o4 50, o5 10 → buyers 2, orders 3, ¥160.
    # Not attributed: o2 (view exactly 7 days before), o3's pa1 (viewed after buying).
    assert _rows(got) == [("平价好物", 3, 4, 56000), ("通勤穿搭", 2, 3, 16000)]


def test_tags_other_vendor_and_mall(mall):
    engine, _, vb, _ = mall
    with engine.connect() as conn:
        b = tag_attribution(conn, scope=Scope(vb), period=NOV)
        whole = tag_attribution(conn, scope=Scope.mall(), period=NOV)
    assert _rows(b) == [("护肤", 1, 1, 50000)]
    assert _rows(whole) == [
        ("平价好物", 3, 4, 56000),
        ("护肤", 1, 1, 50000),
        ("通勤穿搭", 2, 3, 16000),
    ]


def test_notes_and_views(mall):
    engine, a, vb, (n1, n2, n3, _) = mall
    with engine.connect() as conn:
        listed = notes(conn, scope=Scope(a), period=NOV)
        totals = summary(conn, scope=Scope(a), period=NOV)
        b_totals = summary(conn, scope=Scope(vb), period=NOV)
    # n1: m1 ×3, m2, m3, m4 = 6 views, 4 viewers (m5's view is in October). n2: m3 = 1.
    # n2 mentions pb too, but only pa2 is A's: 1 product of A's.
    assert listed[["note_id", "products", "views", "viewers"]].values.tolist() == [
        [n1, 1, 6, 4],
        [n2, 1, 1, 1],
    ]
    assert listed["tags"].tolist() == ["平价好物 · 通勤穿搭", "平价好物"]
    assert totals == {"notes_posted": 1, "notes_viewed": 2, "note_views": 7, "note_viewers": 4}
    # B: n2 (m3) and n3 (m2): 2 views, 2 viewers; posted in November: n2.
    assert b_totals == {"notes_posted": 1, "notes_viewed": 2, "note_views": 2, "note_viewers": 2}
    assert n3 not in set(listed["note_id"])


def test_tag_affinity(mall):
    engine, a, vb, _ = mall
    with engine.connect() as conn:
        got_a = affinity(conn, scope=Scope(a), period=NOV)
        got_b = affinity(conn, scope=Scope(vb), period=NOV)
        got_mall = affinity(conn, scope=Scope.mall(), period=NOV)
    # Mall buyers in P: m1, m2, m3, m4, m6 = 5. Viewers in P among them, per tag (any note):
    # 平价好物 m1 m2 m3 m4 = 4 (0.8); 通勤穿搭 m1 m2 m3 m4 m6 = 5 (1.0); 护肤 m2 = 1 (0.2).
    # A's buyers m1..m4 = 4: 平价好物 4 (1.0 → 1.0/0.8 = 1.25), 通勤穿搭 4 (1.0 → 1.0),
    # 护肤 1 (0.25 → 0.25/0.2 = 1.25).
    a_rows = {r["tag"]: r for r in got_a.to_dict("records")}
    assert {t: r["affinity"] for t, r in a_rows.items()} == {
        "平价好物": 1.25,
        "通勤穿搭": 1.0,
        "护肤": 1.25,
    }
    assert (a_rows["护肤"]["shop_viewers"], a_rows["护肤"]["shop_buyers"]) == (1, 4)
    assert (a_rows["护肤"]["mall_viewers"], a_rows["护肤"]["mall_buyers"]) == (1, 5)
    assert got_a["tag"].tolist() == ["平价好物", "护肤", "通勤穿搭"]
    # B's buyers m2, m6 = 2: 平价好物 1 (0.5/0.8 = 0.625), 通勤穿搭 2 (1.0), 护肤 1 (0.5/0.2 = 2.5).
    assert dict(zip(got_b["tag"], got_b["affinity"], strict=True)) == {
        "护肤": 2.5,
        "通勤穿搭": 1.0,
        "平价好物": 0.625,
    }
    assert set(got_mall["affinity"]) == {1.0}


def test_empty_period(mall):
    engine, a, _, _ = mall
    with engine.connect() as conn:
        assert tag_attribution(conn, scope=Scope(a), period=EMPTY).empty
        assert affinity(conn, scope=Scope(a), period=EMPTY).empty
        assert notes(conn, scope=Scope(a), period=EMPTY).empty
        assert summary(conn, scope=Scope(a), period=EMPTY) == {
            "notes_posted": 0,
            "notes_viewed": 0,
            "note_views": 0,
            "note_viewers": 0,
        }


def test_seven_day_edge_to_the_microsecond(empty_db):
    with empty_db.begin() as conn:
        b = MallBuilder(conn)
        cat = b.category()
        a = b.vendor("A")
        p = b.product(a, cat)
        early, late = b.member(), b.member()
        n_early = note(conn, early, "2026-10-01 10:00", "e", ["早"], [p])
        n_late = note(conn, late, "2026-10-01 10:00", "l", ["晚"], [p])
        for member in (early, late):
            b.order(a, member, [Item(p)], paid_at=local("2026-11-10 12:00:00.500000"))
        # Exactly 7 days before (to the microsecond): paid_at < view_at + 7 days fails.
        view(conn, early, n_early, "2026-11-03 12:00:00.500000")
        # One microsecond later: inside the window.
        view(conn, late, n_late, "2026-11-03 12:00:00.500001")
        got = tag_attribution(conn, scope=Scope(a), period=NOV)
    assert _rows(got) == [("晚", 1, 1, 10000)]
