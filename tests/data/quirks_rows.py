"""Quirks of rows, sheets and file meta: each function writes one awkward town file and its expected reading."""

from __future__ import annotations

from make_quirks import (
    HEAD,
    HERE,
    SHEET,
    Sheet,
    W,
    expect,
    finding,
    project,
    quirk,
    write_csv,
    write_xls,
    write_xlsx,
)


@quirk
def totals_subtotals_and_blank_rows() -> None:
    name = "totals-subtotals-and-blank-rows.xlsx"
    rows = [["官塘镇2023年10月项目进度表"], HEAD[:5],
            ["合计", None, None, 1000, 430], [],
            [1, "奕湖村文化室", "奕湖村", 200, 100], [2, "奕庵村道路", "奕庵村", 150, 50],
            [3, "奕东村水渠", "奕东村", 100, 30], ["小计", None, None, 450, 180], [],
            [4, "尧里村广场", "尧里村", 300, 150], [5, "苏三村路灯", "苏三村", 250, 100],
            ["小计", None, None, 560, 250], ["总 计", None, None, 1000, 430]]
    write_xlsx(HERE / name, [Sheet(SHEET, rows)])
    data = [(5, "奕湖村文化室", "奕湖村", 200, 100), (6, "奕庵村道路", "奕庵村", 150, 50),
            (7, "奕东村水渠", "奕东村", 100, 30), (10, "尧里村广场", "尧里村", 300, 150),
            (11, "苏三村路灯", "苏三村", 250, 100)]
    expect(name, sheet=SHEET, town="官塘镇", town_source="cell", period="2023-10", period_source="cell",
           header_rows=[2], rows=[project(r, project_name=n, village=v, allocated=W(a), spent=W(s))
                                  for r, n, v, a, s in data],
           findings=[finding("total-mismatch", SHEET, 12, 4, "下达资金（万元）")])


@quirk
def footer_rows() -> None:
    name = "footer-rows.xlsx"
    rows = [["意溪镇2023年10月项目进度表"], ["序号", "项目名称", "下达资金（万元）", "已支出（万元）"],
            [1, "锡美村道路", 120, 60], [2, "坝街村路灯", 45, 45], [],
            ["填报人：张三", None, "审核人：李四"],
            ["联系电话：0768-6123456", None, "报送日期：2023年11月3日"],
            [None, "说明", 12, 34]]
    write_xlsx(HERE / name, [Sheet(SHEET, rows)])
    expect(name, sheet=SHEET, town="意溪镇", town_source="cell", period="2023-10", period_source="cell",
           sent_on="2023-11-03", header_rows=[2], rows=[
               project(3, project_name="锡美村道路", allocated=W(120), spent=W(60)),
               project(4, project_name="坝街村路灯", allocated=W(45), spent=W(45))])


@quirk
def instruction_sheet_first() -> None:
    name = "instruction-sheet-first.xlsx"
    notes = [["填表说明"], ["1. 项目名称：填写项目库中的全称"], ["2. 下达资金、已支出：单位万元，保留两位小数"],
             ["3. 形象进度：填写百分比"], ["4. 项目状态：前期、招投标、在建、完工、已验收"]]
    data = [["桥东街道2023年10月驻镇帮镇扶村项目进度表"], HEAD[:5],
            [1, "桥东村口袋公园", "桥东村", 80, 20], [2, "社光村排水", "社光村", 60, 30]]
    old = [HEAD[:5], [1, "桥东村口袋公园", "桥东村", 80, 10]]
    write_xlsx(HERE / name, [Sheet("填表说明", notes), Sheet(SHEET, data), Sheet("9月数据", old)])
    expect(name, sheet=SHEET, town="桥东街道", town_source="cell", period="2023-10", period_source="cell",
           header_rows=[2], rows=[
               project(3, project_name="桥东村口袋公园", village="桥东村", allocated=W(80), spent=W(20)),
               project(4, project_name="社光村排水", village="社光村", allocated=W(60), spent=W(30))],
           # "9月数据" is last month's copy: another period, not read, and an error (not a silent extra sheet)
           findings=[finding("several-periods", "9月数据", None, None, None)])


