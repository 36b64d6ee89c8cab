"""The on-page "Download (Excel)" workbook of any table, read back with openpyxl."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pandas as pd
import pytest
from openpyxl import load_workbook

from exports.xlsx import Column, SheetWriter, frame_to_xlsx, new_workbook

SHANGHAI = ZoneInfo("Asia/Shanghai")
COLUMNS = (
    Column("Shop"),
    Column("Orders", "int"),
    Column("GMV", "money"),
    Column("Refund rate", "ratio"),
    Column("Day", "date"),
    Column("Paid at", "datetime"),
    Column("Units", "number"),
)


def _frame() -> pd.DataFrame:
    return pd.DataFrame(
        [
            (
                '=HYPERLINK("x")',
                3,
                123456,
                0.125,
                date(2026, 11, 1),
                datetime(2026, 10, 31, 16, 0, 1, tzinfo=UTC),
                Decimal("2.5"),
            ),
            (
                "+86 shop",
                0,
                0,
                None,
                "2026-11-02",
                pd.Timestamp("2026-11-01 15:59:59", tz="UTC"),
                float("nan"),
            ),
        ],
        columns=[c.header for c in COLUMNS],
    )


def test_a_table_reads_back_typed_and_never_as_a_formula():
    data = frame_to_xlsx({"Sales": (_frame(), COLUMNS)}, tz=SHANGHAI)
    sheet = load_workbook(io.BytesIO(data))["Sales"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == tuple(c.header for c in COLUMNS)
    first, second = rows[1], rows[2]
    assert first[0] == '=HYPERLINK("x")' and sheet["A2"].data_type == "s"
    assert first[1:4] == (3, 1234.56, 0.125)
    assert first[4] == datetime(2026, 11, 1)
    assert first[5] == datetime(2026, 11, 1, 0, 0, 1)  # local time: just after midnight
    assert first[6] == 2.5
    assert second[0] == "+86 shop" and sheet["A3"].data_type == "s"
    assert second[3] is None and second[6] is None  # missing stays empty, never NaN
    assert second[4] == datetime(2026, 11, 2)
    assert second[5] == datetime(2026, 11, 1, 23, 59, 59)
    assert sheet["C2"].number_format.startswith('"¥"#,##0.00')
    assert not any(
        isinstance(cell.value, str) and cell.data_type == "f"
        for row in sheet.iter_rows()
        for cell in row
    )


def test_a_sheet_continues_past_its_row_limit(tmp_path):
    path = tmp_path / "long.xlsx"
    workbook = new_workbook(str(path))
    writer = SheetWriter(workbook, "Orders", COLUMNS[:3], tz=SHANGHAI, max_rows=4)
    writer.write_rows((f"S{i}", i, i * 100) for i in range(7))
    writer.close()
    workbook.close()
    book = load_workbook(path)
    assert book.sheetnames == ["Orders", "Orders (2)", "Orders (3)"]
    values = [r for ws in book.worksheets for r in ws.iter_rows(min_row=2, values_only=True)]
    assert values == [(f"S{i}", i, float(i)) for i in range(7)]
    assert writer.rows_written == 7


def test_a_row_of_the_wrong_width_is_refused():
    workbook = new_workbook(io.BytesIO(), in_memory=True)
    writer = SheetWriter(workbook, "Data", COLUMNS[:2], tz=SHANGHAI)
    with pytest.raises(ValueError, match="3 values for 2 columns"):
        writer.write_rows([("a", 1, 2)])
    workbook.close()
