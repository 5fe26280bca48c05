"""Letters (发函提醒): the docx read back in the GB/T 9704 letter format, triggers, escalation, the register,
the CLI, 函件跟踪 in the dispatch workbook, and a LibreOffice conversion."""

from __future__ import annotations

import math
import os
import re
import shutil
import subprocess
import threading
import zipfile
from datetime import date, datetime
from pathlib import Path
from typing import Any

import click
import docx
import openpyxl
import pytest
from click.testing import CliRunner
from docx.oxml.ns import qn
from sqlalchemy import func, select

from etl.pipeline import IngestOptions, ingest_paths
from monitor.cli.common import App, GuardedGroup
from monitor.cli.letters import letters
from monitor.db import open_database
from monitor.letters import find_letter, issue_letter, record_reply
from monitor.schema import Letter, LetterProject
from monitor.settings import load_settings
from monitor.status import build_status
from reports.dispatch import run_dispatch
from reports.docx_style import FANGSONG, HEITI, KAITI, XIAOBIAOSONG
from reports.letter_docx import text_chars, write_letter_docx
from reports.letters import plan_letters, run_letters
from tests.helpers import LX_ROWS, project, town_workbook

TOWNS = ["磷溪镇", "官塘镇", "铁铺镇"]
SETTINGS = load_settings(None, {"towns.expected": TOWNS})
NOV10, DEC11 = date(2023, 11, 10), date(2023, 12, 11)
NUMBER = re.compile(r"^湘农函〔(\d{4})〕([1-9]\d*)号$")
GT_ROWS = [project("XQ-GT-1", "奕湖村污水治理", 300, 260, village="奕湖")]
#: 磷溪镇 in November: still red (the market), the road now spending, the lamps done
LX_NOV = [project("XQ2023-LX-001", "溪口市场升级改造", 420, 140, requested=200, disbursed=150, progress="65%"),
          project("XQ2023-LX-002", "仙田村道路硬底化", 150, 120, village="仙田", category="基础设施"),
          project(None, "北堤村太阳能路灯", 37, 37, village="北堤", category="基础设施", status="已验收", progress=1)]


def ingest(factory: Any, path: Path, received: datetime) -> None:
    report = ingest_paths(factory, [path], SETTINGS, IngestOptions(received_at=received))
    assert all(r.outcome.outcome == "accepted" for r in report.results), report.results


@pytest.fixture
def loaded(db_url: str, tmp_path: Path):  # type: ignore[no-untyped-def]
    """磷溪镇 September and October (two red projects, money awaiting transfer), 官塘镇 October (green),
    铁铺镇 nothing (催报)."""
    factory = open_database(db_url)
    ingest(factory, town_workbook(tmp_path / "lx9.xlsx", "磷溪镇", "2023-09", LX_ROWS), datetime(2023, 10, 4, 9))
    ingest(factory, town_workbook(tmp_path / "lx10.xlsx", "磷溪镇", "2023-10", LX_ROWS), datetime(2023, 11, 2, 10))
    ingest(factory, town_workbook(tmp_path / "gt10.xlsx", "官塘镇", "2023-10", GT_ROWS), datetime(2023, 11, 3, 9))
    return factory


def november(factory: Any, tmp_path: Path) -> None:
    ingest(factory, town_workbook(tmp_path / "lx11.xlsx", "磷溪镇", "2023-11", LX_NOV), datetime(2023, 12, 4, 9))
    ingest(factory, town_workbook(tmp_path / "gt11.xlsx", "官塘镇", "2023-11", GT_ROWS), datetime(2023, 12, 4, 9))


def by_recipient(result: Any) -> dict[str, Any]:
    return {r.recipient: r for r in result.letters}


def paragraphs(path: Path) -> list[Any]:
    return list(docx.Document(str(path)).paragraphs)


def texts(path: Path) -> list[str]:
    return [p.text for p in paragraphs(path)]


def eastasia(run: Any) -> str | None:
    fonts = run._r.rPr.find(qn("w:rFonts"))
    return None if fonts is None else fonts.get(qn("w:eastAsia"))


# ── what the first run drafts ─────────────────────────────────────────────────────────────────────


