"""Running one job under its key: claim the key in the run log, do the work, log the outcome. The
scheduler's triggers and ``fundmon schedule run`` both come through :func:`run_job`."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from monitor.memo import shared
from monitor.scheduler import runlog
from monitor.scheduler.inbox import InboxFolders, process_inbox, ready_files
from monitor.scheduler.keys import month_closed, run_key
from monitor.scheduler.lease import new_holder
from monitor.settings import Settings
from monitor.status import due_date

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


class Deferred(Exception):  # noqa: N818 - not an error: the run waits for its time
    """The run is not due yet (the month's reporting deadline has not passed): logged as ``deferred`` and
    run by :func:`catch_up` once it is."""


class _Heartbeat:
    """Renews the run's heartbeat while it is under way, so a run whose process died can be told apart
    from one that is merely slow."""

    def __init__(self, rt: Runtime, key: str) -> None:
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._beat, args=(rt, key), daemon=True, name=f"heartbeat {key}")

    def _beat(self, rt: Runtime, key: str) -> None:
        while not self.stop.wait(runlog.HEARTBEAT.total_seconds()):
            try:
                runlog.heartbeat(rt.factory, key, rt.runner)
            except DBAPIError as exc:
                log.warning("%s: heartbeat not recorded (%s)", key, " ".join(str(exc.orig).split())[:200])

    def __enter__(self) -> _Heartbeat:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join()


def run_job(rt: Runtime, job: str, at: datetime | None = None, *, trigger: str = "scheduler",
            force: bool = False) -> RunResult:
    """Run ``job`` for the moment ``at`` (naive, schedule time zone; default now) unless its key ran already.

    A failure is logged with its error and returned, never raised: the scheduler keeps its rhythm, and
    :func:`catch_up` (or ``schedule run``) claims the key again.
    """
    at = at or rt.now()
    key = run_key(job, at)
    if job == "inbox" and not force and not ready_files(InboxFolders.from_settings(rt.settings),
                                                         rt.settings["schedule.inbox_settle_seconds"]):
        return RunResult(key, job, "idle")  # an empty inbox every ten minutes is not worth a log line
    claimed = runlog.claim(rt.factory, key, job, at, runner=rt.runner, trigger=trigger, force=force)
    if not claimed.run:
        log.info("%s: %s (%s); nothing to do", key, runlog.state_of(claimed.row), claimed.row.runner)
        return RunResult(key, job, "skipped", previous=claimed.row)
    log.info("%s: started", key)
    try:
        with _Heartbeat(rt, key):
            outputs = BODIES[job](rt, at)
    except Deferred as wait:
        runlog.finish(rt.factory, key, rt.runner, outcome="deferred", outputs={"note": str(wait)})
        log.info("%s: deferred — %s", key, wait)
        return RunResult(key, job, "deferred", {"note": str(wait)})
    except Exception as exc:  # the job boundary: whatever went wrong is logged, the scheduler carries on
        log.exception("%s: failed", key)
        error = f"{type(exc).__name__}: {' '.join(str(exc).split())}"[:2000]
        runlog.finish(rt.factory, key, rt.runner, outcome="failed", outputs=None, error=error)
        return RunResult(key, job, "failed", error=error)
    runlog.finish(rt.factory, key, rt.runner, outcome="ok", outputs=outputs)
    log.info("%s: done — %s", key, summary(outputs))
    return RunResult(key, job, "ok", outputs)


def catch_up(rt: Runtime) -> list[RunResult]:
    """Run again what did not end well in the last five weeks: a failed weekly or monthly run (up to
    ``MAX_ATTEMPTS`` in all), one interrupted by a dead process, and a monthly run deferred until its
    deadline had passed (once that day is over, at the job's time). The scheduler calls it at start and
    after every inbox tick; each run goes through :func:`run_job`, so still one run per key."""
    now = rt.now()
    with rt.factory() as session:
        rows = runlog.unfinished(session, now - timedelta(days=35))
    results = []
    for row in rows:
        if row.outcome == "failed" and row.attempts >= runlog.MAX_ATTEMPTS:
            continue
        if row.outcome == "deferred":
            if run_key(row.job, now) != row.key or now < moment_of(rt, row.job, now.date()) \
                    or not deadline_passed(rt, row.job, now):
                continue
            results.append(run_job(rt, row.job, now, trigger="catch-up"))
        else:
            results.append(run_job(rt, row.job, row.at, trigger="retry"))
    return results


def deadline_passed(rt: Runtime, job: str, at: datetime) -> bool:
    """Monthly: the reporting deadline of the month just closed is over (weekly runs wait for nothing)."""
    if job != "monthly":
        return True
    return due_date(month_closed(at), rt.settings) < at.date()


def summary(outputs: dict[str, Any]) -> str:
    """One line for the log: what a run took in and wrote."""
    inbox = outputs.get("inbox", outputs)
    parts = [f"{len(inbox.get(k, []))} {k}" for k in ("processed", "rejected") if inbox.get(k)]
    parts += [f"{k} {len(outputs[k])} files" for k in ("dispatch", "review", "letters") if outputs.get(k)]
    return ", ".join(parts) or "nothing new"


def _inbox(rt: Runtime, at: datetime) -> dict[str, Any]:
    return process_inbox(rt.factory, rt.settings, at).as_json()


def weekly_reports(factory: sessionmaker[Session], settings: Settings, day: date,
                   out_dir: Path) -> tuple[Any, Any]:
    """The weekly job after its inbox pass: the dispatch pack, then the letters (DispatchResult,
    LettersResult). The month is judged once for both: neither changes the figures."""
    from monitor.cli.dispatch import run_dispatch
    from monitor.cli.letters import run_letters

    with shared():
        return run_dispatch(factory, settings, day, out_dir), run_letters(factory, settings, day, out_dir)


def _weekly(rt: Runtime, at: datetime) -> dict[str, Any]:
    inbox = _inbox(rt, at)
    day = at.date()
    pack, letters = weekly_reports(rt.factory, rt.settings, day, rt.out_dir)
    return {"day": day.isoformat(), "inbox": inbox, "period": pack.period,
            "dispatch": [str(p) for p in pack.paths], "letters": [str(p) for p in letters.paths]}


def _monthly(rt: Runtime, at: datetime) -> dict[str, Any]:
    from monitor.cli.letters import run_letters
    from monitor.cli.review import run_review
    from monitor.status import periods_with_data

    period = month_closed(at)
    if not deadline_passed(rt, "monthly", at):
        raise Deferred(f"{period} reports are due by {due_date(period, rt.settings)}: the review and 催报 "
                       "run the day after")
    inbox = _inbox(rt, at)
    day = at.date()
    outputs: dict[str, Any] = {"day": day.isoformat(), "inbox": inbox, "period": period}
    with rt.factory() as session:
        has_data = period in periods_with_data(session, day)
    with shared():  # the review's month is judged once for the review and the letters
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
