"""Header recognition and file meta (town, period, unit): synonyms, two-row headers, titles and names."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from etl.header import SYNONYMS, find_header, match_field
from etl.meta import find_town, find_towns, meta_from_name, meta_from_rows
from etl.model import SheetGrid

ALL_WORDS = [(name, word) for name, words in SYNONYMS.items() for word in words]


@pytest.mark.parametrize(("name", "word"), ALL_WORDS)
def test_every_synonym_names_its_field(name: str, word: str) -> None:
    found = match_field(word)
    assert found is not None and found[0] == name


@pytest.mark.parametrize(("label", "name"), [
    ("下达资金\n（万元）", "allocated"), ("截至10月底累计支出", "spent"), ("资金情况下达", "allocated"),
    ("累计支出率", "spend_rate"), ("本年累计支出（万元）", "spent_ytd"), ("上年结转已支出", "spent_prior"),
    ("2023年下达资金", "allocated"), ("镇（街道）", "town"), ("村（居）", "village"), ("形象进度（%）", "progress"),
    ("【项目名称】", "project_name"), ("*项目名称", "project_name"), ("项目编号：", "project_code"),
])
def test_labels_towns_write(label: str, name: str) -> None:
    found = match_field(label)
    assert found is not None and found[0] == name


@pytest.mark.parametrize("label", ["本月支出", "项目负责人", "填报单位：官塘镇", "建设内容", "实际开工时间", "", None,
                                   "磷溪镇2023年10月驻镇帮镇扶村项目资金支出进度情况统计表"])
def test_labels_that_name_no_field(label: Any) -> None:
    assert match_field(label) is None


def test_exact_beats_contained() -> None:
    exact, contained = match_field("已支出"), match_field("截至10月底已支出")
    assert exact is not None and contained is not None and exact[1] > contained[1]


def _messy(draw: st.DrawFn, word: str) -> str:
    out = []
    for ch in word:
        out.append(draw(st.sampled_from(["", "", " ", "\n", "\u3000", " \n "])))
        out.append({"(": "（", ")": "）"}.get(ch, ch) if draw(st.booleans()) else ch)
    out.append(draw(st.sampled_from(["", "\n（万元）", "(元)", "（单位：万元）", " "])))
    return "".join(out)


@st.composite
def messy_synonym(draw: st.DrawFn) -> tuple[str, str]:
    name, word = draw(st.sampled_from(ALL_WORDS))
    return name, _messy(draw, word)


@settings(max_examples=300, deadline=None)
@given(messy_synonym())
def test_recognition_ignores_whitespace_breaks_and_fullwidth_brackets(case: tuple[str, str]) -> None:
    name, label = case
    found = match_field(label)
    assert found is not None and found[0] == name, label


def grid(rows: list[list[Any]], merged: list[tuple[int, int, int, int]] | None = None,
         name: str = "项目进度") -> SheetGrid:
    width = max(len(r) for r in rows)
    return SheetGrid(name, [r + [None] * (width - len(r)) for r in rows], merged or [])


def test_two_row_header_with_group_cell_and_vertical_merges() -> None:
    g = grid([["序号", "项目名称", "资金情况（元）", None, "备注"], [None, None, "下达", "已支出", None],
              [1, "奕湖村文化室", 100, 50, None]], [(0, 0, 1, 0), (0, 1, 1, 1), (0, 2, 0, 3), (0, 4, 1, 4)])
    header = find_header(g)
    assert header is not None and header.rows == (0, 1)
    assert header.fields == {"seq": 0, "project_name": 1, "allocated": 2, "spent": 3, "remarks": 4}
    assert [c.label for c in header.columns] == ["序号", "项目名称", "下达", "已支出", "备注"]
    assert header.columns[2].unit == "元" and header.columns[2].group == "资金情况（元）"


def test_two_row_header_without_merges_when_lower_row_adds_fields() -> None:
    g = grid([["项目名称", "资金情况（万元）", None], [None, "下达", "已支出"], ["奕湖村文化室", 100, 50]])
    header = find_header(g)
    assert header is not None and header.rows == (0, 1) and header.fields["spent"] == 2


def test_title_and_info_rows_are_not_the_upper_header_row() -> None:
    g = grid([["官塘镇2023年10月项目进度表"], ["填报单位：官塘镇", "报表月份：2023年10月"],
              ["项目名称", "下达资金", "已支出"], ["奕湖村文化室", 100, 50]], [(0, 0, 0, 2)])
    header = find_header(g)
    assert header is not None and header.rows == (2,)


def test_a_field_matched_twice_keeps_the_better_column() -> None:
    g = grid([["项目名称", "下达资金", "截至10月底累计支出", "已支出"], ["a", 1, 1, 1]])
    header = find_header(g)
    assert header is not None and header.fields["spent"] == 3
    assert [(f, c.index) for f, c in header.duplicates] == [("spent", 2)]
    assert header.columns[2].field is None


def test_unit_from_own_header() -> None:
    g = grid([["项目名称", "下达资金（元）", "已支出（万元）", "已拨付"], ["a", 1, 1, 1]])
    header = find_header(g)
    assert header is not None and [c.unit for c in header.columns] == [None, "元", "万元", None]


def test_instruction_sheet_has_no_header() -> None:
    g = grid([["填表说明"], ["1. 项目名称：填写全称"], ["2. 下达资金、已支出：单位万元"], ["3. 形象进度：百分比"]])
    assert find_header(g) is None


def test_header_scan_rows_limits_the_search() -> None:
    rows: list[list[Any]] = [[None, None, None]] * 35 + [["项目名称", "下达资金", "已支出"], ["a", 1, 1]]
    assert find_header(grid(rows)) is None
    found = find_header(grid(rows), scan_rows=40)
    assert found is not None and found.rows == (35,)


@pytest.mark.parametrize(("text", "town"), [
    ("潮州市湘桥区官塘镇人民政府", "官塘镇"), ("桥东街道办事处", "桥东街道"), ("2023年10月驻镇帮镇扶村项目表（意溪镇）", "意溪镇"),
    ("磷溪镇2023年10月驻镇帮镇扶村项目进度表", "磷溪镇"), ("驻镇帮镇扶村项目进度表", None), ("各乡镇", None),
])
def test_find_town(text: str, town: str | None) -> None:
    assert find_town(text) == town


@pytest.mark.parametrize("rows", [
    [["填报单位：官塘镇  报表月份：2023年10月  单位：万元"]],
    [["填报单位：", "官塘镇", "报表月份：", "2023年10月", "单位：万元"]],
    [["填报单位：官塘镇", None, "报表月份：", date(2023, 10, 1)]],
    [["官塘镇2023年10月驻镇帮镇扶村项目进度表"], ["（单位：万元）"]],
])
def test_info_rows_in_one_cell_or_several(rows: list[list[Any]]) -> None:
    meta = meta_from_rows(rows)
    assert (meta.town, meta.period, meta.town_source, meta.period_source) == ("官塘镇", "2023-10", "cell", "cell")


def test_send_date_is_never_the_period() -> None:
    meta = meta_from_rows([["报送日期：2023年11月3日"], ["铁铺镇项目进度表"]])
    assert meta.period is None and meta.sent_on == date(2023, 11, 3)
    meta = meta_from_rows([["铁铺镇项目进度表  2023年11月3日"]])
    assert meta.period is None
    meta = meta_from_rows([["报送日期：2023年11月3日　报送月份：2023年10月　单位：元"]])
    assert (meta.period, meta.sent_on, meta.unit) == ("2023-10", date(2023, 11, 3), "元")


@pytest.mark.parametrize(("name", "year", "town", "period"), [
    ("官塘镇_202310.xlsx", None, "官塘镇", "2023-10"), ("2023年10月铁铺镇.xlsx", None, "铁铺镇", "2023-10"),
    ("意溪镇 2023-10.csv", None, "意溪镇", "2023-10"), ("桥东街道10月.xls", 2023, "桥东街道", "2023-10"),
    ("桥东街道10月.xls", None, "桥东街道", None), ("报表.xlsx", None, None, None),
])
def test_meta_from_file_name(name: str, year: int | None, town: str | None, period: str | None) -> None:
    meta = meta_from_name(name, "file", year)
    assert (meta.town, meta.period) == (town, period)
    assert meta.period_source == ("file" if period else None)


@pytest.mark.parametrize("label", ["未支出金额", "结余资金", "待拨付资金", "序时进度", "偏差"])
def test_remainders_are_not_the_cumulative_fields(label: str) -> None:
    assert match_field(label) is None


def test_breakdown_under_a_field_group_is_not_a_duplicate() -> None:
    g = grid([["项目名称", "下达资金（万元）", None, None, "已支出"], [None, "合计", "省级", "市级", None],
              ["a", 30, 20, 10, 5]], [(0, 0, 1, 0), (0, 1, 0, 3), (0, 4, 1, 4)])
    header = find_header(g)
    assert header is not None and header.rows == (0, 1)
    assert header.fields == {"project_name": 0, "allocated": 1, "spent": 4} and header.duplicates == []


# QA fixes: unit notes in group cells, period spellings in titles and names, two towns in a title


def test_group_cell_with_a_unit_note_is_the_upper_header_row() -> None:
    g = grid([["项目名称", "资金（单位：万元）", None, "形象进度"], [None, "下达", "已支出", None], ["a", 10, 5, "50%"]],
             [(0, 0, 1, 0), (0, 1, 0, 2), (0, 3, 1, 3)])
    header = find_header(g)
    assert header is not None and header.rows == (0, 1)
    assert header.fields == {"project_name": 0, "allocated": 1, "spent": 2, "progress": 3}
    assert header.columns[1].unit == "万元"


@pytest.mark.parametrize("info", [["单位：万元", "填报单位：官塘镇"], ["铁铺镇项目进度表", "单位：万元"]])
def test_an_info_row_with_a_unit_note_is_still_not_a_header_row(info: list[str]) -> None:
    g = grid([info, ["项目名称", "下达资金", "已支出"], ["a", 10, 5]])
    header = find_header(g)
    assert header is not None and header.rows == (1,)


@pytest.mark.parametrize(("title", "period"), [
    ("2023年1-10月驻镇帮镇扶村项目资金支出情况", "2023-10"),
    ("截至2023年10月31日铁铺镇项目资金支出情况", "2023-10"),
    ("截止2023.10.31铁铺镇项目资金支出情况", "2023-10"),
    ("铁铺镇2023年十月份项目表", "2023-10"),
    ("铁铺镇项目进度表  2023年11月3日", None),  # a full date without 截至 is a send date
])
def test_period_spellings_in_a_title(title: str, period: str | None) -> None:
    assert meta_from_rows([[title]]).period == period


def test_send_date_is_still_never_the_period_beside_an_as_of_title() -> None:
    meta = meta_from_rows([["截至2023年10月31日铁铺镇项目资金支出情况"], ["报送日期：2023年11月3日"]])
    assert (meta.period, meta.sent_on) == ("2023-10", date(2023, 11, 3))


@pytest.mark.parametrize(("name", "year", "period", "month"), [
    ("10月.xlsx", None, None, 10), ("10月.xlsx", 2023, "2023-10", 10), ("意溪镇10月.xlsx", 2024, "2024-10", 10),
    ("铁铺镇-10月报表.xlsx", None, None, 10), ("官塘镇_202310.xlsx", 2022, "2023-10", 10), ("统一月报.xlsx", None, None, None),
])
def test_month_only_file_names_wait_for_the_default_year(name: str, year: int | None, period: str | None,
                                                          month: int | None) -> None:
    meta = meta_from_name(name, "file", year)
    assert (meta.period, meta.month) == (period, month)


def test_a_title_naming_two_towns_names_both() -> None:
    assert find_towns("意溪镇、磷溪镇2023年10月项目表") == ["意溪镇", "磷溪镇"]
    assert meta_from_rows([["意溪镇、磷溪镇2023年10月项目表"]]).towns == ("意溪镇", "磷溪镇")
    assert meta_from_rows([["官塘镇2023年10月项目表"], ["填报单位：官塘镇人民政府"]]).towns == ("官塘镇",)
