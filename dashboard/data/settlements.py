"""Cached reads of the settlement pages, workbook builders, and finance's writes.

Reads are cleared by the `settlements` topic (every statement write announces
it) and otherwise kept briefly, as orders keep changing on the platform. Every
function that returns one vendor's data takes the vendor id as a plain argument.
Writes pass straight to `queries.finance.actions` with the app's engine.
"""

from __future__ import annotations

import io
import tempfile
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pandas as pd

from dashboard.caching import cached
from dashboard.shell.context import engine, read_engine, settings
from exports.settlement_workbook import write_month_end, write_statement_workbook
from queries.finance import actions
from queries.core.actors import Actor, Scope
from queries.finance.reconciliation import Reconciliation, reconcile
from queries.finance.settlements import (
    StatementDetail,
    last_change,
    period_overview,
    statement_detail,
    statement_infos,
    vendor_statements,
)

__all__ = [
    "VENDOR_STATUSES",
    "carried_to",
    "changed_by",
    "month_end_files",
    "period_table",
    "reconciliation",
    "statement",
    "statement_list",
    "statement_workbook_builder",
]

# What a vendor (and an operator) may see: drafts are finance's.
VENDOR_STATUSES = ("confirmed", "paid")
ALL_STATUSES = ("draft", "confirmed", "paid")


@cached(ttl=120, topics=("settlements",), max_entries=64)
def period_table(period_start: date, period_end: date) -> pd.DataFrame:
    """Every vendor's statement state and lines for the period (finance)."""
    with read_engine().connect() as conn:
        return period_overview(
            conn,
            scope=Scope.mall(),
            period_start=period_start,
            period_end=period_end,
            tz=settings().timezone,
        )


@cached(ttl=120, topics=("settlements",), max_entries=256)
def statement_list(vendor_id: int | None, statuses: tuple[str, ...]) -> pd.DataFrame:
    """Issued statements of one vendor (None: every vendor) with one of `statuses`."""
    with read_engine().connect() as conn:
        return vendor_statements(conn, scope=Scope(vendor_id), statuses=statuses)


@cached(ttl=120, topics=("settlements",), max_entries=128)
def statement(
    vendor_id: int | None, settlement_id: int, statuses: tuple[str, ...]
) -> StatementDetail | None:
    """One statement with its orders and refunds; None when not visible to the scope."""
    with read_engine().connect() as conn:
        return statement_detail(
            conn,
            scope=Scope(vendor_id),
            settlement_id=settlement_id,
            tz=settings().timezone,
            statuses=statuses,
        )


@cached(ttl=120, topics=("settlements",), max_entries=256)
def carried_to(vendor_id: int, settlement_id: int) -> int | None:
    """The draft a statement's negative net was carried into (and still sits in), or None."""
    with read_engine().connect() as conn:
        return actions.carried_into(conn, settlement_id=settlement_id, vendor_id=vendor_id)


def changed_by(settlement_id: int) -> dict | None:
    """Who last changed a statement and how (its newest audit row; read fresh, not cached)."""
    with read_engine().connect() as conn:
        return last_change(conn, settlement_id=settlement_id)


@cached(ttl=120, topics=("settlements",), max_entries=32)
def reconciliation(period_start: date, period_end: date) -> Reconciliation:
    """Differences of issued statements and orders that do not add up (finance)."""
    with read_engine().connect() as conn:
        return reconcile(
            conn,
            scope=Scope.mall(),
            period_start=period_start,
            period_end=period_end,
            tz=settings().timezone,
        )


def statement_workbook_builder(
    vendor_id: int, period_start: date, period_end: date
) -> Callable[[], bytes]:
    """A no-argument function building one vendor's workbook when the button is clicked."""
    database, config = read_engine(), settings()

    def build() -> bytes:
        buffer = io.BytesIO()
        with database.connect() as conn:
            (info,) = statement_infos(
                conn,
                period_start=period_start,
                period_end=period_end,
                tz=config.timezone,
                vendor_ids=[vendor_id],
            )
            write_statement_workbook(
                conn, buffer, info, tz=config.timezone, currency_symbol=config.currency_symbol
            )
        return buffer.getvalue()

    return build


def month_end_files(
    period_start: date, period_end: date, progress: Callable[[int, int, str], None]
) -> tuple[bytes, bytes]:
    """The overview workbook and the zip of every vendor's workbook, as bytes."""
    config = settings()
    with tempfile.TemporaryDirectory(prefix="mallboard-month-end-") as folder:
        with read_engine().connect() as conn:
            overview, archive = write_month_end(
                conn,
                Path(folder),
                period_start=period_start,
                period_end=period_end,
                tz=config.timezone,
                currency_symbol=config.currency_symbol,
                progress=progress,
            )
        return overview.read_bytes(), archive.read_bytes()


# --- finance's writes (not cached; each announces `settlements`) -----------------------


def issue(actor: Actor, period_start: date, period_end: date, vendor_ids: list[int] | None):
    """Issue drafts for the period (one vendor, or all: None)."""
    return actions.issue_statements(
        engine(),
        actor,
        period_start=period_start,
        period_end=period_end,
        tz=settings().timezone,
        vendor_ids=vendor_ids,
    )


def adjust(actor: Actor, settlement_id: int, version: int, cents: int, note: str) -> dict:
    """Set a draft's adjustment and note."""
    return actions.adjust_statement(
        engine(), actor, settlement_id, expected_version=version, adjustment_cents=cents, note=note
    )


def discard(actor: Actor, settlement_id: int, version: int) -> None:
    """Delete a draft."""
    actions.discard_statement(engine(), actor, settlement_id, expected_version=version)


def confirm(actor: Actor, settlement_id: int, version: int) -> dict:
    """Draft → confirmed."""
    return actions.confirm_statement(engine(), actor, settlement_id, expected_version=version)


def pay(actor: Actor, settlement_id: int, version: int, reference: str) -> dict:
    """Confirmed → paid with the transfer's reference."""
    return actions.mark_paid(
        engine(), actor, settlement_id, expected_version=version, payment_reference=reference
    )


def carry(actor: Actor, from_id: int, into_id: int, into_version: int) -> dict:
    """Carry a negative net into a later draft."""
    return actions.carry_negative_into(
        engine(), actor, from_id, into_id, expected_version=into_version
    )
