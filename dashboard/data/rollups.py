"""The rollups' freshness for the pages' "data as of" line, and the Data jobs view.

Read briefly cached: a refresh moves a cut once a night, and a page should say so
within a minute.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from dashboard.caching import cached
from dashboard.shell.context import read_engine, settings
from queries.rolled.coverage import stale, stored_cut

__all__ = ["RollupFreshness", "data_jobs", "rollup_freshness"]


@dataclass(frozen=True)
class RollupFreshness:
    """The sales family's cut (the first day not rolled up), and whether it is too old."""

    cut: date | None
    stale: bool
    max_age_days: int


@cached(ttl=60)
def _freshness(database_url: str, tz: str, max_age_days: int) -> RollupFreshness:
    del database_url  # the cache key: the app's database
    with read_engine().connect() as conn:
        cut = stored_cut(conn, tz=tz)
    return RollupFreshness(cut, cut is not None and stale(cut, tz=tz), max_age_days)


def rollup_freshness() -> RollupFreshness:
    """How far the rollups reach, for the page's freshness line."""
    config = settings()
    return _freshness(config.database_url, config.timezone, config.rollup_max_age_days)


def data_jobs() -> pd.DataFrame:
    """`python -m rollups status` as a table: one row per family (uncached: a look-out)."""
    from rollups.refresh import family_status

    with read_engine().connect() as conn:
        rows = family_status(conn, tz=settings().timezone)
    columns = [
        "family",
        "complete_before",
        "last_started_at",
        "last_finished_at",
        "last_duration_ms",
        "last_rows",
        "last_outcome",
        "last_message",
    ]
    return pd.DataFrame([{c: row.get(c) for c in columns} for row in rows], columns=columns)
