"""序时进度: the share of an allocation that should be spent by a period, in three modes (DESIGN §5)."""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from fractions import Fraction
from functools import lru_cache

from monitor.periods import period_end, split_period
from monitor.rules.model import AllocationLine, RuleSettings

MODES = ("monthly", "daily", "targets")


def to_decimal(value: Fraction) -> Decimal:
    """An exact fraction as a Decimal, divided once (28 significant digits)."""
    return Decimal(value.numerator) / Decimal(value.denominator)


def allocation_benchmark(fund_year: int, period: str, as_of: date, rules: RuleSettings) -> Decimal | None:
    """The benchmark of ``fund_year`` money seen in ``period``; None for a later year (提前下达, not counted).

    Older fund years are 1 in every mode (carry-over must be spent). For the period's own year:
    ``monthly`` month/12; ``daily`` day of year ÷ days in the year at ``min(as_of, period_end)`` (the
    figures are 截至月底, so a later as-of date must not raise the bar); ``targets`` the table, linear
    by day between its points from 0 on 01-01, at the period's end. ValueError for bad settings.
    """
    value = benchmark_fraction(fund_year, period, as_of, rules)
    return None if value is None else to_decimal(value)


def check_rules(rules: RuleSettings) -> None:
    """ValueError for an unknown mode or an unusable targets table (the caller makes it a ConfigError)."""
    if rules.benchmark_mode not in MODES:
        raise ValueError(f"unknown benchmark mode {rules.benchmark_mode!r} (one of {', '.join(MODES)})")
    if rules.benchmark_mode == "targets":
        target_points(rules.targets, 2024)  # a leap year, so 02-29 is a real day


@lru_cache(maxsize=4096)
def benchmark_fraction(fund_year: int, period: str, as_of: date, rules: RuleSettings) -> Fraction | None:
    """:func:`allocation_benchmark` as an exact fraction (the same few questions for every project of a
    province: answered once)."""
    check_rules(rules)
    year, month = split_period(period)
    if fund_year > year:
        return None
    if fund_year < year:
        return Fraction(1)
    if rules.benchmark_mode == "monthly":
        return Fraction(month, 12)
    if rules.benchmark_mode == "daily":
        return _daily(min(as_of, period_end(period)), year)
    return _interpolate(target_points(rules.targets, year), period_end(period))


def _daily(day: date, year: int) -> Fraction:
    """Days elapsed (day of year, 1 on 01-01) ÷ days in the year; 0 before the year began."""
    if day.year < year:
        return Fraction(0)
    return Fraction(day.timetuple().tm_yday, 366 if calendar.isleap(year) else 365)


def target_points(targets: Iterable[tuple[str, Decimal]], year: int) -> list[tuple[int, Fraction]]:
    """The table as (day offset from 01-01, value) points, starting at (0, 0) unless 01-01 is given."""
    points: dict[int, Fraction] = {0: Fraction(0)}
    for key, value in targets:
        try:
            fraction = Fraction(Decimal(str(value)))
        except (ArithmeticError, ValueError) as exc:  # decimal.InvalidOperation is an ArithmeticError
            raise ValueError(f"benchmark target {key} = {value!r} is not a number") from exc
        if not 0 <= fraction <= 1:
            raise ValueError(f"benchmark target {key} = {value} is not between 0 and 1")
        points[_day_offset(key, year)] = fraction
    return sorted(points.items())


def _day_offset(key: str, year: int) -> int:
    """``MM-DD`` → days after 01-01 of ``year`` (02-29 falls on 02-28 in a common year)."""
    try:
        month, day = (int(part) for part in str(key).split("-"))
        last = calendar.monthrange(year, month)[1]
        if not 1 <= day <= 31:
            raise ValueError
        return (date(year, month, min(day, last)) - date(year, 1, 1)).days
    except ValueError as exc:
        raise ValueError(f"benchmark target date {key!r} is not MM-DD") from exc


def _interpolate(points: list[tuple[int, Fraction]], day: date) -> Fraction:
    """Linear between the table's points by day; flat after the last point."""
    offset = (day - date(day.year, 1, 1)).days
    for (x0, y0), (x1, y1) in zip(points, points[1:], strict=False):
        if offset <= x1:
            return y0 + (y1 - y0) * Fraction(offset - x0, x1 - x0)
    return points[-1][1]


def project_fraction(lines: Iterable[AllocationLine], period: str, as_of: date,
                     rules: RuleSettings) -> Fraction | None:
    """The allocation-weighted mean benchmark over counted money, exact; None when counted money is 0."""
    counted = [(value, line.amount) for line in lines
               if (value := benchmark_fraction(line.fund_year, period, as_of, rules)) is not None]
    total = sum(amount for _, amount in counted)
    if total <= 0:
        return None
    if all(value == counted[0][0] for value, _ in counted):  # most projects: one fund year, one value
        return counted[0][0]
    return sum((value * amount for value, amount in counted), Fraction(0)) / total


def project_benchmark(lines: Iterable[AllocationLine], period: str, as_of: date,
                      rules: RuleSettings) -> Decimal | None:
    """A project's benchmark: the allocation-weighted mean of its counted allocations' benchmarks."""
    value = project_fraction(lines, period, as_of, rules)
    return None if value is None else to_decimal(value)
