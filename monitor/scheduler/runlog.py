"""The run log: a run claims its key before it starts, so the same week or month never runs twice —
whichever scheduler, standby or person (``schedule run``) tries. A failed run, a deferred one, or one whose
process died mid-run (its heartbeat stopped) may be claimed again; a finished one only with ``force``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from monitor import queries as q
from monitor.schema import RunLog

#: a run under way renews its heartbeat this often …
HEARTBEAT = timedelta(seconds=30)
#: … and is taken for dead (its process was killed, the machine lost power) when it has not for this long
DEAD_AFTER = timedelta(minutes=2)
#: the scheduler retries a failed weekly or monthly run by itself this many times in all
MAX_ATTEMPTS = 3


@dataclass(frozen=True)
class Claim:
    """The outcome of claiming a key: ``run`` says whether this caller runs it; ``row`` is the log entry
    (the caller's own when it runs, else the one that stands in its way)."""

    run: bool
    row: RunLog


def is_dead(row: RunLog, now: datetime | None = None) -> bool:
    """A run still marked running whose heartbeat stopped: its process is gone."""
    now = now or q.now()
    return row.outcome == "running" and (row.heartbeat_at or row.started_at) < now - DEAD_AFTER


def state_of(row: RunLog) -> str:
    """The outcome as a person should read it (a dead run is ``interrupted``, not ``running``)."""
    return "interrupted" if is_dead(row) else row.outcome


def claim(factory: sessionmaker[Session], key: str, job: str, at: datetime, *, runner: str, trigger: str,
          force: bool = False) -> Claim:
    """Insert the key as ``running``; if it is there already, take it over only when that run failed, was
    deferred, died, or ``force`` asks for a rerun of a finished one (never of one under way)."""
    now = q.now()
    with factory() as session:
        row = RunLog(key=key, job=job, at=at, started_at=now, heartbeat_at=now, outcome="running", attempts=1,
                     runner=runner, trigger=trigger)
        session.add(row)
        try:
            session.commit()
            return Claim(True, row)
        except IntegrityError:
            session.rollback()
        existing = session.scalar(select(RunLog).where(RunLog.key == key))
        if existing is None:  # deleted between the two statements: try once more from the top
            return claim(factory, key, job, at, runner=runner, trigger=trigger, force=force)
        takeable = existing.outcome in ("failed", "deferred") or is_dead(existing, now) \
            or (force and existing.outcome != "running")
        if not takeable:
            return Claim(False, existing)
        # compare-and-set on the attempt number: of two callers retrying at once, one wins
        taken = session.execute(
            update(RunLog).where(RunLog.key == key, RunLog.attempts == existing.attempts)
            .values(at=at, started_at=now, heartbeat_at=now, finished_at=None, outcome="running",
                    attempts=existing.attempts + 1, runner=runner, trigger=trigger, outputs=None, error=None)
        ).rowcount
        session.commit()
        row = session.scalar(select(RunLog).where(RunLog.key == key).execution_options(populate_existing=True))
        assert row is not None
        return Claim(taken == 1, row)


def heartbeat(factory: sessionmaker[Session], key: str, runner: str) -> None:
    with factory() as session:
        session.execute(update(RunLog).where(RunLog.key == key, RunLog.runner == runner,
                                             RunLog.outcome == "running").values(heartbeat_at=q.now()))
        session.commit()


def finish(factory: sessionmaker[Session], key: str, runner: str, *, outcome: str,
           outputs: dict[str, Any] | None, error: str | None = None) -> None:
    """Record the end — only if the run is still this runner's (a run taken for dead and taken over by
    another must not have its new outcome overwritten when the first process wakes up)."""
    with factory() as session:
        session.execute(update(RunLog).where(RunLog.key == key, RunLog.runner == runner)
                        .values(outcome=outcome, finished_at=q.now(), outputs=outputs, error=error))
        session.commit()


def unfinished(session: Session, since: datetime) -> list[RunLog]:
    """Weekly and monthly runs since a moment (the runs' own time) that did not end well: failed, deferred
    or interrupted — what the scheduler looks at to catch up."""
    rows = session.scalars(select(RunLog).where(RunLog.job.in_(("weekly", "monthly")), RunLog.at >= since,
                                                RunLog.outcome.in_(("failed", "deferred", "running")))
                           .order_by(RunLog.at))
    return [r for r in rows if r.outcome != "running" or is_dead(r)]


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
