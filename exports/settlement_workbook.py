"""Settlement workbooks: one vendor's statement, and the month-end overview plus a zip.

A statement workbook has the sheets Summary, Orders, Refunds (always, even
empty) and Differences (only when an issued statement's frozen totals differ
from today's data). Detail rows stream from the database into xlsxwriter in
constant-memory mode; each detail sheet ends with a totals row written as
values (no formula anywhere) that equals today's lines to the fen. Headers and
labels are bilingual (glossary words), as the workbook goes to both sides.
"""

from __future__ import annotations

import os
import zipfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import closing
from datetime import date, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from exports.strings import both, text
from exports.xlsx import EXCEL_MAX_ROWS, Column, SheetWriter, new_workbook
from queries.finance.lines import (
    LINE_LABELS,
    LINES,
    OrderRow,
    RefundRow,
    iter_order_rows,
    iter_refund_rows,
    iter_vendor_lines,
    period_range,
)
from queries.finance.reconciliation import causes_for
from queries.finance.settlements import StatementInfo, statement_infos

__all__ = [
    "Progress",
    "STATUS_LABELS",
    "write_month_end",
    "write_overview",
    "write_statement_workbook",
]

Progress = Callable[[int, int, str], None]  # (done, total, what)

STATUS_LABELS = {
    code: both(f"workbook.settlement.status.{code}")
    for code in ("not_issued", "draft", "confirmed", "paid")
}
REASON_LABELS = {
    code: both(f"workbook.settlement.reason.{code}")
    for code in (
        "payment_after_issue",
        "payments_mismatch",
        "requested_after_issue",
        "in_period",
        "net_does_not_add_up",
    )
}
TOTAL = both("workbook.settlement.total")

SUMMARY_COLUMNS = (
    Column(*text("workbook.settlement.text"), 18),
    Column("Item", "text", 26),
    Column(*text("workbook.settlement.money"), 18),
    Column(*text("workbook.settlement.date"), 14),
    Column(*text("workbook.settlement.text_2"), 48),
)
ORDER_COLUMNS = (
    Column(*text("workbook.settlement.text_3"), 22),
    Column(*text("workbook.settlement.datetime"), 20),
    Column(*text("workbook.settlement.money_2")),
    Column(*text("workbook.settlement.money_3")),
    Column(*text("workbook.settlement.money_4"), 20),
    Column(*text("workbook.settlement.money_5")),
    Column(*text("workbook.settlement.money_6")),
    Column(*text("workbook.settlement.money_7")),
    Column(*text("workbook.settlement.money_8"), 18),
)
REFUND_COLUMNS = (
    Column(*text("workbook.settlement.int"), 16),
    Column(*text("workbook.settlement.text_3"), 22),
    Column(*text("workbook.settlement.datetime_2"), 22),
    Column(*text("workbook.settlement.money_9"), 18),
    Column(*text("workbook.settlement.money_10"), 22),
)
DIFFERENCE_COLUMNS = (
    Column(*text("workbook.settlement.text_4"), 14),
    Column(*text("workbook.settlement.text"), 14),
    Column("Line", "text", 22),
    Column(*text("workbook.settlement.money_11"), 16),
    Column(*text("workbook.settlement.money_12"), 16),
    Column(*text("workbook.settlement.money_13"), 16),
    Column(*text("workbook.settlement.text_5"), 14),
    Column(*text("workbook.settlement.text_3"), 22),
    Column(*text("workbook.settlement.money"), 16),
    Column(*text("workbook.settlement.text_6"), 44),
)


def _summary_rows(info: StatementInfo, tz: str) -> list[tuple]:
    last_day = info.period_end - timedelta(days=1)
    row = info.settlement or {}
    local = ZoneInfo(tz)

    def day(moment) -> date | None:
        return None if moment is None else moment.astimezone(local).date()

    rows: list[tuple] = [
        (
            *text("workbook.settlement.vendor"),
            None,
            None,
            f"{info.vendor_name} (#{info.vendor_id})",
        ),
        (
            *text("workbook.settlement.period"),
            None,
            None,
            f"{info.period_start} – {last_day} ({tz})",
        ),
        (*text("workbook.settlement.period_start"), None, info.period_start, None),
        (*text("workbook.settlement.period_last_day"), None, last_day, None),
        (*text("workbook.settlement.state"), None, None, STATUS_LABELS[info.status]),
        (*text("workbook.settlement.statement_no"), None, None, row.get("settlement_id")),
    ]
    for line, value in info.totals.as_dict().items():
        zh, en = LINE_LABELS[line]
        rows.append((zh, en, value, None, None))
    rows += [
        (*text("workbook.settlement.adjustment_note"), None, None, row.get("adjustment_note")),
        (*text("workbook.settlement.issued"), None, day(row.get("created_at")), None),
        (*text("workbook.settlement.confirmed"), None, day(row.get("confirmed_at")), None),
        (*text("workbook.settlement.paid"), None, day(row.get("paid_at")), None),
        (*text("workbook.settlement.payment_reference"), None, None, row.get("payment_reference")),
    ]
    return rows


