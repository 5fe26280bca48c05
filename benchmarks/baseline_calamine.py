"""Baseline: the bare python-calamine parse of town files — open each file, read every sheet's values, nothing else.

A CSV (calamine reads no CSV) is decoded (UTF-8, else GB18030) and split by the csv module. This is the floor
any ingest pays: the simplest honest code that gets the cell values out, with no checking at all.

    python benchmarks/baseline_calamine.py FILE_OR_FOLDER...
"""

from __future__ import annotations

import csv
import io
import sys
import time
from pathlib import Path

from python_calamine import CalamineWorkbook


def parse_file(path: Path) -> int:
    """Every sheet's values of one file; returns the number of cells read."""
    if path.suffix.lower() == ".csv":
        data = path.read_bytes()
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = data.decode("gb18030")
        return sum(len(row) for row in csv.reader(io.StringIO(text)))
    workbook = CalamineWorkbook.from_path(str(path))
    cells = 0
    for name in workbook.sheet_names:
        cells += sum(len(row) for row in workbook.get_sheet_by_name(name).to_python())
    return cells


def parse_all(paths: list[Path]) -> int:
    return sum(parse_file(path) for path in paths)


def files_in(args: list[str]) -> list[Path]:
    found: list[Path] = []
    for arg in map(Path, args):
        found += sorted(p for p in arg.rglob("*") if p.suffix.lower() in (".xlsx", ".xls", ".csv")) \
            if arg.is_dir() else [arg]
    return found


if __name__ == "__main__":
    files = files_in(sys.argv[1:])
    start = time.perf_counter()
    n = parse_all(files)
    print(f"{len(files)} files, {n} cells in {time.perf_counter() - start:.3f} s")
