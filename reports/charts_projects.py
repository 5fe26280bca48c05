"""Review charts about projects: lights by town, money by category, physical progress against spending,
and the year-end outlook. Functions take data and return a Figure; nothing here touches pyplot."""

from __future__ import annotations

from collections.abc import Sequence

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle
from matplotlib.ticker import MaxNLocator, PercentFormatter

from reports.charts import (
    LABEL_SIZE,
    LIGHT_ORDER,
    SMALL,
    TITLE_SIZE,
    bottom_legend,
    hex_colour,
    light_colour,
    light_handles,
    new_figure,
    percent_axis,
    set_titles,
    tidy,
)
from reports.palette import BENCHMARK_COLOUR
from reports.review import (
    BUILT_UNPAID,
    PAID_UNBUILT,
    QUADRANT,
    CategoryRow,
    OutlookRow,
    ProjectPoint,
    TownRow,
    pct,
    period_title,
    problem_points,
    quadrant,
)
from reports.review_focus import NOTE_IN, TOWN_BARS, bars_height, lights_focus, outlook_focus

ALLOCATED_COLOUR = "D0D7E2"
SPENT_COLOUR = "4A6A94"
_DARK_TEXT = {"yellow", None}
#: past this many projects the progress scatter draws small dots, as an image inside the SVG
DENSE_POINTS = 2000


def unlit(t: TownRow) -> int:
    """Projects without a light (no allocated money known)."""
    return max(t.projects - t.red - t.yellow - t.green, 0)


def chart_lights(towns: Sequence[TownRow], period: str, most: int = TOWN_BARS) -> Figure:
    """红黄绿灯项目数: stacked bars per town (rank order), red first so the red counts line up; past ``most``
    towns, the ``most`` with the most red (then yellow) projects, the most on top."""
    focus = lights_focus(towns, most)
    rows = focus.shown
    fig = new_figure(bars_height(len(rows), 1.3 + (NOTE_IN if focus.capped else 0)))
    ax = fig.add_subplot()
    ys = list(range(len(rows)))
    series: list[tuple[str | None, list[int]]] = [(c, [getattr(t, c) for t in rows]) for c in LIGHT_ORDER]
    if any(unlit(t) for t in rows):
        series.append((None, [unlit(t) for t in rows]))
    left = [0] * len(rows)
    for colour, counts in series:
        bars = ax.barh(ys, counts, left=left, height=0.62, color=light_colour(colour), gid=colour or "none")
        text = "black" if colour in _DARK_TEXT else "white"
        ax.bar_label(bars, labels=[str(n) if n else "" for n in counts], label_type="center", color=text,
                     fontsize=SMALL)
        left = [a + b for a, b in zip(left, counts, strict=True)]
    for y, total in zip(ys, left, strict=True):
        ax.text(total + 0.15, y, f"共{total}个", va="center", fontsize=SMALL)
    ax.set_xlim(0, max(left + [1]) * 1.15 + 0.8)
    ax.set_yticks(ys, [t.town for t in rows])
    ax.invert_yaxis()
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("项目数（个）", fontsize=LABEL_SIZE)
    set_titles(fig, ax, f"各镇街红黄绿灯项目数（{period_title(period)}）", focus.note)
    tidy(ax)
    bottom_legend(fig, light_handles([c for c, _ in series]))
    return fig


def chart_categories(rows: Sequence[CategoryRow], period: str) -> Figure:
    """分类别资金: allocated and spent (万元) by project category, the largest allocation on top."""
    fig = new_figure(1.3 + 0.45 * max(len(rows), 1))
    ax = fig.add_subplot()
    ys = list(range(len(rows)))
    allocated = [r.allocated / 10000 for r in rows]
    spent = [r.spent / 10000 for r in rows]
    ax.barh(ys, allocated, height=0.7, color=hex_colour(ALLOCATED_COLOUR), gid="allocated")
    ax.barh(ys, spent, height=0.38, color=hex_colour(SPENT_COLOUR), gid="spent")
    widest = max(allocated + spent + [1.0])
    for y, row, a, s in zip(ys, rows, allocated, spent, strict=True):
        ax.text(max(a, s) + widest * 0.015, y, f"{s:,.0f} / {a:,.0f}（{pct(row.spend_rate)}）", va="center",
                fontsize=SMALL)
    ax.set_xlim(0, widest * 1.42)
    ax.set_yticks(ys, [r.category for r in rows])
    ax.invert_yaxis()
    ax.set_xlabel("金额（万元）", fontsize=LABEL_SIZE)
    ax.set_title(f"分类别资金下达与支出（{period_title(period)}）", fontsize=TITLE_SIZE)
    tidy(ax)
    bottom_legend(fig, [Patch(color=hex_colour(ALLOCATED_COLOUR), label="下达资金"),
                        Patch(color=hex_colour(SPENT_COLOUR), label="已支出"),
                        Line2D([], [], linestyle="none", label="标注：已支出 / 下达（支出率）")])
    return fig


