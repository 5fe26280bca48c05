"""资金来源进度: the dispatch sheet of money by fund year (当年 / 结转), batch and level (monitor.breakdown)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from monitor.breakdown import CARRYOVER, DIMENSION_LABELS, MoneySources, SourceRow
from reports.dispatch import Dispatch
from reports.dispatch_layout import Block, Col, SheetSpec
from reports.dispatch_text import fen_wan

SHEET = "资金来源进度"
TITLES = {"fund-year": "一、按资金年度（当年／结转）", "batch": "二、按资金批次", "level": "三、按资金层级"}
#: the cells hold the exact amounts; shown to 0.01 万元, a table's rows need not add up to its 合计 as shown
ROUNDING = "金额四舍五入显示两位小数，合计可能与分项显示值之和略有出入。"
NOTE = ("说明：按项目下达资金的资金年度、批次、层级统计（一个项目有多笔资金的分别计入，项目数不重复相加）；已支出按先下达先支出"
        "（先结转、后当年）归集到各笔资金；以前年度结转资金的序时进度为100%；以后年度提前下达的资金不计入。"
        "三个表的合计均等于{scope}合计。" + ROUNDING)
UNKNOWN_NOTE = "项目库未注明资金{what}（导入含“{columns}”列的项目库后按{what}统计）。"
_FOUR = Decimal("0.0001")


def sources_sheet(d: Dispatch, title: str, info: str) -> SheetSpec:
    """The sheet: three tables on one page, each ending in a 合计 row equal to the overview's total."""
    lines = [info, NOTE.format(scope="本镇（街道）" if d.town else "调度总览全区")]
    unknown = [what for what, dim in (("批次", "batch"), ("层级", "level"))
               if d.sources is not None and d.sources.parts and not d.sources.known(dim)]
    if unknown:
        lines.append(UNKNOWN_NOTE.format(what="、".join(unknown), columns="”“".join(f"资金{w}" for w in unknown)))
    total = d.sources.total() if d.sources is not None and d.sources.parts else None  # summed once, not per table
    blocks = [_block(d.sources, dim, total) for dim in TITLES]
    return SheetSpec(SHEET, title, lines, blocks, repeat_header=False)


def _cols(dimension: str) -> list[Col]:
    return [Col("序号", "int", 5, 6), Col(DIMENSION_LABELS[dimension], lo=14, hi=24), Col("项目数", "int", 6, 7),
            Col("下达资金", "money", 10), Col("占比", "rate", 7, 8), Col("已支出", "money", 10),
            Col("未支出", "money", 10), Col("支出率", "rate", 8), Col("序时进度", "rate", 8),
            Col("偏差（个百分点）", "points", 9, 10)]


def _block(sources: MoneySources | None, dimension: str, total: SourceRow | None) -> Block:
    block = Block(_cols(dimension), title=TITLES[dimension], empty="暂无项目数据")
    if sources is None or total is None:
        return block
    rows = sources.rows(dimension)
    block.rows = [_values(n, r, total.allocated) for n, r in enumerate(rows, start=1)]
    carried = [r for r in rows if r.kind == CARRYOVER]
    if dimension == "fund-year" and len(carried) > 1:  # the years together: what must be spent this year
        block.extra.append(_values("", sources.carryover(), total.allocated))
    block.extra.append(_values("", total, total.allocated))
    block.bold_rows.add(len(block.rows) + len(block.extra) - 1)
    return block


def _values(n: int | str, r: SourceRow, whole: int) -> list[object]:
    return [n, r.label, r.projects, fen_wan(r.allocated), _four(Decimal(r.allocated) / whole if whole else None),
            fen_wan(r.spent), fen_wan(r.unspent), _four(r.spend_rate), _four(r.benchmark), _points(r.gap)]


def _four(value: Decimal | None) -> float | None:
    return None if value is None else float(value.quantize(_FOUR, rounding=ROUND_HALF_UP))


def _points(gap: Decimal | None) -> float | None:
    return None if gap is None else float((gap * 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


__all__ = ["SHEET", "sources_sheet"]
