"""Status: every project's and town's figures for a period, in the shape of DESIGN §6 (`status --format json`)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from monitor.money import fen_to_yuan, rate
from monitor.periods import deadline
from monitor.schema import Allocation, Project, ReportRow, Submission, Town
from monitor.settings import Settings

RATE_PLACES = Decimal("0.0001")


@dataclass
class ProjectFigures:
    """One project's latest figures at or before the period (amounts in 分)."""

    project: Project
    town: str
    last_period: str
    allocations: list[tuple[int, int]]  # (fund_year, 分), only fund years up to the period's year
    spent: int
    requested: int | None = None
    disbursed: int | None = None
    progress_bp: int | None = None
    status: str | None = None
    village: str | None = None
    category: str | None = None
    flags: list[str] = field(default_factory=list)

    @property
    def allocated(self) -> int:
        return sum(amount for _, amount in self.allocations)

    @property
    def spend_rate(self) -> Decimal | None:
        return rate(self.spent, self.allocated)

    @property
    def fund_year(self) -> int | None:
        """The earliest fund year whose money is not yet spent (spending goes to the oldest first)."""
        left = self.spent
        for year, amount in sorted(self.allocations):
            if left < amount:
                return year
            left -= amount
        return max((y for y, _ in self.allocations), default=None)


def periods_with_data(session: Session) -> list[str]:
    stmt = select(Submission.period).where(Submission.status == "accepted").distinct()
    return sorted(p for p in session.scalars(stmt) if p)


def default_period(session: Session, settings: Settings, as_of: date) -> str | None:
    """The latest period whose reporting deadline is on or before ``as_of``, else the latest with data."""
    periods = periods_with_data(session)
    due = [p for p in periods if deadline(p, day=settings["reporting.deadline_day"],
                                          holidays=settings.holidays, workdays=settings.workdays) <= as_of]
    return (due or periods or [None])[-1]


def project_figures(session: Session, period: str) -> list[ProjectFigures]:
    """Each project's figures from its latest accepted report at or before ``period``."""
    stmt = (select(ReportRow, Submission.period, Town.name)
            .join(Submission, Submission.id == ReportRow.submission_id)
            .join(Town, Town.id == Submission.town_id)
            .where(Submission.status == "accepted", Submission.period <= period)
            .order_by(ReportRow.project_id, Submission.period, ReportRow.id))
    latest: dict[int, tuple[str, str, list[ReportRow]]] = {}
    for row, per, town in session.execute(stmt):
        current = latest.get(row.project_id)
        if current is None or per > current[0]:
            latest[row.project_id] = (per, town, [row])
        elif per == current[0]:
            current[2].append(row)
    projects = {p.id: p for p in session.scalars(select(Project).where(Project.id.in_(list(latest))))}
    allocations = _allocations(session, list(latest), int(period[:4]))
    return [_figures(projects[pid], town, per, rows, allocations.get(pid, []))
            for pid, (per, town, rows) in latest.items()]


def _allocations(session: Session, project_ids: list[int], year: int) -> dict[int, list[tuple[int, int]]]:
    """Allocations per project up to ``year`` (later fund years are 提前下达, left out); register wins."""
    found: dict[int, dict[str, list[tuple[int, int]]]] = defaultdict(lambda: defaultdict(list))
    for start in range(0, len(project_ids), 500):
        chunk = project_ids[start:start + 500]
        stmt = select(Allocation).where(Allocation.project_id.in_(chunk), Allocation.fund_year <= year)
        for a in session.scalars(stmt):
            found[a.project_id][a.source].append((a.fund_year, a.amount_fen))
    return {pid: by.get("register") or by.get("submission", []) for pid, by in found.items()}


def _sum_or_none(values: list[int | None]) -> int | None:
    known = [v for v in values if v is not None]
    return sum(known) if known else None


