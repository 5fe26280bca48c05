"""Review charts: each chart's data and labels read back from the Figure, and Chinese from the packaged font."""

from __future__ import annotations

import shutil
import warnings
from collections.abc import Iterator
from pathlib import Path

import matplotlib
import pytest
from matplotlib import font_manager
from matplotlib.collections import LineCollection, PathCollection
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle
from matplotlib.text import Text

from monitor.errors import MonitorError
from reports import fonts
from reports.charts import (
    chart_district,
    chart_town_rates,
    chart_trends,
    hex_colour,
    light_colour,
    save_figure,
)
from reports.charts_projects import chart_categories, chart_lights, chart_outlook, chart_progress
from reports.palette import BENCHMARK_COLOUR, LIGHT_STRONG
from reports.review import (
    BUILT_UNPAID,
    PAID_UNBUILT,
    CategoryRow,
    DistrictMonth,
    OutlookRow,
    ProjectPoint,
    TownRow,
    TownTrend,
    TrendPoint,
)

PERIOD = "2023-10"
TOWNS = [  # rank order, as build_review gives them; 乙街道 holds carry-over money (benchmark 100%)
    TownRow("甲镇", 5, 10_000_000.0, 8_000_000.0, 0.8, 0.8333, 0.0333, "green", 1, False, 4, 1, 0, True),
    TownRow("乙街道", 3, 2_000_000.0, 1_300_000.0, 0.65, 1.0, 0.35, "red", 2, False, 1, 0, 2, True),
    TownRow("丙镇", 4, 6_000_000.0, 3_000_000.0, 0.5, 0.8333, 0.3333, "red", 3, True, 1, 2, 1, False),
    TownRow("丁镇", 0, None, None, None, None, None, None, None, False, 0, 0, 0, False),
]
MONTHS = [DistrictMonth("2023-08", 1.8e7, 9.0e6, 0.5, 0.6667, 0.1667, "yellow"),
          DistrictMonth("2023-09", 1.8e7, 1.08e7, 0.6, 0.75, 0.15, "yellow"),
          DistrictMonth("2023-10", 1.8e7, 1.23e7, 0.6833, 0.8426, 0.1593, "yellow")]
TRENDS = [TownTrend("甲镇", "green", [TrendPoint("2023-09", 0.7, 0.75, True), TrendPoint("2023-10", 0.8, 0.8333, True)]),
          TownTrend("乙街道", "red", [TrendPoint("2023-09", 0.6, 1.0, False), TrendPoint("2023-10", 0.65, 1.0, True)]),
          TownTrend("丙镇", "red", [TrendPoint("2023-09", 0.45, 0.75, True), TrendPoint("2023-10", 0.5, 0.8333, True)]),
          TownTrend("丁镇", None, [TrendPoint("2023-09", None, None, False), TrendPoint("2023-10", None, None, False)])]
CATEGORIES = [CategoryRow("基础设施", 6, 9_000_000.0, 6_000_000.0, 0.6667, 1),
              CategoryRow("产业发展", 4, 6_000_000.0, 5_000_000.0, 0.8333, 0),
              CategoryRow("未分类", 2, 3_000_000.0, 1_300_000.0, 0.4333, 2)]
POINTS = [ProjectPoint("甲镇", "溪口市场升级改造", 0.9, 0.85, "green", []),
          ProjectPoint("丙镇", "尧里村道路硬底化及拓宽工程（一期）", 1.0, 0.42, "red", ["progress-gap"]),
          ProjectPoint("乙街道", "六亩村巷道硬底化", 0.3, 0.7, "yellow", []),
          ProjectPoint("丙镇", "宫头村四小园建设", 0.0, 0.0, "red", ["zero-spend"])]
OUTLOOK = [OutlookRow("甲镇", 0.8, 1.0, "green", []),
           OutlookRow("乙街道", 0.65, 0.8, "red", ["坑门村观光道"]),
           OutlookRow("丙镇", 0.5, None, "red", []),
           OutlookRow("丁镇", None, None, None, [])]


def texts(fig: Figure) -> list[str]:
    return [t.get_text() for t in fig.findobj(Text) if t.get_text()]


def by_gid(fig: Figure, gid: str, kind: type = object) -> list:  # type: ignore[type-arg]
    return [a for a in fig.findobj(lambda a: a.get_gid() == gid) if isinstance(a, kind)]


