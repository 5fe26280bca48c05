"""Money is integer 分 inside fundmon; these helpers convert at the edges exactly."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

FEN_PER_YUAN = 100
YUAN_PER_WAN = Decimal(10000)


def yuan_to_fen(yuan: Decimal) -> int:
    """元 (any precision) → 分, rounding half up at the 分."""
    return int((yuan * FEN_PER_YUAN).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def fen_to_yuan(fen: int | None) -> Decimal | None:
    """分 → 元 as an exact two-decimal Decimal."""
    if fen is None:
        return None
    return (Decimal(fen) / FEN_PER_YUAN).quantize(Decimal("0.01"))


def fen_to_wan(fen: int | None) -> Decimal | None:
    """分 → 万元, exact (up to six decimals)."""
    if fen is None:
        return None
    return Decimal(fen) / (FEN_PER_YUAN * YUAN_PER_WAN)


def rate(numerator_fen: int | None, denominator_fen: int | None) -> Decimal | None:
    """An exact ratio, None when the denominator is 0 or unknown."""
    if numerator_fen is None or not denominator_fen:
        return None
    return Decimal(numerator_fen) / Decimal(denominator_fen)
