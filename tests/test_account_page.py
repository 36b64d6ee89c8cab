"""My account, clicked in AppTest on SQLite and PostgreSQL: change the password, the
active sessions, log out everywhere.

Each action is checked three ways: the account's and sessions' rows, the audit_log row
written with it, and the message shown. Each refusal is checked to change nothing (the
account's row, its sessions and the audit trail are as before).
"""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from dashboard.i18n import all_strings
from dashboard.shell.auth import SESSION_HASH, TOKEN
from dashboard.shell.context import settings
from queries.console.logins import log_in
from queries.console.passwords import password_matches
from queries.console.sessions import hash_token
from queries.console.tables import accounts, sessions
from queries.core.schema import audit_log
from tests.apptest import TEST_PASSWORD, AppSession, as_seen, texts
from tests.builders import MallBuilder

NEW_PASSWORD = "lantern-Orchid-2931"
EN = {key: pair[1] for key, pair in all_strings().items()}


@pytest.fixture
def mall(empty_db, tmp_path):
    with empty_db.begin() as conn:
        shop = MallBuilder(conn).vendor("Alpha")
    session = AppSession(empty_db.url, tmp_path)
    session.add("shop1", role="vendor", vendor_id=shop)
    session.add("ops", role="operator")
    session.add("money", role="finance")
    return session, empty_db


# --- helpers ------------------------------------------------------------------------------


def _account(engine, username):
    with engine.connect() as conn:
        return conn.execute(sa.select(accounts).where(accounts.c.username == username)).one()


def _session_hashes(engine, username) -> set[str]:
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(sessions.c.session_hash).where(sessions.c.username == username)
        )
        return {r[0] for r in rows}


def _audit(engine, action: str) -> list:
    with engine.connect() as conn:
        return conn.execute(
            sa.select(audit_log).where(audit_log.c.action == action).order_by(audit_log.c.audit_id)
        ).all()


def _state(engine, username):
    """What a refused change must leave as it was."""
    row = _account(engine, username)
    with engine.connect() as conn:
        trail = conn.execute(sa.select(sa.func.count()).select_from(audit_log)).scalar_one()
    return (
        (row.password_hash, row.version, row.must_change_password),
        _session_hashes(engine, username),
        trail,
    )


def _button(at, key):
    return next(b for b in at.button if b.key == key)


def _submit_passwords(at, current: str, new: str, again: str):
    at.text_input(key="account_current").input(current)
    at.text_input(key="account_new").input(new)
    at.text_input(key="account_again").input(again)
    next(b for b in at.button if b.label == "Save the new password").click().run()
    assert not at.exception
    return at


def _table(at):
    assert len(at.dataframe) == 1
    return at.dataframe[0].value


# --- the page -----------------------------------------------------------------------------


@pytest.mark.parametrize("user", ["shop1", "ops", "money"])
def test_every_role_has_my_account(mall, user):
    session, _ = mall
    at = session.open("account", as_user=user)
    assert not at.exception
    assert at.title[0].value == "My account"
    labels = [w.label for w in at.text_input]
    assert labels == ["Current password", "New password", "New password again"]
    assert "Log out everywhere" in [b.label for b in at.button]
    assert "Reset password" not in [b.label for b in at.button]  # no one else's logins here


def test_the_page_speaks_chinese(mall):
    session, _ = mall
    session.lang = "zh"
    at = session.open("account", as_user="shop1")
    assert at.title[0].value == "我的账号"
    assert [w.label for w in at.text_input] == ["当前密码", "新密码", "再次输入新密码"]
    assert "本浏览器" in _table(at).iloc[:, 0].tolist()


# --- change password ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("current", "new", "again", "expected"),
    [
        (
            "wrong-password-1",
            NEW_PASSWORD,
            NEW_PASSWORD,
            "error.console.accounts.current_password_wrong",
        ),
        (TEST_PASSWORD, NEW_PASSWORD, NEW_PASSWORD + "x", "account.password.differ"),
        (TEST_PASSWORD, "password123", "password123", "error.console.passwords.common"),
        (TEST_PASSWORD, "short-1", "short-1", "error.console.passwords.too_short"),
        ("", NEW_PASSWORD, NEW_PASSWORD, "error.console.accounts.passwords_required"),
    ],
    ids=["wrong_current", "mismatch", "common", "short", "empty_current"],
)
def test_a_refused_password_change_changes_nothing(mall, current, new, again, expected):
    session, engine = mall
    session.login_token("shop1")  # another browser: it must stay logged in
    at = session.open("account", as_user="shop1")
    before = _state(engine, "shop1")
    _submit_passwords(at, current, new, again)
    assert len(at.error) == 1
    assert as_seen(at.error[0].value) == EN[expected].format(length=10)  # as a person reads it
    assert not at.success
    assert _state(engine, "shop1") == before
    assert [w.value for w in at.text_input] == ["", "", ""]  # no password stays in the form


