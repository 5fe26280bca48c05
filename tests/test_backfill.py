"""Day-one backfill: the clerk's consolidated workbook (汇总台账) loads as one submission per town and month,
to the same figures as the towns' own files; receipt unknown unless --received; the town's own file wins."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import xlsxwriter
from click.testing import CliRunner
from sqlalchemy import func, select

from etl.consolidated import is_ledger, may_be_ledger, parse_ledger
from etl.extract import parse_grids
from etl.pipeline import IngestOptions, check_paths, ingest_paths
from etl.read import read_grids
from monitor.appraisal import build_appraisal
from monitor.cli.main import cli
from monitor.cli.render import write_problem_lists
from monitor.db import open_database
from monitor.schema import Base, FindingRow, Letter, ReportRow, Submission, Town
from monitor.settings import load_settings
from monitor.status import build_status
from monitor.submissions import list_submissions
from reports.dispatch import run_dispatch
from reports.letters import run_letters
from tests.helpers import HEADER, project, town_workbook

DATA = Path(__file__).parent / "data"
LEDGERS = sorted((DATA / "ledger").glob("*.expected.json"))
TOWNS = ["磷溪镇", "官塘镇", "意溪镇", "铁铺镇"]
SETTINGS = load_settings(None, {"towns.expected": TOWNS})
#: each town's projects: (code, name, allocated 万元, spent per month 1-3 万元, village, category)
PROJECTS: dict[str, list[tuple[Any, ...]]] = {
    "磷溪镇": [("XQ2023-LX-001", "溪口市场升级改造", 420, (30, 80.5, 130.5), "溪口", "产业发展"),
             (None, "北堤村太阳能路灯", 37.123456, (0, 12.5, 37.123456), "北堤", "基础设施")],
    "官塘镇": [("XQ2023-GT-001", "奕湖村污水治理", 300, (0, 0, 0), "奕湖", "农村生活污水治理"),
             (None, "象山村光伏", 120, (60, 60, 119.99), "象山", "光伏")],
    "意溪镇": [(None, "意溪村口袋公园", 80, (8, 16, 24.000001), "意溪村", "四小园")],
    "铁铺镇": [("XQ2023-TP-001", "铁铺村文化广场", 150, (10, 20, 30), "铁铺村", "基础设施"),
             (None, "大埕村灌溉水渠", 88.5, (0, 44.25, 88.5), "大埕村", "基础设施")],
}
MONTHS = {"2023-01": "1月", "2023-02": "2023年2月", "2023-03": "2023.3"}


def town_rows(town: str, month: int, spent: dict[str, Any] | None = None) -> list[tuple[Any, ...]]:
    return [project(code, name, alloc, (spent or {}).get(name, by_month[month - 1]), village=village,
                    category=category) for code, name, alloc, by_month, village, category in PROJECTS[town]]


def ledger_workbook(path: Path, months: dict[str, str] = MONTHS, *, layout: str = "column",
                    towns: Sequence[str] = TOWNS, edit: dict[tuple[str, str, int], Any] | None = None) -> Path:
    """A 汇总台账: one sheet per month (named as given); towns in a 镇街 column with a 小计 row each, or as
    ``一、磷溪镇`` section rows closed by ``磷溪镇合计``; a 全区合计 row; ``edit`` overrides one cell's value
    ((sheet, town, project index) → spent)."""
    book = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False, "strings_to_formulas": False})
    for period, sheet in months.items():
        ws = book.add_worksheet(sheet)
        ws.write_string(0, 0, f"湘桥区驻镇帮镇扶村项目进度汇总表（{period[:4]}年{int(period[5:])}月）")
        head = ["序号", "镇街", *HEADER[1:]] if layout == "column" else list(HEADER)
        ws.write_row(1, 0, head)
        r = 2
        for n, town in enumerate(towns):
            if layout == "section":
                ws.write_string(r, 0, f"{'一二三四'[n]}、{town}")
                r += 1
            for i, values in enumerate(town_rows(town, int(period[5:]))):
                spent = (edit or {}).get((sheet, town, i))
                cells = list(values) if spent is None else [*values[:8], spent, *values[9:]]
                row = [i + 1, town, *cells] if layout == "column" else [i + 1, *cells]
                for c, value in enumerate(row):
                    _write(ws, r, c, value)
                r += 1
            label = ["", town, "小计"] if layout == "column" else ["", f"{town}合计"]
            ws.write_row(r, 0, label)
            r += 1
        ws.write_string(r, 1, "全区合计")
    book.close()
    return path


def _write(ws: Any, r: int, c: int, value: Any) -> None:
    if isinstance(value, int | float):
        ws.write_number(r, c, value)
    elif value is not None:
        ws.write_string(r, c, str(value))


def own_files(folder: Path, periods: Sequence[str] = tuple(MONTHS)) -> list[Path]:
    folder.mkdir(exist_ok=True)
    return [town_workbook(folder / f"{town}_{p.replace('-', '')}.xlsx", town, p, town_rows(town, int(p[5:])))
            for p in periods for town in TOWNS]


def ingest(factory: Any, *paths: Path, **options: Any) -> list[Any]:
    return [r.outcome for r in ingest_paths(factory, list(paths), SETTINGS, IngestOptions(**options)).results]


def status_json(db_url: str, period: str) -> dict[str, Any]:
    result = CliRunner().invoke(cli, ["--db", db_url, "status", "--period", period, "--format", "json"],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    status = json.loads(result.output)
    for item in status["projects"]:
        item.pop("project_id", None)
    status.pop("as_of", None)
    return status


def figures(factory: Any) -> list[tuple[Any, ...]]:
    """Every submission and report row as stored (to see that nothing changed)."""
    with factory() as s:
        subs = [(x.id, x.status, x.town_id, x.period, x.received_at, x.superseded_by_id)
                for x in s.scalars(select(Submission).order_by(Submission.id))]
        rows = [(r.submission_id, r.project_id, r.excel_row, r.spent_fen) for r in
                s.scalars(select(ReportRow).order_by(ReportRow.id))]
        return [*subs, *rows, s.scalar(select(func.count()).select_from(FindingRow))]


# ── the done-when test ──────────────────────────────────────────────────────────────────────────────


def test_ledger_backfills_the_same_figures_as_the_towns_own_files(db_url: str, tmp_path: Path) -> None:
    own = open_database(db_url)
    outcomes = ingest(own, *own_files(tmp_path / "own"), received_at=datetime(2023, 4, 3, 9))
    assert [o.outcome for o in outcomes] == ["accepted"] * 12
    expected = {p: status_json(db_url, p) for p in MONTHS}
    with own.begin() as s:  # the same database again, empty, for the ledger
        for table in reversed(Base.metadata.sorted_tables):
            s.execute(table.delete())
    ledger = ledger_workbook(tmp_path / "2023年汇总台账.xlsx")
    outcomes = ingest(own, ledger)
    assert [(o.town, o.period, o.outcome, o.rows_accepted) for o in outcomes] == \
        [(t, p, "accepted", len(PROJECTS[t])) for p in MONTHS for t in TOWNS]
    assert all(not o.findings for o in outcomes)  # the 小计 rows add up and the 全区合计 row is no project
    for period in MONTHS:
        got = status_json(db_url, period)
        assert got == expected[period], period
        assert len(got["projects"]) == 7 and all(t["submitted"] for t in got["towns"])
    lamp = next(p for p in expected["2023-03"]["projects"] if p["project_name"] == "北堤村太阳能路灯")
    assert lamp["spent"] == lamp["allocated"] == 371234.56  # to the 分


def test_section_rows_variant_loads_the_same_rows_as_the_column_variant(tmp_path: Path) -> None:
    column, section = (ledger_workbook(tmp_path / f"{kind}_汇总台账.xlsx", layout=kind)
                       for kind in ("column", "section"))

    def parts(path: Path) -> list[tuple[Any, ...]]:
        ledger = parse_ledger(read_grids(path.read_bytes(), path.name), path.name)
        assert not ledger.leftover and all(not p.all_findings for p in ledger.parts)
        return [(p.town, p.period, p.sheet, p.unit, [{k: v for k, v in r.values.items() if k != "town"}
                                                     for r in p.rows]) for p in ledger.parts]

    assert parts(column) == parts(section)
    assert [p[:2] for p in parts(section)] == [(t, p) for p in MONTHS for t in TOWNS]


@pytest.mark.parametrize(("sheet", "period"), [("1月", "2023-01"), ("2023年2月", "2023-02"), ("2023.3", "2023-03"),
                                               ("3月份", "2023-03"), ("十二月份", "2023-12"), ("202305", "2023-05")])
def test_sheet_name_gives_the_month(sheet: str, period: str, tmp_path: Path) -> None:
    path = tmp_path / "汇总台账.xlsx"
    book = xlsxwriter.Workbook(str(path))
    ws = book.add_worksheet(sheet)
    ws.write_row(0, 0, ["序号", "镇街", "项目名称", "下达资金（万元）", "已支出（万元）"])
    ws.write_row(1, 0, [1, "磷溪镇", "溪口市场升级改造", 420, 30])
    ws.write_row(2, 0, [2, "官塘镇", "奕湖村污水治理", 300, 0])
    book.close()
    ledger = parse_ledger(read_grids(path.read_bytes(), path.name), path.name, default_year=2023)
    assert [(p.town, p.period, p.sheet) for p in ledger.parts] == [("磷溪镇", period, sheet), ("官塘镇", period, sheet)]


def test_month_sheets_of_one_ledger_take_the_year_the_workbook_gives(tmp_path: Path) -> None:
    months = {"2024-01": "1月", "2024-02": "2024年2月", "2024-03": "3月份"}
    path = ledger_workbook(tmp_path / "台账.xlsx", months)
    ledger = parse_ledger(read_grids(path.read_bytes(), path.name), path.name, default_year=2030)
    assert sorted({p.period for p in ledger.parts}) == list(months)


# ── the awkward workbooks in tests/data/ledger ──────────────────────────────────────────────────────


def _rows(rows: list[Any]) -> list[dict[str, Any]]:
    return [{"excel_row": r.excel_row, "rejected": r.rejected, "values": r.values} for r in rows]


def _findings(findings: list[Any]) -> list[tuple[Any, ...]]:
    return sorted((f.code, f.sheet, f.row, f.col, f.column) for f in findings)


@pytest.mark.parametrize("sidecar", LEDGERS, ids=[p.name.removesuffix(".expected.json") for p in LEDGERS])
def test_awkward_ledger(sidecar: Path) -> None:
    case = json.loads(sidecar.read_text(encoding="utf-8"))
    path = sidecar.parent / case["file"]
    grids = read_grids(path.read_bytes(), path.name)
    assert may_be_ledger(parse_grids(grids, path.name)) and is_ledger(grids, path.name)  # as ingest asks
    ledger = parse_ledger(grids, path.name, default_year=case["default_year"])
    got = [{"town": p.town, "period": p.period, "sheet": p.sheet, "rows": _rows(p.rows),
            "findings": _findings(p.all_findings)} for p in ledger.parts]
    want = [{**p, "findings": _findings_of(p["findings"])} for p in case["parts"]]
    assert got == want
    if case["leftover"] is None:
        assert ledger.leftover is None
    else:
        assert ledger.leftover is not None and _rows(ledger.leftover.rows) == case["leftover"]["rows"]
        assert _findings(ledger.leftover.all_findings) == _findings_of(case["leftover"]["findings"])
    assert _findings(ledger.checks) == _findings_of(case["checks"])  # 全区合计 rows, no town's
    for part in [*ledger.parts, *([ledger.leftover] if ledger.leftover else [])]:
        for found in [*part.all_findings, *ledger.checks]:
            assert found.file == case["file"] and any("\u4e00" <= ch <= "\u9fff" for ch in found.message)


def _findings_of(items: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    return sorted((f["code"], f["sheet"], f["row"], f["col"], f["column"]) for f in items)


def test_town_files_are_not_ledgers(tmp_path: Path) -> None:
    """Every single-town quirk file keeps its own reading; only the file that mixes towns is a ledger."""
    files = [p for p in DATA.iterdir()
             if p.suffix in (".xlsx", ".xlsm", ".xls", ".csv") and p.name != "sample_expected.csv"]
    found = {p.name for p in files if is_ledger(read_grids(p.read_bytes(), p.name), p.name)}
    assert found == {"two-towns-in-one-file.xlsx"}
    path = town_workbook(tmp_path / "磷溪镇_2023年10月.xlsx", "磷溪镇", "2023-10", town_rows("磷溪镇", 3))
    grids = read_grids(path.read_bytes(), path.name)
    assert not may_be_ledger(parse_grids(grids, path.name)) and not is_ledger(grids, path.name)


# ── receipt, supersede, idempotence ─────────────────────────────────────────────────────────────────


def test_received_applies_to_every_part_or_stays_unknown(db_url: str, tmp_path: Path) -> None:
    factory = open_database(db_url)
    ingest(factory, ledger_workbook(tmp_path / "2023年汇总台账.xlsx", {"2023-01": "1月"}),
           received_at=datetime(2023, 2, 20, 9))
    ingest(factory, ledger_workbook(tmp_path / "2023年汇总台账2.xlsx", {"2023-02": "2月"}))
    with factory() as s:
        listed = list_submissions(s, SETTINGS)
    assert {(r["period"], r["received_at"], r["timeliness"]) for r in listed} == \
        {("2023-01", "2023-02-20 09:00:00", "late"), ("2023-02", None, "unknown")}


def test_unknown_receipt_is_reported_not_judged_in_dispatch_letters_and_list(db_url: str, tmp_path: Path) -> None:
    factory = open_database(db_url)
    ingest(factory, ledger_workbook(tmp_path / "2023年汇总台账.xlsx", towns=TOWNS[:3]))
    day = date(2023, 4, 10)
    pack = run_dispatch(factory, SETTINGS, day, tmp_path / "out")
    assert pack.period == "2023-03"
    sheet = openpyxl.load_workbook(pack.paths[0])["报送情况"]
    rows = {r[1]: r for r in sheet.iter_rows(min_row=5, values_only=True) if r[1] in TOWNS}
    assert [rows[t][2] for t in TOWNS] == ["已报送（时间不详）"] * 3 + ["未报送"]
    assert rows["磷溪镇"][3] is None  # no receipt time is made up
    run_letters(factory, SETTINGS, day, tmp_path / "out")
    with factory() as s:
        reminded = set(s.scalars(select(Letter.town).where(Letter.kind == "report")))
    assert reminded == {"铁铺镇"}  # a backfilled month counts as submitted; 铁铺镇 was not in the ledger
    result = CliRunner().invoke(cli, ["--db", db_url, "submissions"], catch_exceptions=False)
    assert result.exit_code == 0 and "unknown" in result.output and "2023年汇总台账.xlsx" in result.output


def test_later_own_file_supersedes_the_backfilled_month(db_url: str, tmp_path: Path) -> None:
    factory = open_database(db_url)
    ingest(factory, ledger_workbook(tmp_path / "2023年汇总台账.xlsx"))
    corrected = town_workbook(tmp_path / "磷溪镇_202303.xlsx", "磷溪镇", "2023-03",
                              town_rows("磷溪镇", 3, {"溪口市场升级改造": 200}))
    (own,) = ingest(factory, corrected, received_at=datetime(2023, 4, 3, 9))
    assert own.outcome == "accepted" and own.superseded_id is not None
    with factory() as s:
        old = s.get(Submission, own.superseded_id)
        assert (old.status, old.file_name, old.period, old.town_source) == \
            ("superseded", "2023年汇总台账.xlsx", "2023-03", "ledger-column")
    market = next(p for p in status_json(db_url, "2023-03")["projects"] if p["project_name"] == "溪口市场升级改造")
    assert market["spent"] == 2_000_000.0


def test_own_file_wins_over_a_ledger_month_sent_later(db_url: str, tmp_path: Path) -> None:
    factory = open_database(db_url)
    own = town_workbook(tmp_path / "磷溪镇_202303.xlsx", "磷溪镇", "2023-03",
                        town_rows("磷溪镇", 3, {"溪口市场升级改造": 200}))
    ingest(factory, own, received_at=datetime(2023, 4, 3, 9))
    first = ingest(factory, ledger_workbook(tmp_path / "2023年汇总台账.xlsx"))
    skipped = [o for o in first if o.outcome == "skipped"]
    assert [(o.town, o.period) for o in skipped] == [("磷溪镇", "2023-03")]
    assert "own file" in skipped[0].notes[0]
    # the clerk corrects the ledger: its months replace the earlier ledger's, never the town's own file
    second = ingest(factory, ledger_workbook(tmp_path / "2023年汇总台账v2.xlsx",
                                             edit={("2023.3", "官塘镇", 1): 120}))
    assert sum(o.outcome == "skipped" for o in second) == 1
    assert sum(o.outcome == "accepted" and o.superseded_id is not None for o in second) == 11
    projects = {p["project_name"]: p for p in status_json(db_url, "2023-03")["projects"]}
    assert projects["溪口市场升级改造"]["spent"] == 2_000_000.0 and projects["象山村光伏"]["spent"] == 1_200_000.0


def test_ingesting_the_ledger_again_changes_nothing(db_url: str, tmp_path: Path) -> None:
    factory = open_database(db_url)
    path = ledger_workbook(tmp_path / "2023年汇总台账.xlsx", edit={("1月", "官塘镇", 0): "待定"})
    ingest(factory, path)
    before, status = figures(factory), status_json(db_url, "2023-03")
    again = ingest(factory, path)
    assert {o.outcome for o in again} == {"duplicate"}
    assert next(o for o in again if o.town == "官塘镇" and o.period == "2023-01").errors == 1  # findings told again
    assert figures(factory) == before and status_json(db_url, "2023-03") == status


# ── findings, the CLI, the options ──────────────────────────────────────────────────────────────────


def test_bad_cell_is_a_finding_at_its_sheet_and_row_and_the_rest_loads(db_url: str, tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    path = ledger_workbook(tmp_path / "2023年汇总台账.xlsx", edit={("2023年2月", "官塘镇", 1): "待定"})
    result = CliRunner().invoke(cli, ["--db", db_url, "ingest", str(path)], catch_exceptions=False)
    assert result.exit_code == 3, result.output
    assert "12 town-month parts" in result.output and "待定" in result.output
    # title, header, 磷溪镇's two rows and its 小计 (rows 1-5), then 官塘镇's rows 6 and 7
    with open_database(db_url)() as s:
        bad = s.scalars(select(FindingRow).where(FindingRow.code == "bad-amount")).one()
        assert (bad.sheet, bad.row, bad.column, bad.raw) == ("2023年2月", 7, "累计支出（万元）", "待定")
        sub = s.get(Submission, bad.submission_id)
        assert (sub.status, sub.period, sub.rows_accepted, sub.rows_rejected) == ("accepted", "2023-02", 1, 1)
        assert s.scalar(select(func.count()).where(Submission.status == "accepted")) == 12
    (listed,) = Path("问题清单").glob("*.xlsx")
    assert listed.name == "2023年汇总台账_问题清单.xlsx"
    book = openpyxl.load_workbook(listed)
    assert "待定" in book["2023年2月"]["K7"].comment.text
    heading = " ".join(str(c.value) for c in book["问题清单"]["A"][:8] if c.value)
    assert "汇总台账" in heading and "2023-01至2023-03" in heading


def test_check_reads_the_ledger_and_stores_nothing(db_url: str, tmp_path: Path) -> None:
    factory = open_database(db_url)
    report = check_paths(factory, [ledger_workbook(tmp_path / "2023年汇总台账.xlsx")], SETTINGS, IngestOptions())
    assert [r.outcome.outcome for r in report.results] == ["checked"] * 12 and not report.has_errors
    with factory() as s:
        assert s.scalar(select(func.count()).select_from(Submission)) == 0


def test_town_and_period_options_pick_one_town_or_month(db_url: str, tmp_path: Path) -> None:
    factory = open_database(db_url)
    path = ledger_workbook(tmp_path / "2023年汇总台账.xlsx")
    picked = ingest(factory, path, period="2023-02", town="意溪镇")
    assert [(o.town, o.period, o.outcome) for o in picked] == [("意溪镇", "2023-02", "accepted")]
    assert any("--period 2023-02" in n for n in picked[0].notes) and any("--town 意溪镇" in n for n in picked[0].notes)


def test_unknown_town_rejects_only_its_part(db_url: str, tmp_path: Path) -> None:
    factory = open_database(db_url)
    path = tmp_path / "2023年3月汇总.xlsx"
    book = xlsxwriter.Workbook(str(path))
    ws = book.add_worksheet("3月")
    ws.write_row(0, 0, ["序号", "镇街", "项目名称", "下达资金（万元）", "已支出（万元）"])
    ws.write_row(1, 0, [1, "磷溪镇", "溪口市场升级改造", 420, 30])
    ws.write_row(2, 0, [2, "沙溪镇", "沙溪村道路", 100, 10])
    book.close()
    outcomes = ingest(factory, path)
    assert [(o.town, o.outcome) for o in outcomes] == [("磷溪镇", "accepted"), ("沙溪镇", "rejected")]
    (unknown,) = outcomes[1].findings
    assert unknown.code == "unknown-town" and unknown.sheet == "3月" and "【沙溪镇2023年3月】" in unknown.message


def test_amounts_are_exact(tmp_path: Path) -> None:
    path = ledger_workbook(tmp_path / "2023年汇总台账.xlsx", {"2023-03": "3月"})
    ledger = parse_ledger(read_grids(path.read_bytes(), path.name), path.name)
    park = next(r for p in ledger.parts for r in p.rows if r.values["project_name"] == "意溪村口袋公园")
    assert park.values["spent"] == int(Decimal("24.000001") * 1_000_000)


def _sheets_book(path: Path, sheets: dict[str, list[list[Any]]]) -> Path:
    book = xlsxwriter.Workbook(str(path))
    for name, rows in sheets.items():
        ws = book.add_worksheet(name)
        for r, row in enumerate(rows):
            ws.write_row(r, 0, row)
    book.close()
    return path


def test_one_towns_ledger_takes_its_town_from_the_file_name_or_town_option(tmp_path: Path) -> None:
    head = ["序号", "项目名称", "下达资金（万元）", "已支出（万元）"]
    months = {"1月": [head, [1, "溪口市场升级改造", 420, 30]], "2月": [head, [1, "溪口市场升级改造", 420, 60]]}
    named = _sheets_book(tmp_path / "磷溪镇2023年台账.xlsx", months)
    ledger = parse_ledger(read_grids(named.read_bytes(), named.name), named.name)
    assert [(p.town, p.period, p.town_source) for p in ledger.parts] == \
        [("磷溪镇", "2023-01", "ledger-file"), ("磷溪镇", "2023-02", "ledger-file")]
    bare = _sheets_book(tmp_path / "2023年台账.xlsx", months)
    grids = read_grids(bare.read_bytes(), bare.name)
    assert is_ledger(grids, bare.name)
    assert [p.town for p in parse_ledger(grids, bare.name, town="官塘镇人民政府").parts] == ["官塘镇", "官塘镇"]
    orphaned = parse_ledger(grids, bare.name)  # no town anywhere: every row is a finding, nothing loads
    assert not orphaned.parts and orphaned.leftover is not None
    assert [f.code for f in orphaned.leftover.all_findings] == ["no-town", "no-town"]


def test_a_towns_own_file_with_last_months_sheet_is_no_ledger(tmp_path: Path) -> None:
    head = ["序号", "项目名称", "下达资金（万元）", "已支出（万元）"]
    path = _sheets_book(tmp_path / "官塘镇.xlsx", {"10月": [head, [1, "a", 10, 5]], "9月": [head, [1, "a", 10, 3]]})
    assert not is_ledger(read_grids(path.read_bytes(), path.name), path.name)


def test_a_project_located_in_a_town_is_no_town_heading(tmp_path: Path) -> None:
    head = ["序号", "建设地点", "项目名称", "下达资金（万元）", "已支出（万元）"]
    rows = [head, ["一、磷溪镇"], [1, "磷溪镇", "圩镇风貌提升", 300, 30], ["二、官塘镇"], [1, "奕湖村", "奕湖村文化室", 100, 40]]
    path = _sheets_book(tmp_path / "2023年3月汇总台账.xlsx", {"3月": rows})
    ledger = parse_ledger(read_grids(path.read_bytes(), path.name), path.name)
    assert [(p.town, [r.values["project_name"] for r in p.rows]) for p in ledger.parts] == \
        [("磷溪镇", ["圩镇风貌提升"]), ("官塘镇", ["奕湖村文化室"])]


# ── a town name in doubt, totals in their own words ─────────────────────────────────────────────────


LEARNING = load_settings(None, {})


def _slip_ledger(path: Path) -> Path:
    """One month, 镇街 column; row 5 says 磷溪 where every other 磷溪镇 row says 磷溪镇."""
    return _sheets_book(path, {"3月": [
        ["序号", "镇街", "项目名称", "下达资金（万元）", "已支出（万元）"],
        [1, "磷溪镇", "溪口市场升级改造", 420, 30], [2, "磷溪镇", "仙田村道路硬底化", 150, 0],
        [3, "官塘镇", "奕湖村污水治理", 300, 10], [4, "磷溪", "北堤村太阳能路灯", 37, 5]]})


@pytest.mark.parametrize(("settings", "code"), [(SETTINGS, "unknown-town"), (LEARNING, "town-candidate")],
                         ids=["town-list", "learning"])
def test_a_misspelled_town_in_a_ledger_is_a_finding_at_its_cell_and_no_town(
        db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, settings: Any, code: str) -> None:
    monkeypatch.chdir(tmp_path)
    factory = open_database(db_url)
    report = ingest_paths(factory, [_slip_ledger(tmp_path / "2023年3月汇总台账.xlsx")], settings, IngestOptions())
    outcomes = [r.outcome for r in report.results]
    assert [(o.town, o.outcome, o.rows_accepted) for o in outcomes] == \
        [("磷溪镇", "accepted", 2), ("官塘镇", "accepted", 1), ("磷溪", "rejected", 0)]
    (slip,) = outcomes[2].findings
    assert (slip.code, slip.sheet, slip.row, slip.col, slip.column, slip.raw) == (code, "3月", 5, 2, "镇街", "磷溪")
    assert "“磷溪镇”" in slip.message and "【磷溪2023年3月】" in slip.message and "1个项目行未导入" in slip.message
    assert all("--" not in f.message for o in outcomes for f in o.findings)
    if code == "town-candidate":
        assert "镇街名称“磷溪”与已有的“磷溪镇”相近，请核对" in slip.message
        assert any("towns.expected" in n for n in outcomes[2].notes)  # the clerk's way out, in English
    with factory() as s:
        assert sorted(s.scalars(select(Town.name))) == ["官塘镇", "磷溪镇"]
        stored = s.scalars(select(FindingRow).where(FindingRow.code == code)).one()
        assert (stored.row, stored.col, stored.raw) == (5, 2, "磷溪")
        assert s.get(Submission, stored.submission_id).town_id is None
        towns = [t["town"] for t in build_status(s, settings, "2023-03")["towns"]]
        appraised = [t.town for t in build_appraisal(s, settings, 2023, date(2023, 12, 31)).towns]
    assert "磷溪" not in towns and "磷溪" not in appraised
    day = date(2023, 4, 10)
    run_letters(factory, settings, day, tmp_path / "out")
    with factory() as s:
        assert "磷溪" not in set(s.scalars(select(Letter.town)))
    pack = run_dispatch(factory, settings, day, tmp_path / "out")
    book = openpyxl.load_workbook(pack.paths[0])
    assert not [c for ws in book.worksheets for row in ws.iter_rows(values_only=True) for c in row if c == "磷溪"]
    (listed,) = write_problem_lists(report, tmp_path / "问题清单").values()
    cell = openpyxl.load_workbook(listed)["3月"]["B5"]
    assert cell.value == "磷溪" and "磷溪镇" in cell.comment.text


def test_a_bare_town_beside_its_full_name_in_a_new_database_is_no_new_town(db_url: str, tmp_path: Path) -> None:
    """Learning mode, nothing known yet: 磷溪 is compared with the workbook's own 磷溪镇, whichever comes first."""
    factory = open_database(db_url)
    path = _sheets_book(tmp_path / "汇总台账.xlsx", {"3月": [
        ["序号", "镇街", "项目名称", "下达资金（万元）", "已支出（万元）"],
        [1, "磷溪", "北堤村太阳能路灯", 37, 5], [2, "磷溪镇", "溪口市场升级改造", 420, 30]]})
    outcomes = [r.outcome for r in ingest_paths(factory, [path], LEARNING, IngestOptions(period="2023-03")).results]
    assert [(o.town, o.outcome) for o in outcomes] == [("磷溪", "rejected"), ("磷溪镇", "accepted")]
    with factory() as s:
        assert list(s.scalars(select(Town.name))) == ["磷溪镇"]