def chart_progress(points: Sequence[ProjectPoint], period: str) -> Figure:
    """形象进度与支出率: one dot per project by light, the diagonal, the two problem quadrants shaded."""
    fig = new_figure(5.0)
    ax = fig.add_subplot()
    top = max([1.0, *(p.spend_rate for p in points), *(p.progress for p in points)]) + 0.05
    counts = {name: sum(quadrant(p) == name for p in points) for name in (BUILT_UNPAID, PAID_UNBUILT)}
    ax.add_patch(Rectangle((QUADRANT, 0), top - QUADRANT, QUADRANT, color=light_colour("red", pale=True),
                           alpha=0.55, linewidth=0, gid=BUILT_UNPAID))
    ax.add_patch(Rectangle((0, QUADRANT), QUADRANT, top - QUADRANT, color=light_colour("yellow", pale=True),
                           alpha=0.55, linewidth=0, gid=PAID_UNBUILT))
    ax.text(top - 0.02, 0.02, f"{BUILT_UNPAID} {counts[BUILT_UNPAID]}个\n形象进度过半\n支出未过半", ha="right",
            va="bottom", fontsize=SMALL, color=light_colour("red"))
    ax.text(0.02, top - 0.02, f"{PAID_UNBUILT} {counts[PAID_UNBUILT]}个\n支出过半\n形象进度未过半", ha="left",
            va="top", fontsize=SMALL, color=hex_colour("9C6500"))
    ax.plot([0, top], [0, top], color=hex_colour("7F7F7F"), linestyle="--", linewidth=1, gid="diagonal")
    ax.axvline(QUADRANT, color=hex_colour("A6A6A6"), linewidth=0.8, linestyle=":")
    ax.axhline(QUADRANT, color=hex_colour("A6A6A6"), linewidth=0.8, linestyle=":")
    _scatter(ax, points)
    _number_outliers(ax, points)
    ax.set_xlim(-0.02, top)
    ax.set_ylim(-0.02, top)
    percent_axis(ax, "x", top)
    percent_axis(ax, "y", top)
    ax.set_box_aspect(1)
    ax.set_xlabel("形象进度", fontsize=LABEL_SIZE)
    ax.set_ylabel("支出率", fontsize=LABEL_SIZE)
    ax.set_title(f"形象进度与支出率（{period_title(period)}，{len(points)}个项目）", fontsize=TITLE_SIZE)
    tidy(ax, grid_axis="both")
    handles = [*light_handles(sorted({p.light for p in points}, key=_light_key)),
               Line2D([], [], color=hex_colour("7F7F7F"), linestyle="--", label="进度与支出同步")]
    bottom_legend(fig, handles)
    return fig


def _scatter(ax: Axes, points: Sequence[ProjectPoint]) -> None:
    """One dot per project. Thousands of dots (a province) are small and translucent, red drawn last so it
    shows, and kept as one image in the SVG instead of thousands of vector paths."""
    if len(points) <= DENSE_POINTS:
        ax.scatter([p.progress for p in points], [p.spend_rate for p in points], s=46, zorder=3, alpha=0.9,
                   c=[light_colour(p.light) for p in points], edgecolors="white", linewidths=0.8, gid="projects",
                   clip_on=False)
        return
    drawn = sorted(points, key=lambda p: -_light_key(p.light))  # grey, green, yellow, then red on top
    ax.scatter([p.progress for p in drawn], [p.spend_rate for p in drawn], s=5, zorder=3, alpha=0.45,
               c=[light_colour(p.light) for p in drawn], linewidths=0, gid="projects", clip_on=False,
               rasterized=True)


