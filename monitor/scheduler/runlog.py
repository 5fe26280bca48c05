"""The run log: a run claims its key before it starts, so the same week or month never runs twice —
whichever scheduler, standby or person (``schedule run``) tries. A failed run, or one whose process died
mid-run, may be claimed again; a finished one only with ``force``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from monitor import queries as q
from monitor.schema import RunLog


@dataclass(frozen=True)
class Claim:
    """The outcome of claiming a key: ``run`` says whether this caller runs it; ``row`` is the log entry
    (the caller's own when it runs, else the one that stands in its way)."""

    run: bool
    row: RunLog


def claim(factory: sessionmaker[Session], key: str, job: str, at: datetime, *, runner: str, trigger: str,
          stale_after: timedelta, force: bool = False) -> Claim:
    """Insert the key as ``running``; if it is there already, take it over only when that run failed,
    died (running for longer than ``stale_after``) or ``force`` asks for a rerun of a finished one."""
    now = q.now()
    with factory() as session:
        row = RunLog(key=key, job=job, at=at, started_at=now, outcome="running", attempts=1, runner=runner,
                     trigger=trigger)
        session.add(row)
        try:
            session.commit()
            return Claim(True, row)
        except IntegrityError:
            session.rollback()
        existing = session.scalar(select(RunLog).where(RunLog.key == key))
        if existing is None:  # deleted between the two statements: try once more from the top
            return claim(factory, key, job, at, runner=runner, trigger=trigger, stale_after=stale_after,
                         force=force)
        dead = existing.outcome == "running" and existing.started_at < now - stale_after
        if not (existing.outcome == "failed" or dead or (force and existing.outcome != "running")):
            return Claim(False, existing)
        # compare-and-set on the attempt number: of two callers retrying at once, one wins
        taken = session.execute(
            update(RunLog).where(RunLog.key == key, RunLog.attempts == existing.attempts)
            .values(at=at, started_at=now, finished_at=None, outcome="running", attempts=existing.attempts + 1,
                    runner=runner, trigger=trigger, outputs=None, error=None)).rowcount
        session.commit()
        row = session.scalar(select(RunLog).where(RunLog.key == key).execution_options(populate_existing=True))
        assert row is not None
        return Claim(taken == 1, row)


def finish(factory: sessionmaker[Session], key: str, *, outcome: str, outputs: dict[str, Any] | None,
           error: str | None = None) -> None:
    with factory() as session:
        session.execute(update(RunLog).where(RunLog.key == key)
                        .values(outcome=outcome, finished_at=q.now(), outputs=outputs, error=error))
        session.commit()


def history(session: Session, job: str | None = None, limit: int = 20) -> list[RunLog]:
    """The latest runs first."""
    stmt = select(RunLog).order_by(RunLog.started_at.desc(), RunLog.id.desc()).limit(limit)
    if job:
        stmt = stmt.where(RunLog.job == job)
    return list(session.scalars(stmt))


def last_runs(session: Session) -> dict[str, RunLog]:
    """Per job, its latest run."""
    found: dict[str, RunLog] = {}
    for row in session.scalars(select(RunLog).order_by(RunLog.started_at, RunLog.id)):
        found[row.job] = row
    return found
