"""The demo on the shipped sample data: exit 0, and status equal to the story in sample_data/expected.json."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from monitor.cli.demo import DEMO_AS_OF, demo_settings, sample_root
from monitor.cli.main import cli
from monitor.db import open_database
from monitor.schema import FindingRow, Submission
from monitor.status import build_status

EXPECTED = json.loads((Path(__file__).parent.parent / "sample_data" / "expected.json").read_text("utf-8"))
FIGURES = ("project_code", "town", "village", "category", "fund_year", "allocated", "requested",
           "disbursed", "spent", "spend_rate", "progress", "status", "last_period")


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("demo")
    result = CliRunner().invoke(cli, ["demo", "--out", str(out)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "fundmon.db" in result.output and "问题清单" in result.output
    return out


def status(demo_db: Path) -> dict:  # type: ignore[type-arg]
    with open_database(f"sqlite:///{demo_db / 'fundmon.db'}")() as s:
        return build_status(s, demo_settings(sample_root()), None, DEMO_AS_OF)


def test_demo_status_matches_the_story(demo_db: Path) -> None:
    data = status(demo_db)
    assert data["period"] == EXPECTED["period"] == "2023-10"
    got = {p["project_name"]: p for p in data["projects"]}
    assert set(got) == {p["project_name"] for p in EXPECTED["projects"]}
    for want in EXPECTED["projects"]:
        have = got[want["project_name"]]
        assert {k: have[k] for k in FIGURES} == {k: want[k] for k in FIGURES}, want["project_name"]


def test_demo_towns_rank_and_totals(demo_db: Path) -> None:
    towns = {t["town"]: t for t in status(demo_db)["towns"]}
    for want in EXPECTED["towns"]:
        have = towns[want["town"]]
        for key in ("projects", "allocated", "spent", "spend_rate", "rank", "bottom_three", "submitted"):
            assert have[key] == want[key], (want["town"], key)


def test_demo_submissions_rejected_rows_and_supersede(demo_db: Path) -> None:
    with open_database(f"sqlite:///{demo_db / 'fundmon.db'}")() as s:
        subs = list(s.scalars(select(Submission)))
        assert len(subs) == EXPECTED["submissions"]["files"]
        superseded = [Path(x).name for x in EXPECTED["submissions"]["superseded"]]
        assert sorted(x.file_name for x in subs if x.status == "superseded") == sorted(superseded)
        errors = list(s.scalars(select(FindingRow).where(FindingRow.severity == "error")))
    got = sorted((f.file_name, f.sheet, f.row, f.column, f.raw or "") for f in errors)
    want = sorted((Path(r["file"]).name, r["sheet"], r["excel_row"], r["header"], r["raw"])
                  for r in EXPECTED["rejected_rows"])
    assert got == want
    lists = sorted(p.name for p in (demo_db / "问题清单").glob("*.xlsx"))
    assert len(lists) >= len(want)


def test_demo_date_is_fixed() -> None:
    assert DEMO_AS_OF == date(2023, 11, 10)


SAMPLE_EXPECTED = Path(__file__).parent / "data" / "sample_expected.csv"
ALL_FLAGS = ("zero-spend", "stalled", "awaiting-transfer", "surplus", "over-allocation", "regressed",
             "progress-gap", "not-started", "overdue", "carryover", "carryover-2y", "missing-report",
             "year-end-risk")


def test_demo_lights_and_flags_match_the_hand_worked_story(demo_db: Path) -> None:
    import csv

    with SAMPLE_EXPECTED.open(encoding="utf-8") as fh:
        want = {(r["town"], r["project_name"]): (r["light"], r["flags"].split("|") if r["flags"] else [])
                for r in csv.DictReader(fh)}
    got = {(p["town"], p["project_name"]): (p["light"], p["flags"]) for p in status(demo_db)["projects"]}
    assert got == want


def test_demo_raises_every_flag_and_ranks_towns(demo_db: Path) -> None:
    data = status(demo_db)
    raised = {code for p in data["projects"] for code in p["flags"]}
    assert raised == set(ALL_FLAGS)
    towns = {t["town"]: t for t in data["towns"]}
    for want in EXPECTED["towns"]:
        have = towns[want["town"]]
        for key in ("benchmark", "gap", "light", "green", "yellow", "red"):
            assert have[key] == want[key], (want["town"], key)
    assert data["thresholds"]["green_gap"] == 0.1 and data["benchmark_mode"] == "monthly"


def test_demo_projects_match_expected_benchmarks(demo_db: Path) -> None:
    got = {p["project_name"]: p for p in status(demo_db)["projects"]}
    for want in EXPECTED["projects"]:
        have = got[want["project_name"]]
        assert (have["benchmark"], have["gap"]) == (want["benchmark"], want["gap"]), want["project_name"]
