"""Links that work, in AppTest on SQLite and PostgreSQL.

Every page × every role opened by its URL (that page, or Home with a sentence for a
page the role may not open); a link opened before login opens after it with its query;
a reload (a fresh session on the same URL) keeps the filters; the staff's shop and
period follow them from page to page; a vendor never gets another shop from ?vendor=.

A "fresh session on a URL" is what a browser does on a link or F5: the first run is
logged out on that URL (the login form), then the login (here: the state the
authenticator leaves) opens the page in the same session, with the URL's query.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from dashboard.i18n import all_strings
from dashboard.shell.auth import TOKEN
from dashboard.shell.navigation import ACCESS, PAGES
from dashboard.ui.widgets import today_local
from tests.apptest import TEST_PASSWORD, AppSession, texts
from tests.builders import Item, MallBuilder, local

ROLES = ("vendor", "operator", "finance")
USER = {"vendor": "shop_alpha", "operator": "ops", "finance": "money"}
EN = {key: en for key, (_, en) in all_strings().items()}
ZH = {key: zh for key, (zh, _) in all_strings().items()}


@pytest.fixture
def site(empty_db, tmp_path):
    """Two shops with orders (Alpha: 51, one page more than a list shows) and a login per role."""
    with empty_db.begin() as conn:
        b = MallBuilder(conn)
        category = b.category()
        alpha = b.vendor("Alpha 旗舰店")
        beta = b.vendor("Beta Shop")
        buyer = b.member()
        alpha_product = b.product(alpha, category)
        alpha_orders = [
            b.order(
                alpha,
                buyer,
                [Item(alpha_product)],
                paid_at=local(f"2026-11-{1 + n % 28:02d} 10:{n % 60:02d}:00"),
            ).order_no
            for n in range(51)
        ]
        beta_order = b.order(
            beta, buyer, [Item(b.product(beta, category))], paid_at=local("2026-11-01 11:00:00")
        ).order_no
    session = AppSession(empty_db.url, tmp_path)
    session.add("shop_alpha", role="vendor", vendor_id=alpha)
    session.add("ops", role="operator")
    session.add("money", role="finance")
    return session, {"alpha": alpha, "beta": beta}, alpha_orders, beta_order


def _path(name: str) -> str:
    return f"dashboard/pages/{name}.py"


def open_link(session: AppSession, name: str, query: dict | None = None, *, as_user: str):
    """A fresh session opening /<name>?<query>: the login form there, then logged in."""
    at = session.app(as_user=None)
    at.run()
    at.switch_page(_path(name))
    at.query_params.clear()
    at.query_params.update(query or {})
    at.run()
    assert not at.exception, at.exception
    strings = ZH if session.lang == "zh" else EN
    login_form = [strings["login.username"], strings["login.password"]]
    assert [w.label for w in at.text_input] == login_form, name
    # Logged in as the form does it: the session's id handed to this browser tab.
    at.session_state[TOKEN] = session.login_token(as_user)
    at.run()
    assert not at.exception, (name, at.exception)
    return at


def visit(at, name: str):
    """A click on the sidebar's link: Streamlit clears the query on a page switch."""
    at.switch_page(_path(name))
    at.query_params.clear()
    at.run()
    assert not at.exception, (name, at.exception)
    return at


def titles(at) -> list[str]:
    return [str(title.value) for title in at.title]


def forbidden_sentence(name: str, strings: dict = EN) -> str:
    return strings["nav.forbidden"].format(page=strings[PAGES[name].title_key])


@pytest.mark.parametrize("role", ROLES)
def test_every_page_by_url_for_every_role(site, role):
    session, _, _, _ = site
    for name, roles in ACCESS.items():
        at = open_link(session, name, as_user=USER[role])
        warnings = [str(w.value) for w in at.warning]
        if role in roles:
            expected = EN[PAGES[name].title_key]
            if name == "home":
                assert any("at a glance" in title for title in titles(at)), (role, titles(at))
            else:
                assert titles(at)[0] == expected, (role, name, titles(at))
            assert forbidden_sentence(name) not in warnings
        else:
            assert any("at a glance" in title for title in titles(at)), (role, name, titles(at))
            assert warnings == [forbidden_sentence(name)], (role, name, warnings)
            assert at.query_params == {}  # Home's URL, not the forbidden page's query


