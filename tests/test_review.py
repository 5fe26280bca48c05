"""The monthly review pack on the demo data: files, the docx's images, sentences and fonts, the xlsx numbers."""

from __future__ import annotations

import struct
from collections import Counter
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Pt
from openpyxl import load_workbook

from monitor.cli.common import App, GuardedGroup
from monitor.cli.demo import DEMO_AS_OF, demo_settings, sample_root
from monitor.cli.main import cli
from monitor.cli.review import review as review_command
from monitor.cli.review import run_review
from monitor.db import open_database
from monitor.rules.flags import FLAG_LABELS
from monitor.status import build_status, default_period
from reports.review import Review, build_review
from reports.review_pack import CHARTS, REPORT_NAME, WORKBOOK_NAME, ReviewResult

DPI = 40  # fast; the pack's default is print quality
THEME_ATTRS = ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme")
SHEETS = ["支出率与序时进度", "全区累计进度", "镇街走势", "红黄绿灯", "问题线索", "分类别资金", "资金来源进度", "形象进度与支出率",
          "年底预判"]


@pytest.fixture(scope="module")
def demo_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    out = tmp_path_factory.mktemp("demo")
    result = CliRunner().invoke(cli, ["demo", "--out", str(out)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return f"sqlite:///{out / 'fundmon.db'}"


@pytest.fixture(scope="module")
def settings():  # type: ignore[no-untyped-def]
    return demo_settings(sample_root())


@pytest.fixture(scope="module")
def status(demo_url: str, settings) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    with open_database(demo_url)() as session:
        return build_status(session, settings, None, DEMO_AS_OF)


@pytest.fixture(scope="module")
def september(demo_url: str, settings) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    with open_database(demo_url)() as session:
        return build_status(session, settings, "2023-09", DEMO_AS_OF)


@pytest.fixture(scope="module")
def review(demo_url: str, settings) -> Review:  # type: ignore[no-untyped-def]
    with open_database(demo_url)() as session:
        return build_review(session, settings, None, DEMO_AS_OF)


@pytest.fixture(scope="module")
def pack(demo_url: str, settings, tmp_path_factory: pytest.TempPathFactory) -> ReviewResult:  # type: ignore[no-untyped-def]
    return run_review(open_database(demo_url), settings, None, DEMO_AS_OF, tmp_path_factory.mktemp("out"), dpi=DPI)


def pct(value: float) -> str:
    """How the report prints a rate, written independently of the code under test."""
    return f"{(Decimal(str(value)) * 100).quantize(Decimal('0.1'), rounding=ROUND_HALF_UP)}%"


def wan(yuan: float) -> str:
    return f"{(Decimal(str(yuan)) / 10000).quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):,}万元"


def district(data: dict[str, Any]) -> tuple[float, float, float]:
    towns = data["towns"]
    allocated = round(sum(t["allocated"] or 0 for t in towns), 2)
    spent = round(sum(t["spent"] or 0 for t in towns), 2)
    return allocated, spent, round(spent / allocated, 4)


def docx_text(path: Path) -> str:
    doc = Document(str(path))
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in doc.paragraphs] + cells)


def table_and_note(path: Path, first_header: str) -> tuple[list[list[str]], str]:
    """The table whose first header cell is ``first_header``, and the text of the paragraph right under it."""
    doc = Document(str(path))
    table = next(t for t in doc.tables if t.rows[0].cells[0].text == first_header)
    body = list(doc.element.body.iterchildren())
    under = body[body.index(table._tbl) + 1]
    return [[c.text for c in row.cells] for row in table.rows], "".join(under.xpath(".//w:t/text()"))


# --- the pack on disk


def test_pack_writes_every_chart_as_png_and_svg_the_report_and_the_data(pack: ReviewResult) -> None:
    assert pack.period == "2023-10" and pack.directory.name == "review-2023-10"
    pngs = sorted(p.name for p in pack.directory.glob("*.png"))
    svgs = sorted(p.name for p in pack.directory.glob("*.svg"))
    assert len(pngs) == len(svgs) == len(CHARTS) == 7
    assert "图1_各镇街支出率与序时进度.png" in pngs and "图7_年底支出预判.svg" in svgs
    assert (pack.report.name, pack.workbook.name) == (REPORT_NAME, WORKBOOK_NAME) == ("研判报告.docx", "数据.xlsx")
    assert all(p.is_file() and p.parent == pack.directory for p in pack.paths)
    assert sorted(p.name for p in pack.directory.iterdir()) == sorted(p.name for p in pack.paths)  # no temp files
    width, _ = struct.unpack(">II", pack.charts[0].read_bytes()[16:24])  # PNG IHDR
    assert width == round(6.1 * DPI)


