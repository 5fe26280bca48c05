"""From a submitted file's bytes to sheet grids: xlsx/xlsm/xls via calamine, CSV by sniffing, bombs refused."""

from __future__ import annotations

import html
import io
import re
import struct
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import dataclass
from typing import Any

import python_calamine

from etl import read_csv
from etl.model import CellError, SheetGrid
from etl.read_csv import REASON_NOT_EXCEL
from etl.zipscan import ZipFacts, ZipRefusal, scan_zip

MIB = 1024 * 1024
ZIP_MAGIC = b"PK\x03\x04"
EMPTY_ZIP_MAGIC = b"PK\x05\x06"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED_MARKERS = ("EncryptedPackage".encode("utf-16-le"), "EncryptionInfo".encode("utf-16-le"))
#: a BIFF8 BOF record (type 0x0809, 16 bytes, version 0x0600); FILEPASS (0x002F) soon after means encrypted
_BIFF_BOF = b"\x09\x08\x10\x00\x00\x06"
_FILEPASS = 0x002F
#: sheet names longer than this are cut (Excel allows 31; the database keeps 200)
MAX_SHEET_NAME = 100
#: cells calamine reads as "": an error value (t="e"), or a formula saved without its result (openpyxl)
_ERROR_CELL_RE = re.compile(
    rb"<(?:\w+:)?c\b([^>]*?\bt\s*=\s*[\"']e[\"'][^>/]*)>(.*?)</(?:\w+:)?c>", re.S)
_NO_VALUE_CELL_RE = re.compile(
    rb"<(?:\w+:)?c\b([^>]*?)>\s*<(?:\w+:)?f\b[^>]*?(?:/>|>([^<]*)</(?:\w+:)?f>)"
    rb"\s*(?:<(?:\w+:)?v\s*/>|<(?:\w+:)?v>\s*</(?:\w+:)?v>)?\s*</(?:\w+:)?c>")
#: a formula cell without a result always shows one of these (or whitespace / a prefix between the tags)
_NO_VALUE_TOKENS = (b"</f></c>", b"<v></v>", b"<v/>", b"/></c>", b"</f>\n", b"</f>\r", b"</f> ", b"</f>\t",
                    b":f>")
_VALUE_RE = re.compile(rb"<(?:\w+:)?v>([^<]*)</(?:\w+:)?v>")
_FORMULA_RE = re.compile(rb"<(?:\w+:)?f\b[^>]*>([^<]*)</(?:\w+:)?f>")
_REF_RE = re.compile(rb"\br\s*=\s*[\"']\$?([A-Za-z]{1,3})\$?(\d{1,7})[\"']")
_TYPE_RE = re.compile(rb"\bt\s*=\s*[\"'](\w+)[\"']")

REASON_ENCRYPTED = "文件已加密，请取消密码后再报送"
REASON_NOT_SHEET = "文件是压缩包而不是Excel表格，请报送 .xlsx 文件"
REASON_XLSB = "文件是Excel二进制工作簿（.xlsb）格式，请用Excel另存为 .xlsx 后再报送"
REASON_DTD = "文件内部含有Excel不会写入的XML声明（DOCTYPE/实体定义），请用Excel打开后另存为 .xlsx 再报送"
REASON_EMPTY = "文件没有任何内容，请检查是否选错了文件"
TOO_LARGE_TIP = "请删除多余的行列、无关的工作表或图片，或拆分文件后再报送"


