"""Which towns a review chart shows when there are more than fit on one A4 page (a province of 1,127 towns),
and how the chart, the report and 数据.xlsx say so. Up to the cap, every town is shown as before."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar

from reports.review import OutlookRow, TownRow, TownTrend

#: bars in a chart that lists towns; twenty still fit an A4 page with readable labels
TOWN_BARS = 20
#: small panels in the trends chart (3 × 4)
TREND_PANELS = 12
#: the tallest chart (inches at 6.1 in wide): with its caption it fits the 225 mm type area of an A4 page
MAX_HEIGHT_IN = 8.2
#: height per bar while the chart fits; past that the bars close up
BAR_PITCH_IN = 0.42
#: room for the note line under the title when the cap bites
NOTE_IN = 0.3


class Named(Protocol):
    @property
    def town(self) -> str: ...


T = TypeVar("T", bound=Named)


@dataclass(frozen=True)
class Focus(Generic[T]):
    """The rows a chart draws, in drawing order, out of ``total`` it could draw; ``what`` says how they were
    chosen (``支出率最低``) when not all of them fit."""

    shown: list[T]
    total: int
    what: str

    @property
    def capped(self) -> bool:
        return len(self.shown) < self.total

    @property
    def note(self) -> str | None:
        """``共1127个镇街，图中为支出率最低的20个，全部见数据.xlsx``, or None when every town is shown."""
        if not self.capped:
            return None
        return f"共{self.total}个镇街，图中为{self.what}的{len(self.shown)}个，全部见数据.xlsx"

    @property
    def caption(self) -> str:
        """What the docx caption adds: ``（支出率最低的20个镇街）``, or nothing."""
        return f"（{self.what}的{len(self.shown)}个镇街）" if self.capped else ""

    def shows(self, town: str) -> bool:
        return any(row.town == town for row in self.shown)


def _focus(rows: list[T], most: int, what: str, key: Callable[[T], tuple]) -> Focus[T]:  # type: ignore[type-arg]
    if len(rows) <= most:
        return Focus(rows, len(rows), what)
    return Focus(sorted(rows, key=key)[:most], len(rows), what)


def rates_focus(towns: Sequence[TownRow], most: int = TOWN_BARS) -> Focus[TownRow]:
    """Towns with a rate, in rank order; past ``most``, the lowest ranked (slowest spend rate) first."""
    rows = [t for t in towns if t.spend_rate is not None]
    return _focus(rows, most, "支出率最低", lambda t: (-(t.rank or 0), t.spend_rate, t.town))


def lights_focus(towns: Sequence[TownRow], most: int = TOWN_BARS) -> Focus[TownRow]:
    """Towns with projects, in rank order; past ``most``, the most red projects first, then yellow, then the
    slower town."""
    rows = [t for t in towns if t.projects]
    return _focus(rows, most, "红灯项目最多", lambda t: (-t.red, -t.yellow, -(t.rank or 0), t.town))


def current_rate(trend: TownTrend) -> float | None:
    return trend.points[-1].spend_rate if trend.points else None


def trends_focus(trends: Sequence[TownTrend], most: int = TREND_PANELS) -> Focus[TownTrend]:
    """Towns with any rate, in rank order; past ``most``, the slowest this month first (the trends come in
    rank order, so among equal rates the later one is the lower ranked)."""
    rows = [t for t in trends if any(p.spend_rate is not None for p in t.points)]
    order = {id(t): i for i, t in enumerate(rows)}
    return _focus(
        rows, most, "支出率最低", lambda t: (current_rate(t) is None, current_rate(t) or 0.0, -order[id(t)])
    )


def projected_end(row: OutlookRow) -> float:
    """Where the town's bar ends: its projection, or its rate now when there is none."""
    return row.projected if row.projected is not None else row.spend_rate or 0.0


def outlook_focus(rows: Sequence[OutlookRow], most: int = TOWN_BARS) -> Focus[OutlookRow]:
    """Towns with a rate, highest projected first; past ``most``, the lowest projected first."""
    shown = [r for r in rows if r.spend_rate is not None]
    return _focus(shown, most, "预计年底支出率最低", lambda r: (projected_end(r), r.spend_rate, r.town))


def bars_height(bars: int, base: float) -> float:
    """A bar chart's height: ``BAR_PITCH_IN`` a bar while that fits on a page, closer bars past it."""
    n = max(bars, 1)
    return base + min(BAR_PITCH_IN, (MAX_HEIGHT_IN - base) / n) * n
