"""Town identity of a town's own file: a name in doubt (not on the town list, or close to a known town in
learning mode) rejects the file and makes no town; a brand-new name is learned; what the clerk can do is said
on the command line, never in the town's 问题清单."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
import xlsxwriter
from sqlalchemy import select

from etl.pipeline import IngestOptions, ingest_paths
from etl.resolve import near_town
from monitor.db import open_database
from monitor.names import canonical_town
from monitor.schema import Letter, Submission, Town
from monitor.settings import load_settings
from monitor.status import build_status
from reports.letters import run_letters
from tests.helpers import LX_ROWS, project, town_workbook

TOWNS = ["磷溪镇", "官塘镇", "意溪镇", "铁铺镇"]
LISTED = load_settings(None, {"towns.expected": TOWNS})
LEARNING = load_settings(None, {})
GOOD = [project(None, "新城村文化室", 100, 40)]


def ingest(factory: Any, settings: Any, path: Path, **options: Any) -> Any:
    (result,) = ingest_paths(factory, [path], settings, IngestOptions(**options)).results
    return result.outcome


def town_names(factory: Any) -> list[str]:
    with factory() as s:
        return sorted(s.scalars(select(Town.name)))


@pytest.mark.parametrize(("name", "known", "near"), [
    ("磷溪", ["意溪镇", "磷溪镇"], "磷溪镇"), ("磷溪街道", ["磷溪镇"], "磷溪镇"), ("磷溪镇村", ["磷溪镇"], "磷溪镇"),
    ("意溪镇", ["磷溪镇", "官塘镇"], None), ("新城镇", ["磷溪镇", "意溪镇", "官塘镇", "铁铺镇"], None),
    ("东山湖街道", ["东山湖镇"], "东山湖镇"), ("磷溪镇", ["磷溪镇"], None)])
def test_near_town(name: str, known: list[str], near: str | None) -> None:
    assert near_town(name, known, 80) == near


def test_a_town_government_is_its_town() -> None:
    assert canonical_town("磷溪镇政府") == canonical_town("磷溪镇人民政府") == "磷溪镇"


def test_unknown_town_on_a_list_makes_no_town(db_url: str, tmp_path: Path) -> None:
    factory = open_database(db_url)
    outcome = ingest(factory, LISTED, town_workbook(tmp_path / "报表202310.xlsx", "新城镇", "2023-10", GOOD))
    assert outcome.outcome == "rejected" and [f.code for f in outcome.findings] == ["unknown-town"]
    assert town_names(factory) == []
    with factory() as s:
        assert s.scalars(select(Submission.town_id)).one() is None
        assert "新城镇" not in [t["town"] for t in build_status(s, LISTED, "2023-10")["towns"]]
    run_letters(factory, LISTED, date(2023, 11, 13), tmp_path / "out")
    with factory() as s:
        assert "新城镇" not in set(s.scalars(select(Letter.town)))


def test_near_miss_of_a_known_town_is_a_finding_in_learning_mode(db_url: str, tmp_path: Path) -> None:
    factory = open_database(db_url)
    assert ingest(factory, LEARNING, town_workbook(tmp_path / "a.xlsx", "磷溪镇", "2023-09", LX_ROWS)).outcome == \
        "accepted"
    outcome = ingest(factory, LEARNING, town_workbook(tmp_path / "b.xlsx", "磷溪街道", "2023-10", LX_ROWS))
    assert outcome.outcome == "rejected" and outcome.rows_accepted == 0
    (finding,) = outcome.findings
    assert (finding.code, finding.raw) == ("town-candidate", "磷溪街道")
    assert finding.message.startswith("镇街名称“磷溪街道”与已有的“磷溪镇”相近，请核对") and "--" not in finding.message
    assert any("towns.expected" in note for note in outcome.notes)
    # the same name given by the clerk (--town) is judged the same way
    assert ingest(factory, LEARNING, town_workbook(tmp_path / "c.xlsx", "磷溪镇", "2023-10", LX_ROWS),
                  town="磷溪").findings[0].code == "town-candidate"
    assert town_names(factory) == ["磷溪镇"]
    with factory() as s:
        assert [t["town"] for t in build_status(s, LEARNING, "2023-10")["towns"]] == ["磷溪镇"]


def test_a_brand_new_town_is_learned_in_learning_mode(db_url: str, tmp_path: Path) -> None:
    factory = open_database(db_url)
    ingest(factory, LEARNING, town_workbook(tmp_path / "a.xlsx", "磷溪镇", "2023-06", LX_ROWS))
    outcome = ingest(factory, LEARNING, town_workbook(tmp_path / "报表202306.xlsx", "新城镇", "2023-06", GOOD))
    assert (outcome.outcome, outcome.town, outcome.findings) == ("accepted", "新城镇", [])
    assert town_names(factory) == ["新城镇", "磷溪镇"]


def test_how_to_settle_a_files_month_is_told_to_the_clerk_not_the_town(db_url: str, tmp_path: Path) -> None:
    factory = open_database(db_url)
    path = tmp_path / "磷溪镇进度表.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("项目进度")
    sheet.write_row(0, 0, ["序号", "项目名称", "下达资金（万元）", "已支出（万元）"])
    sheet.write_row(1, 0, [1, "溪口市场升级改造", 420, 30])
    book.close()
    outcome = ingest(factory, LEARNING, path)
    assert [f.code for f in outcome.findings] == ["no-period"]
    assert "请在表头上方写明“报表月份" in outcome.findings[0].message and "--" not in outcome.findings[0].message
    assert any("--period" in note for note in outcome.notes)
    assert ingest(factory, LEARNING, path, period="2023-10").outcome == "accepted"


def test_a_file_that_names_two_towns_and_months_makes_no_town_and_tells_the_clerk_how(db_url: str,
                                                                                    tmp_path: Path) -> None:
    factory = open_database(db_url)
    path = town_workbook(tmp_path / "官塘镇_202310.xlsx", "磷溪镇", "2023-09", LX_ROWS)
    outcome = ingest(factory, LEARNING, path)
    assert sorted(f.code for f in outcome.findings) == ["period-conflict", "town-conflict"]
    assert all("--" not in f.message for f in outcome.findings)
    assert any("--town" in n for n in outcome.notes) and any("--period" in n for n in outcome.notes)
    assert town_names(factory) == []
    assert ingest(factory, LEARNING, path, town="官塘镇", period="2023-10").outcome == "accepted"
    assert town_names(factory) == ["官塘镇"]
