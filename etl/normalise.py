"""Pure parsers of the cell values towns type: amounts, units, percentages, dates, periods, statuses, names."""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from etl.model import CellError

STATUSES = ("前期", "招投标", "在建", "完工", "已验收", "结算审核", "已结算", "未开工", "暂停", "取消")
DISTRICT_NAMES = ("潮州市湘桥区", "湘桥区", "潮州市")

_BLANK_MARKERS = frozenset({"", "-", "--", "—", "——", "/", "无", "暂无", "\\", "n/a"})
_DASHES = frozenset("-—–―−－~")
_NUMBER = r"(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?"
_NUMBER_RE = re.compile(_NUMBER)
_GROUPED_RE = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d*)?")
_AMOUNT_UNITS = (("万元", "万元"), ("万", "万元"), ("元", "元"))
_AMOUNT_LIMIT = Decimal("1e15")
#: 10万亿元 in 分: far past any project, and thousands of allocations of it still sum inside a 64-bit integer
MAX_FEN = 10**15
_EXCEL_EPOCH = date(1899, 12, 30)
_SEND_LABEL_RE = re.compile(r"(?:报送|填报|填表|制表|上报)(?:日期|时间)[:\s]*$")
_TIME_SUFFIX = r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
_DATE_PATTERNS = (
    re.compile(r"(\d{4})\s*[-./年]\s*(\d{1,2})\s*[-./月]\s*(\d{1,2})\s*[日号]?" + _TIME_SUFFIX),
    re.compile(r"(\d{4})\s*[-./年]\s*(\d{1,2})\s*月?()"),
    re.compile(r"(\d{4})(\d{2})(\d{2})?"),
)
_CN_MONTH = r"十[一二]|[一二三四五六七八九十]"
#: a range of months (``2023年1-10月``, ``2023年1月至10月``) is the period of its end month
_PERIOD_RANGE_RE = re.compile(
    rf"(?<!\d)(\d{{4}})\s*年\s*(?:\d{{1,2}}|{_CN_MONTH})\s*月?\s*[-~～—–至到]\s*(\d{{1,2}}|{_CN_MONTH})\s*月")
_PERIOD_PATTERNS = (
    re.compile(rf"(?<!\d)(\d{{4}})\s*年\s*(\d{{1,2}}|{_CN_MONTH})\s*月"),
    re.compile(r"(?<!\d)(\d{4})\s*[-./]\s*(\d{1,2})(?!\d)"),
    re.compile(r"(?<!\d)(\d{4})(\d{2})(\d{2})?(?!\d)"),
)
_CN_MONTHS = {
    "一": 1,
    "二": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
    "十": 10,
    "十一": 11,
    "十二": 12,
}
_MONTH_RE = re.compile(r"(?<![\d一二三四五六七八九十])(\d{1,2}|十[一二]?|[一二三四五六七八九])\s*月")
_BRACKETS = str.maketrans(
    {"【": "(", "】": ")", "[": "(", "]": ")", "〔": "(", "〕": ")", "「": "(", "」": ")"}
)
_UNIT_GROUP_RE = re.compile(r"\((?:单位:?)?(?:人民币)?(?:万元|元|亿元|千元|%|个百分点)\)")
_ELEMENT_UNIT_RE = re.compile(r"(?:单位:?(?:人民币)?元(?!旦)|\(元\))")
_STATUS_SYNONYMS = {
    "前期": "前期 前期工作 前期准备 立项 已立项 设计 设计中 方案设计 预算评审 评审中 规划 筹备 谋划",
    "招投标": "招投标 招投标中 招标 招标中 已招标 采购 采购中 挂网 已定标 询价",
    "在建": "在建 在建中 施工 施工中 正在施工 建设中 已开工 开工 动工 实施中 推进中",
    "完工": "完工 已完工 竣工 已竣工 完成 已完成 建成 已建成",
    "已验收": "已验收 验收 已完成验收 竣工验收 验收完成 通过验收 已通过验收",
    "结算审核": "结算审核 结算审核中 结算中 审计中 结算审计 送审",
    "已结算": "已结算 已决算 已审计 结算完成 决算完成",
    "未开工": "未开工 未动工 尚未开工 未启动",
    "暂停": "暂停 已暂停 停工 暂缓",
    "取消": "取消 已取消 撤销 已撤销 终止 已终止",
}
_STATUS_MAP = {word: canon for canon, words in _STATUS_SYNONYMS.items() for word in words.split()}


