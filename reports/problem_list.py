"""The 问题清单 workbook sent back to a town: its findings listed, and its own sheets marked cell by cell."""

from __future__ import annotations

import math
import re
import warnings
import zipfile
import zlib
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from io import BytesIO
from pathlib import Path, PureWindowsPath
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import Cell
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from etl.model import SheetGrid
from monitor.errors import UsageError
from monitor.findings import SEVERITY_LABEL, Finding, column_letter
from reports.files import write_atomically
from reports.xlsx_style import (
    HEADER_COLOUR,
    SEVERITY_RANK,
    clean_text,
    column_width,
    put_text,
    put_value,
    safe_sheet_title,
    severity_fill,
    solid_fill,
    text_width,
    unique_sheet_title,
)

SUMMARY_SHEET = "问题清单"
HEADERS = ("序号", "严重程度", "工作表", "行号", "列", "原值", "问题", "说明及修改要求")
#: column widths as (minimum, maximum); the message column is fixed and wraps
_WIDTHS = ((5, 6), (9, 9), (10, 24), (6, 7), (8, 24), (10, 30), (12, 26), (60, 60))
COMMENT_AUTHOR = "fundmon"
#: a zip declaring more than this once unpacked is not opened (zip bombs; NOTES.md)
MAX_UNZIPPED_BYTES = 256 * 1024 * 1024
#: a town's sheets are copied into its 问题清单 (marked) only up to this many cells
MAX_COPIED_CELLS = 200_000
#: file-level findings of a file the reader refused without reading it
REFUSED_UNREAD = frozenset({"file-unreadable", "file-too-large", "file-empty"})
#: what openpyxl raises on a damaged or foreign file: XML errors are SyntaxError subclasses
_LOAD_ERRORS = (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, TypeError, IndexError,
                AttributeError, SyntaxError, OSError, EOFError, zlib.error)
_BAD_FILE_CHARS = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]')
_THIN = Side(style="thin", color="A6A6A6")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_TOP_WRAP = Alignment(vertical="top", wrap_text=True)

Coord = tuple[int, int]


def problem_list_name(file_name: str) -> str:
    """``磷溪镇_2023年10月.xlsx`` → ``磷溪镇_2023年10月_问题清单.xlsx``, safe as a Windows file name."""
    stem = PureWindowsPath(file_name).name
    if "." in stem.strip("."):
        stem = stem.rsplit(".", 1)[0]
    stem = _BAD_FILE_CHARS.sub("", stem).strip(" .")
    suffix = f"{SUMMARY_SHEET}.xlsx"
    stem = stem[: 120 - len(suffix) - 1].rstrip(" .")
    # and at most 200 bytes in all: a folder entry holds 255 bytes, and 100 Chinese characters are 300
    stem = stem.encode()[: 200 - len(suffix.encode()) - 1].decode("utf-8", "ignore").rstrip(" .")
    return f"{stem}_{suffix}" if stem else suffix


def sort_findings(findings: Iterable[Finding]) -> list[Finding]:
    """Errors, then warnings, then info; within each by sheet, row and column (file-level first)."""
    return sorted(findings, key=lambda f: (SEVERITY_RANK.get(f.severity or "info", 2), f.sheet or "",
                                           f.row or 0, f.col or 0))


def write_problem_list(path: Path, *, file_name: str, data: bytes, findings: Sequence[Finding],
                       grids: Sequence[SheetGrid] | None = None,
                       title_info: Mapping[str, str] | None = None) -> Path:
    """Write the 问题清单 workbook (always .xlsx) and return its path; the town's bytes are not changed."""
    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        path = path.with_suffix(".xlsx")
    if path.is_file() and path.read_bytes() == data:
        raise UsageError(f"refusing to overwrite the town's original file {path}")
    ordered = sort_findings(findings)
    # openpyxl holds a workbook at roughly a kilobyte a cell: past MAX_COPIED_CELLS the list goes alone
    huge = sum(len(row) for grid in grids or () for row in grid.cells) > MAX_COPIED_CELLS
    payload = None if huge else _annotated_original(data, file_name, ordered, title_info)
    if payload is None:
        workbook = Workbook()
        workbook.remove(workbook.active)
        targets = _rebuild_sheets(workbook, () if huge else grids or (), ordered)
        _finish(workbook, targets, file_name, ordered, title_info)
        payload = _to_bytes(workbook)
    return write_atomically(path, lambda tmp: tmp.write_bytes(payload))