def test_default_period_follows_the_reporting_deadline(demo_url: str, settings) -> None:  # type: ignore[no-untyped-def]
    early = DEMO_AS_OF.replace(day=3)  # October's reports are due 2023-11-06 (the 5th is a Sunday)
    with open_database(demo_url)() as session:
        assert build_review(session, settings, None, early).period == default_period(session, settings, early) \
            == "2023-09"


# --- the data behind the charts


def test_towns_in_rank_order_with_the_status_figures(review: Review, status: dict[str, Any]) -> None:
    ranked = sorted(status["towns"], key=lambda t: t["rank"])
    assert [t.town for t in review.towns] == [t["town"] for t in ranked]
    for row, want in zip(review.towns, ranked, strict=True):
        assert (row.spend_rate, row.benchmark, row.light, row.red) == (want["spend_rate"], want["benchmark"],
                                                                      want["light"], want["red"])


def test_district_by_month_sums_the_towns(review: Review, status: dict[str, Any], september: dict[str, Any]) -> None:
    assert [m.period for m in review.district] == [f"2023-{m:02d}" for m in range(3, 11)]
    for month, data in ((review.district[-1], status), (review.district[-2], september)):
        allocated, spent, rate = district(data)
        assert (round(month.allocated, 2), round(month.spent, 2), month.spend_rate) == (allocated, spent, rate)
        weighted = sum(t["benchmark"] * t["allocated"] for t in data["towns"] if t["allocated"]) / allocated
        assert month.benchmark == pytest.approx(weighted, abs=1e-4)


def test_trends_categories_points_and_outlook_come_from_the_projects(review: Review, status: dict[str, Any],
                                                                     september: dict[str, Any]) -> None:
    qiaodong = next(t for t in review.trends if t.town == "桥东街道")
    sept = next(p for p in qiaodong.points if p.period == "2023-09")
    want = next(t for t in september["towns"] if t["town"] == "桥东街道")
    assert (sept.spend_rate, sept.submitted) == (want["spend_rate"], False)
    allocated, spent, _ = district(status)
    assert round(sum(c.allocated for c in review.categories), 2) == allocated
    assert round(sum(c.spent for c in review.categories), 2) == spent
    assert sum(c.projects for c in review.categories) == len(status["projects"])
    assert len(review.points) == sum(p["progress"] is not None for p in status["projects"])
    for row in review.outlook:
        assert row.spend_rate is not None and row.projected is not None
        assert row.spend_rate <= row.projected <= 1
    assert [n for o in review.outlook for n in o.at_risk] == [p["project_name"] for p in status["projects"]
                                                              if "year-end-risk" in p["flags"]]


# --- 研判报告.docx


def test_docx_has_every_chart_and_the_title(pack: ReviewResult) -> None:
    doc = Document(str(pack.report))
    assert len(doc.inline_shapes) == len(CHARTS)
    texts = [p.text for p in doc.paragraphs]
    assert texts[0] == "湘桥区驻镇帮镇扶村资金支出月度研判报告"
    assert texts[1] == "（2023年10月）" and texts[2].endswith("2023年11月10日")
    headings = [t for t in texts if t[:2] in {f"{n}、" for n in "一二三四五六七八九"}]
    assert headings == ["一、各镇街支出率与序时进度", "二、全区累计支出进度", "三、各镇街支出率走势", "四、红黄绿灯项目数",
                        "五、问题线索", "六、分类别资金", "七、资金来源进度", "八、形象进度与支出率", "九、年底支出预判"]
    assert [t for t in texts if t.startswith("图")] == [f"图{n}\u3000{s.name}" for n, s in enumerate(CHARTS, 1)]


def test_docx_sentences_carry_the_status_figures(pack: ReviewResult, status: dict[str, Any],
                                                 september: dict[str, Any]) -> None:
    text = docx_text(pack.report)
    ranked = sorted((t for t in status["towns"] if t["rank"]), key=lambda t: t["rank"])
    best, worst = ranked[0], ranked[-1]
    assert f"支出率最高的是{best['town']}（{pct(best['spend_rate'])}）" in text
    assert f"最低的是{worst['town']}（{pct(worst['spend_rate'])}）" in text
    bottom = "、".join(t["town"] for t in ranked if t["bottom_three"])
    assert f"排名后三位的是{bottom}" in text
    allocated, spent, rate = district(status)
    assert f"下达资金{wan(allocated)}，已支出{wan(spent)}，支出率{pct(rate)}" in text
    before = district(september)[2]
    assert f"全区支出率由9月底的{pct(before)}升至10月底的{pct(rate)}" in text
    lights = Counter(p["light"] for p in status["projects"])
    assert f"红灯{lights['red']}个、黄灯{lights['yellow']}个、绿灯{lights['green']}个" in text
    red_change = lights["red"] - Counter(p["light"] for p in september["projects"])["red"]
    assert f"红灯较9月减少{-red_change}个" in text
    flags = Counter(code for p in status["projects"] for code in p["flags"])
    for code, count in flags.items():
        assert f"{FLAG_LABELS[code]}{count}个" in text, code
    red = sorted((p for p in status["projects"] if p["light"] == "red"), key=lambda p: (-p["gap"], p["project_name"]))
    named = "、".join(f"{p['project_name']}（{p['town']}，支出率{pct(p['spend_rate'])}）" for p in red[:8])
    assert f"红灯项目按差距从大到小依次为：{named}等{len(red)}个。" in text
    assert "预计年底无法支出完毕" in text and "全区年底支出率预计为" in text


