"""Strings of the charts: date formats per zoom level, and Plotly's zh-CN locale.

The `chart.format.*` pairs are strftime-like formats of Plotly (d3-time-format), one
per zoom level, so that no month name is left to Plotly's English defaults.
`PLOTLY_ZH_CN` is plotly.js's own zh-CN locale (its toolbar and date names), a data
table in Plotly's shape keyed by Plotly's English texts, given to each chart inline.
"""

STRINGS: dict[str, tuple[str, str]] = {
    "chart.format.hour": ("%-m月%-d日 %H:%M", "%b %-d %H:%M"),
    "chart.format.day": ("%-m月%-d日", "%b %-d"),
    "chart.format.month": ("%Y年%-m月", "%b %Y"),
    "chart.format.year": ("%Y年", "%Y"),
    "chart.format.hover_day": ("%Y年%-m月%-d日", "%b %-d, %Y"),
    "chart.format.hover_month": ("%Y年%-m月", "%b %Y"),
}

PLOTLY_ZH_CN = {
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
        "year": STRINGS["chart.format.year"][0],
        "month": STRINGS["chart.format.month"][0],
        "dayMonth": STRINGS["chart.format.day"][0],
        "dayMonthYear": STRINGS["chart.format.hover_day"][0],
    },
}
