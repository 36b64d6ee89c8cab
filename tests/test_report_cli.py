"""`python -m exports report …` on the hand-built mall of `tests/sales_data.py`.

Figures of shop A in November 2026 (worked out there and in test_kpis): GMV 29898 over
4 orders, 3 buyers (2 new, 1 returning), AOV 7475, refunded 2598, net 27300, repurchase 1.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from exports.__main__ import main as exports_main
from exports.report_cli import main
from queries.core.settings import PROJECT_ROOT
from tests.sales_data import SalesMall, build_sales_mall


@pytest.fixture(scope="module", params=("sqlite", "postgresql"))
def mall(request, db_factory) -> SalesMall:
    return build_sales_mall(db_factory.engine(request.param))


@pytest.fixture
def on_mall(mall, monkeypatch) -> SalesMall:
    """DATABASE_URL points at the hand-built mall."""
    monkeypatch.setenv("DATABASE_URL", mall.engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv("PLATFORM_TIMEZONE", "Asia/Shanghai")
    return mall


def _run(*args: str) -> int:
    return exports_main(["report", *args])


def test_one_vendor_json(on_mall, tmp_path):
    out = tmp_path / "a.json"
    assert (
        _run("sales", "--vendor", str(on_mall.shop_a), "--period", "2026-11", "--out", str(out))
        == 0
    )
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert list(doc)[:4] == ["vendor_id", "from", "to", "totals"]
    assert (doc["vendor_id"], doc["from"], doc["to"]) == (
        on_mall.shop_a,
        "2026-11-01",
        "2026-12-01",
    )
    totals = doc["totals"]
    assert totals["gmv_cents"] == 29898
    assert totals["paid_orders"] == 4
    assert totals["buyers"] == 3
    assert totals["aov_cents"] == 7475  # 29898 / 4 = 7474.5 → half up
    assert totals["refunded_cents"] == 2598
    assert totals["net_sales_cents"] == 27300
    assert (totals["new_buyers"], totals["returning_buyers"]) == (2, 1)
    assert totals["repurchase_buyers"] == 1
    # Ratios unrounded: 2598 / 29898 and 1 / 3.
    assert totals["refund_rate"] == 2598 / 29898
    assert totals["repurchase_rate"] == 1 / 3
    # Breakdowns sit beside totals, as lists of rows.
    assert doc["by_channel"][0] == {
        "channel": "app",
        "item_sales_cents": 17500,
        "units": 4,  # o1: 1 + 2, o4: 1
        "orders": 2,
        "share": 17500 / 29098,
    }
    assert doc["trend"][0]["bucket"] == "2026-11-01"
    assert doc["trend"][0]["gmv_cents"] == 16300
    assert doc["trend"][2]["aov_cents"] is None  # Nov 3: no orders


def test_from_to_is_exclusive(on_mall, tmp_path):
    out = tmp_path / "day.json"
    args = ["--vendor", str(on_mall.shop_a), "--from", "2026-11-01", "--to", "2026-11-02"]
    assert _run("sales", *args, "--out", str(out)) == 0
    doc = json.loads(out.read_text(encoding="utf-8"))
    # Only o1 (paid 00:00:00 on Nov 1); o0 at 23:59:59 the day before is outside.
    assert doc["totals"]["gmv_cents"] == 16300
    assert (doc["from"], doc["to"]) == ("2026-11-01", "2026-11-02")


def test_all_vendors_json(on_mall, tmp_path):
    out = tmp_path / "all.json"
    assert _run("sales", "--vendor", "all", "--period", "2026-11", "--out", str(out)) == 0
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert list(doc) == ["from", "to", "mall", "vendors"]
    assert list(doc["mall"]) == ["totals"]
    # Mall: 34898 over 5 orders, 4 buyers, 2 mall-new (m2, m3).
    mall_totals = doc["mall"]["totals"]
    assert (mall_totals["gmv_cents"], mall_totals["paid_orders"]) == (34898, 5)
    assert mall_totals["new_buyers"] == 2
    by_vendor = {v["vendor_id"]: v["totals"] for v in doc["vendors"]}
    assert [list(v) for v in doc["vendors"]] == [["vendor_id", "totals"]] * 3
    assert by_vendor[on_mall.shop_a]["gmv_cents"] == 29898
    assert by_vendor[on_mall.shop_b]["refund_rate"] == 0.2
    # Shop C sold nothing: zeros and null ratios.
    c = by_vendor[on_mall.shop_c]
    assert (c["gmv_cents"], c["paid_orders"], c["aov_cents"], c["refund_rate"]) == (
        0,
        0,
        None,
        None,
    )
    assert c["repurchase_rate"] is None


def test_workbook(on_mall, tmp_path):
    out = tmp_path / "a.xlsx"
    assert (
        _run("sales", "--vendor", str(on_mall.shop_a), "--period", "2026-11", "--out", str(out))
        == 0
    )
    book = openpyxl.load_workbook(out)
    assert book.sheetnames[0] == "Totals"
    assert {"trend", "by_category", "by_channel", "by_hour", "refunds_by_reason"} <= set(
        book.sheetnames
    )
    header, row = list(book["Totals"].iter_rows(values_only=True))[:2]
    figures = dict(zip(header, row, strict=True))
    # Money is written in yuan with a currency format: 29898 fen → 298.98.
    assert figures["gmv"] == pytest.approx(298.98)
    assert figures["paid_orders"] == 4
    assert figures["refund_rate"] == pytest.approx(2598 / 29898)


def test_all_vendors_workbook(on_mall, tmp_path):
    out = tmp_path / "all.xlsx"
    assert _run("sales", "--vendor", "all", "--period", "2026-11", "--out", str(out)) == 0
    rows = list(openpyxl.load_workbook(out)["Totals"].iter_rows(values_only=True))
    # Header, the mall, then the three shops in id order.
    shops = sorted((on_mall.shop_a, on_mall.shop_b, on_mall.shop_c))
    assert [r[0] for r in rows[1:]] == ["all", *(str(v) for v in shops)]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--period", "2026-13"], "YYYY-MM"),
        (["--from", "2026-11-1", "--to", "2026-11-30"], "YYYY-MM-DD"),
        (["--from", "2026-02-30", "--to", "2026-03-02"], "YYYY-MM-DD"),
        (["--from", "2026-11-05", "--to", "2026-11-05"], "must be after"),
        (["--from", "2026-11-05", "--to", "2026-11-01"], "must be after"),
        (["--from", "2026-11-05"], "needs --to"),
        (["--period", "2026-11", "--from", "2026-11-01"], "not allowed"),
    ],
)
def test_bad_dates_exit_2(on_mall, tmp_path, capsys, args, message):
    out = tmp_path / "x.json"
    assert _run("sales", "--vendor", str(on_mall.shop_a), *args, "--out", str(out)) == 2
    err = capsys.readouterr().err
    assert message in err
    assert "Traceback" not in err
    assert not out.exists()


def test_unknown_vendor_exit_2(on_mall, tmp_path, capsys):
    assert (
        _run("sales", "--vendor", "999", "--period", "2026-11", "--out", str(tmp_path / "x.json"))
        == 2
    )
    assert "unknown vendor 999" in capsys.readouterr().err
    assert (
        _run("sales", "--vendor", "shopA", "--period", "2026-11", "--out", str(tmp_path / "x.json"))
        == 2
    )


@pytest.mark.parametrize(
    ("out", "fmt", "message"),
    [
        ("x.xlsx", "json", "does not match"),
        ("x.json", "xlsx", "does not match"),
        ("x.csv", None, "cannot tell the format"),
        ("missing/x.json", None, "does not exist"),
    ],
)
def test_bad_output_exit_2(on_mall, tmp_path, capsys, out, fmt, message):
    args = ["sales", "--vendor", "all", "--period", "2026-11", "--out", str(tmp_path / out)]
    if fmt:
        args += ["--format", fmt]
    assert _run(*args) == 2
    assert message in capsys.readouterr().err


def test_explicit_format_with_another_extension(on_mall, tmp_path):
    out = tmp_path / "report.txt"
    assert (
        _run(
            "sales", "--vendor", "all", "--period", "2026-11", "--out", str(out), "--format", "json"
        )
        == 0
    )
    assert json.loads(out.read_text(encoding="utf-8"))["mall"]["totals"]["gmv_cents"] == 34898


def test_unknown_report_and_missing_arguments_exit_2(capsys):
    assert _run("stock", "--vendor", "all", "--period", "2026-11", "--out", "x.json") == 2
    assert _run("sales", "--period", "2026-11", "--out", "x.json") == 2
    assert _run("sales", "--vendor", "all", "--out", "x.json") == 2
    assert "Traceback" not in capsys.readouterr().err


def test_unreachable_database_exit_1(monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("DATABASE_URL", "postgresql://nobody@127.0.0.1:1/nothing")
    assert (
        main(["sales", "--vendor", "all", "--period", "2026-11", "--out", str(tmp_path / "x.json")])
        == 1
    )
    err = capsys.readouterr().err
    assert "Cannot reach the database" in err
    assert "Traceback" not in err


def test_missing_contract_table_exit_1(monkeypatch, tmp_path, capsys):
    path = tmp_path / "other.sqlite"
    import sqlite3

    sqlite3.connect(path).execute(
        "CREATE TABLE vendors (vendor_id INTEGER PRIMARY KEY)"
    ).connection.close()
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{path}")
    assert (
        main(["sales", "--vendor", "all", "--period", "2026-11", "--out", str(tmp_path / "x.json")])
        == 1
    )
    assert "lacks contract tables" in capsys.readouterr().err


def test_missing_sqlite_file_exit_1(monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'nowhere.sqlite'}")
    assert (
        main(["sales", "--vendor", "all", "--period", "2026-11", "--out", str(tmp_path / "x.json")])
        == 1
    )
    assert not (tmp_path / "nowhere.sqlite").exists()


@pytest.mark.parametrize("name", ["members", "campaigns"])
def test_other_reports_dispatch(on_mall, tmp_path, name):
    out = tmp_path / f"{name}.json"
    assert (
        _run(name, "--vendor", str(on_mall.shop_a), "--period", "2026-11", "--out", str(out)) == 0
    )
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc["vendor_id"] == on_mall.shop_a
    assert isinstance(doc["totals"], dict)


def test_as_a_process(on_mall, tmp_path):
    """The real command line: exit statuses reach the shell, and no traceback ever."""
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
    base = [sys.executable, "-m", "exports", "report", "sales", "--period", "2026-11"]
    ok = subprocess.run(
        [*base, "--vendor", "all", "--out", str(tmp_path / "all.json")],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert ok.returncode == 0, ok.stderr
    bad = subprocess.run(
        [*base, "--vendor", "424242", "--out", str(tmp_path / "x.json")],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert bad.returncode == 2
    assert "unknown vendor" in bad.stderr
    assert "Traceback" not in bad.stderr
    assert Path(tmp_path / "all.json").is_file()
