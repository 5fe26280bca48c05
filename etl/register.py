"""The bureau's project register (项目库 / 资金下达表): recognise it and read one allocation a row."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from functools import lru_cache
from typing import Any

from etl import normalise
from etl.cells import Table
from etl.header import Column, Header, HeaderMemo, assign_fields, header_at, shown_label, text_rows
from etl.meta import meta_from_rows
from etl.model import ParsedRow, SheetGrid
from etl.rows import check_totals, scan_table
from monitor.findings import Finding, Severity, column_letter
from monitor.names import canonical_town

#: register-only header words (and register spellings header.SYNONYMS lacks); matched after normalise_header
REGISTER_SYNONYMS: dict[str, tuple[str, ...]] = {
    "town": ("实施镇街", "镇街", "所在镇街", "镇(街)", "实施镇(街道)", "项目镇街"),
    "allocated": ("下达资金", "下达金额", "分配资金", "分配金额", "安排资金", "安排金额", "资金规模", "金额",
                  "下达资金额", "资金金额", "分配资金额"),
    "batch": ("批次", "资金批次", "下达批次", "分配批次"),
    "level": ("资金层级", "资金来源", "层级", "资金级次", "资金级别"),
    "doc_no": ("文号", "下达文号", "资金文号", "文件文号", "指标文号", "下达文件", "资金下达文号", "文件号"),
}
#: a register header has all of these …
REQUIRED_FIELDS = ("project_name", "town", "allocated")
#: … at least one of these (a fund year alone only with a register word in the title) …
ALLOCATION_FIELDS = ("fund_year", "batch", "level", "doc_no")
STRONG_FIELDS = ("batch", "level", "doc_no")
#: … and none of these, which only a town's progress report has
REPORT_ONLY_FIELDS = ("spent", "spent_ytd", "spent_prior", "requested", "disbursed", "progress", "spend_rate")
LEVELS = ("中央", "省", "市", "区", "帮扶市")

_SPENDING_WORDS = re.compile(r"支出|支付|请款|拨付")
_FLOW_WORDS = ("本月", "当月", "上月", "未", "待", "结余", "剩余", "余额", "差额", "偏差", "序时")
_BRACKETED = re.compile(r"\([^)]*\)")
_TITLE_RE = re.compile(r"项目库|资金下达|下达表|资金分配|分配表|资金安排|安排表|资金计划|下达计划")
_INSTRUCTION_RE = re.compile(r"说明|示例|样表|填表|注意事项|指标解释")
_YEAR_RE = re.compile(r"(?<!\d)(20\d{2})(?!\d)")
_CN_DIGITS = "一二三四五六七八九"
_CN_VALUE = {c: i + 1 for i, c in enumerate(_CN_DIGITS)}
_BATCH_RE = re.compile(r"第?(\d{1,2}|[一二三四五六七八九十]{1,3})批次?")
_DOC_YEAR_RE = re.compile(r"[(\[（【〔]\s*(20\d{2})\s*[)\]）】〕]")


@dataclass
class RegisterLine:
    """One allocation of the register: a project's money of one fund year, batch and level."""

    excel_row: int
    town: str
    project_name: str
    fund_year: int
    amount_fen: int
    project_code: str | None = None
    village: str | None = None
    category: str | None = None
    owner: str | None = None
    batch: str | None = None
    level: str | None = None
    doc_no: str | None = None
    planned_start: date | None = None
    planned_end: date | None = None
    #: header label as shown → raw cell text; field → 1-based column and label, for findings
    raw: dict[str, str] = field(default_factory=dict)
    columns: dict[str, int] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)


@dataclass
class RegisterFile:
    """What a register workbook says: its good lines, how many rows were rejected, and every finding."""

    file_name: str
    sheet: str | None = None
    unit: str = "万元"
    lines: list[RegisterLine] = field(default_factory=list)
    rows_rejected: int = 0
    findings: list[Finding] = field(default_factory=list)

    @property
    def has_errors(self) -> bool:
        return any(f.is_error for f in self.findings)


def _bare(text: str) -> str:
    return _BRACKETED.sub("", normalise.normalise_header(text))


@lru_cache(maxsize=1)
def _register_words() -> dict[str, str]:
    return {_bare(w): name for name, words in REGISTER_SYNONYMS.items() for w in words}


def match_register_field(label: Any) -> tuple[str, int] | None:
    """The register field a header label names, scored on header.match_field's scale (exact 100)."""
    text = shown_label(label)
    if not text or ":" in text or "：" in text:
        return None
    return _match_text_cached(text) if len(text) <= normalise.CACHED_TEXT else _match_text(text)