@quirk
def starts_at_c5_with_empty_rows() -> None:
    name = "starts-at-C5-with-empty-rows.xlsx"
    rows = [["铁铺镇2023年10月项目进度表"], [], HEAD[:5],
            [1, "铁铺村文化广场", "铁铺村", 150, 75], [],
            [2, "大埕村灌溉水渠", "大埕村", 88.5, "待定"], [3, "坑门村道路", "坑门村", 60, 60]]
    write_xlsx(HERE / name, [Sheet(SHEET, rows, origin=(2, 2))])
    raw = {"序号": "2", "项目名称": "大埕村灌溉水渠", "村(社区)": "大埕村", "下达资金（万元）": "88.5",
           "已支出（万元）": "待定"}
    cols = {"project_name": 4, "village": 5, "allocated": 6, "spent": 7}
    expect(name, sheet=SHEET, town="铁铺镇", town_source="cell", period="2023-10", period_source="cell",
           header_rows=[5], rows=[
               project(6, project_name="铁铺村文化广场", village="铁铺村", allocated=W(150), spent=W(75)),
               {**project(8, True, raw=raw, project_name="大埕村灌溉水渠", village="大埕村", allocated=W("88.5")),
                "columns": cols},
               project(9, project_name="坑门村道路", village="坑门村", allocated=W(60), spent=W(60))],
           findings=[finding("bad-amount", SHEET, 8, 7, "已支出（万元）")])


@quirk
def section_rows_carry_category() -> None:
    name = "section-rows-carry-category.xlsx"
    head = ["序号", "项目名称", "村(社区)", "项目类别", "资金年度", "下达资金（万元）", "已支出（万元）"]
    rows = [["磷溪镇2023年10月项目进度表"], head, ["一、产业发展类"],
            [1, "溪口村农产品加工厂", "溪口村", None, 2023, 300, 100],
            [2, "仙田村四小园", "仙田村", "四小园", 2023, 50, 50], ["（二）基础设施类"],
            [3, "窑美村道路", "窑美村", None, 2023, 200, 80],
            ["三、乡村风貌提升", None, None, None, None, 250, 120],
            [4, "埔涵村外立面", "埔涵村", None, 2023, 150, 70], [5, "田心村绿化", "田心村", None, 2023, 100, 50],
            ["2022年结转项目"],
            [6, "饶砂村污水", "饶砂村", "农村生活污水治理", None, 400, 390], [7, "北堤村路灯", "北堤村", None, None, 80, 80]]
    merges = [(0, 0, 0, 6), (2, 0, 2, 6), (5, 0, 5, 6), (10, 0, 10, 6)]
    write_xlsx(HERE / name, [Sheet(SHEET, rows, merges)])
    expect(name, sheet=SHEET, town="磷溪镇", town_source="cell", period="2023-10", period_source="cell",
           header_rows=[2], rows=[
               project(4, project_name="溪口村农产品加工厂", village="溪口村", category="产业发展", fund_year=2023,
                       allocated=W(300), spent=W(100)),
               project(5, project_name="仙田村四小园", village="仙田村", category="四小园", fund_year=2023,
                       allocated=W(50), spent=W(50)),
               project(7, project_name="窑美村道路", village="窑美村", category="基础设施", fund_year=2023,
                       allocated=W(200), spent=W(80)),
               project(9, project_name="埔涵村外立面", village="埔涵村", category="乡村风貌提升", fund_year=2023,
                       allocated=W(150), spent=W(70)),
               project(10, project_name="田心村绿化", village="田心村", category="乡村风貌提升", fund_year=2023,
                       allocated=W(100), spent=W(50)),
               project(12, project_name="饶砂村污水", village="饶砂村", category="农村生活污水治理", fund_year=2022,
                       allocated=W(400), spent=W(390)),
               project(13, project_name="北堤村路灯", village="北堤村", fund_year=2022, allocated=W(80), spent=W(80))])


