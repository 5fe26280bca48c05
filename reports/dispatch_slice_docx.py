"""调度通报.docx of a town's slice: the week's dispatch told to that town government (你镇 / 你街道)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from docx.enum.text import WD_ALIGN_PARAGRAPH

from monitor.breakdown import CURRENT
from monitor.money import rate
from reports.dispatch import Dispatch
from reports.dispatch_docx import (
    amount,
    arrival_note,
    cn_number,
    flags_sentence,
    names,
    pct,
    points1,
    versus_benchmark,
)
from reports.dispatch_reporting import TownReporting
from reports.dispatch_text import date_cn, fen_wan, main_problems, period_cn
from reports.docx_style import (
    add_body,
    add_page_numbers,
    add_section,
    add_table,
    add_text,
    add_title,
    new_document,
)
from reports.letters import recipient_of
from reports.palette import LIGHT_LABELS

#: 156 mm: 序号, 灯色, 项目名称, 支出率, 落后, 主要问题
WIDTHS_MM = (9, 12, 55, 16, 18, 46)
HEADERS = ("序号", "灯色", "项目名称", "支出率", "落后（个百分点）", "主要问题")
LIMIT = 15


def you(town: str) -> str:
    """How the bureau addresses the town: 你镇, 你街道, 你乡."""
    return "你街道" if town.endswith("街道") else "你乡" if town.endswith("乡") else "你镇"


def write_slice_docx(d: Dispatch, path: Path) -> Path:
    """Write the town's 通报 at ``path`` (the caller makes it atomic) and return the path."""
    assert d.town is not None
    title = f"驻镇帮镇扶村资金支出调度通报（{d.town}　{d.week_label}）"
    doc = new_document(title=title, author=d.bureau, created=d.day)
    add_page_numbers(doc.sections[0])
    add_title(doc, f"驻镇帮镇扶村资金支出调度通报\n（{d.town}　{d.week_label}）")
    add_text(doc, f"{d.bureau}　　{date_cn(d.day)}", align=WD_ALIGN_PARAGRAPH.CENTER)
    add_text(doc, f"{recipient_of(d.town)}：", align=WD_ALIGN_PARAGRAPH.LEFT)
    if d.period is None:
        add_body(doc, f"截至{date_cn(d.day)}，全区尚无镇（街道）报送的驻镇帮镇扶村资金支出数据，本周暂无数据可通报。"
                 + slice_turned_back_sentence(d))
    else:
        add_body(doc, f"现将{d.week_label}全区驻镇帮镇扶村资金支出调度中{you(d.town)}的情况通报如下。")
        add_section(doc, "一、支出进度", [standing(d), lights(d)])
        add_section(doc, "二、红灯、黄灯项目", [red_yellow_intro(d)])
        items = d.red_yellow
        if items:
            add_table(doc, HEADERS, [(str(n), LIGHT_LABELS.get(p["light"], ""), p["project_name"],
                                      pct(p["spend_rate"]), str(points1(p["gap"])), main_problems(p))
                                     for n, p in enumerate(items[:LIMIT], start=1)], WIDTHS_MM, left=(2, 5))
        add_section(doc, "三、问题线索", [flags_sentence(d)])
        add_section(doc, "四、报送情况", [reporting_sentence(d)])
        add_section(doc, "五、资金来源", [sources_sentence(d)])
        add_section(doc, "六、本周变化", [slice_changes_sentence(d)])
        add_section(doc, "七、工作要求", requests(d))
    doc.save(str(path))
    return path


def _row(d: Dispatch) -> Mapping[str, Any] | None:
    return d.towns[0] if d.towns else None


