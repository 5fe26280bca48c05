"""Progress by money source: fund year (当年 vs 结转), batch or level, from FIFO-attributed spending.

One computation for ``fundmon status --by``, the dispatch's 资金来源进度 sheet and the review's section. The
rows of each dimension add up to the towns' totals exactly (分): only projects that count in a town's rate
are included, and spending the FIFO attribution put on a later fund year's money (提前下达, left out of the
rates) is counted on the project's last counted allocation, as the project's own rate counts it.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from monitor.money import rate
from monitor.rules.benchmark import to_decimal

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from monitor.settings import Settings

DIMENSIONS = ("fund-year", "batch", "level")
DIMENSION_LABELS = {"fund-year": "资金年度", "batch": "资金批次", "level": "资金层级"}
UNKNOWN = "（未注明）"
CURRENT, CARRYOVER = "当年", "结转"
#: the register's levels (etl normalises to these), in the order documents list them
LEVELS = ("中央", "省", "市", "区", "帮扶市")
LEVEL_LABELS = {"中央": "中央资金", "省": "省级资金", "市": "市级资金", "区": "区级资金", "帮扶市": "帮扶市资金"}
_CN_DIGITS = {c: n for n, c in enumerate("一二三四五六七八九", start=1)}


@dataclass(frozen=True)
class SourcePart:
    """One counted allocation of one rated project, with the spending attributed to it (分)."""

    town: str
    project_id: int
    fund_year: int
    batch: str | None
    level: str | None
    allocated: int
    spent: int


@dataclass(frozen=True)
class SourceRow:
    """One fund year, batch or level: its money (分), how many projects share it, its benchmark."""

    key: str | int
    label: str  # as documents print it: 2023年（当年）, 2023年第一批, 省级资金
    kind: str | None  # 当年 / 结转 (fund years and batches), None for levels
    projects: int
    allocated: int
    spent: int
    benchmark: Decimal | None = None  # allocation-weighted; None when no benchmark was given

    @property
    def spend_rate(self) -> Decimal | None:
        return rate(self.spent, self.allocated) if self.allocated > 0 else None

    @property
    def unspent(self) -> int:
        return self.allocated - self.spent

    @property
    def gap(self) -> Decimal | None:
        rate_ = self.spend_rate
        return None if rate_ is None or self.benchmark is None else self.benchmark - rate_


@dataclass(frozen=True)
class MoneySources:
    """The parts of one period (as of a day) and each fund year's benchmark; rows are tallied on demand."""

    period: str
    parts: list[SourcePart] = field(default_factory=list)
    benchmarks: dict[int, Fraction | None] = field(default_factory=dict)

    def rows(self, dimension: str) -> list[SourceRow]:
        return tally(self.parts, dimension, self.period, self.benchmarks.get)

    def total(self) -> SourceRow:
        """All the parts as one row (the 合计 every dimension adds up to)."""
        return _row("合计", "合计", None, self.parts, self.benchmarks.get)

    def carryover(self) -> SourceRow:
        """The earlier years' money together (结转资金)."""
        year = int(self.period[:4])
        return _row(CARRYOVER, "结转资金小计", CARRYOVER, [p for p in self.parts if p.fund_year < year],
                    self.benchmarks.get)

    def for_town(self, town: str) -> MoneySources:
        return replace(self, parts=[p for p in self.parts if p.town == town])

    def known(self, dimension: str) -> bool:
        """Whether any part says its batch (or level): a register with that column was loaded."""
        attr = "batch" if dimension == "batch" else "level"
        return any(getattr(p, attr) for p in self.parts)


def source_parts(judged: Iterable[Any]) -> list[SourcePart]:
    """The counted allocations of the projects a town's totals cover (rate and benchmark known)."""
    parts = []
    for j in judged:
        v = j.verdict
        if v.spend_rate is None or v.benchmark is None:
            continue
        counted = [item for item in v.attribution if item.counted]
        rest = v.spent - sum(item.spent for item in counted)  # on 提前下达 money, or negative spending
        for n, item in enumerate(counted):
            line = item.line
            parts.append(SourcePart(town=j.record.input.town, project_id=j.record.project.id,
                                    fund_year=int(line.fund_year), batch=line.batch, level=line.level,
                                    allocated=line.amount, spent=item.spent + (rest if n == len(counted) - 1 else 0)))
    return parts


