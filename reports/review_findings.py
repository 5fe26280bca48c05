"""研判 sentences: two or three findings per chart, every number computed from the review's data."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

from monitor.periods import split_period
from monitor.rules.flags import FLAG_LABELS
from reports.review import (
    BUILT_UNPAID,
    PAID_UNBUILT,
    Review,
    dec,
    month_label,
    pct,
    period_title,
    points,
    problem_points,
    quadrant,
    rated,
    wan,
)
from reports.review_focus import Focus

LIGHT_WORDS = {"red": "红灯", "yellow": "黄灯", "green": "绿灯"}
#: how many projects a sentence names before it says 等N个
NAMED = 8
#: how many towns a sentence or a table cell names before it says 等N个镇街 (a province has 1,127)
TOWNS_NAMED = 10


def join(names: Iterable[str]) -> str:
    return "、".join(names)


def some(names: Sequence[str], most: int = NAMED, unit: str = "个") -> str:
    """``甲、乙、丙`` or ``甲、乙…等12个`` (``unit`` after the count: ``个镇街``)."""
    return join(names) if len(names) <= most else f"{join(names[:most])}等{len(names)}{unit}"


def some_towns(names: Sequence[str]) -> str:
    """``甲镇、乙镇`` or the first ``TOWNS_NAMED`` and ``等37个镇街``."""
    return some(names, TOWNS_NAMED, "个镇街")


def focus_sentence(number: int, focus: Focus[Any]) -> str:
    """What a chart that could not show every town says in the report; empty when it shows them all."""
    if not focus.capped:
        return ""
    return (f"共{focus.total}个镇街，图{number}列出其中{focus.what}的{len(focus.shown)}个，"
            "各镇街完整数据见数据.xlsx。")


def relation(gap: float | None) -> str:
    """``低于序时进度3.9个百分点`` / ``高于…`` / ``达到序时进度`` from a gap (benchmark − rate)."""
    if gap is None:
        return "无法计算序时进度"
    if gap > 0:
        return f"低于序时进度{points(gap)}个百分点"
    return f"高于序时进度{points(gap)}个百分点" if gap < 0 else "达到序时进度"


def light_counts(projects: Iterable[dict[str, Any]]) -> Counter[str]:
    return Counter(p["light"] for p in projects if p["light"])


def overview(r: Review) -> list[str]:
    """The lead paragraph: the district's totals, its light, the lights of projects, who reported."""
    d, projects = r.current, r.projects
    towns = [t for t in r.towns if t.projects]
    lights = light_counts(projects)
    first = (f"{period_title(r.period)}，全区{len(towns)}个镇街共{len(projects)}个项目纳入监测，"
             f"下达资金{wan(d.allocated)}，已支出{wan(d.spent)}，支出率{pct(d.spend_rate)}，"
             f"序时进度{pct(d.benchmark)}，{relation(d.gap)}，整体为{LIGHT_WORDS.get(d.light or '', '未评灯')}。")
    second = (f"项目中红灯{lights['red']}个、黄灯{lights['yellow']}个、绿灯{lights['green']}个。")
    missing = [t.town for t in r.towns if not t.submitted]
    third = (f"本月{len(r.towns)}个镇街中{len(r.towns) - len(missing)}个已报送，{some_towns(missing)}未报送，"
             "按其最近一期报表计算。"
             if missing else f"本月{len(r.towns)}个镇街均已报送。")
    return [first, second, third]


