"""Progress by money source (资金来源进度): fund year 当年/结转, batch, level — the breakdowns add up to the
district's totals exactly to the 分, in the status, the dispatch sheet and the review."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import xlsxwriter
from docx import Document

from etl.pipeline import IngestOptions, ingest_paths
from monitor.breakdown import DIMENSIONS, batch_number, money_sources
from monitor.db import open_database
from monitor.settings import load_settings
from monitor.snapshots import fen
from monitor.status import build_status
from reports.dispatch import run_dispatch
from reports.review_pack import REPORT_NAME, WORKBOOK_NAME
from tests.helpers import project, town_workbook

SETTINGS = load_settings(None, {"towns.expected": ["磷溪镇", "官塘镇", "铁铺镇"]})
DAY = date(2023, 11, 10)
PERIOD = "2023-10"
REGISTER_HEADER = ["项目编号", "镇街", "项目名称", "资金年度", "资金批次", "资金层级", "下达资金（万元）"]
REGISTER = [
    ["A1", "磷溪镇", "溪口市场升级改造", 2022, "第二批", "省级", 250],  # 2022 money is spent first
    ["A1", "磷溪镇", "溪口市场升级改造", 2023, "第一批", "省级", 170],
    ["A2", "磷溪镇", "仙田村道路硬底化", 2023, "第一批", "中央", 150],
    ["A3", "磷溪镇", "饶砂村电商服务站", 2023, "第十批", "区级", 100],
    ["A3", "磷溪镇", "饶砂村电商服务站", 2024, "提前下达", "中央", 60],  # next year's money, not counted yet
    ["B1", "官塘镇", "奕湖村污水治理", 2023, "第二批", "珠三角帮扶市", "80.123456"],  # 801,234.56 元
    ["B2", "官塘镇", "宫头村四小园", 2023, "第一批", "市级", "37.1234"],
]


def _register(path: Path) -> Path:
    wb = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False})
    ws = wb.add_worksheet("项目库")
    ws.write_row(0, 0, REGISTER_HEADER)
    for r, row in enumerate(REGISTER, start=1):
        for c, value in enumerate(row):
            ws.write_number(r, c, value) if isinstance(value, int) else ws.write_string(r, c, str(value))
    wb.close()
    return path


@pytest.fixture
def loaded(db_url: str, tmp_path: Path):  # type: ignore[no-untyped-def]
    """Three fund years, numbered batches up to 第十批, five levels, spending on 提前下达 money (A3: 130 on 100
    counted), uneven 分, a project without allocation (left out of the rates), a town file's own 2021 money."""
    factory = open_database(db_url)
    files = [
        _register(tmp_path / "项目库.xlsx"),
        town_workbook(tmp_path / "lx.xlsx", "磷溪镇", PERIOD, [
            project("A1", "溪口市场升级改造", None, 300), project("A2", "仙田村道路硬底化", None, 0),
            project("A3", "饶砂村电商服务站", None, 130), project(None, "北堤村路灯", 37, "12.345678", year=2021)]),
        town_workbook(tmp_path / "gt.xlsx", "官塘镇", PERIOD, [
            project("B1", "奕湖村污水治理", None, "33.333333"), project("B2", "宫头村四小园", None, 10),
            project(None, "苏三村篮球场", 0, 5)]),
    ]
    report = ingest_paths(factory, files, SETTINGS, IngestOptions(received_at=datetime(2023, 11, 2, 9)))
    assert all(r.outcome.outcome == "accepted" for r in report.results), report.results
    return factory


def _district(status: dict[str, Any]) -> tuple[int, int]:
    """The status's district totals: its towns' sums, in 分."""
    return (sum(fen(t["allocated"]) or 0 for t in status["towns"]), sum(fen(t["spent"]) or 0 for t in status["towns"]))


#: counted money: A1 420 + A2 150 + A3 100 + 北堤 37 万元 + 801,234.56 + 371,234 元 (苏三村篮球场 has none);
#: spent: 300 + 130 (30 of it on 2024 money, counted as the project's rate counts it) + 12.345678 万元 + 333,333.33
#: + 100,000 元
ALLOCATED, SPENT = 824_246_856, 485_679_011


