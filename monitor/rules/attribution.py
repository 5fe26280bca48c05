"""Per-batch progress: spending goes to the oldest money first (FIFO), later fund years last."""

from __future__ import annotations

from collections.abc import Sequence

from monitor.periods import split_period
from monitor.rules.model import AllocationLine, AllocationProgress


def fifo_order(lines: Sequence[AllocationLine]) -> list[AllocationLine]:
    """Oldest fund year first; within a year, the batch order as given (a stable sort)."""
    return sorted(lines, key=lambda line: line.fund_year)


def attribute(lines: Sequence[AllocationLine], spent: int, period: str) -> list[AllocationProgress]:
    """Spread ``spent`` over the allocations, oldest first, in FIFO order.

    Counted money (fund years up to the period's year) fills first; money of a later fund year
    (提前下达) gets spending only once all counted money is used; spending beyond everything stays on
    the last counted line (the last line when nothing is counted). Negative spending is not spread.
    """
    year, _ = split_period(period)
    ordered = fifo_order(lines)
    counted = [line for line in ordered if line.fund_year <= year]
    later = [line for line in ordered if line.fund_year > year]
    left = max(spent, 0)
    shares: list[int] = []
    for line in counted + later:
        share = min(left, max(line.amount, 0))
        shares.append(share)
        left -= share
    if left and shares:
        shares[len(counted) - 1 if counted else -1] += left
    return [AllocationProgress(line=line, spent=share, counted=line.fund_year <= year)
            for line, share in zip(counted + later, shares, strict=True)]


def earliest_unspent_year(progress: Sequence[AllocationProgress]) -> int | None:
    """The earliest fund year whose money is not yet fully spent; the latest fund year when all is spent."""
    unspent = [item.line.fund_year for item in progress if item.spent < item.line.amount]
    if unspent:
        return min(unspent)
    return max((item.line.fund_year for item in progress), default=None)
