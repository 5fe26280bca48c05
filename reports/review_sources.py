"""资金来源进度 in the review: findings, the report's table and the 数据.xlsx sheet, from monitor.breakdown."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from monitor.breakdown import CARRYOVER, CURRENT, DIMENSION_LABELS, DIMENSIONS, MoneySources, SourceRow
from reports.review import Review, pct, period_title, points, wan
from reports.review_docx import DocTable
from reports.review_tables import INT, POINTS, RATE, WAN, Column, SheetTable

NAME = "资金来源进度"
DOC_HEADERS = ["口径", "类别", "下达资金（万元）", "已支出（万元）", "支出率", "序时进度"]
DOC_WIDTHS_MM = [20, 40, 28, 28, 20, 20]  # 156 mm
#: each 口径's rows add up to the 合计 to the 分, but not always once each is rounded to 0.01 万元
ROUNDING_NOTE = "注：金额按万元四舍五入保留两位小数，各口径分项之和与合计可能略有出入。"


def _yuan(fen_amount: int) -> float:
    """分 → 元 as the review's tables carry amounts (WAN columns are given in 元)."""
    return float(Decimal(fen_amount) / 100)


def _rate(value: Decimal | None) -> float | None:
    return None if value is None else round(float(value), 4)


def _rows(sources: MoneySources) -> list[tuple[str, SourceRow]]:
    """Every dimension's rows, then its total, labelled with the dimension."""
    out = []
    for dim in DIMENSIONS:
        rows = sources.rows(dim)
        out += [(DIMENSION_LABELS[dim], r) for r in rows]
        if dim == "fund-year" and sum(r.kind == CARRYOVER for r in rows) > 1:
            out.append((DIMENSION_LABELS[dim], sources.carryover()))
        out.append((DIMENSION_LABELS[dim], sources.total()))
    return out


def sources_table(r: Review) -> SheetTable:
    """The 数据.xlsx sheet: one block of rows per dimension, each closed by its 合计 (= the district's totals)."""
    cols = [Column("口径"), Column("类别"), Column("类型"), Column("项目数", INT), Column("下达资金（万元）", WAN),
            Column("已支出（万元）", WAN), Column("未支出（万元）", WAN), Column("支出率", RATE), Column("序时进度", RATE),
            Column("低于序时（个百分点）", POINTS)]
    rows = [[dim, row.label, row.kind or "", row.projects, _yuan(row.allocated), _yuan(row.spent),
             _yuan(row.unspent), _rate(row.spend_rate), _rate(row.benchmark), _rate(row.gap)]
            for dim, row in (_rows(r.sources) if r.sources is not None else [])]
    return SheetTable(NAME, f"资金来源进度：按资金年度、批次、层级（{period_title(r.period)}）", cols, rows)


def sources_doc_table(r: Review) -> DocTable | None:
    if r.sources is None or not r.sources.parts:
        return None
    rows = [[dim, row.label, _wan2(row.allocated), _wan2(row.spent), pct(_rate(row.spend_rate)),
             pct(_rate(row.benchmark))]
            for dim, row in _rows(r.sources) if row.key not in ("合计", CARRYOVER) and _known(r.sources, dim)]
    total = r.sources.total()
    rows.append(["合计", "", _wan2(total.allocated), _wan2(total.spent), pct(_rate(total.spend_rate)),
                 pct(_rate(total.benchmark))])
    return DocTable(DOC_HEADERS, rows, DOC_WIDTHS_MM, note=ROUNDING_NOTE)


def _wan2(fen_amount: int) -> str:
    """分 → ``5,316.56`` (万元, half up as every other amount the documents print)."""
    return f"{(Decimal(fen_amount) / 1_000_000).quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):,}"


def _known(sources: MoneySources, label: str) -> bool:
    dim = next(d for d, text in DIMENSION_LABELS.items() if text == label)
    return dim == "fund-year" or sources.known(dim)


def sources_findings(r: Review) -> list[str]:
    """当年 against 结转 (what must be spent this year), then the slowest batch and level where the register
    says them."""
    s = r.sources
    if s is None or not s.parts:
        return ["本月没有可按资金来源统计的项目。"]
    current = [row for row in s.rows("fund-year") if row.kind == CURRENT]
    lines = []
    if current:
        c = current[0]
        lines.append(f"当年（{c.key}年）资金下达{_wan(c.allocated)}，已支出{_wan(c.spent)}，支出率{_pct(c)}，"
                     f"{_relation(c)}。")
    carried = [row for row in s.rows("fund-year") if row.kind == CARRYOVER]
    if carried:
        t = s.carryover()
        years = "、".join(f"{row.key}" for row in carried)
        left = (f"尚有{_wan(t.unspent)}未支出，须在年内支出完毕，防止被收回" if t.unspent > 0
                else "已全部支出")
        lines.append(f"以前年度（{years}年）结转资金{_wan(t.allocated)}，已支出{_wan(t.spent)}，支出率{_pct(t)}，"
                     f"{left}。")
    for dim, word in (("batch", "批次"), ("level", "层级")):
        rows = [row for row in s.rows(dim) if row.spend_rate is not None]
        if s.known(dim) and len(rows) > 1:
            slow = min(rows, key=lambda row: (row.spend_rate, str(row.key)))
            lines.append(f"按{word}看，支出率最低的是{slow.label}（{_pct(slow)}，下达{_wan(slow.allocated)}）。")
    unknown = [word for dim, word in (("batch", "批次"), ("level", "层级")) if not s.known(dim)]
    if unknown:
        lines.append(f"项目库未注明资金{'、'.join(unknown)}，暂未按{'、'.join(unknown)}统计。")
    return lines


def _wan(fen_amount: int) -> str:
    return wan(_yuan(fen_amount))


def _pct(row: SourceRow) -> str:
    return pct(_rate(row.spend_rate))


def _relation(row: SourceRow) -> str:
    gap = row.gap
    if gap is None:
        return "无法计算序时进度"
    if gap == 0:
        return "达到序时进度"
    return f"{'低于' if gap > 0 else '高于'}序时进度{points(gap)}个百分点"


__all__ = ["NAME", "sources_doc_table", "sources_findings", "sources_table"]
