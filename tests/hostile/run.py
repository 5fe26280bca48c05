"""Run the real ``fundmon ingest`` on corpus files under time and memory limits, and read back what it did."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import create_engine, func, select, text
from sqlalchemy.orm import Session

from monitor.schema import FindingRow, Project, ReportRow, Submission, Town
from tests.hostile.case import Case

MIB = 1024 * 1024
#: address-space limit of each ingest process: a bomb that gets past the checks dies instead of swapping
MEMORY_LIMIT = 1536 * MIB
#: a hang guard, not a performance check: a case that needs this long is a failure
TIMEOUT = 300
RECEIVED = "2023-11-03 10:00"


#: ``python -m monitor`` after limiting its own address space (no preexec_fn: the runs start from threads)
SET_LIMIT = f"import resource, runpy, sys; resource.setrlimit(resource.RLIMIT_AS, ({MEMORY_LIMIT}, {MEMORY_LIMIT}))"
_LIMITED = f"{SET_LIMIT}; sys.argv = ['fundmon', *sys.argv[1:]]; runpy.run_module('monitor', run_name='__main__')"


def run_ingest(paths: Sequence[Path], db_url: str, findings: Path, cwd: Path,
               timeout: int = TIMEOUT) -> subprocess.CompletedProcess[str]:
    """``python -m monitor --db URL ingest PATHS…`` in ``cwd``, limited to MEMORY_LIMIT of address space."""
    command = [sys.executable, "-c", _LIMITED, "--db", db_url, "ingest", *map(str, paths),
               "--findings-dir", str(findings), "--received", RECEIVED]
    env = {**os.environ, "PYTHONFAULTHANDLER": "1", "COLUMNS": "200"}
    return subprocess.run(command, capture_output=True, text=True, errors="replace", timeout=timeout, cwd=cwd,
                          env=env, check=False)


def process_problems(run: subprocess.CompletedProcess[str]) -> list[str]:
    """What is wrong with the process itself: a crash, an exit code other than 0/3, a traceback."""
    problems = []
    if run.returncode not in (0, 3):
        problems.append(f"exit code {run.returncode}")
    for stream, output in (("stdout", run.stdout), ("stderr", run.stderr)):
        if "Traceback" in output or "Fatal Python error" in output or "panicked" in output:
            problems.append(f"traceback in {stream}")
    if problems:
        problems.append(f"stdout tail: {run.stdout[-1500:]!r}\nstderr tail: {run.stderr[-3000:]!r}")
    return problems


@dataclass
class Seen:
    """What the database holds for one file name."""

    statuses: list[str] = field(default_factory=list)
    codes: set[str] = field(default_factory=set)
    values: dict[str, tuple[int, int]] = field(default_factory=dict)
    rows: int = 0
    rows_accepted: int = 0
    town: str | None = None
    period: str | None = None


def observe(session: Session, file_name: str) -> Seen:
    seen = Seen()
    for sub in session.scalars(select(Submission).where(Submission.file_name == file_name).order_by(Submission.id)):
        seen.statuses.append(sub.status)
        seen.rows_accepted += sub.rows_accepted
        seen.period = sub.period
        seen.town = session.scalar(select(Town.name).where(Town.id == sub.town_id)) if sub.town_id else None
        seen.codes |= set(session.scalars(select(FindingRow.code).where(FindingRow.submission_id == sub.id)))
        for name, allocated, spent in session.execute(
                select(Project.name, ReportRow.allocated_fen, ReportRow.spent_fen)
                .join(Project, Project.id == ReportRow.project_id).where(ReportRow.submission_id == sub.id)):
            seen.rows += 1
            seen.values[name] = (allocated, spent)
    return seen


def case_problems(case: Case, seen: Seen) -> list[str]:
    """How the database differs from what the case expects (empty when it holds)."""
    if case.outcome == "duplicate":
        return [] if not seen.statuses else [f"expected no new submission, got {seen.statuses}"]
    problems = []
    if seen.statuses != [case.outcome] * case.parts:
        problems.append(f"status {seen.statuses} != {[case.outcome] * case.parts}")
    if seen.codes != set(case.codes):
        problems.append(f"finding codes {sorted(seen.codes)} != {sorted(case.codes)}")
    if seen.values != case.values:
        problems.append(f"rows {seen.values} != {case.values}")
    if seen.rows != seen.rows_accepted:
        problems.append(f"{seen.rows} report rows but rows_accepted {seen.rows_accepted} (partial data)")
    if case.rejected and seen.rows:
        problems.append(f"a rejected file left {seen.rows} report rows")
    if case.town and case.parts == 1 and seen.town != case.town:
        problems.append(f"town {seen.town!r} != {case.town!r}")
    if case.period and seen.period != case.period:
        problems.append(f"period {seen.period!r} != {case.period!r}")
    return problems


def database_problems(session: Session) -> list[str]:
    """Whole-database invariants: no program errors recorded, no project or row without its submission."""
    problems = []
    internal = list(session.execute(select(FindingRow.file_name, FindingRow.message)
                                    .where(FindingRow.code == "internal-error")))
    problems += [f"internal-error on {name!r}: {message}" for name, message in internal]
    orphans = session.scalar(select(func.count()).select_from(Project).where(
        ~select(ReportRow.id).where(ReportRow.project_id == Project.id).exists()))
    if orphans:
        problems.append(f"{orphans} projects without any report row (left by a refused file)")
    counted = session.execute(select(Submission.id, Submission.rows_accepted, func.count(ReportRow.id))
                              .outerjoin(ReportRow, ReportRow.submission_id == Submission.id)
                              .group_by(Submission.id, Submission.rows_accepted))
    problems += [f"submission #{i}: rows_accepted {n} but {m} rows" for i, n, m in counted if n != m]
    return problems


def reset_database(db_url: str) -> None:
    """Empty a PostgreSQL test database (as the ``db_url`` fixture hands it over)."""
    engine = create_engine(db_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def open_session(db_url: str) -> Session:
    return Session(create_engine(db_url))


def output_problems(root: Path, findings: Path, expected: set[str]) -> list[str]:
    """Files written outside the findings folder, or inside it but not as a flat 问题清单 workbook."""
    problems = [f"unexpected entry in the working folder: {p.name!r}" for p in root.iterdir()
                if p.name not in expected]
    if findings.exists():
        for path in findings.rglob("*"):
            if path.parent != findings or not path.name.endswith("问题清单.xlsx"):
                problems.append(f"unexpected output {path.relative_to(findings)!s}")
    return problems
