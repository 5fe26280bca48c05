"""Withdraw, restore, reassign and merge: later corrections, each recorded in the log."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from etl.pipeline import IngestOptions, ingest_paths
from etl.reassign import reassign
from monitor.db import open_database
from monitor.errors import UsageError
from monitor.identity import find_candidates, merge_projects
from monitor.schema import Correction, Project, ProjectAlias, ReportRow, Submission
from monitor.settings import load_settings
from monitor.status import build_status
from monitor.submissions import restore, withdraw
from tests.helpers import LX_ROWS, project, town_workbook

SETTINGS = load_settings(None, {"towns.expected": ["磷溪镇", "官塘镇"]})


@pytest.fixture
def factory(db_url: str):  # type: ignore[no-untyped-def]
    return open_database(db_url)


def load(factory, path: Path, **kw):  # type: ignore[no-untyped-def]
    return ingest_paths(factory, [path], SETTINGS, IngestOptions(**kw)).results[0].outcome


def test_withdraw_brings_back_the_previous_version_and_restore_undoes(factory, tmp_path: Path) -> None:
    one = load(factory, town_workbook(tmp_path / "a.xlsx", "磷溪镇", "2023-10", LX_ROWS))
    two = load(factory, town_workbook(tmp_path / "b.xlsx", "磷溪镇", "2023-10", LX_ROWS[:1]))
    with factory.begin() as s:
        withdraw(s, two.submission_id, "wrong file")
    with factory() as s:
        assert s.get(Submission, one.submission_id).status == "accepted"
        assert s.get(Submission, two.submission_id).status == "withdrawn"
        assert len(build_status(s, SETTINGS, "2023-10")["projects"]) == 3
    with factory.begin() as s:
        restore(s, two.submission_id)
    with factory() as s:
        assert s.get(Submission, one.submission_id).status == "superseded"
        assert s.get(Submission, two.submission_id).status == "accepted"
        actions = [c.action for c in s.scalars(select(Correction).order_by(Correction.id))]
        assert actions == ["reinstate", "withdraw", "supersede", "restore"]
        with pytest.raises(UsageError):
            restore(s, two.submission_id)


def test_reassign_period_reloads_the_kept_bytes(factory, tmp_path: Path) -> None:
    one = load(factory, town_workbook(tmp_path / "a.xlsx", "磷溪镇", "2023-10", LX_ROWS))
    with factory.begin() as s:
        outcome = reassign(s, SETTINGS, one.submission_id, town=None, period="2023-09", note="月份填错")
    assert outcome.outcome == "accepted" and outcome.period == "2023-09"
    with factory() as s:
        assert s.get(Submission, one.submission_id).status == "withdrawn"
        assert build_status(s, SETTINGS, "2023-09")["projects"][0]["last_period"] == "2023-09"
        assert s.scalars(select(Correction.action).where(Correction.action == "reassign")).one()


def test_reassign_to_unknown_town_is_refused(factory, tmp_path: Path) -> None:
    one = load(factory, town_workbook(tmp_path / "a.xlsx", "磷溪镇", "2023-10", LX_ROWS))
    with factory.begin() as s, pytest.raises(UsageError, match="cannot be loaded"):
        reassign(s, SETTINGS, one.submission_id, town="不存在镇", period=None)


def test_candidates_and_merge_make_an_alias(factory, tmp_path: Path) -> None:
    load(factory, town_workbook(tmp_path / "a.xlsx", "磷溪镇", "2023-09",
                                [project(None, "溪口市场升级改造工程", 420, 100)]))
    load(factory, town_workbook(tmp_path / "b.xlsx", "磷溪镇", "2023-10",
                                [project(None, "溪口市场升级改造", 420, 150)]))
    with factory() as s:
        pairs = find_candidates(s, 80)
        assert len(pairs) == 1 and pairs[0].score >= 80
        keep, other = pairs[0].first.id, pairs[0].second.id
    with factory.begin() as s:
        merge_projects(s, keep, other, "same market")
    with factory() as s:
        assert [p.id for p in s.scalars(select(Project))] == [keep]
        assert len(list(s.scalars(select(ReportRow).where(ReportRow.project_id == keep)))) == 2
        assert s.scalars(select(ProjectAlias)).one().project_id == keep
        status = build_status(s, SETTINGS, "2023-10")
        assert status["projects"][0]["spent"] == 1_500_000.00
    load(factory, town_workbook(tmp_path / "c.xlsx", "磷溪镇", "2023-08",
                                [project(None, "溪口市场 升级改造", 420, 50)]))
    with factory() as s:
        assert len(list(s.scalars(select(Project)))) == 1  # the alias routes the old name


def test_reassign_town_takes_the_files_own_projects_along(factory, tmp_path: Path) -> None:
    from monitor.explain import explain_project

    one = load(factory, town_workbook(tmp_path / "a.xlsx", "磷溪镇", "2023-10", LX_ROWS))
    with factory.begin() as s:
        outcome = reassign(s, SETTINGS, one.submission_id, town="官塘镇", period=None)
    assert outcome.outcome == "accepted" and outcome.town == "官塘镇"
    with factory() as s:
        data = build_status(s, SETTINGS, "2023-10")
        assert {p["town"] for p in data["projects"]} == {"官塘镇"}
        assert explain_project(s, SETTINGS, "XQ2023-LX-001")["town"] == "官塘镇"
        with pytest.raises(UsageError, match="already"):
            reassign(s, SETTINGS, outcome.submission_id, town="官塘镇", period="2023-10")
