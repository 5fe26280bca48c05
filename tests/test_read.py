"""Reading submitted bytes into grids: formats by content, offsets, merges, encodings, and refused files."""

from __future__ import annotations

import csv
import io
import os
import re
import struct
import zipfile
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter

from etl.model import CellError
from etl.read import ReadLimits, UnreadableFileError, read_grids
from monitor.findings import CODES

CHINESE = re.compile(r"[\u4e00-\u9fff]")
DATA = Path(__file__).parent / "data" / "read"
ROWS = [
    ["项目名称", "下达资金（万元）", "已支出"],
    ["沙溪村道路硬化", "12.5", "1,234.56"],
    ["四小园", "", "无"],
]


def xlsx_bytes(build: object = None) -> bytes:
    """A workbook from xlsxwriter; ``build(workbook, sheet)`` adds the content."""
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"strings_to_formulas": False})
    sheet = workbook.add_worksheet("项目进度")
    if build is not None:
        build(workbook, sheet)  # type: ignore[operator]
    workbook.close()
    return buffer.getvalue()


def csv_bytes(rows: list[list[str]], encoding: str, delimiter: str = ",") -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue().encode(encoding)


def refused(data: bytes, name: str, limits: ReadLimits | None = None) -> UnreadableFileError:
    with pytest.raises(UnreadableFileError) as info:
        read_grids(data, name, limits)
    error = info.value
    assert error.code in CODES
    assert CHINESE.search(error.reason), error.reason
    assert str(error) == error.reason
    return error


# workbooks


def test_xlsx_grid_starts_at_a1_when_data_starts_at_c3() -> None:
    def build(workbook: xlsxwriter.Workbook, sheet: object) -> None:
        sheet.write_string("C3", "项目名称")  # type: ignore[attr-defined]
        sheet.write_number("D4", 12.5)  # type: ignore[attr-defined]

    (grid,) = read_grids(xlsx_bytes(build), "沙溪镇_202310.xlsx")
    assert grid.name == "项目进度"
    assert grid.value(2, 2) == "项目名称"
    assert grid.value(3, 3) == 12.5
    assert grid.cells[0][0] is None
    assert grid.value(0, 0) is None and grid.value(2, 1) is None


def test_xlsx_values_keep_their_types() -> None:
    def build(workbook: xlsxwriter.Workbook, sheet: object) -> None:
        date_format = workbook.add_format({"num_format": "yyyy-mm-dd"})
        sheet.write_number("A1", 12)  # type: ignore[attr-defined]
        sheet.write_datetime("B1", datetime(2023, 10, 15), date_format)  # type: ignore[attr-defined]
        sheet.write_formula("C1", "=A1*2", None, 24)  # type: ignore[attr-defined]
        sheet.write_string("D1", "=不是公式")  # type: ignore[attr-defined]
        sheet.write_string("E1", " 12.5 ")  # type: ignore[attr-defined]

    (grid,) = read_grids(xlsx_bytes(build), "a.xlsx")
    assert grid.cells[0] == [12.0, date(2023, 10, 15), 24.0, "=不是公式", " 12.5 "]
    assert isinstance(grid.cells[0][0], float)


def test_xlsx_merged_ranges_are_zero_based_inclusive() -> None:
    def build(workbook: xlsxwriter.Workbook, sheet: object) -> None:
        sheet.merge_range("B2:D3", "资金情况（万元）")  # type: ignore[attr-defined]
        sheet.write_string("B4", "下达")  # type: ignore[attr-defined]

    (grid,) = read_grids(xlsx_bytes(build), "a.xlsx")
    assert grid.merged == [(1, 1, 2, 3)]
    assert grid.value(1, 1) == "资金情况（万元）"
    assert grid.value(1, 2) is None


def test_every_sheet_is_returned_including_hidden_and_empty_ones() -> None:
    workbook = openpyxl.Workbook()
    first = workbook.active
    assert first is not None
    first.title = "填表说明"
    first["A1"] = "请按模板填写"
    hidden = workbook.create_sheet("项目进度")
    hidden["B2"] = "项目名称"
    hidden.sheet_state = "hidden"
    workbook.create_sheet("空表")
    buffer = io.BytesIO()
    workbook.save(buffer)
    grids = read_grids(buffer.getvalue(), "a.xlsx")
    assert [g.name for g in grids] == ["填表说明", "项目进度", "空表"]
    assert grids[1].value(1, 1) == "项目名称"
    assert grids[2].cells == []


