"""Statement lines and detail rows on the hand-built mall of `tests/settlement_data.py`.

Every expected figure is worked out in that module's docstring.
"""

from __future__ import annotations

import threading
from datetime import date

import pytest
import sqlalchemy as sa

from queries.core.actors import Scope
from queries.finance import lines as settlement_lines
from queries.finance.lines import (
    Totals,
    compute_totals,
    iter_order_rows,
    iter_refund_rows,
    period_range,
)
from queries.finance.settlements import NOT_ISSUED, period_overview
from tests.builders import local
from tests.settlement_data import (
    DEC_START,
    JAN_START,
    NOV_END,
    NOV_START,
    OCT_START,
    S1_NOV,
    S3_NOV,
    TZ,
    ZEROS,
    SettlementMall,
    build_settlement_mall,
)

NOV = period_range(NOV_START, NOV_END, TZ)


@pytest.fixture(scope="module", params=("sqlite", "postgresql"))
def mall(request, db_factory) -> SettlementMall:
    """The hand-built mall, once per backend for the module (read only)."""
    return build_settlement_mall(db_factory.engine(request.param))


def _totals(mall, start, end, vendor_ids=None) -> dict[int, Totals]:
    with mall.engine.connect() as conn:
        return compute_totals(conn, period=period_range(start, end, TZ), vendor_ids=vendor_ids)


def test_all_vendors_in_one_call(mall):
    totals = _totals(mall, NOV_START, NOV_END)
    assert set(totals) == {mall.s1, mall.s2, mall.s3}
    assert totals[mall.s1].as_dict() == S1_NOV
    assert totals[mall.s3].as_dict() == S3_NOV
    # S2 sold nothing: every line is 0, not missing.
    assert totals[mall.s2].as_dict() == ZEROS


def test_one_vendor_matches_all_vendor_figures(mall):
    """A few shops read their fees order by order, all shops by a join: the same figures."""
    assert _totals(mall, NOV_START, NOV_END, [mall.s1]) == {
        mall.s1: _totals(mall, NOV_START, NOV_END)[mall.s1]
    }
    assert _totals(mall, NOV_START, NOV_END, [mall.s1])[mall.s1].as_dict() == S1_NOV
    assert _totals(mall, NOV_START, NOV_END, [mall.s2])[mall.s2].as_dict() == ZEROS


def test_month_edges_in_shanghai_time(mall):
    # o1 at 2026-10-31 23:59:59 is October's: gross 10000, commission 500, net 9500.
    october = _totals(mall, OCT_START, NOV_START, [mall.s1])[mall.s1]
    assert (october.gross_cents, october.commission_cents, october.net_cents) == (10000, 500, 9500)
    # o7 at 2026-12-01 00:00:00 is December's, with r3 (810, returned 41): 700−35−810+41 = −104.
    december = _totals(mall, DEC_START, JAN_START, [mall.s1])[mall.s1]
    assert december.as_dict() == {
        **ZEROS,
        "gross_cents": 700,
        "commission_cents": 35,
        "refund_cents": 810,
        "commission_refund_cents": 41,
        "net_cents": -104,
    }


def test_a_single_day_range(mall):
    # 2026-11-01 alone: o2 only (2010, commission 50+50, fee 6+7).
    day = _totals(mall, date(2026, 11, 1), date(2026, 11, 2), [mall.s1])[mall.s1]
    assert (day.gross_cents, day.commission_cents, day.payment_fee_cents) == (2010, 100, 13)


