"""From sheet grids to a ParsedFile: pick the project table, read its meta, rows, totals and findings."""

from __future__ import annotations

import re

from etl import normalise, read
from etl.cells import Table
from etl.header import SYNONYMS, Header, HeaderMemo, find_header
from etl.meta import (
    SOURCE_WORDS,
    Meta,
    has_template_mark,
    meta_from_name,
    meta_from_rows,
    period_words,
    periods_differ,
    sent_on_in,
    town_key,
    towns_differ,
)
from etl.model import AMOUNT_FIELDS, ParsedFile, ParsedRow, SheetGrid
from etl.rows import check_totals, scan_table
from monitor.findings import Finding, Severity, column_letter

#: columns without which no row can be read (spent may come as 本年累计支出)
REQUIRED_COLUMNS = ("project_name", "spent")
#: sheet names of instructions and samples: on a tie they never win over a data sheet
_INSTRUCTION_RE = re.compile(r"说明|示例|样表|填表|注意事项|指标解释")


def parse_file(data: bytes, file_name: str, *, limits: read.ReadLimits | None = None,
               default_year: int | None = None) -> ParsedFile:
    """Read a submitted file and parse it; a file that cannot be read is a ParsedFile of kind unreadable."""
    try:
        grids = read.read_grids(data, file_name, limits)
    except read.UnreadableFileError as exc:
        parsed = ParsedFile(file_name=file_name, kind="unreadable")
        parsed.findings.append(Finding(exc.code, exc.reason, file=file_name))
        return parsed
    return parse_grids(grids, file_name, default_year=default_year)


def parse_grids(grids: list[SheetGrid], file_name: str, *, default_year: int | None = None,
                header_scan_rows: int = 30, memo: HeaderMemo | None = None) -> ParsedFile:
    """The project table(s) of a workbook's grids as normalised rows with findings (DESIGN §4)."""
    parsed = ParsedFile(file_name=file_name, grids=list(grids))
    parsed.is_template = any(has_template_mark(g.name, g.cells[:5]) for g in grids)
    tables = [(g, h) for g in grids if g.name != "_fundmon" and (h := find_header(g, header_scan_rows, memo))]
    if not tables:
        grid = grids[0] if grids else None
        _apply_meta(parsed, _file_meta(parsed, grid, header_scan_rows, file_name, default_year))
        parsed.findings.append(Finding("no-header", "找不到表头：表格前30行中没有“项目名称”“下达资金”“已支出”"
                                       "等列名，请使用区里下发的模板填报", file=file_name))
        return parsed
    grid, header = max(tables, key=lambda t: (t[1].score, not _INSTRUCTION_RE.search(t[0].name)))
    meta = _file_meta(parsed, grid, header.rows[0], file_name, default_year)
    _apply_meta(parsed, meta)
    table = _table(grid, header, file_name, meta.unit)
    parsed.sheet = grid.name
    parsed.unit = "元" if (meta.unit or _table_unit(table)) == "元" else "万元"
    parsed.header_rows = tuple(r + 1 for r in header.rows)
    parsed.header_map = {table.keys[c.index]: c.field for c in header.columns if c.field and c.field != "seq"}
    parsed.findings.extend(_duplicate_columns(table))
    parsed.findings.extend(_unit_conflicts(table, meta.unit))
    if not _check_columns(parsed, table):
        return parsed
    own = _sheet_meta(grid, header.rows[0], file_name, default_year)
    extras = _extra_tables(parsed, tables, grid, own, meta, default_year)
    _read_rows(parsed, [table, *extras])
    _check_template_filled(parsed)
    return parsed


#: the input cells of fundmon's own template: all blank means the town sent the template back unfilled
_INPUT_FIELDS = ("spent", "spent_ytd", "requested", "disbursed", "progress")


