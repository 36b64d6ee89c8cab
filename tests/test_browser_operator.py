"""The operator's journeys in a real browser, on PostgreSQL (SQLite is covered by AppTest).

1. Supplier onboarding: approve one application, ask another for more information,
   reject a third with a note — each checked on the page and in the database.
2. Merchants and Products: suspend a shop while its vendor is logged in in another
   browser (its next click logs it out with the reason; it cannot log in meanwhile),
   reactivate it (the vendor logs in again); ban a product with a reason and lift the ban.
"""

from __future__ import annotations

import json
import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from queries.console.tables import accounts
from queries.core.db import connect_engine
from queries.core.schema import audit_log, products, supplier_applications, vendors
from tests.browser import (
    login,
    open_page,
    submit_login,
    until_done,
    wait_idle,
)

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

SUSPENDED = "Your shop is suspended, so you cannot log in for now"


@pytest.fixture
def database(running_app_pg):
    engine = connect_engine(running_app_pg.database_url, check=False)
    yield engine
    engine.dispose()


def _application(engine, application_id):
    a = supplier_applications.c
    with engine.connect() as conn:
        return conn.execute(
            sa.select(supplier_applications).where(a.application_id == application_id)
        ).one()


def _audit(engine, entity, entity_id):
    a = audit_log.c
    with engine.connect() as conn:
        return conn.execute(
            sa.select(audit_log)
            .where(a.entity == entity, a.entity_id == str(entity_id))
            .order_by(a.audit_id)
        ).all()


def _pick(page, label: str, option: re.Pattern[str], *, typed: str | None = None) -> None:
    """Choose `option` in the select box labelled `label` (typing `typed` to filter first)."""
    box = page.get_by_test_id("stMain").get_by_test_id("stSelectbox").filter(has_text=label)
    choice = page.get_by_role("option", name=option)

    def open_it() -> None:
        box.click()
        if typed:
            page.keyboard.type(typed)

    until_done(page, open_it, choice.first.wait_for, timeout=10_000)
    choice.first.click()
    wait_idle(page)


def _choose(main, label: str) -> None:
    """Click a radio choice by its words."""
    main.get_by_test_id("stRadio").get_by_text(label, exact=True).click()


def test_operator_decides_three_applications(running_app_pg, database, browser_page):
    page = browser_page
    a = supplier_applications.c
    with database.connect() as conn:
        pending = [
            r.application_id
            for r in conn.execute(
                sa.select(a.application_id)
                .where(a.status == "pending")
                .order_by(a.submitted_at, a.application_id)
            )
        ]
    assert len(pending) >= 3
    approve, ask, reject = pending[:3]

    login(page, running_app_pg, "operator", "demo-operator")
    main = open_page(page, "Supplier onboarding")
    main.get_by_text("Applications by status").wait_for()

    # 1. Approve, without a login account, under a shop name of our own.
    _pick(page, "Open an application", re.compile(rf"^#{approve} "))
    main.get_by_text("Decision history").wait_for()
    company = _application(database, approve).company_name
    expect(main.get_by_role("heading", name=f"Application #{approve}: {company}")).to_be_visible()
    main.get_by_text("Also create the shop's login account").click()
    main.get_by_role("textbox", name="Shop name (on approval)").fill("旅程测试旗舰店")
    main.get_by_role("button", name="Submit decision").click()
    main.get_by_text(f"Application #{approve} approved: shop #").wait_for()
    wait_idle(page)
    row = _application(database, approve)
    assert (row.status, row.reviewed_by) == ("approved", "operator")
    main.get_by_text(f"shop #{row.vendor_id} “旅程测试旗舰店” is open.").wait_for()
    with database.connect() as conn:
        shop = conn.execute(sa.select(vendors).where(vendors.c.vendor_id == row.vendor_id)).one()
    assert (shop.name, shop.status, shop.application_id) == ("旅程测试旗舰店", "active", approve)
    [entry] = _audit(database, "supplier_application", approve)
    assert (entry.actor, entry.role, entry.action) == (
        "operator",
        "operator",
        "application.approve",
    )
    assert main.get_by_test_id("stCode").count() == 0  # no account asked for: no password

    # 2. Ask for more information: a note is required.
    _pick(page, "Open an application", re.compile(rf"^#{ask} "))
    main.get_by_text("Decision history").wait_for()
    _choose(main, "Ask for more information")
    main.get_by_role("button", name="Submit decision").click()
    main.get_by_text("Write a note to the applicant").wait_for()
    assert _application(database, ask).status == "pending"
    main.get_by_role("textbox", name="Note to the applicant").fill("请补充品牌授权书")
    main.get_by_role("button", name="Submit decision").click()
    main.get_by_text(f"Asked application #{ask} for more information.").wait_for()
    wait_idle(page)
    row = _application(database, ask)
    assert (row.status, row.review_note, row.vendor_id) == ("needs_info", "请补充品牌授权书", None)
    [entry] = _audit(database, "supplier_application", ask)
    assert (entry.action, entry.reason) == ("application.needs_info", "请补充品牌授权书")

    # 3. Reject with a note.
    _pick(page, "Open an application", re.compile(rf"^#{reject} "))
    main.get_by_text("Decision history").wait_for()
    _choose(main, "Reject")
    main.get_by_role("textbox", name="Note to the applicant").fill("经营类目不符")
    main.get_by_role("button", name="Submit decision").click()
    main.get_by_text(f"Application #{reject} rejected.").wait_for()
    wait_idle(page)
    row = _application(database, reject)
    assert (row.status, row.review_note, row.reviewed_by) == (
        "rejected",
        "经营类目不符",
        "operator",
    )
    [entry] = _audit(database, "supplier_application", reject)
    assert (entry.action, entry.reason) == ("application.reject", "经营类目不符")

    # The tabs count what happened; the rejected one shows its final decision and history.
    main.get_by_text(re.compile(r"^Rejected \(\d+\)$")).click()
    wait_idle(page)
    _pick(page, "Open an application", re.compile(rf"^#{reject} "))
    main.get_by_text("This application is Rejected; the decision is final.").wait_for()
    main.get_by_text("Decision history").wait_for()
    content = page.content()
    assert "Traceback" not in content and "Something unexpected" not in content


