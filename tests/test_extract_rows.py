"""Row rules of parse_grids on small in-memory grids: sections, totals, spending columns, towns, duplicates."""

from __future__ import annotations

from typing import Any

from etl.extract import parse_grids
from etl.model import ParsedFile, SheetGrid

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
