"""The words of a letter, modelled on real ones: fact with figures → basis → numbered requests → reply
deadline and contact → 特此函告, and the attached table of projects."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from monitor.rules.flags import FLAG_LABELS
from monitor.settings import Settings
from reports.dispatch_text import date_cn, period_cn
from reports.letters import Item, LetterDraft, data_date

BASIS = "《广东省乡村振兴驻镇帮镇扶村资金筹集使用监管办法》"
CLOSING = "特此函告。"
NUMERALS = "一二三四五六七八九十"
BLANK = "　　　　"  # a contact or phone the clerk fills in
REASON_LABELS: dict[str, str] = {"red": "红灯", "yellow-twice": "连续两期黄灯", **FLAG_LABELS}
LIGHTS = {"red": "红", "yellow": "黄", "green": "绿"}
#: the order problems are listed in, with what is said of the projects (``{g}``/``{y}`` the light
#: thresholds in points, ``{s}`` the stalled months)
PROBLEMS: tuple[tuple[str, str], ...] = (
    ("red", "支出率低于序时进度{y}个百分点以上或至今未支出，亮红灯"),
    ("yellow-twice", "连续两个月支出率低于序时进度{g}个百分点以上，亮黄灯"),
    ("zero-spend", "资金下达后至今未形成支出"),
    ("stalled", "连续{s}个月无新增支出"),
    ("not-started", "已超过计划开工时间，仍未开工建设"),
    ("overdue", "已超过计划完工时间，仍未完工"),
    ("surplus", "已结算或取消，结余资金{surplus}万元尚未收回"),
)
TOWN_TABLE = (("序号", 10), ("项目名称", 32), ("村（社区）", 14), ("下达资金", 15), ("已支出", 15), ("支出率", 14),
              ("序时进度", 14), ("偏差（个百分点）", 13), ("灯", 7), ("问题", 22))
FINANCE_TABLE = (("序号", 10), ("镇街", 14), ("项目名称", 33), ("下达资金", 16), ("已请款", 16), ("已拨付", 16),
                 ("未拨付", 16), ("支出率", 14), ("问题", 21))


@dataclass
class Para:
    """A paragraph, indented two characters: ``body`` in 仿宋; ``h1`` a 一、 heading in 黑体 (with ``lead``:
    the lead in 黑体, the text after it in 仿宋); ``h2`` the same with a （一） lead in 楷体_GB2312."""

    kind: str
    text: str
    lead: str = ""


@dataclass
class TableSpec:
    headers: list[str]
    widths_mm: list[float]
    rows: list[list[str]]
    left: tuple[int, ...] = (1, 2)


@dataclass
class LetterContent:
    """What the docx writer lays out."""

    number: str
    title: str
    salutation: str
    paras: list[Para]
    signature: str
    date_text: str
    attachment: str | None = None
    table: TableSpec | None = None
    table_note: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def wan(yuan: Any) -> str:
    """元 → ``1,234.56``（万元）."""
    return "" if yuan is None else f"{Decimal(str(yuan)) / 10000:,.2f}"


def pct(rate: Any) -> str:
    return "" if rate is None else f"{Decimal(str(rate)) * 100:.1f}%"


def pts(gap: Any) -> str:
    return "" if gap is None else f"{Decimal(str(gap)) * 100:.1f}"


def _points(value: float) -> str:
    return format((Decimal(str(value)) * 100).normalize(), "f")


def names(items: Sequence[Item], most: int = 3) -> str:
    """尧里村道路硬底化、宫头村四小园建设 — or the first three 等N个项目."""
    shown = "、".join(i.project["project_name"] for i in items[:most])
    return f"{shown}等{len(items)}个项目" if len(items) > most else shown


def contact(settings: Settings) -> str:
    return f"联系人：{settings['letters.contact'] or BLANK}，电话：{settings['letters.phone'] or BLANK}"


def you(town: str | None) -> str:
    return "贵街道" if town and town.endswith("街道") else "贵镇"


def gap_text(gap: Any) -> str:
    if gap is None:
        return ""
    points = Decimal(str(gap)) * 100
    if points > 0:
        return f"，低于序时进度{points:.1f}个百分点"
    return f"，高于序时进度{-points:.1f}个百分点" if points < 0 else "，与序时进度持平"


def build_content(d: LetterDraft, settings: Settings) -> LetterContent:
    """The words of the draft's letter, by kind."""
    build = {"reminder": _town_letter, "supervision": _town_letter, "finance": _finance_letter,
             "report": _report_letter}[d.kind]
    return build(d, settings)


