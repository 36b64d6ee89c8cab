"""`python -m dashboard.accounts` and `python -m dashboard.migrate`, run as subprocesses
on a fresh SQLite file and a fresh PostgreSQL database.

Passwords reach the prompt through stdin (one line each: the command reads lines when
stdin is not a terminal); every change is checked in the console's own tables and in
`audit_log`.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import bcrypt
import pytest
import sqlalchemy as sa
import yaml

from queries.console.accounts import account
from queries.console.logins import log_in
from queries.console.migrate import head_revision, upgrade
from queries.console.sessions import check_session
from queries.console.tables import accounts
from queries.core.schema import audit_log
from tests.builders import MallBuilder

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "Tangerine-Kite-47"


def _url(engine: sa.Engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def _run(
    url: str, module: str, *args: str, stdin: str = "", env: dict | None = None
) -> subprocess.CompletedProcess:
    environ = {
        "DATABASE_URL": url,
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", "/root"),
        **(env or {}),
    }
    return subprocess.run(
        [sys.executable, "-m", module, *args],
        cwd=ROOT,
        env=environ,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
    )


def accounts_cli(engine: sa.Engine, *args: str, stdin: str = "", env: dict | None = None):
    """`python -m dashboard.accounts ARGS` on `engine`'s database."""
    return _run(_url(engine), "dashboard.accounts", *args, stdin=stdin, env=env)


def _twice(password: str) -> str:
    return f"{password}\n{password}\n"


def _last_line(output: str) -> str:
    return output.strip().splitlines()[-1].strip()


def _row(engine: sa.Engine, username: str):
    with engine.connect() as conn:
        return conn.execute(sa.select(accounts).where(accounts.c.username == username)).first()


def _audit(engine: sa.Engine, action: str) -> list:
    with engine.connect() as conn:
        return conn.execute(
            sa.select(audit_log).where(audit_log.c.action == action).order_by(audit_log.c.audit_id)
        ).all()


def _no_traceback(run: subprocess.CompletedProcess) -> None:
    assert "Traceback" not in run.stderr + run.stdout, run.stderr


@pytest.fixture
def migrated(empty_db: sa.Engine) -> sa.Engine:
    """The empty mall with the console's tables (no accounts yet)."""
    upgrade(empty_db)
    return empty_db


@pytest.fixture
def shop(migrated: sa.Engine) -> int:
    """The id of an active shop, "Tea House"."""
    with migrated.begin() as conn:
        return MallBuilder(conn).vendor("Tea House")


# --- migrate ----------------------------------------------------------------------------


def test_migrate_then_add_an_operator_at_the_prompt(empty_db):
    first = _run(_url(empty_db), "dashboard.migrate")
    assert first.returncode == 0, first.stderr
    assert first.stdout.strip() == f"Console tables at revision {head_revision()}."
    again = _run(_url(empty_db), "dashboard.migrate")
    assert again.returncode == 0, again.stderr
    assert "already at revision" in again.stdout

    run = accounts_cli(empty_db, "add", "ops_anna", "--role", "operator", stdin=_twice(PASSWORD))
    assert run.returncode == 0, run.stderr
    assert "Added ops_anna (operator)." in run.stdout
    assert PASSWORD not in run.stdout + run.stderr
    row = _row(empty_db, "ops_anna")
    assert row.role == "operator" and row.vendor_id is None
    assert row.password_hash.startswith("$2b$12$")
    assert bcrypt.checkpw(PASSWORD.encode(), row.password_hash.encode())
    assert not row.must_change_password and not row.disabled
    (created,) = _audit(empty_db, "account.create")
    assert created.entity_id == "ops_anna"
    assert created.actor.startswith("shell:") and created.role == "shell"
    assert log_in(empty_db, username="ops_anna", password=PASSWORD).status == "ok"


