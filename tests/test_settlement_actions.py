"""Finance's writes on statements: issue, adjust, discard, confirm, mark paid, carry a negative net.

Each test builds the mall of `tests/settlement_data.py` fresh (writes change it).
Refused actions leave every table exactly as it was (`snapshot`).
"""

from __future__ import annotations

import json
import threading
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from queries.core.actors import Actor, Scope
from queries.core.errors import Conflict, Forbidden, Invalid, NotFound
from queries.core.invalidation import subscribe
from queries.core.schema import audit_log, settlements
from queries.finance.actions import (
    adjust_statement,
    carried_into,
    carry_negative_into,
    confirm_statement,
    discard_statement,
    issue_statements,
    mark_paid,
)
from queries.finance.settlements import get_statement, statement_detail
from tests.builders import snapshot
from tests.settlement_data import (
    DEC_START,
    JAN_START,
    NOV_END,
    NOV_START,
    S1_NOV,
    TZ,
    ZEROS,
    build_settlement_mall,
)

FINANCE = Actor("money", "finance")
OPERATOR = Actor("ops", "operator")
LATER = datetime(2027, 3, 1, tzinfo=UTC)  # every period below has ended by then

_announced: list[tuple[str, ...]] = []
subscribe(_announced.append)


@pytest.fixture
def mall(empty_db):
    return build_settlement_mall(empty_db)


def _issue(mall, vendor_ids=None, start=NOV_START, end=NOV_END, actor=FINANCE, now=LATER):
    return issue_statements(
        mall.engine,
        actor,
        period_start=start,
        period_end=end,
        tz=TZ,
        vendor_ids=vendor_ids,
        now=now,
    )


def _row(mall, settlement_id):
    with mall.engine.connect() as conn:
        return get_statement(conn, settlement_id=settlement_id)


def _audit(mall):
    with mall.engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(sa.select(audit_log))]


def test_issue_one_vendor_freezes_totals(mall):
    _announced.clear()
    result = _issue(mall, [mall.s1])
    assert len(result.settlement_ids) == 1 and result.skipped == ()
    row = _row(mall, result.settlement_ids[0])
    assert {k: row[k] for k in S1_NOV} == S1_NOV
    assert (row["status"], row["version"], row["period_start"]) == ("draft", 1, NOV_START)
    (audit,) = _audit(mall)
    assert (audit["action"], audit["vendor_id"], audit["actor"]) == (
        "settlement.issue",
        mall.s1,
        "money",
    )
    assert json.loads(audit["after"])["net_cents"] == 7673
    assert _announced == [("settlements",)]


def test_issue_all_vendors(mall):
    result = _issue(mall)
    # S2 (active, nothing sold) gets its zero statement too.
    assert len(result.settlement_ids) == 3
    rows = [_row(mall, i) for i in result.settlement_ids]
    assert {k: rows[1][k] for k in ZEROS} == ZEROS
    assert len(_audit(mall)) == 3


def test_double_issue_gives_one_statement(mall):
    _issue(mall, [mall.s1])
    before = snapshot(mall.engine)
    with pytest.raises(Conflict):
        _issue(mall, [mall.s1])
    assert snapshot(mall.engine) == before
    # "All vendors" skips S1 and reports why, issuing the others.
    result = _issue(mall)
    assert [v for v, _ in result.skipped] == [mall.s1]
    assert len(result.settlement_ids) == 2


