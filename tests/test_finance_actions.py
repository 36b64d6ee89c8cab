"""Every write of the Settlements page, clicked in AppTest as finance, on SQLite and PostgreSQL.

Each action is pressed as a person would (widgets filled, button clicked) and the test
checks the `settlements` row, the `audit_log` row and the message the page shows after
its rerun. Then the refusals: a stale view (the row changed in the database between the
page's render and the click: a conflict, nothing changed), bad input (a clear message,
nothing changed), and the wrong role (the page is not there).

Data: `tests/test_settlement_pages._prepare` — S1 November confirmed (net ¥76.73),
S1 December a draft (net −¥1.04), S3 November a draft (net ¥94.40), S2 nothing.
"""

from __future__ import annotations

import io
import json
import zipfile
from datetime import date

import openpyxl
import pytest
import sqlalchemy as sa
from streamlit.delta_generator import DeltaGenerator

from dashboard.ui.widgets import literal
from queries.core.actors import Actor
from queries.core.errors import Forbidden, Invalid
from queries.core.schema import audit_log, settlements
from queries.finance.actions import (
    adjust_statement,
    carry_negative_into,
    confirm_statement,
    discard_statement,
    issue_statements,
    mark_paid,
)
from tests.apptest import AppSession, as_seen, markdown_source, texts
from tests.builders import MallBuilder, local
from tests.settlement_data import DEC_START, JAN_START, NOV_END, NOV_START, TZ
from tests.test_settlement_pages import LATER, _prepare, _session, assert_not_opened

FINANCE = Actor("money", "finance")
OTHER = Actor("colleague", "finance")
FEB_START = date(2027, 2, 1)


@pytest.fixture
def fresh(empty_db, tmp_path):
    """A database of its own per test (every test here writes)."""
    mall, ids = _prepare(empty_db)
    return _session(empty_db, tmp_path, mall), mall, ids


# --- helpers ------------------------------------------------------------------------------


def _row(engine, settlement_id: int) -> dict | None:
    with engine.connect() as conn:
        row = conn.execute(
            sa.select(settlements).where(settlements.c.settlement_id == settlement_id)
        ).first()
    return None if row is None else dict(row._mapping)


def _audits(engine) -> list[dict]:
    with engine.connect() as conn:
        rows = conn.execute(sa.select(audit_log).order_by(audit_log.c.audit_id)).all()
    return [dict(r._mapping) for r in rows]


def _statement_count(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(settlements)).scalar_one()


def _open(session: AppSession, first: date, *, user: str = "money"):
    """The Settlements page as finance, showing the month starting `first`."""
    at = session.open("settlements", as_user=user)
    assert not at.exception
    at.selectbox(key="settlements_month").set_value(first)
    _button(at, "Show").click().run()
    assert not at.exception
    return at


def _button(at, label: str):
    (button,) = [b for b in at.button if b.label == label]
    return button


def _pick(at, settlement_id: int):
    at.selectbox(key="settlements_pick").set_value(settlement_id).run()
    assert not at.exception
    return at


def _states(at) -> dict[str, str]:
    table = at.dataframe[0].value
    return dict(zip(table["Vendor"], table["State"], strict=True))


def _one_new_audit(engine, before: list[dict]) -> dict:
    after = _audits(engine)
    assert len(after) == len(before) + 1, after[len(before) :]
    return after[-1]


STALE = "Someone else changed this statement"


def _assert_refused(
    at, engine, settlement_id: int, row_before: dict | None, audits: list, message: str
):
    """The page said why (an error, or a warning where the button is gone now), no
    success message, and the database is as it was."""
    assert not at.exception
    assert not at.success, [s.value for s in at.success]
    said = [as_seen(m.value) for m in (*at.error, *at.warning)]  # as a person reads them
    assert any(message in m for m in said), said
    assert "Something unexpected" not in texts(at)
    assert _row(engine, settlement_id) == row_before
    assert _audits(engine) == audits


# --- issue --------------------------------------------------------------------------------


