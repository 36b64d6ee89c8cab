"""Logins, lockouts and server-side sessions on both databases, with a hand-held clock.

Every case drives `queries.console` as the login form and the entry script do and
reads the console's own tables and `audit_log` back.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import bcrypt
import pytest
import sqlalchemy as sa

from dashboard.shell.client_address import client_address
from dashboard.shell.cookie_key import cookie_problem
from dashboard.shell.session_cookie import SessionCookie
from queries.console import accounts as acc
from queries.console.logins import log_in
from queries.console.migrate import current_revision, head_revision, pending, upgrade
from queries.console.passwords import check_new_password
from queries.console.policy import LoginPolicy
from queries.console.sessions import check_session, end_all_sessions, end_session, hash_token
from queries.console.tables import lockouts, login_attempts, meta, sessions
from queries.core.actors import Actor, System
from queries.core.errors import Conflict, Invalid
from queries.core.schema import audit_log, vendors
from tests.builders import MallBuilder

SHELL = System("shell:test", "shell")
T = datetime(2026, 12, 7, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai
POLICY = LoginPolicy()
GOOD = "Tangerine-Kite-47"


@pytest.fixture
def console(empty_db):
    """A migrated database with one active shop, its login and an operator."""
    upgrade(empty_db)
    with empty_db.begin() as conn:
        b = MallBuilder(conn)
        shop = b.vendor("Alpha")
    # Cheap hashes (cost 4) keep the many logins quick; the real cost is checked below.
    fast = bcrypt.hashpw(GOOD.encode(), bcrypt.gensalt(rounds=4)).decode()
    for name, role, vendor_id in (("ops", "operator", None), ("shop_a", "vendor", shop)):
        acc.create_account(
            empty_db, SHELL, username=name, role=role, vendor_id=vendor_id, password_hash=fast
        )
    empty_db.shop = shop
    return empty_db


def _count(engine, table, *where) -> int:
    with engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(table).where(*where)).scalar()


def _actions(engine) -> list[tuple[str, str, str]]:
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(audit_log.c.action, audit_log.c.actor, audit_log.c.role).order_by(
                audit_log.c.audit_id
            )
        ).all()
    return [tuple(r) for r in rows]


def _fail(engine, name="ops", at=T, client=None):
    return log_in(engine, username=name, password="wrong-password", client_address=client, now=at)


# --- migrations ---------------------------------------------------------------------------


def test_migration_creates_the_console_tables_apart_and_runs_again(empty_db):
    assert pending(empty_db)
    assert upgrade(empty_db) == head_revision() == upgrade(empty_db)
    assert not pending(empty_db) and current_revision(empty_db) == head_revision()
    inspector = sa.inspect(empty_db)
    if empty_db.dialect.name == "postgresql":
        assert set(inspector.get_table_names(schema="mallboard")) >= {
            "alembic_version",
            "mallboard_accounts",
            "mallboard_sessions",
            "mallboard_login_attempts",
            "mallboard_lockouts",
            "mallboard_meta",
        }
        assert not [n for n in inspector.get_table_names() if n.startswith("mallboard")]
    else:
        assert {n for n in inspector.get_table_names() if n.startswith("mallboard_")} >= {
            "mallboard_alembic_version",
            "mallboard_accounts",
            "mallboard_sessions",
            "mallboard_login_attempts",
            "mallboard_lockouts",
            "mallboard_meta",
        }


def test_tables_declared_match_the_migration(empty_db):
    upgrade(empty_db)
    schema = None if empty_db.dialect.name == "sqlite" else "mallboard"
    inspector = sa.inspect(empty_db)
    for table in acc.accounts.metadata.sorted_tables:
        found = {c["name"] for c in inspector.get_columns(table.name, schema=schema)}
        assert found == {c.name for c in table.columns}, table.name


def test_demo_mark_is_only_what_the_loader_writes(console):
    with console.connect() as conn:
        assert not acc.is_demo_database(conn)
    with console.begin() as conn:
        acc.mark_demo_database(conn)
        acc.mark_demo_database(conn)  # twice: one row
    with console.connect() as conn:
        assert acc.is_demo_database(conn)
    assert _count(console, meta) == 1


# --- logging in ---------------------------------------------------------------------------


def test_login_opens_a_session_whose_id_is_stored_hashed(console):
    outcome = log_in(console, username=" OPS ", password=GOOD, now=T)
    assert outcome.status == "ok" and outcome.username == "ops"
    assert len(outcome.token) >= 43  # 32 random bytes, base64url
    with console.connect() as conn:
        [row] = conn.execute(sa.select(sessions)).all()
    assert row.session_hash == hash_token(outcome.token) != outcome.token
    assert row.expires_at == T + timedelta(hours=12)
    check = check_session(console, token=outcome.token, now=T + timedelta(minutes=5))
    assert (check.reason, check.username, check.role) == (None, "ops", "operator")


def test_unknown_name_gets_the_wrong_password_answer_after_one_bcrypt_check(console, monkeypatch):
    checks = []
    real = bcrypt.checkpw
    monkeypatch.setattr(bcrypt, "checkpw", lambda p, h: checks.append(h) or real(p, h))
    unknown = log_in(console, username="nobody", password="whatever-1", now=T)
    wrong = _fail(console)
    assert unknown.status == wrong.status == "failed"
    assert len(checks) == 2  # one each: the unknown name checked a decoy hash
    assert checks[0].startswith(b"$2b$12$")  # the decoy costs what a real hash costs
    assert acc.hash_password(GOOD).startswith("$2b$12$")


def test_five_failures_lock_the_name_and_the_right_password_is_refused_until_it_ends(console):
    statuses = [_fail(console, at=T + timedelta(seconds=i)).status for i in range(5)]
    assert statuses == ["failed"] * 4 + ["locked"]
    until = T + timedelta(seconds=4) + timedelta(minutes=15)
    right = log_in(console, username="ops", password=GOOD, now=T + timedelta(minutes=10))
    assert (right.status, right.locked_until) == ("locked", until)
    assert right.token is None and _count(console, sessions) == 0
    later = log_in(console, username="ops", password=GOOD, now=until + timedelta(seconds=1))
    assert later.status == "ok"
    actions = [a for a, _, _ in _actions(console)]
    assert actions.count("account.login_failed") == 6 and actions.count("account.lock") == 1
    assert ("account.login_failed", "ops", "visitor") in _actions(console)


def test_failures_outside_the_window_or_before_a_success_do_not_count(console):
    for i in range(4):
        _fail(console, at=T + timedelta(seconds=i))
    assert _fail(console, at=T + timedelta(minutes=16)).status == "failed"  # 4 aged out
    assert (
        log_in(console, username="ops", password=GOOD, now=T + timedelta(minutes=17)).status == "ok"
    )
    for i in range(4):
        assert _fail(console, at=T + timedelta(minutes=18, seconds=i)).status == "failed"


def test_unknown_names_lock_like_real_ones(console):
    statuses = [_fail(console, name="ghost", at=T + timedelta(seconds=i)).status for i in range(6)]
    assert statuses[-2:] == ["locked", "locked"]  # nothing tells "ghost" has no account


def test_address_lock_needs_a_higher_count(console):
    policy = LoginPolicy(max_failures_per_address=20)
    for i in range(19):
        out = log_in(
            console,
            username=f"user{i:02d}",
            password="wrong-password",
            client_address="203.0.113.9",
            policy=policy,
            now=T + timedelta(seconds=i),
        )
        assert out.status == "failed"
    out = log_in(
        console,
        username="ops",
        password="wrong-password",
        client_address="203.0.113.9",
        policy=policy,
        now=T + timedelta(seconds=30),
    )
    assert out.status == "locked"
    # The right password from that address is refused; from another address it works.
    args = {
        "username": "shop_a",
        "password": GOOD,
        "policy": policy,
        "now": T + timedelta(minutes=1),
    }
    assert log_in(console, client_address="203.0.113.9", **args).status == "locked"
    assert log_in(console, client_address="198.51.100.7", **args).status == "ok"
    assert ("address.lock", "-", "visitor") in _actions(console)


def test_operator_unlock_lifts_the_lock_with_an_audit_row(console):
    for i in range(5):
        _fail(console, at=T + timedelta(seconds=i))
    assert acc.unlock_account(console, SHELL, username="ops", now=T + timedelta(minutes=1))
    assert not acc.unlock_account(console, SHELL, username="ops", now=T + timedelta(minutes=1))
    assert (
        log_in(console, username="ops", password=GOOD, now=T + timedelta(minutes=2)).status == "ok"
    )
    assert ("account.unlock", "shell:test", "shell") in _actions(console)


@pytest.mark.parametrize(
    ("username", "password", "message"),
    [
        ("", "", "Please enter your username and password."),
        ("ops", "", "Please enter your username and password."),
        ("x" * 10_000, GOOD, "A username has at most 64 characters."),
        ("ops", "abc\x00def-ghij", "cannot contain control characters"),
        ("ops", "p" * 5000, "The password is too long."),
    ],
)
def test_bad_login_input_is_refused_before_anything_is_written(
    console, username, password, message
):
    before = _count(console, login_attempts), _count(console, audit_log)
    with pytest.raises(Invalid) as refused:
        log_in(console, username=username, password=password, now=T)
    assert message in refused.value.message("en")
    assert refused.value.message("zh") != refused.value.message("en")
    assert (_count(console, login_attempts), _count(console, audit_log)) == before


def test_disabled_account_and_suspended_shop_are_refused_with_their_reason(console):
    acc.set_account_disabled(console, SHELL, username="ops", disabled=True)
    assert log_in(console, username="ops", password=GOOD, now=T).status == "disabled"
    assert _fail(console).status == "failed"  # a wrong password says nothing more
    with console.begin() as conn:
        conn.execute(
            vendors.update().where(vendors.c.vendor_id == console.shop).values(status="suspended")
        )
    assert log_in(console, username="shop_a", password=GOOD, now=T).status == "shop_suspended"


# --- sessions -----------------------------------------------------------------------------


def _session(engine, name="ops", at=T):
    return log_in(engine, username=name, password=GOOD, now=at).token


def test_idle_and_absolute_lifetimes_end_a_session(console):
    token = _session(console)
    # Used every 90 minutes, it lives until its absolute end (12 h), not longer.
    moment = T
    while moment + timedelta(minutes=90) < T + timedelta(hours=12):
        moment += timedelta(minutes=90)
        assert check_session(console, token=token, now=moment).reason is None, moment
    assert check_session(console, token=token, now=T + timedelta(hours=12)).reason == "ended"
    idle = _session(console)
    assert check_session(console, token=idle, now=T + timedelta(minutes=119)).reason is None
    assert (
        check_session(console, token=idle, now=T + timedelta(minutes=119 + 120)).reason == "ended"
    )
    assert _count(console, sessions) == 0  # both deleted when found ended


def test_logout_is_for_good_in_every_process(console):
    token = _session(console)
    end_session(console, token=token)
    assert check_session(console, token=token, now=T).reason == "ended"
    assert check_session(console, token="not-a-token", now=T).reason == "ended"
    assert check_session(console, token=None, now=T).reason == "ended"


def test_disable_reset_and_password_change_end_sessions(console):
    first, second = _session(console, at=None), _session(console, at=None)  # the real clock
    ops = Actor("ops", "operator")
    acc.change_password(
        console,
        ops,
        current_password=GOOD,
        new_password="Lantern-River-93",
        keep_session_hash=hash_token(first),
    )
    assert check_session(console, token=first).reason is None  # the one that changed it
    assert check_session(console, token=second).reason == "ended"
    shop_token = _session(console, "shop_a", at=None)
    acc.set_account_disabled(console, SHELL, username="shop_a", disabled=True)
    assert check_session(console, token=shop_token).reason == "disabled"
    assert check_session(console, token=shop_token).reason == "disabled"  # every click
    acc.set_account_disabled(console, SHELL, username="shop_a", disabled=False)
    assert check_session(console, token=shop_token).reason == "ended"  # never comes back
    shop_token = _session(console, "shop_a", at=None)
    one_time = acc.reset_password(console, SHELL, username="shop_a")
    assert check_session(console, token=shop_token).reason == "ended"
    outcome = log_in(console, username="shop_a", password=one_time)
    assert outcome.status == "ok" and outcome.must_change_password
    assert log_in(console, username="shop_a", password=GOOD).status == "failed"
    actions = [a for a, _, _ in _actions(console)]
    for action in ("account.change_password", "account.disable", "account.enable"):
        assert action in actions
    assert "account.reset_password" in actions


def test_first_password_replaces_a_one_time_one_and_keeps_only_this_session(console):
    one_time = acc.create_account(
        console, SHELL, username="shop_b", role="vendor", vendor_id=console.shop, one_time=True
    )
    assert one_time is not None
    other = log_in(console, username="shop_b", password=one_time).token
    this = log_in(console, username="shop_b", password=one_time)
    assert this.must_change_password
    actor = Actor("shop_b", "vendor", console.shop)
    with pytest.raises(Invalid):
        acc.set_first_password(
            console, actor, session_hash=hash_token(this.token), new_password="password123"
        )
    with pytest.raises(Invalid):  # the one-time password itself is no new password
        acc.set_first_password(
            console, actor, session_hash=hash_token(this.token), new_password=one_time
        )
    acc.set_first_password(
        console, actor, session_hash=hash_token(this.token), new_password="Quiet-Harbour-58"
    )
    assert check_session(console, token=this.token).must_change_password is False
    assert check_session(console, token=other).reason == "ended"
    assert log_in(console, username="shop_b", password=one_time).status == "failed"
    with pytest.raises(Conflict):  # no second "first" password
        acc.set_first_password(
            console, actor, session_hash=hash_token(this.token), new_password="Another-Field-77"
        )


def test_log_out_everywhere_ends_every_session_with_an_audit_row(console):
    for _ in range(3):
        _session(console)
    assert end_all_sessions(console, Actor("ops", "operator")) == 3
    assert _count(console, sessions) == 0
    assert ("account.logout_everywhere", "ops", "operator") in _actions(console)


def test_expired_sessions_and_old_attempts_are_pruned_at_login(console):
    _session(console, at=T)
    _fail(console, at=T)
    _session(console, at=T + timedelta(days=2))  # prunes what ended before it
    assert _count(console, sessions) == 1
    assert _count(console, login_attempts, login_attempts.c.at < T + timedelta(days=1)) == 0
    assert _count(console, lockouts) == 0


def test_stale_version_is_refused(console):
    with console.connect() as conn:
        seen = acc.account(conn, username="shop_a").version
    acc.reset_password(console, SHELL, username="shop_a", seen_version=seen)
    with pytest.raises(Conflict):
        acc.set_account_disabled(
            console, SHELL, username="shop_a", disabled=True, seen_version=seen
        )


def test_accounts_refuse_unknown_shops_and_weak_passwords(console):
    with pytest.raises(Invalid, match="no shop with id 999"):
        acc.create_account(
            console, SHELL, username="shop_x", role="vendor", vendor_id=999, password=GOOD
        )
    for weak in ("password123", "aaaaaaaaaaaa", "short-1", "ops-ops-ops-ops"):
        with pytest.raises(Invalid):
            check_new_password(weak, username="ops")
    check_new_password(GOOD, username="ops")


# --- the cookie, its key, the client address ----------------------------------------------


def test_session_cookie_is_signed_and_carries_the_id_only():
    cookie = SessionCookie("k" * 10 + "Zq9Lm2Xv7Np4Wc8Hd1Fj6Gs5Ty3Br0wsE", 3600)
    token = "A" * 43
    value = cookie.sign(token)
    assert cookie.token(value) == token
    assert cookie.token(value[:-1] + ("x" if value[-1] != "x" else "y")) is None
    assert cookie.token("B" * 43 + value[43:]) is None  # another id with this id's MAC
    other = SessionCookie("another-key-Zq9Lm2Xv7Np4Wc8Hd1Fj6Gs5Ty3Br0", 3600)
    assert other.token(value) is None
    assert cookie.token(None) is None and cookie.token("garbage") is None


@pytest.mark.parametrize(
    ("key", "reason"),
    [
        (None, "error.cookie_key.missing"),
        ("short", "error.cookie_key.short"),
        ("12345678901234567890123456789012", "error.cookie_key.repeat"),
        ("abcdefghijklmnopqrstuvwxyzabcdefghij", "error.cookie_key.sequence"),
        ("ab" * 20, "error.cookie_key.repeat"),
        ("correct horse battery staple correct horse", "error.cookie_key.words"),
    ],
)
def test_weak_cookie_keys_are_refused_with_the_reason(key, reason):
    problem = cookie_problem(key)
    assert problem is not None and problem[0] in (reason, "error.cookie_key.repeat")


def test_a_random_cookie_key_passes():
    import secrets

    for _ in range(5):
        assert cookie_problem(secrets.token_urlsafe(32)) is None


@pytest.mark.parametrize(
    ("peer", "forwarded", "trusted", "expected"),
    [
        (None, "203.0.113.5", ("127.0.0.1",), "203.0.113.5"),  # nginx on loopback
        (None, "198.51.100.1, 203.0.113.5", ("127.0.0.1",), "203.0.113.5"),  # spoofed left part
        (None, "203.0.113.5", (), None),  # no trusted proxy: no address
        ("203.0.113.8", "198.51.100.1", ("127.0.0.1",), None),  # not from the proxy
        (None, "127.0.0.1", ("127.0.0.1",), None),  # loopback is never a client
        (None, "10.0.0.2, 10.0.0.1", ("127.0.0.1", "10.0.0.1"), "10.0.0.2"),
        (None, "not-an-ip", ("127.0.0.1",), None),
        (None, None, ("127.0.0.1",), None),
    ],
)
def test_client_address_is_believed_only_from_a_trusted_proxy(peer, forwarded, trusted, expected):
    assert client_address(peer, forwarded, trusted) == expected


def test_every_download_button_asks_for_the_session_first():
    """A download runs without its page: each one's data goes through `guarded`."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent / "dashboard"
    calls = 0
    for path in root.rglob("*.py"):
        source = path.read_text(encoding="utf-8")
        for match in re.finditer(r"download_button\((.*?)\n\s*\)", source, re.S):
            calls += 1
            assert "data=guarded(" in match.group(1), path
    assert calls >= 7
