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


cell_text = st.text(alphabet=" 甲a1\t\n", max_size=5)


@given(cols=st.integers(1, 4), data=st.data(), snap=st.sampled_from([None, False, True]))
@settings(max_examples=60, deadline=None)
def test_a_table_from_its_kept_kind_is_the_cell_by_cell_table(cols: int, data: st.DataObject,
                                                             snap: bool | None) -> None:
    headers = data.draw(st.lists(st.sampled_from(["序号", "项目\n名称", "支出率", "原因"]), min_size=cols, max_size=cols))
    rows = data.draw(st.lists(st.lists(cell_text, min_size=cols, max_size=cols), min_size=1, max_size=4))
    widths = data.draw(st.lists(st.sampled_from([12.0, 30.5, 45.0]), min_size=cols, max_size=cols))
    left = data.draw(st.sets(st.integers(0, cols - 1)))
    fast_doc, slow_doc = new_document(), new_document()
    fast = docx_style.add_table(fast_doc, headers, rows, widths, size=SIZE_4, left=tuple(sorted(left)),
                                snap_to_grid=snap)
    slow = docx_style._table_cell_by_cell(slow_doc, headers, rows, widths, SIZE_4, tuple(sorted(left)), snap)
    assert etree.tostring(fast._tbl) == etree.tostring(slow._tbl)
    assert etree.tostring(fast_doc.element.body) == etree.tostring(slow_doc.element.body)
    assert [c.text for c in fast.rows[-1].cells] == [c.text for c in slow.rows[-1].cells]