def _annotated_original(data: bytes, file_name: str, findings: list[Finding],
                        title_info: Mapping[str, str] | None) -> bytes | None:
    """The town's own workbook, marked and with the list in front; None when openpyxl cannot do it."""
    if any(f.code in REFUSED_UNREAD for f in findings):
        return None  # the reader refused these bytes (a bomb, a huge or broken file): never open them again
    workbook = _load_town_workbook(data)
    if workbook is None:
        return None
    _finish(workbook, {ws.title: ws for ws in workbook.worksheets}, file_name, findings, title_info)
    try:
        return _to_bytes(workbook)
    except _LOAD_ERRORS:  # some loaded workbooks cannot be written back: rebuild from the grids instead
        return None


def _load_town_workbook(data: bytes) -> Workbook | None:
    """Open xlsx/xlsm bytes with formulas kept and macros dropped; None for anything else."""
    try:
        with zipfile.ZipFile(BytesIO(data)) as archive:
            if sum(info.file_size for info in archive.infolist()) > MAX_UNZIPPED_BYTES:
                return None
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "extension is not supported" and the like
            workbook = load_workbook(BytesIO(data), keep_vba=False, data_only=False)
    except _LOAD_ERRORS:
        return None
    workbook.template = False  # an .xltx comes back as a plain workbook
    return workbook


def _to_bytes(workbook: Workbook) -> bytes:
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _finish(workbook: Workbook, targets: Mapping[str, Worksheet], file_name: str,
            findings: list[Finding], title_info: Mapping[str, str] | None) -> None:
    """Mark the town's sheets, then put the 问题清单 sheet first and make it the only selected one."""
    marked = False
    for sheet_name, ws in targets.items():
        marked |= _annotate_sheet(ws, [f for f in findings if f.sheet == sheet_name and f.row])
    summary = workbook.create_sheet(unique_sheet_title(workbook, SUMMARY_SHEET), 0)
    _write_summary(summary, file_name, findings, title_info, marked)
    for ws in workbook.worksheets:
        ws.sheet_view.tabSelected = ws is summary
    workbook.active = 0
    for view in workbook.views:
        view.firstSheet = 0


# ── the town's sheets ───────────────────────────────────────────────────────────────────────────────


def _annotate_sheet(ws: Worksheet, findings: list[Finding]) -> bool:
    """Fill and comment every cell a finding points at; True when anything was marked."""
    fills: dict[Coord, tuple[bool, int, str]] = {}  # (pale, rank, severity): the smallest wins
    notes: dict[Coord, list[Finding]] = {}
    for finding in findings:
        if finding.row is None:
            continue
        severity = finding.severity or "info"
        style = (SEVERITY_RANK[severity], severity)
        if finding.col:
            spots = [_anchor(ws, finding.row, finding.col)]
            pale = False
        else:  # a whole-row finding: a pale band over the row's used cells, the note on its first cell
            spots = list(dict.fromkeys(_anchor(ws, finding.row, c) for c in _used_columns(ws, finding.row)))
            pale = True
        for spot in spots:
            fills[spot] = min(fills.get(spot, (True, 9, "info")), (pale, *style))
        notes.setdefault(spots[0], []).append(finding)
    for (row, col), (pale, _, severity) in fills.items():
        ws.cell(row, col).fill = severity_fill(severity, pale=pale)
    for (row, col), items in notes.items():
        _add_comment(ws.cell(row, col), items)
    return bool(notes)


def _anchor(ws: Worksheet, row: int, col: int) -> Coord:
    """The top-left cell of the merged range holding (row, col), else the cell itself."""
    for merged in ws.merged_cells.ranges:
        if merged.min_row <= row <= merged.max_row and merged.min_col <= col <= merged.max_col:
            return merged.min_row, merged.min_col
    return row, col


def _used_columns(ws: Worksheet, row: int) -> range:
    """From the row's first to its last non-empty cell; the sheet's width when the row is empty."""
    filled = [c.column for c in ws[row] if isinstance(c, Cell) and c.value not in (None, "")]
    if not filled:
        return range(ws.min_column, ws.max_column + 1)
    return range(min(filled), max(filled) + 1)


def _add_comment(cell: Cell, findings: list[Finding]) -> None:
    """One comment per cell with every finding on it, after any comment the town already wrote."""
    lines = list(dict.fromkeys(f"【{SEVERITY_LABEL[f.severity or 'info']}】{f.message}" for f in findings))
    if cell.comment is not None and cell.comment.text:
        lines.insert(0, cell.comment.text.rstrip())
    text = clean_text("\n".join(lines))
    height = 20 + 16 * sum(max(1, math.ceil(text_width(line) / 44)) for line in text.splitlines())
    cell.comment = Comment(text, COMMENT_AUTHOR, height=min(height, 400), width=320)


def _rebuild_sheets(workbook: Workbook, grids: Sequence[SheetGrid],
                    findings: list[Finding]) -> dict[str, Worksheet]:
    """Rebuild each sheet a finding names from its grid, every value at its original cell."""
    wanted = {f.sheet for f in findings if f.sheet}
    rebuilt: dict[str, Worksheet] = {}
    for grid in grids:
        if grid.name in wanted and grid.name not in rebuilt:
            ws = workbook.create_sheet(unique_sheet_title(workbook, safe_sheet_title(grid.name)))
            _fill_from_grid(ws, grid)
            rebuilt[grid.name] = ws
    return rebuilt