def test_commands_refuse_a_database_not_migrated(empty_db):
    run = accounts_cli(empty_db, "list")
    assert run.returncode == 1
    assert "python -m dashboard.migrate" in run.stderr
    _no_traceback(run)
    assert "mallboard_accounts" not in sa.inspect(empty_db).get_table_names()


def test_migrate_refuses_a_database_that_is_not_a_mall(backend, db_factory):
    bare = db_factory.engine(backend, schema=False)
    with bare.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE unrelated (x INTEGER)")
    run = _run(_url(bare), "dashboard.migrate")
    assert run.returncode == 1
    assert "vendors" in run.stderr
    _no_traceback(run)
    assert "mallboard_accounts" not in sa.inspect(bare).get_table_names()
    if backend == "postgresql":
        assert "mallboard" not in sa.inspect(bare).get_schema_names()
    db_factory.drop(bare)


def test_migrate_against_a_database_it_cannot_write(empty_db, tmp_path):
    if empty_db.dialect.name == "sqlite":
        path = empty_db.url.database
        # Tests run as root, whom file modes do not stop: open the file read-only.
        run = _run(f"sqlite:///file:{path}?mode=ro&uri=true", "dashboard.migrate")
        cleanup = None
    else:
        role = f"mb_ro_{uuid.uuid4().hex[:10]}"
        with empty_db.begin() as conn:
            conn.exec_driver_sql(f"CREATE ROLE {role} LOGIN")  # name generated above
            conn.exec_driver_sql(f'REVOKE CREATE ON DATABASE "{empty_db.url.database}" FROM PUBLIC')
            conn.exec_driver_sql(f"REVOKE CREATE ON SCHEMA public FROM PUBLIC, {role}")
            conn.exec_driver_sql(f"GRANT SELECT ON ALL TABLES IN SCHEMA public TO {role}")

        def cleanup() -> None:
            with empty_db.begin() as conn:
                conn.exec_driver_sql(f"DROP OWNED BY {role}")
                conn.exec_driver_sql(f"DROP ROLE {role}")

        url = empty_db.url.set(username=role, password=None)
        run = _run(url.render_as_string(hide_password=False), "dashboard.migrate")
    try:
        assert run.returncode == 1, run.stdout
        assert "Could not update the console's own tables" in run.stderr
        assert "Nothing was changed" in run.stderr
        _no_traceback(run)
        inspector = sa.inspect(empty_db)
        assert not [t for t in inspector.get_table_names() if t.startswith("mallboard_")]
        if empty_db.dialect.name == "postgresql":
            assert "mallboard" not in inspector.get_schema_names()
    finally:
        if cleanup:
            cleanup()


def test_migrate_refuses_a_missing_sqlite_file(tmp_path):
    missing = tmp_path / "nowhere.sqlite"
    run = _run(f"sqlite:///{missing}", "dashboard.migrate")
    assert run.returncode == 1
    assert "There is no database file" in run.stderr
    assert not missing.exists()


def test_an_unreachable_database_exits_1(tmp_path):
    url = "postgresql://nobody@127.0.0.1:1/nothing"
    for module in ("dashboard.migrate", "dashboard.accounts"):
        args = ("list",) if module == "dashboard.accounts" else ()
        run = _run(url, module, *args)
        assert run.returncode == 1, (module, run.stderr)
        _no_traceback(run)
        assert run.stderr.strip()


# --- add --------------------------------------------------------------------------------


def test_add_one_time_prints_a_password_to_change(migrated, shop):
    run = accounts_cli(
        migrated, "add", "tea_house", "--role", "vendor", "--vendor-id", str(shop), "--one-time"
    )
    assert run.returncode == 0, run.stderr
    password = _last_line(run.stdout)
    assert len(password) >= 16 and " " not in password
    row = _row(migrated, "tea_house")
    assert row.must_change_password and row.vendor_id == shop
    outcome = log_in(migrated, username="tea_house", password=password)
    assert outcome.status == "ok" and outcome.must_change_password