def bars(ax, gid: str) -> list[Rectangle]:  # type: ignore[no-untyped-def]
    return [p for p in ax.patches if isinstance(p, Rectangle) and p.get_gid() == gid]


def tick_labels(ax, axis: str = "y") -> list[str]:  # type: ignore[no-untyped-def]
    ticks = ax.get_yticklabels() if axis == "y" else ax.get_xticklabels()
    return [t.get_text() for t in ticks]


def test_town_rates_bars_are_the_rates_by_rank_with_each_towns_benchmark() -> None:
    fig = chart_town_rates(TOWNS, PERIOD)
    ax = fig.axes[0]
    assert ax.get_title() == "各镇街支出率与序时进度（截至2023年10月底）"
    assert tick_labels(ax) == ["甲镇", "乙街道", "丙镇"]  # 丁镇 has no rate
    assert ax.yaxis_inverted()  # rank 1 on top
    rects = bars(ax, "spend_rate")
    assert [round(r.get_width(), 4) for r in rects] == [0.8, 0.65, 0.5]
    assert [r.get_facecolor() for r in rects] == [matplotlib.colors.to_rgba(light_colour(c))
                                                  for c in ("green", "red", "red")]
    (marks,) = by_gid(fig, "benchmark", LineCollection)
    segments = marks.get_segments()
    assert [round(s[0][0], 4) for s in segments] == [0.8333, 1.0, 0.8333]
    assert all(s[0][0] == s[1][0] for s in segments)  # vertical ticks
    centres = [r.get_y() + r.get_height() / 2 for r in rects]
    assert [round((s[0][1] + s[1][1]) / 2, 6) for s in segments] == [round(c, 6) for c in centres]
    assert matplotlib.colors.to_hex(marks.get_color()[0]) == hex_colour(BENCHMARK_COLOUR).lower()
    labels = texts(fig)
    assert "80.0%（序时83.3%）" in labels and "65.0%（序时100.0%）" in labels
    assert "50.0%（序时83.3%） ▼" in labels  # bottom three marked
    assert {"红灯", "黄灯", "绿灯", "本镇街序时进度", "排名后三位"} <= set(labels)


def test_district_lines_are_the_monthly_rate_and_benchmark() -> None:
    fig = chart_district(MONTHS)
    ax = fig.axes[0]
    assert ax.get_title() == "全区累计支出进度（2023年）"
    (rate,) = by_gid(fig, "spend_rate", Line2D)
    (mark,) = by_gid(fig, "benchmark", Line2D)
    assert list(rate.get_ydata()) == [0.5, 0.6, 0.6833]
    assert list(mark.get_ydata()) == [0.6667, 0.75, 0.8426]
    assert mark.get_linestyle() == "--"
    assert tick_labels(ax, "x") == ["8月", "9月", "10月"]
    assert {"50.0%", "66.7%", "68.3%", "84.3%"} <= set(texts(fig))


def test_trends_one_panel_per_town_with_data_in_rank_order() -> None:
    fig = chart_trends(TRENDS)
    shown = [ax for ax in fig.axes if ax.get_visible()]
    assert [ax.get_title() for ax in shown] == ["甲镇  80.0%", "乙街道  65.0%", "丙镇  50.0%"]
    for ax, trend in zip(shown, TRENDS, strict=False):
        (rate,) = [ln for ln in ax.lines if ln.get_gid() == "spend_rate"]
        (mark,) = [ln for ln in ax.lines if ln.get_gid() == "benchmark"]
        assert list(rate.get_ydata()) == [p.spend_rate for p in trend.points]
        assert list(mark.get_ydata()) == [p.benchmark for p in trend.points]
        assert rate.get_color() == light_colour(trend.light)
    assert fig.get_suptitle() == "各镇街支出率走势（2023年，按本月排名）"
    assert "空心点：当月未报送" in texts(fig)  # 乙街道 missed September


