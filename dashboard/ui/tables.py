"""The one table and KPI formatter of every page: cells, tables and headline figures as text.

A table spec lists `(frame column, header or label key, kind)`; the kind says how a
value is shown: text, int, money, ratio, ratio2 (two decimals), number (two decimals),
date, datetime or id (digits without grouping on screen, a number in the workbook).
Downloads keep the raw values; only the screen gets the text.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd
import streamlit as st

from dashboard.i18n import t
from dashboard.ui import formatting as fmt
from dashboard.ui.widgets import Kpi, download_table
from exports.xlsx import Column
from queries.sales.kpis import Comparison

__all__ = [
    "COST_FIGURES",
    "FIGURES",
    "cell",
    "figure_kpis",
    "formatted",
    "headline_kpis",
    "show_change",
    "show_table",
]

# Headline figure → (label key, help key or None, how its value and change are shown).
FIGURES = {
    "gmv_cents": ("sales.fig.gmv", "sales.help.gmv", "money"),
    "paid_orders": ("sales.fig.paid_orders", None, "int"),
    "buyers": ("sales.fig.buyers", None, "int"),
    "aov_cents": ("sales.fig.aov", "sales.help.aov", "money"),
    "refunded_cents": ("sales.fig.refunded", "sales.help.refunded", "money"),
    "refund_rate": ("sales.fig.refund_rate", "sales.help.refund_rate", "ratio"),
    "net_sales_cents": ("sales.fig.net_sales", "sales.help.net_sales", "money"),
    "new_buyers": ("sales.fig.new_buyers", None, "int"),
    "returning_buyers": ("sales.fig.returning_buyers", None, "int"),
    "repurchase_rate": ("sales.fig.repurchase_rate", None, "ratio"),
}

# Figures where a rise is bad news: their change is coloured "up = red" (st.metric inverse).
COST_FIGURES = frozenset({"refunded_cents", "refund_rate"})


def cell(kind: str, value) -> str:
    """One value as text for the screen; None and NaN as "—"."""
    if value is None or pd.isna(value):
        return fmt.DASH
    if kind == "money":
        return fmt.money(int(value))
    if kind == "int":
        return fmt.number(int(value))
    if kind == "ratio":
        return fmt.percent(value)
    if kind == "ratio2":
        return fmt.percent(value, 2)
    if kind == "number":
        return fmt.number(value, 2)
    if kind == "date":
        return fmt.local_date(value)
    if kind == "datetime":
        return fmt.local_datetime(value)
    if kind == "id":
        return str(int(value))
    return str(value)


def show_change(name: str, value: float | None) -> str:
    """A change as text: percentage points for rates, signed percent otherwise."""
    if value is None:
        return fmt.DASH
    if FIGURES[name][2] == "ratio":
        return fmt.pp(value)
    return ("+" if value > 0 else "") + fmt.percent(value)


def headline_kpis(
    comparison: Comparison, names: tuple[str, ...], *, with_year: bool = True
) -> list[Kpi]:
    """`Kpi`s of the headline figures `names` with their 环比 (and 同比)."""
    now = comparison.current.as_dict()
    before, year = comparison.vs_previous(), comparison.vs_year()
    out = []
    for name in names:
        label_key, help_key, kind = FIGURES[name]
        out.append(
            Kpi(
                label=t(label_key),
                value=cell(kind, now[name]),
                vs_previous=show_change(name, before[name]),
                vs_year=show_change(name, year[name]) if with_year else None,
                help=t(help_key) if help_key else None,
                cost=name in COST_FIGURES,
            )
        )
    return out


def figure_kpis(totals: Mapping, spec: Sequence[tuple[str, str, str]]) -> list[Kpi]:
    """`Kpi`s of a page's totals: (total's name, label key, kind) each, shown as `cell` shows it."""
    return [Kpi(t(label), cell(kind, totals[name])) for name, label, kind in spec]


def formatted(
    frame: pd.DataFrame, spec: list[tuple[str, str, str]]
) -> tuple[pd.DataFrame, list[Column]]:
    """(display frame with translated headers and formatted values, download Columns).

    `spec` lists (frame column, label key, kind).
    """
    shown = pd.DataFrame(
        {t(label): [cell(kind, v) for v in frame[col]] for col, label, kind in spec}
    )
    columns = [Column(t(label), "int" if kind == "id" else kind) for _, label, kind in spec]
    return shown, columns


def show_table(frame: pd.DataFrame, spec: list[tuple[str, str, str]], *, key: str) -> None:
    """Show `frame` under the headers of `spec` with formatted cells, and offer it as a workbook."""
    shown = pd.DataFrame(
        {header: [cell(kind, v) for v in frame[column]] for column, header, kind in spec}
    )
    st.dataframe(shown, hide_index=True)
    raw = frame[[column for column, _, _ in spec]].astype(object)
    download_table(
        raw.where(raw.notna(), None),
        [Column(header, kind) for _, header, kind in spec],
        file_name=f"{key}.xlsx",
        key=f"dl_{key}",
    )
