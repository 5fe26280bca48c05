"""序时进度 in its three modes, per allocation and per project (table-driven, plus Hypothesis invariants)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from monitor.rules.benchmark import allocation_benchmark, check_rules, project_benchmark, to_decimal
from monitor.rules.model import AllocationLine, RuleSettings

MONTHLY = RuleSettings()
DAILY = RuleSettings(benchmark_mode="daily")
TARGETS = RuleSettings(benchmark_mode="targets")
AS_OF = date(2023, 11, 6)


def exact(numerator: int, denominator: int = 1) -> Decimal:
    return to_decimal(Fraction(numerator, denominator))


ALLOCATION_CASES = [
    # (rules, fund_year, period, as_of, expected)
    (MONTHLY, 2023, "2023-10", AS_OF, exact(10, 12)),  # monthly: October is 10/12 = 0.8333…
    (MONTHLY, 2023, "2023-01", AS_OF, exact(1, 12)),  # monthly: January is 1/12
    (MONTHLY, 2023, "2023-03", AS_OF, Decimal("0.25")),  # monthly: three months is exactly 0.25
    (MONTHLY, 2023, "2023-12", AS_OF, Decimal(1)),  # monthly: December is 1
    (MONTHLY, 2022, "2023-10", AS_OF, Decimal(1)),  # carry-over one year: must be spent, 1
    (MONTHLY, 2021, "2023-02", AS_OF, Decimal(1)),  # carry-over two years: 1
    (MONTHLY, 2024, "2023-10", AS_OF, None),  # 提前下达: a later fund year is not counted
    (DAILY, 2023, "2023-10", date(2023, 7, 15), exact(196, 365)),  # daily at an as-of date inside the year
    (DAILY, 2023, "2023-10", AS_OF, exact(304, 365)),  # daily: as-of after the period is clamped to 10-31
    (DAILY, 2024, "2024-12", date(2025, 1, 6), Decimal(1)),  # daily: leap year, 366/366 on 12-31
    (DAILY, 2024, "2024-02", date(2024, 2, 29), exact(60, 366)),  # daily: 02-29 of a leap year
    (DAILY, 2023, "2023-10", date(2022, 12, 1), Decimal(0)),  # daily: as-of before the year began, 0
    (DAILY, 2022, "2023-10", AS_OF, Decimal(1)),  # daily: carry-over 1
    (DAILY, 2024, "2023-10", AS_OF, None),  # daily: 提前下达 not counted
    (TARGETS, 2023, "2023-03", AS_OF, Decimal("0.30")),  # targets: on a point exactly
    (TARGETS, 2023, "2023-04", AS_OF, exact(30, 100) + to_decimal(Fraction(20, 100) * Fraction(30, 91))),
    # ↑ targets: 04-30 is 30 of the 91 days from 03-31 to 06-30, between 0.30 and 0.50
    (TARGETS, 2023, "2023-01", AS_OF, to_decimal(Fraction(30, 100) * Fraction(30, 89))),  # from 0 on 01-01
    (TARGETS, 2023, "2023-12", AS_OF, Decimal(1)),  # targets: 12-31 is 1.0
    (TARGETS, 2022, "2023-04", AS_OF, Decimal(1)),  # targets: carry-over 1
    (TARGETS, 2024, "2023-04", AS_OF, None),  # targets: 提前下达 not counted
    (RuleSettings(benchmark_mode="targets", targets=(("06-30", Decimal("0.6")),)), 2023, "2023-10", AS_OF,
     Decimal("0.6")),  # targets: flat after the last point
]


@pytest.mark.parametrize(("rules", "fund_year", "period", "as_of", "expected"), ALLOCATION_CASES)
def test_allocation_benchmark(rules: RuleSettings, fund_year: int, period: str, as_of: date,
                              expected: Decimal | None) -> None:
    assert allocation_benchmark(fund_year, period, as_of, rules) == expected


def test_targets_april_is_strictly_between_the_points() -> None:
    value = allocation_benchmark(2023, "2023-04", AS_OF, TARGETS)
    assert value is not None and Decimal("0.30") < value < Decimal("0.50")
    assert round(value, 4) == Decimal("0.3659")


BAD_RULES = [
    RuleSettings(benchmark_mode="weekly"),  # unknown mode
    RuleSettings(benchmark_mode="targets", targets=(("13-01", Decimal("0.5")),)),  # no month 13
    RuleSettings(benchmark_mode="targets", targets=(("end of March", Decimal("0.3")),)),  # not MM-DD
    RuleSettings(benchmark_mode="targets", targets=(("03-31", Decimal("1.2")),)),  # above 1
    RuleSettings(benchmark_mode="targets", targets=(("03-31", "三成"),)),  # type: ignore[arg-type]  # not a number
    RuleSettings(benchmark_mode="targets", targets=(("03-31", Decimal("NaN")),)),  # NaN
]


@pytest.mark.parametrize("rules", BAD_RULES)
def test_bad_settings_raise_value_error(rules: RuleSettings) -> None:
    with pytest.raises(ValueError):
        check_rules(rules)
    with pytest.raises(ValueError):
        allocation_benchmark(2023, "2023-05", AS_OF, rules)


WAN = 1_000_000  # 分 in one 万元

PROJECT_CASES = [
    # (lines, period, expected)
    ([AllocationLine(2023, 500 * WAN)], "2023-10", exact(10, 12)),  # one line: its own benchmark
    ([AllocationLine(2022, 300 * WAN), AllocationLine(2023, 200 * WAN)], "2023-10",
     exact(14, 15)),  # weighted: (300 × 1 + 200 × 10/12) / 500
    ([AllocationLine(2023, 200 * WAN), AllocationLine(2024, 900 * WAN)], "2023-10",
     exact(10, 12)),  # 提前下达 money is left out of the mean
    ([AllocationLine(2024, 900 * WAN)], "2023-10", None),  # nothing counted
    ([AllocationLine(2023, 0)], "2023-10", None),  # counted money 0
    ([], "2023-10", None),  # no allocations
]


@pytest.mark.parametrize(("lines", "period", "expected"), PROJECT_CASES)
def test_project_benchmark(lines: list[AllocationLine], period: str, expected: Decimal | None) -> None:
    assert project_benchmark(lines, period, AS_OF, MONTHLY) == expected


periods = st.builds(lambda y, m: f"{y}-{m:02d}", st.integers(2021, 2026), st.integers(1, 12))
modes = st.sampled_from([MONTHLY, DAILY, TARGETS])
lines = st.lists(st.builds(AllocationLine, st.integers(2019, 2027), st.integers(0, 10**10)), max_size=6)


@given(rules=modes, fund_year=st.integers(2018, 2028), period=periods,
       as_of=st.dates(date(2020, 1, 1), date(2028, 12, 31)))
def test_allocation_benchmark_is_a_share(rules: RuleSettings, fund_year: int, period: str,
                                         as_of: date) -> None:
    value = allocation_benchmark(fund_year, period, as_of, rules)
    assert (value is None) == (fund_year > int(period[:4]))
    assert value is None or 0 <= value <= 1


@given(rules=modes, lines=lines, period=periods, as_of=st.dates(date(2020, 1, 1), date(2028, 12, 31)))
def test_project_benchmark_is_a_share(rules: RuleSettings, lines: list[AllocationLine], period: str,
                                      as_of: date) -> None:
    value = project_benchmark(lines, period, as_of, rules)
    counted = sum(line.amount for line in lines if line.fund_year <= int(period[:4]))
    assert (value is None) == (counted == 0)
    assert value is None or 0 <= value <= 1