#: texts up to this length are remembered by the per-text caches below: a file's labels and cells are looked
#: at many times (register check, header scan, rows); longer texts are computed afresh, so a hostile file of
#: huge cells cannot fill memory through a cache
CACHED_TEXT = 200
_CACHE_SIZE = 16384


class ParseError(ValueError):
    """A cell value that cannot be read; the message (Chinese) tells the clerk what to fix."""


def _fold(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).split())


_fold_cached = lru_cache(maxsize=_CACHE_SIZE)(_fold)


def fold(text: str) -> str:
    """Full-width → half-width (NFKC), strip, and collapse every run of whitespace to one space."""
    return _fold_cached(text) if len(text) <= CACHED_TEXT else _fold(text)


def _blank_text(text: str) -> bool:
    folded = _fold(text).lower()
    return folded in _BLANK_MARKERS or all(ch in _DASHES for ch in folded)


_blank_text_cached = lru_cache(maxsize=_CACHE_SIZE)(_blank_text)


def is_blank(value: Any) -> bool:
    """True for None, empty or whitespace text, and the markers towns use for “nothing” (-, /, 无, N/A …)."""
    if value is None:
        return True
    if not isinstance(value, str):
        return False
    return _blank_text_cached(value) if len(value) <= CACHED_TEXT else _blank_text(value)


def clean_text(value: Any) -> str | None:
    """A cell as tidy text: folded, blank → None, 2023.0 → "2023"."""
    if is_blank(value):
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    text = fold(str(value))
    return None if is_blank(text) else text


def display_text(value: Any) -> str | None:
    """A cell as the town wrote it, tidied only: blank → None, whitespace collapsed, no NFKC.

    Names keep their full-width punctuation （一期）、，for documents; identity uses folded keys instead.
    """
    if isinstance(value, str):
        text = " ".join(value.split())
        return None if is_blank(text) else text
    return clean_text(value)


def _show(value: Any) -> str:
    text = " ".join(str(value).split())  # as the clerk typed it, so they can find it
    return text if len(text) <= 20 else text[:20] + "…"


def formula_problem(value: Any) -> str | None:
    """What to tell the clerk about a formula cell without a usable value; None for any other value."""
    if not isinstance(value, CellError):
        return None
    if value.no_value:
        return "公式没有计算结果，请在Excel中打开后保存再报送"
    return f"公式计算错误（{value.text}），请在Excel中修正公式并重新保存后报送"


def _reject_cell_error(value: Any) -> None:
    problem = formula_problem(value)
    if problem is not None:
        raise ParseError(problem)


def excel_decimal(value: float) -> Decimal:
    """A float as Excel shows it: 15 significant digits (0.30000000000000004 → 0.3, 12.3 stays 12.3)."""
    return Decimal(format(value, ".15g"))


def _not_amount(value: Any) -> ParseError:
    return ParseError(f"“{_show(value)}”不是金额，请填写数字（万元）")


def parse_amount(value: Any) -> tuple[Decimal, str | None] | None:
    """A money cell → (amount, unit hint "万元"/"元" or None); blank → None; negatives are returned as such."""
    if is_blank(value):
        return None
    _reject_cell_error(value)
    if isinstance(value, bool):
        raise _not_amount(value)
    if isinstance(value, int):
        return _checked_amount(Decimal(value), value), None
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise _not_amount(value)
        return _checked_amount(value, value), None
    if isinstance(value, float):
        if not math.isfinite(value):
            raise _not_amount(value)
        # what Excel showed: 12.3 stays 12.3 and a formula's 36.900000000000006 is 36.9
        return _checked_amount(excel_decimal(value), value), None
    if isinstance(value, str):
        return _parse_amount_text(value)
    raise _not_amount(value)