@quirk
def sub_items() -> None:
    name = "sub-items-1.1-1.2.xlsx"
    rows = [["官塘镇2023年10月项目进度表"], HEAD[:5],
            [1, "奕湖村人居环境整治", "奕湖村", 300, 120], [1.1, "奕湖村巷道硬化", None, 200, 80],
            [1.2, "奕湖村排水沟", None, 100, 40], [2, "象山村光伏", "象山村", 120, 60],
            [3, "顶乡村综合整治", "顶乡村", 500, 200], ["3.1", "顶乡村文化室", "顶乡村", 250, 100],
            ["3.2", "顶乡村篮球场", "顶乡村", 200, 100]]
    write_xlsx(HERE / name, [Sheet(SHEET, rows)])
    expect(name, sheet=SHEET, town="官塘镇", town_source="cell", period="2023-10", period_source="cell",
           header_rows=[2], rows=[
               project(4, project_name="奕湖村巷道硬化", village="奕湖村", allocated=W(200), spent=W(80)),
               project(5, project_name="奕湖村排水沟", village="奕湖村", allocated=W(100), spent=W(40)),
               project(6, project_name="象山村光伏", village="象山村", allocated=W(120), spent=W(60)),
               project(8, project_name="顶乡村文化室", village="顶乡村", allocated=W(250), spent=W(100)),
               project(9, project_name="顶乡村篮球场", village="顶乡村", allocated=W(200), spent=W(100))],
           findings=[finding("total-mismatch", SHEET, 7, 4, "下达资金（万元）")])


@quirk
def period_from_filename() -> None:
    name = "period-from-filename_官塘镇_202310.xlsx"
    rows = [HEAD[1:5], ["奕湖村文化室", "奕湖村", 100, 40], ["象山村光伏", "象山村", 120, 0]]
    write_xlsx(HERE / name, [Sheet("Sheet1", rows)])
    expect(name, sheet="Sheet1", town="官塘镇", town_source="file", period="2023-10", period_source="file",
           header_rows=[1], rows=[
               project(2, project_name="奕湖村文化室", village="奕湖村", allocated=W(100), spent=W(40)),
               project(3, project_name="象山村光伏", village="象山村", allocated=W(120), spent=0)])


@quirk
def month_only_in_sheet_name() -> None:
    name = "month-only-in-sheet-name.xlsx"
    rows = [HEAD[1:5], ["铁铺村文化广场", "铁铺村", 150, 75]]
    write_xlsx(HERE / name, [Sheet("铁铺镇10月", rows)])
    expect(name, sheet="铁铺镇10月", town="铁铺镇", town_source="sheet", period="2023-10", period_source="sheet",
           default_year=2023, header_rows=[1], rows=[
               project(2, project_name="铁铺村文化广场", village="铁铺村", allocated=W(150), spent=W(75))])


@quirk
def sent_date_is_not_period() -> None:
    name = "报送日期-is-not-period.xlsx"
    rows = [["驻镇帮镇扶村项目资金进度表"],
            ["填报单位：意溪镇\u3000\u3000报送日期：2023年11月3日\u3000\u3000报送月份：2023年10月"],
            HEAD[:5], [1, "锡美村道路", "锡美村", 120, 60]]
    write_xlsx(HERE / name, [Sheet(SHEET, rows, [(0, 0, 0, 4), (1, 0, 1, 4)])])
    expect(name, sheet=SHEET, town="意溪镇", town_source="cell", period="2023-10", period_source="cell",
           sent_on="2023-11-03", header_rows=[3], rows=[
               project(4, project_name="锡美村道路", village="锡美村", allocated=W(120), spent=W(60))])


@quirk
def ytd_columns() -> None:
    head = ["序号", "项目名称", "资金年度", "下达资金（万元）", "以前年度支出（万元）", "本年累计支出（万元）"]
    rows = [["磷溪镇2023年10月项目进度表"], head,
            [1, "溪口村污水", 2022, 400, 100, 50], [2, "仙田村道路", 2023, 200, None, 80]]
    write_xlsx(HERE / "ytd-column-with-prior.xlsx", [Sheet(SHEET, rows)])
    meta = {"sheet": SHEET, "town": "磷溪镇", "town_source": "cell", "period": "2023-10", "period_source": "cell",
            "header_rows": [2]}
    expect("ytd-column-with-prior.xlsx", **meta, rows=[
        project(3, project_name="溪口村污水", fund_year=2022, allocated=W(400), spent_prior=W(100),
                spent_ytd=W(50), spent=W(150)),
        project(4, project_name="仙田村道路", fund_year=2023, allocated=W(200), spent_prior=0, spent_ytd=W(80),
                spent=W(80))])
    rows = [["磷溪镇2023年10月项目进度表"], [*head[:4], head[5]],
            [1, "溪口村污水", 2022, 400, 50], [2, "仙田村道路", 2023, 200, 80]]
    write_xlsx(HERE / "ytd-column-without-prior.xlsx", [Sheet(SHEET, rows)])
    expect("ytd-column-without-prior.xlsx", **meta, rows=[
        project(3, project_name="溪口村污水", fund_year=2022, allocated=W(400), spent_ytd=W(50)),
        project(4, project_name="仙田村道路", fund_year=2023, allocated=W(200), spent_ytd=W(80))])


