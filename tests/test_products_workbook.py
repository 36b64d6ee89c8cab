"""Bulk edit by workbook: download, edit with openpyxl (as Excel or WPS would), preview, apply."""

from __future__ import annotations

import io

import pytest
import sqlalchemy as sa
from openpyxl import Workbook, load_workbook

from exports.products_workbook import (
    preview_upload,
    products_workbook_bytes,
    read_products_workbook,
)
from queries.catalog.product_edits import bulk_update_products, update_product
from queries.core import schema as s
from queries.core.actors import Actor, Scope
from queries.core.errors import Conflict, Invalid
from tests.builders import MallBuilder, snapshot


@pytest.fixture
def mall(empty_db):
    """Shop A: p1 ¥100.00 ×10, p2 ¥19.99 ×0, p3 ¥5.00 ×3; shop B: q1."""
    with empty_db.begin() as conn:
        b = MallBuilder(conn)
        cat = b.category()
        va, vb = b.vendor("A"), b.vendor("B")
        ids = [
            b.product(va, cat, "p1", price_cents=10000, stock=10),
            b.product(va, cat, "p2", price_cents=1999, stock=0),
            b.product(va, cat, "p3", price_cents=500, stock=3),
            b.product(vb, cat, "q1", price_cents=700, stock=1),
        ]
    yield empty_db, ids, Actor("alice", "vendor", va)
    empty_db.dispose()  # give the pooled connections back before the next test


def _download(engine, actor, lang="zh") -> bytes:
    with engine.connect() as conn:
        return products_workbook_bytes(
            conn, scope=Scope(actor.vendor_id), lang=lang, tz="Asia/Shanghai"
        )


def _edit(data: bytes, edits: dict[tuple[int, int], object]) -> bytes:
    """Set cells (row, column), 1-based, and save as a person's spreadsheet would."""
    book = load_workbook(io.BytesIO(data))
    sheet = book.worksheets[0]
    for (row, column), value in edits.items():
        sheet.cell(row=row, column=column).value = value  # cell(value=None) would not clear
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _preview(engine, actor, data):
    with engine.connect() as conn:
        return preview_upload(conn, actor, read_products_workbook(data))


def test_download_has_every_product_of_the_shop(mall):
    engine, ids, alice = mall
    sheet = load_workbook(io.BytesIO(_download(engine, alice))).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == (
        "商品ID",
        "商品名称",
        "类目",
        "价格（元）",
        "库存",
        "状态",
        "版本（请勿修改）",
    )
    assert rows[1:] == [
        (ids[0], "p1", "美妆", 100, 10, "在售", 1),
        (ids[1], "p2", "美妆", 19.99, 0, "在售", 1),
        (ids[2], "p3", "美妆", 5, 3, "在售", 1),
    ]
    assert sheet["D3"].number_format.startswith('"¥"')


def test_round_trip_applies_all_changes(mall):
    engine, ids, alice = mall
    # Row 2 = p1: price typed as text "19.99"; row 3 = p2: 12.3 as a number, status in English;
    # row 4 = p3: unchanged.
    data = _edit(_download(engine, alice), {(2, 4): "19.99", (3, 4): 12.3, (3, 6): "Off shelf"})
    preview = _preview(engine, alice, data)
    assert preview.refused.empty and preview.unchanged == 1 and preview.can_apply
    assert preview.changed[["product_id", "field", "before", "after"]].values.tolist() == [
        [ids[0], "price_cents", 10000, 1999],
        [ids[1], "price_cents", 1999, 1230],
        [ids[1], "status", "on_sale", "off_shelf"],
    ]
    assert bulk_update_products(engine, alice, preview.changes) == 2
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(s.products.c.price_cents, s.products.c.status)
            .where(s.products.c.product_id.in_(ids[:2]))
            .order_by(s.products.c.product_id)
        ).all()
    assert [tuple(r) for r in rows] == [(1999, "on_sale"), (1230, "off_shelf")]


def test_bad_cells_are_refused_with_reasons(mall):
    engine, ids, alice = mall
    data = _edit(
        _download(engine, alice, lang="en"),
        {
            (2, 4): "12.345",
            (3, 5): -1,
            (4, 4): None,
            (5, 1): ids[3],
            (5, 4): 1,
            (5, 5): 1,
            (5, 6): "On sale",
            (5, 7): 1,
        },
    )
    preview = _preview(engine, alice, data)
    assert not preview.can_apply
    by_row = dict(zip(preview.refused["row_number"], preview.refused["reason_en"], strict=True))
    assert set(by_row) == {2, 3, 4, 5}
    assert "two decimals" in by_row[2]
    assert "whole number" in by_row[3]
    assert "Enter an amount" in by_row[4]
    assert by_row[5] == "Product not found"  # another shop's product id typed in


def test_stale_rows_are_refused_and_apply_conflicts(mall):
    engine, ids, alice = mall
    data = _edit(_download(engine, alice), {(2, 5): 99})
    update_product(engine, alice, ids[0], expected_version=1, stock=50)  # someone else, meanwhile
    preview = _preview(engine, alice, data)
    (reason,) = preview.refused["reason_en"]
    assert "version 2" in reason and "stock 50" in reason
    before = snapshot(engine)
    with pytest.raises(Conflict):
        from queries.catalog.products import ProductChange

        bulk_update_products(engine, alice, [ProductChange(ids[0], 1, stock=99)])
    assert snapshot(engine) == before


def test_wrong_files_are_refused():
    with pytest.raises(Invalid):
        read_products_workbook(b"not a zip at all")
    book = Workbook()
    book.active.append(["foo", "bar"])
    out = io.BytesIO()
    book.save(out)
    with pytest.raises(Invalid):
        read_products_workbook(out.getvalue())
