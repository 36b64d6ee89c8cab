"""No formula leaves the console: every workbook it writes keeps text as text.

A hand-built mall where every user-writable text holds a hostile payload (shop,
product, promotion and live-session names, order numbers, a statement's adjustment
note and payment reference, an audit reason): each writer of `exports/` — the
orders, products, statement, month-end overview and zip, audit, on-page table and
`report` CLI workbooks — is run on it, and every workbook is read back with openpyxl
and as raw XML: no cell is a formula and each payload is there, character for
character, as a string. The browser journeys (`tests/test_browser_payloads.py`)
reuse `PAYLOADS` and `assert_no_formulas`.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import openpyxl
import pandas as pd
import pytest
import sqlalchemy as sa

from exports import __main__ as exports_cli
from exports.audit_workbook import audit_workbook_bytes
from exports.orders_workbook import orders_workbook_bytes
from exports.products_workbook import products_workbook_bytes
from exports.settlement_workbook import write_month_end, write_statement_workbook
from exports.xlsx import Column, frame_to_xlsx
from queries.audit import AuditScope, audit_entries
from queries.core import schema as s
from queries.core.actors import Scope
from queries.finance.settlements import statement_infos
from queries.orders.search import OrderFilter
from tests.builders import Item, MallBuilder, local

TZ = "Asia/Shanghai"
NOV_START, NOV_END = date(2026, 11, 1), date(2026, 12, 1)

# A 5,000-character name that also looks like a formula; a right-to-left override.
LONG = "=A1&" + "名" * 4996
RTL = "shop\u202egnp.exe"
# The payload set (a NUL is left out: PostgreSQL refuses it in text).
PAYLOADS = (
    "**b**",
    "![x](http://127.0.0.1:9/x.png)",
    "$x^2$",
    "<img src=x onerror=alert(1)>",
    "[l](javascript:alert(1))",
    "=cmd|' /C calc'!A0",
    "@SUM(1+1)",
    LONG,
    RTL,
)
# What spreadsheet programs also read as a formula when a cell is not typed as text.
FORMULA_LIKE = (
    '=HYPERLINK("http://127.0.0.1:9/x","x")',
    "+1+2",
    "-1+2",
    "@SUM(1,2)",
    "\t=1+1",
)
ALL = PAYLOADS + FORMULA_LIKE
assert len(LONG) == 5000


def formula_cells(data: bytes) -> list[tuple[str, str, object]]:
    """(sheet, cell, value) of every formula in the workbook `data`, read two ways.

    openpyxl marks a formula cell with data type "f"; the raw sheet XML is read too,
    since a formula is an `<f>` element whatever a reader makes of it.
    """
    found = []
    book = openpyxl.load_workbook(io.BytesIO(data))
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            found += [(sheet.title, c.coordinate, c.value) for c in row if c.data_type == "f"]
    with zipfile.ZipFile(io.BytesIO(data)) as parts:
        for name in parts.namelist():
            if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                xml = parts.read(name).decode("utf-8")
                found += [(name, "<f>", m) for m in re.findall(r"<f[ >][^<]*", xml)]
    return found


def strings(data: bytes) -> list[str]:
    """Every text cell's value in the workbook `data`."""
    book = openpyxl.load_workbook(io.BytesIO(data))
    return [
        c.value
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for c in row
        if c.data_type == "s" and isinstance(c.value, str)
    ]


def assert_no_formulas(data: bytes, *, holds: tuple[str, ...] = ()) -> None:
    """No formula in the workbook `data`, and each of `holds` in one of its text cells."""
    assert formula_cells(data) == []
    texts = strings(data)
    missing = [p[:40] for p in holds if not any(p in v for v in texts)]
    assert missing == [], f"not in the workbook as text: {missing}"


# --- the mall ------------------------------------------------------------------------


def _build(conn: sa.Connection) -> dict:
    """A shop per payload: its name, product, promotion, live session, order number,
    statement note and reference, and an audit reason are all that payload."""
    mall = MallBuilder(conn)
    category = mall.category()
    member = mall.member()
    vendors = []
    for n, payload in enumerate(ALL):
        vendor = mall.vendor(payload)
        product = mall.product(vendor, category, payload)
        promotion = mall.promotion(
            vendor_id=vendor,
            name=payload,
            starts_at=local("2026-11-01 00:00:00"),
            ends_at=local("2026-11-30 00:00:00"),
        )
        live = mall.live_session(
            vendor,
            started_at=local("2026-11-10 20:00:00"),
            ended_at=local("2026-11-10 22:00:00"),
            title=payload,
        )
        mall.order(
            vendor,
            member,
            [Item(product)],
            paid_at=local("2026-11-10 21:00:00") + timedelta(minutes=n),
            promotion_id=promotion,
            live_session_id=live,
            order_no=payload,
        )
        # A paid statement whose frozen totals differ from today's: a Differences sheet
        # that names the order, beside the note and the reference.
        conn.execute(
            s.settlements.insert().values(
                vendor_id=vendor,
                period_start=NOV_START,
                period_end=NOV_END,
                gross_cents=0,
                platform_subsidy_cents=0,
                commission_cents=0,
                payment_fee_cents=0,
                refund_cents=0,
                commission_refund_cents=0,
                adjustment_cents=100,
                net_cents=100,
                status="paid",
                created_at=datetime(2026, 12, 2, tzinfo=UTC),
                confirmed_at=datetime(2026, 12, 3, tzinfo=UTC),
                paid_at=datetime(2026, 12, 4, tzinfo=UTC),
                adjustment_note=payload,
                payment_reference=payload,
                version=3,
            )
        )
        conn.execute(
            s.audit_log.insert().values(
                at=datetime(2026, 11, 11, tzinfo=UTC),
                actor=f"shop{n}",
                role="vendor",
                action="promotion.update",
                entity="promotion",
                entity_id=str(promotion),
                vendor_id=vendor,
                reason=payload,
                before=json.dumps({"name": "old"}),
                after=json.dumps({"name": payload}),
            )
        )
        vendors.append(vendor)
    return {"vendors": vendors}


