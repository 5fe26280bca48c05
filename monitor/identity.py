"""Likely same-project pairs (never merged silently) and the merge a person confirms."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations

from rapidfuzz import fuzz
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from monitor import queries as q
from monitor.errors import UsageError
from monitor.schema import (
    Allocation,
    Correction,
    LetterProject,
    Project,
    ProjectAlias,
    ReportRow,
    Submission,
    Town,
)
from monitor.submissions import record


@dataclass(frozen=True)
class Candidate:
    town: str
    first: Project
    second: Project
    score: float


def find_candidates(session: Session, min_score: float = 80) -> list[Candidate]:
    """Pairs of projects in the same town whose names are alike (rapidfuzz ratio on the name keys)."""
    found: list[Candidate] = []
    towns = {t.id: t.name for t in session.scalars(select(Town))}
    by_town: dict[int, list[Project]] = {}
    for project in session.scalars(select(Project).order_by(Project.id)):
        by_town.setdefault(project.town_id, []).append(project)
    for town_id, projects in by_town.items():
        for a, b in combinations(projects, 2):
            if a.code and b.code and a.code != b.code:
                continue  # two library codes are two projects
            score = fuzz.ratio(a.name_key, b.name_key)
            if score >= min_score:
                found.append(Candidate(towns[town_id], a, b, round(score, 1)))
    return sorted(found, key=lambda c: (-c.score, c.town, c.first.id))


def _latest_period(session: Session, project_id: int) -> str:
    stmt = (select(func.max(Submission.period)).join(ReportRow, ReportRow.submission_id == Submission.id)
            .where(ReportRow.project_id == project_id, Submission.status == "accepted"))
    return session.scalar(stmt) or ""


def merge_projects(session: Session, keep_id: int, other_id: int, note: str | None = None) -> Project:
    """Fold ``other`` into ``keep``: its reports and allocations move, its name becomes an alias."""
    keep, other = session.get(Project, keep_id), session.get(Project, other_id)
    if keep is None or other is None:
        raise UsageError(f"no project #{keep_id if keep is None else other_id} (see `fundmon projects candidates`)")
    if keep.id == other.id:
        raise UsageError("a project cannot be merged with itself")
    if keep.town_id != other.town_id:
        raise UsageError(f"projects #{keep.id} and #{other.id} belong to different towns")
    if keep.code and other.code and keep.code != other.code:
        raise UsageError(f"projects #{keep.id} and #{other.id} have different codes ({keep.code}, {other.code})")
    clash = set(session.scalars(select(ReportRow.submission_id).where(ReportRow.project_id == keep.id))) & \
        set(session.scalars(select(ReportRow.submission_id).where(ReportRow.project_id == other.id)))
    if clash:
        raise UsageError(f"projects #{keep.id} and #{other.id} are both in submission #{min(clash)}: "
                         "a town reported them as two projects in one file")
    newest_other = _latest_period(session, other.id) > _latest_period(session, keep.id)
    moved = list(session.scalars(select(ReportRow.id).where(ReportRow.project_id == other.id)))
    session.execute(update(ReportRow).where(ReportRow.project_id == other.id).values(project_id=keep.id))
    kept_years = set(session.scalars(select(Allocation.fund_year).where(
        Allocation.project_id == keep.id, Allocation.source == "submission")))
    for alloc in session.scalars(select(Allocation).where(Allocation.project_id == other.id)):
        if alloc.source == "submission" and alloc.fund_year in kept_years:
            if newest_other:  # the same year's 下达资金 under two names: the newer report's figure stands
                session.execute(update(Allocation).where(
                    Allocation.project_id == keep.id, Allocation.source == "submission",
                    Allocation.fund_year == alloc.fund_year).values(amount_fen=alloc.amount_fen,
                                                                    submission_id=alloc.submission_id))
            session.delete(alloc)
        else:
            alloc.project_id = keep.id
    session.execute(update(ProjectAlias).where(ProjectAlias.project_id == other.id).values(project_id=keep.id))
    keep.code = keep.code or other.code
    before = {"project": other.id, "name": other.name, "code": other.code, "report_rows": moved}
    other_name, other_key, town_id = other.name, other.name_key, other.town_id
    if newest_other:
        keep.name = other.name  # the project shows the spelling of its newest report
    session.execute(update(Correction).where(Correction.project_id == other.id).values(project_id=keep.id))
    # letters that named the other project now count for the kept one (escalation follows the project)
    session.execute(update(LetterProject).where(LetterProject.project_id == other.id).values(project_id=keep.id))
    session.delete(other)
    session.flush()
    if other_key != keep.name_key:
        session.add(ProjectAlias(project_id=keep.id, town_id=town_id, name=other_name, name_key=other_key,
                                 created_at=q.now()))
    record(session, "merge", None, before, note, project_id=keep.id, after={"project": keep.id})
    session.flush()
    return keep
