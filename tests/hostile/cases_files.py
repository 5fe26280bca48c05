"""Cases about the file as a container: broken zips, wrong formats, empty files, bombs, entities, encryption."""

from __future__ import annotations

import io
import random
import struct
import zipfile
from collections.abc import Iterator

from tests.hostile import bombs
from tests.hostile.case import Corpus
from tests.hostile.parts import (
    MAIN_NS,
    XML_DECL,
    W,
    cfb,
    csv_bytes,
    encryption_info,
    raw_xlsx,
    replace_part,
    sheet_xml,
    town_rows,
    town_xlsx,
    workbook_xml,
    xlsxwriter_bytes,
)

PROJECTS = [["道路硬化", "溪口村", 100, 25.5, "在建"], ["污水治理", "北堤村", 80, 0, "招投标"]]
VALUES = {"道路硬化": (W(100), W("25.5")), "污水治理": (W(80), 0)}
UNREADABLE = {"file-unreadable"}
TOO_LARGE = {"file-too-large"}
MIB = 1024 * 1024


def good(town: str) -> bytes:
    return town_xlsx(town, PROJECTS)


def add_zip_cases(corpus: Corpus, towns: Iterator[str]) -> None:
    cat = "truncated-zip"
    for slug, cut in (("cut-at-10-percent", 0.1), ("cut-at-half", 0.5), ("cut-at-90-percent", 0.9)):
        town = next(towns)
        corpus.add(cat, slug, f"{town}_{slug}.xlsx", lambda t=town, c=cut: good(t)[: int(len(good(t)) * c)],
                   "rejected", UNREADABLE, note=f"a good workbook cut to {int(cut * 100)}% of its bytes")
    town = next(towns)
    corpus.add(cat, "last-byte-missing", f"{town}_last-byte.xlsx", lambda t=town: good(t)[:-1], "rejected",
               UNREADABLE, note="one byte short: the end-of-directory record is broken")
    town = next(towns)
    corpus.add(cat, "no-central-directory", f"{town}_no-directory.xlsx",
               lambda t=town: good(t)[: good(t).find(b"PK\x01\x02")], "rejected", UNREADABLE,
               note="the local entries only, the zip directory gone")

    cat = "corrupt-zip"
    town = next(towns)
    corpus.add(cat, "flipped-bytes-in-sheet", f"{town}_flipped.xlsx", lambda t=town: _flip_in_sheet(good(t)),
               "rejected", UNREADABLE, note="bytes inverted inside the deflated sheet (CRC no longer matches)")
    town = next(towns)
    corpus.add(cat, "bad-directory-offset", f"{town}_bad-offset.xlsx", lambda t=town: _bad_offset(good(t)),
               "rejected", UNREADABLE, note="the end record points the directory at the wrong offset")
    corpus.add(cat, "sheet-xml-not-well-formed", "broken-sheet-xml.xlsx",
               lambda: raw_xlsx([("项目进度", f'{XML_DECL}<worksheet xmlns="{MAIN_NS}"><sheetData><row><c')]),
               "rejected", UNREADABLE, note="the worksheet XML stops mid-tag")
    corpus.add(cat, "no-workbook-part", "only-a-sheet.xlsx", _only_sheet, "rejected", UNREADABLE,
               note="a zip holding a worksheet but no xl/workbook.xml")
    corpus.add(cat, "empty-zip", "empty-zip.xlsx", lambda: b"PK\x05\x06" + bytes(18), "rejected", UNREADABLE,
               note="an empty zip archive")
    town = next(towns)
    corpus.add(cat, "zip-slip-member-names", f"{town}_2023年10月_zip-slip.xlsx", lambda t=town: _zip_slip(good(t)),
               "accepted", values=VALUES, town=town, period="2023-10",
               note="extra members named ../../../tmp/… and /etc/…: never extracted, the data loads")
    town = next(towns)
    corpus.add(cat, "sheet-target-outside-package", f"{town}_2023年10月_rels-escape.xlsx",
               lambda t=town: raw_xlsx([("项目进度", sheet_xml(town_rows(t, PROJECTS)))],
                                       targets=["../../../../etc/hostname"]),
               "accepted", values=VALUES, town=town, period="2023-10",
               note="the sheet's relationship says ../../../../etc/hostname: that names a member of the zip, "
                    "never a file on disk")
    town = next(towns)
    corpus.add(cat, "sheet-target-missing", f"{town}_rels-missing.xlsx",
               lambda t=town: replace_part(raw_xlsx([("项目进度", sheet_xml(town_rows(t, PROJECTS)))]),
                                           "xl/_rels/workbook.xml.rels",
                                           lambda x: x.replace(b"worksheets/sheet1.xml", b"/../../etc/hostname")),
               "rejected", UNREADABLE, note="the sheet's relationship points at /../../etc/hostname, not in the zip")
    town = next(towns)
    corpus.add(cat, "stored-not-deflated", f"{town}_2023年10月_stored.xlsx",
               lambda t=town: raw_xlsx([("项目进度", sheet_xml(town_rows(t, PROJECTS)))],
                                       compression=zipfile.ZIP_STORED),
               "accepted", values=VALUES, town=town, period="2023-10", note="members stored uncompressed (valid)")