def test_order_rows_per_order(mall):
    with mall.engine.connect() as conn:
        rows = list(iter_order_rows(conn, vendor_id=mall.s1, period=NOV))
    assert [r.order_no for r in rows] == [
        mall.orders[n].order_no for n in ("o2", "o3", "o4", "o5", "o6")
    ]
    o2, o3, o4, o5, o6 = rows
    # Per-item rounding: 50 + 50, not round(100.5) = 101.
    assert (o2.paid_cents, o2.commission_cents, o2.payment_fee_cents) == (2010, 100, 13)
    assert (o3.goods_cents, o3.discount_cents, o3.platform_discount_cents) == (1010, 200, 200)
    assert (o3.shipping_cents, o3.paid_cents, o3.commission_cents) == (500, 1310, 41)
    assert o4.commission_cents == 150
    assert o5.commission_cents == 60  # the 300 bps snapshot, not today's 800
    assert o2.paid_at == local("2026-11-01 00:00:00")
    assert o6.paid_at == local("2026-11-30 23:59:59")
    # The detail adds up to the lines, to the fen.
    assert sum(r.paid_cents for r in rows) == S1_NOV["gross_cents"]
    assert sum(r.commission_cents for r in rows) == S1_NOV["commission_cents"]
    assert sum(r.payment_fee_cents for r in rows) == S1_NOV["payment_fee_cents"]
    assert sum(r.platform_discount_cents for r in rows) == S1_NOV["platform_subsidy_cents"]


def test_refund_rows(mall):
    with mall.engine.connect() as conn:
        rows = list(iter_refund_rows(conn, vendor_id=mall.s1, period=NOV))
    # r1 only: r2 is approved but not completed, r3 completed in December.
    assert [(r.refund_id, r.order_no, r.amount_cents, r.commission_refund_cents) for r in rows] == [
        (mall.refunds["r1"], mall.orders["o1"].order_no, 1000, 50)
    ]
    assert rows[0].completed_at == local("2026-11-03 10:00:00")


def test_overview_not_issued(mall):
    with mall.engine.connect() as conn:
        frame = period_overview(
            conn, scope=Scope.mall(), period_start=NOV_START, period_end=NOV_END, tz=TZ
        )
    assert list(frame["vendor_id"]) == [mall.s1, mall.s2, mall.s3]
    assert set(frame["status"]) == {NOT_ISSUED}
    first = frame.iloc[0]
    assert first["vendor_name"] == '=HYPERLINK("x")'
    assert {k: int(first[k]) for k in S1_NOV} == S1_NOV
    assert not frame["differs"].any()


def test_overview_vendor_scope(mall):
    with mall.engine.connect() as conn:
        frame = period_overview(
            conn, scope=Scope(mall.s2), period_start=NOV_START, period_end=NOV_END, tz=TZ
        )
    assert list(frame["vendor_id"]) == [mall.s2]
    assert int(frame.iloc[0]["net_cents"]) == 0


def test_streamed_lines_read_ahead_in_chunks_are_the_lines_in_order(mall, monkeypatch):
    """Chunks of 2 (read ahead by a worker on PostgreSQL): the same 5 lines, ints throughout."""
    with mall.engine.connect() as conn:
        at_once = list(iter_order_rows(conn, vendor_id=mall.s1, period=NOV, limit=100))
    monkeypatch.setattr(settlement_lines, "_YIELD_PER", 2)
    with mall.engine.connect() as conn:
        streamed = list(iter_order_rows(conn, vendor_id=mall.s1, period=NOV))
        refunds = list(iter_refund_rows(conn, vendor_id=mall.s1, period=NOV))
    assert len(streamed) == 5 and streamed == at_once
    assert len(refunds) == 1
    # Money and ids reach the workbook as Python ints on both drivers (never Decimal).
    values = [v for r in streamed for v in (r.order_id, *r[3:])] + [
        *refunds[0][:1],
        *refunds[0][3:],
    ]
    assert {type(v) for v in values} == {int}


def test_a_stream_left_early_stops_its_reader_and_frees_the_connection(mall, monkeypatch):
    monkeypatch.setattr(settlement_lines, "_YIELD_PER", 1)
    with mall.engine.connect() as conn:
        lines = iter_order_rows(conn, vendor_id=mall.s1, period=NOV)
        first = next(lines)
        lines.close()
        assert not [t for t in threading.enumerate() if t.name == "read-ahead"]
        assert conn.execute(sa.text("SELECT 1")).scalar_one() == 1
    assert first.order_no == mall.orders["o2"].order_no