@pytest.fixture
def second_browser(browser_page):
    """A second browser context (its own cookies, as another person's browser): the vendor's."""
    context = browser_page.context.browser.new_context(
        locale="en-US", viewport={"width": 1400, "height": 1000}
    )
    page = context.new_page()
    page.set_default_timeout(30_000)
    try:
        yield page
    finally:
        context.close()


def _set_shop_status(page, main, vendor_id: int, action: str, reason: str, status: str) -> None:
    _pick(page, "Pick a shop", re.compile(rf"\(#{vendor_id}\)$"), typed=f"(#{vendor_id})")
    main.get_by_text("Current status:").wait_for()
    _choose(main, action)
    main.get_by_role("textbox", name="Reason (required, kept in the audit log)").fill(reason)
    main.get_by_role("button", name="Confirm").click()
    main.get_by_text(re.compile(rf"Shop #{vendor_id} “.*” is now: {status}\.")).wait_for()
    wait_idle(page)


def test_operator_suspends_a_logged_in_shop_then_bans_a_product(
    running_app_pg, database, browser_page, second_browser
):
    page, shop_page = browser_page, second_browser
    # The shop behind the demo login (which shop is "small" follows the demo's clock).
    with database.connect() as conn:
        vendor_id = conn.execute(
            sa.select(accounts.c.vendor_id).where(accounts.c.username == "shop_small")
        ).scalar_one()

    login(shop_page, running_app_pg, "shop_small", "demo-shop-small")
    login(page, running_app_pg, "operator", "demo-operator")
    main = open_page(page, "Merchants")

    # Suspend: the vendor's next click logs it out with the reason.
    _set_shop_status(page, main, vendor_id, "Suspend", "资质核查中", "Suspended")
    with database.connect() as conn:
        assert (
            conn.execute(
                sa.select(vendors.c.status).where(vendors.c.vendor_id == vendor_id)
            ).scalar_one()
            == "suspended"
        )
    [entry] = _audit(database, "vendor", vendor_id)
    assert (entry.actor, entry.action, entry.reason) == ("operator", "vendor.suspend", "资质核查中")
    assert json.loads(entry.after) == {"status": "suspended"}

    wait_idle(shop_page)
    shop_page.get_by_test_id("stSidebar").get_by_role("link", name="Orders").click()
    shop_page.get_by_text(SUSPENDED).wait_for()
    shop_page.get_by_role("textbox", name="Username").wait_for()
    expect(shop_page.get_by_text("Signed in as")).to_have_count(0)
    # Logging in again is refused while suspended (a fresh visit: no earlier message).
    shop_page.goto(running_app_pg.url)
    shop_page.get_by_role("textbox", name="Username").wait_for()
    expect(shop_page.get_by_text(SUSPENDED)).to_have_count(0)
    submit_login(
        shop_page, "shop_small", "demo-shop-small", expect=shop_page.get_by_text(SUSPENDED)
    )
    wait_idle(shop_page)
    expect(shop_page.get_by_text("Signed in as")).to_have_count(0)

    # Reactivate: the vendor logs in again.
    _set_shop_status(page, main, vendor_id, "Reactivate", "核查完毕", "Active")
    assert [e.action for e in _audit(database, "vendor", vendor_id)] == [
        "vendor.suspend",
        "vendor.reactivate",
    ]
    login(shop_page, running_app_pg, "shop_small", "demo-shop-small")
    expect(shop_page.get_by_text(SUSPENDED)).to_have_count(0)

    # Ban a product with a reason on the Products page, then lift the ban.
    main = open_page(page, "Products")
    main.get_by_text("Ban or lift a ban").wait_for()
    picked = main.get_by_role("combobox", name="Product", exact=True).input_value()
    product_id = int(re.match(r"#(\d+) ", picked).group(1))
    main.get_by_role("textbox", name="Reason (required for a ban)").fill("疑似假冒")
    main.get_by_role("button", name="Ban product").click()
    main.get_by_role("button", name="Lift ban (product stays off shelf)").wait_for()
    main.get_by_text("Reason: 疑似假冒").first.wait_for()
    wait_idle(page)

    def product_status() -> str:
        with database.connect() as conn:
            return conn.execute(
                sa.select(products.c.status).where(products.c.product_id == product_id)
            ).scalar_one()

    assert product_status() == "banned"
    [ban] = _audit(database, "product", product_id)
    assert (ban.actor, ban.action, ban.reason) == ("operator", "product.ban", "疑似假冒")

    main.get_by_role("button", name="Lift ban (product stays off shelf)").click()
    main.get_by_role("button", name="Ban product").wait_for()
    wait_idle(page)
    assert product_status() == "off_shelf"
    assert [e.action for e in _audit(database, "product", product_id)] == [
        "product.ban",
        "product.unban",
    ]
    content = page.content() + shop_page.content()
    assert "Traceback" not in content and "Something unexpected" not in content


