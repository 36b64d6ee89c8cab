"""In a real browser: an operator approves an application with a new login account,
then that shop logs in with the one-time password and sees its empty shop explained."""

from __future__ import annotations

import pytest

from tests.browser import login, logout, open_page, submit_login, until_done

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

NEW_USER = "shop_newcomer"


def test_operator_approves_with_account_and_the_shop_logs_in(running_app, browser_page):
    page = browser_page
    login(page, running_app, "operator", "demo-operator")
    open_page(page, "Supplier onboarding")
    page.get_by_text("Applications by status").wait_for()
    page.get_by_text("Pending (").first.wait_for()

    picker = page.get_by_test_id("stSelectbox").filter(has_text="Open an application")
    until_done(page, picker.click, page.get_by_role("option").first.click, timeout=10_000)
    page.get_by_text("Decision history").wait_for()
    page.get_by_text("Approve and open the shop").wait_for()

    username = page.get_by_role("textbox", name="Account username")
    username.fill(NEW_USER)
    page.get_by_role("button", name="Submit decision").click()
    page.get_by_text("is open.").wait_for()
    page.get_by_text(f"Login account {NEW_USER} created").wait_for()
    password = page.locator("[data-testid='stCode'] pre").first.inner_text().strip()
    assert len(password) >= 12
    assert "Traceback" not in page.content()
    page.screenshot(path=str(running_app.folder / "approved.png"), full_page=True)

    logout(page)
    # A one-time password opens only the form that replaces it.
    submit_login(
        page, NEW_USER, password, expect=page.get_by_role("heading", name="Choose a new password")
    )
    new_password = "Quince-Lantern-2026"

    def choose() -> None:
        page.get_by_role("textbox", name="New password", exact=True).fill(new_password)
        page.get_by_role("textbox", name="New password again").fill(new_password)
        page.get_by_role("button", name="Save the new password").click()

    until_done(page, choose, page.get_by_text(f"Signed in as {NEW_USER}").wait_for)
    main = page.locator("[data-testid='stMain']").first
    main.get_by_text("No paid orders in the last 30 days").first.wait_for()
    content = page.content()
    assert "Traceback" not in content
    assert "Something unexpected" not in content
    page.screenshot(path=str(running_app.folder / "new_shop.png"), full_page=True)