def _fill_from_grid(ws: Worksheet, grid: SheetGrid) -> None:
    widths: dict[int, list[Any]] = {}
    for r, values in enumerate(grid.cells, start=1):
        for c, value in enumerate(values, start=1):
            if value is not None and value != "":
                put_value(ws.cell(r, c), value)
                widths.setdefault(c, []).append(value)
    for r0, c0, r1, c1 in grid.merged:
        if (r0, c0) != (r1, c1):
            ws.merge_cells(start_row=r0 + 1, start_column=c0 + 1, end_row=r1 + 1, end_column=c1 + 1)
    for c, values in widths.items():
        ws.column_dimensions[get_column_letter(c)].width = column_width(values, minimum=8, maximum=40)


# ── the 问题清单 sheet ───────────────────────────────────────────────────────────────────────────────


def _write_summary(ws: Worksheet, file_name: str, findings: list[Finding],
                   title_info: Mapping[str, str] | None, marked: bool) -> None:
    header_row = _write_heading(ws, file_name, findings, title_info, marked)
    for c, label in enumerate(HEADERS, start=1):
        cell = ws.cell(header_row, c, label)
        cell.font, cell.fill, cell.border = Font(bold=True), solid_fill(HEADER_COLOUR), _BORDER
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for n, finding in enumerate(findings, start=1):
        _write_finding(ws, header_row + n, n, finding)
    last_row = header_row + max(len(findings), 1)
    for c, (low, high) in enumerate(_WIDTHS, start=1):
        column = [HEADERS[c - 1], *(ws.cell(r, c).value for r in range(header_row + 1, last_row + 1))]
        ws.column_dimensions[get_column_letter(c)].width = column_width(column, minimum=low, maximum=high)
    ws.freeze_panes = ws.cell(header_row + 1, 1)
    ws.auto_filter.ref = f"A{header_row}:{get_column_letter(len(HEADERS))}{last_row}"
    ws.print_title_rows = f"{header_row}:{header_row}"
    _set_page(ws)


def _write_heading(ws: Worksheet, file_name: str, findings: list[Finding],
                   title_info: Mapping[str, str] | None, marked: bool) -> int:
    """Title, info lines, counts and what to do; returns the table's header row."""
    counts = Counter(f.severity for f in findings)
    lines = [f"{label}：{value}" for label, value in (title_info or {}).items()]
    lines.append(f"共 {len(findings)} 项问题：错误 {counts['error']} 项，警告 {counts['warning']} 项，"
                 f"提示 {counts['info']} 项。" if findings else "未发现问题。")
    if findings:
        lines.append("“错误”须修改后重新报送；“警告”请核实，确属实际情况的请在备注中说明。"
                     + ("原表附后，有问题的单元格已标色（红色为错误，黄色为警告）并加批注。" if marked else ""))
    title = ws.cell(1, 1)
    put_text(title, f"{file_name} 问题清单")
    title.font, title.alignment = Font(bold=True, size=16), Alignment(horizontal="center", vertical="center")
    ws.row_dimensions[1].height = 28
    for row, line in enumerate(lines, start=2):
        put_text(ws.cell(row, 1), line)
        ws.cell(row, 1).alignment = Alignment(vertical="center", wrap_text=True)
        if text_width(line) > 150:
            ws.row_dimensions[row].height = 30
    for row in range(1, len(lines) + 2):
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=len(HEADERS))
    return len(lines) + 3


def _write_finding(ws: Worksheet, row: int, number: int, finding: Finding) -> None:
    values: list[Any] = [number, SEVERITY_LABEL[finding.severity or "info"], finding.sheet or "",
                         finding.row, _column_label(finding), finding.raw or "", finding.title, finding.message]
    band = severity_fill(finding.severity or "info") if finding.severity in ("error", "warning") else None
    for c, value in enumerate(values, start=1):
        cell = ws.cell(row, c)
        if isinstance(value, int):
            cell.value = value
        elif value:
            put_text(cell, value)
        cell.border, cell.alignment = _BORDER, _TOP_WRAP
        if band is not None:
            cell.fill = band


def _column_label(finding: Finding) -> str:
    """``H 累计支出``: the column letter the clerk sees, then the header label."""
    letter = column_letter(finding.col) if finding.col else ""
    return " ".join(part for part in (letter, finding.column or "") if part)


def _set_page(ws: Worksheet) -> None:
    """A4 landscape, one page wide, the header row repeated, page numbers in the footer."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"
    ws.sheet_properties.tabColor = "C00000"