def towns_findings(r: Review) -> list[str]:
    ranked = [t for t in r.towns if t.spend_rate is not None]
    if not ranked:
        return ["本月各镇街均无可计算支出率的项目。"]
    best, worst = ranked[0], ranked[-1]
    lines = [f"支出率最高的是{best.town}（{pct(best.spend_rate)}），最低的是{worst.town}（{pct(worst.spend_rate)}），"
             f"相差{points(dec(best.spend_rate) - dec(worst.spend_rate))}个百分点。"]
    below = [t for t in ranked if (t.gap or 0) > 0]
    marks = sorted({t.benchmark for t in ranked if t.benchmark is not None})
    spread = (f"（各镇街结转资金占比不同，序时进度在{pct(marks[0])}至{pct(marks[-1])}之间）"
              if len(marks) > 1 else f"（序时进度{pct(marks[0])}）" if marks else "")
    share = f"{len(ranked)}个镇街均" if len(below) == len(ranked) else f"{len(ranked)}个镇街中{len(below)}个"
    lines.append(f"{share}低于本镇街序时进度{spread}。" if below else f"各镇街均达到本镇街序时进度{spread}。")
    red = [t for t in ranked if t.light == "red"]
    bottom = [t.town for t in ranked if t.bottom_three]
    text = (_most_behind(red) if len(red) > TOWNS_NAMED
            else f"亮红灯的是{join(f'{t.town}（{relation(t.gap)}）' for t in red)}" if red else "没有镇街亮红灯")
    lines.append(text + (f"；排名后三位的是{join(bottom)}。" if bottom else "。"))
    return lines


def _most_behind(red: Sequence[Any]) -> str:
    """Many red towns: how many, and the ones furthest behind their benchmark."""
    worst = sorted(red, key=lambda t: (-(t.gap or 0), t.town))[:TOWNS_NAMED]
    return (f"亮红灯的有{len(red)}个镇街，低于序时进度最多的是"
            + join(f"{t.town}（{points(t.gap or 0)}个百分点）" for t in worst))


def district_findings(r: Review) -> list[str]:
    d, before = r.current, r.previous_month
    if before is None or d.spend_rate is None or before.spend_rate is None:
        return [f"{month_label(r.period)}为本年度首个有数据的月份，全区支出率{pct(d.spend_rate)}，{relation(d.gap)}。"]
    change = dec(d.spend_rate) - dec(before.spend_rate)
    verb = "升至" if change > 0 else "降至" if change < 0 else "持平于"
    moved = f"，{'提高' if change > 0 else '下降'}{points(change)}个百分点" if change else ""
    lines = [f"全区支出率由{month_label(before.period)}底的{pct(before.spend_rate)}{verb}{month_label(d.period)}底的"
             f"{pct(d.spend_rate)}{moved}，期间新增支出{wan(d.spent - before.spent)}。"]
    if d.gap is not None and before.gap is not None:
        widen = dec(d.gap) - dec(before.gap)
        trend = "扩大" if widen > 0 else "缩小" if widen < 0 else "持平"
        lines.append(f"序时进度由{pct(before.benchmark)}升至{pct(d.benchmark)}，与序时进度的差距由"
                     f"{points(before.gap)}个百分点{trend}至{points(d.gap)}个百分点"
                     + ("，支出进度没有跟上时间进度。" if widen > 0 else "。"))
    return lines


def trend_findings(r: Review) -> list[str]:
    before = {t["town"]: t for t in (r.previous or {}).get("towns", [])}
    changes = [(t.town, dec(t.spend_rate) - dec(before[t.town]["spend_rate"])) for t in r.towns
               if t.spend_rate is not None and before.get(t.town, {}).get("spend_rate") is not None]
    lines = []
    if changes and r.previous is not None:
        changes.sort(key=lambda c: (-c[1], c[0]))
        (top, up), (low, least) = changes[0], changes[-1]
        lines.append(f"与{month_label(r.previous['period'])}相比，支出率提高最多的是{top}（{_signed(up)}个百分点），"
                     f"最少的是{low}（{_signed(least)}个百分点）。")
        flat = [town for town, change in changes if change == 0]
        if len(flat) > TOWNS_NAMED:  # more than a sentence names: the slowest of them first
            place = {t.town: i for i, t in enumerate(r.towns)}
            flat.sort(key=lambda town: -place[town])
        if flat:
            lines.append(f"{some_towns(flat)}支出率与上月持平，需关注。")
    else:
        lines.append("本月为首期数据，暂无环比变化。")
    missed = [[p.period for p in t.points if not p.submitted] for t in r.trends]
    late = [(i, months) for i, months in enumerate(missed) if months]
    if len(late) > TOWNS_NAMED:  # more than a sentence names: the most months missed, then the slower town
        late.sort(key=lambda item: (-len(item[1]), -item[0]))
    # 溪鸡镇4、8月: one 月 per town, so the months of one town do not read as more towns
    gaps = [f"{r.trends[i].town}{join(str(split_period(m)[1]) for m in months)}月" for i, months in late]
    lines.append(f"本年度未按月报送的有：{some_towns(gaps)}（图中空心点，按其最近一期报表计）。" if gaps
                 else "本年度各镇街均按月报送。")
    return lines


