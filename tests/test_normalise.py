"""Examples and properties of the cell-value parsers in etl.normalise."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from etl.model import CellError
from etl.normalise import (
    STATUSES,
    ParseError,
    clean_text,
    fold,
    is_blank,
    normalise_header,
    normalise_name,
    normalise_status,
    parse_amount,
    parse_date,
    parse_month_only,
    parse_percent,
    parse_period,
    parse_year,
    strip_place_prefix,
    to_fen,
    unit_from_text,
)

CHINESE = re.compile(r"[\u4e00-\u9fff]")
FULL_WIDTH = str.maketrans("0123456789.,", "０１２３４５６７８９．，")


def assert_chinese_error(func: object, value: object) -> str:
    with pytest.raises(ParseError) as info:
        func(value)  # type: ignore[operator]
    assert CHINESE.search(str(info.value)), str(info.value)
    return str(info.value)


# fold / is_blank / clean_text


@pytest.mark.parametrize(
    ("raw", "folded"),
    [
        ("１２３ＡＢＣ", "123ABC"),
        ("（万元）：", "(万元):"),
        ("  a\u3000\u3000b\n\r c\xa0d  ", "a b c d"),
        ("下达资金\n（万元）", "下达资金 (万元)"),
    ],
)
def test_fold(raw: str, folded: str) -> None:
    assert fold(raw) == folded


@pytest.mark.parametrize(
    "value",
    [
        None,
        "",
        "  ",
        "\u3000",
        "-",
        "—",
        "－",
        "--",
        "——",
        "/",
        "／",
        "无",
        "暂无",
        "\\",
        "N/A",
        "n/a",
        " - ",
    ],
)
def test_is_blank_markers(value: object) -> None:
    assert is_blank(value)


@pytest.mark.parametrize("value", [0, 0.0, "0", "a", "无锡", "-1", "1/2"])
def test_is_blank_keeps_values(value: object) -> None:
    assert not is_blank(value)


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (2023.0, "2023"),
        (7, "7"),
        (12.5, "12.5"),
        (" 沙溪镇\n", "沙溪镇"),
        ("—", None),
        (None, None),
        ("Ａ　村", "A 村"),
        (date(2023, 10, 15), "2023-10-15"),
    ],
)
def test_clean_text(value: object, text: str | None) -> None:
    assert clean_text(value) == text


# amounts


@pytest.mark.parametrize(
    ("value", "amount", "unit"),
    [
        ("1,234.56", "1234.56", None),
        (" 12.5 ", "12.5", None),
        ("１２.５", "12.5", None),
        ("１２．５", "12.5", None),
        ("1，234.5", "1234.5", None),
        ("12.5万", "12.5", "万元"),
        ("12.5万元", "12.5", "万元"),
        ("12.5 万元", "12.5", "万元"),
        ("1234元", "1234", "元"),
        ("¥1,234.00", "1234.00", None),
        ("￥12", "12", None),
        ("(12.5)", "-12.5", None),
        ("（12.5）", "-12.5", None),
        ("-12.5", "-12.5", None),
        ("−12.5", "-12.5", None),
        ("-¥12", "-12", None),
        ("1.2E+3", "1200", None),
        ("1.2e3", "1200", None),
        (".5", "0.5", None),
        (12.3, "12.3", None),
        (0.1, "0.1", None),
        (1234.0, "1234", None),
        (12, "12", None),
        (Decimal("7.25"), "7.25", None),
    ],
)
def test_parse_amount(value: object, amount: str, unit: str | None) -> None:
    result = parse_amount(value)
    assert result is not None
    assert result[0] == Decimal(amount)
    assert result[1] == unit


def test_parse_amount_keeps_excel_float_exact() -> None:
    result = parse_amount(12.3)
    assert result is not None and str(result[0]) == "12.3"


@pytest.mark.parametrize("value", [None, "", "-", "/", "无", "——", "N/A"])
def test_parse_amount_blank(value: object) -> None:
    assert parse_amount(value) is None


@pytest.mark.parametrize(
    "value",
    [
        "待定",
        "nan",
        "NaN",
        "inf",
        float("nan"),
        float("inf"),
        True,
        False,
        "12,5",
        "1,23,4",
        "12.5亿",
        "1.2.3",
        "12a",
        "1e30",
        Decimal("NaN"),
    ],
)
def test_parse_amount_errors(value: object) -> None:
    assert_chinese_error(parse_amount, value)


def test_parse_amount_error_message_names_the_value() -> None:
    assert assert_chinese_error(parse_amount, "待定") == "“待定”不是金额，请填写数字（万元）"


@pytest.mark.parametrize(
    ("amount", "unit", "fen", "rounded"),
    [
        ("12.5", "万元", 12_500_000, False),
        ("0.000001", "万元", 1, False),
        ("0.0000015", "万元", 2, True),
        ("1234.56", "元", 123_456, False),
        ("1.005", "元", 101, True),
        ("1.004", "元", 100, True),
        ("-1.5", "元", -150, False),
        ("0", "万元", 0, False),
    ],
)
def test_to_fen(amount: str, unit: str, fen: int, rounded: bool) -> None:
    assert to_fen(Decimal(amount), unit) == (fen, rounded)


def test_to_fen_unknown_unit() -> None:
    with pytest.raises(ValueError):
        to_fen(Decimal(1), "千元")


# percentages


@pytest.mark.parametrize(
    ("value", "rate"),
    [
        ("45%", "0.45"),
        ("45 %", "0.45"),
        ("４５％", "0.45"),
        ("0.45", "0.45"),
        (0.45, "0.45"),
        (45, "0.45"),
        ("45", "0.45"),
        (45.0, "0.45"),
        ("1", "1"),
        (1, "1"),
        ("100%", "1"),
        ("0%", "0"),
        (0, "0"),
        ("120%", "1.2"),
        ("12.5%", "0.125"),
        (150, "1.5"),
    ],
)
def test_parse_percent(value: object, rate: str) -> None:
    assert parse_percent(value) == Decimal(rate)


@pytest.mark.parametrize("value", [None, "", "-", "/", "无"])
def test_parse_percent_blank(value: object) -> None:
    assert parse_percent(value) is None


@pytest.mark.parametrize("value", ["已完成", "-5%", -0.1, "1001%", 2000, True, "abc%", float("nan")])
def test_parse_percent_errors(value: object) -> None:
    assert_chinese_error(parse_percent, value)


# dates


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (45214, date(2023, 10, 15)),
        (45214.0, date(2023, 10, 15)),
        (45214.75, date(2023, 10, 15)),
        (datetime(2023, 10, 15, 9, 30), date(2023, 10, 15)),
        (date(2023, 10, 15), date(2023, 10, 15)),
        ("2023-10-15", date(2023, 10, 15)),
        ("2023.10.15", date(2023, 10, 15)),
        ("2023/10/15", date(2023, 10, 15)),
        ("2023/1/5", date(2023, 1, 5)),
        ("2023年10月15日", date(2023, 10, 15)),
        ("２０２３年１０月１５日", date(2023, 10, 15)),
        ("2023 年 10 月 15 日", date(2023, 10, 15)),
        ("2023年10月", date(2023, 10, 1)),
        ("2023-10", date(2023, 10, 1)),
        ("2023.10", date(2023, 10, 1)),
        ("2023.1", date(2023, 1, 1)),
        ("20231015", date(2023, 10, 15)),
        (20231015, date(2023, 10, 15)),
        ("2023-10-15 00:00:00", date(2023, 10, 15)),
        (2023.12, date(2023, 12, 1)),
    ],
)
def test_parse_date(value: object, expected: date) -> None:
    assert parse_date(value) == expected


@pytest.mark.parametrize("value", [None, "", "-", "/", "无"])
def test_parse_date_blank(value: object) -> None:
    assert parse_date(value) is None


@pytest.mark.parametrize(
    "value", ["2023-02-30", "2023-13-01", "20231345", "明年", "2023", 2023, 100, 99999999999, True, 2023.1]
)
def test_parse_date_errors(value: object) -> None:
    assert_chinese_error(parse_date, value)


def test_parse_date_ambiguous_excel_number_explains() -> None:
    # Excel stores a typed 2023.10 as the number 2023.1: January or October cannot be told apart
    assert "10月" in assert_chinese_error(parse_date, 2023.1)


# years


@pytest.mark.parametrize(
    "value", [2023, 2023.0, "2023", "2023年", "2023年度", "２０２３", " 2023 ", "2023.0"]
)
def test_parse_year(value: object) -> None:
    assert parse_year(value) == 2023


@pytest.mark.parametrize("value", ["1999", 2101, "23", "二〇二三", 2023.5, "2023年10月", True])
def test_parse_year_errors(value: object) -> None:
    assert_chinese_error(parse_year, value)


def test_parse_year_blank() -> None:
    assert parse_year("—") is None


# periods


@pytest.mark.parametrize(
    ("text", "period"),
    [
        ("报表月份：2023年10月", "2023-10"),
        ("填报单位：官塘镇  报表月份：2023年10月  单位：万元", "2023-10"),
        ("2023年10月", "2023-10"),
        ("２０２３年１０月", "2023-10"),
        ("202310", "2023-10"),
        ("沙溪镇_202310.xlsx", "2023-10"),
        ("2023-10", "2023-10"),
        ("2023.10", "2023-10"),
        ("2023/10", "2023-10"),
        ("2023年10月31日", "2023-10"),
        ("20231015", "2023-10"),
        ("截至2023年10月底", "2023-10"),
        ("截至10月底", None),
        ("联系电话：13812345678", None),
        ("电话：0768-2345678", None),
        ("传真 22345678", None),
        ("2023年13月", None),
        ("202313", None),
        ("报送日期：2023年11月3日", None),
        ("报表月份：2023年10月 报送日期：2023年11月3日", "2023-10"),
        ("报送日期：2023年11月3日 统计月份：2023年10月", "2023-10"),
        ("", None),
    ],
)
def test_parse_period(text: str, period: str | None) -> None:
    assert parse_period(text) == period


@pytest.mark.parametrize(
    ("text", "month"),
    [
        ("10月", 10),
        ("截至10月底", 10),
        ("１０月", 10),
        ("十月", 10),
        ("十二月", 12),
        ("二月", 2),
        ("13月", None),
        ("月报", None),
        ("沙溪镇", None),
    ],
)
def test_parse_month_only(text: str, month: int | None) -> None:
    assert parse_month_only(text) == month


# statuses


@pytest.mark.parametrize(
    ("value", "status"),
    [
        ("前期工作", "前期"),
        ("立项", "前期"),
        ("设计", "前期"),
        ("预算评审", "前期"),
        ("招标", "招投标"),
        ("招标中", "招投标"),
        ("已招标", "招投标"),
        ("采购中", "招投标"),
        ("施工中", "在建"),
        ("正在施工", "在建"),
        ("建设中", "在建"),
        ("已开工", "在建"),
        ("动工", "在建"),
        ("已完工", "完工"),
        ("竣工", "完工"),
        ("完成", "完工"),
        ("验收", "已验收"),
        ("已完成验收", "已验收"),
        ("竣工验收", "已验收"),
        ("结算中", "结算审核"),
        ("审计中", "结算审核"),
        ("结算审计", "结算审核"),
        ("已结算", "已结算"),
        ("已决算", "已结算"),
        ("已审计", "已结算"),
        ("停工", "暂停"),
        ("撤销", "取消"),
        ("终止", "取消"),
        ("未动工", "未开工"),
        (" 在 建 ", "在建"),
        ("在建。", "在建"),
        ("施工阶段", "在建"),
    ],
)
def test_normalise_status_synonyms(value: str, status: str) -> None:
    assert normalise_status(value) == status


@pytest.mark.parametrize("status", STATUSES)
def test_normalise_status_canonical(status: str) -> None:
    assert normalise_status(status) == status


def test_normalise_status_unknown_lists_allowed_values() -> None:
    message = assert_chinese_error(normalise_status, "还行")
    assert all(status in message for status in STATUSES)
    assert normalise_status("—") is None


# units, headers, names


@pytest.mark.parametrize(
    ("text", "unit"),
    [
        ("单位：元", "元"),
        ("（元）", "元"),
        ("(元)", "元"),
        ("金额单位:元", "元"),
        ("单位：人民币元", "元"),
        ("单位：万元", "万元"),
        ("下达资金（万元）", "万元"),
        ("万元", "万元"),
        ("单元格", None),
        ("元旦", None),
        ("单位：千元", None),
        ("填报单位：沙溪镇", None),
        ("", None),
    ],
)
def test_unit_from_text(text: str, unit: str | None) -> None:
    assert unit_from_text(text) == unit


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("下达资金\n（万元）", "下达资金"),
        ("形象进度(%)", "形象进度"),
        ("形象进度（％）", "形象进度"),
        ("已支出【万元】", "已支出"),
        ("已支出[元]", "已支出"),
        ("下达资金（单位：万元）", "下达资金"),
        (" 项 目 名 称 ", "项目名称"),
        ("村(社区)", "村(社区)"),
        ("镇（街道）", "镇(街道)"),
        ("资金(万元)情况", "资金情况"),
        ("*项目名称：", "项目名称"),
    ],
)
def test_normalise_header(text: str, label: str) -> None:
    assert normalise_header(text) == label


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("沙溪村 道路硬化（一期）", "沙溪村道路硬化一期"),
        ("《美丽乡村》建设、提升。", "美丽乡村建设提升"),
        ("“四小园”—— 建设·项目", "四小园建设项目"),
        ("ＡＢＣ光伏-Project 2", "abc光伏project2"),
        ("a\u3000b\nc", "abc"),
    ],
)
def test_normalise_name(text: str, key: str) -> None:
    assert normalise_name(text) == key


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("湘桥区沙溪镇沙溪村道路", "沙溪村道路"),
        ("沙溪镇沙溪村道路", "沙溪村道路"),
        ("沙溪村道路", "沙溪村道路"),
        ("潮州市湘桥区意溪镇污水治理", "污水治理"),
        ("桥东街道 四小园", "四小园"),
        ("沙溪镇", "沙溪镇"),
    ],
)
def test_strip_place_prefix(name: str, key: str) -> None:
    assert strip_place_prefix(normalise_name(name), ["沙溪", "意溪镇", "桥东街道"]) == key


# properties

decimals = st.decimals(
    min_value=Decimal("-1e12"), max_value=Decimal("1e12"), places=6, allow_nan=False, allow_infinity=False
)


@given(decimals)
def test_amount_round_trips_through_grouped_text(amount: Decimal) -> None:
    assert parse_amount(format(amount, ",f")) == (amount, None)


@given(decimals)
def test_full_width_digits_equal_half_width(amount: Decimal) -> None:
    text = format(amount, ",f")
    assert parse_amount(text.translate(FULL_WIDTH)) == parse_amount(text)


@given(
    st.decimals(
        min_value=Decimal("-1e9"), max_value=Decimal("1e9"), places=8, allow_nan=False, allow_infinity=False
    )
)
def test_to_fen_wan_is_ten_thousand_yuan(amount: Decimal) -> None:
    assert to_fen(amount, "万元") == to_fen(amount * 10000, "元")


@given(st.decimals(min_value=0, max_value=1000, places=4, allow_nan=False, allow_infinity=False))
def test_percent_sign_divides_by_hundred(x: Decimal) -> None:
    assert parse_percent(f"{x}%") == x / 100


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 12, 31)))
def test_chinese_date_round_trips(day: date) -> None:
    assert parse_date(f"{day.year}年{day.month}月{day.day}日") == day


@given(st.integers(2000, 2100), st.integers(1, 12))
def test_chinese_period_round_trips(year: int, month: int) -> None:
    assert parse_period(f"{year}年{month}月") == f"{year:04d}-{month:02d}"


@given(st.text())
def test_normalise_header_is_idempotent(text: str) -> None:
    once = normalise_header(text)
    assert normalise_header(once) == once


@given(st.text())
def test_normalise_name_is_idempotent(text: str) -> None:
    once = normalise_name(text)
    assert normalise_name(once) == once


@given(st.text())
def test_parsers_raise_only_parse_error(text: str) -> None:
    for parse in (parse_amount, parse_percent, parse_date, parse_year, normalise_status):
        try:
            parse(text)
        except ParseError:
            pass
    assert parse_period(text) is None or re.fullmatch(r"\d{4}-\d{2}", parse_period(text) or "")


# QA fixes: float noise, plus signs, formula cells, period spellings


@pytest.mark.parametrize(("value", "amount"), [
    (0.1 + 0.2, "0.3"), (12.3 + 24.6, "36.9"), (1234567.891, "1234567.891"), (0.1 * 3, "0.3"),
    ("+100", "100"), ("＋100", "100"), ("+1,200.50", "1200.50"), ("¥+45", "45"),
])
def test_parse_amount_reads_what_excel_shows(value: object, amount: str) -> None:
    result = parse_amount(value)
    assert result is not None and result[0] == Decimal(amount)


def test_float_noise_is_not_rounded_to_fen() -> None:
    result = parse_amount(12.3 + 24.6)
    assert result is not None and to_fen(result[0], "万元") == (36_900_000, False)


@pytest.mark.parametrize(("value", "rate"), [(0.1 + 0.2, "0.3"), (36.900000000000006, "0.369"), ("+45%", "0.45")])
def test_parse_percent_reads_what_excel_shows(value: object, rate: str) -> None:
    assert parse_percent(value) == Decimal(rate)


@pytest.mark.parametrize("parse", [parse_amount, parse_percent, parse_date, parse_year, normalise_status])
def test_formula_cells_without_a_value_are_errors_not_blanks(parse: object) -> None:
    assert assert_chinese_error(parse, CellError("#DIV/0!", "1/0")) == \
        "公式计算错误（#DIV/0!），请在Excel中修正公式并重新保存后报送"
    assert assert_chinese_error(parse, CellError("", "B2*0.5")) == "公式没有计算结果，请在Excel中打开后保存再报送"
    assert not is_blank(CellError(""))


@pytest.mark.parametrize(("text", "period"), [
    ("2023年1-10月驻镇帮镇扶村项目资金支出情况", "2023-10"), ("2023年1月-10月", "2023-10"), ("2023年1至10月", "2023-10"),
    ("2023年1～10月", "2023-10"), ("铁铺镇2023年十月份项目表", "2023-10"), ("2023年十二月", "2023-12"),
    ("2023年二月", "2023-02"), ("2023年10月-2023年12月", "2023-10"),
])
def test_parse_period_ranges_and_chinese_months(text: str, period: str) -> None:
    assert parse_period(text) == period
