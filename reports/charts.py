"""Review charts about towns and the district: spend rate against each town's benchmark, the district by
month, each town's trend. Functions take data and return a Figure; nothing here touches pyplot."""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import MultipleLocator, PercentFormatter

from monitor.periods import split_period
from reports.files import write_atomically
from reports.fonts import register_cjk_font
from reports.palette import BENCHMARK_COLOUR, LIGHT_COLOURS, LIGHT_LABELS, LIGHT_STRONG
from reports.review import (
    DistrictMonth,
    TownRow,
    TownTrend,
    month_label,
    pct,
    period_title,
)
from reports.review_focus import (
    MAX_HEIGHT_IN,
    NOTE_IN,
    TOWN_BARS,
    TREND_PANELS,
    bars_height,
    rates_focus,
    trends_focus,
)

register_cjk_font()  # at import: a missing font fails here, loudly, before any chart is drawn

#: print quality for the PNGs; the SVGs are vector
PNG_DPI = 200
#: the type area of an A4 page with 28/26 mm side margins is 156 mm wide
A4_WIDTH_IN = 6.1
NO_LIGHT = "A6A6A6"
LINE_GREY = "595959"
GRID = "D9D9D9"
TITLE_SIZE = 12
LABEL_SIZE = 9.5
SMALL = 8.5
LIGHT_ORDER = ("red", "yellow", "green")
NOTE_COLOUR = "404040"


def hex_colour(rgb: str) -> str:
    return f"#{rgb}"


def light_colour(light: str | None, *, pale: bool = False) -> str:
    """The light's chart colour (strong for marks, pale for fills); grey without a light."""
    if light is None:
        return hex_colour("F2F2F2" if pale else NO_LIGHT)
    return hex_colour((LIGHT_COLOURS if pale else LIGHT_STRONG)[light])


def new_figure(height: float, width: float = A4_WIDTH_IN) -> Figure:
    """A figure sized for an A4 page, laid out so that nothing overlaps."""
    register_cjk_font()
    return Figure(figsize=(width, height), layout="constrained")


def tidy(ax: Axes, *, grid_axis: str = "x") -> None:
    """Light grid behind the marks, no top/right frame, readable ticks."""
    ax.spines[["top", "right"]].set_visible(False)
    ax.grid(axis=grid_axis, color=hex_colour(GRID), linewidth=0.6)
    ax.set_axisbelow(True)
    ax.tick_params(labelsize=LABEL_SIZE)


def percent_axis(ax: Axes, which: str = "x", top: float = 1.0) -> None:
    axis = ax.xaxis if which == "x" else ax.yaxis
    axis.set_major_formatter(PercentFormatter(xmax=1, decimals=0))
    axis.set_major_locator(MultipleLocator(0.2 if top <= 1.2 else 0.5))


def light_handles(lights: Sequence[str | None] = LIGHT_ORDER) -> list[Patch]:
    handles = [Patch(color=light_colour(c), label=LIGHT_LABELS[c]) for c in LIGHT_ORDER if c in lights]
    if None in lights:
        handles.append(Patch(color=light_colour(None), label="未评灯"))
    return handles


def bottom_legend(fig: Figure, handles: list, ncol: int | None = None) -> None:
    fig.legend(handles=handles, loc="outside lower center", ncol=ncol or len(handles), frameon=False,
               fontsize=LABEL_SIZE)


def set_titles(fig: Figure, ax: Axes, title: str, note: str | None) -> None:
    """The chart's title over its axes; with a note (not every town fits), the title over the figure and
    the note in smaller type right under it."""
    if note is None:
        ax.set_title(title, fontsize=TITLE_SIZE)
        return
    fig.suptitle(title, fontsize=TITLE_SIZE)
    ax.set_title(note, fontsize=SMALL, color=hex_colour(NOTE_COLOUR))


def save_figure(fig: Figure, path: Path, dpi: int = PNG_DPI) -> Path:
    """Write the figure as PNG or SVG (by the suffix), atomically."""
    fmt = path.suffix.lstrip(".").lower()
    fig.draw_without_rendering()  # constrained layout settles over two passes (box aspect, outside legends)
    return write_atomically(path, lambda tmp: fig.savefig(tmp, format=fmt, dpi=dpi, facecolor="white"))