def _signed(change: Any) -> str:
    return ("+" if change > 0 else "−" if change < 0 else "") + points(change)


def lights_findings(r: Review) -> list[str]:
    now = light_counts(r.projects)
    lines = [f"全区红灯项目{now['red']}个、黄灯{now['yellow']}个、绿灯{now['green']}个"]
    if r.previous is not None:
        diff = now["red"] - light_counts(r.previous["projects"])["red"]
        lines[0] += (f"，红灯较{month_label(r.previous['period'])}{'增加' if diff > 0 else '减少'}{abs(diff)}个"
                     if diff else f"，红灯数与{month_label(r.previous['period'])}持平")
    lines[0] += "。"
    most = max((t.red for t in r.towns), default=0)
    if most:
        leaders = [t.town for t in r.towns if t.red == most]
        lines.append(f"红灯最多的是{some_towns(leaders)}（{'各' if len(leaders) > 1 else ''}{most}个）。")
    red = sorted((p for p in r.projects if p["light"] == "red"), key=lambda p: (-(p["gap"] or 0), p["project_name"]))
    if red:
        named = [f"{p['project_name']}（{p['town']}，支出率{pct(p['spend_rate'])}）" for p in red]
        lines.append(f"红灯项目按差距从大到小依次为：{some(named)}。")
    return lines


def flag_rows(r: Review) -> list[tuple[str, int, str]]:
    """(label, projects, the projects named with their towns) per flag kind raised, in the rules' order."""
    rows = []
    for code, label in FLAG_LABELS.items():
        hit = [p for p in r.projects if code in p["flags"]]
        if hit:
            rows.append((label, len(hit), _named_projects(hit)))
    return rows


def _named_projects(hit: list[dict[str, Any]]) -> str:
    """A table cell of projects (towns): all of them, or the largest allocations and where the rest are."""
    if len(hit) > NAMED:
        hit = sorted(hit, key=lambda p: (-(p["allocated"] or 0), p["project_name"]))
    names = [f"{p['project_name']}（{p['town']}）" for p in hit]
    if len(names) <= NAMED:
        return join(names)
    return f"{some(names, NAMED)}（下达资金最多的{NAMED}个，全部见数据.xlsx“问题线索”表）"


def flags_findings(r: Review) -> list[str]:
    flagged = [p for p in r.projects if p["flags"]]
    if not flagged:
        return ["本月未发现问题线索。"]
    counts = join(f"{label}{n}个" for label, n, _ in flag_rows(r))
    lines = [f"本月{len(flagged)}个项目存在问题线索（一个项目可有多项）：{counts}。"]
    surplus = [p for p in r.projects if "surplus" in p["flags"]]
    if surplus:
        lines.append(_surplus(surplus))
    idle = [p["project_name"] for p in r.projects if {"zero-spend", "not-started"} & set(p["flags"])]
    if idle:
        lines.append(f"支出为零或逾期未开工的{some(idle)}，建议发函提醒。")
    return lines


