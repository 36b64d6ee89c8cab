"""A vendor changes a price in a browser, reloads and sees it, and finds it in the audit log."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from openpyxl import load_workbook

from tests.browser import login, open_page

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def test_vendor_changes_a_price_and_the_audit_log_shows_it(running_app, browser_page):
    page = browser_page
    login(page, running_app, "shop_big", "demo-shop-big")
    main = open_page(page, "Products")
    price = main.get_by_role("textbox", name="Price (¥)")
    price.fill("123.45")
    main.get_by_role("button", name="Save", exact=True).click()
    main.get_by_text("Saved changes to 1 product.").wait_for()

    page.reload()
    page.get_by_text("Signed in as shop_big").wait_for()
    main = open_page(page, "Products")
    # The product just changed is the most recently updated: first in the list and the form.
    field = main.get_by_role("textbox", name="Price (¥)")
    field.wait_for()
    assert field.input_value() == "123.45"
    assert "Traceback" not in page.content()

    main = open_page(page, "Audit log")
    main.get_by_text("entries · page 1").wait_for()
    page.screenshot(path=str(running_app.folder / "audit.png"), full_page=True)
    # The grid draws its cells on a canvas: read the entries from the page's own download.
    with page.expect_download() as download_info:
        main.get_by_role("button", name="Download Excel").click()
    data = Path(download_info.value.path()).read_bytes()
    sheet = load_workbook(io.BytesIO(data), read_only=True).worksheets[0]
    rows = [tuple(r) for r in sheet.iter_rows(values_only=True)]
    header, newest = rows[0], rows[1]
    entry = dict(zip(header, newest, strict=True))
    assert entry["Action"] == "Product edited" and entry["Actor"] == "shop_big"
    assert entry["Entity"].startswith("Product #") and entry["Reason"] == "—"
    assert entry["Changes"].startswith("Price: ¥") and entry["Changes"].endswith("→ ¥123.45")
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}", entry["When"])  # local, no seconds/ms
