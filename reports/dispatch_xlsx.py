"""调度表.xlsx: the dispatch workbook, seven sheets a clerk can filter on screen and print on A4."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from monitor.letters import STATUS_LABELS
from monitor.periods import period_end
from monitor.rules.flags import FLAG_LABELS
from monitor.snapshots import CHANGE_LABELS, LIGHT_RANK, TownChange
from reports.dispatch import REPORT_STATES, Dispatch, received_datetime
from reports.dispatch_layout import Block, Col, SheetSpec, created, page_header, write_workbook
from reports.dispatch_sources import sources_sheet
from reports.dispatch_text import date_cn, fen_wan, main_problems, period_cn, points, rules_note, wan
from reports.palette import LIGHT_COLOURS, LIGHT_LABELS

SHEETS = ("调度总览", "红黄灯项目", "全部项目", "问题线索", "报送情况", "函件跟踪", "本周变化", "资金来源进度")
LETTERS_NOTE = "暂无函件登记（fundmon letters 起草的函件在此跟踪）"
LETTERS_LINE = "列出调度日期前登记的全部函件；已发出的函件超过回复期限仍未回复的，标为逾期。"
REPLY_STATES = {"draft": "草稿，未发出", "waiting": "待回复", "overdue": "逾期未回复", "replied": "已回复",
                "replied-late": "逾期回复"}
STATE_FILL = {"missing": LIGHT_COLOURS["red"], "late": LIGHT_COLOURS["yellow"], "on-time": LIGHT_COLOURS["green"]}

MONEY, RATE, GAP, WHEN = "money", "rate", "points", "datetime"
NAME = Col("项目名称", lo=16, hi=36)
TOWN = Col("镇街", lo=8, hi=14)
CODE = Col("项目编号", lo=8, hi=18)


def write_dispatch_xlsx(dispatch: Dispatch, path: Path) -> Path:
    """Write the workbook at ``path`` (the caller makes it atomic) and return the path."""
    title = f"{dispatch.district}{dispatch.town or ''}驻镇帮镇扶村资金支出调度表（{dispatch.week_label}）"
    info = _info_line(dispatch)
    note = rules_note(dispatch.thresholds)
    overview_lines = [info, note] + ([_slice_note(dispatch)] if dispatch.town else [])
    sheets = [
        SheetSpec("调度总览", title, overview_lines, [_overview(dispatch)], freeze_cols=2),
        SheetSpec("红黄灯项目", title, [info, note], [_red_yellow(dispatch)], freeze_cols=0),
        SheetSpec("全部项目", title, [info, note], [_all_projects(dispatch)], freeze_cols=0),
        SheetSpec("问题线索", title, [info, "每个项目的每个问题一行；说明列给出触发问题的数字。"], [_flags(dispatch)]),
        SheetSpec("报送情况", title, [info, _reporting_note(dispatch)], [_reporting(dispatch)], freeze_cols=2),
        SheetSpec("函件跟踪", title, [info, LETTERS_LINE], [_letters(dispatch)]),
        SheetSpec("本周变化", title, [info, *_changes_lines(dispatch)], _changes(dispatch), repeat_header=False),
        sources_sheet(dispatch, title, info),
    ]
    write_workbook(path, sheets, header=page_header(dispatch.bureau, title),
                   properties={"title": title, "author": dispatch.bureau, "company": dispatch.bureau,
                               "created": created(dispatch.day)})
    return path


def _info_line(d: Dispatch) -> str:
    if d.period is None or d.data_date is None:
        turned_back = f"（{period_cn(d.reporting_period)}报表均未能导入）" if d.reporting_period else ""
        return f"暂无镇街报送数据{turned_back}　　调度日期：{date_cn(d.day)}　　单位：万元"
    return (f"数据截至{date_cn(d.data_date)}（{period_cn(d.period)}报表）　　调度日期：{date_cn(d.day)}"
            f"　　单位：万元")


def district_rank(rank: int | None) -> str:
    """A slice's rank cell: the town's place among all the district's towns."""
    return f"全区第{rank}名" if rank else "未参与排名"


def _slice_note(d: Dispatch) -> str:
    return (f"本表为{d.town}分表，只列{d.town}的项目和报送情况；排名为全区排名（全区共{d.ranked}个镇街参与排名），"
            "“全区合计”一行供对照。")


