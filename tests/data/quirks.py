"""Quirks of layout and cell values: each function writes one awkward town file and its expected reading."""

from __future__ import annotations

from datetime import datetime

from make_quirks import (
    HEAD,
    HERE,
    SHEET,
    Formula,
    Sheet,
    W,
    Y,
    expect,
    finding,
    project,
    quirk,
    write_xlsx,
)


@quirk
def title_and_info_rows() -> None:
    name = "title-and-info-rows.xlsx"
    rows = [["2023年10月驻镇帮镇扶村项目资金支出进度表"],
            ["填报单位：官塘镇", None, None, "报表月份：2023年10月", None, "单位：万元"],
            HEAD,
            [1, "奕湖村人居环境整治", "奕湖村", 350, 120.5, "60%"],
            [2, "奕庵村道路硬化", "奕庵村", 180, 0, "0%"],
            [3, "尧里村光伏发电", "尧里村", 95.25, 95.25, 1]]
    write_xlsx(HERE / name, [Sheet(SHEET, rows, [(0, 0, 0, 5)])])
    raw = {"序号": "1", "项目名称": "奕湖村人居环境整治", "村(社区)": "奕湖村", "下达资金（万元）": "350",
           "已支出（万元）": "120.5", "形象进度": "60%"}
    expect(name, sheet=SHEET, town="官塘镇", town_source="cell", period="2023-10", period_source="cell",
           header_rows=[3], rows=[
               project(4, raw=raw, project_name="奕湖村人居环境整治", village="奕湖村", allocated=W(350),
                       spent=W("120.5"), progress="0.6"),
               project(5, project_name="奕庵村道路硬化", village="奕庵村", allocated=W(180), spent=0, progress="0"),
               project(6, project_name="尧里村光伏发电", village="尧里村", allocated=W("95.25"),
                       spent=W("95.25"), progress="1")])


@quirk
def two_row_merged_header() -> None:
    name = "two-row-merged-header.xlsx"
    rows = [["磷溪镇2023年10月驻镇帮镇扶村项目进度表"],
            ["序号", "项目名称", "村(社区)", "资金情况（万元）", None, None, "形象进度", "项目状态"],
            [None, None, None, "下达", "已拨付", "已支出", None, None],
            [1, "溪口村污水管网", "溪口村", 420, 300, 210.8, "50%", "在建"],
            [2, "仙田村农房风貌提升", "仙田村", 260, 260, 260, "100%", "完工"],
            [3, "窑美村产业园", "窑美村", 600, 100, 0, "10%", "招投标"]]
    merges = [(0, 0, 0, 7), (1, 0, 2, 0), (1, 1, 2, 1), (1, 2, 2, 2), (1, 3, 1, 5), (1, 6, 2, 6), (1, 7, 2, 7)]
    write_xlsx(HERE / name, [Sheet(SHEET, rows, merges)])
    expect(name, sheet=SHEET, town="磷溪镇", town_source="cell", period="2023-10", period_source="cell",
           header_rows=[2, 3], rows=[
               project(4, project_name="溪口村污水管网", village="溪口村", allocated=W(420), disbursed=W(300),
                       spent=W("210.8"), progress="0.5", status="在建"),
               project(5, project_name="仙田村农房风貌提升", village="仙田村", allocated=W(260), disbursed=W(260),
                       spent=W(260), progress="1", status="完工"),
               project(6, project_name="窑美村产业园", village="窑美村", allocated=W(600), disbursed=W(100),
                       spent=0, progress="0.1", status="招投标")])


@quirk
def header_with_linebreaks_and_fullwidth_brackets() -> None:
    name = "header-with-linebreaks-and-fullwidth-brackets.xlsx"
    head = ["序\u3000号", "项 目\n名 称", "所在村\n（社区）", "下达资金\n（万元）", "截至10月底\n累计支出\n（万元）",
            "形象进度\n（%）", "计划完工\n时间"]
    rows = [["铁铺镇驻镇帮镇扶村项目进度表（2023年10月）"], head,
            [1, "铁铺村文化广场", "铁铺村", 150, 75, 45, "2023年12月31日"],
            [2, "大埕村灌溉水渠", "大埕村", 88.5, 10, 20, "2024-03-31"]]
    write_xlsx(HERE / name, [Sheet(SHEET, rows, [(0, 0, 0, 6)])])
    raw = {"序\u3000号": "1", "项 目名 称": "铁铺村文化广场", "所在村（社区）": "铁铺村", "下达资金（万元）": "150",
           "截至10月底累计支出（万元）": "75", "形象进度（%）": "45", "计划完工时间": "2023年12月31日"}
    expect(name, sheet=SHEET, town="铁铺镇", town_source="cell", period="2023-10", period_source="cell",
           header_rows=[2], rows=[
               project(3, raw=raw, project_name="铁铺村文化广场", village="铁铺村", allocated=W(150), spent=W(75),
                       progress="0.45", planned_end="2023-12-31"),
               project(4, project_name="大埕村灌溉水渠", village="大埕村", allocated=W("88.5"), spent=W(10),
                       progress="0.2", planned_end="2024-03-31")])