def test_forbidden_page_sentence_is_in_the_users_language(site):
    session, _, _, _ = site
    session.lang = "zh"
    at = open_link(session, "settlements", as_user="ops")
    sentence = forbidden_sentence("settlements", ZH)
    assert [str(w.value) for w in at.warning] == [sentence]
    assert sentence.startswith("您的角色无法打开") and ZH["page.settlements"] in sentence


def test_link_opened_before_login_opens_after_login_with_its_query(site):
    session, shops, _, _ = site
    session.add("ops_pw", role="operator")
    query = {"vendor": str(shops["beta"]), "period": "last_7", "grain": "week"}
    at = session.app(as_user=None)
    at.run()
    at.switch_page(_path("sales"))
    at.query_params.update(query)
    at.run()
    assert not at.exception
    assert "Sales" not in titles(at) and "Signed in" not in texts(at)
    assert [w.label for w in at.text_input] == ["Username", "Password"]
    at.text_input[0].input("ops_pw")
    at.text_input[1].input(TEST_PASSWORD)
    at.button[0].click().run()
    assert not at.exception
    assert titles(at)[0] == "Sales"
    assert at.sidebar.selectbox(key="scope_vendor").value == shops["beta"]
    assert at.selectbox(key="sales_preset").value == "last_7"
    assert at.radio(key="sales_grain").value == "week"
    assert at.query_params == query


def test_reload_keeps_the_filters(site):
    session, shops, alpha_orders, _ = site
    at = open_link(session, "sales", as_user="ops")
    at.sidebar.selectbox(key="scope_vendor").set_value(shops["alpha"]).run()
    at.selectbox(key="sales_preset").set_value("custom")
    first, last = local("2026-11-02").date(), local("2026-11-20").date()
    at.date_input(key="sales_dates").set_value((first, last))
    at.radio(key="sales_grain").set_value("month")
    at.button[0].click().run()  # the form's Apply
    assert not at.exception
    query = dict(at.query_params)
    assert query == {
        "vendor": str(shops["alpha"]),
        "period": "custom",
        "dates": "2026-11-02..2026-11-20",
        "grain": "month",
    }
    again = open_link(session, "sales", query, as_user="ops")  # F5
    assert titles(again)[0] == "Sales"
    assert again.sidebar.selectbox(key="scope_vendor").value == shops["alpha"]
    assert again.selectbox(key="sales_preset").value == "custom"
    assert tuple(again.date_input(key="sales_dates").value) == (first, last)
    assert again.radio(key="sales_grain").value == "month"
    assert dict(again.query_params) == query

    # Orders: the typed order number and the list's page number.
    orders = open_link(session, "orders", {"vendor": str(shops["alpha"])}, as_user="ops")
    orders.button(key="orders_next").click().run()
    assert dict(orders.query_params) == {"vendor": str(shops["alpha"]), "page": "2"}
    again = open_link(session, "orders", dict(orders.query_params), as_user="ops")
    assert again.number_input(key="orders_page_no").value == 2
    assert "Page 2 of 2" in texts(again)
    wanted = alpha_orders[7]
    again.text_input(key="orders_order_no").input(wanted)
    again.button[0].click().run()
    assert dict(again.query_params) == {"vendor": str(shops["alpha"]), "order": wanted}
    reloaded = open_link(session, "orders", dict(again.query_params), as_user="ops")
    assert reloaded.text_input(key="orders_order_no").value == wanted
    assert f"Order {wanted}" in texts(reloaded)


def test_staff_shop_and_period_follow_across_pages(site):
    session, shops, _, _ = site
    at = open_link(session, "sales", as_user="ops")
    at.sidebar.selectbox(key="scope_vendor").set_value(shops["beta"]).run()
    at.selectbox(key="sales_preset").set_value("last_7")
    at.button[0].click().run()
    for name in ("orders", "members", "home", "campaigns", "sales"):
        visit(at, name)
        if name != "home":  # the mall's own page: no shop picker there
            assert at.sidebar.selectbox(key="scope_vendor").value == shops["beta"], name
            assert at.query_params.get("vendor") == str(shops["beta"]), name
        if name in ("members", "campaigns", "sales"):
            assert at.selectbox(key=f"{name}_preset").value == "last_7", name
            assert at.query_params.get("period") == "last_7", name
    # Back to the whole mall: the URL says so, and so does the next page.
    at.sidebar.selectbox(key="scope_vendor").set_value(None).run()
    assert "vendor" not in at.query_params
    visit(at, "orders")
    assert at.sidebar.selectbox(key="scope_vendor").value is None