def test_first_run_drafts_a_reminder_a_report_notice_and_a_finance_letter(loaded, tmp_path: Path) -> None:
    result = run_letters(loaded, SETTINGS, NOV10, tmp_path / "out")
    assert result.folder == tmp_path / "out" / "letters-2023-11-10" and result.period == "2023-10"
    assert [(r.number, r.kind, r.recipient) for r in result.letters] == [
        ("湘农函〔2023〕1号", "reminder", "磷溪镇人民政府"),
        ("湘农函〔2023〕2号", "report", "铁铺镇人民政府"),
        ("湘农函〔2023〕3号", "finance", "湘桥区财政局")]
    assert sorted(p.name for p in result.folder.iterdir()) == sorted(r.file_name for r in result.letters)
    assert all(r.status == "draft" and r.reply_due == date(2023, 11, 20) for r in result.letters)
    assert result.new == 3
    with loaded() as s:
        named = {(lp.project_name, lp.channel) for lp in s.scalars(select(LetterProject))}
    assert named == {("溪口市场升级改造", "town"), ("仙田村道路硬底化", "town"), ("溪口市场升级改造", "finance")}


def test_the_letter_reads_back_in_the_gbt9704_letter_format(loaded, tmp_path: Path) -> None:
    result = run_letters(loaded, SETTINGS, NOV10, tmp_path)
    path = result.folder / by_recipient(result)["磷溪镇人民政府"].file_name
    document = docx.Document(str(path))
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    margins = (section.top_margin, section.bottom_margin, section.left_margin, section.right_margin)
    assert [round(m.mm) for m in margins] == [37, 35, 28, 26]
    paras = document.paragraphs
    lines = [p.text for p in paras]
    title_at = lines.index("关于加快驻镇帮镇扶村资金支出进度的提醒函")
    title = paras[title_at]
    assert title.alignment == 1 and title.runs[0].font.name == XIAOBIAOSONG and title.runs[0].font.size.pt == 22
    assert eastasia(title.runs[0]) == XIAOBIAOSONG
    number = next(p for p in paras[:title_at] if NUMBER.match(p.text))
    assert number.text == "湘农函〔2023〕1号" and number.alignment == 2  # flush right, above the title
    assert lines[title_at + 1] == "磷溪镇人民政府：" and paras[title_at + 1].paragraph_format.first_line_indent is None
    body = paras[title_at + 2]
    assert body.text.startswith("截至2023年10月31日，贵镇") and "（详见附件）" in body.text
    ind = body._p.pPr.find(qn("w:ind"))
    assert ind.get(qn("w:firstLineChars")) == "200"
    assert any("根据《广东省乡村振兴驻镇帮镇扶村资金筹集使用监管办法》" in t for t in lines)
    assert any(t.startswith("请于2023年11月20日前") and "联系人" in t and "电话" in t for t in lines)
    assert "特此函告。" in lines and "附件：磷溪镇项目进度滞后清单" in lines
    heading = next(p for p in paras if p.text.startswith("一、"))
    sub = next(p for p in paras if p.text.startswith("（一）"))
    assert heading.runs[0].font.name == HEITI and eastasia(heading.runs[0]) == HEITI
    assert sub.runs[0].font.name == KAITI and eastasia(sub.runs[0]) == KAITI
    for p in paras:  # the East Asian font is set on every run, and no theme font overrides it
        for run in p.runs:
            fonts = run._r.rPr.find(qn("w:rFonts"))
            assert fonts.get(qn("w:eastAsia")) == fonts.get(qn("w:ascii")), (p.text, run.text)
            assert not any(k.endswith("Theme") for k in fonts.attrib), p.text
    assert paras[title_at + 2].runs[0].font.name == FANGSONG and paras[title_at + 2].runs[0].font.size.pt == 16


def test_signature_over_the_date_four_characters_in(loaded, tmp_path: Path) -> None:
    result = run_letters(loaded, SETTINGS, NOV10, tmp_path)
    paras = paragraphs(result.folder / result.letters[0].file_name)
    at = [p.text for p in paras].index("2023年11月10日")
    day, name = paras[at], paras[at - 1]
    assert re.fullmatch(r"\d{4}年[1-9]\d?月[1-9]\d?日", day.text)  # no padding
    assert name.text == "湘桥区农业农村局" and day.alignment == name.alignment == 2
    assert day._p.pPr.find(qn("w:ind")).get(qn("w:rightChars")) == "400"
    right = int(name._p.pPr.find(qn("w:ind")).get(qn("w:rightChars"))) / 100
    centre_of_date = 4 + text_chars(day.text) / 2
    assert right + text_chars(name.text) / 2 == pytest.approx(centre_of_date, abs=0.01)  # centred over it