def _overview(d: Dispatch) -> Block:
    rank = Col("全区排名", "center", 10, 12) if d.town else Col("排名", "int", 5, 6)
    cols = [rank, TOWN, Col("项目数", "int", 6, 7), Col("下达资金", MONEY, 10),
            Col("已支出", MONEY, 10), Col("支出率", RATE, 8), Col("序时进度", RATE, 8),
            Col("偏差（个百分点）", GAP, 9, 10), Col("灯色", "light", 6, 8), Col("红灯", "int", 5, 6),
            Col("黄灯", "int", 5, 6), Col("绿灯", "int", 5, 6), Col("后三名", "center", 6, 8),
            Col("本期报送", "center", 8, 10)]
    block = Block(cols, filter=True)
    for t in d.towns:
        r = len(block.rows)
        block.rows.append([district_rank(t["rank"]) if d.town else t["rank"], t["town"], t["projects"], wan(t["allocated"]), wan(t["spent"]),
                           t["spend_rate"], t["benchmark"], points(t["gap"]), t["light"], t["red"], t["yellow"],
                           t["green"], "▼" if t["bottom_three"] else "", "已报送" if t["submitted"] else "未报送"])
        if t["bottom_three"]:
            block.cell_fills[(r, 12)] = LIGHT_COLOURS["red"]
        if not t["submitted"]:
            block.cell_fills[(r, 13)] = LIGHT_COLOURS["red"]
    s = d.totals
    submitted = "" if d.town else f"{sum(t['submitted'] for t in d.towns)}/{len(d.towns)}"
    block.extra.append(["", "全区合计", s.projects, wan(s.allocated), wan(s.spent), s.spend_rate, s.benchmark,
                        points(s.gap), s.light, s.red, s.yellow, s.green, "", submitted])
    block.bold_rows.add(len(block.rows))
    return block


def _red_yellow(d: Dispatch) -> Block:
    cols = [Col("序号", "int", 5, 6), Col("灯色", "light", 6, 8), TOWN, Col("村(社区)", lo=8, hi=12), CODE, NAME,
            Col("资金年度", "int", 6, 8), Col("下达资金", MONEY, 10), Col("已支出", MONEY, 10),
            Col("支出率", RATE, 8), Col("序时进度", RATE, 8), Col("偏差（个百分点）", GAP, 9, 10),
            Col("项目状态", lo=8, hi=10), Col("主要问题", lo=16, hi=40)]
    items = d.red_yellow
    rows = [[n, p["light"], p["town"], p["village"], p["project_code"], p["project_name"], p["fund_year"],
             wan(p["allocated"]), wan(p["spent"]), p["spend_rate"], p["benchmark"], points(p["gap"]), p["status"],
             main_problems(p)] for n, p in enumerate(items, start=1)]
    return Block(cols, rows, fills=[p["light"] for p in items], filter=True, empty="本期无红灯、黄灯项目")


def _all_projects(d: Dispatch) -> Block:
    cols = [Col("序号", "int", 5, 6), TOWN, Col("村(社区)", lo=8, hi=12), CODE, NAME, Col("项目类别", lo=8, hi=16),
            Col("资金年度", "int", 6, 8), Col("下达资金", MONEY, 10), Col("已请款", MONEY, 10),
            Col("已拨付", MONEY, 10), Col("已支出", MONEY, 10), Col("支出率", RATE, 8), Col("序时进度", RATE, 8),
            Col("偏差（个百分点）", GAP, 9, 10), Col("灯色", "light", 6, 8), Col("形象进度", RATE, 8),
            Col("项目状态", lo=8, hi=10), Col("问题", lo=12, hi=36), Col("数据月份", "center", 8, 14)]
    rows = [[n, p["town"], p["village"], p["project_code"], p["project_name"], p["category"], p["fund_year"],
             wan(p["allocated"]), wan(p["requested"]), wan(p["disbursed"]), wan(p["spent"]), p["spend_rate"],
             p["benchmark"], points(p["gap"]), p["light"], p["progress"], p["status"], main_problems(p),
             _month(p["last_period"])] for n, p in enumerate(d.projects, start=1)]
    return Block(cols, rows, fills=[p["light"] for p in d.projects], filter=True, empty="暂无项目数据")


def _month(period: str | None) -> str | None:
    return period_cn(period) if period else None


def _flags(d: Dispatch) -> Block:
    cols = [Col("序号", "int", 5, 6), Col("问题", lo=10, hi=20), TOWN, CODE, NAME, Col("灯色", "light", 6, 8),
            Col("说明", lo=30, hi=60)]
    rows = [[n, f.label, f.town, f.project_code, f.project_name, f.light, f.explanation]
            for n, f in enumerate(d.flags, start=1)]
    return Block(cols, rows, filter=True, empty="本期未发现问题线索")


def _reporting_note(d: Dispatch) -> str:
    if d.reporting_period is None or d.due is None:
        return "暂无报送数据。"
    since = f"（{period_cn(d.reporting[0].since)}起）" if d.reporting else ""
    return (f"本期为{period_cn(d.reporting_period)}报表，截止日期{date_cn(d.due)}。应报月数自本年首个有报送数据的月份起计"
            f"{since}，截止日期未到的月份不计；是否按时以首次报送时间为准，更正版不改变。"
            "退回文件为整份未能导入的文件（不算报送）；退回行数为现行版本中未能导入的行。")