def _parse_amount_text(raw: str) -> tuple[Decimal, str | None]:
    text = fold(raw).replace(" ", "")
    unit = None
    for suffix, hint in _AMOUNT_UNITS:
        if text.endswith(suffix):
            text, unit = text[: -len(suffix)], hint
            break
    negative = False
    if text.startswith("(") and text.endswith(")"):
        negative, text = True, text[1:-1]
    text = _strip_currency(text)
    if text[:1] in ("-", "−"):
        negative, text = not negative, _strip_currency(text[1:])
    elif text[:1] == "+":  # ＋100 folds to +100
        text = _strip_currency(text[1:])
    if "," in text:
        if not _GROUPED_RE.fullmatch(text):
            raise ParseError(f"“{_show(raw)}”中的逗号位置不对，请去掉逗号，只填写数字（如 1234.56）")
        text = text.replace(",", "")
    if not _NUMBER_RE.fullmatch(text):
        raise _not_amount(raw)
    amount = Decimal(text)
    return _checked_amount(-amount if negative else amount, raw), unit


def _strip_currency(text: str) -> str:
    return text.removeprefix("¥").removeprefix("RMB")


def _checked_amount(amount: Decimal, raw: Any) -> Decimal:
    if abs(amount) >= _AMOUNT_LIMIT:
        raise ParseError(f"“{_show(raw)}”金额过大，请检查是否多填了数字或填错了单位")
    return amount


def to_fen(amount: Decimal, unit: str) -> tuple[int, bool]:
    """An amount in 万元 or 元 → (integer 分, rounded?) — exact, rounding half up below 1分 only."""
    if unit == "万元":
        fen = amount * 1_000_000
    elif unit == "元":
        fen = amount * 100
    else:
        raise ValueError(f"unknown money unit {unit!r}")
    try:
        whole = fen.quantize(Decimal(1), rounding=ROUND_HALF_UP)
    except InvalidOperation as exc:
        raise ParseError(f"“{amount}”金额过大，请检查是否多填了数字或填错了单位") from exc
    if abs(whole) > MAX_FEN:
        raise ParseError(f"“{_show(amount)}”{unit}金额过大（超过10万亿元），请检查是否多填了数字或填错了单位")
    return int(whole), whole != fen


def _number_or_error(value: Any, message: str) -> Decimal:
    if isinstance(value, bool):
        raise ParseError(message)
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float) and math.isfinite(value):
        return excel_decimal(value)
    if isinstance(value, Decimal) and value.is_finite():
        return value
    text = fold(str(value)).replace(" ", "") if isinstance(value, str) else ""
    match = re.fullmatch(rf"([-−+]?)({_NUMBER})", text)
    if not match:
        raise ParseError(message)
    number = Decimal(match.group(2))
    return -number if match.group(1) in ("-", "−") else number


def parse_percent(value: Any) -> Decimal | None:
    """45% / 0.45 / 45 → Decimal("0.45"): with a % sign it is percent; a bare number ≤ 1 is a fraction, > 1 percent."""
    if is_blank(value):
        return None
    _reject_cell_error(value)
    message = f"“{_show(value)}”不是百分比，请填写如 45% 或 0.45 的数字"
    text = fold(value).replace(" ", "") if isinstance(value, str) else None
    if text is not None and text.endswith("%"):
        rate = _number_or_error(text[:-1], message).scaleb(-2)
    else:
        number = _number_or_error(value, message)
        rate = number if number <= 1 else number.scaleb(-2)
    if rate < 0 or rate > 10:
        raise ParseError(f"“{_show(value)}”超出百分比的合理范围（0%–1000%），请检查")
    return rate