def test_doc_grid_is_22_lines_of_28_characters(loaded, tmp_path: Path) -> None:
    result = run_letters(loaded, SETTINGS, NOV10, tmp_path)
    with zipfile.ZipFile(result.folder / result.letters[0].file_name) as archive:
        xml = archive.read("word/document.xml").decode("utf-8")
    sect = re.findall(r"<w:sectPr.*?</w:sectPr>", xml, re.S)[-1]
    grid = re.search(r'<w:docGrid w:type="linesAndChars" w:linePitch="(\d+)" w:charSpace="(-?\d+)"/>', sect)
    assert grid, sect
    pitch, space = int(grid.group(1)), int(grid.group(2))
    page = {k: int(v) for k, v in re.findall(r'w:(w|h)="(\d+)"', re.search(r"<w:pgSz[^>]*>", sect).group(0))}
    mar = {k: int(v) for k, v in re.findall(r'w:(top|bottom|left|right)="(\d+)"', sect)}
    height, width = page["h"] - mar["top"] - mar["bottom"], page["w"] - mar["left"] - mar["right"]
    assert height // pitch == 22 and (pitch, space) == (579, -841)
    assert width / ((16 + space / 4096) * 20) == pytest.approx(28, abs=0.01)  # 3号 + charSpace = the pitch
    assert "<w:titlePg/>" in sect  # no page number on page one
    body = re.search(r'<w:style w:type="paragraph" w:default="1".*?</w:style>',
                     zipfile.ZipFile(result.folder / result.letters[0].file_name).read("word/styles.xml").decode())
    spacing = re.search(r"<w:spacing [^>]*/>", body.group(0)).group(0)
    assert 'w:line="579"' in spacing and 'w:lineRule="exact"' in spacing  # fixed, on the grid's pitch


def test_page_numbers_from_page_two(loaded, tmp_path: Path) -> None:
    result = run_letters(loaded, SETTINGS, NOV10, tmp_path)
    section = docx.Document(str(result.folder / result.letters[0].file_name)).sections[0]
    assert section.different_first_page_header_footer
    assert section.first_page_footer.paragraphs[0].text == ""
    footer = section.footer.paragraphs[0]
    assert footer.text == "—  —" and "PAGE" in footer._p.xml  # — N — around the field
    assert {r.font.size.pt for r in footer.runs} == {14}  # 4号


def test_table_rows_are_the_flagged_projects(loaded, tmp_path: Path) -> None:
    result = run_letters(loaded, SETTINGS, NOV10, tmp_path)
    table = docx.Document(str(result.folder / result.letters[0].file_name)).tables[0]
    header = [c.text for c in table.rows[0].cells]
    assert header == ["序号", "项目名称", "村（社区）", "下达资金", "已支出", "支出率", "序时进度", "偏差（个百分点）", "灯",
                      "问题"]
    rows = [[c.text for c in r.cells] for r in table.rows[1:]]
    with loaded() as s:
        status = build_status(s, SETTINGS, "2023-10", NOV10)
    flagged = {p["project_name"] for p in status["projects"] if p["town"] == "磷溪镇" and p["light"] == "red"}
    assert {r[1] for r in rows} == flagged == {"溪口市场升级改造", "仙田村道路硬底化"}
    road = next(r for r in rows if r[1] == "仙田村道路硬底化")
    assert road[3:9] == ["150.00", "0.00", "0.0%", "83.3%", "83.3", "红"] and road[9] == "红灯、支出为零"
    assert all(eastasia(run) for r in table.rows for c in r.cells for p in c.paragraphs for run in p.runs)


