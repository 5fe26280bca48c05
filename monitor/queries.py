"""Queries beside the schema: the few lookups every part shares, bound parameters only."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from monitor.schema import Allocation, Project, ProjectAlias, ReportRow, Submission, Town

CURRENT = ("accepted",)


def now() -> datetime:
    """Naive local time (Asia/Shanghai is the product's clock; stored naive on both databases)."""
    from zoneinfo import ZoneInfo

    return datetime.now(ZoneInfo("Asia/Shanghai")).replace(tzinfo=None, microsecond=0)


def now_precise() -> datetime:
    """:func:`now` with microseconds, for leases that expire within seconds."""
    from zoneinfo import ZoneInfo

    return datetime.now(ZoneInfo("Asia/Shanghai")).replace(tzinfo=None)


def get_or_create_town(session: Session, name: str) -> Town:
    town = session.scalar(select(Town).where(Town.name == name))
    if town is None:
        town = Town(name=name, created_at=now())
        session.add(town)
        session.flush()
    return town


def town_names(session: Session) -> list[str]:
    return list(session.scalars(select(Town.name).order_by(Town.id)))


def submission_listing(session: Session) -> list[Any]:
    """Every submission's id, town name, period, file name, receipt time, status and rows rejected, in the
    order ``list_submissions`` lists them (newest period first, then town, then id): plain rows, no ORM
    objects (a province has 13,000 submissions and the dispatch reads them all)."""
    stmt = (select(Submission.id, Town.name, Submission.period, Submission.file_name, Submission.received_at,
                   Submission.status, Submission.rows_rejected)
            .outerjoin(Town, Town.id == Submission.town_id)
            .order_by(Submission.period.desc(), Town.name, Submission.id))
    return list(session.execute(stmt))


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


@dataclass(frozen=True)
class PriorReport:
    """A project's figures in its latest accepted report before some month (rows of that file summed)."""

    period: str
    spent: int
    by_year: dict[int | None, int]


def allocation_totals(session: Session, project_ids: list[int]) -> dict[int, dict[str, Any]]:
    """Per project: ``fund_year`` (the earliest) and, per source, 分 by fund year.

    Register allocations count only while their register submission is not withdrawn.
    """
    totals: dict[int, dict[str, Any]] = {}
    if not project_ids:
        return totals
    stmt = (select(Allocation.project_id, Allocation.source, Allocation.fund_year, func.sum(Allocation.amount_fen))
            .outerjoin(Submission, Submission.id == Allocation.submission_id)
            .where(Allocation.project_id.in_(project_ids),
                   or_(Submission.id.is_(None), Submission.status != "withdrawn"))
            .group_by(Allocation.project_id, Allocation.source, Allocation.fund_year))
    for pid, source, year, amount in session.execute(stmt):
        entry = totals.setdefault(pid, {"fund_year": year})
        entry.setdefault(source, {})[int(year)] = int(amount or 0)
        entry["fund_year"] = min(int(entry["fund_year"]), int(year))
    return totals


def reports_before(session: Session, project_ids: list[int], period: str) -> dict[int, PriorReport]:
    """Per project, its latest accepted report strictly before ``period``, all rows of that file summed."""
    return reports_before_each(session, project_ids, (period,))[0]


def reports_before_each(session: Session, project_ids: list[int],
                        periods: Sequence[str]) -> list[dict[int, PriorReport]]:
    """:func:`reports_before` for several months at once, from one query (one dict per month given)."""
    if not project_ids or not periods:
        return [{} for _ in periods]
    stmt = (select(ReportRow.project_id, Submission.period, Submission.id, ReportRow.fund_year,
                   ReportRow.spent_fen)
            .join(Submission, Submission.id == ReportRow.submission_id)
            .where(ReportRow.project_id.in_(project_ids), Submission.status.in_(CURRENT),
                   Submission.period < max(periods))
            .order_by(Submission.period, Submission.id))
    found = session.execute(stmt).all()
    return [_latest_reports(found, period) for period in periods]


def _latest_reports(found: Sequence[Any], period: str) -> dict[int, PriorReport]:
    latest: dict[int, tuple[str, int]] = {}
    rows: dict[int, list[tuple[int | None, int]]] = {}
    for pid, per, sub_id, year, spent in found:
        if per >= period:
            break  # ordered by month: nothing later counts
        if latest.get(pid) != (per, sub_id):
            latest[pid], rows[pid] = (per, sub_id), []
        rows[pid].append((year, spent))
    result = {}
    for pid, (per, _) in latest.items():
        by_year: dict[int | None, int] = {}
        for year, spent in rows[pid]:
            by_year[year] = by_year.get(year, 0) + spent
        result[pid] = PriorReport(per, sum(by_year.values()), by_year)
    return result


def report_project_ids(session: Session, submission_id: int) -> set[int]:
    return set(session.scalars(select(ReportRow.project_id).where(ReportRow.submission_id == submission_id)))
