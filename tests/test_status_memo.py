"""A session judges a month once until it writes: the memo gives the same verdicts and never stale ones."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from sqlalchemy import select, text, update

from etl.pipeline import IngestOptions, ingest_paths
from monitor.db import open_database
from monitor.schema import Project, ReportRow
from monitor.settings import load_settings
from monitor.status import judge
from tests.helpers import LX_ROWS, town_workbook

SETTINGS = load_settings(None, {"towns.expected": ["磷溪镇"]})
AS_OF = date(2023, 11, 10)


def loaded(db_url: str, tmp_path: Path):  # type: ignore[no-untyped-def]
    factory = open_database(db_url)
    ingest_paths(factory, [town_workbook(tmp_path / "lx10.xlsx", "磷溪镇", "2023-10", LX_ROWS)], SETTINGS,
                 IngestOptions(received_at=datetime(2023, 11, 2, 9)))
    return factory


def spent(judged: list) -> dict[str, int]:  # type: ignore[type-arg]
    return {j.record.project.name: j.verdict.spent for j in judged}


def test_the_same_question_twice_is_answered_once(db_url: str, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import monitor.status

    calls: list[str] = []
    real = monitor.status.load_history
    monkeypatch.setattr(monitor.status, "load_history", lambda *a, **k: calls.append(a[1]) or real(*a, **k))
    with loaded(db_url, tmp_path)() as s:
        first = judge(s, SETTINGS, "2023-10", AS_OF)
        first.sort(key=lambda j: j.record.project.name, reverse=True)  # a caller's own list
        second = judge(s, SETTINGS, "2023-10", AS_OF)
        assert calls == ["2023-10"] and spent(first) == spent(second)
        assert [j.record.project.name for j in second] != [j.record.project.name for j in first]
        judge(s, SETTINGS, "2023-09", AS_OF)
        judge(s, SETTINGS, "2023-10", date(2023, 11, 1))
        assert calls == ["2023-10", "2023-09", "2023-10"]


def test_a_write_in_the_session_is_seen(db_url: str, tmp_path: Path) -> None:
    with loaded(db_url, tmp_path)() as s:
        before = spent(judge(s, SETTINGS, "2023-10", AS_OF))
        name = next(iter(before))
        pid = s.scalar(select(Project.id).where(Project.name == name))
        s.execute(update(ReportRow).where(ReportRow.project_id == pid).values(spent_fen=ReportRow.spent_fen + 100))
        assert spent(judge(s, SETTINGS, "2023-10", AS_OF))[name] == before[name] + 100
        s.execute(text("UPDATE report_rows SET spent_fen = spent_fen + 1 WHERE project_id = :p"), {"p": pid})
        assert spent(judge(s, SETTINGS, "2023-10", AS_OF))[name] == before[name] + 101
        project = s.get(Project, pid)
        project.planned_start = date(2023, 1, 1)  # pending, not flushed: no memo, the query flushes it
        assert judge(s, SETTINGS, "2023-10", AS_OF)[0].record is not None
        s.rollback()
        assert spent(judge(s, SETTINGS, "2023-10", AS_OF))[name] == before[name]
