"""The five town-file layouts of the sample (see generate.py), for any town: the shapes the scale generator writes.

Each writer takes a :class:`TownMonth` (the town's projects and figures for one month, in 元 to the 分) and a
folder, writes one file the way that kind of town does, and returns its path. A ``bad`` cell (one project's
spent written as 待定, as a negative number, or its name left blank) makes the file carry one rejected row,
as a few real files do.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import xlsxwriter
from xlsxwriter.utility import xl_col_to_name

WAN = Decimal(10000)
FIELDS = ("allocated", "requested", "disbursed", "spent")
FULLWIDTH = str.maketrans("0123456789.", "０１２３４５６７８９．")
INSTRUCTIONS = [
    "填表说明",
    "1. 本表每月5日前报送区农业农村局（区委农办），数据截至上月底。",
    "2. 项目编号按项目库编号填写；资金单位为万元，保留两位小数。",
    "3. “已支出”指业主单位已实际支付的累计金额（自项目开始起累计，不是本年累计）。",
    "4. 项目状态填写：前期、招投标、在建、完工、已验收、结算审核、已结算、未开工、暂停、取消。",
]
SECTIONS = [("一、乡村风貌提升类", ("乡村风貌提升", "四小园")), ("二、农村生活污水治理类", ("农村生活污水治理",)),
            ("三、产业发展类", ("产业发展", "光伏")), ("四、基础设施类", ("基础设施",))]


@dataclass
class Line:
    """One project's row in one month's file (amounts in 元)."""

    code: str | None
    name: str
    village: str
    category: str
    fund_year: int
    allocated: Decimal
    requested: Decimal
    disbursed: Decimal
    spent: Decimal
    progress: int  # percent
    status: str
    start: date
    end: date
    issue: str = ""


@dataclass
class TownMonth:
    town: str
    year: int
    month: int
    sent: datetime
    lines: list[Line]
    bad: tuple[int, str] | None = None  # (line index, "text" | "negative" | "no-name")
    bad_cells: list[str] = field(default_factory=list)

    @property
    def title_period(self) -> str:
        return f"{self.year}年{self.month}月"


def _wan(x: Decimal) -> float:
    return float(x / WAN)


def _workbook(path: Path, tm: TownMonth) -> xlsxwriter.Workbook:
    wb = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_numbers": False})
    wb.set_properties({"title": path.stem, "author": f"{tm.town}农业农村办", "created": tm.sent})
    return wb


def _name(tm: TownMonth, i: int, line: Line) -> str:
    return "" if tm.bad == (i, "no-name") else line.name


def _bad_spent(tm: TownMonth, i: int) -> str | None:
    """The kind of bad value this line's spent cell carries, if any."""
    if tm.bad is not None and tm.bad[0] == i and tm.bad[1] in ("text", "negative"):
        return tm.bad[1]
    return None


def _write_money(ws, r: int, c: int, value: Decimal, fmt, *, wan: bool, bad: str | None) -> None:  # type: ignore[no-untyped-def]
    if bad == "text":
        ws.write_string(r, c, "待定", fmt)
    elif bad == "negative":
        ws.write_number(r, c, -(_wan(value) if wan else float(value)), fmt)
    else:
        ws.write_number(r, c, _wan(value) if wan else float(value), fmt)


