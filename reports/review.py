"""一月一研判: the monthly review's data — towns, the district by month, trends, categories, progress, outlook."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy.orm import Session

from monitor.breakdown import MoneySources, money_sources
from monitor.errors import UsageError
from monitor.periods import split_period
from monitor.rules.engine import evaluate_town
from monitor.rules.model import RuleSettings, Verdict
from monitor.rules.text import pct as _pct
from monitor.settings import Settings
from monitor.status import (
    build_status,
    default_period,
    judge_each,
    periods_with_data,
    rate4,
    rule_settings,
    towns_json,
)

UNCATEGORISED = "未分类"
#: 已建未付 / 已付未建: past the middle on one axis (形象进度 or 支出率) and short of it on the other
QUADRANT = 0.5
BUILT_UNPAID = "已建未付"
PAID_UNBUILT = "已付未建"


@dataclass(frozen=True)
class TownRow:
    """One town's totals at the review period (DESIGN §6 town figures; amounts in 元)."""

    town: str
    projects: int
    allocated: float | None
    spent: float | None
    spend_rate: float | None
    benchmark: float | None
    gap: float | None
    light: str | None
    rank: int | None
    bottom_three: bool
    green: int
    yellow: int
    red: int
    submitted: bool

    @classmethod
    def from_status(cls, t: dict[str, Any]) -> TownRow:
        return cls(**{name: t[name] for name in cls.__dataclass_fields__})


@dataclass(frozen=True)
class DistrictMonth:
    """The district's cumulative totals at one period (all towns' rated projects)."""

    period: str
    allocated: float
    spent: float
    spend_rate: float | None
    benchmark: float | None
    gap: float | None
    light: str | None


@dataclass(frozen=True)
class TrendPoint:
    period: str
    spend_rate: float | None
    benchmark: float | None
    submitted: bool


@dataclass(frozen=True)
class TownTrend:
    town: str
    light: str | None  # at the review period
    points: list[TrendPoint]


@dataclass(frozen=True)
class CategoryRow:
    category: str
    projects: int
    allocated: float
    spent: float
    spend_rate: float | None
    red: int


@dataclass(frozen=True)
class ProjectPoint:
    """A project with both a physical progress and a spend rate."""

    town: str
    project_name: str
    progress: float
    spend_rate: float
    light: str | None
    flags: list[str]


@dataclass(frozen=True)
class OutlookRow:
    """A town's spend rate now and projected at December on its projects' recent pace."""

    town: str
    spend_rate: float | None
    projected: float | None
    light: str | None
    at_risk: list[str]  # projects flagged year-end-risk


@dataclass
class Review:
    """Everything the review pack shows, for ``period`` judged as of ``as_of``."""

    period: str
    as_of: date
    district_name: str
    bureau: str
    status: dict[str, Any]
    previous: dict[str, Any] | None
    towns: list[TownRow]
    district: list[DistrictMonth]
    trends: list[TownTrend]
    categories: list[CategoryRow]
    points: list[ProjectPoint]
    outlook: list[OutlookRow]
    district_outlook: float | None
    sources: MoneySources | None = None  # money by fund year (当年 / 结转), batch and level

    @property
    def current(self) -> DistrictMonth:
        return self.district[-1]

    @property
    def previous_month(self) -> DistrictMonth | None:
        """The district at the previous period with data in the same year, if any."""
        return self.district[-2] if len(self.district) > 1 else None

    @property
    def projects(self) -> list[dict[str, Any]]:
        return self.status["projects"]


def build_review(session: Session, settings: Settings, period: str | None, as_of: date) -> Review:
    """The review of ``period`` (default: the status default as of ``as_of``); UsageError without data.

    Every month of the year is judged (the district curve, the towns' trends) from one read of the rows;
    only the review month and the month before keep their projects."""
    periods = periods_with_data(session)
    period = period or default_period(session, settings, as_of)
    if period is None:
        raise UsageError("no data yet: ingest town submissions first (fundmon ingest PATH)")
    year, _ = split_period(period)
    shown = [p for p in periods if p <= period and split_period(p)[0] == year]
    if period not in shown:
        shown.append(period)
    earlier = [p for p in periods if p < period]
    before = earlier[-1] if earlier else None
    rules = rule_settings(settings)
    history: dict[str, dict[str, Any]] = {}
    district: list[DistrictMonth] = []
    status: dict[str, Any] = {}
    previous = None
    for p, judged in judge_each(session, settings, [*shown, *([before] if before else [])], as_of, remember=period):
        if p == period:
            status = build_status(session, settings, p, as_of, judged=judged)
        elif p == before:
            previous = build_status(session, settings, p, as_of, judged=judged)
        if p in shown:
            history[p] = status if p == period else {
                "period": p, "towns": towns_json(session, settings, p, as_of, judged, rules)}
            district.append(district_total(p, [j.verdict for j in judged], rules))
        del judged
    if not status.get("projects"):
        raise UsageError(f"no town report at or before {period}: nothing to review "
                         f"(periods with data: {', '.join(periods) or 'none'})")
    towns = rank_order(TownRow.from_status(t) for t in status["towns"])
    outlook, district_outlook = build_outlook(status["projects"], towns)
    return Review(
        period=period, as_of=as_of, district_name=settings["district.name"], bureau=settings["district.bureau"],
        status=status, previous=previous, towns=towns, district=district,
        trends=build_trends(towns, history), categories=build_categories(status["projects"]),
        points=build_points(status["projects"]), outlook=outlook, district_outlook=district_outlook,
        sources=money_sources(session, settings, period, as_of))


