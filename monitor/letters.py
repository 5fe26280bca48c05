"""The letter register (发函登记): numbering, what earlier letters covered, issue and reply, overdue replies."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from monitor.errors import UsageError
from monitor.schema import Letter, LetterProject

KIND_LABELS: dict[str, str] = {"reminder": "提醒函", "supervision": "督办函", "finance": "拨付函", "report": "催报函"}
STATUS_LABELS: dict[str, str] = {"draft": "草稿", "issued": "已发出", "replied": "已回复"}
#: which register channel a kind's projects count in (a project is in one letter per month and channel)
CHANNELS: dict[str, str] = {"reminder": "town", "supervision": "town", "finance": "finance"}
SENT = ("issued", "replied")


def format_number(prefix: str, year: int, seq: int) -> str:
    """``湘农函〔2023〕5号``: 六角括号, full year, no padding, no 第."""
    return f"{prefix}〔{year}〕{seq}号"


def next_seq(session: Session, year: int) -> int:
    """The next free N of the year (numbers run per calendar year of the letter date)."""
    return (session.scalar(select(func.max(Letter.seq)).where(Letter.year == year)) or 0) + 1


def letters_of_day(session: Session, day: date) -> list[Letter]:
    return list(session.scalars(select(Letter).where(Letter.day == day).order_by(Letter.year, Letter.seq)))


def projects_of(session: Session, letter_id: int) -> list[LetterProject]:
    return list(session.scalars(select(LetterProject).where(LetterProject.letter_id == letter_id)
                                .order_by(LetterProject.id)))


def covered_projects(session: Session, period: str, channel: str, *, except_day: date | None = None) -> set[int]:
    """Projects already in a letter of ``channel`` about ``period`` (drafts too), except the drafts of
    ``except_day``, which a rerun of that day plans afresh."""
    stmt = (select(LetterProject.project_id).join(Letter, Letter.id == LetterProject.letter_id)
            .where(LetterProject.period == period, LetterProject.channel == channel))
    rows = session.execute(stmt.add_columns(Letter.day, Letter.status))
    return {pid for pid, day, status in rows if not (day == except_day and status == "draft")}


def reminded_towns(session: Session, period: str, *, except_day: date | None = None) -> set[str]:
    """Towns that already have a 催报 letter for ``period`` (the drafts of ``except_day`` aside)."""
    stmt = select(Letter.town, Letter.day, Letter.status).where(Letter.kind == "report", Letter.period == period)
    return {town for town, day, status in session.execute(stmt)
            if town and not (day == except_day and status == "draft")}


def issued_within(session: Session, day: date, window_days: int) -> dict[str, dict[int, Letter]]:
    """Per town and project: the latest *issued* (or replied) letter to the town naming it, dated within
    ``window_days`` before ``day`` (one query for all towns). Drafts never count: escalation starts from
    what was sent."""
    stmt = (select(LetterProject.project_id, Letter).join(Letter, Letter.id == LetterProject.letter_id)
            .where(Letter.town.is_not(None), Letter.status.in_(SENT), LetterProject.channel == "town",
                   Letter.day < day, Letter.day >= day - timedelta(days=window_days))
            .order_by(Letter.day, Letter.seq))
    found: dict[str, dict[int, Letter]] = {}
    for pid, letter in session.execute(stmt):
        found.setdefault(letter.town, {})[pid] = letter  # oldest first: the latest stays
    return found


def drop_letter(session: Session, letter: Letter) -> None:
    """Remove a draft (a rerun found nothing left for it); issued letters are never removed."""
    if letter.status != "draft":
        raise UsageError(f"{letter.number} was issued and cannot be removed")
    session.execute(delete(LetterProject).where(LetterProject.letter_id == letter.id))
    session.delete(letter)
    session.flush()


# ── finding a letter and changing its state ───────────────────────────────────────────────────────────

_FULL = re.compile(r"〔(\d{4})〕(\d+)号?$")


def find_letter(session: Session, ref: str, year: int | None = None) -> Letter:
    """A letter by its N (in ``year``, default the latest year with letters) or by its full number."""
    text = ref.strip()
    match = _FULL.search(text)
    if match:
        year, seq = int(match.group(1)), int(match.group(2))
    elif text.isdigit():
        seq = int(text)
        year = year or session.scalar(select(func.max(Letter.year)))
    else:
        raise UsageError(f"{ref!r} is not a letter number: give N (as in 〔2023〕N号) or the full number")
    letter = session.scalar(select(Letter).where(Letter.year == year, Letter.seq == seq)) if year else None
    if letter is None:
        raise UsageError(f"no letter {seq}号 of {year or 'any year'} in the register (see `fundmon letters list`)")
    return letter


def issue_letter(session: Session, letter: Letter, on: date) -> Letter:
    """Mark a draft as sent (印发): from now on it counts toward escalation."""
    if letter.status != "draft":
        raise UsageError(f"{letter.number} is already {letter.status} ({STATUS_LABELS[letter.status]})")
    if on < letter.day:
        raise UsageError(f"{letter.number} is dated {letter.day}: it cannot be issued before, on {on}")
    letter.status, letter.issued_on = "issued", on
    session.flush()
    return letter


def record_reply(session: Session, letter: Letter, on: date) -> Letter:
    """Record the recipient's written reply (函复)."""
    if letter.status == "draft":
        raise UsageError(f"{letter.number} is still a draft: issue it first (fundmon letters issue {letter.seq})")
    if letter.issued_on is not None and on < letter.issued_on:
        raise UsageError(f"{letter.number} was issued on {letter.issued_on}: a reply cannot come before, on {on}")
    letter.status, letter.replied_on = "replied", on
    session.flush()
    return letter