@quirk
def bad_cells_rejected() -> None:
    name = "bad-cells-rejected.xlsx"
    rows = [["官塘镇2023年10月项目进度表"], [*HEAD[:5], "项目状态"],
            [1, "奕湖村文化室", "奕湖村", 100, 50, "在建"], [2, "奕庵村道路", "奕庵村", 200, "待定", "在建"],
            [3, None, "奕东村", 150, 20, "前期"], [4, "尧里村水渠", "尧里村", -50, 0, "前期"],
            [5, "苏三村广场", "苏三村", 80, "1,23,4", "完工"], [6, "宫头村路灯", "宫头村", 60, 90, "搞定了"],
            [7, "顶乡村排水", "顶乡村", 12.3456789, 1, "在建"], [8, "奕湖村文化室", "奕湖村", 100, 50, "在建"]]
    write_xlsx(HERE / name, [Sheet(SHEET, rows)])
    expect(name, sheet=SHEET, town="官塘镇", town_source="cell", period="2023-10", period_source="cell",
           header_rows=[2], rows=[
               project(3, project_name="奕湖村文化室", village="奕湖村", allocated=W(100), spent=W(50), status="在建"),
               project(4, True, project_name="奕庵村道路", village="奕庵村", allocated=W(200), status="在建"),
               project(5, True, village="奕东村", allocated=W(150), spent=W(20), status="前期"),
               project(6, True, project_name="尧里村水渠", village="尧里村", spent=0, status="前期"),
               project(7, True, project_name="苏三村广场", village="苏三村", allocated=W(80), status="完工"),
               project(8, project_name="宫头村路灯", village="宫头村", allocated=W(60), spent=W(90)),
               project(9, project_name="顶乡村排水", village="顶乡村", allocated=12345679, spent=W(1), status="在建"),
               project(10, True, project_name="奕湖村文化室", village="奕湖村", allocated=W(100), spent=W(50),
                       status="在建")],
           findings=[finding("bad-amount", SHEET, 4, 5, "已支出（万元）"), finding("missing-name", SHEET, 5, 2, "项目名称"),
                     finding("negative-amount", SHEET, 6, 4, "下达资金（万元）"),
                     finding("bad-amount", SHEET, 7, 5, "已支出（万元）"),
                     finding("spent-over-allocated", SHEET, 8, 5, "已支出（万元）"),
                     finding("bad-status", SHEET, 8, 6, "项目状态"),
                     finding("rounded-to-fen", SHEET, 9, 4, "下达资金（万元）"),
                     finding("duplicate-project", SHEET, 10, 2, "项目名称")])


@quirk
def macro_enabled() -> None:
    name = "macro-enabled.xlsm"
    rows = [["桥东街道办事处2023年10月驻镇帮镇扶村项目进度表"], HEAD[:5], [1, "桥东村口袋公园", "桥东村", 80, 20]]
    write_xlsx(HERE / name, [Sheet(SHEET, rows, [(0, 0, 0, 4)])], macro=True)
    expect(name, sheet=SHEET, town="桥东街道", town_source="cell", period="2023-10", period_source="cell",
           header_rows=[2], rows=[project(3, project_name="桥东村口袋公园", village="桥东村", allocated=W(80),
                                          spent=W(20))])


@quirk
def csv_encodings() -> None:
    for name, town, village, encoding in (("utf8.csv", "铁铺镇", "铁铺村", "utf-8"),
                                          ("utf8-bom.csv", "意溪镇", "锡美村", "utf-8-sig"),
                                          ("gbk-encoded.csv", "磷溪镇", "溪口村", "gb18030")):
        rows = [[f"{town}2023年10月驻镇帮镇扶村项目进度"], HEAD[:5],
                ["1", f"{village}道路硬化", village, "150", "75.5"], ["2", f"{village}路灯", village, "1,200", ""]]
        write_csv(HERE / name, rows, encoding)
        expect(name, sheet=name.removesuffix(".csv"), town=town, town_source="cell", period="2023-10",
               period_source="cell", header_rows=[2], rows=[
                   project(3, project_name=f"{village}道路硬化", village=village, allocated=W(150), spent=W("75.5")),
                   project(4, project_name=f"{village}路灯", village=village, allocated=W(1200), spent=0)])