@pytest.mark.parametrize("name", ["沙溪镇.xlsm", "沙溪镇.csv", "沙溪镇", "沙溪镇.xls"])
def test_format_is_detected_by_content_not_name(name: str) -> None:
    data = xlsx_bytes(lambda wb, sheet: sheet.write_string("A1", "项目名称"))
    (grid,) = read_grids(data, name)
    assert grid.name == "项目进度"
    assert grid.value(0, 0) == "项目名称"


def test_legacy_xls() -> None:
    # legacy-xls-biff8.xls was written once with xlwt 1.3.0 (not a dependency): title in A1, header at C3,
    # a date cell at E4 and a merge C6:E7
    grids = read_grids((DATA / "legacy-xls-biff8.xls").read_bytes(), "沙溪镇.xls")
    (grid,) = grids
    assert grid.name == "项目进度"
    assert grid.value(0, 0) == "沙溪镇2023年10月项目进度表"
    assert grid.value(2, 2) == "项目名称"
    assert grid.value(3, 3) == 12.5
    assert grid.value(3, 4) == date(2023, 10, 15)
    assert grid.merged == [(5, 2, 6, 4)]


# CSV


@pytest.mark.parametrize(
    ("encoding", "delimiter"),
    [
        ("utf-8", ","),
        ("utf-8-sig", ","),
        ("gb18030", ","),
        ("gbk", ","),
        ("utf-8", "\t"),
        ("gb18030", "\t"),
        ("utf-8", ";"),
    ],
)
def test_csv_encodings_and_delimiters(encoding: str, delimiter: str) -> None:
    (grid,) = read_grids(csv_bytes(ROWS, encoding, delimiter), "沙溪镇_202310.csv")
    assert grid.name == "沙溪镇_202310"
    assert grid.cells == [
        ["项目名称", "下达资金（万元）", "已支出"],
        ["沙溪村道路硬化", "12.5", "1,234.56"],
        ["四小园", None, "无"],
    ]


def test_csv_with_title_row_and_ragged_rows_is_padded() -> None:
    rows = [["沙溪镇项目进度表"], ["填报单位：沙溪镇", "", "报表月份：2023年10月"], *ROWS, ["合计", "12.5"]]
    (grid,) = read_grids(csv_bytes(rows, "utf-8", "\t"), "a.csv")
    assert grid.cells[0] == ["沙溪镇项目进度表", None, None]
    assert grid.value(2, 1) == "下达资金（万元）"
    assert all(len(row) == 3 for row in grid.cells)


def test_tab_delimited_amounts_with_commas_still_split_on_tabs() -> None:
    rows = [["名称", "下达", "支出", "备注"]] + [[f"项目{i}", "1,234.5", "2,000", "无"] for i in range(5)]
    (grid,) = read_grids(csv_bytes(rows, "utf-8", "\t"), "a.txt")
    assert grid.cells[1] == ["项目0", "1,234.5", "2,000", "无"]


def test_csv_name_from_a_windows_path() -> None:
    (grid,) = read_grids(csv_bytes(ROWS, "utf-8"), "C:\\报表\\沙溪镇.csv")
    assert grid.name == "沙溪镇"


# refused files


def test_zip_bomb_is_refused_from_the_directory(tmp_path: Path) -> None:
    path = tmp_path / "bomb.xlsx"
    chunk = bytes(1024 * 1024)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member:
            for _ in range(8):
                member.write(chunk)
        archive.writestr("xl/workbook.xml", "<workbook/>")
    data = path.read_bytes()
    assert len(data) < 100_000
    error = refused(data, "bomb.xlsx", ReadLimits(max_uncompressed_bytes=4 * 1024 * 1024))
    assert error.code == "file-too-large"


