"""Word documents in the Chinese official style (GB/T 9704-2012): fonts, A4 margins, titles, body, tables.

python-docx's ``font.name`` sets only the Latin font; Chinese text needs ``w:eastAsia`` on ``w:rFonts`` and
no ``*Theme`` attributes there (NOTES.md). Every helper here sets both on every run it makes. The reader's
machine supplies the fonts named (仿宋_GB2312, 方正小标宋简体, 黑体, 楷体_GB2312).
"""

from __future__ import annotations

from collections.abc import Sequence
from copy import deepcopy
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.section import Section
from docx.shared import Mm, Pt
from docx.styles.style import BaseStyle
from docx.table import Table, _Row
from docx.text.paragraph import Paragraph
from docx.text.run import Run

FANGSONG = "仿宋_GB2312"
XIAOBIAOSONG = "方正小标宋简体"
HEITI = "黑体"
KAITI = "楷体_GB2312"
SONGTI = "宋体"
#: Chinese font sizes (字号) in points
SIZE_2, SIZE_3, SIZE_4, SIZE_XIAO4, SIZE_5 = Pt(22), Pt(16), Pt(14), Pt(12), Pt(10.5)
#: A4 type area of GB/T 9704: top, bottom, left, right margins in mm
MARGINS_MM = (37, 35, 28, 26)
#: fixed line pitch of the body (about 22 lines to the page)
LINE_PITCH = Pt(28)
#: the order of ``w:pPr`` children (ECMA-376 CT_PPrBase), from ``w:pBdr`` on
_PPR_ORDER = ("w:pBdr", "w:shd", "w:tabs", "w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap", "w:overflowPunct",
              "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi", "w:adjustRightInd", "w:snapToGrid",
              "w:spacing", "w:ind", "w:contextualSpacing", "w:mirrorIndents", "w:suppressOverlap", "w:jc",
              "w:textDirection", "w:textAlignment", "w:textboxTightWrap", "w:outlineLvl", "w:divId",
              "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange")
_THEME_ATTRS = ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme")


def set_font(target: Run | BaseStyle, name: str, size: Pt | None = None, *, bold: bool | None = None) -> None:
    """Latin and East Asian font of a run or a style (both carry ``.font`` and an ``rPr``).

    A new run (no ``rPr`` yet) gets a copy of the ``rPr`` made once per font, size and weight: python-docx
    spends ~0.25 ms on the properties of each run, and a province's letters have ~70,000 runs."""
    if isinstance(target, Run) and target.element.rPr is None:
        target.element.insert(0, deepcopy(_run_properties(name, size, bold)))
        return
    _set_font(target, name, size, bold)


@lru_cache(maxsize=64)
def _run_properties(name: str, size: Pt | None, bold: bool | None) -> BaseOxmlElement:
    """The ``rPr`` :func:`set_font` gives a bare run (built the slow way once, on a scratch run)."""
    scratch = Run(OxmlElement("w:r"), None)  # type: ignore[arg-type]  # no parent needed for its font
    _set_font(scratch, name, size, bold)
    return scratch.element.rPr  # type: ignore[no-any-return]


def _set_font(target: Run | BaseStyle, name: str, size: Pt | None, bold: bool | None) -> None:
    font = target.font  # type: ignore[union-attr]  # paragraph and character styles have a font
    font.name = name
    if size is not None:
        font.size = size
    if bold is not None:
        font.bold = bold
    element = target.element
    set_east_asian(element.get_or_add_rPr(), name)


def set_east_asian(rpr: BaseOxmlElement, name: str) -> None:
    """Put ``name`` on every script of an ``rPr``'s ``w:rFonts`` and drop theme fonts that would win."""
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in _THEME_ATTRS:
        fonts.attrib.pop(qn(attr), None)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), name)


def new_document(*, title: str = "", author: str = "", created: date | None = None) -> DocumentObject:
    """An A4 portrait document with GB/T 9704 margins, body text 仿宋_GB2312 3号 on a fixed 28 pt line."""
    doc = Document()
    defaults = doc.styles.element.find(qn("w:docDefaults"))
    if defaults is not None:
        for rpr in defaults.iter(qn("w:rPr")):
            set_east_asian(rpr, FANGSONG)
    normal = doc.styles["Normal"]
    set_font(normal, FANGSONG, SIZE_3)
    fmt = normal.paragraph_format  # type: ignore[attr-defined]  # Normal is a paragraph style
    fmt.space_before = fmt.space_after = Pt(0)
    fmt.line_spacing_rule, fmt.line_spacing = WD_LINE_SPACING.EXACTLY, LINE_PITCH
    for section in doc.sections:
        set_a4(section)
    set_properties(doc, title=title, author=author, created=created)
    return doc


