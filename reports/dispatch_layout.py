"""Printable XlsxWriter sheets for the dispatch workbook: title rows, tables, light fills, A4 page setup.

Every string is written with ``write_string`` (and the workbook has ``strings_to_formulas`` off), so a town's
text such as ``=HYPERLINK(…)`` stays text. Amounts are 万元 (``#,##0.00``), rates ``0.0%``, gaps in points;
times and days are real Excel date cells shown the Chinese way (``2023年11月2日 09:05``, ``2023年11月2日``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from reports.dispatch_text import DATE_FORMAT, DATETIME_FORMAT, date_cn, datetime_cn
from reports.palette import LIGHT_COLOURS, LIGHT_LABELS
from reports.xlsx_style import HEADER_COLOUR, clean_text, text_width

FONT = "宋体"
BORDER_COLOUR = "A6A6A6"
NUMBER_FORMATS = {"money": "#,##0.00", "rate": "0.0%", "points": "0.0", "int": "0", "datetime": DATETIME_FORMAT,
                  "date": DATE_FORMAT}
DATE_KINDS = ("datetime", "date")
FOOTER = "&C第 &P 页，共 &N 页"


@dataclass(frozen=True)
class Col:
    """A column: header, kind (text, center, int, money, rate, points, light, datetime, date) and its width
    bounds."""

    header: str
    kind: str = "text"
    lo: float = 6
    hi: float = 30


@dataclass
class Block:
    """One table on a sheet: an optional sub-heading, a header row, rows and their fills."""

    cols: Sequence[Col]
    rows: list[list[Any]] = field(default_factory=list)
    fills: list[str | None] = field(default_factory=list)  # a light per row for a whole-row band, or None
    cell_fills: dict[tuple[int, int], str] = field(default_factory=dict)  # (row, col) → RGB hex
    bold_rows: set[int] = field(default_factory=set)
    title: str | None = None
    empty: str = "无"
    filter: bool = False  # this block carries the sheet's autofilter (one per sheet)
    extra: list[list[Any]] = field(default_factory=list)  # rows after the filtered range (a total row)


@dataclass
class SheetSpec:
    name: str
    title: str
    lines: list[str]  # info and note lines under the title
    blocks: list[Block]
    freeze_cols: int = 0
    repeat_header: bool = True  # repeat the first block's header row on every printed page


def write_workbook(path: Path, sheets: Sequence[SheetSpec], *, header: str, properties: dict[str, Any]) -> None:
    """Write ``sheets`` as an xlsx at ``path`` (not atomic: the caller gives a temporary path)."""
    workbook = xlsxwriter.Workbook(str(path), {
        "strings_to_formulas": False, "strings_to_numbers": False, "strings_to_urls": False,
        "default_format_properties": {"font_name": FONT, "font_size": 10}})
    workbook.set_properties(properties)
    formats = Formats(workbook)
    for spec in sheets:
        _write_sheet(workbook.add_worksheet(spec.name), spec, formats, header)
    workbook.close()


class Formats:
    """XlsxWriter formats made once per (kind, fill, bold)."""

    def __init__(self, workbook: xlsxwriter.Workbook) -> None:
        self.workbook = workbook
        self.cache: dict[tuple[str, str | None, bool], Format] = {}
        self.title = workbook.add_format({"bold": True, "font_size": 16, "align": "center", "valign": "vcenter"})
        self.line = workbook.add_format({"text_wrap": True, "valign": "vcenter"})
        self.subtitle = workbook.add_format({"bold": True, "font_size": 11, "valign": "vcenter"})
        self.header = workbook.add_format({"bold": True, "bg_color": f"#{HEADER_COLOUR}", "border": 1,
                                           "border_color": f"#{BORDER_COLOUR}", "align": "center",
                                           "valign": "vcenter", "text_wrap": True})

    def cell(self, kind: str, fill: str | None = None, bold: bool = False) -> Format:
        key = (kind, fill, bold)
        if key not in self.cache:
            props: dict[str, Any] = {"border": 1, "border_color": f"#{BORDER_COLOUR}", "valign": "vcenter",
                                     "bold": bold}
            if kind in NUMBER_FORMATS:
                props["num_format"] = NUMBER_FORMATS[kind]
                if kind in DATE_KINDS:
                    props["align"] = "center"
            elif kind in ("light", "center"):
                props["align"] = "center"
            else:
                props["text_wrap"] = True
            if fill:
                props["bg_color"] = f"#{fill}"
            self.cache[key] = self.workbook.add_format(props)
        return self.cache[key]


def display(value: Any, kind: str) -> str:
    """The text a cell shows, for column widths."""
    if value is None or value == "":
        return ""
    if kind == "money":
        return f"{value:,.2f}"
    if kind == "rate":
        return f"{value * 100:.1f}%"
    if kind == "points":
        return f"{value:.1f}"
    if kind == "light":
        return LIGHT_LABELS.get(value, str(value))
    if isinstance(value, datetime):
        return datetime_cn(value) if kind == "datetime" else date_cn(value.date())
    if isinstance(value, date):
        return date_cn(value)
    return str(value)


def _write_sheet(ws: Worksheet, spec: SheetSpec, formats: Formats, header: str) -> None:
    span = max(len(b.cols) for b in spec.blocks) - 1
    widths = column_widths(spec.blocks)
    for c, width in enumerate(widths):
        ws.set_column(c, c, width)
    _merged_text(ws, 0, span, spec.title, formats.title)
    ws.set_row(0, 30)
    for n, line in enumerate(spec.lines, start=1):
        _merged_text(ws, n, span, line, formats.line)
        ws.set_row(n, _height([line], [sum(widths)]))
    row = len(spec.lines) + 1
    first_header: int | None = None
    for block in spec.blocks:
        row, header_row = _write_block(ws, row, block, span, formats, widths)
        first_header = header_row if first_header is None else first_header
    assert first_header is not None
    # a sheet of several tables keeps only its title rows in view; a single table keeps its header too
    ws.freeze_panes(first_header + 1 if spec.repeat_header else len(spec.lines) + 1, spec.freeze_cols)
    _page_setup(ws, first_header if spec.repeat_header else None, header)


def column_widths(blocks: Sequence[Block]) -> list[float]:
    """Per column, the widest any block needs: its widest line, a header may wrap onto two lines, a CJK
    character counts as 2 (NOTES.md), within the column's bounds."""
    widths: dict[int, float] = {}
    for block in blocks:
        rows = [*block.rows, *block.extra]
        for c, col in enumerate(block.cols):
            widest = _widest([values[c] for values in rows], col.kind, col.hi - 2)
            head = text_width(col.header) if text_width(col.header) <= 10 else -(-text_width(col.header) // 2)
            widths[c] = max(widths.get(c, 0), min(max(max(widest, head) + 2, col.lo), col.hi))
    return [float(widths[c]) for c in range(len(widths))]


def _widest(values: Sequence[Any], kind: str, enough: float) -> int:
    """The widest line any of ``values`` shows (as :func:`display` has it), or at least ``enough``, after
    which the column's bound decides. Each distinct value is measured once; numbers only at their extremes."""
    numbers = [v for v in values if v is not None and v != ""]
    if not numbers:
        return 0
    if kind in _MONOTONE and all(type(v) in _MONOTONE[kind] and math.isfinite(v) for v in numbers):
        # a number's text only grows with its size (and a sign): the largest and the smallest are the widest
        return max((len(display(v, kind)) for v in (max(numbers), min(numbers))), default=0)
    widest = 0
    for value in set(values):
        text = display(value, kind)
        if 2 * len(text) <= widest:  # no line of it can be wider
            continue
        widest = max(widest, *(text_width(line) for line in text.splitlines() or [""]))
        if widest >= enough:
            break
    return widest


#: kinds whose text is a number's, and the value types that show it so (int ``0``: ``str``; money ``#,##0.00``…)
_MONOTONE: dict[str, tuple[type, ...]] = {"int": (int,), "money": (int, float), "rate": (int, float),
                                          "points": (int, float)}


def _height(texts: Sequence[str], widths: Sequence[float]) -> float | None:
    """A row's height when wrapped text needs more than one line (Excel and WPS do not grow it on opening)."""
    lines = max((_lines(t, w) for t, w in zip(texts, widths, strict=True)), default=1)
    return None if lines <= 1 else 13.5 * lines + 3


def _lines(text: str, width: float) -> int:
    """The lines a text takes wrapped in a column of ``width``."""
    return sum(max(1, -(-text_width(line) // max(int(width) - 1, 1))) for line in text.splitlines() or [""])


def _write_block(ws: Worksheet, row: int, block: Block, span: int, formats: Formats,
                 widths: Sequence[float]) -> tuple[int, int]:
    """Write one table from ``row``; returns the next free row and the header row."""
    if block.title:
        row += 1
        _merged_text(ws, row, span, block.title, formats.subtitle)
        row += 1
    header_row = row
    for c, col in enumerate(block.cols):
        ws.write_string(row, c, col.header, formats.header)
    ws.set_row(row, 30)
    row += 1
    if not block.rows:
        if len(block.cols) > 1:
            ws.merge_range(row, 0, row, len(block.cols) - 1, "", formats.cell("text"))
        ws.write_string(row, 0, block.empty, formats.cell("text"))
        return row + 1, header_row
    kinds = [col.kind for col in block.cols]
    # a text of at most this many characters fits the column's width whatever they are (a CJK one counts 2)
    one_line = [(c, (int(widths[c]) - 1) // 2) for c, kind in enumerate(kinds) if kind == "text"]
    own_fills: dict[int, dict[int, str]] = {}
    for (r, c), rgb in block.cell_fills.items():
        own_fills.setdefault(r, {})[c] = rgb
    lights = [c for c, kind in enumerate(kinds) if kind == "light"]
    by_band: dict[tuple[str | None, bool], list[Format]] = {}
    for r, values in enumerate([*block.rows, *block.extra]):
        if len(values) != len(kinds):
            raise ValueError(f"row {r} has {len(values)} values for {len(kinds)} columns")
        fill = LIGHT_COLOURS.get(block.fills[r]) if r < len(block.fills) and block.fills[r] else None
        bold = r in block.bold_rows
        fmts = by_band.get((fill, bold))
        if fmts is None:
            fmts = by_band[(fill, bold)] = [formats.cell(kind, fill, bold) for kind in kinds]
        own = own_fills.get(r)
        if own or (lights and fill is None):
            fmts = _own_formats(fmts, kinds, values, fill, bold, own or {}, lights, formats)
        at = row + r
        for c, value in enumerate(values):
            _write_cell(ws, at, c, value, kinds[c], fmts[c])
        lines = 1  # as _height has it, measuring only the texts that may not fit on one line
        for c, limit in one_line:
            if _may_wrap(values[c], limit):
                lines = max(lines, _lines(display(values[c], "text"), widths[c]))
        if lines > 1:
            ws.set_row(at, 13.5 * lines + 3)
    if block.filter:
        ws.autofilter(header_row, 0, header_row + len(block.rows), len(block.cols) - 1)
    return row + len(block.rows) + len(block.extra), header_row


def _own_formats(band: list[Format], kinds: Sequence[str], values: Sequence[Any], fill: str | None, bold: bool,
                 own: dict[int, str], lights: Sequence[int], formats: Formats) -> list[Format]:
    """A row's formats where a cell has its own fill, or a light cell takes its light's colour (no band)."""
    fmts = list(band)
    for c in {*own, *lights}:
        cell_fill = own.get(c) or fill
        if kinds[c] == "light" and values[c] in LIGHT_COLOURS and cell_fill is None:
            cell_fill = LIGHT_COLOURS[values[c]]
        if cell_fill != fill:
            fmts[c] = formats.cell(kinds[c], cell_fill, bold)
    return fmts


def _may_wrap(value: Any, limit: int) -> bool:
    """Whether a text cell might need a second line (False only when it surely fits on one)."""
    if value is None:
        return False
    text = value if type(value) is str else display(value, "text")
    return len(text) > limit or not text.isprintable()  # a line break is not printable


def _write_cell(ws: Worksheet, row: int, col: int, value: Any, kind: str, fmt: Format) -> None:
    kind_of = type(value)
    if kind_of is str:  # the common cases first: a province writes 600,000 cells
        if not value:
            ws.write_blank(row, col, None, fmt)
        elif kind == "light":
            ws.write_string(row, col, LIGHT_LABELS.get(value, value), fmt)
        else:
            ws.write_string(row, col, clean_text(value), fmt)
    elif (kind_of is float or kind_of is int) and kind != "light":
        ws.write_number(row, col, value, fmt)
    elif value is None or value == "":
        ws.write_blank(row, col, None, fmt)
    elif kind == "light":
        ws.write_string(row, col, LIGHT_LABELS.get(value, str(value)), fmt)
    elif isinstance(value, date):  # a datetime is a date too
        moment = value if isinstance(value, datetime) else datetime(value.year, value.month, value.day)
        ws.write_datetime(row, col, moment, fmt)
    elif isinstance(value, bool) or not isinstance(value, int | float):
        ws.write_string(row, col, clean_text(value), fmt)
    else:
        ws.write_number(row, col, value, fmt)


def _merged_text(ws: Worksheet, row: int, span: int, text: str, fmt: Format) -> None:
    if span > 0:
        ws.merge_range(row, 0, row, span, "", fmt)
    ws.write_string(row, 0, clean_text(text), fmt)


def _page_setup(ws: Worksheet, repeat_row: int | None, header: str) -> None:
    """A4 landscape, one page wide, the table header repeated, page numbers in the footer."""
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    ws.center_horizontally()
    ws.set_margins(left=0.4, right=0.4, top=0.7, bottom=0.6)
    if repeat_row is not None:
        ws.repeat_rows(repeat_row)
    ws.set_header(header)
    ws.set_footer(FOOTER)


def page_header(left: str, right: str) -> str:
    """A page header: ``left`` text, the sheet's name in the centre, ``right`` text (``&`` escaped)."""
    return f"&L{left.replace('&', '&&')}&C&A&R{right.replace('&', '&&')}"


def created(day: Any) -> datetime:
    """The workbook's creation time: the dispatch day, so a rerun writes the same document properties."""
    return datetime(day.year, day.month, day.day)