def test_every_breakdown_adds_up_to_the_district_totals_to_the_fen(loaded) -> None:
    with loaded() as s:
        status = build_status(s, SETTINGS, PERIOD, DAY)
        assert _district(status) == (ALLOCATED, SPENT)
        for dimension in DIMENSIONS:
            rows = build_status(s, SETTINGS, PERIOD, DAY, by=dimension)["by"]["rows"]
            assert sum(fen(r["allocated"]) for r in rows) == ALLOCATED, dimension
            assert sum(fen(r["spent"]) for r in rows) == SPENT, dimension
        sources = money_sources(s, SETTINGS, PERIOD, DAY)
    for dimension in DIMENSIONS:
        rows = sources.rows(dimension)
        assert (sum(r.allocated for r in rows), sum(r.spent for r in rows)) == (ALLOCATED, SPENT)
    assert (sources.total().allocated, sources.total().spent) == (ALLOCATED, SPENT)
    for town in status["towns"]:  # a town's slice adds up to the town's own totals
        mine = sources.for_town(town["town"]).total()
        assert (mine.allocated, mine.spent) == (fen(town["allocated"]) or 0, fen(town["spent"]) or 0), town["town"]


def test_fund_years_are_current_or_carried_over_and_spending_goes_to_the_oldest_money(loaded) -> None:
    with loaded() as s:
        sources = money_sources(s, SETTINGS, PERIOD, DAY)
        by = build_status(s, SETTINGS, PERIOD, DAY, by="fund-year")["by"]["rows"]
    rows = sources.rows("fund-year")
    assert [(r.key, r.kind, r.label) for r in rows] == [
        (2021, "结转", "2021年（结转）"), (2022, "结转", "2022年（结转）"), (2023, "当年", "2023年（当年）")]
    assert [(r.allocated, r.spent) for r in rows] == [
        (37_000_000, 12_345_678), (250_000_000, 250_000_000), (537_246_856, 223_333_333)]
    assert [r.projects for r in rows] == [1, 1, 5]
    assert [r.benchmark for r in rows] == [1, 1, Decimal(10) / 12]  # 结转 must be spent: 100%
    carried = sources.carryover()
    assert (carried.allocated, carried.spent, carried.unspent) == (287_000_000, 262_345_678, 24_654_322)
    assert [(r["key"], r["kind"], r["allocated"], r["spent"]) for r in by] == [
        (2021, "结转", 370_000.00, 123_456.78), (2022, "结转", 2_500_000.00, 2_500_000.00),
        (2023, "当年", 5_372_468.56, 2_233_333.33)]


def test_batches_carry_their_year_and_sort_by_number_levels_in_the_register_order(loaded) -> None:
    with loaded() as s:
        sources = money_sources(s, SETTINGS, PERIOD, DAY)
    batches = sources.rows("batch")
    assert [r.label for r in batches] == ["2021年（未注明）", "2022年第二批", "2023年第一批", "2023年第二批",
                                          "2023年第十批"]
    tenth = batches[-1]  # A3: 130 spent on 100 counted — the 2024 money's 30 stays on the project's counted line
    assert (tenth.allocated, tenth.spent, float(tenth.spend_rate or 0)) == (100_000_000, 130_000_000, 1.3)
    levels = sources.rows("level")
    assert [r.label for r in levels] == ["中央资金", "省级资金", "市级资金", "区级资金", "帮扶市资金", "（未注明）"]
    assert [r.allocated for r in levels] == [150_000_000, 420_000_000, 37_123_400, 100_000_000, 80_123_456,
                                             37_000_000]
    assert sources.known("batch") and sources.known("level")
    assert [batch_number(b) for b in ("第一批", "第二批", "第十批", "第十二批", "第二十三批", "第3批", "提前下达")] == [
        1, 2, 10, 12, 23, 3, 1000]


def _blocks(ws: Any) -> dict[str, dict[str, list[tuple[Any, ...]]]]:
    """The sheet's tables by title: numbered rows and the rows after them (subtotal, 合计)."""
    blocks: dict[str, dict[str, list[tuple[Any, ...]]]] = {}
    current: dict[str, list[tuple[Any, ...]]] | None = None
    for row in ws.iter_rows(values_only=True):
        first = row[0]
        if isinstance(first, str) and first[:2] in ("一、", "二、", "三、"):
            current = blocks.setdefault(first, {"rows": [], "extra": []})
        elif current is not None and first != "序号" and any(v is not None for v in row):
            current["rows" if isinstance(first, int) else "extra"].append(row)
    return blocks


def _fen(wan_value: float) -> int:
    return int((Decimal(str(wan_value)) * 1_000_000).to_integral_value())


