"""What a file says about itself outside the table: town, period, unit and send date from info rows and names."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from datetime import date, datetime
from pathlib import PurePath
from typing import Any

from etl import normalise

#: label words of the info rows (``填报单位：官塘镇  报表月份：2023年10月  单位：万元``), by what they give
INFO_LABELS: dict[str, tuple[str, ...]] = {
    "town": ("填报单位", "报送单位", "单位名称", "镇街名称", "镇街", "镇(街道)", "镇（街道）", "乡镇", "镇别"),
    "period": ("报表月份", "统计月份", "报送月份", "填报月份", "报告月份", "报表期间", "统计期间", "报告期",
               "统计时间", "数据截至", "截至时间", "截止时间", "月份"),
    "sent_on": ("报送日期", "填报日期", "填表日期", "报送时间", "填报时间", "制表日期", "上报日期", "制表时间"),
    "unit": ("金额单位", "计量单位", "货币单位", "单位"),
}
_LABEL_RE = re.compile(
    "(" + "|".join(sorted({re.escape(w) for ws in INFO_LABELS.values() for w in ws}, key=len, reverse=True))
    + r")\s*[:：]")
_KIND_OF = {w: kind for kind, ws in INFO_LABELS.items() for w in ws}
_TOWN_RE = re.compile(r"[\u4e00-\u9fff]{2,}?(?:街道|镇)")
_NOT_TOWNS = {"乡镇", "城镇", "村镇", "镇街", "市镇", "各镇", "全镇", "本镇", "帮镇", "驻镇"}
_FUND_PHRASES = re.compile(r"驻镇帮镇扶村|帮镇扶村|驻镇帮扶|镇街道")
_FULL_DATE = re.compile(r"\d{4}\s*[-./年]\s*\d{1,2}\s*[-./月]\s*\d{1,2}\s*[日号]?")
_TEMPLATE_MARK = "fundmon-template"


@dataclass
class Meta:
    """Town, period, unit and send date a file states, each with where it came from."""

    town: str | None = None
    town_source: str | None = None
    period: str | None = None
    period_source: str | None = None
    unit: str | None = None
    sent_on: date | None = None

    def fill_from(self, other: Meta) -> None:
        """Take from ``other`` only what is still unknown here."""
        for f in fields(self):
            if getattr(self, f.name) is None:
                setattr(self, f.name, getattr(other, f.name))


def cell_text(value: Any) -> str:
    """A cell as text for meta scanning; dates are spelt the Chinese way so periods and dates read alike."""
    if isinstance(value, datetime | date):
        return f"{value.year}年{value.month}月{value.day}日"
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def find_town(text: str) -> str | None:
    """The first 镇/街道 name in free text (``潮安区官塘镇人民政府`` → 官塘镇, ``桥东街道办事处`` → 桥东街道)."""
    folded = _FUND_PHRASES.sub(" ", normalise.fold(text))
    for token in re.split(r"[^\u4e00-\u9fff]+|[省市区县年月日]", folded):
        for match in _TOWN_RE.finditer(token):
            if match.group() not in _NOT_TOWNS and match.group()[-2:] not in _NOT_TOWNS:
                return match.group()
    return None


def _period_in(text: str, default_year: int | None) -> str | None:
    period = normalise.parse_period(text)
    if period is None and default_year is not None:
        month = normalise.parse_month_only(text)
        if month is not None:
            period = f"{default_year:04d}-{month:02d}"
    return period


def _free_period(text: str, default_year: int | None) -> str | None:
    """A period in unlabelled text; a full date (a day given) is a send date, never the period."""
    return _period_in(_FULL_DATE.sub(" ", text), default_year)


def _sent_date(text: str) -> date | None:
    match = _FULL_DATE.search(normalise.fold(text))
    if match is None:
        return None
    try:
        return normalise.parse_date(match.group().replace(" ", ""))
    except normalise.ParseError:
        return None


def _labelled(meta: Meta, kind: str, value: str, default_year: int | None) -> None:
    if kind == "town" and meta.town is None:
        meta.town = find_town(value) or normalise.clean_text(value)
    elif kind == "period" and meta.period is None:
        meta.period = _period_in(value, default_year)
    elif kind == "sent_on" and meta.sent_on is None:
        meta.sent_on = _sent_date(value)
    elif kind == "unit" and meta.unit is None:
        meta.unit = normalise.unit_from_text(f"单位：{value}")


def _scan_line(line: str, default_year: int | None) -> tuple[Meta, str]:
    """Labelled values of one info line, and the unlabelled text left over (a title)."""
    meta = Meta()
    matches = list(_LABEL_RE.finditer(line))
    free = line[: matches[0].start()] if matches else line
    for i, match in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(line)
        _labelled(meta, _KIND_OF[match.group(1)], line[match.end(): end].strip(), default_year)
    return meta, free


def meta_from_rows(rows: Iterable[Sequence[Any]], default_year: int | None = None) -> Meta:
    """Town, period, unit and send date from the title and info rows above a header."""
    labelled, titles = Meta(), []
    for cells in rows:
        line = "  ".join(t for t in (cell_text(v) for v in cells) if t)
        if not line:
            continue
        found, free = _scan_line(line, default_year)
        labelled.fill_from(found)
        titles.append(free)
    for free in titles:
        free_meta = Meta(town=find_town(free), period=_free_period(free, default_year),
                         unit=normalise.unit_from_text(free) if "单位" in free else None)
        labelled.fill_from(free_meta)
    if labelled.town:
        labelled.town_source = "cell"
    if labelled.period:
        labelled.period_source = "cell"
    return labelled


def meta_from_name(name: str, source: str, default_year: int | None = None) -> Meta:
    """Town and period from a sheet name or a file name (``官塘镇_202310.xlsx``, ``2023年10月``, ``10月``)."""
    stem = PurePath(name).stem if source == "file" else name
    text = normalise.fold(stem)
    town, period = find_town(text), _free_period(re.sub(r"[_]", " ", text), default_year)
    return Meta(town=town, town_source=source if town else None,
                period=period, period_source=source if period else None)


def sent_on_in(rows: Iterable[Sequence[Any]]) -> date | None:
    """A 报送日期 in footer rows (``填报人：张三  报送日期：2023年11月3日``)."""
    for cells in rows:
        line = "  ".join(t for t in (cell_text(v) for v in cells) if t)
        found, _ = _scan_line(line, None)
        if found.sent_on:
            return found.sent_on
    return None


def has_template_mark(sheet_name: str, rows: Iterable[Sequence[Any]]) -> bool:
    """fundmon's own template: a sheet named ``_fundmon`` or the text ``fundmon-template`` in the top rows."""
    if sheet_name == "_fundmon":
        return True
    return any(_TEMPLATE_MARK in cell_text(v) for cells in rows for v in cells)
