"""The review pack at province scale (1,127 towns, 22,540 projects): charts that list towns show the towns that
need attention and say so, every sentence and table cell that names towns or projects is bounded, 数据.xlsx
keeps every town. The Review is built directly (no database), deterministic by its seed."""

from __future__ import annotations

import random
import struct
import warnings
from datetime import date
from typing import Any

import pytest
from docx import Document
from docx.shared import Mm
from matplotlib.collections import PathCollection
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from openpyxl import load_workbook

from reports.charts import A4_WIDTH_IN, PNG_DPI, chart_town_rates, chart_trends
from reports.charts_projects import DENSE_POINTS, chart_lights, chart_outlook, chart_progress
from reports.review import (
    DistrictMonth,
    OutlookRow,
    Review,
    TownRow,
    TownTrend,
    TrendPoint,
    build_categories,
    build_points,
    projected_rate,
    rank_order,
    rated,
)
from reports.review_findings import flag_rows, some_towns, trend_findings
from reports.review_focus import MAX_HEIGHT_IN, TOWN_BARS, TREND_PANELS
from reports.review_pack import CHARTS, ReviewResult, build_document, write_review

PERIOD = "2024-10"
MONTHS = [f"2024-{m:02d}" for m in range(1, 11)]
SYLLABLES = "石龙塘沙溪坑田岭湖坪洞江口桥新东西南北平安和凤凰梅花竹松林高大古横水山头埔涌冲岗陂洋洲圩湾角岩岐坝"
FLAGS = ("zero-spend", "stalled", "surplus", "not-started", "year-end-risk")
DPI = 20  # the tests render small; pixel limits are checked on the figure's size at print quality
#: the type area of an A4 page with the official margins (mm): 210 − 28 − 26 wide, 297 − 37 − 35 high
A4_TYPE_AREA = (156, 225)
#: the longest paragraph a report may hold (the longest at the demo's five towns is about 300 characters)
LONGEST_PARAGRAPH = 2000


def town_names(n: int, rng: random.Random) -> list[str]:
    """Distinct names of two or three syllables + 镇/街道, one in forty a long 畲族乡-style name."""
    names: list[str] = []
    while len(names) < n:
        stem = "".join(rng.choice(SYLLABLES) for _ in range(2 if len(names) < 1000 else 3))
        suffix = "畲族乡" if len(names) % 40 == 7 else "街道" if rng.random() < 0.125 else "镇"
        if stem + suffix not in names:
            names.append(stem + suffix)
    return names


def light_of(gap: float) -> str:
    return "red" if gap > 0.2 else "yellow" if gap > 0.08 else "green"


def project(town: str, number: int, rng: random.Random, benchmark: float) -> dict[str, Any]:
    allocated = float(rng.randrange(20, 400) * 10_000)
    rate = round(min(max(rng.gauss(0.62, 0.25), 0.0), 1.0), 4)
    flags = [code for code in FLAGS if rng.random() < 0.04]
    progress = round(min(max(rate + rng.gauss(0.05, 0.2), 0.0), 1.0), 4) if rng.random() < 0.9 else None
    return {"town": town, "project_name": f"{town}{rng.choice(SYLLABLES)}{rng.choice(SYLLABLES)}村项目{number:02d}",
            "category": rng.choice(("基础设施", "产业发展", "四小园", "光伏")), "allocated": allocated,
            "spent": round(allocated * rate, 2), "spend_rate": rate, "benchmark": benchmark,
            "gap": round(benchmark - rate, 4), "light": light_of(benchmark - rate), "progress": progress,
            "flags": flags, "flag_details": {code: "说明" for code in flags},
            "year_end_projection": round(min(rate * 1.2, 1.1), 4)}


def town_row(town: str, members: list[dict[str, Any]], benchmark: float, submitted: bool) -> TownRow:
    allocated = round(sum(p["allocated"] for p in members), 2)
    spent = round(sum(p["spent"] for p in members), 2)
    rate = round(spent / allocated, 4)
    lights = [p["light"] for p in members]
    return TownRow(town, len(members), allocated, spent, rate, benchmark, round(benchmark - rate, 4),
                   light_of(benchmark - rate), None, False, lights.count("green"), lights.count("yellow"),
                   lights.count("red"), submitted)


def ranked(rows: list[TownRow]) -> list[TownRow]:
    """Rank 1 = fastest (equal rates by name), the slowest three marked, as monitor.status ranks."""
    order = sorted(rows, key=lambda t: (-(t.spend_rate or 0), t.town))
    return rank_order(TownRow(**{**t.__dict__, "rank": i, "bottom_three": i > len(order) - 3})
                      for i, t in enumerate(order, start=1))


