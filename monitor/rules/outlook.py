"""年底预判: where a project's spend rate will be at December if it keeps the pace of its last reports."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction

from monitor.periods import split_period
from monitor.rules.benchmark import to_decimal
from monitor.rules.model import ProjectInput, Report


def months_between(earlier: str, later: str) -> int:
    """Calendar months from one period to another: 2023-08 → 2023-10 is 2."""
    (y0, m0), (y1, m1) = split_period(earlier), split_period(later)
    return (y1 - y0) * 12 + (m1 - m0)


def reports_until(reports: Sequence[Report], period: str) -> list[Report]:
    """The reports at or before ``period``, oldest first, one per period (the last one given wins)."""
    by_period = {report.period: report for report in reports if report.period <= period}
    return [by_period[key] for key in sorted(by_period)]


def window(reports: Sequence[Report], period: str, size: int) -> list[Report]:
    """The last ``size`` reports at or before ``period``, oldest first."""
    return reports_until(reports, period)[-size:] if size > 0 else []


def monthly_pace(recent: Sequence[Report]) -> Fraction:
    """Spent per calendar month (分) between the oldest and newest of ``recent``; never below 0."""
    oldest, newest = recent[0], recent[-1]
    months = months_between(oldest.period, newest.period)
    return max(Fraction(newest.spent - oldest.spent, months), Fraction(0)) if months > 0 else Fraction(0)


def year_end_projection(project: ProjectInput, period: str, allocated: int | None, *,
                        reports: int = 3) -> Decimal | None:
    """The spend rate projected at December of the period's year, linear on spent per calendar month
    between the oldest and newest of the last ``reports`` reports; None with fewer than two reports
    or no allocated money. A falling pace counts as no progress (spending is not undone)."""
    recent = window(project.reports, period, reports)
    if not allocated or allocated <= 0 or len(recent) < 2:
        return None
    newest = recent[-1]
    pace = monthly_pace(recent)
    december = f"{split_period(period)[0]:04d}-12"
    projected = newest.spent + pace * months_between(newest.period, december)
    return to_decimal(projected / allocated)
