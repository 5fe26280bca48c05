"""Row rules of parse_grids on small in-memory grids: sections, totals, spending columns, towns, duplicates."""

from __future__ import annotations

from typing import Any

import pytest

from etl.extract import parse_grids
from etl.model import CellError, ParsedFile, SheetGrid

HEAD = ["序号", "项目名称", "下达资金", "已支出"]


def parse(rows: list[list[Any]], name: str = "官塘镇_202310.xlsx", sheets: list[SheetGrid] | None = None,
          merged: list[tuple[int, int, int, int]] | None = None) -> ParsedFile:
    width = max(len(r) for r in rows)
    grid = SheetGrid("项目进度", [r + [None] * (width - len(r)) for r in rows], merged or [])
    return parse_grids([grid, *(sheets or [])], name)


def codes(parsed: ParsedFile) -> list[tuple[str, int | None]]:
    return [(f.code, f.row) for f in parsed.all_findings]


def test_nested_sections_carry_year_and_category() -> None:
    parsed = parse([HEAD, ["一、2022年结转项目"], ["（一）产业发展类"], [1, "a", 10, 5], ["（二）基础设施类"],
                    [2, "b", 10, 5], ["二、2023年新增项目"], [3, "c", 10, 5]])
    got = [(r.values.get("fund_year"), r.values.get("category")) for r in parsed.rows]
    assert got == [(2022, "产业发展"), (2022, "基础设施"), (2023, None)]
    assert codes(parsed) == []


def test_total_row_on_top_is_checked_against_the_rows_below() -> None:
    good = parse([HEAD, ["合计", None, 30, 15], [1, "a", 10, 5], [2, "b", 20, 10]])
    assert codes(good) == []
    bad = parse([HEAD, ["合计", None, 31, 15], [1, "a", 10, 5], [2, "b", 20, 10]])
    assert codes(bad) == [("total-mismatch", 2)]
    assert bad.findings[0].column == "下达资金" and bad.findings[0].col == 3


def test_total_rounded_to_two_decimals_in_wan_is_accepted() -> None:
    parsed = parse([HEAD, [1, "a", 10.1234, 5], [2, "b", 20.1234, 10], ["合计", None, 30.25, 15]])
    assert codes(parsed) == []


def test_ytd_and_project_to_date_columns_are_never_mixed() -> None:
    parsed = parse([["项目名称", "下达资金", "已支出", "本年累计支出", "以前年度支出"], ["a", 100, 70, 20, 40]])
    values = parsed.rows[0].values
    assert (values["spent"], values["spent_ytd"], values["spent_prior"]) == (70_000_000, 20_000_000, 40_000_000)


def test_duplicate_project_code_rejects_the_second_row() -> None:
    parsed = parse([["项目编号", "项目名称", "下达资金", "已支出"], ["XQ-001", "a", 10, 1], ["XQ-001", "b", 10, 1],
                    ["XQ-002", "a", 10, 1]])
    assert [r.rejected for r in parsed.rows] == [False, True, False]
    assert codes(parsed) == [("duplicate-project", 3)]


def test_same_name_in_two_fund_years_is_two_projects() -> None:
    parsed = parse([["项目名称", "资金年度", "下达资金", "已支出"], ["a", 2022, 10, 1], ["a", 2023, 10, 1]])
    assert codes(parsed) == []


def test_town_column_wins_over_the_file_name() -> None:
    parsed = parse([["镇街", *HEAD], ["铁铺镇", 1, "a", 10, 1], ["铁铺镇", 2, "b", 10, 1]])
    assert (parsed.town, parsed.town_source) == ("铁铺镇", "column")
    assert [r.values["town"] for r in parsed.rows] == ["铁铺镇", "铁铺镇"]


def test_amount_hint_beats_the_column_unit_and_messages_name_the_unit() -> None:
    parsed = parse([["项目名称", "下达资金（元）", "已支出（元）"], ["a", "12.5万", "待定"]])
    row = parsed.rows[0]
    assert row.values["allocated"] == 12_500_000 and row.rejected
    assert row.findings[0].message == "已支出：“待定”不是金额，请填写数字（元）"
    assert parsed.unit == "元"


