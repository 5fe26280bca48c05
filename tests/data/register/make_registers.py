"""Writes the register workbooks of tests/data/register/ (run: python tests/data/register/make_registers.py)."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

import xlsxwriter
from xlsxwriter.worksheet import Worksheet

HERE = Path(__file__).parent
LIBRARY_HEADER = ("序号", "项目编号", "镇街", "村(社区)", "项目名称", "项目类别", "业主单位", "资金年度", "资金批次",
                  "资金层级", "下达文号", "下达资金（万元）", "计划开工时间", "计划完工时间")
#: one allocation a row; XQ2023-LX-001 has two (2022 第二批 省级 + 2023 第一批 省级)
LIBRARY_ROWS: list[tuple[Any, ...]] = [
    ("XQ2023-LX-001", "磷溪镇", "溪口", "溪口市场升级改造", "产业发展", "磷溪镇人民政府", 2022, "第二批", "省级",
     "潮财农〔2022〕88号", 250, date(2022, 11, 1), date(2023, 9, 30)),
    ("XQ2023-LX-001", "磷溪镇", "溪口", "溪口市场升级改造", "产业发展", "磷溪镇人民政府", 2023, "第一批", "省级",
     "潮财农〔2023〕12号", 170, date(2022, 11, 1), date(2023, 9, 30)),
    ("XQ2023-LX-002", "磷溪镇", "仙田", "仙田村道路硬底化", "基础设施", "磷溪镇人民政府", 2023, "第一批", "中央",
     "潮财农〔2023〕12号", 150, date(2023, 4, 1), date(2023, 12, 31)),
    ("XQ2023-YX-001", "意溪镇", "长和", "意溪镇美丽圩镇立面改造", "乡村风貌提升", "意溪镇人民政府", 2023, "第一批",
     "帮扶市", "潮财农〔2023〕12号", 586.4, date(2023, 3, 15), date(2023, 12, 31)),
    ("XQ2023-TP-001", "铁铺镇", "铺埔", "铁铺镇一村一品茶园景观提升", "产业发展", "铁铺镇人民政府", 2023, "第1批",
     "市级", "潮财农[2023]12号", "80.25", "2023年5月", "2023年11月"),
    ("XQ2023-GT-001", "官塘镇", "奕湖", "奕湖村农村生活污水治理", "农村生活污水治理", "官塘镇人民政府", 2023,
     "第二批", "省", "潮财农〔2023〕45号", 12.345678, "2023-06-01", "2023-12-31"),
    ("XQ2023-QD-001", "桥东街道办事处", "黄金塘", "黄金塘村四小园建设", "四小园", "桥东街道办事处", 2023, "第二批",
     "珠三角帮扶市", "潮财农〔2023〕45号", "37.1234", date(2023, 7, 1), date(2023, 10, 31)),
]
YUAN_ROWS: list[tuple[Any, ...]] = [
    ("XQ2023-YX-002", "意溪镇", "意溪镇太阳能路灯安装", 2023, "一批", "省级资金", "潮财农（2023）12号", 1234567.89),
    ("XQ2023-YX-002", "意溪镇", "意溪镇太阳能路灯安装", 2023, "二批", "帮扶市资金", "潮财农〔2023〕45号", "370,000.00"),
    ("XQ2023-LX-003", "磷溪镇", "窑美村农田水利改造", 2023, 2, "区级", "湘财农〔2023〕7号", 856000.5),
    ("XQ2023-LX-004", "磷溪镇", "饶砂村农村电商服务站", 2024, "提前下达", "中央衔接资金", "潮财农〔2023〕99号", 200000),
]
BAD_HEADER = ("序号", "项目编号", "镇街", "项目名称", "资金年度", "资金批次", "资金层级", "下达文号", "下达资金（万元）")
BAD_ROWS: list[tuple[Any, ...]] = [
    ("XQ2023-LX-005", "磷溪镇", "埔涵村道路硬底化", 2023, "第一批", "省级", "潮财农〔2023〕12号", 60),
    ("XQ2023-LX-006", "磷溪镇", None, 2023, "第一批", "省级", "潮财农〔2023〕12号", 30),
    ("XQ2023-LX-007", "磷西镇", "田心村文化广场", 2023, "第一批", "省级", "潮财农〔2023〕12号", 45),
    ("XQ2023-GT-002", "官塘镇", "尧里村污水管网", 2023, "第一批", "省级", "潮财农〔2023〕12号", "待定"),
    ("XQ2023-GT-003", "官塘镇", "顶乡村四小园", "明年", "第一批", "市级", "潮财农〔2023〕12号", 20),
    ("XQ2023-GT-004", None, "苏三村篮球场", 2023, "第一批", "省级", "潮财农〔2023〕12号", 15),
    ("XQ2023-GT-005", "官塘镇", "象山村光伏", 2023, "第一批", "自筹", "潮财农〔2023〕12号", 25),
]


def _book(path: Path) -> xlsxwriter.Workbook:
    return xlsxwriter.Workbook(str(path), {"strings_to_numbers": False, "strings_to_formulas": False})


def _write(ws: Worksheet, row: int, col: int, value: Any, date_format: Any) -> None:
    if value is None:
        return
    if isinstance(value, date):
        ws.write_datetime(row, col, value, date_format)
    elif isinstance(value, int | float):
        ws.write_number(row, col, value)
    else:
        ws.write_string(row, col, str(value))


def _rows(ws: Worksheet, first: int, rows: Sequence[Sequence[Any]], date_format: Any) -> int:
    """序号 in column A, the row's values from column B; returns the next free row (0-based)."""
    for i, values in enumerate(rows):
        ws.write_number(first + i, 0, i + 1)
        for c, value in enumerate(values, start=1):
            _write(ws, first + i, c, value, date_format)
    return first + len(rows)


