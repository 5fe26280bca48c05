"""What `schedule list` and `schedule history` show, as plain rows (JSON-ready)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import inspect, text
from sqlalchemy.orm import Session

from monitor import queries as q
from monitor.scheduler import runlog
from monitor.scheduler.keys import JOBS
from monitor.scheduler.lease import current
from monitor.settings import Settings

STORE_TABLE = "apscheduler_jobs"


def stored_next_runs(session: Session, tz: ZoneInfo) -> dict[str, datetime | None] | None:
    """Next run times from APScheduler's job table (None when no scheduler has ever run here)."""
    if not inspect(session.get_bind()).has_table(STORE_TABLE):
        return None
    found: dict[str, datetime | None] = {}
    for job_id, stamp in session.execute(text(f"SELECT id, next_run_time FROM {STORE_TABLE}")):
        found[job_id] = datetime.fromtimestamp(stamp, tz).replace(tzinfo=None) if stamp is not None else None
    return found


def job_rows(session: Session, settings: Settings) -> tuple[list[dict[str, Any]], str]:
    from monitor.scheduler.service import describe, triggers

    tz = ZoneInfo(settings["reporting.timezone"])
    stored = stored_next_runs(session, tz)
    last = runlog.last_runs(session)
    rows = []
    for job, trigger in triggers(settings).items():
        if stored is not None and job in stored:
            nxt = stored[job]
        else:
            fire = trigger.get_next_fire_time(None, datetime.now(tz))
            nxt = fire.replace(tzinfo=None) if fire else None
        run = last.get(job)
        rows.append({"job": job, "does": JOBS[job], "when": describe(trigger),
                     "next_run": f"{nxt:%Y-%m-%d %H:%M}" if nxt else None,
                     "last": f"{run.key} {runlog.state_of(run)} {run.started_at:%Y-%m-%d %H:%M}" if run else None})
    info = current(session)
    if info is None:
        holder = "No scheduler is running on this database" + (" (never started)." if stored is None else ".")
    elif info.expires_at < q.now():
        holder = f"The scheduler {info.holder} stopped renewing at {info.renewed_at:%Y-%m-%d %H:%M:%S} (gone?)."
    else:
        holder = f"Scheduler running: {info.holder}, since {info.acquired_at:%Y-%m-%d %H:%M:%S}."
    return rows, holder


def history_rows(session: Session, job: str | None, limit: int) -> list[dict[str, Any]]:
    return [{"key": r.key, "job": r.job, "at": _text(r.at), "started_at": _text(r.started_at),
             "finished_at": _text(r.finished_at), "outcome": runlog.state_of(r), "attempts": r.attempts,
             "runner": r.runner, "trigger": r.trigger, "outputs": r.outputs, "error": r.error}
            for r in runlog.history(session, job, limit)]


def _text(value: datetime | None) -> str | None:
    return value.isoformat(sep=" ") if value else None