def _frame(d: LetterDraft, paras: list[Para]) -> LetterContent:
    return LetterContent(number=d.number, title=d.title, salutation=f"{d.recipient}：", paras=paras,
                         signature=d.bureau, date_text=date_cn(d.day))


# ── 提醒函 and 督办函 to a town ──────────────────────────────────────────────────────────────────────


def _town_facts(d: LetterDraft) -> str:
    t, town = d.town_status or {}, you(d.town)
    text = f"截至{date_cn(data_date(d))}，{town}驻镇帮镇扶村资金项目{t.get('projects', len(d.items))}个"
    if t.get("allocated") is not None:
        text += (f"，下达资金{wan(t['allocated'])}万元，已支出{wan(t['spent'])}万元，支出率{pct(t['spend_rate'])}"
                 f"{gap_text(t.get('gap'))}")
    if t.get("rank") and d.rated_towns:
        text += f"，在全区{d.rated_towns}个镇（街道）中排第{t['rank']}位"
    return text + f"。其中{len(d.items)}个项目进度滞后或存在问题（详见附件）。"


def _cited_text(d: LetterDraft) -> str:
    refs = "；".join(f"{date_cn(c.day)}以《{c.title}》（{c.number}）" for c in d.cited)
    again = sum(1 for i in d.items if i.cites is not None)
    return (f"我局已于{refs}函告{you(d.town)}有关项目进度滞后问题，并提出整改要求。截至{date_cn(data_date(d))}，"
            f"前函所列项目中仍有{again}个未整改到位（附件中“问题”栏注明前函文号）。")


def _problems(d: LetterDraft, settings: Settings) -> list[Para]:
    values = {"g": _points(settings["rules.green_gap"]), "y": _points(settings["rules.yellow_gap"]),
              "s": settings["rules.stalled_months"]}
    paras = []
    for code, said in PROBLEMS:
        items = [i for i in d.items if code in i.reasons]
        if not items:
            continue
        surplus = sum((Decimal(str(i.project["allocated"] or 0)) - Decimal(str(i.project["spent"] or 0))
                       for i in items), Decimal(0)) if code == "surplus" else 0
        text = said.format(surplus=wan(surplus), **values)
        paras.append(Para("h2", f"{names(items)}{text}。",
                          lead=f"（{NUMERALS[len(paras)]}）{REASON_LABELS[code]}项目{len(items)}个。"))
    return paras


def _requests(d: LetterDraft, settings: Settings) -> list[Para]:
    reasons = {r for i in d.items for r in i.reasons}
    asks = []
    if d.kind == "supervision":
        asks.append(("压实整改责任。", "请主要负责同志亲自研究部署，逐项落实整改措施；对整改不力、进度持续滞后的，"
                                "我局将在全区调度中予以通报。"))
    asks += [("倒排工期，挂图作战。", "请对照附件清单逐个项目分析滞后原因，制定整改措施，明确责任人和完成时限，"
                               "倒排工期、挂图作战，加快项目建设进度。"),
             ("加快资金拨付支付。", "按照合同约定和工程进度及时办理资金拨付和支付手续，确保资金支出与项目建设进度"
                             "相匹配，避免资金闲置。")]
    if reasons & {"not-started", "zero-spend"}:
        asks.append(("加快项目前期工作。", "对未开工、未支出项目，抓紧完成设计、预算评审和招投标等前期工作，"
                                   "尽快开工建设；确实无法实施的，按程序及时申请调整。"))
    if "surplus" in reasons:
        asks.append(("及时办理结算、收回结余资金。", "对已完工项目及时组织验收和结算审核；已结算、已取消项目的"
                                        "结余资金，按规定及时收回统筹使用。"))
    asks.append(("按时报送。", f"每月{settings['reporting.deadline_day']}日前按时报送上月项目资金支出进度报表，"
                           "确保数据真实、准确、完整。"))
    return [Para("h2", rest, lead=f"（{NUMERALS[n]}）{lead}") for n, (lead, rest) in enumerate(asks)]


def _town_letter(d: LetterDraft, settings: Settings) -> LetterContent:
    paras = [Para("body", _cited_text(d))] if d.kind == "supervision" else []
    paras.append(Para("body", _town_facts(d)))
    purpose = "现予督办，有关事项函告如下：" if d.kind == "supervision" else "为加快资金支出进度，现将有关事项函告如下："
    paras.append(Para("body", f"根据{BASIS}等有关要求，驻镇帮镇扶村资金应按照序时进度及时拨付、支出，"
                              f"尽早发挥资金使用效益。{purpose}"))
    paras += [Para("h1", "一、存在的问题"), *_problems(d, settings), Para("h1", "二、工作要求"),
              *_requests(d, settings)]
    paras.append(Para("body", f"请于{date_cn(d.reply_due)}前将整改措施及进展情况书面报送我局（{contact(settings)}）。"))
    content = _frame(d, paras)
    content.attachment = f"{d.town}项目进度滞后清单"
    content.table = TableSpec([h for h, _ in TOWN_TABLE], [w for _, w in TOWN_TABLE],
                              [_town_row(n, i) for n, i in enumerate(d.items, start=1)], left=(1, 2, 9))
    content.table_note = f"数据截至{date_cn(data_date(d))}　单位：万元"
    return content


