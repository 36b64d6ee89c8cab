"""Bulk edit by workbook (批量导入): download the products, change them in Excel or WPS, upload.

The download has one row per product: id, name, category, price in yuan (a
number with a ¥ format), stock, status label and version. The upload is read
with openpyxl; its cells may be numbers or text ("19.99" and 19.99 are both
exactly 1999 fen: floats go through `repr`, never `x * 100`). The preview lists
every change and every refused row with its reason; only a file without
refused rows can be applied, all of it in one transaction
(`queries.catalog.product_edits.bulk_update_products`).
"""

from __future__ import annotations

import io
import os
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd
import sqlalchemy as sa

from exports.strings import STRINGS, text
from exports.xlsx import Column, SheetWriter, new_workbook
from queries.catalog import products as product_queries
from queries.catalog.products import ProductChange, check_changes
from queries.core.actors import Actor, Scope
from queries.core.errors import Invalid
from queries.core.validation import (
    PRODUCT_STATUS_LABELS,
    parse_price,
    parse_product_status,
    parse_stock,
)

__all__ = [
    "FIELDS",
    "MAX_UPLOAD_BYTES",
    "MAX_UPLOAD_ROWS",
    "UploadPreview",
    "UploadRow",
    "preview_upload",
    "products_workbook_bytes",
    "read_products_workbook",
]

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
MAX_UPLOAD_ROWS = 60_000
# key, zh header, en header, column kind
FIELDS = (
    ("product_id", *text("workbook.products.product_id"), "int"),
    ("name", *text("workbook.products.name"), "text"),
    ("category", *text("workbook.products.category"), "text"),
    ("price", *text("workbook.products.price"), "money"),
    ("stock", *text("workbook.products.stock"), "int"),
    ("status", *text("workbook.products.status"), "text"),
    ("version", *text("workbook.products.version"), "int"),
)
_EDITABLE = {"price": "price_cents", "stock": "stock", "status": "status"}


def _header_keys() -> dict[str, str]:
    """Header text in either language (and the bare key) → field key."""
    out: dict[str, str] = {}
    for key, zh, en, _ in FIELDS:
        for header in (key, zh, en):
            out[header.strip().casefold()] = key
    out[text("workbook.products.header.price")[0]] = "price"
    out[text("workbook.products.header.version")[0]] = "version"
    out["version"] = "version"
    return out


def products_workbook_bytes(
    conn: sa.Connection,
    *,
    scope: Scope,
    lang: str,
    tz: str,
    currency_symbol: str = "¥",
    search: str | None = None,
    statuses: tuple[str, ...] = (),
    category_id: int | None = None,
    low_stock_below: int | None = None,
) -> bytes:
    """Every matching product as a workbook to edit (streamed through a temp file)."""
    zh = lang == "zh"
    columns = [Column(zh_h if zh else en_h, kind) for _, zh_h, en_h, kind in FIELDS]
    handle, name = tempfile.mkstemp(prefix="mallboard-products-", suffix=".xlsx")
    os.close(handle)
    path = Path(name)
    try:
        workbook = new_workbook(str(path))
        try:
            sheet = text("workbook.products.sheet")[0 if zh else 1]
            writer = SheetWriter(
                workbook, sheet, columns, tz=ZoneInfo(tz), currency_symbol=currency_symbol
            )
            rows = product_queries.iter_products(
                conn,
                scope=scope,
                search=search,
                statuses=statuses,
                category_id=category_id,
                low_stock_below=low_stock_below,
            )
            writer.write_rows(
                (
                    r.product_id,
                    r.name,
                    r.category_name if zh else r.category_name_en,
                    r.price_cents,
                    r.stock,
                    PRODUCT_STATUS_LABELS[r.status][0 if zh else 1],
                    r.version,
                )
                for r in rows
            )
            writer.close()
        finally:
            workbook.close()
        return path.read_bytes()
    finally:
        path.unlink(missing_ok=True)


@dataclass(frozen=True)
class UploadRow:
    """One data row of an uploaded workbook, cells as openpyxl gave them."""

    row_number: int
    values: dict[str, object]


@dataclass(frozen=True)
class UploadPreview:
    """What applying an upload would do: changes to save, refused rows, unchanged count."""

    changes: tuple[ProductChange, ...]
    changed: pd.DataFrame  # row_number, product_id, name, field, before, after
    refused: pd.DataFrame  # row_number, product_id, reason_zh, reason_en
    unchanged: int

    @property
    def can_apply(self) -> bool:
        """All or nothing: only a file without refused rows, with something to change."""
        return self.refused.empty and bool(self.changes)


def _not_a_workbook() -> Invalid:
    return Invalid(
        *text("workbook.products.file_cannot_read_upload_xlsx"),
    )


