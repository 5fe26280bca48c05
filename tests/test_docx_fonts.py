"""A run's fonts set from the once-built properties are the same XML as set the slow way, and never shared."""

from __future__ import annotations

from copy import deepcopy

import pytest
from docx.shared import Pt, RGBColor
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from reports import docx_style
from reports.docx_style import FANGSONG, HEITI, KAITI, SIZE_3, SIZE_4, new_document, set_font


@pytest.mark.parametrize(("name", "size", "bold"), [(FANGSONG, SIZE_3, None), (HEITI, Pt(10.5), True),
                                                    (KAITI, None, False), (FANGSONG, SIZE_4, None)])
def test_a_new_run_gets_the_fonts_the_slow_way_gives(name: str, size: Pt | None, bold: bool | None) -> None:
    doc = new_document()
    fast, slow = doc.add_paragraph().add_run("甲2023年"), doc.add_paragraph().add_run("甲2023年")
    set_font(fast, name, size, bold=bold)
    docx_style._set_font(slow, name, size, bold)
    assert etree.tostring(fast.element) == etree.tostring(slow.element)
    assert fast.font.name == name and fast.element.rPr.rFonts.get(docx_style.qn("w:eastAsia")) == name
    assert fast.font.size == size and fast.font.bold == bold


def test_each_run_has_its_own_properties() -> None:
    doc = new_document()
    first, second = doc.add_paragraph().add_run("红"), doc.add_paragraph().add_run("黑")
    set_font(first, FANGSONG, SIZE_3)
    set_font(second, FANGSONG, SIZE_3)
    first.font.color.rgb = RGBColor(0xFF, 0, 0)
    assert second.font.color.rgb is None and first.font.color.rgb == RGBColor(0xFF, 0, 0)


def test_a_run_with_properties_is_changed_in_place() -> None:
    run = new_document().add_paragraph().add_run("乙")
    run.font.italic = True
    set_font(run, HEITI, SIZE_4)
    assert run.font.italic and run.font.name == HEITI and run.font.size == SIZE_4
    assert len(run.element.findall(docx_style.qn("w:rPr"))) == 1


@given(model=st.text(alphabet=" a甲\t\n", max_size=6), text=st.text(alphabet=" b乙\t\n\r", max_size=8))
@settings(max_examples=300, deadline=None)
def test_setting_a_copied_runs_text_is_what_python_docx_makes(model: str, text: str) -> None:
    doc = new_document()
    run = doc.add_paragraph().add_run(model)
    set_font(run, FANGSONG, SIZE_3)
    fast, slow = deepcopy(run.element), deepcopy(run.element)
    docx_style.set_run_text(fast, text)
    slow.text = text
    assert etree.tostring(fast) == etree.tostring(slow)
