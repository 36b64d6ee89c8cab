"""Every write of Supplier onboarding and Merchants, clicked in AppTest, on SQLite and PostgreSQL.

Each action is pressed as an operator and checked three ways: the row it
changed, the audit_log row written with it, and the message shown. Each refusal
(a missing note or reason, a bad username, a stale view, the wrong role) is
checked to change nothing at all (`snapshot` of every contract table).

One mall per backend (module scope); each test acts on rows of its own.
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from queries.console.passwords import password_matches
from queries.core.actors import Actor
from queries.core.errors import Forbidden
from queries.core.schema import audit_log, supplier_applications, vendors
from queries.merchants.onboarding import decide_application
from queries.merchants.vendors import set_vendor_status
from tests.apptest import TEST_PASSWORD, AppSession, as_seen, logins
from tests.apptest import texts as markdown_texts
from tests.builders import MallBuilder, snapshot
from tests.conftest import BACKENDS

NOW = datetime.now(UTC)
OTHER = Actor("ops_other", "operator")
# Names with Markdown in them: the page must show them exactly as written.
TRICKY_COMPANY = "*Star* & [Moon] 商贸_有限_公司"
TRICKY_CONTACT = "__王__ `x` $1$"
TRICKY_SHOP = "**Kappa** #1 ~~shop~~"

APPLICATIONS = (
    "approve_plain",
    "approve_account",
    "approve_bad_username",
    "approve_taken_username",
    "approve_blank_name",
    "ask",
    "reject",
    "template_mismatch",
    "stale_approve",
    "stale_reject",
    "from_needs_info",
    "control_note",
    "outside",
    "zh",
)
SHOPS = (
    "suspend",
    "reactivate",
    "close",
    "no_reason",
    "stale",
    "stale_closed",
    "tricky",
    "home",
    "control",
    "outside",
    "switch_active",
    "switch_suspended",
    "zh",
)


@pytest.fixture(scope="module", params=BACKENDS)
def mall(request, db_factory, tmp_path_factory):
    engine = db_factory.engine(request.param)
    apps, shops = {}, {}
    with engine.begin() as conn:
        b = MallBuilder(conn)
        category = b.category("美妆", "Beauty")
        for n, key in enumerate(APPLICATIONS):
            apps[key] = b.application(
                f"{key} 商贸有限公司",
                category_id=category,
                status="needs_info" if key == "from_needs_info" else "pending",
                submitted_at=NOW - timedelta(hours=30 + n),
            )
        conn.execute(
            supplier_applications.update()
            .where(supplier_applications.c.application_id == apps["approve_plain"])
            .values(company_name=TRICKY_COMPANY, contact_name=TRICKY_CONTACT)
        )
        for key in SHOPS:
            suspended = key in ("reactivate", "stale_closed", "switch_suspended")
            status = "suspended" if suspended else "active"
            shops[key] = b.vendor(TRICKY_SHOP if key == "tricky" else f"{key} shop", status=status)
    session = AppSession(engine.url, tmp_path_factory.mktemp("operator_actions"))
    session.add("ops", role="operator")
    session.add("money", role="finance")
    session.add("shop_suspend", role="vendor", vendor_id=shops["suspend"])
    session.add("shop_home", role="vendor", vendor_id=shops["home"])  # never changed
    return session, engine, apps, shops


# --- helpers ------------------------------------------------------------------------------


unescape = as_seen


def texts(at) -> str:
    """The page's text as a reader sees it (names inside messages are escaped Markdown)."""
    return unescape(markdown_texts(at))


def _button(at, label):
    return next(b for b in at.button if b.label == label)


def _open_application(session, application_id, *, tab="pending"):
    at = session.open("onboarding", as_user="ops")
    assert not at.exception
    if tab != "pending":
        at.button_group(key="onboarding_status").set_value(tab).run()
    at.selectbox(key=f"onboarding_pick_{tab}").set_value(application_id).run()
    assert not at.exception
    return at


def _submit_decision(at):
    _button(at, "Submit decision").click().run()
    assert not at.exception
    return at


