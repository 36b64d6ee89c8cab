"""The vendor's journeys in a real browser, on PostgreSQL (SQLite is covered by AppTest).

1. Products and Promotions: change a product's price and stock; create a promotion,
   publish it, cancel it — each checked on the page and in the database.
2. Bulk edit by workbook: download the products workbook, change it with openpyxl as
   Excel would, upload it, read the preview, apply it.
"""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook
from playwright.sync_api import expect

from queries.console.accounts import account
from queries.core.db import connect_engine
from queries.core.schema import audit_log, products, promotions
from tests.browser import login, open_page, until_done, wait_idle

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


@pytest.fixture
def database(running_app_pg):
    engine = connect_engine(running_app_pg.database_url, check=False)
    yield engine
    engine.dispose()


@pytest.fixture
def shop(running_app_pg) -> int:
    """shop_big's vendor id (from the demo logins the app serves)."""
    engine = connect_engine(running_app_pg.database_url, check=False)
    try:
        with engine.connect() as conn:
            return account(conn, username="shop_big").vendor_id
    finally:
        engine.dispose()


def _audit(engine, entity, entity_id):
    a = audit_log.c
    with engine.connect() as conn:
        return conn.execute(
            sa.select(audit_log)
            .where(a.entity == entity, a.entity_id == str(entity_id))
            .order_by(a.audit_id)
        ).all()


def _row(engine, table, key, row_id):
    with engine.connect() as conn:
        return conn.execute(sa.select(table).where(table.c[key] == row_id)).one()


def _segment(page, main, label: str, *, shows: str, hides: str | None = None) -> None:
    """Click one option of a segmented control; wait for its button and the other's to go."""
    main.get_by_test_id("stButtonGroup").get_by_text(label, exact=True).click()
    main.get_by_role("button", name=shows, exact=True).wait_for()
    wait_idle(page)
    if hides:
        expect(main.get_by_role("button", name=hides, exact=True)).to_have_count(0)


def _pick(page, main, label: str, option: re.Pattern[str]) -> None:
    box = main.get_by_test_id("stSelectbox").filter(has_text=label)
    choice = page.get_by_role("option", name=option)
    until_done(page, box.click, choice.first.wait_for, timeout=10_000)
    choice.first.click()
    wait_idle(page)


def _clean(text: str) -> str:
    return text.replace("\u200b", "")


def _no_errors(page) -> None:
    content = page.content()
    assert "Traceback" not in content and "Something unexpected" not in content


def test_vendor_edits_a_product_and_runs_a_promotion(running_app_pg, database, shop, browser_page):
    page = browser_page
    login(page, running_app_pg, "shop_big", "demo-shop-big")

    # 1. One product: price and stock.
    main = open_page(page, "Products")
    picked = main.get_by_role("combobox", name="Product", exact=True).input_value()
    product_id = int(re.match(r"#(\d+) ", picked).group(1))
    before = _row(database, products, "product_id", product_id)
    assert before.vendor_id == shop
    main.get_by_role("textbox", name="Price (¥)").fill("123.45")
    main.get_by_role("textbox", name="Stock").fill("77")
    main.get_by_role("button", name="Save", exact=True).click()
    main.get_by_text("Saved changes to 1 product.").wait_for()
    wait_idle(page)
    after = _row(database, products, "product_id", product_id)
    assert (after.price_cents, after.stock, after.version) == (12345, 77, before.version + 1)
    [entry] = _audit(database, "product", product_id)
    assert (entry.actor, entry.role, entry.action, entry.vendor_id) == (
        "shop_big",
        "vendor",
        "product.update",
        shop,
    )
    assert json.loads(entry.after) == {"price_cents": 12345, "stock": 77}
    expect(main.get_by_role("textbox", name="Price (¥)")).to_have_value("123.45")

    # 2. A promotion: create a draft (a name with Markdown characters, shown as typed).
    name = "Journey *flash* -- [sale]"
    main = open_page(page, "Promotions")
    _segment(page, main, "Create a promotion", shows="Create draft", hides="Save changes")
    main.get_by_role("textbox", name="Name").fill(name)
    main.get_by_role("textbox", name="Percent off (1–90)").fill("15")
    main.get_by_role("button", name="Create draft").click()
    created = main.get_by_text(re.compile(r"Created promotion #\d+ as a draft"))
    created.wait_for()
    promotion_id = int(re.search(r"#(\d+)", created.inner_text()).group(1))
    wait_idle(page)
    row = _row(database, promotions, "promotion_id", promotion_id)
    assert (row.vendor_id, row.name, row.kind, row.percent_off, row.status) == (
        shop,
        name,
        "percent_off",
        15,
        "draft",
    )

    # Publish it.
    _segment(page, main, "Manage a promotion", shows="Save changes", hides="Create draft")
    _pick(page, main, "Promotion", re.compile(rf"^#{promotion_id} "))
    main.get_by_role("button", name="Publish").wait_for()
    # The promotion's heading line shows the name literally: no italics, no dash, no link.
    heading = main.get_by_test_id("stMarkdownContainer").filter(has_text="Journey").first
    assert _clean(heading.inner_text()).startswith(f"{name} · Percent off · Draft · 15% off")
    assert heading.locator("em").count() == 0
    main.get_by_role("button", name="Publish").click()
    main.get_by_text("Published.", exact=True).wait_for()
    wait_idle(page)
    assert _row(database, promotions, "promotion_id", promotion_id).status == "published"

    # Cancel it, with a reason.
    _pick(page, main, "Promotion", re.compile(rf"^#{promotion_id} "))
    main.get_by_role("textbox", name="Reason (required for operators)").fill("计划调整")
    main.get_by_role("button", name="Cancel promotion").click()
    main.get_by_text("The promotion was cancelled.").wait_for()
    wait_idle(page)
    row = _row(database, promotions, "promotion_id", promotion_id)
    assert (row.status, row.version) == ("cancelled", 3)
    trail = _audit(database, "promotion", promotion_id)
    assert [(e.action, e.actor, e.reason) for e in trail] == [
        ("promotion.create", "shop_big", None),
        ("promotion.publish", "shop_big", None),
        ("promotion.cancel", "shop_big", "计划调整"),
    ]
    _no_errors(page)