def test_finance_and_report_letters(loaded, tmp_path: Path) -> None:
    result = run_letters(loaded, SETTINGS, NOV10, tmp_path)
    letters_ = by_recipient(result)
    finance = texts(result.folder / letters_["湘桥区财政局"].file_name)
    assert "湘桥区财政局：" in finance and "附件：已请款未拨付项目清单" in finance
    assert any("尚有50.00万元未拨付" in t for t in finance)
    report = texts(result.folder / letters_["铁铺镇人民政府"].file_name)
    assert "关于报送2023年10月驻镇帮镇扶村项目资金支出进度报表的函" in report
    assert any("报送截止日期为2023年11月6日" in t and "仍未收到贵镇报表" in t for t in report)
    assert not any(t.startswith("附件：") for t in report) and "特此函告。" in report


# ── reruns, escalation, the register ──────────────────────────────────────────────────────────────


def test_rerunning_a_date_reuses_numbers_and_files(loaded, tmp_path: Path) -> None:
    first = run_letters(loaded, SETTINGS, NOV10, tmp_path)
    again = run_letters(loaded, SETTINGS, NOV10, tmp_path)
    assert [(r.number, r.file_name) for r in again.letters] == [(r.number, r.file_name) for r in first.letters]
    assert again.new == 0 and sorted(p.name for p in again.folder.iterdir()) == sorted(
        r.file_name for r in first.letters)
    with loaded() as s:
        assert s.scalar(select(func.count()).select_from(Letter)) == 3


def test_weekly_reruns_within_a_period_add_no_letters(loaded, tmp_path: Path) -> None:
    run_letters(loaded, SETTINGS, NOV10, tmp_path)
    for day in (date(2023, 11, 17), date(2023, 11, 24), date(2023, 12, 1)):
        later = run_letters(loaded, SETTINGS, day, tmp_path)
        assert later.period == "2023-10" and later.letters == [] and later.new == 0, day
    with loaded() as s:
        assert s.scalar(select(func.count()).select_from(Letter)) == 3


def test_an_issued_reminder_escalates_to_a_supervision_letter(loaded, tmp_path: Path) -> None:
    first = run_letters(loaded, SETTINGS, NOV10, tmp_path)
    with loaded.begin() as s:
        issue_letter(s, find_letter(s, "1"), NOV10)
    november(loaded, tmp_path)
    second = run_letters(loaded, SETTINGS, DEC11, tmp_path)
    assert second.period == "2023-11"
    lx = by_recipient(second)["磷溪镇人民政府"]
    assert lx.kind == "supervision" and lx.number == "湘农函〔2023〕4号" and lx.projects == 1  # the road recovered
    lines = texts(second.folder / lx.file_name)
    assert "关于督促加快驻镇帮镇扶村资金支出进度的督办函" in lines
    cited = next(t for t in lines if t.startswith("我局已于"))
    assert "2023年11月10日" in cited and "（湘农函〔2023〕1号）" in cited and first.letters[0].number in cited
    table = docx.Document(str(second.folder / lx.file_name)).tables[0]
    assert [r.cells[1].text for r in table.rows[1:]] == ["溪口市场升级改造"]
    assert table.rows[1].cells[9].text.endswith("前函湘农函〔2023〕1号")


def test_a_draft_that_was_never_issued_does_not_escalate(loaded, tmp_path: Path) -> None:
    run_letters(loaded, SETTINGS, NOV10, tmp_path)
    november(loaded, tmp_path)
    lx = by_recipient(run_letters(loaded, SETTINGS, DEC11, tmp_path))["磷溪镇人民政府"]
    assert lx.kind == "reminder"


def test_escalation_only_within_the_window(loaded, tmp_path: Path) -> None:
    run_letters(loaded, SETTINGS, NOV10, tmp_path)
    with loaded.begin() as s:
        issue_letter(s, find_letter(s, "1"), NOV10)
    november(loaded, tmp_path)
    short = load_settings(None, {"towns.expected": TOWNS, "letters.escalate_days": 30})
    assert by_recipient(run_letters(loaded, short, DEC11, tmp_path))["磷溪镇人民政府"].kind == "reminder"


def test_number_runs_per_year_without_padding(loaded, tmp_path: Path) -> None:
    run_letters(loaded, SETTINGS, NOV10, tmp_path)
    january = run_letters(loaded, SETTINGS, date(2024, 1, 8), tmp_path)
    numbers = [r.number for r in january.letters]
    assert numbers and numbers[0] == "湘农函〔2024〕1号" and all(NUMBER.match(n) for n in numbers)


