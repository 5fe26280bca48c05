"""Write the awkward town files (one per quirk) and their ``.expected.json`` sidecars: ``python make_quirks.py``.

Expected values are written here by hand from the intended meaning of each cell (万元 → 分 by ``W``), never
by running the parser. ``legacy.xls`` needs xlwt 1.3.0 (not a dependency: ``pip install --target DIR xlwt``
and put DIR on PYTHONPATH); without it the committed ``legacy.xls`` is left as it is.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import xlsxwriter

HERE = Path(__file__).resolve().parent
SHEET = "项目进度"
#: every quirk writer, in the order written; ``@quirk`` registers one
QUIRKS: list[Callable[[], None]] = []


def quirk(fn: Callable[[], None]) -> Callable[[], None]:
    QUIRKS.append(fn)
    return fn


def W(wan: str | int | float) -> int:  # noqa: N802 - reads like the unit it converts
    """万元 → 分, exactly."""
    return int(Decimal(str(wan)) * 1_000_000)


def Y(yuan: str | int | float) -> int:  # noqa: N802
    """元 → 分, exactly."""
    return int(Decimal(str(yuan)) * 100)


@dataclass
class Formula:
    """A formula cell and the value Excel cached for it (an error such as "#DIV/0!", or "" for none)."""

    formula: str
    cached: float | str


@dataclass
class Sheet:
    """Rows from ``origin`` (0-based row, col); merges relative to the rows, 0-based inclusive."""

    name: str
    rows: list[list[Any]]
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)
    origin: tuple[int, int] = (0, 0)


def write_xlsx(path: Path, sheets: list[Sheet], macro: bool = False) -> None:
    book = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False, "strings_to_formulas": False})
    book.set_properties({"created": datetime(2023, 11, 3, 9, 0, 0)})  # same bytes on every run
    dated = book.add_format({"num_format": "yyyy-mm-dd"})
    for spec in sheets:
        sheet = book.add_worksheet(spec.name)
        r0, c0 = spec.origin
        tops = {(m[0], m[1]): m for m in spec.merges}
        covered = {(r, c) for r1, c1, r2, c2 in spec.merges for r in range(r1, r2 + 1)
                   for c in range(c1, c2 + 1)} - set(tops)
        for r, row in enumerate(spec.rows):
            for c, value in enumerate(row):
                if (r, c) in covered:
                    continue
                if (r, c) in tops:
                    r1, c1, r2, c2 = tops[r, c]
                    sheet.merge_range(r1 + r0, c1 + c0, r2 + r0, c2 + c0, value)
                elif isinstance(value, Formula):
                    sheet.write_formula(r + r0, c + c0, value.formula, None, value.cached)
                elif isinstance(value, datetime):
                    sheet.write_datetime(r + r0, c + c0, value, dated)
                elif isinstance(value, str):
                    sheet.write_string(r + r0, c + c0, value)
                elif value is not None:
                    sheet.write_number(r + r0, c + c0, value)
    book.close()
    if macro:
        _make_macro_enabled(path)


def _make_macro_enabled(path: Path) -> None:
    """Give the package the content type Excel uses for .xlsm (a macro-enabled workbook)."""
    source = zipfile.ZipFile(io.BytesIO(path.read_bytes()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "[Content_Types].xml":
                data = data.replace(b"spreadsheetml.sheet.main+xml", b"ms-excel.sheet.macroEnabled.main+xml")
            target.writestr(item, data)
    path.write_bytes(out.getvalue())


def write_csv(path: Path, rows: list[list[Any]], encoding: str) -> None:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows([["" if v is None else v for v in r] for r in rows])
    path.write_bytes(buffer.getvalue().encode(encoding))


def write_xls(path: Path, spec: Sheet) -> bool:
    try:
        import xlwt  # type: ignore[import-not-found]
    except ImportError:
        return False
    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet(spec.name)
    tops = {(m[0], m[1]): m for m in spec.merges}
    for r, row in enumerate(spec.rows):
        for c, value in enumerate(row):
            if (r, c) in tops:
                r1, c1, r2, c2 = tops[r, c]
                sheet.write_merge(r1, r2, c1, c2, value)
            elif value is not None:
                sheet.write(r, c, value)
    book.save(str(path))
    return True


def project(excel_row: int, rejected: bool = False, raw: dict[str, str] | None = None,
            **values: Any) -> dict[str, Any]:
    """One expected project row: exact values (amounts 分, rates as decimal strings, dates ISO)."""
    row: dict[str, Any] = {"excel_row": excel_row, "rejected": rejected, "values": values}
    if raw is not None:
        row["raw"] = raw
    return row


def finding(code: str, sheet: str | None, row: int | None, col: int | None, column: str | None) -> dict[str, Any]:
    return {"code": code, "sheet": sheet, "row": row, "col": col, "column": column}


def expect(name: str, **fields: Any) -> None:
    fields.setdefault("kind", "town_report")
    fields.setdefault("unit", "万元")
    fields.setdefault("findings", [])
    fields.setdefault("default_year", None)
    (HERE / f"{name}.expected.json").write_text(
        json.dumps({"file": name, **fields}, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


#: the header most quirks share: 序号 | 项目名称 | 村(社区) | 下达资金（万元） | 已支出（万元） | 形象进度
HEAD = ["序号", "项目名称", "村(社区)", "下达资金（万元）", "已支出（万元）", "形象进度"]


def main() -> None:
    import make_quirks  # the registry as the quirk modules see it (this file may run as __main__)
    import quirks  # noqa: F401 - registers its writers
    import quirks_parsing  # noqa: F401
    import quirks_rows  # noqa: F401

    for make in make_quirks.QUIRKS:
        make()
    print(f"wrote {len(make_quirks.QUIRKS)} quirk writers' files into {HERE}")


if __name__ == "__main__":
    import sys

    sys.path.insert(0, str(HERE))
    main()
