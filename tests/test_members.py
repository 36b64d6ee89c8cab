"""Member analytics on a hand-built mall, on SQLite and PostgreSQL.

Period P = November 2026 in Shanghai, [2026-11-01, 2026-12-01). Vendor A's and
vendor B's orders (one item each, paid = unit price):

m1: A 2026-10-15 ¥300, A 2026-11-10 ¥300 — returning; born 2000, gold, tier 1
m2: A 2026-11-01 00:00:30 ¥100, A 2026-11-20 ¥100 — new (just after midnight), repurchase
m3: A 2026-10-31 23:59:59 ¥600, A 2026-11-05 ¥100 — returning (just before midnight)
m4: B 2026-11-03 ¥100 — bought only from another shop
m5: B 2026-10-10 ¥100, A 2026-11-12 ¥100 — new for A, returning for the mall
m6: A 2026-03-01 ¥600, A 2026-05-01 ¥100 — not a November buyer
m7: A 2025-11-20 ¥100, A 2026-01-10 ¥100 — first order before the cohort window
m8: A 2026-10-20 ¥100 — October cohort, no November order
"""

from __future__ import annotations

from datetime import date

import pytest

from queries.core.actors import Scope
from queries.core.periods import month_range
from queries.members.cohorts import cohorts
from queries.members.overview import (
    MIXES,
    buyer_mix,
    buyer_mixes,
    report,
    rfm_segments,
    summary,
    summary_and_trend,
    totals_by_vendor,
    trend,
)
from tests.builders import SHANGHAI
from tests.conftest import BACKENDS
from tests.members_data import build_members_mall

TZ = "Asia/Shanghai"
NOV = month_range(2026, 11, SHANGHAI)
EMPTY = month_range(2027, 1, SHANGHAI)


@pytest.fixture(scope="module", params=BACKENDS)
def mall(request, db_factory):
    """The data set above, built once per backend."""
    return build_members_mall(db_factory.engine(request.param))


def test_new_returning_repurchase_for_a_vendor(mall):
    engine, a, _ = mall
    with engine.connect() as conn:
        got = summary(conn, scope=Scope(a), period=NOV)
    # A's November buyers: m1, m2, m3, m5 = 4. New: m2 (first A order 11-01 00:00:30) and
    # m5 (first A order 11-12; their October order was with B) = 2. Returning: m1, m3 (m3's
    # order at 10-31 23:59:59 is October) = 2. Repurchase: m2 (2 orders) = 1 → 1/4.
    assert got == {
        "buyers": 4,
        "new_buyers": 2,
        "returning_buyers": 2,
        "repurchase_buyers": 1,
        "repurchase_rate": 0.25,
    }


def test_whole_mall_counts_first_order_in_the_mall(mall):
    engine, _, _ = mall
    with engine.connect() as conn:
        got = summary(conn, scope=Scope.mall(), period=NOV)
    # Mall buyers m1..m5 = 5. New: m2, m4 = 2 (m5 bought from B in October: returning).
    # Repurchase: m2 only = 1 → 1/5.
    assert got == {
        "buyers": 5,
        "new_buyers": 2,
        "returning_buyers": 3,
        "repurchase_buyers": 1,
        "repurchase_rate": 0.2,
    }


def test_other_shop_only_member_is_not_a_buyer(mall):
    engine, _, v_b = mall
    with engine.connect() as conn:
        got = summary(conn, scope=Scope(v_b), period=NOV)
    # B's November buyer: m4 only, new.
    assert got["buyers"] == 1 and got["new_buyers"] == 1 and got["returning_buyers"] == 0


def test_empty_period_is_zero_and_none(mall):
    engine, a, _ = mall
    with engine.connect() as conn:
        got = summary(conn, scope=Scope(a), period=EMPTY)
        daily = trend(conn, scope=Scope(a), period=EMPTY, tz=TZ)
        mix = buyer_mix(conn, scope=Scope(a), period=EMPTY, by="level")
    assert got == {
        "buyers": 0,
        "new_buyers": 0,
        "returning_buyers": 0,
        "repurchase_buyers": 0,
        "repurchase_rate": None,
    }
    assert daily.empty
    assert mix["buyers"].tolist() == [0, 0, 0, 0]
    assert mix["share"].tolist() == [None] * 4


def test_daily_trend_cuts_days_in_shanghai(mall):
    engine, a, _ = mall
    with engine.connect() as conn:
        daily = trend(conn, scope=Scope(a), period=NOV, tz=TZ, grain="day")
    rows = [tuple(r) for r in daily[["bucket", "buyers", "new_buyers", "repurchase_buyers"]].values]
    # m2's first order at 00:00:30 on 11-01 (16:00:30 UTC on 10-31) is in the 11-01 bucket;
    # m2 on 11-20 is not new there (first order is in an earlier bucket).
    assert rows == [
        (date(2026, 11, 1), 1, 1, 0),
        (date(2026, 11, 5), 1, 0, 0),
        (date(2026, 11, 10), 1, 0, 0),
        (date(2026, 11, 12), 1, 1, 0),
        (date(2026, 11, 20), 1, 0, 0),
    ]


def test_monthly_trend_equals_summary(mall):
    engine, a, _ = mall
    with engine.connect() as conn:
        monthly = trend(conn, scope=Scope(a), period=NOV, tz=TZ, grain="month")
    assert monthly.to_dict("records") == [
        {
            "bucket": date(2026, 11, 1),
            "buyers": 4,
            "new_buyers": 2,
            "returning_buyers": 2,
            "repurchase_buyers": 1,
            "repurchase_rate": 0.25,
        }
    ]


