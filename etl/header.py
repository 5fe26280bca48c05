"""Header recognition: which sheet row(s) hold the column labels, and which field each column is."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from typing import Any

from etl import normalise
from etl.model import SheetGrid

#: field → header words a town may use (DESIGN §4). Declared once; compared after ``normalise_header``.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "seq": ("序号", "序", "编号序号"),
    "town": ("镇街", "镇(街道)", "镇（街）", "乡镇", "镇街名称", "乡镇(街道)", "镇名", "所属镇街", "填报单位",
             "镇街道", "所属镇"),
    "project_code": ("项目编号", "项目代码", "编号", "项目库编号", "项目编码", "入库编号"),
    "project_name": ("项目名称", "项目名", "建设项目", "项目", "项目全称", "建设项目名称", "项目名称及建设内容"),
    "village": ("村(社区)", "所在村", "建设地点", "实施地点", "村居", "村", "村名", "行政村", "所在村(社区)",
                "项目地点", "所属村", "帮扶村"),
    "category": ("项目类别", "类别", "项目类型", "项目分类", "类型"),
    "owner": ("业主单位", "实施单位", "建设单位", "项目业主", "实施主体"),
    "fund_year": ("资金年度", "年度", "下达年度", "资金年份", "项目年度", "资金所属年度"),
    "allocated": ("下达资金", "下达金额", "计划投资", "安排资金", "资金规模", "下达", "下达资金总额",
                  "已下达资金", "资金安排", "批复金额", "下达资金合计"),
    "requested": ("已请款", "累计请款", "请款金额", "已请款金额", "请款", "申请拨付"),
    "disbursed": ("已拨付", "拨付资金", "到位资金", "累计拨付", "已拨付资金", "拨付", "已拨付金额"),
    "spent": ("已支出", "累计支出", "实际支出", "完成支付", "已支付", "支出", "累计已支出", "已支出金额",
              "累计支付", "支出金额", "已支出资金", "累计完成支出"),
    "spent_ytd": ("本年累计支出", "本年支出", "本年已支出", "本年度支出", "当年支出", "本年累计已支出"),
    "spent_prior": ("以前年度支出", "往年已支出", "上年结转已支出", "以前年度已支出", "往年支出"),
    "progress": ("形象进度", "工程进度", "项目进度", "建设进度", "完成进度"),
    "status": ("项目状态", "进展情况", "项目进展", "进展阶段", "项目进展情况", "状态"),
    "planned_start": ("计划开工时间", "计划开工日期", "开工时间", "开工日期"),
    "planned_end": ("计划完工时间", "计划完工日期", "完工时间", "完工日期", "计划竣工时间"),
    "issues": ("存在问题", "存在的问题", "问题", "困难问题"),
    "remarks": ("备注", "说明"),
    "spend_rate": ("支出率", "支出进度", "资金支出率", "支出比例", "资金支出进度"),
}

#: labels naming a month's flow or a remainder, never the cumulative figure a field means
_FLOW_WORDS = ("本月", "当月", "本周", "上月", "未", "待", "结余", "剩余", "余额", "差额", "偏差", "序时")
_BRACKETS = re.compile(r"[(（\[【][^)）\]】]*[)）\]】]")
_UNIT = re.compile(r"[(（\[【]\s*(?:单位\s*[:：]?\s*)?(万元|元)\s*[)）\]】]|(?:/|单位[:：]?)\s*(万元|元)\s*$")
#: a unit note inside a group cell (``资金（单位：万元）``): its colon does not make the cell an info row
_UNIT_NOTE = re.compile(r"[(（\[【]?\s*单位\s*[:：]\s*(?:人民币)?\s*(?:万元|元)\s*[)）\]】]?")
_EXACT, _STRIPPED, _SUFFIX, _INNER = 100, 90, 50, 30
_MIN_HEADER_SCORE = 3


@dataclass
class Column:
    """One recognised or unrecognised header column (0-based ``index``)."""

    index: int
    label: str  # as shown (line breaks removed)
    field: str | None = None
    unit: str | None = None
    score: int = 0
    group: str | None = None  # upper label of a two-row header


@dataclass
class Header:
    """A header found on a sheet: its rows (0-based) and its columns."""

    rows: tuple[int, ...]
    columns: list[Column]
    #: field → 0-based column index (one column per field)
    fields: dict[str, int] = field(default_factory=dict)
    #: (field, losing column) pairs where a field was matched twice
    duplicates: list[tuple[str, Column]] = field(default_factory=list)

    @property
    def score(self) -> int:
        return len([f for f in self.fields if f != "seq"]) + (1 if "seq" in self.fields else 0)

    @property
    def last_row(self) -> int:
        return self.rows[-1]

    def column(self, name: str) -> Column | None:
        idx = self.fields.get(name)
        return None if idx is None else self.columns[idx]


_LINE_BREAK = re.compile(r"\s*[\r\n]+\s*")


def shown_label(value: Any) -> str:
    """The label as a clerk reads it: line breaks dropped, ends stripped."""
    if value is None:
        return ""
    text = str(value)
    if "\n" in text or "\r" in text:
        text = _LINE_BREAK.sub("", text)
    return text.strip()


def _key(text: str) -> str:
    return normalise.normalise_header(text)


def _strip_brackets(text: str) -> str:
    return _BRACKETS.sub("", text)


@lru_cache(maxsize=1)
def _tables() -> tuple[dict[str, str], dict[str, str], dict[str, tuple[int, str]], frozenset[str], int]:
    exact: dict[str, str] = {}
    stripped: dict[str, str] = {}
    for name, words in SYNONYMS.items():
        for word in words:
            exact.setdefault(_key(word), name)
            stripped.setdefault(_strip_brackets(_key(word)), name)
    pairs = sorted(((w, n) for w, n in stripped.items() if w), key=lambda p: -len(p[0]))
    # the words a label may contain, longest first (the order decides ties), by word
    inner = {w: (i, n) for i, (w, n) in enumerate(pairs) if len(w) >= 2 and n != "seq"}
    chars = frozenset("".join(exact) + "".join(stripped))
    return exact, stripped, inner, chars, max(map(len, inner))


def match_field(label: Any) -> tuple[str, int] | None:
    """The field a header label names, with a score (exact beats bracket-free beats contained)."""
    text = shown_label(label)
    if not text:
        return None
    # every cell of the first rows is tried as a label, by the register check and the header scan alike
    return _match_text_cached(text) if len(text) <= normalise.CACHED_TEXT else _match_text(text)


def _match_text(text: str) -> tuple[str, int] | None:
    exact, stripped, inner, chars, longest = _tables()
    key = _key(text)
    if key.startswith("(") and key.endswith(")") and key.count("(") == 1:
        key = key[1:-1]  # 【项目名称】
    if chars.isdisjoint(key):
        return None  # no character of any header word (a number, a date): nothing below can match
    if key in exact:
        return exact[key], _EXACT
    bare = _strip_brackets(key)
    if bare in stripped:
        return stripped[bare], _STRIPPED
    if ":" in text or "：" in text or len(bare) > 20 or any(w in bare for w in _FLOW_WORDS):
        return None
    return _contained(bare, inner, longest)


_match_text_cached = lru_cache(maxsize=16384)(_match_text)


def _contained(bare: str, inner: dict[str, tuple[int, str]], longest: int) -> tuple[str, int] | None:
    """The best header word inside ``bare`` (at most 20 characters): every substring looked up once."""
    n = len(bare)
    hits = sorted({(inner[sub][0], sub) for i in range(n) for j in range(i + 2, min(n, i + longest) + 1)
                   if (sub := bare[i:j]) in inner})
    best: tuple[str, int] | None = None
    for _, word in hits:
        name = inner[word][1]
        if name.startswith("planned_") and "实际" in bare:
            continue  # 实际开工时间 is not the plan
        if bare.endswith(word):
            score = _SUFFIX + len(word)
        elif len(word) >= 3:
            score = _INNER + len(word)
        else:
            continue
        if best is None or score > best[1]:
            best = (name, score)
    return best


def _merge_at(grid: SheetGrid, row: int, col: int) -> tuple[int, int, int, int] | None:
    for r1, c1, r2, c2 in grid.merged:
        if r1 <= row <= r2 and c1 <= col <= c2:
            return r1, c1, r2, c2
    return None


def _upper_text(grid: SheetGrid, row: int, col: int) -> str:
    """The text a cell shows, following a merge back to its top-left cell."""
    merge = _merge_at(grid, row, col)
    if merge is not None:
        return shown_label(grid.value(merge[0], merge[1]))
    return shown_label(grid.value(row, col))


def _width(grid: SheetGrid, rows: tuple[int, ...]) -> int:
    return max((len(grid.cells[r]) for r in rows if r < len(grid.cells)), default=0)


def _unit_of(label: str, group: str | None) -> str | None:
    """（元）/（万元） in a column's own label, else in its group label."""
    if len(label) <= normalise.CACHED_TEXT and (group is None or len(group) <= normalise.CACHED_TEXT):
        return _unit_cached(label, group)
    return _unit_in(label, group)


