"""The rules engine: a project's verdict at a period, a town's verdict on its totals, the town ranking."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction

from monitor.money import rate
from monitor.periods import split_period
from monitor.rules.attribution import attribute, earliest_unspent_year
from monitor.rules.benchmark import check_rules, project_benchmark, to_decimal
from monitor.rules.flags import RuleContext, raise_flags
from monitor.rules.lights import light
from monitor.rules.model import AllocationProgress, ProjectInput, RuleSettings, Verdict
from monitor.rules.outlook import reports_until, year_end_projection
from monitor.rules.text import wan

NO_MONEY = "下达资金为0或未知：不计支出率、序时进度和灯色（allocated 0 or unknown）"


@dataclass(frozen=True)
class TownVerdict:
    """A town's lights on its totals (projects with a rate only) and its place in the ranking."""

    town: str
    projects: int
    allocated: int
    spent: int
    spend_rate: Decimal | None
    benchmark: Decimal | None
    gap: Decimal | None
    light: str | None
    reason: str | None = None
    green: int = 0
    yellow: int = 0
    red: int = 0
    rank: int | None = None  # 1 = fastest spend rate; None without a rate
    bottom: bool = False  # among the slowest ``bottom_n`` (only when more towns than that are ranked)


def evaluate_project(project: ProjectInput, period: str, as_of: date, rules: RuleSettings) -> Verdict:
    """What the rules say about ``project`` at ``period``, from its latest report at or before it.

    A project without any report counts as nothing spent (and is flagged missing-report).
    ValueError for an unknown benchmark mode or an unusable targets table.
    """
    check_rules(rules)
    reports = reports_until(project.reports, period)
    spent = reports[-1].spent if reports else 0
    year, _ = split_period(period)
    allocated = sum(line.amount for line in project.allocations if line.fund_year <= year)
    spend_rate = rate(spent, allocated) if allocated > 0 else None
    benchmark = None if spend_rate is None else project_benchmark(project.allocations, period, as_of, rules)
    colour, gap, reason = light(spend_rate, benchmark, spent, allocated, rules)
    attribution = attribute(project.allocations, spent, period)
    projection = year_end_projection(project, period, allocated, reports=rules.outlook_reports)
    ctx = RuleContext(period=period, as_of=as_of, rules=rules, reports=reports, allocated=allocated,
                      spent=spent, spend_rate=spend_rate, benchmark=benchmark, gap=gap, light=colour,
                      attribution=attribution, projection=projection)
    return Verdict(allocated=allocated, spent=spent, spend_rate=spend_rate, benchmark=benchmark, gap=gap,
                   light=colour, fund_year=earliest_unspent_year(attribution),
                   flags=raise_flags(project, ctx),
                   attribution=attribution, year_end_projection=projection,
                   reasons=[reason or NO_MONEY, *_advance_notes(attribution)])


def _advance_notes(attribution: Sequence[AllocationProgress]) -> list[str]:
    """One line per later fund year (提前下达) left out of the rates."""
    later: dict[int, int] = {}
    for item in attribution:
        if not item.counted:
            later[item.line.fund_year] = later.get(item.line.fund_year, 0) + item.line.amount
    return [f"{year}年提前下达资金 {wan(amount)} 不计入本期支出率" for year, amount in sorted(later.items())]


def evaluate_town(verdicts: Sequence[Verdict], rules: RuleSettings, town: str = "") -> TownVerdict:
    """The town's totals over projects with a rate, its benchmark (allocation-weighted), light and counts."""
    rated = [(v, v.benchmark) for v in verdicts if v.spend_rate is not None and v.benchmark is not None]
    allocated = sum(v.allocated for v, _ in rated)
    spent = sum(v.spent for v, _ in rated)
    spend_rate = rate(spent, allocated) if allocated > 0 else None
    by_mark: dict[Decimal, int] = {}  # a town's projects share a few benchmarks: each made exact once
    for v, benchmark in rated:
        by_mark[benchmark] = by_mark.get(benchmark, 0) + v.allocated
    weighted = sum((Fraction(benchmark) * amount for benchmark, amount in by_mark.items()), Fraction(0))
    benchmark = to_decimal(weighted / allocated) if allocated > 0 else None
    colour, gap, reason = light(spend_rate, benchmark, spent, allocated, rules)
    lights = [v.light for v in verdicts]
    return TownVerdict(town=town, projects=len(verdicts), allocated=allocated, spent=spent,
                       spend_rate=spend_rate, benchmark=benchmark, gap=gap, light=colour, reason=reason,
                       green=lights.count("green"), yellow=lights.count("yellow"), red=lights.count("red"))


def rank_towns(towns: Sequence[TownVerdict], rules: RuleSettings) -> list[TownVerdict]:
    """Towns ranked by spend rate (1 = fastest; equal rates by name), then the unrated in the order given.

    The slowest ``bottom_n`` are marked, only when more towns than that have a rate.
    """
    rated = sorted((t for t in towns if t.spend_rate is not None),
                   key=lambda t: (-(t.spend_rate or 0), t.town))
    marked = len(rated) > rules.bottom_n
    ranked = [dataclasses.replace(t, rank=position, bottom=marked and position > len(rated) - rules.bottom_n)
              for position, t in enumerate(rated, start=1)]
    return ranked + [dataclasses.replace(t, rank=None, bottom=False) for t in towns if t.spend_rate is None]