def _flip_in_sheet(data: bytes) -> bytes:
    at = data.find(b"xl/worksheets/sheet1.xml") + len("xl/worksheets/sheet1.xml")
    out = bytearray(data)
    for i in range(at + 40, at + 80):
        out[i] ^= 0xFF
    return bytes(out)


def _bad_offset(data: bytes) -> bytes:
    out = bytearray(data)
    end = out.rfind(b"PK\x05\x06")
    struct.pack_into("<I", out, end + 16, 7)
    return bytes(out)


def _only_sheet() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("xl/worksheets/sheet1.xml", sheet_xml([["项目名称", "下达资金", "已支出"]]))
    return buffer.getvalue()


def _zip_slip(data: bytes) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for item in source.infolist():
            archive.writestr(item, source.read(item))
        archive.writestr("../../../tmp/fundmon-zip-slip.txt", "escaped")
        archive.writestr("/etc/fundmon-zip-slip.txt", "escaped")
    return buffer.getvalue()


def add_format_cases(corpus: Corpus, towns: Iterator[str]) -> None:
    cat = "not-excel"
    corpus.add(cat, "png-named-xlsx", "photo.xlsx", lambda: b"\x89PNG\r\n\x1a\n" + random.Random(10).randbytes(2048),
               "rejected", UNREADABLE, note="a PNG image renamed .xlsx")
    corpus.add(cat, "pdf-named-xlsx", "scan.xlsx", lambda: b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n"
               + bytes(range(256)) * 8, "rejected", UNREADABLE, note="a PDF renamed .xlsx")
    corpus.add(cat, "elf-named-xls", "program.xls", lambda: b"\x7fELF\x02\x01\x01" + bytes(4096), "rejected",
               UNREADABLE, note="an executable renamed .xls")
    corpus.add(cat, "random-bytes", "noise.xlsx", lambda: random.Random(7).randbytes(8192), "rejected",
               UNREADABLE, note="8 KB of random bytes")
    corpus.add(cat, "docx-named-xlsx", "letter.xlsx", _docx, "rejected", UNREADABLE,
               note="a Word document (a zip without a workbook) renamed .xlsx")
    corpus.add(cat, "html-table-named-xls", "export.xls",
               lambda: "<html><body><table><tr><td>项目名称</td></tr></table></body></html>".encode(),
               "rejected", UNREADABLE, note="an HTML table saved with an .xls name")
    corpus.add(cat, "xlsb-named-xlsx", "binary.xlsx", _xlsb, "rejected", UNREADABLE,
               note="a binary workbook (xl/workbook.bin): refused, asked for .xlsx")
    corpus.add(cat, "ods-repeated-cells", "libre.xlsx", lambda: bombs.ods_repeated(1_000_000, 16_384),
               "rejected", UNREADABLE, isolated=True, note="an OpenDocument sheet repeating one cell 16 billion times")
    town = next(towns)
    corpus.add(cat, "csv-named-xlsx", f"{town}_2023年10月_csv.xlsx",
               lambda t=town: csv_bytes(town_rows(t, PROJECTS)), "accepted", values=VALUES, town=town,
               period="2023-10", note="a UTF-8 CSV with an .xlsx name: read by content")

    cat = "empty"
    corpus.add(cat, "zero-bytes", "zero.xlsx", lambda: b"", "rejected", {"file-empty"}, note="0 bytes")
    corpus.add(cat, "whitespace-csv", "blank.csv", lambda: b" \r\n\t\r\n", "rejected", {"file-empty"},
               note="only whitespace")
    corpus.add(cat, "only-commas-csv", "commas.csv", lambda: b",,,\r\n,,,\r\n", "rejected", {"file-empty"},
               note="only delimiters")
    corpus.add(cat, "one-empty-sheet", "empty-sheet.xlsx", lambda: xlsxwriter_bytes([]), "rejected",
               {"file-empty"}, note="a workbook with one empty sheet")
    corpus.add(cat, "three-empty-sheets", "three-empty.xlsx",
               lambda: raw_xlsx([(f"Sheet{i}", sheet_xml([])) for i in (1, 2, 3)]), "rejected", {"file-empty"},
               note="three sheets, no cells")
    corpus.add(cat, "only-blank-cells", "spaces.xlsx", lambda: xlsxwriter_bytes([[" ", "  "], ["\u3000"]]),
               "rejected", {"file-empty"}, note="cells holding only spaces (also the full-width one)")


