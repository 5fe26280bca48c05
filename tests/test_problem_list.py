"""The 问题清单 workbook, read back with openpyxl (and python-calamine) cell by cell."""

from __future__ import annotations

import io
import os
import re
import zipfile
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill
from openpyxl.worksheet.worksheet import Worksheet
from python_calamine import CalamineWorkbook

from etl.model import SheetGrid
from monitor.errors import UsageError
from monitor.findings import Finding
from reports.problem_list import HEADERS, problem_list_name, write_problem_list
from reports.xlsx_style import LIGHT_COLOURS, PALE_COLOURS, text_width

FILE = "磷溪镇_2023年10月.xlsx"
SHEET = "项目进度"
HEADER = ["序号", "项目名称", "村(社区)", "下达资金（万元）", "已请款", "已拨付", "累计支出", "形象进度", "备注"]
ROWS = [
    [1, "凤岗村人居环境整治", "凤岗村", 100, 60, 60, 55, 0.6, None],
    [2, "古巷村污水管网", "古巷村", 100, 100, 100, 120, 1, None],
    [3, "磷溪镇四小园建设", "仙田村", 50, 10, 10, 5, 0.2, None],
    [4, "磷溪镇四小园建设", "仙田村", 50, 10, 10, 5, "约一半", None],
    [5, "光伏发电项目", "溪口村", 80, 0, 0, "待定", 0, "开工延迟"],
]
INFO = {"镇街": "磷溪镇", "报表月份": "2023-10", "接收时间": "2023-11-03 10:15"}
FORMULA_RAW = '=HYPERLINK("http://x")'


