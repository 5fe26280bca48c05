"""The public disclosure table 项目公示表: exactly the public columns and figures, as xlsx and BOM'd CSV."""

from __future__ import annotations

import csv
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import click
import openpyxl
import pytest
from click.testing import CliRunner

from etl.pipeline import IngestOptions, ingest_paths
from monitor.cli.common import App, GuardedGroup
from monitor.cli.disclose import disclose, run_disclose
from monitor.db import open_database
from monitor.settings import load_settings
from monitor.status import build_status
from reports.disclose import PUBLIC_COLUMNS, disclosure_names
from tests.helpers import HEADER, project, town_workbook

SETTINGS = load_settings(None, {"towns.expected": ["磷溪镇", "官塘镇", "铁铺镇"]})
AS_OF = date(2023, 11, 10)
PUBLIC = ["序号", "镇街", "村(社区)", "项目名称", "项目类别", "资金年度", "下达资金（万元）", "已支出（万元）",
          "项目状态", "业主单位"]
#: what a town writes that must never be published: problems, notes and a clerk's name
FULL_HEADER = (*HEADER, "业主单位", "存在问题", "备注", "填报人")
SECRETS = ("征地进度慢", "经办人张三", "李四")


def with_notes(row: tuple[Any, ...], owner: str | None) -> tuple[Any, ...]:
    return (*row, owner, "征地进度慢", "经办人张三", "李四")


@pytest.fixture
def loaded(db_url: str, tmp_path: Path):  # type: ignore[no-untyped-def]
    factory = open_database(db_url)
    lx = [with_notes(project("XQ-LX-1", "溪口市场升级改造", 420, 130.5, requested=200, disbursed=150), "磷溪镇人民政府"),
          with_notes(project("XQ-LX-2", "仙田村道路硬底化", 150, 0, village="仙田", status="招投标"), None),
          with_notes(project(None, "北堤村太阳能路灯", 36.555, 36.555, village="北堤", status="已结算"), "北堤村委会")]
    gt = [with_notes(project("XQ-GT-1", '=HYPERLINK("http://x","奕湖")', 300, 270.004, village="奕湖", year=2022),
                     "官塘镇农业办")]
    for path, town, rows in ((tmp_path / "lx.xlsx", "磷溪镇", lx), (tmp_path / "gt.xlsx", "官塘镇", gt)):
        town_workbook(path, town, "2023-10", rows, header=FULL_HEADER)
        report = ingest_paths(factory, [path], SETTINGS, IngestOptions(received_at=datetime(2023, 11, 3)))
        assert report.results[0].outcome.rows_accepted == len(rows), report.results[0].outcome.findings
    return factory


def written(factory: Any, tmp_path: Path) -> tuple[Path, Path]:
    xlsx, csv_path = run_disclose(factory, SETTINGS, None, AS_OF, tmp_path / "公示")
    return xlsx, csv_path


def expected_rows(factory: Any) -> list[list[Any]]:
    with factory() as s:
        projects = build_status(s, SETTINGS, None, AS_OF)["projects"]
    owners = {"溪口市场升级改造": "磷溪镇人民政府", "北堤村太阳能路灯": "北堤村委会",
              '=HYPERLINK("http://x","奕湖")': "官塘镇农业办"}
    order = {"磷溪镇": 0, "官塘镇": 1}
    projects.sort(key=lambda p: (order[p["town"]], p["project_code"] is None, p["project_code"] or "",
                                 p["project_name"]))
    return [[n, p["town"], p["village"], p["project_name"], p["category"], p["fund_year"],
             (Decimal(str(p["allocated"])) / 10000).quantize(Decimal("0.01")),
             (Decimal(str(p["spent"])) / 10000).quantize(Decimal("0.01")), p["status"],
             owners.get(p["project_name"])] for n, p in enumerate(projects, start=1)]


