"""Dispatch snapshots: what a weekly dispatch reported, stored by ISO week, and what changed since the last one.

The next dispatch compares with the stored snapshot, never with recomputed data, so a correction made in
between (a superseding file, a withdrawal) shows as a change. Money in a snapshot is integer 分.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from monitor import queries as q
from monitor.money import yuan_to_fen
from monitor.schema import DispatchSnapshot

SNAPSHOT_VERSION = 1
#: worse lights sort higher: a change up this ladder is 变差, down it 好转
LIGHT_RANK: dict[str | None, int] = {None: -1, "green": 0, "yellow": 1, "red": 2}
#: change kinds of a project, in the order reports list them, with their Chinese labels
CHANGE_LABELS: dict[str, str] = {
    "new-red": "新增红灯", "worse": "灯色变差", "better": "灯色好转", "light": "灯色变化",
    "spent-up": "新增支出", "spent-down": "支出核减", "flags-added": "新增问题", "flags-cleared": "问题消除",
    "new": "新列入", "dropped": "本次未列入",
}


def fen(yuan: float | None) -> int | None:
    """A status amount (元, two decimals, as a float) → exact 分."""
    return None if yuan is None else yuan_to_fen(Decimal(str(yuan)))


def make_snapshot(status: Mapping[str, Any], submissions: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """The snapshot of one dispatch: per project and town what it said, and every submission it saw."""
    projects = [{"id": p["project_id"], "code": p["project_code"], "name": p["project_name"], "town": p["town"],
                 "light": p["light"], "allocated": fen(p["allocated"]), "spent": fen(p["spent"]),
                 "spend_rate": p["spend_rate"], "flags": list(p["flags"])} for p in status["projects"]]
    towns = [{"town": t["town"], "light": t["light"], "rank": t["rank"], "allocated": fen(t["allocated"]),
              "spent": fen(t["spent"]), "spend_rate": t["spend_rate"], "submitted": t["submitted"]}
             for t in status["towns"]]
    seen = [{"id": s["id"], "town": s["town"], "period": s["period"], "file_name": s["file_name"],
             "received_at": _text(s["received_at"]), "status": s["status"], "timeliness": s["timeliness"],
             "rows_rejected": s["rows_rejected"], "correction": bool(s.get("correction"))} for s in submissions]
    return {"version": SNAPSHOT_VERSION, "period": status["period"], "as_of": status["as_of"],
            "projects": projects, "towns": towns, "submissions": sorted(seen, key=lambda s: s["id"])}


def _text(moment: Any) -> str | None:
    """A receipt time as the snapshot keeps it (JSON): ISO text, ``2023-11-02 10:00:00``."""
    return None if moment is None else moment if isinstance(moment, str) else moment.isoformat(sep=" ")


# ── storage ─────────────────────────────────────────────────────────────────────────────────────────


def save_snapshot(session: Session, week: str, day: date, content: Mapping[str, Any]) -> DispatchSnapshot:
    """Store the week's snapshot, replacing the one an earlier run of the same week stored."""
    session.execute(delete(DispatchSnapshot).where(DispatchSnapshot.week == week))
    row = DispatchSnapshot(week=week, day=day, period=content.get("period"), created_at=q.now(),
                           content=dict(content))
    session.add(row)
    session.flush()
    return row


def previous_snapshot(session: Session, week: str) -> DispatchSnapshot | None:
    """The latest snapshot of a week before ``week`` (``%G-W%V`` sorts as text)."""
    return session.scalar(select(DispatchSnapshot).where(DispatchSnapshot.week < week)
                          .order_by(DispatchSnapshot.week.desc()).limit(1))


def get_snapshot(session: Session, week: str) -> DispatchSnapshot | None:
    return session.scalar(select(DispatchSnapshot).where(DispatchSnapshot.week == week))


# ── what changed ────────────────────────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class ProjectChange:
    """One project whose light, spending or flags differ from the previous dispatch (分 for money)."""

    project_id: int
    town: str
    code: str | None
    name: str
    light_before: str | None
    light_after: str | None
    spent_before: int | None
    spent_after: int | None
    rate_before: float | None
    rate_after: float | None
    flags_added: tuple[str, ...] = ()
    flags_cleared: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()

    @property
    def added(self) -> int | None:
        """Spending since the previous dispatch (a new project: all of it); None when dropped."""
        if self.spent_after is None:
            return None
        return self.spent_after - (self.spent_before or 0)


@dataclass(frozen=True)
class TownChange:
    """A town now and at the previous dispatch."""

    town: str
    light_before: str | None
    light_after: str | None
    rank_before: int | None
    rank_after: int | None
    spent_before: int | None
    spent_after: int | None
    rate_before: float | None
    rate_after: float | None
    submitted_before: bool | None
    submitted_after: bool | None

    @property
    def added(self) -> int:
        return (self.spent_after or 0) - (self.spent_before or 0)


