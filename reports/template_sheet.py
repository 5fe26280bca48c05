"""The template workbook (XlsxWriter): a protected 项目进度 sheet with validated input cells, 填表说明, the mark.

Header words are ones the ETL's synonyms recognise; the reference columns start with 上月, a word the header
matcher never reads as a cumulative figure, so 上月累计支出 is shown beside 累计支出 without being read as it.
The sheet is protected without a password (it only guards against slips: 审阅 › 撤销工作表保护 lifts it).
Text from the database is written with ``write_string`` in a workbook with ``strings_to_formulas`` off.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from monitor.money import fen_to_wan
from monitor.periods import add_months
from reports.template import (
    DATA_SHEET,
    HELP_SHEET,
    MARK_SHEET,
    TEMPLATE_MARK,
    TemplateRow,
    TownTemplate,
    month_words,
)
from reports.xlsx_style import HEADER_COLOUR, clean_text, text_width

#: the status ladder of DESIGN §2 (etl.normalise.STATUSES; reports may not import etl), for the dropdown
STATUSES = ("前期", "招投标", "在建", "完工", "已验收", "结算审核", "已结算", "未开工", "暂停", "取消")
WEEKDAYS = "一二三四五六日"
FONT = "宋体"
FIXED_FILL, REF_FILL, BORDER = "#EDEDED", "#D9D9D9", "#A6A6A6"
MONEY_FORMAT = "#,##0.00####"  # two decimals shown, down to the 分 (six decimals of 万元) when typed
HEADER_ROW = 3  # 0-based: title, info line, deadline line, then the header
FIRST_ROW = HEADER_ROW + 1


@dataclass(frozen=True)
class Column:
    """A template column: header, role (seq, fixed = pre-filled and locked, ref = 上月 figure, input), kind."""

    header: str
    role: str
    kind: str
    width: float
    field: str | None = None  # TemplateRow attribute pre-filled into the cell


COLUMNS: tuple[Column, ...] = (
    Column("序号", "seq", "int", 5),
    Column("项目编号", "fixed", "text", 15, "project_code"),
    Column("项目名称", "fixed", "text", 28, "project_name"),
    Column("村(社区)", "fixed", "text", 12, "village"),
    Column("项目类别", "fixed", "text", 11, "category"),
    Column("资金年度", "fixed", "year", 7, "fund_year"),
    Column("下达资金（万元）", "fixed", "money", 11, "allocated"),
    Column("业主单位", "input", "text", 14, "owner"),
    Column("上月已请款（万元）", "ref", "money", 11, "last_requested"),
    Column("已请款（万元）", "input", "money", 11),
    Column("上月已拨付（万元）", "ref", "money", 11, "last_disbursed"),
    Column("已拨付（万元）", "input", "money", 11),
    Column("上月累计支出（万元）", "ref", "money", 11, "last_spent"),
    Column("累计支出（万元）", "input", "money", 11),
    Column("形象进度", "input", "percent", 9),
    Column("项目状态", "input", "status", 10, "status"),
    Column("计划开工时间", "input", "date", 12, "planned_start"),
    Column("计划完工时间", "input", "date", 12, "planned_end"),
    Column("存在问题", "input", "text", 22),
    Column("备注", "input", "text", 16),
)
COL = {c.header: i for i, c in enumerate(COLUMNS)}
SPENT, LAST_SPENT = COL["累计支出（万元）"], COL["上月累计支出（万元）"]
NUMBER_FORMATS = {"money": MONEY_FORMAT, "percent": "0.0%", "date": "yyyy-mm-dd", "year": "0", "int": "0"}


def title(t: TownTemplate) -> str:
    return f"{t.town}驻镇帮镇扶村项目进度月报（{month_words(t.period)}）"


def info_line(t: TownTemplate) -> str:
    return f"填报单位：{t.town}    报送月份：{month_words(t.period)}    单位：万元"


def due_words(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日（星期{WEEKDAYS[day.weekday()]}）"


def deadline_line(t: TownTemplate) -> str:
    """The deadline, worded without a label or 单位 so the ETL never reads it as the period or the unit."""
    return (f"请于{due_words(t.due)}前报送{t.bureau}。灰色为区里预填，不能修改；深灰色“上月”列为上次报送的累计数，"
            f"仅供核对；白色单元格请填写截至{month_words(t.period)}底的累计数；本月新增项目填在下方空行。")


class Formats:
    """The few formats of the sheet, made once: per (role, kind) for cells, plus title, lines and header."""

    def __init__(self, wb: xlsxwriter.Workbook) -> None:
        self.wb = wb
        self.cache: dict[tuple[str, str], Format] = {}
        self.title = wb.add_format({"bold": True, "font_size": 16, "align": "center", "valign": "vcenter"})
        self.line = wb.add_format({"valign": "vcenter"})
        self.note = wb.add_format({"valign": "vcenter", "text_wrap": True, "font_color": "#C00000"})
        self.header = wb.add_format({"bold": True, "bg_color": f"#{HEADER_COLOUR}", "border": 1,
                                     "border_color": BORDER, "align": "center", "valign": "vcenter",
                                     "text_wrap": True})
        self.ref_header = wb.add_format({"bold": True, "bg_color": REF_FILL, "border": 1, "border_color": BORDER,
                                         "align": "center", "valign": "vcenter", "text_wrap": True,
                                         "font_color": "#595959"})
        self.footer = wb.add_format({"locked": False, "valign": "vcenter"})
        self.warn = wb.add_format({"bg_color": "#FFC7CE", "font_color": "#9C0006"})

    def cell(self, role: str, kind: str) -> Format:
        """Locked grey for fixed cells, darker grey for 上月 figures, unlocked white for inputs."""
        key = (role, kind)
        if key not in self.cache:
            props: dict[str, Any] = {"border": 1, "border_color": BORDER, "valign": "vcenter",
                                     "locked": role in ("seq", "fixed", "ref")}
            if kind in NUMBER_FORMATS:
                props["num_format"] = NUMBER_FORMATS[kind]
            if kind == "text":
                props["text_wrap"] = True
            if kind in ("status", "year", "int", "date"):
                props["align"] = "center"
            if role in ("seq", "fixed"):
                props["bg_color"] = FIXED_FILL
            elif role == "ref":
                props.update(bg_color=REF_FILL, font_color="#595959")
            self.cache[key] = self.wb.add_format(props)
        return self.cache[key]


def write_template_xlsx(t: TownTemplate, path: Path) -> None:
    """Write the town's template workbook at ``path``."""
    wb = xlsxwriter.Workbook(str(path), {
        "strings_to_formulas": False, "strings_to_numbers": False, "strings_to_urls": False,
        "default_format_properties": {"font_name": FONT, "font_size": 10}})
    created = datetime(t.generated.year, t.generated.month, t.generated.day)
    wb.set_properties({"title": title(t), "subject": f"{t.town} {t.period}", "author": t.bureau,
                       "company": t.bureau, "created": created, "keywords": TEMPLATE_MARK})
    formats = Formats(wb)
    ws = wb.add_worksheet(DATA_SHEET)
    _write_data_sheet(ws, t, formats)
    _write_help_sheet(wb.add_worksheet(HELP_SHEET), t, formats)
    _write_mark_sheet(wb.add_worksheet(MARK_SHEET), t)
    ws.activate()
    wb.close()


