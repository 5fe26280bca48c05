"""Two ingests at once on one database: no duplicate projects or submissions, no internal errors."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from sqlalchemy import func, select

from monitor.db import open_database
from monitor.schema import Project, Submission

SAMPLE = Path(__file__).parent.parent / "sample_data" / "submissions"


def test_two_processes_ingesting_the_same_files(db_url: str, tmp_path: Path) -> None:
    folders = [str(SAMPLE / "2023-09"), str(SAMPLE / "2023-10")]
    runs = [subprocess.Popen([sys.executable, "-m", "monitor", "--db", db_url, "ingest", *folders,
                              "--findings-dir", str(tmp_path / f"f{i}")],
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) for i in range(2)]
    outputs = [run.communicate(timeout=300)[0] for run in runs]
    for run, output in zip(runs, outputs, strict=True):
        assert run.returncode == 0, output
        assert "程序错误" not in output and "Error" not in output
    with open_database(db_url)() as s:
        projects = s.scalar(select(func.count()).select_from(Project))
        keys = s.scalar(select(func.count()).select_from(
            select(Project.town_id, Project.name_key).distinct().subquery()))
        accepted = list(s.execute(select(Submission.town_id, Submission.period, func.count())
                                  .where(Submission.status == "accepted")
                                  .group_by(Submission.town_id, Submission.period)))
    assert projects == keys
    assert all(n == 1 for _, _, n in accepted) and len(accepted) == 9  # 桥东街道 sent nothing for 2023-09
