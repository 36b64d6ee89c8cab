"""What the finance pages show alike: a settlement period's heading, statements as a workbook.

Used by Settlements, Statements and Reconciliation.
"""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd

from dashboard.i18n import status_label, t
from dashboard.shell.context import settings
from dashboard.ui.formatting import local_date
from dashboard.ui.widgets import download_table
from exports.xlsx import Column

__all__ = ["download_statements", "period_heading"]


def period_heading(start: date, end: date) -> str:
    """A settlement period (end exclusive) as its first and last day, with the timezone."""
    return t(
        "settlements.period_heading",
        first=local_date(start),
        last=local_date(end - timedelta(days=1)),
        tz=settings().timezone,
    )


def download_statements(
    frame: pd.DataFrame, columns: list[tuple[str, str, str]], *, file_name: str, key: str
) -> None:
    """Offer the statements of `frame` as a workbook: (column, header key, kind) each."""
    export = frame[[c for c, _, _ in columns]].copy()
    export["status"] = export["status"].map(lambda s: status_label("settlement", s))
    download_table(
        export,
        [Column(t(h), kind) for _, h, kind in columns],
        file_name=file_name,
        key=key,
    )
