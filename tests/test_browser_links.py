"""Links in a real browser (PostgreSQL): one pass per role.

Each page of the role opened by its URL; a reload keeps the page and its filters; a
page the role may not open lands on Home with a sentence; a link opened before login
opens after it; the sidebar lists every page of the role (no "View more").
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from dashboard.i18n import all_strings
from dashboard.shell.navigation import ACCESS, PAGES, pages_for
from tests.browser import submit_login, wait_idle

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

EN = {key: en for key, (_, en) in all_strings().items()}
HOME = re.compile("at a glance")


def _title(name: str) -> str:
    return EN[PAGES[name].title_key]


def _heading(page, name: str):
    main = page.get_by_test_id("stMain")
    if name == "home":
        return main.get_by_role("heading", name=HOME).first
    return main.get_by_role("heading", name=_title(name), exact=True).first


def _open(page, app, name: str, query: str = "") -> None:
    """Type the page's URL (a full load: a new session, logged in by the cookie)."""
    page.goto(f"{app.url}/{'' if name == 'home' else name}{query}")
    _heading(page, name).wait_for()
    wait_idle(page)


def _login_from_link(page, app, username: str, password: str, name: str, query: str) -> None:
    """Open a page's link logged out: the login form there (no "Page not found"), then log in."""
    page.goto(f"{app.url}/nothing-here")  # a typo'd link before login: the login form too
    page.get_by_role("textbox", name="Username").wait_for()
    wait_idle(page)
    expect(page.get_by_text("Page not found")).to_have_count(0)
    page.goto(f"{app.url}/{name}{query}")
    page.get_by_role("textbox", name="Username").wait_for()
    wait_idle(page)
    expect(page.get_by_text("Page not found")).to_have_count(0)
    submit_login(page, username, password, expect=_heading(page, name))
    wait_idle(page)
    for _ in range(100):  # the re-login cookie is written just after
        if any(c["name"] == "mallboard_session" for c in page.context.cookies()):
            break
        page.wait_for_timeout(100)


def _sidebar_lists_every_page(page, role: str) -> None:
    sidebar = page.get_by_test_id("stSidebarNav")
    for section_key, specs in pages_for(role):
        expect(sidebar.get_by_text(EN[section_key], exact=True)).to_have_count(1)
        for spec in specs:
            expect(sidebar.get_by_role("link", name=_title(spec.name), exact=True)).to_be_visible()
    expect(
        page.get_by_test_id("stSidebar").get_by_text(re.compile(r"View \d+ more"))
    ).to_have_count(0)
    expect(page.get_by_test_id("stSidebar").get_by_text("View less")).to_have_count(0)


def _forbidden_opens_home(page, app, role: str) -> None:
    name = next(n for n, roles in ACCESS.items() if role not in roles)
    page.goto(f"{app.url}/{name}")
    sentence = EN["nav.forbidden"].format(page=_title(name))
    page.get_by_text(sentence).wait_for()
    _heading(page, "home").wait_for()
    expect(page.get_by_text("Page not found")).to_have_count(0)


def _every_page_by_url(page, app, role: str) -> None:
    for name, roles in ACCESS.items():
        if role in roles:
            _open(page, app, name)
            expect(page.get_by_text("Page not found")).to_have_count(0)
            assert "Traceback" not in page.content(), name


def _query(page) -> str:
    return page.url.split("?", 1)[1] if "?" in page.url else ""


def test_operator_links(running_app_pg, browser_page):
    page, app = browser_page, running_app_pg
    # A shared link to one shop's weekly Sales, opened before login.
    _login_from_link(page, app, "operator", "demo-operator", "sales", "?vendor=2&grain=week")
    shop = page.get_by_test_id("stSidebar").get_by_role("combobox", name="Shop")
    expect(shop).to_have_value(re.compile(r"\(#2\)$"))
    main = page.get_by_test_id("stMain")
    expect(main.get_by_role("radio", name="Weekly")).to_be_checked()
    assert "vendor=2" in _query(page) and "grain=week" in _query(page)
    _sidebar_lists_every_page(page, "operator")

    page.reload()  # F5 keeps the page, the shop and the granularity
    _heading(page, "sales").wait_for()
    wait_idle(page)
    expect(main.get_by_role("radio", name="Weekly")).to_be_checked()
    expect(shop).to_have_value(re.compile(r"\(#2\)$"))
    assert "vendor=2" in _query(page) and "grain=week" in _query(page)

    # The chosen shop follows to the next page (the sidebar's link).
    page.get_by_test_id("stSidebar").get_by_role("link", name="Orders").click()
    _heading(page, "orders").wait_for()
    wait_idle(page)
    expect(shop).to_have_value(re.compile(r"\(#2\)$"))
    assert "vendor=2" in _query(page)

    _forbidden_opens_home(page, app, "operator")
    _every_page_by_url(page, app, "operator")


def test_vendor_links(running_app_pg, browser_page):
    page, app = browser_page, running_app_pg
    _login_from_link(page, app, "shop_big", "demo-shop-big", "orders", "")
    _sidebar_lists_every_page(page, "vendor")
    _every_page_by_url(page, app, "vendor")
    _forbidden_opens_home(page, app, "vendor")

    _open(page, app, "sales", "?period=last_7")
    main = page.get_by_test_id("stMain")
    page.reload()
    _heading(page, "sales").wait_for()
    wait_idle(page)
    expect(main.get_by_role("combobox", name="Period")).to_have_value("Last 7 days")
    assert "period=last_7" in _query(page)


def test_finance_links(running_app_pg, browser_page):
    page, app = browser_page, running_app_pg
    _login_from_link(page, app, "finance", "demo-finance", "sales", "?period=this_month")
    main = page.get_by_test_id("stMain")
    expect(main.get_by_role("combobox", name="Period")).to_have_value("This month")
    _sidebar_lists_every_page(page, "finance")
    page.reload()
    _heading(page, "sales").wait_for()
    wait_idle(page)
    expect(main.get_by_role("combobox", name="Period")).to_have_value("This month")
    assert "period=this_month" in _query(page)
    _forbidden_opens_home(page, app, "finance")
    _every_page_by_url(page, app, "finance")

    # A path that names no page (a typo): Home with a sentence, not Streamlit's dialog.
    page.goto(f"{app.url}/no_such-page")
    page.get_by_text("There is no page at /no_such-page, so Home is shown instead.").wait_for()
    _heading(page, "home").wait_for()
    expect(page.get_by_text("Page not found")).to_have_count(0)
