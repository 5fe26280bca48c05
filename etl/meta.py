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
#: a year-month whose year parse_period refuses (outside 2000–2100)
_YEAR_OUT_OF_RANGE = re.compile(r"(?<!\d)(?!20\d\d|2100)\d{4}\s*年\s*(?:\d{1,2}|十[一二]?|[一二三四五六七八九])\s*月")
_TOWN_RE = re.compile(r"[\u4e00-\u9fff]{2,}?(?:街道|镇)")
_NOT_TOWNS = {"乡镇", "城镇", "村镇", "镇街", "市镇", "各镇", "全镇", "本镇", "帮镇", "驻镇"}
_FUND_PHRASES = re.compile(r"驻镇帮镇扶村|帮镇扶村|驻镇帮扶|镇街道")
#: a date with its day (``2023年11月3日``, ``2023-11-03``) — not a month range (``2023年1-10月``)
_FULL_DATE = re.compile(r"\d{4}\s*[-./年]\s*\d{1,2}\s*[-./月]\s*\d{1,2}(?!\d)(?!\s*月)\s*[日号]?")
#: ``截至2023年10月31日``: a full date after 截至/截止 is the end of the period, not a send date
_AS_OF_DATE = re.compile(r"(?:截至|截止|截止到|截至到|数据截至)\s*(\d{4}\s*[-./年]\s*\d{1,2})\s*[-./月]\s*\d{1,2}\s*[日号]?")
#: a month without a year, for comparing sources: digits, or Chinese numerals with 份 (十月份), never 统一月报
_BARE_MONTH = re.compile(r"(?<![\d.])(\d{1,2})\s*月|(?<![一二三四五六七八九十])(十[一二]|[一二三四五六七八九十])\s*月份")
#: where a town or period was read, as the clerk knows the place
SOURCE_WORDS = {"cell": "表格标题或填报信息", "sheet": "工作表名", "file": "文件名", "column": "镇街列"}
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
    #: the month the file names, also when no year is given (``10月``): for comparing sources
    month: int | None = None
    #: every town named in the title and info rows (two → the file mixes towns)
    towns: tuple[str, ...] = ()

    def fill_from(self, other: Meta) -> None:
        """Take from ``other`` only what is still unknown here."""
        for f in fields(self):
            if getattr(self, f.name) is None:
                setattr(self, f.name, getattr(other, f.name))
        if not self.towns:
            self.towns = other.towns


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
    towns = find_towns(text)
    return towns[0] if towns else None


def find_towns(text: str) -> list[str]:
    """Every distinct 镇/街道 name in free text, in order (``意溪镇、磷溪镇2023年10月项目表`` → both)."""
    folded = _FUND_PHRASES.sub(" ", normalise.fold(text))
    found: list[str] = []
    for token in re.split(r"[^\u4e00-\u9fff]+|[省市区县年月日]", folded):
        for match in _TOWN_RE.finditer(token):
            name = match.group()
            if name not in _NOT_TOWNS and name[-2:] not in _NOT_TOWNS and name not in found:
                found.append(name)
    return found


def month_of(text: str) -> int | None:
    """The month a text names, with or without a year (``2023年10月`` / ``10月`` / ``十月份`` → 10)."""
    period = normalise.parse_period(text)
    if period is not None:
        return int(period[5:])
    if _YEAR_OUT_OF_RANGE.search(normalise.fold(text)):
        return None  # 1900年1月 states its year: it is not January of some year to be guessed
    match = _BARE_MONTH.search(normalise.fold(text))
    if match is None:
        return None
    month = int(match.group(1)) if match.group(1) else normalise.parse_month_only(match.group(2) + "月")
    return month if month is not None and 1 <= month <= 12 else None


def _period_in(text: str, default_year: int | None) -> str | None:
    period = normalise.parse_period(text)
    if period is None and default_year is not None and not _YEAR_OUT_OF_RANGE.search(normalise.fold(text)):
        month = normalise.parse_month_only(text)
        if month is not None:
            period = f"{default_year:04d}-{month:02d}"
    return period


def _free_period(text: str, default_year: int | None) -> str | None:
    """A period in unlabelled text; a full date (a day given) is a send date, never the period —
    unless it follows 截至/截止 (``截至2023年10月31日`` is the end of October)."""
    as_of = _AS_OF_DATE.search(normalise.fold(text))
    if as_of is not None and normalise.parse_period(as_of.group(1) + "月"):
        return normalise.parse_period(as_of.group(1) + "月")
    return _period_in(_FULL_DATE.sub(" ", text), default_year)


def _free_month(text: str) -> int | None:
    as_of = _AS_OF_DATE.search(normalise.fold(text))
    if as_of is not None:
        return month_of(as_of.group(1) + "月")
    return month_of(_FULL_DATE.sub(" ", normalise.fold(text)))


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
        meta.towns = tuple(find_towns(value)) or ((meta.town,) if meta.town else ())
    elif kind == "period" and meta.period is None:
        meta.period = _period_in(value, default_year)
        meta.month = meta.month or month_of(value)
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
    towns = list(labelled.towns)
    for free in titles:
        free_meta = Meta(town=find_town(free), period=_free_period(free, default_year),
                         unit=normalise.unit_from_text(free) if "单位" in free else None, month=_free_month(free))
        labelled.fill_from(free_meta)
        towns += [t for t in find_towns(free) if t not in towns]
    labelled.towns = tuple(towns)
    if labelled.town:
        labelled.town_source = "cell"
    if labelled.period:
        labelled.period_source = "cell"
    return labelled


def meta_from_name(name: str, source: str, default_year: int | None = None) -> Meta:
    """Town and period from a sheet name or a file name (``官塘镇_202310.xlsx``, ``2023年10月``, ``10月``)."""
    stem = PurePath(name).stem if source == "file" else name
    text = normalise.fold(stem)
    spaced = re.sub(r"[_]", " ", text)
    town, period = find_town(text), _free_period(spaced, default_year)
    return Meta(town=town, town_source=source if town else None,
                period=period, period_source=source if period else None,
                month=_free_month(spaced), towns=tuple(find_towns(text)))


def town_key(name: str) -> str:
    """A town name for comparing sources: ``官塘镇人民政府`` / ``官塘镇`` / ``官塘`` agree."""
    key = re.sub(r"\s+", "", normalise.fold(name))
    key = re.sub(r"(?:人民政府|办事处|政府)$", "", key)
    return re.sub(r"(?:街道|镇|乡)$", "", key) or key


def towns_differ(a: str | None, b: str | None) -> bool:
    return bool(a and b) and town_key(a or "") != town_key(b or "")


def periods_differ(a: Meta, b: Meta) -> bool:
    """Both give a period and they differ; with a month only on one side, the months are compared."""
    if a.period and b.period:
        return a.period != b.period
    return a.month is not None and b.month is not None and a.month != b.month


def period_words(meta: Meta) -> str | None:
    """A period as the clerk wrote it, for messages: 2023年10月, or 10月 when no year was given."""
    if meta.period:
        return f"{int(meta.period[:4])}年{int(meta.period[5:])}月"
    return f"{meta.month}月" if meta.month else None


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
