"""调度通报.docx: one to two pages in the official style, the week's figures written out in Chinese."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from docx.enum.text import WD_ALIGN_PARAGRAPH

from monitor.rules.flags import FLAG_LABELS
from reports.dispatch import Dispatch
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
from reports.palette import LIGHT_LABELS

#: the red list in the brief stops here; the workbook has all of them
RED_LIMIT = 10
NAMED_LIMIT = 5
#: 156 mm in all; 主要问题 is the widest text (all of a project's flags, or how far behind it is)
RED_WIDTHS_MM = (9, 17, 48, 14, 18, 50)
RED_HEADERS = ("序号", "镇街", "项目名称", "支出率", "落后（个百分点）", "主要问题")
CN_NUMBERS = "零一二三四五六七八九十"


def write_dispatch_docx(dispatch: Dispatch, path: Path) -> Path:
    """Write the 通报 at ``path`` (the caller makes it atomic) and return the path."""
    title = f"驻镇帮镇扶村资金支出调度通报（{dispatch.week_label}）"
    doc = new_document(title=title, author=dispatch.bureau, created=dispatch.day)
    add_page_numbers(doc.sections[0])
    add_title(doc, f"驻镇帮镇扶村资金支出调度通报\n（{dispatch.week_label}）")  # broken where the words allow
    add_text(doc, f"{dispatch.bureau}　　{date_cn(dispatch.day)}", align=WD_ALIGN_PARAGRAPH.CENTER)
    if dispatch.period is None:
        add_body(doc, f"截至{date_cn(dispatch.day)}，尚未收到各镇（街道）报送的驻镇帮镇扶村资金支出报表，"
                      "本周暂无数据可通报。" + turned_back_sentence(dispatch))
    else:
        add_section(doc, "一、总体情况", [headline(dispatch) + lights_sentence(dispatch)])
        add_section(doc, "二、各镇（街道）支出进度排名", [ranking_sentence(dispatch)])
        add_section(doc, "三、红灯项目", [red_intro(dispatch)])
        reds = [p for p in dispatch.red_yellow if p["light"] == "red"]  # widest gap first
        if reds:
            add_table(doc, RED_HEADERS, [(str(n), p["town"], p["project_name"], pct(p["spend_rate"]),
                                          str(points1(p["gap"])), main_problems(p))
                                         for n, p in enumerate(reds[:RED_LIMIT], start=1)],
                      RED_WIDTHS_MM, left=(2,))
        add_section(doc, "四、问题线索", [flags_sentence(dispatch)])
        add_section(doc, "五、本周变化", [changes_sentence(dispatch)])
        add_section(doc, "六、下一步工作", next_steps(dispatch))
    doc.save(str(path))
    return path


# ── numbers as the 通报 prints them ─────────────────────────────────────────────────────────────────


def amount(yuan: float | None) -> str:
    """元 → ``8,412.00万元``."""
    value = (Decimal(str(yuan or 0)) / 10000).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return f"{value:,}万元"


def pct(value: float | None) -> str:
    """0.6679 → ``66.8%``; a dash when there is no rate."""
    if value is None:
        return "—"
    return f"{(Decimal(str(value)) * 100).quantize(Decimal('0.1'), rounding=ROUND_HALF_UP)}%"


def points1(gap: float) -> Decimal:
    """A gap in 个百分点 with one decimal, half up: 0.1735 → 17.4."""
    return (Decimal(str(gap)) * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def versus_benchmark(gap: float | None) -> str:
    """``低于序时进度17.4个百分点`` / ``高于…`` / ``达到序时进度``."""
    if gap is None:
        return "暂无序时进度"
    shown = points1(gap)
    if shown == 0:
        return "达到序时进度"
    return f"{'低于' if shown > 0 else '高于'}序时进度{abs(shown)}个百分点"


def cn_number(n: int) -> str:
    """3 → ``三`` (up to ten), else the digits."""
    return CN_NUMBERS[n] if 0 <= n <= 10 else str(n)


def names(items: Sequence[str], limit: int = NAMED_LIMIT) -> str:
    shown = "、".join(items[:limit])
    return shown + (f"等{len(items)}个" if len(items) > limit else "")


# ── the paragraphs ──────────────────────────────────────────────────────────────────────────────────


def headline(d: Dispatch) -> str:
    """截至…，全区…资金下达X万元，已支出X万元，支出率X%，低于序时进度X个百分点。"""
    t = d.totals
    assert d.data_date is not None
    light = f"，总体为{LIGHT_LABELS[t.light]}" if t.light else ""
    return (f"截至{date_cn(d.data_date)}，全区驻镇帮镇扶村资金下达{amount(t.allocated)}，已支出{amount(t.spent)}，"
            f"支出率{pct(t.spend_rate)}，{versus_benchmark(t.gap)}（序时进度{pct(t.benchmark)}）{light}。")


def lights_sentence(d: Dispatch) -> str:
    t = d.totals
    unrated = t.projects - t.red - t.yellow - t.green
    extra = f"，另有{unrated}个项目下达资金为0或未明确，未评灯色" if unrated else ""
    missing = [r.town + ("（报送文件被退回）" if r.rejected_files else "") for r in d.reporting
               if r.state == "missing"]
    late = [r.town for r in d.reporting if r.state == "late"]
    sent = len(d.reporting) - len(missing) - sum(r.state == "pending" for r in d.reporting)
    month = period_cn(d.period or "")
    if sent == len(d.reporting):
        report = f"各镇（街道）均已报送{month}报表"
    else:
        report = f"{len(d.reporting)}个镇（街道）中，{sent}个已报送{month}报表"
    report += f"，其中{names(late)}逾期报送" if late else ""
    report += f"，{names(missing)}未报送" if missing else ""
    return (f"全区共{t.projects}个项目，其中红灯{t.red}个、黄灯{t.yellow}个、绿灯{t.green}个{extra}。"
            f"{report}。")


def ranking_sentence(d: Dispatch) -> str:
    ranked = [t for t in d.towns if t["rank"] is not None]
    if not ranked:
        return "各镇（街道）暂无可计算支出率的项目。"
    order = "；".join(f"{t['rank']}.{t['town']}{pct(t['spend_rate'])}" for t in ranked)
    text = f"按支出率排名：{order}。支出进度最快的是{ranked[0]['town']}（{pct(ranked[0]['spend_rate'])}）"
    bottom = [t["town"] for t in ranked if t["bottom_three"]]
    text += f"；排名后{cn_number(len(bottom))}位的是{'、'.join(bottom)}，请加快支出进度。" if bottom else "。"
    silent = [t["town"] for t in d.towns if t["rank"] is None and not t["submitted"] and not t["projects"]]
    unrated = [t["town"] for t in d.towns if t["rank"] is None and t["town"] not in silent]
    text += f"{'、'.join(silent)}未报送数据，未参与排名。" if silent else ""
    return text + (f"{'、'.join(unrated)}暂无可计算支出率的项目，未参与排名。" if unrated else "")


def red_intro(d: Dispatch) -> str:
    reds = [p for p in d.projects if p["light"] == "red"]
    if not reds:
        return "本期无红灯项目。"
    towns = Counter(p["town"] for p in reds)
    spread = "、".join(f"{town}{n}个" for town, n in towns.most_common())
    more = f"，下表列出差距最大的{RED_LIMIT}个，其余详见调度表“红黄灯项目”" if len(reds) > RED_LIMIT else ""
    return f"红灯项目共{len(reds)}个：{spread}{more}。"


def _points(value: float) -> str:
    return format((Decimal(str(value)) * 100).normalize(), "f")


def flags_sentence(d: Dispatch) -> str:
    """``本期问题线索共N条：支出为零1条、…`` in the flags' order of seriousness (one measure word: 条)."""
    if not d.flags:
        return "本期未发现问题线索。"
    counts = Counter(f.code for f in d.flags)
    order = {code: n for n, code in enumerate(FLAG_LABELS)}
    parts = "、".join(f"{FLAG_LABELS.get(code, code)}{counts[code]}条"
                     for code in sorted(counts, key=lambda c: order.get(c, len(order))))
    return f"本期问题线索共{len(d.flags)}条：{parts}。"