def read_products_workbook(data: bytes) -> list[UploadRow]:
    """The data rows of an uploaded workbook's first sheet, or `Invalid` for a wrong file."""
    from openpyxl import load_workbook

    if len(data) > MAX_UPLOAD_BYTES:
        raise Invalid(*text("workbook.products.file_too_large_at_most"))
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError):
        raise _not_a_workbook() from None
    except Exception:  # noqa: BLE001 - openpyxl raises many kinds on a malformed file
        raise _not_a_workbook() from None
    try:
        sheet = workbook.worksheets[0] if workbook.worksheets else None
        if sheet is None:
            raise _not_a_workbook()
        rows = sheet.iter_rows(values_only=True)
        header = next(rows, None)
        keys = _header_keys()
        columns = {
            index: keys.get(str(cell).strip().casefold())
            for index, cell in enumerate(header or ())
            if cell is not None
        }
        found = {key for key in columns.values() if key}
        if not {"product_id", "version"} <= found or not found & set(_EDITABLE):
            raise Invalid(
                *text("workbook.products.wrong_headers_file_needs_product"),
            )
        out: list[UploadRow] = []
        for number, cells in enumerate(rows, start=2):
            values = {
                key: cells[index] for index, key in columns.items() if key and index < len(cells)
            }
            if all(v is None or (isinstance(v, str) and not v.strip()) for v in values.values()):
                continue  # a blank line
            if len(out) >= MAX_UPLOAD_ROWS:
                raise Invalid(
                    *text(
                        "workbook.products.too_many_rows_at_most", MAX_UPLOAD_ROWS=MAX_UPLOAD_ROWS
                    ),
                )
            out.append(UploadRow(number, values))
        return out
    finally:
        workbook.close()


def _parse_row(row: UploadRow) -> tuple[int | None, int | None, dict, list[tuple[str, str]]]:
    """(product id, version, wanted fields, problems) of one row."""
    problems: list[tuple[str, str]] = []
    parsed: dict[str, object] = {}
    ids: dict[str, int | None] = {}
    for key, label in (
        ("product_id", text("workbook.products.product_id")),
        ("version", text("workbook.products.version_2")),
    ):
        try:
            ids[key] = parse_stock(row.values.get(key), field=key)
        except Invalid:
            ids[key] = None
            problems.append(
                text("workbook.products.not_valid", label_zh=label[0], label_en=label[1])
            )
    parsers = {"price": parse_price, "stock": parse_stock, "status": parse_product_status}
    for key, column in _EDITABLE.items():
        if key not in row.values:
            continue
        try:
            parsed[column] = parsers[key](row.values[key], field=column)
        except Invalid as exc:
            problems.append((exc.zh, exc.en))
    return ids["product_id"], ids["version"], parsed, problems


def preview_upload(conn: sa.Connection, actor: Actor, rows: list[UploadRow]) -> UploadPreview:
    """Every change an upload would make and every refused row, checked like a bulk save."""
    refused: list[dict] = []
    wanted: list[tuple[UploadRow, int, int, dict]] = []
    for row in rows:
        product_id, version, parsed, problems = _parse_row(row)
        if problems:
            refused.append(_refusal(row.row_number, product_id, problems))
        else:
            wanted.append((row, product_id, version, parsed))
    vendor_id = actor.vendor_id if actor.role == "vendor" else None
    current = product_queries.current_products(conn, [w[1] for w in wanted], vendor_id)
    changes: list[ProductChange] = []
    numbers: dict[int, int] = {}
    unchanged = 0
    for row, product_id, version, parsed in wanted:
        now = current.get(product_id)
        differing = {k: v for k, v in parsed.items() if now is None or now[k] != v}
        if now is not None and not differing:
            unchanged += 1
            continue
        numbers.setdefault(product_id, row.row_number)
        changes.append(ProductChange(product_id, version, **differing))
    check = check_changes(conn, actor, changes)
    for product_id, (zh, en) in check.refused.items():
        refused.append(_refusal(numbers[product_id], product_id, [(zh, en)]))
    for product_id, state in check.stale.items():
        zh, en = _stale_message(state)
        refused.append(_refusal(numbers[product_id], product_id, [(zh, en)]))
    changed_rows = [
        {
            "row_number": numbers[change.product_id],
            "product_id": change.product_id,
            "name": check.current[change.product_id]["name"],
            "field": field,
            "before": before[field],
            "after": after[field],
        }
        for change, before, after in check.writes
        for field in after
    ]
    refused_frame = pd.DataFrame(
        refused, columns=["row_number", "product_id", "reason_zh", "reason_en"]
    ).sort_values("row_number", kind="stable", ignore_index=True)
    changed = pd.DataFrame(
        changed_rows, columns=["row_number", "product_id", "name", "field", "before", "after"]
    )
    return UploadPreview(tuple(c for c, _, _ in check.writes), changed, refused_frame, unchanged)


def _refusal(number: int, product_id: int | None, problems: list[tuple[str, str]]) -> dict:
    return {
        "row_number": number,
        "product_id": product_id,
        "reason_zh": STRINGS["workbook.separator.note"][0].join(zh for zh, _ in problems),
        "reason_en": STRINGS["workbook.separator.note"][1].join(en for _, en in problems),
    }


def _stale_message(state: dict) -> tuple[str, str]:
    zh_status, en_status = PRODUCT_STATUS_LABELS[state["status"]]
    price = f"{state['price_cents'] // 100}.{state['price_cents'] % 100:02d}"
    return text(
        "workbook.products.changed_by_someone_else_since",
        price=price,
        stock=state["stock"],
        zh_status=zh_status,
        version=state["version"],
        en_status=en_status,
    )