def _application(engine, application_id):
    with engine.connect() as conn:
        return conn.execute(
            sa.select(supplier_applications).where(
                supplier_applications.c.application_id == application_id
            )
        ).one()


def _shop(engine, vendor_id):
    with engine.connect() as conn:
        return conn.execute(sa.select(vendors).where(vendors.c.vendor_id == vendor_id)).one()


def _audit(engine, entity, entity_id) -> list[dict]:
    a = audit_log.c
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(audit_log)
            .where(a.entity == entity, a.entity_id == str(entity_id))
            .order_by(a.audit_id)
        ).all()
    out = []
    for row in rows:
        entry = dict(row._mapping)
        entry["before"] = json.loads(entry["before"]) if entry["before"] else None
        entry["after"] = json.loads(entry["after"]) if entry["after"] else None
        out.append(entry)
    return out


def _refused(engine, at, before, message):
    """The page says `message` as an error, and nothing in the database changed."""
    assert not at.exception
    errors = unescape("\n".join(str(e.value) for e in at.error))
    assert message in errors, errors
    assert not [s for s in at.success if s.icon == ":material/check_circle:"]  # no "done"
    assert snapshot(engine) == before


# --- Supplier onboarding: decisions ------------------------------------------------------


def test_approve_without_an_account(mall):
    session, engine, apps, _ = mall
    app_id = apps["approve_plain"]
    accounts_before = set(logins(engine))
    at = _open_application(session, app_id)
    # What the applicant wrote is shown as written, not as Markdown.
    assert TRICKY_COMPANY in "\n".join(str(e.value) for e in at.text)
    assert TRICKY_CONTACT in "\n".join(str(e.value) for e in at.text)
    assert f"Application #{app_id}: {TRICKY_COMPANY}" in texts(at)
    at.checkbox(key=f"onboarding_with_account_{app_id}").uncheck()
    at.text_input(key=f"onboarding_shop_name_{app_id}").set_value(f"  {TRICKY_SHOP}  ")
    _submit_decision(at)

    app = _application(engine, app_id)
    assert (app.status, app.reviewed_by, app.review_note) == ("approved", "ops", None)
    assert app.reviewed_at is not None and app.vendor_id is not None
    shop = _shop(engine, app.vendor_id)
    assert (shop.name, shop.status, shop.application_id) == (TRICKY_SHOP, "active", app_id)
    assert shop.contact_email == app.contact_email
    [entry] = _audit(engine, "supplier_application", app_id)
    assert (entry["actor"], entry["role"], entry["action"]) == (
        "ops",
        "operator",
        "application.approve",
    )
    assert (entry["vendor_id"], entry["reason"]) == (app.vendor_id, None)
    assert entry["before"] == {"status": "pending"}
    assert entry["after"] == {
        "status": "approved",
        "review_note": None,
        "vendor_id": app.vendor_id,
        "shop_name": TRICKY_SHOP,
    }
    [success] = at.success
    assert unescape(success.value) == (
        f"Application #{app_id} approved: shop #{app.vendor_id} “{TRICKY_SHOP}” is open."
    )
    assert "\\*\\*Kappa\\*\\*" in success.value  # escaped, so Markdown shows the stars
    assert len(at.code) == 0  # no account, no password
    assert set(logins(engine)) == accounts_before
    assert app_id not in list(at.dataframe[0].value["Application"].astype(int))  # left the queue


def test_approve_with_an_account(mall):
    session, engine, apps, _ = mall
    app_id = apps["approve_account"]
    at = _open_application(session, app_id)
    assert at.checkbox(key=f"onboarding_with_account_{app_id}").value is True
    at.text_input(key=f"onboarding_username_{app_id}").set_value(" shop_new ")
    _submit_decision(at)

    app = _application(engine, app_id)
    assert app.status == "approved"
    [entry] = _audit(engine, "supplier_application", app_id)
    assert entry["action"] == "application.approve" and entry["vendor_id"] == app.vendor_id
    assert entry["after"]["shop_name"] == "approve_account 商贸有限公司"
    page = texts(at)
    assert f"Application #{app_id} approved: shop #{app.vendor_id}" in page
    assert "Login account shop_new created" in page
    [code] = at.code
    account = logins(engine)["shop_new"]
    assert (account.role, account.vendor_id) == ("vendor", app.vendor_id)
    assert password_matches(code.value, account.password_hash)
    assert account.must_change_password  # a one-time password


