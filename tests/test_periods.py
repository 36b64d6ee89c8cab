"""Pure tests of the period rules (环比 / 同比) in `queries.core.periods`."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from queries.core.periods import (
    TimeRange,
    month_range,
    next_minute_today,
    preset_range,
    previous_range,
    range_from_dates,
    year_earlier,
)

SH = ZoneInfo("Asia/Shanghai")
NY = ZoneInfo("America/New_York")


def at(text: str, tz: ZoneInfo = SH) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=tz).astimezone(UTC)


NOW = at("2026-11-05 12:00")


def test_months_start_at_local_midnight():
    nov = month_range(2026, 11, SH)
    # Shanghai is UTC+8: November starts at 2026-10-31 16:00 UTC.
    assert nov.start == datetime(2026, 10, 31, 16, tzinfo=UTC)
    assert nov.end == datetime(2026, 11, 30, 16, tzinfo=UTC)


def test_today_against_same_elapsed_time_yesterday():
    today = preset_range("today", NOW, SH)
    assert (today.start, today.end) == (at("2026-11-05 00:00"), at("2026-11-05 12:00"))
    prev = previous_range(today, SH)
    assert (prev.start, prev.end) == (at("2026-11-04 00:00"), at("2026-11-04 12:00"))


def test_yesterday_against_the_day_before():
    prev = previous_range(preset_range("yesterday", NOW, SH), SH)
    assert (prev.start, prev.end) == (at("2026-11-03 00:00"), at("2026-11-04 00:00"))


@pytest.mark.parametrize(("preset", "days"), [("last_7", 7), ("last_30", 30)])
def test_last_n_days_end_at_today_and_compare_with_the_n_before(preset, days):
    current = preset_range(preset, NOW, SH)
    assert current.end == at("2026-11-05 00:00")
    assert current.start == at("2026-11-05 00:00") - timedelta(days=days)
    prev = previous_range(current, SH)
    assert prev.end == current.start
    assert prev.start == current.start - timedelta(days=days)


def test_this_month_against_same_elapsed_time_last_month():
    this = preset_range("this_month", NOW, SH)
    prev = previous_range(this, SH)
    # 4½ days into November → October 1 00:00 to October 5 12:00.
    assert (prev.start, prev.end) == (at("2026-10-01 00:00"), at("2026-10-05 12:00"))


def test_this_month_elapsed_is_capped_at_the_shorter_previous_month():
    # March 31 noon: 30½ days elapsed; February 2026 has 28 days → all of February.
    this = preset_range("this_month", at("2026-03-31 12:00"), SH)
    prev = previous_range(this, SH)
    assert (prev.start, prev.end) == (at("2026-02-01 00:00"), at("2026-03-01 00:00"))


def test_calendar_month_against_the_calendar_month_before():
    assert previous_range(month_range(2026, 3, SH), SH) == month_range(2026, 2, SH)
    assert previous_range(month_range(2026, 1, SH), SH) == month_range(2025, 12, SH)
    assert preset_range("last_month", NOW, SH) == month_range(2026, 10, SH)


def test_custom_range_against_equal_length_just_before():
    custom = range_from_dates(date(2026, 11, 10), date(2026, 11, 13), SH)
    prev = previous_range(custom, SH)
    assert prev == range_from_dates(date(2026, 11, 7), date(2026, 11, 10), SH)


def test_year_earlier_same_local_range():
    assert year_earlier(month_range(2026, 11, SH), SH) == month_range(2025, 11, SH)
    today = preset_range("today", NOW, SH)
    last_year = year_earlier(today, SH)
    assert (last_year.start, last_year.end) == (at("2025-11-05 00:00"), at("2025-11-05 12:00"))


def test_year_earlier_of_29_february():
    leap_day = range_from_dates(date(2028, 2, 29), date(2028, 3, 1), SH)
    back = year_earlier(leap_day, SH)
    assert (back.start, back.end) == (at("2027-02-28 00:00"), at("2027-03-01 00:00"))


def test_daylight_saving_days_are_local_days():
    # 2026-03-08 is 23 hours long in New York; the day before is 24.
    short = range_from_dates(date(2026, 3, 8), date(2026, 3, 9), NY)
    assert short.end - short.start == timedelta(hours=23)
    prev = previous_range(short, NY)
    assert prev == range_from_dates(date(2026, 3, 7), date(2026, 3, 8), NY)


def test_a_range_must_end_after_it_starts():
    with pytest.raises(ValueError):
        range_from_dates(date(2026, 11, 2), date(2026, 11, 2), SH)
    with pytest.raises(ValueError):
        TimeRange(at("2026-11-02 00:00"), at("2026-11-01 00:00"))


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        # 12:00:30 Shanghai: the next whole minute.
        (datetime(2026, 12, 7, 4, 0, 30, tzinfo=UTC), datetime(2026, 12, 7, 4, 1, tzinfo=UTC)),
        # 23:58:59: 23:59 (still today).
        (datetime(2026, 12, 7, 15, 58, 59, tzinfo=UTC), datetime(2026, 12, 7, 15, 59, tzinfo=UTC)),
        # 23:59:30: the next minute is tomorrow's midnight: the day's last instant instead.
        (
            datetime(2026, 12, 7, 15, 59, 30, tzinfo=UTC),
            datetime(2026, 12, 7, 15, 59, 59, 999999, tzinfo=UTC),
        ),
    ],
)
def test_the_next_minute_stays_in_the_platform_day(now, expected):
    got = next_minute_today(now, SH)
    assert got == expected
    # Home's presets of that instant all have a length (the 23:59 page once failed).
    for preset in ("today", "last_7", "this_month"):
        period = preset_range(preset, got, SH)
        assert period.end > period.start


def test_the_last_minute_of_a_month_keeps_this_month():
    """23:59:30 on 30 November Shanghai: "this month" is still November, to its last instant."""
    got = next_minute_today(datetime(2026, 11, 30, 15, 59, 30, tzinfo=UTC), SH)
    period = preset_range("this_month", got, SH)
    assert period.first_day(SH) == date(2026, 11, 1)
    assert period.end == datetime(2026, 11, 30, 15, 59, 59, 999999, tzinfo=UTC)