def chart_town_rates(towns: Sequence[TownRow], period: str, most: int = TOWN_BARS) -> Figure:
    """各镇街支出率与序时进度: bars by light, fastest on top, each town's own benchmark marked; past ``most``
    towns, the slowest ``most`` only, the slowest on top."""
    focus = rates_focus(towns, most)
    rows = focus.shown
    fig = new_figure(bars_height(len(rows), 1.3 + (NOTE_IN if focus.capped else 0)))
    ax = fig.add_subplot()
    ys = list(range(len(rows)))
    rates = [t.spend_rate or 0.0 for t in rows]
    marks = [t.benchmark or 0.0 for t in rows]
    ax.barh(ys, rates, height=0.62, color=[light_colour(t.light) for t in rows], gid="spend_rate")
    ax.vlines(marks, [y - 0.42 for y in ys], [y + 0.42 for y in ys], colors=hex_colour(BENCHMARK_COLOUR),
              linewidth=2.6, gid="benchmark")
    for y, t in zip(ys, rows, strict=True):
        text = f"{pct(t.spend_rate)}（序时{pct(t.benchmark)}）" + (" ▼" if t.bottom_three else "")
        ax.text(max(t.spend_rate or 0, t.benchmark or 0) + 0.015, y, text, va="center", fontsize=SMALL)
    top = max([1.0, *rates, *marks])
    ax.set_xlim(0, top + 0.36)
    ax.set_yticks(ys, [t.town for t in rows])
    ax.invert_yaxis()
    percent_axis(ax, "x", top)
    ax.set_xticks([x / 10 for x in range(0, int(top * 10) + 1, 2)])
    ax.set_xlabel("支出率", fontsize=LABEL_SIZE)
    set_titles(fig, ax, f"各镇街支出率与序时进度（{period_title(period)}）", focus.note)
    tidy(ax)
    handles = [*light_handles(), Line2D([], [], color=hex_colour(BENCHMARK_COLOUR), linewidth=2.6,
                                        label="本镇街序时进度")]
    if any(t.bottom_three for t in rows):
        handles.append(Line2D([], [], linestyle="none", marker="v", color="black", markersize=5,
                              label="排名后三位"))
    bottom_legend(fig, handles)
    return fig


def chart_district(months: Sequence[DistrictMonth]) -> Figure:
    """全区累计支出进度: the district's spend rate month by month against the benchmark curve."""
    fig = new_figure(3.6)
    ax = fig.add_subplot()
    xs = list(range(len(months)))
    rates = [m.spend_rate for m in months]
    marks = [m.benchmark for m in months]
    ax.plot(xs, marks, color=hex_colour(BENCHMARK_COLOUR), linestyle="--", linewidth=1.8, marker="s",
            markersize=4, gid="benchmark", label="序时进度")
    ax.plot(xs, rates, color=hex_colour(LINE_GREY), linewidth=2, gid="spend_rate", label="全区支出率")
    ax.scatter(xs, rates, s=42, zorder=3, c=[light_colour(m.light) for m in months], edgecolors="white")
    ax.fill_between(xs, [r or 0 for r in rates], [b or 0 for b in marks], color=light_colour("red", pale=True),
                    alpha=0.6, linewidth=0, label="低于序时进度")
    for x, rate, mark in zip(xs, rates, marks, strict=True):
        _label_pair(ax, x, rate, mark)
    top = max([1.0, *(v for v in rates + marks if v is not None)])
    ax.set_ylim(0, top + 0.1)
    ax.set_xlim(-0.5, len(xs) - 0.5)
    percent_axis(ax, "y", top)
    ax.set_xticks(xs, [month_label(m.period) for m in months])
    ax.set_ylabel("累计支出率", fontsize=LABEL_SIZE)
    year = split_period(months[-1].period)[0] if months else ""
    ax.set_title(f"全区累计支出进度（{year}年）", fontsize=TITLE_SIZE)
    tidy(ax, grid_axis="y")
    handles = [Line2D([], [], color=hex_colour(LINE_GREY), linewidth=2, marker="o", label="全区支出率（点为当月灯色）"),
               Line2D([], [], color=hex_colour(BENCHMARK_COLOUR), linestyle="--", marker="s", markersize=4,
                      label="序时进度"),
               Patch(color=light_colour("red", pale=True), label="低于序时进度")]
    bottom_legend(fig, handles)
    return fig