def _write_orders(workbook, lines: Iterable[OrderRow], tz: str, symbol: str, max_rows: int):
    sheet = SheetWriter(
        workbook,
        "Orders",
        ORDER_COLUMNS,
        tz=ZoneInfo(tz),
        currency_symbol=symbol,
        max_rows=max_rows,
    )
    sums = [0] * 7

    def rows():
        # A line is (order_id, order_no, paid_at, the 7 amounts): the sheet shows all but
        # the id. Sums in locals, not a loop over a list: this runs a million times.
        goods = discount = subsidy = shipping = paid = commission = fee = 0
        for line in lines:
            goods += line[3]
            discount += line[4]
            subsidy += line[5]
            shipping += line[6]
            paid += line[7]
            commission += line[8]
            fee += line[9]
            yield line[1:]
        sums[:] = (goods, discount, subsidy, shipping, paid, commission, fee)

    sheet.write_rows(rows())
    sheet.write_rows([(TOTAL, None, *sums)])
    sheet.close()


def _write_refunds(workbook, lines: Iterable[RefundRow], tz: str, symbol: str, max_rows: int):
    sheet = SheetWriter(
        workbook,
        "Refunds",
        REFUND_COLUMNS,
        tz=ZoneInfo(tz),
        currency_symbol=symbol,
        max_rows=max_rows,
    )
    sums = [0, 0]

    def rows():
        for r in lines:
            sums[0] += r.amount_cents
            sums[1] += r.commission_refund_cents
            yield (
                r.refund_id,
                r.order_no,
                r.completed_at,
                r.amount_cents,
                r.commission_refund_cents,
            )

    sheet.write_rows(rows())
    sheet.write_rows([(None, TOTAL, None, *sums)])
    sheet.close()


def _write_differences(workbook, conn, info: StatementInfo, tz: str, symbol: str, max_rows: int):
    gaps = info.differences
    sheet = SheetWriter(
        workbook,
        "Differences",
        DIFFERENCE_COLUMNS,
        tz=ZoneInfo(tz),
        currency_symbol=symbol,
        max_rows=max_rows,
    )
    sheet.write_rows(
        (
            both("workbook.settlement.difference"),
            *LINE_LABELS[line],
            frozen,
            now,
            now - frozen,
            None,
            None,
            None,
            None,
        )
        for line, (frozen, now) in gaps.items()
    )
    causes = causes_for(conn, statement=info.settlement, lines=list(gaps), tz=tz, limit=max_rows)
    sheet.write_rows(
        (
            both(f"workbook.settlement.cause.{c['kind']}"),
            *LINE_LABELS[c["line"]],
            None,
            None,
            None,
            c["ref"],
            c["order_no"],
            c["amount_cents"],
            REASON_LABELS[c["reason"]],
        )
        for c in causes
    )
    sheet.close()


def write_statement_workbook(
    conn: sa.Connection,
    target,
    info: StatementInfo,
    *,
    tz: str,
    currency_symbol: str = "¥",
    max_rows: int = EXCEL_MAX_ROWS,
    lines: tuple[Iterable[OrderRow], Iterable[RefundRow]] | None = None,
) -> None:
    """Write one vendor's statement workbook to `target` (a path or a binary file).

    `lines` are the vendor's order and refund lines when the caller streams them
    already (the month-end run); by default they are read here.
    """
    if lines is None:
        period = period_range(info.period_start, info.period_end, tz)
        lines = (
            iter_order_rows(conn, vendor_id=info.vendor_id, period=period),
            iter_refund_rows(conn, vendor_id=info.vendor_id, period=period),
        )
    workbook = new_workbook(target)
    summary = SheetWriter(
        workbook, "Summary", SUMMARY_COLUMNS, tz=ZoneInfo(tz), currency_symbol=currency_symbol
    )
    summary.write_rows(_summary_rows(info, tz))
    summary.close()
    _write_orders(workbook, lines[0], tz, currency_symbol, max_rows)
    _write_refunds(workbook, lines[1], tz, currency_symbol, max_rows)
    if info.differences:
        _write_differences(workbook, conn, info, tz, currency_symbol, max_rows)
    workbook.close()


