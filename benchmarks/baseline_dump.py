"""Baseline: a bare XlsxWriter dump of the dispatch workbook's cells — same sheets, same values, no formats.

The cells are read back from the dispatch's own 调度表.xlsx (not timed), then written with ``write_row``
and nothing else: the floor of writing that workbook.

    python benchmarks/baseline_dump.py 调度表.xlsx out.xlsx
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

import xlsxwriter
from python_calamine import CalamineWorkbook


def cells_of(path: Path) -> dict[str, list[list[Any]]]:
    """Every sheet's values of a workbook (the rows to dump)."""
    workbook = CalamineWorkbook.from_path(str(path))
    return {name: workbook.get_sheet_by_name(name).to_python() for name in workbook.sheet_names}


def dump(sheets: dict[str, list[list[Any]]], path: Path) -> int:
    """Write the rows as they are; returns the number of cells written."""
    workbook = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_numbers": False})
    cells = 0
    for name, rows in sheets.items():
        sheet = workbook.add_worksheet(name)
        for r, row in enumerate(rows):
            sheet.write_row(r, 0, row)
            cells += len(row)
    workbook.close()
    return cells


if __name__ == "__main__":
    sheets = cells_of(Path(sys.argv[1]))
    start = time.perf_counter()
    n = dump(sheets, Path(sys.argv[2]))
    print(f"{n} cells in {time.perf_counter() - start:.3f} s")
