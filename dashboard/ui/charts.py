"""Plotly charts in the chosen language: dates, hover labels and the chart's toolbar.

Plotly draws date axes with English month names ("Nov 8 2026") and its toolbar in
English unless told otherwise, and Streamlit's frontend carries no Plotly locale.
`show` therefore gives every figure, before drawing it:
- date axes explicit tick and hover formats of the language (`11月8日` / `Nov 8`),
  one per zoom level, so that no month name is ever left to Plotly's defaults;
- a hover template per trace built from the figure's translated axis titles and
  trace names (the value as formatted text where the trace carries it);
- a Plotly `config` with the language's locale, defined inline (`locales`), which
  translates the toolbar's buttons and any remaining month or day name.
"""

from __future__ import annotations

from datetime import date, datetime

import plotly.graph_objects as go
import streamlit as st

from dashboard.i18n import lang

__all__ = ["DATE_FORMATS", "localize", "plot_config", "show"]

DAY_MS = 86_400_000

# Per language: tick formats by zoom (below a day, days, months, years) and hover formats.
DATE_FORMATS: dict[str, dict[str, str]] = {
    "zh": {
        "hour": "%-m月%-d日 %H:%M",
        "day": "%-m月%-d日",
        "month": "%Y年%-m月",
        "year": "%Y年",
        "hover_day": "%Y年%-m月%-d日",
        "hover_month": "%Y年%-m月",
    },
    "en": {
        "hour": "%b %-d %H:%M",
        "day": "%b %-d",
        "month": "%b %Y",
        "year": "%Y",
        "hover_day": "%b %-d, %Y",
        "hover_month": "%b %Y",
    },
}

# plotly.js's zh-CN locale (its toolbar and date names), given inline: Streamlit's
# frontend registers no locale but Plotly reads `config.locales` of each chart.
_ZH_CN = {
    "dictionary": {
        "Autoscale": "自动缩放",
        "Box Select": "矩形框选择",
        "Compare data on hover": "悬停时比较数据",
        "Double-click on legend to isolate one trace": "双击图例突出显示该数据",
        "Double-click to zoom back out": "双击还原",
        "Download plot as a png": "下载图表（PNG）",
        "Download plot": "下载图表",
        "Lasso Select": "套索选择",
        "Pan": "平移",
        "Produced with Plotly.js": "由 Plotly.js 生成",
        "Reset": "重置",
        "Reset axes": "重置坐标轴",
        "Reset view": "重置视图",
        "Reset views": "重置视图",
        "Show closest data on hover": "悬停时显示最近的数据",
        "Snapshot succeeded": "截图成功",
        "Sorry, there was a problem downloading your snapshot!": "抱歉，截图下载失败！",
        "Taking snapshot - this may take a few seconds": "正在截图，请稍候",
        "Toggle Spike Lines": "切换辅助线",
        "Toggle show closest data on hover": "切换悬停时显示最近的数据",
        "Zoom": "缩放",
        "Zoom in": "放大",
        "Zoom out": "缩小",
        "trace": "数据",
    },
    "format": {
        "days": ["星期日", "星期一", "星期二", "星期三", "星期四", "星期五", "星期六"],
        "shortDays": ["周日", "周一", "周二", "周三", "周四", "周五", "周六"],
        "months": [f"{m}月" for m in range(1, 13)],
        "shortMonths": [f"{m}月" for m in range(1, 13)],
        "date": "%Y-%m-%d",
        "decimal": ".",
        "thousands": ",",
        "year": "%Y年",
        "month": "%Y年%-m月",
        "dayMonth": "%-m月%-d日",
        "dayMonthYear": "%Y年%-m月%-d日",
    },
}


def plot_config() -> dict:
    """The Plotly `config` of the session's language (locale and toolbar words)."""
    if lang() == "zh":
        return {"locale": "zh-CN", "locales": {"zh-CN": _ZH_CN}, "displaylogo": False}
    return {"locale": "en-US", "displaylogo": False}


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
    if lang() == "zh" and not value_axis.tickformat and value_axis.type != "date":
        value_axis.update(tickformat=",")  # 10,000, not the SI "10k"
    label = trace.name or _title(value_axis)
    if trace.hovertext is not None and not isinstance(trace.hovertext, str):
        shown = "%{hovertext}"
    else:
        shown = f"%{{{value}:{value_axis.tickformat or ','}}}"
    line = f"{label}: {shown}" if label else shown
    trace.update(hovertemplate=f"{where}<br>{line}<extra></extra>", hoverinfo=None)


def localize(figure: go.Figure, *, grain: str = "day") -> go.Figure:
    """The figure with date formats and hover labels of the session's language."""
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
