"""Quirks found by QA in the parsing code: formula errors, shifted CSV fields, several sheets, conflicting
town/period sources, period spellings, unit notes in group cells and floating-point noise."""

from __future__ import annotations

from make_quirks import (
    HEAD,
    HERE,
    SHEET,
    Formula,
    Sheet,
    W,
    expect,
    finding,
    project,
    quirk,
    write_xlsx,
)


@quirk
def formula_errors_and_no_value() -> None:
    # "" as the cached value writes <f>…</f><v></v>: a formula saved without its result, as openpyxl saves it
    name = "formula-errors-and-no-value.xlsx"
    head = [*HEAD[:5], "形象进度"]
    rows = [["官塘镇2023年10月项目进度表"], head,
            [1, "奕湖村文化室", "奕湖村", 100, Formula("=D3/0", "#DIV/0!"), "50%"],
            [2, "奕庵村道路", "奕庵村", Formula("=40+60", ""), 20, "10%"],
            [3, "奕东村水渠", "奕东村", 150, 30, Formula("=VLOOKUP(B5,X:Y,2,0)", "#N/A")],
            [4, Formula("=#REF!", "#REF!"), "尧里村", 80, 10, "5%"],
            [5, "苏三村广场", "苏三村", 60, Formula("=D7*0.5", 30), "50%"]]
    write_xlsx(HERE / name, [Sheet(SHEET, rows)])
    expect(name, sheet=SHEET, town="官塘镇", town_source="cell", period="2023-10", period_source="cell",
           header_rows=[2], rows=[
               project(3, True, project_name="奕湖村文化室", village="奕湖村", allocated=W(100), progress="0.5"),
               project(4, True, project_name="奕庵村道路", village="奕庵村", spent=W(20), progress="0.1"),
               project(5, project_name="奕东村水渠", village="奕东村", allocated=W(150), spent=W(30)),
               project(6, True, village="尧里村", allocated=W(80), spent=W(10), progress="0.05"),
               project(7, project_name="苏三村广场", village="苏三村", allocated=W(60), spent=W(30), progress="0.5")],
           findings=[finding("formula-error", SHEET, 3, 5, "已支出（万元）"),
                     finding("formula-error", SHEET, 4, 4, "下达资金（万元）"),
                     finding("formula-error", SHEET, 5, 6, "形象进度"),
                     finding("formula-error", SHEET, 6, 2, "项目名称")])


@quirk
def csv_unquoted_thousands() -> None:
    # written by hand: a csv writer would quote 1,200.50 — the town's export did not
    name = "csv-unquoted-thousands.csv"
    lines = ["磷溪镇2023年10月驻镇帮镇扶村项目进度", ",".join(HEAD[:5]),
             "1,溪口村道路硬化,溪口村,150,75.5",
             "2,溪口村路灯,溪口村,1,200.50,30",
             "3,仙田村水渠,仙田村,80,20,,",
             '4,窑美村广场,窑美村,"1,000",40']
    (HERE / name).write_bytes(("\r\n".join(lines) + "\r\n").encode("utf-8"))
    expect(name, sheet=name.removesuffix(".csv"), town="磷溪镇", town_source="cell", period="2023-10",
           period_source="cell", header_rows=[2], rows=[
               project(3, project_name="溪口村道路硬化", village="溪口村", allocated=W(150), spent=W("75.5")),
               project(4, True, project_name="溪口村路灯", village="溪口村", allocated=W(1), spent=W("200.5")),
               project(5, project_name="仙田村水渠", village="仙田村", allocated=W(80), spent=W(20)),
               project(6, project_name="窑美村广场", village="窑美村", allocated=W(1000), spent=W(40))],
           findings=[finding("extra-fields", "csv-unquoted-thousands", 4, 6, None),
                     finding("spent-over-allocated", "csv-unquoted-thousands", 4, 5, "已支出（万元）")])


