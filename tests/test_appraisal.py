"""Year-end appraisal (年度考核): a hand-built year of five towns × three months with letters, every tally
worked out by hand; the workbook and the 说明 read back; the CLI's exit codes."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

import click
import docx
import openpyxl
import pytest
from click.testing import CliRunner

from etl.pipeline import IngestOptions, ingest_paths
from monitor.appraisal import Appraisal, TownAppraisal, TownMonth, build_appraisal, rank_appraised
from monitor.cli.appraisal import appraisal as appraisal_command
from monitor.cli.common import App, GuardedGroup
from monitor.db import open_database
from monitor.errors import UsageError
from monitor.letters import issue_letter, record_reply
from monitor.schema import Letter
from monitor.settings import load_settings
from reports.appraisal_pack import run_appraisal
from reports.docx_style import HEITI
from reports.letters import run_letters
from tests.helpers import project, town_workbook

LX, GT, TP, YX, QD = "磷溪镇", "官塘镇", "铁铺镇", "意溪镇", "桥东街道"
TOWNS = [LX, GT, TP, YX, QD]  # 意溪镇 is expected but never sends a readable report
SETTINGS = load_settings(None, {"towns.expected": TOWNS})
AS_OF = date(2023, 10, 20)
JUL, AUG, SEP = "2023-07", "2023-08", "2023-09"


def lx(a1: float) -> list[tuple[Any, ...]]:
    """磷溪镇: the market (100万) and a settled road with 10万 left over (surplus)."""
    return [project("A-1", "溪口市场升级改造", 100, a1),
            project("A-2", "饶砂村道路硬底化", 50, 40, status="已结算", category="基础设施")]


def one(code: str, name: str, allocated: float, spent: float) -> list[tuple[Any, ...]]:
    return [project(code, name, allocated, spent)]


#: (town, month, rows, received); deadlines: July 2023-08-07 (the 5th is a Saturday), August 09-05, September
#: 10-05, October 11-06 (after the as-of date: not judged)
FILES: list[tuple[str, str, list[tuple[Any, ...]], datetime]] = [
    (LX, JUL, lx(60), datetime(2023, 8, 6, 10)),  # a Sunday, before Monday's deadline: on time
    (LX, AUG, lx(62), datetime(2023, 9, 4, 9)),
    (LX, SEP, lx(72.5), datetime(2023, 10, 4, 9)),
    (LX, "2023-10", lx(100), datetime(2023, 10, 19, 9)),  # October is not due by the as-of date
    (GT, JUL, one("B-1", "奕湖村污水治理", 200, 60), datetime(2023, 8, 4, 9)),
    (GT, AUG, one("B-1", "奕湖村污水治理", 200, 60), datetime(2023, 9, 7, 9)),  # late; no September report
    (TP, JUL, one("C-1", "石湖村光伏发电", 100, 0), datetime(2023, 8, 8, 9)),  # late
    (TP, AUG, one("C-1", "石湖村光伏发电", 100, 50), datetime(2023, 9, 5, 16)),  # on the deadline day
    (TP, SEP, one("C-1", "石湖村光伏发电", 100, 80), datetime(2023, 10, 4, 9)),
    (TP, SEP, one("C-1", "石湖村光伏发电", 100, 75), datetime(2023, 10, 10, 9)),  # correction, after the deadline
    (QD, JUL, one("E-1", "黄金塘村四小园", 50, 30), datetime(2023, 8, 3, 9)),
    (QD, AUG, one("E-1", "黄金塘村四小园", 50, 48), datetime(2023, 9, 1, 9)),
    (QD, SEP, one("E-1", "黄金塘村四小园", 50, 50), datetime(2023, 9, 28, 9)),
]


def ingest(factory: Any, path: Path, received: datetime, outcome: str = "accepted") -> None:
    report = ingest_paths(factory, [path], SETTINGS, IngestOptions(received_at=received))
    assert [r.outcome.outcome for r in report.results] == [outcome], report.results


@pytest.fixture
def year(db_url: str, tmp_path: Path) -> Any:
    """The files, a 意溪镇 August file turned back whole, and two letter runs with issues and replies."""
    factory = open_database(db_url)
    for n, (town, period, rows, received) in enumerate(FILES):
        ingest(factory, town_workbook(tmp_path / f"{n}.xlsx", town, period, rows), received)
    bad = town_workbook(tmp_path / "yx8.xlsx", YX, AUG, [project("D-1", "东郊村污水治理", None, "待定")])
    ingest(factory, bad, datetime(2023, 9, 4, 9), outcome="rejected")
    first = run_letters(factory, SETTINGS, date(2023, 9, 8), tmp_path / "letters")
    assert [(r.town, r.kind) for r in first.letters] == [(LX, "reminder"), (GT, "reminder"), (YX, "report")]
    with factory() as session:
        l1, l2, l3 = (session.get(Letter, r.id) for r in first.letters)  # replies due 2023-09-18
        issue_letter(session, l1, date(2023, 9, 8))
        record_reply(session, l1, date(2023, 9, 15))  # in time
        issue_letter(session, l2, date(2023, 9, 9))  # never answered: overdue
        issue_letter(session, l3, date(2023, 9, 8))
        record_reply(session, l3, date(2023, 9, 20))  # two days late
        session.commit()
    second = run_letters(factory, SETTINGS, date(2023, 10, 10), tmp_path / "letters")
    assert [(r.town, r.kind) for r in second.letters] == [(LX, "supervision"), (GT, "report"), (YX, "report")]
    with factory() as session:
        l4, _l5, l6 = (session.get(Letter, r.id) for r in second.letters)  # replies due 2023-10-20; l5 stays a draft
        issue_letter(session, l4, date(2023, 10, 10))  # due on the as-of date itself: not overdue yet
        issue_letter(session, l6, date(2023, 10, 11))
        record_reply(session, l6, date(2023, 10, 25))  # after the as-of date: not replied yet then
        common = {"recipient": "x", "title": "x", "file_name": "x.docx", "status": "issued",
                  "created_at": datetime(2023, 1, 1)}
        session.add(Letter(year=2023, seq=90, number="湘农函〔2023〕90号", day=date(2023, 1, 10), period="2022-12",
                           kind="reminder", town=LX, reply_due=date(2023, 1, 20), issued_on=date(2023, 1, 10),
                           **common))  # about 2022: not this year's
        session.add(Letter(year=2023, seq=91, number="湘农函〔2023〕91号", day=date(2023, 9, 8), period=AUG,
                           kind="finance", town=None, reply_due=date(2023, 9, 18), issued_on=date(2023, 9, 8),
                           **common))  # to the finance bureau: no town's
        session.commit()
    return factory


def appraise(factory: Any, as_of: date = AS_OF) -> Appraisal:
    with factory() as session:
        return build_appraisal(session, SETTINGS, 2023, as_of)


def tallies(t: TownAppraisal) -> dict[str, Any]:
    return {"red": t.red, "yellow": t.yellow, "green": t.green, "unlit": t.unlit, "bottom": t.bottom_months,
            "rate": t.final_rate, "gap": t.gap, "letters": tuple(t.letters.values()),
            "overdue": t.replies_overdue, "replied_late": t.replies_late, "on_time": t.on_time, "late": t.late,
            "unknown": t.unknown, "missing": t.missing, "surplus": (len(t.surplus), t.surplus_fen), "rank": t.rank}


def test_tallies_match_the_hand_worked_year(year: Any) -> None:
    a = appraise(year)
    assert a.months == [JUL, AUG, SEP] and a.not_due == ["2023-10", "2023-11", "2023-12"]
    assert a.target == 1.0 and a.drafts == 1  # the 官塘镇 催报 of 10-10 was never issued
    # Benchmarks 7/12, 8/12, 9/12. Town rates by month and the lights (gap ≤ 10 green, ≤ 30 yellow, else red):
    # 磷溪 (60+40)/150=.6667 G, 102/150=.68 G, 112.5/150=.75 G;  官塘 .30 Y, .30 R, .30 R (August carried);
    # 铁铺 0 R, .50 Y, .75 G (the correction counts);  桥东 .60 G, .96 G, 1.0 G;  意溪 nothing.
    # Ranks (bottom three of four rated): July 磷溪 first; August and September 桥东 first (.75 tie: by name).
    # Letters: 磷溪 提醒函 1 (replied in time) + 督办函 1 (due on the as-of day); 官塘 提醒函 1 never answered
    # (its 催报 is a draft); 意溪 催报 2 (one replied two days late, one replied only after the as-of date).
    # Final ranking: 桥东 1.0; 磷溪 and 铁铺 both .75, 磷溪 has no red month; 官塘 .30; 意溪 unranked.
    expected = {
        QD: dict(red=0, yellow=0, green=3, unlit=0, bottom=1, rate=1.0, gap=0.0, letters=(0, 0, 0), overdue=0,
                 replied_late=0, on_time=3, late=0, unknown=0, missing=0, surplus=(0, 0), rank=1),
        LX: dict(red=0, yellow=0, green=3, unlit=0, bottom=2, rate=0.75, gap=0.25, letters=(1, 1, 0), overdue=0,
                 replied_late=0, on_time=3, late=0, unknown=0, missing=0, surplus=(1, 10_000_000), rank=2),
        TP: dict(red=1, yellow=1, green=1, unlit=0, bottom=3, rate=0.75, gap=0.25, letters=(0, 0, 0), overdue=0,
                 replied_late=0, on_time=2, late=1, unknown=0, missing=0, surplus=(0, 0), rank=3),
        GT: dict(red=2, yellow=1, green=0, unlit=0, bottom=3, rate=0.3, gap=0.7, letters=(1, 0, 0), overdue=1,
                 replied_late=0, on_time=1, late=1, unknown=0, missing=1, surplus=(0, 0), rank=4),
        YX: dict(red=0, yellow=0, green=0, unlit=3, bottom=0, rate=None, gap=None, letters=(0, 0, 1 + 1),
                 overdue=0, replied_late=1, on_time=0, late=0, unknown=0, missing=3, surplus=(0, 0), rank=None),
    }
    assert [t.town for t in a.towns] == [QD, LX, TP, GT, YX]
    assert {t.town: tallies(t) for t in a.towns} == expected
    months = {t.town: [(m.light, m.rank, m.bottom, m.report) for m in t.months] for t in a.towns}
    assert months[GT] == [("yellow", 3, True, "on-time"), ("red", 4, True, "late"), ("red", 4, True, "missing")]
    assert months[TP] == [("red", 4, True, "late"), ("yellow", 3, True, "on-time"), ("green", 3, True, "on-time")]
    assert months[YX] == [(None, None, False, "missing")] * 3  # its rejected August file is not a report
    lx = next(t for t in a.towns if t.town == LX)
    assert (lx.allocated_fen, lx.spent_fen) == (150_000_000, 112_500_000)
    assert [(s.project_code, s.status, s.surplus_fen) for s in lx.surplus] == [("A-2", "已结算", 10_000_000)]
    states = [(x.town, x.kind, x.state, x.days_late) for x in a.letters]
    assert states == [(LX, "reminder", "replied", 0), (GT, "reminder", "overdue", 32),
                      (YX, "report", "replied-late", 2), (LX, "supervision", "waiting", 0),
                      (YX, "report", "waiting", 0)]


def test_an_earlier_as_of_date_sees_only_what_existed_then(year: Any) -> None:
    a = appraise(year, date(2023, 10, 9))  # before the 铁铺镇 correction and the second letters run
    tp = next(t for t in a.towns if t.town == TP)
    assert a.months == [JUL, AUG, SEP] and tp.final_rate == 0.8 and tp.on_time == 2
    assert [(x.town, x.state) for x in a.letters] == [(LX, "replied"), (GT, "overdue"), (YX, "replied-late")]
    assert a.drafts == 0


def test_no_data_and_nothing_due_are_usage_errors(year: Any) -> None:
    with year() as session, pytest.raises(UsageError, match="no town reports for 2022"):
        build_appraisal(session, SETTINGS, 2022, AS_OF)
    with year() as session, pytest.raises(UsageError, match="past its reporting deadline"):
        build_appraisal(session, SETTINGS, 2023, date(2023, 8, 5))  # July's files are in, due 08-07


def test_ties_share_a_rank_and_the_unrated_come_last() -> None:
    month = TownMonth(JUL, "green", 0.5, 1, False, "on-time")
    base = TownAppraisal("甲", [month], 0.5, 1, 1, 0.5, {}, 0, 0, [])
    towns = [replace(base, town="乙", final_rate=None), replace(base, town="甲"),
             replace(base, town="丙", final_rate=0.6), replace(base, town="丁"),
             replace(base, town="戊", months=[replace(month, light="red")])]
    ranked = rank_appraised(towns)
    assert [(t.town, t.rank) for t in ranked] == [("丙", 1), ("甲", 2), ("丁", 2), ("戊", 4), ("乙", None)]


def test_workbook_and_note_read_back(year: Any, tmp_path: Path) -> None:
    result = run_appraisal(year, SETTINGS, 2023, AS_OF, tmp_path)
    assert result.folder == tmp_path / "appraisal-2023"
    assert [p.name for p in result.paths] == ["年度考核.xlsx", "年度考核说明.docx"]
    wb = openpyxl.load_workbook(result.paths[0])
    assert wb.sheetnames == ["考核汇总", "各月灯色", "各月报送", "函件明细", "结余资金", "考核口径"]
    ws = wb["考核汇总"]
    assert ws["A1"].value == "湘桥区2023年度驻镇帮镇扶村资金支出考核统计表"
    assert "2023年7月至9月（共3个月）" in ws["A2"].value and "2023年10月20日" in ws["A2"].value
    assert ws["A3"].value.startswith("排名规则：按支出率（截至9月底）从高到低排名") and "红灯月数少者在前" in ws["A3"].value
    header = [c.value for c in ws[5]]
    assert header[:7] == ["排名", "镇街", "红灯月数", "黄灯月数", "绿灯月数", "无数据月数", "后三名月数"]
    rows = {r[1]: dict(zip(header, r, strict=True)) for r in ws.iter_rows(min_row=6, values_only=True)}
    assert rows[LX]["排名"] == 2 and rows[LX]["结余金额"] == 10 and rows[LX]["督办函"] == 1
    assert rows[GT]["红灯月数"] == 2 and rows[GT]["逾期未回复"] == 1 and rows[GT]["未报送"] == 1
    assert rows[YX]["排名"] == "未排名" and rows[YX]["催报函"] == 2 and rows[YX]["逾期回复"] == 1
    assert rows[TP]["支出率（截至9月底）"] == 0.75 and rows[TP]["差距（个百分点）"] == 25
    assert rows["全区合计"]["提醒函"] == 2 and rows["全区合计"]["未报送"] == 4
    assert ws.cell(7, 3).fill.fgColor.rgb.endswith("FFC7CE") is False  # 磷溪镇 has no red month: no fill
    gt_row = next(r for r in range(6, 12) if ws.cell(r, 2).value == GT)
    assert ws.cell(gt_row, 3).fill.fgColor.rgb.endswith("FFC7CE")  # red months in red
    lights = [[c.value for c in r] for r in wb["各月灯色"].iter_rows(min_row=6, max_row=11)]
    assert lights[0][:4] == ["镇街", "7月", "8月", "9月"]
    assert [r[:4] for r in lights[1:] if r[0] == GT] == [[GT, "黄灯▼", "红灯▼", "红灯▼"]]
    assert [r[:4] for r in lights[1:] if r[0] == YX] == [[YX, "无数据", "无数据", "无数据"]]
    reports = [[c.value for c in r] for r in wb["各月报送"].iter_rows(min_row=4, max_row=9)]
    assert reports[0][1] == "7月\n（8月7日止）"
    assert [r for r in reports if r[0] == TP] == [[TP, "逾期", "按时", "按时", 2, 1, 0, 0]]
    letters = list(wb["函件明细"].iter_rows(min_row=5, values_only=True))
    assert len(letters) == 5 and letters[1][2:4] == (GT, "提醒函") and letters[1][9:] == ("逾期未回复", 32)
    assert isinstance(letters[0][5], datetime)  # dates are date cells
    surplus = list(wb["结余资金"].iter_rows(min_row=5, values_only=True))
    assert surplus == [(1, LX, "A-2", "饶砂村道路硬底化", "已结算", 50, 40, 10)]
    terms = dict(wb["考核口径"].iter_rows(min_row=4, values_only=True))
    assert "草稿不计（截至考核基准日另有1份函件仍为草稿）" in terms["收到函件"] and "拨付函" in terms["收到函件"]
    assert "2023年10月、11月、12月报表" in terms["考核期"]

    note = docx.Document(str(result.paths[1]))
    text = "\n".join(p.text for p in note.paragraphs)
    assert "考核期为2023年7月至9月（共3个月），数据截至2023年10月20日" in text
    assert "桥东街道第一（100.0%），官塘镇最后（30.0%）" in text and "意溪镇考核期内无可计算支出率的数据，未参与排名" in text
    assert "排名规则：" in text and "草稿不计" in text and "不设加权总分" in text
    table = [[c.text for c in r.cells] for r in note.tables[0].rows]
    assert [r[:2] for r in table[1:]] == [["1", QD], ["2", LX], ["3", TP], ["4", GT], ["未排名", YX]]
    assert table[4][3:] == ["2/1/0", "3", "1/0/0", "1/0", "1/1", "0"] and table[2][8] == "1/10.00"
    head_run = note.tables[0].cell(0, 0).paragraphs[0].runs[0]
    assert head_run.font.name == HEITI and head_run.element.rPr.rFonts.get(
        "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia") == HEITI
    section = note.sections[0]
    assert (round(section.page_width.mm), round(section.top_margin.mm), round(section.left_margin.mm)) == (210, 37, 28)


def cli(db_url: str, config: Path) -> click.Group:
    @click.group(cls=GuardedGroup)
    @click.pass_context
    def root(ctx: click.Context) -> None:
        ctx.obj = App(db=db_url, config=config)

    root.add_command(appraisal_command)
    return root


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "fundmon.toml"
    path.write_text('[towns]\nexpected = ["磷溪镇", "官塘镇", "铁铺镇", "意溪镇", "桥东街道"]\n', encoding="utf-8")
    return path


def test_cli_writes_the_pack_and_exits_two_without_data(year: Any, db_url: str, config: Path, tmp_path: Path) -> None:
    runner, root = CliRunner(), cli(db_url, config)
    out = tmp_path / "out"
    ok = runner.invoke(root, ["appraisal", "--year", "2023", "--as-of", "2023-10-20", "--out", str(out)])
    assert ok.exit_code == 0, ok.output
    assert "months 2023-07..2023-09" in ok.output and " 1 桥东街道  rate 100.0%" in ok.output
    assert (out / "appraisal-2023" / "年度考核.xlsx").is_file() and (out / "appraisal-2023" / "年度考核说明.docx").is_file()
    empty = runner.invoke(root, ["appraisal", "--year", "2022", "--as-of", "2023-10-20", "--out", str(out)])
    assert empty.exit_code == 2 and "Error: no town reports for 2022" in empty.output
    assert "Traceback" not in empty.output and not (out / "appraisal-2022").exists()
    early = runner.invoke(root, ["appraisal", "--year", "2023", "--as-of", "2023-08-05"])
    assert early.exit_code == 2 and "past its reporting deadline" in early.output
    for bad in (["--year", "1999"], ["--year", "twenty"], []):
        result = runner.invoke(root, ["appraisal", *bad])
        assert result.exit_code == 2, (bad, result.output)