def _write_data_sheet(ws: Worksheet, t: TownTemplate, f: Formats) -> None:
    _write_top(ws, t, f)
    previous = add_months(t.period, -1)
    for r, row in enumerate(t.rows):
        _write_project(ws, FIRST_ROW + r, r + 1, row, f)
        if row.last_period and row.last_period != previous:  # the project missed a month: say whose figures
            ws.write_comment(FIRST_ROW + r, LAST_SPENT, f"“上月”数为{month_words(row.last_period)}报送的累计数"
                             f"（{month_words(previous)}未报送本项目）", {"author": t.bureau})
    first_new = FIRST_ROW + len(t.rows)
    for r in range(first_new, first_new + t.new_rows):
        for c, col in enumerate(COLUMNS):
            # a new project's row is open everywhere but the 序号 and the 上月 figures it does not have
            role = col.role if col.role in ("seq", "ref") else "input"
            ws.write_blank(r, c, None, f.cell(role, col.kind))
    last = first_new + t.new_rows - 1
    _validate(ws, first_new, last)
    ws.conditional_format(FIRST_ROW, SPENT, last, SPENT, {
        "type": "formula", "criteria": f"=AND(ISNUMBER({_ref(FIRST_ROW, SPENT)}),"
                                      f"{_ref(FIRST_ROW, SPENT)}<{_ref(FIRST_ROW, LAST_SPENT)})",
        "format": f.warn})
    ws.merge_range(last + 2, 0, last + 2, len(COLUMNS) - 1, "", f.footer)
    ws.write_string(last + 2, 0, "填报人：                    联系电话：                    "
                    "审核人：                    填报日期：", f.footer)
    ws.freeze_panes(FIRST_ROW, COL["项目名称"] + 1)
    ws.protect("", {"format_columns": True, "format_rows": True, "insert_rows": True,
                    "select_locked_cells": True, "select_unlocked_cells": True})
    _page_setup(ws)