# ── the register as rows (CLI list, dispatch 函件跟踪) ───────────────────────────────────────────────


@dataclass(frozen=True)
class RegisterRow:
    """One letter as the register lists it; ``state`` says where its reply stands on ``as_of``."""

    id: int
    seq: int
    number: str
    day: date
    period: str
    kind: str
    recipient: str
    town: str | None
    projects: int
    reply_due: date
    status: str
    issued_on: date | None
    replied_on: date | None
    state: str  # draft / waiting / overdue / replied / replied-late
    days_overdue: int
    file_name: str

    @property
    def kind_label(self) -> str:
        return KIND_LABELS.get(self.kind, self.kind)

    def as_json(self) -> dict[str, Any]:
        data = self.__dict__.copy()
        for key in ("day", "reply_due", "issued_on", "replied_on"):
            data[key] = data[key].isoformat() if data[key] else None
        return data


def reply_state(letter: Letter, as_of: date) -> tuple[str, int]:
    """Where a letter's reply stands on ``as_of``, and by how many days it is (or was) late."""
    if letter.status == "draft":
        return "draft", 0
    if letter.status == "replied" and letter.replied_on is not None:
        late = (letter.replied_on - letter.reply_due).days
        return ("replied-late", late) if late > 0 else ("replied", 0)
    late = (as_of - letter.reply_due).days
    return ("overdue", late) if late > 0 else ("waiting", 0)


def register_rows(session: Session, as_of: date, *, until: date | None = None,
                  status: str | None = None) -> list[RegisterRow]:
    """The register, oldest first; ``until`` leaves out letters dated later; ``status`` filters."""
    counts = dict(session.execute(select(LetterProject.letter_id, func.count())
                                  .group_by(LetterProject.letter_id)).all())
    stmt = select(Letter).order_by(Letter.day, Letter.year, Letter.seq)
    if until is not None:
        stmt = stmt.where(Letter.day <= until)
    if status is not None:
        stmt = stmt.where(Letter.status == status)
    rows = []
    for letter in session.scalars(stmt):
        state, late = reply_state(letter, as_of)
        rows.append(RegisterRow(letter.id, letter.seq, letter.number, letter.day, letter.period, letter.kind,
                                letter.recipient, letter.town, counts.get(letter.id, 0), letter.reply_due,
                                letter.status, letter.issued_on, letter.replied_on, state, late, letter.file_name))
    return rows
