"""报送情况 for the dispatch: which files a dispatch day saw, and each town's month and year of reports."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from monitor import queries as q
from monitor.history import received_by
from monitor.periods import split_period, timeliness
from monitor.settings import Settings
from monitor.status import due_date, periods_with_data

#: a town's report for a month: 按时 / 逾期 / 时间不详 / 未报送 / 未到截止日期
REPORT_STATES: dict[str, str] = {"on-time": "按时报送", "late": "逾期报送", "unknown": "已报送（时间不详）",
                                 "missing": "未报送", "pending": "未到截止日期"}
#: a file that holds a town's figures (the first of a month or a correction); rejected and withdrawn ones do not
READABLE = ("accepted", "superseded")


@dataclass(frozen=True)
class TownReporting:
    """报送情况 of one town: the dispatch's month, the year so far, and its latest file."""

    town: str
    state: str  # a key of REPORT_STATES
    received_at: datetime | None  # first receipt of the month's report
    versions: int  # readable files for the month (the first and its corrections)
    rejected_files: int
    rows_rejected: int  # in the current version
    since: str  # the first month counted in the year's record
    expected: int  # months from ``since`` to the dispatch's month, past their deadline
    received: int
    on_time: int
    late: int
    missing: int
    last_received: datetime | None
    last_period: str | None
    last_file: str | None


def received_datetime(s: Mapping[str, Any]) -> datetime | None:
    """A listed submission's receipt time (``list_submissions`` gives it as ISO text)."""
    value = s.get("received_at")
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value))


def submissions_as_of(session: Session, settings: Settings, day: date) -> list[dict[str, Any]]:
    """Every file received by the end of ``day``, as things stood then.

    A correction received later did not exist yet: per town and month the version in force is the one in
    force now if it was received by then, else the newest readable one received by then (as the status
    judges it). Each file also says whether it was a correction (``correction``): an earlier readable file
    for the same town and month had been received before it (so its lateness is not the month's).
    """
    cutoff = received_by(day)
    assert cutoff is not None
    # a file whose arrival is unknown (a month backfilled from the clerk's 汇总台账) was always there
    seen = [s for s in _listed(session, settings) if (received := received_datetime(s)) is None or received < cutoff]
    groups: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for s in seen:
        s["correction"] = False
        if s["status"] in READABLE and s["town"] and s["period"]:
            groups.setdefault((s["town"], s["period"]), []).append(s)
    for versions in groups.values():
        versions.sort(key=arrival)
        in_force = max(versions, key=lambda s: (s["status"] == "accepted", *arrival(s)))
        for n, s in enumerate(versions):
            s["correction"] = n > 0
            s["status"] = "accepted" if s is in_force else "superseded"
    for s in seen:  # a file turned back after the month was reported was a failed correction
        if s["status"] == "rejected" and s["town"] and s["period"]:
            first = groups.get((s["town"], s["period"]), [])
            s["correction"] = bool(first) and arrival(first[0]) < arrival(s)
    return seen


def _listed(session: Session, settings: Settings) -> list[dict[str, Any]]:
    """Every submission with what the dispatch reads of it, as ``list_submissions`` lists it (receipt time
    as ISO text, timeliness against the month's deadline), from plain rows."""
    out = []
    for sub_id, town, period, file_name, received_at, status, rows_rejected in q.submission_listing(session):
        out.append({"id": sub_id, "town": town, "period": period, "file_name": file_name,
                    "received_at": received_at.isoformat(sep=" ") if received_at else None,
                    "timeliness": timeliness(received_at, due_date(period, settings)) if period else "unknown",
                    "status": status, "rows_rejected": rows_rejected})
    return out


def arrival(s: Mapping[str, Any]) -> tuple[datetime, int]:
    """Order of arrival: by receipt time (unknown first: backfilled history), then by id."""
    return received_datetime(s) or datetime.min, s["id"]


def town_reporting(session: Session, settings: Settings, period: str | None, towns: Sequence[str],
                   submissions: Sequence[Mapping[str, Any]], day: date) -> list[TownReporting]:
    """Per town: the month's report and the year's record (registers are not town reports).

    ``submissions`` are those received by the end of ``day`` (see :func:`submissions_as_of`); a town that
    only sent files that were turned back is listed too, as not reported.
    """
    if period is None:
        return []
    year, _ = split_period(period)
    months = [p for p in periods_with_data(session, day) if p.startswith(f"{year}-") and p <= period]
    first = months[0] if months else period
    expected = [f"{year}-{m:02d}" for m in range(int(first[5:]), int(period[5:]) + 1)]
    by_town: dict[str, list[Mapping[str, Any]]] = {}
    for s in submissions:
        if s["town"] and s["period"]:
            by_town.setdefault(s["town"], []).append(s)
    names = list(towns) + sorted(t for t, subs in by_town.items()
                                 if t not in towns and any(s["period"] == period for s in subs))
    out = []
    for town in names:
        mine = by_town.get(town, [])
        states = {p: _month_state([s for s in mine if s["period"] == p], due_date(p, settings), day)
                  for p in expected}
        now = [s for s in mine if s["period"] == period]
        current = next((s for s in now if s["status"] == "accepted"), None)
        readable = [s for s in now if s["status"] in READABLE]
        last = max(mine, key=arrival, default=None)
        counted = [v for v in states.values() if v != "pending"]
        out.append(TownReporting(
            town=town, state=states.get(period, "missing"),
            received_at=received_datetime(min(readable, key=arrival)) if readable else None,
            versions=len(readable), rejected_files=sum(1 for s in now if s["status"] == "rejected"),
            rows_rejected=current["rows_rejected"] if current else 0, since=first, expected=len(counted),
            received=sum(1 for v in counted if v != "missing"), on_time=counted.count("on-time"),
            late=counted.count("late"), missing=counted.count("missing"),
            last_received=received_datetime(last) if last else None, last_period=last["period"] if last else None,
            last_file=last["file_name"] if last else None))
    return out


def _month_state(subs: Sequence[Mapping[str, Any]], due: date, day: date) -> str:
    """A town's month: judged by its first readable file (a later correction does not make it late)."""
    if not any(s["status"] == "accepted" for s in subs):
        return "pending" if due > day else "missing"
    readable = sorted((s for s in subs if s["status"] in READABLE), key=arrival)
    return readable[0]["timeliness"]


__all__ = ["READABLE", "REPORT_STATES", "TownReporting", "arrival", "received_datetime", "submissions_as_of",
           "town_reporting"]