@pytest.mark.parametrize(
    ("key", "username", "message"),
    [
        ("approve_bad_username", "Bad Name!", "A username is 3–32 lower-case letters"),
        ("approve_taken_username", "money", "The username money is taken"),
        ("approve_blank_name", None, "The shop name may not be blank"),
    ],
)
def test_approve_refused_for_bad_input(mall, key, username, message):
    session, engine, apps, _ = mall
    app_id = apps[key]
    at = _open_application(session, app_id)
    if username is None:
        at.text_input(key=f"onboarding_shop_name_{app_id}").set_value("   ")
        at.checkbox(key=f"onboarding_with_account_{app_id}").uncheck()
    else:
        at.text_input(key=f"onboarding_username_{app_id}").set_value(username)
    accounts_before = set(logins(engine))
    before = snapshot(engine)
    _submit_decision(at)
    _refused(engine, at, before, message)
    assert set(logins(engine)) == accounts_before
    assert len(at.code) == 0
    # The form is still there, with what was typed, to correct and submit again.
    assert at.radio(key=f"onboarding_decision_{app_id}").value == "approve"


@pytest.mark.parametrize("decision", ["needs_info", "reject"])
def test_a_note_is_required_to_ask_or_reject(mall, decision):
    session, engine, apps, _ = mall
    app_id = apps["ask" if decision == "needs_info" else "reject"]
    at = _open_application(session, app_id)
    at.radio(key=f"onboarding_decision_{app_id}").set_value(decision)
    at.text_area(key=f"onboarding_note_{app_id}").set_value("   ")
    before = snapshot(engine)
    _submit_decision(at)
    _refused(engine, at, before, "Write a note to the applicant")


def test_ask_for_more_information(mall):
    session, engine, apps, _ = mall
    app_id = apps["ask"]
    at = _open_application(session, app_id)
    at.radio(key=f"onboarding_decision_{app_id}").set_value("needs_info")
    at.selectbox(key=f"onboarding_template_{app_id}").set_value("needs_info.contact")
    at.text_area(key=f"onboarding_note_{app_id}").set_value("请补充 *电话*")
    _submit_decision(at)

    note = (
        "We could not verify the contact details; please give a valid phone and email. "
        "请补充 *电话*"
    )
    app = _application(engine, app_id)
    assert (app.status, app.reviewed_by, app.review_note, app.vendor_id) == (
        "needs_info",
        "ops",
        note,
        None,
    )
    [entry] = _audit(engine, "supplier_application", app_id)
    assert (entry["action"], entry["reason"], entry["vendor_id"]) == (
        "application.needs_info",
        note,
        None,
    )
    assert entry["before"] == {"status": "pending"}
    assert entry["after"] == {"status": "needs_info", "review_note": note}
    assert [s.value for s in at.success] == [f"Asked application #{app_id} for more information."]
    with engine.connect() as conn:
        assert (
            conn.execute(
                sa.select(sa.func.count())
                .select_from(vendors)
                .where(vendors.c.application_id == app_id)
            ).scalar_one()
            == 0
        )
    # It now waits in the Needs info tab, with the decision in its history.
    at = _open_application(session, app_id, tab="needs_info")
    history = at.dataframe[-1].value
    assert list(history["Action"]) == ["Asked for information"]
    assert list(history["Note"]) == [note]


def test_reject_with_a_note(mall):
    session, engine, apps, _ = mall
    app_id = apps["reject"]
    at = _open_application(session, app_id)
    at.radio(key=f"onboarding_decision_{app_id}").set_value("reject")
    at.text_area(key=f"onboarding_note_{app_id}").set_value("类目不符")
    _submit_decision(at)

    app = _application(engine, app_id)
    assert (app.status, app.reviewed_by, app.review_note, app.vendor_id) == (
        "rejected",
        "ops",
        "类目不符",
        None,
    )
    [entry] = _audit(engine, "supplier_application", app_id)
    assert (entry["actor"], entry["action"], entry["reason"]) == (
        "ops",
        "application.reject",
        "类目不符",
    )
    assert entry["after"] == {"status": "rejected", "review_note": "类目不符"}
    assert [s.value for s in at.success] == [f"Application #{app_id} rejected."]