def _check_template_filled(parsed: ParsedFile) -> None:
    """An untouched template would load as zero spending everywhere: refuse it instead."""
    if not parsed.is_template or not parsed.rows:
        return
    if any(row.raw.get(row.labels.get(name, "")) not in (None, "") for row in parsed.rows for name in _INPUT_FIELDS):
        return
    parsed.findings.append(Finding("template-unfilled", "报表模板尚未填写：累计支出、已请款、已拨付、形象进度均为空，"
                                   "请填写本月数据后再报送", file=parsed.file_name, sheet=parsed.sheet))


def _read_rows(parsed: ParsedFile, tables: list[Table]) -> None:
    main = tables[0]
    for table in tables:
        scan = scan_table(table)
        parsed.rows.extend(scan.projects)
        parsed.findings.extend(check_totals(table, scan.events))
        if table is main:
            parsed.sent_on = parsed.sent_on or sent_on_in(table.grid.cells[scan.end_row:])
    if not parsed.rows:
        parsed.findings.append(Finding("no-data-rows", "表头下面没有项目行：请在表头下逐行填写项目",
                                       file=parsed.file_name, sheet=main.grid.name))
        return
    _mark_duplicates(parsed)
    _towns_from_column(parsed, tables)


def _sheet_meta(grid: SheetGrid, top: int, file_name: str, default_year: int | None) -> Meta:
    """What one sheet says: its title and info rows first, then its name."""
    meta = meta_from_rows(grid.cells[:top], default_year)
    if grid.name != _stem(file_name):  # a CSV's sheet is named after its file
        meta.fill_from(meta_from_name(grid.name, "sheet", default_year))
    return meta


def _file_meta(parsed: ParsedFile, grid: SheetGrid | None, top: int, file_name: str,
               default_year: int | None) -> Meta:
    """Info rows and title first, then the sheet name, then the file name; sources that disagree are errors."""
    sources = [("cell", meta_from_rows(grid.cells[:top], default_year) if grid else Meta())]
    if grid is not None and grid.name != _stem(file_name):
        sources.append(("sheet", meta_from_name(grid.name, "sheet", default_year)))
    sources.append(("file", meta_from_name(file_name, "file", default_year)))
    meta = Meta()
    for _, found in sources:
        meta.fill_from(found)
    meta.month = meta.month if meta.period is None else int(meta.period[5:])
    sheet = grid.name if grid is not None else None
    parsed.findings.extend(_source_conflicts(parsed, sources, sheet))
    towns = sources[0][1].towns
    if len({town_key(t) for t in towns}) > 1:
        parsed.findings.append(Finding(
            "several-towns", f"表格标题或填报信息中有{len(towns)}个镇街：{'、'.join(towns)}；"
            "一个文件只能报送一个镇街，请按镇街分开报送", file=file_name, sheet=sheet))
    return meta


def _source_conflicts(parsed: ParsedFile, sources: list[tuple[str, Meta]], sheet: str | None) -> list[Finding]:
    """A town or period given in two places (title, sheet name, file name) that do not agree."""
    found = []
    towns = [(where, m.town) for where, m in sources if m.town]
    if any(towns_differ(towns[0][1], town) for _, town in towns[1:]):
        parsed.town_conflict = True
        said = "，".join(f"{SOURCE_WORDS[where]}写的是“{town}”" for where, town in towns)
        found.append(Finding("town-conflict", f"镇街前后不一致：{said}；请改正文件后重新报送",
                             file=parsed.file_name, sheet=sheet))
    periods = [(where, m) for where, m in sources if m.period or m.month]
    if any(periods_differ(a, b) for i, (_, a) in enumerate(periods) for _, b in periods[i + 1:]):
        parsed.period_conflict = True
        said = "，".join(f"{SOURCE_WORDS[where]}写的是“{period_words(m)}”" for where, m in periods)
        found.append(Finding("period-conflict", f"报表月份前后不一致：{said}；请改正文件后重新报送",
                             file=parsed.file_name, sheet=sheet))
    return found


def _stem(file_name: str) -> str:
    base = file_name.replace("\\", "/").rsplit("/", 1)[-1]
    return base.rsplit(".", 1)[0] if "." in base else base