def set_properties(doc: DocumentObject, *, title: str, author: str, created: date | None) -> None:
    """Title, author and (when given: a rerun writes the same properties) the date, of the document's file."""
    props = doc.core_properties
    props.title, props.author, props.last_modified_by = title, author, author
    if created is not None:
        props.created = props.modified = datetime(created.year, created.month, created.day)


def set_a4(section: Section, margins_mm: Sequence[float] = MARGINS_MM) -> None:
    """A4 portrait with margins top, bottom, left, right in mm."""
    top, bottom, left, right = margins_mm
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(top), Mm(bottom)
    section.left_margin, section.right_margin = Mm(left), Mm(right)


def add_text(doc: DocumentObject, text: str, *, font: str = FANGSONG, size: Pt = SIZE_3, bold: bool = False,
             align: WD_ALIGN_PARAGRAPH | None = WD_ALIGN_PARAGRAPH.JUSTIFY, indent_chars: float = 0,
             line: Pt | None = None) -> Paragraph:
    """One paragraph of one run; ``indent_chars`` indents the first line by that many characters."""
    paragraph = doc.add_paragraph()
    if align is not None:
        paragraph.alignment = align
    if indent_chars:
        paragraph.paragraph_format.first_line_indent = Pt(size.pt * indent_chars)
    if line is not None:
        paragraph.paragraph_format.line_spacing = line
    set_font(paragraph.add_run(text), font, size, bold=bold)
    return paragraph


def add_title(doc: DocumentObject, text: str) -> Paragraph:
    """The document title: 方正小标宋简体 2号, centred, on a wider line, a blank line's space below."""
    paragraph = add_text(doc, text, font=XIAOBIAOSONG, size=SIZE_2, align=WD_ALIGN_PARAGRAPH.CENTER, line=Pt(36))
    paragraph.paragraph_format.space_after = Pt(14)
    return paragraph


def add_body(doc: DocumentObject, text: str) -> Paragraph:
    """A body paragraph: 仿宋_GB2312 3号, first line indented two characters."""
    return add_text(doc, text, indent_chars=2)


def add_heading(doc: DocumentObject, text: str, level: int = 1) -> Paragraph:
    """``一、`` headings in 黑体, ``（一）`` headings in 楷体_GB2312; 3号, indented two characters."""
    return add_text(doc, text, font=HEITI if level == 1 else KAITI, indent_chars=2)


def add_section(doc: DocumentObject, heading: str, paragraphs: Sequence[str]) -> None:
    """An ``一、`` heading and its body paragraphs."""
    add_heading(doc, heading)
    for text in paragraphs:
        add_body(doc, text)


def add_table(doc: DocumentObject, headers: Sequence[str], rows: Sequence[Sequence[str]],
              widths_mm: Sequence[float], *, size: Pt = SIZE_5, left: Sequence[int] = (),
              snap_to_grid: bool | None = None) -> Table:
    """A bordered table in 仿宋 (header in 黑体), single-spaced, centred on the page; the body cells of the
    ``left`` columns (names, reasons) are aligned left, the rest centred. ``snap_to_grid=False`` takes every
    cell's paragraph off the document grid (see :func:`set_snap_to_grid`).

    The header row and one body row are laid out cell by cell, the python-docx way, once per kind of table
    (headers, widths, size, alignment) and kept; each table is a copy of that with a copy of the body row
    per row, each with its own text: the same XML the cell-by-cell way makes, at a fraction of the cost (a
    province's letters have ~1,100 tables). A table with a short row is laid out the cell-by-cell way.
    """
    values = [list(v) for v in rows]
    if not values or any(len(v) != len(headers) for v in values):
        return _table_cell_by_cell(doc, headers, values, widths_mm, size, left, snap_to_grid)
    kind = _table_kind(tuple(headers), tuple(widths_mm), size, tuple(left), snap_to_grid)
    tbl = deepcopy(kind)
    model = tbl.tr_lst[1]
    for row in values[1:]:
        tbl.append(_row_copy(model, row))
    _set_row_text(model, values[0])
    body = doc._body
    body._element._insert_tbl(tbl)  # as python-docx's add_table puts it: before the final sectPr
    return Table(tbl, body)


