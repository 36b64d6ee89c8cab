"""`python -m exports settlement …`: settlement statements from a shell, for month-end jobs.

    python -m exports settlement --vendor 12 --period 2026-11 --out s12.xlsx
    python -m exports settlement --vendor all --period 2026-11 --out month-end/
    python -m exports settlement --vendor all --from 2026-11-01 --to 2026-12-01 --out nov.json

Reads the database in `DATABASE_URL`; it only reads (issuing is done in the
console). The period is `[from, to)` in the platform timezone; `--period YYYY-MM`
is that calendar month. `--format` defaults to the extension of `--out`
(`--vendor all` with xlsx: `--out` is a folder, created if missing, receiving
`overview.xlsx` and `statements.zip`; a progress line per vendor goes to stderr).

JSON: `{"period_start", "period_end", "statements": [...]}`, one statement per
vendor (vendors with nothing in the period included, all zeros). `status` is
`not_issued` where no statement exists for exactly that vendor and period (figures
from today's data); issued statements report their frozen totals plus
`settlement_id`, `version`, `created_at`, `confirmed_at`, `paid_at`, and — only
where today's data differ — `differences: {line: {"frozen", "today"}}`.
`order_nos` / `refund_ids` are today's paid orders / completed refunds in the period.

Exit status: 0 written; 2 bad arguments; 1 the database cannot be reached or lacks
contract tables. Never a traceback.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from datetime import date, datetime
from pathlib import Path

from exports import cli_common as cli
from exports.settlement_workbook import write_month_end, write_statement_workbook
from queries.core.errors import UserError
from queries.core.settings import load_settings
from queries.finance.lines import period_range, refs_by_vendor
from queries.finance.settlements import StatementInfo, statement_infos

__all__ = ["main"]

FORMATS = ("xlsx", "json")


def _month(text: str) -> tuple[date, date]:
    """`--period YYYY-MM` (years 2000–2100) as its first day and the next month's."""
    year, month = cli.iso_month(text)
    return date(year, month, 1), date(year + month // 12, month % 12 + 1, 1)


def _parser() -> cli.CliParser:
    parser = cli.CliParser(
        prog="python -m exports settlement",
        description="Write settlement statements (read only) for one vendor or all.",
    )
    cli.add_vendor_and_dates(parser, month=_month)
    parser.add_argument("--out", required=True, type=Path, metavar="PATH")
    parser.add_argument("--format", choices=FORMATS, help="default: the extension of --out")
    return parser


def _dates(parser: cli.CliParser, ns: argparse.Namespace) -> tuple[date, date]:
    if ns.period is not None:
        if ns.end is not None:
            parser.error("--to goes with --from, not with --period")
        return ns.period
    if ns.end is None:
        parser.error("--from needs --to (exclusive)")
    if not ns.start < ns.end:
        parser.error(f"--to ({ns.end}) must be after --from ({ns.start})")
    return ns.start, ns.end


def _format(parser: cli.CliParser, ns: argparse.Namespace) -> str:
    suffix = ns.out.suffix.lower().lstrip(".")
    if ns.format is None:
        if suffix in FORMATS:
            return suffix
        if ns.vendor == "all" and suffix == "":
            return "xlsx"  # a folder for overview.xlsx and statements.zip
        parser.error(f"cannot tell the format from {ns.out.name!r}: give --format xlsx|json")
    if suffix in FORMATS and suffix != ns.format:
        parser.error(f"--format {ns.format} does not match --out {ns.out.name!r}")
    return ns.format


def _check_out(parser: cli.CliParser, ns: argparse.Namespace, fmt: str) -> None:
    if ns.vendor == "all" and fmt == "xlsx":
        if ns.out.exists() and not ns.out.is_dir():
            parser.error(f"--out must be a folder for --vendor all as xlsx: {ns.out}")
        if not ns.out.exists() and not ns.out.parent.is_dir():
            parser.error(f"the folder above --out does not exist: {ns.out.parent}")
    elif not ns.out.parent.is_dir():
        parser.error(f"the folder of --out does not exist: {ns.out.parent}")
    elif ns.out.is_dir():
        parser.error(f"--out is a folder; give a file name: {ns.out}")


def main(args: list[str]) -> int:
    """Run `settlement …` with `args` (after the word `settlement`); return the exit status."""
    parser = _parser()
    try:
        ns = parser.parse_args(args)
        start, end = _dates(parser, ns)
        fmt = _format(parser, ns)
        _check_out(parser, ns, fmt)
        settings = load_settings()
    except cli.CliExit as exc:
        return exc.status
    except UserError as exc:  # a malformed DATABASE_URL or timezone setting
        cli.say(exc.message(cli.message_lang()))
        return 1
    vendor_ids = None if ns.vendor == "all" else [ns.vendor]
    try:
        status, _ = cli.with_database(
            settings.database_url,
            ns.vendor,
            lambda conn: _run(conn, ns.out, fmt, vendor_ids, start, end, settings),
        )
    except OSError as exc:
        cli.say(f"cannot write {ns.out}: {exc.strerror or exc}")
        return 2
    return status


def _progress(done: int, total: int, name: str) -> None:
    print(f"settlement: {done}/{total} vendors ({name})", file=sys.stderr, flush=True)  # noqa: T201


def _run(conn, out: Path, fmt: str, vendor_ids, start: date, end: date, settings) -> None:
    tz, symbol = settings.timezone, settings.currency_symbol
    if vendor_ids is None and fmt == "xlsx":
        out.mkdir(exist_ok=True)
        write_month_end(
            conn,
            out,
            period_start=start,
            period_end=end,
            tz=tz,
            currency_symbol=symbol,
            progress=_progress,
        )
        return
    infos = statement_infos(conn, period_start=start, period_end=end, tz=tz, vendor_ids=vendor_ids)
    handle, temp = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".part")
    os.close(handle)
    try:
        if fmt == "json":
            document = _document(conn, infos, start, end, tz, vendor_ids)
            text = json.dumps(document, ensure_ascii=False, indent=2)
            Path(temp).write_text(text + "\n", encoding="utf-8")
        else:
            write_statement_workbook(conn, temp, infos[0], tz=tz, currency_symbol=symbol)
        os.replace(temp, out)  # readers never see half a file
    finally:
        if os.path.exists(temp):
            os.unlink(temp)


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _document(conn, infos: list[StatementInfo], start: date, end: date, tz: str, vendor_ids):
    """The JSON document of the module docstring."""
    order_nos, refund_ids = refs_by_vendor(
        conn, period=period_range(start, end, tz), vendor_ids=vendor_ids
    )
    statements = []
    for info in infos:
        entry: dict = {"vendor_id": info.vendor_id, "status": info.status}
        entry.update(info.totals.as_dict())
        entry["order_nos"] = order_nos.get(info.vendor_id, [])
        entry["refund_ids"] = refund_ids.get(info.vendor_id, [])
        if info.settlement is not None:
            row = info.settlement
            entry["settlement_id"] = row["settlement_id"]
            entry["version"] = row["version"]
            for key in ("created_at", "confirmed_at", "paid_at"):
                entry[key] = _iso(row[key])
            if info.differences:
                entry["differences"] = {
                    line: {"frozen": frozen, "today": today}
                    for line, (frozen, today) in info.differences.items()
                }
        statements.append(entry)
    return {
        "period_start": start.isoformat(),
        "period_end": end.isoformat(),
        "statements": statements,
    }