def test_concurrent_issue_gives_one_statement(mall):
    outcomes: list[str] = []
    barrier = threading.Barrier(2)

    def click():
        barrier.wait()
        try:
            _issue(mall, [mall.s1])
            outcomes.append("ok")
        except Conflict:
            outcomes.append("conflict")
        except Exception as exc:  # noqa: BLE001 - SQLite may refuse a second writer
            outcomes.append(type(exc).__name__)

    threads = [threading.Thread(target=click) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with mall.engine.connect() as conn:
        count = conn.execute(sa.select(sa.func.count()).select_from(settlements)).scalar_one()
    assert count == 1
    assert outcomes.count("ok") == 1


def test_overlapping_period_refused(mall):
    _issue(mall, [mall.s1])
    before = snapshot(mall.engine)
    with pytest.raises(Conflict) as err:
        _issue(mall, [mall.s1], start=date(2026, 11, 15), end=date(2026, 12, 15))
    assert "overlaps" in err.value.en
    assert snapshot(mall.engine) == before


@pytest.mark.parametrize(
    ("start", "end", "now"),
    [
        # November has not ended on 2026-11-30 (Shanghai).
        (NOV_START, NOV_END, datetime(2026, 11, 30, 15, 59, tzinfo=UTC)),
        (NOV_END, NOV_START, LATER),  # backwards
    ],
)
def test_issue_refuses_periods(mall, start, end, now):
    before = snapshot(mall.engine)
    with pytest.raises(Invalid):
        _issue(mall, [mall.s1], start=start, end=end, now=now)
    assert snapshot(mall.engine) == before


def test_issue_the_day_the_period_ends(mall):
    # 2026-11-30 16:00 UTC is 2026-12-01 00:00 in Shanghai: November has ended.
    result = _issue(mall, [mall.s1], now=datetime(2026, 11, 30, 16, 0, tzinfo=UTC))
    assert len(result.settlement_ids) == 1


def test_only_finance_writes(mall):
    sid = _issue(mall, [mall.s1]).settlement_ids[0]
    before = snapshot(mall.engine)
    vendor = Actor("shop", "vendor", vendor_id=mall.s1)
    for actor in (OPERATOR, vendor):
        with pytest.raises(Forbidden):
            _issue(mall, [mall.s2], actor=actor)
        with pytest.raises(Forbidden):
            confirm_statement(mall.engine, actor, sid, expected_version=1)
        with pytest.raises(Forbidden):
            adjust_statement(
                mall.engine, actor, sid, expected_version=1, adjustment_cents=1, note="x"
            )
        with pytest.raises(Forbidden):
            discard_statement(mall.engine, actor, sid, expected_version=1)
    assert snapshot(mall.engine) == before


def test_unknown_statement_and_vendor(mall):
    before = snapshot(mall.engine)
    with pytest.raises(NotFound):
        confirm_statement(mall.engine, FINANCE, 999, expected_version=1)
    with pytest.raises(NotFound):
        _issue(mall, [999])
    assert snapshot(mall.engine) == before


def test_adjust_then_confirm_then_pay(mall):
    sid = _issue(mall, [mall.s1]).settlement_ids[0]
    row = adjust_statement(
        mall.engine, FINANCE, sid, expected_version=1, adjustment_cents=-673, note=" 运费补差 "
    )
    # 7673 − 673 = 7000
    assert (row["net_cents"], row["adjustment_note"], row["version"]) == (7000, "运费补差", 2)
    confirmed = confirm_statement(mall.engine, FINANCE, sid, expected_version=2, now=LATER)
    assert (confirmed["status"], confirmed["version"]) == ("confirmed", 3)
    paid = mark_paid(
        mall.engine, FINANCE, sid, expected_version=3, payment_reference="BANK-1", now=LATER
    )
    stored = _row(mall, sid)
    assert paid["status"] == stored["status"] == "paid"
    assert (stored["net_cents"], stored["payment_reference"]) == (7000, "BANK-1")
    assert stored["confirmed_at"] == LATER and stored["paid_at"] == LATER
    actions = [a["action"] for a in _audit(mall)]
    assert actions == [
        "settlement.issue",
        "settlement.adjust",
        "settlement.confirm",
        "settlement.pay",
    ]


def test_refused_changes_leave_the_database_alone(mall):
    sid = _issue(mall, [mall.s1]).settlement_ids[0]
    before = snapshot(mall.engine)
    with pytest.raises(Invalid):  # note required
        adjust_statement(mall.engine, FINANCE, sid, expected_version=1, adjustment_cents=5, note="")
    with pytest.raises(Conflict) as stale:  # stale version
        confirm_statement(mall.engine, FINANCE, sid, expected_version=7)
    assert stale.value.details["version"] == 1 and stale.value.details["net_cents"] == 7673
    with pytest.raises(Invalid):  # a draft cannot be paid
        mark_paid(mall.engine, FINANCE, sid, expected_version=1, payment_reference="X")
    assert snapshot(mall.engine) == before
    confirm_statement(mall.engine, FINANCE, sid, expected_version=1)
    before = snapshot(mall.engine)
    with pytest.raises(Invalid):  # reference required
        mark_paid(mall.engine, FINANCE, sid, expected_version=2, payment_reference="  ")
    with pytest.raises(Invalid):  # confirmed is no longer a draft
        adjust_statement(
            mall.engine, FINANCE, sid, expected_version=2, adjustment_cents=1, note="x"
        )
    with pytest.raises(Invalid):
        discard_statement(mall.engine, FINANCE, sid, expected_version=2)
    with pytest.raises(Conflict):  # the second click of "confirm"
        confirm_statement(mall.engine, FINANCE, sid, expected_version=1)
    assert snapshot(mall.engine) == before


def test_discard_keeps_totals_in_audit(mall):
    sid = _issue(mall, [mall.s1]).settlement_ids[0]
    discard_statement(mall.engine, FINANCE, sid, expected_version=1)
    assert _row(mall, sid) is None
    last = _audit(mall)[-1]
    assert last["action"] == "settlement.discard"
    assert json.loads(last["before"])["net_cents"] == 7673 and last["after"] is None
    # The period is free again.
    assert len(_issue(mall, [mall.s1]).settlement_ids) == 1


def test_concurrent_confirm_exactly_one_wins(mall, backend):
    if backend != "postgresql":
        pytest.skip("row locks and concurrent writers: PostgreSQL")
    sid = _issue(mall, [mall.s1]).settlement_ids[0]
    outcomes: list[str] = []
    barrier = threading.Barrier(2)

    def click():
        barrier.wait()
        try:
            confirm_statement(mall.engine, FINANCE, sid, expected_version=1)
            outcomes.append("ok")
        except Conflict:
            outcomes.append("conflict")

    threads = [threading.Thread(target=click) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["conflict", "ok"]
    assert _row(mall, sid)["version"] == 2
    assert [a["action"] for a in _audit(mall)].count("settlement.confirm") == 1


def test_carry_negative_net_once(mall):
    # December of S1 nets −104 (see settlement_data); January is an empty draft.
    dec = _issue(mall, [mall.s1], start=DEC_START, end=JAN_START).settlement_ids[0]
    jan = _issue(mall, [mall.s1], start=JAN_START, end=date(2027, 2, 1)).settlement_ids[0]
    before = snapshot(mall.engine)
    with pytest.raises(Invalid):  # a draft's net may still change: confirm it first
        carry_negative_into(mall.engine, FINANCE, dec, jan, expected_version=1)
    with pytest.raises(Invalid):  # not into itself / an earlier statement
        carry_negative_into(mall.engine, FINANCE, jan, dec, expected_version=1)
    assert snapshot(mall.engine) == before
    confirm_statement(mall.engine, FINANCE, dec, expected_version=1)
    row = carry_negative_into(mall.engine, FINANCE, dec, jan, expected_version=1)
    assert (row["adjustment_cents"], row["net_cents"]) == (-104, -104)
    assert f"#{dec}" in row["adjustment_note"]
    with mall.engine.connect() as conn:
        assert carried_into(conn, settlement_id=dec, vendor_id=mall.s1) == jan
    before = snapshot(mall.engine)
    with pytest.raises(Conflict):  # a second carry
        carry_negative_into(mall.engine, FINANCE, dec, jan, expected_version=2)
    assert snapshot(mall.engine) == before
    # Discarding the target frees the carry for the next draft.
    discard_statement(mall.engine, FINANCE, jan, expected_version=2)
    jan2 = _issue(mall, [mall.s1], start=JAN_START, end=date(2027, 2, 1)).settlement_ids[0]
    assert carry_negative_into(mall.engine, FINANCE, dec, jan2, expected_version=1)[
        "net_cents"
    ] == (-104)


def test_positive_net_cannot_be_carried(mall):
    nov = _issue(mall, [mall.s1]).settlement_ids[0]
    jan = _issue(mall, [mall.s1], start=JAN_START, end=date(2027, 2, 1)).settlement_ids[0]
    confirm_statement(mall.engine, FINANCE, nov, expected_version=1)
    before = snapshot(mall.engine)
    with pytest.raises(Invalid):
        carry_negative_into(mall.engine, FINANCE, nov, jan, expected_version=1)
    assert snapshot(mall.engine) == before


def test_statement_detail_shows_the_first_lines_and_says_when_there_are_more(mall):
    """s1's November: orders o2…o6 oldest first, refund r1 (tests/settlement_data.py)."""
    sid = _issue(mall, [mall.s1]).settlement_ids[0]
    with mall.engine.connect() as conn:
        every = statement_detail(conn, scope=Scope(mall.s1), settlement_id=sid, tz=TZ)
        first_two = statement_detail(conn, scope=Scope(mall.s1), settlement_id=sid, tz=TZ, limit=2)
        hidden = statement_detail(
            conn, scope=Scope(mall.s1), settlement_id=sid, tz=TZ, statuses=("confirmed",)
        )
    assert len(every.orders) == 5 and not every.orders_truncated
    assert len(every.refunds) == 1 and not every.refunds_truncated
    assert list(first_two.orders["order_no"]) == list(every.orders["order_no"][:2])
    assert first_two.orders_truncated and not first_two.refunds_truncated
    assert hidden is None  # a draft, asked for as a vendor would