def test_lights_stacked_red_first_with_counts() -> None:
    fig = chart_lights(TOWNS, PERIOD)
    ax = fig.axes[0]
    assert tick_labels(ax) == ["甲镇", "乙街道", "丙镇"]  # towns with projects only
    red, yellow, green = bars(ax, "red"), bars(ax, "yellow"), bars(ax, "green")
    assert [r.get_width() for r in red] == [0, 2, 1]
    assert [r.get_width() for r in yellow] == [1, 0, 2]
    assert [(r.get_x(), r.get_width()) for r in green] == [(1, 4), (2, 1), (3, 1)]
    assert bars(ax, "none") == []  # every project has a light here
    assert {"共5个", "共3个", "共4个"} <= set(texts(fig))
    assert ax.get_title() == "各镇街红黄绿灯项目数（截至2023年10月底）"


def test_lights_grey_segment_for_projects_without_a_light() -> None:
    town = TownRow("戊镇", 3, 1.0, 0.0, 0.0, 0.8333, 0.8333, "red", 1, False, 0, 0, 1, True)
    ax = chart_lights([town], PERIOD).axes[0]
    assert [r.get_width() for r in bars(ax, "none")] == [2]


def test_categories_allocated_and_spent_in_wan() -> None:
    fig = chart_categories(CATEGORIES, PERIOD)
    ax = fig.axes[0]
    assert tick_labels(ax) == ["基础设施", "产业发展", "未分类"]
    assert [r.get_width() for r in bars(ax, "allocated")] == [900.0, 600.0, 300.0]
    assert [r.get_width() for r in bars(ax, "spent")] == [600.0, 500.0, 130.0]
    assert "600 / 900（66.7%）" in texts(fig)
    assert ax.get_xlabel() == "金额（万元）"


def test_progress_dots_quadrants_and_numbered_outliers() -> None:
    fig = chart_progress(POINTS, PERIOD)
    ax = fig.axes[0]
    (dots,) = by_gid(fig, "projects", PathCollection)
    assert [tuple(xy) for xy in dots.get_offsets()] == [(p.progress, p.spend_rate) for p in POINTS]
    (diagonal,) = by_gid(fig, "diagonal", Line2D)
    assert list(diagonal.get_xdata()) == list(diagonal.get_ydata())
    (built,) = by_gid(fig, BUILT_UNPAID, Rectangle)
    (paid,) = by_gid(fig, PAID_UNBUILT, Rectangle)
    assert (built.get_x(), built.get_y(), built.get_height()) == (0.5, 0, 0.5)
    assert (paid.get_x(), paid.get_y(), paid.get_width()) == (0, 0.5, 0.5)
    labels = texts(fig)
    assert f"{BUILT_UNPAID} 1个\n形象进度过半\n支出未过半" in labels
    assert f"{PAID_UNBUILT} 1个\n支出过半\n形象进度未过半" in labels
    assert "1. 尧里村道路硬底化及拓宽工程（一…" in labels and "2. 六亩村巷道硬底化" in labels
    (one,) = by_gid(fig, "problem-1")
    assert one.xy == (1.0, 0.42)
    assert ax.get_xlabel() == "形象进度" and ax.get_ylabel() == "支出率"


def test_outlook_bars_now_and_projected_against_100() -> None:
    fig = chart_outlook(OUTLOOK, 0.87, PERIOD)
    ax = fig.axes[0]
    assert tick_labels(ax) == ["甲镇", "乙街道", "丙镇"]
    assert [r.get_width() for r in bars(ax, "spend_rate")] == [0.8, 0.65, 0.5]
    assert [r.get_width() for r in bars(ax, "projected")] == [1.0, 0.8, 0.5]  # no projection: the rate now
    (target,) = by_gid(fig, "target", Line2D)
    assert list(target.get_xdata()) == [1.0, 1.0]
    assert {"80.0% → 100.0%", "65.0% → 80.0%", "50.0% → 暂无推算"} <= set(texts(fig))
    assert ax.get_title() == "年底支出预判（按近期进度推算，全区预计87.0%）"


def all_charts() -> list[Figure]:
    return [chart_town_rates(TOWNS, PERIOD), chart_district(MONTHS), chart_trends(TRENDS),
            chart_lights(TOWNS, PERIOD), chart_categories(CATEGORIES, PERIOD), chart_progress(POINTS, PERIOD),
            chart_outlook(OUTLOOK, None, PERIOD)]


