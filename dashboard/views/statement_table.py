"""What the finance pages share: the period form and heading, statements as a workbook.

Used by Settlements, Statements and Reconciliation.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd
import streamlit as st

from dashboard.i18n import status_label, t
from dashboard.shell.context import settings
from dashboard.shell.url_state import month_period
from dashboard.ui.formatting import local_date
from dashboard.ui.widgets import download_table, today_local
from exports.xlsx import Column

__all__ = ["PeriodPick", "download_statements", "period_heading", "pick_period"]


@dataclass(frozen=True)
class PeriodPick:
    """The settlement period: local dates, end exclusive."""

    start: date
    end: date

    @property
    def key(self) -> tuple[date, date]:
        """What session state keeps: a plain tuple, equal across runs (a page's run may
        define its classes anew, and an instance kept from an earlier run never equals one)."""
        return (self.start, self.end)


def _next_month(first: date) -> date:
    return date(first.year + first.month // 12, first.month % 12 + 1, 1)


def pick_period(key: str) -> PeriodPick | None:
    """The period form: a month (last month by default) or any first–last day range."""
    today = today_local()
    this_month = today.replace(day=1)
    months = [this_month]
    for _ in range(23):
        months.append((months[-1] - timedelta(days=1)).replace(day=1))
    last_month = months[1]
    month_period(key, months, last_month)
    with st.form(f"{key}_period"):
        mode = st.radio(
            t("settlements.period_mode"),
            ("month", "custom"),
            # Labels made in this run: a format_func is also called outside it.
            format_func={m: t(f"settlements.mode.{m}") for m in ("month", "custom")}.get,
            horizontal=True,
            key=f"{key}_mode",
        )
        left, right = st.columns(2)
        month = left.selectbox(
            t("settlements.month"),
            months,
            index=1,
            format_func=lambda d: d.strftime("%Y-%m"),
            key=f"{key}_month",
        )
        dates = right.date_input(
            t("settlements.dates"),
            value=(last_month, this_month - timedelta(days=1)),
            key=f"{key}_dates",
        )
        st.form_submit_button(t("settlements.show"), icon=":material/search:")
    if mode == "month":
        return PeriodPick(month, _next_month(month))
    if not isinstance(dates, tuple | list) or len(dates) != 2:
        st.warning(t("settlements.bad_dates"))
        return None
    first, last = sorted(dates)
    return PeriodPick(first, last + timedelta(days=1))


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
