"""The filtered order list as an Excel workbook, streamed however many rows it holds.

Rows come from `queries.orders.search.iter_order_rows` (a server-side cursor on
PostgreSQL) and go straight into a constant-memory `SheetWriter` writing a temp
file, so neither the rows nor the workbook are ever all in memory at once; a list
longer than Excel's row limit continues on a second sheet.

Words are the glossary's (`shared/glossary.md`), in Chinese or English by `lang`.
They are repeated here because exports do not import the dashboard; a test keeps
them equal to the dashboard's status words.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import NotRequired, TypedDict, Unpack
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from exports.strings import by_lang, text
from exports.xlsx import EXCEL_MAX_ROWS, Column, SheetWriter, new_workbook
from queries.core.actors import Scope
from queries.core.schema import ORDER_CHANNELS, ORDER_STATUSES
from queries.orders.search import REFUND_STATES, OrderFilter, iter_order_rows

__all__ = [
    "CHANNEL_WORDS",
    "REFUND_STATE_WORDS",
    "STATUS_WORDS",
    "order_columns",
    "OrdersWorkbookQuery",
    "orders_workbook_bytes",
    "write_orders",
    "write_orders_workbook",
]

STATUS_WORDS = by_lang("workbook.orders.status", ORDER_STATUSES)
CHANNEL_WORDS = by_lang("workbook.orders.channel", ORDER_CHANNELS)
REFUND_STATE_WORDS = by_lang("workbook.orders.refund_state", REFUND_STATES)
SHEET_NAME = dict(zip(("zh", "en"), text("workbook.orders.sheet"), strict=True))

# (row field, kind, 中文 header, English header); the shop column only for the whole mall.
_SHOP = ("vendor_name", "text", *text("workbook.orders.vendor_name"))
_FIELDS = (
    ("order_no", "text", *text("workbook.orders.order_no")),
    ("status", "text", *text("workbook.orders.status")),
    ("channel", "text", *text("workbook.orders.channel")),
    ("member_id", "text", *text("workbook.orders.member_id")),  # an id, not a quantity: no grouping
    ("created_at", "datetime", *text("workbook.orders.created_at")),
    ("paid_at", "datetime", *text("workbook.orders.paid_at")),
    ("goods_cents", "money", *text("workbook.orders.goods_cents")),
    ("discount_cents", "money", *text("workbook.orders.discount_cents")),
    ("platform_discount_cents", "money", *text("workbook.orders.platform_discount_cents")),
    ("shipping_cents", "money", *text("workbook.orders.shipping_cents")),
    ("paid_cents", "money", *text("workbook.orders.paid_cents")),
    ("refunded_cents", "money", *text("workbook.orders.refunded_cents")),
    ("refund_state", "text", *text("workbook.orders.refund_state")),
    ("promotion_name", "text", *text("workbook.orders.promotion_name")),
    ("live_session_title", "text", *text("workbook.orders.live_session_title")),
)


def _fields(mall: bool) -> tuple[tuple[str, str, str, str], ...]:
    return (_SHOP, *_FIELDS) if mall else _FIELDS


def _check_lang(lang: str) -> None:
    if lang not in ("zh", "en"):
        raise ValueError(f"unknown language {lang!r}")


def order_columns(lang: str, *, mall: bool) -> list[Column]:
    """The workbook's columns (header and kind) in `lang`."""
    _check_lang(lang)
    return [Column(zh if lang == "zh" else en, kind) for _, kind, zh, en in _fields(mall)]


def _values(row, lang: str, fields: Sequence[tuple[str, str, str, str]]) -> list:
    """One order row (a `ROW_COLUMNS` row) as cell values, codes turned into words."""
    out = []
    for name, _, _, _ in fields:
        value = getattr(row, name)
        if name == "status":
            value = STATUS_WORDS[lang].get(value, value)
        elif name == "channel":
            value = CHANNEL_WORDS[lang].get(value, value)
        elif name == "refund_state":
            value = REFUND_STATE_WORDS[lang].get(value, value)
        out.append(value)
    return out


def write_orders(
    workbook,
    rows: Iterable,
    *,
    lang: str,
    tz: ZoneInfo,
    mall: bool,
    currency_symbol: str = "¥",
    max_rows: int = EXCEL_MAX_ROWS,
) -> int:
    """Write order rows to a sheet of `workbook`; return how many were written."""
    _check_lang(lang)
    fields = _fields(mall)
    writer = SheetWriter(
        workbook,
        SHEET_NAME[lang],
        order_columns(lang, mall=mall),
        tz=tz,
        currency_symbol=currency_symbol,
        max_rows=max_rows,
    )
    writer.write_rows(_values(row, lang, fields) for row in rows)
    writer.close()
    return writer.rows_written


def write_orders_workbook(
    conn: sa.Connection,
    target: str | Path,
    *,
    scope: Scope,
    filters: OrderFilter,
    tz: str,
    lang: str,
    currency_symbol: str = "¥",
    max_rows: int = EXCEL_MAX_ROWS,
    chunk: int = 2000,
) -> int:
    """Stream every order matching `filters` into the workbook file `target`; return the count."""
    workbook = new_workbook(str(target))  # constant_memory: rows are flushed as written
    try:
        return write_orders(
            workbook,
            iter_order_rows(conn, scope=scope, filters=filters, tz=tz, chunk=chunk),
            lang=lang,
            tz=ZoneInfo(tz),
            mall=scope.is_mall,
            currency_symbol=currency_symbol,
            max_rows=max_rows,
        )
    finally:
        workbook.close()


class OrdersWorkbookQuery(TypedDict):
    """What `write_orders_workbook` takes besides the connection and the target."""

    scope: Scope
    filters: OrderFilter
    tz: str
    lang: str
    currency_symbol: NotRequired[str]
    max_rows: NotRequired[int]


def orders_workbook_bytes(conn: sa.Connection, **query: Unpack[OrdersWorkbookQuery]) -> bytes:
    """The workbook as bytes (for a download button), built in a temp file that is removed."""
    handle, name = tempfile.mkstemp(prefix="mallboard-orders-", suffix=".xlsx")
    os.close(handle)
    path = Path(name)
    try:
        write_orders_workbook(conn, path, **query)
        return path.read_bytes()
    finally:
        path.unlink(missing_ok=True)