def _label_pair(ax: Axes, x: float, rate: float | None, mark: float | None) -> None:
    """Value labels for one month: the upper point's above it, the lower point's below, so they never meet."""
    if rate is None:
        return
    rate_above = mark is None or rate >= mark
    ax.annotate(pct(rate), (x, rate), xytext=(0, 7 if rate_above else -13), textcoords="offset points",
                ha="center", fontsize=SMALL)
    if mark is not None:
        ax.annotate(pct(mark), (x, mark), xytext=(0, -13 if rate_above else 7), textcoords="offset points",
                    ha="center", fontsize=SMALL, color=hex_colour(BENCHMARK_COLOUR))


def chart_trends(trends: Sequence[TownTrend], most: int = TREND_PANELS) -> Figure:
    """各镇街支出率走势: one small panel per town (rank order), its spend rate and benchmark by month; past
    ``most`` towns, the slowest ``most`` only, the slowest first."""
    focus = trends_focus(trends, most)
    shown = focus.shown
    periods = sorted({p.period for t in shown for p in t.points})
    cols = min(3, max(len(shown), 1))
    rows = max(math.ceil(len(shown) / cols), 1)
    base = 0.9 + (NOTE_IN if focus.capped else 0)
    fig = new_figure(base + min(1.75, (MAX_HEIGHT_IN - base) / rows) * rows)
    axes = fig.subplots(rows, cols, sharex=True, sharey=True, squeeze=False)
    index = {p: i for i, p in enumerate(periods)}
    top = max([1.0, *(p.spend_rate or 0 for t in shown for p in t.points)])
    missed = False
    for ax, trend in zip(axes.flat, shown, strict=False):
        xs = [index[p.period] for p in trend.points]
        colour = light_colour(trend.light)
        # a marker too, so a single month's benchmark still shows (a one-point line draws nothing)
        ax.plot(xs, [p.benchmark for p in trend.points], color=hex_colour(BENCHMARK_COLOUR), linestyle="--",
                linewidth=1.2, marker="_", markersize=9, gid="benchmark")
        ax.plot(xs, [p.spend_rate for p in trend.points], color=colour, linewidth=1.8, gid="spend_rate")
        ax.scatter(xs, [p.spend_rate for p in trend.points], s=16, zorder=3, edgecolors=colour,
                   facecolors=[colour if p.submitted else "white" for p in trend.points])
        missed = missed or not all(p.submitted for p in trend.points)
        ax.set_title(f"{trend.town}  {pct(trend.points[-1].spend_rate)}", fontsize=LABEL_SIZE)
        tidy(ax, grid_axis="y")
        ax.tick_params(labelsize=SMALL)
    for ax in list(axes.flat)[len(shown):]:
        ax.set_visible(False)
    first = axes.flat[0]
    first.set_ylim(0, top + 0.08)
    first.yaxis.set_major_formatter(PercentFormatter(xmax=1, decimals=0))
    first.yaxis.set_major_locator(MultipleLocator(0.5))
    # past eight months every other month is labelled, or 10 11 12 run together in a panel a third wide
    step = 1 if len(periods) <= 8 else 2
    first.set_xticks(range(len(periods)), [str(split_period(p)[1]) if i % step == 0 else ""
                                           for i, p in enumerate(periods)])
    for col in range(cols):  # the lowest panel of each column carries the month axis
        lowest = max(i for i in range(len(shown)) if i % cols == col) if len(shown) > col else None
        if lowest is not None:
            axes.flat[lowest].tick_params(labelbottom=True)
            axes.flat[lowest].set_xlabel("月份", fontsize=SMALL)
    year = split_period(periods[-1])[0] if periods else ""
    if focus.note is None:
        fig.suptitle(f"各镇街支出率走势（{year}年，按本月排名）", fontsize=TITLE_SIZE)
    else:  # a figure has one suptitle: the note is its second line
        fig.suptitle(f"各镇街支出率走势（{year}年，按本月支出率从低到高）\n{focus.note}", fontsize=TITLE_SIZE - 1)
    handles = [Line2D([], [], color=hex_colour(LINE_GREY), linewidth=1.8, marker="o", markersize=4,
                      label="支出率（颜色为本月灯色）"),
               Line2D([], [], color=hex_colour(BENCHMARK_COLOUR), linestyle="--", label="序时进度")]
    if missed:
        handles.append(Line2D([], [], linestyle="none", marker="o", markersize=4, markerfacecolor="white",
                              color=hex_colour(LINE_GREY), label="空心点：当月未报送"))
    bottom_legend(fig, handles)
    return fig
