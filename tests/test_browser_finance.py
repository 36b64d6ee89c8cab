"""Finance's month end in a real browser, on PostgreSQL (SQLite is covered by AppTest).

On the tiny demo mall, as `finance`: issue November's missing drafts → adjust one →
confirm it (the picker then says Confirmed) → mark it paid → carry a negative October
net into the shop's November draft → build the month-end files and open them. Each
step is checked on the page and in the database.
"""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import openpyxl
import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from queries.core.db import connect_engine
from queries.core.schema import audit_log, settlements, vendors
from tests.browser import login, open_page, until_done, wait_idle

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

S = settlements.c


@pytest.fixture
def database(running_app_pg):
    engine = connect_engine(running_app_pg.database_url, check=False)
    yield engine
    engine.dispose()


def _months(today: date) -> tuple[date, date, date]:
    """The first days of last month, the month before it, and this month."""
    this = today.replace(day=1)
    last = date(this.year - (this.month == 1), (this.month - 2) % 12 + 1, 1)
    before = date(last.year - (last.month == 1), (last.month - 2) % 12 + 1, 1)
    return last, before, this


def _statement(engine, settlement_id: int):
    with engine.connect() as conn:
        return conn.execute(sa.select(settlements).where(S.settlement_id == settlement_id)).one()


def _negative_to_carry(engine, before: date, last: date) -> tuple[int, int]:
    """A confirmed statement of the month before last with a negative net, and the same
    shop's draft of last month: (source, target). The demo has one; if not, make one."""
    with engine.begin() as conn:
        sources = conn.execute(
            sa.select(S.settlement_id, S.vendor_id, S.net_cents)
            .where(S.period_start == before, S.status == "confirmed")
            .order_by(S.net_cents, S.settlement_id)
        ).all()
        drafts = dict(
            conn.execute(
                sa.select(S.vendor_id, S.settlement_id).where(
                    S.period_start == last, S.status == "draft"
                )
            ).all()
        )
        source = next(r for r in sources if r.vendor_id in drafts)
        if source.net_cents >= 0:  # make it owe ¥50.00 through a recorded adjustment
            row = _statement(engine, source.settlement_id)
            adjustment = row.adjustment_cents - row.net_cents - 5000
            conn.execute(
                settlements.update()
                .where(S.settlement_id == source.settlement_id)
                .values(adjustment_cents=adjustment, net_cents=-5000, adjustment_note="旅程")
            )
        return source.settlement_id, drafts[source.vendor_id]


def _pick(page, label: str, option: re.Pattern[str], *, typed: str | None = None) -> None:
    """Choose `option` in the select box labelled `label` (typing `typed` to filter first:
    a long list draws only the options in view)."""
    box = page.get_by_test_id("stMain").get_by_test_id("stSelectbox").filter(has_text=label)
    choice = page.get_by_role("option", name=option)

    def open_it() -> None:
        box.first.click()
        if typed:
            page.keyboard.type(typed)

    until_done(page, open_it, choice.first.wait_for, timeout=10_000)
    choice.first.click()
    wait_idle(page)


def _picked(main, label: str) -> str:
    """The option the select box labelled `label` shows."""
    return main.get_by_role("combobox", name=label, exact=True).input_value()


def _click(main, page, name: str, done: str) -> None:
    main.get_by_role("button", name=name, exact=True).click()
    main.get_by_text(done, exact=True).wait_for()
    wait_idle(page)


def _download(page, main, name: str) -> bytes:
    with page.expect_download() as info:
        main.get_by_role("button", name=name).click()
    return Path(info.value.path()).read_bytes()


def _audit(engine, settlement_id: int) -> list[tuple[str, str]]:
    a = audit_log.c
    with engine.connect() as conn:
        return [
            (r.action, r.actor)
            for r in conn.execute(
                sa.select(a.action, a.actor)
                .where(a.entity == "settlement", a.entity_id == str(settlement_id))
                .order_by(a.audit_id)
            )
        ]