def test_issue_drafts_for_every_vendor_of_the_period(fresh):
    session, mall, ids = fresh
    engine = mall.engine
    with engine.begin() as conn:
        b = MallBuilder(conn)
        # Approved on the last evening of November (Shanghai): it existed in the period.
        last_day = b.vendor("Last-day shop", joined_at=local("2026-11-30 23:00:00"))
        # Approved on 7 December: it did not exist in November.
        late = b.vendor("Late shop", joined_at=local("2026-12-07 10:00:00"))
        # Closed with nothing in November: listed as waiting, skipped and named.
        closed = b.vendor("*Closed* shop", status="closed")
    audits = _audits(engine)
    at = _open(session, NOV_START)
    assert "Late shop" not in _states(at)
    assert _states(at)["Last-day shop"] == "Not issued"
    _button(at, "Issue drafts").click().run()
    assert not at.exception
    # S1 and S3 already had November's statement: not mentioned. The closed shop is.
    # As a person reads it; the shop's name is escaped in the Markdown sent (not italics).
    assert [as_seen(s.value) for s in at.success] == [
        "Issued 2 draft statement(s). Skipped 1 vendor(s) (overlapping an existing statement, "
        f"or closed with nothing in the period): *Closed* shop (#{closed})"
    ]
    assert literal("*Closed* shop") in at.success[0].value
    states = _states(at)
    assert states["Empty shop"] == "Draft" and states["Last-day shop"] == "Draft"
    assert "Late shop" not in states and states["*Closed* shop"] == "Not issued"
    new = _audits(engine)[len(audits) :]
    assert [(a["action"], a["entity"], a["actor"], a["role"]) for a in new] == [
        ("settlement.issue", "settlement", "money", "finance")
    ] * 2
    assert [a["vendor_id"] for a in new] == [mall.s2, last_day]
    for audit in new:
        row = _row(engine, int(audit["entity_id"]))
        assert row["status"] == "draft" and row["version"] == 1
        assert (row["period_start"], row["period_end"]) == (NOV_START, NOV_END)
        assert row["net_cents"] == 0
    with engine.connect() as conn:
        late_rows = conn.execute(
            sa.select(settlements).where(settlements.c.vendor_id == late)
        ).all()
    assert late_rows == []
    # The closed shop is still waiting (it can be issued by name).
    assert at.selectbox(key="settlements_issue_vendor").options == [
        "All vendors not yet issued",
        f"*Closed* shop (#{closed})",
    ]


def test_a_shop_that_joined_after_the_period_is_refused_by_name(fresh):
    session, mall, _ = fresh
    with mall.engine.begin() as conn:
        late = MallBuilder(conn).vendor("Late shop", joined_at=local("2026-12-01 00:00:00"))
    count = _statement_count(mall.engine)
    with pytest.raises(Invalid, match="joined after the period ended"):
        issue_statements(
            mall.engine,
            FINANCE,
            period_start=NOV_START,
            period_end=NOV_END,
            vendor_ids=[late],
            tz=TZ,
            now=LATER,
        )
    assert _statement_count(mall.engine) == count
    # December is its first period.
    (dec,) = issue_statements(
        mall.engine,
        FINANCE,
        period_start=DEC_START,
        period_end=JAN_START,
        vendor_ids=[late],
        tz=TZ,
        now=LATER,
    ).settlement_ids
    assert _row(mall.engine, dec)["vendor_id"] == late


def _issued_by_a_colleague(engine, vendor_id: int) -> int:
    (theirs,) = issue_statements(
        engine,
        OTHER,
        period_start=NOV_START,
        period_end=NOV_END,
        vendor_ids=[vendor_id],
        tz=TZ,
        now=LATER,
    ).settlement_ids
    return theirs


def test_issue_for_one_vendor_on_a_stale_view_is_refused(fresh):
    session, mall, _ = fresh
    engine = mall.engine
    with engine.begin() as conn:
        MallBuilder(conn).vendor("Shop 4")  # also waiting for November's statement
    at = _open(session, NOV_START)
    at.selectbox(key="settlements_issue_vendor").set_value(mall.s2).run()
    theirs = _issued_by_a_colleague(engine, mall.s2)  # meanwhile
    count, audits, row = _statement_count(engine), _audits(engine), _row(engine, theirs)
    # The picker lost Empty shop and fell back to "all": the click must not issue Shop 4.
    _button(at, "Issue drafts").click().run()
    _assert_refused(
        at, engine, theirs, row, audits, f"The period overlaps existing statements: #{theirs}"
    )
    assert f"Vendor #{mall.s2} was just issued this period's statement" in texts(at)
    assert _statement_count(engine) == count
    assert _states(at)["Shop 4"] == "Not issued"


