"""报送情况's reading of the submissions: the dispatch's own plain-row listing says what ``list_submissions`` says."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from etl.pipeline import IngestOptions, ingest_paths
from monitor.db import open_database
from monitor.settings import load_settings
from monitor.submissions import list_submissions
from reports.dispatch_reporting import _listed, submissions_as_of
from tests.helpers import LX_ROWS, project, town_workbook

SETTINGS = load_settings(None, {"towns.expected": ["磷溪镇", "官塘镇"]})
KEYS = ("id", "town", "period", "file_name", "received_at", "timeliness", "status", "rows_rejected")


def test_the_listing_matches_list_submissions(db_url: str, tmp_path: Path) -> None:
    factory = open_database(db_url)
    files = [  # on time, late, a correction, a rejected file, one more town and month
        (town_workbook(tmp_path / "lx9.xlsx", "磷溪镇", "2023-09", LX_ROWS), datetime(2023, 10, 4, 9)),
        (town_workbook(tmp_path / "gt9.xlsx", "官塘镇", "2023-09", [project("G-1", "奕湖村", 300, 270)]),
         datetime(2023, 10, 20, 16, 30, 5)),
        (town_workbook(tmp_path / "lx9b.xlsx", "磷溪镇", "2023-09", LX_ROWS[:1]), datetime(2023, 10, 21, 8)),
        (town_workbook(tmp_path / "gt10.xlsx", "官塘镇", "2023-10", [project("G-1", "奕湖村", "abc", "x")]),
         datetime(2023, 11, 3, 9)),
        (town_workbook(tmp_path / "lx10.xlsx", "磷溪镇", "2023-10", LX_ROWS), datetime(2023, 11, 2, 10)),
    ]
    for path, received in files:
        ingest_paths(factory, [path], SETTINGS, IngestOptions(received_at=received))
    with factory() as session:
        listed = [{k: s[k] for k in KEYS} for s in list_submissions(session, SETTINGS)]
        mine = _listed(session, SETTINGS)
        assert mine == listed  # the same files, fields and order
        assert {s["status"] for s in mine} >= {"accepted", "superseded", "rejected"}
        assert {s["timeliness"] for s in mine} == {"on-time", "late"}
        as_of = submissions_as_of(session, SETTINGS, date(2023, 10, 20))  # by the end of that day
    assert sorted(s["received_at"] for s in as_of) == ["2023-10-04 09:00:00", "2023-10-20 16:30:05"]