def test_xlsx_has_exactly_the_public_columns_and_figures(loaded: Any, tmp_path: Path) -> None:
    xlsx, _ = written(loaded, tmp_path)
    assert xlsx.name == "项目公示表_2023年10月.xlsx" == disclosure_names("2023-10")[0]
    wb = openpyxl.load_workbook(xlsx)
    assert wb.sheetnames == ["项目公示表"]
    ws = wb["项目公示表"]
    assert ws["A1"].value == "湘桥区驻镇帮镇扶村项目公示表（2023年10月）"
    assert "数据截至2023年10月31日" in ws["A2"].value and "金额单位：万元" in ws["A2"].value
    assert [c.value for c in ws[3]] == PUBLIC == [h for h, _ in PUBLIC_COLUMNS]
    rows = [list(r) for r in ws.iter_rows(min_row=4, values_only=True)]
    want = expected_rows(loaded)
    assert [[Decimal(str(v)).quantize(Decimal("0.01")) if i in (6, 7) else v for i, v in enumerate(r)]
            for r in rows] == want
    assert rows[2][6:8] == [36.56, 36.56] and rows[3][6:8] == [300, 270]  # 万元 rounded to two decimals
    assert ws.cell(4, 7).number_format == "#,##0.00"
    formula = ws.cell(7, 4)
    assert formula.data_type == "s" and formula.value.startswith("=HYPERLINK")


def test_csv_has_a_bom_and_the_same_table(loaded: Any, tmp_path: Path) -> None:
    _, path = written(loaded, tmp_path)
    assert path.name == "项目公示表_2023年10月.csv"
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    with path.open(encoding="utf-8-sig", newline="") as fh:
        lines = list(csv.reader(fh))
    assert lines[0] == ["湘桥区驻镇帮镇扶村项目公示表（2023年10月）"]
    assert "数据截至2023年10月31日" in lines[1][0]
    assert lines[2] == PUBLIC
    want = [["" if v is None else f"{v:.2f}" if isinstance(v, Decimal) else str(v) for v in r]
            for r in expected_rows(loaded)]
    assert lines[3:] == want
    assert lines[3][6:8] == ["420.00", "130.50"] and lines[5][6:8] == ["36.56", "36.56"]


def test_nothing_internal_is_published(loaded: Any, tmp_path: Path) -> None:
    xlsx, csv_path = written(loaded, tmp_path)
    cells = [str(v) for row in openpyxl.load_workbook(xlsx).active.iter_rows(values_only=True) for v in row if v]
    text = "\n".join(cells) + csv_path.read_text(encoding="utf-8-sig")
    for secret in (*SECRETS, "红灯", "绿灯", "zero-spend", "stalled", "支出率", "序时", "问题", "备注"):
        assert secret not in text, secret
    header = [c.value for c in openpyxl.load_workbook(xlsx).active[3]]
    assert not [h for h in header if any(w in h for w in ("灯", "问题", "备注", "标记", "偏差", "填报人"))]


def test_period_option_and_data_date(loaded: Any, tmp_path: Path) -> None:
    xlsx, csv_path = run_disclose(loaded, SETTINGS, "2023-11", AS_OF, tmp_path / "o")
    assert xlsx.name == "项目公示表_2023年11月.xlsx"
    assert "数据截至2023年11月30日" in csv_path.read_text(encoding="utf-8-sig")


@click.group(cls=GuardedGroup)
@click.option("--db")
@click.pass_context
def cli(ctx: click.Context, db: str | None) -> None:
    """The command under the same error edge as ``fundmon`` (the command is wired into main by the lead)."""
    ctx.obj = App(db=db)


cli.add_command(disclose)


def test_cli_exit_codes(loaded: Any, db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    ok = runner.invoke(cli, ["--db", db_url, "disclose", "--as-of", "2023-11-10", "--out", "pub"])
    assert ok.exit_code == 0, ok.output
    assert "项目公示表_2023年10月.xlsx" in ok.output and (tmp_path / "pub" / "项目公示表_2023年10月.csv").is_file()
    assert runner.invoke(cli, ["--db", db_url, "disclose", "--period", "10/2023"]).exit_code == 2
    assert disclose.help and "Example: fundmon disclose" in disclose.help


def test_cli_without_data_exits_2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    url = f"sqlite:///{tmp_path / 'fundmon.db'}"
    open_database(url)
    result = CliRunner().invoke(cli, ["--db", url, "disclose"])
    assert result.exit_code == 2 and "no data to disclose" in result.output
