"""A letter as .docx in the GB/T 9704-2012 letter format (信函格式) on a 22 × 28 document grid.

Page one: the bureau's name in red over a red double line, the number flush right under it, the title
(2号 方正小标宋简体, centred), the 主送 line, the body (3号 仿宋_GB2312, two characters indented; 一、 in
黑体, （一） in 楷体_GB2312), 特此函告, the attachment note, the signature centred over the date, which
stands four characters in from the right. The attachment (附件 + table) starts on a new page. Page
numbers ``— N —`` in 4号 from page two on.
"""

from __future__ import annotations

import gc
import os
import pickle
import subprocess
import sys
import tempfile
import threading
from collections.abc import Sequence
from itertools import pairwise
from pathlib import Path

from docx.document import Document as DocumentObject
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt, RGBColor, Twips
from docx.text.paragraph import Paragraph

from monitor.settings import Settings
from reports.docx_style import (
    FANGSONG,
    HEITI,
    KAITI,
    SIZE_3,
    SIZE_4,
    XIAOBIAOSONG,
    Grid,
    add_page_numbers,
    add_rule_below,
    add_table,
    add_text,
    add_title,
    grid_for,
    new_document,
    set_doc_grid,
    set_font,
    set_indent_chars,
    set_properties,
    set_snap_to_grid,
)
from reports.files import write_atomically
from reports.letter_text import CLOSING, LetterContent, Para, build_content
from reports.letters import LetterDraft

LETTERHEAD_SIZE = Pt(30)
RED = RGBColor(0xFF, 0x00, 0x00)
DATE_RIGHT_CHARS = 4  # 成文日期右空四字
TABLE_SIZE = Pt(10.5)  # 5号
COLLECT_EVERY = 10
#: from this many letters on, helper processes write some of them (starting one costs about a second)
PARALLEL_FROM = 40
MAX_WORKERS = 4
Task = tuple[Path, LetterDraft, Settings]
_BLANK = threading.local()
_SECT_PR = qn("w:sectPr")


def write_letters(jobs: Sequence[tuple[Path, LetterDraft]], settings: Settings, *,
                  workers: int | None = None) -> list[Path]:
    """Write each draft at its path (atomically); returns the paths in the order given.

    python-docx spends ~40 ms of CPU on a letter and a province has ~1,100 of them: from ``PARALLEL_FROM``
    letters on, with more than one core, helper processes (``python -m reports.letter_docx``) write a share
    each while this process writes its own (1,125 letters on 2 cores: 48–50 s → 29 s). Helpers are fresh
    interpreters, not forks: the caller may hold a database connection, run in the scheduler's threads, or
    be a script without a ``__main__`` guard. A helper that fails is one RuntimeError with its last line.
    """
    workers = min(os.cpu_count() or 1, MAX_WORKERS) if workers is None else workers
    tasks = [(Path(path), draft, settings) for path, draft in jobs]
    if workers < 2 or len(tasks) < PARALLEL_FROM or not sys.executable:
        return _write_share(tasks)
    shares = [tasks[i::workers] for i in range(workers)]
    with tempfile.TemporaryDirectory(prefix="fundmon-letters-") as scratch:
        helpers = [_start_helper(share, Path(scratch) / f"share-{n}") for n, share in enumerate(shares[1:])]
        _write_share(shares[0])
        for process, log in helpers:
            if process.wait() != 0:
                lines = log.read_text("utf-8", "replace").strip().splitlines() or ["no message"]
                raise RuntimeError(f"a letter-writing helper process failed: {lines[-1]}")
    return [path for path, _, _ in tasks]


def _start_helper(share: list[Task], base: Path) -> tuple[subprocess.Popen[bytes], Path]:
    tasks, log = base.with_suffix(".pickle"), base.with_suffix(".log")
    tasks.write_bytes(pickle.dumps(share))  # a private temporary folder: read back only by the helper
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}  # the code this process runs
    with log.open("wb") as err:
        process = subprocess.Popen([sys.executable, "-m", "reports.letter_docx", str(tasks)],
                                   stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err, env=env)
    return process, log


def _write_share(tasks: Sequence[Task]) -> list[Path]:
    """Write letters one by one. Every python-docx document leaves reference cycles; with a province's status
    in memory the collector's full passes come seldom, so ~0.15 MB a letter piled up (+200 MB). What is
    already in memory is frozen (it outlives the letters) and cycles are collected every ``COLLECT_EVERY``."""
    paths = []
    gc.freeze()
    try:
        for n, (path, draft, settings) in enumerate(tasks, start=1):
            paths.append(write_atomically(path, lambda p, d=draft, s=settings: write_letter_docx(d, p, s)))
            if n % COLLECT_EVERY == 0:
                gc.collect()
    finally:
        gc.unfreeze()
    return paths


