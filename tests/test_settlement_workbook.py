"""Statement workbooks read back with openpyxl, cell by cell, on the mall of `settlement_data`.

Figures: S1 in November 2026 (see `tests/settlement_data.py`): gross 88.20, subsidy 2.00,
commission 3.76, fee 0.21, refund 10.00, returned 0.50, net 76.73 yuan.
"""

from __future__ import annotations

import zipfile
from datetime import UTC, datetime

import openpyxl
import pytest
import sqlalchemy as sa

from exports.settlement_workbook import write_month_end, write_statement_workbook
from queries.core.actors import Actor
from queries.core.schema import payments
from queries.finance.actions import (
    adjust_statement,
    confirm_statement,
    issue_statements,
    mark_paid,
)
from queries.finance.settlements import statement_infos
from tests.settlement_data import NOV_END, NOV_START, S1_NOV, TZ, build_settlement_mall

FINANCE = Actor("money", "finance")
ISSUED_AT = datetime(2027, 3, 1, tzinfo=UTC)
YUAN = {k: v / 100 for k, v in S1_NOV.items()}


@pytest.fixture
def mall(empty_db):
    return build_settlement_mall(empty_db)


def _info(mall, vendor_id):
    with mall.engine.connect() as conn:
        (info,) = statement_infos(
            conn, period_start=NOV_START, period_end=NOV_END, tz=TZ, vendor_ids=[vendor_id]
        )
    return info


def _workbook(mall, tmp_path, vendor_id, **kw):
    path = tmp_path / f"s{vendor_id}.xlsx"
    info = _info(mall, vendor_id)
    with mall.engine.connect() as conn:
        write_statement_workbook(conn, path, info, tz=TZ, **kw)
    return openpyxl.load_workbook(path)


def _assert_no_formulas(wb):
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)


def _summary(ws) -> dict[str, tuple]:
    """English item → (amount, date, value) of the Summary sheet."""
    return {r[1]: r[2:] for r in ws.iter_rows(min_row=2, values_only=True)}


def test_not_issued_statement(mall, tmp_path):
    wb = _workbook(mall, tmp_path, mall.s1)
    assert wb.sheetnames == ["Summary", "Orders", "Refunds"]
    _assert_no_formulas(wb)
    summary = _summary(wb["Summary"])
    # The shop name looks like a formula: stored as text.
    assert summary["Vendor"][2] == '=HYPERLINK("x") (#1)'
    assert wb["Summary"]["E2"].data_type == "s"
    assert summary["State"][2] == "未出具 / not issued"
    assert summary["Period"][2] == "2026-11-01 – 2026-11-30 (Asia/Shanghai)"
    assert summary["Period start"][1] == datetime(2026, 11, 1)
    assert summary["Period last day"][1] == datetime(2026, 11, 30)
    assert summary["Gross (GMV)"][0] == pytest.approx(88.20)
    assert summary["Net payable"][0] == pytest.approx(76.73)
    assert summary["Commission returned"][0] == pytest.approx(0.50)
    assert wb["Summary"]["C8"].number_format.startswith('"¥"#,##0.00')

    orders = wb["Orders"]
    assert orders.freeze_panes == "A2" and orders.auto_filter.ref
    assert orders["A1"].value == "订单号 / Order no."
    rows = list(orders.iter_rows(min_row=2, values_only=True))
    assert len(rows) == 6  # o2 o3 o4 o5 o6 + totals
    # o2 paid at 00:00:00 on the 1st, local time, a real date; 20.10 paid, 1.00 commission.
    assert rows[0][1] == datetime(2026, 11, 1, 0, 0, 0)
    assert rows[0][6:] == (pytest.approx(20.10), pytest.approx(1.00), pytest.approx(0.13))
    # o3's order no. "-3" is text, not a negative number or a formula.
    assert rows[1][0] == "-3" and orders["A3"].data_type == "s"
    assert rows[4][1] == datetime(2026, 11, 30, 23, 59, 59)
    assert orders["B2"].is_date and orders["C2"].number_format.startswith('"¥"')
    total = rows[-1]
    assert total[0] == "合计 / Total" and total[1] is None
    # Totals equal the summary: gross 88.20, subsidy 2.00, commission 3.76, fee 0.21.
    assert total[4] == pytest.approx(YUAN["platform_subsidy_cents"])
    assert total[6] == pytest.approx(YUAN["gross_cents"])
    assert total[7] == pytest.approx(YUAN["commission_cents"])
    assert total[8] == pytest.approx(YUAN["payment_fee_cents"])
    # And per fen: sum of the data rows in fen equals the line.
    assert sum(round(r[7] * 100) for r in rows[:-1]) == S1_NOV["commission_cents"]

    refunds = list(wb["Refunds"].iter_rows(min_row=2, values_only=True))
    assert refunds[0][0] == mall.refunds["r1"]
    assert refunds[0][1:] == (
        mall.orders["o1"].order_no,
        datetime(2026, 11, 3, 10, 0),
        pytest.approx(10.00),
        pytest.approx(0.50),
    )
    assert refunds[-1] == (None, "合计 / Total", None, pytest.approx(10.0), pytest.approx(0.5))