def _write_top(ws: Worksheet, t: TownTemplate, f: Formats) -> None:
    """Column widths, the title, info and deadline lines, and the header row."""
    last_col = len(COLUMNS) - 1
    for c, col in enumerate(COLUMNS):
        ws.set_column(c, c, col.width)
    for row, text, fmt in ((0, title(t), f.title), (1, info_line(t), f.line), (2, deadline_line(t), f.note)):
        ws.merge_range(row, 0, row, last_col, "", fmt)
        ws.write_string(row, 0, clean_text(text), fmt)
    ws.set_row(0, 30)
    ws.set_row(2, 30)
    for c, col in enumerate(COLUMNS):
        ws.write_string(HEADER_ROW, c, col.header, f.ref_header if col.role == "ref" else f.header)
    ws.set_row(HEADER_ROW, 42)


def _ref(row: int, col: int) -> str:
    """A1 reference with the column fixed and the row relative (the rule moves down the range)."""
    return f"${xlsxwriter.utility.xl_col_to_name(col)}{row + 1}"


def _write_project(ws: Worksheet, r: int, seq: int, row: TemplateRow, f: Formats) -> None:
    ws.write_number(r, 0, seq, f.cell("seq", "int"))
    for c, col in enumerate(COLUMNS[1:], start=1):
        value = getattr(row, col.field) if col.field else None
        fmt = f.cell(col.role, col.kind)
        if value is None or value == "":
            ws.write_blank(r, c, None, fmt)
        elif col.kind == "money":
            ws.write_number(r, c, float(fen_to_wan(int(value)) or 0), fmt)
        elif col.kind == "date":
            ws.write_datetime(r, c, datetime(value.year, value.month, value.day), fmt)
        elif col.kind == "year":
            ws.write_number(r, c, int(value), fmt)
        else:
            ws.write_string(r, c, clean_text(value), fmt)
    lines = max(1, math.ceil(text_width(row.project_name) / max(COLUMNS[COL["项目名称"]].width - 1, 1)))
    if lines > 1:
        ws.set_row(r, 13.5 * lines + 3)


def _validate(ws: Worksheet, first_new: int, last: int) -> None:
    """Input rules on every project row and blank row (a warning where a correction may be legitimate)."""
    top = FIRST_ROW
    amount = {"validate": "decimal", "criteria": ">=", "value": 0, "error_title": "金额有误",
              "error_message": "请填写不小于0的数字，单位万元（如 123.45）。"}
    for name in ("已请款（万元）", "已拨付（万元）"):
        ws.data_validation(top, COL[name], last, COL[name], {
            **amount, "input_title": name.removesuffix("（万元）"),
            "input_message": "项目开始以来的累计数，单位万元，不是本月发生数。"})
    ws.data_validation(top, SPENT, last, SPENT, {
        "validate": "decimal", "criteria": ">=", "value": f"={_ref(top, LAST_SPENT)}",
        "error_type": "warning", "error_title": "累计支出低于上月",
        "error_message": "累计支出不应小于上月累计支出，也不能为负数。如确属更正需调减，请点“是”并在备注中说明原因；"
                         "否则请点“否”重新填写。",
        "input_title": "累计支出", "input_message": "截至本月底的累计实际支出，单位万元，不小于上月累计支出。"})
    ws.data_validation(top, COL["形象进度"], last, COL["形象进度"], {
        "validate": "decimal", "criteria": "between", "minimum": 0, "maximum": 1,
        "error_title": "形象进度有误", "error_message": "请填写0%到100%之间的百分比，如 45%。"})
    ws.data_validation(top, COL["项目状态"], last, COL["项目状态"], {
        "validate": "list", "source": list(STATUSES), "error_title": "项目状态有误",
        "error_message": "请从下拉列表中选择项目状态：" + "、".join(STATUSES) + "。"})
    for name in ("计划开工时间", "计划完工时间"):
        ws.data_validation(top, COL[name], last, COL[name], {
            "validate": "date", "criteria": "between", "minimum": date(2000, 1, 1), "maximum": date(2100, 12, 31),
            "error_title": "日期有误", "error_message": "请填写日期，如 2023-10-15。"})
    # a new project's own money and fund year (the pre-filled rows above are locked)
    if last >= first_new:
        ws.data_validation(first_new, COL["下达资金（万元）"], last, COL["下达资金（万元）"], amount)
        ws.data_validation(first_new, COL["资金年度"], last, COL["资金年度"], {
            "validate": "integer", "criteria": "between", "minimum": 2000, "maximum": 2100,
            "error_title": "资金年度有误", "error_message": "请填写四位年份，如 2023。"})