def _make_date(year: int, month: int, day: int, raw: Any) -> date:
    try:
        return date(year, month, day)
    except ValueError as exc:
        raise ParseError(f"“{_show(raw)}”不是有效日期，请按 2023-10-15 或 2023年10月15日 的格式填写") from exc


def parse_date(value: Any) -> date | None:
    """A date cell (Excel serial, date object or text like 2023年10月15日 / 2023.10 / 20231015) → date."""
    if is_blank(value):
        return None
    _reject_cell_error(value)
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _date_from_number(_as_float(value))
    if isinstance(value, str):
        text = fold(value)
        if re.fullmatch(r"\d+(?:\.0+)?", text):
            return _date_from_number(float(text))
        for pattern in _DATE_PATTERNS:
            match = pattern.fullmatch(text)
            if match:
                year, month, day = match.groups()
                return _make_date(int(year), int(month), int(day or 1), value)
    raise ParseError(f"“{_show(value)}”不是日期，请按 2023-10-15 或 2023年10月15日 的格式填写")


def _as_float(value: float) -> float:
    try:
        return float(value)
    except OverflowError as exc:
        raise ParseError(f"“{_show(value)}”不是日期，请按 2023-10-15 的格式填写") from exc


def _date_from_number(value: float) -> date:
    if not math.isfinite(value):
        raise ParseError(f"“{value}”不是日期，请按 2023-10-15 的格式填写")
    if not value.is_integer() and 1900 < value < 2200:
        return _year_dot_month(value)
    whole = int(value)
    if 20000 <= value < 80000:
        return _EXCEL_EPOCH + timedelta(days=whole)
    digits = str(whole)
    if len(digits) in (6, 8) and value.is_integer():
        return _make_date(int(digits[:4]), int(digits[4:6]), int(digits[6:] or 1), digits)
    raise ParseError(f"“{_show(value)}”不是日期，请按 2023-10-15 或 2023年10月15日 的格式填写")


def _year_dot_month(value: float) -> date:
    # Excel turns a typed 2023.10 into the number 2023.1, which cannot be told from January.
    year, month = repr(value).split(".")
    if month == "1":
        raise ParseError(f"“{value}”无法判断是1月还是10月，请把单元格设为文本或写成 2023年10月")
    return _make_date(int(year), int(month), 1, value)


def parse_year(value: Any) -> int | None:
    """A fund year: 2023, 2023.0, "2023年度", "２０２３" → 2023 (2000–2100)."""
    if is_blank(value):
        return None
    _reject_cell_error(value)
    message = f"“{_show(value)}”不是年度，请填写四位年份（如 2023）"
    if isinstance(value, bool):
        raise ParseError(message)
    if isinstance(value, int):
        year = value
    elif isinstance(value, float):
        if not value.is_integer():
            raise ParseError(message)
        year = int(value)
    else:
        match = re.fullmatch(r"(\d{4})(?:\.0+)?\s*(?:年度?)?", fold(str(value)))
        if not match:
            raise ParseError(message)
        year = int(match.group(1))
    if not 2000 <= year <= 2100:
        raise ParseError(f"“{_show(value)}”不是合理的资金年度，请填写 2000–2100 之间的年份")
    return year


def parse_period(text: str) -> str | None:
    """The first year-month in free text → "YYYY-MM"; a date labelled 报送日期/填报日期 is never the period."""
    folded = fold(str(text))
    found: list[tuple[int, int, int]] = []
    for pattern in (_PERIOD_RANGE_RE, *_PERIOD_PATTERNS):
        for match in pattern.finditer(folded):
            year, month = int(match.group(1)), _month_number(match.group(2))
            day = match.group(3) if pattern.groups == 3 else None
            if not (2000 <= year <= 2100 and 1 <= month <= 12):
                continue
            if day is not None and not _is_valid_day(year, month, int(day)):
                continue
            if not _SEND_LABEL_RE.search(folded[: match.start()]) and \
                    all(start != match.start() for start, _, _ in found):  # a range beats its first month
                found.append((match.start(), year, month))
    if not found:
        return None
    _, year, month = min(found)
    return f"{year:04d}-{month:02d}"