def test_vendor_bulk_edits_by_workbook(running_app_pg, database, shop, browser_page, tmp_path):
    page = browser_page
    login(page, running_app_pg, "shop_big", "demo-shop-big")
    main = open_page(page, "Products")
    _segment(page, main, "Bulk import (workbook)", shows="Download products workbook", hides="Save")

    with page.expect_download() as download_info:
        main.get_by_role("button", name="Download products workbook").click()
    data = Path(download_info.value.path()).read_bytes()

    # Change two rows as a person would in Excel: a price on one, stock and status on another.
    book = load_workbook(io.BytesIO(data))
    sheet = book.worksheets[0]
    header = [c.value for c in sheet[1]]
    col = {name: header.index(name) for name in ("Product ID", "Price (¥)", "Stock", "Status")}
    first, second = list(sheet.iter_rows(min_row=2, max_row=3))
    first_id, second_id = first[col["Product ID"]].value, second[col["Product ID"]].value
    old_first = _row(database, products, "product_id", first_id)
    old_second = _row(database, products, "product_id", second_id)
    assert old_first.vendor_id == old_second.vendor_id == shop
    new_price = old_first.price_cents + 100
    first[col["Price (¥)"]].value = new_price / 100
    second[col["Stock"]].value = old_second.stock + 5
    second[col["Status"]].value = "Off shelf" if old_second.status == "on_sale" else "On sale"
    wanted_status = "off_shelf" if old_second.status == "on_sale" else "on_sale"
    upload = tmp_path / "edited.xlsx"
    book.save(upload)

    main.locator("input[type='file']").set_input_files(str(upload))
    rows = sheet.max_row - 1
    summary = f"2 products to change, 0 rows refused, {rows - 2:,} rows unchanged."
    main.get_by_text(summary).wait_for()
    wait_idle(page)
    assert _row(database, products, "product_id", first_id).version == old_first.version
    main.get_by_role("button", name="Apply all changes").click()
    main.get_by_text("Saved changes to 2 products.").wait_for()
    wait_idle(page)

    new_first = _row(database, products, "product_id", first_id)
    new_second = _row(database, products, "product_id", second_id)
    assert (new_first.price_cents, new_first.version) == (new_price, old_first.version + 1)
    assert (new_second.stock, new_second.status) == (old_second.stock + 5, wanted_status)
    [entry] = _audit(database, "product", first_id)
    assert (entry.actor, entry.action) == ("shop_big", "product.bulk_update")
    assert json.loads(entry.after) == {"price_cents": new_price}
    [entry] = _audit(database, "product", second_id)
    assert json.loads(entry.after) == {"stock": old_second.stock + 5, "status": wanted_status}
    _no_errors(page)
