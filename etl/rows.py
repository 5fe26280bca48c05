"""Rows under a header: projects, 合计/小计 rows, section rows, sub-items and footers — totals checked."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal

from etl import normalise
from etl.cells import Carry, Table, bare_label, parse_project, quiet_amount
from etl.meta import cell_text
from etl.model import AMOUNT_FIELDS, ParsedRow
from monitor.findings import Finding

_FOOTER_RE = re.compile(r"^(?:填报人|填表人|联系电话|联系人|审核人|负责人|制表人|制表|单位负责人|分管领导|主要领导"
                        r"|审核|注\s*[:：]|说明\s*[:：]|备注\s*[:：])")
_TOTAL_RE = re.compile(r"^(?:合计|小计|总计|累计合计|总合计|共计)")
_SECTION_RE = re.compile(r"^(?:([一二三四五六七八九十]+)\s*[、.．]|[(（]\s*([一二三四五六七八九十]+)\s*[)）])")
_SUB_SEQ_RE = re.compile(r"^(\d+)\s*[.．\-]\s*(\d+)$")
_YEAR_RE = re.compile(r"(20\d{2})\s*年度?")
_SECTION_WORDS = re.compile(r"结转|新增|续建|资金")
#: tolerance of a 合计 cell: half of 0.01 in the column's unit (towns round 合计 to two decimals)
_TOLERANCE = {"万元": 5_000, "元": 1}
_WORD = {"total": "“{}”行", "section": "分类行“{}”", "parent": "含子项的“{}”行"}
_PARTS = {"total": "对应的项目行", "section": "该分类下的项目", "parent": "其子项"}

EventKind = Literal["project", "total", "section", "parent"]


@dataclass
class Event:
    """One meaningful row under the header, in order."""

    kind: EventKind
    row: int  # 0-based grid row
    amounts: dict[str, int] = field(default_factory=dict)  # amount cells the row itself shows
    level: int = 1
    parsed: ParsedRow | None = None
    seq: str | None = None
    children: list[Event] = field(default_factory=list)
    text: str = ""  # what the row calls itself: 小计, 一、产业发展类, the parent project's name


@dataclass
class Scan:
    """What the rows under a header hold; ``end_row`` is the footer (or the end of the sheet)."""

    events: list[Event]
    end_row: int

    @property
    def projects(self) -> list[ParsedRow]:
        return [e.parsed for e in self.events if e.kind == "project" and e.parsed is not None]


def _text(value: Any) -> str:
    return re.sub(r"\s+", "", normalise.fold(cell_text(value)))


def seq_text(value: Any) -> str | None:
    """The 序号 as typed: 1.0 → "1", 1.1 → "1.1"."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return _text(value) or None


def _label_cells(table: Table, cells: list[Any]) -> list[str]:
    cols = [table.header.fields.get("seq"), table.header.fields.get("project_name"), 0, 1, 2]
    seen = []
    for col in cols:
        if col is not None and col < len(cells) and col not in seen:
            seen.append(col)
    return [t for t in (_text(cells[c]) for c in seen) if t]


def _amounts(table: Table, cells: list[Any]) -> dict[str, int]:
    found = {}
    for name, col in table.header.fields.items():
        if name in AMOUNT_FIELDS and col < len(cells) and not normalise.is_blank(cells[col]):
            fen = quiet_amount(cells[col], table.units.get(col, "万元"))
            if fen is not None:
                found[name] = fen
    return found


def _section(table: Table, cells: list[Any], amounts: dict[str, int]) -> tuple[str, int] | None:
    """(text, level) when the row opens a section: 一、… / （一）… , or one lone text cell with no amounts."""
    for text in _label_cells(table, cells):
        match = _SECTION_RE.match(text)
        if match:
            return text, 1 if match.group(1) else 2
    filled = [v for v in cells if not normalise.is_blank(v)]
    if not amounts and len(filled) == 1 and isinstance(filled[0], str) and not _text(filled[0]).isdigit():
        return _text(filled[0]), 1
    return None


def section_carry(text: str, carry: Carry) -> Carry:
    """What a section row hands down: ``一、产业发展类`` → category 产业发展; ``2022年结转项目`` → fund year."""
    body = _SECTION_RE.sub("", _text(text))
    year = _YEAR_RE.search(body)
    word = _SECTION_WORDS.sub("", _YEAR_RE.sub("", body)).removesuffix("项目").removesuffix("类")
    return Carry(category=word or None, fund_year=int(year.group(1)) if year else carry.fund_year)


def _is_footer(cells: list[Any]) -> bool:
    return any(isinstance(v, str) and _FOOTER_RE.match(_text(v)) for v in cells)


def _repeats_header(table: Table, cells: list[Any]) -> bool:
    """Every filled cell under a recognised column says that column's own label (at least two do)."""
    same = 0
    for column in table.header.columns:
        value = cells[column.index] if column.field and column.index < len(cells) else None
        if normalise.is_blank(value):
            continue
        if normalise.normalise_header(str(value)) != normalise.normalise_header(column.label):
            return False
        same += 1
    return same >= 2