@quirk
def unit_yuan_note() -> None:
    name = "unit-yuan-note.xlsx"
    rows = [["意溪镇2023年10月驻镇帮镇扶村项目进度表"], ["填报单位：意溪镇  报表月份：2023年10月  单位：元"],
            ["序号", "项目名称", "所在村", "下达资金", "已支出", "支出率"],
            [1, "锡美村农产品冷链仓储", "锡美村", 1250000, 430000.55, "34.40%"],
            [2, "坝街村道路提升", "坝街村", 800000, "800,000.00", "100%"]]
    write_xlsx(HERE / name, [Sheet(SHEET, rows, [(0, 0, 0, 5), (1, 0, 1, 5)])])
    expect(name, sheet=SHEET, town="意溪镇", town_source="cell", period="2023-10", period_source="cell", unit="元",
           header_rows=[3], rows=[
               project(4, project_name="锡美村农产品冷链仓储", village="锡美村", allocated=Y(1250000),
                       spent=Y("430000.55"), spend_rate="0.344"),
               project(5, project_name="坝街村道路提升", village="坝街村", allocated=Y(800000), spent=Y(800000),
                       spend_rate="1")])


@quirk
def unit_yuan_in_header() -> None:
    name = "unit-yuan-in-header.xlsx"
    rows = [["铁铺镇2023年10月项目资金进度"], ["序号", "项目名称", "下达资金（元）", "已拨付（万元）", "已支出（元）"],
            [1, "铁铺村文化广场", 1500000, 150, 750000.5],
            [2, "大埕村灌溉水渠", 885000, 50, 100000]]
    write_xlsx(HERE / name, [Sheet(SHEET, rows)])
    expect(name, sheet=SHEET, town="铁铺镇", town_source="cell", period="2023-10", period_source="cell",
           header_rows=[2], rows=[
               project(3, project_name="铁铺村文化广场", allocated=Y(1500000), disbursed=W(150), spent=Y("750000.5")),
               project(4, project_name="大埕村灌溉水渠", allocated=Y(885000), disbursed=W(50), spent=Y(100000))])


@quirk
def text_amounts_and_fullwidth_digits() -> None:
    name = "text-amounts-and-fullwidth-digits.xlsx"
    rows = [["意溪镇2023年10月项目进度表"], HEAD[:5],
            [1, "锡美村道路", "锡美村", "1,234.56", " 12.5 "],
            [2, "坝街村路灯", "坝街村", "１２３．４５", "８０"],
            [3, "东津村市场", "东津村", "300万", "125000元"],
            [4, "长和村水利", "长和村", "¥45.5", "0"]]
    write_xlsx(HERE / name, [Sheet(SHEET, rows)])
    expect(name, sheet=SHEET, town="意溪镇", town_source="cell", period="2023-10", period_source="cell",
           header_rows=[2], rows=[
               project(3, project_name="锡美村道路", village="锡美村", allocated=W("1234.56"), spent=W("12.5")),
               project(4, project_name="坝街村路灯", village="坝街村", allocated=W("123.45"), spent=W(80)),
               project(5, project_name="东津村市场", village="东津村", allocated=W(300), spent=Y(125000)),
               project(6, project_name="长和村水利", village="长和村", allocated=W("45.5"), spent=0)])


@quirk
def dashes_and_slashes_for_empty() -> None:
    name = "dashes-and-slashes-for-empty.xlsx"
    rows = [["官塘镇2023年10月项目进度表"],
            ["序号", "项目名称", "村(社区)", "下达资金（万元）", "已拨付（万元）", "已支出（万元）", "形象进度"],
            [1, "奕东村污水", "奕东村", 200, "/", "-", "-"],
            [2, "苏三村广场", "苏三村", 150, "—", "/", "/"],
            [3, "宫头村道路", "宫头村", "-", "无", "无", "无"],
            [4, "顶乡村水渠", "顶乡村", 80, None, None, None]]
    write_xlsx(HERE / name, [Sheet(SHEET, rows)])
    expect(name, sheet=SHEET, town="官塘镇", town_source="cell", period="2023-10", period_source="cell",
           header_rows=[2], rows=[
               project(3, project_name="奕东村污水", village="奕东村", allocated=W(200), spent=0),
               project(4, project_name="苏三村广场", village="苏三村", allocated=W(150), spent=0),
               project(5, project_name="宫头村道路", village="宫头村", spent=0),
               project(6, project_name="顶乡村水渠", village="顶乡村", allocated=W(80), spent=0)])