def _docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def _xlsb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.bin", bytes(64))
        archive.writestr("xl/worksheets/sheet1.bin", bytes(64))
    return buffer.getvalue()


def add_bomb_cases(corpus: Corpus, towns: Iterator[str]) -> None:
    cat = "zip-bomb"
    corpus.add(cat, "deflate-bomb-honest-sizes", "bomb-honest.xlsx", lambda: bombs.deflate_bomb(400 * MIB),
               "rejected", TOO_LARGE, isolated=True, note="0.4 MB inflating to 400 MB; the directory says so")
    corpus.add(cat, "deflate-bomb-lying-sizes", "bomb-lying.xlsx",
               lambda: bombs.deflate_bomb(400 * MIB, declared=2048), "rejected", UNREADABLE, isolated=True,
               note="the same, with the directory claiming 2 KB: inflating stops at 2 KB, the CRC fails")
    corpus.add(cat, "many-members", "bomb-members.xlsx", lambda: bombs.many_members(400, MIB), "rejected",
               TOO_LARGE, isolated=True, note="400 members of 1 MB of zeros each (honest, 400 MB in sum)")
    town = next(towns)
    corpus.add(cat, "nested-bomb-never-opened", f"{town}_2023年10月_nested.xlsx",
               lambda t=town: bombs.with_nested_bomb(good(t)), "accepted", values=VALUES, town=town,
               period="2023-10", isolated=True, note="a good workbook embedding a zip bomb it never opens")

    cat = "xml-entities"
    for where in ("shared", "sheet", "workbook", "types"):
        town = next(towns)
        corpus.add(cat, f"billion-laughs-in-{where}", f"{town}_laughs-{where}.xlsx",
                   lambda t=town, w=where: bombs.entity_workbook(w, t, PROJECTS), "rejected", UNREADABLE,
                   isolated=True, note=f"nine nested entities (10⁹ × “lol”) in the {where} part")
    town = next(towns)
    corpus.add(cat, "external-entity", f"{town}_xxe.xlsx",
               lambda t=town: bombs.entity_workbook(
                   "shared", t, PROJECTS, doctype='<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>',
                   reference="&xxe;"), "rejected", UNREADABLE, isolated=True,
               note="an external entity naming file:///etc/passwd")
    town = next(towns)
    big = "A" * 50_000
    corpus.add(cat, "quadratic-blowup", f"{town}_quadratic.xlsx",
               lambda t=town: bombs.entity_workbook("sheet", t, PROJECTS, doctype=f'<!DOCTYPE x [<!ENTITY a "{big}">]>',
                                                    reference="&a;" * 20_000), "rejected", UNREADABLE,
               isolated=True, note="one 50 KB entity referenced 20,000 times (1 GB)")

    cat = "encrypted"
    corpus.add(cat, "agile-encrypted-xlsx", "password.xlsx", bombs.encrypted_xlsx, "rejected", UNREADABLE,
               isolated=True, note="a password-protected xlsx: OLE container with EncryptionInfo")
    corpus.add(cat, "encrypted-named-xls", "password.xls", bombs.encrypted_xlsx, "rejected", UNREADABLE,
               isolated=True, note="the same container named .xls")
    corpus.add(cat, "xls-with-filepass", "password-biff.xls", bombs.encrypted_xls, "rejected", UNREADABLE,
               isolated=True, note="a BIFF8 .xls whose globals start with a FILEPASS (RC4) record")
    corpus.add(cat, "encryption-info-only", "half-encrypted.xlsx",
               lambda: cfb({"EncryptionInfo": encryption_info()}), "rejected", UNREADABLE, isolated=True,
               note="EncryptionInfo without a package")
    town = next(towns)
    corpus.add(cat, "sheet-protected", f"{town}_2023年10月_protected.xlsx",
               lambda t=town: xlsxwriter_bytes(town_rows(t, PROJECTS), protect=True), "accepted", values=VALUES,
               town=town, period="2023-10", note="sheet protection with a password (not encryption): readable")
    town = next(towns)
    corpus.add(cat, "workbook-structure-locked", f"{town}_2023年10月_locked.xlsx",
               lambda t=town: raw_xlsx([("项目进度", sheet_xml(town_rows(t, PROJECTS)))], workbook=workbook_xml(
                   ["项目进度"], extra='<workbookProtection workbookPassword="CC3D" lockStructure="1"/>')),
               "accepted", values=VALUES, town=town, period="2023-10", note="workbook structure locked: readable")


