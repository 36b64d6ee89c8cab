"""The settlement pages in AppTest: Settlements and Reconciliation (finance), Statements.

Data: the mall of `tests/settlement_data.py`. Issued before the pages open:
S1 November, confirmed (net 7673 = ¥76.73); S1 December, a draft (net −104);
S3 November, a draft (net 9440), after which a late 5 fen fee is recorded for o9.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from queries.core.actors import Actor
from queries.core.schema import payments, settlements
from queries.finance.actions import confirm_statement, issue_statements
from tests.apptest import AppSession, texts
from tests.conftest import BACKENDS
from tests.settlement_data import (
    DEC_START,
    JAN_START,
    NOV_END,
    NOV_START,
    S1_NAME,
    TZ,
    build_settlement_mall,
)

FINANCE = Actor("money", "finance")
LATER = datetime(2027, 3, 1, tzinfo=UTC)


def _prepare(engine):
    mall = build_settlement_mall(engine)

    def issue(vendor, start, end):
        return issue_statements(
            engine,
            FINANCE,
            period_start=start,
            period_end=end,
            tz=TZ,
            vendor_ids=[vendor],
            now=LATER,
        ).settlement_ids[0]

    nov = issue(mall.s1, NOV_START, NOV_END)
    confirm_statement(engine, FINANCE, nov, expected_version=1)
    dec = issue(mall.s1, DEC_START, JAN_START)
    s3 = issue(mall.s3, NOV_START, NOV_END)
    with engine.begin() as conn:
        conn.execute(
            payments.insert().values(
                order_id=mall.orders["o9"].order_id,
                method="card",
                amount_cents=0,
                fee_cents=5,
                paid_at=datetime(2027, 3, 2, tzinfo=UTC),
                transaction_no="late",
            )
        )
    return mall, {"nov": nov, "dec": dec, "s3": s3}


def _session(engine, tmp_path, mall) -> AppSession:
    session = AppSession(engine.url, tmp_path)
    session.add("shop1", role="vendor", vendor_id=mall.s1)
    session.add("shop2", role="vendor", vendor_id=mall.s2)
    session.add("ops", role="operator")
    session.add("money", role="finance")
    return session


@pytest.fixture(scope="module", params=BACKENDS)
def site(request, db_factory, tmp_path_factory):
    """Read-only tests share one database per backend."""
    engine = db_factory.engine(request.param)
    mall, ids = _prepare(engine)
    return _session(engine, tmp_path_factory.mktemp("settle_pages"), mall), mall, ids


@pytest.fixture
def fresh(empty_db, tmp_path):
    """Tests that write get their own database."""
    mall, ids = _prepare(empty_db)
    return _session(empty_db, tmp_path, mall), mall, ids


def _pick_month(at, prefix: str, first: date):
    at.selectbox(key=f"{prefix}_month").set_value(first)
    [b for b in at.button if b.label == "Show"][0].click().run()
    assert not at.exception
    return at


def test_vendor_sees_own_confirmed_statement_only(site):
    session, mall, ids = site
    at = session.open("statements", as_user="shop1")
    assert not at.exception
    listed = at.dataframe[0].value
    # November is confirmed; December is still a draft (finance's): not shown.
    assert list(listed["Statement no."]) == [f"#{ids['nov']}"]
    assert "Shop" not in listed.columns and "Vendor" not in listed.columns
    page = texts(at)
    assert "¥76.73" in page
    lines = at.dataframe[1].value.set_index("Line")["Amount"]
    assert lines["Gross (GMV)"] == "¥88.20"
    assert lines["Commission"] == "¥3.76"
    assert lines["Commission returned"] == "¥0.50"
    orders = at.dataframe[2].value
    assert list(orders["Order no."]) == [
        mall.orders[n].order_no for n in ("o2", "o3", "o4", "o5", "o6")
    ]
    assert orders.iloc[0]["Paid at"] == "2026-11-01 00:00"
    refunds = at.dataframe[3].value
    assert list(refunds["Refund id"]) == [str(mall.refunds["r1"])]
    assert [b.label for b in at.get("download_button")][-1] != ""


def test_vendor_without_statements(site):
    session, _, _ = site
    at = session.open("statements", as_user="shop2")
    assert not at.exception
    assert "No confirmed statement yet" in texts(at)


def assert_not_opened(session: AppSession, page: str, user: str, title: str) -> None:
    """`user` opening `page` lands on Home with the sentence saying why: never on the page."""
    at = session.open(page, as_user=user)
    assert not at.exception
    assert title not in [e.value for e in at.title]
    assert f"Your role cannot open the {title} page, so Home is shown instead." in texts(at)
    labels = {b.label for b in at.button}
    assert not labels & {"Issue drafts", "Confirm statement", "Mark paid", "Carry"}
    assert "Net from today's data" not in texts(at)


@pytest.mark.parametrize(
    ("page", "title"), [("settlements", "Settlements"), ("reconciliation", "Reconciliation")]
)
def test_vendor_cannot_open_finance_pages(site, page, title):
    session, _, _ = site
    assert_not_opened(session, page, "shop1", title)
    assert_not_opened(session, page, "ops", title)


def test_operator_reads_every_shops_confirmed_statements(site):
    session, _, ids = site
    at = session.open("statements", as_user="ops")
    assert not at.exception
    listed = at.dataframe[0].value
    # S3's November statement is a draft: only S1's confirmed one is listed.
    assert list(listed["Statement no."]) == [f"#{ids['nov']}"]
    assert list(listed["Vendor"]) == ['=HYPERLINK("x")']
    assert not [b for b in at.button if b.label in ("Confirm statement", "Mark paid")]


def test_finance_period_table(site):
    session, mall, ids = site
    at = _pick_month(session.open("settlements", as_user="money"), "settlements", NOV_START)
    table = at.dataframe[0].value.set_index("Vendor")
    assert list(table["State"]) == ["Confirmed", "Not issued", "Draft"]
    assert table.loc['=HYPERLINK("x")', "Net payable"] == "¥76.73"
    assert table.loc["Empty shop", "Net payable"] == "¥0.00"
    # S3: frozen 9440, today 9435 after the late fee.
    assert table.loc["Shop 3", "Net payable"] == "¥94.40"
    assert table.loc["Shop 3", "Net from today's data"] == "¥94.35"
    assert table.loc["Shop 3", "Differs"] == "Yes"


def test_reconciliation_page(site):
    session, mall, ids = site
    at = _pick_month(session.open("reconciliation", as_user="money"), "reconciliation", NOV_START)
    page = texts(at)
    differences = at.dataframe[0].value
    assert list(differences["Line"]) == ["Payment fee", "Net payable"]
    assert list(differences["Difference"]) == ["¥0.05", "-¥0.05"]
    assert mall.orders["o9"].order_no in page  # named as the cause
    assert "Payment recorded after issue" in page
    # o4 was paid, then cancelled with no completed refund.
    assert mall.orders["o4"].order_no in at.dataframe[-1].value["Order no."].tolist()


def test_finance_confirms_a_draft(fresh):
    session, mall, ids = fresh
    at = _pick_month(session.open("settlements", as_user="money"), "settlements", NOV_START)
    at.selectbox(key="settlements_pick").set_value(ids["s3"]).run()
    [b for b in at.button if b.label == "Confirm statement"][0].click().run()
    assert not at.exception
    assert "Confirmed: the vendor can now see it." in texts(at)
    table = at.dataframe[0].value.set_index("Vendor")
    assert table.loc["Shop 3", "State"] == "Confirmed"


def test_finance_stale_confirm_shows_conflict(fresh):
    session, mall, ids = fresh
    at = _pick_month(session.open("settlements", as_user="money"), "settlements", NOV_START)
    at.selectbox(key="settlements_pick").set_value(ids["s3"]).run()
    # Someone else changes the statement behind this page's back.
    engine = session_engine(session)
    with engine.begin() as conn:
        conn.execute(
            settlements.update()
            .where(settlements.c.settlement_id == ids["s3"])
            .values(version=settlements.c.version + 1)
        )
    engine.dispose()
    [b for b in at.button if b.label == "Confirm statement"][0].click().run()
    assert not at.exception
    assert "Someone else changed this statement" in texts(at)


def test_finance_adjusts_and_issues(fresh):
    session, mall, ids = fresh
    at = _pick_month(session.open("settlements", as_user="money"), "settlements", NOV_START)
    at.selectbox(key="settlements_pick").set_value(ids["s3"]).run()
    drawn = f"{ids['s3']}_1"  # the form's keys name the statement and its version
    at.radio(key=f"settlements_adjust_direction_{drawn}").set_value("deduct")
    at.text_input(key=f"settlements_adjust_amount_{drawn}").input("4.40")
    at.text_area(key=f"settlements_adjust_note_{drawn}").input("=扣除 deposit")
    [b for b in at.button if b.label == "Save adjustment"][0].click().run()
    assert not at.exception
    table = at.dataframe[0].value.set_index("Vendor")
    assert table.loc["Shop 3", "Net payable"] == "¥90.00"  # 9440 − 440
    # October has ended: issue every vendor's statement for it.
    at = _pick_month(at, "settlements", date(2026, 10, 1))
    [b for b in at.button if b.label == "Issue drafts"][0].click().run()
    assert not at.exception
    assert "Issued 3 draft statement(s)." in texts(at)


def session_engine(session: AppSession):
    """An engine on the session's database (for changes behind the page's back)."""
    from queries.core.db import connect_engine

    return connect_engine(session.database_url)


def test_month_end_files_from_the_page(site):
    session, _, _ = site
    at = _pick_month(session.open("settlements", as_user="money"), "settlements", NOV_START)
    [b for b in at.button if b.label == "Build month-end files"][0].click().run()
    assert not at.exception
    labels = [b.label for b in at.get("download_button")]
    assert "Download overview" in labels and "Download all statements (zip)" in labels


def test_vendor_sees_what_finance_typed_as_typed(fresh):
    """Names, notes and references on the vendor's statement are never Markdown."""
    from dashboard.ui.widgets import literal
    from queries.finance.actions import adjust_statement, mark_paid

    session, mall, ids = fresh
    engine = session_engine(session)
    adjust_statement(
        engine, FINANCE, ids["s3"], expected_version=1, adjustment_cents=-40, note="**押金** _x_"
    )
    confirm_statement(engine, FINANCE, ids["s3"], expected_version=2)
    mark_paid(engine, FINANCE, ids["nov"], expected_version=2, payment_reference="[ref](x) *1*")
    engine.dispose()
    session.add("shop3", role="vendor", vendor_id=mall.s3)
    at = session.open("statements", as_user="shop3")
    assert not at.exception
    assert f"Adjustment note: {literal('**押金** _x_')}" in [i.value for i in at.info]
    at = session.open("statements", as_user="shop1")
    assert at.subheader[0].value.startswith(f"#{ids['nov']} · {literal(S1_NAME)} · ")
    captions = " ".join(c.value for c in at.caption)
    assert f"Payment reference: {literal('[ref](x) *1*')}" in captions