def test_issue_when_the_last_waiting_vendor_was_issued_meanwhile(fresh):
    session, mall, _ = fresh
    engine = mall.engine
    at = _open(session, NOV_START)
    at.selectbox(key="settlements_issue_vendor").set_value(mall.s2).run()
    theirs = _issued_by_a_colleague(engine, mall.s2)
    count, audits, row = _statement_count(engine), _audits(engine), _row(engine, theirs)
    assert _button(at, "Issue drafts")
    _button(at, "Issue drafts").click().run()  # the button is gone in this run
    _assert_refused(
        at, engine, theirs, row, audits, f"Vendor #{mall.s2} was just issued this period's"
    )
    assert _statement_count(engine) == count
    assert "Every vendor already has a statement for this period." in texts(at)


def test_issue_double_click_shows_the_first_clicks_outcome(fresh):
    session, mall, _ = fresh
    engine = mall.engine
    at = _open(session, NOV_START)
    at.selectbox(key="settlements_issue_vendor").set_value(mall.s2).run()
    (mine,) = issue_statements(  # the first click's run, stopped before its message
        engine,
        FINANCE,
        period_start=NOV_START,
        period_end=NOV_END,
        vendor_ids=[mall.s2],
        tz=TZ,
        now=LATER,
    ).settlement_ids
    count, audits = _statement_count(engine), _audits(engine)
    _button(at, "Issue drafts").click().run()  # the second click
    assert not at.exception
    assert [s.value for s in at.success] == ["Issued 1 draft statement(s)."]
    assert not at.warning or all("was just issued" not in w.value for w in at.warning)
    assert _statement_count(engine) == count and _audits(engine) == audits
    assert _states(at)["Empty shop"] == "Draft" and _row(engine, mine)["status"] == "draft"


def test_a_vendor_picked_in_another_period_is_no_stale_view(fresh):
    session, mall, _ = fresh
    at = _open(session, date(2026, 10, 1))
    at.selectbox(key="settlements_issue_vendor").set_value(mall.s1).run()
    at.selectbox(key="settlements_month").set_value(NOV_START)
    _button(at, "Show").click().run()  # S1 has November's statement: not waiting there
    assert not at.exception
    assert not at.warning or all("was just issued" not in w.value for w in at.warning)
    assert at.selectbox(key="settlements_issue_vendor").value is None


# --- adjust -------------------------------------------------------------------------------


def _field(elements, name: str):
    """The statement's widget `name` (`adjust_amount`, `reference`, …: its key also names
    the statement and its version)."""
    (found,) = [e for e in elements if e.key and e.key.startswith(f"settlements_{name}_")]
    return found


def _form(at) -> tuple[str, str]:
    """The adjustment form's amount and note as shown."""
    return _field(at.text_input, "adjust_amount").value, _field(at.text_area, "adjust_note").value


def _fill_adjustment(at, direction: str, amount: str, note: str):
    _field(at.radio, "adjust_direction").set_value(direction)
    _field(at.text_input, "adjust_amount").input(amount)
    _field(at.text_area, "adjust_note").input(note)
    _button(at, "Save adjustment").click().run()
    return at