def write_grouped(tm: TownMonth, folder: Path) -> Path:
    """磷溪-like: 填表说明 first; title, info row, two-row header under 资金情况（万元）; Excel dates; SUM 合计."""
    path = folder / f"{tm.town}{tm.title_period}驻镇帮镇扶村项目进度表.xlsx"
    wb = _workbook(path, tm)
    f_title = wb.add_format({"bold": True, "font_size": 16, "align": "center"})
    f_head = wb.add_format({"bold": True, "border": 1, "align": "center", "text_wrap": True, "bg_color": "#DDEBF7"})
    f_cell = wb.add_format({"border": 1})
    f_num = wb.add_format({"border": 1, "num_format": "0.00"})
    f_date = wb.add_format({"border": 1, "num_format": "yyyy-mm-dd"})
    ins = wb.add_worksheet("填表说明")
    for i, text in enumerate(INSTRUCTIONS):
        ins.write_string(i, 0, text)
    ws = wb.add_worksheet("进度表")
    ws.activate()
    ws.merge_range(0, 0, 0, 15, f"{tm.town}{tm.title_period}驻镇帮镇扶村项目进度表", f_title)
    ws.merge_range(1, 0, 1, 15, f"填报单位：{tm.town}  报表月份：{tm.title_period}  单位：万元")
    single = {0: "序号", 1: "项目编号", 2: "项目名称", 3: "村(社区)", 4: "项目类别", 5: "资金年度", 10: "形象进度",
              11: "项目状态", 12: "计划开工时间", 13: "计划完工时间", 14: "存在问题", 15: "备注"}
    for c, h in single.items():
        ws.merge_range(2, c, 3, c, h, f_head)
    ws.merge_range(2, 6, 2, 9, "资金情况（万元）", f_head)
    for c, h in zip(range(6, 10), ["下达", "已请款", "已拨付", "已支出"], strict=True):
        ws.write_string(3, c, h, f_head)
    r = 4
    for i, p in enumerate(tm.lines):
        ws.write_number(r, 0, i + 1, f_cell)
        ws.write_string(r, 1, p.code or "", f_cell)
        ws.write_string(r, 2, _name(tm, i, p), f_cell)
        ws.write_string(r, 3, p.village, f_cell)
        ws.write_string(r, 4, p.category, f_cell)
        ws.write_number(r, 5, p.fund_year, f_cell)
        for c, f in zip(range(6, 10), FIELDS, strict=True):
            _write_money(ws, r, c, getattr(p, f), f_num, wan=True, bad=_bad_spent(tm, i) if f == "spent" else None)
        ws.write_string(r, 10, f"{p.progress}%", f_cell)
        ws.write_string(r, 11, p.status, f_cell)
        ws.write_datetime(r, 12, datetime.combine(p.start, datetime.min.time()), f_date)
        ws.write_datetime(r, 13, datetime.combine(p.end, datetime.min.time()), f_date)
        ws.write_string(r, 14, p.issue or "无", f_cell)
        r += 1
    ws.merge_range(r, 0, r, 5, "合计", f_head)
    for c, f in zip(range(6, 10), FIELDS, strict=True):
        col = xl_col_to_name(c)
        total = sum(_wan(getattr(p, f)) for p in tm.lines)
        ws.write_formula(r, c, f"=SUM({col}5:{col}{r})", f_num, round(total, 2))
    ws.write_string(r + 2, 0, "填报人：  联系电话：  审核人：")
    wb.close()
    return path


def write_plain(tm: TownMonth, folder: Path) -> Path:
    """官塘-like: one info cell and a 报送日期; headers with line breaks; text amounts; blank rows; 合计 numbers."""
    path = folder / f"{tm.town}_{tm.year}{tm.month:02d}.xlsx"
    wb = _workbook(path, tm)
    f_head = wb.add_format({"bold": True, "border": 1, "align": "center", "text_wrap": True})
    f_cell = wb.add_format({"border": 1})
    f_num = wb.add_format({"border": 1, "num_format": "#,##0.00"})
    f_pct = wb.add_format({"border": 1, "num_format": "0%"})
    ws = wb.add_worksheet("Sheet1")
    ws.merge_range(0, 0, 0, 15, f"{tm.town}驻镇帮镇扶村项目资金支出进度表")
    ws.write_string(1, 0, f"填报单位：{tm.town}  报表月份：{tm.title_period}  单位：万元")
    ws.write_string(1, 12, f"报送日期：{tm.sent.year}年{tm.sent.month}月{tm.sent.day}日")
    heads = ["序号", "项目编号", "项目名称", "村（社区）", "项目类别", "资金年度", "安排资金\n（万元）", "已请款\n（万元）",
             "已拨付\n（万元）", "实际支出\n（万元）", "形象进度", "项目状态", "计划开工时间", "计划完工时间", "存在问题", "备注"]
    for c, h in enumerate(heads):
        ws.write_string(2, c, h, f_head)
    r = 3
    for i, p in enumerate(tm.lines):
        if i == 4:
            r += 1  # the blank row a clerk left in the middle
        ws.write_number(r, 0, i + 1, f_cell)
        ws.write_string(r, 1, p.code or "", f_cell)
        ws.write_string(r, 2, _name(tm, i, p), f_cell)
        ws.write_string(r, 3, p.village, f_cell)
        ws.write_string(r, 4, p.category, f_cell)
        ws.write_string(r, 5, f"{p.fund_year}年", f_cell)
        for c, f in zip(range(6, 10), FIELDS, strict=True):
            bad = _bad_spent(tm, i) if f == "spent" else None
            if f == "spent" and bad is None and i % 7 == 0:
                ws.write_string(r, c, f" {_wan(p.spent):,.2f} ", f_cell)  # text with spaces, as typed
            else:
                _write_money(ws, r, c, getattr(p, f), f_num, wan=True, bad=bad)
        ws.write_number(r, 10, p.progress / 100, f_pct)
        ws.write_string(r, 11, p.status, f_cell)
        ws.write_string(r, 12, p.start.strftime("%Y.%m.%d"), f_cell)
        ws.write_string(r, 13, p.end.strftime("%Y.%m.%d"), f_cell)
        ws.write_string(r, 14, p.issue or "/", f_cell)
        r += 1
    r += 1
    ws.write_string(r, 2, "合计", f_head)
    for c, f in zip(range(6, 10), FIELDS, strict=True):
        ws.write_number(r, c, round(sum(_wan(getattr(p, f)) for p in tm.lines), 2), f_num)
    ws.write_string(r + 2, 0, "填报人：  联系电话：  审核人：")
    wb.close()
    return path