def town_workbook_bytes() -> bytes:
    """A town file as towns make them: blank row 1 and column A, merged title in B2:J2, header at B3."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = SHEET
    ws["B2"] = "磷溪镇2023年10月驻镇帮镇扶村项目进度表"
    ws.merge_cells("B2:J2")
    for c, label in enumerate(HEADER, start=2):
        cell = ws.cell(3, c, label)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", start_color="BDD7EE", end_color="BDD7EE")
    for r, values in enumerate(ROWS, start=4):
        for c, value in enumerate(values, start=2):
            ws.cell(r, c, value)
    ws["B9"], ws["E9"] = "合计", "=SUM(E4:E8)"
    ws["J4"].comment = Comment("镇里自己的批注", "磷溪镇")
    wb.create_sheet("填报说明")["A1"] = "请按模板填写"
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def make_findings() -> list[Finding]:
    here = {"file": FILE, "sheet": SHEET}
    return [
        Finding("name-candidate", "项目名称与已有项目“凤岗村人居环境整治工程”相近，请确认是否同一项目",
                row=4, col=3, column="项目名称", raw="凤岗村人居环境整治", **here),
        Finding("spent-over-allocated", "累计支出120万元超过下达资金100万元，请核实", row=5, col=8,
                column="累计支出", raw="120", **here),
        Finding("bad-percent", "形象进度：“=HYPERLINK(…)”不是百分比", row=7, col=9, column="形象进度",
                raw=FORMULA_RAW, **here),
        Finding("bad-amount", "累计支出：“待定”不是金额，请填写数字（万元）", row=8, col=8, column="累计支出",
                raw="待定", **here),
        Finding("duplicate-project", "项目“磷溪镇四小园建设”重复填报（第6行与第7行），请合并为一行",
                row=7, **here),
        Finding("no-period", "无法确定报表月份，请在表头填写“报表月份：2023年10月”", file=FILE),
    ]


def write(tmp_path: Path, data: bytes, findings: list[Finding], **kwargs: object) -> openpyxl.Workbook:
    out = write_problem_list(tmp_path / "out" / problem_list_name(FILE), file_name=FILE, data=data,
                             findings=findings, **kwargs)  # type: ignore[arg-type]
    assert out.suffix == ".xlsx" and out.is_file()
    return openpyxl.load_workbook(out)


def table(ws: Worksheet) -> list[tuple[object, ...]]:
    """The 问题清单 table rows under its header, as values."""
    header_row = next(r for r in range(1, 20) if ws.cell(r, 1).value == "序号")
    assert tuple(c.value for c in ws[header_row]) == HEADERS
    return [tuple(c.value for c in row) for row in ws.iter_rows(min_row=header_row + 1)]


def fill_rgb(ws: Worksheet, ref: str) -> str | None:
    fill = ws[ref].fill
    return fill.fgColor.rgb[-6:] if fill.fill_type == "solid" else None


@pytest.fixture
def annotated(tmp_path: Path) -> openpyxl.Workbook:
    return write(tmp_path, town_workbook_bytes(), make_findings(), title_info=INFO)


def test_summary_sheet_is_first_and_active(annotated: openpyxl.Workbook) -> None:
    assert annotated.sheetnames == ["问题清单", SHEET, "填报说明"]
    assert annotated.active.title == "问题清单"
    assert [ws.sheet_view.tabSelected for ws in annotated.worksheets] == [True, False, False]


def test_summary_heading_and_info_block(annotated: openpyxl.Workbook) -> None:
    ws = annotated["问题清单"]
    assert ws["A1"].value == f"{FILE} 问题清单"
    texts = [ws.cell(r, 1).value for r in range(2, 7)]
    assert texts[:3] == ["镇街：磷溪镇", "报表月份：2023-10", "接收时间：2023-11-03 10:15"]
    assert texts[3] == "共 6 项问题：错误 3 项，警告 2 项，提示 1 项。"
    assert "加批注" in texts[4]


def test_summary_rows_in_order(annotated: openpyxl.Workbook) -> None:
    rows = table(annotated["问题清单"])
    assert [r[:5] for r in rows] == [
        (1, "错误", None, None, None),
        (2, "错误", SHEET, 7, None),
        (3, "错误", SHEET, 8, "H 累计支出"),
        (4, "警告", SHEET, 5, "H 累计支出"),
        (5, "警告", SHEET, 7, "I 形象进度"),
        (6, "提示", SHEET, 4, "C 项目名称"),
    ]
    assert rows[2][5:] == ("待定", "金额无法识别", "累计支出：“待定”不是金额，请填写数字（万元）")
    assert rows[0][6] == "无法确定报表月份"


def test_summary_fills_and_print_setup(annotated: openpyxl.Workbook) -> None:
    ws = annotated["问题清单"]
    header_row = next(r for r in range(1, 20) if ws.cell(r, 1).value == "序号")
    assert fill_rgb(ws, f"H{header_row + 1}") == LIGHT_COLOURS["red"]
    assert fill_rgb(ws, f"B{header_row + 4}") == LIGHT_COLOURS["yellow"]
    assert fill_rgb(ws, f"B{header_row + 6}") is None  # info rows stay plain
    assert ws[f"H{header_row + 1}"].alignment.wrap_text
    assert ws.freeze_panes == f"A{header_row + 1}"
    assert ws.auto_filter.ref == f"A{header_row}:H{header_row + 6}"
    assert ws.print_title_rows == f"${header_row}:${header_row}"
    assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == 9
    assert ws.page_setup.fitToWidth == 1 and ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.column_dimensions["H"].width >= 60
    assert ws.column_dimensions["E"].width >= text_width("H 累计支出")


def test_formula_looking_raw_text_stays_text(tmp_path: Path) -> None:
    raws = [FORMULA_RAW, "+cmd", "@SUM(A1)", "-1+1", "#N/A", "=1+1"]
    findings = [Finding("bad-amount", f"第{i}个", file=FILE, sheet=SHEET, row=4 + i, col=8, raw=raw)
                for i, raw in enumerate(raws)]
    rows = table(write(tmp_path, town_workbook_bytes(), findings)["问题清单"])
    assert [r[5] for r in rows] == raws
    path = tmp_path / "out" / problem_list_name(FILE)
    ws = openpyxl.load_workbook(path)["问题清单"]
    header_row = next(r for r in range(1, 20) if ws.cell(r, 1).value == "序号")
    assert {ws.cell(header_row + 1 + i, 6).data_type for i in range(len(raws))} == {"s"}
    with zipfile.ZipFile(path) as archive:
        sheet_xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet_xml  # no formula anywhere on the 问题清单 sheet


def test_town_sheet_cells_marked_exactly(annotated: openpyxl.Workbook) -> None:
    ws = annotated[SHEET]
    assert fill_rgb(ws, "H8") == LIGHT_COLOURS["red"]
    assert fill_rgb(ws, "H5") == LIGHT_COLOURS["yellow"]
    assert ws["H8"].comment.text == "【错误】累计支出：“待定”不是金额，请填写数字（万元）"
    assert ws["H8"].comment.author == "fundmon"
    assert "【警告】累计支出120万元超过下达资金100万元" in ws["H5"].comment.text
    assert "【提示】" in ws["C4"].comment.text
    for ref in ("H4", "H6", "G8", "I8", "H9", "B8", "E9"):
        assert fill_rgb(ws, ref) is None, ref
        assert ws[ref].comment is None, ref
    assert fill_rgb(ws, "B3") == "BDD7EE" and ws["B3"].font.bold  # the town's own formatting


def test_town_formula_and_values_survive(annotated: openpyxl.Workbook) -> None:
    ws = annotated[SHEET]
    assert ws["E9"].value == "=SUM(E4:E8)" and ws["E9"].data_type == "f"
    assert ws["H8"].value == "待定" and ws["C4"].value == "凤岗村人居环境整治"
    assert "B2:J2" in {str(r) for r in ws.merged_cells.ranges}
    assert annotated["填报说明"]["A1"].value == "请按模板填写"
    assert ws["J4"].comment.text == "镇里自己的批注" and ws["J4"].comment.author == "磷溪镇"


def test_row_finding_bands_the_row_and_notes_its_first_cell(annotated: openpyxl.Workbook) -> None:
    ws = annotated[SHEET]
    assert ws["B7"].comment.text.startswith("【错误】项目“磷溪镇四小园建设”重复填报")
    for ref in ("B7", "C7", "H7"):
        assert fill_rgb(ws, ref) == PALE_COLOURS["red"], ref
    assert fill_rgb(ws, "I7") == LIGHT_COLOURS["yellow"]  # the cell's own finding stays stronger
    assert fill_rgb(ws, "A7") is None and fill_rgb(ws, "J7") is None
    assert ws["I7"].comment.text.startswith("【警告】")


def test_several_findings_on_one_cell_share_one_comment(tmp_path: Path) -> None:
    findings = [Finding("spent-over-allocated", "超过下达", file=FILE, sheet=SHEET, row=8, col=8),
                Finding("bad-amount", "不是金额", file=FILE, sheet=SHEET, row=8, col=8)]
    ws = write(tmp_path, town_workbook_bytes(), findings)[SHEET]
    assert ws["H8"].comment.text == "【错误】不是金额\n【警告】超过下达"
    assert fill_rgb(ws, "H8") == LIGHT_COLOURS["red"]


def test_merged_cell_finding_goes_to_top_left(tmp_path: Path) -> None:
    finding = Finding("no-town", "标题中的镇街名称无法识别", file=FILE, sheet=SHEET, row=2, col=5)
    ws = write(tmp_path, town_workbook_bytes(), [finding])[SHEET]
    assert "标题中的镇街名称无法识别" in ws["B2"].comment.text
    assert fill_rgb(ws, "B2") == LIGHT_COLOURS["red"]
    assert "B2:J2" in {str(r) for r in ws.merged_cells.ranges}


def test_macro_workbook_comes_back_as_plain_xlsx(tmp_path: Path) -> None:
    data = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(town_workbook_bytes())) as src, zipfile.ZipFile(data, "w") as dst:
        for item in src.infolist():
            body = src.read(item)
            if item.filename == "[Content_Types].xml":
                body = body.replace(b"openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
                                    b"ms-excel.sheet.macroEnabled.main+xml")
            dst.writestr(item, body)
        dst.writestr("xl/vbaProject.bin", b"\xd0\xcf\x11\xe0 not really a macro")
    out = write_problem_list(tmp_path / "磷溪镇.xlsm", file_name="磷溪镇.xlsm", data=data.getvalue(),
                             findings=make_findings())
    assert out.name == "磷溪镇.xlsx"
    with zipfile.ZipFile(out) as archive:
        assert "xl/vbaProject.bin" not in archive.namelist()
        assert b"macroEnabled" not in archive.read("[Content_Types].xml")
    assert openpyxl.load_workbook(out)[SHEET]["E9"].value == "=SUM(E4:E8)"


def grid_cells() -> list[list[object]]:
    cells: list[list[object]] = [[], [None, "磷溪镇2023年10月项目进度表"], [None, *HEADER]]
    cells += [[None, *values] for values in ROWS]
    cells[4][9] = datetime(2023, 10, 15)
    cells[5][9] = date(2023, 11, 1)
    return cells


def test_csv_falls_back_to_grids_with_same_positions(tmp_path: Path) -> None:
    grid = SheetGrid(name="磷溪镇[10月]", cells=grid_cells(), merged=[(1, 1, 1, 9)])
    findings = [Finding("bad-amount", "累计支出：“待定”不是金额", file=FILE, sheet=grid.name, row=8, col=8,
                        column="累计支出", raw="待定")]
    csv = "序号,项目名称\n1,凤岗村\n".encode("gbk")
    wb = write(tmp_path, csv, findings, grids=[grid, SheetGrid("说明", [["无关"]])])
    assert wb.sheetnames == ["问题清单", "磷溪镇10月"]  # only the sheet a finding names, made safe
    ws = wb["磷溪镇10月"]
    assert ws["H8"].value == "待定" and ws["C4"].value == "凤岗村人居环境整治" and ws["E5"].value == 100
    assert fill_rgb(ws, "H8") == LIGHT_COLOURS["red"] and "不是金额" in ws["H8"].comment.text
    assert ws["J5"].is_date and ws["J5"].value == datetime(2023, 10, 15)
    assert ws["J6"].is_date and ws["J6"].value.date() == date(2023, 11, 1)
    assert ws["A1"].value is None and "B2:J2" in {str(r) for r in ws.merged_cells.ranges}
    assert fill_rgb(ws, "H7") is None and ws["H7"].comment is None


def test_damaged_xlsx_falls_back_to_grids(tmp_path: Path) -> None:
    data = town_workbook_bytes()[:400]  # starts like a zip, is not one
    grid = SheetGrid(name=SHEET, cells=grid_cells())
    finding = Finding("bad-amount", "不是金额", file=FILE, sheet=SHEET, row=8, col=8)
    ws = write(tmp_path, data, [finding], grids=[grid])[SHEET]
    assert ws["H8"].value == "待定" and fill_rgb(ws, "H8") == LIGHT_COLOURS["red"]


def test_unreadable_file_gives_only_the_list(tmp_path: Path) -> None:
    findings = [Finding("file-unreadable", "文件已损坏，无法打开，请重新导出后报送", file=FILE)]
    wb = write(tmp_path, os.urandom(2048), findings)
    assert wb.sheetnames == ["问题清单"]
    assert table(wb["问题清单"]) == [(1, "错误", None, None, None, None, "文件无法读取",
                                     "文件已损坏，无法打开，请重新导出后报送")]


def test_no_findings_still_writes_a_list(tmp_path: Path) -> None:
    wb = write(tmp_path, town_workbook_bytes(), [])
    assert wb["问题清单"]["A2"].value == "未发现问题。"
    assert fill_rgb(wb[SHEET], "H8") is None


def test_illegal_control_characters_are_dropped(tmp_path: Path) -> None:
    finding = Finding("bad-amount", "不是\x07金额", file=FILE, sheet=SHEET, row=8, col=8, raw="12\x0b3")
    wb = write(tmp_path, town_workbook_bytes(), [finding])
    assert table(wb["问题清单"])[0][5:] == ("123", "金额无法识别", "不是金额")


def test_output_opens_with_calamine(tmp_path: Path) -> None:
    write(tmp_path, town_workbook_bytes(), make_findings(), title_info=INFO)
    book = CalamineWorkbook.from_path(str(tmp_path / "out" / problem_list_name(FILE)))
    assert book.sheet_names == ["问题清单", SHEET, "填报说明"]
    cells = book.get_sheet_by_name("问题清单").to_python(skip_empty_area=False)
    assert cells[0][0] == f"{FILE} 问题清单"
    assert any(row[5] == FORMULA_RAW for row in cells if len(row) > 5)
    town = book.get_sheet_by_name(SHEET).to_python(skip_empty_area=False)
    assert town[7][7] == "待定"


def test_never_overwrites_the_original(tmp_path: Path) -> None:
    data = town_workbook_bytes()
    source = tmp_path / FILE
    source.write_bytes(data)
    with pytest.raises(UsageError):
        write_problem_list(source, file_name=FILE, data=data, findings=make_findings())
    assert source.read_bytes() == data


@pytest.mark.parametrize(("name", "expected"), [
    ("磷溪镇_2023年10月.xlsx", "磷溪镇_2023年10月_问题清单.xlsx"),
    ("官塘镇 10月.XLSM", "官塘镇 10月_问题清单.xlsx"),
    ("沙溪镇:10月*报表?.csv", "沙溪镇10月报表_问题清单.xlsx"),
    (r"C:\收件\江东镇.xls", "江东镇_问题清单.xlsx"),
    ("inbox/意溪镇.v2.xlsx", "意溪镇.v2_问题清单.xlsx"),
    ('"桥东"<街道>|\t.xlsx', "桥东街道_问题清单.xlsx"),
    ("报表", "报表_问题清单.xlsx"),
    ("", "问题清单.xlsx"),
])
def test_problem_list_name(name: str, expected: str) -> None:
    assert problem_list_name(name) == expected


@given(st.text(max_size=300))
def test_problem_list_name_is_always_windows_safe(name: str) -> None:
    result = problem_list_name(name)
    assert len(result) <= 120 and result.endswith("问题清单.xlsx")
    assert not re.search(r'[\\/:*?"<>|\x00-\x1f]', result)
    assert not result.startswith((" ", "."))
