"""The problem flags, one table row per case, judged through the engine as the CLI will (DESIGN §5)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from monitor.rules.engine import evaluate_project
from monitor.rules.flags import FLAG_LABELS, RULES, RuleContext
from monitor.rules.flags.spending import zero_spend
from monitor.rules.model import AllocationLine, ProjectInput, Report, RuleSettings

SETTINGS = RuleSettings()
AS_OF = date(2023, 11, 6)
WAN = 1_000_000  # 分 in one 万元
S = "186.05"  # 万元, a stalled project's cumulative spending


def fen(wan: float | str) -> int:
    return int(Decimal(str(wan)) * WAN)


def rep(period: str, spent: float | str, *, requested: float | None = None, disbursed: float | None = None,
        progress: str | None = None, status: str | None = "在建") -> Report:
    return Report(period=period, spent=fen(spent), status=status,
                  requested=None if requested is None else fen(requested),
                  disbursed=None if disbursed is None else fen(disbursed),
                  progress=None if progress is None else Decimal(progress))


def proj(*reports: Report, money: tuple[tuple[int, float], ...] = ((2023, 500),),
         start: date | None = None, end: date | None = None) -> ProjectInput:
    return ProjectInput(project_id=1, name="溪口市场升级改造", town="磷溪镇",
                        allocations=[AllocationLine(year, fen(amount)) for year, amount in money],
                        reports=list(reports), planned_start=start, planned_end=end)


def explanation(project: ProjectInput, code: str, period: str = "2023-10") -> str | None:
    flags = {f.code: f.explanation for f in evaluate_project(project, period, AS_OF, SETTINGS).flags}
    return flags.get(code)


CASES = [
    # (code, project, period, raised?)
    ("zero-spend", proj(rep("2023-03", 0)), "2023-03", True),  # benchmark exactly 0.25, nothing spent
    ("zero-spend", proj(rep("2023-02", 0)), "2023-02", False),  # benchmark 0.1667: too early
    ("zero-spend", proj(rep("2023-10", 1)), "2023-10", False),  # something spent
    ("stalled", proj(rep("2023-08", S), rep("2023-09", S), rep("2023-10", S)), "2023-10", True),  # 3 months
    ("stalled", proj(rep("2023-07", S), rep("2023-09", S), rep("2023-10", S)), "2023-10", False),
    # ↑ no 2023-08 report: the missing month breaks the run
    ("stalled", proj(rep("2023-08", 150), rep("2023-09", S), rep("2023-10", S)), "2023-10", False),
    # ↑ only one month without new spending
    ("stalled", proj(rep("2023-08", 0), rep("2023-09", 0), rep("2023-10", 0)), "2023-10", False),  # 0 spent
    ("stalled", proj(rep("2023-08", 500), rep("2023-09", 500), rep("2023-10", 500)), "2023-10", False),  # all
    ("stalled", proj(rep("2023-07", 90), rep("2023-08", 90), rep("2023-09", 90)), "2023-10", False),
    # ↑ no report for the period itself: cannot say it is still unchanged
    ("awaiting-transfer", proj(rep("2023-09", 100, requested=200, disbursed=150),
                               rep("2023-10", 120, requested=200, disbursed=150)), "2023-10", True),
    ("awaiting-transfer", proj(rep("2023-08", 100, requested=200, disbursed=150),
                               rep("2023-10", 120, requested=200, disbursed=150)), "2023-10", False),
    # ↑ 2023-08 and 2023-10 are not consecutive months
    ("awaiting-transfer", proj(rep("2023-09", 100, requested=200, disbursed=200),
                               rep("2023-10", 120, requested=250, disbursed=200)), "2023-10", False),
    # ↑ only the last report has requested > disbursed
    ("awaiting-transfer", proj(rep("2023-09", 100, requested=200),
                               rep("2023-10", 120, requested=200, disbursed=150)), "2023-10", False),
    # ↑ disbursed unknown in 2023-09
    ("surplus", proj(rep("2023-10", 450, status="已结算")), "2023-10", True),  # settled with 50万 left
    ("surplus", proj(rep("2023-10", 0, status="取消")), "2023-10", True),  # cancelled: all of it is surplus
    ("surplus", proj(rep("2023-10", 450, status="已验收")), "2023-10", False),  # may still owe 尾款, 质保金
    ("surplus", proj(rep("2023-10", 450, status="结算审核")), "2023-10", False),  # settlement under audit
    ("surplus", proj(rep("2023-10", 500, status="已结算")), "2023-10", False),  # nothing left
    ("over-allocation", proj(rep("2023-10", 520)), "2023-10", True),  # 520 > 500
    ("over-allocation", proj(rep("2023-10", 520), money=((2023, 500), (2024, 100))), "2023-10", False),
    # ↑ beyond the counted 500 but within all money issued, 提前下达 included
    ("regressed", proj(rep("2023-09", 200), rep("2023-10", 150)), "2023-10", True),
    ("regressed", proj(rep("2023-08", 200), rep("2023-10", 150)), "2023-10", True),  # the previous report
    ("regressed", proj(rep("2023-09", 150), rep("2023-10", 150)), "2023-10", False),
    ("progress-gap", proj(rep("2023-10", 150, progress="0.8")), "2023-10", True),  # 0.8 − 0.3 = 0.5 exactly
    ("progress-gap", proj(rep("2023-10", 150, progress="0.7999")), "2023-10", False),  # 0.4999
    ("progress-gap", proj(rep("2023-10", 150)), "2023-10", False),  # progress unknown
    ("not-started", proj(rep("2023-10", 0, status="招投标"), start=date(2023, 6, 1)), "2023-10", True),
    ("not-started", proj(rep("2023-10", 0, status=None), start=date(2023, 6, 1)), "2023-10", True),
    # ↑ status unknown and nothing spent
    ("not-started", proj(rep("2023-10", 10, status=None), start=date(2023, 6, 1)), "2023-10", False),
    ("not-started", proj(rep("2023-10", 0, status="在建"), start=date(2023, 6, 1)), "2023-10", False),
    ("not-started", proj(rep("2023-10", 0, status="前期"), start=date(2023, 10, 31)), "2023-10", False),
    # ↑ planned for the period's last day: not yet late
    ("not-started", proj(rep("2023-10", 0, status="前期")), "2023-10", False),  # no planned start
    ("overdue", proj(rep("2023-10", 300), end=date(2023, 9, 30)), "2023-10", True),  # 在建 after the end
    ("overdue", proj(rep("2023-10", 300, status="完工"), end=date(2023, 9, 30)), "2023-10", False),
    ("overdue", proj(rep("2023-10", 300, status="取消"), end=date(2023, 9, 30)), "2023-10", False),
    ("overdue", proj(rep("2023-10", 500, status=None), end=date(2023, 9, 30)), "2023-10", False),
    # ↑ no status, fully spent: taken as finished
    ("overdue", proj(rep("2023-10", 300), end=date(2023, 12, 31)), "2023-10", False),  # not due yet
    ("carryover", proj(rep("2023-10", 100), money=((2022, 300), (2023, 200))), "2023-10", True),
    ("carryover", proj(rep("2023-10", 350), money=((2022, 300), (2023, 200))), "2023-10", False),
    # ↑ FIFO: the 2022 money is all spent, what is left is this year's
    ("carryover-2y", proj(rep("2023-10", 100), money=((2022, 300), (2023, 200))), "2023-10", False),
    ("carryover-2y", proj(rep("2023-02", 100), money=((2021, 300),)), "2023-02", True),  # 2021 money in 2023
    ("carryover", proj(rep("2023-02", 100), money=((2021, 300),)), "2023-02", True),  # … carries both codes
    ("missing-report", proj(rep("2023-08", 100)), "2023-10", True),  # last reported in August
    ("missing-report", proj(), "2023-10", True),  # never reported
    ("missing-report", proj(rep("2023-10", 100)), "2023-10", False),
    ("year-end-risk", proj(rep("2023-04", 175), rep("2023-05", 200), rep("2023-06", 225)), "2023-06", True),
    # ↑ green (45% against 50%), but 5 points a month reach only 75% in December
    ("year-end-risk", proj(rep("2023-04", 125), rep("2023-05", 150), rep("2023-06", 175)), "2023-06", True),
    # ↑ yellow (35%), 65% by December
    ("year-end-risk", proj(rep("2023-04", 150), rep("2023-05", 200), rep("2023-06", 250)), "2023-06", False),
    # ↑ 10 points a month reach 110%: fast enough
    ("year-end-risk", proj(rep("2023-04", 0), rep("2023-05", 25), rep("2023-06", 50)), "2023-06", False),
    # ↑ red (10% against 50%): red projects are not flagged again
    ("year-end-risk", proj(rep("2023-06", 225)), "2023-06", False),  # one report: no pace
]


@pytest.mark.parametrize(("code", "project", "period", "raised"), CASES)
def test_flag(code: str, project: ProjectInput, period: str, raised: bool) -> None:
    assert (explanation(project, code, period) is not None) == raised


EXPLANATIONS = [
    # (code, project, period, explanation)
    ("stalled", proj(rep("2023-08", S), rep("2023-09", S), rep("2023-10", S)), "2023-10",
     "累计支出 186.05万元，自2023年8月以来无新增"),
    ("stalled", proj(rep("2023-07", S), rep("2023-08", S), rep("2023-09", S), rep("2023-10", S)), "2023-10",
     "累计支出 186.05万元，自2023年7月以来无新增"),  # the month spending last rose, not the window's start
    ("awaiting-transfer", proj(rep("2023-09", 100, requested=200, disbursed=150),
                               rep("2023-10", 120, requested=200, disbursed=150)), "2023-10",
     "已请款 200.00万元 > 已拨付 150.00万元（2023年9月、2023年10月均未拨足）"),
    ("surplus", proj(rep("2023-10", 450, status="已结算")), "2023-10",
     "状态 已结算，下达 500.00万元 − 累计支出 450.00万元 = 结余 50.00万元"),
    ("zero-spend", proj(rep("2023-03", 0)), "2023-03", "累计支出 0.00万元（下达 500.00万元），序时进度25.0% ≥ 25%"),
    ("carryover", proj(rep("2023-02", 100), money=((2021, 300), (2022, 50))), "2023-02",
     "2021年资金未支出 200.00万元（下达 300.00万元）；2022年资金未支出 50.00万元（下达 50.00万元）"),
    ("carryover-2y", proj(rep("2023-02", 100), money=((2021, 300), (2022, 50))), "2023-02",
     "2021年资金未支出 200.00万元（下达 300.00万元），结转满2年，面临收回"),
    ("missing-report", proj(rep("2023-08", 100)), "2023-10", "2023年10月未报送，最近一次报送为2023年8月"),
    ("year-end-risk", proj(rep("2023-04", 175), rep("2023-05", 200), rep("2023-06", 225)), "2023-06",
     "按2023年4月至2023年6月的进度（每月约 25.00万元），预计2023年底支出率75.0% < 100%"),
    ("progress-gap", proj(rep("2023-10", 150, progress="0.8")), "2023-10",
     "形象进度80.0% − 支出率30.0% = 50.0个百分点 ≥ 50"),
]


@pytest.mark.parametrize(("code", "project", "period", "expected"), EXPLANATIONS)
def test_explanation(code: str, project: ProjectInput, period: str, expected: str) -> None:
    assert explanation(project, code, period) == expected


def test_zero_spend_compares_the_benchmark_as_printed() -> None:
    ctx = RuleContext(period="2023-03", as_of=AS_OF, rules=SETTINGS, reports=[], allocated=fen(500), spent=0)
    project = proj()
    assert zero_spend(project, RuleContext(**{**vars(ctx), "benchmark": Decimal("0.2499")})) is None
    assert zero_spend(project, RuleContext(**{**vars(ctx), "benchmark": Decimal("0.24996")})) is not None
    assert zero_spend(project, RuleContext(**{**vars(ctx), "benchmark": Decimal("0.25")})) is not None


def test_settings_change_the_rules() -> None:
    three = RuleSettings(stalled_months=3, awaiting_transfer_reports=1)
    project = proj(rep("2023-08", S), rep("2023-09", S), rep("2023-10", S, requested=200, disbursed=100))
    codes = [f.code for f in evaluate_project(project, "2023-10", AS_OF, three).flags]
    assert "stalled" not in codes and "awaiting-transfer" in codes


def test_registry_codes_labels_and_order() -> None:
    assert [rule.code for rule in RULES] == [
        "zero-spend", "stalled", "awaiting-transfer", "surplus", "over-allocation", "regressed",
        "progress-gap", "not-started", "overdue", "carryover", "carryover-2y", "missing-report",
        "year-end-risk"]
    assert FLAG_LABELS["stalled"] == "连续2个月无新增支出" and FLAG_LABELS["surplus"] == "结余资金待收回"
    assert all(rule.label and rule.evaluate.__doc__ for rule in RULES)


def test_flags_come_in_registry_order_with_labels() -> None:
    project = proj(rep("2023-08", 100), rep("2023-09", 100), rep("2023-10", 100, progress="0.9"),
                   money=((2021, 100), (2023, 400)), end=date(2023, 9, 30))
    flags = evaluate_project(project, "2023-10", AS_OF, SETTINGS).flags
    assert [f.code for f in flags] == ["stalled", "progress-gap", "overdue"]
    assert all(f.label == FLAG_LABELS[f.code] for f in flags)