def test_approve_from_needs_info(mall):
    session, engine, apps, _ = mall
    app_id = apps["from_needs_info"]
    at = _open_application(session, app_id, tab="needs_info")
    assert at.radio(key=f"onboarding_decision_{app_id}").options == [
        "Approve and open the shop",
        "Reject",
    ]
    at.checkbox(key=f"onboarding_with_account_{app_id}").uncheck()
    _submit_decision(at)
    app = _application(engine, app_id)
    assert app.status == "approved" and app.vendor_id is not None
    [entry] = _audit(engine, "supplier_application", app_id)
    assert entry["before"] == {"status": "needs_info"}
    assert f"Application #{app_id} approved" in texts(at)


@pytest.mark.parametrize(
    ("decision", "field", "value", "message"),
    [
        ("reject", "note", "资质\x00不符", "The note contains control characters"),
        ("needs_info", "note", "请补充\x1b[1m", "The note contains control characters"),
        ("approve", "shop_name", "新店\x07", "The shop name contains control characters"),
    ],
)
def test_control_characters_are_refused(mall, decision, field, value, message):
    """A NUL would make PostgreSQL fail; any control character is refused with a message."""
    session, engine, apps, _ = mall
    app_id = apps["control_note"]
    at = _open_application(session, app_id)
    at.radio(key=f"onboarding_decision_{app_id}").set_value(decision)
    at.checkbox(key=f"onboarding_with_account_{app_id}").uncheck()
    if field == "note":
        at.text_area(key=f"onboarding_note_{app_id}").set_value(value)
    else:
        at.text_input(key=f"onboarding_shop_name_{app_id}").set_value(value)
    before = snapshot(engine)
    _submit_decision(at)
    _refused(engine, at, before, message)


def test_a_template_of_another_decision_is_refused(mall):
    session, engine, apps, _ = mall
    app_id = apps["template_mismatch"]
    at = _open_application(session, app_id)
    at.radio(key=f"onboarding_decision_{app_id}").set_value("reject")
    at.selectbox(key=f"onboarding_template_{app_id}").set_value("needs_info.brand")
    before = snapshot(engine)
    _submit_decision(at)
    _refused(engine, at, before, "The reason template belongs to another decision")


def test_approve_on_a_stale_view_is_refused(mall):
    """Another operator asked for information meanwhile: no shop, no account, no audit row."""
    session, engine, apps, _ = mall
    app_id = apps["stale_approve"]
    at = _open_application(session, app_id)
    decide_application(
        engine, OTHER, app_id, decision="needs_info", seen_status="pending", note="补充"
    )
    at.text_input(key=f"onboarding_username_{app_id}").set_value("shop_stale")
    accounts_before = set(logins(engine))
    before = snapshot(engine)
    _submit_decision(at)
    _refused(engine, at, before, "ops_other already decided this application at")
    assert "it is now needs info" in unescape(at.error[0].value)
    assert set(logins(engine)) == accounts_before
    assert _application(engine, app_id).status == "needs_info"
    assert len(_audit(engine, "supplier_application", app_id)) == 1  # the other operator's


def test_reject_on_a_stale_view_is_refused(mall):
    session, engine, apps, _ = mall
    app_id = apps["stale_reject"]
    at = _open_application(session, app_id)
    decide_application(engine, OTHER, app_id, decision="approve", seen_status="pending")
    at.radio(key=f"onboarding_decision_{app_id}").set_value("reject")
    at.text_area(key=f"onboarding_note_{app_id}").set_value("重复")
    before = snapshot(engine)
    _submit_decision(at)
    _refused(engine, at, before, "ops_other already decided this application at")
    assert _application(engine, app_id).status == "approved"