@lru_cache(maxsize=1)
def _register_chars() -> frozenset[str]:
    """Every character of the register words, and the brackets normalise_header turns into others."""
    return frozenset("".join(_register_words()) + "()[]")


def _match_text(text: str) -> tuple[str, int] | None:
    if text.isascii() and _register_chars().isdisjoint(text):
        return None  # a number, a date, a code: unchanged by normalise_header, and no register word in it
    bare, words = _bare(text), _register_words()
    if bare in words:
        return words[bare], 100
    if len(bare) > 20 or any(w in bare for w in _FLOW_WORDS):
        return None
    best: tuple[str, int] | None = None
    for word, name in words.items():
        if len(word) < 2 or word not in bare:
            continue
        score = 50 + len(word) if bare.endswith(word) else 30 + len(word) if len(word) >= 3 else 0
        if score and (best is None or score > best[1]):
            best = (name, score)
    return best


_match_text_cached = lru_cache(maxsize=16384)(_match_text)


def _rematch(column: Column) -> Column:
    """A header column with the register words tried too; spending labels are never register fields."""
    column.field, column.score = _register_field(column.label, column.group, column.field, column.score)
    return column


def _register_field(label: str, group: str | None, name: str | None, score: int) -> tuple[str | None, int]:
    if len(label) + len(group or "") <= 2 * normalise.CACHED_TEXT:
        return _register_field_cached(label, group, name, score)
    return _register_field_of(label, group, name, score)


def _register_field_of(label: str, group: str | None, name: str | None, score: int) -> tuple[str | None, int]:
    if _SPENDING_WORDS.search(f"{group or ''}{label}"):
        return name, score
    tries = [(label, 0)] + ([(f"{group}{label}", 50)] if group else [])
    for text, least in tries:
        found = match_register_field(text)
        if found and found[1] >= least and (name is None or found[1] > score):
            return found
    return name, score


_register_field_cached = lru_cache(maxsize=16384)(_register_field_of)


def find_register_header(grid: SheetGrid, scan_rows: int = 30, memo: HeaderMemo | None = None) -> Header | None:
    """The best-scoring header of a sheet with register words understood (town reports' words too)."""
    best_row, best_score = None, -1
    for row in text_rows(grid, scan_rows):
        # a header's score is the number of fields it found: the first row with the most wins
        columns = header_at(grid, row, memo).columns
        score = len({_register_field(c.label, c.group, c.field, c.score)[0] for c in columns} - {None})
        if score > best_score:
            best_row, best_score = row, score
    if best_row is None:
        return None
    base = header_at(grid, best_row, memo)
    return assign_fields(base.rows, [_rematch(replace(c)) for c in base.columns])


def is_register_header(header: Header, title: str = "") -> bool:
    """Name + town + amount, an allocation key, and no spending column.

    Batch, level or document number are keys only a register has; a fund year alone also needs a register
    word (项目库, 资金下达, 分配表 …) in ``title``, so a town report that lost its 已支出 column stays a report.
    """
    fields = header.fields
    if not all(f in fields for f in REQUIRED_FIELDS) or any(f in fields for f in REPORT_ONLY_FIELDS):
        return False
    if any(_SPENDING_WORDS.search(f"{c.group or ''}{c.label}") for c in header.columns):
        return False
    return any(f in fields for f in STRONG_FIELDS) or ("fund_year" in fields and bool(_TITLE_RE.search(title)))


def _titles(grid: SheetGrid, header: Header, file_name: str) -> tuple[str, str, str]:
    """The rows above the header, the sheet name and the file name, folded."""
    above = " ".join(str(v) for row in grid.cells[: header.rows[0]] for v in row if isinstance(v, str))
    return normalise.fold(above), normalise.fold(grid.name), normalise.fold(re.split(r"[\\/]", file_name)[-1])


def _register_tables(grids: Sequence[SheetGrid], file_name: str, scan_rows: int,
                     memo: HeaderMemo | None = None) -> list[tuple[SheetGrid, Header]]:
    found = []
    for grid in grids:
        header = find_register_header(grid, scan_rows, memo) if grid.name != "_fundmon" else None
        if header is not None and is_register_header(header, " ".join(_titles(grid, header, file_name))):
            found.append((grid, header))
    return found


def is_register(grids: Sequence[SheetGrid], file_name: str = "", *, scan_rows: int = 30,
                memo: HeaderMemo | None = None) -> bool:
    """True when a sheet of the workbook is a register (项目库/资金下达表), never for a town's monthly report."""
    return bool(_register_tables(grids, file_name, scan_rows, memo))


