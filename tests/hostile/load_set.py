"""A realistic batch of town files for crash and concurrency tests, and what a database must hold after it."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, func, inspect, select, text
from sqlalchemy.orm import Session

from monitor.schema import Allocation, FindingRow, Project, ReportRow, StoredFile, Submission, Town
from tests.helpers import project, town_workbook

TOWNS = ["磷溪镇", "官塘镇", "意溪镇", "铁铺镇", "桥东街道", "金石镇", "浮洋镇", "凤塘镇", "归湖镇", "文祠镇"]
PERIODS = ["2023-08", "2023-09", "2023-10"]


def write_batch(folder: Path, *, rows: int = 120) -> list[Path]:
    """10 towns × 3 months of ``rows`` projects, a correction that supersedes one of them, a file with a
    refused row and an unreadable one: 32 files, one folder per month (so months load in order)."""
    rng = random.Random(2023)
    paths = []
    for month, period in enumerate(PERIODS):
        sub = folder / period
        sub.mkdir(parents=True, exist_ok=True)
        for town in TOWNS:
            # spending only grows month to month, so no warning depends on the order files load in
            projects = [project(f"{town[:2]}-{i:03d}", f"{town}第{i}号项目", 100 + i, (i * 7) % 80 + month * 5,
                                year=2023) for i in range(rows)]
            if town == "意溪镇" and period == "2023-09":
                projects[5] = project(None, "待核项目", "待定", 1)  # one refused row, the rest loads
            paths.append(town_workbook(sub / f"{town}_{period}.xlsx", town, period, projects))
    last = folder / PERIODS[-1]
    fixed = [project(f"磷溪-{i:03d}", f"磷溪镇第{i}号项目", 100 + i, (i * 7) % 80 + 10 + rng.randrange(0, 5))
             for i in range(rows)]
    paths.append(town_workbook(last / "磷溪镇_2023-10_更正.xlsx", "磷溪镇", "2023-10", fixed))
    (last / "损坏的文件.xlsx").write_bytes(b"PK\x03\x04" + bytes(range(256)) * 4)
    paths.append(last / "损坏的文件.xlsx")
    return paths


def snapshot(db_url: str, *, hints: bool = True) -> dict[str, Any]:
    """Everything a finished ingest leaves, without ids or clock times (two clean runs give equal ones).
    ``hints=False`` leaves out info findings (``name-candidate``), which name what was known at the time."""
    engine = create_engine(db_url)
    with Session(engine) as s:
        town = {t.id: t.name for t in s.scalars(select(Town))}
        subs = {sub.id: sub for sub in s.scalars(select(Submission))}
        names = {p.id: p.name for p in s.scalars(select(Project))}
        result = {
            "submissions": sorted((x.file_name, x.status, town.get(x.town_id), x.period, x.rows_accepted,
                                   x.rows_rejected, x.errors, x.warnings, x.sha256,
                                   subs[x.superseded_by_id].file_name if x.superseded_by_id else None)
                                  for x in subs.values()),
            "rows": sorted((subs[r.submission_id].file_name, names[r.project_id], r.excel_row, r.allocated_fen,
                            r.spent_fen, r.fund_year) for r in s.scalars(select(ReportRow))),
            "findings": sorted((subs[f.submission_id].file_name, f.code, f.row or 0, f.col or 0)
                               for f in s.scalars(select(FindingRow)) if hints or f.severity != "info"),
            "projects": sorted((town[p.town_id], p.name, p.code or "") for p in s.scalars(select(Project))),
            "files": sorted(s.scalars(select(StoredFile.sha256))),
        }
    engine.dispose()
    return result


def consistency_problems(db_url: str) -> list[str]:
    """What a crash must never leave: a broken file, a half-loaded submission, rows or bytes of nothing."""
    engine = create_engine(db_url)
    problems: list[str] = []
    tables = set(inspect(engine).get_table_names())
    with Session(engine) as s:
        if engine.dialect.name == "sqlite":
            problems += [f"integrity_check: {r}" for (r,) in s.execute(text("PRAGMA integrity_check")) if r != "ok"]
            problems += [f"foreign_key_check: {tuple(r)}" for r in s.execute(text("PRAGMA foreign_key_check"))]
        if "submissions" not in tables:  # killed while the database was being created: all or nothing
            engine.dispose()
            return problems + ([f"half-created schema: {sorted(tables)}"] if tables else [])
        counted = s.execute(select(Submission.id, Submission.rows_accepted, func.count(ReportRow.id))
                            .outerjoin(ReportRow, ReportRow.submission_id == Submission.id)
                            .group_by(Submission.id, Submission.rows_accepted))
        problems += [f"submission #{i}: rows_accepted {n}, {m} rows" for i, n, m in counted if n != m]
        known = select(Submission.id)
        for model in (ReportRow, FindingRow):
            stray = s.scalar(select(func.count()).select_from(model).where(model.submission_id.not_in(known)))
            problems += [f"{stray} {model.__tablename__} without their submission"] if stray else []
        stray = s.scalar(select(func.count()).select_from(Allocation).where(
            Allocation.submission_id.is_not(None), Allocation.submission_id.not_in(known)))
        problems += [f"{stray} allocations without their submission"] if stray else []
        orphans = s.scalar(select(func.count()).select_from(Project).where(
            ~select(ReportRow.id).where(ReportRow.project_id == Project.id).exists()))
        problems += [f"{orphans} projects without a report row"] if orphans else []
        unused = s.scalar(select(func.count()).select_from(StoredFile).where(
            StoredFile.sha256.not_in(select(Submission.sha256))))
        problems += [f"{unused} stored files without a submission"] if unused else []
        current = s.execute(select(Submission.town_id, Submission.period, func.count())
                            .where(Submission.status == "accepted", Submission.kind == "town_report")
                            .group_by(Submission.town_id, Submission.period).having(func.count() > 1))
        problems += [f"town {t} {p}: {n} current submissions" for t, p, n in current]
    engine.dispose()
    return problems


def submission_count(db_url: str) -> int:
    """Submissions so far (0 while the database is still being created)."""
    engine = create_engine(db_url)
    try:
        with engine.connect() as conn:
            return conn.execute(text("SELECT count(*) FROM submissions")).scalar_one()
    except Exception:  # noqa: BLE001 - no table yet: the process is still starting
        return 0
    finally:
        engine.dispose()