def scan_table(table: Table) -> Scan:
    """Classify every row under the header, stopping at the footer."""
    grid, carry = table.grid, Carry()
    events: list[Event] = []
    for row in range(table.header.last_row + 1, len(grid.cells)):
        cells = grid.cells[row]
        if all(normalise.is_blank(v) for v in cells):
            continue
        if _repeats_header(table, cells):
            continue  # the header printed again above a second page
        amounts = _amounts(table, cells)
        if _is_footer(cells) and not amounts:
            return Scan(events, row)
        total = next((t for t in _label_cells(table, cells) if _TOTAL_RE.match(t)), None)
        if total is not None:
            events.append(Event("total", row, amounts, text=total))
            continue
        section = _section(table, cells, amounts)
        if section is not None:
            carry = section_carry(section[0], carry)
            events.append(Event("section", row, amounts, level=section[1], text=section[0]))
            continue
        _add_project(table, events, row, carry, amounts)
    return Scan(events, len(grid.cells))


def _add_project(table: Table, events: list[Event], row: int, carry: Carry, amounts: dict[str, int]) -> None:
    seq_col = table.header.fields.get("seq")
    seq = seq_text(table.grid.value(row, seq_col)) if seq_col is not None else None
    parent = _parent_of(events, seq)
    parsed = parse_project(table, row, carry)
    if "project_name" not in parsed.values and not parsed.findings:
        return  # a stray note row: no name, no amounts, nothing to load
    event = Event("project", row, amounts, parsed=parsed, seq=seq, text=parsed.values.get("project_name", ""))
    if parent is not None:
        parent.kind = "parent"
        parent.children.append(event)
        _inherit(parsed, parent.parsed)
    events.append(event)


def _parent_of(events: list[Event], seq: str | None) -> Event | None:
    match = _SUB_SEQ_RE.match(seq or "")
    if match is None:
        return None
    for event in reversed(events):
        if event.kind in ("total", "section"):
            return None
        if event.seq == match.group(1):
            return event
    return None


def _inherit(child: ParsedRow, parent: ParsedRow | None) -> None:
    if parent is None:
        return
    for name in ("village", "category", "fund_year", "owner"):
        if name in parent.values and name not in child.values:
            child.values[name] = parent.values[name]


def _projects(events: list[Event]) -> list[Event]:
    return [e for e in events if e.kind == "project"]


def _total_candidates(events: list[Event], i: int) -> list[list[Event]]:
    start = max((j for j in range(i) if events[j].kind in ("total", "section")), default=-1)
    segment = _projects(events[start + 1: i])
    if segment:
        return [segment, _projects(events[:i])]
    stop = next((j for j in range(i + 1, len(events)) if events[j].kind in ("total", "section")), len(events))
    return [_projects(events[i + 1: stop]), _projects(events[i + 1:])]


def _section_candidates(events: list[Event], i: int) -> list[list[Event]]:
    level = events[i].level
    later = range(i + 1, len(events))
    stop_any = next((j for j in later if events[j].kind == "section"), len(events))
    stop_level = next((j for j in later if events[j].kind == "section" and events[j].level <= level),
                      len(events))
    return [_projects(events[i + 1: stop_any]), _projects(events[i + 1: stop_level])]


def check_totals(table: Table, events: list[Event]) -> list[Finding]:
    """合计/小计 rows, sections with amounts and parent rows whose figures differ from their project rows."""
    found: list[Finding] = []
    for i, event in enumerate(events):
        if event.kind == "total":
            candidates = _total_candidates(events, i)
        elif event.kind == "parent":
            candidates = [event.children]
        elif event.kind == "section" and event.amounts:
            candidates = _section_candidates(events, i)
        else:
            continue
        found.extend(_compare(table, event, [c for c in candidates if c]))
    return found


def _compare(table: Table, event: Event, candidates: list[list[Event]]) -> list[Finding]:
    found = []
    for name, shown in event.amounts.items():
        if not candidates:
            break
        col = table.header.fields[name]
        unit = table.units.get(col, "万元")
        sums = [sum(p.parsed.values.get(name) or 0 for p in group if p.parsed) for group in candidates]
        if any(abs(total - shown) <= _TOLERANCE[unit] for total in sums):
            continue
        label = bare_label(table.keys[col])
        message = (f"{_WORD[event.kind].format(event.text)}的{label}为{_money(shown, unit)}{unit}，"
                   f"但{_PARTS[event.kind]}合计为{_money(sums[0], unit)}{unit}，请核对")
        found.append(Finding("total-mismatch", message, file=table.file_name, sheet=table.grid.name,
                             row=event.row + 1, col=col + 1, column=table.keys[col],
                             raw=cell_text(table.grid.value(event.row, col))))
    return found


def _money(fen: int, unit: str) -> str:
    scale = 1_000_000 if unit == "万元" else 100
    return format((Decimal(fen) / scale).normalize(), "f")
