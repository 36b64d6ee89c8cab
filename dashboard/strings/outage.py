"""Words of the page shown when the database is down, busy, or a read took too long."""

from __future__ import annotations

STRINGS: dict[str, tuple[str, str]] = {
    "outage.unavailable_title": ("数据库暂时不可用", "The database is unavailable"),
    "outage.busy_title": ("数据库正忙", "The database is busy"),
    "outage.timeout_title": ("耗时过长", "This took too long"),
    "outage.retry": ("重试", "Retry"),
    "outage.hint": (
        "点击“重试”再次加载此页面。您的登录状态会保留。",
        "Press Retry to load this page again. You stay logged in.",
    ),
}
