"""Progress by money source: fund year (当年 vs 结转), batch or level, from FIFO-attributed spending."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from monitor.money import rate

DIMENSIONS = ("fund-year", "batch", "level")
UNKNOWN = "（未注明）"


def _key(line: Any, dimension: str) -> str | int:
    if dimension == "fund-year":
        return int(line.fund_year)
    value = line.batch if dimension == "batch" else line.level
    return value or UNKNOWN


def build_breakdown(judged: Sequence[Any], dimension: str, period: str) -> list[dict[str, Any]]:
    """One row per fund year / batch / level: allocated, spent (oldest money first) and the rate."""
    from monitor.status import money, rate4

    if dimension not in DIMENSIONS:
        raise ValueError(dimension)
    totals: dict[str | int, list[int]] = defaultdict(lambda: [0, 0, 0])
    projects: dict[str | int, set[int]] = defaultdict(set)
    for j in judged:
        for part in j.verdict.attribution:
            if not part.counted:
                continue
            key = _key(part.line, dimension)
            totals[key][0] += part.line.amount
            totals[key][1] += part.spent
            projects[key].add(j.record.project.id)
    year = int(period[:4])
    rows = []
    for key in sorted(totals, key=lambda k: (isinstance(k, str), k)):
        allocated, spent, _ = totals[key]
        row = {"key": key, "allocated": money(allocated), "spent": money(spent),
               "spend_rate": rate4(rate(spent, allocated)), "projects": len(projects[key])}
        if dimension == "fund-year":
            row["kind"] = "当年" if key == year else "结转"
        rows.append(row)
    return rows