def test_town_totals_under_the_code_column_and_district_totals_are_checked_in_their_own_words(
        db_url: str, tmp_path: Path) -> None:
    factory = open_database(db_url)
    outcomes = ingest(factory, DATA / "ledger" / "town-totals-in-code-column.xlsx")
    assert [(o.town, o.period, o.outcome, o.rows_accepted, o.errors) for o in outcomes] == \
        [("磷溪镇", "2023-01", "accepted", 2, 0), ("官塘镇", "2023-01", "accepted", 1, 0),
         ("磷溪镇", "2023-02", "accepted", 1, 0), ("官塘镇", "2023-02", "accepted", 1, 0)]
    messages = sorted(f.message for o in outcomes for f in o.findings)
    assert messages == [
        "“全区合计”行的已支出为150万元，但本表各镇街的项目行合计为140万元，请核对",
        "“全区合计”行的已支出为200万元，但本表各镇街的项目行合计为210万元，请核对",
        "“官塘镇合计”行的已支出为50万元，但对应的项目行合计为40万元，请核对"]
    with factory() as s:  # the district's warnings are stored with the workbook's first part
        assert s.scalar(select(func.count()).where(FindingRow.code == "total-mismatch")) == 3


def test_district_total_warnings_are_told_when_every_part_is_skipped(db_url: str, tmp_path: Path) -> None:
    factory = open_database(db_url)
    path = _sheets_book(tmp_path / "2023年3月汇总台账.xlsx", {"3月": [
        ["序号", "镇街", "项目名称", "下达资金（万元）", "已支出（万元）"],
        [1, "磷溪镇", "溪口市场升级改造", 420, 30], [2, "官塘镇", "奕湖村污水治理", 300, 10],
        ["全区合计", None, None, 720, 41.5]]})
    ingest(factory, *own_files(tmp_path / "own", ["2023-03"]))
    outcomes = ingest(factory, path)
    assert [o.outcome for o in outcomes] == ["skipped", "skipped"]
    assert [(f.code, f.row, f.col) for o in outcomes for f in o.findings] == [("total-mismatch", 4, 5)]


def test_an_unknown_town_section_is_marked_at_its_heading(db_url: str, tmp_path: Path) -> None:
    factory = open_database(db_url)
    path = _sheets_book(tmp_path / "2023年3月汇总台账.xlsx", {"3月": [
        ["序号", "项目名称", "下达资金（万元）", "已支出（万元）"],
        ["一、磷溪镇"], [1, "溪口市场升级改造", 420, 30], ["二、沙溪镇"], [1, "沙溪村道路", 100, 10]]})
    outcomes = ingest(factory, path)
    assert [(o.town, o.outcome) for o in outcomes] == [("磷溪镇", "accepted"), ("沙溪镇", "rejected")]
    (unknown,) = outcomes[1].findings
    assert (unknown.code, unknown.sheet, unknown.row, unknown.col, unknown.raw) == \
        ("unknown-town", "3月", 4, 1, "二、沙溪镇")