@lru_cache(maxsize=32)
def _table_kind(headers: tuple[str, ...], widths_mm: tuple[float, ...], size: Pt, left: tuple[int, ...],
                snap_to_grid: bool | None) -> BaseOxmlElement:
    """A table of this kind with its header row and one empty body row (made in a scratch document)."""
    table = _table_cell_by_cell(new_document(), headers, [[""] * len(headers)], widths_mm, size, left,
                                snap_to_grid)
    return table._tbl


def _table_cell_by_cell(doc: DocumentObject, headers: Sequence[str], rows: Sequence[Sequence[str]],
                        widths_mm: Sequence[float], size: Pt, left: Sequence[int],
                        snap_to_grid: bool | None) -> Table:
    """:func:`add_table` laid out cell by cell (the first full body row, then copies of it)."""
    table = doc.add_table(rows=1 + len(rows), cols=len(headers))
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    _cell_margins(table, Mm(1))
    for column, width in zip(table.columns, widths_mm, strict=True):
        column.width = Mm(width)  # the grid: what Word and WPS lay out by
    model: BaseOxmlElement | None = None
    for r, (row, values) in enumerate(zip(table.rows, [list(headers), *[list(v) for v in rows]], strict=True)):
        if model is not None and len(values) == len(headers):
            _copy_row(model, row, values)
            continue
        _keep_row(row, header=r == 0)
        cells = row.cells  # table.cell(r, c) rebuilds every cell of the table on each call: quadratic
        for c, value in enumerate(values):
            cell = cells[c]
            cell.width = Mm(widths_mm[c])
            cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
            paragraph = cell.paragraphs[0]
            paragraph.paragraph_format.first_line_indent = Pt(0)
            paragraph.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
            paragraph.alignment = WD_ALIGN_PARAGRAPH.LEFT if r and c in left else WD_ALIGN_PARAGRAPH.CENTER
            set_font(paragraph.add_run(value), HEITI if r == 0 else FANGSONG, size)
        for paragraph in (p for cell in cells for p in cell.paragraphs) if snap_to_grid is not None else ():
            set_snap_to_grid(paragraph, snap_to_grid)
        if r == 1 and len(values) == len(headers):
            model = row._tr
    return table


def _copy_row(model: BaseOxmlElement, row: _Row, values: Sequence[str]) -> None:
    """Put a copy of the ``model`` row (one paragraph of one run per cell) with ``values`` in place of ``row``."""
    row._tr.getparent().replace(row._tr, _row_copy(model, values))


def _row_copy(model: BaseOxmlElement, values: Sequence[str]) -> BaseOxmlElement:
    tr = deepcopy(model)
    _set_row_text(tr, values)
    return tr


def _set_row_text(tr: BaseOxmlElement, values: Sequence[str]) -> None:
    """Each cell's text: its one paragraph's one run (a run made for "" has none yet: it gets one)."""
    for tc, value in zip(tr.tc_lst, values, strict=True):
        set_run_text(tc.p_lst[0].r_lst[0], value)


_T, _RPR, _SPACE = qn("w:t"), qn("w:rPr"), qn("xml:space")


def set_run_text(r: BaseOxmlElement, text: str) -> None:
    """``Run.text = text`` on a run that holds properties and at most one ``w:t``: the same XML (no ``w:t``
    for "", ``xml:space="preserve"`` when spaces lead or trail) without python-docx's per-run clearing;
    text with line breaks or tabs, and any other run, go the python-docx way (``w:br`` / ``w:tab``)."""
    children = [child for child in r if child.tag != _RPR]
    if len(children) > 1 or (children and children[0].tag != _T) or any(ch in text for ch in "\t\n\r"):
        r.text = text
        return
    t = children[0] if children else None
    if not text:
        if t is not None:
            r.remove(t)
        return
    if t is None:
        t = OxmlElement("w:t")
        r.append(t)
    t.text = text
    if len(text.strip()) < len(text):
        t.set(_SPACE, "preserve")
    else:
        t.attrib.pop(_SPACE, None)


def _keep_row(row: _Row, *, header: bool) -> None:
    """A row never splits across pages; the header row repeats on every page the table spans."""
    props = row._tr.get_or_add_trPr()
    for tag in ("w:cantSplit", "w:tblHeader") if header else ("w:cantSplit",):
        props.append(OxmlElement(tag))


def _cell_margins(table: Table, side: Mm) -> None:
    """Left and right padding of every cell (Word's default 1.9 mm wastes a narrow column)."""
    props = table._tbl.tblPr
    margins = props.find(qn("w:tblCellMar"))
    if margins is None:
        margins = OxmlElement("w:tblCellMar")
        props.append(margins)
    for edge in ("left", "right"):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:w"), str(int(side.twips)))
        element.set(qn("w:type"), "dxa")
        margins.append(element)


