"""Two ingests at once on one database: no duplicate projects or submissions, no internal errors."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from sqlalchemy import create_engine, func, select, text

from monitor.db import open_database
from monitor.schema import Project, Submission
from tests.hostile.load_set import consistency_problems, snapshot, write_batch

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


def test_two_processes_on_overlapping_batches_load_each_file_once(db_url: str, tmp_path: Path) -> None:
    """Process A takes August, September and half of October; B takes September and all October: the result
    is exactly one clean run over all 32 files — no duplicate, no lost row, no deadlock, no lock left."""
    inbox = tmp_path / "inbox"
    write_batch(inbox)
    half = sorted((inbox / "2023-10").glob("*.xlsx"))[:6]
    sets = [[inbox / "2023-08", inbox / "2023-09", *half], [inbox / "2023-09", inbox / "2023-10"]]
    runs = [subprocess.Popen([sys.executable, "-m", "monitor", "--db", db_url, "ingest", *map(str, paths),
                              "--findings-dir", str(tmp_path / f"f{i}"), "--received", "2023-11-03 10:00"],
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            for i, paths in enumerate(sets)]
    outputs = [run.communicate(timeout=600)[0] for run in runs]
    for run, output in zip(runs, outputs, strict=True):
        assert run.returncode == 3, output  # the batch has a refused row and an unreadable file on purpose
        assert "Traceback" not in output and "程序错误" not in output
    assert consistency_problems(db_url) == []
    together = snapshot(db_url, hints=False)  # which project a new name resembles depends on the order
    engine = create_engine(db_url)
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'")).scalar() == 0
    engine.dispose()

    alone = f"sqlite:///{tmp_path / 'alone.db'}"
    subprocess.run([sys.executable, "-m", "monitor", "--db", alone, "ingest", str(inbox), "--findings-dir",
                    str(tmp_path / "f-alone"), "--received", "2023-11-03 10:00"], capture_output=True, check=False,
                   timeout=600)
    assert together == snapshot(alone, hints=False)
    assert len(together["submissions"]) == 32 and len(together["rows"]) == 31 * 120 - 1