def test_finance_period_follows_across_pages(site):
    session, _, _, _ = site
    at = open_link(session, "sales", {"period": "this_month"}, as_user="money")
    assert at.selectbox(key="sales_preset").value == "this_month"
    visit(at, "orders")
    visit(at, "sales")
    assert at.selectbox(key="sales_preset").value == "this_month"


def test_a_vendor_never_gets_another_shop_from_the_url(site):
    session, shops, alpha_orders, beta_order = site
    at = open_link(session, "orders", {"vendor": str(shops["beta"])}, as_user="shop_alpha")
    shown = texts(at)
    assert alpha_orders[-1] in shown or alpha_orders[0] in shown
    assert beta_order not in shown and "Beta Shop" not in shown
    assert not [box for box in at.sidebar.selectbox if box.key == "scope_vendor"]
    at = open_link(
        session, "orders", {"vendor": str(shops["beta"]), "order": beta_order}, as_user="shop_alpha"
    )
    assert f"Order {beta_order}" not in texts(at)
    assert "No order numbered" in texts(at)


def test_bad_values_in_the_url_are_ignored(site):
    session, _, _, _ = site
    query = {"vendor": "999999", "period": "forever", "grain": "year", "dates": "x..y"}
    at = open_link(session, "sales", query, as_user="ops")
    assert titles(at)[0] == "Sales"
    assert at.sidebar.selectbox(key="scope_vendor").value is None
    assert at.selectbox(key="sales_preset").value == "last_30"
    assert at.radio(key="sales_grain").value == "day"
    assert dict(at.query_params) == {}  # the URL now says what the page shows
    at = open_link(session, "orders", {"page": "abc"}, as_user="ops")
    assert at.number_input(key="orders_page_no").value == 1


def test_finance_month_is_in_the_url_and_follows_to_reconciliation(site):
    session, _, _, _ = site
    today = today_local()
    this_month = today.replace(day=1)
    last_month = (this_month - timedelta(days=1)).replace(day=1)
    earlier = (last_month - timedelta(days=1)).replace(day=1)
    at = open_link(session, "settlements", {"month": earlier.strftime("%Y-%m")}, as_user="money")
    assert at.selectbox(key="settlements_month").value == earlier
    assert dict(at.query_params) == {"month": earlier.strftime("%Y-%m")}
    visit(at, "reconciliation")  # the month follows, and is in the new page's URL
    assert at.radio(key="reconciliation_mode").value == "month"
    assert at.selectbox(key="reconciliation_month").value == earlier
    assert dict(at.query_params) == {"month": earlier.strftime("%Y-%m")}

    # A custom range: in the URL, kept by a reload.
    at.radio(key="reconciliation_mode").set_value("custom")
    at.date_input(key="reconciliation_dates").set_value((earlier, earlier + timedelta(days=9)))
    at.button[0].click().run()
    dates = f"{earlier.isoformat()}..{(earlier + timedelta(days=9)).isoformat()}"
    assert dict(at.query_params) == {"dates": dates}
    again = open_link(session, "reconciliation", {"dates": dates}, as_user="money")
    assert again.radio(key="reconciliation_mode").value == "custom"
    assert tuple(again.date_input(key="reconciliation_dates").value) == (
        earlier,
        earlier + timedelta(days=9),
    )
    # Last month is the default: not written.
    default = {"month": last_month.strftime("%Y-%m")}
    back = open_link(session, "settlements", default, as_user="money")
    assert back.selectbox(key="settlements_month").value == last_month
    assert dict(back.query_params) == {}


@pytest.mark.parametrize("name", ["products", "promotions"])
def test_a_page_number_past_the_end_shows_the_last_page(site, name):
    session, _, _, _ = site
    at = open_link(session, name, {"page": "99"}, as_user="ops")
    assert titles(at)[0] == EN[PAGES[name].title_key]
    assert at.session_state[f"{name}_page_no"] == 1
    assert "page" not in at.query_params


