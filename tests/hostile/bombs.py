"""Builders of the dangerous files: zip bombs, entity expansion, huge and far-flung sheets, encryption."""

from __future__ import annotations

import io
import re
import struct
import zipfile

from tests.hostile.parts import (
    MAIN_NS,
    XML_DECL,
    biff_workbook,
    cell_xml,
    cfb,
    col_letter,
    encryption_info,
    raw_xlsx,
    sheet_xml,
    town_rows,
    workbook_xml,
)

MIB = 1024 * 1024
LAUGHS = ('<!DOCTYPE lolz [<!ENTITY lol "lol">'
          + "".join(f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'
                    for i in range(1, 10)) + "]>")


def spaces_sheet(size: int) -> bytes:
    """A worksheet whose sheetData is ``size`` bytes of blanks: tiny deflated, huge inflated."""
    head = f'{XML_DECL}<worksheet xmlns="{MAIN_NS}"><sheetData>'.encode()
    return head + b" " * size + b"</sheetData></worksheet>"


def deflate_bomb(size: int, *, declared: int | None = None) -> bytes:
    """A workbook whose sheet inflates to ``size`` bytes; ``declared`` makes the zip directory lie about it."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("xl/workbook.xml", workbook_xml(["项目进度"]))
        archive.writestr("xl/_rels/workbook.xml.rels", _sheet_rels())
        with archive.open("xl/worksheets/sheet1.xml", "w") as member:
            member.write(spaces_sheet(0)[:-len("</sheetData></worksheet>")])
            chunk = b" " * MIB
            for _ in range(size // MIB):
                member.write(chunk)
            member.write(b"</sheetData></worksheet>")
    data = bytearray(buffer.getvalue())
    if declared is not None:
        _patch_sizes(data, b"xl/worksheets/sheet1.xml", declared)
    return bytes(data)


def _sheet_rels() -> str:
    return (f'{XML_DECL}<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            'worksheet" Target="worksheets/sheet1.xml"/></Relationships>')


def _patch_sizes(data: bytearray, name: bytes, declared: int) -> None:
    """Write ``declared`` as the uncompressed size of ``name`` in its local header and directory entry."""
    for signature, size_at, name_at in ((b"PK\x03\x04", 22, 30), (b"PK\x01\x02", 24, 46)):
        at = data.find(signature)
        while at != -1:
            if data[at + name_at : at + name_at + len(name)] == name:
                struct.pack_into("<I", data, at + size_at, declared)
            at = data.find(signature, at + 4)


def many_members(count: int, size: int) -> bytes:
    """A workbook carrying ``count`` extra members of ``size`` zero bytes each: honest sizes, huge in sum."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("xl/workbook.xml", workbook_xml(["项目进度"]))
        archive.writestr("xl/_rels/workbook.xml.rels", _sheet_rels())
        archive.writestr("xl/worksheets/sheet1.xml", sheet_xml([["项目名称"]]))
        blob = bytes(size)
        for i in range(count):
            archive.writestr(f"xl/media/image{i}.bin", blob)
    return buffer.getvalue()


def with_nested_bomb(good: bytes) -> bytes:
    """A good workbook that also carries a zip bomb as an embedded file (nothing ever opens it)."""
    inner = deflate_bomb(64 * MIB, declared=1024)
    source = zipfile.ZipFile(io.BytesIO(good))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for item in source.infolist():
            archive.writestr(item, source.read(item))
        archive.writestr("xl/embeddings/oleObject1.bin", inner, zipfile.ZIP_STORED)
    return buffer.getvalue()


