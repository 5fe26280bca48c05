"""What a flag rule is (code, label, one evaluation function) and what it is given to judge."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from monitor.periods import add_months
from monitor.rules.model import AllocationProgress, ProjectInput, Report, RuleSettings

# The status ladder (DOMAIN.md), as the ETL normalises it.
NOT_STARTED = frozenset({"前期", "招投标", "未开工"})
FINISHED = frozenset({"完工", "已验收", "结算审核", "已结算", "取消"})
CLOSED = frozenset({"已结算", "取消"})


@dataclass(frozen=True)
class RuleContext:
    """The period judged, the thresholds, and the verdict's numbers, so rules never recompute them."""

    period: str
    as_of: date
    rules: RuleSettings
    reports: list[Report]  # at or before the period, one per period, oldest first
    allocated: int  # counted money (fund years up to the period's year)
    spent: int
    spend_rate: Decimal | None = None
    benchmark: Decimal | None = None
    gap: Decimal | None = None
    light: str | None = None
    attribution: list[AllocationProgress] = field(default_factory=list)
    projection: Decimal | None = None

    @property
    def latest(self) -> Report | None:
        return self.reports[-1] if self.reports else None

    @property
    def status(self) -> str | None:
        return self.latest.status if self.latest else None

    @property
    def fully_spent(self) -> bool:
        return 0 < self.allocated <= self.spent

    def run(self, months: int) -> list[Report] | None:
        """Reports for the last ``months`` calendar months ending at the period, oldest first, or None
        when any of those months has no report (a gap breaks the run)."""
        by_period = {report.period: report for report in self.reports}
        wanted = [add_months(self.period, -back) for back in reversed(range(months))]
        if months < 1 or any(period not in by_period for period in wanted):
            return None
        return [by_period[period] for period in wanted]


Evaluate = Callable[[ProjectInput, RuleContext], str | None]


@dataclass(frozen=True)
class Rule:
    """One monitoring rule: stable kebab-case code, Chinese label, and its evaluation function."""

    code: str
    label: str
    evaluate: Evaluate