def add_page_numbers(section: Section, *, size: Pt = SIZE_4, first_page: bool = True) -> None:
    """``— 1 —`` centred in the footer, 4号 宋体; ``first_page=False`` leaves page one without a number
    (a different, empty first-page footer, as a letter's first page has)."""
    if not first_page:
        section.different_first_page_header_footer = True
        section.first_page_footer.is_linked_to_previous = False
    paragraph = section.footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.paragraph_format.first_line_indent = Pt(0)
    set_font(paragraph.add_run("— "), SONGTI, size)
    run = paragraph.add_run()
    set_font(run, SONGTI, size)
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        else:
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = text
        run._r.append(element)
    set_font(paragraph.add_run(" —"), SONGTI, size)



# ── the document grid (文档网格) and paragraph details of letters ─────────────────────────────────────


@dataclass(frozen=True)
class Grid:
    """A ``w:docGrid`` of ``lines`` × ``chars`` on a section's type area: the pitches in twips, and
    ``char_space`` as Word stores it (grid pitch minus the default font size, in 1/4096 pt)."""

    lines: int
    chars: int
    line_pitch: int
    char_pitch: float
    char_space: int


def grid_for(section: Section, lines: int = 22, chars: int = 28, font_size: Pt = SIZE_3) -> Grid:
    """The grid that puts ``lines`` lines of ``chars`` characters in the section's type area.

    The line pitch is rounded down so that all ``lines`` fit (579 twips on A4 with 37/35 mm margins).
    """
    height = int(section.page_height.twips) - int(section.top_margin.twips) - int(section.bottom_margin.twips)
    width = int(section.page_width.twips) - int(section.left_margin.twips) - int(section.right_margin.twips)
    char_pitch = width / chars
    char_space = round((char_pitch / 20 - font_size.pt) * 4096)
    return Grid(lines, chars, height // lines, char_pitch, char_space)


def set_doc_grid(section: Section, grid: Grid) -> None:
    """Write the section's ``w:docGrid`` (type ``linesAndChars``), replacing any there is."""
    sect_pr = section._sectPr
    for old in sect_pr.findall(qn("w:docGrid")):
        sect_pr.remove(old)
    element = OxmlElement("w:docGrid")
    element.set(qn("w:type"), "linesAndChars")
    element.set(qn("w:linePitch"), str(grid.line_pitch))
    element.set(qn("w:charSpace"), str(grid.char_space))
    sect_pr.append(element)  # last child of sectPr, as the schema orders it


def set_indent_chars(paragraph: Paragraph, grid: Grid, *, first: float = 0, left: float = 0,
                     right: float = 0) -> None:
    """Indents in characters: ``w:firstLineChars`` etc. (hundredths of a character, what Word reads on a
    character grid) with the same distance in twips for readers that ignore them."""
    ind = paragraph._p.get_or_add_pPr().get_or_add_ind()
    for name, chars in (("firstLine", first), ("left", left), ("right", right)):
        if chars:
            ind.set(qn(f"w:{name}"), str(round(chars * grid.char_pitch)))
            ind.set(qn(f"w:{name}Chars"), str(round(chars * 100)))


def set_snap_to_grid(paragraph: Paragraph, snap: bool) -> None:
    """Whether the paragraph follows the document grid (titles and small table text do not)."""
    ppr = paragraph._p.get_or_add_pPr()
    for old in ppr.findall(qn("w:snapToGrid")):
        ppr.remove(old)
    element = OxmlElement("w:snapToGrid")
    element.set(qn("w:val"), "1" if snap else "0")
    _insert_ppr_child(ppr, element)


def add_rule_below(paragraph: Paragraph, *, colour: str = "FF0000", style: str = "thickThinSmallGap",
                   size_eighths: int = 24) -> None:
    """A line under the paragraph (the letter's red double line, thick over thin)."""
    ppr = paragraph._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("val", style), ("sz", str(size_eighths)), ("space", "1"), ("color", colour)):
        bottom.set(qn(f"w:{key}"), value)
    borders.append(bottom)
    _insert_ppr_child(ppr, borders)


def _insert_ppr_child(ppr: BaseOxmlElement, element: BaseOxmlElement) -> None:
    """Insert ``element`` where the schema's order of ``w:pPr`` children puts it."""
    order = [qn(tag) for tag in _PPR_ORDER]
    ppr.insert_element_before(element, *_PPR_ORDER[order.index(element.tag) + 1:])
