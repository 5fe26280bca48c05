"""年度考核说明.docx: a short note in the official style — the scope, the ranking with each town's tallies,
and what the counts do and do not include."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt

from monitor.appraisal import Appraisal, TownAppraisal
from monitor.periods import split_period
from monitor.rules.text import day_cn, month_cn
from reports.appraisal_text import (
    UNRANKED,
    XLSX_NAME,
    bottom_words,
    definitions,
    final_label,
    month_span,
    months_cn,
    pct,
    ranking_rule,
)
from reports.docx_style import (
    add_body,
    add_heading,
    add_page_numbers,
    add_table,
    add_text,
    add_title,
    new_document,
)

#: 156 mm, the type area's width; each header line fits its column in 小五 (9 pt)
WIDTHS_MM = (9, 19, 19, 19, 12, 20, 20, 14, 24)
SIZE_XIAO5 = Pt(9)


def write_appraisal_docx(a: Appraisal, path: Path) -> Path:
    """Write the 说明 at ``path`` (the caller makes it atomic) and return the path."""
    head = f"{a.district}{a.year}年度驻镇帮镇扶村资金支出考核情况说明"
    doc = new_document(title=head, author=a.bureau, created=a.as_of)
    add_page_numbers(doc.sections[0])
    add_title(doc, f"{a.district}{a.year}年度驻镇帮镇扶村\n资金支出考核情况说明")
    add_text(doc, f"{a.bureau}　　数据截至{day_cn(a.as_of)}", align=WD_ALIGN_PARAGRAPH.CENTER)
    add_heading(doc, "一、考核范围")
    add_body(doc, scope_paragraph(a))
    add_heading(doc, "二、考核结果")
    add_body(doc, results_paragraph(a))
    month = split_period(a.final_period)[1]
    add_table(doc, ("排名", "镇街", "年末\n支出率" if month == 12 else f"支出率\n（{month}月底）", "红/黄/绿灯\n月数",
                    f"{bottom_words(a.bottom_n)}\n月数", "提醒/督办/\n催报函", "逾期未回复/\n逾期回复", "逾期/\n未报送",
                    "结余未收回\n（个/万元）"),
              [table_row(t) for t in a.towns], WIDTHS_MM, size=SIZE_XIAO5)
    add_body(doc, ranking_rule(a))
    add_heading(doc, "三、统计口径")
    for n, (item, text) in enumerate(definitions(a)[1:-1], start=1):  # the scope and ranking are said above
        add_body(doc, f"{n}. {item}：{text}")
    add_body(doc, f"各镇（街道）逐月灯色、排名、报送情况，函件和结余资金项目明细见{XLSX_NAME}。")
    doc.save(str(path))
    return path


def wan(fen: int) -> str:
    return f"{(Decimal(fen) / 1_000_000).quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):,}"


def table_row(t: TownAppraisal) -> list[str]:
    return [str(t.rank) if t.rank is not None else UNRANKED, t.town, pct(t.final_rate),
            f"{t.red}/{t.yellow}/{t.green}", str(t.bottom_months),
            f"{t.letters['reminder']}/{t.letters['supervision']}/{t.letters['report']}",
            f"{t.replies_overdue}/{t.replies_late}",
            f"{t.late}/{t.missing}", f"{len(t.surplus)}/{wan(t.surplus_fen)}" if t.surplus else "0"]


def scope_paragraph(a: Appraisal) -> str:
    towns = len(a.towns)
    text = (f"本次考核对象为{towns}个镇（街道），考核期为{month_span(a)}，数据截至{day_cn(a.as_of)}。"
            "各月灯色和排名按当月调度的同一规则、用截至上述日期收到的数据重新计算；"
            f"支出率以{month_cn(a.final_period)}底的累计支出计算，年末目标为{pct(a.target)}。")
    if a.not_due:
        text += f"{months_cn(a.not_due)}报表尚未到报送截止日期，未纳入本次考核。"
    return text


def results_paragraph(a: Appraisal) -> str:
    ranked = [t for t in a.towns if t.rank is not None]
    if not ranked:
        return "考核期内各镇（街道）均无可计算支出率的项目，未排名。"
    first, last = ranked[0], ranked[-1]
    parts = [f"按{final_label(a)}排名，{first.town}第一（{pct(first.final_rate)}），"
             f"{last.town}最后（{pct(last.final_rate)}）"]
    reached = [t.town for t in ranked if t.gap is not None and t.gap <= 0]
    parts.append(f"{'、'.join(reached)}达到年末目标" if reached else "各镇（街道）均未达到年末目标")
    red = [f"{t.town}{t.red}个月" for t in a.towns if t.red]
    parts.append(f"出现红灯的有{'、'.join(red)}" if red else "考核期内无镇街出现红灯")
    missing = [f"{t.town}{t.missing}个月" for t in a.towns if t.missing]
    if missing:
        parts.append(f"未报送的有{'、'.join(missing)}")
    silent = [t.town for t in a.towns if t.rank is None]
    text = "；".join(parts) + "。"
    if silent:
        text += f"{'、'.join(silent)}考核期内无可计算支出率的数据，未参与排名。"
    return text


__all__ = ["write_appraisal_docx"]
