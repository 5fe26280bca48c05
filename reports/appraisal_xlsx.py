"""年度考核.xlsx: the year's tallies per town with the ranking, month by month lights and reports, the letters
and surplus projects behind the counts, and the definition of every figure — printable on A4."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from monitor.appraisal import Appraisal, TownAppraisal
from monitor.periods import split_period
from monitor.rules.text import day_cn
from reports.appraisal_text import (
    KIND_LABELS,
    REPLY_LABELS,
    REPORT_LABELS,
    UNRANKED,
    as_of_line,
    bottom_words,
    definitions,
    final_label,
    ranking_rule,
    title,
)
from reports.dispatch_layout import Block, Col, SheetSpec, created, page_header, write_workbook
from reports.dispatch_text import fen_wan, points
from reports.palette import LIGHT_COLOURS, LIGHT_LABELS, PALE_COLOURS

SHEETS = ("考核汇总", "各月灯色", "各月报送", "函件明细", "结余资金", "考核口径")
TOWN = Col("镇街", lo=8, hi=14)
NUMBER = ("int", 5, 9)
REPORT_FILL = {"late": LIGHT_COLOURS["yellow"], "missing": LIGHT_COLOURS["red"], "on-time": LIGHT_COLOURS["green"]}
NO_DATA = "无数据"


def write_appraisal_xlsx(a: Appraisal, path: Path) -> Path:
    """Write the workbook at ``path`` (the caller makes it atomic) and return the path."""
    head, info = title(a), as_of_line(a)
    sheets = [
        SheetSpec("考核汇总", head, [info, ranking_rule(a), "各项口径见“考核口径”表。"], [summary(a)], freeze_cols=2),
        SheetSpec("各月灯色", head, [info, f"各月灯色按考核基准日的数据重新计算；“▼”为当月{bottom_words(a.bottom_n)}。"],
                  months_lights(a), freeze_cols=1, repeat_header=False),
        SheetSpec("各月报送", head, [info, "每月以第一份有效报表的收到时间判断；此后的更正不影响按时与否。"],
                  [reports_block(a)], freeze_cols=1),
        SheetSpec("函件明细", head, [info, "计入考核的函件：本年度报表月份、考核基准日前已发出；草稿不计。"], [letters_block(a)]),
        SheetSpec("结余资金", head, [info, f"考核期末月（{_month(a.final_period)}）结余资金待收回的项目。"],
                  [surplus_block(a)]),
        SheetSpec("考核口径", head, [info], [Block([Col("统计项", lo=10, hi=16), Col("口径", lo=60, hi=90)],
                                               [list(row) for row in definitions(a)])]),
    ]
    write_workbook(path, sheets, header=page_header(a.bureau, f"数据截至{day_cn(a.as_of)}"),
                   properties={"title": head, "author": a.bureau, "company": a.bureau, "created": created(a.as_of)})
    return path


def _month(period: str) -> str:
    year, month = split_period(period)
    return f"{year}年{month}月"


def _short(period: str) -> str:
    return f"{split_period(period)[1]}月"


def _rank(t: TownAppraisal) -> int | str:
    return t.rank if t.rank is not None else UNRANKED


def summary(a: Appraisal) -> Block:
    n = Col
    cols = [n("排名", "center", 5, 7), TOWN, n("红灯月数", *NUMBER), n("黄灯月数", *NUMBER), n("绿灯月数", *NUMBER),
            n("无数据月数", *NUMBER), n(f"{bottom_words(a.bottom_n)}月数", *NUMBER), n("下达资金", "money", 10),
            n("已支出", "money", 10), n(final_label(a), "rate", 9), n("年末目标", "rate", 7),
            n("差距（个百分点）", "points", 8, 9), n("提醒函", *NUMBER), n("督办函", *NUMBER), n("催报函", *NUMBER),
            n("逾期未回复", *NUMBER), n("逾期回复", *NUMBER), n("按时报送", *NUMBER), n("逾期报送", *NUMBER),
            n("时间不详", *NUMBER), n("未报送", *NUMBER), n("结余未收回项目数", *NUMBER), n("结余金额", "money", 9)]
    block = Block(cols, filter=True)
    for r, t in enumerate(a.towns):
        block.rows.append([_rank(t), t.town, t.red, t.yellow, t.green, t.unlit, t.bottom_months,
                           fen_wan(t.allocated_fen), fen_wan(t.spent_fen), t.final_rate, a.target, points(t.gap),
                           t.letters["reminder"], t.letters["supervision"], t.letters["report"], t.replies_overdue,
                           t.replies_late, t.on_time, t.late, t.unknown, t.missing, len(t.surplus),
                           fen_wan(t.surplus_fen)])
        for c, (value, colour) in enumerate(zip(block.rows[-1], _summary_colours(), strict=True)):
            if colour and isinstance(value, int | float) and value > 0:
                block.cell_fills[(r, c)] = LIGHT_COLOURS[colour]
    block.extra.append(_totals(a))
    block.bold_rows.add(len(block.rows))
    return block


def _summary_colours() -> list[str | None]:
    """Which count columns are coloured when not zero (red months red, yellow months yellow, …)."""
    return [None, None, "red", "yellow", "green", None, "red", None, None, None, None, None, None, "yellow", "yellow",
            "red", "yellow", None, "yellow", None, "red", "yellow", None]


def _totals(a: Appraisal) -> list[Any]:
    towns = a.towns
    allocated = sum(t.allocated_fen or 0 for t in towns)
    spent = sum(t.spent_fen or 0 for t in towns)
    total = lambda attr: sum(getattr(t, attr) for t in towns)  # noqa: E731
    kinds = [sum(t.letters[k] for t in towns) for k in KIND_LABELS]
    return ["", "全区合计", "", "", "", "", "", fen_wan(allocated), fen_wan(spent),
            round(spent / allocated, 4) if allocated else None, a.target, None, *kinds, total("replies_overdue"),
            total("replies_late"), total("on_time"), total("late"), total("unknown"), total("missing"),
            sum(len(t.surplus) for t in towns), fen_wan(sum(t.surplus_fen for t in towns))]


def months_lights(a: Appraisal) -> list[Block]:
    """Three tables of the same towns × months: lights (▼ bottom), spend rates, ranks."""
    months = [Col(_short(p), "center", 6, 8) for p in a.months]
    lights = Block([TOWN, *months, Col("红灯", *NUMBER), Col("黄灯", *NUMBER), Col("绿灯", *NUMBER)],
                   title="各月灯色")
    rates = Block([TOWN, *[Col(_short(p), "rate", 6, 8) for p in a.months]], title="各月支出率")
    ranks = Block([TOWN, *[Col(_short(p), "int", 6, 8) for p in a.months]], title="各月排名（按当月支出率）")
    for r, t in enumerate(a.towns):
        lights.rows.append([t.town, *[_light_text(m.light, m.bottom) for m in t.months], t.red, t.yellow, t.green])
        for c, m in enumerate(t.months, start=1):
            if m.light in LIGHT_COLOURS:
                lights.cell_fills[(r, c)] = LIGHT_COLOURS[m.light]
        rates.rows.append([t.town, *[m.spend_rate for m in t.months]])
        ranks.rows.append([t.town, *[m.rank for m in t.months]])
        for c, m in enumerate(t.months, start=1):
            if m.bottom:
                ranks.cell_fills[(r, c)] = PALE_COLOURS["red"]
    return [lights, rates, ranks]


def _light_text(light: str | None, bottom: bool) -> str:
    return (LIGHT_LABELS.get(light, NO_DATA) if light else NO_DATA) + ("▼" if bottom else "")


def reports_block(a: Appraisal) -> Block:
    cols = [TOWN, *[Col(f"{_short(p)}\n（{a.due[p].month}月{a.due[p].day}日止）", "center", 7, 9) for p in a.months],
            Col("按时", *NUMBER), Col("逾期", *NUMBER), Col("时间不详", *NUMBER), Col("未报送", *NUMBER)]
    block = Block(cols, filter=True)
    for r, t in enumerate(a.towns):
        block.rows.append([t.town, *[REPORT_LABELS[m.report] for m in t.months], t.on_time, t.late, t.unknown,
                           t.missing])
        for c, m in enumerate(t.months, start=1):
            if m.report in REPORT_FILL:
                block.cell_fills[(r, c)] = REPORT_FILL[m.report]
    return block


def letters_block(a: Appraisal) -> Block:
    cols = [Col("序号", "int", 5, 6), Col("文号", lo=14, hi=22), TOWN, Col("类别", "center", 7, 8),
            Col("报表月份", "center", 9, 10), Col("成文日期", "date", 11, 13), Col("发出日期", "date", 11, 13),
            Col("回复期限", "date", 11, 13), Col("回复日期", "date", 11, 13), Col("回复情况", "center", 9, 12),
            Col("逾期天数", "int", 6, 8)]
    rows = [[n, x.number, x.town, KIND_LABELS[x.kind], _month(x.period), x.day, x.issued_on, x.reply_due,
             x.replied_on, REPLY_LABELS[x.state], x.days_late or None] for n, x in enumerate(a.letters, start=1)]
    fills = ["red" if x.state == "overdue" else "yellow" if x.state == "replied-late" else None for x in a.letters]
    return Block(cols, rows, fills=fills, filter=True, empty="本年度无已发出的函件（草稿不计）")


def surplus_block(a: Appraisal) -> Block:
    cols = [Col("序号", "int", 5, 6), TOWN, Col("项目编号", lo=8, hi=18), Col("项目名称", lo=16, hi=36),
            Col("项目状态", "center", 8, 10), Col("下达资金", "money", 10), Col("已支出", "money", 10),
            Col("结余资金", "money", 10)]
    lines = [s for t in a.towns for s in t.surplus]
    rows = [[n, s.town, s.project_code, s.project_name, s.status, fen_wan(s.allocated_fen), fen_wan(s.spent_fen),
             fen_wan(s.surplus_fen)] for n, s in enumerate(lines, start=1)]
    return Block(cols, rows, filter=True, empty="考核期末月无结余资金待收回的项目")


__all__ = ["SHEETS", "write_appraisal_xlsx"]