def test_empty_vendor_has_every_sheet(mall, tmp_path):
    wb = _workbook(mall, tmp_path, mall.s2)
    assert wb.sheetnames == ["Summary", "Orders", "Refunds"]
    assert _summary(wb["Summary"])["Net payable"][0] == 0
    assert list(wb["Orders"].iter_rows(min_row=2, values_only=True)) == [
        ("合计 / Total", None, 0, 0, 0, 0, 0, 0, 0)
    ]


def test_issued_statement_with_differences(mall, tmp_path):
    issue_statements(
        mall.engine,
        FINANCE,
        period_start=NOV_START,
        period_end=NOV_END,
        tz=TZ,
        vendor_ids=[mall.s1],
        now=ISSUED_AT,
    )
    adjust_statement(
        mall.engine, FINANCE, 1, expected_version=1, adjustment_cents=-73, note="@ops =1+1"
    )
    confirm_statement(mall.engine, FINANCE, 1, expected_version=2)
    mark_paid(mall.engine, FINANCE, 1, expected_version=3, payment_reference="+86 BANK-1")
    # After issue, a late second payment of o6 with a 5 fen fee: fee 21 → 26, net 7600 → 7595.
    with mall.engine.begin() as conn:
        conn.execute(
            payments.insert().values(
                order_id=mall.orders["o6"].order_id,
                method="alipay",
                amount_cents=0,
                fee_cents=5,
                paid_at=datetime(2027, 3, 2, tzinfo=UTC),
                transaction_no="+late",
            )
        )
    wb = _workbook(mall, tmp_path, mall.s1)
    assert wb.sheetnames == ["Summary", "Orders", "Refunds", "Differences"]
    _assert_no_formulas(wb)
    summary = _summary(wb["Summary"])
    assert summary["State"][2] == "已打款 / paid"
    assert summary["Payment reference"][2] == "+86 BANK-1"  # text, not a formula
    assert summary["Statement no."][2] == "1"
    assert summary["Adjustment"][0] == pytest.approx(-0.73)
    assert summary["Net payable"][0] == pytest.approx(76.00)  # frozen: 7673 − 73
    assert summary["Adjustment note"][2] == "@ops =1+1"
    assert summary["Issued on"][1] == datetime(2027, 3, 1)
    diffs = list(wb["Differences"].iter_rows(min_row=2, values_only=True))
    lines = [(r[2], r[3], r[4], r[5]) for r in diffs if r[0] == "差异 / Difference"]
    assert lines == [
        ("Payment fee", pytest.approx(0.21), pytest.approx(0.26), pytest.approx(0.05)),
        ("Net payable", pytest.approx(76.00), pytest.approx(75.95), pytest.approx(-0.05)),
    ]
    causes = [r for r in diffs if r[0] == "订单 / Order"]
    # o6 is listed first, marked: its payment was recorded after issue.
    assert causes[0][7] == mall.orders["o6"].order_no
    assert causes[0][9].startswith("出具后新增支付")
    # Orders sheet shows today's data: fee total 0.26.
    assert list(wb["Orders"].iter_rows(values_only=True))[-1][8] == pytest.approx(0.26)


