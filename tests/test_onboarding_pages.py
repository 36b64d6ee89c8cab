"""The Supplier onboarding and Merchants pages in AppTest: every action, as an operator.

One mall per backend (module scope); each test acts on its own application or
shop, so the order of tests does not matter.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from queries.console.passwords import password_matches
from queries.core.actors import Actor
from queries.core.schema import audit_log, supplier_applications, vendors
from queries.merchants.onboarding import decide_application, status_counts
from tests.apptest import TEST_PASSWORD, AppSession, as_seen, logins
from tests.apptest import texts as markdown_texts
from tests.builders import Item, MallBuilder
from tests.conftest import BACKENDS

NOW = datetime.now(UTC)


@pytest.fixture(scope="module", params=BACKENDS)
def site(request, db_factory, tmp_path_factory):
    engine = db_factory.engine(request.param)
    ids = {}
    with engine.begin() as conn:
        b = MallBuilder(conn)
        beauty = b.category("美妆", "Beauty")
        # pending, oldest first: a (5 days: overdue), b, c (bad licence, same name as shop s1)
        ids["a"] = b.application(
            "甲好物商贸有限公司", category_id=beauty, submitted_at=NOW - timedelta(days=5)
        )
        ids["b"] = b.application(
            "乙商贸有限公司", category_id=beauty, submitted_at=NOW - timedelta(days=2)
        )
        ids["c"] = b.application(
            "Alpha Shop",
            category_id=beauty,
            business_license_no="91330100MA27XL2R20",
            submitted_at=NOW - timedelta(days=1),
        )
        ids["race"] = b.application(
            "丁商贸有限公司", category_id=beauty, submitted_at=NOW - timedelta(hours=30)
        )
        ids["d"] = b.application(
            "戊商贸有限公司",
            category_id=beauty,
            status="needs_info",
            submitted_at=NOW - timedelta(days=9),
        )
        ids["s1"] = b.vendor("Alpha Shop")
        ids["s2"] = b.vendor("Beta Shop")
        ids["s3"] = b.vendor("Gamma Shop", status="suspended")
        product = b.product(ids["s1"], beauty)
        b.order(ids["s1"], b.member(), [Item(product, 1, 12345)], paid_at=NOW - timedelta(days=3))
    session = AppSession(engine.url, tmp_path_factory.mktemp("onboarding_pages"))
    session.add("ops", role="operator")
    session.add("shop_s2", role="vendor", vendor_id=ids["s2"])
    return session, engine, ids


unescape = as_seen


def texts(at) -> str:
    """The page's text as a reader sees it (user-written values are escaped Markdown)."""
    return unescape(markdown_texts(at))


def _button(at, label):
    return next(b for b in at.button if b.label == label)


def _open_application(session, application_id, *, status_tab=None):
    at = session.open("onboarding", as_user="ops")
    assert not at.exception
    if status_tab:
        at.button_group(key="onboarding_status").set_value(status_tab).run()
    at.selectbox(key=f"onboarding_pick_{status_tab or 'pending'}").set_value(application_id).run()
    assert not at.exception
    return at


def _application(engine, application_id):
    with engine.connect() as conn:
        return conn.execute(
            sa.select(supplier_applications).where(
                supplier_applications.c.application_id == application_id
            )
        ).one()


def test_queue_counts_overdue_and_checks(site):
    session, engine, ids = site
    at = session.open("onboarding", as_user="ops")
    assert not at.exception
    with engine.connect() as conn:
        n = status_counts(conn)  # other tests of this module may have decided some already
    tabs = at.button_group(key="onboarding_status")
    assert tabs.options == [
        f"Pending ({n['pending']})",
        f"Needs info ({n['needs_info']})",
        f"Approved ({n['approved']})",
        f"Rejected ({n['rejected']})",
    ]
    page = texts(at)
    assert "Applications by status" in page
    assert "Past the 3-day review deadline: " in page
    table = at.dataframe[0].value
    overdue = dict(zip(table["Company"], table["Overdue"], strict=True))
    assert overdue.get("甲好物商贸有限公司", "Overdue") == "Overdue"  # 5 days waiting
    assert overdue["Alpha Shop"] == ""  # 1 day
    at.selectbox(key="onboarding_pick_pending").set_value(ids["c"]).run()
    page = texts(at)
    assert "wrong check digit" in page
    assert "1 possible duplicate: " in page  # one, in the singular
    assert "No decisions yet." in page
    assert len(at.get("download_button")) >= 1


