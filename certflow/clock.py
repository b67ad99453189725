"""The clock: the one place certflow reads the time, so tests can move it."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

LOCAL_TZ = ZoneInfo("Asia/Jakarta")


def now() -> datetime:
    """The current time, timezone-aware, in UTC."""
    return datetime.now(UTC)


def today() -> date:
    """Today's date in Indonesia (WIB), the date that deadlines and expiry use."""
    return now().astimezone(LOCAL_TZ).date()