def _reporting(d: Dispatch) -> Block:
    cols = [Col("序号", "int", 5, 6), TOWN, Col("本期状态", "center", 10, 18), Col("首次报送时间", WHEN, 12, 22),
            Col("报送份数", "int", 6, 8), Col("退回文件", "int", 6, 8), Col("退回行数", "int", 6, 8),
            Col("应报月数", "int", 6, 8), Col("已报", "int", 5, 6), Col("按时", "int", 5, 6),
            Col("逾期", "int", 5, 6), Col("未报", "int", 5, 6), Col("最近报送时间", WHEN, 12, 22),
            Col("最近报送月份", "center", 8, 14), Col("最近报送文件", lo=16, hi=40)]
    block = Block(cols, filter=True, empty="暂无报送数据")
    for n, r in enumerate(d.reporting, start=1):
        block.rows.append([n, r.town, REPORT_STATES[r.state], r.received_at, r.versions, r.rejected_files,
                           r.rows_rejected, r.expected, r.received, r.on_time, r.late, r.missing, r.last_received,
                           _month(r.last_period), r.last_file])
        if r.state in STATE_FILL:
            block.cell_fills[(n - 1, 2)] = STATE_FILL[r.state]
        if r.rows_rejected or r.rejected_files:
            block.cell_fills[(n - 1, 6 if r.rows_rejected else 5)] = LIGHT_COLOURS["yellow"]
    return block


def _letters(d: Dispatch) -> Block:
    """The letter register as of the dispatch day: issued, reply due, overdue, replied."""
    cols = [Col("序号", "int", 5, 6), Col("文号", lo=14, hi=20), Col("发函日期", "date", 13, 15),
            Col("类型", "center", 7, 8), Col("主送单位", lo=14, hi=20), Col("项目数", "int", 6, 7),
            Col("回复期限", "date", 13, 15), Col("状态", "center", 8, 10), Col("回复情况", lo=10, hi=14),
            Col("逾期天数", "int", 6, 8), Col("发出日期", "date", 13, 15), Col("回复日期", "date", 13, 15)]
    block = Block(cols, filter=True, empty=LETTERS_NOTE)
    for n, r in enumerate(d.letters, start=1):
        block.rows.append([n, r.number, r.day, r.kind_label, r.recipient, r.projects, r.reply_due,
                           STATUS_LABELS[r.status], REPLY_STATES[r.state], r.days_overdue or None,
                           r.issued_on, r.replied_on])
        if r.state in ("overdue", "replied-late"):
            block.cell_fills[(n - 1, 8)] = LIGHT_COLOURS["red" if r.state == "overdue" else "yellow"]
    return block


# ── 本周变化 ────────────────────────────────────────────────────────────────────────────────────────


def _changes_lines(d: Dispatch) -> list[str]:
    c = d.changes
    if c is None:
        return ["首次调度：暂无上次调度数据可比，下次调度起在此列出变化。"]
    basis = f"，数据截至{date_cn(period_end(c.previous_period))}" if c.previous_period else ""
    corrections = sum(bool(s.get("correction")) for s in c.new_submissions)
    among = f"（其中更正{corrections}份）" if corrections else ""
    return [f"与上次调度（{c.previous_week.replace('-W', '年第')}周，{date_cn(c.previous_day)}{basis}）相比："
            f"新增红灯{len(c.new_reds)}个，灯色变化{len(c.light_changes)}个，{d.scope}新增支出"
            f"{fen_wan(c.spent_added) or 0:,.2f}万元，新收报送{len(c.new_submissions)}份{among}。"
            "比较对象是上次调度当时的数据，期间的更正也列为变化；更正文件不改变该月首次报送的及时性。"]


#: The three tables of 本周变化 stand on one sheet, so a sheet column serves all three; each position holds
#: the same sort of content in each table (a number under a code, long text under the project name, the
#: lights and money in the same places), and a column is as wide as the widest of them needs.
_SEQ = Col("序号", "int", 5, 6)
_MOVES = [Col("上次灯色", "light", 6, 8), Col("本次灯色", "light", 6, 8), Col("上次已支出", MONEY, 10),
          Col("本次已支出", MONEY, 10), Col("新增支出", MONEY, 10), Col("上次支出率", RATE, 8),
          Col("本次支出率", RATE, 8)]
FIRST_DISPATCH = "首次调度，暂无上次调度数据可比"


