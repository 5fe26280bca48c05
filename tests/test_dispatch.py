"""The weekly dispatch pack: the workbook and the 通报 read back, snapshots and 本周变化, reruns, atomic writes."""

from __future__ import annotations

import math
import re
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import docx
import openpyxl
import pytest
from click.testing import CliRunner
from docx.oxml.ns import qn
from sqlalchemy import func, select

from etl.pipeline import IngestOptions, ingest_paths
from monitor.cli.common import App
from monitor.cli.dispatch import dispatch
from monitor.db import open_database
from monitor.schema import DispatchSnapshot
from monitor.settings import load_settings
from monitor.snapshots import compare_snapshots, make_snapshot
from monitor.status import build_status
from reports.dispatch import DISPATCH_DOCX, DISPATCH_XLSX, run_dispatch
from reports.dispatch_xlsx import LETTERS_NOTE, SHEETS
from reports.palette import LIGHT_COLOURS
from reports.xlsx_style import text_width
from tests.helpers import LX_ROWS, project, town_workbook

SETTINGS = load_settings(None, {"towns.expected": ["磷溪镇", "官塘镇", "铁铺镇"]})
FORMULA_NAME = '=HYPERLINK("http://x","y")'
W45, W46 = date(2023, 11, 10), date(2023, 11, 17)
TITLE = "湘桥区驻镇帮镇扶村资金支出调度表（2023年第45周）"
HEADER_ROW = 4  # title, info line, note line, then the table header (Excel numbering)


def ingest(factory: Any, path: Path, received: datetime) -> None:
    report = ingest_paths(factory, [path], SETTINGS, IngestOptions(received_at=received))
    assert all(r.outcome.outcome == "accepted" for r in report.results), report.results


@pytest.fixture
def loaded(db_url: str, tmp_path: Path):  # type: ignore[no-untyped-def]
    """磷溪镇 September and October (on time), 官塘镇 October (late, a formula-looking name), 铁铺镇 nothing."""
    factory = open_database(db_url)
    ingest(factory, town_workbook(tmp_path / "lx9.xlsx", "磷溪镇", "2023-09", LX_ROWS), datetime(2023, 10, 4, 9))
    ingest(factory, town_workbook(tmp_path / "lx10.xlsx", "磷溪镇", "2023-10", LX_ROWS), datetime(2023, 11, 2, 10))
    ingest(factory, town_workbook(tmp_path / "gt10.xlsx", "官塘镇", "2023-10",
                                  [project("XQ-GT-1", "奕湖村污水治理", 300, 270, village="奕湖", year=2022),
                                   project("XQ-GT-2", FORMULA_NAME, 100, 80, village="宫头"),
                                   project("XQ-GT-3", "+86 热线站", 50, 40, village="-宫头"),
                                   project("XQ-GT-4", "@苏三村光伏", 60, 55)]), datetime(2023, 11, 8, 15))
    return factory


def status_at(factory: Any, day: date) -> dict[str, Any]:
    with factory() as s:
        return build_status(s, SETTINGS, None, day)


def wan(yuan: float) -> float:
    return float(Decimal(str(yuan)) / 10000)


def rows_of(ws: Any, first: int = HEADER_ROW + 1) -> list[tuple[Any, ...]]:
    return [r for r in ws.iter_rows(min_row=first, values_only=True) if any(v is not None for v in r)]


def header_index(ws: Any, row: int = HEADER_ROW) -> dict[str, int]:
    return {c.value: c.column for c in ws[row] if c.value}