def test_one_bad_row_does_not_stop_the_others() -> None:
    parsed = parse([HEAD, [1, "a", "待定", 1], [2, "b", 10, 1]])
    assert [r.rejected for r in parsed.rows] == [True, False]
    assert len(parsed.accepted_rows) == 1


def test_a_row_with_only_a_note_is_not_a_project() -> None:
    parsed = parse([[*HEAD, "备注"], [1, "a", 10, 1, None], [None, None, None, None, "以上项目均已入库"]])
    assert [r.excel_row for r in parsed.rows] == [2]


def test_cells_without_a_header_label_keep_their_column_letter() -> None:
    parsed = parse([[*HEAD, None], [1, "a", 10, 1, "手写备注"]])
    assert parsed.rows[0].raw["E列"] == "手写备注"


def test_empty_sheet_with_a_header_elsewhere_is_not_an_extra_sheet() -> None:
    other = SheetGrid("空表", [HEAD])
    parsed = parse([HEAD, [1, "a", 10, 1]], sheets=[other])
    assert codes(parsed) == []


def test_header_without_rows_is_no_data_rows() -> None:
    parsed = parse([HEAD, ["合计", None, 0, 0]])
    assert codes(parsed) == [("no-data-rows", None)]


def test_no_grids_at_all_is_no_header() -> None:
    parsed = parse_grids([], "官塘镇.xlsx")
    assert [f.code for f in parsed.findings] == ["no-header"] and parsed.town == "官塘镇"


def test_footer_keyword_inside_a_project_row_with_amounts_does_not_stop_reading() -> None:
    parsed = parse([[*HEAD, "存在问题"], [1, "a", 10, 1, "负责人：调岗"], [2, "b", 10, 1], ["填报人：张三"],
                    [3, "c", 10, 1]])
    assert [r.values["project_name"] for r in parsed.rows] == ["a", "b"]


def test_section_row_with_a_subtotal_is_checked() -> None:
    parsed = parse([HEAD, ["一、产业发展类", None, 25, 6], [1, "a", 10, 1], [2, "b", 10, 5],
                    ["二、基础设施类", None, 10, 1], [3, "c", 10, 1]])
    assert codes(parsed) == [("total-mismatch", 2)]
    assert "产业发展类" in parsed.findings[0].message


def test_header_map_and_row_labels() -> None:
    parsed = parse([["序号", "项目\n名称", "下达资金\n（万元）", "已支出"], [1, "a", 10, 1]])
    assert parsed.header_map == {"项目名称": "project_name", "下达资金（万元）": "allocated", "已支出": "spent"}
    assert parsed.rows[0].labels == {"project_name": "项目名称", "allocated": "下达资金（万元）", "spent": "已支出"}
    assert parsed.rows[0].columns == {"project_name": 2, "allocated": 3, "spent": 4}


def test_a_sample_table_in_an_instruction_sheet_loses_a_tie() -> None:
    sample = SheetGrid("填表说明", [HEAD, [1, "示例项目", 100, 50]])
    data = SheetGrid("Sheet2", [HEAD, [1, "a", 10, 1]])
    parsed = parse_grids([sample, data], "官塘镇_202310.xlsx")
    assert parsed.sheet == "Sheet2" and [r.values["project_name"] for r in parsed.rows] == ["a"]
    assert codes(parsed) == []


# QA fixes: several project sheets, town/period sources that disagree, CSV rows longer than the header


def sheet(name: str, rows: list[list[Any]]) -> SheetGrid:
    width = max(len(r) for r in rows)
    return SheetGrid(name, [r + [None] * (width - len(r)) for r in rows])