def test_a_double_click_decides_once_and_says_so(running_app_pg, database, browser_page):
    """A double click on a decision or a status change acts once and reports success —
    with the new shop's one-time password — not "already decided" or "username taken"."""
    page = browser_page
    a = supplier_applications.c
    with database.connect() as conn:
        app_id = conn.execute(
            sa.select(a.application_id)
            .where(a.status == "pending")
            .order_by(a.submitted_at, a.application_id)
            .limit(1)
        ).scalar_one()
        shop = conn.execute(
            sa.select(vendors.c.vendor_id).where(vendors.c.name == "小格家居工作室")
        ).scalar_one()
    login(page, running_app_pg, "operator", "demo-operator")
    main = open_page(page, "Supplier onboarding")
    _pick(page, "Open an application", re.compile(rf"^#{app_id} "))
    main.get_by_text("Decision history").wait_for()
    main.get_by_role("textbox", name="Account username").fill("shop_double")
    main.get_by_role("button", name="Submit decision").dblclick()
    main.get_by_text(f"Application #{app_id} approved: shop #").wait_for()
    main.get_by_text("Login account shop_double created").wait_for()
    wait_idle(page)
    page.wait_for_timeout(1000)  # a second run, if any, has drawn by now
    wait_idle(page)
    expect(main.get_by_text("already decided")).to_have_count(0)
    expect(main.get_by_text("is taken")).to_have_count(0)
    expect(main.get_by_test_id("stCode")).to_have_count(1)
    assert len(_audit(database, "supplier_application", app_id)) == 1
    with database.connect() as conn:
        assert (
            conn.execute(
                sa.select(sa.func.count())
                .select_from(vendors)
                .where(vendors.c.application_id == app_id)
            ).scalar_one()
            == 1
        )

    main = open_page(page, "Merchants")
    _pick(page, "Pick a shop", re.compile(rf"\(#{shop}\)$"), typed=f"(#{shop})")
    main.get_by_text("Current status:").wait_for()
    main.get_by_role("textbox", name="Reason (required, kept in the audit log)").fill("双击测试")
    main.get_by_role("button", name="Confirm").dblclick()
    main.get_by_text(re.compile(rf"Shop #{shop} “.*” is now: Suspended\.")).wait_for()
    wait_idle(page)
    page.wait_for_timeout(1000)
    wait_idle(page)
    expect(main.get_by_text("changed this shop at")).to_have_count(0)
    expect(main.get_by_text("Give a reason")).to_have_count(0)
    assert [e.action for e in _audit(database, "vendor", shop)] == ["vendor.suspend"]
