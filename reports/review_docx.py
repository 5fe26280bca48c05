"""研判报告.docx: title, findings and the charts, A4 with the official margins and Chinese fonts set for East Asian text.

python-docx's ``font.name`` sets only the Latin font; Chinese text takes ``w:eastAsia`` on ``w:rFonts``,
and a ``*Theme`` attribute on the same element would override it (NOTES.md), so both are handled here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Inches, Mm, Pt
from docx.text.paragraph import Paragraph
from docx.text.run import Run

from reports.docx_style import LINE_PITCH, MARGINS_MM, add_page_numbers, set_a4, set_east_asian
from reports.files import write_atomically

BODY_FONT = "仿宋_GB2312"
TITLE_FONT = "方正小标宋简体"
HEADING_FONT = "黑体"
CAPTION_FONT = "楷体_GB2312"
TABLE_FONT = "仿宋_GB2312"
SIZE_2, SIZE_3, SIZE_4, SIZE_5 = 22, 16, 14, 10.5  # 2号, 3号, 4号, 5号 in points
#: GB/T 9704 margins (mm): top, bottom, left, right
TEXT_WIDTH_IN = (210 - MARGINS_MM[2] - MARGINS_MM[3]) / 25.4


@dataclass
class DocTable:
    headers: list[str]
    rows: list[list[str]]
    widths_mm: list[float] | None = None  # of the 156 mm type area
    note: str | None = None  # a line under the table (注：…)


@dataclass
class DocSection:
    """A numbered part of the report: heading, chart with caption, findings, an optional table."""

    heading: str
    paragraphs: list[str]
    image: Path | None = None
    caption: str | None = None
    table: DocTable | None = None


@dataclass
class ReportDocument:
    title: str
    subtitle: str
    issuer: str
    date_text: str
    lead: list[str]
    sections: list[DocSection] = field(default_factory=list)


def style_run(run: Run, font: str, size: float, *, bold: bool = False) -> Run:
    set_east_asian(run._element.get_or_add_rPr(), font)
    run.font.size = Pt(size)
    run.font.bold = bold
    return run


def set_default_fonts(doc: DocumentObject) -> None:
    """仿宋_GB2312 3号 as the document default and the Normal style, for Latin and East Asian text alike."""
    defaults = doc.styles.element.find(qn("w:docDefaults"))
    rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr")) if defaults is not None else None
    if rpr is not None:
        set_east_asian(rpr, BODY_FONT)
    normal = doc.styles["Normal"]
    set_east_asian(normal.element.get_or_add_rPr(), BODY_FONT)
    normal.font.size = Pt(SIZE_3)
    lang = rpr.find(qn("w:lang")) if rpr is not None else None
    if lang is not None:  # full-width punctuation (“”—…) is then drawn with the Chinese font
        lang.set(qn("w:eastAsia"), "zh-CN")


def add_text(doc: DocumentObject, text: str, font: str = BODY_FONT, size: float = SIZE_3, *,
             align: WD_ALIGN_PARAGRAPH | None = None, indent: bool = False, bold: bool = False) -> Paragraph:
    paragraph = doc.add_paragraph()
    style_run(paragraph.add_run(text), font, size, bold=bold)
    fmt = paragraph.paragraph_format
    fmt.line_spacing_rule, fmt.line_spacing = WD_LINE_SPACING.EXACTLY, LINE_PITCH
    fmt.space_before = fmt.space_after = Pt(0)
    if align is not None:
        paragraph.alignment = align
    if indent:
        fmt.first_line_indent = Pt(size * 2)
    return paragraph


def add_heading(doc: DocumentObject, text: str) -> Paragraph:
    """A 一、 heading in 黑体 3号, kept with what follows, at outline level 1 for the navigation pane."""
    paragraph = add_text(doc, text, HEADING_FONT, SIZE_3, indent=True)
    paragraph.paragraph_format.keep_with_next = True
    paragraph.paragraph_format.space_before = Pt(6)
    ppr = paragraph._p.get_or_add_pPr()
    level = OxmlElement("w:outlineLvl")
    level.set(qn("w:val"), "0")
    ppr.append(level)
    return paragraph


def add_picture(doc: DocumentObject, image: Path, caption: str | None) -> None:
    """The chart centred at the type area's width (single line spacing, or Word would clip it)."""
    paragraph = doc.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.paragraph_format.keep_with_next = caption is not None
    paragraph.paragraph_format.space_before = Pt(6)
    paragraph.add_run().add_picture(str(image), width=Inches(TEXT_WIDTH_IN - 0.05))
    if caption:
        add_text(doc, caption, CAPTION_FONT, SIZE_4, align=WD_ALIGN_PARAGRAPH.CENTER)


def add_table(doc: DocumentObject, table: DocTable) -> None:
    grid = doc.add_table(rows=1 + len(table.rows), cols=len(table.headers))
    grid.style = doc.styles["Table Grid"]
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    grid.autofit = table.widths_mm is None
    for r, values in enumerate([table.headers, *table.rows]):
        for c, value in enumerate(values):
            cell = grid.cell(r, c)
            if table.widths_mm is not None:
                cell.width = Mm(table.widths_mm[c])
            paragraph = cell.paragraphs[0]
            paragraph.paragraph_format.space_after = Pt(0)
            paragraph.paragraph_format.line_spacing = 1.0
            font = HEADING_FONT if r == 0 else TABLE_FONT
            style_run(paragraph.add_run(str(value)), font, SIZE_5 + 1.5)
    if table.note:
        add_text(doc, table.note, TABLE_FONT, SIZE_5 + 1.5)
    doc.add_paragraph()


def build_docx(report: ReportDocument) -> DocumentObject:
    doc = Document()
    for section in doc.sections:
        set_a4(section)
    set_default_fonts(doc)
    add_text(doc, report.title, TITLE_FONT, SIZE_2, align=WD_ALIGN_PARAGRAPH.CENTER).paragraph_format.line_spacing = Pt(36)
    add_text(doc, report.subtitle, CAPTION_FONT, SIZE_3, align=WD_ALIGN_PARAGRAPH.CENTER)
    add_text(doc, f"{report.issuer}　{report.date_text}", BODY_FONT, SIZE_3, align=WD_ALIGN_PARAGRAPH.CENTER)
    add_text(doc, "")
    for line in report.lead:
        add_text(doc, line, indent=True)
    for section in report.sections:
        add_heading(doc, section.heading)
        for line in section.paragraphs:
            add_text(doc, line, indent=True)
        if section.image is not None:
            add_picture(doc, section.image, section.caption)
        if section.table is not None:
            add_table(doc, section.table)
    add_page_numbers(doc.sections[0])
    doc.core_properties.title = report.title
    doc.core_properties.author = report.issuer
    return doc


def write_review_docx(report: ReportDocument, path: Path) -> Path:
    """Write the report to ``path`` atomically."""
    return write_atomically(path, lambda tmp: build_docx(report).save(str(tmp)))

