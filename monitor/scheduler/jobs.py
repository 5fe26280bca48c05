"""Running one job under its key: claim the key in the run log, do the work, log the outcome. The
scheduler's triggers and ``fundmon schedule run`` both come through :func:`run_job`."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session, sessionmaker

from monitor.scheduler import runlog
from monitor.scheduler.inbox import InboxFolders, process_inbox, ready_files
from monitor.scheduler.keys import month_closed, run_key
from monitor.scheduler.lease import new_holder
from monitor.settings import Settings

log = logging.getLogger(__name__)


@dataclass
class Runtime:
    """What a job needs: the database, the settings, the clock (aware, injectable) and who is running."""

    factory: sessionmaker[Session]
    settings: Settings
    clock: Callable[[], datetime] | None = None
    runner: str = field(default_factory=new_holder)

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.settings["reporting.timezone"])

    def now(self) -> datetime:
        """The current moment, naive in the schedule's time zone (as the database keeps times)."""
        moment = self.clock() if self.clock else datetime.now(self.tz)
        return moment.astimezone(self.tz).replace(tzinfo=None, microsecond=0)

    @property
    def out_dir(self) -> Path:
        return Path(self.settings["schedule.out_dir"])


@dataclass
class RunResult:
    key: str
    job: str
    outcome: str  # ok | failed | skipped (ran already) | idle (inbox empty: nothing logged)
    outputs: dict[str, Any] = field(default_factory=dict)
    error: str | None = None
    previous: Any = None  # the run log entry that made this one a no-op


def run_job(rt: Runtime, job: str, at: datetime | None = None, *, trigger: str = "scheduler",
            force: bool = False) -> RunResult:
    """Run ``job`` for the moment ``at`` (naive, schedule time zone; default now) unless its key ran already.

    A failure is logged with its error and returned, never raised: the scheduler keeps its rhythm, and the
    next attempt (the next trigger, or ``schedule run``) may claim the key again.
    """
    at = at or rt.now()
    key = run_key(job, at)
    if job == "inbox" and not force and not ready_files(InboxFolders.from_settings(rt.settings),
                                                         rt.settings["schedule.inbox_settle_seconds"]):
        return RunResult(key, job, "idle")  # an empty inbox every ten minutes is not worth a log line
    stale = timedelta(minutes=rt.settings["schedule.stale_run_minutes"])
    claimed = runlog.claim(rt.factory, key, job, at, runner=rt.runner, trigger=trigger, stale_after=stale,
                           force=force)
    if not claimed.run:
        log.info("%s: already %s (%s); nothing to do", key, claimed.row.outcome, claimed.row.runner)
        return RunResult(key, job, "skipped", previous=claimed.row)
    log.info("%s: started", key)
    try:
        outputs = BODIES[job](rt, at)
    except Exception as exc:  # the job boundary: whatever went wrong is logged, the scheduler carries on
        log.exception("%s: failed", key)
        error = f"{type(exc).__name__}: {' '.join(str(exc).split())}"[:2000]
        runlog.finish(rt.factory, key, outcome="failed", outputs=None, error=error)
        return RunResult(key, job, "failed", error=error)
    runlog.finish(rt.factory, key, outcome="ok", outputs=outputs)
    log.info("%s: done — %s", key, summary(outputs))
    return RunResult(key, job, "ok", outputs)


def summary(outputs: dict[str, Any]) -> str:
    """One line for the log: what a run took in and wrote."""
    inbox = outputs.get("inbox", outputs)
    parts = [f"{len(inbox.get(k, []))} {k}" for k in ("processed", "rejected") if inbox.get(k)]
    parts += [f"{k} {len(outputs[k])} files" for k in ("dispatch", "review", "letters") if outputs.get(k)]
    return ", ".join(parts) or "nothing new"


def _inbox(rt: Runtime, at: datetime) -> dict[str, Any]:
    return process_inbox(rt.factory, rt.settings, at).as_json()


def _weekly(rt: Runtime, at: datetime) -> dict[str, Any]:
    from monitor.cli.dispatch import run_dispatch
    from monitor.cli.letters import run_letters

    inbox = _inbox(rt, at)
    day = at.date()
    pack = run_dispatch(rt.factory, rt.settings, day, rt.out_dir)
    letters = run_letters(rt.factory, rt.settings, day, rt.out_dir)
    return {"day": day.isoformat(), "inbox": inbox, "period": pack.period,
            "dispatch": [str(p) for p in pack.paths], "letters": [str(p) for p in letters.paths]}


def _monthly(rt: Runtime, at: datetime) -> dict[str, Any]:
    from monitor.cli.letters import run_letters
    from monitor.cli.review import run_review
    from monitor.status import periods_with_data

    inbox = _inbox(rt, at)
    day = at.date()
    period = month_closed(at)
    outputs: dict[str, Any] = {"day": day.isoformat(), "inbox": inbox, "period": period}
    with rt.factory() as session:
        has_data = period in periods_with_data(session, day)
    if has_data:
        review = run_review(rt.factory, rt.settings, period, day, rt.out_dir)
        outputs["review"] = [str(p) for p in review.paths]
    else:
        outputs["review"] = []
        outputs["note"] = f"no report for {period} yet: no review pack (催报 go to the towns)"
    letters = run_letters(rt.factory, rt.settings, day, rt.out_dir)
    outputs["letters"] = [str(p) for p in letters.paths]
    return outputs


BODIES: dict[str, Callable[[Runtime, datetime], dict[str, Any]]] = {
    "inbox": _inbox, "weekly": _weekly, "monthly": _monthly}


def moment_of(rt: Runtime, job: str, day: date) -> datetime:
    """``schedule run JOB --at DAY``: the job's own time of day on that day."""
    from monitor.settings import clock_time

    if job == "inbox":
        return datetime.combine(day, rt.now().time())
    hour, minute = clock_time(rt.settings, f"schedule.{job}_time")
    return datetime(day.year, day.month, day.day, hour, minute)
