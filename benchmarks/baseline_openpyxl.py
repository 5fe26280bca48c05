"""Baseline: the naive pandas script — ``pandas.read_excel(engine="openpyxl")`` on every file, every sheet.

A CSV goes through ``pandas.read_csv`` (UTF-8, else GB18030). No checking, no database: what a clerk's
merge script does before it does anything useful.

    python benchmarks/baseline_openpyxl.py FILE_OR_FOLDER...
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pandas as pd


def read_file(path: Path) -> int:
    """Every sheet of one file as DataFrames; returns the number of cells read."""
    if path.suffix.lower() == ".csv":
        try:
            frame = pd.read_csv(path, header=None, encoding="utf-8-sig")
        except UnicodeDecodeError:
            frame = pd.read_csv(path, header=None, encoding="gb18030")
        return frame.size
    sheets = pd.read_excel(path, sheet_name=None, header=None, engine="openpyxl")
    return sum(frame.size for frame in sheets.values())


def read_all(paths: list[Path]) -> int:
    return sum(read_file(path) for path in paths)


if __name__ == "__main__":
    from baseline_calamine import files_in

    files = files_in(sys.argv[1:])
    start = time.perf_counter()
    n = read_all(files)
    print(f"{len(files)} files, {n} cells in {time.perf_counter() - start:.3f} s")