def _month_number(token: str) -> int:
    return _CN_MONTHS[token] if token in _CN_MONTHS else int(token)


def _is_valid_day(year: int, month: int, day: int) -> bool:
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True


def parse_month_only(text: str) -> int | None:
    """“10月” / “截至十月底” → 10, for use with a default year; None when there is no month 1–12."""
    match = _MONTH_RE.search(fold(str(text)))
    if not match:
        return None
    month = _month_number(match.group(1))
    return month if 1 <= month <= 12 else None


def normalise_status(value: Any) -> str | None:
    """A status in the town's words → one of STATUSES (前期 … 取消); blank → None."""
    _reject_cell_error(value)
    text = clean_text(value)
    if text is None:
        return None
    key = re.sub(r"[\s。.,;；!！]", "", text)
    for candidate in (key, key.removesuffix("阶段"), key.removesuffix("状态")):
        if candidate in _STATUS_MAP:
            return _STATUS_MAP[candidate]
    raise ParseError(f"“{_show(value)}”不是可识别的项目状态，请填写其中之一：{'、'.join(STATUSES)}")


def unit_from_text(text: str) -> str | None:
    """The money unit a note or header names: "万元" anywhere wins, then 单位：元 / （元）; else None."""
    folded = fold(str(text)).replace(" ", "")
    if "万元" in folded:
        return "万元"
    if _ELEMENT_UNIT_RE.search(folded):
        return "元"
    return None


def _header_once(text: str) -> str:
    label = re.sub(r"\s+", "", fold(text)).translate(_BRACKETS)
    label = _UNIT_GROUP_RE.sub("", label).replace("()", "")
    return label.strip("*:")


def normalise_header(text: str) -> str:
    """A header cell → its bare label: ``"下达资金\\n（万元）"`` → ``"下达资金"`` (idempotent)."""
    label = str(text)
    return _normalise_header_cached(label) if len(label) <= CACHED_TEXT else _normalise_header(label)


def _normalise_header(label: str) -> str:
    for _ in range(8):  # each pass only removes characters; a fixed point comes quickly
        cleaner = _header_once(label)
        if cleaner == label:
            break
        label = cleaner
    return label


_normalise_header_cached = lru_cache(maxsize=_CACHE_SIZE)(_normalise_header)


def normalise_name(text: str) -> str:
    """A project name → its identity key: folded, no whitespace/punctuation/symbols, Latin lower-case."""
    key = str(text)
    for _ in range(8):  # removing characters may let NFKC compose further; stop at the fixed point
        folded = unicodedata.normalize("NFKC", key)
        cleaner = "".join(ch for ch in folded if unicodedata.category(ch)[0] not in "PSZC").lower()
        if cleaner == key:
            break
        key = cleaner
    return key


def strip_place_prefix(key: str, places: Iterable[str], districts: Iterable[str] = DISTRICT_NAMES) -> str:
    """Remove a leading district name, then a town name (沙溪镇, or 沙溪 + 镇/街道/乡), from a normalise_name key.

    A bare town name without its 镇/街道 is kept: 沙溪村 is a village, not the town 沙溪镇.
    """
    towns: set[str] = set()
    for place in places:
        name = normalise_name(place)
        if name.endswith(("镇", "街道", "乡")):
            towns.add(name)
        elif name:
            towns.update({name + "镇", name + "街道", name + "乡", name + "街道办事处"})
    rest = _strip_one(key, {normalise_name(d) for d in districts})
    return _strip_one(rest, towns)


def _strip_one(key: str, prefixes: set[str]) -> str:
    for prefix in sorted(prefixes, key=len, reverse=True):
        if prefix and key.startswith(prefix) and len(key) > len(prefix):
            return key[len(prefix) :]
    return key