@pytest.fixture(scope="module", params=("sqlite", "postgresql"))
def mall(request, db_factory):
    engine = db_factory.engine(request.param)
    with engine.begin() as conn:
        built = _build(conn)
    return engine, built


# --- every writer --------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_orders_workbook(mall, lang):
    engine, built = mall
    with engine.connect() as conn:
        whole = orders_workbook_bytes(
            conn, scope=Scope.mall(), filters=OrderFilter(), tz=TZ, lang=lang
        )
        one = orders_workbook_bytes(
            conn, scope=Scope(built["vendors"][5]), filters=OrderFilter(), tz=TZ, lang=lang
        )
    assert_no_formulas(whole, holds=ALL)  # shop, order no., promotion, live session
    assert_no_formulas(one, holds=(ALL[5],))


def test_products_workbook(mall):
    engine, built = mall
    with engine.connect() as conn:
        whole = products_workbook_bytes(conn, scope=Scope.mall(), lang="en", tz=TZ)
        one = products_workbook_bytes(conn, scope=Scope(built["vendors"][5]), lang="zh", tz=TZ)
    assert_no_formulas(whole, holds=ALL)
    assert_no_formulas(one, holds=(ALL[5],))


def test_statement_workbook(mall, tmp_path):
    engine, built = mall
    with engine.connect() as conn:
        infos = statement_infos(conn, period_start=NOV_START, period_end=NOV_END, tz=TZ)
        assert len(infos) == len(ALL)
        for n, info in enumerate(infos):
            path = tmp_path / f"s{n}.xlsx"
            write_statement_workbook(conn, path, info, tz=TZ)
            data = path.read_bytes()
            sheets = openpyxl.load_workbook(io.BytesIO(data)).sheetnames
            assert "Differences" in sheets  # the order's number is listed there as a cause
            # shop name (in "name (#id)"), adjustment note, payment reference, order no.
            assert_no_formulas(data, holds=(ALL[n],))
            texts = strings(data)
            assert texts.count(ALL[n]) >= 3, (ALL[n][:40], texts.count(ALL[n]))


def test_month_end_overview_and_zip(mall, tmp_path):
    engine, _ = mall
    with engine.connect() as conn:
        overview, archive = write_month_end(
            conn, tmp_path / "month", period_start=NOV_START, period_end=NOV_END, tz=TZ
        )
    assert_no_formulas(overview.read_bytes(), holds=ALL)  # shop names and notes
    with zipfile.ZipFile(archive) as zf:
        names = zf.namelist()
        assert len(names) == len(ALL)
        found = []
        for name in names:
            data = zf.read(name)
            assert_no_formulas(data)
            found += strings(data)
    assert all(any(p in v for v in found) for p in ALL)


def test_audit_workbook(mall):
    from dashboard.ui.audit_words import Reading, readable

    engine, _ = mall
    with engine.connect() as conn:
        rows, total = audit_entries(conn, scope=AuditScope(), page=1, page_size=100)
    assert total == len(ALL)
    for lang in ("zh", "en"):
        frame = readable(rows, Reading(lang=lang, timezone=TZ, currency_symbol="¥"))
        assert_no_formulas(audit_workbook_bytes(frame, sheet="Audit"), holds=ALL)


def test_on_page_table_workbook():
    """`download_table`'s workbook: text columns, and text that reached a number column."""
    frame = pd.DataFrame({"name": list(ALL), "note": list(reversed(ALL))})
    data = frame_to_xlsx(
        {"Data": (frame, [Column("Name"), Column("Note", "text")])}, tz=ZoneInfo(TZ)
    )
    assert_no_formulas(data, holds=ALL)
    # Headers are text too, even when a header is a payload.
    data = frame_to_xlsx({"Data": (frame, [Column(ALL[5]), Column(ALL[6])])}, tz=ZoneInfo(TZ))
    assert_no_formulas(data, holds=(ALL[5], ALL[6]))


@pytest.mark.parametrize("name", ["sales", "campaigns"])
@pytest.mark.parametrize("vendor", ["all", "one"])
def test_report_workbook(mall, name, vendor, tmp_path, monkeypatch):
    engine, built = mall
    monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv("PLATFORM_TIMEZONE", TZ)
    out: Path = tmp_path / f"{name}.xlsx"
    who = "all" if vendor == "all" else str(built["vendors"][5])
    status = exports_cli.main(["report", name, "--vendor", who, "--period", "2026-11"])
    assert status == 2  # --out is required: no file, no traceback
    args = ["report", name, "--vendor", who, "--period", "2026-11", "--out", str(out)]
    assert exports_cli.main(args) == 0
    data = out.read_bytes()
    # One shop's report names its product (sales) or its promotion (campaigns).
    assert_no_formulas(data, holds=(ALL[5],) if vendor == "one" else ())


def test_a_formula_would_be_found(tmp_path):
    """The check itself: a workbook with a real formula is caught, both ways."""
    import xlsxwriter

    path = tmp_path / "f.xlsx"
    book = xlsxwriter.Workbook(str(path))
    book.add_worksheet("S").write("A1", ALL[5])  # `write` turns "=…" into a formula
    book.close()
    found = formula_cells(path.read_bytes())
    assert len(found) == 2 and found[0][:2] == ("S", "A1")
