"""Report periods (YYYY-MM), reporting deadlines moved past weekends and holidays, ISO weeks."""

from __future__ import annotations

import re
from collections.abc import Collection
from datetime import date, datetime, timedelta
from functools import lru_cache

from monitor.errors import UsageError

_PERIOD = re.compile(r"^(\d{4})-(\d{2})$")


def check_period(text: str) -> str:
    """Validate a ``YYYY-MM`` period given by a person; raise UsageError otherwise."""
    match = _PERIOD.match(text.strip())
    if not match or not 1 <= int(match.group(2)) <= 12 or not 2000 <= int(match.group(1)) <= 2100:
        raise UsageError(f"period must look like 2023-10, got {text!r}")
    return text.strip()


@lru_cache(maxsize=4096)
def split_period(period: str) -> tuple[int, int]:
    year, month = period.split("-")
    return int(year), int(month)


@lru_cache(maxsize=4096)
def add_months(period: str, months: int) -> str:
    year, month = split_period(period)
    index = year * 12 + (month - 1) + months
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def period_end(period: str) -> date:
    """The last day of the period's month (截至X月底)."""
    year, month = split_period(add_months(period, 1))
    return date(year, month, 1) - timedelta(days=1)


def deadline(period: str, *, day: int = 5, holidays: Collection[date] = (),
             workdays: Collection[date] = ()) -> date:
    """The reporting deadline: ``day`` of the next month, moved to the next working day."""
    year, month = split_period(add_months(period, 1))
    due = date(year, month, min(day, 28))
    while (due.weekday() >= 5 and due not in workdays) or due in holidays:
        due += timedelta(days=1)
    return due


def timeliness(received: datetime | None, due: date) -> str:
    """``on-time``, ``late`` or ``unknown`` (a backfilled file with no received date)."""
    if received is None:
        return "unknown"
    return "on-time" if received.date() <= due else "late"


def iso_week(day: date) -> str:
    """2024-12-30 → ``2025-W01``."""
    return day.strftime("%G-W%V")
