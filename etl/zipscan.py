"""Look inside an xlsx before calamine opens it: the real (not the declared) sizes, DTDs, and how far the
cells reach — calamine allocates the whole rectangle from A1 to the farthest cell at once, so one value in
XFD1048576 would abort the process instead of raising."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
import zipfile
import zlib
from dataclasses import dataclass, field
from operator import itemgetter

MIB = 1024 * 1024
CHUNK = 4 * MIB
#: members up to this size (and this much in all) are kept inflated for the reader
KEEP_MEMBER = MIB
KEEP_BYTES = 8 * MIB
#: a tag longer than this is not one calamine would read as a cell: stop carrying it between chunks
_MAX_CARRY = MIB
#: ``r="AB12"`` (a cell) or ``r="12"`` (a row): letters may be empty
_REF_RE = re.compile(rb"""\br\s*=\s*["']\$?([A-Za-z]{0,7})\$?(\d{1,10})["']""")
_TAG_RE = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(row|c)(?=[\s/>])([^>]*)>")
#: tags the fast path does not count (a namespace prefix, or a tab or line break after the name)
_UNUSUAL_RE = re.compile(rb"<[A-Za-z_][\w.-]*:(?:c|row)[\s/>]|<(?:c|row)[\t\r\n]")
#: raw control characters, or Excel's _xHHHH_ escapes of them, which calamine turns into the characters
_CONTROL_RE = re.compile(rb"[\x00-\x08\x0b\x0e-\x1f\x7f]|_x00[01][0-9A-Fa-f]_|_x007[Ff]_")
_CONTROL_BYTES = bytes([*range(0x00, 0x09), 0x0b, *range(0x0e, 0x20), 0x7f])
_ESCAPE_RE = re.compile(rb"_x00[01][0-9A-Fa-f]_|_x007[Ff]_")


class ZipRefusal(Exception):
    """The archive must not reach calamine; ``code`` is a finding code."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail


@dataclass
class ZipFacts:
    """What the scan learnt that the reader needs."""

    #: some part holds control characters (NUL …) that must not reach the database
    control_chars: bool = False
    #: the farthest cell of any part, as rows × columns from A1
    rows: int = 0
    cols: int = 0
    #: the inflated bytes of the small members (by name, as ``ZipFile.read`` finds them), so the reader does
    #: not inflate them again; ``names`` is the archive's ``namelist()``
    parts: dict[str, bytes] = field(default_factory=dict)
    names: list[str] = field(default_factory=list)


class _NeedExact(Exception):
    """Some cell or row has no ``r`` attribute: positions must be counted tag by tag."""


class _PartScan:
    """Streamed over one member: DTD seen, control characters seen, and the extent of its cells."""

    def __init__(self, exact: bool) -> None:
        self.exact = exact
        self.carry = b""
        self.doctype = self.control = False
        self.max_row = self.max_col = 0  # 1-based extents (0: no cell)
        self.row = 0  # exact mode: the current row (1-based) and column (1-based) of the last cell
        self.col = 0
        #: the member's bytes when it came in one small chunk
        self.data: bytes | None = None

    def feed(self, chunk: bytes) -> None:
        data = self.carry + chunk
        cut = data.rfind(b"<")
        if cut == -1 or len(data) - cut > _MAX_CARRY:
            body, self.carry = data, b""
        else:
            body, self.carry = data[:cut], data[cut:]
        self._scan(body)

    def finish(self) -> None:
        self._scan(self.carry)
        self.carry = b""

    def _scan(self, body: bytes) -> None:
        if b"<!DOCTYPE" in body:
            self.doctype = True
        if not self.control and _has_control(body):
            self.control = True
        if self.exact:
            self._scan_exact(body)
            return
        # bytes.count and ``in`` first: the regular expressions only where they can find something
        cells = body.count(b"<c ") + body.count(b"<c>") + body.count(b"<c/>") if b"<c" in body else 0
        rows = body.count(b"<row ") + body.count(b"<row>") + body.count(b"<row/>") if b"<row" in body else 0
        if _unusual_hint(body) and _UNUSUAL_RE.search(body):
            raise _NeedExact
        if not cells and not rows:
            return
        refs = _REF_RE.findall(body)
        if len(refs) < cells + rows:
            raise _NeedExact
        self.max_row = max(self.max_row, max(map(int, map(itemgetter(1), refs))))
        self.max_col = max(self.max_col, max(map(column_number, set(map(itemgetter(0), refs)))))

    def _scan_exact(self, body: bytes) -> None:
        for match in _TAG_RE.finditer(body):
            ref = _REF_RE.search(match.group(2))
            letters, digits = (ref.group(1), int(ref.group(2))) if ref else (b"", 0)
            if match.group(1) == b"row":
                self.row = digits if ref and not letters else self.row + 1
                self.col = 0
                self.max_row = max(self.max_row, self.row)
                continue
            if ref and letters:
                self.col, row = column_number(letters), digits
            else:
                self.col, row = self.col + 1, self.row
            self.max_row, self.max_col = max(self.max_row, row), max(self.max_col, self.col)


def _has_control(body: bytes) -> bool:
    """``_CONTROL_RE.search(body)``, the raw bytes found by deleting them (a C loop, not a regex scan)."""
    if len(body.translate(None, _CONTROL_BYTES)) != len(body):
        return True
    return b"_x00" in body and _ESCAPE_RE.search(body) is not None


def _unusual_hint(body: bytes) -> bool:
    """What _UNUSUAL_RE needs to find anything: a prefixed name, or a tab or line break after the tag name."""
    return (b":c" in body or b":row" in body or b"<c\t" in body or b"<c\r" in body or b"<c\n" in body
            or b"<row\t" in body or b"<row\r" in body or b"<row\n" in body)


def column_number(letters: bytes) -> int:
    """b"A" → 1, b"XFD" → 16384 (0 for no letters)."""
    number = 0
    for letter in letters.upper():
        number = number * 26 + letter - 64
    return number


def scan_zip(archive: zipfile.ZipFile, *, max_bytes: int, max_cells: int, max_sheets: int) -> ZipFacts:
    """Inflate every member (counting real bytes), refuse DTDs and any part whose cells span more than
    ``max_cells`` from A1, and workbooks with more than ``max_sheets`` sheets or that read their parts
    more than ``max_bytes`` in all."""
    facts, total, sizes = ZipFacts(names=archive.namelist()), 0, {}
    kept = 0
    for info in archive.infolist():
        if info.is_dir():
            continue
        try:
            scan, size = _scan_member(archive, info, max_bytes - total, exact=False)
        except _NeedExact:
            scan, size = _scan_member(archive, info, max_bytes - total, exact=True)
        total += size
        if scan.data is not None and kept + size <= KEEP_BYTES:
            facts.parts[info.filename], kept = scan.data, kept + size
        else:
            facts.parts.pop(info.filename, None)  # a later member of the same name is the one read
        sizes[info.filename] = size
        if scan.doctype:
            raise ZipRefusal("file-unreadable", "doctype")
        facts.control_chars |= scan.control
        if scan.max_row * scan.max_col > max_cells:
            raise ZipRefusal("file-too-large", f"cells:{scan.max_row}:{scan.max_col}")
        facts.rows, facts.cols = max(facts.rows, scan.max_row), max(facts.cols, scan.max_col)
    _check_sheets(archive, sizes, max_bytes, max_sheets)
    return facts


def _scan_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, budget: int,
                 exact: bool) -> tuple[_PartScan, int]:
    scan, size = _PartScan(exact), 0
    try:
        with archive.open(info) as member:
            while chunk := member.read(CHUNK):
                size += len(chunk)
                if size > budget:
                    raise ZipRefusal("file-too-large", "inflated")
                scan.data = chunk if size == len(chunk) and size <= KEEP_MEMBER else None
                scan.feed(chunk)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, NotImplementedError,
            RuntimeError) as exc:  # CRC or size mismatch (a lying bomb), broken deflate, encrypted member
        raise ZipRefusal("file-unreadable", f"member:{exc}") from exc
    scan.finish()
    return scan, size


def _check_sheets(archive: zipfile.ZipFile, sizes: dict[str, int], max_bytes: int, max_sheets: int) -> None:
    """calamine reads a part once per sheet that names it: bound the count and the bytes read in all."""
    if "xl/workbook.xml" not in sizes:
        return
    try:
        book = ET.fromstring(archive.read("xl/workbook.xml"))
        rels = ET.fromstring(archive.read("xl/_rels/workbook.xml.rels")) \
            if "xl/_rels/workbook.xml.rels" in sizes else None
    except (ET.ParseError, KeyError, ValueError) as exc:
        raise ZipRefusal("file-unreadable", "workbook.xml") from exc
    sheets = [el for el in book.iter() if el.tag.rsplit("}", 1)[-1] == "sheet"]
    if len(sheets) > max_sheets:
        raise ZipRefusal("file-too-large", f"sheets:{len(sheets)}")
    targets = {}
    for el in rels.iter() if rels is not None else ():
        if el.tag.rsplit("}", 1)[-1] == "Relationship":
            target = (el.get("Target") or "").replace("\\", "/")
            targets[el.get("Id")] = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    read = 0
    for sheet in sheets:
        rid = next((v for k, v in sheet.attrib.items() if k.rsplit("}", 1)[-1] == "id"), None)
        read += sizes.get(targets.get(rid, ""), 0)
    if read > max_bytes:
        raise ZipRefusal("file-too-large", f"read:{read}")
