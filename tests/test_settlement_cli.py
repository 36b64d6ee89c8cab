"""`python -m exports settlement …` on the mall of `tests/settlement_data.py`, via subprocess.

S3's November statement is issued (frozen net 9440), then a late 5 fen payment fee
is recorded for o9: today's fee 65 and net 9435 show as differences.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import openpyxl
import pytest
import sqlalchemy as sa

from exports.settlement_cli import main
from queries.core.actors import Actor
from queries.core.schema import payments
from queries.finance.actions import issue_statements
from tests.settlement_data import NOV_END, NOV_START, S1_NOV, TZ, ZEROS, build_settlement_mall

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module", params=("sqlite", "postgresql"))
def mall(request, db_factory):
    engine = db_factory.engine(request.param)
    mall = build_settlement_mall(engine)
    issue_statements(
        engine,
        Actor("money", "finance"),
        period_start=NOV_START,
        period_end=NOV_END,
        tz=TZ,
        vendor_ids=[mall.s3],
        now=datetime(2027, 3, 1, tzinfo=UTC),
    )
    with engine.begin() as conn:
        conn.execute(
            payments.insert().values(
                order_id=mall.orders["o9"].order_id,
                method="card",
                amount_cents=0,
                fee_cents=5,
                paid_at=datetime(2027, 3, 2, tzinfo=UTC),
                transaction_no="late",
            )
        )
    return mall


def _url(mall) -> str:
    return mall.engine.url.render_as_string(hide_password=False)


def _run(url: str, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": url, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "exports", "settlement", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_json_for_all_vendors(mall, tmp_path):
    out = tmp_path / "nov.json"
    done = _run(_url(mall), "--vendor", "all", "--period", "2026-11", "--out", str(out))
    assert done.returncode == 0, done.stderr
    document = json.loads(out.read_text(encoding="utf-8"))
    assert (document["period_start"], document["period_end"]) == ("2026-11-01", "2026-12-01")
    s1, s2, s3 = document["statements"]
    o = mall.orders
    assert s1 == {
        "vendor_id": mall.s1,
        "status": "not_issued",
        **S1_NOV,
        # Paid in November: o2 (00:00:00 on the 1st) … o6 (23:59:59 on the 30th).
        "order_nos": [o[n].order_no for n in ("o2", "o3", "o4", "o5", "o6")],
        # Completed in November: r1 only (r2 never completed, r3 in December).
        "refund_ids": [mall.refunds["r1"]],
    }
    assert s2 == {
        "vendor_id": mall.s2,
        "status": "not_issued",
        **ZEROS,
        "order_nos": [],
        "refund_ids": [],
    }
    assert s3["status"] == "draft" and s3["net_cents"] == 9440 and s3["payment_fee_cents"] == 60
    assert s3["version"] == 1 and s3["confirmed_at"] is None and s3["paid_at"] is None
    assert s3["created_at"].startswith("2027-03-01T00:00:00")
    assert isinstance(s3["settlement_id"], int)
    assert s3["differences"] == {
        "payment_fee_cents": {"frozen": 60, "today": 65},
        "net_cents": {"frozen": 9440, "today": 9435},
    }
    assert s3["order_nos"] == [o["o9"].order_no]


def test_json_one_vendor_from_to(mall, tmp_path):
    out = tmp_path / "s1.json"
    done = _run(
        _url(mall), "--vendor", str(mall.s1), "--from", "2026-10-01", "--to", "2026-11-01",
        "--out", str(out),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    (s1,) = json.loads(out.read_text(encoding="utf-8"))["statements"]
    # October: o1 (23:59:59 on the 31st) only: 10000 − 500 commission.
    assert (s1["gross_cents"], s1["net_cents"], s1["order_nos"]) == (
        10000,
        9500,
        [mall.orders["o1"].order_no],
    )


def test_xlsx_one_vendor(mall, tmp_path):
    out = tmp_path / "s1.xlsx"
    done = _run(_url(mall), "--vendor", str(mall.s1), "--period", "2026-11", "--out", str(out))
    assert done.returncode == 0, done.stderr
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["Summary", "Orders", "Refunds"]
    assert not list(tmp_path.glob(".*.part"))


def test_month_end_folder(mall, tmp_path):
    out = tmp_path / "month-end"
    done = _run(_url(mall), "--vendor", "all", "--period", "2026-11", "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in out.iterdir()) == ["overview.xlsx", "statements.zip"]
    assert done.stderr.splitlines()[-1].startswith("settlement: 3/3 vendors")
    with zipfile.ZipFile(out / "statements.zip") as zf:
        assert len(zf.namelist()) == 3
    overview = openpyxl.load_workbook(out / "overview.xlsx")["Overview"]
    assert overview.max_row == 5  # header, three vendors, totals


@pytest.mark.parametrize(
    "args",
    [
        [],
        ["--vendor", "x1", "--period", "2026-11", "--out", "a.json"],
        ["--vendor", "1", "--period", "2026-13", "--out", "a.json"],
        ["--vendor", "1", "--from", "2026-11-01", "--out", "a.json"],
        ["--vendor", "1", "--from", "2026-11-05", "--to", "2026-11-01", "--out", "a.json"],
        ["--vendor", "1", "--from", "2026-02-30", "--to", "2026-03-01", "--out", "a.json"],
        ["--vendor", "1", "--period", "2026-11", "--from", "2026-11-01", "--out", "a.json"],
        ["--vendor", "1", "--period", "2026-11", "--out", "a.csv"],
        ["--vendor", "1", "--period", "2026-11", "--out", "a.json", "--format", "xlsx"],
        ["--vendor", "1", "--period", "2026-11", "--out", "/no/such/dir/a.json"],
    ],
)
def test_bad_arguments_exit_2(args, capsys, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "sqlite:////no/such/file.sqlite")
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "error" in err and "Traceback" not in err


def test_unknown_vendor_exits_2(mall, tmp_path):
    done = _run(
        _url(mall), "--vendor", "999", "--period", "2026-11", "--out", str(tmp_path / "a.json")
    )
    assert done.returncode == 2
    assert "unknown vendor 999" in done.stderr and "Traceback" not in done.stderr


def test_bad_arguments_in_a_shell(tmp_path):
    done = _run("sqlite:///x", "--vendor", "1", "--period", "11-2026", "--out", "a.json")
    assert done.returncode == 2
    assert "YYYY-MM" in done.stderr and "Traceback" not in done.stderr


def test_unreachable_database_exits_1(tmp_path):
    url = "postgresql://postgres@127.0.0.1:1/nothing"
    done = _run(url, "--vendor", "all", "--period", "2026-11", "--out", str(tmp_path / "a.json"))
    assert done.returncode == 1
    assert "Traceback" not in done.stderr and done.stderr.startswith("error:")


def test_missing_contract_exits_1(tmp_path):
    path = tmp_path / "bare.sqlite"
    engine = sa.create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE unrelated (x INTEGER)")
    engine.dispose()
    done = _run(
        f"sqlite:///{path}",
        "--vendor",
        "all",
        "--period",
        "2026-11",
        "--out",
        str(tmp_path / "a.json"),
    )
    assert done.returncode == 1
    assert "settlements" in done.stderr and "Traceback" not in done.stderr