def _figures(project: Project, town: str, period: str, rows: list[ReportRow],
             allocations: list[tuple[int, int]]) -> ProjectFigures:
    last = rows[-1]
    return ProjectFigures(
        project=project, town=town, last_period=period, allocations=allocations,
        spent=sum(r.spent_fen for r in rows),
        requested=_sum_or_none([r.requested_fen for r in rows]),
        disbursed=_sum_or_none([r.disbursed_fen for r in rows]),
        progress_bp=last.progress_bp, status=last.status,
        village=project.village or last.village, category=project.category or last.category)


def _money(fen: int | None) -> float | None:
    value = fen_to_yuan(fen)
    return None if value is None else float(value)


def _rate(value: Decimal | None) -> float | None:
    return None if value is None else float(value.quantize(RATE_PLACES, rounding=ROUND_HALF_UP))


def project_json(f: ProjectFigures) -> dict[str, Any]:
    return {
        "project_code": f.project.code, "project_name": f.project.name, "town": f.town,
        "village": f.village, "category": f.category, "fund_year": f.fund_year,
        "allocated": _money(f.allocated), "requested": _money(f.requested),
        "disbursed": _money(f.disbursed), "spent": _money(f.spent), "spend_rate": _rate(f.spend_rate),
        "benchmark": None, "gap": None, "light": None,
        "progress": None if f.progress_bp is None else f.progress_bp / 10000,
        "status": f.status, "flags": list(f.flags), "last_period": f.last_period,
    }


def submitted_towns(session: Session, period: str) -> set[str]:
    stmt = (select(Town.name).join(Submission, Submission.town_id == Town.id)
            .where(Submission.period == period, Submission.status == "accepted"))
    return set(session.scalars(stmt))


def all_towns(session: Session, settings: Settings) -> list[str]:
    """Towns expected in settings, then every town seen in the data, in a stable order."""
    seen = list(session.scalars(select(Town.name).order_by(Town.id)))
    expected = settings.expected_towns
    return expected + [t for t in seen if t not in expected]


def town_json(town: str, figures: list[ProjectFigures], submitted: bool) -> dict[str, Any]:
    rated = [f for f in figures if f.spend_rate is not None]
    allocated = sum(f.allocated for f in rated)
    spent = sum(f.spent for f in rated)
    return {
        "town": town, "projects": len(figures), "allocated": _money(allocated), "spent": _money(spent),
        "requested": _money(_sum_or_none([f.requested for f in figures])),
        "disbursed": _money(_sum_or_none([f.disbursed for f in figures])),
        "spend_rate": _rate(rate(spent, allocated)), "benchmark": None, "gap": None, "light": None,
        "rank": None, "bottom_three": False, "green": 0, "yellow": 0, "red": 0, "submitted": submitted,
    }


def rank_towns(towns: list[dict[str, Any]], bottom: int = 3) -> None:
    """Rank by spend rate, 1 = fastest; towns without a rate are unranked; the last ``bottom`` are marked."""
    rated = sorted((t for t in towns if t["spend_rate"] is not None),
                   key=lambda t: (-t["spend_rate"], t["town"]))
    for position, town in enumerate(rated, start=1):
        town["rank"] = position
        town["bottom_three"] = len(rated) > bottom and position > len(rated) - bottom


def build_status(session: Session, settings: Settings, period: str | None = None,
                 as_of: date | None = None) -> dict[str, Any]:
    """The status of DESIGN §6 for ``period`` (default: see :func:`default_period`)."""
    as_of = as_of or date.today()
    period = period or default_period(session, settings, as_of)
    result: dict[str, Any] = {"period": period, "benchmark_mode": "monthly",
                              "thresholds": {"benchmark_mode": "monthly"}, "projects": [], "towns": []}
    if period is None:
        return result
    figures = project_figures(session, period)
    figures.sort(key=lambda f: (f.town, f.project.code or "", f.project.name))
    result["projects"] = [project_json(f) for f in figures]
    by_town: dict[str, list[ProjectFigures]] = defaultdict(list)
    for f in figures:
        by_town[f.town].append(f)
    submitted = submitted_towns(session, period)
    towns = [town_json(t, by_town.get(t, []), t in submitted) for t in all_towns(session, settings)]
    rank_towns(towns)
    result["towns"] = towns
    return result