def test_adjust_a_draft(fresh):
    session, mall, ids = fresh
    engine = mall.engine
    audits = _audits(engine)
    at = _pick(_open(session, NOV_START), ids["s3"])
    _fill_adjustment(at, "deduct", "4.40", "**扣除** deposit")
    assert not at.exception
    assert [s.value for s in at.success] == ["The adjustment was saved."]
    row = _row(engine, ids["s3"])
    assert (row["adjustment_cents"], row["net_cents"], row["version"]) == (-440, 9000, 2)
    assert row["adjustment_note"] == "**扣除** deposit" and row["status"] == "draft"
    audit = _one_new_audit(engine, audits)
    assert (audit["action"], audit["entity"], audit["entity_id"]) == (
        "settlement.adjust",
        "settlement",
        str(ids["s3"]),
    )
    assert (audit["actor"], audit["role"], audit["vendor_id"]) == ("money", "finance", mall.s3)
    assert audit["reason"] == "**扣除** deposit"
    assert json.loads(audit["before"])["net_cents"] == 9440
    assert json.loads(audit["after"]) == {
        "adjustment_cents": -440,
        "adjustment_note": "**扣除** deposit",
        "net_cents": 9000,
    }
    assert _states(at)["Shop 3"] == "Draft"
    # The note is shown as typed, not as Markdown.
    assert any("\\*\\*扣除\\*\\* deposit" in m.value for m in at.markdown)


def test_the_adjustment_form_shows_the_picked_statements_values(fresh):
    session, mall, ids = fresh
    engine = mall.engine
    adjust_statement(
        engine, OTHER, ids["s3"], expected_version=1, adjustment_cents=-250, note="deposit"
    )
    (s2,) = issue_statements(
        engine,
        OTHER,
        period_start=NOV_START,
        period_end=NOV_END,
        vendor_ids=[mall.s2],
        tz=TZ,
        now=LATER,
    ).settlement_ids
    at = _pick(_open(session, NOV_START), s2)
    assert _form(at) == ("0.00", "")
    _field(at.text_input, "adjust_amount").input("9.99")  # typed, never saved
    _field(at.checkbox, "discard_sure").check().run()  # ticked for S2's draft …
    assert not at.button(key="settlements_discard").disabled
    at = _pick(at, ids["s3"])
    assert at.button(key="settlements_discard").disabled  # … not for S3's
    assert _field(at.radio, "adjust_direction").value == "deduct"
    assert _form(at) == ("2.50", "deposit")
    # A carry or a colleague's change shows in the form too.
    adjust_statement(
        engine, OTHER, ids["s3"], expected_version=2, adjustment_cents=300, note="refund"
    )
    _button(at, "Show").click().run()
    assert _form(at) == ("3.00", "refund")


@pytest.mark.parametrize(
    ("amount", "note", "message"),
    [
        ("4.40", "   ", "Enter a note for the adjustment"),
        ("4.40", "x" * 501, "The note may not exceed 500 characters"),
        ("4.40", "bell\x07", "The note contains control characters"),
        ("four", "a note", "is not a valid amount"),
        ("", "a note", "Enter an amount"),
    ],
)
def test_adjust_refuses_bad_input(fresh, amount, note, message):
    session, mall, ids = fresh
    engine = mall.engine
    row, audits = _row(engine, ids["s3"]), _audits(engine)
    at = _pick(_open(session, NOV_START), ids["s3"])
    _fill_adjustment(at, "add", amount, note)
    _assert_refused(at, engine, ids["s3"], row, audits, message)


def test_adjust_on_a_stale_view_is_refused(fresh):
    session, mall, ids = fresh
    engine = mall.engine
    at = _pick(_open(session, NOV_START), ids["s3"])
    adjust_statement(
        engine, OTHER, ids["s3"], expected_version=1, adjustment_cents=100, note="theirs"
    )
    row, audits = _row(engine, ids["s3"]), _audits(engine)
    _fill_adjustment(at, "deduct", "1.00", "mine")
    _assert_refused(at, engine, ids["s3"], row, audits, STALE)
    assert row["adjustment_note"] == "theirs"


# --- confirm ------------------------------------------------------------------------------


