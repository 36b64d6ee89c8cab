"""The Merchants page's shop logins, clicked in AppTest on SQLite and PostgreSQL: reset the
password, disable, enable, unlock — and the refusals (a stale view, the wrong role).

Each action is checked three ways: the account's (and its sessions') rows, the audit_log
row written with it, and the message shown; a refusal is checked to change nothing.
"""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from dashboard.i18n import all_strings
from dashboard.shell.context import settings
from queries.console.accounts import reset_password, set_account_disabled, unlock_account
from queries.console.logins import log_in
from queries.console.passwords import password_matches
from queries.console.tables import accounts, lockouts, sessions
from queries.core.actors import Actor, System
from queries.core.errors import Forbidden
from queries.core.schema import audit_log
from tests.apptest import TEST_PASSWORD, AppSession, as_seen, markdown_source, texts
from tests.builders import MallBuilder

EN = {key: pair[1] for key, pair in all_strings().items()}
OTHER_OPERATOR = System("shell:someone", "shell")


@pytest.fixture
def mall(empty_db, tmp_path):
    with empty_db.begin() as conn:
        b = MallBuilder(conn)
        alpha, beta = b.vendor("Alpha"), b.vendor("Beta")
    session = AppSession(empty_db.url, tmp_path)
    session.add("ops", role="operator")
    session.add("money", role="finance")
    session.add("shop_a", role="vendor", vendor_id=alpha)
    session.add("shop_a_new", role="vendor", vendor_id=alpha, must_change_password=True)
    session.add("shop_b", role="vendor", vendor_id=beta)
    return session, empty_db, alpha


# --- helpers ------------------------------------------------------------------------------


def _account(engine, username):
    with engine.connect() as conn:
        return conn.execute(sa.select(accounts).where(accounts.c.username == username)).one()


def _session_count(engine, username) -> int:
    with engine.connect() as conn:
        return conn.execute(
            sa.select(sa.func.count()).where(sessions.c.username == username)
        ).scalar_one()


def _audit(engine, action: str) -> list:
    with engine.connect() as conn:
        return conn.execute(
            sa.select(audit_log).where(audit_log.c.action == action).order_by(audit_log.c.audit_id)
        ).all()


def _trail_size(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(audit_log)).scalar_one()


def _open(session, vendor_id, login="shop_a"):
    """The Merchants page as an operator, the shop and one of its logins picked."""
    at = session.open("merchants", as_user="ops")
    assert not at.exception
    at.selectbox(key="merchants_pick").set_value(vendor_id).run()
    at.selectbox(key=f"shop_logins_pick_{vendor_id}").set_value(login).run()
    assert not at.exception
    return at


def _button(at, key):
    return next(b for b in at.button if b.key == key)


def _logins(at):
    frame = next(f.value for f in at.dataframe if "Open sessions" in f.value.columns)
    return frame.set_index("Username")


def _shown(at) -> str:
    return as_seen(markdown_source(at))


def _reset(at, engine, username="shop_a"):
    version = _account(engine, username).version
    at.checkbox(key=f"shop_logins_{username}_reset_sure_{version}").check().run()
    _button(at, f"shop_logins_{username}_reset").click().run()
    assert not at.exception
    return at


def _lock(engine, username="shop_a"):
    for _ in range(5):
        log_in(engine, username=username, password="not-the-password")
    assert log_in(engine, username=username, password=TEST_PASSWORD).status == "locked"


# --- the table ----------------------------------------------------------------------------


def test_the_picked_shop_lists_its_logins_with_their_state(mall):
    session, engine, alpha = mall
    session.login_token("shop_a")
    session.login_token("shop_a")
    _lock(engine, "shop_a_new")
    at = _open(session, alpha)
    table = _logins(at)
    assert list(table.index) == ["shop_a", "shop_a_new"]  # not the other shop's shop_b
    assert table.loc["shop_a", "Status"] == "Active"
    assert table.loc["shop_a", "Open sessions"] == 2
    with engine.connect() as conn:
        until = conn.execute(
            sa.select(lockouts.c.locked_until).where(lockouts.c.subject == "shop_a_new")
        ).scalar_one()
    hhmm = until.astimezone(settings().tz).strftime("%H:%M")
    assert table.loc["shop_a_new", "Status"] == (f"Locked until {hhmm} · One-time password pending")
    # Unlock is offered only for a locked login.
    assert "shop_logins_shop_a_unlock" not in [b.key for b in at.button]
    at.selectbox(key=f"shop_logins_pick_{alpha}").set_value("shop_a_new").run()
    assert "shop_logins_shop_a_new_unlock" in [b.key for b in at.button]