@dataclass(frozen=True)
class Changes:
    """本周变化: the difference between the previous dispatch's snapshot and this one's."""

    previous_week: str
    previous_day: date
    previous_period: str | None
    projects: list[ProjectChange] = field(default_factory=list)
    towns: list[TownChange] = field(default_factory=list)
    new_submissions: list[dict[str, Any]] = field(default_factory=list)

    @property
    def new_reds(self) -> list[ProjectChange]:
        return [c for c in self.projects if "new-red" in c.kinds]

    @property
    def light_changes(self) -> list[ProjectChange]:
        return [c for c in self.projects if c.light_before != c.light_after and "new" not in c.kinds
                and "dropped" not in c.kinds]

    @property
    def spent_added(self) -> int:
        """The district's spending since the previous dispatch (town totals, 分)."""
        return sum(t.added for t in self.towns)


def compare_snapshots(previous: DispatchSnapshot, current: Mapping[str, Any]) -> Changes:
    """What changed from the ``previous`` dispatch's snapshot to ``current``: projects by kind of change,
    towns in the current rank order (the unranked, then towns no longer listed, last), new files by receipt."""
    before = previous.content
    old = {p["id"]: p for p in before.get("projects", [])}
    new = {p["id"]: p for p in current["projects"]}
    changes = [c for pid in [*new, *(i for i in old if i not in new)]
               if not _unchanged(old.get(pid), new.get(pid)) and (c := _project_change(old.get(pid), new.get(pid))).kinds]
    changes.sort(key=_change_order)
    seen = {s["id"] for s in before.get("submissions", [])}
    since = previous.day.isoformat()
    # new: not seen by the previous dispatch, or received after its day (a history ingested in one go)
    arrived = [s for s in current["submissions"] if s["id"] not in seen or (s["received_at"] or "")[:10] > since]
    arrived.sort(key=lambda s: (s["received_at"] or "", s["id"]))
    return Changes(previous_week=previous.week, previous_day=previous.day, previous_period=previous.period,
                   projects=changes, towns=_town_changes(before.get("towns", []), current["towns"]),
                   new_submissions=arrived)


def _unchanged(old: Mapping[str, Any] | None, new: Mapping[str, Any] | None) -> bool:
    """Listed both times with the same light, spending and flags: no kind of change (most projects of a
    province in a week without new files), known without building the change."""
    return (old is not None and new is not None and old["light"] == new["light"] and old["spent"] == new["spent"]
            and old.get("flags", []) == new.get("flags", []))


def _project_change(old: Mapping[str, Any] | None, new: Mapping[str, Any] | None) -> ProjectChange:
    """One project then and now; either side is None when the project is new or no longer listed."""
    either = new or old
    assert either is not None
    before, after = (old or {}).get("flags", []), (new or {}).get("flags", [])
    both = old is not None and new is not None
    change = ProjectChange(
        project_id=either["id"], town=either["town"], code=either["code"], name=either["name"],
        light_before=old["light"] if old else None, light_after=new["light"] if new else None,
        spent_before=old["spent"] if old else None, spent_after=new["spent"] if new else None,
        rate_before=old["spend_rate"] if old else None, rate_after=new["spend_rate"] if new else None,
        flags_added=tuple(f for f in after if f not in before) if both else (),
        flags_cleared=tuple(f for f in before if f not in after) if both else ())
    return dataclasses.replace(change, kinds=_kinds(change, old is None, new is None))


def _kinds(c: ProjectChange, is_new: bool, dropped: bool) -> tuple[str, ...]:
    kinds: list[str] = []
    if is_new:
        kinds.append("new")
    if dropped:
        return ("dropped",)
    if c.light_after == "red" and c.light_before != "red":
        kinds.append("new-red")
    elif not is_new and c.light_before != c.light_after:
        step = LIGHT_RANK[c.light_after] - LIGHT_RANK[c.light_before]
        kinds.append("light" if None in (c.light_before, c.light_after) else ("worse" if step > 0 else "better"))
    added = c.added
    if not is_new and added:
        kinds.append("spent-up" if added > 0 else "spent-down")
    if c.flags_added:
        kinds.append("flags-added")
    if c.flags_cleared:
        kinds.append("flags-cleared")
    return tuple(kinds)


def _change_order(c: ProjectChange) -> tuple[Any, ...]:
    rank = {"new-red": 0, "worse": 1, "better": 2, "light": 3, "dropped": 4, "new": 5}
    first = min((rank[k] for k in c.kinds if k in rank), default=9)
    return first, c.town, -(c.added or 0), c.name


def _town_changes(before: Sequence[Mapping[str, Any]], after: Sequence[Mapping[str, Any]]) -> list[TownChange]:
    old = {t["town"]: t for t in before}
    new = {t["town"]: t for t in after}
    position = {town: n for n, town in enumerate(new)}
    ranked = sorted(new, key=lambda t: (new[t].get("rank") is None, new[t].get("rank") or 0, position[t]))
    out = []
    for town in [*ranked, *(t for t in old if t not in new)]:
        o, n = old.get(town, {}), new.get(town, {})
        out.append(TownChange(town=town, light_before=o.get("light"), light_after=n.get("light"),
                              rank_before=o.get("rank"), rank_after=n.get("rank"),
                              spent_before=o.get("spent"), spent_after=n.get("spent"),
                              rate_before=o.get("spend_rate"), rate_after=n.get("spend_rate"),
                              submitted_before=o.get("submitted"), submitted_after=n.get("submitted")))
    return out