def test_decided_outside_this_server_is_refused_and_redrawn(mall):
    """A decision this server never heard of (another server, the platform): refused, and
    the page then shows the application as it is, not the same form again."""
    session, engine, apps, _ = mall
    app_id = apps["outside"]
    at = _open_application(session, app_id)
    with engine.begin() as conn:  # no invalidation: as if written elsewhere
        conn.execute(
            supplier_applications.update()
            .where(supplier_applications.c.application_id == app_id)
            .values(status="rejected", reviewed_by="platform_ops", reviewed_at=NOW, review_note="x")
        )
    at.checkbox(key=f"onboarding_with_account_{app_id}").uncheck()
    before = snapshot(engine)
    _submit_decision(at)
    _refused(engine, at, before, "platform_ops already decided this application at")
    assert "it is now rejected" in unescape(at.error[0].value)
    assert app_id not in list(at.dataframe[0].value["Application"].astype(int))
    assert not any(b.label == "Submit decision" for b in at.button)


# --- Merchants: status changes ------------------------------------------------------------


def _open_shop(session, vendor_id):
    at = session.open("merchants", as_user="ops")
    assert not at.exception
    at.selectbox(key="merchants_pick").set_value(vendor_id).run()
    assert not at.exception
    return at


def _change_status(at, target, reason):
    if target is not None:
        at.radio(key="merchants_action").set_value(target)
    at.text_area(key="merchants_reason").set_value(reason)
    _button(at, "Confirm").click().run()
    assert not at.exception
    return at


@pytest.mark.parametrize(
    ("key", "seen", "target", "action", "label"),
    [
        ("suspend", "active", "suspended", "vendor.suspend", "Suspended"),
        ("reactivate", "suspended", "active", "vendor.reactivate", "Active"),
        ("close", "active", "closed", "vendor.close", "Closed"),
    ],
)
def test_shop_status_actions(mall, key, seen, target, action, label):
    session, engine, _, shops = mall
    vendor_id = shops[key]
    at = _open_shop(session, vendor_id)
    assert f"Current status: {seen.capitalize()}" in texts(at)
    _change_status(at, target, f"原因 {key}")

    assert _shop(engine, vendor_id).status == target
    [entry] = _audit(engine, "vendor", vendor_id)
    assert (entry["actor"], entry["role"], entry["action"]) == ("ops", "operator", action)
    assert (entry["vendor_id"], entry["reason"]) == (vendor_id, f"原因 {key}")
    assert (entry["before"], entry["after"]) == ({"status": seen}, {"status": target})
    assert [unescape(s.value) for s in at.success] == [
        f"Shop #{vendor_id} “{key} shop” is now: {label}."
    ]
    if target == "closed":
        assert "cannot be reopened" in texts(at)
        assert len(at.radio) == 0
    else:
        assert f"Current status: {label}" in texts(at)
        assert at.text_area(key="merchants_reason").value == ""  # the next change needs its own


def test_suspended_vendor_is_refused_then_let_back_in(mall):
    session, engine, _, shops = mall
    vendor_id = shops["suspend"]
    if _shop(engine, vendor_id).status == "active":  # test order does not matter
        _change_status(_open_shop(session, vendor_id), "suspended", "核查")
    shop = session.app(as_user=None)  # the login form: a suspended shop gets no session
    shop.run()
    shop.text_input[0].input("shop_suspend")
    shop.text_input[1].input(TEST_PASSWORD)
    shop.button[0].click().run()
    assert "Your shop is suspended" in texts(shop)
    assert "Signed in as" not in texts(shop)

    _change_status(_open_shop(session, vendor_id), "active", "核查完毕")
    assert _shop(engine, vendor_id).status == "active"
    shop = session.app(as_user="shop_suspend")
    shop.run()
    assert not shop.exception
    assert "Signed in as shop_suspend" in texts(shop)


def test_a_reason_is_required(mall):
    session, engine, _, shops = mall
    at = _open_shop(session, shops["no_reason"])
    before = snapshot(engine)
    _change_status(at, "suspended", "   ")
    _refused(engine, at, before, "Give a reason")
    assert _shop(engine, shops["no_reason"]).status == "active"