def test_every_project_sheet_of_the_same_town_and_month_is_read() -> None:
    first = sheet("新增项目", [["官塘镇2023年10月项目表"], HEAD, [1, "a", 10, 5]])
    second = sheet("结转项目", [["项目名称", "资金年度", "下达资金", "已支出"], ["b", 2022, 20, 15], ["a", 2022, 5, 5]])
    parsed = parse_grids([first, second], "官塘镇_202310.xlsx")
    assert parsed.sheet == "新增项目"
    assert [(r.sheet, r.excel_row, r.values["project_name"]) for r in parsed.rows] == \
        [("新增项目", 3, "a"), ("结转项目", 2, "b"), ("结转项目", 3, "a")]
    assert codes(parsed) == [] and not parsed.town_conflict


def test_a_project_repeated_on_another_sheet_names_that_sheet() -> None:
    first = sheet("表1", [HEAD, [1, "a", 10, 5]])
    second = sheet("表2", [HEAD, [1, "a", 10, 5]])
    parsed = parse_grids([first, second], "官塘镇_202310.xlsx")
    assert codes(parsed) == [("duplicate-project", 2)]
    found = parsed.all_findings[0]
    assert found.sheet == "表2" and "工作表“表1”第2行" in found.message and found.column == "项目名称"


def test_last_months_copy_is_another_period_and_an_error() -> None:
    now = sheet("10月", [["官塘镇2023年10月项目表"], HEAD, [1, "a", 10, 5]])
    old = sheet("9月", [["官塘镇2023年9月项目表"], HEAD, [1, "a", 10, 3]])
    parsed = parse_grids([now, old], "官塘镇.xlsx")
    assert [r.sheet for r in parsed.rows] == ["10月"]
    (found,) = parsed.findings
    assert (found.code, found.sheet, found.is_error) == ("several-periods", "9月", True)
    assert "2023年10月" in found.message and "2023年9月" in found.message


def test_a_sheet_of_another_town_is_an_error() -> None:
    ours = sheet("官塘镇", [HEAD, [1, "a", 10, 5]])
    theirs = sheet("铁铺镇", [HEAD, [1, "b", 10, 5]])
    parsed = parse_grids([ours, theirs], "2023年10月.xlsx")
    assert [r.sheet for r in parsed.rows] == ["官塘镇"]
    assert [(f.code, f.sheet) for f in parsed.findings] == [("several-towns", "铁铺镇")]
    assert "官塘镇" in parsed.findings[0].message and "铁铺镇" in parsed.findings[0].message


def test_a_second_table_of_another_shape_is_skipped_as_an_error() -> None:
    other = sheet("资金下达", [["项目名称", "村(社区)", "下达资金"], ["a", "奕湖村", 10]])
    parsed = parse([HEAD, [1, "a", 10, 5]], sheets=[other])
    assert [r.sheet for r in parsed.rows] == ["项目进度"]
    (found,) = parsed.findings
    assert (found.code, found.sheet, found.severity) == ("extra-sheet", "资金下达", "error")


def test_title_and_file_name_that_disagree_are_errors_naming_both() -> None:
    parsed = parse([["磷溪镇2023年9月驻镇帮镇扶村项目进度表"], HEAD, [1, "a", 10, 5]], name="官塘镇_202310.xlsx")
    assert (parsed.town, parsed.period) == ("磷溪镇", "2023-09")  # what the sheet says still wins …
    assert parsed.town_conflict and parsed.period_conflict  # … but the caller knows, and --town/--period settle it
    town, period = parsed.findings
    assert (town.code, town.is_error, period.code, period.is_error) == ("town-conflict", True, "period-conflict", True)
    assert "磷溪镇" in town.message and "官塘镇" in town.message and "文件名" in town.message
    assert "2023年9月" in period.message and "2023年10月" in period.message
    assert "--" not in town.message + period.message  # a town has no command line: the hint is ingest's note


def test_sheet_name_and_title_disagree() -> None:
    parsed = parse_grids([sheet("铁铺镇9月", [["报送月份：2023年10月"], HEAD, [1, "a", 10, 5]])], "报表.xlsx")
    assert [f.code for f in parsed.findings] == ["period-conflict"] and not parsed.town_conflict
    assert "工作表名" in parsed.findings[0].message


