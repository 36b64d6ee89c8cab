"""Plotly charts in the chosen language: dates, hover labels and the chart's toolbar.

Plotly draws date axes with English month names ("Nov 8 2026") and its toolbar in
English unless told otherwise, and Streamlit's frontend carries no Plotly locale.
`show` therefore gives every figure, before drawing it:
- date axes explicit tick and hover formats of the language (`11月8日` / `Nov 8`),
  one per zoom level, so that no month name is ever left to Plotly's defaults;
- a hover template per trace built from the figure's translated axis titles and
  trace names (the value as formatted text where the trace carries it);
- a Plotly `config` with the language's locale, defined inline (`locales`), which
  translates the toolbar's buttons and any remaining month or day name;
- every text in it (category labels, trace names, titles, hover texts) through
  `chart_text`: Plotly draws `<b>`, `<br>`, `<a href=…>` in labels and reads `$…$` as
  TeX, so names users wrote are shown as typed, never as markup or a link.
"""

from __future__ import annotations

from datetime import date, datetime

import plotly.graph_objects as go
import streamlit as st

from dashboard.i18n import LANGS, lang, pick, plain
from dashboard.strings.charts import PLOTLY_ZH_CN
from dashboard.strings.charts import STRINGS as CHART_STRINGS

__all__ = ["DATE_FORMATS", "chart_text", "localize", "plot_config", "show"]

DAY_MS = 86_400_000

# Per language: tick formats by zoom (below a day, days, months, years) and hover formats,
# from the `chart.format.*` strings.
DATE_FORMATS: dict[str, dict[str, str]] = {
    language: {
        key.removeprefix("chart.format."): pair[index] for key, pair in CHART_STRINGS.items()
    }
    for index, language in enumerate(LANGS)
}


def plot_config() -> dict:
    """The Plotly `config` of the session's language (locale and toolbar words)."""
    return pick(
        {"locale": "zh-CN", "locales": {"zh-CN": PLOTLY_ZH_CN}, "displaylogo": False},
        {"locale": "en-US", "displaylogo": False},
    )


# Plotly turns these entities back into the characters when it draws a label, and never
# reads them as markup; `$` as an entity also keeps a label from being taken for TeX.
_ENTITIES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "$": "&#36;"})
# Trace attributes that may carry text from the data (category coordinates, labels).
_TEXT_ATTRIBUTES = ("x", "y", "text", "hovertext", "labels")


def chart_text(value: object) -> str:
    """Text for a Plotly label, shown exactly as written: no markup, link or formula from it.

    A `Literal` (from `t()`) gives its plain text: charts are not Markdown.
    """
    return plain(value).translate(_ENTITIES)


def _texts(values):
    """`values` with every string made `chart_text`; numbers, dates and None as they are."""
    if isinstance(values, str):
        return chart_text(values)
    if values is None or isinstance(values, dict):
        return values
    try:
        items = list(values)
    except TypeError:
        return values
    if not any(isinstance(v, str) or isinstance(v, list | tuple) for v in items):
        return values  # numbers or dates only: left untouched (and as fast as before)
    return [_texts(v) if isinstance(v, str | list | tuple) else v for v in items]


def _title_text(holder) -> None:
    """A layout object's (axis, colour bar, legend, figure) title made `chart_text`."""
    title = getattr(holder, "title", None)
    text = getattr(title, "text", None) if title is not None else None
    if isinstance(text, str):
        title.text = chart_text(text)


def _safe_texts(figure: go.Figure) -> None:
    """Every text of the figure that could come from the data, made `chart_text`."""
    for trace in figure.data:
        for attribute in _TEXT_ATTRIBUTES:
            if attribute in trace and getattr(trace, attribute) is not None:
                trace[attribute] = _texts(getattr(trace, attribute))
        if isinstance(trace.name, str):
            trace.name = chart_text(trace.name)
        if "colorbar" in trace:
            _title_text(trace.colorbar)
    layout = figure.layout
    _title_text(layout)
    _title_text(layout.legend)
    for name in layout:
        if name.startswith(("xaxis", "yaxis")):
            _title_text(layout[name])


def _is_dates(values) -> bool:
    """Whether a trace's coordinates are dates (then its axis is a date axis)."""
    if values is None:
        return False
    for value in values:
        if value is None:
            continue
        return isinstance(value, date | datetime) or hasattr(value, "to_pydatetime")
    return False


def _date_axis(axis, grain: str) -> None:
    """Tick and hover formats of the language for one date axis."""
    formats = DATE_FORMATS[lang()]
    axis.update(
        tickformatstops=[
            {"dtickrange": [None, DAY_MS], "value": formats["hour"]},
            {"dtickrange": [DAY_MS, "M1"], "value": formats["day"]},
            {"dtickrange": ["M1", "M12"], "value": formats["month"]},
            {"dtickrange": ["M12", None], "value": formats["year"]},
        ],
        hoverformat=formats["hover_month" if grain == "month" else "hover_day"],
    )


def _axis_name(figure: go.Figure, letter: str, ref: str | None) -> str:
    """The layout key of a trace's axis (`xaxis`, `yaxis2`, …)."""
    suffix = (ref or letter)[1:]
    return f"{letter}axis{suffix}"


def _title(axis) -> str:
    title = getattr(axis, "title", None)
    return (getattr(title, "text", None) or "") if title is not None else ""


def _hover(figure: go.Figure, trace) -> None:
    """A hover template from the translated titles: "category / date, then name: value"."""
    if trace.type not in ("bar", "scatter") or trace.hovertemplate:
        return
    x_axis = figure.layout[_axis_name(figure, "x", trace.xaxis)]
    y_axis = figure.layout[_axis_name(figure, "y", trace.yaxis)]
    if trace.orientation == "h":
        where, value, value_axis = "%{y}", "x", x_axis
    else:
        where, value, value_axis = "%{x}", "y", y_axis
    value_ticks = pick(",", None)  # zh: 10,000, not the SI "10k"; en: Plotly's default
    if value_ticks and not value_axis.tickformat and value_axis.type != "date":
        value_axis.update(tickformat=value_ticks)
    label = trace.name or _title(value_axis)
    if trace.hovertext is not None and not isinstance(trace.hovertext, str):
        shown = "%{hovertext}"
    else:
        shown = f"%{{{value}:{value_axis.tickformat or ','}}}"
    line = f"{label}: {shown}" if label else shown
    trace.update(hovertemplate=f"{where}<br>{line}<extra></extra>", hoverinfo=None)


def localize(figure: go.Figure, *, grain: str = "day") -> go.Figure:
    """The figure with date formats and hover labels of the session's language, its texts
    shown as written (`chart_text`)."""
    _safe_texts(figure)
    for trace in figure.data:
        for letter in ("x", "y"):
            if _is_dates(getattr(trace, letter, None)):
                ref = trace.xaxis if letter == "x" else trace.yaxis
                _date_axis(figure.layout[_axis_name(figure, letter, ref)], grain)
        _hover(figure, trace)
    figure.update_layout(separators=".,")
    return figure


def show(figure: go.Figure, *, key: str, grain: str = "day") -> None:
    """Draw `figure` in the session's language (see the module's docstring)."""
    st.plotly_chart(localize(figure, grain=grain), key=key, config=plot_config())
