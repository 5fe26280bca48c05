"""Byte-level builders for the hostile corpus: raw xlsx parts, town workbooks, CSVs and OLE/CFB containers."""

from __future__ import annotations

import io
import struct
import zipfile
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from typing import Any
from xml.sax.saxutils import escape

import xlsxwriter

HEADER = ("序号", "项目名称", "村(社区)", "下达资金（万元）", "已支出（万元）", "项目状态")
MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
XML_DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'


def W(wan: str | int | float) -> int:  # noqa: N802 - reads like the unit it converts
    """万元 → 分, exactly."""
    return int(Decimal(str(wan)) * 1_000_000)


# --- raw xlsx ------------------------------------------------------------------------------------------


def col_letter(col: int) -> str:
    """0 → A, 16383 → XFD."""
    letters = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def cell_xml(row: int, col: int, value: Any) -> str:
    """One ``<c>`` with an inline string or a number; ``row``/``col`` are 0-based."""
    ref = f"{col_letter(col)}{row + 1}"
    if isinstance(value, str):
        return f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{escape(value)}</t></is></c>'
    return f'<c r="{ref}"><v>{value!r}</v></c>'


def sheet_xml(rows: Iterable[Sequence[Any]], *, body: str = "", before: str = "") -> str:
    """A worksheet part from rows of values (None leaves a cell out); ``body`` is appended raw to sheetData."""
    parts = [XML_DECL, before, f'<worksheet xmlns="{MAIN_NS}" xmlns:r="{REL_NS}"><sheetData>']
    for r, values in enumerate(rows):
        cells = "".join(cell_xml(r, c, v) for c, v in enumerate(values) if v is not None)
        parts.append(f'<row r="{r + 1}">{cells}</row>')
    parts.append(body + "</sheetData></worksheet>")
    return "".join(parts)


def workbook_xml(names: Sequence[str], before: str = "", extra: str = "") -> str:
    sheets = "".join(f'<sheet name="{escape(n, {chr(34): "&quot;"})}" sheetId="{i + 1}" r:id="rId{i + 1}"/>'
                     for i, n in enumerate(names))
    return (f'{XML_DECL}{before}<workbook xmlns="{MAIN_NS}" xmlns:r="{REL_NS}">{extra}<sheets>{sheets}</sheets>'
            "</workbook>")


def raw_xlsx(sheets: Sequence[tuple[str, str | bytes]], *, parts: dict[str, str | bytes] | None = None,
             workbook: str | None = None, targets: Sequence[str] | None = None,
             compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    """An xlsx from worksheet XML, written part by part (so any part can be made hostile)."""
    targets = targets or [f"worksheets/sheet{i + 1}.xml" for i in range(len(sheets))]
    overrides = "".join(
        f'<Override PartName="/xl/{t}" ContentType="application/vnd.openxmlformats-officedocument.'
        'spreadsheetml.worksheet+xml"/>' for t in dict.fromkeys(targets))
    content_types = (
        f'{XML_DECL}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.'
        f'spreadsheetml.sheet.main+xml"/>{overrides}</Types>')
    root_rels = (f'{XML_DECL}<Relationships xmlns="{PKG_REL_NS}"><Relationship Id="rId1" Type="{REL_NS}/'
                 'officeDocument" Target="xl/workbook.xml"/></Relationships>')
    rels = "".join(f'<Relationship Id="rId{i + 1}" Type="{REL_NS}/worksheet" Target="{t}"/>'
                   for i, t in enumerate(targets))
    members: dict[str, str | bytes] = {
        "[Content_Types].xml": content_types, "_rels/.rels": root_rels,
        "xl/workbook.xml": workbook or workbook_xml([name for name, _ in sheets]),
        "xl/_rels/workbook.xml.rels": f'{XML_DECL}<Relationships xmlns="{PKG_REL_NS}">{rels}</Relationships>',
    }
    for target, (_, xml) in zip(targets, sheets, strict=False):
        members[f"xl/{target}"] = xml
    members.update(parts or {})
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def replace_part(data: bytes, name: str, change: Callable[[bytes], bytes]) -> bytes:
    """The same zip with member ``name`` passed through ``change``."""
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for item in source.namelist():
            part = source.read(item)
            archive.writestr(item, change(part) if item == name else part)
    return buffer.getvalue()


# --- town workbooks --------------------------------------------------------------------------------------


def town_rows(town: str, projects: Sequence[Sequence[Any]], *, period: str = "2023年10月",
              header: Sequence[str] = HEADER) -> list[list[Any]]:
    """Title, info row, header, then one row per project (序号 filled in)."""
    rows: list[list[Any]] = [[f"{town}{period}驻镇帮镇扶村项目进度表"],
                             [f"填报单位：{town}    报表月份：{period}    单位：万元"], list(header)]
    rows += [[i + 1, *values] for i, values in enumerate(projects)]
    return rows


def town_xlsx(town: str, projects: Sequence[Sequence[Any]], *, sheet: str = "项目进度", **kw: Any) -> bytes:
    """A plain town workbook written part by part (inline strings; every value exactly as given)."""
    return raw_xlsx([(sheet, sheet_xml(town_rows(town, projects, **kw)))])


def xlsxwriter_bytes(rows: Sequence[Sequence[Any]], *, sheet: str = "项目进度", options: dict | None = None,
                     protect: bool = False) -> bytes:
    """A workbook as XlsxWriter writes it; strings always as strings (never formulas)."""
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"strings_to_formulas": False, "strings_to_numbers": False,
                                            **(options or {})})
    worksheet = workbook.add_worksheet(sheet)
    for r, values in enumerate(rows):
        for c, value in enumerate(values):
            if value is None:
                continue
            if isinstance(value, str):
                worksheet.write_string(r, c, value)
            else:
                worksheet.write_number(r, c, value)
    if protect:
        worksheet.protect("secret")
        workbook.set_properties({"title": "protected"})
    workbook.close()
    return buffer.getvalue()