def test_issue_and_reply_states(loaded, tmp_path: Path) -> None:
    from monitor.errors import UsageError

    run_letters(loaded, SETTINGS, NOV10, tmp_path)
    with loaded.begin() as s:
        with pytest.raises(UsageError, match="draft"):
            record_reply(s, find_letter(s, "2"), date(2023, 11, 15))
        letter = issue_letter(s, find_letter(s, "湘农函〔2023〕2号"), date(2023, 11, 11))
        assert letter.status == "issued" and letter.issued_on == date(2023, 11, 11)
        with pytest.raises(UsageError, match="already issued"):
            issue_letter(s, letter, date(2023, 11, 12))
        assert record_reply(s, letter, date(2023, 11, 18)).status == "replied"


# ── the CLI ───────────────────────────────────────────────────────────────────────────────────────


def cli_for(db_url: str) -> click.Group:
    @click.group(cls=GuardedGroup)
    @click.pass_context
    def root(ctx: click.Context) -> None:
        ctx.obj = App(db=db_url)

    root.add_command(letters)
    return root


def test_cli_draft_list_issue_reply(loaded, db_url: str, tmp_path: Path) -> None:
    run = CliRunner().invoke
    root = cli_for(db_url)
    drafted = run(root, ["letters", "--date", "2023-11-10", "--out", str(tmp_path)])
    assert drafted.exit_code == 0, drafted.output
    assert "湘农函〔2023〕1号" in drafted.output and "letters-2023-11-10" in drafted.output
    listing = run(root, ["letters", "list", "--as-of", "2023-11-10"])  # no towns.expected: no 催报 to 铁铺镇
    assert listing.exit_code == 0 and listing.output.count("draft 草稿") == 2
    issued = run(root, ["letters", "issue", "1", "--date", "2023-11-10"])
    assert issued.exit_code == 0 and "issued on 2023-11-10" in issued.output
    overdue = run(root, ["letters", "list", "--as-of", "2023-11-25", "--status", "issued"])
    assert overdue.exit_code == 0 and "OVERDUE" in overdue.output and "5 days" in overdue.output
    replied = run(root, ["letters", "reply", "1", "--date", "2023-11-22"])
    assert replied.exit_code == 0 and "2 days after the due date" in replied.output
    unknown = run(root, ["letters", "issue", "99"])
    assert unknown.exit_code == 2 and "no letter 99号" in unknown.output
    draft_reply = run(root, ["letters", "reply", "2", "--date", "2023-11-22"])
    assert draft_reply.exit_code == 2 and "still a draft" in draft_reply.output
    assert run(root, ["letters", "reply", "1"]).exit_code == 2  # --date is required


def test_every_letters_command_has_an_example() -> None:
    assert "Example:" in (letters.help or "")
    for name, command in letters.commands.items():
        assert "Example:" in (command.help or ""), name


# ── 函件跟踪 in the dispatch workbook ───────────────────────────────────────────────────────────────


def test_dispatch_tracks_an_overdue_reply(loaded, tmp_path: Path) -> None:
    run_letters(loaded, SETTINGS, NOV10, tmp_path)
    with loaded.begin() as s:
        issue_letter(s, find_letter(s, "1"), NOV10)
        record_reply(s, issue_letter(s, find_letter(s, "3"), NOV10), date(2023, 11, 16))
    result = run_dispatch(loaded, SETTINGS, date(2023, 11, 27), tmp_path)
    ws = openpyxl.load_workbook(result.paths[0])["函件跟踪"]
    header = [c.value for c in ws[4]]
    assert header[:9] == ["序号", "文号", "发函日期", "类型", "主送单位", "项目数", "回复期限", "状态", "回复情况"]
    rows = {r[1]: r for r in ws.iter_rows(min_row=5, values_only=True) if r[1]}
    assert rows["湘农函〔2023〕1号"][7:10] == ("已发出", "逾期未回复", 7)
    assert rows["湘农函〔2023〕2号"][7:9] == ("草稿", "草稿，未发出")
    assert rows["湘农函〔2023〕3号"][7:9] == ("已回复", "已回复") and rows["湘农函〔2023〕3号"][11].date() == date(2023, 11, 16)
    overdue_row = 5 + list(rows).index("湘农函〔2023〕1号")
    assert ws.cell(overdue_row, 9).fill.fgColor.rgb[-6:] == "FFC7CE" or ws.cell(overdue_row, 9).fill.fill_type


