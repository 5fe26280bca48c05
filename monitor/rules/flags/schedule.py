"""Flag rules about the calendar: not started or not finished in time, and reports not received."""

from __future__ import annotations

from monitor.periods import period_end
from monitor.rules.flags.base import FINISHED, NOT_STARTED, RuleContext
from monitor.rules.model import ProjectInput
from monitor.rules.text import day_cn, month_cn, wan


def not_started(project: ProjectInput, ctx: RuleContext) -> str | None:
    """Planned to start before the period's end, still at 前期/招投标/未开工 (or no status and nothing spent)."""
    start = project.planned_start
    if start is None or start >= period_end(ctx.period):
        return None
    status = ctx.status
    if status in NOT_STARTED or (status is None and ctx.spent == 0):
        return f"计划开工 {day_cn(start)}，状态 {status or '未填报'}，累计支出 {wan(ctx.spent)}"
    return None


def overdue(project: ProjectInput, ctx: RuleContext) -> str | None:
    """Planned to finish before the period's end and not at 完工 or beyond (nor 取消).

    Without a status the money decides: a fully spent project is taken as finished.
    """
    end = project.planned_end
    if end is None or end >= period_end(ctx.period) or ctx.status in FINISHED:
        return None
    if ctx.status is None and ctx.fully_spent:
        return None
    return f"计划完工 {day_cn(end)}，状态 {ctx.status or '未填报'}"


def missing_report(project: ProjectInput, ctx: RuleContext) -> str | None:
    """The latest report is for a month before the period, or there is none (not reported, not submitted)."""
    latest = ctx.latest
    if latest is None:
        return f"{month_cn(ctx.period)}未报送，无任何报送记录"
    if latest.period >= ctx.period:
        if latest.carried:
            return f"{month_cn(ctx.period)}更正后的报表未包含此项目，沿用此前同月报送的数据"
        return None
    return f"{month_cn(ctx.period)}未报送，最近一次报送为{month_cn(latest.period)}"