def test_a_reason_with_control_characters_is_refused(mall):
    session, engine, _, shops = mall
    at = _open_shop(session, shops["control"])
    before = snapshot(engine)
    _change_status(at, "suspended", "售假\x00")
    _refused(engine, at, before, "The reason contains control characters")


def test_status_changed_meanwhile_is_refused(mall):
    session, engine, _, shops = mall
    vendor_id = shops["stale"]
    at = _open_shop(session, vendor_id)
    set_vendor_status(
        engine, OTHER, vendor_id, status="suspended", seen_status="active", reason="抽检"
    )
    before = snapshot(engine)
    _change_status(at, "suspended", "重复操作")
    _refused(engine, at, before, "ops_other changed this shop at")
    assert "it is now suspended" in unescape(at.error[0].value)
    assert [e["actor"] for e in _audit(engine, "vendor", vendor_id)] == ["ops_other"]


def test_changed_outside_this_server_is_refused_and_redrawn(mall):
    """A status this server never heard of: refused, then the shop is shown as it is now."""
    session, engine, _, shops = mall
    vendor_id = shops["outside"]
    at = _open_shop(session, vendor_id)
    assert "Current status: Active" in texts(at)
    with engine.begin() as conn:  # no invalidation, no audit row: as if written elsewhere
        conn.execute(
            vendors.update().where(vendors.c.vendor_id == vendor_id).values(status="suspended")
        )
    before = snapshot(engine)
    _change_status(at, "suspended", "核查")
    _refused(engine, at, before, "The shop is now suspended. Refresh and try again")
    assert "Current status: Suspended" in texts(at)
    assert at.radio(key="merchants_action").options == ["Reactivate", "Close (final)"]


def test_reactivating_a_shop_closed_meanwhile_is_refused(mall):
    session, engine, _, shops = mall
    vendor_id = shops["stale_closed"]
    at = _open_shop(session, vendor_id)
    assert at.radio(key="merchants_action").options == ["Reactivate", "Close (final)"]
    set_vendor_status(
        engine, OTHER, vendor_id, status="closed", seen_status="suspended", reason="清退"
    )
    before = snapshot(engine)
    _change_status(at, "active", "恢复")
    _refused(engine, at, before, "ops_other changed this shop at")
    assert _shop(engine, vendor_id).status == "closed"


def test_switching_between_shops_of_different_statuses(mall):
    """The action picker follows the shop: a suspended shop's "Reactivate" never carries
    over to an active shop, and what is submitted is what the page showed."""
    session, engine, _, shops = mall
    at = _open_shop(session, shops["switch_suspended"])
    radio = at.radio(key="merchants_action")
    assert radio.options == ["Reactivate", "Close (final)"]
    radio.set_value("active").run()
    assert not at.exception
    at.selectbox(key="merchants_pick").set_value(shops["switch_active"]).run()
    assert not at.exception
    radio = at.radio(key="merchants_action")
    assert radio.options == ["Suspend", "Close (final)"]
    assert radio.value in ("suspended", "closed")
    shown = radio.value
    _change_status(at, None, "换店后提交")
    assert _shop(engine, shops["switch_active"]).status == shown
    assert _shop(engine, shops["switch_suspended"]).status == "suspended"
    [entry] = _audit(engine, "vendor", shops["switch_active"])
    assert entry["after"] == {"status": shown}


def test_shop_names_are_shown_literally(mall):
    session, engine, _, shops = mall
    vendor_id = shops["tricky"]
    at = _open_shop(session, vendor_id)
    _change_status(at, "suspended", "核查")
    [success] = at.success
    assert unescape(success.value) == f"Shop #{vendor_id} “{TRICKY_SHOP}” is now: Suspended."
    assert "\\*\\*Kappa\\*\\*" in success.value and "\\~\\~shop\\~\\~" in success.value
    table = at.dataframe[0].value
    assert TRICKY_SHOP in list(table["Shop"])
    _change_status(_open_shop(session, vendor_id), "active", "核查完毕")
    assert _shop(engine, vendor_id).status == "active"


# --- the wrong role -----------------------------------------------------------------------


