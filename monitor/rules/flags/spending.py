"""Flag rules on how the money is spent: zero, stalled, over, backwards, behind the works, too slow."""

from __future__ import annotations

import math
from fractions import Fraction

from monitor.periods import add_months
from monitor.rules.flags.base import RuleContext
from monitor.rules.lights import exact_gap
from monitor.rules.model import ProjectInput
from monitor.rules.outlook import monthly_pace, window
from monitor.rules.text import month_cn, pct, points, printed, threshold, wan


def zero_spend(project: ProjectInput, ctx: RuleContext) -> str | None:
    """Nothing spent once the benchmark (as printed) has reached ``zero_spend_benchmark``."""
    limit = ctx.rules.zero_spend_benchmark
    if ctx.benchmark is None or ctx.allocated <= 0 or ctx.spent > 0 or printed(ctx.benchmark) < limit:
        return None
    return f"累计支出 {wan(ctx.spent)}（下达 {wan(ctx.allocated)}），序时进度{pct(ctx.benchmark)} ≥ {threshold(limit)}%"


def stalled(project: ProjectInput, ctx: RuleContext) -> str | None:
    """0 < spent < allocated, the same spent in reports for each of the last ``stalled_months`` + 1 months."""
    months = ctx.rules.stalled_months
    if months < 1 or not 0 < ctx.spent < ctx.allocated:
        return None
    run = ctx.run(months + 1)
    if run is None or any(report.spent != ctx.spent for report in run):
        return None
    return f"累计支出 {wan(ctx.spent)}，自{month_cn(_flat_since(project, run[0].period, ctx.spent))}以来无新增"


def _flat_since(project: ProjectInput, start: str, spent: int) -> str:
    """The first month of the unbroken run of reports at this same cumulative figure."""
    by_period = {report.period: report.spent for report in project.reports}
    while by_period.get(add_months(start, -1)) == spent:
        start = add_months(start, -1)
    return start


def over_allocation(project: ProjectInput, ctx: RuleContext) -> str | None:
    """Spent more than all the money allocated to the project (提前下达 money included: it may be spent)."""
    total = sum(line.amount for line in project.allocations)
    if not project.allocations or ctx.spent <= total:
        return None
    return f"累计支出 {wan(ctx.spent)} > 下达 {wan(total)}"


def regressed(project: ProjectInput, ctx: RuleContext) -> str | None:
    """The latest report's cumulative spent is lower than the report before it."""
    if len(ctx.reports) < 2:
        return None
    previous, latest = ctx.reports[-2], ctx.reports[-1]
    if latest.spent >= previous.spent:
        return None
    return (f"累计支出 {wan(latest.spent)}（{month_cn(latest.period)}）< "
            f"{wan(previous.spent)}（{month_cn(previous.period)}）")


def progress_gap(project: ProjectInput, ctx: RuleContext) -> str | None:
    """Physical progress ahead of the spend rate by at least ``progress_gap`` (as printed)."""
    latest = ctx.latest
    if latest is None or latest.progress is None or ctx.spend_rate is None:
        return None
    ahead = exact_gap(latest.progress, ctx.spend_rate)
    if printed(ahead) < ctx.rules.progress_gap:
        return None
    return (f"形象进度{pct(latest.progress)} − 支出率{pct(ctx.spend_rate)} = {points(printed(ahead))}个百分点"
            f" ≥ {threshold(ctx.rules.progress_gap)}")


def year_end_risk(project: ProjectInput, ctx: RuleContext) -> str | None:
    """Green or yellow, not fully spent, and the pace of the last reports stops short of 100% in December."""
    if ctx.light not in ("green", "yellow") or ctx.fully_spent or ctx.projection is None:
        return None
    if printed(ctx.projection) >= 1:
        return None
    recent = window(ctx.reports, ctx.period, ctx.rules.outlook_reports)
    pace = math.floor(monthly_pace(recent) + Fraction(1, 2))  # 分, half up (the pace is never negative)
    return (f"按{month_cn(recent[0].period)}至{month_cn(recent[-1].period)}的进度（每月约 {wan(pace)}），"
            f"预计{ctx.period[:4]}年底支出率{pct(ctx.projection)} < 100%")