@quirk
def legacy_xls() -> None:
    name = "legacy.xls"
    rows = [["官塘镇2023年10月驻镇帮镇扶村项目进度表"], HEAD[:5],
            [1, "奕湖村文化室", "奕湖村", 100, 40.25], [2, "象山村光伏", "象山村", 120, 0]]
    if not write_xls(HERE / name, Sheet(SHEET, rows, [(0, 0, 0, 4)])) and not (HERE / name).exists():
        return
    expect(name, sheet=SHEET, town="官塘镇", town_source="cell", period="2023-10", period_source="cell",
           header_rows=[2], rows=[
               project(3, project_name="奕湖村文化室", village="奕湖村", allocated=W(100), spent=W("40.25")),
               project(4, project_name="象山村光伏", village="象山村", allocated=W(120), spent=0)])


@quirk
def two_towns_in_one_file() -> None:
    name = "two-towns-in-one-file.xlsx"
    rows = [["序号", "镇街", "项目名称", "下达资金（万元）", "已支出（万元）"],
            [1, "官塘镇", "奕湖村文化室", 100, 40], [2, "铁铺镇", "铁铺村文化广场", 150, 75],
            [3, "官塘镇人民政府", "象山村光伏", 120, 0]]
    write_xlsx(HERE / name, [Sheet("汇总", rows)])
    expect(name, sheet="汇总", town=None, town_source=None, period=None, period_source=None, header_rows=[1], rows=[
        project(2, town="官塘镇", project_name="奕湖村文化室", allocated=W(100), spent=W(40)),
        project(3, town="铁铺镇", project_name="铁铺村文化广场", allocated=W(150), spent=W(75)),
        project(4, town="官塘镇", project_name="象山村光伏", allocated=W(120), spent=0)],
        findings=[finding("several-towns", "汇总", None, None, "镇街")])


@quirk
def template_marker() -> None:
    name = "fundmon-template-marker.xlsx"
    rows = [["fundmon-template v1"], ["填报单位：官塘镇  报表月份：2023年10月  单位：万元"], HEAD[:5],
            [1, "奕湖村文化室", "奕湖村", 100, 40]]
    write_xlsx(HERE / name, [Sheet(SHEET, rows)])
    expect(name, sheet=SHEET, town="官塘镇", town_source="cell", period="2023-10", period_source="cell",
           is_template=True, header_rows=[3], rows=[
               project(4, project_name="奕湖村文化室", village="奕湖村", allocated=W(100), spent=W(40))])


@quirk
def missing_columns() -> None:
    rows = [["官塘镇2023年10月项目进度表"], ["序号", "项目名称", "下达资金（万元）", "形象进度"], [1, "奕湖村文化室", 100, "50%"]]
    write_xlsx(HERE / "missing-spent-column.xlsx", [Sheet(SHEET, rows)])
    meta = {"sheet": SHEET, "town": "官塘镇", "town_source": "cell", "period": "2023-10", "period_source": "cell",
            "header_rows": [2]}
    expect("missing-spent-column.xlsx", **meta, rows=[],
           findings=[finding("missing-column", SHEET, 2, None, None)])
    rows = [["官塘镇2023年10月项目进度表"], ["序号", "项目名称", "已支出（万元）", "形象进度"], [1, "奕湖村文化室", 40, "50%"]]
    write_xlsx(HERE / "missing-allocated-column.xlsx", [Sheet(SHEET, rows)])
    expect("missing-allocated-column.xlsx", **meta,
           rows=[project(3, project_name="奕湖村文化室", spent=W(40), progress="0.5")],
           findings=[finding("missing-column", SHEET, 2, None, None)])


@quirk
def no_header_at_all() -> None:
    name = "no-header-at-all.xlsx"
    rows = [["官塘镇2023年10月报送情况说明"], ["本月各项目进展见附件，请查收。"], ["联系人：张三"]]
    write_xlsx(HERE / name, [Sheet("说明", rows)])
    expect(name, sheet=None, town="官塘镇", town_source="cell", period="2023-10", period_source="cell",
           header_rows=[], rows=[], findings=[finding("no-header", None, None, None, None)])
