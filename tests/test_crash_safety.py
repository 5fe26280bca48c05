"""SIGKILL during ``fundmon ingest`` of 32 files: the database stays consistent, and running the same ingest
again finishes the job exactly as one clean run does."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.hostile.load_set import consistency_problems, snapshot, submission_count, write_batch
from tests.hostile.run import reset_database

RECEIVED = "2023-11-03 10:00"
TIMEOUT = 600  # a hang guard only


def _command(db_url: str, folder: Path, findings: Path) -> list[str]:
    return [sys.executable, "-m", "monitor", "--db", db_url, "ingest", str(folder), "--findings-dir", str(findings),
            "--received", RECEIVED]


def _run(db_url: str, folder: Path, findings: Path) -> subprocess.CompletedProcess[str]:
    run = subprocess.run(_command(db_url, folder, findings), capture_output=True, text=True, timeout=TIMEOUT,
                         check=False)
    assert run.returncode == 3, run.stdout[-2000:] + run.stderr[-2000:]  # the batch has errors on purpose
    assert "Traceback" not in run.stderr
    return run


def _kill_during(db_url: str, folder: Path, findings: Path, rng: random.Random, total: int) -> int:
    """Start an ingest and SIGKILL it at a random point: in start-up, or after some files have loaded."""
    process = subprocess.Popen(_command(db_url, folder, findings), stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    try:
        if rng.random() < 0.2:
            time.sleep(rng.uniform(0.05, 1.5))  # imports, migrations, the first file
        else:
            target = rng.randrange(1, total)
            deadline = time.monotonic() + TIMEOUT
            while process.poll() is None and submission_count(db_url) < target and time.monotonic() < deadline:
                time.sleep(0.02)
            time.sleep(rng.uniform(0, 0.3))  # somewhere inside the next file's transaction, or between files
    finally:
        if process.poll() is None:
            os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=60)
    return submission_count(db_url)


@pytest.mark.slow
def test_killed_ingests_leave_a_consistent_database_and_a_rerun_finishes_exactly(db_url: str,
                                                                                  tmp_path: Path) -> None:
    folder = tmp_path / "inbox"
    paths = write_batch(folder)
    assert len(paths) == 32
    reference_url = db_url if not db_url.startswith("sqlite") else f"sqlite:///{tmp_path / 'reference.db'}"
    _run(reference_url, folder, tmp_path / "f-reference")
    reference = snapshot(reference_url)
    assert len(reference["submissions"]) == 32 and not consistency_problems(reference_url)
    if not db_url.startswith("sqlite"):  # one PostgreSQL database per test: empty it for the killed runs
        reset_database(db_url)

    partial = []
    for seed in range(3):
        url = db_url if not db_url.startswith("sqlite") else f"sqlite:///{tmp_path / f'killed-{seed}.db'}"
        rng = random.Random(seed)
        for kill in range(2):  # two crashes in a row on the same database, then a run to the end
            loaded = _kill_during(url, folder, tmp_path / f"f-{seed}-{kill}", rng, total=32)
            partial.append(0 < loaded < 32)
            assert consistency_problems(url) == [], f"seed {seed}, kill {kill}, {loaded} submissions"
        _run(url, folder, tmp_path / f"f-{seed}-rerun")
        assert consistency_problems(url) == []
        assert snapshot(url) == reference, f"seed {seed}: the rerun did not finish the job exactly"
        if not db_url.startswith("sqlite"):
            reset_database(db_url)
    assert any(partial), "no kill landed in the middle of the batch: the test proved nothing"
