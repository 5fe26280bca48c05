"""The words of the year-end appraisal (年度考核) both documents print: the period, the ranking rule and the
definition of every tally, so the workbook and the 说明 say the same thing."""

from __future__ import annotations

from decimal import Decimal

from monitor.appraisal import Appraisal
from monitor.periods import split_period
from monitor.rules.text import day_cn, month_cn
from reports.dispatch_text import rules_note

XLSX_NAME = "年度考核.xlsx"
DOCX_NAME = "年度考核说明.docx"
REPORT_LABELS: dict[str, str] = {"on-time": "按时", "late": "逾期", "unknown": "时间不详", "missing": "未报送"}
REPLY_LABELS: dict[str, str] = {"waiting": "未到回复期限", "overdue": "逾期未回复", "replied": "按时回复",
                                "replied-late": "逾期回复"}
KIND_LABELS: dict[str, str] = {"reminder": "提醒函", "supervision": "督办函", "report": "催报函"}
UNRANKED = "未排名"


def folder_name(year: int) -> str:
    return f"appraisal-{year}"


def title(a: Appraisal) -> str:
    return f"{a.district}{a.year}年度驻镇帮镇扶村资金支出考核统计表"


def month_span(a: Appraisal) -> str:
    """``2023年3月至10月（共8个月）``."""
    first, last = a.months[0], a.months[-1]
    if first == last:
        return f"{month_cn(first)}（共1个月）"
    return f"{month_cn(first)}至{split_period(last)[1]}月（共{len(a.months)}个月）"


def final_label(a: Appraisal) -> str:
    """What the final spend rate is: 年末 when December is judged, else the last judged month's end."""
    year, month = split_period(a.final_period)
    return "年末支出率" if month == 12 else f"支出率（截至{month}月底）"


def months_cn(periods: list[str]) -> str:
    """``2023年11月、12月`` (the year once)."""
    return "、".join(month_cn(p) if n == 0 else f"{split_period(p)[1]}月" for n, p in enumerate(periods))


def pct(value: float | None) -> str:
    return "—" if value is None else f"{(Decimal(str(value)) * 100).quantize(Decimal('0.1'))}%"


def bottom_words(n: int) -> str:
    return f"后{'一二三四五六七八九十'[n - 1]}名" if 1 <= n <= 10 else f"后{n}名"


def ranking_rule(a: Appraisal) -> str:
    return (f"排名规则：按{final_label(a)}从高到低排名（按四位小数比较）；支出率相同的，红灯月数少者在前；"
            f"仍相同的，进入{bottom_words(a.bottom_n)}的月数少者在前；三项均相同的并列。"
            "没有可计算支出率的镇街（未报送数据）不参与排名，列在最后。本表只汇总各项考核指标，不设加权总分。")


def definitions(a: Appraisal) -> list[tuple[str, str]]:
    """(统计项, 口径) for every figure in the appraisal."""
    year, month = split_period(a.final_period)
    not_due = f"{months_cn(a.not_due)}报表截至考核基准日尚未到报送截止日期，不纳入本次考核。" if a.not_due else ""
    drafts = f"（截至考核基准日另有{a.drafts}份函件仍为草稿）" if a.drafts else ""
    target = pct(a.target)
    return [
        ("考核期", f"{month_span(a)}：自{a.year}年最早有镇街报表的月份起，至考核基准日{day_cn(a.as_of)}前已过报送截止"
                   f"日期的最后一个月。{not_due}"),
        ("数据口径", f"各月灯色、排名均用考核基准日{day_cn(a.as_of)}前收到的数据，按当月调度的同一规则重新计算；"
                     "事后收到的更正也计入，因此可能与当时调度通报的结果不同。镇街当月未报送的，沿用其以前月份的数据评灯。"),
        ("各月灯色", rules_note(a.thresholds).removeprefix("说明：") + "镇街没有可计算支出率的项目的月份记为“无数据”。"),
        (f"{bottom_words(a.bottom_n)}月数", f"当月按支出率排名处于{bottom_words(a.bottom_n)}的月数"
                                           f"（参与排名的镇街多于{a.bottom_n}个时才标注）。"),
        (final_label(a), f"{year}年{month}月底累计支出÷下达资金（以前年度结转资金计入，提前下达的以后年度资金不计入）。"
                         f"年末目标为当年资金12月31日的序时进度{target}，差距＝年末目标－支出率（个百分点，正数为未达目标）。"),
        ("收到函件", f"提醒函、督办函、催报函按函件所涉报表月份归入年度（12月报表的函件次年初发出也计入{a.year}年）；"
                     f"只计考核基准日前已发出的函件（状态为已发出或已回复），草稿不计{drafts}；"
                     "拨付函发给区财政局，不计入镇街。"),
        ("回复逾期", "分两项：逾期未回复，指已发出、超过回复期限且截至考核基准日仍未登记回复的函件；逾期回复，指登记的回复日期"
                     "晚于回复期限的函件。催报函同样以登记的回复日期为准；考核基准日以后登记的回复不计。"),
        ("报送情况", "每月以该月第一份有效报表的收到时间判断是否按时（截止日期为次月约定日，遇周末、节假日顺延，各月截止日期见“各月报送”表），此后的更正不影响；"
                     "被整份退回或撤回的文件不算报送；收到时间不详（补录的历史月份）的计为已报送，不判断按时与否。"),
        ("结余资金未收回", f"考核期末月（{year}年{month}月）项目状态为已结算或取消、且下达资金大于累计支出的项目"
                           "（结余资金待收回），金额＝下达资金－累计支出。"),
        ("排名", ranking_rule(a).removeprefix("排名规则：")),
    ]


def as_of_line(a: Appraisal) -> str:
    return f"考核期：{month_span(a)}　　数据截至：{day_cn(a.as_of)}　　金额单位：万元"
