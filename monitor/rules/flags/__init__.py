"""The problem flags as data: the registry of rules, in the order reports list them, and their labels."""

from __future__ import annotations

from monitor.rules.flags.base import Rule, RuleContext
from monitor.rules.flags.money import awaiting_transfer, carryover, carryover_2y, surplus
from monitor.rules.flags.schedule import missing_report, not_started, overdue
from monitor.rules.flags.spending import (
    over_allocation,
    progress_gap,
    regressed,
    stalled,
    year_end_risk,
    zero_spend,
)
from monitor.rules.model import Flag, ProjectInput

RULES: tuple[Rule, ...] = (
    Rule("zero-spend", "支出为零", zero_spend),
    Rule("stalled", "连续2个月无新增支出", stalled),
    Rule("awaiting-transfer", "已请款未拨付", awaiting_transfer),
    Rule("surplus", "结余资金待收回", surplus),
    Rule("over-allocation", "支出超下达", over_allocation),
    Rule("regressed", "累计支出回退", regressed),
    Rule("progress-gap", "形象进度快于支出", progress_gap),
    Rule("not-started", "逾期未开工", not_started),
    Rule("overdue", "逾期未完工", overdue),
    Rule("carryover", "结转资金", carryover),
    Rule("carryover-2y", "结转资金面临收回", carryover_2y),
    Rule("missing-report", "未报送", missing_report),
    Rule("year-end-risk", "预计年底无法支出完毕", year_end_risk),
)

FLAG_LABELS: dict[str, str] = {rule.code: rule.label for rule in RULES}
FLAG_CODES: tuple[str, ...] = tuple(FLAG_LABELS)


def raise_flags(project: ProjectInput, ctx: RuleContext) -> list[Flag]:
    """Every rule's flag that is raised, in the registry's order."""
    flags = []
    for rule in RULES:
        explanation = rule.evaluate(project, ctx)
        if explanation is not None:
            flags.append(Flag(code=rule.code, label=rule.label, explanation=explanation))
    return flags


__all__ = ["FLAG_CODES", "FLAG_LABELS", "RULES", "Rule", "RuleContext", "raise_flags"]