def _town_row(n: int, item: Item) -> list[str]:
    p = item.project
    problem = "、".join(REASON_LABELS.get(r, r) for r in item.reasons)
    if item.cites is not None:
        problem += f"；前函{item.cites.number}"
    return [str(n), p["project_name"], p.get("village") or "", wan(p["allocated"]), wan(p["spent"]),
            pct(p["spend_rate"]), pct(p["benchmark"]), pts(p["gap"]), LIGHTS.get(p["light"] or "", ""), problem]


# ── to the finance bureau, and 催报 ───────────────────────────────────────────────────────────────────


def _owed(p: Mapping[str, Any]) -> Decimal:
    return Decimal(str(p["requested"] or 0)) - Decimal(str(p["disbursed"] or 0))


def _finance_letter(d: LetterDraft, settings: Settings) -> LetterContent:
    projects = [i.project for i in d.items]
    requested = sum((Decimal(str(p["requested"] or 0)) for p in projects), Decimal(0))
    disbursed = sum((Decimal(str(p["disbursed"] or 0)) for p in projects), Decimal(0))
    towns = "、".join(dict.fromkeys(p["town"] for p in projects))
    reports = settings["rules.awaiting_transfer_reports"]
    paras = [
        Para("body", f"截至{date_cn(data_date(d))}，我区有{len(projects)}个驻镇帮镇扶村资金项目连续{reports}期"
                     f"已请款未拨付到位，涉及{towns}，累计已请款{wan(requested)}万元，已拨付{wan(disbursed)}万元，"
                     f"尚有{wan(requested - disbursed)}万元未拨付（详见附件），影响项目资金支出进度。"),
        Para("body", f"根据{BASIS}等有关要求，驻镇帮镇扶村资金应按照项目实施进度及时拨付。为加快资金支出进度，"
                     "现商请贵局支持以下事项："),
        Para("h1", "对附件所列项目已提交的请款，请按程序及时审核并拨付资金。", lead="一、及时审核拨付。"),
        Para("h1", "对因请款资料不全等原因暂不能拨付的，请告知我局及有关镇（街道），以便及时补正。",
             lead="二、加强沟通对接。"),
        Para("body", f"请于{date_cn(d.reply_due)}前将拨付情况函复我局（{contact(settings)}）。"),
    ]
    content = _frame(d, paras)
    content.attachment = "已请款未拨付项目清单"
    content.table = TableSpec([h for h, _ in FINANCE_TABLE], [w for _, w in FINANCE_TABLE],
                              [[str(n), p["town"], p["project_name"], wan(p["allocated"]), wan(p["requested"]),
                                wan(p["disbursed"]), wan(_owed(p)), pct(p["spend_rate"]),
                                p.get("flag_details", {}).get("awaiting-transfer", "已请款未拨付")]
                               for n, p in enumerate(projects, start=1)], left=(1, 2, 8))
    content.table_note = f"数据截至{date_cn(data_date(d))}　单位：万元"
    return content


def _report_letter(d: LetterDraft, settings: Settings) -> LetterContent:
    month = period_cn(d.period)
    due = f"报送截止日期为{date_cn(d.due)}，" if d.due else ""
    paras = [
        Para("body", f"按照驻镇帮镇扶村资金监管工作安排，各镇（街道）应于每月{settings['reporting.deadline_day']}日前"
                     f"报送上月项目资金支出进度报表。{month}报表{due}截至{date_cn(d.day)}，我局仍未收到"
                     f"{you(d.town)}报表。"),
        Para("body", f"根据{BASIS}等有关要求，资金支出进度实行按月调度，未按时报送将影响全区资金支出进度的调度和"
                     "研判。现将有关事项函告如下："),
        Para("h1", f"请于{date_cn(d.reply_due)}前补报{month}项目资金支出进度报表，并说明未按时报送的原因。",
             lead="一、限期补报。"),
        Para("h1", "今后请按时报送月度报表；逾期未报的，将在全区调度通报中予以通报。", lead="二、按时报送。"),
        Para("body", f"{contact(settings)}。"),
    ]
    return _frame(d, paras)
