"""Cases about what a readable file says: headers, encodings, control characters, numbers, dates, formulas,
names, the same file twice and two towns in one file."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator

from tests.hostile.case import Corpus
from tests.hostile.cases_files import PROJECTS, VALUES, good
from tests.hostile.parts import (
    HEADER,
    MAIN_NS,
    XML_DECL,
    W,
    cell_xml,
    csv_bytes,
    raw_xlsx,
    sheet_xml,
    town_rows,
    town_xlsx,
    workbook_xml,
)

ROAD = ["道路硬化", "溪口村", 100, 25.5, "在建"]
ROAD_VALUE = {"道路硬化": (W(100), W("25.5"))}
BAD_ROW = ["待核项目", "北堤村", "待定", 1, "在建"]  # 下达资金 “待定”: the row is refused, the file loads


def add_header_cases(corpus: Corpus, towns: Iterator[str]) -> None:
    cat = "no-header"
    town = next(towns)
    corpus.add(cat, "data-without-header", f"{town}_2023年10月_headless.xlsx",
               lambda: raw_xlsx([("项目进度", sheet_xml([[i + 1, *p] for i, p in enumerate(PROJECTS)]))]),
               "rejected", {"no-header"}, note="project rows with no header row above them")
    town = next(towns)
    corpus.add(cat, "title-only", f"{town}_title-only.xlsx",
               lambda t=town: raw_xlsx([("项目进度", sheet_xml([[f"{t}2023年10月项目进度表"]]))]), "rejected",
               {"no-header"}, note="a title and nothing else")
    town = next(towns)
    corpus.add(cat, "header-below-scan-rows", f"{town}_2023年10月_deep.xlsx",
               lambda t=town: raw_xlsx([("项目进度", sheet_xml([["说明"]] * 40 + town_rows(t, PROJECTS)))]),
               "rejected", {"no-header"}, note="the header in row 43, past the 30 rows searched")
    town = next(towns)
    corpus.add(cat, "header-without-rows", f"{town}_2023年10月_no-rows.xlsx",
               lambda t=town: town_xlsx(t, []), "rejected", {"no-data-rows"}, town=town, period="2023-10",
               note="title, info row and header; no project")

    cat = "duplicate-headers"
    town = next(towns)
    header = (*HEADER[:5], "已支出（万元）")
    corpus.add(cat, "two-spent-columns", f"{town}_2023年10月_two-spent.xlsx",
               lambda t=town: town_xlsx(t, [["道路硬化", "溪口村", 100, 25.5, 30]], header=header),
               "accepted", {"duplicate-column"}, values=ROAD_VALUE, town=town, period="2023-10",
               note="两列“已支出”with different numbers: the first is used, the second named in a warning")
    town = next(towns)
    header2 = ("序号", "项目名称", "项目名称", "下达资金（万元）", "已支出（万元）")
    corpus.add(cat, "two-name-columns", f"{town}_2023年10月_two-names.xlsx",
               lambda t=town: town_xlsx(t, [["道路硬化", "别名", 100, 25.5]], header=header2), "accepted",
               {"duplicate-column"}, values=ROAD_VALUE, town=town, period="2023-10",
               note="two 项目名称 columns: the first is the name")
    town = next(towns)
    corpus.add(cat, "same-project-twice", f"{town}_2023年10月_twice.xlsx",
               lambda t=town: town_xlsx(t, [ROAD, ROAD, PROJECTS[1]]), "accepted", {"duplicate-project"},
               values=VALUES, town=town, period="2023-10", note="one project on two rows: the repeat is refused")
    town = next(towns)
    corpus.add(cat, "header-repeated-mid-table", f"{town}_2023年10月_reheader.xlsx",
               lambda t=town: raw_xlsx([("项目进度", sheet_xml(town_rows(t, [ROAD]) + [list(HEADER), [2, *PROJECTS[1]]]))]),
               "accepted", set(), values=VALUES, town=town, period="2023-10",
               note="the header printed again above the second page: skipped, not a bad row")

    cat = "english-headers"
    town = next(towns)
    corpus.add(cat, "english-only", f"{town}_2023年10月_english.xlsx",
               lambda t=town: town_xlsx(t, PROJECTS, header=("No.", "Project", "Village", "Allocated", "Spent",
                                                             "Status")),
               "rejected", {"no-header"}, note="No. / Project / Village / Allocated / Spent / Status")
    town = next(towns)
    corpus.add(cat, "english-beside-chinese", f"{town}_2023年10月_bilingual.xlsx",
               lambda t=town: town_xlsx(t, [[*p, "ok"] for p in PROJECTS], header=(*HEADER, "Remarks (EN)")),
               "accepted", set(), values=VALUES, town=town, period="2023-10",
               note="the required columns in Chinese, an extra English column beside them")
    town = next(towns)
    corpus.add(cat, "pinyin-headers", f"{town}_2023年10月_pinyin.xlsx",
               lambda t=town: town_xlsx(t, PROJECTS, header=("xuhao", "xiangmu mingcheng", "cun", "xiada zijin",
                                                             "yi zhichu", "zhuangtai")),
               "rejected", {"no-header"}, note="headers spelt in pinyin")


def add_encoding_cases(corpus: Corpus, towns: Iterator[str]) -> None:
    cat = "csv-encoding"
    for slug, encoding, note in (("gbk", "gbk", "GBK, as Excel on Chinese Windows saves"),
                                 ("utf8-bom", "utf-8-sig", "UTF-8 with a byte-order mark")):
        town = next(towns)
        corpus.add(cat, slug, f"{town}_2023年10月_{slug}.csv",
                   lambda t=town, e=encoding: csv_bytes(town_rows(t, PROJECTS), e), "accepted", set(),
                   values=VALUES, town=town, period="2023-10", note=note)
    town = next(towns)
    corpus.add(cat, "gb18030-four-byte", f"{town}_2023年10月_gb18030.csv",
               lambda t=town: csv_bytes(town_rows(t, [ROAD, ["污水治理", "𠀾村", 80, 0, "招投标"]]), "gb18030"),
               "accepted", set(), values=VALUES, town=town, period="2023-10",
               note="GB18030 with a four-byte character (𠀾) in a village")
    for slug, encoding, note in (("utf16-le-bom", "utf-16", "UTF-16 with its BOM"),
                                 ("utf16-no-bom", "utf-16-le", "UTF-16 without a BOM (NUL bytes)")):
        town = next(towns)
        corpus.add(cat, slug, f"{town}_{slug}.csv", lambda t=town, e=encoding: csv_bytes(town_rows(t, PROJECTS), e),
                   "rejected", {"file-unreadable"}, note=note)
    for slug, encoding, note in (("big5", "big5", "Big5 (traditional)"), ("shift-jis", "shift_jis", "Shift-JIS")):
        town = next(towns)
        corpus.add(cat, slug, f"{town}_{slug}.csv",
                   lambda t=town, e=encoding: csv_bytes(_traditional(town_rows(t, PROJECTS)), e, errors="replace"),
                   "rejected", {"no-header", "no-period"},
                   note=f"{note}: decoded as GB18030 it has no header and no month")
    town = next(towns)
    corpus.add(cat, "utf8-with-a-latin1-byte", f"{town}_latin1.csv",
               lambda t=town: csv_bytes(town_rows(t, PROJECTS)).replace("北堤村".encode(), b"Caf\xe9"),
               "rejected", {"file-unreadable"},
               note="UTF-8 with one Latin-1 byte: neither UTF-8 nor GB18030, refused whole")

    cat = "nul-and-control"
    town = next(towns)
    corpus.add(cat, "nul-in-csv", f"{town}_nul.csv",
               lambda t=town: csv_bytes(town_rows(t, PROJECTS)).replace("道路".encode(), b"\x00"), "rejected",
               {"file-unreadable"}, note="a NUL byte in a CSV")
    town = next(towns)
    corpus.add(cat, "nul-escape-in-name", f"{town}_2023年10月_x0000.xlsx",
               lambda t=town: town_xlsx(t, [["道路_x0000_硬化", *ROAD[1:]], PROJECTS[1]]), "accepted", set(),
               values=VALUES, town=town, period="2023-10",
               note="Excel's _x0000_ escape (a NUL) inside a project name: dropped, the name loads")
    town = next(towns)
    corpus.add(cat, "control-escapes-in-village", f"{town}_2023年10月_x001b.xlsx",
               lambda t=town: town_xlsx(t, [[ROAD[0], "溪口_x001B_[31m_x0007_村", *ROAD[2:]], PROJECTS[1]]),
               "accepted", set(), values=VALUES, town=town, period="2023-10",
               note="ESC and BEL escapes in a village name: dropped")
    town = next(towns)
    corpus.add(cat, "nul-character-reference", f"{town}_charref.xlsx",
               lambda t=town: raw_xlsx([("项目进度", sheet_xml(town_rows(t, PROJECTS)).replace("道路", "道&#0;路"))]),
               "rejected", {"file-unreadable"}, note="&#0; in the sheet XML (not allowed in XML 1.0)")
    town = next(towns)
    corpus.add(cat, "nul-in-sheet-name", f"{town}_2023年10月_sheetname.xlsx",
               lambda t=town: raw_xlsx([("项目_x0000_进度", sheet_xml(town_rows(t, PROJECTS)))]), "accepted",
               set(), values=VALUES, town=town, period="2023-10",
               note="_x0000_ in the sheet name: kept as written (calamine does not unescape names)")


def _traditional(rows: list[list[object]]) -> list[list[object]]:
    table = str.maketrans("项目称资金达支进度态镇报单位", "項目稱資金達支進度態鎮報單位")
    return [[v.translate(table) if isinstance(v, str) else v for v in row] for row in rows]


def add_number_cases(corpus: Corpus, towns: Iterator[str]) -> None:
    cat = "extreme-numbers"
    refused = (("1e308-text", "1e308", 1, "1e308 typed as text in 下达资金"),
               ("1e308-number", 1e308, 1, "the number 1e308 in 下达资金"),
               ("nan-text", "NaN", 1, "NaN in 下达资金"),
               ("infinity-text", 10, "-Infinity", "-Infinity in 已支出"),
               ("twenty-digit-text", "12345678901234567890", 1, "a 20-digit integer as text"),
               ("twenty-digit-number", 12345678901234567890, 1, "a 20-digit integer as a number"),
               ("nine-hundred-trillion-wan", 9e14, 1, "9e14 万元: more than a database integer of 分 holds"),
               ("just-over-the-limit", 1_000_000_001, 1, "1,000,000,001 万元: over 10万亿元"),
               ("negative-spent", 10, -5, "a negative 已支出"))
    for slug, allocated, spent, note in refused:
        town = next(towns)
        code = "negative-amount" if slug == "negative-spent" else "bad-amount"
        corpus.add(cat, slug, f"{town}_2023年10月_{slug}.xlsx",
                   lambda t=town, a=allocated, s=spent: town_xlsx(t, [ROAD, ["极值项目", "北堤村", a, s, "在建"]]),
                   "accepted", {code}, values=ROAD_VALUE, town=town, period="2023-10",
                   note=f"{note}: that row refused, the other loads")
    kept = (("negative-zero", -0.0, -0.0, (W(0), 0), set(), "-0.0 in both amounts: zero"),
            ("below-one-fen", 10, 1e-7, (W(10), 0), {"rounded-to-fen"}, "0.0000001 万元 (0.1 分): rounded, warned"),
            ("exponent-text", "1.5e2", "2E1", (W(150), W(20)), set(), "1.5e2 and 2E1 typed as text"),
            ("largest-allowed", 999_999_999, 0, (W(999_999_999), 0), set(), "999,999,999 万元 (just under 10万亿元)"))
    for slug, allocated, spent, value, codes, note in kept:
        town = next(towns)
        corpus.add(cat, slug, f"{town}_2023年10月_{slug}.xlsx",
                   lambda t=town, a=allocated, s=spent: town_xlsx(t, [ROAD, ["极值项目", "北堤村", a, s, "在建"]]),
                   "accepted", codes, values={**ROAD_VALUE, "极值项目": value}, town=town, period="2023-10",
                   note=note)


def add_date_cases(corpus: Corpus, towns: Iterator[str]) -> None:
    cat = "dates-1900-2100"
    header = (*HEADER, "计划开工时间")
    cases = (("serial-one", 1, {"bad-date"}, "Excel serial 1 (1900-01-01): not taken for a date, warned"),
             ("text-1900-01-01", "1900-01-01", set(), "1900-01-01 written out: kept as written"),
             ("fake-1900-02-29", "1900-02-29", {"bad-date"}, "Lotus's 1900-02-29, which never was"),
             ("text-2100-12-31", "2100-12-31", set(), "2100-12-31"),
             ("serial-past-9999", 2958466, {"bad-date"}, "serial 2958466 (after 9999-12-31)"),
             ("negative-serial", -1, {"bad-date"}, "serial -1"))
    for slug, when, codes, note in cases:
        town = next(towns)
        corpus.add(cat, slug, f"{town}_2023年10月_{slug}.xlsx",
                   lambda t=town, w=when: town_xlsx(t, [[*ROAD, w], [*PROJECTS[1], None]], header=header),
                   "accepted", codes, values=VALUES, town=town, period="2023-10", note=f"计划开工时间 {note}")
    town = next(towns)
    corpus.add(cat, "period-1900", f"{town}_period-1900.xlsx",
               lambda t=town: town_xlsx(t, PROJECTS, period="1900年1月"), "rejected", {"no-period"},
               note="报表月份 1900年1月: out of range, so no period")
    town = next(towns)
    corpus.add(cat, "period-2100", f"{town}_period-2100.xlsx", lambda t=town: town_xlsx(t, PROJECTS, period="2100年12月"),
               "accepted", set(), values=VALUES, town=town, period="2100-12", note="报表月份 2100年12月 (the last month read)")


def add_formula_cases(corpus: Corpus, towns: Iterator[str]) -> None:
    cat = "formula-text"
    texts = (("hyperlink", '=HYPERLINK("http://evil.example/x","点击查看")'), ("dde-command", "+cmd|' /C calc'!A0"),
             ("at-sum", "@SUM(A1:A9)"), ("minus-expression", "-1+1"), ("equals-arithmetic", "=1+1"))
    for slug, text in texts:
        town = next(towns)
        corpus.add(cat, slug, f"{town}_2023年10月_{slug}.xlsx",
                   lambda t=town, x=text: town_xlsx(t, [[x, "-2+3", 100, 25.5, "在建"]]), "accepted", set(),
                   values={text: (W(100), W("25.5"))}, town=town, period="2023-10",
                   note=f"project name {text} (village -2+3): stored as text, exactly")
    town = next(towns)
    corpus.add(cat, "csv-formulas", f"{town}_2023年10月_formulas.csv",
               lambda t=town: csv_bytes(town_rows(t, [["=1+1", "@x", 100, 0, "在建"], ["坏金额", "村", "=10", 0, "在建"]])),
               "accepted", {"bad-amount"}, values={"=1+1": (W(100), 0)}, town=town, period="2023-10",
               note="=1+1 as a CSV name loads as text; =10 as an amount is refused")
    town = next(towns)
    corpus.add(cat, "formula-with-cached-value", f"{town}_2023年10月_cached.xlsx",
               lambda t=town: _with_cell(town_xlsx(t, [ROAD]), "D4", "<f>50+50</f><v>100</v>"), "accepted",
               set(), values=ROAD_VALUE, town=town, period="2023-10", note="下达资金 =50+50 cached as 100")
    town = next(towns)
    corpus.add(cat, "formula-without-value", f"{town}_2023年10月_uncached.xlsx",
               lambda t=town: _with_cell(town_xlsx(t, [PROJECTS[1], ROAD]), "E4", "<f>1/0</f>"), "accepted",
               {"formula-error"}, values=ROAD_VALUE, town=town, period="2023-10",
               note="已支出 a formula saved without its result: that row refused")


def _with_cell(data: bytes, ref: str, inner: str) -> bytes:
    """Replace cell ``ref`` of the first sheet with raw ``inner`` XML."""
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in source.namelist():
            part = source.read(name)
            if name == "xl/worksheets/sheet1.xml":
                part = re.sub(rf'<c r="{ref}"[^>]*>.*?</c>'.encode(), f'<c r="{ref}">{inner}</c>'.encode(), part)
            archive.writestr(name, part)
    return buffer.getvalue()


def add_name_cases(corpus: Corpus, towns: Iterator[str]) -> None:
    cat = "file-names"
    names = (("backslash-dotdot", "..\\..\\{t}_2023年10月.xlsx"), ("newline", "{t}_2023年10月\n第二行.xlsx"),
             ("two-hundred-characters", "{t}_2023年10月_" + "a" * 182 + ".xlsx"),
             ("245-bytes-of-chinese", "{t}_2023年10月_" + "长" * 75 + ".xlsx"),
             ("windows-forbidden", '{t}_2023年10月<>:"|?*.xlsx'), ("leading-dash", "-rf {t}_2023年10月.xlsx"),
             ("device-name", "CON.xlsx"), ("terminal-escape", "{t}_2023年10月\x1b[31m红.xlsx"),
             ("format-specifiers", "{t}_2023年10月_%s%n{{0}}.xlsx"))
    for slug, pattern in names:
        town = next(towns)
        name = pattern.format(t=town)
        corpus.add(cat, slug, name, lambda t=town: town_xlsx(t, [*PROJECTS, BAD_ROW]), "accepted", {"bad-amount"},
                   values=VALUES, town=town, period="2023-10",
                   note=f"file named {name!r}: its 问题清单 stays in the findings folder")

    cat = "same-file-twice"
    town = next(towns)
    corpus.add(cat, "original", f"{town}_2023年10月.xlsx", lambda t=town: good(t), "superseded", values=VALUES,
               town=town, period="2023-10", note="the original (later superseded by the re-saved copy)")
    corpus.add(cat, "renamed-copy", f"副本 - {town}_2023年10月.xlsx", lambda t=town: good(t), "duplicate",
               town=town, period="2023-10", note="the same bytes under a second name: nothing changes")
    corpus.add(cat, "re-saved-copy", f"{town}_2023年10月(1).xlsx",
               lambda t=town: raw_xlsx([("项目进度", sheet_xml(town_rows(t, PROJECTS)))], workbook=workbook_xml(
                   ["项目进度"], extra="<fileVersion appName='xl'/>")),
               "accepted", values=VALUES, town=town, period="2023-10",
               note="the same figures, other bytes: a new version that supersedes the original")

    cat = "two-towns"
    first, second = next(towns), next(towns)
    corpus.add(cat, "town-column-two-towns", f"2023年10月_{first}_{second}_mixed.xlsx",
               lambda a=first, b=second: town_xlsx(a, [[*ROAD, a], [*PROJECTS[1], b]], header=(*HEADER, "镇街")),
               "accepted", values=VALUES, period="2023-10", parts=2,
               note="a 镇街 column naming two towns: a consolidated workbook, one submission per town")
    first, second = next(towns), next(towns)
    corpus.add(cat, "title-names-two-towns", "2023年10月_joint.xlsx",
               lambda a=first, b=second: town_xlsx(f"{a}、{b}", PROJECTS), "rejected", {"several-towns"},
               note="title and info row name two towns")
    first, second = next(towns), next(towns)
    corpus.add(cat, "file-name-disagrees", f"{first}_2023年10月_other.xlsx", lambda b=second: town_xlsx(b, PROJECTS),
               "rejected", {"town-conflict"}, note="the file name says one town, the title another")
    first, second = next(towns), next(towns)
    corpus.add(cat, "two-sheets-two-towns", f"2023年10月_{first}_sheets.xlsx",
               lambda a=first, b=second: raw_xlsx([(a, sheet_xml(town_rows(a, PROJECTS))),
                                                   (b, sheet_xml(town_rows(b, [ROAD])))]),
               "rejected", {"several-towns"}, note="one sheet per town in one workbook")


def add_length_cases(corpus: Corpus, towns: Iterator[str]) -> None:
    cat = "oversized-text"
    town = next(towns)
    corpus.add(cat, "project-name-600-characters", f"{town}_2023年10月_long-name.xlsx",
               lambda t=town: town_xlsx(t, [ROAD, ["长" * 600, "村", 1, 1, "在建"]]), "accepted", {"text-too-long"},
               values=ROAD_VALUE, town=town, period="2023-10", note="a 600-character project name: that row refused")
    town = next(towns)
    corpus.add(cat, "village-300-characters", f"{town}_2023年10月_long-village.xlsx",
               lambda t=town: town_xlsx(t, [[ROAD[0], "村" * 300, *ROAD[2:]], PROJECTS[1]]), "accepted",
               {"text-too-long"}, values=VALUES, town=town, period="2023-10",
               note="a 300-character village: left out with a warning, the row loads")
    town = next(towns)
    corpus.add(cat, "sheet-name-300-characters", f"{town}_2023年10月_long-sheet.xlsx",
               lambda t=town: raw_xlsx([("表" * 300, sheet_xml(town_rows(t, PROJECTS)))]), "accepted", set(),
               values=VALUES, town=town, period="2023-10", note="a 300-character sheet name (Excel allows 31)")
    corpus.add(cat, "town-name-150-characters", "long-town.xlsx",
               lambda: town_xlsx("庚" * 150 + "镇", PROJECTS), "rejected", {"no-town"},
               note="填报单位 a 151-character “town”")
    town = next(towns)
    corpus.add(cat, "remark-32767-characters", f"{town}_2023年10月_long-remark.xlsx",
               lambda t=town: town_xlsx(t, [[*ROAD, "问" * 32_767], [*PROJECTS[1], None]],
                                        header=(*HEADER, "存在问题")),
               "accepted", set(), values=VALUES, town=town, period="2023-10",
               note="存在问题 at Excel's 32,767-character cell limit: kept whole")
    corpus.add(cat, "deep-xml-nesting", "deep-nesting.xlsx",
               lambda: raw_xlsx([("项目进度", f'{XML_DECL}<worksheet xmlns="{MAIN_NS}"><sheetData>'
                                 + cell_xml(0, 0, "x").join(["<row r='1'>", "</row>"]) + "</sheetData>"
                                 + "<extLst>" * 100_000 + "</extLst>" * 100_000 + "</worksheet>")]),
               "rejected", {"no-header", "no-town", "no-period"}, isolated=True,
               note="100,000 nested elements after the sheet data")