@pytest.mark.parametrize(("file_name", "sheet_name"), [
    ("铁铺镇-10月报表.xlsx", "10月"), ("铁铺镇人民政府_202310.xlsx", "Sheet1"), ("铁铺_2023年10月.xlsx", "铁铺镇"),
])
def test_sources_that_agree_are_no_conflict(file_name: str, sheet_name: str) -> None:
    grid = sheet(sheet_name, [["填报单位：铁铺镇", None, "报送月份：2023年10月"], HEAD, [1, "a", 10, 5]])
    parsed = parse_grids([grid], file_name)
    assert codes(parsed) == [] and (parsed.town, parsed.period) == ("铁铺镇", "2023-10")
    assert not parsed.town_conflict and not parsed.period_conflict


def test_a_title_naming_two_towns_is_an_error() -> None:
    parsed = parse([["意溪镇、磷溪镇2023年10月项目表"], HEAD, [1, "a", 10, 5]], name="2023年10月.xlsx")
    assert [f.code for f in parsed.findings] == ["several-towns"]
    assert "意溪镇、磷溪镇" in parsed.findings[0].message


def test_default_year_completes_a_month_only_file_name() -> None:
    grid = sheet("Sheet1", [HEAD, [1, "a", 10, 5]])
    assert parse_grids([grid], "意溪镇10月.xlsx").period is None
    parsed = parse_grids([grid], "意溪镇10月.xlsx", default_year=2023)
    assert (parsed.town, parsed.period, parsed.period_source) == ("意溪镇", "2023-10", "file")


def test_unit_note_and_column_unit_that_disagree_warn_and_the_column_wins() -> None:
    parsed = parse([["单位：元"], ["项目名称", "下达资金（万元）", "已支出"], ["a", 10, 50000]])
    assert parsed.rows[0].values == {"project_name": "a", "allocated": 10_000_000, "spent": 5_000_000}
    (found,) = parsed.findings
    assert (found.code, found.severity, found.column) == ("unit-conflict", "warning", "下达资金（万元）")


def test_formula_errors_reject_required_fields_and_warn_on_the_rest() -> None:
    bad = CellError("#DIV/0!", "C2/0")
    parsed = parse([[*HEAD, "形象进度", "备注"], [1, "a", 10, bad, "50%", None], [2, "b", 10, 1, bad, bad],
                    [3, bad, 10, 1, None, None], ["合计", None, 30, CellError("", "SUM(D2:D4)"), None, None]])
    assert [r.rejected for r in parsed.rows] == [True, False, True]
    assert [(f.code, f.row, f.col, f.severity) for f in parsed.all_findings] == [
        ("formula-error", 2, 4, "error"), ("formula-error", 3, 5, "warning"), ("formula-error", 3, 6, "warning"),
        ("formula-error", 4, 2, "error")]
    assert parsed.rows[0].findings[0].message == "已支出：公式计算错误（#DIV/0!），请在Excel中修正公式并重新保存后报送"
    assert parsed.rows[0].raw["已支出"] == "#DIV/0!" and "spent" not in parsed.rows[0].values


def test_csv_row_longer_than_its_header_is_rejected() -> None:
    rows = [HEAD + [None, None], ["1", "a", "1", "200.50", "30", None], ["2", "b", "10", "5", None, None],
            ["3", "c", "1", "2", "3", "4"]]
    parsed = parse_grids([SheetGrid("官塘镇_202310", rows, source="csv")], "官塘镇_202310.csv")
    assert [r.rejected for r in parsed.rows] == [True, False, True]
    extra = [f for f in parsed.all_findings if f.code == "extra-fields"]
    assert [(f.row, f.col, f.raw) for f in extra] == [(2, 5, "30"), (4, 5, "3")]
    assert extra[1].message == "本行比表头多出2列，金额中的逗号可能未加引号（如 1,200.50 应写作 1200.50），请核对"
    # the same grid from a workbook is not checked: a note beside the table is normal there
    assert not any(f.code == "extra-fields" for f in parse(rows).all_findings)