# --- reset password -----------------------------------------------------------------------


def test_reset_password_shows_a_one_time_password_once(mall):
    session, engine, alpha = mall
    session.login_token("shop_a")
    at = _open(session, alpha)
    before = _account(engine, "shop_a")
    assert _button(at, "shop_logins_shop_a_reset").disabled  # the tick confirms first
    _reset(at, engine)

    (code,) = at.code
    password = code.value
    after = _account(engine, "shop_a")
    assert password_matches(password, after.password_hash)
    assert not password_matches(TEST_PASSWORD, after.password_hash)
    assert bool(after.must_change_password) and after.version == before.version + 1
    assert _session_count(engine, "shop_a") == 0
    (row,) = _audit(engine, "account.reset_password")
    assert (row.actor, row.role, row.entity, row.entity_id, row.vendor_id) == (
        "ops",
        "operator",
        "account",
        "shop_a",
        alpha,
    )
    assert json.loads(row.after) == {"one_time_password": True}
    assert password not in (row.after or "") + (row.before or "") + (row.reason or "")
    assert EN["shop_logins.reset.done"].format(username="shop_a") in _shown(at)
    assert _logins(at).loc["shop_a", "Status"] == "One-time password pending"
    at.run()  # shown once
    assert not at.code
    assert EN["shop_logins.reset.done"].format(username="shop_a") not in _shown(at)
    outcome = log_in(engine, username="shop_a", password=password)
    assert outcome.status == "ok" and outcome.must_change_password


# --- disable, enable ----------------------------------------------------------------------


def test_disable_logs_the_shop_out_and_enable_lets_it_back(mall):
    session, engine, alpha = mall
    vendor = session.open("sales", as_user="shop_a")  # the shop's own browser, open
    assert "Signed in as shop_a" in texts(vendor)
    at = _open(session, alpha)
    _button(at, "shop_logins_shop_a_disable").click().run()
    assert not at.exception

    account = _account(engine, "shop_a")
    assert bool(account.disabled)
    (row,) = _audit(engine, "account.disable")
    assert (row.actor, row.entity_id, row.vendor_id) == ("ops", "shop_a", alpha)
    assert (json.loads(row.before), json.loads(row.after)) == (
        {"disabled": False},
        {"disabled": True},
    )
    assert EN["shop_logins.disable.done"].format(username="shop_a") in _shown(at)
    assert _logins(at).loc["shop_a", "Status"] == "Disabled"
    # The shop's next click shows the login form, and its password is refused as disabled.
    vendor.run()
    assert EN["login.account_disabled"] in texts(vendor)
    assert [w.label for w in vendor.text_input] == ["Username", "Password"]
    vendor.text_input[0].input("shop_a")
    vendor.text_input[1].input(TEST_PASSWORD)
    vendor.button[0].click().run()
    assert EN["login.account_disabled"] in texts(vendor)
    assert "Signed in" not in texts(vendor)

    # Enable: the button has turned into "Enable".
    _button(at, "shop_logins_shop_a_enable").click().run()
    assert not at.exception
    assert not _account(engine, "shop_a").disabled
    (row,) = _audit(engine, "account.enable")
    assert (row.actor, json.loads(row.after)) == ("ops", {"disabled": False})
    assert EN["shop_logins.enable.done"].format(username="shop_a") in _shown(at)
    assert _logins(at).loc["shop_a", "Status"] == "Active"
    assert log_in(engine, username="shop_a", password=TEST_PASSWORD).status == "ok"


# --- unlock -------------------------------------------------------------------------------


