"""Write the awkward consolidated workbooks (汇总台账) and their ``.expected.json``: ``python make_ledgers.py``.

Each file is split into town-month parts; the expected parts, rows (分, Excel rows) and findings are written
here by hand from the meaning of each cell, never by running the parser.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from make_quirks import Sheet, W, Y, finding, project, write_xlsx  # noqa: E402

HEAD = ["序号", "项目名称", "村(社区)", "下达资金（万元）", "已支出（万元）"]
TOWN_HEAD = ["序号", "镇街", "项目名称", "下达资金（万元）", "已支出（万元）"]


def part(town: str, period: str, sheet: str, rows: list[dict[str, Any]],
         findings: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {"town": town, "period": period, "sheet": sheet, "rows": rows, "findings": findings or []}


def expect(name: str, parts: list[dict[str, Any]], leftover: dict[str, Any] | None = None,
           checks: list[dict[str, Any]] | None = None) -> None:
    """``checks``: findings about the workbook as a whole (a 全区合计 that does not add up), no town's."""
    (HERE / f"{name}.expected.json").write_text(json.dumps(
        {"file": name, "default_year": None, "parts": parts, "leftover": leftover, "checks": checks or []},
        ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def town_sections_with_subtotals() -> None:
    """Towns as section rows: ``一 | 磷溪镇（小计）`` with the town's sums above its rows, or a lone ``一、磷溪镇``."""
    name = "town-sections-with-subtotals.xlsx"
    jan = [["湘桥区驻镇帮镇扶村项目进度汇总表（2023年1月）"], HEAD,
           ["一", "磷溪镇（小计）", None, 570, 130.5],
           [1, "溪口市场升级改造", "溪口", 420, 130.5], [2, "仙田村道路硬底化", "仙田", 150, 0],
           ["二", "官塘镇（小计）", None, 300, 40],  # 100 + 120 is 220, not 300: checked like a 小计 row
           [1, "奕湖村文化室", "奕湖村", 100, 40], [2, "象山村光伏", "象山村", 120, 0],
           ["合计", None, None, 870, 170.5]]
    mar = [["湘桥区驻镇帮镇扶村项目进度汇总表（2023年3月）"], HEAD,
           ["一、磷溪镇"], ["（一）产业发展类"], [1, "溪口市场升级改造", "溪口", 420, 200],
           ["二、意溪镇"], [1, "意溪村口袋公园", "意溪村", 80, 20],
           ["总计", None, None, 500, 220]]
    write_xlsx(HERE / name, [Sheet("1月", jan), Sheet("3月份", mar)])
    expect(name, [
        part("磷溪镇", "2023-01", "1月", [
            project(4, project_name="溪口市场升级改造", village="溪口", allocated=W(420), spent=W("130.5")),
            project(5, project_name="仙田村道路硬底化", village="仙田", allocated=W(150), spent=0)]),
        part("官塘镇", "2023-01", "1月", [
            project(7, project_name="奕湖村文化室", village="奕湖村", allocated=W(100), spent=W(40)),
            project(8, project_name="象山村光伏", village="象山村", allocated=W(120), spent=0)],
            [finding("total-mismatch", "1月", 6, 4, "下达资金（万元）")]),
        part("磷溪镇", "2023-03", "3月份", [
            project(5, project_name="溪口市场升级改造", village="溪口", category="产业发展", allocated=W(420),
                    spent=W(200))]),
        part("意溪镇", "2023-03", "3月份", [
            project(7, project_name="意溪村口袋公园", village="意溪村", allocated=W(80), spent=W(20))]),
    ], checks=[finding("total-mismatch", "1月", 9, 4, "下达资金（万元）")])  # 870 is 570 + 300, not the rows' 790


def town_totals_after_rows() -> None:
    """Each town's rows closed by ``磷溪镇合计``; amounts in 元; one sheet named ``2023年2月``."""
    name = "town-totals-after-rows.xlsx"
    rows = [["序号", "项目名称", "村(社区)", "下达资金（元）", "已支出（元）"],
            [1, "溪口市场升级改造", "溪口", 4200000, 1500000],
            [2, "北堤村太阳能路灯", "北堤", 371234.56, 371234.56],
            [None, "磷溪镇合计", None, 4571234.56, 1871234.56],
            [1, "铁铺村文化广场", "铁铺村", 1500000, 750000],
            [None, "铁铺镇合计", None, 1500000, 750000],
            [None, "全区合计", None, 6071234.56, 2621234.56]]
    write_xlsx(HERE / name, [Sheet("2023年2月", rows)])
    expect(name, [
        part("磷溪镇", "2023-02", "2023年2月", [
            project(2, project_name="溪口市场升级改造", village="溪口", allocated=Y(4200000), spent=Y(1500000)),
            project(3, project_name="北堤村太阳能路灯", village="北堤", allocated=Y("371234.56"),
                    spent=Y("371234.56"))]),
        part("铁铺镇", "2023-02", "2023年2月", [
            project(5, project_name="铁铺村文化广场", village="铁铺村", allocated=Y(1500000), spent=Y(750000))]),
    ])


def town_totals_in_code_column() -> None:
    """``磷溪镇合计`` under 项目编号 (section rows); a 全区合计 in a sheet with town sections and in one with a
    镇街 column, each checked against all the towns' project rows of its sheet."""
    name = "town-totals-in-code-column.xlsx"
    head = ["序号", "项目编号", "项目名称", "下达资金（万元）", "已支出（万元）"]
    jan = [["2023年1月各镇项目进度汇总"], head,
           ["一、磷溪镇"], [1, "XQ-LX-001", "溪口市场升级改造", 420, 100], [2, None, "仙田村道路硬底化", 150, 0],
           [None, "磷溪镇合计", None, 570, 100],
           ["二、官塘镇"], [1, "XQ-GT-001", "奕湖村文化室", 100, 40],
           [None, "官塘镇合计", None, 100, 50],  # 已支出 40, not 50
           ["全区合计", None, None, 670, 150]]  # the rows' 已支出 is 140 (the 官塘镇合计 carried its slip)
    feb = [TOWN_HEAD, [1, "磷溪镇", "溪口市场升级改造", 420, 150], [2, "官塘镇", "奕湖村文化室", 100, 60],
           ["全区合计", None, None, 520, 200]]  # 已支出 150 + 60 is 210
    write_xlsx(HERE / name, [Sheet("1月", jan), Sheet("2月", feb)])
    expect(name, [
        part("磷溪镇", "2023-01", "1月", [
            project(4, project_code="XQ-LX-001", project_name="溪口市场升级改造", allocated=W(420), spent=W(100)),
            project(5, project_name="仙田村道路硬底化", allocated=W(150), spent=0)]),
        part("官塘镇", "2023-01", "1月", [
            project(8, project_code="XQ-GT-001", project_name="奕湖村文化室", allocated=W(100), spent=W(40))],
            [finding("total-mismatch", "1月", 9, 5, "已支出（万元）")]),
        part("磷溪镇", "2023-02", "2月", [
            project(2, town="磷溪镇", project_name="溪口市场升级改造", allocated=W(420), spent=W(150))]),
        part("官塘镇", "2023-02", "2月", [
            project(3, town="官塘镇", project_name="奕湖村文化室", allocated=W(100), spent=W(60))]),
    ], checks=[finding("total-mismatch", "1月", 10, 5, "已支出（万元）"),
               finding("total-mismatch", "2月", 4, 5, "已支出（万元）")])


def merged_town_cells() -> None:
    """A 镇街 column merged down over each town's rows (only the top cell holds the name)."""
    name = "merged-town-cells.xlsx"
    rows = [["2023年3月各镇项目进度"], TOWN_HEAD,
            [1, "磷溪镇", "溪口市场升级改造", 420, 210], [2, None, "仙田村道路硬底化", 150, 15],
            [3, "官塘镇人民政府", "奕湖村文化室", 100, 50], [4, None, "象山村光伏", 120, 12],
            [5, "铁铺镇", "铁铺村文化广场", 150, 75],
            [None, None, "合计", 940, 362]]
    write_xlsx(HERE / name, [Sheet("2023.3", rows, merges=[(2, 1, 3, 1), (4, 1, 5, 1)])])
    expect(name, [
        part("磷溪镇", "2023-03", "2023.3", [
            project(3, town="磷溪镇", project_name="溪口市场升级改造", allocated=W(420), spent=W(210)),
            project(4, project_name="仙田村道路硬底化", allocated=W(150), spent=W(15))]),
        part("官塘镇", "2023-03", "2023.3", [
            project(5, town="官塘镇", project_name="奕湖村文化室", allocated=W(100), spent=W(50)),
            project(6, project_name="象山村光伏", allocated=W(120), spent=W(12))]),
        part("铁铺镇", "2023-03", "2023.3", [
            project(7, town="铁铺镇", project_name="铁铺村文化广场", allocated=W(150), spent=W(75))]),
    ])


def bad_cell_orphan_and_year_sheet() -> None:
    """A bad amount (that row rejected, the rest loads), a row with no 镇街, and a year summary sheet."""
    name = "bad-cell-orphan-and-year-sheet.xlsx"
    jan = [["2023年1月项目进度汇总"], TOWN_HEAD,
           [1, "磷溪镇", "溪口市场升级改造", 420, 100], [2, "官塘镇", "奕湖村文化室", 100, "待定"],
           [3, "官塘镇", "象山村光伏", 120, 0], [4, None, "无主项目", 50, 5]]
    feb = [TOWN_HEAD, [1, "磷溪镇", "溪口市场升级改造", 420, 150], [2, "官塘镇", "奕湖村文化室", 100, 60]]
    year = [TOWN_HEAD, [1, "磷溪镇", "溪口市场升级改造", 420, 150]]
    write_xlsx(HERE / name, [Sheet("1月", jan), Sheet("2月", feb), Sheet("全年汇总", year)])
    expect(name, [
        part("磷溪镇", "2023-01", "1月", [
            project(3, town="磷溪镇", project_name="溪口市场升级改造", allocated=W(420), spent=W(100))]),
        part("官塘镇", "2023-01", "1月", [
            project(4, True, town="官塘镇", project_name="奕湖村文化室", allocated=W(100)),
            project(5, town="官塘镇", project_name="象山村光伏", allocated=W(120), spent=0)],
            [finding("bad-amount", "1月", 4, 5, "已支出（万元）")]),
        part("磷溪镇", "2023-02", "2月", [
            project(2, town="磷溪镇", project_name="溪口市场升级改造", allocated=W(420), spent=W(150))]),
        part("官塘镇", "2023-02", "2月", [
            project(3, town="官塘镇", project_name="奕湖村文化室", allocated=W(100), spent=W(60))]),
    ], {"rows": [project(6, True, project_name="无主项目", allocated=W(50), spent=W(5))],
        "findings": [finding("no-town", "1月", 6, 2, "镇街"), finding("extra-sheet", "全年汇总", None, None, None)]})


def yuan_and_wan_sheets() -> None:
    """One month noted ``单位：元``, the next ``单位：万元``: each sheet read in its own unit."""
    name = "yuan-and-wan-sheets.xlsx"
    head = ["序号", "镇街", "项目名称", "下达资金", "已支出"]
    jan = [["2023年1月汇总", None, None, "单位：元"], head,
           [1, "磷溪镇", "溪口市场升级改造", 4200000, 1234567.89], [2, "意溪镇", "意溪村口袋公园", 800000, 0]]
    feb = [["2023年2月汇总", None, None, "单位：万元"], head,
           [1, "磷溪镇", "溪口市场升级改造", 420, 150.123456], [2, "意溪镇", "意溪村口袋公园", 80, 8]]
    write_xlsx(HERE / name, [Sheet("1月", jan), Sheet("2月", feb)])
    expect(name, [
        part("磷溪镇", "2023-01", "1月", [
            project(3, town="磷溪镇", project_name="溪口市场升级改造", allocated=Y(4200000), spent=Y("1234567.89"))]),
        part("意溪镇", "2023-01", "1月", [
            project(4, town="意溪镇", project_name="意溪村口袋公园", allocated=Y(800000), spent=0)]),
        part("磷溪镇", "2023-02", "2月", [
            project(3, town="磷溪镇", project_name="溪口市场升级改造", allocated=W(420), spent=W("150.123456"))]),
        part("意溪镇", "2023-02", "2月", [
            project(4, town="意溪镇", project_name="意溪村口袋公园", allocated=W(80), spent=W(8))]),
    ])


LEDGERS = [town_sections_with_subtotals, town_totals_after_rows, town_totals_in_code_column, merged_town_cells,
           bad_cell_orphan_and_year_sheet, yuan_and_wan_sheets]

if __name__ == "__main__":
    for make in LEDGERS:
        make()
    print(f"wrote {len(LEDGERS)} consolidated workbooks into {HERE}")