def _apply_meta(parsed: ParsedFile, meta: Meta) -> None:
    parsed.town, parsed.town_source = meta.town, meta.town_source
    parsed.period, parsed.period_source = meta.period, meta.period_source
    parsed.sent_on = meta.sent_on
    parsed.unit = "元" if meta.unit == "元" else "万元"


def _table(grid: SheetGrid, header: Header, file_name: str, unit: str | None) -> Table:
    keys: dict[int, str] = {}
    seen: set[str] = set()
    for col in header.columns:
        key = col.label or f"{column_letter(col.index + 1)}列"
        if key in seen:
            key = f"{col.group}·{key}" if col.group and f"{col.group}·{key}" not in seen \
                else f"{key}（{column_letter(col.index + 1)}列）"
        seen.add(key)
        keys[col.index] = key
    units = {c.index: c.unit or unit or "万元" for c in header.columns}
    csv_width = None
    if grid.source == "csv":
        labelled = [c for r in header.rows for c, v in enumerate(grid.cells[r]) if not normalise.is_blank(v)]
        csv_width = max(labelled, default=-1) + 1
    return Table(file_name, grid, header, units, keys, width=len(header.columns), csv_width=csv_width)


def _table_unit(table: Table) -> str:
    amount_cols = [c for f, c in table.header.fields.items() if f in AMOUNT_FIELDS]
    if amount_cols and all(table.units[c] == "元" for c in amount_cols):
        return "元"
    return "万元"


def _extra_tables(parsed: ParsedFile, tables: list[tuple[SheetGrid, Header]], chosen: SheetGrid, own: Meta,
                  meta: Meta, default_year: int | None) -> list[Table]:
    """Other sheets with a project table for the same town and month are read too; the rest are errors."""
    found: list[Table] = []
    name = parsed.file_name
    for grid, header in tables:
        if grid is chosen or "project_name" not in header.fields or _INSTRUCTION_RE.search(grid.name):
            continue
        if not any(f in header.fields for f in AMOUNT_FIELDS):
            continue
        below = grid.cells[header.last_row + 1:]
        if not any(not normalise.is_blank(v) for row in below for v in row):
            continue
        other = _sheet_meta(grid, header.rows[0], name, default_year)
        town = own.town or meta.town
        if towns_differ(town, other.town):
            parsed.findings.append(Finding(
                "several-towns", f"工作表“{chosen.name}”是{town}，工作表“{grid.name}”是{other.town}："
                "一个文件只能报送一个镇街，请按镇街分开报送；工作表“{grid.name}”未读取", file=name, sheet=grid.name))
            continue
        reference = own if (own.period or own.month) else meta
        if periods_differ(reference, other):
            parsed.findings.append(Finding(
                "several-periods", f"工作表“{chosen.name}”是{period_words(reference)}的数据，工作表“{grid.name}”是"
                f"{period_words(other)}的：一个文件只能报送一个月份，请删除其他月份的工作表后重新报送；"
                f"工作表“{grid.name}”未读取", file=name, sheet=grid.name))
            continue
        table = _table(grid, header, name, other.unit or meta.unit)
        if "spent" not in header.fields and "spent_ytd" not in header.fields:
            parsed.findings.append(Finding(
                "extra-sheet", f"工作表“{grid.name}”也像是项目表，但缺少“已支出”等必填列，未读取：如有项目请按"
                f"“{chosen.name}”的格式填写或合并到一张表后重新报送", file=name, sheet=grid.name, severity="error"))
            continue
        parsed.findings.extend(_duplicate_columns(table))
        parsed.findings.extend(_unit_conflicts(table, other.unit or meta.unit))
        found.append(table)
    return found


