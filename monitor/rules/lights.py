"""红黄绿灯: the light of a project or town from its spend rate and benchmark (DESIGN §5)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, localcontext

from monitor.rules.model import RuleSettings
from monitor.rules.text import pct, points, printed, threshold

LIGHTS = ("green", "yellow", "red")

Light = tuple[str | None, Decimal | None, str | None]


def exact_gap(benchmark: Decimal, spend_rate: Decimal) -> Decimal:
    """``benchmark − spend_rate`` without rounding (both operands fit well inside the wider context)."""
    with localcontext() as ctx:
        ctx.prec = 80
        return benchmark - spend_rate


def light(spend_rate: Decimal | None, benchmark: Decimal | None, spent: int, allocated: int | None,
          rules: RuleSettings) -> Light:
    """(light, exact gap, reason line); all None when allocated is 0 or unknown.

    The gap and the benchmark are compared with the thresholds as printed (half up at four decimals).
    """
    if not allocated or allocated <= 0 or spend_rate is None or benchmark is None:
        return None, None, None
    gap = exact_gap(benchmark, spend_rate)
    shown = printed(gap)
    if spent >= allocated:
        return "green", gap, f"已全部支出：支出率{pct(spend_rate)} ≥ 100%"
    if spent <= 0 and printed(benchmark) >= rules.zero_spend_benchmark:
        return "red", gap, f"支出为0，序时进度{pct(benchmark)} ≥ {threshold(rules.zero_spend_benchmark)}%"
    head = f"支出率{pct(spend_rate)} {_relation(shown)}序时进度{pct(benchmark)}"
    if shown <= 0 and shown <= rules.green_gap:  # on or ahead of the benchmark
        return "green", gap, head + ("" if shown == 0 else f" {points(-shown)}个百分点")
    text = f"{head} {_points(shown, rules)}个百分点"
    green, yellow = threshold(rules.green_gap), threshold(rules.yellow_gap)
    if shown <= rules.green_gap:
        return "green", gap, f"{text} ≤ {green}"
    if shown <= rules.yellow_gap:
        return "yellow", gap, f"{text} > {green}, ≤ {yellow}"
    return "red", gap, f"{text} > {yellow}"


def _relation(shown: Decimal) -> str:
    if shown > 0:
        return "低于"
    return "高于" if shown < 0 else "达到"


def _points(shown: Decimal, rules: RuleSettings) -> str:
    """The gap in points with one decimal, or two where one would contradict the comparison made."""
    one = (shown * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    for limit in (rules.green_gap, rules.yellow_gap):
        if (one > limit * 100) != (shown > limit):
            return points(shown, "0.01")
    return str(one)