class UnreadableFileError(Exception):
    """A file that cannot be read at all; ``code`` is a finding code, ``reason`` tells the town what to do."""

    def __init__(self, code: str, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


@dataclass
class ReadLimits:
    """Refuse files past these sizes before they can exhaust memory or time (docs/reliability.md)."""

    max_file_bytes: int = 50 * MIB
    max_uncompressed_bytes: int = 300 * MIB
    max_rows: int = 100_000
    max_cols: int = 500
    #: the rectangle from A1 to a sheet's farthest cell: calamine holds it whole (32 bytes a cell), and a
    #: sheet past the row/column limits is scanned for its real used range only up to this size. Reading
    #: and loading cost about 500 bytes a cell (100,000 rows × 20 columns: 1.0 GB at peak)
    max_cells: int = 2_500_000
    max_sheets: int = 255


def read_grids(data: bytes, file_name: str, limits: ReadLimits | None = None) -> list[SheetGrid]:
    """Every sheet of a workbook (or the one table of a CSV) as a grid whose ``cells[0][0]`` is A1."""
    limits = limits or ReadLimits()
    if len(data) > limits.max_file_bytes:
        raise UnreadableFileError(
            "file-too-large",
            f"文件大小 {len(data) / MIB:.1f} MB，超过上限 {limits.max_file_bytes / MIB:.0f} MB，"
            "请删除无关的工作表、图片后再报送",
        )
    if not data.removeprefix(b"\xef\xbb\xbf").strip():
        raise UnreadableFileError("file-empty", REASON_EMPTY)
    if data.startswith((ZIP_MAGIC, EMPTY_ZIP_MAGIC)):
        facts = _check_zip(data, limits)
        grids = _read_workbook(data, limits, facts.control_chars, facts)
    elif data.startswith(OLE_MAGIC):
        grids = _read_workbook(data, limits, control=True)
    else:
        grids = [_read_csv(data, file_name, limits)]
    if not any(_has_value(grid) for grid in grids):
        raise UnreadableFileError("file-empty", "文件中的工作表都是空的，请检查是否选错了文件或工作表")
    return grids


def _has_value(grid: SheetGrid) -> bool:
    return any(cell is not None and not _is_blank_text(cell) for row in grid.cells for cell in row)


def _read_csv(data: bytes, file_name: str, limits: ReadLimits) -> SheetGrid:
    try:
        return read_csv.read_csv(data, file_name, max_rows=limits.max_rows, max_cols=limits.max_cols,
                                 max_cells=limits.max_cells)
    except read_csv.CsvRefusal as exc:
        raise UnreadableFileError(exc.code, exc.reason) from exc
    except read_csv.CsvTooLarge as exc:
        raise UnreadableFileError(
            "file-too-large", f"文件已读到 {exc.rows} 行 {exc.cols} 列，超过上限 {limits.max_rows} 行 "
            f"{limits.max_cols} 列（{limits.max_cells} 个单元格），{TOO_LARGE_TIP}") from exc


def _check_zip(data: bytes, limits: ReadLimits) -> ZipFacts:
    """The zip directory first (a bomb declares its huge sizes there, before anything is inflated), then
    every member inflated and looked at before calamine sees it (``control_chars``: cells may hold control
    characters)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            declared = sum(member.file_size for member in members)
            if declared > limits.max_uncompressed_bytes:
                raise UnreadableFileError(
                    "file-too-large",
                    f"文件解压后有 {declared / MIB:.0f} MB，超过上限 {limits.max_uncompressed_bytes / MIB:.0f} MB，"
                    "请删除无关的工作表、图片后再报送",
                )
            names = {member.filename for member in members}
            if "xl/workbook.xml" not in names and "xl/workbook.bin" in names:
                raise UnreadableFileError("file-unreadable", REASON_XLSB)
            if "xl/workbook.xml" not in names and "content.xml" not in names:
                raise UnreadableFileError("file-unreadable", REASON_NOT_SHEET)
            facts = scan_zip(archive, max_bytes=limits.max_uncompressed_bytes, max_cells=limits.max_cells,
                             max_sheets=limits.max_sheets)
    except ZipRefusal as exc:
        raise UnreadableFileError(exc.code, _refusal_reason(exc, limits)) from exc
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        raise UnreadableFileError("file-unreadable", REASON_NOT_EXCEL) from exc
    return facts


def _refusal_reason(exc: ZipRefusal, limits: ReadLimits) -> str:
    kind, _, rest = exc.detail.partition(":")
    if kind == "doctype":
        return REASON_DTD
    if kind == "cells":
        rows, cols = (int(n) for n in rest.split(":"))
        return (f"工作表中有内容延伸到第 {rows} 行、第 {cols} 列（共 {rows * cols} 个单元格），超过上限 "
                f"{limits.max_cells} 个单元格，{TOO_LARGE_TIP}")
    if kind == "sheets":
        return f"工作簿有 {rest} 个工作表，超过上限 {limits.max_sheets} 个，{TOO_LARGE_TIP}"
    if kind in ("inflated", "read"):
        return f"文件解压后超过上限 {limits.max_uncompressed_bytes / MIB:.0f} MB，{TOO_LARGE_TIP}"
    return REASON_NOT_EXCEL


def _read_workbook(data: bytes, limits: ReadLimits, control: bool, facts: ZipFacts | None = None) -> list[SheetGrid]:
    """xlsx / xlsm / xls / ods through calamine; every calamine failure becomes UnreadableFileError."""
    try:
        workbook = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        grids = [_read_sheet(workbook, name, limits, control) for name in workbook.sheet_names]
    except UnreadableFileError:
        raise
    except python_calamine.PasswordError as exc:
        raise UnreadableFileError("file-unreadable", REASON_ENCRYPTED) from exc
    except (python_calamine.CalamineError, ValueError, TypeError, OverflowError, IndexError) as exc:
        raise UnreadableFileError("file-unreadable", _workbook_reason(data)) from exc
    except BaseException as exc:
        # a Rust panic inside calamine surfaces as pyo3's PanicException, a BaseException
        if type(exc).__name__ != "PanicException":
            raise
        raise UnreadableFileError("file-unreadable", _workbook_reason(data)) from exc
    if data.startswith(ZIP_MAGIC):
        _mark_formula_errors(data, grids, facts)
    for grid in grids:  # named as the parts are until here (the formula markers find their part by name)
        grid.name = _clean_text(grid.name)[:MAX_SHEET_NAME]
    return grids


def _clean_text(text: str) -> str:
    """No NUL or other control characters (PostgreSQL refuses NUL; none belongs in a name or a figure)."""
    return read_csv.CONTROL_RE.sub("", text)


def _workbook_reason(data: bytes) -> str:
    # an xlsx with a password is an OLE2 container holding EncryptedPackage, not a zip; an encrypted .xls
    # starts its workbook stream with BOF then FILEPASS
    if data.startswith(OLE_MAGIC) and (any(marker in data for marker in _ENCRYPTED_MARKERS)
                                       or _has_filepass(data)):
        return REASON_ENCRYPTED
    return REASON_NOT_EXCEL


def _has_filepass(data: bytes) -> bool:
    at = data.find(_BIFF_BOF)
    for _ in range(16 if at >= 0 else 0):  # the first records of the globals substream
        if at + 4 > len(data):
            return False
        kind, size = struct.unpack_from("<HH", data, at)
        if kind == _FILEPASS:
            return True
        at += 4 + size
    return False


def _read_sheet(workbook: python_calamine.CalamineWorkbook, name: str, limits: ReadLimits,
                control: bool) -> SheetGrid:
    sheet = workbook.get_sheet_by_name(name)
    n_rows = n_cols = None
    if sheet.end is not None:
        n_rows, n_cols = sheet.end[0] + 1, sheet.end[1] + 1
        if n_rows > limits.max_rows or n_cols > limits.max_cols:
            # a stray space far below or right of the table makes calamine's range huge: measure what is used
            n_rows, n_cols = _used_size(sheet, n_rows, n_cols, name, limits)
            _check_size(name, n_rows, n_cols, limits)
    rows = sheet.to_python(skip_empty_area=False, nrows=n_rows) if n_rows is not None else \
        sheet.to_python(skip_empty_area=False)
    cells = [[None if value == "" else value for value in row[:n_cols]] for row in rows[:n_rows]]
    if control:
        cells = [[(_clean_text(v) or None) if isinstance(v, str) else v for v in row] for row in cells]
    merged = [(r1, c1, r2, c2) for (r1, c1), (r2, c2) in (sheet.merged_cell_ranges or [])]
    return SheetGrid(name=name, cells=cells, merged=merged)


def _is_blank_text(value: Any) -> bool:
    return isinstance(value, str) and not value.strip()


def _used_size(sheet: python_calamine.CalamineSheet, n_rows: int, n_cols: int, name: str,
               limits: ReadLimits) -> tuple[int, int]:
    """Rows and columns up to the last cell that is not blank text (a lone space counts as blank)."""
    start_col = sheet.start[1] if sheet.start is not None else 0
    if n_rows * max(n_cols - start_col, 1) > limits.max_cells:
        _check_size(name, n_rows, n_cols, limits)  # too big to scan: refuse as declared
    last_row = last_col = -1
    count = 0
    for r, row in enumerate(sheet.iter_rows()):
        count += 1
        if row.count("") == len(row):
            continue
        for c in range(len(row) - 1, -1, -1):
            if not _is_blank_text(row[c]):
                last_row, last_col = r, max(last_col, c)
                break
    # calamine yields rows from A1 down but columns from the first used one
    offset = n_rows - count
    return last_row + offset + 1, last_col + start_col + 1


class _Members:
    """``ZipFile.read`` and ``namelist`` from the members the zip scan kept, the archive opened only for others."""

    def __init__(self, data: bytes, facts: ZipFacts | None) -> None:
        self.data, self.facts = data, facts
        self.archive: zipfile.ZipFile | None = None
        self.names = set(facts.names) if facts is not None else set(self._open().namelist())

    def _open(self) -> zipfile.ZipFile:
        if self.archive is None:
            self.archive = zipfile.ZipFile(io.BytesIO(self.data))
        return self.archive

    def read(self, name: str) -> bytes:
        if self.facts is not None and name in self.facts.parts:
            return self.facts.parts[name]
        return self._open().read(name)

    def close(self) -> None:
        if self.archive is not None:
            self.archive.close()


def _mark_formula_errors(data: bytes, grids: list[SheetGrid], facts: ZipFacts | None = None) -> None:
    """Put a CellError where a sheet's XML has an error value or a formula without a result."""
    members = None
    try:
        members = _Members(data, facts)
        parts, names = _sheet_parts(members), members.names
        for grid in grids:
            part = parts.get(grid.name)
            if part is None or part not in names:
                continue
            for (row, col), marker in _formula_markers(members.read(part)).items():
                if row < len(grid.cells) and col < len(grid.cells[row]) and grid.cells[row][col] is None:
                    grid.cells[row][col] = marker
    except (zipfile.BadZipFile, OSError, ValueError, KeyError, ET.ParseError, EOFError, RuntimeError):
        return  # calamine read it; without the markers the cells stay blank as before
    finally:
        if members is not None:
            members.close()


def _sheet_parts(archive: zipfile.ZipFile | _Members) -> dict[str, str]:
    """Sheet name → its part in the zip, from xl/workbook.xml and xl/_rels/workbook.xml.rels."""
    rels: dict[str, str] = {}
    for element in ET.fromstring(archive.read("xl/_rels/workbook.xml.rels")).iter():
        if element.tag.rsplit("}", 1)[-1] == "Relationship" and element.get("Id") and element.get("Target"):
            target = element.get("Target", "").replace("\\", "/")
            rels[element.get("Id", "")] = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    parts: dict[str, str] = {}
    for element in ET.fromstring(archive.read("xl/workbook.xml")).iter():
        if element.tag.rsplit("}", 1)[-1] != "sheet":
            continue
        rid = next((v for k, v in element.attrib.items() if k.rsplit("}", 1)[-1] == "id"), None)
        if element.get("name") is not None and rid in rels:
            parts[element.get("name", "")] = rels[rid]
    return parts


def _formula_markers(xml: bytes) -> dict[tuple[int, int], CellError]:
    """0-based (row, col) → CellError for error cells and formula cells saved without a result."""
    found: dict[tuple[int, int], CellError] = {}
    if b't="e"' in xml or b"t='e'" in xml:
        for match in _ERROR_CELL_RE.finditer(xml):
            where = _cell_ref(match.group(1))
            if where is None:
                continue
            value, formula = _VALUE_RE.search(match.group(2)), _FORMULA_RE.search(match.group(2))
            text = _xml_text(value.group(1)) if value else ""
            found[where] = CellError(text or "#VALUE!", _xml_text(formula.group(1)) if formula else None)
    if b"<f" in xml and any(token in xml for token in _NO_VALUE_TOKENS):
        for match in _NO_VALUE_CELL_RE.finditer(xml):
            kind = _TYPE_RE.search(match.group(1))
            if kind is not None and kind.group(1) in (b"str", b"inlineStr", b"e"):
                continue  # a formula whose result is the empty text "" is a blank cell, as Excel shows it
            where = _cell_ref(match.group(1))
            if where is not None:
                found.setdefault(where, CellError("", _xml_text(match.group(2) or b"") or None))
    return found


def _cell_ref(attributes: bytes) -> tuple[int, int] | None:
    match = _REF_RE.search(attributes)
    if match is None:
        return None
    col = 0
    for letter in match.group(1).upper():
        col = col * 26 + letter - 64
    return int(match.group(2)) - 1, col - 1


def _xml_text(raw: bytes) -> str:
    return html.unescape(raw.decode("utf-8", "replace")).strip()


def _check_size(name: str, n_rows: int, n_cols: int, limits: ReadLimits) -> None:
    if n_rows > limits.max_rows or n_cols > limits.max_cols:
        raise UnreadableFileError(
            "file-too-large",
            f"工作表“{name}”有 {n_rows} 行 {n_cols} 列，超过上限 {limits.max_rows} 行 {limits.max_cols} 列，"
            "请删除多余的行列或拆分文件后再报送",
        )