def test_finance_month_end_journey(running_app_pg, database, browser_page):
    page = browser_page
    today = datetime.now(ZoneInfo("Asia/Shanghai")).date()  # the app's "today"
    last, before, this = _months(today)
    source, target = _negative_to_carry(database, before, last)
    with database.connect() as conn:
        waiting = conn.execute(
            sa.select(vendors.c.vendor_id, vendors.c.name)
            .where(vendors.c.vendor_id.not_in(sa.select(S.vendor_id).where(S.period_start == last)))
            .order_by(vendors.c.vendor_id)
        ).all()
        ids_before = list(conn.execute(sa.select(S.settlement_id)).scalars())
    assert waiting, "the demo has every shop issued for last month"

    login(page, running_app_pg, "finance", "demo-finance")
    main = open_page(page, "Settlements")
    main.get_by_role("heading", name="Issue statements").wait_for()

    # 1. Issue last month's missing drafts (every shop not yet issued).
    main.get_by_role("button", name="Issue drafts").click()
    done = main.get_by_text(re.compile(r"^Issued \d+ draft statement\(s\)\."))
    done.wait_for()
    wait_idle(page)
    count = int(re.match(r"Issued (\d+)", done.inner_text()).group(1))
    with database.connect() as conn:
        new = conn.execute(
            sa.select(S.settlement_id, S.vendor_id, S.status)
            .where(S.period_start == last, S.settlement_id.not_in(ids_before))
            .order_by(S.settlement_id)
        ).all()
        joined = dict(conn.execute(sa.select(vendors.c.vendor_id, vendors.c.joined_at)).all())
        total = conn.execute(sa.select(sa.func.count()).select_from(settlements)).scalar()
    assert total == len(ids_before) + count and count == len(new) >= 1
    assert {r.status for r in new} == {"draft"}
    # Only shops that existed before the period's end (local midnight) got one.
    end = datetime.combine(this, time(), ZoneInfo("Asia/Shanghai"))
    assert all(joined[r.vendor_id] < end for r in new)
    late = [v for v, _ in waiting if joined[v] >= end]
    issued_to = {r.vendor_id for r in new}
    assert not issued_to & set(late)
    draft = min(new, key=lambda r: r.settlement_id).settlement_id
    assert _audit(database, draft) == [("settlement.issue", "finance")]

    # 2. Adjust it.
    _pick(page, "Statement", re.compile(rf"^#{draft} · .* · Draft$"), typed=f"#{draft} ")

    def adjust() -> None:
        main.get_by_test_id("stRadio").get_by_text("Deduct (pay the vendor less)").click()
        main.get_by_role("textbox", name="Amount (yuan, may be 0)").fill("12.34")
        main.get_by_role("textbox", name=re.compile("^Note")).fill("旅程扣款 **journey**")
        main.get_by_role("button", name="Save adjustment").click()

    saved = main.get_by_text("The adjustment was saved.", exact=True)
    until_done(page, adjust, saved.wait_for, timeout=10_000)
    wait_idle(page)
    row = _statement(database, draft)
    assert (row.adjustment_cents, row.adjustment_note, row.version) == (
        -1234,
        "旅程扣款 **journey**",
        2,
    )
    main.get_by_text("Adjustment note: 旅程扣款 **journey**", exact=True).wait_for()  # as typed

    # 3. Confirm it: the picker says Confirmed without picking it again.
    # A double click, as people do: confirmed once, and the page says so.
    main.get_by_role("button", name="Confirm statement", exact=True).dblclick()
    main.get_by_text("Confirmed: the vendor can now see it.", exact=True).wait_for()
    wait_idle(page)
    expect(main.get_by_text(re.compile("^Someone else changed"))).to_have_count(0)
    assert _statement(database, draft).status == "confirmed"
    expect(main.get_by_role("combobox", name="Statement", exact=True)).to_have_value(
        re.compile(rf"^#{draft} · .* · Confirmed$")
    )
    assert "Draft" not in _picked(main, "Statement")

    # 4. Mark it paid with the transfer's reference.

    def pay() -> None:
        main.get_by_role("textbox", name="Transfer reference").fill("CMB-JOURNEY-0001")
        main.get_by_role("button", name="Mark paid").click()

    until_done(page, pay, main.get_by_text("Marked as paid.", exact=True).wait_for)
    wait_idle(page)
    row = _statement(database, draft)
    assert (row.status, row.payment_reference, row.version) == ("paid", "CMB-JOURNEY-0001", 4)
    assert row.paid_at is not None
    expect(main.get_by_role("combobox", name="Statement", exact=True)).to_have_value(
        re.compile(rf"^#{draft} · .* · Paid$")
    )
    assert [a for a, _ in _audit(database, draft)] == [
        "settlement.issue",
        "settlement.adjust",
        "settlement.confirm",
        "settlement.pay",
    ]

    # 5. Carry the negative net of the month before into the shop's draft of last month.
    owed = -_statement(database, source).net_cents
    target_before = _statement(database, target)
    _pick(page, "Month", re.compile(rf"^{before:%Y-%m}$"))
    until_done(
        page,
        lambda: main.get_by_role("button", name="Show", exact=True).click(),
        main.get_by_role("heading", name=re.compile(rf"^{before:%Y-%m}-01 to")).wait_for,
    )
    _pick(page, "Statement", re.compile(rf"^#{source} · .* · Confirmed$"), typed=f"#{source} ")
    main.get_by_text("Carry the negative net").wait_for()
    assert f"#{target}" in _picked(main, "Into the draft")
    _click(main, page, "Carry", f"Carried into #{target}.")
    row = _statement(database, target)
    assert row.adjustment_cents == target_before.adjustment_cents - owed
    assert row.net_cents == target_before.net_cents - owed
    assert f"carried from statement #{source}" in row.adjustment_note
    assert _audit(database, target)[-1] == ("settlement.adjust", "finance")
    main.get_by_text(f"Already carried into #{target}.").wait_for()
    expect(main.get_by_role("button", name="Carry", exact=True)).to_have_count(0)

    # 6. The month-end files of that month: both open in openpyxl.
    main.get_by_role("button", name="Build month-end files").click()
    main.get_by_role("button", name="Download overview").wait_for(timeout=60_000)
    wait_idle(page)
    overview = openpyxl.load_workbook(io.BytesIO(_download(page, main, "Download overview")))
    cells = {
        str(c)
        for sheet in overview.worksheets
        for r in sheet.iter_rows(values_only=True)
        for c in r
        if c is not None
    }
    with database.connect() as conn:
        name = conn.execute(
            sa.select(vendors.c.name)
            .join(settlements, S.vendor_id == vendors.c.vendor_id)
            .where(S.settlement_id == source)
        ).scalar_one()
    assert name in cells
    archive = zipfile.ZipFile(io.BytesIO(_download(page, main, "Download all statements (zip)")))
    names = archive.namelist()
    assert names and all(n.endswith(".xlsx") for n in names)
    for member in names[:3]:
        assert openpyxl.load_workbook(io.BytesIO(archive.read(member))).worksheets
    assert "Traceback" not in page.content()
    assert "Something unexpected" not in page.content()