def _changes(d: Dispatch) -> list[Block]:
    c = d.changes
    towns = Block([_SEQ, Col("变化", lo=10, hi=24), TOWN, Col("本次排名", "int", 6, 8),
                   Col("排名变化", lo=10, hi=20), *_MOVES, Col("本期报送", lo=8, hi=16)],
                  title="一、各镇街变化", empty=FIRST_DISPATCH)
    projects = Block([_SEQ, Col("变化", lo=10, hi=24), TOWN, CODE, NAME, *_MOVES, Col("问题变化", lo=12, hi=36)],
                     title=f"二、项目变化（{len(c.projects) if c else 0}个）", filter=c is not None,
                     empty="项目无变化" if c else FIRST_DISPATCH)
    arrived = Block([_SEQ, Col("报表月份", "center", 8, 14), TOWN, Col("接收时间", WHEN, 12, 22),
                     Col("文件", lo=16, hi=40), Col("及时性", "center", 6, 8), Col("状态", "center", 6, 8),
                     Col("退回行数", "int", 6, 8)],
                    title=f"三、新收报送（{len(c.new_submissions) if c else 0}份）",
                    empty="上次调度以来未收到新的报送" if c else FIRST_DISPATCH)
    if c is None:
        return [towns, projects, arrived]
    same_period = c.previous_period == d.period
    for n, t in enumerate(c.towns, start=1):  # in rank order, the unranked last
        towns.rows.append([n, _town_kinds(t, same_period), t.town, t.rank_after, rank_move(t.rank_before, t.rank_after),
                           t.light_before, t.light_after, fen_wan(t.spent_before), fen_wan(t.spent_after),
                           fen_wan(t.added), t.rate_before, t.rate_after,
                           _submitted_change(t.submitted_before if same_period else None, t.submitted_after)])
    for n, p in enumerate(c.projects, start=1):
        projects.rows.append([n, "、".join(CHANGE_LABELS[k] for k in p.kinds), p.town, p.code, p.name,
                              p.light_before, p.light_after, fen_wan(p.spent_before), fen_wan(p.spent_after),
                              fen_wan(p.added), p.rate_before, p.rate_after,
                              _flag_change(p.flags_added, p.flags_cleared)])
        projects.fills.append("red" if "new-red" in p.kinds else None)
    for n, s in enumerate(c.new_submissions, start=1):
        arrived.rows.append([n, _month(s["period"]), s["town"] or "（项目库）", received_datetime(s), s["file_name"],
                             arrival_kind(s), SUBMISSION_STATUS.get(s["status"], s["status"]), s["rows_rejected"]])
    return [towns, projects, arrived]


SUBMISSION_STATUS = {"accepted": "有效", "superseded": "已替代", "rejected": "退回", "withdrawn": "已撤回"}
TIMELINESS = {"on-time": "按时", "late": "逾期", "unknown": "不详"}


def arrival_kind(s: Mapping[str, Any]) -> str:
    """A new file's 及时性: 更正 for a later version of a month already reported (the first file's timeliness
    stands, as 报送情况 says), else 按时 / 逾期."""
    return "更正" if s.get("correction") else TIMELINESS.get(s["timeliness"], "")


def rank_move(before: int | None, after: int | None) -> str:
    """``上升2位（3→1）`` / ``下降1位（1→2）`` / ``不变`` / ``新列入排名`` / ``未参与排名（上次第2名）``."""
    if before is None and after is None:
        return ""
    if before is None:
        return "新列入排名"
    if after is None:
        return f"未参与排名（上次第{before}名）"
    if before == after:
        return "不变"
    return f"{'上升' if after < before else '下降'}{abs(before - after)}位（{before}→{after}）"


def _town_kinds(t: TownChange, same_period: bool) -> str:
    """What moved for a town: its light, its rank, its spending, its report."""
    kinds = []
    if t.light_before != t.light_after and None not in (t.light_before, t.light_after):
        worse = LIGHT_RANK[t.light_after] > LIGHT_RANK[t.light_before]
        kinds.append("灯色变差" if worse else "灯色好转")
    if t.rank_before and t.rank_after and t.rank_before != t.rank_after:
        kinds.append("排名上升" if t.rank_after < t.rank_before else "排名下降")
    if t.added:
        kinds.append("新增支出" if t.added > 0 else "支出核减")
    if same_period and t.submitted_before is False and t.submitted_after:
        kinds.append("新报送")
    return "、".join(kinds)


def _submitted_change(before: bool | None, after: bool | None) -> str:
    now = {True: "已报送", False: "未报送", None: ""}[after]
    return f"{now}（新报送）" if after and before is False else now


def _flag_change(added: tuple[str, ...], cleared: tuple[str, ...]) -> str:
    parts = [f"新增：{'、'.join(FLAG_LABELS.get(f, f) for f in added)}"] if added else []
    parts += [f"消除：{'、'.join(FLAG_LABELS.get(f, f) for f in cleared)}"] if cleared else []
    return "；".join(parts)


__all__ = ["LETTERS_NOTE", "LIGHT_LABELS", "SHEETS", "write_dispatch_xlsx"]
