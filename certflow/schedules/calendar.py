"""A month of schedules as a calendar: weeks of days, each with its schedules (no query here)."""

from __future__ import annotations

import calendar as _calendar
from datetime import date

from certflow import clock


def parse_month(value: str | None, today: date) -> date:
    """The first day of the month ``YYYY-MM`` (this month if absent or not a month)."""
    value = (value or "").strip()
    try:
        year, month = (int(p) for p in value.split("-"))
        if 2000 <= year <= 2100 and 1 <= month <= 12:
            return date(year, month, 1)
    except ValueError:
        pass
    return today.replace(day=1)


def month_bounds(first: date) -> tuple[date, date]:
    """The first day of the month and the first day of the next."""
    nxt = date(first.year + (first.month == 12), first.month % 12 + 1, 1)
    return first, nxt


def previous_month(first: date) -> date:
    """The first day of the month before."""
    return date(first.year - (first.month == 1), (first.month - 2) % 12 + 1, 1)


def month_weeks(first: date, schedules) -> list[list[dict]]:
    """The month's weeks (Monday first), each day ``{"day": date|None, "schedules": [...]}``."""
    by_day: dict[date, list] = {}
    for s in schedules:
        by_day.setdefault(s.starts_at.astimezone(clock.LOCAL_TZ).date(), []).append(s)
    weeks = []
    for week in _calendar.Calendar(firstweekday=0).monthdatescalendar(first.year, first.month):
        weeks.append(
            [
                {
                    "day": d if d.month == first.month else None,
                    "schedules": by_day.get(d, []) if d.month == first.month else [],
                }
                for d in week
            ]
        )
    return weeks