# ── LibreOffice ───────────────────────────────────────────────────────────────────────────────────

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
A4_PT = (595.3, 841.9)
TYPE_AREA_PT = 225 / 25.4 * 72


def _fontconfig(tmp: Path) -> dict[str, str]:
    """Point LibreOffice at the packaged Noto CJK font under the names letters use, so Chinese is drawn."""
    try:
        from reports.fonts import cjk_font_path

        folder = cjk_font_path().parent
    except Exception:  # noqa: BLE001 - no CJK font: LibreOffice draws boxes, the layout is still checked
        return {}
    aliases = "".join(f"<alias binding='same'><family>{name}</family><prefer><family>Noto Sans CJK SC</family>"
                      "</prefer></alias>" for name in (FANGSONG, XIAOBIAOSONG, HEITI, KAITI, "宋体"))
    conf = tmp / "fonts.conf"
    conf.write_text(f"<?xml version='1.0'?><fontconfig><include ignore_missing='yes'>/etc/fonts/fonts.conf"
                    f"</include><dir>{folder}</dir><cachedir>{tmp / 'fc-cache'}</cachedir>{aliases}</fontconfig>",
                    encoding="utf-8")
    return {"FONTCONFIG_FILE": str(conf)}


def to_pdf(source: Path, tmp: Path) -> Path:
    profile = tmp / f"profile-{source.stem}"
    out = tmp / "pdf"
    command = [SOFFICE, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
               "--outdir", str(out), str(source)]
    subprocess.run(command, check=True, capture_output=True, timeout=180, env={**os.environ, **_fontconfig(tmp)})
    pdf = out / f"{source.stem}.pdf"
    assert pdf.is_file(), f"LibreOffice wrote no PDF for {source.name}"
    return pdf


def pdf_pages(pdf: Path) -> list[tuple[tuple[float, float], str]]:
    """(width, height) in points and the text of every page; pymupdf when importable, else the MediaBoxes."""
    try:
        import pymupdf
    except ImportError:
        data = pdf.read_bytes().decode("latin-1")  # each /Type/Page object (not the /Pages tree) and its box
        pages = re.findall(r"/Type\s*/Page(?!s)\b[^>]*?/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]", data)
        return [((float(w), float(h)), "") for w, h in pages]
    with pymupdf.open(pdf) as document:
        return [((page.rect.width, page.rect.height), page.get_text()) for page in document]


def line_grid_copy(source: Path, target: Path) -> Path:
    """The letter with the character pitch taken out of its grid (lines only).

    LibreOffice (7.x) cannot lay 3号 characters on a 28-character grid: a pitch narrower than the font
    makes it give each character two grid cells, about 14 to the line. Word and WPS add the (negative)
    pitch difference to each character, as the grid intends. So the page count is checked on a copy
    with a line grid only, which LibreOffice lays out as Word would, at 27 characters to the line."""
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "word/document.xml":
                data = re.sub(rb"<w:docGrid [^>]*/>", b'<w:docGrid w:type="lines" w:linePitch="579"/>', data)
            zout.writestr(item, data)
    return target


def expected_letter_pages(path: Path, chars_per_line: int) -> int:
    """The pages the letter's text fills before its attachment: each paragraph's lines on the 28.95 pt
    pitch (title and letterhead at their own line heights), 22 lines to the page; plus one page for a
    short attached table."""
    document = docx.Document(str(path))
    height = 0.0
    for p in document.paragraphs:
        if p.text == "附件" and p.paragraph_format.page_break_before:
            break
        size = p.runs[0].font.size.pt if p.runs and p.runs[0].font.size else 16
        line = p.paragraph_format.line_spacing.pt if p.paragraph_format.line_spacing and size > 16 else 579 / 20
        per_line = chars_per_line * 16 / size
        indent = 2 if p._p.pPr is not None and p._p.pPr.find(qn("w:ind")) is not None and \
            p._p.pPr.find(qn("w:ind")).get(qn("w:firstLineChars")) else 0
        lines = max(1, math.ceil((text_chars(p.text) + indent) / per_line))
        space = p.paragraph_format.space_after.pt if p.paragraph_format.space_after else 0
        height += lines * line + space
    return math.ceil(height / TYPE_AREA_PT) + (1 if document.tables else 0)


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed: "
                                            "apt-get install libreoffice-writer-nogui to run this test")
