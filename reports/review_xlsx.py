"""数据.xlsx: one sheet per review chart with the numbers behind it (万元 with two decimals, rates as %)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import xlsxwriter
from xlsxwriter.worksheet import Worksheet

from reports.files import write_atomically
from reports.palette import LIGHT_COLOURS, LIGHT_LABELS
from reports.review_tables import INT, LIGHT, POINTS, RATE, WAN, SheetTable
from reports.xlsx_style import HEADER_COLOUR, clean_text, safe_sheet_title, text_width

NUMBER_FORMATS = {WAN: "#,##0.00", RATE: "0.0%", POINTS: "0.0", INT: "0"}
_LIGHT_BY_LABEL = {label: code for code, label in LIGHT_LABELS.items()}
HEADER_ROW = 1  # 0-based: the title is row 0, the header row 1, data from row 2
MAX_WIDTH = 48


def cell_value(kind: str, value: Any) -> Any:
    """The stored value: 元 → 万元 (exact to the 分), a gap fraction → 个百分点, the rest as given."""
    if value is None:
        return None
    if kind == WAN:
        return round(value / 10000, 6)
    if kind == POINTS:
        return round(value * 100, 2)
    return value


def write_review_xlsx(tables: Sequence[SheetTable], path: Path) -> Path:
    """Write the tables, one sheet each, to ``path`` atomically."""
    return write_atomically(path, lambda tmp: _write(tables, tmp))


def _write(tables: Sequence[SheetTable], path: Path) -> None:
    book = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_urls": False})
    styles = _formats(book)
    for table in tables:
        sheet = book.add_worksheet(safe_sheet_title(table.sheet))
        _write_sheet(sheet, table, styles)
    book.close()


def _formats(book: xlsxwriter.Workbook) -> dict[str, Any]:
    border = {"border": 1, "border_color": "#A6A6A6", "font_name": "宋体", "font_size": 11}
    styles = {"title": book.add_format({"bold": True, "font_size": 14, "font_name": "宋体"}),
              "header": book.add_format({**border, "bold": True, "bg_color": f"#{HEADER_COLOUR}", "text_wrap": True,
                                         "align": "center", "valign": "vcenter"}),
              "text": book.add_format(border)}
    for kind, number_format in NUMBER_FORMATS.items():
        styles[kind] = book.add_format({**border, "num_format": number_format})
    for code, rgb in LIGHT_COLOURS.items():
        styles[f"light-{code}"] = book.add_format({**border, "bg_color": f"#{rgb}", "align": "center"})
    return styles


def _write_sheet(sheet: Worksheet, table: SheetTable, styles: dict[str, Any]) -> None:
    sheet.write_string(0, 0, clean_text(table.title), styles["title"])
    widths = [text_width(c.header) for c in table.columns]
    for col, column in enumerate(table.columns):
        sheet.write_string(HEADER_ROW, col, column.header, styles["header"])
    for r, row in enumerate(table.rows, start=HEADER_ROW + 1):
        for col, (column, raw) in enumerate(zip(table.columns, row, strict=True)):
            value = cell_value(column.kind, raw)
            if column.kind in NUMBER_FORMATS and value is not None:
                sheet.write_number(r, col, value, styles[column.kind])
                widths[col] = max(widths[col], len(f"{value:,.2f}"))
            elif value is None:
                sheet.write_blank(r, col, None, styles["text"])
            else:
                text = clean_text(value)
                light = _LIGHT_BY_LABEL.get(text) if column.kind == LIGHT else None
                sheet.write_string(r, col, text, styles[f"light-{light}"] if light else styles["text"])
                widths[col] = max(widths[col], text_width(text))
    for col, width in enumerate(widths):
        sheet.set_column(col, col, min(width + 2, MAX_WIDTH))
    sheet.freeze_panes(HEADER_ROW + 1, 0)
    if table.rows:
        sheet.autofilter(HEADER_ROW, 0, HEADER_ROW + len(table.rows), len(table.columns) - 1)