def _unit_in(*texts: str | None) -> str | None:
    for text in texts:
        found = _UNIT.search(normalise.fold(text)) if text else None
        if found:
            return found.group(1) or found.group(2)
    return None


_unit_cached = lru_cache(maxsize=16384)(_unit_in)


def _columns_one(grid: SheetGrid, row: int) -> list[Column]:
    return [Column(c, *_cell_facts(value)) for c, value in enumerate(grid.cells[row])]


#: cell values whose label, unit and field are remembered (hashable, and short once shown)
_SMALL_VALUES = (int, float, datetime, date, time, timedelta, type(None))


def _cell_facts(value: Any) -> tuple[str, str | None, str | None, int]:
    """A one-row header cell's label, field, unit and score (as ``_make_column`` finds them)."""
    if isinstance(value, _SMALL_VALUES) or (isinstance(value, str) and len(value) <= normalise.CACHED_TEXT):
        return _cell_facts_cached(value)
    return _cell_facts_of(value)


def _cell_facts_of(value: Any) -> tuple[str, str | None, str | None, int]:
    label = shown_label(value)
    if label.isascii() and _tables()[3].isdisjoint(label) and _ASCII_BRACKETS.isdisjoint(label):
        return label, None, None, 0  # a number, a date, a code: ASCII has no unit (元) and no header word
    column = _make_column(0, label, [(label, 0)], None)
    return column.label, column.field, column.unit, column.score