def turned_back_sentence(d: Dispatch) -> str:
    """Towns that sent the month's report only in files turned back whole (退回): named, as not reported."""
    towns = [r for r in d.reporting if r.state == "missing" and r.rejected_files]
    if not towns or d.reporting_period is None:
        return ""
    who = "、".join(f"{r.town}（{r.rejected_files}份）" for r in towns)
    return (f"{who}报送的{period_cn(d.reporting_period)}报表未能导入，已退回，视为未报送，"
            "请按问题清单修改后重新报送。")


def changes_sentence(d: Dispatch) -> str:
    c = d.changes
    if c is None:
        return "本周为首次调度，自下周起通报与上周相比的变化。"
    week = c.previous_week.replace("-W", "年第") + "周"
    parts = [f"{d.scope}新增支出{fen_wan(c.spent_added) or 0:,.2f}万元"]
    reds = [f"{p.town}{p.name}" for p in c.new_reds]
    parts.append(f"新增红灯{len(reds)}个（{names(reds)}）" if reds else "无新增红灯")
    worse = sum("worse" in p.kinds for p in c.projects)
    better = sum("better" in p.kinds for p in c.projects)
    moved = "、".join(f"灯色{word}{n}个" for word, n in (("好转", better), ("变差", worse)) if n)
    if moved:
        parts.append(moved)
    elif not c.light_changes:
        parts.append("各项目灯色均未变化")
    else:
        parts.append("其余项目灯色均未变化")
    town_moves = [f"{t.town}由{LIGHT_LABELS[t.light_before]}转{LIGHT_LABELS[t.light_after]}" for t in c.towns
                  if t.light_before in LIGHT_LABELS and t.light_after in LIGHT_LABELS
                  and t.light_before != t.light_after]
    if town_moves:
        parts.append("、".join(town_moves))
    arrived = [f"{s['town'] or '项目库'}{period_cn(s['period']) if s['period'] else ''}{arrival_note(s)}"
               for s in c.new_submissions]
    parts.append(f"新收报送{len(arrived)}份" + (f"（{names(arrived)}）" if arrived else ""))
    return f"与上次调度（{week}）相比，" + "；".join(parts) + "。"


