"""What the two shell commands (`python -m exports report|settlement`) share.

The argument parser that returns its exit status instead of leaving the process,
the vendor and date argument types, the error line on stderr, the message language
(from `LANG`), and opening the database with the checks both commands make.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TypeVar

import sqlalchemy as sa

from queries.core import messages
from queries.core import schema as s
from queries.core.db import connect_engine
from queries.core.errors import Invalid, UserError
from queries.core.rls import STAFF, RowScope, use_scope
from queries.core.validation import parse_day, parse_month

Result = TypeVar("Result")

__all__ = [
    "CliExit",
    "CliParser",
    "add_vendor_and_dates",
    "end_day",
    "iso_day",
    "iso_month",
    "message_lang",
    "say",
    "vendor_or_all",
    "with_database",
]


class CliExit(Exception):
    """The parser's exit, carried as an exception with the status."""

    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


class CliParser(argparse.ArgumentParser):
    """argparse whose errors (status 2, message on stderr) return instead of exiting."""

    def exit(self, status: int = 0, message: str | None = None):
        if message:
            self._print_message(message, sys.stderr)
        raise CliExit(status)


def vendor_or_all(text: str) -> int | str:
    """`--vendor`: a vendor id or `all`."""
    if text == "all":
        return "all"
    # ASCII digits only (a superscript ² is a "digit" to str.isdigit), at most ten of them.
    if not re.fullmatch(r"[1-9][0-9]{0,9}", text, re.ASCII):
        raise argparse.ArgumentTypeError(f"expected a vendor id or 'all', got {text!r}")
    return int(text)


def _checked(parse: Callable[[], Result]) -> Result:
    """`parse()`, its `Invalid` turned into argparse's refusal (exit 2, the message)."""
    try:
        return parse()
    except Invalid as exc:
        raise argparse.ArgumentTypeError(exc.message(message_lang())) from None


def iso_day(text: str) -> date:
    """`--from`: a date YYYY-MM-DD in the contract's years 2000–2100."""
    label = messages.text("label.core.when.from")
    return _checked(lambda: parse_day(text, field="from", label=label))


def end_day(text: str) -> date:
    """`--to` (exclusive): a date YYYY-MM-DD in 2000–2100, or 2101-01-01."""
    label = messages.text("label.core.when.to")
    return _checked(lambda: parse_day(text, field="to", label=label, exclusive_end=True))


def iso_month(text: str) -> tuple[int, int]:
    """`--period`: a calendar month YYYY-MM in 2000–2100, as (year, month)."""
    label = messages.text("label.core.when.period")
    return _checked(lambda: parse_month(text, field="period", label=label))


def add_vendor_and_dates(
    parser: argparse.ArgumentParser, *, month: Callable[[str], object]
) -> None:
    """`--vendor`, then `--period` (read by `month`) or `--from` with `--to` (exclusive)."""
    parser.add_argument("--vendor", required=True, type=vendor_or_all, help="a vendor id, or all")
    when = parser.add_mutually_exclusive_group(required=True)
    when.add_argument("--period", type=month, metavar="YYYY-MM", help="a calendar month")
    when.add_argument("--from", dest="start", type=iso_day, metavar="YYYY-MM-DD")
    parser.add_argument("--to", dest="end", type=end_day, metavar="YYYY-MM-DD", help="exclusive")


def say(message: str) -> None:
    """Print one error line on stderr."""
    print(f"error: {message}", file=sys.stderr)  # noqa: T201 - a shell tool


def message_lang() -> str:
    """The language of the messages: Chinese when `LANG` starts with zh."""
    return "zh" if os.environ.get("LANG", "").lower().startswith("zh") else "en"


def _open_engine(url: str) -> sa.Engine | None:
    """The engine of `url`, or None once it said why not (no file, unreachable, no tables)."""
    if url.startswith("sqlite") and not Path(sa.make_url(url).database or "").is_file():
        say(f"no database file at {sa.make_url(url).database} (set DATABASE_URL)")
        return None
    try:
        return connect_engine(url)
    except UserError as exc:  # unreachable, or contract tables missing
        say(exc.message(message_lang()))
        return None


def _database_error(exc: sa.exc.SQLAlchemyError) -> str:
    """The first line of a database error, for the error line."""
    return f"database error: {str(getattr(exc, 'orig', exc)).strip().splitlines()[0]}"


def with_database(
    url: str, vendor: int | str, work: Callable[[sa.Connection], Result]
) -> tuple[int, Result | None]:
    """Run `work` on the database once `vendor` (or all) is known there.

    Returns (0, what `work` returned), or (exit status, None) after saying why:
    1 when the database cannot be opened or fails, 2 for an unknown vendor or
    a refusal of the queries (`UserError`). Other errors propagate, the engine closed.
    """
    engine = _open_engine(url)
    if engine is None:
        return 1, None
    # Row-level security (deploy/rls.sql): one shop's export reads as that shop, all as staff.
    scope = STAFF if vendor == "all" else RowScope.vendor(vendor)
    try:
        with use_scope(scope), engine.connect() as conn:
            if vendor != "all" and not _vendor_exists(conn, vendor):
                say(f"unknown vendor {vendor}")
                return 2, None
            return 0, work(conn)
    except sa.exc.SQLAlchemyError as exc:
        say(_database_error(exc))
        return 1, None
    except UserError as exc:
        say(exc.message(message_lang()))
        return 2, None
    finally:
        engine.dispose()


def _vendor_exists(conn: sa.Connection, vendor_id: int) -> bool:
    """Whether a vendor of that id exists."""
    stmt = sa.select(s.vendors.c.vendor_id).where(s.vendors.c.vendor_id == vendor_id)
    return conn.execute(stmt).first() is not None
