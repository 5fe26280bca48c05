"""A job's reports share one judgement of the month across their sessions (monitor.memo.shared)."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest

import monitor.status as status_module
from monitor.cli.demo import DEMO_AS_OF, demo_settings, ingest_sample, sample_root
from monitor.db import open_database
from monitor.memo import shared
from monitor.schema import DispatchSnapshot
from monitor.status import build_status, judge, judge_each

SETTINGS = demo_settings(sample_root())


@pytest.fixture
def sample(db_url: str, tmp_path: Path):  # type: ignore[no-untyped-def]
    factory = open_database(db_url)
    ingest_sample(factory, SETTINGS, sample_root(), tmp_path / "问题清单")
    return factory


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The periods whose rows were read from the database by judge()."""
    seen: list[str] = []
    real = status_module.load_history

    def counting(session, period, *args, **kwargs):  # type: ignore[no-untyped-def]
        seen.append(period)
        return real(session, period, *args, **kwargs)

    monkeypatch.setattr(status_module, "load_history", counting)
    return seen


def test_one_read_across_sessions_and_writes_within_the_block(sample, reads) -> None:  # type: ignore[no-untyped-def]
    period = "2023-10"
    with sample() as s:
        alone = build_status(s, SETTINGS, period, DEMO_AS_OF)
    assert reads == [period]
    with shared():
        with sample() as s:
            first = build_status(s, SETTINGS, period, DEMO_AS_OF)
            s.add(DispatchSnapshot(week="2099-W01", day=date(2099, 1, 1), created_at=datetime(2099, 1, 1),
                                    content={}))  # a report's own write
            s.commit()
        with sample() as s:
            second = build_status(s, SETTINGS, period, DEMO_AS_OF)
            other_day = judge(s, SETTINGS, period, date(2023, 11, 6))  # another question: read again
    assert reads == [period, period, period]
    assert first == second == alone
    assert other_day and len(other_day) == len(alone["projects"])
    with sample() as s:  # after the block, nothing is kept
        build_status(s, SETTINGS, period, DEMO_AS_OF)
    assert reads == [period] * 4


def test_a_review_remembers_its_month_for_the_letters(sample, reads) -> None:  # type: ignore[no-untyped-def]
    with shared():
        with sample() as s:
            months = dict(judge_each(s, SETTINGS, ["2023-09", "2023-10"], DEMO_AS_OF, remember="2023-10"))
        with sample() as s:
            again = judge(s, SETTINGS, "2023-10", DEMO_AS_OF)
            judge(s, SETTINGS, "2023-09", DEMO_AS_OF)
    assert reads == ["2023-09"]  # the remembered month was not read again; the other one was
    assert [j.verdict for j in again] == [j.verdict for j in months["2023-10"]]