#: brackets normalise_header turns into others (``[`` → ``(``); an ASCII label without them stays as it is
_ASCII_BRACKETS = frozenset("()[]")
#: typed: 1, 1.0 and True show differently
_cell_facts_cached = lru_cache(maxsize=16384, typed=True)(_cell_facts_of)


def _columns_two(grid: SheetGrid, row: int) -> list[Column]:
    cols = []
    for c in range(_width(grid, (row, row + 1))):
        upper = _upper_text(grid, row, c)
        merge = _merge_at(grid, row + 1, c)
        lower = "" if merge is not None and merge[0] <= row else shown_label(grid.value(row + 1, c))
        label = lower or upper
        group = upper if lower else None
        # 资金情况 over 下达 reads 资金情况下达; 下达资金 over 省级 is a breakdown, not a second 下达资金
        tries = [(lower, 0), (f"{upper}{lower}", _SUFFIX)] if lower else [(upper, 0)]
        cols.append(_make_column(c, label, tries, group))
    return cols


def _make_column(index: int, label: str, tries: list[tuple[str, int]], group: str | None) -> Column:
    column = Column(index=index, label=label, group=group, unit=_unit_of(label, group))
    for text, least in tries:
        found = match_field(text) if text else None
        if found and found[1] >= least:
            column.field, column.score = found
            break
    return column