def entity_workbook(where: str, town: str, projects: list, *, doctype: str = LAUGHS,
                    reference: str = "&lol9;") -> bytes:
    """A town workbook with a DOCTYPE in one part (``sheet``, ``shared``, ``workbook`` or ``types``)."""
    rows = town_rows(town, projects)
    if where == "shared":
        strings = [str(v) for row in rows for v in row if isinstance(v, str)]
        index = {s: i for i, s in enumerate(dict.fromkeys(strings))}
        body = "".join(f"<si><t>{s}</t></si>" for s in index) + f"<si><t>{reference}</t></si>"
        shared = (f'{XML_DECL}{doctype}<sst xmlns="{MAIN_NS}" count="{len(index) + 1}" '
                  f'uniqueCount="{len(index) + 1}">{body}</sst>')
        cells = []
        for r, row in enumerate(rows):
            xml = "".join(f'<c r="{col_letter(c)}{r + 1}" t="s"><v>{index[v]}</v></c>'
                          if isinstance(v, str) else cell_xml(r, c, v) for c, v in enumerate(row) if v is not None)
            cells.append(f'<row r="{r + 1}">{xml}</row>')
        cells.append(f'<row r="{len(rows) + 1}"><c r="H{len(rows) + 1}" t="s"><v>{len(index)}</v></c></row>')
        sheet = f'{XML_DECL}<worksheet xmlns="{MAIN_NS}"><sheetData>{"".join(cells)}</sheetData></worksheet>'
        return raw_xlsx([("项目进度", sheet)], parts={"xl/sharedStrings.xml": shared})
    if where == "sheet":
        body = f'<row r="{len(rows) + 1}"><c r="H{len(rows) + 1}" t="inlineStr"><is><t>{reference}</t></is></c></row>'
        return raw_xlsx([("项目进度", sheet_xml(rows, body=body, before=doctype))])
    if where == "workbook":
        return raw_xlsx([("项目进度", sheet_xml(rows))],
                        workbook=workbook_xml(["项目进度"], before=doctype).replace(
                            "<sheets>", f"<fileVersion appName='{reference}'/><sheets>"))
    data = raw_xlsx([("项目进度", sheet_xml(rows))])
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in source.namelist():
            text = source.read(name).decode()
            if name == "[Content_Types].xml":
                text = re.sub(r"^<\?xml[^>]*\?>\n?", XML_DECL + doctype, text)
            archive.writestr(name, text)
    return buffer.getvalue()


def far_corner(row: int, col: int, town: str, projects: list) -> bytes:
    """A town workbook plus one value at (``row``, ``col``), 0-based: a bounding box of rows × columns."""
    body = f'<row r="{row + 1}">{cell_xml(row, col, "x")}</row>'
    return raw_xlsx([("项目进度", sheet_xml(town_rows(town, projects), body=body))])


def dense_rows(n_rows: int) -> bytes:
    """A header and ``n_rows`` project rows, written straight into the sheet XML."""
    head = f'{XML_DECL}<worksheet xmlns="{MAIN_NS}"><sheetData>'
    header = '<row r="1">' + "".join(cell_xml(0, c, v) for c, v in enumerate(("项目名称", "下达资金", "已支出"))) \
        + "</row>"
    rows = "".join(f'<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>项目{r}</t></is></c><c r="B{r}"><v>1</v></c>'
                   f'<c r="C{r}"><v>1</v></c></row>' for r in range(2, n_rows + 2))
    return raw_xlsx([("项目进度", head + header + rows + "</sheetData></worksheet>")])


def wide_row(n_cols: int) -> bytes:
    cells = "".join(f'<c r="{col_letter(c)}1"><v>{c}</v></c>' for c in range(n_cols))
    head = f'{XML_DECL}<worksheet xmlns="{MAIN_NS}"><sheetData><row r="1">{cells}</row>'
    return raw_xlsx([("项目进度", head + "</sheetData></worksheet>")])


def merged_ranges(count: int, town: str, projects: list) -> bytes:
    """A town workbook with ``count`` two-cell merged ranges down column J."""
    merges = "".join(f'<mergeCell ref="J{r}:K{r}"/>' for r in range(1, count + 1))
    xml = sheet_xml(town_rows(town, projects)).replace(
        "</sheetData></worksheet>", f'</sheetData><mergeCells count="{count}">{merges}</mergeCells></worksheet>')
    return raw_xlsx([("项目进度", xml)])


def many_sheets(count: int, town: str, projects: list) -> bytes:
    """``count`` sheets that all point at the same worksheet part (read once per sheet name)."""
    xml = sheet_xml(town_rows(town, projects))
    names = ["项目进度"] + [f"S{i}" for i in range(1, count)]
    return raw_xlsx([(n, xml) for n in names], targets=["worksheets/sheet1.xml"] * count)


def ods_repeated(rows: int, cols: int) -> bytes:
    """An OpenDocument sheet whose one cell is repeated ``rows`` × ``cols`` times."""
    ns = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
          'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
          'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"')
    content = (f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {ns} office:version="1.2">'
               '<office:body><office:spreadsheet><table:table table:name="项目进度">'
               f'<table:table-row table:number-rows-repeated="{rows}"><table:table-cell '
               f'table:number-columns-repeated="{cols}" office:value-type="float" office:value="1">'
               "<text:p>1</text:p></table:table-cell></table:table-row></table:table></office:spreadsheet>"
               "</office:body></office:document-content>")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet", zipfile.ZIP_STORED)
        archive.writestr("content.xml", content)
    return buffer.getvalue()


def encrypted_xlsx() -> bytes:
    package = struct.pack("<Q", 8192) + bytes(8192)
    return cfb({"EncryptionInfo": encryption_info(), "EncryptedPackage": package})


def encrypted_xls() -> bytes:
    return cfb({"Workbook": biff_workbook(filepass=True)})