def _yuan_text(value: Decimal, zero: str) -> str:
    return zero if value == 0 else f"{value:,.2f}"


def write_yuan_text(tm: TownMonth, folder: Path) -> Path:
    """铁铺-like: 单位：元 in an info cell, amounts as text with thousands separators, no codes, 0–100 progress."""
    path = folder / f"{tm.town}-{tm.month}月报表.xlsx"
    wb = _workbook(path, tm)
    f_head = wb.add_format({"bold": True, "border": 1, "text_wrap": True})
    f_cell = wb.add_format({"border": 1})
    ws = wb.add_worksheet(f"{tm.month}月")
    ws.write_string(0, 0, f"{tm.town}驻镇帮镇扶村项目资金使用情况月报表")
    ws.write_string(1, 0, f"填报单位：{tm.town}")
    ws.write_string(1, 5, f"报送月份：{tm.title_period}")
    ws.write_string(1, 12, "单位：元")
    heads = ["序号", "项目编号", "建设项目", "所在村", "项目类型", "年度", "计划投资", "累计请款", "拨付资金", "完成支付",
             "工程进度（%）", "进展情况", "计划开工时间", "计划完工时间", "存在问题", "备注"]
    for c, h in enumerate(heads):
        ws.write_string(2, c, h, f_head)
    r = 3
    for i, p in enumerate(tm.lines):
        ws.write_number(r, 0, i + 1, f_cell)
        ws.write_blank(r, 1, None, f_cell)
        ws.write_string(r, 2, _name(tm, i, p), f_cell)
        ws.write_string(r, 3, p.village, f_cell)
        ws.write_string(r, 4, p.category, f_cell)
        ws.write_number(r, 5, p.fund_year, f_cell)
        for c, f in zip(range(6, 10), FIELDS, strict=True):
            bad = _bad_spent(tm, i) if f == "spent" else None
            if bad is not None:
                _write_money(ws, r, c, p.spent, f_cell, wan=False, bad=bad)
            else:
                ws.write_string(r, c, _yuan_text(getattr(p, f), "/" if f in ("requested", "disbursed") else "-"), f_cell)
        ws.write_number(r, 10, p.progress, f_cell)
        ws.write_string(r, 11, p.status, f_cell)
        ws.write_string(r, 12, f"{p.start.year}年{p.start.month}月", f_cell)
        ws.write_string(r, 13, f"{p.end.year}年{p.end.month}月", f_cell)
        ws.write_string(r, 14, p.issue or "/", f_cell)
        ws.write_string(r, 15, "-", f_cell)
        r += 1
    ws.write_string(r, 0, "合计", f_head)
    for c, f in zip(range(6, 10), FIELDS, strict=True):
        ws.write_string(r, c, f"{sum(getattr(p, f) for p in tm.lines):,.2f}", f_cell)
    ws.write_string(r + 2, 0, "填报人：        联系电话：        审核人：")
    wb.close()
    return path


