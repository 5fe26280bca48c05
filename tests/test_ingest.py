"""Ingest end to end on SQLite and PostgreSQL: exact amounts, nothing lost, idempotent, supersede, rollback."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from etl.pipeline import IngestOptions, ingest_paths
from monitor.db import open_database
from monitor.schema import Allocation, FindingRow, Project, ReportRow, StoredFile, Submission
from monitor.settings import load_settings
from tests.helpers import LX_ROWS, project, town_workbook


@pytest.fixture
def factory(db_url: str):  # type: ignore[no-untyped-def]
    return open_database(db_url)


@pytest.fixture
def settings():  # type: ignore[no-untyped-def]
    return load_settings(None, {"towns.expected": ["磷溪镇", "官塘镇", "意溪镇", "铁铺镇", "桥东街道"]})


def ingest(factory, settings, *paths: Path, **options):  # type: ignore[no-untyped-def]
    return ingest_paths(factory, list(paths), settings, IngestOptions(**options))


def count(session, model) -> int:  # type: ignore[no-untyped-def]
    return session.scalar(select(func.count()).select_from(model))


def test_good_file_lands_exactly(factory, settings, tmp_path: Path) -> None:
    path = town_workbook(tmp_path / "磷溪镇_2023年10月.xlsx", "磷溪镇", "2023-10", LX_ROWS)
    report = ingest(factory, settings, path, received_at=datetime(2023, 11, 3, 10, 20))
    outcome = report.results[0].outcome
    assert (outcome.outcome, outcome.town, outcome.period, outcome.rows_accepted) == \
        ("accepted", "磷溪镇", "2023-10", 3)
    with factory() as s:
        rows = {r.excel_row: r for r in s.scalars(select(ReportRow))}
        assert rows[4].allocated_fen == 420 * 1_000_000 and rows[4].spent_fen == 130_500_000
        assert rows[4].requested_fen == 200_000_000 and rows[4].disbursed_fen == 150_000_000
        assert rows[4].progress_bp == 6000 and rows[4].sheet == "项目进度"
        assert rows[5].spent_fen == 0 and rows[6].progress_bp == 10000
        assert rows[4].raw["项目名称"] == "溪口市场升级改造"
        sub = s.scalars(select(Submission)).one()
        assert sub.received_at == datetime(2023, 11, 3, 10, 20)
        stored = s.get(StoredFile, sub.sha256)
        assert stored is not None and stored.content == path.read_bytes()
        assert count(s, Allocation) == 3


def test_same_bytes_twice_changes_nothing(factory, settings, tmp_path: Path) -> None:
    path = town_workbook(tmp_path / "磷溪镇_202310.xlsx", "磷溪镇", "2023-10", LX_ROWS)
    ingest(factory, settings, path)
    again = ingest(factory, settings, path).results[0].outcome
    assert again.outcome == "duplicate"
    with factory() as s:
        assert count(s, Submission) == 1 and count(s, ReportRow) == 3 and count(s, StoredFile) == 1


def test_same_bytes_other_period_is_a_new_version(factory, settings, tmp_path: Path) -> None:
    path = town_workbook(tmp_path / "磷溪镇_202310.xlsx", "磷溪镇", "2023-10", LX_ROWS)
    ingest(factory, settings, path)
    other = ingest(factory, settings, path, period="2023-09").results[0].outcome
    assert other.outcome == "accepted" and other.period == "2023-09"
    with factory() as s:
        assert count(s, Submission) == 2 and count(s, StoredFile) == 1


def test_new_file_supersedes_and_missing_project_is_warned(factory, settings, tmp_path: Path) -> None:
    first = town_workbook(tmp_path / "a.xlsx", "磷溪镇", "2023-10", LX_ROWS)
    second = town_workbook(tmp_path / "b.xlsx", "磷溪镇", "2023-10", LX_ROWS[:2])
    one = ingest(factory, settings, first).results[0].outcome
    two = ingest(factory, settings, second).results[0].outcome
    assert two.outcome == "accepted" and two.superseded_id == one.submission_id
    assert [f.code for f in two.findings] == ["project-missing"]
    assert "北堤村太阳能路灯" in two.findings[0].message
    with factory() as s:
        old = s.get(Submission, one.submission_id)
        assert old.status == "superseded" and old.superseded_by_id == two.submission_id
        assert count(s, ReportRow) == 5  # the superseded file's rows are kept


def test_wholly_rejected_file_supersedes_nothing(factory, settings, tmp_path: Path) -> None:
    good = town_workbook(tmp_path / "good.xlsx", "磷溪镇", "2023-10", LX_ROWS)
    bad = town_workbook(tmp_path / "bad.xlsx", "磷溪镇", "2023-10",
                        [project("X1", "溪口市场升级改造", 420, "待定")])
    ingest(factory, settings, good)
    outcome = ingest(factory, settings, bad).results[0].outcome
    assert outcome.outcome == "rejected" and outcome.superseded_id is None
    with factory() as s:
        statuses = sorted(s.scalars(select(Submission.status)))
        assert statuses == ["accepted", "rejected"]


def test_bad_rows_rejected_with_findings_rest_loads(factory, settings, tmp_path: Path) -> None:
    rows = [*LX_ROWS, project("XQ2023-LX-009", "窑美村四小园", 80, "待定", village="窑美")]
    path = town_workbook(tmp_path / "磷溪镇_202310.xlsx", "磷溪镇", "2023-10", rows)
    outcome = ingest(factory, settings, path).results[0].outcome
    assert (outcome.outcome, outcome.rows_accepted, outcome.rows_rejected) == ("accepted", 3, 1)
    with factory() as s:
        finding = s.scalars(select(FindingRow).where(FindingRow.severity == "error")).one()
        assert (finding.sheet, finding.row, finding.col, finding.raw) == ("项目进度", 7, 10, "待定")
        assert finding.column == "累计支出（万元）" and finding.code == "bad-amount"
        assert "待定" in finding.message
        assert count(s, ReportRow) == 3


def test_unreadable_file_beside_good_ones(factory, settings, tmp_path: Path) -> None:
    good = town_workbook(tmp_path / "磷溪镇_202310.xlsx", "磷溪镇", "2023-10", LX_ROWS)
    broken = tmp_path / "官塘镇_202310.xlsx"
    broken.write_bytes(b"PK\x03\x04 this is not really a workbook")
    report = ingest(factory, settings, good, broken)
    outcomes = {r.path.name: r.outcome for r in report.results}
    assert outcomes[good.name].outcome == "accepted"
    assert outcomes[broken.name].outcome == "rejected" and outcomes[broken.name].errors == 1
    with factory() as s:
        rejected = s.scalars(select(Submission).where(Submission.status == "rejected")).one()
        assert rejected.reason and s.get(StoredFile, rejected.sha256).content == broken.read_bytes()


def test_failure_mid_file_leaves_nothing_of_it(factory, settings, tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    import etl.load

    calls = {"n": 0}
    original = etl.load._record_allocation

    def fail_on_second(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("disk on fire")
        return original(*args, **kwargs)

    monkeypatch.setattr(etl.load, "_record_allocation", fail_on_second)
    path = town_workbook(tmp_path / "磷溪镇_202310.xlsx", "磷溪镇", "2023-10", LX_ROWS)
    outcome = ingest(factory, settings, path).results[0].outcome
    assert outcome.outcome == "rejected" and outcome.findings[0].code == "internal-error"
    with factory() as s:
        assert count(s, ReportRow) == 0 and count(s, Project) == 0 and count(s, Allocation) == 0
        assert s.scalars(select(Submission.status)).one() == "rejected"
    monkeypatch.setattr(etl.load, "_record_allocation", original)
    assert ingest(factory, settings, path).results[0].outcome.outcome == "accepted"


def test_spent_decrease_is_a_warning(factory, settings, tmp_path: Path) -> None:
    sep = town_workbook(tmp_path / "sep.xlsx", "磷溪镇", "2023-09", LX_ROWS)
    lower = [project("XQ2023-LX-001", "溪口市场升级改造", 420, 100)]
    octo = town_workbook(tmp_path / "oct.xlsx", "磷溪镇", "2023-10", lower)
    ingest(factory, settings, sep)
    outcome = ingest(factory, settings, octo).results[0].outcome
    assert outcome.outcome == "accepted"
    warning = next(f for f in outcome.findings if f.code == "spent-decreased")
    assert warning.row == 4 and warning.col == 10 and "2023-09" in warning.message


def test_unknown_town_suggests_nearest(factory, settings, tmp_path: Path) -> None:
    path = town_workbook(tmp_path / "x.xlsx", "麟溪镇", "2023-10", LX_ROWS)
    outcome = ingest(factory, settings, path).results[0].outcome
    assert outcome.outcome == "rejected"
    assert outcome.findings[0].code == "unknown-town" and "磷溪镇" in outcome.findings[0].message


def test_project_identity_by_name_across_spellings(factory, settings, tmp_path: Path) -> None:
    sep = town_workbook(tmp_path / "sep.xlsx", "磷溪镇", "2023-09", [project(None, "北堤村 太阳能路灯", 37, 10)])
    octo = town_workbook(tmp_path / "oct.xlsx", "磷溪镇", "2023-10",
                         [project(None, "磷溪镇北堤村太阳能路灯（202盏）", 37, 20),
                          project(None, "北堤村太阳能路灯", 37, 30)])
    ingest(factory, settings, sep)
    outcome = ingest(factory, settings, octo).results[0].outcome
    with factory() as s:
        names = sorted(s.scalars(select(Project.name)))
    assert names == ["北堤村太阳能路灯", "磷溪镇北堤村太阳能路灯（202盏）"]  # newest spelling, as written
    assert any(f.code == "name-candidate" for f in outcome.findings)


REGISTER = Path(__file__).parent / "data" / "register" / "项目库-湘桥区2023.xlsx"


def test_register_sets_the_money_and_town_figures_are_checked_against_it(factory, settings, tmp_path: Path) -> None:
    from monitor.status import build_status

    outcome = ingest(factory, settings, REGISTER).results[0].outcome
    assert (outcome.kind, outcome.outcome) == ("register", "accepted") and outcome.rows_accepted == 7
    assert ingest(factory, settings, REGISTER).results[0].outcome.outcome == "duplicate"
    town_file = town_workbook(tmp_path / "磷溪镇_202310.xlsx", "磷溪镇", "2023-10",
                              [project("XQ2023-LX-001", "溪口市场升级改造", 400, 200)])
    loaded = ingest(factory, settings, town_file).results[0].outcome
    mismatch = next(f for f in loaded.findings if f.code == "allocation-mismatch")
    assert "420.00" in mismatch.message and mismatch.row == 4
    with factory() as s:
        market = next(p for p in build_status(s, settings, "2023-10")["projects"]
                      if p["project_code"] == "XQ2023-LX-001")
        assert market["allocated"] == 4_200_000.00  # the register's two batches, not the town's 400万
        assert market["fund_year"] == 2022 and "carryover" in market["flags"]
        sources = {a.source for a in s.scalars(select(Allocation))
                   if a.project_id == s.scalars(select(Project.id).where(Project.code == "XQ2023-LX-001")).one()}
        assert sources == {"register"}