@quirk
def percent_three_spellings() -> None:
    name = "percent-three-spellings.xlsx"
    rows = [["磷溪镇2023年10月项目进度表"], [*HEAD, "支出率"],
            [1, "埔涵村道路", "埔涵村", 100, 45, "45%", "45%"],
            [2, "田心村路灯", "田心村", 100, 45, 0.45, 0.45],
            [3, "饶砂村水渠", "饶砂村", 100, 45, 45, 45],
            [4, "北堤村广场", "北堤村", 200, 50, "过半", "30%"]]
    write_xlsx(HERE / name, [Sheet(SHEET, rows)])
    common = {"allocated": W(100), "spent": W(45), "progress": "0.45", "spend_rate": "0.45"}
    expect(name, sheet=SHEET, town="磷溪镇", town_source="cell", period="2023-10", period_source="cell",
           header_rows=[2], rows=[
               project(3, project_name="埔涵村道路", village="埔涵村", **common),
               project(4, project_name="田心村路灯", village="田心村", **common),
               project(5, project_name="饶砂村水渠", village="饶砂村", **common),
               project(6, project_name="北堤村广场", village="北堤村", allocated=W(200), spent=W(50),
                       spend_rate="0.3")],
           findings=[finding("bad-percent", SHEET, 6, 6, "形象进度"), finding("rate-mismatch", SHEET, 6, 7, "支出率")])


@quirk
def date_spellings() -> None:
    name = "date-spellings.xlsx"
    rows = [["官塘镇2023年10月项目进度表"],
            ["序号", "项目名称", "下达资金（万元）", "已支出（万元）", "计划开工时间", "计划完工时间"],
            [1, "奕湖村文化室", 100, 10, datetime(2023, 3, 1), "2023-10-15"],
            [2, "奕庵村道路", 100, 10, "2023.03.01", "2023.10.15"],
            [3, "尧里村水渠", 100, 10, "2023/3/1", "2023/10/15"],
            [4, "苏三村广场", 100, 10, "2023年3月1日", "2023年10月15日"],
            [5, "宫头村路灯", 100, 10, "2023年3月", "2023年12月"],
            [6, "象山村光伏", 100, 10, "年底前", "待定"]]
    write_xlsx(HERE / name, [Sheet(SHEET, rows)])
    base = {"allocated": W(100), "spent": W(10)}
    full = {**base, "planned_start": "2023-03-01", "planned_end": "2023-10-15"}
    expect(name, sheet=SHEET, town="官塘镇", town_source="cell", period="2023-10", period_source="cell",
           header_rows=[2], rows=[
               project(3, project_name="奕湖村文化室", **full), project(4, project_name="奕庵村道路", **full),
               project(5, project_name="尧里村水渠", **full), project(6, project_name="苏三村广场", **full),
               project(7, project_name="宫头村路灯", **base, planned_start="2023-03-01", planned_end="2023-12-01"),
               project(8, project_name="象山村光伏", **base)],
           findings=[finding("bad-date", SHEET, 8, 5, "计划开工时间"), finding("bad-date", SHEET, 8, 6, "计划完工时间")])


@quirk
def formula_cells_cached() -> None:
    name = "formula-cells-cached.xlsx"
    rows = [["铁铺镇2023年10月项目进度表"], ["序号", "项目名称", "下达资金（万元）", "已支出（万元）", "支出率"],
            [1, "铁铺村文化广场", 150, Formula("=C3*0.5", 75), Formula("=D3/C3", 0.5)],
            [2, "大埕村灌溉水渠", Formula("=40+48.5", 88.5), Formula("=C4-78.5", 10), Formula("=D4/C4", 10 / 88.5)],
            ["合计", None, Formula("=SUM(C3:C4)", 238.5), Formula("=SUM(D3:D4)", 85), None]]
    write_xlsx(HERE / name, [Sheet(SHEET, rows)])
    expect(name, sheet=SHEET, town="铁铺镇", town_source="cell", period="2023-10", period_source="cell",
           header_rows=[2], rows=[
               project(3, project_name="铁铺村文化广场", allocated=W(150), spent=W(75), spend_rate="0.5"),
               project(4, project_name="大埕村灌溉水渠", allocated=W("88.5"), spent=W(10),
                       spend_rate=format(10 / 88.5, ".15g"))])  # 15 digits, as Excel shows it
