"""Each awkward town file in tests/data beside its ``.expected.json`` is one test: exact 分, Excel rows, findings."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from etl.extract import parse_file
from etl.model import DATE_FIELDS, RATE_FIELDS, ParsedFile

DATA = Path(__file__).parent / "data"
CASES = sorted(DATA.glob("*.expected.json"))


def _plain(name: str, value: Any) -> Any:
    """A parsed value in the sidecar's spelling: rates as Decimal, dates ISO, the rest as is."""
    if name in RATE_FIELDS:
        return Decimal(value)
    if name in DATE_FIELDS:
        return value.isoformat() if isinstance(value, date) else value
    return value


def _parse(case: dict[str, Any]) -> ParsedFile:
    path = DATA / case["file"]
    return parse_file(path.read_bytes(), path.name, default_year=case["default_year"])


def _finding_keys(parsed: ParsedFile) -> list[tuple[Any, ...]]:
    return sorted((f.code, f.sheet, f.row, f.col, f.column) for f in parsed.all_findings)


@pytest.mark.parametrize("sidecar", CASES, ids=[p.name.removesuffix(".expected.json") for p in CASES])
def test_quirk_file(sidecar: Path) -> None:
    case = json.loads(sidecar.read_text(encoding="utf-8"))
    parsed = _parse(case)
    assert parsed.kind == case["kind"]
    for key in ("sheet", "town", "town_source", "period", "period_source", "unit", "is_template"):
        if key in case:
            assert getattr(parsed, key) == case[key], key
    assert parsed.sent_on == (date.fromisoformat(case["sent_on"]) if case.get("sent_on") else None)
    assert list(parsed.header_rows) == case["header_rows"]
    expected = sorted((f["code"], f["sheet"], f["row"], f["col"], f["column"]) for f in case["findings"])
    assert _finding_keys(parsed) == expected
    assert [r.excel_row for r in parsed.rows] == [r["excel_row"] for r in case["rows"]]
    for row, want in zip(parsed.rows, case["rows"], strict=True):
        got = {k: v.isoformat() if isinstance(v, date) else v for k, v in row.values.items()}
        assert got == {k: _plain(k, v) for k, v in want["values"].items()}, row.excel_row
        assert row.rejected == want["rejected"], row.excel_row
        if "raw" in want:
            assert row.raw == want["raw"]
        if "columns" in want:
            assert row.columns == want["columns"]


@pytest.mark.parametrize("sidecar", CASES, ids=[p.name.removesuffix(".expected.json") for p in CASES])
def test_findings_point_at_cells_and_speak_chinese(sidecar: Path) -> None:
    case = json.loads(sidecar.read_text(encoding="utf-8"))
    parsed = _parse(case)
    for found in parsed.all_findings:
        assert found.file == case["file"]
        assert any("\u4e00" <= ch <= "\u9fff" for ch in found.message)
        if found.row is not None and found.col is not None and found.code not in ("total-mismatch",):
            grid = next(g for g in parsed.grids if g.name == found.sheet)
            assert found.raw is None or found.raw.strip() in str(grid.value(found.row - 1, found.col - 1)) \
                or found.code in ("duplicate-project", "missing-name")


def test_every_quirk_file_has_a_sidecar() -> None:
    not_quirks = {"sample_expected.csv"}  # the demo's hand-worked lights and flags, see test_demo.py
    files = {p.name for p in DATA.iterdir() if p.suffix in (".xlsx", ".xlsm", ".xls", ".csv")} - not_quirks
    assert files == {p.name.removesuffix(".expected.json") for p in CASES}


def test_unreadable_file_is_a_parsed_file_with_its_reason() -> None:
    parsed = parse_file(b"PK\x03\x04 not really a zip", "官塘镇_202310.xlsx")
    assert parsed.kind == "unreadable"
    assert [f.code for f in parsed.findings] == ["file-unreadable"]
    assert parsed.findings[0].is_error and parsed.findings[0].message
    assert parse_file(b"", "x.csv").findings[0].code == "file-empty"


def test_bad_cell_message_says_what_to_fix() -> None:
    parsed = _parse({"file": "bad-cells-rejected.xlsx", "default_year": None})
    found = next(f for f in parsed.all_findings if f.code == "bad-amount" and f.row == 4)
    assert found.message == "已支出：“待定”不是金额，请填写数字（万元）"
    assert found.raw == "待定" and found.cell == "E4"
    assert found.location() == "bad-cells-rejected.xlsx › 项目进度 › 第4行 › 已支出（万元）"


def test_rows_know_their_labels_and_columns() -> None:
    parsed = _parse({"file": "two-row-merged-header.xlsx", "default_year": None})
    row = parsed.rows[0]
    assert row.labels["allocated"] == "下达" and row.columns["allocated"] == 4
    assert parsed.header_map["已支出"] == "spent"