def test_logout_forgets_the_shop_and_period(site):
    session, shops, _, _ = site
    at = open_link(
        session, "sales", {"vendor": str(shops["beta"]), "period": "last_7"}, as_user="ops"
    )
    assert at.sidebar.selectbox(key="scope_vendor").value == shops["beta"]
    at.sidebar.button(key="mb_logout").click().run()
    assert [w.label for w in at.text_input] == ["Username", "Password"]
    at.query_params.clear()  # the next person opens the app's address and logs in
    at.text_input[0].input("ops")
    at.text_input[1].input(TEST_PASSWORD)
    at.button[0].click().run()
    visit(at, "sales")
    assert at.sidebar.selectbox(key="scope_vendor").value is None
    assert at.selectbox(key="sales_preset").value == "last_30"


@pytest.mark.parametrize(
    ("name", "query", "widgets"),
    [
        ("products", {"q": "面霜"}, {"products_search": "面霜"}),
        ("merchants", {"q": "Beta"}, {"merchants_search": "Beta"}),
        ("onboarding", {"q": "abc", "status": "rejected"}, {"onboarding_search": "abc"}),
        ("members", {"grain": "month", "period": "last_7"}, {"members_preset": "last_7"}),
    ],
)
def test_each_pages_filters_open_from_the_url_and_stay_there(site, name, query, widgets):
    session, _, _, _ = site
    at = open_link(session, name, query, as_user="ops")
    assert titles(at)[0] == EN[PAGES[name].title_key]
    for key, value in widgets.items():
        assert at.session_state[key] == value, key
    if name == "onboarding":
        assert at.session_state["onboarding_status"] == "rejected"
    if name == "members":
        assert at.selectbox(key="m_grain").value == "month"
    assert dict(at.query_params) == query


def test_the_audit_trails_filters_are_in_the_url(site, empty_db):
    """Action, entity and person chosen on the Audit log reload from the link; junk is ignored."""
    from queries.audit import record
    from queries.core.actors import Actor

    session, shops, _, _ = site
    ops = Actor(username="ops", role="operator")
    with empty_db.begin() as conn:
        for action, entity in (("product.update", "product"), ("vendor.suspend", "vendor")):
            record(conn, ops, action=action, entity=entity, entity_id=1, vendor_id=shops["beta"])
    at = open_link(session, "audit", as_user="ops")
    at.selectbox(key="audit_action").set_value("vendor.suspend")
    at.selectbox(key="audit_actor").set_value("ops")
    [b for b in at.button if b.label == "Search"][0].click().run()
    assert not at.exception
    query = dict(at.query_params)
    assert query == {"action": "vendor.suspend", "who": "ops"}
    again = open_link(session, "audit", query, as_user="ops")  # F5 or a shared link
    assert again.selectbox(key="audit_action").value == "vendor.suspend"
    assert again.selectbox(key="audit_actor").value == "ops"
    assert again.selectbox(key="audit_entity").value == ""
    assert dict(again.query_params) == query
    junk = open_link(session, "audit", {"action": "drop.table", "who": "x"}, as_user="ops")
    assert junk.selectbox(key="audit_action").value == ""
    assert junk.selectbox(key="audit_actor").value == ""


def test_the_audit_trails_next_and_previous_buttons_page_through_it(site, empty_db):
    """51 entries: Next shows page 2 (one entry, in the URL), Previous goes back to page 1."""
    from queries.audit import record
    from queries.core.actors import Actor

    session, shops, _, _ = site
    ops = Actor(username="ops", role="operator")
    with empty_db.begin() as conn:
        for n in range(51):
            record(conn, ops, action="product.update", entity="product", entity_id=n,
                   vendor_id=shops["alpha"])  # fmt: skip
    at = open_link(session, "audit", as_user="ops")
    assert "51 entries · page 1 of 2" in texts(at)
    at.button(key="audit_next").click().run()
    assert not at.exception
    assert "51 entries · page 2 of 2" in texts(at)
    assert len(at.dataframe[0].value) == 1 and dict(at.query_params) == {"page": "2"}
    assert at.button(key="audit_next").disabled
    at.button(key="audit_prev").click().run()
    assert "51 entries · page 1 of 2" in texts(at) and len(at.dataframe[0].value) == 50
    assert at.button(key="audit_prev").disabled
