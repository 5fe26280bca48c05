"""`fundmon explain`: one project's months with light, flags, reasons and the source cells."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from etl.pipeline import IngestOptions, ingest_paths
from monitor.cli.main import cli
from monitor.db import open_database
from monitor.errors import UsageError
from monitor.explain import explain_project
from monitor.settings import load_settings
from tests.helpers import project, town_workbook

SETTINGS = load_settings(None, {"towns.expected": ["磷溪镇"]})
ROWS = {
    "2023-08": [project("LX-1", "仙田村茶园景观提升", 180, 72, requested=90, disbursed=72)],
    "2023-09": [project("LX-1", "仙田村茶园景观提升", 180, 72, requested=120, disbursed=72)],
    "2023-10": [project("LX-1", "仙田村茶园景观提升", 180, 72, requested=150, disbursed=100)],
}


@pytest.fixture
def db(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'x.db'}"
    files = [town_workbook(tmp_path / f"{p}.xlsx", "磷溪镇", p, rows) for p, rows in ROWS.items()]
    ingest_paths(open_database(url), files, SETTINGS, IngestOptions())
    return url


def test_explain_walks_the_months_with_flags_and_sources(db: str) -> None:
    with open_database(db)() as s:
        data = explain_project(s, SETTINGS, "LX-1", as_of=date(2023, 11, 10))
    assert [m["period"] for m in data["months"]] == ["2023-08", "2023-09", "2023-10"]
    october = data["months"][-1]
    assert october["light"] == "red" and october["spend_rate"] == 0.4
    codes = [f["code"] for f in october["flags"]]
    assert "stalled" in codes and "awaiting-transfer" in codes
    stalled = next(f for f in october["flags"] if f["code"] == "stalled")
    assert "72.00万元" in stalled["why"] and "2023年8月" in stalled["why"]
    assert october["sources"] and "2023-10.xlsx › 项目进度 › 第4行" in october["sources"][0]
    assert data["allocations"] == [{"fund_year": 2023, "batch": None, "level": None, "doc_no": None,
                                    "amount": 1_800_000.0, "spent": 720_000.0, "counted": True}]
    assert october["reasons"]


def test_explain_finds_by_name_or_id(db: str) -> None:
    with open_database(db)() as s:
        by_name = explain_project(s, SETTINGS, "仙田村茶园", as_of=date(2023, 11, 10))
        by_id = explain_project(s, SETTINGS, f"#{by_name['project_id']}", as_of=date(2023, 11, 10))
        assert by_id["project_code"] == by_name["project_code"] == "LX-1"
        with pytest.raises(UsageError, match="no project matches"):
            explain_project(s, SETTINGS, "完全不相干的名字", as_of=date(2023, 11, 10))


def test_explain_cli_table_and_json(db: str) -> None:
    runner = CliRunner()
    table = runner.invoke(cli, ["--db", db, "explain", "LX-1", "--as-of", "2023-11-10"])
    assert table.exit_code == 0 and "仙田村茶园景观提升" in table.output and "stalled" in table.output
    as_json = runner.invoke(cli, ["--db", db, "explain", "LX-1", "--format", "json", "--as-of", "2023-11-10"])
    assert json.loads(as_json.output)["months"][-1]["light"] == "red"
