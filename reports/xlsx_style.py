"""Shared spreadsheet styling: Chinese-aware column widths, the light fill palette, safe cell text."""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable
from datetime import date, datetime, time
from decimal import Decimal
from functools import lru_cache
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import PatternFill

from reports.palette import LIGHT_COLOURS, PALE_COLOURS

__all__ = ["LIGHT_COLOURS", "PALE_COLOURS"]  # re-exported: the palette itself lives in reports/palette.py

HEADER_COLOUR = "D9E1F2"

#: Severity → colour name; info findings are marked blue (neither a problem nor a pass).
SEVERITY_COLOUR: dict[str, str] = {"error": "red", "warning": "yellow", "info": "blue"}
SEVERITY_RANK: dict[str, int] = {"error": 0, "warning": 1, "info": 2}
_CELL_FILL_COLOURS = {**LIGHT_COLOURS, "blue": "DDEBF7"}

#: Excel refuses longer cell text.
MAX_CELL_CHARS = 32_767
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


def solid_fill(rgb: str) -> PatternFill:
    """A solid fill of one RGB hex colour."""
    return PatternFill(fill_type="solid", start_color=rgb, end_color=rgb)


def severity_fill(severity: str, *, pale: bool = False) -> PatternFill:
    """The cell fill of a finding's severity; ``pale`` for the lighter whole-row band."""
    colour = SEVERITY_COLOUR.get(severity, "blue")
    return solid_fill((PALE_COLOURS if pale else _CELL_FILL_COLOURS)[colour])


def text_width(text: str) -> int:
    """Display width of text: a full-width (CJK) character counts as 2, others as 1."""
    if text.isascii():  # no ASCII character is wide
        return len(text)
    return _wide_text_width(text)


@lru_cache(maxsize=1 << 16)
def _wide_text_width(text: str) -> int:
    # a workbook measures the same town, project and problem texts on several sheets
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def column_width(values: Iterable[Any], *, minimum: float = 6, maximum: float = 60) -> float:
    """A column width that fits the widest line of the values, within bounds."""
    widest = 0
    for value in values:
        if value is None:
            continue
        for line in str(value).splitlines() or [""]:
            widest = max(widest, text_width(line))
    return float(min(max(widest + 2, minimum), maximum))


def clean_text(value: Any) -> str:
    """Text safe for a cell: control characters Excel rejects are dropped, length capped."""
    text = ILLEGAL_CHARACTERS_RE.sub("", str(value))
    return text[:MAX_CELL_CHARS]


def put_value(cell: Cell, value: Any) -> None:
    """Numbers, dates and booleans as themselves; everything else as literal text."""
    if isinstance(value, datetime):
        cell.value = value
        cell.number_format = "yyyy-mm-dd" if value.time() == time() else "yyyy-mm-dd hh:mm:ss"
    elif isinstance(value, date | time):
        cell.value = value
        cell.number_format = "yyyy-mm-dd" if isinstance(value, date) else "hh:mm:ss"
    elif isinstance(value, bool | int | Decimal) or (isinstance(value, float) and math.isfinite(value)):
        cell.value = value
    else:
        put_text(cell, value)


def put_text(cell: Cell, value: Any) -> None:
    """Literal text: ``=HYPERLINK(…)`` or ``#N/A`` from a town stays a string, never a formula or error."""
    cell.value = clean_text(value)
    cell.data_type = "s"


def safe_sheet_title(name: str) -> str:
    """A sheet name Excel accepts: no ``[]:*?/\\``, no edge apostrophes, at most 31 characters."""
    title = _BAD_SHEET_CHARS.sub("", clean_text(name)).strip("'")[:31]
    return title or "Sheet"


def unique_sheet_title(workbook: Workbook, title: str) -> str:
    """``title``, or ``title(2)`` … when the workbook has it already (Excel ignores case)."""
    taken = {name.lower() for name in workbook.sheetnames}
    candidate, n = title, 1
    while candidate.lower() in taken:
        n += 1
        candidate = f"{title[: 31 - len(str(n)) - 2]}({n})"
    return candidate