def normalise_level(value: Any) -> str | None:
    """中央 / 省级 / 市本级 / 区级 / 帮扶市 (珠三角帮扶市, 中山市帮扶资金) → one of LEVELS; raises ParseError."""
    text = normalise.clean_text(value)
    if text is None:
        return None
    text = text.replace("被帮扶市", "市")
    if "帮扶" in text:
        return "帮扶市"
    if "中央" in text:
        return "中央"
    found = {level for level, pattern in (("省", "省"), ("市", "市"), ("区", "[区县]")) if re.search(pattern, text)}
    if len(found) == 1:
        return found.pop()
    raise normalise.ParseError(f"“{text}”不是可识别的资金层级，应为{'、'.join(LEVELS)}之一")


def _batch_number(token: str) -> int | None:
    """1, 12, 一, 十, 十二, 二十三 → the number; anything else → None."""
    if token.isdigit():
        return int(token)
    if len(token) == 1 and token in _CN_VALUE:
        return _CN_VALUE[token]
    match = re.fullmatch(r"([一二三四五六七八九])?十([一二三四五六七八九])?", token)
    if match is None:
        return None
    tens, ones = match.groups()
    return (_CN_VALUE[tens] if tens else 1) * 10 + (_CN_VALUE[ones] if ones else 0)


def _cn_number(n: int) -> str:
    if n < 10:
        return _CN_DIGITS[n - 1]
    tens, ones = divmod(n, 10)
    return f"{'' if tens == 1 else _CN_DIGITS[tens - 1]}十{_CN_DIGITS[ones - 1] if ones else ''}"


def normalise_batch(value: Any) -> str | None:
    """1 / 第1批 / 一批 / 2023年第一批 → 第一批; other text (提前下达) is kept as written."""
    text = normalise.display_text(value)
    if text is None:
        return None
    bare = re.sub(r"^20\d{2}年度?", "", normalise.fold(text).replace(" ", ""))
    match = _BATCH_RE.fullmatch(bare) or re.fullmatch(r"(\d{1,2})", bare)
    number = _batch_number(match.group(1)) if match else None
    return f"第{_cn_number(number)}批" if number and number < 100 else text


def normalise_doc_no(value: Any) -> str | None:
    """潮财农[2023]12号 / 潮财农（2023）12号 → 潮财农〔2023〕12号 (the 六角括号 of GB/T 9704)."""
    text = normalise.display_text(value)
    if text is None:
        return None
    return _DOC_YEAR_RE.sub(r"〔\1〕", text.replace(" ", ""))


def parse_register(grids: Sequence[SheetGrid], file_name: str, *, scan_rows: int = 30) -> RegisterFile:
    """The register's allocation lines with findings; bad rows are left out, the other rows kept."""
    tables = _register_tables(grids, file_name, scan_rows)
    if not tables:
        register = RegisterFile(file_name)
        register.findings.append(Finding("no-header", "找不到项目库表头：前30行中需要有“项目名称”“镇街”“下达资金”，"
                                         "以及“资金年度”“资金批次”“资金层级”“下达文号”之一", file=file_name))
        return register
    grid, header = max(tables, key=lambda t: (t[1].score, not _INSTRUCTION_RE.search(t[0].name)))
    table = _table(grid, header, file_name, meta_from_rows(grid.cells[: header.rows[0]]).unit)
    register = RegisterFile(file_name, grid.name, table.units[header.fields["allocated"]])
    scan = scan_table(table)
    register.findings.extend(check_totals(table, scan.events))
    default_year = _title_year(grid, header, file_name)
    seen: dict[tuple[Any, ...], RegisterLine] = {}
    for row in scan.projects:
        _check_row(table, row, default_year)
        line = None if row.rejected else _line(row)
        if line is not None:
            _check_repeat(table, row, line, seen)
        register.findings.extend(row.findings)
        if line is None or any(f.is_error for f in row.findings):
            register.rows_rejected += 1
        else:
            register.lines.append(line)
    return register


def _table(grid: SheetGrid, header: Header, file_name: str, unit: str | None) -> Table:
    """Columns keyed by their label as shown (a repeated label gets its column letter)."""
    keys: dict[int, str] = {}
    for col in header.columns:
        key = col.label or f"{column_letter(col.index + 1)}列"
        keys[col.index] = key if key not in keys.values() else f"{key}（{column_letter(col.index + 1)}列）"
    units = {c.index: c.unit or unit or "万元" for c in header.columns}
    return Table(file_name, grid, header, units, keys, width=len(header.columns))