def add_size_cases(corpus: Corpus, towns: Iterator[str]) -> None:
    cat = "huge-sheet"
    corpus.add(cat, "million-rows", "million-rows.xlsx", lambda: bombs.dense_rows(1_000_000), "rejected",
               TOO_LARGE, isolated=True, note="1,000,000 project rows")
    corpus.add(cat, "all-16384-columns", "wide.xlsx", lambda: bombs.wide_row(16_384), "rejected", TOO_LARGE,
               isolated=True, note="one row with a value in all 16,384 columns")
    town = next(towns)
    corpus.add(cat, "far-corner-cell", f"{town}_corner.xlsx",
               lambda t=town: bombs.far_corner(1_048_575, 16_383, t, PROJECTS), "rejected", TOO_LARGE,
               isolated=True, note="a town table plus one value in XFD1048576 (17 billion cells spanned)")
    town = next(towns)
    corpus.add(cat, "row-past-excel-limit", f"{town}_row-99999999.xlsx",
               lambda t=town: bombs.far_corner(99_999_998, 0, t, PROJECTS), "rejected", TOO_LARGE, isolated=True,
               note="a value in row 99,999,999 (Excel stops at 1,048,576)")
    town = next(towns)
    corpus.add(cat, "stray-value-at-zz100000", f"{town}_stray.xlsx",
               lambda t=town: bombs.far_corner(99_999, 701, t, PROJECTS), "rejected", TOO_LARGE, isolated=True,
               note="a real value far below and right of the table (70 million cells spanned)")
    town = next(towns)
    corpus.add(cat, "stray-space-far-below", f"{town}_2023年10月_stray-space.xlsx",
               lambda t=town: xlsxwriter_bytes(town_rows(t, PROJECTS) + [[]] * 150_000 + [[" "]]), "accepted",
               values=VALUES, town=town, period="2023-10", isolated=True,
               note="a lone space in row 150,009: trimmed, the table loads")
    corpus.add(cat, "csv-million-rows", "million.csv",
               lambda: b"\xe9\xa1\xb9\xe7\x9b\xae\xe5\x90\x8d\xe7\xa7\xb0,1,1\r\n" * 1_000_000, "rejected",
               TOO_LARGE, isolated=True, note="a CSV of 1,000,000 rows")
    corpus.add(cat, "csv-16384-columns", "wide.csv", lambda: (",".join(["1"] * 16_384) + "\r\n").encode() * 3,
               "rejected", TOO_LARGE, isolated=True, note="a CSV of 16,384 columns")
    corpus.add(cat, "csv-empty-lines-then-a-value", "newlines.csv",
               lambda: "项目名称\n".encode() + b"\n" * (40 * MIB) + "道路硬化\n".encode(), "rejected", TOO_LARGE,
               isolated=True, note="40 million empty lines, then a value (row 41,943,042)")
    town = next(towns)
    corpus.add(cat, "csv-trailing-empty-lines", f"{town}_2023年10月_trailing.csv",
               lambda t=town: csv_bytes(town_rows(t, PROJECTS)) + b"\r\n" * (4 * MIB), "accepted", values=VALUES,
               town=town, period="2023-10", isolated=True,
               note="a good CSV followed by 4 million empty lines: they are not rows")
    town = next(towns)
    corpus.add(cat, "million-merged-ranges", f"{town}_2023年10月_merges.xlsx",
               lambda t=town: bombs.merged_ranges(1_000_000, t, PROJECTS), "accepted", values=VALUES, town=town,
               period="2023-10", isolated=True, note="1,000,000 merged ranges beside the table")
    town = next(towns)
    corpus.add(cat, "ten-thousand-sheet-names", f"{town}_sheets.xlsx",
               lambda t=town: bombs.many_sheets(10_000, t, PROJECTS), "rejected", TOO_LARGE, isolated=True,
               note="10,000 sheet names all pointing at one worksheet part (more than 255 sheets)")
