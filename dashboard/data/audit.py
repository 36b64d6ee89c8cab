"""Cached reads of the Audit page: one page of the trail in words, its filter choices, its workbook.

The viewer's rights travel as a plain `AuditScope`; the words come from
`dashboard.ui.audit_words.readable`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

import pandas as pd

from dashboard.caching import cached
from dashboard.shell.context import read_engine
from dashboard.ui.audit_words import Reading, readable, word
from exports.audit_workbook import audit_workbook_bytes
from queries.audit import AuditChoices, AuditScope, audit_choices, audit_entries
from queries.core.periods import TimeRange

__all__ = [
    "AuditFilter",
    "audit_download_builder",
    "audit_page",
    "filter_choices",
]

DOWNLOAD_LIMIT = 50_000


@dataclass(frozen=True)
class AuditFilter:
    """What the filter form asked for; `start`/`end` are UTC instants or None for all time.

    `action`, `entity` and `actor` are exact codes / user names ("" for any).
    """

    actor: str = ""
    action: str = ""
    entity: str = ""
    vendor_id: int | None = None
    start: datetime | None = None
    end: datetime | None = None

    @property
    def period(self) -> TimeRange | None:
        return TimeRange(self.start, self.end) if self.start and self.end else None


# --- cached reads ---------------------------------------------------------------------------


def _entries(conn, scope: AuditScope, filters: AuditFilter, page: int, page_size: int):
    return audit_entries(
        conn,
        scope=scope,
        actor=filters.actor or None,
        action=filters.action or None,
        entity=filters.entity or None,
        vendor_id=filters.vendor_id,
        period=filters.period,
        page=page,
        page_size=page_size,
    )


@cached(ttl=60, topics=("audit",), max_entries=256)
def audit_page(
    scope: AuditScope, filters: AuditFilter, page: int, page_size: int, how: Reading
) -> tuple[pd.DataFrame, int]:
    """One page of the trail the scope may see, newest first, in words; and the total."""
    with read_engine().connect() as conn:
        rows, total = _entries(conn, scope, filters, page, page_size)
    return readable(rows, how), total


@cached(ttl=300, topics=("audit",))
def filter_choices(scope: AuditScope) -> AuditChoices:
    """The actions, entity types and people present in the scope's trail."""
    with read_engine().connect() as conn:
        return audit_choices(conn, scope=scope)


@lru_cache(maxsize=4)
def _sheet_name(lang: str) -> str:
    return word("page.audit", lang)


def audit_download_builder(
    scope: AuditScope, filters: AuditFilter, how: Reading
) -> Callable[[], bytes]:
    """A builder of the filtered trail (up to 50,000 rows) as a workbook, run on click.

    `st.download_button` calls it on another thread: the engine is taken here,
    in the page's run, and the words need no session.
    """
    database = read_engine()

    def build() -> bytes:
        with database.connect() as conn:
            rows, _ = _entries(conn, scope, filters, 1, DOWNLOAD_LIMIT)
        return audit_workbook_bytes(readable(rows, how), sheet=_sheet_name(how.lang))

    return build