@quirk
def two_project_sheets() -> None:
    name = "two-project-sheets.xlsx"
    new = [["意溪镇2023年10月驻镇帮镇扶村项目进度表"], HEAD[:5],
           [1, "锡美村道路", "锡美村", 120, 60], [2, "坝街村路灯", "坝街村", 45, 45]]
    old = [["2022年结转项目（意溪镇）"], ["序号", "项目名称", "下达资金（万元）", "已支出（万元）", "资金年度"],
           [1, "东津村市场", 300, 250, 2022]]
    write_xlsx(HERE / name, [Sheet("2023年新增", new), Sheet("2022年结转", old)])
    expect(name, sheet="2023年新增", town="意溪镇", town_source="cell", period="2023-10", period_source="cell",
           header_rows=[2], rows=[
               project(3, project_name="锡美村道路", village="锡美村", allocated=W(120), spent=W(60)),
               project(4, project_name="坝街村路灯", village="坝街村", allocated=W(45), spent=W(45)),
               project(3, project_name="东津村市场", allocated=W(300), spent=W(250), fund_year=2022)])


@quirk
def title_and_file_name_disagree() -> None:
    name = "title-disagrees_官塘镇_202310.xlsx"
    rows = [["磷溪镇2023年9月驻镇帮镇扶村项目进度表"], HEAD[:5], [1, "溪口村污水", "溪口村", 420, 210.8]]
    write_xlsx(HERE / name, [Sheet(SHEET, rows)])
    expect(name, sheet=SHEET, town="磷溪镇", town_source="cell", period="2023-09", period_source="cell",
           header_rows=[2], rows=[
               project(3, project_name="溪口村污水", village="溪口村", allocated=W(420), spent=W("210.8"))],
           findings=[finding("town-conflict", SHEET, None, None, None),
                     finding("period-conflict", SHEET, None, None, None)])


@quirk
def period_as_of_full_date() -> None:
    name = "period-as-of-full-date.xlsx"
    rows = [["截至2023年10月31日铁铺镇驻镇帮镇扶村项目资金支出情况"], HEAD[:5],
            [1, "铁铺村文化广场", "铁铺村", 150, 75], [], ["填报人：张三", None, "填报日期：2023年11月2日"]]
    write_xlsx(HERE / name, [Sheet("10月", rows, [(0, 0, 0, 4)])])
    expect(name, sheet="10月", town="铁铺镇", town_source="cell", period="2023-10", period_source="cell",
           sent_on="2023-11-02", header_rows=[2], rows=[
               project(3, project_name="铁铺村文化广场", village="铁铺村", allocated=W(150), spent=W(75))])


@quirk
def group_cell_with_unit_note() -> None:
    name = "group-cell-with-unit-note.xlsx"
    rows = [["铁铺镇2023年1-10月驻镇帮镇扶村项目资金支出情况"],
            ["序号", "项目名称", "资金（单位：万元）", None, "形象进度"],
            [None, None, "下达", "已支出", None],
            [1, "铁铺村文化广场", 150, 75, "50%"], [2, "大埕村灌溉水渠", 88.5, 10, "10%"]]
    merges = [(0, 0, 0, 4), (1, 0, 2, 0), (1, 1, 2, 1), (1, 2, 1, 3), (1, 4, 2, 4)]
    write_xlsx(HERE / name, [Sheet(SHEET, rows, merges)])
    expect(name, sheet=SHEET, town="铁铺镇", town_source="cell", period="2023-10", period_source="cell",
           header_rows=[2, 3], rows=[
               project(4, project_name="铁铺村文化广场", allocated=W(150), spent=W(75), progress="0.5"),
               project(5, project_name="大埕村灌溉水渠", allocated=W("88.5"), spent=W(10), progress="0.1")])


@quirk
def float_noise_from_formulas() -> None:
    # what Excel shows (15 significant digits) is what the town typed: no rounded-to-fen warning it cannot see
    name = "float-noise-from-formulas.xlsx"
    rows = [["磷溪镇2023年10月项目进度表"], [*HEAD[:5], "支出率"],
            [1, "溪口村污水", "溪口村", Formula("=0.1+0.2", 0.1 + 0.2), Formula("=0.1*3", 0.1 * 3), "100%"],
            [2, "仙田村道路", "仙田村", 100, Formula("=12.3+24.6", 12.3 + 24.6), Formula("=E4/D4", (12.3 + 24.6) / 100)]]
    write_xlsx(HERE / name, [Sheet(SHEET, rows)])
    expect(name, sheet=SHEET, town="磷溪镇", town_source="cell", period="2023-10", period_source="cell",
           header_rows=[2], rows=[
               project(3, project_name="溪口村污水", village="溪口村", allocated=W("0.3"), spent=W("0.3"),
                       spend_rate="1"),
               project(4, project_name="仙田村道路", village="仙田村", allocated=W(100), spent=W("36.9"),
                       spend_rate="0.369")])