def test_buyer_mix_levels_tiers_and_age_bands(mall):
    engine, a, _ = mall
    with engine.connect() as conn:
        levels = buyer_mix(conn, scope=Scope(a), period=NOV, by="level")
        tiers = buyer_mix(conn, scope=Scope(a), period=NOV, by="city_tier")
        ages = buyer_mix(conn, scope=Scope(a), period=NOV, by="age_band")
    # A's buyers: m1 gold/tier 1/2000, m2 regular/2/1996, m3 silver/3/unknown, m5 diamond/1/1979.
    assert dict(zip(levels["level"], levels["buyers"], strict=True)) == {
        "regular": 1,
        "silver": 1,
        "gold": 1,
        "diamond": 1,
    }
    assert tiers["buyers"].tolist() == [2, 1, 1, 0]
    assert tiers["share"].tolist() == [0.5, 0.25, 0.25, 0.0]
    assert dict(zip(ages["age_band"], ages["buyers"], strict=True)) == {
        "2000s": 1,  # born 2000 is in "2000+"
        "1995_1999": 1,
        "1990_1994": 0,
        "1985_1989": 0,  # m4 (1988) bought only from B
        "1980_1984": 0,
        "before_1980": 1,  # born 1979
        "unknown": 1,
    }


def test_rfm_segments(mall):
    engine, a, _ = mall
    with engine.connect() as conn:
        rfm = rfm_segments(conn, scope=Scope(a), period=NOV)
    # As of 2026-12-01 00:00 Shanghai; window from 2025-12-01 00:00; recent = since 2026-09-02.
    # m1: 2 orders ¥600, recent → important_value. m3: 2 orders ¥700 → important_value.
    # m2: 2 orders ¥200 → general_value. m5: 1 order ¥100 → general_develop; m8 (10-20, ¥100)
    # too. m6: 2 orders ¥700, last in May → important_keep. m7: only 2026-01-10 ¥100 in the
    # window, not recent → general_winback.
    got = {r.segment: (r.buyers, r.gmv_cents) for r in rfm.itertuples()}
    assert got == {
        "important_value": (2, 130000),
        "important_develop": (0, 0),
        "important_keep": (1, 70000),
        "important_winback": (0, 0),
        "general_value": (1, 20000),
        "general_develop": (2, 20000),
        "general_keep": (0, 0),
        "general_winback": (1, 10000),
    }


def test_cohort_retention(mall):
    engine, a, _ = mall
    with engine.connect() as conn:
        got = cohorts(conn, scope=Scope(a), period=NOV, tz=TZ)
    rows = [tuple(r) for r in got[["cohort", "months_since", "cohort_size", "buyers"]].values]
    # Window 2025-12 … 2026-11. m7's first order (2025-11) is before it: no cohort.
    # March: m6 (again in May, month 2). October: m1, m3 (10-31 23:59:59 local), m8 = 3;
    # in November m1 and m3 bought again → 2/3. November: m2, m5.
    assert rows == [
        (date(2026, 3, 1), 0, 1, 1),
        (date(2026, 3, 1), 2, 1, 1),
        (date(2026, 10, 1), 0, 3, 3),
        (date(2026, 10, 1), 1, 3, 2),
        (date(2026, 11, 1), 0, 2, 2),
    ]
    assert got["retention"].tolist()[3] == pytest.approx(2 / 3)


def test_report_shape(mall):
    engine, a, _ = mall
    with engine.connect() as conn:
        got = report(conn, scope=Scope(a), period=NOV, tz=TZ)
        empty = report(conn, scope=Scope(a), period=EMPTY, tz=TZ)
    assert got.totals["new_buyers"] == 2 and got.totals["repurchase_rate"] == 0.25
    assert set(got.breakdowns) == {"levels", "tiers", "age_bands", "rfm"}
    assert empty.totals["buyers"] == 0 and empty.totals["repurchase_rate"] is None


def test_totals_by_vendor_match_each_report(mall):
    engine, a, v_b = mall
    with engine.connect() as conn:
        grouped = totals_by_vendor(conn, period=NOV, tz=TZ)
        one_by_one = {v: summary(conn, scope=Scope(v), period=NOV) for v in (a, v_b)}
        empty = totals_by_vendor(conn, period=EMPTY, tz=TZ)
    assert grouped == one_by_one
    assert empty[a] == {
        "buyers": 0,
        "new_buyers": 0,
        "returning_buyers": 0,
        "repurchase_buyers": 0,
        "repurchase_rate": None,
    }


@pytest.mark.parametrize("grain", ["day", "week", "month"])
def test_summary_and_trend_in_one_statement_equal_the_separate_reads(mall, grain):
    """The Members page reads both at once; each half equals its own read, every scope."""
    engine, a, v_b = mall
    with engine.connect() as conn:
        for scope in (Scope(a), Scope(v_b), Scope.mall()):
            for period in (NOV, EMPTY):
                args = {"scope": scope, "period": period}
                totals, daily = summary_and_trend(conn, **args, tz=TZ, grain=grain)
                assert totals == summary(conn, **args)
                assert daily.equals(trend(conn, **args, tz=TZ, grain=grain))
    assert totals["buyers"] == 0  # the empty period still has its totals row


def test_buyer_mixes_in_one_statement_equal_each_mix(mall):
    engine, a, v_b = mall
    with engine.connect() as conn:
        for scope in (Scope(a), Scope(v_b), Scope.mall()):
            for period in (NOV, EMPTY):
                together = buyer_mixes(conn, scope=scope, period=period)
                assert set(together) == set(MIXES)
                for by in MIXES:
                    alone = buyer_mix(conn, scope=scope, period=period, by=by)
                    assert together[by].equals(alone), (scope, by)
