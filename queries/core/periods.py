"""Periods cut in the platform timezone, as UTC instants for SQL.

A period is half-open `[start, end)`. Bounds are computed here in Python, where
zoneinfo knows daylight saving, and passed to SQL as parameters. Comparisons
(环比 / 同比) follow the contract's "Period over period" rules.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

__all__ = [
    "add_months",
    "PRESETS",
    "TimeRange",
    "local_midnight",
    "next_minute_today",
    "month_range",
    "preset_range",
    "previous_range",
    "range_from_dates",
    "year_earlier",
]

PRESETS = ("today", "yesterday", "last_7", "last_30", "this_month", "last_month", "custom")


def local_midnight(day: date, tz: ZoneInfo) -> datetime:
    """The UTC instant at which `day` starts in `tz`."""
    return datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC)


@dataclass(frozen=True)
class TimeRange:
    """A half-open span `[start, end)` of UTC instants, with how it was picked.

    `kind` is one of PRESETS (or `month` for a calendar month); it decides
    what the range is compared with.
    """

    start: datetime
    end: datetime
    kind: str = "custom"

    def __post_init__(self) -> None:
        if self.start.tzinfo is None or self.end.tzinfo is None:
            raise ValueError("TimeRange bounds must be aware datetimes")
        if not self.start < self.end:
            raise ValueError("a TimeRange must end after it starts")

    def first_day(self, tz: ZoneInfo) -> date:
        """The local date of the first instant."""
        return self.start.astimezone(tz).date()

    def last_day(self, tz: ZoneInfo) -> date:
        """The local date of the last instant inside the range."""
        return (self.end - timedelta(microseconds=1)).astimezone(tz).date()

    def end_date(self, tz: ZoneInfo) -> date:
        """The exclusive end as a local date (the day after `last_day`)."""
        return self.last_day(tz) + timedelta(days=1)


def range_from_dates(start: date, end: date, tz: ZoneInfo, kind: str = "custom") -> TimeRange:
    """The range `[start, end)` of local dates in `tz`."""
    if not start < end:
        raise ValueError("the end date must be after the start date")
    return TimeRange(local_midnight(start, tz), local_midnight(end, tz), kind)


def add_months(day: date, months: int) -> date:
    """The first of the month `months` after `day`'s month."""
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def month_range(year: int, month: int, tz: ZoneInfo) -> TimeRange:
    """The calendar month as a range."""
    first = date(year, month, 1)
    return range_from_dates(first, add_months(first, 1), tz, "month")


def next_minute_today(now: datetime, tz: ZoneInfo) -> datetime:
    """The next whole minute after `now`, but not past its local day: the last instant of
    the day instead (at 23:59 the next minute is tomorrow, whose "today" would be empty).

    A page keyed on it reads once a minute, and its "today" always has a length.
    """
    minute = now.astimezone(UTC).replace(second=0, microsecond=0) + timedelta(minutes=1)
    day_end = local_midnight(now.astimezone(tz).date() + timedelta(days=1), tz)
    return min(minute, day_end - timedelta(microseconds=1))


def preset_range(preset: str, now: datetime, tz: ZoneInfo) -> TimeRange:
    """The range a preset names, as of `now`."""
    today = now.astimezone(tz).date()
    if preset == "today":
        return TimeRange(local_midnight(today, tz), now.astimezone(UTC), "today")
    if preset == "yesterday":
        return range_from_dates(today - timedelta(days=1), today, tz, "yesterday")
    if preset in ("last_7", "last_30"):
        days = 7 if preset == "last_7" else 30
        return range_from_dates(today - timedelta(days=days), today, tz, preset)
    if preset == "this_month":
        first = today.replace(day=1)
        return TimeRange(local_midnight(first, tz), now.astimezone(UTC), "this_month")
    if preset == "last_month":
        first = today.replace(day=1)
        return range_from_dates(add_months(first, -1), first, tz, "month")
    raise ValueError(f"unknown preset {preset!r}")


def previous_range(current: TimeRange, tz: ZoneInfo) -> TimeRange:
    """What `current` is compared with (环比), by the contract's rules."""
    if current.kind == "today":
        elapsed = current.end - current.start
        day = current.first_day(tz) - timedelta(days=1)
        start = local_midnight(day, tz)
        return TimeRange(start, min(start + elapsed, current.start), "custom")
    if current.kind == "this_month":
        first = current.first_day(tz)
        prev_first = add_months(first, -1)
        start = local_midnight(prev_first, tz)
        # Elapsed time of a longer month is capped at the previous month's end.
        return TimeRange(start, min(start + (current.end - current.start), current.start), "custom")
    if current.kind == "month":
        first = current.first_day(tz)
        return month_range(add_months(first, -1).year, add_months(first, -1).month, tz)
    first, end = current.first_day(tz), current.end_date(tz)
    if local_midnight(first, tz) == current.start and local_midnight(end, tz) == current.end:
        length = end - first
        return range_from_dates(first - length, first, tz, current.kind)
    length = current.end - current.start
    return TimeRange(current.start - length, current.start, current.kind)


def _year_back(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def year_earlier(current: TimeRange, tz: ZoneInfo) -> TimeRange:
    """The same range a year earlier (同比), by local wall time."""
    start_local = current.start.astimezone(tz)
    end_local = current.end.astimezone(tz)
    start = datetime.combine(
        _year_back(start_local.date()), start_local.timetz().replace(tzinfo=None), tz
    )
    end = datetime.combine(
        _year_back(end_local.date()), end_local.timetz().replace(tzinfo=None), tz
    )
    return TimeRange(start.astimezone(UTC), end.astimezone(UTC), current.kind)