def standing(d: Dispatch) -> str:
    """Its totals against the benchmark, its light, its district rank, and the district for comparison."""
    t, total = _row(d), d.totals
    assert d.data_date is not None and d.town is not None
    district = f"全区支出率{pct(total.spend_rate)}"
    if t is None or t["spend_rate"] is None:
        return f"截至{date_cn(d.data_date)}，{you(d.town)}暂无可计算支出率的项目，未参与排名（{district}）。"
    light = f"，为{LIGHT_LABELS[t['light']]}" if t["light"] else ""
    bottom = f"，列全区后{cn_number(d.thresholds['bottom_n'])}位" if t["bottom_three"] else ""
    compare = ""
    if total.spend_rate is not None:
        diff = points1(round(total.spend_rate - t["spend_rate"], 4))
        compare = (f"，{you(d.town)}与全区持平" if diff == 0
                   else f"，{you(d.town)}{'低于' if diff > 0 else '高于'}全区{abs(diff)}个百分点")
    return (f"截至{date_cn(d.data_date)}，{you(d.town)}驻镇帮镇扶村资金下达{amount(t['allocated'])}，"
            f"已支出{amount(t['spent'])}，支出率{pct(t['spend_rate'])}，{versus_benchmark(t['gap'])}"
            f"（序时进度{pct(t['benchmark'])}）{light}；在全区{d.ranked}个镇（街道）中排名第{t['rank']}位{bottom}。"
            f"{district}{compare}。")


def lights(d: Dispatch) -> str:
    lights_ = Counter(p["light"] for p in d.projects)
    unrated = len(d.projects) - sum(lights_[c] for c in ("red", "yellow", "green"))
    extra = f"，另有{unrated}个项目下达资金为0或未明确，未评灯色" if unrated else ""
    return (f"{you(d.town or '')}共{len(d.projects)}个项目纳入监测，其中红灯{lights_['red']}个、黄灯{lights_['yellow']}个、"
            f"绿灯{lights_['green']}个{extra}。")


def red_yellow_intro(d: Dispatch) -> str:
    items = d.red_yellow
    if not items:
        return "本期无红灯、黄灯项目。"
    reds = sum(p["light"] == "red" for p in items)
    more = f"，下表列出差距最大的{LIMIT}个，其余详见调度表“红黄灯项目”" if len(items) > LIMIT else ""
    return f"红灯项目{reds}个、黄灯项目{len(items) - reds}个{more}："


def _report(r: TownReporting, d: Dispatch) -> str:
    month = period_cn(d.reporting_period or d.period or "")
    due = f"（截止日期{date_cn(d.due)}）" if d.due else ""
    if r.state == "missing":
        turned = f"，报送的{r.rejected_files}份文件未能导入，已退回" if r.rejected_files else ""
        return f"{you(r.town)}尚未报送{month}报表{due}{turned}"
    if r.state == "pending":
        return f"{month}报表尚未到截止日期{due}"
    when = f"于{date_cn(r.received_at.date())}" if r.received_at else ""
    state = {"on-time": "按时报送", "late": "逾期报送"}.get(r.state, "已报送")
    fixed = f"，之后报送更正{r.versions - 1}次" if r.versions > 1 else ""
    return f"{you(r.town)}{when}{state}{month}报表{fixed}"


def reporting_sentence(d: Dispatch) -> str:
    if not d.reporting:
        return "暂无报送记录。"
    r = d.reporting[0]
    text = _report(r, d)
    if r.expected:
        text += (f"；本年自{period_cn(r.since)}起应报{r.expected}个月，已报{r.received}个月，其中按时{r.on_time}个月、"
                 f"逾期{r.late}个月，未报{r.missing}个月")
    if r.rows_rejected:
        text += f"；现行版本有{r.rows_rejected}行数据未能导入"
    return text + "。"


def sources_sentence(d: Dispatch) -> str:
    """当年 and 结转 money: what is left of the carry-over, which must be spent this year."""
    s = d.sources
    if s is None or not s.parts:
        return "暂无可按资金来源统计的项目。"
    parts = []
    for r in s.rows("fund-year"):
        kind = "当年资金" if r.kind == CURRENT else "结转资金"
        parts.append(f"{r.key}年{kind}{_wan(r.allocated)}，已支出{_wan(r.spent)}，支出率{_rate(r.spent, r.allocated)}")
    text = "；".join(parts) + "。"
    left = s.carryover().unspent
    if left > 0:
        text += f"以前年度结转资金尚有{_wan(left)}未支出，须在今年内支出完毕，防止资金被收回。"
    return text + "按批次、层级的情况详见调度表“资金来源进度”。"


