"""A project's verdict (figures, FIFO attribution, nulls), a town's totals and the ranking; invariants."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from monitor.rules.attribution import attribute, earliest_unspent_year
from monitor.rules.benchmark import to_decimal
from monitor.rules.engine import NO_MONEY, TownVerdict, evaluate_project, evaluate_town, rank_towns
from monitor.rules.flags import FLAG_CODES
from monitor.rules.model import AllocationLine, ProjectInput, Report, RuleSettings

RULES = RuleSettings()
AS_OF = date(2023, 11, 6)
WAN = 1_000_000  # 分 in one 万元


def proj(spent: int | None, *money: tuple[int, int], period: str = "2023-10") -> ProjectInput:
    reports = [] if spent is None else [Report(period=period, spent=spent * WAN)]
    return ProjectInput(1, "项目", "官塘镇", [AllocationLine(y, a * WAN) for y, a in money], reports)


ATTRIBUTION = [
    # (lines (year, 万元, batch), spent 万元, expected spent per line in FIFO order 万元, earliest unspent year)
    ([(2022, 300, "一"), (2023, 200, "一")], 100, [100, 0], 2022),  # 2022 money fills first
    ([(2023, 200, "一"), (2022, 300, "一")], 350, [300, 50], 2023),  # given newest first: still 2022 first
    ([(2023, 100, "第一批"), (2023, 100, "第二批")], 150, [100, 50], 2023),  # same year: batch order as given
    ([(2023, 100, "一"), (2024, 100, "提前")], 150, [100, 50], 2024),  # 提前下达 gets what exceeds counted money
    ([(2022, 100, "一"), (2023, 100, "一"), (2024, 100, "提前")], 400, [100, 200, 100], 2024),
    # ↑ beyond everything: the overspend stays on the last counted line
    ([(2024, 100, "提前")], 150, [150], 2024),  # nothing counted: the last line takes it
    ([(2022, 300, "一"), (2023, 200, "一")], 500, [300, 200], 2023),  # all spent: latest year
    ([], 100, [], None),  # no allocations
]


@pytest.mark.parametrize(("lines", "spent", "expected", "year"), ATTRIBUTION)
def test_fifo_attribution(lines: list[tuple[int, int, str]], spent: int, expected: list[int],
                          year: int | None) -> None:
    progress = attribute([AllocationLine(y, a * WAN, batch=b) for y, a, b in lines], spent * WAN, "2023-10")
    assert [p.spent for p in progress] == [e * WAN for e in expected]
    assert [p.counted for p in progress] == [p.line.fund_year <= 2023 for p in progress]
    assert earliest_unspent_year(progress) == year


def test_verdict_figures() -> None:
    verdict = evaluate_project(proj(350, (2022, 300), (2023, 200), (2024, 100)), "2023-10", AS_OF, RULES)
    assert verdict.allocated == 500 * WAN  # 2024 money is not counted in 2023
    assert verdict.spend_rate == Decimal("0.7")
    assert verdict.benchmark == to_decimal(Fraction(14, 15))  # (300 × 1 + 200 × 10/12) / 500
    assert verdict.gap == to_decimal(Fraction(14, 15)) - Decimal("0.7")
    assert verdict.light == "yellow" and verdict.fund_year == 2023
    assert verdict.reasons == ["支出率70.0% 低于序时进度93.3% 23.3个百分点 > 10, ≤ 30",
                               "2024年提前下达资金 100.00万元 不计入本期支出率"]


def test_figures_come_from_the_latest_report_at_or_before_the_period() -> None:
    figures = (("2023-08", 30), ("2023-09", 40), ("2023-11", 90))
    project = ProjectInput(1, "项目", "官塘镇", [AllocationLine(2023, 100 * WAN)],
                           [Report(p, s * WAN) for p, s in figures])
    verdict = evaluate_project(project, "2023-10", AS_OF, RULES)
    assert verdict.spent == 40 * WAN and "missing-report" in [f.code for f in verdict.flags]


@pytest.mark.parametrize("project", [
    proj(10, (2023, 0)),  # allocated 0
    proj(10),  # no allocation known
    proj(10, (2024, 100)),  # only 提前下达 money: nothing counted yet
])
def test_no_counted_money_gives_nulls(project: ProjectInput) -> None:
    verdict = evaluate_project(project, "2023-10", AS_OF, RULES)
    assert (verdict.allocated, verdict.spend_rate, verdict.benchmark, verdict.gap, verdict.light) == (
        0, None, None, None, None)
    assert verdict.reasons[0] == NO_MONEY and verdict.year_end_projection is None


def test_fully_spent_is_green() -> None:
    verdict = evaluate_project(proj(600, (2023, 500), period="2023-03"), "2023-03", AS_OF, RULES)
    assert verdict.light == "green" and verdict.reasons[0].startswith("已全部支出")
    assert "over-allocation" in [f.code for f in verdict.flags]


def test_unknown_mode_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="benchmark mode"):
        evaluate_project(proj(10), "2023-10", AS_OF, RuleSettings(benchmark_mode="weekly"))


def test_year_end_projection() -> None:
    figures = (("2023-04", 20), ("2023-06", 30), ("2023-07", 45))
    project = ProjectInput(1, "项目", "官塘镇", [AllocationLine(2023, 100 * WAN)],
                           [Report(p, s * WAN) for p, s in figures])
    # the last three reports: 25 万 over the 3 months 04 → 07, then 5 more months to December
    assert evaluate_project(project, "2023-07", AS_OF, RULES).year_end_projection == to_decimal(
        Fraction(45 * 3 + 25 * 5, 300))


def test_town_totals_and_counts() -> None:
    verdicts = [evaluate_project(p, "2023-10", AS_OF, RULES) for p in (
        proj(400, (2023, 500)),  # 80%, green
        proj(300, (2022, 300), (2023, 200)),  # 60% against 93.3%, red
        proj(0, (2023, 0)),  # no rate: left out of the totals, but counted as a project
    )]
    town = evaluate_town(verdicts, RULES, "官塘镇")
    assert (town.projects, town.allocated, town.spent) == (3, 1000 * WAN, 700 * WAN)
    assert town.spend_rate == Decimal("0.7")
    assert town.benchmark == to_decimal((Fraction(10, 12) * 500 + Fraction(14, 15) * 500) / 1000)
    assert (town.light, town.green, town.yellow, town.red) == ("yellow", 1, 0, 1)


def test_town_without_money_has_no_light() -> None:
    town = evaluate_town([evaluate_project(proj(0, (2023, 0)), "2023-10", AS_OF, RULES)], RULES, "西湖")
    assert (town.spend_rate, town.benchmark, town.gap, town.light) == (None, None, None, None)


def town(name: str, rate: str | None) -> TownVerdict:
    return TownVerdict(town=name, projects=1, allocated=100, spent=0, light=None, benchmark=None, gap=None,
                       spend_rate=None if rate is None else Decimal(rate))


RANKS = [
    # (towns (name, rate), bottom_n, expected [(name, rank, bottom)])
    ([("意溪镇", "0.5"), ("磷溪镇", "0.7"), ("铁铺镇", "0.6"), ("官塘镇", "0.4")], 3,
     [("磷溪镇", 1, False), ("铁铺镇", 2, True), ("意溪镇", 3, True), ("官塘镇", 4, True)]),
    ([("意溪镇", "0.5"), ("磷溪镇", "0.7"), ("铁铺镇", "0.6")], 3,
     [("磷溪镇", 1, False), ("铁铺镇", 2, False), ("意溪镇", 3, False)]),  # not more towns than bottom_n
    ([("铁铺镇", "0.5"), ("意溪镇", "0.5"), ("西湖", None), ("官塘镇", "0.9")], 1,
     [("官塘镇", 1, False), ("意溪镇", 2, False), ("铁铺镇", 3, True), ("西湖", None, False)]),
    # ↑ a tie goes by name; a town without a rate is unranked and never marked
]


@pytest.mark.parametrize(("towns", "bottom_n", "expected"), RANKS)
def test_rank_towns(towns: list[tuple[str, str | None]], bottom_n: int,
                    expected: list[tuple[str, int | None, bool]]) -> None:
    ranked = rank_towns([town(n, r) for n, r in towns], RuleSettings(bottom_n=bottom_n))
    assert [(t.town, t.rank, t.bottom) for t in ranked] == expected


periods = st.builds(lambda m: f"2023-{m:02d}", st.integers(1, 12))
reports = st.lists(st.builds(Report, periods, st.integers(0, 10**9), st.none() | st.integers(0, 10**9),
                             st.none() | st.integers(0, 10**9), st.none() | st.decimals(0, 1, places=2),
                             st.sampled_from([None, "前期", "在建", "完工", "已验收", "已结算", "取消"])),
                   max_size=6)
projects = st.builds(
    ProjectInput, st.just(1), st.just("项目"), st.just("官塘镇"),
    st.lists(st.builds(AllocationLine, st.integers(2020, 2025), st.integers(0, 10**9)), max_size=4), reports,
    st.none() | st.dates(date(2023, 1, 1), date(2023, 12, 31)),
    st.none() | st.dates(date(2023, 1, 1), date(2024, 6, 1)))
modes = st.sampled_from([RULES, RuleSettings(benchmark_mode="daily"), RuleSettings(benchmark_mode="targets")])


@settings(max_examples=300)
@given(project=projects, period=periods, rules=modes)
def test_verdict_invariants(project: ProjectInput, period: str, rules: RuleSettings) -> None:
    verdict = evaluate_project(project, period, AS_OF, rules)
    counted = sum(line.amount for line in project.allocations if line.fund_year <= 2023)
    assert verdict.allocated == counted
    assert (verdict.light is None) == (counted == 0)
    if counted:
        assert verdict.spend_rate == Decimal(verdict.spent) / Decimal(counted)
        assert verdict.benchmark is not None and 0 <= verdict.benchmark <= 1
    if verdict.spent >= counted > 0:
        assert verdict.light == "green"
    codes = [f.code for f in verdict.flags]
    assert set(codes) <= set(FLAG_CODES) and len(codes) == len(set(codes))
    assert codes == [code for code in FLAG_CODES if code in codes]  # the registry's order
    if project.allocations:
        assert sum(p.spent for p in verdict.attribution) == verdict.spent