def _title_year(grid: SheetGrid, header: Header, file_name: str) -> int | None:
    """The one year the title rows, else the sheet name, else the file name state (湘桥区2023年…项目库)."""
    for text in _titles(grid, header, file_name):
        years = set(_YEAR_RE.findall(text))
        if len(years) == 1:
            return int(years.pop())
    return None


def _finding(table: Table, row: ParsedRow, code: str, name: str | None, message: str,
             severity: Severity | None = None) -> Finding:
    col = table.header.fields.get(name) if name else None
    label = table.keys[col] if col is not None else None
    return Finding(code, message, file=table.file_name, sheet=table.grid.name, row=row.excel_row,
                   col=None if col is None else col + 1, column=label,
                   raw=row.raw.get(label) if label else None, severity=severity)


def _check_row(table: Table, row: ParsedRow, default_year: int | None) -> None:
    """What a register row must have: name, town, amount, fund year; batch/level/doc no. normalised."""
    values, codes = row.values, {f.code for f in row.findings}
    if "project_name" not in values and "missing-name" not in codes:
        row.findings.append(_finding(table, row, "missing-name", "project_name",
                                     "项目名称为空：请填写项目名称，否则该行无法入库"))
    if not values.get("town"):
        row.findings.append(_finding(table, row, "no-town", "town",
                                     "镇街为空：请填写项目所在镇街（如 磷溪镇），否则该行无法入库"))
    if "allocated" not in values and not codes & {"bad-amount", "negative-amount"}:
        row.findings.append(_finding(table, row, "missing-allocated", "allocated",
                                     "下达资金为空：请填写本次下达的金额，否则该行无法入库"))
    row.findings[:] = [replace(f, severity="error", message=f.message.replace("（本项已忽略）", "，该行未导入"))
                       if f.code == "bad-year" else f for f in row.findings]
    if "fund_year" not in values and "bad-year" not in codes:
        if default_year is None:
            row.findings.append(_finding(table, row, "missing-fund-year", "fund_year",
                                         "资金年度为空：请填写四位年份（如 2023），或在标题中写明年度，"
                                         "否则该行无法入库"))
        values["fund_year"] = default_year
    _normalise_allocation(table, row)
    row.rejected = any(f.is_error for f in row.findings)


def _normalise_allocation(table: Table, row: ParsedRow) -> None:
    values = row.values
    for name, parse in (("batch", normalise_batch), ("doc_no", normalise_doc_no)):
        if values.get(name) is not None:
            values[name] = parse(values[name])
    if values.get("level") is None:
        return
    try:
        values["level"] = normalise_level(values["level"])
    except normalise.ParseError as exc:
        row.findings.append(_finding(table, row, "bad-level", "level", f"资金层级：{exc}（已按原文保存）"))


def _line(row: ParsedRow) -> RegisterLine:
    v = row.values
    return RegisterLine(
        excel_row=row.excel_row, town=canonical_town(str(v["town"])), project_name=str(v["project_name"]),
        fund_year=int(v["fund_year"]), amount_fen=int(v["allocated"]), project_code=v.get("project_code"),
        village=v.get("village"), category=v.get("category"), owner=v.get("owner"), batch=v.get("batch"),
        level=v.get("level"), doc_no=v.get("doc_no"), planned_start=v.get("planned_start"),
        planned_end=v.get("planned_end"), raw=dict(row.raw), columns=dict(row.columns), labels=dict(row.labels))


def _check_repeat(table: Table, row: ParsedRow, line: RegisterLine,
                  seen: dict[tuple[Any, ...], RegisterLine]) -> None:
    """The same allocation twice, or one project code under two towns, is an error on the later row."""
    project = ("code", line.project_code) if line.project_code else \
        ("name", line.town, normalise.normalise_name(line.project_name))
    first = seen.setdefault(project, line)
    if first is not line and first.town != line.town:
        row.findings.append(_finding(table, row, "code-conflict", "town",
                                     f"项目编号“{line.project_code}”在第{first.excel_row}行属于{first.town}，"
                                     f"此处为{line.town}：同一项目编号只能属于一个镇街，请核对"))
        return
    allocation = (*project, line.fund_year, line.batch, line.level, line.doc_no)
    earlier = seen.setdefault(allocation, line)
    if earlier is not line:
        row.findings.append(_finding(table, row, "duplicate-allocation", "project_name",
                                     f"与第{earlier.excel_row}行的项目、资金年度、批次、层级和文号都相同，"
                                     "疑似重复填写：请删除重复行，或写明不同的批次或文号"))