def test_approve_with_account_shows_the_password_once(site):
    session, engine, ids = site
    at = _open_application(session, ids["a"])
    assert at.radio(key=f"onboarding_decision_{ids['a']}").value == "approve"
    at.text_input(key=f"onboarding_shop_name_{ids['a']}").set_value("甲好物旗舰店")
    at.text_input(key=f"onboarding_username_{ids['a']}").set_value("shop_jia")
    _button(at, "Submit decision").click().run()
    assert not at.exception
    app = _application(engine, ids["a"])
    assert (app.status, app.reviewed_by) == ("approved", "ops")
    with engine.connect() as conn:
        shop = conn.execute(sa.select(vendors).where(vendors.c.vendor_id == app.vendor_id)).one()
    assert (shop.name, shop.status) == ("甲好物旗舰店", "active")
    page = texts(at)
    assert f"shop #{app.vendor_id} “甲好物旗舰店” is open" in page
    [code] = at.code
    account = logins(engine)["shop_jia"]
    assert (account.role, account.vendor_id) == ("vendor", app.vendor_id)
    assert password_matches(code.value, account.password_hash)
    assert account.must_change_password  # a one-time password
    at.run()  # the next run does not show it again
    assert not at.exception
    assert len(at.code) == 0


def test_needs_info_requires_a_note_then_uses_the_template(site):
    session, engine, ids = site
    at = _open_application(session, ids["b"])
    at.radio(key=f"onboarding_decision_{ids['b']}").set_value("needs_info")
    _button(at, "Submit decision").click().run()
    assert "Write a note to the applicant" in texts(at)
    assert _application(engine, ids["b"]).status == "pending"
    at.selectbox(key=f"onboarding_template_{ids['b']}").set_value("needs_info.brand")
    at.text_area(key=f"onboarding_note_{ids['b']}").set_value("谢谢")
    _button(at, "Submit decision").click().run()
    assert not at.exception
    app = _application(engine, ids["b"])
    assert app.status == "needs_info"
    assert app.review_note == "Please add the brand authorisation or trademark registration. 谢谢"


def test_reject_from_needs_info_with_history(site):
    session, engine, ids = site
    at = _open_application(session, ids["d"], status_tab="needs_info")
    at.radio(key=f"onboarding_decision_{ids['d']}").set_value("reject")
    at.text_area(key=f"onboarding_note_{ids['d']}").set_value("资质不符")
    _button(at, "Submit decision").click().run()
    assert not at.exception
    app = _application(engine, ids["d"])
    assert (app.status, app.review_note) == ("rejected", "资质不符")
    at = _open_application(session, ids["d"], status_tab="rejected")
    page = texts(at)
    assert "the decision is final" in page
    assert "Rejected" in at.dataframe[-1].value.to_string()  # the history table


def test_second_operator_is_told_who_decided(site):
    session, engine, ids = site
    at = _open_application(session, ids["race"])
    # Meanwhile another operator approves it.
    decide_application(
        engine,
        Actor("ops_other", "operator"),
        ids["race"],
        decision="approve",
        seen_status="pending",
    )
    at.checkbox(key=f"onboarding_with_account_{ids['race']}").uncheck()
    _button(at, "Submit decision").click().run()
    assert not at.exception
    assert "ops_other already decided this application" in texts(at)
    with engine.connect() as conn:
        shops = conn.execute(
            sa.select(sa.func.count())
            .select_from(vendors)
            .where(vendors.c.application_id == ids["race"])
        ).scalar_one()
        audits = conn.execute(
            sa.select(sa.func.count())
            .select_from(audit_log)
            .where(audit_log.c.entity_id == str(ids["race"]))
        ).scalar_one()
    assert (shops, audits) == (1, 1)


# --- merchants ----------------------------------------------------------------------------


def _merchants(session):
    at = session.open("merchants", as_user="ops")
    assert not at.exception
    return at