def sheet_values(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    wb = openpyxl.load_workbook(path)
    return {ws.title: list(ws.iter_rows(values_only=True)) for ws in wb.worksheets}


# ── the pack ────────────────────────────────────────────────────────────────────────────────────────


def test_pack_folder_holds_exactly_the_two_files(loaded, tmp_path: Path) -> None:
    result = run_dispatch(loaded, SETTINGS, W45, tmp_path / "out")
    assert result.folder == tmp_path / "out" / "dispatch-2023-W45"
    assert sorted(p.name for p in result.folder.iterdir()) == sorted([DISPATCH_XLSX, DISPATCH_DOCX])
    assert result.week == "2023-W45" and result.period == "2023-10" and result.previous_week is None


def test_iso_week_names_the_folder_across_the_year_end(loaded, tmp_path: Path) -> None:
    result = run_dispatch(loaded, SETTINGS, date(2024, 12, 30), tmp_path)
    assert result.folder.name == "dispatch-2025-W01"


def test_workbook_sheets_titles_and_overview(loaded, tmp_path: Path) -> None:
    result = run_dispatch(loaded, SETTINGS, W45, tmp_path)
    wb = openpyxl.load_workbook(result.paths[0])
    assert wb.sheetnames == list(SHEETS) == ["调度总览", "红黄灯项目", "全部项目", "问题线索", "报送情况", "函件跟踪",
                                             "本周变化", "资金来源进度"]
    ws = wb["调度总览"]
    assert ws["A1"].value == TITLE
    assert "截至2023年10月31日" in ws["A2"].value and "单位：万元" in ws["A2"].value
    assert "序时进度按月计算" in ws["A3"].value and "30个百分点" in ws["A3"].value
    cols = header_index(ws)
    assert list(cols)[:9] == ["排名", "镇街", "项目数", "下达资金", "已支出", "支出率", "序时进度", "偏差（个百分点）",
                              "灯色"]
    towns = {t["town"]: t for t in status_at(loaded, W45)["towns"]}
    rows = rows_of(ws)
    assert [r[1] for r in rows] == ["官塘镇", "磷溪镇", "铁铺镇", "全区合计"]  # by rank, unranked last, then total
    for row in rows[:3]:
        t = towns[row[1]]
        assert row[0] == t["rank"] and row[2] == t["projects"]
        assert row[3] == wan(t["allocated"]) and row[4] == wan(t["spent"])
        assert row[5] == t["spend_rate"] and row[6] == t["benchmark"]
    lx = next(r for r in rows if r[1] == "磷溪镇")
    assert lx[3] == 607.0 and lx[4] == 167.5 and lx[8] == "红灯"
    assert lx[7] == pytest.approx(float(Decimal(str(towns["磷溪镇"]["gap"])) * 100))
    assert next(r for r in rows if r[1] == "铁铺镇")[13] == "未报送"
    total = rows[-1]
    assert total[3] == pytest.approx(607.0 + 510.0) and total[4] == pytest.approx(167.5 + 445.0)
    r = HEADER_ROW + 1
    assert ws.cell(r, cols["下达资金"]).number_format == "#,##0.00"
    assert ws.cell(r, cols["支出率"]).number_format == "0.0%"
    assert ws.cell(r, cols["偏差（个百分点）"]).number_format == "0.0"
    red_row = HEADER_ROW + 1 + [x[1] for x in rows].index("磷溪镇")
    assert ws.cell(red_row, cols["灯色"]).fill.fgColor.rgb[-6:] == LIGHT_COLOURS["red"]


def test_red_rows_are_filled_in_all_projects(loaded, tmp_path: Path) -> None:
    ws = openpyxl.load_workbook(run_dispatch(loaded, SETTINGS, W45, tmp_path).paths[0])["全部项目"]
    cols = header_index(ws)
    seen = set()
    for row in ws.iter_rows(min_row=HEADER_ROW + 1):
        light = row[cols["灯色"] - 1].value
        if light is None:
            continue
        seen.add(light)
        fills = {cell.fill.fgColor.rgb[-6:] for cell in row[: len(cols)]}
        want = {"红灯": "red", "黄灯": "yellow", "绿灯": "green"}[light]
        assert fills == {LIGHT_COLOURS[want]}, (light, fills)
    assert {"红灯", "绿灯"} <= seen


def test_every_sheet_prints_a4_landscape_one_page_wide(loaded, tmp_path: Path) -> None:
    wb = openpyxl.load_workbook(run_dispatch(loaded, SETTINGS, W45, tmp_path).paths[0])
    for ws in wb.worksheets:
        assert ws.page_setup.orientation == "landscape", ws.title
        assert int(ws.page_setup.paperSize) == 9
        assert ws.sheet_properties.pageSetUpPr.fitToPage is True
        assert ws.page_setup.fitToWidth in (None, 1) and ws.page_setup.fitToHeight == 0  # 1 is the default
        assert ws.oddFooter.center.text == "第 &P 页，共 &N 页"
        assert ws.oddHeader.left.text == "湘桥区农业农村局" and ws.oddHeader.center.text == "&A"
        assert ws.freeze_panes is not None
    for name in ("调度总览", "红黄灯项目", "全部项目", "问题线索", "报送情况"):
        ws = wb[name]
        assert ws.print_title_rows == f"${HEADER_ROW}:${HEADER_ROW}", name
        assert ws.auto_filter.ref is not None and ws.auto_filter.ref.startswith(f"A{HEADER_ROW}:"), name
    assert wb["调度总览"].freeze_panes == f"C{HEADER_ROW + 1}"
    assert wb["全部项目"].freeze_panes == f"A{HEADER_ROW + 1}"


def test_column_widths_count_chinese_characters_as_two(loaded, tmp_path: Path) -> None:
    ws = openpyxl.load_workbook(run_dispatch(loaded, SETTINGS, W45, tmp_path).paths[0])["全部项目"]
    cols = header_index(ws)
    letter = openpyxl.utils.get_column_letter(cols["项目名称"])
    assert ws.column_dimensions[letter].width >= text_width("仙田村道路硬底化") + 2
    town = openpyxl.utils.get_column_letter(cols["镇街"])
    assert ws.column_dimensions[town].width >= text_width("磷溪镇") + 2


def test_town_text_that_looks_like_a_formula_stays_text(loaded, tmp_path: Path) -> None:
    path = run_dispatch(loaded, SETTINGS, W45, tmp_path).paths[0]
    wb = openpyxl.load_workbook(path)
    for sheet in ("全部项目", "红黄灯项目", "问题线索"):
        cells = [c for row in wb[sheet].iter_rows() for c in row if isinstance(c.value, str)]
        texts = {c.value for c in cells}
        if sheet == "全部项目":
            assert {FORMULA_NAME, "+86 热线站", "@苏三村光伏", "-宫头"} <= texts
        assert all(c.data_type == "s" for c in cells if c.value[:1] in "=+-@"), sheet
    import zipfile

    with zipfile.ZipFile(path) as archive:
        xml = "".join(archive.read(n).decode("utf-8") for n in archive.namelist() if n.startswith("xl/worksheets/"))
    assert "<f>" not in xml and "<f " not in xml  # no formula anywhere in the workbook


def test_flags_reporting_and_letters_sheets(loaded, tmp_path: Path) -> None:
    wb = openpyxl.load_workbook(run_dispatch(loaded, SETTINGS, W45, tmp_path).paths[0])
    flags = rows_of(wb["问题线索"])
    labelled = {(r[1], r[4]) for r in flags}
    assert ("支出为零", "仙田村道路硬底化") in labelled and ("结转资金", "奕湖村污水治理") in labelled
    assert ("未报送", "（全镇）") in labelled  # 铁铺镇 sent nothing
    assert all(r[6] for r in flags if r[1] != "未报送")  # every flag explained
    report = {r[1]: r for r in rows_of(wb["报送情况"])}
    assert report["磷溪镇"][2] == "按时报送" and report["磷溪镇"][3] == datetime(2023, 11, 2, 10)
    assert report["官塘镇"][2] == "逾期报送" and report["铁铺镇"][2] == "未报送"
    cols = header_index(wb["报送情况"])
    assert report["磷溪镇"][cols["应报月数"] - 1] == 2 and report["磷溪镇"][cols["按时"] - 1] == 2
    assert report["铁铺镇"][cols["未报"] - 1] == 2
    missing_row = HEADER_ROW + 1 + list(report).index("铁铺镇")
    assert wb["报送情况"].cell(missing_row, 3).fill.fgColor.rgb[-6:] == LIGHT_COLOURS["red"]
    letters = wb["函件跟踪"]
    assert letters.cell(HEADER_ROW, 2).value == "文号"
    assert letters.cell(HEADER_ROW + 1, 1).value == LETTERS_NOTE  # no letters registered yet


# ── the 通报 ────────────────────────────────────────────────────────────────────────────────────────


def _runs(document: Any) -> list[Any]:
    runs = [r for p in document.paragraphs for r in p.runs]
    runs += [r for t in document.tables for row in t.rows for cell in row.cells for p in cell.paragraphs
             for r in p.runs]
    return runs + [r for s in document.sections for p in s.footer.paragraphs for r in p.runs]


def test_brief_headline_equals_the_status_figures(loaded, tmp_path: Path) -> None:
    document = docx.Document(str(run_dispatch(loaded, SETTINGS, W45, tmp_path).paths[1]))
    texts = [p.text for p in document.paragraphs]
    assert texts[0].replace("\n", "") == "驻镇帮镇扶村资金支出调度通报（2023年第45周）"
    assert texts[1] == "湘桥区农业农村局　　2023年11月10日"
    towns = status_at(loaded, W45)["towns"]
    allocated = sum(Decimal(str(t["allocated"])) for t in towns) / 10000
    spent = sum(Decimal(str(t["spent"])) for t in towns) / 10000
    headline = next(t for t in texts if t.startswith("截至"))
    match = re.match(r"截至2023年10月31日，全区驻镇帮镇扶村资金下达([\d,.]+)万元，已支出([\d,.]+)万元，"
                     r"支出率([\d.]+)%，(低于|高于)序时进度([\d.]+)个百分点", headline)
    assert match, headline
    assert Decimal(match[1].replace(",", "")) == allocated.quantize(Decimal("0.01"))
    assert Decimal(match[2].replace(",", "")) == spent.quantize(Decimal("0.01"))
    assert Decimal(match[3]) == (spent / allocated * 100).quantize(Decimal("0.1"))
    assert match[4] == "低于"
    assert "红灯" in headline or "黄灯" in headline
    assert any("铁铺镇未报送" in t for t in texts)
    assert any(t.startswith("1. 催报。请铁铺镇立即报送2023年10月报表") for t in texts)


def test_brief_ranks_towns_and_lists_the_reds(loaded, tmp_path: Path) -> None:
    document = docx.Document(str(run_dispatch(loaded, SETTINGS, W45, tmp_path).paths[1]))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "1.官塘镇" in text and "2.磷溪镇" in text and "支出进度最快的是官塘镇" in text
    reds = {p["project_name"] for p in status_at(loaded, W45)["projects"] if p["light"] == "red"}
    table = document.tables[0]
    assert [c.text for c in table.rows[0].cells] == ["序号", "镇街", "项目名称", "支出率", "落后（个百分点）", "主要问题"]
    listed = {row.cells[2].text: row for row in table.rows[1:]}
    assert set(listed) == reds
    assert listed["仙田村道路硬底化"].cells[5].text == "支出为零"
    assert listed["溪口市场升级改造"].cells[4].text == "52.3"
    assert listed["溪口市场升级改造"].cells[3].text == "31.1%"
    assert "本期问题线索共4条：支出为零1条、已请款未拨付1条、结转资金1条、未报送1条。" in text
    for heading in ("一、总体情况", "二、各镇（街道）支出进度排名", "三、红灯项目", "四、问题线索", "五、本周变化",
                    "六、下一步工作"):
        assert heading in text


def test_brief_fonts_and_margins(loaded, tmp_path: Path) -> None:
    document = docx.Document(str(run_dispatch(loaded, SETTINGS, W45, tmp_path).paths[1]))
    for run in _runs(document):
        fonts = run._r.rPr.find(qn("w:rFonts"))
        assert fonts is not None and fonts.get(qn("w:eastAsia")), run.text
        assert not any(k.endswith("Theme") for k in fonts.attrib), run.text
    def east_asian(paragraph: Any) -> tuple[str, float]:
        run = paragraph.runs[0]
        return run._r.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia")), run.font.size.pt

    paragraphs = document.paragraphs
    assert east_asian(paragraphs[0]) == ("方正小标宋简体", 22)
    assert east_asian(next(p for p in paragraphs if p.text == "一、总体情况")) == ("黑体", 16)
    assert east_asian(next(p for p in paragraphs if p.text.startswith("截至"))) == ("仿宋_GB2312", 16)
    section = document.sections[0]
    assert round(section.page_width.mm) == 210 and round(section.page_height.mm) == 297
    margins = section._sectPr.find(qn("w:pgMar"))
    assert [int(margins.get(qn(f"w:{side}"))) for side in ("top", "bottom", "left", "right")] == [2098, 1984,
                                                                                                    1587, 1474]


# ── snapshots and 本周变化 ──────────────────────────────────────────────────────────────────────────


def _correct_market(factory: Any, tmp_path: Path, received: datetime = datetime(2023, 11, 14, 9)) -> None:
    """A corrected October file for 磷溪镇: the market's spending was 380万, not 130.5万."""
    corrected = [project("XQ2023-LX-001", "溪口市场升级改造", 420, 380, requested=400, disbursed=380,
                         progress="90%"), *LX_ROWS[1:]]
    ingest(factory, town_workbook(tmp_path / "lx10-更正.xlsx", "磷溪镇", "2023-10", corrected),
           received)


def test_changes_compare_with_the_previous_dispatch_not_recomputed_data(loaded, tmp_path: Path) -> None:
    first = run_dispatch(loaded, SETTINGS, W45, tmp_path)
    first_sheet = sheet_values(first.paths[0])["本周变化"]
    assert any("首次调度" in str(v) for row in first_sheet for v in row)
    _correct_market(loaded, tmp_path)
    second = run_dispatch(loaded, SETTINGS, W46, tmp_path)
    assert second.previous_week == "2023-W45"
    ws = openpyxl.load_workbook(second.paths[0])["本周变化"]
    rows = list(ws.iter_rows(values_only=True))
    assert "新增红灯0个" in rows[2][0] and "全区新增支出249.50万元" in rows[2][0] and "新收报送1份" in rows[2][0]
    town = next(r for r in rows if r[2] == "磷溪镇")
    assert town[5:7] == ("红灯", "黄灯") and town[9] == pytest.approx(249.5)
    assert town[1] == "灯色好转、新增支出"
    market = next(r for r in rows if r[4] == "溪口市场升级改造")
    assert "灯色好转" in market[1] and "新增支出" in market[1]
    assert market[5:10] == ("红灯", "绿灯", 130.5, 380, 249.5)
    arrived = next(r for r in rows if r[4] == "lx10-更正.xlsx")
    # received after the deadline, but 磷溪镇 reported October on time: a correction, not 逾期
    assert arrived[1:4] == ("2023年10月", "磷溪镇", datetime(2023, 11, 14, 9)) and arrived[5:7] == ("更正", "有效")
    assert "其中更正1份" in rows[2][0]
    brief = "\n".join(p.text for p in docx.Document(str(second.paths[1])).paragraphs)
    assert "与上次调度（2023年第45周）相比，全区新增支出249.50万元" in brief and "灯色好转1个" in brief
    assert "新收报送1份（磷溪镇2023年10月（更正））" in brief
    report = {r[1]: r for r in rows_of(openpyxl.load_workbook(second.paths[0])["报送情况"])}
    assert report["磷溪镇"][2] == "按时报送" and report["磷溪镇"][4] == 2  # two versions, judged by the first


def test_a_new_red_is_listed(loaded, tmp_path: Path) -> None:
    run_dispatch(loaded, SETTINGS, W45, tmp_path)
    rows = [project("XQ2023-LX-001", "溪口市场升级改造", 420, 130.5), LX_ROWS[1],
            project(None, "北堤村太阳能路灯", 37, 37, village="北堤", category="基础设施", status="已验收"),
            project("XQ-LX-NEW", "溪口二村电商站", 80, 0, status="前期")]
    ingest(loaded, town_workbook(tmp_path / "lx10b.xlsx", "磷溪镇", "2023-10", rows), datetime(2023, 11, 15))
    second = run_dispatch(loaded, SETTINGS, W46, tmp_path)
    ws = openpyxl.load_workbook(second.paths[0])["本周变化"]
    new = next(r for r in ws.iter_rows() if r[4].value == "溪口二村电商站")
    assert new[1].value == "新列入、新增红灯" and new[6].value == "红灯"
    assert {c.fill.fgColor.rgb[-6:] for c in new[:13]} == {LIGHT_COLOURS["red"]}
    brief = "\n".join(p.text for p in docx.Document(str(second.paths[1])).paragraphs)
    assert "新增红灯1个（磷溪镇溪口二村电商站）" in brief


def test_rerunning_a_week_rewrites_the_same_pack_and_replaces_its_snapshot(loaded, tmp_path: Path) -> None:
    run_dispatch(loaded, SETTINGS, W45, tmp_path)
    _correct_market(loaded, tmp_path)
    once = run_dispatch(loaded, SETTINGS, W46, tmp_path)
    before = sheet_values(once.paths[0])
    brief = [p.text for p in docx.Document(str(once.paths[1])).paragraphs]
    again = run_dispatch(loaded, SETTINGS, date(2023, 11, 17), tmp_path)
    assert again.paths == once.paths
    assert sheet_values(again.paths[0]) == before
    assert [p.text for p in docx.Document(str(again.paths[1])).paragraphs] == brief
    with loaded() as s:
        assert s.scalar(select(func.count()).select_from(DispatchSnapshot)) == 2
        w46 = s.scalar(select(DispatchSnapshot).where(DispatchSnapshot.week == "2023-W46"))
        assert w46 is not None and w46.period == "2023-10" and w46.day == date(2023, 11, 17)
        market = next(p for p in w46.content["projects"] if p["name"] == "溪口市场升级改造")
        assert market["spent"] == 380_000_000 and market["light"] == "green"  # integer 分


def test_rerun_of_a_week_after_a_correction_stores_the_new_figures(loaded, tmp_path: Path) -> None:
    run_dispatch(loaded, SETTINGS, W45, tmp_path)
    _correct_market(loaded, tmp_path, received=datetime.combine(W45, datetime.min.time()))  # came that day
    run_dispatch(loaded, SETTINGS, W45, tmp_path)
    with loaded() as s:
        rows = list(s.scalars(select(DispatchSnapshot)))
    assert [r.week for r in rows] == ["2023-W45"]
    market = next(p for p in rows[0].content["projects"] if p["name"] == "溪口市场升级改造")
    assert market["spent"] == 380_000_000


def test_a_crash_while_writing_leaves_the_old_files_and_snapshot(loaded, tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    import reports.dispatch_docx

    first = run_dispatch(loaded, SETTINGS, W45, tmp_path)
    old = {p.name: p.read_bytes() for p in first.paths}
    _correct_market(loaded, tmp_path)

    def crash(_dispatch: Any, path: Path) -> Path:
        path.write_bytes(b"half a document")
        raise OSError("disk full")

    monkeypatch.setattr(reports.dispatch_docx, "write_dispatch_docx", crash)
    with pytest.raises(OSError, match="disk full"):
        run_dispatch(loaded, SETTINGS, W45, tmp_path)
    assert sorted(p.name for p in first.folder.iterdir()) == sorted(old)  # no temporary file left behind
    assert first.paths[1].read_bytes() == old[DISPATCH_DOCX]
    with loaded() as s:
        snap = s.scalar(select(DispatchSnapshot))
        market = next(p for p in snap.content["projects"] if p["name"] == "溪口市场升级改造")
    assert market["spent"] == 130_500_000  # the failed run stored nothing


def test_compare_snapshots_new_dropped_and_flags() -> None:
    def status(projects: list[dict[str, Any]]) -> dict[str, Any]:
        return {"period": "2023-10", "as_of": "2023-11-10", "towns": [], "projects": projects}

    def p(pid: int, light: str, spent: float, flags: list[str]) -> dict[str, Any]:
        return {"project_id": pid, "project_code": None, "project_name": f"P{pid}", "town": "T", "light": light,
                "allocated": 100.0, "spent": spent, "spend_rate": spent / 100, "flags": flags}

    old = DispatchSnapshot(week="2023-W44", day=date(2023, 11, 3), period="2023-09",
                           content=make_snapshot(status([p(1, "yellow", 50, ["stalled"]), p(2, "green", 90, [])]),
                                                 []))
    new = make_snapshot(status([p(1, "yellow", 50, ["stalled", "year-end-risk"]), p(3, "green", 10.01, [])]),
                        [{"id": 7, "town": "T", "period": "2023-10", "file_name": "a.xlsx", "received_at": None,
                          "status": "accepted", "timeliness": "unknown", "rows_rejected": 0}])
    changes = compare_snapshots(old, new)
    kinds = {c.name: c.kinds for c in changes.projects}
    assert kinds == {"P1": ("flags-added",), "P2": ("dropped",), "P3": ("new",)}
    added = {c.name: c.added for c in changes.projects}
    assert added == {"P1": 0, "P2": None, "P3": 1001}
    assert [s["id"] for s in changes.new_submissions] == [7]


# ── QA fixes: as-of, 主要问题, corrections, dates, order, rejected files, one writer, wording ──────────────


def _all_text(path: Path) -> str:
    cells = [str(v) for rows in sheet_values(path).values() for row in rows for v in row if v is not None]
    return "\n".join(cells)


def _brief_text(path: Path) -> str:
    document = docx.Document(str(path))
    return "\n".join([p.text for p in document.paragraphs]
                     + [c.text for t in document.tables for row in t.rows for c in row.cells])


def test_a_dispatch_sees_only_files_received_by_its_day(db_url: str, tmp_path: Path) -> None:
    """Dated 2023-10-09, the pack shows September as first sent; the correction of 2023-10-10 did not exist."""
    factory = open_database(db_url)
    ingest(factory, town_workbook(tmp_path / "lx9.xlsx", "磷溪镇", "2023-09", LX_ROWS), datetime(2023, 10, 4, 9))
    corrected = [project("XQ2023-LX-001", "溪口市场升级改造", 420, 380), *LX_ROWS[1:]]
    ingest(factory, town_workbook(tmp_path / "lx9-更正.xlsx", "磷溪镇", "2023-09", corrected),
           datetime(2023, 10, 10, 8))
    before = run_dispatch(factory, SETTINGS, date(2023, 10, 1), tmp_path)  # before any file arrived
    assert before.period is None
    assert "暂无报送数据" in _all_text(before.paths[0]) and "暂无数据" in _brief_text(before.paths[1])
    result = run_dispatch(factory, SETTINGS, date(2023, 10, 9), tmp_path)
    assert result.period == "2023-09" and result.previous_week == "2023-W39"
    wb = openpyxl.load_workbook(result.paths[0])
    market = next(r for r in rows_of(wb["全部项目"]) if r[4] == "溪口市场升级改造")
    assert market[10] == 130.5  # the first version's figure, not the correction's 380
    report = {r[1]: r for r in rows_of(wb["报送情况"])}
    cols = header_index(wb["报送情况"])
    lx = report["磷溪镇"]
    assert lx[cols["本期状态"] - 1] == "按时报送" and lx[cols["报送份数"] - 1] == 1
    assert lx[cols["首次报送时间"] - 1] == datetime(2023, 10, 4, 9)
    assert lx[cols["最近报送文件"] - 1] == "lx9.xlsx" and lx[cols["应报月数"] - 1] == 1
    arrived = [r for r in sheet_values(result.paths[0])["本周变化"] if r[4] in ("lx9.xlsx", "lx9-更正.xlsx")]
    assert [r[4] for r in arrived] == ["lx9.xlsx"] and arrived[0][5:7] == ("按时", "有效")
    assert "lx9-更正.xlsx" not in _all_text(result.paths[0])
    brief = _brief_text(result.paths[1])
    assert "各镇（街道）" in brief and "磷溪镇" in brief and "更正" not in brief
    with factory() as s:
        snap = s.scalar(select(DispatchSnapshot).where(DispatchSnapshot.week == "2023-W41"))
        assert [x["file_name"] for x in snap.content["submissions"]] == ["lx9.xlsx"]
        assert snap.content["submissions"][0]["status"] == "accepted"  # in force on that day


def test_main_problems_are_the_same_in_the_workbook_and_the_brief(loaded, tmp_path: Path) -> None:
    from reports.dispatch_text import main_problems

    result = run_dispatch(loaded, SETTINGS, W45, tmp_path)
    sheet = {r[5]: r[13] for r in rows_of(openpyxl.load_workbook(result.paths[0])["红黄灯项目"])}
    table = docx.Document(str(result.paths[1])).tables[0]
    brief = {row.cells[2].text: row.cells[5].text for row in table.rows[1:]}
    assert brief and all(sheet[name] == reason for name, reason in brief.items())
    assert brief["仙田村道路硬底化"] == "支出为零"
    # seriousness order whatever order the flags come in; every label Chinese, carryover-2y included
    assert main_problems({"flags": ["carryover-2y", "carryover", "zero-spend"], "light": "red", "gap": 0.9}) \
        == "支出为零、结转资金、结转资金面临收回"
    assert main_problems({"flags": [], "light": "red", "gap": 0.5226}) == "支出进度滞后（低于序时进度52.3个百分点）"
    assert main_problems({"flags": [], "light": "green", "gap": 0.05}) == ""


def test_dates_and_months_are_written_for_the_clerk(loaded, tmp_path: Path) -> None:
    from reports.dispatch_text import DATETIME_FORMAT

    run_dispatch(loaded, SETTINGS, W45, tmp_path)
    _correct_market(loaded, tmp_path)
    wb = openpyxl.load_workbook(run_dispatch(loaded, SETTINGS, W46, tmp_path).paths[0])
    ws = wb["报送情况"]
    cols = header_index(ws)
    for name in ("首次报送时间", "最近报送时间"):
        cell = ws.cell(HEADER_ROW + 1, cols[name])
        assert isinstance(cell.value, datetime) and cell.number_format == DATETIME_FORMAT, name
    assert {r[cols["最近报送月份"] - 1] for r in rows_of(ws)} <= {"2023年10月", None}
    assert {r[-1] for r in rows_of(wb["全部项目"])} == {"2023年10月"}  # 数据月份
    changes = wb["本周变化"]
    arrived = next(r for r in changes.iter_rows() if r[4].value == "lx10-更正.xlsx")
    assert arrived[1].value == "2023年10月" and arrived[3].number_format == DATETIME_FORMAT
    flags = wb["问题线索"]
    assert "代码" not in header_index(flags)
    codes = {"zero-spend", "carryover", "missing-report", "awaiting-transfer"}
    assert not codes & {str(v) for row in flags.iter_rows(values_only=True) for v in row}


def test_changes_list_towns_in_rank_order_and_size_their_own_columns(loaded, tmp_path: Path) -> None:
    run_dispatch(loaded, SETTINGS, W45, tmp_path)
    _correct_market(loaded, tmp_path)
    ws = openpyxl.load_workbook(run_dispatch(loaded, SETTINGS, W46, tmp_path).paths[0])["本周变化"]
    rows = list(ws.iter_rows(values_only=True))
    head = next(n for n, r in enumerate(rows) if r[0] == "一、各镇街变化") + 1
    assert rows[head][3] == "本次排名"
    towns = [r for r in rows[head + 1:head + 4]]
    assert [(r[2], r[3]) for r in towns] == [("官塘镇", 1), ("磷溪镇", 2), ("铁铺镇", None)]  # unranked last
    width = {c: ws.column_dimensions[openpyxl.utils.get_column_letter(c + 1)].width for c in range(13)}
    project_head = next(r for r in rows if r[0] == "序号" and r[4] == "项目名称")
    assert project_head[3] == "项目编号"
    assert width[4] >= text_width("溪口市场升级改造") + 2  # the project names fit …
    assert width[3] <= 25 and width[5] < 10  # … and the rank and light columns are not stretched to them


def test_a_town_whose_only_file_was_rejected_is_listed_as_not_reported(db_url: str, tmp_path: Path) -> None:
    factory = open_database(db_url)
    bad = town_workbook(tmp_path / "gt10.xlsx", "官塘镇", "2023-10",
                        [project("GT-1", "奕湖村污水治理", "abc", "x"), project("GT-2", "宫头村道路", "无效", "y")])
    report = ingest_paths(factory, [bad], SETTINGS, IngestOptions(received_at=datetime(2023, 11, 3, 9)))
    assert [r.outcome.outcome for r in report.results] == ["rejected"]
    alone = run_dispatch(factory, SETTINGS, W45, tmp_path / "alone")
    wb = openpyxl.load_workbook(alone.paths[0])
    ws = wb["报送情况"]
    cols = header_index(ws)
    gt = {r[1]: r for r in rows_of(ws)}["官塘镇"]
    assert gt[cols["本期状态"] - 1] == "未报送" and gt[cols["退回文件"] - 1] == 1 and gt[cols["未报"] - 1] == 1
    assert "暂无报送数据" not in _all_text(alone.paths[0]).split("报送情况", 1)[-1]
    brief = _brief_text(alone.paths[1])
    assert "暂无数据" in brief and "官塘镇（1份）报送的2023年10月报表未能导入，已退回，视为未报送" in brief
    # beside a town with data, the 通报 says why it counts as not reported and asks for a new file
    ingest(factory, town_workbook(tmp_path / "lx10.xlsx", "磷溪镇", "2023-10", LX_ROWS), datetime(2023, 11, 2, 10))
    mixed = _brief_text(run_dispatch(factory, SETTINGS, W45, tmp_path / "mixed").paths[1])
    assert "官塘镇（报送文件被退回）" in mixed and "官塘镇1份文件未能导入" in mixed


def test_write_atomically_replaces_in_one_step_and_cleans_up(tmp_path: Path) -> None:
    from reports.files import remove_partial_files, write_atomically

    target = tmp_path / "sub" / "调度表.xlsx"
    used: list[Path] = []

    def write(path: Path) -> None:
        used.append(path)
        path.write_bytes(b"new")

    assert write_atomically(target, write) == target and target.read_bytes() == b"new"
    assert used[0].parent == target.parent and used[0].suffix == ".xlsx" and used[0].name.startswith(".")
    assert sorted(p.name for p in target.parent.iterdir()) == ["调度表.xlsx"]

    def fail(path: Path) -> None:
        path.write_bytes(b"half")
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        write_atomically(target, fail)
    assert target.read_bytes() == b"new" and sorted(p.name for p in target.parent.iterdir()) == ["调度表.xlsx"]
    (target.parent / ".调度表.x1y2.part.xlsx").write_bytes(b"left by a killed run")
    remove_partial_files(target.parent)
    assert sorted(p.name for p in target.parent.iterdir()) == ["调度表.xlsx"]
    import reports.dispatch

    assert reports.dispatch.write_atomically is write_atomically  # one implementation


def test_when_nothing_changed_the_brief_says_so(loaded, tmp_path: Path) -> None:
    run_dispatch(loaded, SETTINGS, W45, tmp_path)
    brief = _brief_text(run_dispatch(loaded, SETTINGS, W46, tmp_path).paths[1])
    assert "无新增红灯；各项目灯色均未变化；新收报送0份" in brief and "其余项目灯色未变" not in brief


# ── edges: empty database, the command ──────────────────────────────────────────────────────────────


def test_empty_database_still_writes_a_pack(db_url: str, tmp_path: Path) -> None:
    result = run_dispatch(open_database(db_url), SETTINGS, W45, tmp_path)
    assert result.period is None
    assert openpyxl.load_workbook(result.paths[0]).sheetnames == list(SHEETS)
    text = "\n".join(p.text for p in docx.Document(str(result.paths[1])).paragraphs)
    assert "暂无数据" in text


def test_dispatch_command(loaded, db_url: str, tmp_path: Path) -> None:
    out = tmp_path / "packs"
    result = CliRunner().invoke(dispatch, ["--date", "2023-11-10", "--out", str(out)], obj=App(db=db_url),
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "2023-W45" in result.output and "first dispatch" in result.output
    assert (out / "dispatch-2023-W45" / DISPATCH_XLSX).is_file()
    again = CliRunner().invoke(dispatch, ["--date", "2023-11-20", "--out", str(out)], obj=App(db=db_url))
    assert again.exit_code == 0 and "compared with 2023-W45" in again.output
    assert "Example:" in (dispatch.help or "")


# ── on the demo's sample data ───────────────────────────────────────────────────────────────────────


@pytest.fixture(scope="module")
def demo_packs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    from monitor.cli.demo import demo, demo_settings, sample_root

    out = tmp_path_factory.mktemp("demo")
    assert CliRunner().invoke(demo, ["--out", str(out)], obj=App()).exit_code == 0
    factory = open_database(f"sqlite:///{out / 'fundmon.db'}")
    settings = demo_settings(sample_root())
    run_dispatch(factory, settings, date(2023, 11, 3), out)
    return out, run_dispatch(factory, settings, date(2023, 11, 10), out).paths[1]


def _estimated_lines(document: Any) -> float:
    """Body lines (28 pt) the brief fills: 28 characters to a line of 3号, tables at about 14 pt a line."""
    lines = 0.0
    for p in document.paragraphs:
        size = p.runs[0].font.size.pt if p.runs else 16
        per_line = 442 / size * 2  # width units (a CJK character is 2) on a 156 mm line
        lines += math.ceil(max(text_width(p.text) + 4, 1) / per_line) * max(size * 1.3, 28) / 28
    for table in document.tables:
        for row in table.rows:
            need = max(math.ceil(text_width(c.text) / max(c.width.mm / 3.7 * 2, 1)) for c in row.cells)
            lines += need * 14 / 28 + 0.2
    return lines


def test_demo_brief_fits_on_two_pages_and_names_the_new_red(demo_packs: tuple[Path, Path]) -> None:
    _, brief = demo_packs
    document = docx.Document(str(brief))
    assert _estimated_lines(document) <= 2 * 22
    text = "\n".join(p.text for p in document.paragraphs)
    assert "与上次调度（2023年第44周）相比" in text and "新增红灯1个（铁铺镇洋东村道路硬底化）" in text
    assert "新收报送" in text and "铁铺镇2023年10月" in text
