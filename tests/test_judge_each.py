"""Judging every month from one read of the rows gives each month exactly what judging it alone gives."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest

from etl.pipeline import IngestOptions, ingest_paths
from monitor.cli.demo import DEMO_AS_OF, demo_settings, ingest_sample, read_manifest, sample_root
from monitor.db import open_database
from monitor.settings import load_settings
from monitor.status import judge, judge_each, periods_with_data, project_json
from tests.helpers import project, town_workbook

SETTINGS = load_settings(None, {"towns.expected": [*demo_settings(sample_root()).expected_towns, "仙洲镇"]})


@pytest.fixture
def sample(db_url: str, tmp_path: Path):  # type: ignore[no-untyped-def]
    """The demo's months, and a town whose projects' money, village and category change from month to month."""
    factory = open_database(db_url)
    ingest_sample(factory, SETTINGS, sample_root(), tmp_path / "问题清单")
    months = [("2023-08", 100, "旧村", "产业发展"), ("2023-09", 160, "新村", "基础设施"), ("2023-10", 90, "新村", "人居环境")]
    files = [town_workbook(tmp_path / f"{period}.xlsx", "仙洲镇", period,
                           [project("XZ-001", "仙洲冷库", allocated, allocated / 4, village=village, category=kind),
                            project("XZ-002", "仙洲步道", allocated * 2, 5, village=village, category=kind)])
             for period, allocated, village, kind in months]
    ingest_paths(factory, files, SETTINGS, IngestOptions(received_at=datetime(2023, 11, 1, 9)))
    return factory


def figures(judged: list) -> list[dict]:  # type: ignore[type-arg]
    return sorted((project_json(j) for j in judged), key=lambda p: p["project_id"])


def as_of_days() -> list[date]:
    """Days through the sample's arrivals (late files, corrections, a withdrawn month) and the demo's day."""
    received = sorted({when.date() for _, when in read_manifest(sample_root())})
    return [received[0], received[len(received) // 2], received[-2], DEMO_AS_OF]


def test_each_month_is_judged_as_on_its_own(sample) -> None:  # type: ignore[no-untyped-def]
    with sample() as s:
        periods = periods_with_data(s)
        assert len(periods) >= 3
        compared = 0
        for day in as_of_days():
            alone = {p: figures(judge(s, SETTINGS, p, day)) for p in periods}
            each = dict(judge_each(s, SETTINGS, periods, day))
            assert list(each) == sorted(periods)
            for p in periods:
                assert figures(each[p]) == alone[p], (day, p)
                compared += len(alone[p])
        assert compared > 50
        money = {p: [x["allocated"] for x in alone[p] if x["town"] == "仙洲镇"] for p in periods}
        assert money["2023-08"] != money["2023-09"] != money["2023-10"]  # the cut month's own money


def test_some_months_only_and_the_remembered_one_is_reused(sample, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import monitor.status

    with sample() as s:
        periods = periods_with_data(s)
        wanted = [periods[-1], periods[0]]  # any order in, oldest first out
        got = list(judge_each(s, SETTINGS, wanted, DEMO_AS_OF, remember=periods[-1]))
        assert [p for p, _ in got] == sorted(wanted)
        monkeypatch.setattr(monitor.status, "load_history", lambda *a, **k: pytest.fail("read again"))
        assert figures(judge(s, SETTINGS, periods[-1], DEMO_AS_OF)) == figures(got[-1][1])
        assert list(judge_each(s, SETTINGS, [], DEMO_AS_OF)) == []


def test_one_read_of_the_rows(sample, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import monitor.history

    reads: list[str] = []
    real = monitor.history._stream
    monkeypatch.setattr(monitor.history, "_stream", lambda s, period, *a: reads.append(period) or real(s, period, *a))
    with sample() as s:
        periods = periods_with_data(s)
        assert len(list(judge_each(s, SETTINGS, periods, DEMO_AS_OF))) == len(periods)
    assert reads == [max(periods)]
