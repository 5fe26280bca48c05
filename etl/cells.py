"""One project row's cells → normalised values and cell findings (what to fix, in Chinese)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from etl import normalise
from etl.header import Header
from etl.meta import cell_text, find_town
from etl.model import AMOUNT_FIELDS, CellError, ParsedRow, SheetGrid
from monitor.findings import Finding, Severity
from monitor.schema import Project

#: amounts that feed 已支出; blank or a dash there means 0
SPENDING_FIELDS = ("spent", "spent_ytd", "spent_prior")
#: amounts whose unusable value rejects the row (others only warn)
REQUIRED_AMOUNTS = ("allocated", *SPENDING_FIELDS)
#: fields whose formula error rejects the row (the others only warn and are left out)
REQUIRED_FIELDS = ("project_name", *REQUIRED_AMOUNTS)
RATE_TOLERANCE = Decimal("0.001")
_UNIT_NOTE = re.compile(r"[（(]\s*(?:单位\s*[:：]\s*)?(?:万元|元|%)\s*[)）]")


@dataclass
class Table:
    """A project table on one sheet: its header, column units and the labels used as ``raw`` keys."""

    file_name: str
    grid: SheetGrid
    header: Header
    units: dict[int, str]  # 0-based column → "万元"/"元"
    keys: dict[int, str]  # 0-based column → unique label as shown
    width: int = 0
    #: CSV only: the number of header columns; a data row with values past them has shifted fields
    csv_width: int | None = None

    def label(self, name: str) -> str:
        idx = self.header.fields[name]
        return self.keys[idx]


@dataclass
class Carry:
    """What a section row hands down to the rows under it."""

    category: str | None = None
    fund_year: int | None = None


@dataclass
class RowContext:
    table: Table
    row: int  # 0-based grid row
    parsed: ParsedRow
    findings: list[Finding] = field(default_factory=list)

    def finding(self, code: str, field_name: str | None, message: str, raw: Any = None,
                severity: Severity | None = None) -> None:
        col = self.table.header.fields.get(field_name) if field_name else None
        label = self.table.keys[col] if col is not None else None
        self.parsed.findings.append(Finding(
            code, message, file=self.table.file_name, sheet=self.table.grid.name, row=self.row + 1,
            col=None if col is None else col + 1, column=label,
            raw=None if raw is None else cell_text(raw), severity=severity))


def bare_label(label: str) -> str:
    """``累计支出（万元）`` → ``累计支出``, for messages."""
    return _UNIT_NOTE.sub("", label).strip() or label


def amount_fen(value: Any, unit: str) -> tuple[int, bool] | None:
    """A money cell in ``unit`` → (分, rounded?); blank → None; raises ParseError."""
    parsed = normalise.parse_amount(value)
    if parsed is None:
        return None
    amount, hint = parsed
    return normalise.to_fen(amount, hint or unit)


def quiet_amount(value: Any, unit: str) -> int | None:
    """An amount for cross-checks (合计 rows): unusable text is just None."""
    try:
        found = amount_fen(value, unit)
    except normalise.ParseError:
        return None
    return None if found is None else found[0]


def _amount(ctx: RowContext, name: str, value: Any) -> int | None:
    col = ctx.table.header.fields[name]
    unit = ctx.table.units.get(col, "万元")
    label = bare_label(ctx.table.keys[col])
    required = name in REQUIRED_AMOUNTS
    try:
        found = amount_fen(value, unit)
    except normalise.ParseError as exc:
        message = str(exc).replace("（万元）", f"（{unit}）")
        ctx.finding("bad-amount", name, f"{label}：{message}", value, None if required else "warning")
        return None
    if found is None:
        return 0 if name in SPENDING_FIELDS else None
    fen, rounded = found
    if fen < 0:
        ctx.finding("negative-amount", name, f"{label}：“{cell_text(value)}”是负数，金额不能为负，请核对后填写",
                    value, None if required else "warning")
        return None
    if rounded:
        ctx.finding("rounded-to-fen", name, f"{label}：“{cell_text(value)}”精确到分以下，已四舍五入到分", value)
    return fen


def _optional(ctx: RowContext, name: str, value: Any, parse: Callable[[Any], Any], code: str) -> Any:
    try:
        return parse(value)
    except normalise.ParseError as exc:
        label = bare_label(ctx.table.label(name))
        ctx.finding(code, name, f"{label}：{exc}（本项已忽略）", value)
        return None


#: the most characters the database keeps of a text field (monitor/schema.py); longer is refused
TEXT_LIMITS = {"project_name": Project.__table__.c.name.type.length,
               "project_code": Project.__table__.c.code.type.length,
               "village": Project.__table__.c.village.type.length,
               "category": Project.__table__.c.category.type.length,
               "owner": Project.__table__.c.owner.type.length}

#: text fields compared or used as keys are folded; the rest keep the town's own punctuation
_FOLDED_TEXT = {"town", "project_code", "status"}


def _text(name: str, value: Any) -> str | None:
    if name not in _FOLDED_TEXT:
        return normalise.display_text(value)
    text = normalise.clean_text(value)
    if text is not None and name == "town":
        return find_town(text) or text
    return text


_OPTIONAL_PARSERS: dict[str, tuple[Callable[[Any], Any], str]] = {
    "progress": (normalise.parse_percent, "bad-percent"),
    "spend_rate": (normalise.parse_percent, "bad-percent"),
    "fund_year": (normalise.parse_year, "bad-year"),
    "planned_start": (normalise.parse_date, "bad-date"),
    "planned_end": (normalise.parse_date, "bad-date"),
    "status": (normalise.normalise_status, "bad-status"),
}


def _formula_error(ctx: RowContext, name: str, value: CellError) -> None:
    label = bare_label(ctx.table.label(name))
    required = name in REQUIRED_FIELDS
    ctx.finding("formula-error", name, f"{label}：{normalise.formula_problem(value)}{'' if required else '（本项已忽略）'}",
                value, None if required else "warning")


def _value(ctx: RowContext, name: str, value: Any) -> Any:
    if isinstance(value, CellError):
        _formula_error(ctx, name, value)
        return None
    if name in AMOUNT_FIELDS:
        return _amount(ctx, name, value)
    if name in _OPTIONAL_PARSERS:
        parse, code = _OPTIONAL_PARSERS[name]
        return _optional(ctx, name, value, parse, code)
    text = _text(name, value)
    limit = TEXT_LIMITS.get(name)
    if text is not None and limit is not None and len(text) > limit:
        required = name in ("project_name", "project_code")
        label = bare_label(ctx.table.label(name))
        ctx.finding("text-too-long", name, f"{label}有{len(text)}个字，超过{limit}字的上限，请精简后填写"
                    + ("" if required else "（本项已忽略）"), value, None if required else "warning")
        return None
    return text


def parse_project(table: Table, row: int, carry: Carry) -> ParsedRow:
    """One project row: values, raw cells, columns, labels and cell findings; rejected on any error."""
    grid, header = table.grid, table.header
    parsed = ParsedRow(sheet=grid.name, excel_row=row + 1)
    ctx = RowContext(table, row, parsed)
    for col in range(max(table.width, len(grid.cells[row]))):
        text = cell_text(grid.value(row, col))
        if text:
            parsed.raw[table.keys.get(col) or f"第{col + 1}列"] = text
    for name, col in header.fields.items():
        if name == "seq":
            continue
        parsed.columns[name] = col + 1
        parsed.labels[name] = table.keys[col]
        found = _value(ctx, name, grid.value(row, col))
        if found is not None:
            parsed.values[name] = found
    _apply_carry(parsed, carry)
    _combine_spending(parsed, header)
    _check_extra_fields(ctx)
    _check_row(ctx)
    parsed.rejected = any(f.is_error for f in parsed.findings)
    return parsed


def _check_extra_fields(ctx: RowContext) -> None:
    """A CSV row longer than its header: an unquoted 1,200.50 split one amount in two and shifted the rest."""
    width, cells = ctx.table.csv_width, ctx.table.grid.cells[ctx.row]
    if width is None:
        return
    extra = [c for c in range(width, len(cells)) if not normalise.is_blank(cells[c])]
    if not extra:
        return
    n = len(cells[width: extra[-1] + 1])
    ctx.parsed.findings.append(Finding(
        "extra-fields", f"本行比表头多出{n}列，金额中的逗号可能未加引号（如 1,200.50 应写作 1200.50），请核对",
        file=ctx.table.file_name, sheet=ctx.table.grid.name, row=ctx.row + 1, col=extra[0] + 1,
        raw=cell_text(cells[extra[0]])))


def _apply_carry(parsed: ParsedRow, carry: Carry) -> None:
    if carry.category and "category" not in parsed.values:
        parsed.values["category"] = carry.category
    if carry.fund_year and "fund_year" not in parsed.values:
        parsed.values["fund_year"] = carry.fund_year


def _combine_spending(parsed: ParsedRow, header: Header) -> None:
    """A 本年累计 column is not project-to-date: add 以前年度 only when the file gives it; never mix."""
    values = parsed.values
    if "spent" in header.fields or "spent_ytd" not in values:
        return
    if "spent_prior" in values:
        values["spent"] = values["spent_ytd"] + values["spent_prior"]


def _check_row(ctx: RowContext) -> None:
    values, table = ctx.parsed.values, ctx.table
    if "project_name" not in values:
        has_amounts = any(isinstance(values.get(f), int) and values.get(f) for f in AMOUNT_FIELDS)
        bad_amounts = any(f.code == "bad-amount" for f in ctx.parsed.findings)
        name_col = table.header.fields.get("project_name")
        name_error = any(f.code in ("formula-error", "text-too-long") and name_col is not None
                         and f.col == name_col + 1 for f in ctx.parsed.findings)  # already told what is wrong
        if (has_amounts or bad_amounts or "project_code" in values) and not name_error:
            ctx.finding("missing-name", "project_name", "项目名称为空：请填写项目名称，否则该行无法入库")
    allocated, spent = values.get("allocated"), values.get("spent")
    if allocated is not None and spent is not None and spent > allocated:
        ctx.finding("spent-over-allocated", "spent",
                    f"{bare_label(table.label('spent'))}（{_wan(spent)}万元）超过"
                    f"{bare_label(table.label('allocated'))}（{_wan(allocated)}万元），请核对")
    rate = values.get("spend_rate")
    if rate is not None and allocated and spent is not None:
        computed = Decimal(spent) / Decimal(allocated)
        if abs(computed - rate) > RATE_TOLERANCE:
            ctx.finding("rate-mismatch", "spend_rate",
                        f"{bare_label(table.label('spend_rate'))}填写为{_pct(rate)}，按已支出÷下达资金计算应为"
                        f"{_pct(computed)}，系统以计算值为准",
                        table.grid.value(ctx.row, table.header.fields["spend_rate"]))


def _wan(fen: int) -> str:
    return format((Decimal(fen) / 1_000_000).normalize(), "f")


def _pct(rate: Decimal) -> str:
    return f"{rate * 100:.1f}%"
