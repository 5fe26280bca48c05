"""A CSV's bytes to one grid: encoding by trial (UTF-8, then GB18030), delimiter by sniffing, rows streamed
and counted so a file of forty million empty lines is refused before it is held in memory."""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from typing import Any

from etl.model import SheetGrid

_DELIMITERS = (",", "\t", ";")
_SNIFF_LINES = 50
CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")

REASON_NOT_EXCEL = "文件不是有效的Excel文件（可能已损坏或扩展名错误），请重新导出为 .xlsx 后再报送"
REASON_ENCODING = "文件编码无法识别，请另存为UTF-8或GBK编码的CSV，或另存为 .xlsx 后再报送"
REASON_NUL = "文件含有空字符（NUL），不是有效的CSV文本，请用Excel另存为 .xlsx 或 UTF-8 编码的CSV后再报送"
REASON_UTF16 = "文件是UTF-16编码的文本，请用Excel另存为 .xlsx 或 UTF-8 编码的CSV后再报送"
REASON_HTML = "文件实际是网页（HTML/XML）格式，不是真正的Excel文件，请用Excel打开后另存为 .xlsx 再报送"
REASON_BAD_CSV = "CSV文件格式有误（引号不配对或单元格过长），请用Excel另存为 .xlsx 后再报送"


class CsvRefusal(Exception):
    """A CSV that cannot be read; ``code`` is a finding code."""

    def __init__(self, code: str, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


class CsvTooLarge(Exception):
    """More rows, columns or cells than allowed: ``rows`` and ``cols`` as far as they were counted."""

    def __init__(self, rows: int, cols: int) -> None:
        super().__init__(f"{rows} × {cols}")
        self.rows, self.cols = rows, cols


def decode_text(data: bytes, file_name: str) -> tuple[str, str]:
    """The text and the encoding that decoded it (UTF-8 with or without BOM, else GB18030)."""
    # a file named .xls* that is not text either is a broken workbook, not a badly encoded CSV
    is_excel_name = file_name.lower().endswith((".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"))
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise CsvRefusal("file-unreadable", REASON_UTF16)
    if b"\x00" in data:
        raise CsvRefusal("file-unreadable", REASON_NOT_EXCEL if is_excel_name else REASON_NUL)
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if CONTROL_RE.search(text):
            break  # binary that happens to decode: not a text table
        return text, encoding
    raise CsvRefusal("file-unreadable", REASON_NOT_EXCEL if is_excel_name else REASON_ENCODING)


def read_csv(data: bytes, file_name: str, *, max_rows: int, max_cols: int, max_cells: int) -> SheetGrid:
    """The CSV as a grid; blank lines after the last row with a value are not rows."""
    text, encoding = decode_text(data, file_name)
    head = text[:4096].lstrip()[:512].lower()
    if head.startswith("<") and any(tag in head for tag in ("<html", "<table", "<?xml", "<!doctype")):
        raise CsvRefusal("file-unreadable", REASON_HTML)
    delimiter = sniff_delimiter(text)
    del text  # read again in pieces: a StringIO of the whole text would hold four bytes a character
    rows: list[list[Any]] = []
    blanks = width = 0
    try:
        for row in csv.reader(io.TextIOWrapper(io.BytesIO(data), encoding=encoding, newline=""),
                              delimiter=delimiter):
            if not any(row):
                blanks += 1  # held back: only a later row with a value makes them rows
                continue
            count, width = len(rows) + blanks + 1, max(width, len(row))
            if count > max_rows or width > max_cols or count * width > max_cells:
                raise CsvTooLarge(count, width)
            rows.extend([] for _ in range(blanks))
            blanks = 0
            rows.append([cell if cell != "" else None for cell in row])
    except csv.Error as exc:
        raise CsvRefusal("file-unreadable", REASON_BAD_CSV) from exc
    for row in rows:
        row.extend([None] * (width - len(row)))
    return SheetGrid(name=stem(file_name), cells=rows, source="csv")


def sniff_delimiter(text: str) -> str:
    """The delimiter that splits the most lines into the same number (> 1) of fields, weighted by that number."""
    lines = io.StringIO(text, newline="")  # \r, \n and \r\n all end a line, as csv.reader reads them
    sample = "".join(lines.readline() for _ in range(_SNIFF_LINES))
    best, best_score = ",", 0
    for delimiter in _DELIMITERS:
        try:
            counts = Counter(len(row) for row in csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter)
                             if len(row) > 1)
        except csv.Error:
            continue  # the real read reports it
        if counts:
            width, n = max(counts.items(), key=lambda item: (item[1] * item[0], item[0]))
            if n * width > best_score:
                best, best_score = delimiter, n * width
    return best


def stem(file_name: str) -> str:
    base = re.split(r"[\\/]", file_name)[-1]
    name, dot, _ = base.rpartition(".")
    return name if dot and name else base
