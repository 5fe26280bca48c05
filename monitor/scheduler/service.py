"""The scheduler in the foreground: hold the lease, run APScheduler on the database's own job store, renew
the lease until told to stop; without the lease, wait as a standby.

APScheduler keeps the jobs (and their next run times) in the ``apscheduler_jobs`` table of the same
database. It is started paused, each job is added only if it is not stored yet, then resumed: a run missed
while the machine was off is still due and runs once (coalesce), within ``schedule.misfire_grace_hours``.
Re-adding jobs with ``replace_existing`` at every start would silently drop that run (see NOTES.md).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy.exc import DBAPIError

from monitor.scheduler.jobs import Runtime, catch_up, run_job
from monitor.scheduler.lease import Lease, current
from monitor.settings import Settings, clock_time

log = logging.getLogger(__name__)

#: the one runtime the stored jobs' entry points use (set by the scheduler that holds the lease)
_ACTIVE: Runtime | None = None


def _fire(job: str) -> None:
    if _ACTIVE is None:  # pragma: no cover - a job can only fire inside a started scheduler
        log.error("job %s fired with no scheduler running", job)
        return
    run_job(_ACTIVE, job)


def catch_up_job() -> None:
    """At start and after each inbox tick: failed, interrupted and deferred runs (see jobs.catch_up)."""
    if _ACTIVE is not None:
        try:
            catch_up(_ACTIVE)
        except DBAPIError as exc:
            log.warning("catching up postponed: database unreachable (%s)", " ".join(str(exc.orig).split())[:200])


# Stored jobs refer to these functions by "module:name": keep the names, or stored jobs vanish at start.
def inbox_job() -> None:
    _fire("inbox")
    catch_up_job()


def weekly_job() -> None:
    _fire("weekly")


def monthly_job() -> None:
    _fire("monthly")


ENTRY_POINTS: dict[str, Callable[[], None]] = {"inbox": inbox_job, "weekly": weekly_job, "monthly": monthly_job}


def triggers(settings: Settings) -> dict[str, Any]:
    """Each job's trigger from settings, in the schedule's time zone."""
    tz = settings["reporting.timezone"]
    wh, wm = clock_time(settings, "schedule.weekly_time")
    mh, mm = clock_time(settings, "schedule.monthly_time")
    return {
        "inbox": IntervalTrigger(minutes=settings["schedule.inbox_minutes"], timezone=tz),
        "weekly": CronTrigger(day_of_week=str(settings["schedule.weekly_day"]).lower(), hour=wh, minute=wm,
                              timezone=tz),
        "monthly": CronTrigger(day=settings["schedule.monthly_day"], hour=mh, minute=mm, timezone=tz),
    }


def describe(trigger: Any) -> str:
    """A trigger as a person reads it: ``every 10 min``, ``mon 09:00``, ``day 6 09:00``."""
    if isinstance(trigger, IntervalTrigger):
        return f"every {int(trigger.interval.total_seconds() // 60)} min"
    fields = {f.name: str(f) for f in trigger.fields}
    time = f"{int(fields['hour']):02d}:{int(fields['minute']):02d}"
    if fields["day_of_week"] != "*":
        return f"{fields['day_of_week']} {time}"
    return f"day {fields['day']} {time}"


def _same(a: Any, b: Any) -> bool:
    return type(a) is type(b) and str(a) == str(b)


def install_jobs(scheduler: BackgroundScheduler, settings: Settings) -> None:
    """Add each job that is not stored yet; a stored job keeps its next run time (a missed run stays due)
    unless its schedule changed in the settings."""
    grace = int(timedelta(hours=settings["schedule.misfire_grace_hours"]).total_seconds())
    for name, trigger in triggers(settings).items():
        job = scheduler.get_job(name)
        if job is None:
            scheduler.add_job(ENTRY_POINTS[name], trigger, id=name, name=name, coalesce=True, max_instances=1,
                              misfire_grace_time=grace)
            continue
        if not _same(job.trigger, trigger):
            log.warning("the %s schedule changed to %s; next run recomputed", name, describe(trigger))
            scheduler.reschedule_job(name, trigger=trigger)
        if job.misfire_grace_time != grace or not job.coalesce:
            scheduler.modify_job(name, misfire_grace_time=grace, coalesce=True)


class Rhythm:
    """Lead or wait: ``run(stop)`` returns when ``stop`` is set. ``state`` is standby, leading, waiting (the
    database is unreachable) or stopped."""

    def __init__(self, rt: Runtime, *, lease_seconds: float | None = None, poll_seconds: float | None = None,
                 on_state: Callable[[str, str], None] | None = None) -> None:
        seconds = lease_seconds or rt.settings["schedule.lease_seconds"]
        self.rt = rt
        self.lease = Lease(rt.factory, seconds, holder=rt.runner)
        self.renew_every = seconds / 4
        self.poll = poll_seconds or seconds / 4
        self.on_state = on_state or (lambda state, detail: log.info("%s: %s", state, detail))
        self.state = "stopped"
        self.scheduler: BackgroundScheduler | None = None
        self._abandon = threading.Event()

    def _set(self, state: str, detail: str) -> None:
        if state != self.state:
            self.state = state
            self.on_state(state, detail)

    def run(self, stop: threading.Event) -> None:
        try:
            while not stop.is_set() and not self._abandon.is_set():
                try:
                    if self.lease.try_acquire():
                        self._lead(stop)
                    else:
                        self._set("standby", self._holder_text())
                        stop.wait(self.poll)
                except DBAPIError as exc:  # the database restarted or the network dropped: keep trying
                    self._set("waiting", f"database unreachable ({' '.join(str(exc.orig).split())[:200]}); "
                                         f"retrying every {self.poll:g} s")
                    stop.wait(self.poll)
        finally:
            self._set("stopped", "scheduler stopped")

    def _holder_text(self) -> str:
        with self.rt.factory() as session:
            info = current(session)
        if info is None:
            return "waiting for the lease"
        return f"another scheduler ({info.holder}) holds the lease until {info.expires_at:%Y-%m-%d %H:%M:%S}"

    def _lead(self, stop: threading.Event) -> None:
        global _ACTIVE
        engine = self.rt.factory.kw["bind"]
        scheduler = BackgroundScheduler(
            jobstores={"default": SQLAlchemyJobStore(engine=engine), "transient": MemoryJobStore()},
            executors={"default": ThreadPoolExecutor(1)},  # one job at a time: the weekly never meets an inbox
            timezone=self.rt.settings["reporting.timezone"])
        _ACTIVE = self.rt
        self.scheduler = scheduler
        released = True
        try:
            scheduler.start(paused=True)
            install_jobs(scheduler, self.rt.settings)
            # once, now, after whatever is due: interrupted, failed and deferred runs (jobs.catch_up)
            scheduler.add_job(catch_up_job, "date", run_date=self.rt.now(), id="catch-up", jobstore="transient")
            scheduler.resume()
            self._set("leading", "; ".join(f"{j.id} next {j.next_run_time:%Y-%m-%d %H:%M}"
                                           for j in scheduler.get_jobs() if j.id in ENTRY_POINTS))
            while not stop.wait(self.renew_every):
                if self._abandon.is_set():
                    released = False
                    break
                if not self.lease.renew():
                    log.error("lost the scheduler lease (this process was paused too long?); standing by")
                    break
        finally:
            scheduler.shutdown(wait=True)  # a job under way finishes first
            self.scheduler = None
            if _ACTIVE is self.rt:
                _ACTIVE = None
            if released:
                try:
                    self.lease.release()
                except DBAPIError:  # unreachable: the lease simply expires
                    log.warning("could not release the scheduler lease; it expires by itself")

    def abandon(self) -> None:
        """Stop scheduling without releasing the lease — what a killed process leaves (tests use it)."""
        self._abandon.set()
