"""`python -m exports report sales|members|campaigns …`: analytics reports from a shell, for cron.

    python -m exports report sales --vendor 12 --period 2026-11 --out nov.json
    python -m exports report sales --vendor all --from 2026-11-01 --to 2026-11-08 --out w.xlsx

Reads the database in `DATABASE_URL` (`queries.core.settings.load_settings`). The
period is `[from, to)` in the platform timezone (`--to` is exclusive; `--period
YYYY-MM` is that calendar month). `--format` defaults to the extension of `--out`.

JSON: `--vendor ID` writes `{"vendor_id", "from", "to", "totals", <breakdown>: [rows]…}`;
`--vendor all` writes `{"from", "to", "mall": {"totals"}, "vendors": [{"vendor_id", "totals"}…]}`,
one entry per vendor, those without sales included. Money is in fen under the
contract's `*_cents` names; ratios are unrounded, `null` for a zero denominator.
XLSX: a Totals sheet (one row per scope) and, for one vendor, one sheet per breakdown.

Exit status: 0 written; 2 bad arguments (unknown vendor, malformed date, `--to`
not after `--from`, format not matching `--out`, unwritable `--out`); 1 the
database cannot be reached or lacks contract tables. Never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import json
import math
import os
import tempfile
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd
import sqlalchemy as sa

from exports.cli_common import (
    CliExit,
    CliParser,
    add_vendor_and_dates,
    iso_month,
    message_lang,
    say,
    with_database,
)
from exports.xlsx import Column, SheetWriter, new_workbook
from queries.core import schema as s
from queries.core.actors import Scope
from queries.core.errors import UserError
from queries.core.periods import TimeRange, month_range, range_from_dates
from queries.core.settings import load_settings
from queries.reports import Report
from queries.rolled.coverage import read_rollups_up_to

__all__ = ["REPORTS", "main"]

# Report name → module with `report(conn, *, scope, period, tz) -> Report`, imported on use
# (and, optionally, `totals_by_vendor(conn, *, period, tz) -> {vendor_id: totals}`).
REPORTS = {
    "sales": "queries.sales.breakdowns",
    "members": "queries.members.overview",
    "campaigns": "queries.marketing.campaigns",
}
FORMATS = ("xlsx", "json")


def _parser() -> CliParser:
    parser = CliParser(
        prog="python -m exports report",
        description="Write a sales, members or campaigns report for one vendor or all.",
    )
    parser.add_argument("report", choices=sorted(REPORTS))
    add_vendor_and_dates(parser, month=iso_month)
    parser.add_argument("--out", required=True, type=Path, metavar="FILE")
    parser.add_argument("--format", choices=FORMATS, help="default: the extension of --out")
    parser.add_argument(
        "--live",
        action="store_true",
        help="read every day live, not the rollups (the figures are the same, only slower)",
    )
    return parser


def _period(parser: CliParser, ns: argparse.Namespace, tz: ZoneInfo) -> TimeRange:
    if ns.period is not None:
        if ns.end is not None:
            parser.error("--to goes with --from, not with --period")
        return month_range(*ns.period, tz)
    if ns.end is None:
        parser.error("--from needs --to (exclusive)")
    if not ns.start < ns.end:
        parser.error(f"--to ({ns.end}) must be after --from ({ns.start})")
    return range_from_dates(ns.start, ns.end, tz)


def _format(parser: CliParser, ns: argparse.Namespace) -> str:
    suffix = ns.out.suffix.lower().lstrip(".")
    if ns.format is None:
        if suffix not in FORMATS:
            parser.error(f"cannot tell the format from {ns.out.name!r}: give --format xlsx|json")
        return suffix
    if suffix in FORMATS and suffix != ns.format:
        parser.error(f"--format {ns.format} does not match --out {ns.out.name!r}")
    return ns.format


def main(args: list[str]) -> int:
    """Run `report …` with `args` (after the word `report`); return the exit status."""
    parser = _parser()
    try:
        ns = parser.parse_args(args)
        settings = load_settings()
        period = _period(parser, ns, settings.tz)
        fmt = _format(parser, ns)
        if not ns.out.parent.is_dir():
            parser.error(f"the folder of --out does not exist: {ns.out.parent}")
    except CliExit as exc:
        return exc.status
    except UserError as exc:  # a malformed DATABASE_URL or timezone setting
        say(exc.message(message_lang()))
        return 1
    # Like the page it mirrors: the rolled whole days (while not older than
    # ROLLUP_MAX_AGE_DAYS) and the live rest; --live reads no rollup.
    read_rollups_up_to(-1 if ns.live else settings.rollup_max_age_days)
    status, document = with_database(
        settings.database_url,
        ns.vendor,
        lambda conn: _build(conn, ns.report, ns.vendor, period, settings.timezone),
    )
    if status:
        return status
    try:
        _write(document, ns.out, fmt, settings.tz, settings.currency_symbol)
    except OSError as exc:
        say(f"cannot write {ns.out}: {exc.strerror or exc}")
        return 2
    return 0


# --- building the document ------------------------------------------------------------


def _build(conn: sa.Connection, name: str, vendor: int | str, period: TimeRange, tz: str) -> dict:
    """The report as a JSON-ready dict; breakdown frames are kept for the workbook."""
    zone = ZoneInfo(tz)
    module = importlib.import_module(REPORTS[name])
    head = {"from": period.first_day(zone).isoformat(), "to": period.end_date(zone).isoformat()}
    if vendor != "all":
        report: Report = module.report(conn, scope=Scope(vendor), period=period, tz=tz)
        return {
            "vendor_id": vendor,
            **head,
            "totals": dict(report.totals),
            **dict(report.breakdowns),
        }
    mall = module.report(conn, scope=Scope.mall(), period=period, tz=tz)
    return {
        **head,
        "mall": {"totals": dict(mall.totals)},
        "vendors": [
            {"vendor_id": vendor_id, "totals": totals}
            for vendor_id, totals in sorted(_vendor_totals(conn, name, module, period, tz).items())
        ],
    }


def _vendor_totals(conn, name: str, module, period: TimeRange, tz: str) -> dict[int, dict]:
    """Every vendor's totals: one grouped statement for sales (and where a module offers it)."""
    if name == "sales":
        from queries.sales.kpis import headlines_by_vendor

        grouped = headlines_by_vendor(conn, period=period, tz=tz)
        return {vendor_id: h.as_dict() for vendor_id, h in grouped.items()}
    if hasattr(module, "totals_by_vendor"):
        return module.totals_by_vendor(conn, period=period, tz=tz)
    vendor_ids = conn.execute(sa.select(s.vendors.c.vendor_id)).scalars().all()
    return {
        v: dict(module.report(conn, scope=Scope(v), period=period, tz=tz).totals)
        for v in vendor_ids
    }


