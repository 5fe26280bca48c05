"""The numbers behind each review chart, as tables for 数据.xlsx (amounts in 万元, rates as fractions)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from monitor.rules.flags import FLAG_LABELS
from reports.palette import LIGHT_LABELS
from reports.review import Review, period_title, quadrant
from reports.review_focus import Focus, lights_focus, outlook_focus, rates_focus, trends_focus

#: column kinds: how a value is written and formatted
TEXT, INT, WAN, RATE, POINTS, LIGHT = "text", "int", "wan", "rate", "points", "light"
#: the column that says which towns the chart shows, when it cannot show them all
SHOWN = "图中显示"
#: the 全区 row of 年底预判 names every project at risk up to this many, then says where they are
AT_RISK_NAMED = 50


@dataclass(frozen=True)
class Column:
    header: str
    kind: str = TEXT


@dataclass(frozen=True)
class SheetTable:
    """One sheet: a title line, the columns and the rows (values as the kinds say: 元 for WAN)."""

    sheet: str
    title: str
    columns: Sequence[Column]
    rows: list[list[Any]]


def light_label(light: str | None) -> str:
    return LIGHT_LABELS.get(light or "", "未评灯")


def yes(value: bool) -> str:
    return "是" if value else "否"


def shown_column(focus: Focus[Any], title: str, cols: list[Column], rows: list[list[Any]],
                 towns: list[str | None]) -> str:
    """When the chart shows only some towns: a 图中显示 column (是/否, empty on a total row) and the title
    saying so. Returns the title."""
    if not focus.capped:
        return title
    cols.append(Column(SHOWN))
    for row, town in zip(rows, towns, strict=True):
        row.append(None if town is None else yes(focus.shows(town)))
    return f"{title}：图中为{focus.what}的{len(focus.shown)}个镇街（见“{SHOWN}”列）"


def town_rates_table(r: Review) -> SheetTable:
    cols = [Column("排名", INT), Column("镇街"), Column("项目数", INT), Column("下达资金（万元）", WAN),
            Column("已支出（万元）", WAN), Column("支出率", RATE), Column("序时进度", RATE),
            Column("低于序时（个百分点）", POINTS), Column("灯色", LIGHT), Column("排名后三位"), Column("本月报送")]
    rows = [[t.rank, t.town, t.projects, t.allocated, t.spent, t.spend_rate, t.benchmark, t.gap,
             light_label(t.light) if t.light else None, yes(t.bottom_three), yes(t.submitted)] for t in r.towns]
    title = shown_column(rates_focus(r.towns), f"各镇街支出率与序时进度（{period_title(r.period)}）", cols, rows,
                         [t.town for t in r.towns])
    return SheetTable("支出率与序时进度", title, cols, rows)


def district_table(r: Review) -> SheetTable:
    cols = [Column("月份"), Column("下达资金（万元）", WAN), Column("已支出（万元）", WAN), Column("支出率", RATE),
            Column("序时进度", RATE), Column("低于序时（个百分点）", POINTS), Column("灯色", LIGHT)]
    rows = [[m.period, m.allocated, m.spent, m.spend_rate, m.benchmark, m.gap, light_label(m.light)]
            for m in r.district]
    return SheetTable("全区累计进度", f"全区累计支出进度（{r.period[:4]}年）", cols, rows)


def trends_table(r: Review) -> SheetTable:
    cols = [Column("镇街"), Column("月份"), Column("支出率", RATE), Column("序时进度", RATE), Column("当月报送")]
    rows = [[t.town, p.period, p.spend_rate, p.benchmark, yes(p.submitted)] for t in r.trends for p in t.points]
    title = shown_column(trends_focus(r.trends), f"各镇街支出率走势（{r.period[:4]}年）", cols, rows,
                         [t.town for t in r.trends for _ in t.points])
    return SheetTable("镇街走势", title, cols, rows)


def lights_table(r: Review) -> SheetTable:
    cols = [Column("镇街"), Column("红灯", INT), Column("黄灯", INT), Column("绿灯", INT), Column("未评灯", INT),
            Column("项目数", INT)]
    towns = [t for t in r.towns if t.projects]
    rows = [[t.town, t.red, t.yellow, t.green, max(t.projects - t.red - t.yellow - t.green, 0), t.projects]
            for t in towns]
    title = shown_column(lights_focus(r.towns), f"各镇街红黄绿灯项目数（{period_title(r.period)}）", cols, rows,
                         [t.town for t in towns])
    return SheetTable("红黄绿灯", title, cols, rows)


def flags_table(r: Review) -> SheetTable:
    cols = [Column("问题类型"), Column("镇街"), Column("项目名称"), Column("灯色", LIGHT), Column("说明")]
    rows = [[label, p["town"], p["project_name"], light_label(p["light"]) if p["light"] else None,
             p["flag_details"].get(code, "")]
            for code, label in FLAG_LABELS.items() for p in r.projects if code in p["flags"]]
    return SheetTable("问题线索", f"问题线索（{period_title(r.period)}）", cols, rows)


def categories_table(r: Review) -> SheetTable:
    cols = [Column("项目类别"), Column("项目数", INT), Column("下达资金（万元）", WAN), Column("已支出（万元）", WAN),
            Column("支出率", RATE), Column("红灯项目", INT)]
    rows = [[c.category, c.projects, c.allocated, c.spent, c.spend_rate, c.red] for c in r.categories]
    return SheetTable("分类别资金", f"分类别资金下达与支出（{period_title(r.period)}）", cols, rows)


def progress_table(r: Review) -> SheetTable:
    cols = [Column("镇街"), Column("项目名称"), Column("形象进度", RATE), Column("支出率", RATE),
            Column("形象进度快于支出（个百分点）", POINTS), Column("灯色", LIGHT), Column("象限")]
    rows = [[p.town, p.project_name, p.progress, p.spend_rate, round(p.progress - p.spend_rate, 4),
             light_label(p.light) if p.light else None, quadrant(p) or ""] for p in r.points]
    return SheetTable("形象进度与支出率", f"形象进度与支出率（{period_title(r.period)}）", cols, rows)


def outlook_table(r: Review) -> SheetTable:
    cols = [Column("镇街"), Column("目前支出率", RATE), Column("预计年底支出率", RATE), Column("灯色", LIGHT),
            Column("预计年底无法支出完毕的项目")]
    rows = [[o.town, o.spend_rate, o.projected, light_label(o.light) if o.light else None, "、".join(o.at_risk)]
            for o in r.outlook]
    risk = [n for o in r.outlook for n in o.at_risk]
    rows.append(["全区", r.current.spend_rate, r.district_outlook, light_label(r.current.light),
                 "、".join(risk) if len(risk) <= AT_RISK_NAMED else f"共{len(risk)}个，见各镇街行"])
    title = shown_column(outlook_focus(r.outlook), f"年底支出预判（{period_title(r.period)}，按近期进度推算）",
                         cols, rows, [*(o.town for o in r.outlook), None])
    return SheetTable("年底预判", title, cols, rows)