def test_confirm_a_draft_and_the_picker_says_confirmed(fresh):
    session, mall, ids = fresh
    engine = mall.engine
    audits = _audits(engine)
    at = _pick(_open(session, NOV_START), ids["s3"])
    picker = at.selectbox(key="settlements_pick")
    assert picker.options[picker.index] == f"#{ids['s3']} · Shop 3 · Draft"
    _button(at, "Confirm statement").click().run()
    assert not at.exception
    assert [s.value for s in at.success] == ["Confirmed: the vendor can now see it."]
    row = _row(engine, ids["s3"])
    assert (row["status"], row["version"]) == ("confirmed", 2)
    assert row["confirmed_at"] is not None
    audit = _one_new_audit(engine, audits)
    assert (audit["action"], audit["entity"], audit["entity_id"], audit["actor"]) == (
        "settlement.confirm",
        "settlement",
        str(ids["s3"]),
        "money",
    )
    assert json.loads(audit["before"]) == {"status": "draft"}
    assert _states(at)["Shop 3"] == "Confirmed"
    # The browser holds the picked option by its label: this run must send it the new
    # one (set_value), or the picker keeps saying "Draft" until picked again.
    picker = at.selectbox(key="settlements_pick")
    assert picker.value == ids["s3"]
    assert picker.proto.set_value
    assert picker.proto.raw_value == f"#{ids['s3']} · Shop 3 · Confirmed"
    assert f"#{ids['s3']} · Shop 3 · Draft" not in picker.options
    # The confirmed statement offers Mark paid now, not Confirm.
    assert [b.label for b in at.button if b.label == "Mark paid"] == ["Mark paid"]
    assert not [b for b in at.button if b.label == "Confirm statement"]


def test_confirm_on_a_stale_view_is_refused(fresh):
    session, mall, ids = fresh
    engine = mall.engine
    at = _pick(_open(session, NOV_START), ids["s3"])
    with engine.begin() as conn:  # someone else changed it behind the page's back
        conn.execute(
            settlements.update()
            .where(settlements.c.settlement_id == ids["s3"])
            .values(version=settlements.c.version + 1)
        )
    row, audits = _row(engine, ids["s3"]), _audits(engine)
    _button(at, "Confirm statement").click().run()
    _assert_refused(at, engine, ids["s3"], row, audits, STALE)
    assert row["status"] == "draft"


# --- discard ------------------------------------------------------------------------------


def test_discard_a_draft_needs_the_checkbox(fresh):
    session, mall, ids = fresh
    engine = mall.engine
    audits = _audits(engine)
    at = _pick(_open(session, NOV_START), ids["s3"])
    assert at.button(key="settlements_discard").disabled
    _field(at.checkbox, "discard_sure").check().run()
    assert not at.button(key="settlements_discard").disabled
    at.button(key="settlements_discard").click().run()
    assert not at.exception
    assert [s.value for s in at.success] == ["The draft was discarded."]
    assert _row(engine, ids["s3"]) is None
    audit = _one_new_audit(engine, audits)
    assert (audit["action"], audit["entity"], audit["entity_id"], audit["actor"]) == (
        "settlement.discard",
        "settlement",
        str(ids["s3"]),
        "money",
    )
    assert audit["after"] is None
    assert json.loads(audit["before"])["net_cents"] == 9440
    assert _states(at)["Shop 3"] == "Not issued"
    picker = at.selectbox(key="settlements_pick")
    assert ids["s3"] not in [picker.value] and len(picker.options) == 1


def test_discard_on_a_stale_view_is_refused(fresh):
    session, mall, ids = fresh
    engine = mall.engine
    at = _pick(_open(session, NOV_START), ids["s3"])
    _field(at.checkbox, "discard_sure").check().run()
    confirm_statement(engine, OTHER, ids["s3"], expected_version=1)  # a colleague confirms
    row, audits = _row(engine, ids["s3"]), _audits(engine)
    at.button(key="settlements_discard").click().run()
    _assert_refused(at, engine, ids["s3"], row, audits, STALE)
    assert row["status"] == "confirmed"


def test_confirm_a_draft_discarded_elsewhere_meanwhile(fresh):
    session, mall, ids = fresh
    engine = mall.engine
    at = _pick(_open(session, NOV_START), ids["s3"])
    discard_statement(engine, OTHER, ids["s3"], expected_version=1)
    nov, audits = _row(engine, ids["nov"]), _audits(engine)
    _button(at, "Confirm statement").click().run()  # gone with its statement
    _assert_refused(
        at,
        engine,
        ids["nov"],  # the statement the picker fell back to is untouched
        nov,
        audits,
        f"Statement #{ids['s3']} no longer exists (someone else discarded it).",
    )
    assert _row(engine, ids["s3"]) is None
    assert _states(at)["Shop 3"] == "Not issued"