def test_add_refuses_an_unknown_shop(migrated):
    run = accounts_cli(
        migrated, "add", "ghost_shop", "--role", "vendor", "--vendor-id", "999", "--one-time"
    )
    assert run.returncode == 2
    assert "There is no shop with id 999." in run.stderr
    _no_traceback(run)
    assert _row(migrated, "ghost_shop") is None
    assert _audit(migrated, "account.create") == []


@pytest.mark.parametrize(
    ("args", "stdin", "says"),
    [
        (("ops_weak", "--role", "operator"), _twice("password123"), "most common passwords"),
        (("ops_weak", "--role", "operator"), _twice("aaaaaaaaaa"), "too easy to guess"),
        (("ops_weak", "--role", "operator"), _twice("short"), "at least 10 characters"),
        (("ops_weak", "--role", "operator"), f"{PASSWORD}\nTangerine-Kite-48\n", "differ"),
        (("ops_weak", "--role", "operator"), f"{PASSWORD}\n", "Cancelled"),
        (("Ops Weak", "--role", "operator"), _twice(PASSWORD), "A username is"),
        (("ops_weak", "--role", "vendor"), _twice(PASSWORD), "bound to exactly one shop"),
    ],
)
def test_add_refuses_bad_input_and_writes_nothing(migrated, args, stdin, says):
    run = accounts_cli(migrated, "add", *args, stdin=stdin)
    assert run.returncode == 2, run.stdout
    assert says in run.stderr
    _no_traceback(run)
    with migrated.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(accounts)).scalar_one() == 0
    assert _audit(migrated, "account.create") == []


def test_add_refuses_a_taken_name_before_asking(migrated):
    first = accounts_cli(migrated, "add", "ops_bo", "--role", "operator", "--one-time")
    assert first.returncode == 0, first.stderr
    again = accounts_cli(migrated, "add", "ops_bo", "--role", "finance", stdin="")
    assert again.returncode == 2
    assert "The username ops_bo is taken." in again.stderr
    assert _row(migrated, "ops_bo").role == "operator"


def test_the_cli_never_takes_a_password_argument(migrated):
    run = accounts_cli(migrated, "add", "ops_c", "--role", "operator", "--password", "x")
    assert run.returncode == 2
    assert "unrecognized arguments" in run.stderr
    assert _row(migrated, "ops_c") is None
    # With nothing on stdin (no terminal, no lines) the prompt is cancelled, not a traceback.
    no_tty = _run(_url(migrated), "dashboard.accounts", "add", "ops_c", "--role", "operator")
    assert no_tty.returncode == 2 and "Cancelled" in no_tty.stderr
    _no_traceback(no_tty)
    assert _row(migrated, "ops_c") is None


def test_messages_in_chinese_when_the_language_says_so(migrated):
    run = accounts_cli(
        migrated,
        "add",
        "ghost_shop",
        "--role",
        "vendor",
        "--vendor-id",
        "999",
        "--one-time",
        env={"MALLBOARD_LANG": "zh"},
    )
    assert run.returncode == 2
    assert "没有编号为 999 的店铺。" in run.stderr


# --- list, disable, enable, unlock, reset -----------------------------------------------


def test_list_shows_role_shop_state_lock_and_one_time(migrated, shop):
    empty = accounts_cli(migrated, "list")
    assert empty.returncode == 0
    assert "add NAME --role operator" in empty.stdout
    for args, stdin in (
        (("add", "ops_anna", "--role", "operator"), _twice(PASSWORD)),
        (("add", "tea_house", "--role", "vendor", "--vendor-id", str(shop), "--one-time"), ""),
        (("disable", "ops_anna"), ""),
    ):
        assert accounts_cli(migrated, *args, stdin=stdin).returncode == 0
    for _ in range(5):
        log_in(migrated, username="tea_house", password="not-the-password")
    run = accounts_cli(migrated, "list")
    assert run.returncode == 0, run.stderr
    header, *lines = run.stdout.strip().splitlines()
    assert header.split()[:4] == ["username", "role", "shop", "state"]
    assert len(lines) == 2
    assert lines[0].split() == ["ops_anna", "operator", "disabled"]
    cells = lines[1].split()
    assert cells[:6] == ["tea_house", "vendor", str(shop), "Tea", "House", "active"]
    assert cells[-1] == "yes"  # its one-time password is still to be changed
    assert len(cells) == 9  # the lock's end: a date and a time


