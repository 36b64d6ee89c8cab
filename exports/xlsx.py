"""Streaming Excel writing with xlsxwriter in constant-memory mode.

`SheetWriter` writes typed columns row by row: text is always written as text
(never as a formula, whatever it begins with), money in fen becomes a number in
yuan with a currency format, timestamps become real dates in the platform
timezone. A sheet that would pass Excel's row limit continues on a new sheet.
Headers are frozen, autofilter is on, column widths are set from the spec.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pandas as pd
import xlsxwriter

__all__ = [
    "EXCEL_MAX_ROWS",
    "Column",
    "SheetWriter",
    "frame_to_xlsx",
    "new_workbook",
]

EXCEL_MAX_ROWS = 1_048_576
KINDS = ("text", "int", "money", "ratio", "date", "datetime", "number")


@dataclass(frozen=True)
class Column:
    """One column: its header, its kind (see KINDS) and its width in characters."""

    header: str
    kind: str = "text"
    width: float | None = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown column kind {self.kind!r}")


_DEFAULT_WIDTHS = {
    "text": 24,
    "int": 12,
    "money": 16,
    "ratio": 10,
    "date": 12,
    "datetime": 20,
    "number": 14,
}


def new_workbook(target, *, in_memory: bool = False) -> xlsxwriter.Workbook:
    """A workbook that streams rows to `target` (a path or a binary file object)."""
    return xlsxwriter.Workbook(
        target,
        {
            "constant_memory": not in_memory,
            "in_memory": in_memory,
            "strings_to_formulas": False,
            "strings_to_numbers": False,
            "strings_to_urls": False,
        },
    )


class SheetWriter:
    """Writes rows of typed columns to one logical sheet, rolling over at Excel's limit."""

    def __init__(
        self,
        workbook: xlsxwriter.Workbook,
        name: str,
        columns: Sequence[Column],
        *,
        tz: ZoneInfo,
        currency_symbol: str = "¥",
        max_rows: int = EXCEL_MAX_ROWS,
    ) -> None:
        self._wb = workbook
        self._name = name
        self._columns = list(columns)
        self._tz = tz
        self._max_rows = max_rows
        self._part = 0
        self._sheet = None
        self._row = 0
        self.rows_written = 0
        bold = {"bold": True, "bg_color": "#EEF2F7", "border": 1}
        self._formats = {
            "header": workbook.add_format(bold),
            "money": workbook.add_format(
                {"num_format": f'"{currency_symbol}"#,##0.00;-"{currency_symbol}"#,##0.00'}
            ),
            "ratio": workbook.add_format({"num_format": "0.00%"}),
            "date": workbook.add_format({"num_format": "yyyy-mm-dd"}),
            "datetime": workbook.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"}),
            "int": workbook.add_format({"num_format": "#,##0"}),
            "number": workbook.add_format({"num_format": "#,##0.##"}),
        }
        self._new_sheet()

    def _new_sheet(self) -> None:
        if self._sheet is not None:
            self._finish_sheet()
        self._part += 1
        title = self._name if self._part == 1 else f"{self._name} ({self._part})"
        self._sheet = self._wb.add_worksheet(title[:31])
        for index, column in enumerate(self._columns):
            width = column.width or max(_DEFAULT_WIDTHS[column.kind], len(column.header) * 1.3 + 2)
            self._sheet.set_column(index, index, width)
            self._sheet.write_string(0, index, column.header, self._formats["header"])
        self._sheet.freeze_panes(1, 0)
        self._row = 1

    def _finish_sheet(self) -> None:
        if self._columns:
            self._sheet.autofilter(0, 0, max(self._row - 1, 0), len(self._columns) - 1)

    def write_rows(self, rows: Iterable[Sequence]) -> None:
        """Append rows, each a sequence of values in column order."""
        width = len(self._columns)
        writers = self._cell_writers()
        for row in rows:
            if self._row >= self._max_rows:
                self._new_sheet()
                writers = self._cell_writers()
            if len(row) != width:
                raise ValueError(f"a row of {len(row)} values for {width} columns")
            at = self._row
            for (index, write), value in zip(writers, row, strict=False):  # checked above
                write(at, index, value)
            self._row += 1
            self.rows_written += 1

    def _cell_writers(self) -> list[tuple[int, Callable]]:
        """(column index, writer) per column, bound to the current sheet.

        The per-cell cost is most of a big workbook's time, so each writer is chosen
        once per sheet, tries the type its column usually holds first, and takes the
        sheet's methods from a closure rather than through `self`.
        """
        sheet, formats, tz = self._sheet, self._formats, self._tz
        write_string, write_number = sheet.write_string, sheet.write_number
        write_datetime, write_blank = sheet.write_datetime, sheet.write_blank

        def text(row, col, value):  # never a formula, whatever it begins with
            if value.__class__ is str:
                write_string(row, col, value)
            elif value is None or _is_missing(value):
                write_blank(row, col, None)
            else:
                write_string(row, col, str(value))

        money_format = formats["money"]

        def money(row, col, value):
            if value.__class__ is int:
                write_number(row, col, value / 100, money_format)
            elif value is None or _is_missing(value):
                write_blank(row, col, None)
            else:
                write_number(row, col, int(value) / 100, money_format)

        def number_writer(number_format):
            def number(row, col, value):
                if value is None or _is_missing(value):
                    write_blank(row, col, None)
                else:
                    value = float(value) if isinstance(value, Decimal) else value
                    write_number(row, col, value, number_format)

            return number

        datetime_format = formats["datetime"]

        def moment(row, col, value):
            if value is None or _is_missing(value):
                write_blank(row, col, None)
                return
            if isinstance(value, pd.Timestamp):
                value = value.to_pydatetime()
            if value.tzinfo is not None:
                value = value.astimezone(tz).replace(tzinfo=None)
            write_datetime(row, col, value, datetime_format)

        date_format = formats["date"]

        def day(row, col, value):
            if value is None or _is_missing(value):
                write_blank(row, col, None)
                return
            if isinstance(value, datetime):
                value = value.date()
            elif not isinstance(value, date):
                value = date.fromisoformat(str(value))
            write_datetime(row, col, datetime(value.year, value.month, value.day), date_format)

        by_kind = {"text": text, "money": money, "datetime": moment, "date": day}
        return [
            (index, by_kind.get(column.kind) or number_writer(formats[column.kind]))
            for index, column in enumerate(self._columns)
        ]

    def close(self) -> None:
        """Set the last sheet's autofilter; call before closing the workbook."""
        self._finish_sheet()


def _is_missing(value) -> bool:
    """pandas' missing markers and float NaN (None is checked by the caller)."""
    return value is pd.NA or value is pd.NaT or (isinstance(value, float) and value != value)


def frame_to_xlsx(
    sheets: dict[str, tuple[pd.DataFrame, Sequence[Column]]],
    *,
    tz: ZoneInfo,
    currency_symbol: str = "¥",
) -> bytes:
    """A small in-memory workbook of DataFrames (for on-page "download" buttons).

    `sheets` maps a sheet name to (frame, columns); columns name the header and
    kind of each frame column, in order.
    """
    buffer = io.BytesIO()
    workbook = new_workbook(buffer, in_memory=True)
    for name, (frame, columns) in sheets.items():
        writer = SheetWriter(workbook, name, columns, tz=tz, currency_symbol=currency_symbol)
        writer.write_rows(frame.itertuples(index=False, name=None))
        writer.close()
    workbook.close()
    return buffer.getvalue()