def tally(parts: Sequence[SourcePart], dimension: str, period: str,
          benchmark: Callable[[int], Fraction | None] | None = None) -> list[SourceRow]:
    """One row per fund year / batch / level, in the order documents list them."""
    if dimension not in DIMENSIONS:
        raise ValueError(dimension)
    year = int(period[:4])
    groups: dict[tuple[Any, ...], list[SourcePart]] = defaultdict(list)
    for part in parts:
        groups[_sort_key(part, dimension)].append(part)
    rows = []
    for key in sorted(groups):
        members = groups[key]
        first = members[0]
        kind = (CURRENT if first.fund_year == year else CARRYOVER) if dimension != "level" else None
        if dimension == "fund-year":
            name: str | int = first.fund_year
            label = f"{first.fund_year}年（{kind}）"
        elif dimension == "batch":
            name = label = f"{first.fund_year}年{first.batch or UNKNOWN}"
        else:
            name = first.level or UNKNOWN
            label = LEVEL_LABELS.get(first.level or "", first.level or UNKNOWN)
        rows.append(_row(name, label, kind, members, benchmark))
    return rows


def _row(key: str | int, label: str, kind: str | None, parts: Sequence[SourcePart],
         benchmark: Callable[[int], Fraction | None] | None) -> SourceRow:
    allocated = sum(p.allocated for p in parts)
    bench = None
    if benchmark is not None and allocated > 0:
        by_year: dict[int, Any] = {}
        for p in parts:  # one Fraction product per fund year, not per part (22k parts at province scale)
            by_year[p.fund_year] = by_year.get(p.fund_year, 0) + p.allocated
        weighted = sum((Fraction(benchmark(y) or 0) * a for y, a in by_year.items()), Fraction(0))
        bench = to_decimal(weighted / allocated)
    return SourceRow(key=key, label=label, kind=kind, projects=len({p.project_id for p in parts}),
                     allocated=allocated, spent=sum(p.spent for p in parts), benchmark=bench)


def _sort_key(part: SourcePart, dimension: str) -> tuple[Any, ...]:
    if dimension == "fund-year":
        return (part.fund_year,)
    if dimension == "batch":
        return (part.fund_year, part.batch is None, batch_number(part.batch or ""), part.batch or "")
    level = part.level
    return (level is None, LEVELS.index(level) if level in LEVELS else len(LEVELS), level or "")


def batch_number(batch: str) -> int:
    """第一批 → 1, 第十二批 → 12, 第3批 → 3; anything else (提前下达) sorts after the numbered batches."""
    match = re.fullmatch(r"第([一二三四五六七八九十\d]{1,3})批", batch)
    if match is None:
        return 1000
    token = match.group(1)
    if token.isdigit():
        return int(token)
    if "十" not in token:
        return _CN_DIGITS.get(token, 1000)
    tens, _, ones = token.partition("十")
    return _CN_DIGITS.get(tens, 1) * 10 + _CN_DIGITS.get(ones, 0)


def money_sources(session: Session, settings: Settings, period: str, as_of: date) -> MoneySources:
    """The period's parts, judged as the status judges them (same projects, same as-of day)."""
    from monitor.rules.benchmark import benchmark_fraction
    from monitor.status import judge, rule_settings

    rules = rule_settings(settings)
    parts = source_parts(judge(session, settings, period, as_of))
    years = {p.fund_year for p in parts}
    return MoneySources(period, parts, {y: benchmark_fraction(y, period, as_of, rules) for y in years})


def build_breakdown(judged: Sequence[Any], dimension: str, period: str) -> list[dict[str, Any]]:
    """``status --by``: one row per fund year / batch / level with allocated, spent (元) and the rate."""
    from monitor.status import money, rate4

    rows = []
    for r in tally(source_parts(judged), dimension, period):
        row: dict[str, Any] = {"key": r.key, "label": r.label, "allocated": money(r.allocated),
                               "spent": money(r.spent), "spend_rate": rate4(r.spend_rate), "projects": r.projects}
        if r.kind is not None:
            row["kind"] = r.kind
        rows.append(row)
    return rows
