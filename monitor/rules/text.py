"""How the rules print numbers in their explanation lines: 万元 with two decimals, percentages, points."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from monitor.money import fen_to_wan

PLACES = Decimal("0.0001")  # rates and gaps are compared and printed at four decimals (DESIGN §5, §6)


def printed(value: Decimal) -> Decimal:
    """A rate or gap as printed and compared: rounded half up to four decimals."""
    return value.quantize(PLACES, rounding=ROUND_HALF_UP)


def wan(fen: int) -> str:
    """分 → ``186.05万元``."""
    amount = fen_to_wan(fen) or Decimal(0)
    return f"{amount.quantize(Decimal('0.01'), rounding=ROUND_HALF_UP)}万元"


def pct(value: Decimal) -> str:
    """0.3110 → ``31.1%`` (one decimal, as documents print rates)."""
    return f"{(value * 100).quantize(Decimal('0.1'), rounding=ROUND_HALF_UP)}%"


def points(value: Decimal, places: str = "0.1") -> str:
    """A fraction as 百分点, without the unit: 0.5223 → ``52.2`` (or ``52.23`` with places "0.01")."""
    return str((value * 100).quantize(Decimal(places), rounding=ROUND_HALF_UP))


def threshold(value: Decimal) -> str:
    """A threshold fraction as points, no trailing zeros: 0.30 → ``30``, 0.125 → ``12.5``."""
    return format((value * 100).normalize(), "f")


def month_cn(period: str) -> str:
    """``2023-07`` → ``2023年7月`` (how a clerk writes a month)."""
    year, month = period.split("-")
    return f"{int(year)}年{int(month)}月"


def day_cn(day: date) -> str:
    """2023-07-15 → ``2023年7月15日``."""
    return f"{day.year}年{day.month}月{day.day}日"