def test_a_double_click_shows_the_first_clicks_outcome(fresh):
    """The second run of a double click finds the statement changed by the person
    themselves (the first run wrote, and was stopped before keeping its message)."""
    session, mall, ids = fresh
    engine = mall.engine
    at = _pick(_open(session, NOV_START), ids["s3"])
    confirm_statement(engine, FINANCE, ids["s3"], expected_version=1)  # the first click
    row, audits = _row(engine, ids["s3"]), _audits(engine)
    _button(at, "Confirm statement").click().run()  # the second click
    assert not at.exception
    assert [s.value for s in at.success] == ["Confirmed: the vendor can now see it."]
    assert not [w for w in at.warning if STALE in w.value]
    assert _row(engine, ids["s3"]) == row and _audits(engine) == audits
    # Likewise a discard, whose statement is gone.
    page = _pick(_open(session, DEC_START), ids["dec"])
    _field(page.checkbox, "discard_sure").check().run()
    discard_statement(engine, FINANCE, ids["dec"], expected_version=1)  # the first click
    audits = _audits(engine)
    page.button(key="settlements_discard").click().run()  # the second click
    assert not page.exception
    assert [s.value for s in page.success] == ["The draft was discarded."]
    assert not page.warning or all("no longer exists" not in w.value for w in page.warning)
    assert _audits(engine) == audits


# --- mark paid ----------------------------------------------------------------------------


def _pay(at, reference: str):
    _field(at.text_input, "reference").input(reference)
    _button(at, "Mark paid").click().run()
    return at


def test_mark_a_confirmed_statement_paid(fresh):
    session, mall, ids = fresh
    engine = mall.engine
    audits = _audits(engine)
    at = _pick(_open(session, NOV_START), ids["nov"])
    _pay(at, "  TX-2026-11/0001_*a*  ")
    assert not at.exception
    assert [s.value for s in at.success] == ["Marked as paid."]
    row = _row(engine, ids["nov"])
    assert (row["status"], row["version"]) == ("paid", 3)
    assert row["payment_reference"] == "TX-2026-11/0001_*a*"
    assert row["paid_at"] is not None
    audit = _one_new_audit(engine, audits)
    assert (audit["action"], audit["entity"], audit["entity_id"]) == (
        "settlement.pay",
        "settlement",
        str(ids["nov"]),
    )
    assert (audit["actor"], audit["role"], audit["vendor_id"]) == ("money", "finance", mall.s1)
    assert json.loads(audit["after"])["payment_reference"] == "TX-2026-11/0001_*a*"
    assert _states(at)['=HYPERLINK("x")'] == "Paid"
    picker = at.selectbox(key="settlements_pick")
    assert picker.proto.raw_value == f'#{ids["nov"]} · =HYPERLINK("x") · Paid'
    # The reference is shown as typed; a paid statement has nothing left to do.
    page = texts(at)
    assert f"**Payment reference**: {literal('TX-2026-11/0001_*a*')}" in markdown_source(at)
    assert "A paid statement can no longer change." in page
    assert not [b for b in at.button if b.label == "Mark paid"]


def test_mark_paid_in_chinese(empty_db, tmp_path):
    mall, ids = _prepare(empty_db)
    session = AppSession(empty_db.url, tmp_path, lang="zh")
    session.add("money", role="finance")
    at = session.open("settlements", as_user="money")
    at.selectbox(key="settlements_month").set_value(NOV_START)
    [b for b in at.button if b.label == "查看"][0].click().run()
    _pick(at, ids["nov"])
    _field(at.text_input, "reference").input("")
    [b for b in at.button if b.label == "标记已打款"][0].click().run()
    assert [e.value for e in at.error] == ["请填写转账流水号"]
    _field(at.text_input, "reference").input("TX1")
    [b for b in at.button if b.label == "标记已打款"][0].click().run()
    assert not at.exception
    assert [s.value for s in at.success] == ["已标记为已打款。"]
    assert _row(empty_db, ids["nov"])["status"] == "paid"


