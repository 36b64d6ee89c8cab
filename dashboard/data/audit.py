"""Cached reads of the Audit page. The viewer's rights travel as a plain `AuditScope`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import pandas as pd

from dashboard.caching import cached
from dashboard.context import engine
from queries.audit import AuditScope, audit_actions, audit_entries
from queries.periods import TimeRange

__all__ = ["AuditFilter", "action_choices", "audit_download_builder", "audit_page"]

DOWNLOAD_LIMIT = 50_000


@dataclass(frozen=True)
class AuditFilter:
    """What the filter form asked for; `start`/`end` are UTC instants or None for all time."""

    actor: str = ""
    action_prefix: str = ""
    vendor_id: int | None = None
    start: datetime | None = None
    end: datetime | None = None

    @property
    def period(self) -> TimeRange | None:
        return TimeRange(self.start, self.end) if self.start and self.end else None


def _read(scope: AuditScope, filters: AuditFilter, page: int, page_size: int):
    with engine().connect() as conn:
        return audit_entries(
            conn,
            scope=scope,
            actor_filter=filters.actor,
            action_prefix=filters.action_prefix,
            vendor_id=filters.vendor_id,
            period=filters.period,
            page=page,
            page_size=page_size,
        )


@cached(ttl=60, topics=("audit",), max_entries=256)
def audit_page(
    scope: AuditScope, filters: AuditFilter, page: int, page_size: int
) -> tuple[pd.DataFrame, int]:
    """One page of the trail the scope may see, newest first, and the total."""
    return _read(scope, filters, page, page_size)


@cached(ttl=300, topics=("audit",))
def action_choices(scope: AuditScope) -> list[str]:
    """The actions present in the scope's trail."""
    with engine().connect() as conn:
        return audit_actions(conn, scope=scope)


def audit_download_builder(
    scope: AuditScope, filters: AuditFilter, to_xlsx: Callable[[pd.DataFrame], bytes]
) -> Callable[[], bytes]:
    """A builder of the filtered trail (up to 50,000 rows) as a workbook, run on click."""
    database = engine()

    def build() -> bytes:
        with database.connect() as conn:
            frame, _ = audit_entries(
                conn,
                scope=scope,
                actor_filter=filters.actor,
                action_prefix=filters.action_prefix,
                vendor_id=filters.vendor_id,
                period=filters.period,
                page=1,
                page_size=DOWNLOAD_LIMIT,
            )
        return to_xlsx(frame)

    return build
