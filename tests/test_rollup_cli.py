"""`python -m rollups refresh|status|drop` as a platform engineer runs it, on both databases."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa

from queries.console.migrate import upgrade
from queries.rolled.coverage import (
    complete_before,
    read_rollups_up_to,
    rollup_state,
    sales_daily,
    stale,
    stored_cut,
)
from rollups.families import FAMILIES
from rollups.refresh import refresh_lock

ROOT = Path(__file__).resolve().parent.parent
TZ = "Asia/Shanghai"


@pytest.fixture
def mall(backend, db_factory):
    """A tiny demo mall without rollups, its console tables migrated."""
    from demo.generate import generate

    engine = db_factory.engine(backend)
    generate(engine, scale="tiny", seed=7, rollups=False)
    upgrade(engine)
    yield engine
    db_factory.drop(engine)


def _run(engine: sa.Engine, *args: str) -> subprocess.CompletedProcess:
    url = engine.url.render_as_string(hide_password=False)
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": os.environ.get("HOME", "/")}
    return subprocess.run(
        [sys.executable, "-m", "rollups", *args, "--db", url],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def _cuts(engine) -> set:
    with engine.connect() as conn:
        return set(conn.execute(sa.select(rollup_state.c.complete_before)).scalars())


def test_refresh_status_and_drop(mall):
    through = "2026-12-01"
    done = _run(mall, "refresh", "--rebuild", "--through", through)
    assert done.returncode == 0, done.stderr
    assert done.stderr.count(": ok, days from the beginning to 2026-12-01") == len(FAMILIES)
    assert _cuts(mall) == {date(2026, 12, 1)}
    with mall.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(sales_daily)).scalar() > 0

    status = _run(mall, "status")
    assert status.returncode == 0, status.stderr
    lines = status.stdout.strip().splitlines()
    assert len(lines) == len(FAMILIES)
    assert all("rolled up to 2026-12-01 (exclusive)" in line and " ok" in line for line in lines)

    again = _run(mall, "refresh", "--through", "2026-12-03")  # incremental: from the look-back
    assert again.returncode == 0, again.stderr
    assert "days from 2026-11-28 to 2026-12-03" in again.stderr
    assert _cuts(mall) == {date(2026, 12, 3)}

    dropped = _run(mall, "drop")
    assert dropped.returncode == 0, dropped.stderr
    assert _cuts(mall) == set()
    with mall.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(sales_daily)).scalar() == 0
        assert complete_before(conn, tz=TZ) is None  # the console reads live


def test_a_second_refresh_says_already_running_and_exits_0(mall):
    with refresh_lock(mall):
        second = _run(mall, "refresh", "--through", "2026-12-01")
    assert second.returncode == 0, second.stderr
    assert "already running" in second.stderr
    assert _cuts(mall) == set()  # it did nothing


@pytest.mark.parametrize(
    "args",
    [
        ("refresh", "--through", "2026-13-01"),
        ("refresh", "--through", "1999-12-31"),
        ("refresh", "--from", "2026-12-05", "--through", "2026-12-01"),
        ("rebuild",),
    ],
)
def test_bad_arguments_exit_2_and_change_nothing(mall, args):
    done = _run(mall, *args)
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert "Traceback" not in done.stderr
    assert _cuts(mall) == set()


def test_a_database_not_migrated_is_told_what_to_run(backend, db_factory):
    engine = db_factory.engine(backend)
    done = _run(engine, "refresh")
    assert done.returncode == 1
    assert "python -m dashboard.migrate" in done.stderr
    assert "Traceback" not in done.stderr
    db_factory.drop(engine)


def test_a_cut_older_than_the_max_age_is_not_read(mall):
    with mall.begin() as conn:
        conn.execute(
            rollup_state.insert().values(rollup=f"sales/3@{TZ}", complete_before=date(2026, 12, 1))
        )
    today = date(2026, 12, 7)
    try:
        read_rollups_up_to(2)
        assert stale(date(2026, 12, 4), tz=TZ, today=today)
        assert not stale(date(2026, 12, 5), tz=TZ, today=today)
        with mall.connect() as conn:
            assert stored_cut(conn, tz=TZ) == date(2026, 12, 1)
            # Against the real clock, a cut of 1 December is far older than two days.
            assert complete_before(conn, tz=TZ) is None
        read_rollups_up_to(None)
        with mall.connect() as conn:
            assert complete_before(conn, tz=TZ) == date(2026, 12, 1)
    finally:
        read_rollups_up_to(None)


def test_the_schedules_in_deploy_run_the_refresh_after_midnight_platform_time():
    from queries.core.settings import Settings

    zone = Settings(database_url="sqlite://").timezone
    timer = (ROOT / "deploy/systemd/mallboard-rollups.timer").read_text()
    service = (ROOT / "deploy/systemd/mallboard-rollups.service").read_text()
    cron = (ROOT / "deploy/cron/mallboard-rollups").read_text()
    assert f"OnCalendar=*-*-* 00:20:00 {zone}" in timer and "Persistent=true" in timer
    assert "ExecStart=/opt/mallboard/.venv/bin/python -m rollups refresh\n" in service
    assert f"CRON_TZ={zone}" in cron and "20 0 * * *" in cron
    assert "-m rollups refresh" in cron


def test_the_report_reads_like_the_page_and_live_gives_the_same_figures(
    backend, db_factory, tmp_path
):
    """`python -m exports report` reads the rolled whole days and the live rest; `--live`
    reads none of the rollups: the two documents are the same."""
    import json

    from demo.generate import generate

    engine = db_factory.engine(backend)
    generate(engine, scale="tiny", seed=7)  # with its rollups, cut today
    url = engine.url.render_as_string(hide_password=False)
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "DATABASE_URL": url}
    documents = []
    for extra in ([], ["--live"]):
        out = tmp_path / f"year{len(extra)}.json"
        done = subprocess.run(
            [sys.executable, "-m", "exports", "report", "sales", "--vendor", "all",
             "--from", "2025-12-01", "--to", "2026-12-01", "--out", str(out), *extra],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=600,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        documents.append(json.loads(out.read_text()))
    assert documents[0] == documents[1]
    assert documents[0]["mall"]["totals"]["gmv_cents"] > 0
    db_factory.drop(engine)
