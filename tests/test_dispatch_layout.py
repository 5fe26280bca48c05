"""The dispatch sheets' widths and row heights: the short cuts a province needs give what measuring every cell gives."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from reports.dispatch_layout import Block, Col, SheetSpec, column_widths, display, write_workbook
from reports.xlsx_style import text_width

COLS = [Col("序号", "int", 5, 6), Col("项目名称", lo=8, hi=20), Col("下达资金", "money", 6, 30),
        Col("支出率", "rate", 6, 30), Col("偏差（个百分点）", "points", 6, 30), Col("灯色", "light", 6, 8),
        Col("数据月份", "center", 6, 30), Col("接收时间", "datetime", 6, 30), Col("说明", lo=4, hi=60)]
AWKWARD: list[list[Any]] = [
    [1, "短", 999.995, 0.99995, -0.05, "red", "2023年10月", datetime(2023, 11, 2, 9, 5), "两行\n文字"],
    [2, "a\rb", -1234567.891, -0.5, 12.0, "yellow", 7, date(2023, 1, 1), "x" * 5],
    [3, "仙田村道路硬底化及配套工程建设项目", 0, 0, 0, None, "", None, "\u2028"],
    [4, "", None, None, None, "green", None, None, "全角　空格"],
    [5, None, 10, 1, 3, "purple", True, datetime(2023, 12, 25, 23, 59), "tab\tthere"],
    [-6, "ascii text that is long enough to wrap twice over", 1e7, 2.0, -100.04, "", Decimal("1.5"), None,
     "第一行\n第二行很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长"],
    [7, "七" * 9, float("inf"), 0.1, 0.05, "red", "x", None, ""],
]


def reference_widths(blocks: list[Block]) -> list[float]:
    """Every cell measured: what column_widths gave before it skipped any."""
    widths: dict[int, float] = {}
    for block in blocks:
        for c, col in enumerate(block.cols):
            cells = [display(values[c], col.kind) for values in [*block.rows, *block.extra]]
            widest = max((text_width(line) for t in cells for line in t.splitlines() or [""]), default=0)
            head = text_width(col.header) if text_width(col.header) <= 10 else -(-text_width(col.header) // 2)
            widths[c] = max(widths.get(c, 0), min(max(max(widest, head) + 2, col.lo), col.hi))
    return [float(widths[c]) for c in range(len(widths))]


def reference_height(values: list[Any], widths: list[float]) -> float | None:
    texts = [(display(v, col.kind), widths[c]) for c, (col, v) in enumerate(zip(COLS, values, strict=True))
             if col.kind == "text"]
    lines = max((sum(max(1, -(-text_width(line) // max(int(w) - 1, 1))) for line in t.splitlines() or [""])
                 for t, w in texts), default=1)
    return None if lines <= 1 else 13.5 * lines + 3


@pytest.mark.parametrize("rows", [AWKWARD, AWKWARD[:1], AWKWARD[2:4], [r for r in AWKWARD if r[0] != 7], []])
def test_column_widths_as_if_every_cell_were_measured(rows: list[list[Any]]) -> None:
    blocks = [Block(COLS, [list(r) for r in rows]), Block(COLS[:3], [[None, "窄", 5]], extra=[["", "合计", -12.5]])]
    assert column_widths(blocks) == reference_widths(blocks)


def test_numbers_beyond_the_widest_text_are_measured() -> None:
    """A money column's width comes from its largest and smallest values, the sign included."""
    money = Col("金额", "money", 1, 99)
    values = [[1.0], [-999999.994], [99999.995], [None]]
    assert column_widths([Block([money], values)]) == [float(len("-999,999.99") + 2)]
    assert column_widths([Block([money], values[::-1])]) == column_widths([Block([money], values)])


def test_row_heights_and_cells_as_before(tmp_path: Path) -> None:
    rows = [list(r) for r in AWKWARD if r[0] != 7]
    block = Block(COLS, rows, fills=["red", None, "yellow"], cell_fills={(1, 5): "ABCDEF", (3, 1): "123456"},
                  bold_rows={2})
    path = tmp_path / "t.xlsx"
    write_workbook(path, [SheetSpec("表", "标题", ["说明"], [block])], header="&C&A", properties={})
    widths = column_widths([block])
    ws = openpyxl.load_workbook(path)["表"]
    first = 4  # title, one line, header (Excel numbering)
    for r, values in enumerate(rows):
        assert ws.row_dimensions[first + r].height == reference_height(values, widths), values
    assert [ws.row_dimensions[first + r].height is not None for r in range(4)] == [True, True, True, False]
    assert ws.cell(first, 9).value == "两行\n文字"
    assert ws.cell(first, 6).value == "红灯" and ws.cell(first, 6).fill.fgColor.rgb.endswith("FFC7CE")
    assert ws.cell(first + 1, 6).fill.fgColor.rgb.endswith("ABCDEF")  # its own fill over the light's
    assert ws.cell(first + 3, 2).fill.fgColor.rgb.endswith("123456")
    assert ws.cell(first + 2, 1).font.b and not ws.cell(first + 1, 1).font.b
    assert ws.cell(first + 4, 7).value == "True" and ws.cell(first + 5, 7).value == "1.5"  # as text
    assert ws.cell(first + 1, 3).value == -1234567.891 and ws.cell(first + 1, 3).number_format == "#,##0.00"
    assert ws.cell(first + 3, 2).value is None and ws.cell(first + 3, 2).has_style  # a blank, bordered