def _light_key(light: str | None) -> int:
    return LIGHT_ORDER.index(light) if light in LIGHT_ORDER else len(LIGHT_ORDER)


def _number_outliers(ax: Axes, points: Sequence[ProjectPoint]) -> None:
    """Number the problem projects beside their dots and list the names in an empty corner (no crossing
    leader lines, no text over the marks)."""
    odd = problem_points(points)
    if not odd:
        return
    if len(points) > DENSE_POINTS:  # among thousands of small dots, ring the numbered ones
        ax.scatter([p.progress for p in odd], [p.spend_rate for p in odd], s=40, zorder=4, facecolors="none",
                   edgecolors=hex_colour("404040"), linewidths=0.9, gid="problem-rings", clip_on=False)
    for number, p in enumerate(odd, start=1):
        ax.annotate(str(number), (p.progress, p.spend_rate), xytext=(5, 3), textcoords="offset points",
                    fontsize=7.5, color=hex_colour("404040"), gid=f"problem-{number}")
    names = [Line2D([], [], linestyle="none", label=f"{n}. {short_name(p.project_name, 16)}")
             for n, p in enumerate(odd, start=1)]
    # beside the plot, not in it: the names can never cover a dot, whatever the data
    ax.figure.legend(handles=names, loc="outside right upper", title="图中编号", frameon=False,
                     fontsize=7.5, title_fontsize=SMALL, handlelength=0, handletextpad=0, alignment="left")


def short_name(name: str, limit: int = 10) -> str:
    return name if len(name) <= limit else name[: limit - 1] + "…"


def chart_outlook(rows: Sequence[OutlookRow], district: float | None, period: str, most: int = TOWN_BARS) -> Figure:
    """年底支出预判: each town's spend rate now and projected at December on its recent pace, against 100%;
    past ``most`` towns, the ``most`` lowest projected, the lowest on top."""
    focus = outlook_focus(rows, most)
    shown = focus.shown
    fig = new_figure(bars_height(len(shown), 1.4 + (NOTE_IN if focus.capped else 0)))
    ax = fig.add_subplot()
    ys = list(range(len(shown)))
    projected = [r.projected if r.projected is not None else r.spend_rate or 0 for r in shown]
    ax.barh(ys, projected, height=0.62, color=[light_colour(r.light, pale=True) for r in shown],
            edgecolor=[light_colour(r.light) for r in shown], linewidth=1, gid="projected")
    ax.barh(ys, [r.spend_rate for r in shown], height=0.62, color=[light_colour(r.light) for r in shown],
            gid="spend_rate")
    ax.axvline(1.0, color=hex_colour(BENCHMARK_COLOUR), linewidth=1.8, linestyle="--", gid="target")
    for y, r, end in zip(ys, shown, projected, strict=True):
        outlook = pct(r.projected) if r.projected is not None else "暂无推算"
        ax.text(max(end, 1.0) + 0.02, y, f"{pct(r.spend_rate)} → {outlook}", va="center", fontsize=SMALL)
    top = max([1.0, *projected])
    ax.set_xlim(0, top + 0.3)
    ax.set_yticks(ys, [r.town for r in shown])
    ax.invert_yaxis()
    percent_axis(ax, "x", top)
    ax.set_xticks([x / 10 for x in range(0, int(top * 10) + 1, 2)])
    ax.xaxis.set_major_formatter(PercentFormatter(xmax=1, decimals=0))
    ax.set_xlabel("支出率", fontsize=LABEL_SIZE)
    title = f"按近期进度推算，全区预计{pct(district)}" if district is not None else "报送不足两期，暂无法推算"
    set_titles(fig, ax, f"年底支出预判（{title}）", focus.note)
    tidy(ax)
    bottom_legend(fig, [Patch(color=hex_colour("808080"), label="目前支出率"),
                        Patch(facecolor=hex_colour("F2F2F2"), edgecolor=hex_colour("808080"), label="预计年底"),
                        Line2D([], [], color=hex_colour(BENCHMARK_COLOUR), linestyle="--", label="年底应达100%")])
    return fig