def write_sections(tm: TownMonth, folder: Path) -> Path:
    """意溪-like: （元） in the headers, 合计 on top as formulas, section rows, 支出率 formulas, frozen panes."""
    path = folder / f"{tm.town}驻镇帮镇扶村项目资金支出表（{tm.title_period}）.xlsx"
    wb = _workbook(path, tm)
    f_head = wb.add_format({"bold": True, "border": 1, "text_wrap": True, "bg_color": "#FCE4D6"})
    f_sec = wb.add_format({"bold": True, "border": 1, "bg_color": "#F2F2F2"})
    f_cell = wb.add_format({"border": 1})
    f_num = wb.add_format({"border": 1, "num_format": "#,##0.00"})
    f_pct = wb.add_format({"border": 1, "num_format": "0.00%"})
    ws = wb.add_worksheet("项目台账")
    ws.merge_range(0, 0, 0, 16, f"{tm.town}{tm.title_period}驻镇帮镇扶村项目资金支出进度表")
    heads = ["序号", "项目编号", "项目名称", "村(社区)", "项目类别", "资金年度", "下达资金\n（元）", "已请款\n（元）",
             "已拨付\n（元）", "累计支出\n（元）", "支出率", "形象进度", "项目状态", "计划开工时间", "计划完工时间",
             "存在问题", "备注"]
    for c, h in enumerate(heads):
        ws.write_string(1, c, h, f_head)
    order = [(t, [(i, p) for i, p in enumerate(tm.lines) if p.fund_year == tm.year and p.category in cats])
             for t, cats in SECTIONS]
    order.append(("五、往年结转项目", [(i, p) for i, p in enumerate(tm.lines) if p.fund_year < tm.year]))
    r, n, data_rows = 3, 0, []
    for title, members in order:
        if not members:
            continue
        ws.merge_range(r, 0, r, 5, title, f_sec)
        r += 1
        for i, p in members:
            n += 1
            ws.write_number(r, 0, n, f_cell)
            ws.write_string(r, 1, p.code or "", f_cell)
            ws.write_string(r, 2, _name(tm, i, p), f_cell)
            ws.write_string(r, 3, p.village, f_cell)
            ws.write_string(r, 4, p.category, f_cell)
            ws.write_number(r, 5, p.fund_year, f_cell)
            for c, f in zip(range(6, 10), FIELDS, strict=True):
                _write_money(ws, r, c, getattr(p, f), f_num, wan=False, bad=_bad_spent(tm, i) if f == "spent" else None)
            cached = float(p.spent / p.allocated) if p.allocated and _bad_spent(tm, i) is None else 0.0
            ws.write_formula(r, 10, f"=IF(G{r + 1}=0,0,J{r + 1}/G{r + 1})", f_pct, cached)
            ws.write_string(r, 11, f"{p.progress}%", f_cell)
            ws.write_string(r, 12, p.status, f_cell)
            ws.write_string(r, 13, p.start.isoformat(), f_cell)
            ws.write_string(r, 14, p.end.isoformat(), f_cell)
            ws.write_string(r, 15, p.issue, f_cell)
            data_rows.append(r + 1)
            r += 1
    ws.merge_range(2, 0, 2, 5, "合计", f_head)
    for c, f in zip(range(6, 10), FIELDS, strict=True):
        col = xl_col_to_name(c)
        ws.write_formula(2, c, "=" + "+".join(f"{col}{x}" for x in data_rows), f_num,
                         float(sum(getattr(p, f) for p in tm.lines)))
    ws.freeze_panes(2, 3)
    wb.close()
    return path


def write_csv(tm: TownMonth, folder: Path) -> Path:
    """桥东-like: CSV in GB18030 with a title and an info line, 万元, ``-`` for zero, one full-width amount."""
    path = folder / f"{tm.town}{tm.year}.{tm.month}.csv"
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow([f"{tm.town}驻镇帮镇扶村项目进度表"] + [""] * 15)
    w.writerow([f"统计月份：{tm.title_period}"] + [""] * 13 + ["单位：万元", ""])
    w.writerow(["序号", "项目编号", "项目名称", "村(社区)", "项目类别", "资金年度", "下达金额", "已请款", "到位资金", "已支付",
                "形象进度", "项目状态", "计划开工时间", "计划完工时间", "存在问题", "备注"])
    for i, p in enumerate(tm.lines):
        money = [f"{p.allocated / WAN:.2f}"] + [f"{getattr(p, f) / WAN:.2f}" if getattr(p, f) else "-"
                                                for f in FIELDS[1:]]
        if i == 2:
            money[0] = money[0].translate(FULLWIDTH)  # digits typed with a Chinese IME
        bad = _bad_spent(tm, i)
        if bad is not None:
            money[3] = "待定" if bad == "text" else f"-{p.spent / WAN:.2f}"
        w.writerow([i + 1, "", _name(tm, i, p), p.village, p.category, p.fund_year, *money, f"{p.progress}%",
                    p.status, f"{p.start.year}/{p.start.month}/{p.start.day}",
                    f"{p.end.year}/{p.end.month}/{p.end.day}", p.issue or "无", ""])
    w.writerow([""] * 16)
    totals = [f"{sum(getattr(p, f) for p in tm.lines) / WAN:.2f}" for f in FIELDS]
    w.writerow(["合计", "", "", "", "", "", *totals] + [""] * 6)
    w.writerow(["填报人：", "", "联系电话：", "", "审核人："] + [""] * 11)
    path.write_bytes(buf.getvalue().encode("gb18030"))
    return path


#: shape name → (writer, unit the town writes in, whether the town fills in project codes)
SHAPES = {"grouped": (write_grouped, "万元", True), "plain": (write_plain, "万元", True),
          "yuan-text": (write_yuan_text, "元", False), "sections": (write_sections, "元", True),
          "csv": (write_csv, "万元", False)}