def make_library(path: Path) -> Path:
    """项目库: title, unit note, one-row header at row 3, a 合计 row and a footer."""
    wb = _book(path)
    ws = wb.add_worksheet("2023年项目库")
    dates = wb.add_format({"num_format": "yyyy-mm-dd"})
    ws.merge_range(0, 0, 0, len(LIBRARY_HEADER) - 1, "湘桥区2023年驻镇帮镇扶村项目库")
    ws.write_string(1, 0, "单位：万元")
    for c, head in enumerate(LIBRARY_HEADER):
        ws.write_string(2, c, head)
    end = _rows(ws, 3, LIBRARY_ROWS, dates)
    ws.write_string(end, 0, "合计")
    ws.write_number(end, 11, 1286.119078)
    ws.write_string(end + 2, 0, "制表人：陈晓玲    审核人：林志强    制表日期：2023年3月10日")
    wb.close()
    return path


def make_yuan(path: Path) -> Path:
    """资金下达表 in 元: a two-row header with 资金下达情况 merged over five columns."""
    wb = _book(path)
    ws = wb.add_worksheet("资金下达")
    dates = wb.add_format({"num_format": "yyyy-mm-dd"})
    ws.merge_range(0, 0, 0, 9, "湘桥区驻镇帮镇扶村资金下达表")
    ws.write_string(1, 0, "金额单位：元")
    for c, head in enumerate(("序号", "项目代码", "实施镇街", "项目名称")):
        ws.merge_range(2, c, 3, c, head)
    ws.merge_range(2, 4, 2, 8, "资金下达情况")
    for c, head in enumerate(("年度", "下达批次", "资金来源", "资金文号", "下达金额"), start=4):
        ws.write_string(3, c, head)
    ws.merge_range(2, 9, 3, 9, "备注")
    end = _rows(ws, 4, YUAN_ROWS, dates)
    ws.write_string(end, 0, "总计")
    ws.write_number(end, 8, 2660568.39)
    wb.close()
    return path


def make_bad_rows(path: Path) -> Path:
    """A register with a missing name, an unknown town, a 待定 amount, a bad year, no town, an odd level."""
    wb = _book(path)
    ws = wb.add_worksheet("项目库")
    dates = wb.add_format({"num_format": "yyyy-mm-dd"})
    ws.write_string(0, 0, "湘桥区2023年驻镇帮镇扶村项目库（第一批）")
    for c, head in enumerate(BAD_HEADER):
        ws.write_string(1, c, head)
    _rows(ws, 2, BAD_ROWS, dates)
    wb.close()
    return path


def make_all(folder: Path = HERE) -> list[Path]:
    return [make_library(folder / "项目库-湘桥区2023.xlsx"), make_yuan(folder / "资金下达表-元.xlsx"),
            make_bad_rows(folder / "register-bad-rows.xlsx")]


if __name__ == "__main__":
    for made in make_all(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE):
        print(made)
