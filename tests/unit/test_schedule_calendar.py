"""The month calendar of the schedules page (certflow/schedules/calendar.py): pure date arithmetic."""

from __future__ import annotations

from datetime import date, datetime, time
from types import SimpleNamespace

from certflow import clock
from certflow.schedules import calendar


def test_a_month_is_read_from_yyyy_mm_or_is_this_month():
    today = date(2026, 12, 2)
    assert calendar.parse_month("2027-02", today) == date(2027, 2, 1)
    for bad in (None, "", "2027", "2027-13", "1999-01", "x-y", "2027-02-01"):
        assert calendar.parse_month(bad, today) == date(2026, 12, 1)


def test_month_bounds_and_the_month_before_cross_the_year():
    assert calendar.month_bounds(date(2026, 12, 1)) == (date(2026, 12, 1), date(2027, 1, 1))
    assert calendar.previous_month(date(2027, 1, 1)) == date(2026, 12, 1)
    assert calendar.previous_month(date(2027, 3, 1)) == date(2027, 2, 1)


def test_weeks_start_on_monday_and_place_each_schedule_on_its_local_day():
    late = SimpleNamespace(starts_at=datetime.combine(date(2026, 12, 17), time(23, 30), tzinfo=clock.LOCAL_TZ))
    weeks = calendar.month_weeks(date(2026, 12, 1), [late])
    assert all(len(w) == 7 for w in weeks)
    assert weeks[0][0]["day"] is None and weeks[0][1]["day"] == date(2026, 12, 1)  # 1 Dec 2026 is a Tuesday
    days = {cell["day"]: cell["schedules"] for week in weeks for cell in week if cell["day"]}
    assert len(days) == 31 and days[date(2026, 12, 17)] == [late]
    assert sum(len(v) for v in days.values()) == 1