def arrival_note(s: Mapping[str, Any]) -> str:
    """What a new file was, when not simply the month's report: ``更正`` or ``退回``."""
    if s.get("status") == "rejected":
        return "（退回）"
    return "（更正）" if s.get("correction") else ""


#: flag → (before the count, after it) in the 盘活资金 step
MONEY_STEPS: dict[str, tuple[str, str]] = {
    "surplus": ("结余资金待收回的", "个项目要及时结算、收回结余"),
    "awaiting-transfer": ("已请款未拨付的", "个项目请区财政局加快拨付"),
    "carryover-2y": ("结转满两年的", "个项目要优先支出，防止资金被收回"),
}


def next_steps(d: Dispatch) -> list[str]:
    steps: list[str] = []
    missing = [r.town for r in d.reporting if r.state == "missing"]
    if missing:
        steps.append(f"催报。请{'、'.join(missing)}立即报送{period_cn(d.period or '')}报表"
                     f"（截止日期{date_cn(d.due) if d.due else '已过'}）。")
    rejected = [f"{r.town}{r.rows_rejected}行" for r in d.reporting if r.rows_rejected]
    files = [f"{r.town}{r.rejected_files}份文件" for r in d.reporting if r.state == "missing" and r.rejected_files]
    if rejected or files:
        steps.append(f"更正数据。{'、'.join(files + rejected)}未能导入，请按问题清单修改后重新报送。")
    behind = [t["town"] for t in d.towns if t["bottom_three"] or t["light"] == "red"]
    with_red = [t["town"] for t in d.towns if t["red"]]
    urge = [f"请{'、'.join(behind)}倒排工期、挂图作战，加快支出进度"] if behind else []
    if with_red:
        who = "红灯项目所在镇（街道）" if behind else f"请{'、'.join(with_red)}"
        urge.append(f"{who}对红灯项目逐一说明原因和整改措施，于下周调度前报送我局")
    if urge:
        steps.append(f"加快支出。{'；'.join(urge)}。")
    counts = Counter(f.code for f in d.flags)
    money = [f"{text[0]}{counts[code]}{text[1]}" for code, text in MONEY_STEPS.items() if counts.get(code)]
    if money:
        steps.append(f"盘活资金。{'；'.join(money)}。")
    if not steps:
        steps.append("各镇（街道）继续按月报送，保持支出进度。")
    return [f"{n}. {text}" for n, text in enumerate(steps, start=1)]


__all__ = ["flags_sentence", "headline", "turned_back_sentence", "write_dispatch_docx"]