def _surplus(surplus: list[dict[str, Any]]) -> str:
    """Surplus to recover: each project, or past ``NAMED`` the count, the total and the largest."""
    left = [(p, p["allocated"] - p["spent"]) for p in surplus]
    named = lambda items: join(f"{p['project_name']}（{p['town']}，结余{wan(x)}）" for p, x in items)  # noqa: E731
    if len(left) <= NAMED:
        return f"已结算或取消仍有结余、应及时收回的：{named(left)}。"
    largest = sorted(left, key=lambda item: (-item[1], item[0]["project_name"]))[:NAMED]
    return (f"已结算或取消仍有结余、应及时收回的项目{len(left)}个，结余共{wan(sum(x for _, x in left))}，"
            f"结余最多的是{named(largest)}。")


def category_findings(r: Review) -> list[str]:
    rows = [c for c in r.categories if c.spend_rate is not None]
    if not rows:
        return ["本月没有可按类别统计的项目。"]
    largest = rows[0]
    slow = min(rows, key=lambda c: (c.spend_rate, c.category))
    fast = max(rows, key=lambda c: (c.spend_rate, c.category))
    lines = [f"下达资金最多的是{largest.category}类（{largest.projects}个项目，{wan(largest.allocated)}，"
             f"支出率{pct(largest.spend_rate)}）。"]
    if len(rows) == 1:
        return lines
    slow_text = "其" if slow.category == largest.category else f"{slow.category}类"
    lines.append(f"支出率最低的是{slow_text}（{pct(slow.spend_rate)}，红灯{slow.red}个），"
                 f"最高的是{fast.category}类（{pct(fast.spend_rate)}）。")
    return lines


def progress_findings(r: Review) -> list[str]:
    built = [p for p in r.points if quadrant(p) == BUILT_UNPAID]
    paid = [p for p in r.points if quadrant(p) == PAID_UNBUILT]
    first = next((p for p in problem_points(r.points) if quadrant(p) == BUILT_UNPAID), None)
    lines = [f"{len(built)}个项目形象进度过半而支出率不足一半（{BUILT_UNPAID}）"
             + (f"，差距最大的是{first.project_name}（形象进度{pct(first.progress)}，支出率{pct(first.spend_rate)}），"
                "应督促及时验收、结算和支付。" if first else "。")]
    lines.append(f"{len(paid)}个项目支出过半而形象进度未过半（{PAID_UNBUILT}），需核实支出依据。" if paid
                 else f"未发现支出过半而形象进度未过半的项目（{PAID_UNBUILT}）。")
    unknown = len(rated(r.projects)) - len(r.points)
    if unknown:
        lines.append(f"另有{unknown}个项目未填报形象进度，未列入本图。")
    return lines


def outlook_findings(r: Review) -> list[str]:
    reports = r.status["thresholds"].get("outlook_reports", 3)
    if r.district_outlook is None:
        return ["项目报送期数不足，暂无法推算年底支出。"]
    verdict = "可在年底前基本支出完毕" if r.district_outlook >= 1 else "年底前难以全部支出"
    lines = [f"按各项目近{reports}期的支出进度推算，全区年底支出率预计为{pct(r.district_outlook)}，{verdict}。"]
    short = [o for o in r.outlook if o.projected is not None and o.projected < 1]
    if len(short) > TOWNS_NAMED:
        lowest = sorted(short, key=lambda o: (o.projected, o.town))[:TOWNS_NAMED]
        lines.append(f"预计年底达不到100%的镇街有{len(short)}个，预计最低的是"
                     + join(f"{o.town}（{pct(o.projected)}）" for o in lowest) + "。")
    elif short:
        lines.append("预计年底达不到100%的镇街：" + join(f"{o.town}（{pct(o.projected)}）" for o in short) + "。")
    risk = [name for o in r.outlook for name in o.at_risk]
    if risk:
        lines.append(f"{len(risk)}个项目目前未亮红灯，但按现有进度预计年底无法支出完毕：{some(risk)}。")
    return lines
