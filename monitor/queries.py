"""Queries beside the schema: the few lookups every part shares, bound parameters only."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from monitor.schema import Allocation, Project, ProjectAlias, ReportRow, Submission, Town

CURRENT = ("accepted",)


def now() -> datetime:
    """Naive local time (Asia/Shanghai is the product's clock; stored naive on both databases)."""
    from zoneinfo import ZoneInfo

    return datetime.now(ZoneInfo("Asia/Shanghai")).replace(tzinfo=None, microsecond=0)


def get_or_create_town(session: Session, name: str) -> Town:
    town = session.scalar(select(Town).where(Town.name == name))
    if town is None:
        town = Town(name=name, created_at=now())
        session.add(town)
        session.flush()
    return town


def town_names(session: Session) -> list[str]:
    return list(session.scalars(select(Town.name).order_by(Town.id)))


def current_submission(session: Session, town_id: int, period: str) -> Submission | None:
    """The accepted submission of a town for a period (at most one is accepted at a time)."""
    return session.scalar(
        select(Submission)
        .where(Submission.town_id == town_id, Submission.period == period, Submission.status.in_(CURRENT))
        .order_by(Submission.id.desc())
    )


def town_projects(session: Session, town_id: int) -> list[Project]:
    return list(session.scalars(select(Project).where(Project.town_id == town_id)))


def town_aliases(session: Session, town_id: int) -> dict[str, int]:
    rows = session.execute(select(ProjectAlias.name_key, ProjectAlias.project_id)
                           .where(ProjectAlias.town_id == town_id))
    return {key: pid for key, pid in rows}


def projects_by_code(session: Session, codes: list[str]) -> dict[str, Project]:
    if not codes:
        return {}
    return {p.code: p for p in session.scalars(select(Project).where(Project.code.in_(codes))) if p.code}


def allocation_totals(session: Session, project_ids: list[int]) -> dict[int, dict[str, object]]:
    """Per project: total 分 by source and the earliest fund year."""
    totals: dict[int, dict[str, object]] = {}
    if not project_ids:
        return totals
    stmt = (select(Allocation.project_id, Allocation.source, func.sum(Allocation.amount_fen),
                   func.min(Allocation.fund_year))
            .where(Allocation.project_id.in_(project_ids))
            .group_by(Allocation.project_id, Allocation.source))
    for pid, source, amount, year in session.execute(stmt):
        entry = totals.setdefault(pid, {"fund_year": year})
        entry[source] = int(amount or 0)
        entry["fund_year"] = min(int(entry["fund_year"]), int(year))  # type: ignore[call-overload]
    return totals


def last_reports_before(session: Session, project_ids: list[int], period: str) -> dict[int, tuple[str, int]]:
    """Per project, the (period, spent 分) of its latest current report strictly before ``period``."""
    if not project_ids:
        return {}
    stmt = (select(ReportRow.project_id, Submission.period, ReportRow.spent_fen)
            .join(Submission, Submission.id == ReportRow.submission_id)
            .where(ReportRow.project_id.in_(project_ids), Submission.status.in_(CURRENT),
                   Submission.period < period)
            .order_by(Submission.period))
    result: dict[int, tuple[str, int]] = {}
    for pid, per, spent in session.execute(stmt):
        result[pid] = (per, spent)
    return result


def report_project_ids(session: Session, submission_id: int) -> set[int]:
    return set(session.scalars(select(ReportRow.project_id).where(ReportRow.submission_id == submission_id)))
