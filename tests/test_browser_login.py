"""A vendor's first journey in a real browser: log in, see the home figures, log out."""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import expect

from tests.browser import login, logout, submit_login, wait_idle

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def test_vendor_logs_in_sees_home_figures_and_logs_out(running_app, browser_page):
    page = browser_page
    page.goto(running_app.url)
    empty = page.get_by_text("Please enter your username and password.")
    submit_login(page, "", "", expect=empty)  # nothing typed: said so, not silence
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
    page.screenshot(path=str(running_app.folder / "home.png"), full_page=True)

    page.reload()  # the signed re-login cookie keeps the session across a reload
    page.get_by_text("Signed in as shop_big").wait_for()
    old_cookie = next(c for c in page.context.cookies() if c["name"] == "mallboard_session")

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
    # Home, with a sentence saying why, and no Streamlit "Page not found" dialog.
    sentence = "Your role cannot open the Supplier onboarding page, so Home is shown instead."
    page.get_by_text(sentence).wait_for()
    expect(page.get_by_text("Page not found")).to_have_count(0)
    expect(page.get_by_role("link", name="Supplier onboarding")).to_have_count(0)
    expect(page.get_by_role("link", name="Home")).to_have_count(1)


def test_a_page_opened_right_after_a_reload_stays_open(running_app, browser_page):
    """Nothing in the page reruns the app behind the user's back and undoes a click.

    The authenticator's cookie component used to report the cookies after each load,
    and its rerun carried the page the browser had shown: a click on Products in the
    second after a reload opened Products, then Home came back.
    """
    page = browser_page
    login(page, running_app, "shop_big", "demo-shop-big")
    cookie = next(c for c in page.context.cookies() if c["name"] == "mallboard_session")
    assert cookie["sameSite"] == "Strict" and cookie["path"] == "/"
    # It lasts as long as the session may (SESSION_MAX_HOURS, 12 h by default), no longer.
    assert 11.9 * 3600 < cookie["expires"] - time.time() < 12.1 * 3600
    main = page.get_by_test_id("stMain")
    for name in ("Products", "Sales", "Orders"):
        page.reload()
        page.get_by_text("Signed in as shop_big").wait_for()
        page.get_by_test_id("stSidebar").get_by_role("link", name=name).click()
        heading = main.get_by_role("heading", name=name, exact=True)
        heading.wait_for()
        wait_idle(page)
        page.wait_for_timeout(1500)  # a late rerun would have taken the page back by now
        expect(heading).to_have_count(1)
        expect(main.get_by_role("heading", name=re.compile("at a glance"))).to_have_count(0)
    # The cause, checked directly: no component frame that talks back to the server.
    assert page.locator("iframe").count() == 0
