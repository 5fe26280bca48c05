"""红黄绿灯 on the exact gap compared at four decimals, half up, with the reason line (table-driven)."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from monitor.rules.benchmark import to_decimal
from monitor.rules.lights import LIGHTS, light
from monitor.rules.model import RuleSettings

RULES = RuleSettings()
ALLOCATED = 1_000_000_00  # 100万元 in 分
D = Decimal
OCTOBER = to_decimal(Fraction(10, 12))

CASES = [
    # (spend_rate, benchmark, spent, expected light)
    (D("0.90"), D("0.8"), 90_000_000, "green"),  # ahead of the benchmark
    (D("0.8"), D("0.8"), 80_000_000, "green"),  # on the benchmark
    (D("0.7"), D("0.8"), 70_000_000, "green"),  # gap exactly 0.10 → green
    (D("0.69996"), D("0.8"), 69_996_000, "green"),  # gap 0.10004 prints 0.1000 → green
    (D("0.6999500001"), D("0.8"), 69_995_000, "green"),  # gap 0.1000499999 prints 0.1000 → green
    (D("0.69995"), D("0.8"), 69_995_000, "yellow"),  # gap 0.10005 rounds half up to 0.1001 → yellow
    (D("0.5"), D("0.8"), 50_000_000, "yellow"),  # gap exactly 0.30 → yellow
    (D("0.50004"), D("0.80008"), 50_004_000, "yellow"),  # gap 0.30004 prints 0.3000 → yellow
    (D("0.49995"), D("0.8"), 49_995_000, "red"),  # gap 0.30005 rounds to 0.3001 → red
    (D("0.311"), OCTOBER, 31_100_000, "red"),
    # ↑ 支出率31.1% against October's 83.3%: 52.2 points → red
    (D("0"), D("0.25"), 0, "red"),  # nothing spent at benchmark exactly 0.25 → red (gap alone: yellow)
    (D("0"), D("0.2499"), 0, "yellow"),  # nothing spent at 0.2499 → only the gap counts: yellow
    (D("0"), D("0.24996"), 0, "red"),  # 0.24996 prints 0.2500 → red, as printed
    (D("0"), D("0.1"), 0, "green"),  # nothing spent early in the year: gap 0.10 → green
    (D("1"), D("1"), ALLOCATED, "green"),  # fully spent
    (D("1"), D("1.5"), ALLOCATED, "green"),  # fully spent is green even if the gap math says red
    (D("1.2"), D("0.5"), 120_000_000, "green"),  # overspent counts as fully spent
]


@pytest.mark.parametrize(("spend_rate", "benchmark", "spent", "expected"), CASES)
def test_light(spend_rate: Decimal, benchmark: Decimal, spent: int, expected: str) -> None:
    colour, gap, reason = light(spend_rate, benchmark, spent, ALLOCATED, RULES)
    assert colour == expected
    assert gap is not None and Fraction(gap) == Fraction(benchmark) - Fraction(spend_rate)  # exact
    assert reason


@pytest.mark.parametrize(("allocated", "spend_rate", "benchmark"), [
    (0, None, None),  # allocated 0 → all None
    (None, None, None),  # allocated unknown → all None
    (0, D("0.5"), D("0.8")),  # a rate without money is ignored
    (ALLOCATED, None, D("0.8")),  # no rate
    (ALLOCATED, D("0.5"), None),  # no benchmark (only later fund years)
])
def test_no_money_no_light(allocated: int | None, spend_rate: Decimal | None,
                           benchmark: Decimal | None) -> None:
    assert light(spend_rate, benchmark, 0, allocated, RULES) == (None, None, None)


REASONS = [
    # (spend_rate, benchmark, spent, reason)
    (D("0.311"), OCTOBER, 31_100_000, "支出率31.1% 低于序时进度83.3% 52.2个百分点 > 30"),  # red
    (D("0.6"), D("0.75"), 60_000_000, "支出率60.0% 低于序时进度75.0% 15.0个百分点 > 10, ≤ 30"),  # yellow
    (D("0.7"), D("0.75"), 70_000_000, "支出率70.0% 低于序时进度75.0% 5.0个百分点 ≤ 10"),  # green behind
    (D("0.8"), D("0.75"), 80_000_000, "支出率80.0% 高于序时进度75.0% 5.0个百分点"),  # green ahead
    (D("0.75"), D("0.75"), 75_000_000, "支出率75.0% 达到序时进度75.0%"),  # green on the benchmark
    (D("0.69995"), D("0.8"), 69_995_000, "支出率70.0% 低于序时进度80.0% 10.01个百分点 > 10, ≤ 30"),
    # ↑ one decimal would print 10.0 > 10: two decimals show the compared value
    (D("0"), D("0.25"), 0, "支出为0，序时进度25.0% ≥ 25%"),  # zero spend
    (D("1"), D("1"), ALLOCATED, "已全部支出：支出率100.0% ≥ 100%"),  # fully spent
]


@pytest.mark.parametrize(("spend_rate", "benchmark", "spent", "expected"), REASONS)
def test_reason_line(spend_rate: Decimal, benchmark: Decimal, spent: int, expected: str) -> None:
    assert light(spend_rate, benchmark, spent, ALLOCATED, RULES)[2] == expected


def test_thresholds_are_settings() -> None:
    strict = RuleSettings(green_gap=D("0.05"), yellow_gap=D("0.15"), zero_spend_benchmark=D("0.5"))
    assert light(D("0.7"), D("0.8"), 70_000_000, ALLOCATED, strict)[0] == "yellow"
    assert light(D("0.6"), D("0.8"), 60_000_000, ALLOCATED, strict)[0] == "red"
    assert light(D("0"), D("0.25"), 0, ALLOCATED, strict)[0] == "red"  # gap 0.25 > 0.15, not zero-spend


amounts = st.integers(0, 10**11)
shares = st.fractions(0, 1).map(to_decimal)


@given(allocated=amounts, spent=amounts, benchmark=shares)
def test_light_invariants(allocated: int, spent: int, benchmark: Decimal) -> None:
    spend_rate = Decimal(spent) / Decimal(allocated) if allocated else None
    colour, gap, _ = light(spend_rate, benchmark, spent, allocated, RULES)
    assert (colour is None) == (allocated == 0)
    if colour is not None:
        assert colour in LIGHTS
        assert spend_rate is not None and gap is not None
        assert Fraction(gap) == Fraction(benchmark) - Fraction(spend_rate)  # exact, not rounded
    if spent >= allocated > 0:
        assert colour == "green"