def assign_fields(rows: tuple[int, ...], columns: list[Column]) -> Header:
    """One column per field: the higher score wins, the first on a tie; losers are recorded as duplicates."""
    header = Header(rows=rows, columns=columns)
    for col in columns:
        if col.field is None:
            continue
        held = header.fields.get(col.field)
        if held is None:
            header.fields[col.field] = col.index
            continue
        rival = columns[held]
        winner, loser = (col, rival) if col.score > rival.score else (rival, col)
        header.fields[col.field] = winner.index
        header.duplicates.append((col.field, loser))
        loser.field = None
    return header


def _is_label_row(grid: SheetGrid, row: int) -> bool:
    cells = grid.cells[row] if row < len(grid.cells) else []
    texts = [v for v in cells if not normalise.is_blank(v)]
    return bool(texts) and all(isinstance(v, str) and not _looks_numeric(v) for v in texts)


def _looks_numeric(text: str) -> bool:
    return bool(re.fullmatch(r"[\d\s.,，%万元-]+", normalise.fold(text)))


def _groups_over(grid: SheetGrid, row: int) -> bool:
    """Row cells merged down into the next row, or a group cell over labelled cells below."""
    for r1, c1, r2, c2 in grid.merged:
        if r1 != row:
            continue
        if r2 > row:
            return True
        if c2 > c1 and all(not normalise.is_blank(grid.value(row + 1, c)) for c in range(c1, c2 + 1)):
            return True
    return False


def _is_info_text(text: str) -> bool:
    """A cell of an info row (``填报单位：官塘镇``, a lone ``单位：万元``), not a group label with a unit note."""
    if ":" not in text and "：" not in text:
        return False
    rest = _UNIT_NOTE.sub("", text)
    return not rest.strip() or ":" in rest or "：" in rest


#: header_at per grid (by identity; the grid is held, so its id cannot be reused) and row: the register
#: check and the header scan of one file read the same rows. Headers are never changed once made.
HeaderMemo = dict[int, tuple[SheetGrid, dict[int, Header]]]


def header_at(grid: SheetGrid, row: int, memo: HeaderMemo | None = None) -> Header:
    """The header read from ``row`` (and the row below, when it completes a two-row header)."""
    if memo is None:
        return _header_at(grid, row)
    entry = memo.get(id(grid))
    if entry is None or entry[0] is not grid:
        entry = memo[id(grid)] = (grid, {})
    found = entry[1].get(row)
    if found is None:
        found = entry[1][row] = _header_at(grid, row)
    return found


def _header_at(grid: SheetGrid, row: int) -> Header:
    single = assign_fields((row,), _columns_one(grid, row))
    filled = [str(v) for v in grid.cells[row] if not normalise.is_blank(v)]
    # a title (one cell, however wide its merge) or an info row (填报单位：…) is never the upper half of a header
    if len(filled) < 2 or any(_is_info_text(t) for t in filled) or row + 1 >= len(grid.cells) \
            or not _is_label_row(grid, row + 1):
        return single
    double = assign_fields((row, row + 1), _columns_two(grid, row))
    if double.score > single.score or (_groups_over(grid, row) and double.score >= single.score):
        return double
    return single


def text_rows(grid: SheetGrid, scan_rows: int) -> list[int]:
    """The rows within the first ``scan_rows`` that hold some text: the only ones that can be a header."""
    return [row for row in range(min(scan_rows, len(grid.cells)))
            if any(isinstance(v, str) and v.strip() for v in grid.cells[row])]


def find_header(grid: SheetGrid, scan_rows: int = 30, memo: HeaderMemo | None = None) -> Header | None:
    """The best-scoring header within the first ``scan_rows`` rows, or None (e.g. an instruction sheet)."""
    best: Header | None = None
    for row in text_rows(grid, scan_rows):
        header = header_at(grid, row, memo)
        if header.score >= _MIN_HEADER_SCORE and (best is None or header.score > best.score):
            best = header
    return best