def test_libreoffice_renders_a4_pages_title_first_and_the_expected_count(sqlite_url: str, tmp_path: Path) -> None:
    factory = open_database(sqlite_url)
    ingest(factory, town_workbook(tmp_path / "lx9.xlsx", "磷溪镇", "2023-09", LX_ROWS), datetime(2023, 10, 4, 9))
    ingest(factory, town_workbook(tmp_path / "lx10.xlsx", "磷溪镇", "2023-10", LX_ROWS), datetime(2023, 11, 2, 10))
    result = run_letters(factory, SETTINGS, NOV10, tmp_path / "out")
    letter = result.folder / result.letters[0].file_name
    as_written = pdf_pages(to_pdf(letter, tmp_path))
    assert as_written and all(size == pytest.approx(A4_PT, abs=1) for size, _ in as_written)
    copy = line_grid_copy(letter, tmp_path / "letter-line-grid.docx")
    pages = pdf_pages(to_pdf(copy, tmp_path))
    assert all(size == pytest.approx(A4_PT, abs=1) for size, _ in pages)
    assert len(pages) == expected_letter_pages(letter, chars_per_line=27)
    first_text = pages[0][1].replace("\n", "")
    if first_text:  # pymupdf is there
        assert "关于加快驻镇帮镇扶村资金支出进度的提醒函" in first_text and "— 1 —" not in first_text
        assert "附件" in pages[-1][1] and "溪口市场升级改造" in pages[-1][1]


def test_a_town_that_has_not_reported_the_month_gets_only_the_reminder_to_report(loaded, tmp_path: Path) -> None:
    run_letters(loaded, SETTINGS, NOV10, tmp_path)
    ingest(loaded, town_workbook(tmp_path / "gt11.xlsx", "官塘镇", "2023-11", GT_ROWS), datetime(2023, 12, 4, 9))
    result = run_letters(loaded, SETTINGS, DEC11, tmp_path)
    lx = [r for r in result.letters if r.recipient == "磷溪镇人民政府"]
    assert [r.kind for r in lx] == ["report"]  # October's figures are not restated as November's


def test_no_report_notice_on_the_deadline_day_itself_only_after_it(loaded, tmp_path: Path) -> None:
    """October's reports are due on 6 November (the 5th is a Sunday): a town still has that whole day."""
    on_the_day = run_letters(loaded, SETTINGS, date(2023, 11, 6), tmp_path)
    notice = by_recipient(on_the_day)["铁铺镇人民政府"]  # 铁铺镇 never sent September's either
    assert (notice.kind, notice.period) == ("report", "2023-09")
    day_after = run_letters(loaded, SETTINGS, date(2023, 11, 7), tmp_path)
    notice = by_recipient(day_after)["铁铺镇人民政府"]
    assert (notice.kind, notice.period) == ("report", "2023-10")


def test_a_letter_is_the_same_bytes_whatever_was_written_before_it(loaded, tmp_path: Path) -> None:
    """Each thread reuses one emptied blank letter: a letter written after others (with tables, without) is
    every part of the one written first in a fresh thread."""
    with loaded() as s:
        _, drafts = plan_letters(s, SETTINGS, NOV10)
    assert {d.kind for d in drafts} == {"reminder", "report", "finance"}

    def fresh(n: int, draft: Any) -> Path:  # a new thread: a new blank letter
        path = tmp_path / f"fresh-{n}.docx"
        thread = threading.Thread(target=write_letter_docx, args=(draft, path, SETTINGS))
        thread.start()
        thread.join()
        return path

    for order in (drafts, drafts[::-1]):
        for n, draft in enumerate(order):
            after = write_letter_docx(draft, tmp_path / f"after-{n}.docx", SETTINGS)
            with zipfile.ZipFile(fresh(n, draft)) as first, zipfile.ZipFile(after) as later:
                assert first.namelist() == later.namelist()
                for name in first.namelist():
                    assert first.read(name) == later.read(name), (draft.kind, name)
            assert draft.title in docx.Document(str(after)).paragraphs[3].text
