"""The app shell in AppTest: login, roles → pages, refused logins, error pages.

A smoke test opens every page for every role that may see it, and proves that
a page a role may not see opens Home with a sentence saying so (never the page).
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from dashboard.i18n import all_strings
from dashboard.shell.auth import TOKEN
from dashboard.shell.navigation import ACCESS, PAGES, pages_for
from queries.console.accounts import create_account, set_account_disabled
from queries.console.tables import sessions
from queries.core.actors import System
from tests.apptest import AppSession, texts
from tests.builders import Item, MallBuilder, local

ROLES = ("vendor", "operator", "finance")


@pytest.fixture
def mall(empty_db, tmp_path):
    """Two shops (one suspended) with a sale each, and an account per role."""
    with empty_db.begin() as conn:
        b = MallBuilder(conn)
        category = b.category()
        shop = b.vendor("Alpha 旗舰店")
        other = b.vendor("Beta Shop")
        suspended = b.vendor("Gamma", status="suspended")
        buyer = b.member()
        b.order(
            shop, buyer, [Item(b.product(shop, category))], paid_at=local("2026-11-01 10:00:00")
        )
        b.order(
            other, buyer, [Item(b.product(other, category))], paid_at=local("2026-11-01 11:00:00")
        )
    session = AppSession(empty_db.url, tmp_path)
    session.add("shop_alpha", role="vendor", vendor_id=shop)
    session.add("shop_gamma", role="vendor", vendor_id=suspended)
    session.add("ops", role="operator")
    session.add("money", role="finance")
    session.add("gone", role="operator", disabled=True)
    session.engine = empty_db
    session.shops = {"alpha": shop, "gamma": suspended}
    return session


SHELL = System("shell:test", "shell")


USER = {"vendor": "shop_alpha", "operator": "ops", "finance": "money"}


def test_access_table_matches_sections():
    for role in ROLES:
        listed = {spec.name for _, specs in pages_for(role) for spec in specs}
        allowed = {name for name, roles in ACCESS.items() if role in roles}
        assert listed == allowed, role
    assert set(ACCESS) == set(PAGES)


@pytest.mark.parametrize("role", ROLES)
def test_every_allowed_page_runs(mall, role):
    downloads = 0
    for name, roles in ACCESS.items():
        if role not in roles:
            continue
        at = mall.open(name, as_user=USER[role])
        assert not at.exception, (role, name, at.exception)
        assert "Something unexpected" not in texts(at), (role, name)
        # A download makes its file on the click; it must not also rerun the whole page.
        for button in at.get("download_button"):
            assert button.proto.ignore_rerun, (role, name, button.label)
            downloads += 1
    assert downloads > 0, role


@pytest.mark.parametrize("role", ROLES)
def test_pages_outside_the_role_open_home_with_a_sentence(mall, role):
    """Registered hidden (no "Page not found"), never run: Home says why instead."""
    for name, roles in ACCESS.items():
        if role in roles:
            continue
        at = mall.open(name, as_user=USER[role])
        assert not at.exception, (role, name)
        assert "at a glance" in " ".join(h.value for h in at.title), (role, name)  # Home
        title = all_strings()[PAGES[name].title_key][1]
        assert [w.value for w in at.warning] == [
            f"Your role cannot open the {title} page, so Home is shown instead."
        ], (role, name)


def test_logged_out_visitor_sees_only_the_login_form(mall):
    at = mall.app(as_user=None)
    at.run()
    assert not at.exception
    assert [w.label for w in at.text_input] == ["Username", "Password"]
    assert "Signed in" not in texts(at)


def test_login_with_password_then_logout(mall):
    create_account(
        mall.engine,
        SHELL,
        username="shop_pw",
        role="vendor",
        vendor_id=mall.shops["alpha"],
        password="right-password-1",
    )
    at = mall.app(as_user=None)
    at.run()
    at.text_input[0].input("shop_pw")
    at.text_input[1].input("wrong-password")
    at.button[0].click().run()
    assert "Wrong username or password" in texts(at)
    assert "Signed in" not in texts(at)

    at.text_input[0].input("shop_pw")
    at.text_input[1].input("right-password-1")
    at.button[0].click().run()
    assert not at.exception
    assert "Signed in as shop_pw (Vendor)" in texts(at)
    assert not at.text_input  # the login form is gone

    token = at.session_state[TOKEN]
    at.sidebar.button(key="mb_logout").click().run()
    assert [w.label for w in at.text_input] == ["Username", "Password"]
    # Logging out deleted the session: its id logs nobody in again.
    with mall.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(sessions)).scalar() == 0
    again = mall.app(as_user=None)
    again.session_state[TOKEN] = token
    again.run()
    assert "Signed in" not in texts(again)
    assert [w.label for w in again.text_input] == ["Username", "Password"]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_empty_login_submit_says_what_is_missing(mall, lang):
    mall.lang = lang
    at = mall.app(as_user=None)
    at.run()
    at.button[0].click().run()  # nothing typed
    expected = all_strings()["login.empty"][0 if lang == "zh" else 1]
    assert [e.value for e in at.error] == [expected]
    at.text_input[0].input("ops")
    at.button[0].click().run()  # a username without its password
    assert [e.value for e in at.error] == [expected]
    assert not at.exception
    assert TOKEN not in at.session_state


def test_unknown_user_is_refused(mall):
    at = mall.app(as_user=None)
    at.run()
    at.text_input[0].input("nobody")
    at.text_input[1].input("whatever-password")
    at.button[0].click().run()
    assert "Wrong username or password" in texts(at)


def _log_in(at, username: str, password: str = "password-for-tests") -> None:
    at.text_input[0].input(username)
    at.text_input[1].input(password)
    at.button[0].click().run()


def test_suspended_shop_is_told_why(mall):
    at = mall.app(as_user=None)
    at.run()
    _log_in(at, "shop_gamma")
    assert not at.exception
    assert "Your shop is suspended" in texts(at)
    assert "Signed in" not in texts(at)


def test_shop_suspended_while_logged_in_is_logged_out_at_the_next_click(mall):
    at = mall.open("sales", as_user="shop_alpha")
    assert "Signed in as shop_alpha" in texts(at)
    with mall.engine.begin() as conn:
        conn.exec_driver_sql(
            f"UPDATE vendors SET status = 'suspended' WHERE vendor_id = {mall.shops['alpha']}"
        )
    at.run()
    assert "Your shop is suspended" in texts(at)
    assert "Signed in" not in texts(at)


def test_disabled_account_cannot_log_in(mall):
    at = mall.app(as_user=None)
    at.run()
    _log_in(at, "gone")
    assert "This account is disabled" in texts(at)
    assert "Signed in" not in texts(at)


def test_account_disabled_while_logged_in_is_logged_out_at_the_next_click(mall):
    at = mall.open("sales", as_user="ops")
    assert "Signed in as ops" in texts(at)
    set_account_disabled(mall.engine, SHELL, username="ops", disabled=True)
    at.run()
    assert "This account is disabled" in texts(at)
    assert "Signed in" not in texts(at)
    assert [w.label for w in at.text_input] == ["Username", "Password"]


def test_chinese_is_one_switch_away(mall):
    at = mall.app(as_user="ops")
    at.run()
    at.sidebar.segmented_control(key="lang_picker").set_value("zh").run()
    assert "当前用户：ops（运营）" in texts(at)


def test_unreachable_database_is_a_clear_page(tmp_path, monkeypatch):
    session = AppSession("postgresql+psycopg://nobody@127.0.0.1:1/none", tmp_path, migrate=False)
    at = session.app(as_user=None)
    at.run()
    assert not at.exception
    assert "Cannot reach the database" in texts(at)


def test_missing_contract_table_is_named(db_factory, tmp_path):
    engine = db_factory.engine("sqlite")
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP TABLE note_views")
    session = AppSession(engine.url, tmp_path)
    session.add("ops", role="operator")
    at = session.app(as_user="ops")
    at.run()
    assert not at.exception
    assert "note_views" in texts(at)
    assert "does not match the contract" in texts(at)


def test_short_cookie_key_is_refused(mall, monkeypatch):
    monkeypatch.setenv("MALLBOARD_COOKIE_KEY", "short")
    at = mall.app(as_user="ops")
    monkeypatch.setenv("MALLBOARD_COOKIE_KEY", "short")  # app() resets it; set it again
    at.run()
    assert not at.exception
    assert "signing key" in texts(at)