def province_review(towns: int = 1127, per_town: int = 20, seed: int = 7) -> Review:
    """A Review of ``towns`` towns × ``per_town`` projects at 2024-10, with ten months of history."""
    rng = random.Random(seed)
    names = town_names(towns, rng)
    benchmark = 0.8333
    projects = [project(t, i, rng, benchmark) for t in names for i in range(1, per_town + 1)]
    by_town: dict[str, list[dict[str, Any]]] = {t: [] for t in names}
    for p in projects:
        by_town[p["town"]].append(p)
    rows = ranked([town_row(t, by_town[t], benchmark, rng.random() > 0.03) for t in names])
    trends = [TownTrend(t.town, t.light, [TrendPoint(m, round((t.spend_rate or 0) * (i + 1) / len(MONTHS), 4),
                                                     round(benchmark * (i + 1) / len(MONTHS), 4),
                                                     i == len(MONTHS) - 1 or rng.random() > 0.02)
                                          for i, m in enumerate(MONTHS)]) for t in rows]
    outlook = sorted((OutlookRow(t.town, t.spend_rate, projected_rate(rated(by_town[t.town])), t.light,
                                 [p["project_name"] for p in by_town[t.town] if "year-end-risk" in p["flags"]])
                      for t in rows), key=lambda r: (r.projected is None, -(r.projected or 0), r.town))
    allocated = sum(t.allocated or 0 for t in rows)
    spent = sum(t.spent or 0 for t in rows)
    district = [DistrictMonth(m, allocated, spent * (i + 1) / len(MONTHS), round(spent / allocated * (i + 1) / 10, 4),
                              round(benchmark * (i + 1) / 10, 4), None, "yellow") for i, m in enumerate(MONTHS)]
    previous_towns = [{"town": t.town, "spend_rate": (t.spend_rate or 0) if i % 9 == 0 else (t.spend_rate or 0) - 0.03}
                      for i, t in enumerate(rows)]
    previous = {"period": "2024-09", "towns": previous_towns, "projects": projects[: len(projects) // 2]}
    status = {"period": PERIOD, "projects": projects, "towns": [], "thresholds": {"outlook_reports": 3}}
    return Review(period=PERIOD, as_of=date(2024, 11, 10), district_name="广东省", bureau="广东省农业农村厅",
                  status=status, previous=previous, towns=rows, district=district, trends=trends,
                  categories=build_categories(projects), points=build_points(projects), outlook=outlook,
                  district_outlook=projected_rate(rated(projects)))


@pytest.fixture(scope="module")
def province() -> Review:
    return province_review()


@pytest.fixture(scope="module")
def pack(province: Review, tmp_path_factory: pytest.TempPathFactory) -> ReviewResult:
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=".*[Gg]lyph.*")  # no tofu in any chart
        return write_review(province, tmp_path_factory.mktemp("province"), dpi=DPI)


def tick_labels(fig: Figure) -> list[str]:
    return [t.get_text() for t in fig.axes[0].get_yticklabels()]


def bars(fig: Figure, gid: str) -> list[Rectangle]:
    return [p for p in fig.axes[0].patches if isinstance(p, Rectangle) and p.get_gid() == gid]


def fits_a4(fig: Figure) -> None:
    """At print quality the PNG stays far under Agg's 2^16 px, and the chart fits the A4 type area."""
    width, height = fig.get_size_inches()
    assert height * PNG_DPI < 2**16 and width * PNG_DPI < 2**16
    assert height <= MAX_HEIGHT_IN and height / width <= A4_TYPE_AREA[1] / A4_TYPE_AREA[0]


def note(total: int, what: str, shown: int) -> str:
    return f"共{total}个镇街，图中为{what}的{shown}个，全部见数据.xlsx"


# --- the charts that list towns


def test_rates_chart_shows_the_slowest_towns_slowest_first(province: Review) -> None:
    fig = chart_town_rates(province.towns, PERIOD)
    slowest = sorted(province.towns, key=lambda t: -(t.rank or 0))[:TOWN_BARS]
    assert tick_labels(fig) == [t.town for t in slowest]
    assert [round(r.get_width(), 4) for r in bars(fig, "spend_rate")] == [t.spend_rate for t in slowest]
    assert fig.get_suptitle() == "各镇街支出率与序时进度（截至2024年10月底）"
    assert fig.axes[0].get_title() == note(1127, "支出率最低", TOWN_BARS)
    fits_a4(fig)


def test_lights_chart_shows_the_towns_with_the_most_red(province: Review) -> None:
    fig = chart_lights(province.towns, PERIOD)
    red = [r.get_width() for r in bars(fig, "red")]
    assert len(tick_labels(fig)) == len(red) == TOWN_BARS
    assert red == sorted(red, reverse=True)  # the most on top
    shown = set(tick_labels(fig))
    rest = [t for t in province.towns if t.town not in shown]
    assert min(red) >= max(t.red for t in rest) and max(red) == max(t.red for t in province.towns)
    assert fig.axes[0].get_title() == note(1127, "红灯项目最多", TOWN_BARS)
    fits_a4(fig)


def test_trends_chart_has_twelve_panels_of_the_slowest(province: Review) -> None:
    fig = chart_trends(province.trends)
    panels = [ax for ax in fig.axes if ax.get_visible()]
    assert len(panels) == TREND_PANELS == 12
    slowest = sorted(province.towns, key=lambda t: -(t.rank or 0))[:TREND_PANELS]
    assert [ax.get_title().split()[0] for ax in panels] == [t.town for t in slowest]
    assert fig.get_suptitle().splitlines() == ["各镇街支出率走势（2024年，按本月支出率从低到高）",
                                               note(1127, "支出率最低", TREND_PANELS)]
    # ten months in a panel a third of the page wide: every other one labelled, so 10 11 12 never run together
    assert [t.get_text() for t in panels[-1].get_xticklabels()] == ["1", "", "3", "", "5", "", "7", "", "9", ""]
    fits_a4(fig)


def test_outlook_chart_shows_the_lowest_projected(province: Review) -> None:
    fig = chart_outlook(province.outlook, province.district_outlook, PERIOD)
    projected = [round(r.get_width(), 4) for r in bars(fig, "projected")]
    assert len(projected) == len(tick_labels(fig)) == TOWN_BARS
    assert projected == sorted(projected)  # the lowest on top
    rest = [o.projected for o in province.outlook if o.town not in set(tick_labels(fig))]
    assert max(projected) <= min(p for p in rest if p is not None)
    assert fig.axes[0].get_title() == note(1127, "预计年底支出率最低", TOWN_BARS)
    fits_a4(fig)


@pytest.mark.parametrize("towns", [TOWN_BARS, TOWN_BARS + 1])
def test_the_cap_bites_only_past_it(towns: int) -> None:
    small = province_review(towns, per_town=3)
    rates, lights = chart_town_rates(small.towns, PERIOD), chart_lights(small.towns, PERIOD)
    capped = towns > TOWN_BARS
    expected = sorted(small.towns, key=lambda t: -(t.rank or 0)) if capped else small.towns  # rank order
    assert tick_labels(rates) == [t.town for t in expected][:TOWN_BARS]
    assert len(tick_labels(lights)) == TOWN_BARS
    assert rates.axes[0].get_title() == (note(towns, "支出率最低", TOWN_BARS) if capped
                                         else "各镇街支出率与序时进度（截至2024年10月底）")
    assert bool(rates.get_suptitle()) == capped
    for fig in (rates, lights, chart_outlook(small.outlook, small.district_outlook, PERIOD)):
        fits_a4(fig)


def test_dense_progress_scatter_is_an_image_in_the_svg_with_the_outliers_ringed(province: Review) -> None:
    assert len(province.points) > DENSE_POINTS
    fig = chart_progress(province.points, PERIOD)
    (dots,) = [c for c in fig.findobj(PathCollection) if c.get_gid() == "projects"]
    assert dots.get_rasterized() and max(dots.get_sizes()) < 10
    assert len(dots.get_offsets()) == len(province.points)
    (rings,) = [c for c in fig.findobj(PathCollection) if c.get_gid() == "problem-rings"]
    numbered = [fig.findobj(lambda a, n=n: a.get_gid() == f"problem-{n}")[0].xy for n in range(1, 9)]
    assert [tuple(xy) for xy in rings.get_offsets()] == [tuple(xy) for xy in numbered]
    few = chart_progress(province.points[:50], PERIOD)
    (sparse,) = [c for c in few.findobj(PathCollection) if c.get_gid() == "projects"]
    assert not sparse.get_rasterized() and max(sparse.get_sizes()) == 46


# --- the pack


def test_pack_charts_are_png_of_a_page_at_most(pack: ReviewResult) -> None:
    pngs = [p for p in pack.charts if p.suffix == ".png"]
    assert len(pngs) == len(CHARTS)
    for png in pngs:
        width, height = struct.unpack(">II", png.read_bytes()[16:24])
        assert width == round(A4_WIDTH_IN * DPI) and height <= MAX_HEIGHT_IN * DPI + 1, png.name
    svg = next(p for p in pack.charts if p.name == "图6_形象进度与支出率.svg").read_text(encoding="utf-8")
    assert "<image" in svg and svg.count("<path") < 2000  # the dots as one image, not 20,347 paths


def test_docx_paragraphs_and_cells_are_bounded(pack: ReviewResult, province: Review) -> None:
    doc = Document(str(pack.report))
    paragraphs = [p.text for p in doc.paragraphs]
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    assert max(len(text) for text in paragraphs + cells) <= LONGEST_PARAGRAPH
    text = "\n".join(paragraphs + cells)
    missing = [t.town for t in province.towns if not t.submitted]
    assert f"{'、'.join(missing[:10])}等{len(missing)}个镇街未报送" in text
    for number, what, shown in ((1, "支出率最低", 20), (3, "支出率最低", 12), (4, "红灯项目最多", 20),
                                (7, "预计年底支出率最低", 20)):
        assert f"共1127个镇街，图{number}列出其中{what}的{shown}个，各镇街完整数据见数据.xlsx。" in text
        caption = next(p for p in paragraphs if p.startswith(f"图{number}\u3000"))
        assert caption.endswith(f"（{what}的{shown}个镇街）"), caption
    assert "图2\u3000全区累计支出进度" in paragraphs  # a chart that lists no towns is captioned as before
    assert len(doc.inline_shapes) == len(CHARTS)
    page = Mm(A4_TYPE_AREA[1])
    assert all(shape.height < page for shape in doc.inline_shapes)
    flags = next(t for t in doc.tables if t.rows[0].cells[0].text == "问题类型")
    for row in flags.rows[1:]:
        assert row.cells[2].text.endswith(f"等{row.cells[1].text}个（下达资金最多的8个，全部见数据.xlsx“问题线索”表）")


def test_xlsx_keeps_every_town_and_marks_the_charted(pack: ReviewResult, province: Review) -> None:
    book = load_workbook(pack.workbook, read_only=True)
    rates = sheet_rows(book, "支出率与序时进度")
    assert len(rates) == 1127 and [r["镇街"] for r in rates] == [t.town for t in province.towns]
    charted = [r["镇街"] for r in rates if r["图中显示"] == "是"]
    assert sorted(charted) == sorted(t.town for t in province.towns if (t.rank or 0) > 1127 - TOWN_BARS)
    assert {r["图中显示"] for r in rates} == {"是", "否"}
    trends = sheet_rows(book, "镇街走势")
    assert len(trends) == 1127 * len(MONTHS)
    assert sum(r["图中显示"] == "是" for r in trends) == TREND_PANELS * len(MONTHS)
    assert len(sheet_rows(book, "红黄绿灯")) == 1127
    outlook = sheet_rows(book, "年底预判")
    assert len(outlook) == 1128 and outlook[-1]["镇街"] == "全区" and outlook[-1]["图中显示"] is None
    risk = sum(len(o.at_risk) for o in province.outlook)
    assert outlook[-1]["预计年底无法支出完毕的项目"] == f"共{risk}个，见各镇街行"
    title = book["支出率与序时进度"]["A1"].value
    assert title == "各镇街支出率与序时进度（截至2024年10月底）：图中为支出率最低的20个镇街（见“图中显示”列）"
    assert len(sheet_rows(book, "问题线索")) == sum(len(p["flags"]) for p in province.projects)


def sheet_rows(book: Any, name: str) -> list[dict[str, Any]]:
    rows = list(book[name].iter_rows(min_row=2, values_only=True))
    return [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]


# --- sentences


def test_town_lists_name_ten_then_count() -> None:
    names = [f"{n}镇" for n in "甲乙丙丁戊己庚辛壬癸子"]
    assert some_towns(names[:10]) == "、".join(names[:10])
    assert some_towns(names) == "、".join(names[:10]) + "等11个镇街"


def test_a_town_that_missed_two_months_is_one_town_in_the_sentence() -> None:
    small = province_review(4, per_town=2)
    first = small.trends[0]
    for month in (3, 7):  # April and August
        first.points[month] = TrendPoint(MONTHS[month], first.points[month].spend_rate,
                                         first.points[month].benchmark, False)
    assert f"{first.town}4、8月" in "".join(trend_findings(small))


def test_every_finding_is_bounded_at_province_scale(province: Review) -> None:
    document = build_document(province, {})
    paragraphs = [*document.lead, *(line for s in document.sections for line in s.paragraphs)]
    assert len(paragraphs) == 1 + len(document.sections)
    assert max(len(p) for p in paragraphs) <= LONGEST_PARAGRAPH
    unbounded = "、".join(t.town for t in province.towns if not t.submitted)  # what the overview used to say
    assert len(unbounded) > 100 and unbounded not in document.lead[0]
    rows = [cells for label, count, cells in flag_rows(province)]
    assert rows and max(len(cells) for cells in rows) < 400