@pytest.mark.parametrize("user", ["shop_home", "money"])
@pytest.mark.parametrize("page", ["onboarding", "merchants"])
def test_other_roles_cannot_open_these_pages(mall, user, page):
    session = mall[0]
    title = {"onboarding": "Supplier onboarding", "merchants": "Merchants"}[page]
    at = session.open(page, as_user=user)
    assert not at.exception
    page_text = texts(at)
    assert f"Signed in as {user}" in page_text
    assert f"Your role cannot open the {title} page, so Home is shown instead." in page_text
    assert title not in [e.value for e in at.title]  # Home, not the page
    assert not any(b.label in ("Submit decision", "Confirm") for b in at.button)


def test_other_roles_cannot_decide_or_change_a_shop(mall):
    """The writes themselves refuse a vendor and finance, whatever a page might offer."""
    _, engine, apps, shops = mall
    before = snapshot(engine)
    for actor in (Actor("money", "finance"), Actor("shop", "vendor", vendor_id=shops["tricky"])):
        with pytest.raises(Forbidden):
            decide_application(
                engine, actor, apps["template_mismatch"], decision="approve", seen_status="pending"
            )
        with pytest.raises(Forbidden):
            set_vendor_status(
                engine,
                actor,
                shops["tricky"],
                status="suspended",
                seen_status="active",
                reason="x",
            )
    assert snapshot(engine) == before


# --- in Chinese ----------------------------------------------------------------------------


def test_in_chinese_messages_and_refusals_use_words(mall, tmp_path):
    """The operator reading Chinese gets Chinese messages, with statuses as words, not codes."""
    _, engine, apps, shops = mall
    session = AppSession(engine.url, tmp_path, lang="zh")
    session.add("ops", role="operator")
    app_id, vendor_id = apps["zh"], shops["zh"]
    at = session.open("onboarding", as_user="ops")
    at.selectbox(key="onboarding_pick_pending").set_value(app_id).run()
    decide_application(
        engine, OTHER, app_id, decision="needs_info", seen_status="pending", note="补充"
    )
    at.radio(key=f"onboarding_decision_{app_id}").set_value("reject")
    at.text_area(key=f"onboarding_note_{app_id}").set_value("不符")
    _button(at, "提交决定").click().run()
    assert not at.exception
    [error] = at.error
    assert "此申请已由 ops_other 于" in unescape(error.value)
    assert unescape(error.value).endswith("处理，当前状态为待补充资料")

    at = session.open("merchants", as_user="ops")
    at.selectbox(key="merchants_pick").set_value(vendor_id).run()
    assert "当前状态：营业中" in texts(at)
    at.text_area(key="merchants_reason").set_value("抽检")
    _button(at, "确认").click().run()
    assert not at.exception
    assert [unescape(s.value) for s in at.success] == [
        f"店铺 #{vendor_id}「zh shop」现为：已暂停。"
    ]
    [entry] = _audit(engine, "vendor", vendor_id)
    assert (entry["action"], entry["reason"]) == ("vendor.suspend", "抽检")


# --- a double click -------------------------------------------------------------------------


def test_a_second_callback_of_one_form_waits_for_the_first_and_gets_its_outcome():
    """What `dashboard.ui.submitted` does for a double click: Streamlit runs the second
    callback in another thread while the first still writes."""
    import threading

    from dashboard.ui.submitted import new_form_id, remember, submission

    form_id = new_form_id()
    writing, seen = threading.Event(), []

    def first() -> None:
        with submission(form_id) as earlier:
            assert earlier is None
            writing.set()
            time.sleep(0.3)  # the write
            remember(form_id, "done once")

    def second() -> None:
        writing.wait()
        with submission(form_id) as earlier:
            seen.append(earlier)

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(5)
    assert seen == ["done once"]
    with submission(form_id) as later:  # a later click of that same drawing of the form
        assert later == "done once"
    with submission(new_form_id()) as fresh:  # the next drawing of the form acts again
        assert fresh is None

    refused = new_form_id()
    with submission(refused) as earlier:  # refused: nothing remembered
        assert earlier is None
    with submission(refused) as earlier:  # so a second click tries (and is told) again
        assert earlier is None