def _wan(fen_amount: int) -> str:
    return f"{fen_wan(fen_amount) or 0:,.2f}万元"


def _rate(spent: int, allocated: int) -> str:
    value = rate(spent, allocated)
    return pct(None if value is None else float(value))


def slice_turned_back_sentence(d: Dispatch) -> str:
    """The town's files of the month all turned back (退回), said to the town: 你镇报送的…未能导入."""
    files = sum(r.rejected_files for r in d.reporting if r.state == "missing")
    if not files or d.reporting_period is None:
        return ""
    return (f"{you(d.town or '')}报送的{period_cn(d.reporting_period)}报表（{files}份）未能导入，已退回，视为未报送，"
            "请按问题清单修改后重新报送。")


def slice_changes_sentence(d: Dispatch) -> str:
    """本周变化 as the district brief says it, but to the town: 你镇 for its own name, its projects unprefixed."""
    c = d.changes
    if c is None:
        return "本周为首次调度，自下周起通报与上周相比的变化。"
    me = you(d.town or "")
    week = c.previous_week.replace("-W", "年第") + "周"
    parts = [f"{me}新增支出{fen_wan(c.spent_added) or 0:,.2f}万元"]
    reds = [p.name for p in c.new_reds]
    parts.append(f"新增红灯{len(reds)}个（{names(reds)}）" if reds else "无新增红灯")
    worse = sum("worse" in p.kinds for p in c.projects)
    better = sum("better" in p.kinds for p in c.projects)
    moved = "、".join(f"灯色{word}{n}个" for word, n in (("好转", better), ("变差", worse)) if n)
    parts.append(moved or ("其余项目灯色均未变化" if c.light_changes else "各项目灯色均未变化"))
    parts += [f"{me}由{LIGHT_LABELS[t.light_before]}转{LIGHT_LABELS[t.light_after]}" for t in c.towns
              if t.light_before in LIGHT_LABELS and t.light_after in LIGHT_LABELS and t.light_before != t.light_after]
    arrived = [f"{period_cn(s['period']) if s['period'] else ''}{arrival_note(s)}" for s in c.new_submissions]
    parts.append(f"新收报送{len(arrived)}份" + (f"（{names(arrived)}）" if any(arrived) else ""))
    return f"与上次调度（{week}）相比，" + "；".join(parts) + "。"


def requests(d: Dispatch) -> list[str]:
    """What the bureau asks of this town this week, numbered."""
    steps: list[str] = []
    t, r = _row(d), d.reporting[0] if d.reporting else None
    if r is not None and r.state == "missing":
        steps.append(f"立即报送{period_cn(d.reporting_period or d.period or '')}报表。")
    if r is not None and (r.rows_rejected or (r.state == "missing" and r.rejected_files)):
        steps.append("按问题清单修改未能导入的数据后重新报送。")
    reds = [p for p in d.projects if p["light"] == "red"]
    if t is not None and (t["bottom_three"] or t["light"] == "red"):
        steps.append("倒排工期、挂图作战，加快支出进度。")
    if reds:
        steps.append(f"对{len(reds)}个红灯项目逐一说明原因和整改措施，于下周调度前报送我局。")
    counts = Counter(f.code for f in d.flags)
    for code, text in MONEY_REQUESTS.items():
        if counts.get(code):
            steps.append(text.format(n=counts[code]))
    overdue = [x.number for x in d.letters if x.state == "overdue"]
    if overdue:
        steps.append(f"尽快回复我局{'、'.join(overdue)}，已超过回复期限。")
    if not steps:
        steps.append("继续按月报送，保持支出进度。")
    return [f"{n}. {text}" for n, text in enumerate(steps, start=1)]


MONEY_REQUESTS: dict[str, str] = {
    "surplus": "结余资金待收回的{n}个项目，及时办理结算、收回结余资金。",
    "carryover-2y": "结转满两年的{n}个项目优先支出，防止资金被收回。",
    "awaiting-transfer": "已请款未拨付的{n}个项目，请与区财政局对接，加快拨付。",
}


__all__ = ["write_slice_docx"]
