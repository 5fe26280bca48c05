"""Flag rules about where the money is: requested but not transferred, surplus to recover, carried over."""

from __future__ import annotations

from monitor.periods import split_period
from monitor.rules.flags.base import CLOSED, RuleContext
from monitor.rules.model import ProjectInput
from monitor.rules.text import month_cn, wan


def awaiting_transfer(project: ProjectInput, ctx: RuleContext) -> str | None:
    """requested > disbursed, both known, in the last ``awaiting_transfer_reports`` consecutive months."""
    run = ctx.run(ctx.rules.awaiting_transfer_reports)
    if run is None:
        return None
    for report in run:
        if report.requested is None or report.disbursed is None or report.requested <= report.disbursed:
            return None
    latest = run[-1]
    assert latest.requested is not None and latest.disbursed is not None
    periods = "、".join(month_cn(report.period) for report in run)
    return f"已请款 {wan(latest.requested)} > 已拨付 {wan(latest.disbursed)}（{periods}均未拨足）"


def surplus(project: ProjectInput, ctx: RuleContext) -> str | None:
    """Settled (已结算) or cancelled (取消) with money left; at 已验收/结算审核 the rest may still be owed."""
    total = sum(line.amount for line in project.allocations)
    if ctx.status not in CLOSED or total - ctx.spent <= 0:
        return None
    return f"状态 {ctx.status}，下达 {wan(total)} − 累计支出 {wan(ctx.spent)} = 结余 {wan(total - ctx.spent)}"


def carryover(project: ProjectInput, ctx: RuleContext) -> str | None:
    """Money of a fund year before the period's year not yet fully spent (FIFO attribution)."""
    return _unspent_text(ctx, split_period(ctx.period)[0] - 1, "")


def carryover_2y(project: ProjectInput, ctx: RuleContext) -> str | None:
    """Money ``carryover_recovery_years`` or more years old not yet spent: at risk of recovery (收回)."""
    years = ctx.rules.carryover_recovery_years
    return _unspent_text(ctx, split_period(ctx.period)[0] - years, f"，结转满{years}年，面临收回")


def _unspent_text(ctx: RuleContext, up_to_year: int, note: str) -> str | None:
    """``2022年资金未支出 120.00万元（下达 300.00万元）`` for each fund year ≤ ``up_to_year`` with money left."""
    left: dict[int, list[int]] = {}
    for item in ctx.attribution:
        if item.counted and item.line.fund_year <= up_to_year and item.line.amount > item.spent:
            totals = left.setdefault(item.line.fund_year, [0, 0])
            totals[0] += item.line.amount - item.spent
            totals[1] += item.line.amount
    if not left:
        return None
    parts = [f"{year}年资金未支出 {wan(unspent)}（下达 {wan(amount)}）"
             for year, (unspent, amount) in sorted(left.items())]
    return "；".join(parts) + note
