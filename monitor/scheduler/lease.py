"""One scheduler per database: APScheduler's job store must never be shared by two schedulers, so the
one that runs holds a lease in the database and renews it; another waits as a standby and takes over
once the lease has expired (its holder stopped, or died without saying so)."""

from __future__ import annotations

import os
import socket
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from monitor import queries as q
from monitor.schema import SchedulerLease

NAME = "scheduler"


def new_holder() -> str:
    """host:pid:nonce — unique even for two schedulers in one process (as the tests run them)."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


@dataclass(frozen=True)
class LeaseInfo:
    holder: str
    acquired_at: datetime
    renewed_at: datetime
    expires_at: datetime


class Lease:
    """Acquire, renew and release the scheduler lease. Times are the database host's wall clock as the
    product keeps it (naive Asia/Shanghai); machines sharing a PostgreSQL database need synchronised clocks,
    which NTP gives (a skew well under ``seconds`` is harmless)."""

    def __init__(self, factory: sessionmaker[Session], seconds: float, holder: str | None = None) -> None:
        self.factory = factory
        self.seconds = seconds
        self.holder = holder or new_holder()

    def _times(self) -> tuple[datetime, datetime]:
        now = q.now_precise()
        return now, now + timedelta(seconds=self.seconds)

    def try_acquire(self) -> bool:
        """Take the lease if it is free, expired, or already ours."""
        now, expires = self._times()
        with self.factory() as session:
            taken = session.execute(
                update(SchedulerLease)
                .where(SchedulerLease.name == NAME,
                       (SchedulerLease.expires_at < now) | (SchedulerLease.holder == self.holder))
                .values(holder=self.holder, acquired_at=now, renewed_at=now, expires_at=expires)).rowcount
            session.commit()
            if taken:
                return True
            if session.get(SchedulerLease, NAME) is not None:
                return False
            session.add(SchedulerLease(name=NAME, holder=self.holder, acquired_at=now, renewed_at=now,
                                       expires_at=expires))
            try:
                session.commit()
            except IntegrityError:  # another scheduler inserted it first
                session.rollback()
                return False
            return True

    def renew(self) -> bool:
        """Extend the lease; False when it is no longer ours (then stop scheduling at once)."""
        now, expires = self._times()
        with self.factory() as session:
            kept = session.execute(
                update(SchedulerLease).where(SchedulerLease.name == NAME, SchedulerLease.holder == self.holder)
                .values(renewed_at=now, expires_at=expires)).rowcount
            session.commit()
        return kept == 1

    def release(self) -> None:
        with self.factory() as session:
            session.execute(delete(SchedulerLease).where(SchedulerLease.name == NAME,
                                                         SchedulerLease.holder == self.holder))
            session.commit()


def current(session: Session) -> LeaseInfo | None:
    """Who holds the lease, if anyone (an expired lease still shows: its holder may have died)."""
    row = session.scalar(select(SchedulerLease).where(SchedulerLease.name == NAME))
    if row is None:
        return None
    return LeaseInfo(row.holder, row.acquired_at, row.renewed_at, row.expires_at)