def rfonts(run) -> Any:  # type: ignore[no-untyped-def]
    rpr = run._element.rPr
    return None if rpr is None else rpr.rFonts


def test_docx_fonts_are_set_for_east_asian_text(pack: ReviewResult) -> None:
    doc = Document(str(pack.report))
    runs = [r for p in doc.paragraphs for r in p.runs if r.text.strip()]
    runs += [r for t in doc.tables for row in t.rows for c in row.cells for p in c.paragraphs for r in p.runs
             if r.text.strip()]
    assert len(runs) > 20
    for run in runs:
        fonts = rfonts(run)
        assert fonts is not None and fonts.get(qn("w:eastAsia")), run.text
        assert not [a for a in THEME_ATTRS if fonts.get(qn(a)) is not None], run.text
    title, heading = doc.paragraphs[0].runs[0], next(p for p in doc.paragraphs if p.text.startswith("一、")).runs[0]
    body = next(p for p in doc.paragraphs if p.text.startswith("截至2023年10月底")).runs[0]
    assert (rfonts(title).get(qn("w:eastAsia")), title.font.size) == ("方正小标宋简体", Pt(22))
    assert (rfonts(heading).get(qn("w:eastAsia")), heading.font.size) == ("黑体", Pt(16))
    assert (rfonts(body).get(qn("w:eastAsia")), body.font.size) == ("仿宋_GB2312", Pt(16))
    normal = doc.styles["Normal"].element.rPr.rFonts
    assert normal.get(qn("w:eastAsia")) == "仿宋_GB2312" and normal.get(qn("w:eastAsiaTheme")) is None


def test_docx_is_a4_with_the_official_margins(pack: ReviewResult) -> None:
    section = Document(str(pack.report)).sections[0]
    margins = section._sectPr.find(qn("w:pgMar"))
    assert [margins.get(qn(f"w:{side}")) for side in ("top", "bottom", "left", "right")] == \
        ["2098", "1984", "1587", "1474"]
    size = section._sectPr.find(qn("w:pgSz"))
    assert (size.get(qn("w:w")), size.get(qn("w:h"))) == ("11906", "16838")


# --- 数据.xlsx


def sheet_rows(path: Path, name: str) -> list[dict[str, Any]]:
    sheet = load_workbook(path)[name]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    return [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]


def test_xlsx_has_one_sheet_per_chart_in_chinese(pack: ReviewResult) -> None:
    assert load_workbook(pack.workbook).sheetnames == SHEETS


def test_xlsx_numbers_equal_the_status(pack: ReviewResult, status: dict[str, Any]) -> None:
    towns = {t["town"]: t for t in status["towns"]}
    rows = sheet_rows(pack.workbook, "支出率与序时进度")
    assert [r["镇街"] for r in rows] == [t["town"] for t in sorted(status["towns"], key=lambda t: t["rank"])]
    for row in rows:
        want = towns[row["镇街"]]
        assert row["下达资金（万元）"] == pytest.approx(want["allocated"] / 10000, abs=1e-9)
        assert row["已支出（万元）"] == pytest.approx(want["spent"] / 10000, abs=1e-9)
        assert (row["支出率"], row["序时进度"], row["排名"]) == (want["spend_rate"], want["benchmark"], want["rank"])
        assert row["低于序时（个百分点）"] == pytest.approx(want["gap"] * 100)
    lights = {r["镇街"]: (r["红灯"], r["黄灯"], r["绿灯"]) for r in sheet_rows(pack.workbook, "红黄绿灯")}
    assert lights == {t["town"]: (t["red"], t["yellow"], t["green"]) for t in status["towns"] if t["projects"]}
    allocated, spent, rate = district(status)
    last = sheet_rows(pack.workbook, "全区累计进度")[-1]
    assert (last["月份"], last["支出率"]) == ("2023-10", rate)
    assert last["下达资金（万元）"] == pytest.approx(allocated / 10000, abs=1e-9)
    categories = sheet_rows(pack.workbook, "分类别资金")
    assert sum(r["已支出（万元）"] for r in categories) == pytest.approx(spent / 10000, abs=1e-6)
    flags = sheet_rows(pack.workbook, "问题线索")
    assert len(flags) == sum(len(p["flags"]) for p in status["projects"])