def test_merchants_list_and_download(site):
    session, _, ids = site
    at = _merchants(session)
    table = at.dataframe[0].value.set_index("Shop ID")
    alpha = table.loc[str(ids["s1"])]
    assert alpha["GMV (30 days)"] == "¥123.45"
    assert alpha["Main category"] == "Beauty"
    assert alpha["Refund rate (30 days)"] == "0.0%"
    assert table.loc[str(ids["s2"]), "Refund rate (30 days)"] == "—"
    assert table.loc[str(ids["s3"]), "Status"] == "Suspended"
    assert len(at.get("download_button")) == 1
    at.text_input(key="merchants_search").set_value("Gamma")
    _button(at, "Search").click().run()
    assert list(at.dataframe[0].value["Shop"]) == ["Gamma Shop"]


def test_suspend_refuses_the_shops_login_then_reactivate(site):
    session, engine, ids = site
    at = _merchants(session)
    at.selectbox(key="merchants_pick").set_value(ids["s2"]).run()
    assert at.radio(key="merchants_action").options == ["Suspend", "Close (final)"]
    _button(at, "Confirm").click().run()
    assert "Give a reason" in texts(at)
    at.text_area(key="merchants_reason").set_value("资质过期")
    _button(at, "Confirm").click().run()
    assert not at.exception
    assert "is now: Suspended" in texts(at)
    shop = session.app(as_user=None)  # a suspended shop gets no session: log in by the form
    shop.run()
    shop.text_input[0].input("shop_s2")
    shop.text_input[1].input(TEST_PASSWORD)
    shop.button[0].click().run()
    assert "Your shop is suspended" in texts(shop)
    assert "Signed in as" not in texts(shop)

    at = _merchants(session)
    at.selectbox(key="merchants_pick").set_value(ids["s2"]).run()
    at.radio(key="merchants_action").set_value("active")
    at.text_area(key="merchants_reason").set_value("已更新资质")
    _button(at, "Confirm").click().run()
    assert "is now: Active" in texts(at)
    with engine.connect() as conn:
        actions = conn.execute(
            sa.select(audit_log.c.action, audit_log.c.reason)
            .where(audit_log.c.vendor_id == ids["s2"])
            .order_by(audit_log.c.audit_id)
        ).all()
    assert [tuple(a) for a in actions] == [
        ("vendor.suspend", "资质过期"),
        ("vendor.reactivate", "已更新资质"),
    ]


def test_close_is_final(site):
    session, _, ids = site
    at = _merchants(session)
    at.selectbox(key="merchants_pick").set_value(ids["s3"]).run()
    at.radio(key="merchants_action").set_value("closed")
    at.text_area(key="merchants_reason").set_value("清退")
    _button(at, "Confirm").click().run()
    assert not at.exception
    assert "is now: Closed" in texts(at)
    at.selectbox(key="merchants_pick").set_value(ids["s3"]).run()
    assert "cannot be reopened" in texts(at)
    assert len(at.radio) == 0


def test_merchant_status_changed_meanwhile_is_refused(site):
    session, engine, ids = site
    with engine.begin() as conn:
        shop = MallBuilder(conn).vendor("Delta Shop")
    at = _merchants(session)
    at.selectbox(key="merchants_pick").set_value(shop).run()
    from queries.merchants.vendors import set_vendor_status

    set_vendor_status(
        engine,
        Actor("ops_other", "operator"),
        shop,
        status="suspended",
        seen_status="active",
        reason="x",
    )
    at.radio(key="merchants_action").set_value("closed")
    at.text_area(key="merchants_reason").set_value("清退")
    _button(at, "Confirm").click().run()
    assert not at.exception
    assert "ops_other changed this shop at" in texts(at)
    with engine.connect() as conn:
        status = conn.execute(
            sa.select(vendors.c.status).where(vendors.c.vendor_id == shop)
        ).scalar()
    assert status == "suspended"


def test_a_shop_opens_its_sales_analytics(site):
    session, _, ids = site
    at = _merchants(session)
    at.selectbox(key="merchants_pick").set_value(ids["s1"]).run()
    _button(at, "Open sales analytics").click().run()
    assert not at.exception
    assert at.query_params.get("vendor") in (str(ids["s1"]), [str(ids["s1"])])
    assert at.selectbox(key="scope_vendor").value == ids["s1"]
    assert "Merchants" not in [title.value for title in at.title]