BAD_REFERENCES = [
    ("", "Enter the transfer's reference"),
    ("   ", "Enter the transfer's reference"),
    ("T" * 101, "may not exceed 100 characters"),
    ("TX\n0001", "contains control characters"),
    ("TX\t0001", "contains control characters"),
    ("TX\x000001", "contains control characters"),
]


def test_mark_paid_refuses_bad_references(fresh):
    session, mall, ids = fresh
    engine = mall.engine
    row, audits = _row(engine, ids["nov"]), _audits(engine)
    at = _pick(_open(session, NOV_START), ids["nov"])
    for reference, message in BAD_REFERENCES:
        _pay(at, reference)
        _assert_refused(at, engine, ids["nov"], row, audits, message)
    assert row["status"] == "confirmed"


def test_mark_paid_on_a_stale_view_is_refused(fresh):
    session, mall, ids = fresh
    engine = mall.engine
    at = _pick(_open(session, NOV_START), ids["nov"])
    mark_paid(engine, OTHER, ids["nov"], expected_version=2, payment_reference="THEIRS")
    row, audits = _row(engine, ids["nov"]), _audits(engine)
    _pay(at, "MINE")
    _assert_refused(at, engine, ids["nov"], row, audits, STALE)
    assert row["payment_reference"] == "THEIRS"


# --- carry a negative net -----------------------------------------------------------------


def _negative_and_later_draft(engine, ids) -> int:
    """Confirm S1's December (net −104) and issue its January draft; the draft's id."""
    confirm_statement(engine, FINANCE, ids["dec"], expected_version=1)
    (jan,) = issue_statements(
        engine,
        FINANCE,
        period_start=JAN_START,
        period_end=FEB_START,
        vendor_ids=[_row(engine, ids["dec"])["vendor_id"]],
        tz=TZ,
        now=LATER,
    ).settlement_ids
    return jan


def test_carry_a_negative_net_into_a_later_draft(fresh):
    session, mall, ids = fresh
    engine = mall.engine
    jan = _negative_and_later_draft(engine, ids)
    audits = _audits(engine)
    at = _pick(_open(session, DEC_START), ids["dec"])
    assert "The net payable is negative: the vendor owes ¥1.04." in [
        as_seen(w.value) for w in at.warning
    ]
    assert at.selectbox(key="settlements_carry_target").value == jan
    at.button(key="settlements_carry").click().run()
    assert not at.exception
    assert [s.value for s in at.success] == [f"Carried into #{jan}."]
    row = _row(engine, jan)
    assert (row["adjustment_cents"], row["net_cents"], row["version"]) == (-104, -104, 2)
    assert f"carried from statement #{ids['dec']}" in row["adjustment_note"]
    assert _row(engine, ids["dec"])["net_cents"] == -104  # the source is left as it was
    audit = _one_new_audit(engine, audits)
    assert (audit["action"], audit["entity"], audit["entity_id"], audit["actor"]) == (
        "settlement.adjust",
        "settlement",
        str(jan),
        "money",
    )
    assert json.loads(audit["after"])["carried_from"] == ids["dec"]
    # Once carried, the page says where to and offers no second carry.
    assert f"Already carried into #{jan}." in texts(at)
    assert not [b for b in at.button if b.label == "Carry"]


def test_carry_already_carried_by_someone_else_is_refused(fresh):
    session, mall, ids = fresh
    engine = mall.engine
    jan = _negative_and_later_draft(engine, ids)
    at = _pick(_open(session, DEC_START), ids["dec"])
    carry_negative_into(engine, OTHER, ids["dec"], jan, expected_version=1)
    # The page still offers version 1 of the draft: refused whatever the order of checks.
    row, audits = _row(engine, jan), _audits(engine)
    at.button(key="settlements_carry").click().run()
    _assert_refused(at, engine, jan, row, audits, f"Already carried into #{jan}.")
    assert row["adjustment_cents"] == -104  # carried once, by the colleague


