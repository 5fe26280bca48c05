"""The limits the hostile corpus needed, one by one: the cell-extent scan (also for cells without an
address), real inflated sizes, CSV streaming, and the 问题清单 of a huge file."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import openpyxl
import pytest

from etl.model import SheetGrid
from etl.read import ReadLimits, UnreadableFileError, read_grids
from etl.zipscan import ZipRefusal, column_number, scan_zip
from monitor.findings import Finding
from reports.problem_list import MAX_COPIED_CELLS, write_problem_list
from tests.hostile.parts import MAIN_NS, XML_DECL, raw_xlsx, sheet_xml


def _scan(sheet: str, max_cells: int = 10_000_000) -> tuple[int, int]:
    data = raw_xlsx([("S", sheet)])
    facts = scan_zip(zipfile.ZipFile(io.BytesIO(data)), max_bytes=10**9, max_cells=max_cells, max_sheets=255)
    return facts.rows, facts.cols


def _sheet(body: str) -> str:
    return f'{XML_DECL}<worksheet xmlns="{MAIN_NS}"><sheetData>{body}</sheetData></worksheet>'


def test_extent_of_addressed_cells() -> None:
    assert _scan(sheet_xml([["a", None, 1], [None, "b"]])) == (2, 3)
    assert column_number(b"XFD") == 16384 and column_number(b"A") == 1 and column_number(b"") == 0


@pytest.mark.parametrize(("body", "extent"), [
    ("<row><c><v>1</v></c><c><v>2</v></c></row><row><c><v>3</v></c></row>", (2, 2)),  # nothing addressed
    ('<row r="5"><c><v>1</v></c><c r="D5"><v>2</v></c><c><v>3</v></c></row>', (5, 5)),  # E5 follows D5
    ('<x:row r="3"><x:c r="B3"><x:v>1</x:v></x:c></x:row>', (3, 2)),  # a namespace prefix
    ('<row\nr="2"><c\tr="C2"><v>1</v></c></row>', (2, 3)),  # a line break inside the tag
])
def test_extent_counts_cells_without_an_address(body: str, extent: tuple[int, int]) -> None:
    assert _scan(_sheet(body)) == extent


def test_unaddressed_cells_far_down_are_measured_not_trusted() -> None:
    far = '<row r="1048576">' + "<c><v>1</v></c>" * 20 + "</row>"
    with pytest.raises(ZipRefusal) as info:
        _scan(_sheet(far), max_cells=1_000_000)
    assert info.value.code == "file-too-large"


def test_a_part_larger_than_it_declares_is_refused_while_inflating() -> None:
    data = bytearray(raw_xlsx([("S", sheet_xml([["x" * 5000]]))]))
    name = b"xl/worksheets/sheet1.xml"
    for signature, at in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        pos = data.find(signature)
        while pos != -1:
            if name in data[pos : pos + 80]:
                data[pos + at : pos + at + 4] = (10).to_bytes(4, "little")
            pos = data.find(signature, pos + 4)
    with pytest.raises(UnreadableFileError) as info:
        read_grids(bytes(data), "a.xlsx")
    assert info.value.code == "file-unreadable"


def test_dtd_anywhere_is_refused() -> None:
    data = raw_xlsx([("S", sheet_xml([["项目名称"]], before='<!DOCTYPE x [<!ENTITY a "b">]>'))])
    with pytest.raises(UnreadableFileError) as info:
        read_grids(data, "a.xlsx")
    assert info.value.code == "file-unreadable" and "DOCTYPE" in info.value.reason


def test_too_many_sheets() -> None:
    data = raw_xlsx([(f"S{i}", sheet_xml([["x"]])) for i in range(4)])
    with pytest.raises(UnreadableFileError) as info:
        read_grids(data, "a.xlsx", ReadLimits(max_sheets=3))
    assert info.value.code == "file-too-large" and "4 个工作表" in info.value.reason


def test_control_characters_are_dropped_from_cells() -> None:
    data = raw_xlsx([("项目进度", sheet_xml([["道路_x0000_硬_x001B_化", "_x0000_"], ["\t正常\n"]]))])
    (grid,) = read_grids(data, "a.xlsx")
    assert grid.cells == [["道路硬化", None], ["\t正常\n", None]]


def test_sheet_names_are_cut() -> None:
    (grid,) = read_grids(raw_xlsx([("表" * 300, sheet_xml([["x"]]))]), "a.xlsx")
    assert grid.name == "表" * 100


def test_csv_trailing_empty_lines_are_not_rows_but_inner_ones_are() -> None:
    (grid,) = read_grids(b"a,b\r\n\r\nc,d\r\n" + b"\r\n" * 500_000, "x.csv", ReadLimits(max_rows=10))
    assert grid.cells == [["a", "b"], [None, None], ["c", "d"]]
    with pytest.raises(UnreadableFileError) as info:
        read_grids(b"a,b\r\n" + b"\r\n" * 20 + b"c,d\r\n", "x.csv", ReadLimits(max_rows=10))
    assert info.value.code == "file-too-large"


def test_a_lone_carriage_return_is_a_line_end() -> None:
    (grid,) = read_grids(b"a,b\rc,d\r", "x.csv")
    assert grid.cells == [["a", "b"], ["c", "d"]]


def test_a_huge_file_gets_its_list_without_a_copy_of_its_sheets(tmp_path: Path) -> None:
    rows = MAX_COPIED_CELLS // 4 + 1
    grid = SheetGrid("项目进度", [["项目", 1, 2, 3] for _ in range(rows)])
    finding = Finding("bad-amount", "已支出：“待定”不是金额", file="a.xlsx", sheet="项目进度", row=5, col=3)
    path = write_problem_list(tmp_path / "a_问题清单.xlsx", file_name="a.xlsx", data=b"", findings=[finding],
                              grids=[grid])
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["问题清单"]
    assert any(cell.value == finding.message for row in book["问题清单"].iter_rows() for cell in row)