def _page_setup(ws: Worksheet) -> None:
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    ws.set_margins(left=0.3, right=0.3, top=0.6, bottom=0.6)
    ws.repeat_rows(HEADER_ROW)
    ws.set_footer("&C第 &P 页，共 &N 页")


def help_lines(t: TownTemplate) -> list[str]:
    """The 填表说明, one sentence a row (one cell each, so the ETL never takes it for a table)."""
    month = month_words(t.period)
    return [
        f"一、本表由{t.bureau}根据项目库和{t.town}此前报送的数据生成，报送月份为{month}，"
        f"请于{due_words(t.due)}前报送。",
        "二、浅灰色单元格（项目编号、项目名称、村(社区)、项目类别、资金年度、下达资金）为区里预填，已锁定；"
        "如有错误，请在“备注”中说明，或联系区农业农村局更正，不要另起一行重复填写。",
        "三、深灰色的“上月已请款、上月已拨付、上月累计支出”是本镇街最近一次报送的累计数，仅供核对，不需填写。",
        f"四、白色单元格请填写截至{month}底的累计数，金额单位为万元（可填到小数点后六位，即精确到分）。"
        "已请款、已拨付、累计支出都是项目开始以来的累计数，不是本月发生数。",
        "五、累计支出一般不应小于上月累计支出；如因更正确需调减，请在“备注”中说明原因。",
        "六、形象进度填写百分比（如 45%）；项目状态请从下拉列表中选择：" + "、".join(STATUSES) + "。",
        "七、计划开工时间、计划完工时间请填写日期（如 2023-10-15）；业主单位请填写项目的建设单位。",
        "八、本月新增的项目请填写在表格下方的空行（各列均可填写），须填写项目名称和下达资金；"
        "空行不够时，可在空行区域内插入行。",
        "九、请勿增删、移动或改名已有的列和工作表，不要修改表头；工作表保护未设密码，只为防止误改。",
        "十、填报人、联系电话、审核人请填写在表格下方；报送前请保存为 .xlsx 格式，不要改为其他格式。",
    ]


def _write_help_sheet(ws: Worksheet, t: TownTemplate, f: Formats) -> None:
    wrap = f.wb.add_format({"text_wrap": True, "valign": "top"})
    ws.set_column(0, 0, 100)
    ws.write_string(0, 0, HELP_SHEET, f.title)
    ws.set_row(0, 28)
    for r, line in enumerate(help_lines(t), start=2):
        ws.write_string(r, 0, clean_text(line), wrap)
        ws.set_row(r, 13.5 * max(1, math.ceil(text_width(line) / 98)) + 4)
    ws.protect("", {"select_locked_cells": True, "select_unlocked_cells": True})


def _write_mark_sheet(ws: Worksheet, t: TownTemplate) -> None:
    """The hidden sheet that tells the ETL the workbook is fundmon's own template (etl.meta.has_template_mark)."""
    for r, (label, value) in enumerate((("mark", TEMPLATE_MARK), ("town", t.town), ("period", t.period),
                                        ("due", t.due.isoformat()), ("generated", t.generated.isoformat()))):
        ws.write_string(r, 0, label)
        ws.write_string(r, 1, clean_text(value))
    ws.hide()
    ws.protect("")