def test_rollover_with_a_small_row_limit(mall, tmp_path):
    # 3 rows per sheet = header + 2 rows: 5 orders + totals → Orders, Orders (2), Orders (3).
    wb = _workbook(mall, tmp_path, mall.s1, max_rows=3)
    assert wb.sheetnames == ["Summary", "Orders", "Orders (2)", "Orders (3)", "Refunds"]
    rows = []
    for name in ("Orders", "Orders (2)", "Orders (3)"):
        ws = wb[name]
        assert ws.max_row == 3 and ws["A1"].value == "订单号 / Order no."
        assert ws.freeze_panes == "A2"
        rows += list(ws.iter_rows(min_row=2, values_only=True))
    assert len(rows) == 6 and rows[-1][0] == "合计 / Total"
    assert sum(round(r[6] * 100) for r in rows[:-1]) == S1_NOV["gross_cents"]


def test_month_end_overview_and_zip(mall, tmp_path):
    seen = []
    with mall.engine.connect() as conn:
        overview, archive = write_month_end(
            conn,
            tmp_path / "out",
            period_start=NOV_START,
            period_end=NOV_END,
            tz=TZ,
            progress=lambda done, total, name: seen.append((done, total)),
        )
    assert seen == [(1, 3), (2, 3), (3, 3)]
    wb = openpyxl.load_workbook(overview)
    _assert_no_formulas(wb)
    rows = list(wb["Overview"].iter_rows(min_row=2, values_only=True))
    assert [r[0] for r in rows] == [mall.s1, mall.s2, mall.s3, None]
    # Net column (12th): 76.73 + 0 + 94.40 = 171.13.
    assert [r[11] for r in rows] == [
        pytest.approx(76.73),
        0,
        pytest.approx(94.40),
        pytest.approx(171.13),
    ]
    with zipfile.ZipFile(archive) as zf:
        names = sorted(zf.namelist())
        assert names == [
            f"statement_{v}_2026-11-01_2026-12-01.xlsx" for v in sorted((mall.s1, mall.s2, mall.s3))
        ]
        zf.extract(names[0], tmp_path)
    inner = openpyxl.load_workbook(tmp_path / names[0])
    assert inner.sheetnames == ["Summary", "Orders", "Refunds"]
    assert not list((tmp_path / "out").glob(".*part"))


def test_payment_table_untouched_by_reads(mall, tmp_path):
    with mall.engine.connect() as conn:
        before = conn.execute(sa.select(sa.func.count()).select_from(payments)).scalar_one()
    _workbook(mall, tmp_path, mall.s1)
    with mall.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(payments)).scalar_one() == before


def _cells(book) -> dict[str, list[tuple]]:
    if not isinstance(book, openpyxl.Workbook):
        book = openpyxl.load_workbook(book)
    return {ws.title: list(ws.iter_rows(values_only=True)) for ws in book.worksheets}


def test_month_end_workbooks_equal_each_vendors_own(mall, tmp_path):
    """The month-end run streams every vendor's lines at once; each workbook in its zip
    holds exactly what the vendor's own workbook holds (s1's orders spill onto three
    sheets of two rows)."""
    with mall.engine.connect() as conn:
        _, archive = write_month_end(
            conn, tmp_path / "out", period_start=NOV_START, period_end=NOV_END, tz=TZ, max_rows=3
        )
    with zipfile.ZipFile(archive) as zf:
        zf.extractall(tmp_path / "zip")
    for vendor_id in (mall.s1, mall.s2, mall.s3):
        own = _workbook(mall, tmp_path, vendor_id, max_rows=3)
        name = f"statement_{vendor_id}_2026-11-01_2026-12-01.xlsx"
        assert _cells(tmp_path / "zip" / name) == _cells(own), vendor_id
    assert len(_cells(tmp_path / "zip" / f"statement_{mall.s1}_2026-11-01_2026-12-01.xlsx")) == 5