def rank_order(towns: Iterable[TownRow]) -> list[TownRow]:
    """Ranked towns first (1 = fastest), then towns without a rate by name."""
    return sorted(towns, key=lambda t: (t.rank is None, t.rank or 0, t.town))


def district_total(period: str, verdicts: list[Verdict], rules: RuleSettings) -> DistrictMonth:
    """The district's totals at ``period``, judged by the same rules as a town's (exact benchmark)."""
    total = evaluate_town(verdicts, rules, "全区")
    return DistrictMonth(period=period, allocated=total.allocated / 100, spent=total.spent / 100,
                         spend_rate=rate4(total.spend_rate), benchmark=rate4(total.benchmark),
                         gap=rate4(total.gap), light=total.light)


def build_trends(towns: list[TownRow], history: dict[str, dict[str, Any]]) -> list[TownTrend]:
    """Each town's spend rate and benchmark month by month, in rank order."""
    by_period = {p: {t["town"]: t for t in s["towns"]} for p, s in history.items()}
    trends = []
    for town in towns:
        points = [TrendPoint(p, row.get("spend_rate"), row.get("benchmark"), bool(row.get("submitted")))
                  for p in sorted(by_period) if (row := by_period[p].get(town.town)) is not None]
        trends.append(TownTrend(town.town, town.light, points))
    return trends


def rated(projects: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Projects that count in rates: allocated money known and above 0."""
    return [p for p in projects if p["spend_rate"] is not None and p["allocated"]]


def build_categories(projects: list[dict[str, Any]]) -> list[CategoryRow]:
    """Allocated and spent by project category, the largest allocation first."""
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for p in rated(projects):
        groups[p["category"] or UNCATEGORISED].append(p)
    rows = []
    for category, members in groups.items():
        allocated = round(sum(p["allocated"] for p in members), 2)
        spent = round(sum(p["spent"] or 0 for p in members), 2)
        rows.append(CategoryRow(category, len(members), allocated, spent,
                                round(spent / allocated, 4) if allocated else None,
                                sum(p["light"] == "red" for p in members)))
    return sorted(rows, key=lambda r: (-r.allocated, r.category))


def build_points(projects: list[dict[str, Any]]) -> list[ProjectPoint]:
    return [ProjectPoint(p["town"], p["project_name"], p["progress"], p["spend_rate"], p["light"], p["flags"])
            for p in rated(projects) if p["progress"] is not None]


def projected_spent(p: dict[str, Any]) -> float:
    """元 a project will have spent by December on its recent pace (at most its allocation)."""
    spent = p["spent"] or 0.0
    if p["year_end_projection"] is None:
        return spent
    return max(spent, p["allocated"] * min(p["year_end_projection"], 1.0))


def projected_rate(projects: list[dict[str, Any]]) -> float | None:
    """Projected spent over allocated; None when no project has a projection (fewer than two reports).
    A project without one counts with what it has spent (no pace known: no further spending assumed)."""
    allocated = sum(p["allocated"] for p in projects)
    if not allocated or all(p["year_end_projection"] is None for p in projects):
        return None
    return round(sum(projected_spent(p) for p in projects) / allocated, 4)


def build_outlook(projects: list[dict[str, Any]], towns: list[TownRow]) -> tuple[list[OutlookRow], float | None]:
    """Each town's projected year-end spend rate (highest first) and the district's."""
    by_town: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for p in rated(projects):
        by_town[p["town"]].append(p)
    rows = []
    for town in towns:
        members = by_town.get(town.town, [])
        risk = [p["project_name"] for p in members if "year-end-risk" in p["flags"]]
        rows.append(OutlookRow(town.town, town.spend_rate, projected_rate(members), town.light, risk))
    rows.sort(key=lambda r: (r.projected is None, -(r.projected or r.spend_rate or 0), r.town))
    return rows, projected_rate(rated(projects))


def quadrant(point: ProjectPoint) -> str | None:
    """已建未付 (built, not paid), 已付未建 (paid, not built), or None."""
    if point.progress >= QUADRANT > point.spend_rate:
        return BUILT_UNPAID
    if point.spend_rate >= QUADRANT > point.progress:
        return PAID_UNBUILT
    return None


def problem_points(points: Iterable[ProjectPoint], most: int = 8) -> list[ProjectPoint]:
    """The projects in the two problem quadrants, widest gap first (the ones the chart numbers)."""
    return sorted((p for p in points if quadrant(p)),
                  key=lambda p: (-abs(p.progress - p.spend_rate), p.project_name))[:most]


def dec(value: float) -> Decimal:
    """A rounded float from the status as the exact decimal it was printed from."""
    return Decimal(str(value))


def pct(rate: float | None) -> str:
    """0.8037 → ``80.4%`` (half up, one decimal: charts and sentences print rates the same way)."""
    return "—" if rate is None else _pct(dec(rate))


def points(difference: float | Decimal) -> str:
    """A difference of rates in 个百分点 with one decimal, without the sign: 0.039 → ``3.9``."""
    value = difference if isinstance(difference, Decimal) else dec(difference)
    return str(abs(value * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def wan(yuan: float | None) -> str:
    """元 → ``1,234.56万元``."""
    amount = (dec(yuan or 0) / 10000).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return f"{amount:,}万元"


def month_label(period: str) -> str:
    return f"{split_period(period)[1]}月"


def period_title(period: str) -> str:
    year, month = split_period(period)
    return f"截至{year}年{month}月底"
