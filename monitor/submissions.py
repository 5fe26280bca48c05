"""What was received per town and period, and the corrections a person makes later (recorded in a log)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from monitor import queries as q
from monitor.errors import UsageError
from monitor.periods import deadline, timeliness
from monitor.schema import Correction, Submission, Town
from monitor.settings import Settings


def list_submissions(session: Session, settings: Settings, *, town: str | None = None,
                     period: str | None = None) -> list[dict[str, Any]]:
    """Every submission, newest period first, with its status and what it held."""
    stmt = select(Submission, Town.name).outerjoin(Town, Town.id == Submission.town_id)
    if town:
        stmt = stmt.where(Town.name == town)
    if period:
        stmt = stmt.where(Submission.period == period)
    stmt = stmt.order_by(Submission.period.desc(), Town.name, Submission.id)
    out = []
    for sub, town_name in session.execute(stmt):
        due = deadline(sub.period, day=settings["reporting.deadline_day"], holidays=settings.holidays,
                       workdays=settings.workdays) if sub.period else None
        out.append({
            "id": sub.id, "town": town_name, "period": sub.period, "file_name": sub.file_name,
            "received_at": sub.received_at.isoformat(sep=" ") if sub.received_at else None,
            "timeliness": timeliness(sub.received_at, due) if due else "unknown",
            "status": sub.status, "superseded_by": sub.superseded_by_id,
            "rows_accepted": sub.rows_accepted, "rows_rejected": sub.rows_rejected,
            "errors": sub.errors, "warnings": sub.warnings, "reason": sub.reason, "sha256": sub.sha256,
        })
    return out


def get_submission(session: Session, submission_id: int) -> Submission:
    sub = session.get(Submission, submission_id)
    if sub is None:
        raise UsageError(f"no submission #{submission_id} (see `fundmon submissions`)")
    return sub


def _snapshot(sub: Submission) -> dict[str, Any]:
    return {"status": sub.status, "town_id": sub.town_id, "period": sub.period,
            "superseded_by": sub.superseded_by_id}


def record(session: Session, action: str, sub: Submission | None, before: dict[str, Any] | None,
           note: str | None, project_id: int | None = None, after: dict[str, Any] | None = None) -> None:
    session.add(Correction(at=q.now(), action=action, submission_id=sub.id if sub else None,
                           project_id=project_id, before=before,
                           after=after if after is not None else (_snapshot(sub) if sub else None),
                           note=note, actor=_actor()))


def _actor() -> str | None:
    import getpass

    try:
        return getpass.getuser()
    except Exception:  # no user name on this system: the log still records the change
        return None


def withdraw(session: Session, submission_id: int, note: str | None = None) -> Submission:
    """Take a submission back; the version it had superseded (if any) becomes current again."""
    sub = get_submission(session, submission_id)
    if sub.status == "withdrawn":
        raise UsageError(f"submission #{sub.id} is already withdrawn")
    if sub.status == "rejected":
        raise UsageError(f"submission #{sub.id} was rejected and holds no data; nothing to withdraw")
    before = _snapshot(sub)
    was_current = sub.status == "accepted"
    sub.status, sub.superseded_by_id = "withdrawn", None
    if was_current:
        _reinstate_previous(session, sub)
    record(session, "withdraw", sub, before, note)
    session.flush()
    return sub


def _reinstate_previous(session: Session, sub: Submission) -> None:
    previous = session.scalar(select(Submission).where(Submission.superseded_by_id == sub.id)
                              .order_by(Submission.id.desc()))
    if previous is not None:
        before = _snapshot(previous)
        previous.status, previous.superseded_by_id = "accepted", None
        record(session, "reinstate", previous, before, f"#{sub.id} withdrawn")


def restore(session: Session, submission_id: int, note: str | None = None) -> Submission:
    """Undo a withdrawal: the newer of it and the current version for its town and period is current."""
    sub = get_submission(session, submission_id)
    if sub.status != "withdrawn":
        raise UsageError(f"submission #{sub.id} is {sub.status}, not withdrawn; only withdrawn ones restore")
    before = _snapshot(sub)
    current = q.current_submission(session, sub.town_id, sub.period) if sub.town_id and sub.period else None
    if current is None:
        sub.status = "accepted"
    elif current.id < sub.id:
        cur_before = _snapshot(current)
        current.status, current.superseded_by_id = "superseded", sub.id
        sub.status = "accepted"
        record(session, "supersede", current, cur_before, f"#{sub.id} restored")
    else:
        sub.status, sub.superseded_by_id = "superseded", current.id
    record(session, "restore", sub, before, note)
    session.flush()
    return sub


def corrections(session: Session, limit: int = 100) -> list[Correction]:
    return list(session.scalars(select(Correction).order_by(Correction.id.desc()).limit(limit)))