def test_disable_ends_sessions_and_enable_lets_in_again(migrated):
    accounts_cli(migrated, "add", "ops_anna", "--role", "operator", stdin=_twice(PASSWORD))
    session = log_in(migrated, username="ops_anna", password=PASSWORD)
    assert check_session(migrated, token=session.token).reason is None

    run = accounts_cli(migrated, "disable", "ops_anna")
    assert run.returncode == 0, run.stderr
    assert "Disabled ops_anna" in run.stdout
    assert _row(migrated, "ops_anna").disabled
    assert check_session(migrated, token=session.token).reason == "disabled"
    assert log_in(migrated, username="ops_anna", password=PASSWORD).status == "disabled"
    assert "already disabled" in accounts_cli(migrated, "disable", "ops_anna").stdout
    (disabled,) = _audit(migrated, "account.disable")
    assert disabled.actor.startswith("shell:")

    run = accounts_cli(migrated, "enable", "ops_anna")
    assert run.returncode == 0 and "Enabled ops_anna" in run.stdout
    assert log_in(migrated, username="ops_anna", password=PASSWORD).status == "ok"
    assert len(_audit(migrated, "account.enable")) == 1

    unknown = accounts_cli(migrated, "disable", "nobody_here")
    assert unknown.returncode == 2 and "There is no account nobody_here" in unknown.stderr


def test_unlock_lifts_a_lock_of_failed_logins(migrated):
    accounts_cli(migrated, "add", "ops_anna", "--role", "operator", stdin=_twice(PASSWORD))
    for _ in range(5):
        log_in(migrated, username="ops_anna", password="wrong-password-1")
    assert log_in(migrated, username="ops_anna", password=PASSWORD).status == "locked"

    run = accounts_cli(migrated, "unlock", "ops_anna")
    assert run.returncode == 0, run.stderr
    assert "Unlocked ops_anna" in run.stdout
    (unlocked,) = _audit(migrated, "account.unlock")
    assert unlocked.actor.startswith("shell:") and unlocked.role == "shell"
    assert log_in(migrated, username="ops_anna", password=PASSWORD).status == "ok"
    again = accounts_cli(migrated, "unlock", "ops_anna")
    assert again.returncode == 0 and "was not locked" in again.stdout


def test_reset_password_prints_a_one_time_password(migrated):
    accounts_cli(migrated, "add", "ops_anna", "--role", "operator", stdin=_twice(PASSWORD))
    before = log_in(migrated, username="ops_anna", password=PASSWORD)

    run = accounts_cli(migrated, "reset-password", "ops_anna")
    assert run.returncode == 0, run.stderr
    one_time = _last_line(run.stdout)
    assert check_session(migrated, token=before.token).reason == "ended"
    assert log_in(migrated, username="ops_anna", password=PASSWORD).status == "failed"
    outcome = log_in(migrated, username="ops_anna", password=one_time)
    assert outcome.status == "ok" and outcome.must_change_password
    (reset,) = _audit(migrated, "account.reset_password")
    assert reset.actor.startswith("shell:")


# --- import-yaml ------------------------------------------------------------------------


def _old_hash(password: str) -> str:
    return bcrypt.hashpw(password.encode(), bcrypt.gensalt(rounds=4)).decode()


