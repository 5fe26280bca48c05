"""The hostile corpus through the real ``fundmon ingest``: never a traceback, a hang or partial data.

The ordinary cases go through one ingest process per database backend (each file is its own transaction,
so batching them weakens nothing); the dangerous ones (bombs, huge sheets, entities, encryption) each get
a process of their own under the memory limit. See docs/reliability.md.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.hostile.case import Case
from tests.hostile.make_corpus import build_corpus, case_folder, case_list, markdown_table, write_corpus
from tests.hostile.run import (
    MEMORY_LIMIT,
    SET_LIMIT,
    case_problems,
    database_problems,
    observe,
    open_session,
    output_problems,
    process_problems,
    run_ingest,
)

PG_URL = os.environ.get("FUNDMON_TEST_PG")
CORPUS = build_corpus()
BATCH = [c for c in CORPUS if not c.isolated]
ISOLATED = [c for c in CORPUS if c.isolated]
ROOT_ENTRIES = {"inbox", "db", "problems"}


@dataclass
class Run:
    process: subprocess.CompletedProcess[str]
    db_url: str
    root: Path


def _ingest_folder(root: Path, cases: list[Case], db_url: str | None = None) -> Run:
    inbox = root / "inbox"
    indexed = [(CORPUS.index(c), c) for c in cases]
    for index, case in indexed:
        folder = inbox / case_folder(index, case)
        folder.mkdir(parents=True)
        (folder / case.file_name).write_bytes(case.build())
    (root / "db").mkdir()
    db_url = db_url or f"sqlite:///{root / 'db' / 'fundmon.db'}"
    process = run_ingest([inbox], db_url, root / "problems", cwd=root)
    return Run(process, db_url, root)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def batch(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Run]:
    """Every ordinary case in one ingest run, on SQLite and (with FUNDMON_TEST_PG) on PostgreSQL."""
    root = tmp_path_factory.mktemp("hostile-batch")
    if request.param == "sqlite":
        yield _ingest_folder(root, BATCH)
        return
    if not PG_URL:
        pytest.skip("FUNDMON_TEST_PG is not set: PostgreSQL tests skipped")
    name = f"fundmon_hostile_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield _ingest_folder(root, BATCH, make_url(PG_URL).set(database=name).render_as_string(hide_password=False))
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="module")
def isolated(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Run]:
    """Each dangerous case in a process of its own (two at a time), each with a fresh SQLite database."""
    def one(case: Case) -> tuple[str, Run]:
        return case.slug, _ingest_folder(tmp_path_factory.mktemp(f"hostile-{case.slug}"), [case])

    with ThreadPoolExecutor(max_workers=2) as pool:
        return dict(pool.map(one, ISOLATED))


def test_corpus_is_big_and_varied_enough() -> None:
    assert len(CORPUS) >= 60
    assert len({c.category for c in CORPUS}) >= 15
    assert {c.outcome for c in CORPUS} == {"accepted", "rejected", "superseded", "duplicate"}


def test_the_documented_table_is_the_corpus() -> None:
    doc = (Path(__file__).parent.parent / "docs" / "reliability.md").read_text(encoding="utf-8")
    assert markdown_table(CORPUS) in doc, "regenerate with: python -m tests.hostile.make_corpus --table"
    assert case_list(CORPUS) in doc


def test_batch_process_exits_cleanly(batch: Run) -> None:
    assert not process_problems(batch.process)
    assert batch.process.returncode == 3  # the corpus has errors on purpose


def test_batch_database_is_consistent(batch: Run) -> None:
    with open_session(batch.db_url) as session:
        assert database_problems(session) == []


def test_batch_writes_only_problem_lists_in_their_folder(batch: Run) -> None:
    assert output_problems(batch.root, batch.root / "problems", ROOT_ENTRIES) == []
    assert not Path("/tmp/fundmon-zip-slip.txt").exists() and not Path("/etc/fundmon-zip-slip.txt").exists()


@pytest.mark.parametrize("case", BATCH, ids=lambda c: f"{c.category}/{c.slug}")
def test_case(batch: Run, case: Case) -> None:
    with open_session(batch.db_url) as session:
        assert case_problems(case, observe(session, case.file_name)) == []


@pytest.mark.slow
@pytest.mark.parametrize("case", ISOLATED, ids=lambda c: f"{c.category}/{c.slug}")
def test_dangerous_case_in_its_own_limited_process(isolated: dict[str, Run], case: Case) -> None:
    run = isolated[case.slug]
    assert process_problems(run.process) == []
    with open_session(run.db_url) as session:
        assert case_problems(case, observe(session, case.file_name)) == []
        assert database_problems(session) == []
    assert output_problems(run.root, run.root / "problems", ROOT_ENTRIES) == []


def test_the_limit_the_ingest_processes_set_is_real() -> None:
    probe = subprocess.run([sys.executable, "-c", f"{SET_LIMIT}; print(resource.getrlimit(resource.RLIMIT_AS)[0])"],
                           capture_output=True, text=True, check=True)
    assert int(probe.stdout) == MEMORY_LIMIT
    allocate = subprocess.run([sys.executable, "-c", f"{SET_LIMIT}; bytearray({MEMORY_LIMIT})"],
                              capture_output=True, text=True, check=False)
    assert allocate.returncode != 0 and "MemoryError" in allocate.stderr


def test_corpus_can_be_written_to_a_folder(tmp_path: Path) -> None:
    small = [c for c in CORPUS if not c.isolated][:5]
    written = write_corpus(tmp_path, small)
    assert [p.read_bytes() for _, p in written] == [c.build() for c in small]
