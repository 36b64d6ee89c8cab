"""A vendor changes a price in a browser, reloads and sees it, and finds it in the audit log."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from openpyxl import load_workbook

from tests.browser import login

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def _idle(page) -> None:
    """Wait until the app has finished its current script run."""
    page.wait_for_timeout(300)
    page.get_by_test_id("stStatusWidget").wait_for(state="hidden", timeout=60_000)


def _open(page, name: str):
    """Open a page from the sidebar (a typed URL starts a session before the login cookie).

    A click that lands during a script run can be lost, so it is retried once.
    """
    main = page.get_by_test_id("stMain")
    heading = main.get_by_role("heading", name=name)
    for attempt in range(3):
        _idle(page)
        page.get_by_test_id("stSidebar").get_by_role("link", name=name).click()
        try:
            heading.wait_for(timeout=15_000)
            break
        except Exception:
            if attempt == 2:
                raise
    _idle(page)
    return main


def test_vendor_changes_a_price_and_the_audit_log_shows_it(running_app, browser_page):
    page = browser_page
    login(page, running_app, "shop_big", "demo-shop-big")
    main = _open(page, "Products")
    price = main.get_by_role("textbox", name="Price (¥)")
    price.fill("123.45")
    main.get_by_role("button", name="Save", exact=True).click()
    main.get_by_text("Saved changes to 1 product(s).").wait_for()

    page.reload()
    page.get_by_text("Signed in as shop_big").wait_for()
    main = _open(page, "Products")
    # The product just changed is the most recently updated: first in the list and the form.
    field = main.get_by_role("textbox", name="Price (¥)")
    field.wait_for()
    assert field.input_value() == "123.45"
    assert "Traceback" not in page.content()

    main = _open(page, "Audit log")
    main.get_by_text("entries · page 1").wait_for()
    page.screenshot(path=str(running_app.accounts_file.parent / "audit.png"), full_page=True)
    # The grid draws its cells on a canvas: read the entries from the page's own download.
    with page.expect_download() as download_info:
        main.get_by_role("button", name="Download Excel").click()
    data = Path(download_info.value.path()).read_bytes()
    sheet = load_workbook(io.BytesIO(data), read_only=True).worksheets[0]
    rows = [tuple(r) for r in sheet.iter_rows(values_only=True)]
    header, newest = rows[0], rows[1]
    entry = dict(zip(header, newest, strict=True))
    assert entry["Action"] == "product.update" and entry["Actor"] == "shop_big"
    assert "price_cents:" in entry["Changes"] and "→ 12345" in entry["Changes"]