def csv_bytes(rows: Sequence[Sequence[Any]], encoding: str = "utf-8", delimiter: str = ",",
              errors: str = "strict") -> bytes:
    lines = [delimiter.join("" if v is None else str(v) for v in row) for row in rows]
    return ("\r\n".join(lines) + "\r\n").encode(encoding, errors)


# --- OLE / compound file (CFB v3) ---------------------------------------------------------------------------

FREESECT, ENDOFCHAIN, FATSECT, NOSTREAM = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF
SECTOR = 512


def cfb(streams: dict[str, bytes]) -> bytes:
    """A compound file holding ``streams`` in its root storage (as an encrypted xlsx or an .xls is).

    Every stream is padded to the 4096-byte mini-stream cutoff so it lives in regular sectors; one FAT
    sector (so at most ~60 KB of streams) and one directory sector (at most three streams).
    """
    names = sorted(streams, key=lambda n: (len(n), n.upper()))
    assert len(names) <= 3
    payloads = [streams[n].ljust(4096, b"\0") for n in names]
    fat = [FATSECT, ENDOFCHAIN]  # sector 0: the FAT, sector 1: the directory
    starts = []
    for payload in payloads:
        count = -(-len(payload) // SECTOR)
        start = len(fat)
        starts.append(start)
        fat += [start + i + 1 for i in range(count - 1)] + [ENDOFCHAIN]
    assert len(fat) <= SECTOR // 4
    fat += [FREESECT] * (SECTOR // 4 - len(fat))
    header = bytearray(SECTOR)
    header[0:8] = bytes.fromhex("D0CF11E0A1B11AE1")
    struct.pack_into("<HHHHH", header, 0x18, 0x003E, 0x0003, 0xFFFE, 9, 6)
    struct.pack_into("<IIIIIIIII", header, 0x2C, 1, 1, 0, 4096, ENDOFCHAIN, 0, ENDOFCHAIN, 0, 0)
    for i in range(1, 109):
        struct.pack_into("<I", header, 0x4C + 4 * i, FREESECT)
    # a chain of right siblings in name order is a valid (degenerate, all-black) red-black tree
    entries = [_dir_entry("Root Entry", 5, child=1 if names else NOSTREAM, start=ENDOFCHAIN, size=0)]
    for i, (name, start, payload) in enumerate(zip(names, starts, payloads, strict=True)):
        right = i + 2 if i + 1 < len(names) else NOSTREAM
        entries.append(_dir_entry(name, 2, right=right, start=start, size=len(payload)))
    entries += [_dir_entry("", 0)] * (4 - len(entries))
    body = b"".join(p.ljust(-(-len(p) // SECTOR) * SECTOR, b"\0") for p in payloads)
    return bytes(header) + struct.pack(f"<{SECTOR // 4}I", *fat) + b"".join(entries) + body


def _dir_entry(name: str, kind: int, *, child: int = NOSTREAM, right: int = NOSTREAM, start: int = 0,
               size: int = 0) -> bytes:
    encoded = name.encode("utf-16-le") + b"\0\0" if name else b""
    entry = bytearray(128)
    entry[0 : len(encoded)] = encoded
    struct.pack_into("<HBBIII", entry, 64, len(encoded), kind, 1, NOSTREAM, right, child)
    struct.pack_into("<IQ", entry, 116, start, size)
    return bytes(entry)


def encryption_info() -> bytes:
    """An agile EncryptionInfo stream (version 4.4), as Excel writes for a password-protected workbook."""
    xml = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?><encryption xmlns="http://schemas.microsoft.'
           'com/office/2006/encryption"><keyData saltSize="16" blockSize="16" keyBits="256" hashSize="64" '
           'cipherAlgorithm="AES" cipherChaining="ChainingModeCBC" hashAlgorithm="SHA512" '
           'saltValue="AAAAAAAAAAAAAAAAAAAAAA=="/></encryption>')
    return struct.pack("<HHI", 4, 4, 0x40) + xml.encode()


def biff_record(kind: int, payload: bytes = b"") -> bytes:
    return struct.pack("<HH", kind, len(payload)) + payload


def biff_workbook(*, filepass: bool) -> bytes:
    """A BIFF8 Workbook stream: BOF, (FILEPASS: the file is encrypted), EOF."""
    bof = biff_record(0x0809, struct.pack("<HHHHII", 0x0600, 0x0005, 0x0DBB, 0x07CC, 0, 0x0206))
    rc4 = biff_record(0x002F, struct.pack("<HHH", 1, 1, 1) + bytes(48))
    return bof + (rc4 if filepass else b"") + biff_record(0x000A)