def test_every_chart_saves_png_and_svg_without_missing_glyphs(tmp_path: Path) -> None:
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=".*[Gg]lyph.*")
        for number, fig in enumerate(all_charts(), start=1):
            for suffix in (".png", ".svg"):
                path = save_figure(fig, tmp_path / f"{number}{suffix}", dpi=40)
                assert path.stat().st_size > 1000
    assert not list(tmp_path.glob(".*part*"))  # written atomically, nothing left behind
    svg = (tmp_path / "1.svg").read_text(encoding="utf-8")
    assert svg.startswith("<?xml")


def test_the_glyph_check_would_catch_tofu(tmp_path: Path) -> None:
    """Control: with the Latin font alone, drawing Chinese warns, so the test above can fail."""
    fig = Figure()
    fig.text(0.5, 0.5, "支出率", family=["DejaVu Sans"])
    with pytest.warns(UserWarning, match="Glyph"):
        fig.savefig(tmp_path / "tofu.png")


PACKAGED = Path(fonts.cjk_font_path()).resolve()


def resolved(prop: FontProperties) -> list[tuple[Path, int]]:
    """The font files matplotlib renders ``prop`` with, one per family in its list (per-character
    fallback in that order); the same lookup matplotlib's text layout makes."""
    return [(Path(p).resolve(), p.face_index) for p in font_manager.fontManager._find_fonts_by_props(prop)]


def test_font_family_is_latin_then_the_packaged_cjk_face() -> None:
    family = fonts.register_cjk_font()
    assert family == fonts.CJK_FAMILY == "Noto Sans CJK SC"
    assert list(matplotlib.rcParams["font.family"]) == ["DejaVu Sans", family] == fonts.font_families()
    found = font_manager.findfont(FontProperties(family=family))
    assert Path(found).resolve() == PACKAGED
    assert font_manager.FontProperties(fname=str(PACKAGED)).get_name().startswith("Noto Sans CJK")


@pytest.fixture
def system_cjk_font(tmp_path: Path) -> Iterator[Path]:
    """A 'system' copy of the same CJK family, registered ahead of ours as a font cache would list it."""
    manager = font_manager.fontManager
    saved = list(manager.ttflist)
    copy = tmp_path / "system-fonts" / "NotoSansCJK-Regular.ttc"
    copy.parent.mkdir()
    shutil.copyfile(PACKAGED, copy)
    manager.addfont(str(copy))
    theirs = [e for e in manager.ttflist if Path(e.fname) == copy]
    manager.ttflist = theirs + [e for e in manager.ttflist if Path(e.fname) != copy]
    manager._findfont_cached.cache_clear()
    try:
        yield copy.resolve()
    finally:
        manager.ttflist = saved
        manager._findfont_cached.cache_clear()
        fonts.register_cjk_font()


def test_packaged_font_wins_over_a_system_font_of_the_same_family(system_cjk_font: Path) -> None:
    prop = FontProperties(family=fonts.CJK_FAMILY)
    assert Path(font_manager.findfont(prop)).resolve() == system_cjk_font  # the trap is real
    fonts.register_cjk_font()  # what every chart does before drawing
    assert Path(font_manager.findfont(prop)).resolve() == PACKAGED
    fig = chart_town_rates(TOWNS, PERIOD)
    fig.draw_without_rendering()  # tick labels exist after a draw
    chinese = [t for t in fig.findobj(Text) if any("\u4e00" <= ch <= "\u9fff" for ch in t.get_text())]
    assert len(chinese) > 5
    for text in chinese:
        files = resolved(text.get_fontproperties())  # [Latin, CJK]: each CJK character falls back to ours
        assert files[-1][0] == PACKAGED, text.get_text()
        assert system_cjk_font not in [path for path, _ in files], text.get_text()


def test_missing_font_fails_loudly(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fonts, "FONT_FILE", "no-such-font.ttc")
    with pytest.raises(fonts.FontMissingError, match="no-such-font.ttc") as info:
        fonts.register_cjk_font()
    assert isinstance(info.value, MonitorError)
    monkeypatch.setattr(fonts, "FONT_PACKAGE", "no_such_font_package")
    with pytest.raises(fonts.FontMissingError, match="pip install"):
        fonts.cjk_font_path()


def test_chart_colours_are_the_one_palette() -> None:
    assert [light_colour(c) for c in ("red", "yellow", "green")] == [f"#{LIGHT_STRONG[c]}"
                                                                     for c in ("red", "yellow", "green")]
