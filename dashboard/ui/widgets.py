"""Widgets every page shares: period picker, KPI row, downloads, freshness, errors.

`literal` (defined in `dashboard.i18n`, which `t()` uses too) is the one helper that
makes text users or the platform wrote safe for Streamlit's Markdown.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pandas as pd
import streamlit as st

from dashboard import caching
from dashboard.i18n import lang, literal, t
from dashboard.shell import url_state
from dashboard.shell.auth import guarded
from dashboard.shell.context import settings
from dashboard.ui.formatting import DASH, local_date, short_day
from exports.xlsx import Column, frame_to_xlsx
from queries.core.actors import Actor, require_role
from queries.core.errors import UserError
from queries.core.periods import PRESETS, TimeRange, preset_range, range_from_dates

__all__ = [
    "Kpi",
    "download_table",
    "empty_state",
    "freshness",
    "kpi_row",
    "literal",
    "period_form",
    "period_picker",
    "picked_row",
    "require_page_role",
    "show_error",
]


def period_picker(
    key: str,
    *,
    default: str = "last_30",
    presets: Sequence[str] = PRESETS,
    now: datetime | None = None,
) -> TimeRange:
    """A preset or custom first–last day range; call it inside the page's `st.form`.

    The choice lives in the URL (`?period=last_7`, `?period=custom&dates=A..B`) and
    follows the user to the next page that has a period.
    """
    tz = settings().tz
    now = now or datetime.now(UTC)
    today = now.astimezone(tz).date()
    url_state.restore_period(key, list(presets), today)
    preset = st.selectbox(
        t("widget.period"),
        list(presets),
        index=list(presets).index(default),
        format_func=lambda p: t(f"preset.{p}"),
        key=f"{key}_preset",
    )
    picked = st.date_input(
        t("widget.custom_dates"),
        value=(today - timedelta(days=30), today - timedelta(days=1)),
        max_value=today + timedelta(days=366),
        key=f"{key}_dates",
    )
    url_state.keep_period(key, preset, picked, default)
    if preset != "custom":
        return preset_range(preset, now, tz)
    if not isinstance(picked, tuple | list) or len(picked) != 2:
        st.warning(t("widget.bad_dates"))
        return preset_range(default, now, tz)
    first, last = picked
    if last < first:
        first, last = last, first
    return range_from_dates(first, last + timedelta(days=1), tz, "custom")


def period_form(key: str) -> TimeRange:
    """The filter form of a page that asks only for a period: the picker and an Apply button."""
    with st.form(f"{key}_filters"):
        period = period_picker(key)
        st.form_submit_button(t("widget.apply"))
    return period


@dataclass(frozen=True)
class Kpi:
    """One headline figure: its label, shown value, and changes (already formatted)."""

    label: str
    value: str
    vs_previous: str | None = None
    vs_year: str | None = None
    help: str | None = None
    cost: bool = False  # a cost-like figure (refunds, refund rate): up is bad


def kpi_row(figures: Sequence[Kpi], *, columns: int = 4) -> None:
    """Headline figures in rows of `columns` metrics, each with 环比 and 同比 below."""
    for start in range(0, len(figures), columns):
        cells = st.columns(columns)
        for cell, kpi in zip(cells, figures[start : start + columns], strict=False):
            # Grey, not red/green: red means "up" in China and "bad" elsewhere. The arrow
            # follows the sign, so the change must lead the text ("-40.5%", not "vs … -40.5%").
            # A cost-like figure is coloured: up red (bad, and "up" in China), down green.
            # A change without a sign (none, or 0.0) gets neither arrow nor colour.
            no_change = kpi.vs_previous in (None, DASH) or not kpi.vs_previous.startswith(
                ("+", "-", "\u2212")
            )
            cell.metric(
                kpi.label,
                kpi.value,
                delta=kpi.vs_previous,
                delta_color="inverse" if kpi.cost and not no_change else "off",
                delta_arrow="off" if no_change else "auto",
                delta_description=t("widget.vs_previous") if kpi.vs_previous else None,
                help=kpi.help,
            )
            if kpi.vs_year is not None:
                cell.caption(f"{t('widget.vs_year')} {kpi.vs_year}")


def download_table(
    frame: pd.DataFrame, columns: Sequence[Column], *, file_name: str, key: str, sheet: str = "Data"
) -> None:
    """A button that downloads `frame` as an Excel workbook (columns give headers and kinds).

    The workbook is written on click, not on every run: a page redraws without it.
    """
    config = settings()  # read here: the callable runs on another thread

    def workbook() -> bytes:
        return frame_to_xlsx(
            {sheet: (frame, columns)}, tz=config.tz, currency_symbol=config.currency_symbol
        )

    st.download_button(
        t("widget.download"),
        data=guarded(workbook),
        file_name=file_name if file_name.endswith(".xlsx") else f"{file_name}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key=key,
        # A download needs no rerun of the page: its data is made on the click, while
        # the button shows a spinner (said in its tooltip).
        on_click="ignore",
        icon=":material/download:",
        help=t("widget.download_help"),
    )


def picked_row(shown: pd.DataFrame, *, key: str) -> int | None:
    """Show `shown` as a table where a click picks one row; that row's position, or None."""
    event = st.dataframe(
        shown,
        hide_index=True,
        width="stretch",
        on_select="rerun",
        selection_mode="single-row",
        key=key,
    )
    selected = list(getattr(getattr(event, "selection", None), "rows", []) or [])
    return selected[0] if selected else None


def freshness(key: str = "refresh", *, rollups=None) -> None:
    """ "Data as of 14:05" for the oldest figure on the page, and a refresh button.

    A page that reads rollups passes their freshness (`dashboard.data.rollups`): the line
    then says how far they reach ("rolled up to Dec 6, today live"), and operators are
    warned, with the fix, when they are too old to be read (the page reads live).
    """
    reads = caching.run_reads()
    as_of = min((stamp for stamp, _ in reads), default=datetime.now(UTC))
    left, right = st.columns([4, 1])
    line = t("widget.freshness", time=as_of.astimezone(settings().tz).strftime("%H:%M"))
    if rollups is not None and rollups.cut is not None and not rollups.stale:
        line += " · " + t("freshness.rolled", day=short_day(rollups.cut - timedelta(days=1)))
    left.caption(line)
    if right.button(t("widget.refresh"), key=key, icon=":material/refresh:"):
        for _, function in reads:
            function.clear()
        st.rerun()
    actor = st.session_state.get("actor")
    if rollups is not None and rollups.stale and getattr(actor, "role", None) == "operator":
        st.warning(
            t("freshness.stale", day=local_date(rollups.cut), days=rollups.max_age_days),
            icon=":material/update:",
        )


def show_error(exc: UserError) -> None:
    """A user's error as a message in their language, shown literally: messages quote
    what users typed or wrote (a name, a reference), which must never become Markdown."""
    st.error(literal(exc.message(lang())))


def require_page_role(actor: Actor, role: str) -> None:
    """Stop the page, saying why, unless `actor` has `role`."""
    try:
        require_role(actor, role)
    except UserError as exc:
        show_error(exc)
        st.stop()


def empty_state(message: str) -> None:
    """An explained empty period or shop, instead of empty charts."""
    st.info(message, icon=":material/info:")


def today_local() -> date:
    """Today in the platform timezone."""
    return datetime.now(UTC).astimezone(settings().tz).date()