def test_unlock_a_locked_login(mall):
    session, engine, alpha = mall
    _lock(engine)
    at = _open(session, alpha)
    assert _logins(at).loc["shop_a", "Status"].startswith("Locked until ")
    _button(at, "shop_logins_shop_a_unlock").click().run()
    assert not at.exception

    with engine.connect() as conn:
        assert conn.execute(sa.select(lockouts)).all() == []
    (row,) = _audit(engine, "account.unlock")
    assert (row.actor, row.entity_id, row.vendor_id) == ("ops", "shop_a", alpha)
    assert "locked_until" in json.loads(row.before)
    assert EN["shop_logins.unlock.done"].format(username="shop_a") in _shown(at)
    assert _logins(at).loc["shop_a", "Status"] == "Active"
    assert "shop_logins_shop_a_unlock" not in [b.key for b in at.button]
    assert log_in(engine, username="shop_a", password=TEST_PASSWORD).status == "ok"


def test_unlock_of_a_login_unlocked_meanwhile_says_so(mall):
    session, engine, alpha = mall
    _lock(engine)
    at = _open(session, alpha)
    unlock_account(engine, OTHER_OPERATOR, username="shop_a")  # someone was quicker
    size = _trail_size(engine)
    _button(at, "shop_logins_shop_a_unlock").click().run()
    assert EN["shop_logins.unlock.not_locked"].format(username="shop_a") in _shown(at)
    assert _trail_size(engine) == size


# --- refusals -----------------------------------------------------------------------------


def test_a_stale_view_is_refused_and_changes_nothing(mall):
    session, engine, alpha = mall
    at = _open(session, alpha)
    version = _account(engine, "shop_a").version
    at.checkbox(key=f"shop_logins_shop_a_reset_sure_{version}").check().run()
    # Someone else resets the password after this page was drawn.
    reset_password(engine, OTHER_OPERATOR, username="shop_a")
    seen = _account(engine, "shop_a")
    size = _trail_size(engine)
    conflict = EN["error.console.accounts.changed_meanwhile"].format(username="shop_a")

    _button(at, "shop_logins_shop_a_disable").click().run()
    assert not at.exception
    assert [as_seen(e.value) for e in at.error] == [conflict]
    assert _account(engine, "shop_a") == seen and _trail_size(engine) == size

    # The page now shows the new version: a reset clicked on an older drawing is refused too.
    at2 = _open(session, alpha)
    version = _account(engine, "shop_a").version
    at2.checkbox(key=f"shop_logins_shop_a_reset_sure_{version}").check().run()
    set_account_disabled(engine, OTHER_OPERATOR, username="shop_a", disabled=True)
    seen, size = _account(engine, "shop_a"), _trail_size(engine)
    _button(at2, "shop_logins_shop_a_reset").click().run()
    assert [as_seen(e.value) for e in at2.error] == [conflict]
    assert not at2.code
    assert _account(engine, "shop_a") == seen and _trail_size(engine) == size


@pytest.mark.parametrize("user", ["shop_a", "money"])
def test_a_vendor_or_finance_cannot_see_or_use_these_actions(mall, user):
    session, engine, alpha = mall
    at = session.open("merchants", as_user=user)
    assert not at.exception
    assert EN["nav.forbidden"].format(page="Merchants") in texts(at)
    assert not [b for b in at.button if (b.key or "").startswith("shop_logins_")]
    at = session.open("account", as_user=user)
    assert not [b for b in at.button if (b.key or "").startswith("shop_logins_")]
    # And the writes themselves refuse them, changing nothing.
    row, size = _account(engine, "shop_a"), _trail_size(engine)
    actor = Actor("shop_a", "vendor", alpha) if user == "shop_a" else Actor("money", "finance")
    for write in (
        lambda: reset_password(engine, actor, username="shop_a"),
        lambda: set_account_disabled(engine, actor, username="shop_a", disabled=True),
        lambda: unlock_account(engine, actor, username="shop_a"),
    ):
        with pytest.raises(Forbidden):
            write()
    assert _account(engine, "shop_a") == row and _trail_size(engine) == size
