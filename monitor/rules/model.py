"""What the rules read (a project's allocations and monthly reports) and what they say (a verdict)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from monitor.settings import Settings


@dataclass(frozen=True, slots=True)
class AllocationLine:
    """One allocation of money to a project. Amounts are integer 分."""

    fund_year: int
    amount: int
    batch: str | None = None
    level: str | None = None
    doc_no: str | None = None


@dataclass(frozen=True, slots=True)
class Report:
    """A project's figures in one month's accepted report (cumulative, project-to-date; 分)."""

    period: str  # YYYY-MM
    spent: int
    requested: int | None = None
    disbursed: int | None = None
    progress: Decimal | None = None  # 0–1
    status: str | None = None
    #: kept from a superseded file of the same month because the town's correction left the project out
    carried: bool = False


@dataclass(slots=True)
class ProjectInput:
    """Everything the rules need about one project, up to and including the period judged."""

    project_id: int
    name: str
    town: str
    allocations: list[AllocationLine]  # all of them, later fund years (提前下达) included
    reports: list[Report]  # accepted reports, oldest first, periods <= the period judged
    planned_start: date | None = None
    planned_end: date | None = None


@dataclass(frozen=True)
class RuleSettings:
    """Every threshold the rules use, from settings (names as in fundmon.toml's [rules])."""

    benchmark_mode: str = "monthly"
    targets: tuple[tuple[str, Decimal], ...] = (("03-31", Decimal("0.30")), ("06-30", Decimal("0.50")),
                                                ("09-30", Decimal("0.75")), ("12-31", Decimal("1.0")))
    green_gap: Decimal = Decimal("0.10")
    yellow_gap: Decimal = Decimal("0.30")
    zero_spend_benchmark: Decimal = Decimal("0.25")
    stalled_months: int = 2
    awaiting_transfer_reports: int = 2
    progress_gap: Decimal = Decimal("0.5")
    carryover_recovery_years: int = 2
    bottom_n: int = 3
    outlook_reports: int = 3

    @classmethod
    def from_settings(cls, settings: Settings) -> RuleSettings:
        dec = lambda key: Decimal(str(settings[key]))  # noqa: E731 - floats from TOML, exactly as written
        targets = tuple(sorted((str(k), Decimal(str(v))) for k, v in settings["rules.targets"].items()))
        return cls(
            benchmark_mode=settings["rules.benchmark_mode"], targets=targets,
            green_gap=dec("rules.green_gap"), yellow_gap=dec("rules.yellow_gap"),
            zero_spend_benchmark=dec("rules.zero_spend_benchmark"),
            stalled_months=settings["rules.stalled_months"],
            awaiting_transfer_reports=settings["rules.awaiting_transfer_reports"],
            progress_gap=dec("rules.progress_gap"),
            carryover_recovery_years=settings["rules.carryover_recovery_years"],
            bottom_n=settings["rules.bottom_n"], outlook_reports=settings["rules.outlook_reports"])

    def as_dict(self) -> dict[str, Any]:
        """The thresholds block every output carries (numbers as floats, the table as a dict)."""
        return {"benchmark_mode": self.benchmark_mode,
                "targets": {k: float(v) for k, v in self.targets} if self.benchmark_mode == "targets" else None,
                "green_gap": float(self.green_gap), "yellow_gap": float(self.yellow_gap),
                "zero_spend_benchmark": float(self.zero_spend_benchmark),
                "stalled_months": self.stalled_months,
                "awaiting_transfer_reports": self.awaiting_transfer_reports,
                "progress_gap": float(self.progress_gap),
                "carryover_recovery_years": self.carryover_recovery_years,
                "bottom_n": self.bottom_n, "outlook_reports": self.outlook_reports}


@dataclass(frozen=True, slots=True)
class Flag:
    """A raised flag: stable code, Chinese label, and the one line with the numbers that triggered it."""

    code: str
    label: str
    explanation: str


@dataclass(frozen=True, slots=True)
class AllocationProgress:
    """Spending attributed to one allocation, oldest money first (FIFO)."""

    line: AllocationLine
    spent: int
    counted: bool  # False for money of a later fund year (提前下达), left out of the rates


@dataclass(slots=True)
class Verdict:
    """What the rules say about one project at one period."""

    allocated: int  # counted money only (fund years up to the period's year)
    spent: int
    spend_rate: Decimal | None
    benchmark: Decimal | None
    gap: Decimal | None
    light: str | None  # green / yellow / red, None when allocated is 0 or unknown
    fund_year: int | None  # the earliest fund year whose money is not yet spent
    flags: list[Flag] = field(default_factory=list)
    attribution: list[AllocationProgress] = field(default_factory=list)
    year_end_projection: Decimal | None = None  # projected spend rate at 12-31, None when unknown
    reasons: list[str] = field(default_factory=list)  # why the light is what it is, one line each