def test_changing_the_password(mall):
    session, engine = mall
    other = session.login_token("shop1")  # another browser of the same account
    ops_token = session.login_token("ops")  # someone else's session: untouched
    at = session.open("account", as_user="shop1")
    mine = at.session_state[SESSION_HASH]
    before = _account(engine, "shop1")
    assert _session_hashes(engine, "shop1") == {hash_token(other), mine}

    _submit_passwords(at, TEST_PASSWORD, NEW_PASSWORD, NEW_PASSWORD)

    assert [s.value for s in at.success] == [EN["account.password.done"]]
    after = _account(engine, "shop1")
    assert after.password_hash != before.password_hash
    assert password_matches(NEW_PASSWORD, after.password_hash)
    assert not password_matches(TEST_PASSWORD, after.password_hash)
    assert after.must_change_password is False or after.must_change_password == 0
    assert after.version == before.version + 1
    assert _session_hashes(engine, "shop1") == {mine}  # the other browser is logged out
    assert _session_hashes(engine, "ops") == {hash_token(ops_token)}
    (row,) = _audit(engine, "account.change_password")
    assert (row.actor, row.role, row.entity, row.entity_id) == (
        "shop1",
        "vendor",
        "account",
        "shop1",
    )
    assert json.loads(row.after) == {"one_time_password": False}
    # This browser goes on; the message shows once; the new password logs in.
    at.run()
    assert not at.exception and at.title[0].value == "My account" and not at.success
    assert log_in(engine, username="shop1", password=TEST_PASSWORD).status == "failed"
    assert log_in(engine, username="shop1", password=NEW_PASSWORD).status == "ok"


# --- sessions -----------------------------------------------------------------------------


def test_the_sessions_table_lists_each_browser_and_marks_this_one(mall):
    session, engine = mall
    other = session.login_token("shop1")
    agent = "Mozilla/5.0 **bold** <b>x</b> [a](b) $x$"
    with engine.begin() as conn:
        conn.execute(
            sessions.update()
            .where(sessions.c.session_hash == hash_token(other))
            .values(client_address="203.0.113.7", user_agent=agent)
        )
    at = session.open("account", as_user="shop1")
    mine = at.session_state[SESSION_HASH]
    table = _table(at)
    assert list(table.columns) == ["Current", "Started", "Last active", "Address", "Browser"]
    assert len(table) == 2
    assert sorted(table["Current"]) == ["", "This browser"]
    theirs = table[table["Current"] == ""].iloc[0]
    assert theirs["Browser"] == agent  # as the browser sent it, never as Markdown
    assert theirs["Address"] == "203.0.113.7"
    ours = table[table["Current"] == "This browser"].iloc[0]
    assert (ours["Browser"], ours["Address"]) == ("—", "—")
    with engine.connect() as conn:
        created = conn.execute(
            sa.select(sessions.c.created_at).where(sessions.c.session_hash == mine)
        ).scalar_one()
    assert ours["Started"] == created.astimezone(settings().tz).strftime("%Y-%m-%d %H:%M")
    assert "2 active sessions" in texts(at)
    # Never a session's id or its hash.
    shown = texts(at)
    for secret in (mine, hash_token(other), other, at.session_state[TOKEN]):
        assert secret not in shown and secret[:16] not in shown


# --- log out everywhere -------------------------------------------------------------------


def test_log_out_everywhere(mall):
    session, engine = mall
    session.login_token("shop1")
    ops_token = session.login_token("ops")
    at = session.open("account", as_user="shop1")
    assert len(_session_hashes(engine, "shop1")) == 2
    assert _button(at, "account_everywhere").disabled  # the tick confirms first
    at.checkbox(key="account_everywhere_sure").check().run()
    assert not _button(at, "account_everywhere").disabled
    _button(at, "account_everywhere").click().run()
    assert not at.exception

    assert _session_hashes(engine, "shop1") == set()
    assert _session_hashes(engine, "ops") == {hash_token(ops_token)}
    (row,) = _audit(engine, "account.logout_everywhere")
    assert (row.actor, row.entity, row.entity_id) == ("shop1", "account", "shop1")
    assert json.loads(row.after) == {"sessions_ended": 2}
    assert [w.label for w in at.text_input] == ["Username", "Password"]  # the login form
    assert [i.value for i in at.info] == ["Logged out everywhere (2 sessions ended)."]
    assert "Signed in" not in texts(at)
    at.run()  # and it stays logged out
    assert [w.label for w in at.text_input] == ["Username", "Password"]


# --- the audit trail in words --------------------------------------------------------------


def test_the_audit_log_names_account_actions_in_both_languages(mall):
    session, engine = mall
    for _ in range(5):
        log_in(engine, username="shop1", password="not-the-password")
    session.add("ops2", role="operator")
    at = session.open("account", as_user="ops")
    _submit_passwords(at, TEST_PASSWORD, NEW_PASSWORD, NEW_PASSWORD)
    at = session.open("audit", as_user="ops2")
    assert not at.exception
    table = at.dataframe[0].value
    actions = set(table["Action"])
    assert {"Login failed", "Account locked", "Password changed"} <= actions
    assert set(table["Role"]) == {"Visitor", "Operator"}
    assert "Account shop1" in set(table["Entity"])
    assert "Wrong username or password" in set(table["Reason"])
    locked = table[table["Action"] == "Account locked"].iloc[0]
    assert locked["Changes"].startswith("Locked until: 20")  # an instant, to the minute
    entity_options = at.selectbox(key="audit_entity").options
    assert "Account" in entity_options
    session.lang = "zh"
    at = session.open("audit", as_user="ops2")
    table = at.dataframe[0].value
    assert {"登录失败", "账号被锁定", "修改密码"} <= set(table.iloc[:, 3])
    assert set(table.iloc[:, 2]) == {"访客", "运营"}
    assert "账号 shop1" in set(table.iloc[:, 4])
    assert "用户名或密码不正确" in set(table.iloc[:, 6])
