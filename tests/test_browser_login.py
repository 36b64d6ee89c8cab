"""A vendor's first journey in a real browser: log in, see the home figures, log out."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser import login, logout, submit_login

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def test_vendor_logs_in_sees_home_figures_and_logs_out(running_app, browser_page):
    page = browser_page
    page.goto(running_app.url)
    wrong = page.get_by_text("Wrong username or password")
    submit_login(page, "shop_big", "not-the-password", expect=wrong)

    login(page, running_app, "shop_big", "demo-shop-big")
    main = page.locator("section.main, [data-testid='stMain']").first
    main.get_by_text("GMV").first.wait_for()
    metrics = page.locator("[data-testid='stMetricValue']")
    metrics.first.wait_for()
    values = metrics.all_inner_texts()
    assert any(re.search(r"¥[\d,]+\.\d\d", v) for v in values), values
    assert "Traceback" not in page.content()
    # The vendor's pages only: no operator page in the sidebar.
    assert page.get_by_role("link", name="Supplier onboarding").count() == 0
    page.screenshot(path=str(running_app.accounts_file.parent / "home.png"), full_page=True)

    page.reload()  # the signed re-login cookie keeps the session across a reload
    page.get_by_text("Signed in as shop_big").wait_for()
    old_cookie = next(c for c in page.context.cookies() if c["name"] == "mallboard_auth")

    logout(page)
    expect(page.get_by_text("Signed in as")).to_have_count(0)
    page.reload()  # and logging out deleted it
    page.get_by_role("textbox", name="Username").wait_for()
    page.wait_for_timeout(2000)  # a cookie would have logged the session in by now
    expect(page.get_by_text("Signed in as")).to_have_count(0)

    # A reload before the browser dropped the cookie (or a copy of it) stays logged out.
    page.context.add_cookies([old_cookie])
    page.reload()
    page.get_by_role("textbox", name="Username").wait_for()
    page.wait_for_timeout(2000)
    expect(page.get_by_text("Signed in as")).to_have_count(0)


def test_vendor_cannot_open_an_operator_page_by_url(running_app, browser_page):
    page = browser_page
    login(page, running_app, "shop_small", "demo-shop-small")
    page.goto(f"{running_app.url}/onboarding")
    page.get_by_text("Signed in as shop_small").wait_for()
    expect(page.get_by_role("link", name="Supplier onboarding")).to_have_count(0)
    expect(page.get_by_role("link", name="Home")).to_have_count(1)