def write_letter_docx(draft: LetterDraft, path: Path, settings: Settings) -> Path:
    """Word and lay out ``draft`` and save it at ``path`` (the caller makes it atomic)."""
    content = build_content(draft, settings)
    doc, grid = _blank_letter()
    set_properties(doc, title=content.title, author=draft.bureau, created=draft.day)
    _letterhead(doc, draft.bureau, content.number)
    title = add_title(doc, content.title)
    set_snap_to_grid(title, False)
    add_text(doc, content.salutation, align=WD_ALIGN_PARAGRAPH.JUSTIFY)
    for para in content.paras:
        _paragraph(doc, para, grid)
    _paragraph(doc, Para("body", CLOSING), grid)
    if content.attachment:
        add_text(doc, "")
        _paragraph(doc, Para("body", f"附件：{content.attachment}"), grid)
    _signature(doc, grid, content)
    if content.table is not None:
        _attachment(doc, content)
    doc.save(str(path))
    return path


def _blank_letter() -> tuple[DocumentObject, Grid]:
    """An empty letter: A4, the document grid, the style, page numbers from page two on — the same for every
    letter, so made once per thread and emptied for the next letter (opening python-docx's template and
    setting it up was ~11 ms of a letter's ~55). The body keeps only its section properties."""
    made = getattr(_BLANK, "letter", None)
    if made is None:
        doc = new_document()
        section = doc.sections[0]
        grid = grid_for(section)
        set_doc_grid(section, grid)
        normal = doc.styles["Normal"].paragraph_format  # type: ignore[attr-defined]  # a paragraph style
        normal.line_spacing = Twips(grid.line_pitch)  # exactly the grid's pitch: 22 lines to the page
        add_page_numbers(section, first_page=False)
        made = _BLANK.letter = (doc, grid)
    doc, grid = made
    body = doc.element.body
    for child in list(body):
        if child.tag != _SECT_PR:
            body.remove(child)
    return doc, grid


def _letterhead(doc: DocumentObject, bureau: str, number: str) -> None:
    """发文机关标志 in red over a red double line (thick over thin), then the number flush right."""
    head = add_text(doc, bureau, font=XIAOBIAOSONG, size=LETTERHEAD_SIZE, align=WD_ALIGN_PARAGRAPH.CENTER,
                    line=Pt(44))
    head.runs[0].font.color.rgb = RED
    set_snap_to_grid(head, False)
    add_rule_below(head)
    add_text(doc, number, align=WD_ALIGN_PARAGRAPH.RIGHT)
    add_text(doc, "")


def _paragraph(doc: DocumentObject, para: Para, grid: Grid) -> Paragraph:
    paragraph = doc.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    set_indent_chars(paragraph, grid, first=2)
    if para.kind == "body":
        set_font(paragraph.add_run(para.text), FANGSONG, SIZE_3)
        return paragraph
    lead_font = HEITI if para.kind == "h1" else KAITI
    if para.lead:
        set_font(paragraph.add_run(para.lead), lead_font, SIZE_3)
        set_font(paragraph.add_run(para.text), FANGSONG, SIZE_3)
    else:
        set_font(paragraph.add_run(para.text), lead_font, SIZE_3)
    return paragraph


def text_chars(text: str) -> float:
    """Width in characters: full-width 1, Latin letters and digits ½, and ¼ where the two meet (the
    automatic space Word and WPS put between Chinese and Arabic numerals: 2023年11月6日 is 7¾)."""
    wide = [ord(ch) >= 0x2E80 for ch in text]
    return sum(1.0 if w else 0.5 for w in wide) + 0.25 * sum(a != b for a, b in pairwise(wide))


def _signature(doc: DocumentObject, grid: Grid, content: LetterContent) -> None:
    """Two blank lines, the signature centred over the date, the date four characters in from the right."""
    add_text(doc, "")
    add_text(doc, "")
    date_width, name_width = text_chars(content.date_text), text_chars(content.signature)
    name = add_text(doc, content.signature, align=WD_ALIGN_PARAGRAPH.RIGHT)
    offset = max(0.0, DATE_RIGHT_CHARS + (date_width - name_width) / 2)
    if offset:
        set_indent_chars(name, grid, right=offset)
    day = add_text(doc, content.date_text, align=WD_ALIGN_PARAGRAPH.RIGHT)
    set_indent_chars(day, grid, right=DATE_RIGHT_CHARS)


def _attachment(doc: DocumentObject, content: LetterContent) -> None:
    """附件 (3号 黑体, flush left) on a new page, its title, the note, then the table."""
    assert content.table is not None
    mark = add_text(doc, "附件", font=HEITI, align=WD_ALIGN_PARAGRAPH.LEFT)
    mark.paragraph_format.page_break_before = True
    title = add_title(doc, content.attachment or "")
    set_snap_to_grid(title, False)
    note = add_text(doc, content.table_note, size=SIZE_4, align=WD_ALIGN_PARAGRAPH.RIGHT)
    set_snap_to_grid(note, False)
    spec = content.table
    add_table(doc, spec.headers, spec.rows, spec.widths_mm, size=TABLE_SIZE, left=spec.left,
              snap_to_grid=False)


if __name__ == "__main__":  # a helper of write_letters: python -m reports.letter_docx SHARE.pickle
    _write_share(pickle.loads(Path(sys.argv[1]).read_bytes()))