def test_money_sources_add_up_to_the_district_and_are_told(pack: ReviewResult, status: dict[str, Any]) -> None:
    """资金来源进度: every 口径's rows sum to the district's totals to the 分; the section says 当年 and 结转."""
    allocated, spent, rate = district(status)
    rows = sheet_rows(pack.workbook, "资金来源进度")
    assert {r["口径"] for r in rows} == {"资金年度", "资金批次", "资金层级"}
    fen = lambda wan: round(Decimal(str(wan)) * 1_000_000)  # noqa: E731 - 万元 with six decimals → 分
    for dimension in ("资金年度", "资金批次", "资金层级"):
        mine = [r for r in rows if r["口径"] == dimension]
        parts = [r for r in mine if r["类别"] not in ("合计", "结转资金小计")]
        assert mine[-1]["类别"] == "合计" and mine[-1]["支出率"] == rate
        for column, want in (("下达资金（万元）", allocated), ("已支出（万元）", spent)):
            assert sum(fen(r[column]) for r in parts) == fen(mine[-1][column]) == round(Decimal(str(want)) * 100)
    years = [(r["类别"], r["类型"]) for r in rows if r["口径"] == "资金年度"]
    assert years == [("2021年（结转）", "结转"), ("2022年（结转）", "结转"), ("2023年（当年）", "当年"),
                     ("结转资金小计", "结转"), ("合计", "")]
    printed, note = table_and_note(pack.report, "口径")
    assert note == "注：金额按万元四舍五入保留两位小数，各口径分项之和与合计可能略有出入。"
    exact = {(r["口径"], r["类别"]): r for r in rows}
    exact[("合计", "")] = mine[-1]
    for row in printed[1:]:  # each amount is its own exact amount rounded half up, never adjusted to add up
        want = exact[(row[0], row[1])]
        assert row[2:4] == [f"{Decimal(str(want[c])).quantize(Decimal('0.01'), ROUND_HALF_UP):,}"
                            for c in ("下达资金（万元）", "已支出（万元）")], row
    text = docx_text(pack.report)
    assert "当年（2023年）资金下达8,002.00万元，已支出5,316.56万元，支出率66.4%" in text
    assert "以前年度（2021、2022年）结转资金410.00万元，已支出302.06万元" in text
    assert "项目库未注明资金批次、层级" in text  # the sample data has no register


def test_xlsx_formats_wan_two_decimals_and_rates_as_percent(pack: ReviewResult) -> None:
    sheet = load_workbook(pack.workbook)["支出率与序时进度"]
    header = [c.value for c in sheet[2]]
    first = sheet[3]
    assert first[header.index("下达资金（万元）")].number_format == "#,##0.00"
    assert first[header.index("支出率")].number_format == "0.0%"
    assert first[header.index("灯色")].fill.fgColor.rgb.endswith(("C6EFCE", "FFEB9C", "FFC7CE"))
    assert sheet["A1"].value == "各镇街支出率与序时进度（截至2023年10月底）"


# --- the command


def group() -> GuardedGroup:
    """The review command under the CLI's error edge, without touching the real command group."""
    return GuardedGroup(commands={"review": review_command})


def test_cli_review_writes_the_pack(demo_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("reports.review_pack.PNG_DPI", DPI)
    # settings from defaults (towns learned from the data), as a bureau without a fundmon.toml would run it
    result = CliRunner().invoke(group(), ["review", "--period", "2023-09", "--out", str(tmp_path),
                                          "--as-of", "2023-11-10"], obj=App(db=demo_url))
    assert result.exit_code == 0, result.output
    assert "Review 2023-09: 7 charts" in result.output
    assert (tmp_path / "review-2023-09" / "研判报告.docx").is_file()


def test_cli_review_without_data_is_a_one_line_error(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    open_database(url)  # a database, migrated, with nothing loaded yet
    result = CliRunner().invoke(group(), ["review", "--out", str(tmp_path)], obj=App(db=url))
    assert result.exit_code == 2
    assert "no data yet" in result.output


def test_cli_review_help_ends_with_an_example() -> None:
    result = CliRunner().invoke(review_command, ["--help"])
    assert result.exit_code == 0 and "Example: fundmon review" in result.output
    assert (review_command.help or "").strip().splitlines()[-1].strip().startswith("Example: fundmon review")