def test_dispatch_sheet_adds_up_to_the_overview_total(loaded, tmp_path: Path) -> None:
    result = run_dispatch(loaded, SETTINGS, DAY, tmp_path)
    wb = openpyxl.load_workbook(result.paths[0])
    assert wb.sheetnames[-1] == "资金来源进度" and wb.sheetnames[:7] == [
        "调度总览", "红黄灯项目", "全部项目", "问题线索", "报送情况", "函件跟踪", "本周变化"]
    overview = [r for r in wb["调度总览"].iter_rows(values_only=True) if r[1] == "全区合计"][0]
    assert (_fen(overview[3]), _fen(overview[4])) == (ALLOCATED, SPENT)
    ws = wb["资金来源进度"]
    blocks = _blocks(ws)
    assert list(blocks) == ["一、按资金年度（当年／结转）", "二、按资金批次", "三、按资金层级"]
    header = next(r for r in ws.iter_rows(values_only=True) if r[0] == "序号")
    money = {name: header.index(name) for name in ("下达资金", "已支出", "未支出", "支出率", "序时进度")}
    for title, block in blocks.items():
        total = block["extra"][-1]
        assert total[1] == "合计" and total[money["支出率"]] == overview[5], title
        assert (_fen(total[money["下达资金"]]), _fen(total[money["已支出"]])) == (ALLOCATED, SPENT), title
        assert sum(_fen(r[money["下达资金"]]) for r in block["rows"]) == ALLOCATED, title
        assert sum(_fen(r[money["已支出"]]) for r in block["rows"]) == SPENT, title
        assert total[money["序时进度"]] == overview[6], title  # the district's exact benchmark, both sheets
    years = blocks["一、按资金年度（当年／结转）"]
    assert [r[1] for r in years["rows"]] == ["2021年（结转）", "2022年（结转）", "2023年（当年）"]
    assert years["extra"][0][1] == "结转资金小计" and _fen(years["extra"][0][money["未支出"]]) == 24_654_322
    assert [r[1] for r in blocks["三、按资金层级"]["rows"]][:2] == ["中央资金", "省级资金"]
    assert not any("未注明资金" in str(r[0]) for r in ws.iter_rows(max_row=5, values_only=True))
    notes = [str(r[0]) for r in ws.iter_rows(max_row=5, values_only=True) if str(r[0]).startswith("说明")]
    assert len(notes) == 1 and notes[0].endswith("金额四舍五入显示两位小数，合计可能与分项显示值之和略有出入。")


def test_review_section_and_sheet_show_current_and_carried_over_money(loaded, tmp_path: Path) -> None:
    from reports.review import build_review
    from reports.review_docx import write_review_docx
    from reports.review_pack import build_document, workbook_tables
    from reports.review_xlsx import write_review_xlsx

    with loaded() as s:
        review = build_review(s, SETTINGS, PERIOD, DAY)
    write_review_xlsx(workbook_tables(review), tmp_path / WORKBOOK_NAME)
    write_review_docx(build_document(review, {}), tmp_path / REPORT_NAME)  # no charts drawn: not needed here
    ws = openpyxl.load_workbook(tmp_path / WORKBOOK_NAME)["资金来源进度"]
    rows = [r for r in ws.iter_rows(min_row=3, values_only=True) if r[0]]
    for dimension in ("资金年度", "资金批次", "资金层级"):
        mine = [r for r in rows if r[0] == dimension]
        total = mine[-1]
        assert total[1] == "合计" and (round(total[4] * 1_000_000), round(total[5] * 1_000_000)) == (ALLOCATED, SPENT)
        numbered = [r for r in mine if r[1] not in ("合计", "结转资金小计")]
        assert sum(round(r[4] * 1_000_000) for r in numbered) == ALLOCATED, dimension
        assert sum(round(r[5] * 1_000_000) for r in numbered) == SPENT, dimension
    document = Document(str(tmp_path / REPORT_NAME))
    table = next(t for t in document.tables if t.rows[0].cells[0].text == "口径")
    assert [c.text for c in table.rows[-1].cells][:4] == ["合计", "", "824.25", "485.68"]
    body = list(document.element.body.iterchildren())
    under = "".join(body[body.index(table._tbl) + 1].xpath(".//w:t/text()"))
    assert under == "注：金额按万元四舍五入保留两位小数，各口径分项之和与合计可能略有出入。"
    text = [p.text for p in document.paragraphs]
    heading = next(i for i, t in enumerate(text) if t.endswith("、资金来源进度"))
    body = text[heading + 1]
    assert "当年（2023年）资金下达537.25万元，已支出223.33万元，支出率41.6%" in body
    assert "以前年度（2021、2022年）结转资金287.00万元，已支出262.35万元，支出率91.4%，尚有24.65万元未支出" in body
    assert "按批次看，支出率最低的是" in body and "按层级看，支出率最低的是中央资金（0.0%" in body