def test_import_yaml_once_keeping_hashes(migrated, shop, tmp_path):
    accounts_cli(migrated, "add", "ops_anna", "--role", "operator", "--one-time")
    old = {
        "accounts": {
            "old_ops": {
                "name": "Old Ops",
                "email": "ops@example.com",
                "role": "operator",
                "vendor_id": None,
                "password_hash": _old_hash("old-password"),
                "disabled": False,
            },
            "tea_house": {
                "name": "Tea",
                "email": "",
                "role": "vendor",
                "vendor_id": shop,
                "password_hash": _old_hash("tea-password"),
                "disabled": False,
            },
            "gone_shop": {
                "name": "Gone",
                "email": "",
                "role": "vendor",
                "vendor_id": 999,
                "password_hash": _old_hash("gone-password"),
                "disabled": False,
            },
            "ops_anna": {
                "name": "Anna (old)",
                "email": "",
                "role": "finance",
                "vendor_id": None,
                "password_hash": _old_hash("anna-password"),
                "disabled": False,
            },
            "operator": {  # `make run`'s demo login with its published password
                "name": "Operator",
                "email": "",
                "role": "operator",
                "vendor_id": None,
                "password_hash": _old_hash("demo-operator"),
                "disabled": False,
            },
            "left_staff": {
                "name": "Left",
                "email": "",
                "role": "finance",
                "vendor_id": None,
                "password_hash": _old_hash("left-password"),
                "disabled": True,
            },
        }
    }
    path = tmp_path / "accounts.yaml"
    path.write_text(yaml.safe_dump(old), encoding="utf-8")

    run = accounts_cli(migrated, "import-yaml", str(path))
    assert run.returncode == 0, run.stderr
    assert "Imported 2 accounts" in run.stdout and "skipped 4" in run.stdout
    assert "Skipped gone_shop: there is no shop with id 999." in run.stdout
    assert "Skipped ops_anna: the database already has this account." in run.stdout
    assert "Skipped operator: its password is the demo password" in run.stdout
    assert "Skipped left_staff: it is disabled in the file." in run.stdout
    assert "reset-password" in run.stdout  # the note about passwords of the old rules
    assert _row(migrated, "old_ops").password_hash == old["accounts"]["old_ops"]["password_hash"]
    assert not _row(migrated, "old_ops").must_change_password
    assert _row(migrated, "old_ops").email == "ops@example.com"
    assert _row(migrated, "tea_house").vendor_id == shop
    assert _row(migrated, "ops_anna").role == "operator"  # untouched
    for name in ("gone_shop", "operator", "left_staff"):
        assert _row(migrated, name) is None
    assert log_in(migrated, username="old_ops", password="old-password").status == "ok"
    created = {row.entity_id for row in _audit(migrated, "account.create")}
    assert created == {"ops_anna", "old_ops", "tea_house"}

    again = accounts_cli(
        migrated, "import-yaml", env={"MALLBOARD_ACCOUNTS": str(path)}
    )  # the default path
    assert again.returncode == 0, again.stderr
    assert "Imported 0 accounts" in again.stdout and "skipped 6" in again.stdout
    assert len(_audit(migrated, "account.create")) == 3


def test_import_yaml_refuses_a_missing_or_broken_file(migrated, tmp_path):
    missing = accounts_cli(migrated, "import-yaml", str(tmp_path / "none.yaml"))
    assert missing.returncode == 2 and "There is no accounts file" in missing.stderr
    broken = tmp_path / "broken.yaml"
    broken.write_text("accounts: [unclosed\n", encoding="utf-8")
    run = accounts_cli(migrated, "import-yaml", str(broken))
    assert run.returncode == 2 and "Could not read the accounts file" in run.stderr
    _no_traceback(run)
    with migrated.connect() as conn:
        assert account(conn, username="anyone") is None
        assert conn.execute(sa.select(sa.func.count()).select_from(accounts)).scalar_one() == 0