# --- JSON -----------------------------------------------------------------------------


def _plain(value):
    """A JSON value for one cell: ints, unrounded floats, ISO dates, null."""
    if value is None or value is pd.NaT or value is pd.NA:
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, int | str):
        return value
    if isinstance(value, float):
        return None if math.isnan(value) else value
    if isinstance(value, pd.Timestamp | datetime | date):
        return value.isoformat()
    if hasattr(value, "item"):  # numpy scalars
        return _plain(value.item())
    return str(value)


def _to_json(document) -> object:
    if isinstance(document, pd.DataFrame):
        return [
            {str(k): _plain(v) for k, v in zip(document.columns, row, strict=True)}
            for row in document.itertuples(index=False, name=None)
        ]
    if isinstance(document, dict):
        return {k: _to_json(v) for k, v in document.items()}
    if isinstance(document, list):
        return [_to_json(v) for v in document]
    return _plain(document)


# --- XLSX -----------------------------------------------------------------------------

_RATIO_ENDINGS = ("_rate", "share", "conversion", "retention", "_change", "growth")


def _kind(name: str, values: list) -> str:
    """The workbook kind of a column, from its contract name and its values."""
    sample = next((v for v in values if v is not None and not _is_nan(v)), None)
    if name.endswith("_cents"):
        return "money"
    if isinstance(sample, datetime | pd.Timestamp):
        return "datetime"
    if isinstance(sample, date):
        return "date"
    if name.endswith(_RATIO_ENDINGS):
        return "ratio"
    if isinstance(sample, bool) or isinstance(sample, str):
        return "text"
    if isinstance(sample, int) or (hasattr(sample, "dtype") and sample.dtype.kind in "iu"):
        return "int"
    if isinstance(sample, float | Decimal) or hasattr(sample, "dtype"):
        return "number"
    return "text"


def _is_nan(value) -> bool:
    return isinstance(value, float) and math.isnan(value)


def _header(name: str) -> str:
    """Money columns hold yuan in the workbook, so their header drops `_cents`."""
    return name.removesuffix("_cents")


def _write_sheet(workbook, title: str, columns: list[str], rows: list[tuple], tz, symbol) -> None:
    spec = [Column(_header(c), _kind(c, [r[i] for r in rows])) for i, c in enumerate(columns)]
    writer = SheetWriter(workbook, title, spec, tz=tz, currency_symbol=symbol)
    writer.write_rows([tuple(v.item() if hasattr(v, "item") else v for v in r) for r in rows])
    writer.close()


def _write_xlsx(document: dict, path: Path, tz: ZoneInfo, symbol: str) -> None:
    if "vendors" in document:
        scopes = [("all", document["mall"]["totals"])]
        scopes += [(str(v["vendor_id"]), v["totals"]) for v in document["vendors"]]
    else:
        scopes = [(str(document["vendor_id"]), document["totals"])]
    names = list(scopes[0][1])
    period = (date.fromisoformat(document["from"]), date.fromisoformat(document["to"]))
    rows = [(scope, *period, *(totals.get(n) for n in names)) for scope, totals in scopes]
    workbook = new_workbook(str(path))
    _write_sheet(workbook, "Totals", ["vendor_id", "from", "to", *names], rows, tz, symbol)
    for key, frame in document.items():
        if isinstance(frame, pd.DataFrame):
            frame_rows = [tuple(r) for r in frame.itertuples(index=False, name=None)]
            _write_sheet(workbook, key, [str(c) for c in frame.columns], frame_rows, tz, symbol)
    workbook.close()


def _write(document: dict, out: Path, fmt: str, tz: ZoneInfo, symbol: str) -> None:
    """Write to a temporary file beside `out`, then rename: readers never see half a file."""
    handle, temp = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".part")
    os.close(handle)
    try:
        if fmt == "json":
            text = json.dumps(_to_json(document), ensure_ascii=False, indent=2)
            Path(temp).write_text(text + "\n", encoding="utf-8")
        else:
            _write_xlsx(document, Path(temp), tz, symbol)
        os.replace(temp, out)
    finally:
        if os.path.exists(temp):
            os.unlink(temp)