def test_zip_declaring_400_mb_is_refused_with_default_limits() -> None:
    data = bytearray(xlsx_bytes(lambda wb, sheet: sheet.write_string("A1", "x")))
    at = data.index(b"PK\x01\x02")  # first central-directory entry; its uncompressed size is at +24
    data[at + 24 : at + 28] = struct.pack("<I", 400 * 1024 * 1024)
    assert refused(bytes(data), "a.xlsx").code == "file-too-large"


def test_file_over_the_byte_limit() -> None:
    data = csv_bytes(ROWS, "utf-8")
    assert refused(data, "a.csv", ReadLimits(max_file_bytes=10)).code == "file-too-large"


def test_sheet_with_too_many_rows_or_columns() -> None:
    data = xlsx_bytes(lambda wb, sheet: sheet.write_string("F30", "x"))
    assert refused(data, "a.xlsx", ReadLimits(max_rows=20)).code == "file-too-large"
    assert refused(data, "a.xlsx", ReadLimits(max_cols=5)).code == "file-too-large"
    assert refused(csv_bytes(ROWS, "utf-8"), "a.csv", ReadLimits(max_rows=2)).code == "file-too-large"


def test_truncated_zip() -> None:
    data = xlsx_bytes(lambda wb, sheet: sheet.write_string("A1", "x"))
    assert refused(data[: len(data) // 2], "a.xlsx").code == "file-unreadable"


def test_corrupt_member_inside_an_intact_zip_directory() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "not xml <<<")
        archive.writestr("xl/workbook.xml", "<<<")
    assert refused(buffer.getvalue(), "a.xlsx").code == "file-unreadable"


def test_xml_entity_expansion_is_refused() -> None:
    source = zipfile.ZipFile(io.BytesIO(xlsx_bytes(lambda wb, sheet: sheet.write_string("A1", "x"))))
    laughs = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in source.namelist():
            text = source.read(name).decode()
            if name == "xl/sharedStrings.xml":
                text = re.sub(r"<\?xml[^>]*\?>", laughs, text).replace("<t>x</t>", "<t>&lol2;</t>")
            archive.writestr(name, text)
    assert refused(buffer.getvalue(), "a.xlsx").code == "file-unreadable"


def test_zip_that_is_not_a_spreadsheet() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("沙溪镇.xlsx", b"PK")
    error = refused(buffer.getvalue(), "报表.zip")
    assert error.code == "file-unreadable"
    assert "压缩包" in error.reason


def test_random_bytes_named_xlsx() -> None:
    error = refused(os.urandom(4096), "沙溪镇.xlsx")
    assert error.code == "file-unreadable"


@pytest.mark.parametrize("data", [b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(2048), b"\xd0\xcf\x11\xe0junk"])
def test_broken_ole_file(data: bytes) -> None:
    error = refused(data, "a.xls")
    assert error.code == "file-unreadable"
    assert "Excel" in error.reason


def test_password_protected_xlsx_says_so() -> None:
    # an encrypted xlsx is an OLE2 container holding an EncryptedPackage stream
    data = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(1000) + "EncryptedPackage".encode("utf-16-le")
    error = refused(data + bytes(1000), "沙溪镇.xlsx")
    assert error.code == "file-unreadable"
    assert "加密" in error.reason


@pytest.mark.parametrize("data", [b"", b"   \r\n\t ", b"\xef\xbb\xbf", b"\xef\xbb\xbf\r\n"])
def test_empty_file(data: bytes) -> None:
    assert refused(data, "a.csv").code == "file-empty"


def test_csv_with_only_empty_cells() -> None:
    assert refused(b",,,\r\n,,,\r\n", "a.csv").code == "file-empty"


def test_workbook_with_only_empty_sheets() -> None:
    assert refused(xlsx_bytes(), "a.xlsx").code == "file-empty"


def test_nul_bytes_in_csv() -> None:
    error = refused(b"a,b\r\n1,\x002\r\n", "a.csv")
    assert error.code == "file-unreadable"
    assert "NUL" in error.reason


def test_utf16_text_is_refused_with_its_encoding_named() -> None:
    error = refused(csv_bytes(ROWS, "utf-16", "\t"), "a.txt")
    assert error.code == "file-unreadable"
    assert "UTF-16" in error.reason


def test_undecodable_text() -> None:
    error = refused(b"\xff\xfd\x80abc,def\r\n", "a.csv")
    assert error.code == "file-unreadable"
    assert "编码" in error.reason


def test_html_saved_as_xls() -> None:
    data = "<html><body><table><tr><td>项目名称</td></tr></table></body></html>".encode()
    error = refused(data, "沙溪镇.xls")
    assert error.code == "file-unreadable"
    assert "HTML" in error.reason


# formula cells without a usable value (QA bug 1) and stray blank cells far away (QA bug 8)


def test_formula_error_cells_become_cell_errors() -> None:
    def build(workbook: xlsxwriter.Workbook, sheet: object) -> None:
        sheet.write_formula("A1", "=1/0", None, "#DIV/0!")  # type: ignore[attr-defined]
        sheet.write_formula("B1", "=NA()", None, "#N/A")  # type: ignore[attr-defined]
        sheet.write_formula("C1", "=A1*2", None, 24)  # type: ignore[attr-defined]
        sheet.write_string("D1", "#REF!")  # type: ignore[attr-defined]  # text the town typed stays text

    (grid,) = read_grids(xlsx_bytes(build), "a.xlsx")
    assert grid.cells[0] == [CellError("#DIV/0!", "1/0"), CellError("#N/A", "NA()"), 24.0, "#REF!"]
    assert str(grid.cells[0][0]) == "#DIV/0!" and not grid.cells[0][0].no_value


def test_formula_saved_without_a_result_is_a_cell_error_not_a_blank() -> None:
    workbook = openpyxl.Workbook()  # openpyxl saves formulas without cached values
    first = workbook.active
    first.title = "说明"
    first["A1"] = "填表说明"
    sheet = workbook.create_sheet("项目 & 进度")  # the name is escaped in workbook.xml
    sheet.append(["项目名称", "下达资金", "已支出", "备注"])
    sheet.append(["a", 10, "=B2*0.5", '=IF(1,"",1)'])
    buffer = io.BytesIO()
    workbook.save(buffer)
    grids = read_grids(buffer.getvalue(), "a.xlsx")
    assert grids[0].cells == [["填表说明"]]
    row = grids[1].cells[1]
    assert row[:2] == ["a", 10.0]
    assert row[2] == CellError("", "B2*0.5") and row[2].no_value and str(row[2]) == "=B2*0.5"
    assert row[3] == CellError("", 'IF(1,"",1)')


def test_formula_whose_result_is_empty_text_stays_blank() -> None:
    data = xlsx_bytes(lambda wb, sheet: sheet.write_string("A1", "x"))
    archive = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for item in archive.infolist():
            part = archive.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":  # as Excel saves =IF(…,"",…): t="str", empty value
                part = part.replace(b"</row>", b'<c r="B1" t="str"><f>IF(1,"",1)</f><v></v></c></row>')
            target.writestr(item, part)
    (grid,) = read_grids(out.getvalue(), "a.xlsx")
    assert grid.cells == [["x", None]]


@pytest.mark.parametrize("stray", ["D150000", "ZZ5"])
def test_a_stray_space_far_below_the_table_is_not_a_too_large_sheet(stray: str) -> None:
    def build(workbook: xlsxwriter.Workbook, sheet: object) -> None:
        sheet.write_row("C3", ["项目名称", "下达资金", "已支出"])  # type: ignore[attr-defined]
        sheet.write_row("C4", ["a", 1, 2])  # type: ignore[attr-defined]
        sheet.write_string(stray, " ")  # type: ignore[attr-defined]

    (grid,) = read_grids(xlsx_bytes(build), "a.xlsx")
    assert len(grid.cells) == 4 and all(len(row) == 5 for row in grid.cells)
    assert grid.cells[3] == [None, None, "a", 1.0, 2.0]
    # a real value that far down is still too large
    data = xlsx_bytes(lambda wb, sheet: sheet.write_string("D150000", "x"))
    assert refused(data, "a.xlsx").code == "file-too-large"


def test_csv_grid_says_it_is_csv() -> None:
    (grid,) = read_grids(csv_bytes(ROWS, "utf-8"), "a.csv")
    assert grid.source == "csv"
    (sheet,) = read_grids(xlsx_bytes(lambda wb, s: s.write_string("A1", "x")), "a.xlsx")
    assert sheet.source is None