def _unit_conflicts(table: Table, note: str | None) -> list[Finding]:
    """A 单位：元 note above a header whose amount columns say （万元）, or the other way round."""
    if note is None:
        return []
    found = []
    for col in table.header.columns:
        if col.field in AMOUNT_FIELDS and col.unit and col.unit != note:
            found.append(Finding(
                "unit-conflict", f"表格上方注明“单位：{note}”，但“{table.keys[col.index]}”列写的是{col.unit}："
                f"本列已按{col.unit}读取，请核对并统一单位", file=table.file_name, sheet=table.grid.name,
                row=table.header.last_row + 1, col=col.index + 1, column=table.keys[col.index]))
    return found


def _duplicate_columns(table: Table) -> list[Finding]:
    found = []
    for name, loser in table.header.duplicates:
        winner = table.label(name)
        found.append(Finding(
            "duplicate-column", f"“{table.keys[loser.index]}”与“{winner}”都是{SYNONYMS[name][0]}列，"
            f"已读取“{winner}”，本列未读取；请删除或改名重复的列",
            file=table.file_name, sheet=table.grid.name, row=table.header.last_row + 1,
            col=loser.index + 1, column=table.keys[loser.index]))
    return found


def _check_columns(parsed: ParsedFile, table: Table) -> bool:
    fields = table.header.fields
    missing = [f for f in REQUIRED_COLUMNS if f not in fields and not (f == "spent" and "spent_ytd" in fields)]
    for name in missing:
        parsed.findings.append(_missing_column(table, name, None))
    if "allocated" not in fields:
        parsed.findings.append(_missing_column(table, "allocated", "warning"))
    return not missing


def _missing_column(table: Table, name: str, severity: Severity | None) -> Finding:
    words = "、".join(SYNONYMS[name][:3])
    tail = "，已知项目将沿用项目库中的下达资金" if severity else "，本表的项目行未能读取"
    return Finding("missing-column", f"表头中没有“{SYNONYMS[name][0]}”列（可写作：{words}）{tail}",
                   file=table.file_name, sheet=table.grid.name, row=table.header.last_row + 1,
                   severity=severity)


def _project_key(row: ParsedRow) -> tuple[str, ...] | None:
    """One row per project and fund year: a project may be split into rows by 资金年度, never repeated."""
    code = row.values.get("project_code")
    if code:
        return ("code", normalise.fold(code), str(row.values.get("fund_year", "")))
    name = row.values.get("project_name")
    if not name:
        return None
    return ("name", normalise.normalise_name(name), str(row.values.get("fund_year", "")))


def _mark_duplicates(parsed: ParsedFile) -> None:
    first: dict[tuple[str, ...], ParsedRow] = {}
    for row in parsed.rows:
        key = _project_key(row)
        if key is None:
            continue
        if key not in first:
            first[key] = row
            continue
        name = "project_code" if key[0] == "code" else "project_name"
        what = "项目编号（及资金年度）" if key[0] == "code" else "项目名称（及资金年度）"
        earlier = first[key]
        where = f"第{earlier.excel_row}行" if earlier.sheet == row.sheet else \
            f"工作表“{earlier.sheet}”第{earlier.excel_row}行"
        row.findings.append(Finding(
            "duplicate-project", f"与{where}{what}相同，同一项目只能填一行：请删除重复行或合并",
            file=parsed.file_name, sheet=row.sheet, row=row.excel_row, col=row.columns.get(name),
            column=row.labels.get(name), raw=str(row.values.get(name))))
        row.rejected = True


def _towns_from_column(parsed: ParsedFile, tables: list[Table]) -> None:
    """A 镇街 column wins for its rows; two different towns in one file is an error."""
    towns = sorted({r.values["town"] for r in parsed.rows if r.values.get("town")})
    if len(towns) == 1:
        parsed.town, parsed.town_source = towns[0], "column"
    elif len(towns) > 1:
        table = next(t for t in tables if "town" in t.header.fields)
        parsed.findings.append(Finding(
            "several-towns", f"一个文件只能报送一个镇街，本文件含有{len(towns)}个：{'、'.join(towns)}；请按镇街分开报送",
            file=parsed.file_name, sheet=table.grid.name, column=table.label("town")))
