"""The clerk's consolidated workbook (汇总台账): month sheets, towns in a 镇街 column or as section rows,
split into one part per town and month, each parsed like that town's own file (same rows, same findings)."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field, replace
from typing import NamedTuple

from etl import normalise
from etl.extract import parse_grids
from etl.header import Header, find_header
from etl.ledger_rows import TOTAL, LedgerRow, LedgerSheet, assign_sections, text_of, town_of, town_rows
from etl.meta import Meta, cell_text, meta_from_name, meta_from_rows, period_words, periods_differ
from etl.model import AMOUNT_FIELDS, ParsedFile, ParsedRow, SheetGrid
from monitor.findings import Finding
from monitor.names import canonical_town

#: ``town_source`` of every part (``ledger-column`` / ``-section`` / ``-file``): a backfilled month, not a
#: town's own file
LEDGER_SOURCE = "ledger"
_LEDGER_NAME = re.compile(r"汇总|台账|合并")
_INSTRUCTIONS = re.compile(r"说明|示例|样表|填表|注意事项|指标解释")
_YEAR = re.compile(r"(20\d{2})")
#: what a part's own parse says about the whole workbook; the split has settled its town and month
_SETTLED = {"town-conflict", "period-conflict", "several-towns", "several-periods"}


class TownCell(NamedTuple):
    """Where a sheet names a town (Excel row and column, the column's label, the text as written)."""

    row: int
    col: int
    column: str | None
    raw: str


@dataclass
class Ledger:
    """A consolidated workbook: its parts (one ParsedFile per town and month) and what fits in none."""

    file_name: str
    grids: list[SheetGrid]
    parts: list[ParsedFile] = field(default_factory=list)
    #: rows without a town and sheets that could not be read (errors); loaded as one rejected record
    leftover: ParsedFile | None = None
    #: for the person running the command (English): town-months left out by --town / --period
    notes: list[str] = field(default_factory=list)
    #: warnings about the workbook as a whole (a 全区合计 row that does not add up): no town's
    checks: list[Finding] = field(default_factory=list)
    #: (sheet, town) → the cell that names the town first (its 镇街 cell or section row), for findings
    town_cells: dict[tuple[str, str], TownCell] = field(default_factory=dict)


def project_sheets(grids: list[SheetGrid], scan_rows: int = 30) -> list[tuple[SheetGrid, Header]]:
    """Sheets holding a project table (a name and an amount column), instructions left out."""
    found = []
    for grid in grids:
        if grid.name == "_fundmon" or _INSTRUCTIONS.search(grid.name):
            continue
        header = find_header(grid, scan_rows)
        if header and "project_name" in header.fields and any(f in header.fields for f in AMOUNT_FIELDS):
            found.append((grid, header))
    return found


def may_be_ledger(parsed: ParsedFile) -> bool:
    """A cheap first look at a file already parsed as one town's month: it mixed towns or months, or some of
    its "categories" or "projects" are towns (``一、磷溪镇``, ``磷溪镇合计``). Only then is :func:`is_ledger` asked."""
    if any(f.code in ("several-towns", "several-periods") for f in parsed.findings):
        return True
    categories = {str(row.values.get("category") or "") for row in parsed.rows}
    names = {name for row in parsed.rows if (name := str(row.values.get("project_name") or "").strip())
             .endswith(("镇", "街道", "乡", "政府", "办事处")) or TOTAL.search(name)}  # a town's name or subtotal
    towns = {town for text in categories if ("镇" in text or "街道" in text) and (town := town_of(text_of(text)))}
    for text in (text_of(n) for n in names if "镇" in n or "街道" in n):
        if (town := town_of(text)) and (TOTAL.search(text) or canonical_town(text) == town):
            towns.add(town)
    return len(towns) > 1


def is_ledger(grids: list[SheetGrid], file_name: str, scan_rows: int = 30) -> bool:
    """Several towns in one table (a 镇街 column or town section rows), or month sheets in a workbook whose
    file name is not one town's month (``2023年汇总台账.xlsx``, not ``磷溪镇_2023年10月.xlsx``)."""
    sheets = project_sheets(grids, scan_rows)
    if any(len({t for r in town_rows(g, h) if (t := r.town)}) > 1 for g, h in sheets):
        return True
    named_months = [meta_from_name(g.name, "sheet") for g, _ in sheets]
    months = {m.period or m.month for m in named_months if m.month}
    named = meta_from_name(file_name, "file")
    return len(months) > 1 and (bool(_LEDGER_NAME.search(file_name)) or not (named.town or named.month))


def parse_ledger(grids: list[SheetGrid], file_name: str, *, town: str | None = None, period: str | None = None,
                 default_year: int | None = None, scan_rows: int = 30) -> Ledger:
    """Split a consolidated workbook into town-month parts; ``town``/``period`` (from --town/--period) fill in
    what the workbook does not say, or pick one town / month out of several."""
    ledger = Ledger(file_name, list(grids))
    leftover = ParsedFile(file_name=file_name)
    sheets = _sheets(project_sheets(grids, scan_rows), file_name, default_year, period, leftover, ledger)
    fallback = _default_town(file_name, town)
    for sheet in (s for s in sheets if s.period):
        for row in sheet.rows:
            if row.kind == "other" and row.town is None and fallback:
                row.town = fallback
        leftover.rows.extend(_orphans(sheet, file_name, scan_rows))
        for name in dict.fromkeys(r.town for r in sheet.rows if r.kind == "other" and r.town):
            ledger.parts.append(_part(sheet, name, file_name, scan_rows))
            if (cell := _town_cell(sheet, name)) is not None:
                ledger.town_cells[sheet.grid.name, name] = cell
        ledger.checks.extend(_district_totals(sheet, file_name, scan_rows))
    _select_towns(ledger, town)
    ledger.parts.sort(key=lambda p: p.period or "")
    warnings = [f for f in leftover.findings if not f.is_error]
    if ledger.parts and warnings and not leftover.rows:  # a sheet left out is worth a warning, not a rejection
        ledger.parts[0].findings.extend(warnings)
        leftover.findings = [f for f in leftover.findings if f.is_error]
    if leftover.rows or leftover.findings or not ledger.parts:
        ledger.leftover = leftover
        if not leftover.rows and not leftover.findings:
            leftover.findings.append(Finding("no-data-rows", "汇总台账中没有可按镇街、月份读取的项目行",
                                             file=file_name))
    return ledger


def _default_town(file_name: str, town: str | None) -> str | None:
    """Rows that no 镇街 cell or town section places: the town the file name names, else --town."""
    named = meta_from_name(file_name, "file")
    found = named.town if len(named.towns) == 1 else None
    return canonical_town(found) if found else (canonical_town(town) if town else None)


def _sheets(tables: list[tuple[SheetGrid, Header]], file_name: str, default_year: int | None,
            period: str | None, leftover: ParsedFile, ledger: Ledger) -> list[LedgerSheet]:
    """Each project sheet with its rows' towns and its month; sheets without one are findings."""
    sheets: list[LedgerSheet] = []
    metas: list[Meta] = []
    for grid, header in tables:
        rows = town_rows(grid, header)
        meta = _sheet_meta(grid, header, file_name, leftover)
        if meta is not None and any(r.kind == "other" for r in rows):  # else: a month not filled in yet
            layout = assign_sections(rows)
            sheets.append(LedgerSheet(grid, header, rows, layout if "town" in header.fields or layout == "section"
                                 else "file"))
            metas.append(meta)
    year = _year(file_name, metas, default_year)
    for sheet, meta in zip(sheets, metas, strict=True):
        if meta.period is None and meta.month and year:
            meta.period = f"{year:04d}-{meta.month:02d}"
        sheet.period, sheet.period_source = meta.period, meta.period_source or "sheet"
    if len(sheets) == 1 and sheets[0].period is None:
        named = meta_from_name(file_name, "file", default_year)
        sheets[0].period, sheets[0].period_source = named.period, "file"
    _apply_period(sheets, period, ledger)
    _drop_repeats(sheets, file_name, leftover)
    return sheets


def _sheet_meta(grid: SheetGrid, header: Header, file_name: str, leftover: ParsedFile) -> Meta | None:
    """The sheet's month from its title rows, else its name; the two disagreeing is an error (None)."""
    title = meta_from_rows(grid.cells[: header.rows[0]])
    named = meta_from_name(grid.name, "sheet")
    if periods_differ(title, named):
        leftover.findings.append(Finding(
            "period-conflict", f"工作表“{grid.name}”的标题写的是{period_words(title)}，工作表名写的是"
            f"{period_words(named)}：请改正后重新导入；本工作表未读取", file=file_name, sheet=grid.name))
        return None
    title.fill_from(named)
    return title


def _year(file_name: str, metas: list[Meta], default_year: int | None) -> int | None:
    """The year of month-only sheet names (``1月``): the file name's, else the sheets' own, else the default."""
    in_name = _YEAR.search(normalise.fold(file_name))
    if in_name:
        return int(in_name.group(1))
    years = Counter(int(m.period[:4]) for m in metas if m.period)
    return years.most_common(1)[0][0] if years else default_year


def _apply_period(sheets: list[LedgerSheet], period: str | None, ledger: Ledger) -> None:
    """--period: the month of a one-month workbook; with several months, the one month to load."""
    if period is None:
        return
    months = {s.period for s in sheets if s.period}
    for sheet in sheets:
        if len(months) <= 1:
            sheet.period, sheet.period_source = period, sheet.period_source or "option"
        elif sheet.period is not None and sheet.period != period:
            ledger.notes.append(f"sheet {sheet.grid.name} ({sheet.period}) left out: --period {period}")
            sheet.period, sheet.rows = None, []


def _drop_repeats(sheets: list[LedgerSheet], file_name: str, leftover: ParsedFile) -> None:
    """A sheet without a month, or a second sheet for a month, is not read (said in a finding)."""
    seen: dict[str, str] = {}
    for sheet in sheets:
        name = sheet.grid.name
        if sheet.period is None and sheet.rows and len(sheets) == 1:
            leftover.findings.append(Finding(
                "no-period", "无法确定汇总台账的月份：请在工作表名（如“1月”“2023年2月”）或表格标题中写明月份",
                file=file_name, sheet=name))
        elif sheet.period is None and sheet.rows:
            leftover.findings.append(Finding(
                "extra-sheet", f"工作表“{name}”没有注明月份，未读取：汇总台账按月分表，请在工作表名中写明月份"
                "（如“1月”“2023年2月”）；全年汇总表不必导入", file=file_name, sheet=name))
        elif sheet.period in seen:
            leftover.findings.append(Finding(
                "extra-sheet", f"工作表“{name}”与工作表“{seen[sheet.period]}”都是"
                f"{sheet.period[:4]}年{int(sheet.period[5:])}月的数据，本工作表未读取：请删除重复的工作表后重新导入",
                file=file_name, sheet=name, severity="error"))
            sheet.period = None
        elif sheet.period:
            seen[sheet.period] = name


def _part_grid(sheet: LedgerSheet, town: str | None) -> SheetGrid:
    """The sheet as one town sees it: other towns' rows, markers and district totals blanked (row numbers
    stay as Excel shows them); the town's own subtotal kept as a 小计/合计 row, so it is checked like one.
    Rows no town claims (category headings, footers) stay in every part; orphaned project rows in none."""
    cells = [list(row) for row in sheet.grid.cells]
    for row in sheet.rows:
        if row.kind == "other" and (row.town == town or (row.town is None and row.index not in sheet.orphans)):
            continue
        if row.kind == "marker" and town is not None and row.town == town and row.amounts:
            _say_total(sheet, cells, row)
            continue
        cells[row.index] = [None] * len(cells[row.index])
    return SheetGrid(sheet.grid.name, cells, list(sheet.grid.merged), sheet.grid.source)


def _say_total(sheet: LedgerSheet, cells: list[list[object]], row: LedgerRow) -> None:
    """Make a total row read as one to the town-file parser: its word (合计, 小计 …) in the name cell, which the
    parser reads whatever columns the sheet has (``磷溪镇合计`` may stand under 项目编号)."""
    col = sheet.header.fields.get("project_name", row.col)
    if col is not None:
        cells[row.index].extend([None] * (col + 1 - len(cells[row.index])))
        cells[row.index][col] = row.word


def _own_words(findings: list[Finding], rows: dict[int, LedgerRow], whole: str = "") -> list[Finding]:
    """A total-mismatch finding on one of ``rows`` (by Excel row) names the row as the sheet does
    (“磷溪镇合计”行, not “合计”行); ``whole`` replaces what the total is compared with."""
    out = []
    for f in findings:
        row = rows.get(f.row or 0)
        if f.code == "total-mismatch" and row is not None and row.text:
            message = f.message.replace(f"“{row.word}”行", f"“{row.text}”行", 1)
            f = replace(f, message=message.replace("对应的项目行", whole, 1) if whole else message)
        out.append(f)
    return out


def _district_totals(sheet: LedgerSheet, file_name: str, scan_rows: int) -> list[Finding]:
    """Totals no town claims (``全区合计``) checked against the sheet's project rows of every town (and those
    no town claims), the way a town's 小计 is checked; the towns' own subtotals are left out of the sums."""
    totals = {row.index + 1: row for row in sheet.rows if row.kind == "total" and row.amounts}
    if not totals:
        return []
    cells = [list(row) for row in sheet.grid.cells]
    for row in sheet.rows:
        if row.kind == "marker":
            cells[row.index] = [None] * len(cells[row.index])
        elif row.kind == "total":
            _say_total(sheet, cells, row)
    grid = SheetGrid(sheet.grid.name, cells, list(sheet.grid.merged), sheet.grid.source)
    parsed = parse_grids([grid], file_name, header_scan_rows=scan_rows)
    found = [f for f in parsed.findings if f.code == "total-mismatch" and (f.row or 0) in totals]
    return _own_words(found, totals, "本表各镇街的项目行")


def _town_cell(sheet: LedgerSheet, town: str) -> TownCell | None:
    """Where the sheet names the town first: its first 镇街 cell, else its section row (None: the file name)."""
    col = sheet.header.fields.get("town")
    for row in sheet.rows:
        if row.town != town:
            continue
        if row.kind == "other" and col is not None and not normalise.is_blank(sheet.grid.value(row.index, col)):
            label = next((c.label for c in sheet.header.columns if c.index == col), None)
            return TownCell(row.index + 1, col + 1, label, cell_text(sheet.grid.value(row.index, col)))
        if row.kind == "marker" and row.col is not None:
            return TownCell(row.index + 1, row.col + 1, None, cell_text(sheet.grid.value(row.index, row.col)))
    return None


def _orphans(sheet: LedgerSheet, file_name: str, scan_rows: int) -> list[ParsedRow]:
    """Project rows that no 镇街 cell, town section or file name places: rejected, each with a finding."""
    if not any(r.kind == "other" and r.town is None for r in sheet.rows):
        return []
    parsed = parse_grids([_part_grid(sheet, None)], file_name, header_scan_rows=scan_rows)
    col = sheet.header.fields.get("town")
    where = "镇街为空" if col is not None else "不在任何镇街的分组行之下"
    for row in parsed.rows:
        row.rejected = True
        sheet.orphans.add(row.excel_row - 1)
        row.findings.append(Finding(
            "no-town", f"项目“{row.values.get('project_name', '')}”{where}：汇总台账中每个项目都要写明所属镇街"
            "（填写镇街列，或放在“一、XX镇”分组行之下），该行未导入", file=file_name, sheet=sheet.grid.name,
            row=row.excel_row, col=None if col is None else col + 1, column=row.labels.get("town")))
    return parsed.rows


def _part(sheet: LedgerSheet, town: str, file_name: str, scan_rows: int) -> ParsedFile:
    """One town's month, parsed like the town's own file; town and month are the split's."""
    parsed = parse_grids([_part_grid(sheet, town)], file_name, header_scan_rows=scan_rows)
    subtotals = {r.index + 1: r for r in sheet.rows if r.kind == "marker" and r.town == town}
    parsed.findings = _own_words([f for f in parsed.findings if f.code not in _SETTLED], subtotals)
    parsed.town, parsed.town_source = town, f"{LEDGER_SOURCE}-{sheet.layout}"
    parsed.period, parsed.period_source = sheet.period, sheet.period_source
    parsed.town_conflict = parsed.period_conflict = False
    return parsed


def _select_towns(ledger: Ledger, town: str | None) -> None:
    """--town: the town of a one-town workbook; with several towns, the one town to load."""
    if town is None:
        return
    wanted = canonical_town(town)
    if len({p.town for p in ledger.parts}) <= 1:
        for part in ledger.parts:
            part.town = wanted
        return
    for part in [p for p in ledger.parts if p.town != wanted]:
        ledger.notes.append(f"{part.town} {part.period} left out: --town {wanted}")
        ledger.parts.remove(part)
    ledger.checks = []  # the district's totals are no concern of the one town loaded
