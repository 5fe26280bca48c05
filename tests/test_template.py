"""Submission templates: read back (cells, locks, validation, dropdown), filled in and ingested with zero findings."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import click
import openpyxl
import pytest
from click.testing import CliRunner
from sqlalchemy import select

from etl.header import match_field
from etl.normalise import STATUSES as ETL_STATUSES
from etl.pipeline import IngestOptions, check_paths, ingest_paths, parse_path
from monitor.cli.common import App, GuardedGroup
from monitor.cli.template import run_templates, template
from monitor.db import open_database
from monitor.schema import Allocation, FindingRow, Project, ReportRow, Submission
from monitor.settings import load_settings
from monitor.status import build_status
from reports.template import NEW_ROWS, template_name, template_period
from reports.template_sheet import COLUMNS, STATUSES
from tests.helpers import LX_ROWS, project, town_workbook

TOWNS = ["磷溪镇", "官塘镇"]
SETTINGS = load_settings(None, {"towns.expected": TOWNS})
AS_OF = date(2023, 11, 10)
HEADER_ROW, FIRST_ROW = 4, 5  # Excel numbering
FORMULA_NAME = '=HYPERLINK("http://x","宫头村")'
GT_ROWS = [
    project("XQ-GT-1", "奕湖村污水治理", 300, 270, village="奕湖", year=2022, requested=280, disbursed=275),
    project("XQ-GT-2", "尧里村道路", 100, 20.123456, village="尧里", year=2022, requested=30, disbursed=30),
    project("XQ-GT-2", "尧里村道路", 80, 10, village="尧里", year=2023),  # the same project, split by fund year
    project("XQ-GT-3", FORMULA_NAME, 60, 15, village="宫头", progress="20%"),
]


def ingest(factory: Any, paths: list[Path], received: datetime) -> Any:
    report = ingest_paths(factory, paths, SETTINGS, IngestOptions(received_at=received))
    assert all(r.outcome.outcome == "accepted" for r in report.results), report.results
    return report


@pytest.fixture
def loaded(db_url: str, tmp_path: Path):  # type: ignore[no-untyped-def]
    """磷溪镇 September and October, 官塘镇 October (a project split by fund year, a formula-looking name)."""
    factory = open_database(db_url)
    sept = [project("XQ2023-LX-001", "溪口市场升级改造", 420, 100, requested=150, disbursed=120), *LX_ROWS[1:]]
    ingest(factory, [town_workbook(tmp_path / "lx9.xlsx", "磷溪镇", "2023-09", sept)], datetime(2023, 10, 4))
    ingest(factory, [town_workbook(tmp_path / "lx10.xlsx", "磷溪镇", "2023-10", LX_ROWS),
                     town_workbook(tmp_path / "gt10.xlsx", "官塘镇", "2023-10", GT_ROWS)], datetime(2023, 11, 3))
    return factory


@pytest.fixture
def made(loaded: Any, tmp_path: Path) -> dict[str, Path]:
    paths = run_templates(loaded, SETTINGS, None, None, tmp_path / "out", as_of=AS_OF)
    return {p.name.split("_")[0]: p for p in paths}


def header(ws: Any) -> dict[str, int]:
    return {c.value: c.column for c in ws[HEADER_ROW] if c.value}


def project_rows(ws: Any) -> list[int]:
    col = header(ws)["项目名称"]
    rows = []
    for r in range(FIRST_ROW, ws.max_row + 1):
        if ws.cell(r, col).value is None:
            break
        rows.append(r)
    return rows


def fill(path: Path, out: Path, figures: dict[tuple[str, int], dict[str, Any]],
         new: Sequence[dict[str, Any]] = ()) -> Path:
    """Type figures into the input cells of each project row (keyed by name and fund year), and new rows."""
    wb = openpyxl.load_workbook(path)
    ws = wb["项目进度"]
    cols = header(ws)
    rows = project_rows(ws)
    for r in rows:
        key = (ws.cell(r, cols["项目名称"]).value, ws.cell(r, cols["资金年度"]).value)
        for label, value in figures[key].items():
            ws.cell(r, cols[label]).value = value
    for offset, values in enumerate(new):
        for label, value in values.items():
            ws.cell(rows[-1] + 1 + offset, cols[label]).value = value
    out.parent.mkdir(parents=True, exist_ok=True)
    wb.save(out)
    return out


NOV_LX = {
    ("溪口市场升级改造", 2023): {"已请款（万元）": 250, "已拨付（万元）": 200.5, "累计支出（万元）": 180.123456,
                                 "形象进度": 0.75, "项目状态": "在建"},
    ("仙田村道路硬底化", 2023): {"累计支出（万元）": 12.34, "项目状态": "在建", "形象进度": 0.1},
    ("北堤村太阳能路灯", 2023): {"累计支出（万元）": 37, "项目状态": "已结算", "形象进度": 1},
}
NOV_GT = {
    ("奕湖村污水治理", 2022): {"已请款（万元）": 290, "已拨付（万元）": 285, "累计支出（万元）": 280.01,
                              "项目状态": "完工"},
    ("尧里村道路", 2022): {"累计支出（万元）": 40.5},
    ("尧里村道路", 2023): {"累计支出（万元）": 10.000001},
    (FORMULA_NAME, 2023): {"累计支出（万元）": 16, "形象进度": 0.3, "项目状态": "在建"},
}


def fen(wan: float) -> int:
    return int((Decimal(str(wan)) * 1_000_000).quantize(Decimal(1)))


def test_round_trip_ingests_with_zero_findings_and_exact_figures(loaded: Any, made: dict[str, Path],
                                                                tmp_path: Path) -> None:
    lx = fill(made["磷溪镇"], tmp_path / "back" / made["磷溪镇"].name, NOV_LX,
              new=[{"项目名称": "窑美村光伏发电", "村(社区)": "窑美", "项目类别": "光伏", "资金年度": 2023,
                    "下达资金（万元）": 88.8, "累计支出（万元）": 1.5, "项目状态": "招投标"}])
    gt = fill(made["官塘镇"], tmp_path / "back" / made["官塘镇"].name, NOV_GT)
    report = ingest(loaded, [lx, gt], datetime(2023, 12, 4, 9))
    assert [f for r in report.results for f in r.outcome.findings] == []
    assert all(r.parsed.is_template and r.parsed.period == "2023-11" for r in report.results)
    with loaded() as s:
        subs = list(s.scalars(select(Submission).where(Submission.period == "2023-11")))
        assert sorted(x.town_source for x in subs) == ["cell", "cell"] and all(x.is_template for x in subs)
        assert s.scalars(select(FindingRow).where(FindingRow.submission_id.in_([x.id for x in subs]))).all() == []
        rows = {(s.get(Project, r.project_id).name, r.fund_year): r for r in s.scalars(
            select(ReportRow).where(ReportRow.submission_id.in_([x.id for x in subs])))}
        data = build_status(s, SETTINGS, "2023-11", date(2023, 12, 10))
    expected = {**NOV_LX, **NOV_GT}
    for key, typed in expected.items():
        row = rows[key]
        assert row.spent_fen == fen(typed["累计支出（万元）"]), key
        if "已请款（万元）" in typed:
            assert (row.requested_fen, row.disbursed_fen) == (fen(typed["已请款（万元）"]), fen(typed["已拨付（万元）"]))
        assert row.status == typed.get("项目状态", "在建")  # pre-filled from last month
    assert rows[("窑美村光伏发电", 2023)].allocated_fen == fen(88.8)
    assert len([k for k in rows if k[0] == "尧里村道路"]) == 2  # still one row per fund year
    by_name = {p["project_name"]: p for p in data["projects"]}
    assert by_name["尧里村道路"]["allocated"] == 1_800_000.00 and by_name["尧里村道路"]["spent"] == 505_000.01
    assert by_name["溪口市场升级改造"]["spent"] == 1_801_234.56 and by_name["溪口市场升级改造"]["progress"] == 0.75
    assert {p["last_period"] for p in data["projects"]} == {"2023-11"}


def test_lower_cumulative_spent_gets_the_warning(loaded: Any, made: dict[str, Path], tmp_path: Path) -> None:
    lower = {**NOV_LX, ("溪口市场升级改造", 2023): {"累计支出（万元）": 120, "项目状态": "在建"}}
    path = fill(made["磷溪镇"], tmp_path / "back" / made["磷溪镇"].name, lower)
    report = check_paths(loaded, [path], SETTINGS, IngestOptions(received_at=datetime(2023, 12, 4)))
    findings = report.results[0].outcome.findings
    assert [(f.code, f.severity, f.column) for f in findings] == [("spent-decreased", "warning", "累计支出（万元）")]
    assert "130.50" in findings[0].message and report.results[0].outcome.rows_accepted == 3


def test_prefilled_rows_mirror_the_latest_report(made: dict[str, Path]) -> None:
    ws = openpyxl.load_workbook(made["官塘镇"])["项目进度"]
    cols = header(ws)
    got = [tuple(ws.cell(r, cols[h]).value for h in ("序号", "项目编号", "项目名称", "村(社区)", "资金年度",
                                                      "下达资金（万元）", "上月已请款（万元）", "上月已拨付（万元）",
                                                      "上月累计支出（万元）", "项目状态"))
           for r in project_rows(ws)]
    assert got == [
        (1, "XQ-GT-1", "奕湖村污水治理", "奕湖", 2022, 300, 280, 275, 270, "在建"),
        (2, "XQ-GT-2", "尧里村道路", "尧里", 2022, 100, 30, 30, 20.123456, "在建"),
        (3, "XQ-GT-2", "尧里村道路", "尧里", 2023, 80, None, None, 10, "在建"),
        (4, "XQ-GT-3", FORMULA_NAME, "宫头", 2023, 60, None, None, 15, "在建"),
    ]
    name = ws.cell(FIRST_ROW + 3, cols["项目名称"])
    assert name.data_type == "s" and name.value.startswith("=")  # text, never a formula
    assert all(ws.cell(r, cols[h]).value is None for r in project_rows(ws)
               for h in ("已请款（万元）", "已拨付（万元）", "累计支出（万元）", "形象进度"))


def test_title_info_deadline_and_name(made: dict[str, Path]) -> None:
    path = made["官塘镇"]
    assert path.name == template_name("官塘镇", "2023-11") == "官塘镇_2023年11月_项目进度月报.xlsx"
    assert path.parent.name == "templates-2023-11"
    ws = openpyxl.load_workbook(path)["项目进度"]
    assert ws["A1"].value == "官塘镇驻镇帮镇扶村项目进度月报（2023年11月）"
    assert ws["A2"].value == "填报单位：官塘镇    报送月份：2023年11月    单位：万元"
    assert ws["A3"].value.startswith("请于2023年12月5日（星期二）前报送湘桥区农业农村局")
    assert [c.value for c in ws[HEADER_ROW]] == [c.header for c in COLUMNS]
    footer = ws.cell(FIRST_ROW + 4 + NEW_ROWS + 1, 1).value
    assert footer.startswith("填报人：") and "联系电话：" in footer


def test_etl_reads_the_template_as_its_own(made: dict[str, Path]) -> None:
    _, parsed = parse_path(made["磷溪镇"], SETTINGS, IngestOptions())
    assert parsed.is_template and parsed.town == "磷溪镇" and parsed.period == "2023-11"
    assert parsed.sheet == "项目进度" and parsed.unit == "万元" and parsed.header_rows == (HEADER_ROW,)
    reference = [c.header for c in COLUMNS if c.role == "ref"]
    assert reference == ["上月已请款（万元）", "上月已拨付（万元）", "上月累计支出（万元）"]
    assert not set(reference) & set(parsed.header_map)
    assert all(match_field(h) is None for h in reference)
    assert parsed.header_map["累计支出（万元）"] == "spent" and parsed.header_map["项目状态"] == "status"
    assert len(parsed.header_map) == len(COLUMNS) - 1 - len(reference)  # every other column but 序号


def test_validation_rules_and_dropdown_read_back(made: dict[str, Path]) -> None:
    ws = openpyxl.load_workbook(made["磷溪镇"])["项目进度"]
    cols = header(ws)
    last = FIRST_ROW + 3 + NEW_ROWS - 1
    rules = {str(dv.sqref): dv for dv in ws.data_validations.dataValidation}

    def rule(label: str, first: int = FIRST_ROW) -> Any:
        letter = openpyxl.utils.get_column_letter(cols[label])
        return rules[f"{letter}{first}:{letter}{last}"]

    for label in ("已请款（万元）", "已拨付（万元）"):
        dv = rule(label)
        assert (dv.type, dv.operator, dv.formula1, dv.errorStyle) == ("decimal", "greaterThanOrEqual", "0", None)
    spent = rule("累计支出（万元）")
    last_col = openpyxl.utils.get_column_letter(cols["上月累计支出（万元）"])
    assert (spent.type, spent.operator, spent.formula1) == ("decimal", "greaterThanOrEqual", f"${last_col}{FIRST_ROW}")
    assert spent.errorStyle == "warning" and "上月累计支出" in spent.error and spent.showErrorMessage
    progress = rule("形象进度")
    assert (progress.type, progress.formula1, progress.formula2) == ("decimal", "0", "1")
    status = rule("项目状态")
    assert status.type == "list" and status.formula1 == '"' + ",".join(STATUSES) + '"'
    assert rule("计划开工时间").type == "date"
    assert rule("下达资金（万元）", FIRST_ROW + 3).operator == "greaterThanOrEqual"  # new rows only
    assert rule("资金年度", FIRST_ROW + 3).type == "whole"
    assert STATUSES == ETL_STATUSES


def test_locked_cells_protection_and_mark(made: dict[str, Path]) -> None:
    wb = openpyxl.load_workbook(made["磷溪镇"])
    ws = wb["项目进度"]
    assert ws.protection.sheet and not ws.protection.password
    cols = header(ws)
    first, blank = FIRST_ROW, FIRST_ROW + 3
    for c in COLUMNS:
        cell, new = ws.cell(first, cols[c.header]), ws.cell(blank, cols[c.header])
        assert cell.protection.locked == (c.role != "input"), c.header
        assert new.protection.locked == (c.role in ("seq", "ref")), c.header
    assert ws.cell(HEADER_ROW, 1).protection.locked and ws["A1"].protection.locked
    assert ws.cell(blank + NEW_ROWS, cols["项目名称"]).protection.locked  # below the blank rows
    assert wb["填表说明"].protection.sheet
    mark = wb["_fundmon"]
    assert mark.sheet_state == "hidden" and mark["B1"].value == "fundmon-template"


def test_instructions_sheet(made: dict[str, Path]) -> None:
    ws = openpyxl.load_workbook(made["官塘镇"])["填表说明"]
    text = "\n".join(str(c.value) for row in ws.iter_rows() for c in row if c.value)
    assert text.startswith("填表说明") and "2023年12月5日" in text and "、".join(STATUSES) in text
    assert "累计数" in text and "空行" in text and "未设密码" in text


def test_default_period_and_towns(loaded: Any, tmp_path: Path) -> None:
    with loaded() as s:
        assert template_period(s, AS_OF) == "2023-11"  # October is in: November comes next
        assert template_period(s, date(2024, 3, 2)) == "2024-02"  # long after: the month just ended
    empty = open_database(f"sqlite:///{tmp_path / 'empty.db'}")
    with empty() as s:
        assert template_period(s, AS_OF) == "2023-10"


def test_register_money_is_authoritative(loaded: Any, tmp_path: Path) -> None:
    with loaded.begin() as s:
        pid = s.scalar(select(Project.id).where(Project.code == "XQ-GT-1"))
        s.add(Allocation(project_id=pid, fund_year=2022, amount_fen=fen(310), source="register",
                         created_at=datetime(2023, 1, 1)))
    path = run_templates(loaded, SETTINGS, "2023-11", "官塘镇", tmp_path / "o", as_of=AS_OF)[0]
    ws = openpyxl.load_workbook(path)["项目进度"]
    assert ws.cell(FIRST_ROW, header(ws)["下达资金（万元）"]).value == 310


def test_figures_older_than_last_month_are_noted(loaded: Any, tmp_path: Path) -> None:
    path = run_templates(loaded, SETTINGS, "2023-12", "磷溪镇", tmp_path / "o", as_of=AS_OF)[0]
    ws = openpyxl.load_workbook(path)["项目进度"]
    cell = ws.cell(FIRST_ROW, header(ws)["上月累计支出（万元）"])
    assert cell.value == 130.5 and "2023年10月报送" in cell.comment.text and "2023年11月未报送" in cell.comment.text
    fresh = openpyxl.load_workbook(run_templates(loaded, SETTINGS, "2023-11", "磷溪镇", tmp_path / "p")[0])
    assert fresh["项目进度"].cell(FIRST_ROW, cell.column).comment is None


def test_town_without_data_gets_blank_rows_only(tmp_path: Path) -> None:
    factory = open_database(f"sqlite:///{tmp_path / 'fresh.db'}")
    paths = run_templates(factory, SETTINGS, "2023-11", "官塘镇", tmp_path / "o", as_of=AS_OF)
    ws = openpyxl.load_workbook(paths[0])["项目进度"]
    assert project_rows(ws) == [] and ws.cell(FIRST_ROW, 3).protection.locked is False


@click.group(cls=GuardedGroup)
@click.option("--db")
@click.pass_context
def cli(ctx: click.Context, db: str | None) -> None:
    """The command under the same error edge as ``fundmon`` (the command is wired into main by the lead)."""
    ctx.obj = App(db=db)


cli.add_command(template)


def test_cli_writes_templates_and_unknown_town_exits_2(loaded: Any, db_url: str, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("FUNDMON_DB", db_url)
    (tmp_path / "fundmon.toml").write_text('[towns]\nexpected = ["磷溪镇", "官塘镇"]\n', encoding="utf-8")
    runner = CliRunner()
    ok = runner.invoke(cli, ["template", "--period", "2023-11", "--out", "t"])
    assert ok.exit_code == 0, ok.output
    assert "2 template(s)" in ok.output and "磷溪镇_2023年11月_项目进度月报.xlsx" in ok.output
    assert sorted(p.name for p in (tmp_path / "t" / "templates-2023-11").iterdir()) == [
        "官塘镇_2023年11月_项目进度月报.xlsx", "磷溪镇_2023年11月_项目进度月报.xlsx"]
    one = runner.invoke(cli, ["template", "--town", "官塘镇", "--as-of", "2023-11-10", "--out", "u"])
    assert one.exit_code == 0 and "官塘镇_2023年11月" in one.output and "磷溪镇" not in one.output
    bad = runner.invoke(cli, ["template", "--town", "不存在镇"])
    assert bad.exit_code == 2 and "unknown town '不存在镇'" in bad.output
    assert runner.invoke(cli, ["template", "--period", "2023-13"]).exit_code == 2
    assert template.help and "Example: fundmon template" in template.help


def test_cli_without_towns_exits_2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    open_database(f"sqlite:///{tmp_path / 'fundmon.db'}")
    result = CliRunner().invoke(cli, ["--db", f"sqlite:///{tmp_path / 'fundmon.db'}", "template"])
    assert result.exit_code == 2 and "no towns known" in result.output


@pytest.fixture(scope="module")
def sample_db(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, Any, Path]:
    """The shipped sample data (five towns, March–October 2023) in a SQLite database."""
    from monitor.cli.demo import demo_settings, read_manifest, sample_root

    root, folder = sample_root(), tmp_path_factory.mktemp("sample")
    settings = demo_settings(root)
    factory = open_database(f"sqlite:///{folder / 'fundmon.db'}")
    for path, received in read_manifest(root):
        ingest_paths(factory, [path], settings, IngestOptions(received_at=received))
    return factory, settings, folder


def test_sample_towns_templates_filled_with_current_figures_read_back_clean(sample_db: Any) -> None:
    """Every sample town's template, filled with the figures status shows, checks with no finding but the
    one the data really has (东郊村's spending is above its allocation)."""
    factory, settings, folder = sample_db
    paths = run_templates(factory, settings, None, None, folder / "out", as_of=AS_OF)
    assert [p.name.split("_")[0] for p in paths] == settings.expected_towns
    with factory() as s:
        shown = {(p["town"], p["project_name"]): p for p in build_status(s, settings, "2023-10", AS_OF)["projects"]}
    filled = []
    for path in paths:
        ws = openpyxl.load_workbook(path)["项目进度"]
        town = path.name.split("_")[0]
        figures = {}
        for r in project_rows(ws):
            p = shown[(town, ws.cell(r, header(ws)["项目名称"]).value)]
            typed = {"累计支出（万元）": p["spent"] / 10000, "项目状态": p["status"], "形象进度": p["progress"]}
            for key, label in (("requested", "已请款（万元）"), ("disbursed", "已拨付（万元）")):
                typed[label] = None if p[key] is None else p[key] / 10000
            figures[(p["project_name"], ws.cell(r, header(ws)["资金年度"]).value)] = typed
        filled.append(fill(path, folder / "back" / path.name, figures))
    report = check_paths(factory, filled, settings, IngestOptions(received_at=datetime(2023, 12, 1)))
    assert all(r.parsed.is_template and r.parsed.period == "2023-11" for r in report.results)
    assert sum(r.outcome.rows_accepted for r in report.results) == len(shown)
    found = [(f.code, f.raw) for r in report.results for f in r.outcome.findings]
    assert found == [("spent-over-allocated", None)]


def test_a_template_sent_back_unfilled_is_refused(loaded: Any, made: dict[str, Path]) -> None:
    path = next(iter(made.values()))
    report = ingest_paths(loaded, [path], SETTINGS, IngestOptions(received_at=datetime(2023, 12, 1, 9)))
    outcome = report.results[0].outcome
    assert outcome.outcome == "rejected"
    assert [f.code for f in outcome.findings if f.is_error] == ["template-unfilled"]
