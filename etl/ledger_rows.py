"""Rows of a consolidated sheet (汇总台账): which rows head or close a town's rows (``一、磷溪镇``, ``磷溪镇合计``),
which total the district, and which town every other row belongs to."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from etl import normalise
from etl.cells import quiet_amount
from etl.header import Header
from etl.meta import cell_text, find_towns
from etl.model import AMOUNT_FIELDS, SheetGrid
from monitor.names import canonical_town

TOTAL = re.compile(r"合计|小计|总计|共计")
_SECTION = re.compile(r"^(?:[一二三四五六七八九十]+[、.．]|[(（][一二三四五六七八九十]+[)）])")
_NUMERAL = re.compile(r"^[(（]?[一二三四五六七八九十]+[)）]?[、.．]?$")
_CJK = re.compile(r"[\u4e00-\u9fff]")


@dataclass
class LedgerRow:
    """A row under the header: a town's heading or subtotal (``marker``), a district total, or anything else."""

    index: int  # 0-based grid row
    kind: Literal["marker", "total", "other"]
    town: str | None = None
    amounts: bool = False
    col: int | None = None  # the cell naming the town in a marker row (the 合计 cell in a total row)
    total: bool = False  # a 小计/合计 row (else a heading such as ``一、磷溪镇``)
    word: str = "小计"  # the total word the row uses (合计, 小计, 总计, 共计)
    text: str = ""  # the row's own label (``磷溪镇合计``, ``一、磷溪镇``, ``全区合计``), for findings


@dataclass
class LedgerSheet:
    """One month sheet of the workbook: its header, its rows and where its towns come from."""

    grid: SheetGrid
    header: Header
    rows: list[LedgerRow]
    layout: str  # where towns come from: "column", "section", or "file" (one town: file name or --town)
    period: str | None = None
    period_source: str | None = None
    #: project rows that no town claims (0-based): left out of every part
    orphans: set[int] = field(default_factory=set)


def text_of(value: object) -> str:
    """A cell's text, folded and without spaces."""
    return re.sub(r"\s+", "", normalise.fold(cell_text(value)))


def town_of(text: str) -> str | None:
    """The one town a text names (canonical), else None."""
    towns = find_towns(text)
    return canonical_town(towns[0]) if len(towns) == 1 else None


def _column_towns(grid: SheetGrid, header: Header) -> dict[int, str]:
    """Row → town named in the 镇街 column, a vertically merged cell counting for every row it covers."""
    col = header.fields.get("town")
    if col is None:
        return {}
    found = {r: t for r in range(header.last_row + 1, len(grid.cells))
             if (t := town_of(text_of(grid.value(r, col))) or _bare_town(grid.value(r, col)))}
    for r1, c1, r2, c2 in grid.merged:
        if c1 <= col <= c2 and r1 in found:
            found.update({r: found[r1] for r in range(max(r1, header.last_row + 1), r2 + 1)})
    return found


def _bare_town(value: object) -> str | None:
    """A 镇街 cell without 镇 (``官塘``): the name as written, checked against the town list later."""
    text = text_of(value)
    named = text and _CJK.search(text) and not TOTAL.search(text) and len(text) <= 8
    return canonical_town(text) if named else None


def town_rows(grid: SheetGrid, header: Header) -> list[LedgerRow]:
    """Every non-blank row under the header, with the town it names (its 镇街 cell or a town marker)."""
    # where a heading or subtotal names its town: the 序号, 项目编号 and name cells, or a leading cell of no
    # column (never a 村 or 镇街 cell: a project built "in 磷溪镇" is still a project)
    mapped = set(header.fields.values())
    labels = [c for c in (header.fields.get(f) for f in ("seq", "project_code", "project_name")) if c is not None] \
        + [c for c in (0, 1, 2) if c not in mapped]
    money = [c for f, c in header.fields.items() if f in AMOUNT_FIELDS]
    by_column = _column_towns(grid, header)
    rows = []
    for r in range(header.last_row + 1, len(grid.cells)):
        cells = grid.cells[r]
        if all(normalise.is_blank(v) for v in cells):
            continue
        texts = [(c, t) for c in labels if (t := text_of(grid.value(r, c)))]
        named = [(c, town) for c, t in texts if ("镇" in t or "街道" in t) and (town := town_of(t))]
        total = any(TOTAL.search(t) and len(t) <= 16 for _, t in texts)
        if not named and not total:  # the common case, kept cheap: every town file passes here
            rows.append(LedgerRow(r, "other", by_column.get(r)))
            continue
        amounts = any(quiet_amount(grid.value(r, c), "万元") is not None for c in money)
        filled = sum(not normalise.is_blank(v) for v in cells)
        row = _classify(r, texts, named, total, amounts, by_column.get(r), filled)
        if row.kind != "other":
            row.text = _label(grid.value(r, row.col)) if row.col is not None else row.text
        rows.append(row)
    return rows


def _label(value: object) -> str:
    return re.sub(r"\s+", "", cell_text(value))


def _classify(r: int, texts: list[tuple[int, str]], named: list[tuple[int, str]], total: bool, amounts: bool,
              column_town: str | None, filled: int) -> LedgerRow:
    towns = {town for _, town in named}
    if total:
        col, word = next((c, m.group()) for c, t in texts if (m := TOTAL.search(t)) and len(t) <= 16)
        if len(towns) == 1:
            return LedgerRow(r, "marker", named[0][1], amounts, named[0][0], total=True, word=word)
        if column_town and not towns:
            return LedgerRow(r, "marker", column_town, amounts, total=True, word=word, text=word)
        return LedgerRow(r, "total", amounts=amounts, col=col, total=True, word=word)
    if len(towns) == 1:
        col, town = named[0]
        heading = any(_SECTION.match(t) or _NUMERAL.match(t) for _, t in texts) or \
            any(canonical_town(t) == town for _, t in texts) or (not amounts and filled == 1)
        if heading:
            return LedgerRow(r, "marker", town, amounts, col)
    return LedgerRow(r, "other", column_town)


def assign_sections(rows: list[LedgerRow]) -> str:
    """Rows without a 镇街 cell take the town of their section: the heading above them, or (when subtotals
    close each town's rows) the subtotal below them. Returns the layout."""
    markers = [i for i, row in enumerate(rows) if row.kind == "marker" and row.col is not None]
    if not markers:
        return "column"
    first = rows[markers[0]]
    trailing = first.total and any(row.kind == "other" and row.town is None for row in rows[:markers[0]])
    current: str | None = None
    order = reversed(range(len(rows))) if trailing else range(len(rows))
    for i in order:
        row = rows[i]
        if row.kind == "marker":
            current = row.town
        elif row.kind == "other" and row.town is None:
            row.town = current
    return "section"