def test_carry_on_a_stale_view_is_refused(fresh):
    session, mall, ids = fresh
    engine = mall.engine
    jan = _negative_and_later_draft(engine, ids)
    at = _pick(_open(session, DEC_START), ids["dec"])
    adjust_statement(engine, OTHER, jan, expected_version=1, adjustment_cents=5, note="theirs")
    row, audits = _row(engine, jan), _audits(engine)
    at.button(key="settlements_carry").click().run()
    _assert_refused(at, engine, jan, row, audits, STALE)


# --- month-end files ----------------------------------------------------------------------


@pytest.fixture
def downloads(monkeypatch) -> dict[str, bytes]:
    """key → bytes of every download button drawn in a column or the page."""
    captured: dict[str, bytes] = {}
    original = DeltaGenerator.download_button

    def recording(self, label, data=None, *args, **kwargs):
        captured[kwargs.get("key") or label] = data() if callable(data) else data
        return original(self, label, data, *args, **kwargs)

    monkeypatch.setattr(DeltaGenerator, "download_button", recording)
    return captured


def test_month_end_files_open_in_openpyxl(fresh, downloads):
    session, mall, ids = fresh
    audits = _audits(mall.engine)
    at = _open(session, NOV_START)
    assert "settlements_overview_download" not in downloads
    _button(at, "Build month-end files").click().run()
    assert not at.exception
    labels = [b.label for b in at.get("download_button")]
    assert "Download overview" in labels and "Download all statements (zip)" in labels
    overview = openpyxl.load_workbook(io.BytesIO(downloads["settlements_overview_download"]))
    rows = [r for sheet in overview.worksheets for r in sheet.iter_rows(values_only=True)]
    cells = [str(c) for r in rows for c in r]
    assert "Shop 3" in cells and "Empty shop" in cells
    with zipfile.ZipFile(io.BytesIO(downloads["settlements_zip_download"])) as archive:
        names = archive.namelist()
        assert len(names) == 3
        for name in names:
            assert name.endswith(".xlsx")
            book = openpyxl.load_workbook(io.BytesIO(archive.read(name)))
            assert book.worksheets
    assert _audits(mall.engine) == audits  # building files writes nothing
    # The files stay while the period does (the page reruns on every click) …
    downloads.clear()
    _pick(at, ids["s3"])
    assert "settlements_overview_download" in downloads
    # … and go with it.
    at.selectbox(key="settlements_month").set_value(date(2026, 10, 1))
    _button(at, "Show").click().run()
    assert not at.get("download_button") or "Download overview" not in [
        b.label for b in at.get("download_button")
    ]


# --- the wrong role -----------------------------------------------------------------------


@pytest.mark.parametrize("user", ["shop1", "ops"])
def test_only_finance_opens_settlements(fresh, user):
    session, _, _ = fresh
    assert_not_opened(session, "settlements", user, "Settlements")


@pytest.mark.parametrize("role", ["operator", "vendor"])
def test_the_writes_behind_the_page_refuse_other_roles(fresh, role):
    _, mall, ids = fresh
    engine = mall.engine
    actor = Actor("intruder", role, mall.s3 if role == "vendor" else None)
    audits = _audits(engine)
    rows = {k: _row(engine, v) for k, v in ids.items()}
    attempts = [
        lambda: issue_statements(
            engine, actor, period_start=NOV_START, period_end=NOV_END, tz=TZ, now=LATER
        ),
        lambda: adjust_statement(
            engine, actor, ids["s3"], expected_version=1, adjustment_cents=1, note="x"
        ),
        lambda: confirm_statement(engine, actor, ids["s3"], expected_version=1),
        lambda: discard_statement(engine, actor, ids["s3"], expected_version=1),
        lambda: mark_paid(engine, actor, ids["nov"], expected_version=2, payment_reference="X"),
        lambda: carry_negative_into(engine, actor, ids["dec"], ids["dec"], expected_version=1),
    ]
    for attempt in attempts:
        with pytest.raises(Forbidden):
            attempt()
    assert _audits(engine) == audits
    assert {k: _row(engine, v) for k, v in ids.items()} == rows
