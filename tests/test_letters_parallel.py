"""Letters written by helper processes (many letters, several cores) are the letters written in-process."""

from __future__ import annotations

import zipfile
from datetime import date
from pathlib import Path

import pytest

import reports.letter_docx as letter_docx
from monitor.settings import load_settings
from reports.letters import LetterDraft, recipient_of

TOWNS = ["磷溪镇", "官塘镇", "铁铺镇", "意溪镇", "桥东街道"]


def report_letter(n: int, town: str) -> LetterDraft:
    return LetterDraft("report", recipient_of(town), town, "2024-01", date(2024, 2, 7), date(2024, 2, 17),
                       "关于报送2024年1月驻镇帮镇扶村项目资金支出进度报表的函", number=f"湘农函〔2024〕{n}号",
                       due=date(2024, 2, 5), bureau="湘桥区农业农村局")


def test_helpers_write_the_same_letters_in_the_order_given(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    settings = load_settings(None, {})
    drafts = [report_letter(n, town) for n, town in enumerate(TOWNS, start=1)]
    monkeypatch.setattr(letter_docx, "PARALLEL_FROM", 2)
    here = letter_docx.write_letters([(tmp_path / "a" / f"{d.number}.docx", d) for d in drafts], settings, workers=1)
    helped = letter_docx.write_letters([(tmp_path / "b" / f"{d.number}.docx", d) for d in drafts], settings,
                                       workers=3)  # this process and two helpers
    assert [p.name for p in here] == [p.name for p in helped] == [f"{d.number}.docx" for d in drafts]
    for a, b, draft in zip(here, helped, drafts, strict=True):
        with zipfile.ZipFile(a) as za, zipfile.ZipFile(b) as zb:
            body = zb.read("word/document.xml")
            assert za.read("word/document.xml") == body
            assert draft.recipient in body.decode("utf-8") and draft.number in body.decode("utf-8")
    assert not list((tmp_path / "b").glob(".*")), "no temporary files left"


def test_a_failing_helper_is_one_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    monkeypatch.setattr(letter_docx, "PARALLEL_FROM", 2)
    jobs = [(tmp_path / "ok.docx", report_letter(1, "磷溪镇")), (blocker / "x.docx", report_letter(2, "官塘镇"))]
    with pytest.raises(RuntimeError, match=r"letter-writing helper process failed: \w*Error"):
        letter_docx.write_letters(jobs, load_settings(None, {}), workers=2)  # the second share cannot be written
    assert (tmp_path / "ok.docx").is_file()


def test_few_letters_are_written_here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    started: list[object] = []
    monkeypatch.setattr(letter_docx, "_start_helper", lambda *a: started.append(a))
    paths = letter_docx.write_letters([(tmp_path / "1.docx", report_letter(1, "磷溪镇"))], load_settings(None, {}),
                                      workers=4)
    assert paths == [tmp_path / "1.docx"] and paths[0].is_file() and not started