OVERVIEW_COLUMNS = (
    Column(*text("workbook.settlement.int_2"), 14),
    Column(*text("workbook.settlement.text_7"), 28),
    Column(*text("workbook.settlement.text_8"), 20),
    Column(*text("workbook.settlement.int_3"), 14),
    *(Column(f"{zh} / {en}", "money", 18) for zh, en in (LINE_LABELS[k] for k in LINES)),
    Column(*text("workbook.settlement.money_14"), 18),
    Column(*text("workbook.settlement.text_9"), 10),
    Column(*text("workbook.settlement.text_10"), 40),
)


def write_overview(
    target,
    infos: list[StatementInfo],
    *,
    tz: str,
    currency_symbol: str = "¥",
    max_rows: int = EXCEL_MAX_ROWS,
) -> None:
    """The month-end overview: a row per vendor with every line, and a totals row."""
    workbook = new_workbook(target)
    sheet = SheetWriter(
        workbook,
        "Overview",
        OVERVIEW_COLUMNS,
        tz=ZoneInfo(tz),
        currency_symbol=currency_symbol,
        max_rows=max_rows,
    )
    sums = [0] * (len(LINES) + 1)

    def rows():
        for info in infos:
            values = [*info.totals.as_dict().values(), info.today.net_cents]
            for i, v in enumerate(values):
                sums[i] += v
            row = info.settlement or {}
            yield (
                info.vendor_id,
                info.vendor_name,
                STATUS_LABELS[info.status],
                row.get("settlement_id"),
                *values,
                both("workbook.settlement.yes" if info.differences else "workbook.settlement.no"),
                row.get("adjustment_note"),
            )

    sheet.write_rows(rows())
    sheet.write_rows([(None, TOTAL, None, None, *sums, None, None)])
    sheet.close()
    workbook.close()


def write_month_end(
    conn: sa.Connection,
    folder: Path,
    *,
    period_start: date,
    period_end: date,
    tz: str,
    currency_symbol: str = "¥",
    progress: Progress | None = None,
    max_rows: int = EXCEL_MAX_ROWS,
) -> tuple[Path, Path]:
    """`overview.xlsx` and `statements.zip` (every vendor's workbook) in `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    infos = statement_infos(conn, period_start=period_start, period_end=period_end, tz=tz)
    overview = folder / "overview.xlsx"
    write_overview(overview, infos, tz=tz, currency_symbol=currency_symbol)
    archive = folder / "statements.zip"
    scratch = folder / ".statement.xlsx.part"
    total = len(infos)
    # Every vendor's lines in two streams, handed out vendor by vendor (infos list every
    # vendor, in id order too): two queries for the run, not two per vendor. A vendor
    # created after `infos` was read has no workbook here, nor a row in the overview.
    order_lines, refund_lines = iter_vendor_lines(
        conn, period=period_range(period_start, period_end, tz)
    )
    with (
        closing(order_lines),  # the server-side cursors end here, even on an error
        closing(refund_lines),
        zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zf,
    ):
        orders_of, refunds_of = _VendorSlices(order_lines), _VendorSlices(refund_lines)
        for done, info in enumerate(infos, start=1):
            write_statement_workbook(
                conn,
                scratch,
                info,
                tz=tz,
                currency_symbol=currency_symbol,
                max_rows=max_rows,
                lines=(orders_of.rows(info.vendor_id), refunds_of.rows(info.vendor_id)),
            )
            zf.write(scratch, statement_file_name(info))
            if progress is not None:
                progress(done, total, info.vendor_name)
    if scratch.exists():
        os.unlink(scratch)
    return overview, archive


class _VendorSlices:
    """One (vendor_id, row) stream in vendor order, handed out a vendor at a time."""

    def __init__(self, pairs: Iterable[tuple[int, object]]) -> None:
        self._pairs = iter(pairs)
        self._next = next(self._pairs, None)

    def rows(self, vendor_id: int) -> Iterator:
        """The rows of `vendor_id` (rows of vendors before it, left unread, are skipped)."""
        while self._next is not None and self._next[0] < vendor_id:
            self._next = next(self._pairs, None)
        while self._next is not None and self._next[0] == vendor_id:
            yield self._next[1]
            self._next = next(self._pairs, None)


def statement_file_name(info: StatementInfo) -> str:
    """`statement_<vendor id>_<start>_<end>.xlsx`: no shop name, so no unsafe characters."""
    return f"statement_{info.vendor_id}_{info.period_start}_{info.period_end}.xlsx"
