"""Reminder letters (发函提醒): which letters a run date calls for, numbered in the register, written as .docx.

A run on date D judges the default period as of D (as the dispatch does). Towns with a red project, a
project yellow two months running, or a zero-spend / stalled / surplus / not-started / overdue flag get a
提醒函 — a 督办函 when one of those projects was in an *issued* letter to the town within
``letters.escalate_days``; money requested but not transferred goes to the finance bureau; towns whose
month is past its deadline without a report get a 催报 letter. A project is in at most one letter per
month and channel (town / finance), so the weekly job drafts nothing new on the same monthly data.
Rerunning D replans D's drafts (same numbers, same files); D's issued letters are left as they are.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import delete
from sqlalchemy.orm import Session, sessionmaker

from monitor import letters as register
from monitor.periods import add_months, deadline, period_end
from monitor.queries import now
from monitor.schema import Letter, LetterProject
from monitor.settings import Settings
from monitor.status import all_towns, build_status, default_period, judge, submitted_towns
from reports.files import safe_file_name, write_atomically

#: flags that call for a letter to the town (with a red light and a yellow light two months running)
TRIGGER_FLAGS = ("zero-spend", "stalled", "surplus", "not-started", "overdue")
TITLES = {"reminder": "关于加快驻镇帮镇扶村资金支出进度的提醒函",
          "supervision": "关于督促加快驻镇帮镇扶村资金支出进度的督办函",
          "finance": "关于及时拨付驻镇帮镇扶村资金的函"}


@dataclass(frozen=True)
class Cited:
    """An earlier issued letter a 督办函 refers to."""

    id: int
    number: str
    day: date
    title: str


@dataclass
class Item:
    """One project in a letter: its status figures, why it is there, the earlier letter that named it."""

    project: dict[str, Any]
    reasons: list[str]
    cites: Cited | None = None


@dataclass
class LetterDraft:
    """Everything one letter says; the writers only word and lay it out."""

    kind: str
    recipient: str
    town: str | None
    period: str
    day: date
    reply_due: date
    title: str
    number: str = ""
    items: list[Item] = field(default_factory=list)
    town_status: dict[str, Any] | None = None
    rated_towns: int = 0
    due: date | None = None  # 催报: the missed deadline
    bureau: str = ""

    @property
    def key(self) -> tuple[str, str]:
        """What a rerun of the same day matches on: the recipient and the kind's channel."""
        return register.CHANNELS.get(self.kind, self.kind), self.recipient

    @property
    def cited(self) -> list[Cited]:
        seen: dict[str, Cited] = {}
        for item in self.items:
            if item.cites is not None:
                seen.setdefault(item.cites.number, item.cites)
        return sorted(seen.values(), key=lambda c: (c.day, c.number))


@dataclass(frozen=True)
class LettersResult:
    """What a run wrote: the folder, every letter of the day (number, kind, recipient, status, path)."""

    folder: Path
    day: date
    period: str | None
    letters: list[register.RegisterRow]
    paths: list[Path]
    new: int


def recipient_of(town: str) -> str:
    """The town government a bureau writes to: XX镇人民政府, XX街道办事处."""
    if town.endswith("街道"):
        return f"{town}办事处"
    return f"{town}人民政府"


def due_period(day: date, settings: Settings) -> str:
    """The latest month whose reporting deadline is on or before ``day`` (what a town owes by then)."""
    period = add_months(f"{day.year:04d}-{day.month:02d}", -1)
    while deadline(period, day=settings["reporting.deadline_day"], holidays=settings.holidays,
                   workdays=settings.workdays) > day:
        period = add_months(period, -1)
    return period


def project_reasons(p: Mapping[str, Any], yellow_before: set[int]) -> list[str]:
    """Why a project calls for a letter to its town (empty: it does not)."""
    reasons = ["red"] if p["light"] == "red" else []
    if p["light"] == "yellow" and p["project_id"] in yellow_before:
        reasons.append("yellow-twice")
    return reasons + [code for code in TRIGGER_FLAGS if code in p["flags"]]


def yellow_last_month(session: Session, settings: Settings, status: Mapping[str, Any], day: date) -> set[int]:
    """Projects yellow now that were also yellow in the month before (both months reported)."""
    period = status["period"]
    ids = [p["project_id"] for p in status["projects"] if p["light"] == "yellow" and p["last_period"] == period]
    if not ids:
        return set()
    before = add_months(period, -1)
    return {j.record.project.id for j in judge(session, settings, before, day, project_ids=ids)
            if j.verdict.light == "yellow" and j.record.last_period == before}


def plan_letters(session: Session, settings: Settings, day: date) -> tuple[str | None, list[LetterDraft]]:
    """The letters ``day`` calls for, without numbers, in the order they are numbered. Reads only."""
    period = default_period(session, settings, day)
    drafts: list[LetterDraft] = []
    reply_due = day + timedelta(days=settings["letters.reply_days"])
    common = {"day": day, "reply_due": reply_due, "bureau": settings["district.bureau"]}
    status = build_status(session, settings, period, as_of=day) if period else None
    by_town: dict[str, list[Item]] = defaultdict(list)
    if status is not None and period is not None:
        yellow = yellow_last_month(session, settings, status, day)
        covered = register.covered_projects(session, period, "town", except_day=day)
        for p in status["projects"]:
            reasons = project_reasons(p, yellow)
            if reasons and p["project_id"] not in covered:
                by_town[p["town"]].append(Item(p, reasons))
    owed = due_period(day - timedelta(days=1), settings)  # 催报 once the deadline day is over, not on it
    missing = set(all_towns(session, settings, day)) - submitted_towns(session, owed, day) - \
        register.reminded_towns(session, owed, except_day=day)
    towns = {t["town"]: t for t in status["towns"]} if status else {}
    rated = sum(1 for t in towns.values() if t["rank"] is not None)
    issued = register.issued_within(session, day, settings["letters.escalate_days"])
    for town in all_towns(session, settings, day):
        # a town that has not reported the month gets the 催报 only: its older figures are not this month's
        reported = towns.get(town, {}).get("submitted", False)
        if by_town.get(town) and period is not None and reported:
            drafts.append(_town_letter(issued, town, by_town[town], period, towns.get(town), rated, common))
        if town in missing:
            drafts.append(LetterDraft("report", recipient_of(town), town, owed, title=_report_title(owed),
                                      due=deadline(owed, day=settings["reporting.deadline_day"],
                                                   holidays=settings.holidays, workdays=settings.workdays),
                                      **common))
    if status is not None and period is not None:
        covered = register.covered_projects(session, period, "finance", except_day=day)
        items = [Item(p, ["awaiting-transfer"]) for p in status["projects"]
                 if "awaiting-transfer" in p["flags"] and p["project_id"] not in covered]
        if items:
            drafts.append(LetterDraft("finance", settings["letters.finance_bureau"], None, period,
                                      title=TITLES["finance"], items=items, **common))
    return period, drafts


def _report_title(period: str) -> str:
    year, month = period.split("-")
    return f"关于报送{year}年{int(month)}月驻镇帮镇扶村项目资金支出进度报表的函"


def _town_letter(issued: dict[str, dict[int, Letter]], town: str, items: list[Item], period: str,
                 town_status: dict[str, Any] | None, rated: int, common: dict[str, Any]) -> LetterDraft:
    """提醒函, or 督办函 when a project in it was in an issued letter to the town within the window."""
    sent, escalated = issued.get(town, {}), False
    for item in items:
        letter = sent.get(item.project["project_id"])
        if letter is not None:
            item.cites, escalated = Cited(letter.id, letter.number, letter.day, letter.title), True
    kind = "supervision" if escalated else "reminder"
    return LetterDraft(kind, recipient_of(town), town, period, title=TITLES[kind], items=items,
                       town_status=town_status, rated_towns=rated, **common)


# ── the register: numbers, projects, files ───────────────────────────────────────────────────────────


def file_name(letter: Letter) -> str:
    return f"{letter.number}-{safe_file_name(letter.recipient)}-{register.KIND_LABELS[letter.kind]}.docx"


def store_drafts(session: Session, settings: Settings, day: date,
                 drafts: Iterable[LetterDraft]) -> tuple[list[tuple[Letter, LetterDraft]], list[str], int]:
    """Put the day's drafts in the register: a rerun of ``day`` reuses the number of the draft for the same
    recipient and channel; drafts of ``day`` nothing calls for any more are removed (their file names are
    returned). Issued letters of ``day`` stay as they are. Returns (letter, draft) pairs, stale files, new."""
    existing = {(register.CHANNELS.get(x.kind, x.kind), x.recipient): x
                for x in register.letters_of_day(session, day) if x.status == "draft"}
    drafts = list(drafts)
    reused = [existing[d.key].id for d in drafts if d.key in existing]
    for start in range(0, len(reused), 500):  # their projects are planned afresh
        session.execute(delete(LetterProject).where(LetterProject.letter_id.in_(reused[start:start + 500]))
                        .execution_options(synchronize_session=False))
    stored, new, seq = [], 0, register.next_seq(session, day.year)
    for draft in drafts:
        letter = existing.pop(draft.key, None)
        if letter is None:
            letter = Letter(year=day.year, seq=seq, number=register.format_number(settings["letters.prefix"],
                                                                                   day.year, seq),
                            day=day, status="draft", created_at=now())
            session.add(letter)
            new, seq = new + 1, seq + 1
        letter.kind, letter.recipient, letter.town, letter.period = draft.kind, draft.recipient, draft.town, draft.period
        letter.title, letter.reply_due = draft.title, draft.reply_due
        letter.file_name = file_name(letter)
        draft.number = letter.number
        stored.append((letter, draft))
    session.flush()  # every new letter gets its id, in one go
    for letter, draft in stored:
        channel = register.CHANNELS.get(draft.kind)
        session.add_all(LetterProject(letter_id=letter.id, project_id=item.project["project_id"], period=draft.period,
                                      channel=channel or draft.kind, project_name=item.project["project_name"],
                                      project_code=item.project["project_code"], reasons=item.reasons,
                                      cites_letter_id=item.cites.id if item.cites else None)
                        for item in draft.items)
    stale = []
    for letter in existing.values():
        stale.append(letter.file_name)
        register.drop_letter(session, letter)
    session.flush()
    return stored, stale, new


def run_letters(session_factory: sessionmaker[Session], settings: Settings, day: date,
                out_dir: Path) -> LettersResult:
    """Plan ``day``'s letters, number them in the register, write ``letters-YYYY-MM-DD/`` (each file
    atomically), then commit. Issued letters of ``day`` are rewritten only when their file is missing."""
    from reports.letter_docx import write_letter_docx, write_letters

    folder = Path(out_dir) / f"letters-{day.isoformat()}"
    with session_factory() as session:
        period, drafts = plan_letters(session, settings, day)
        stored, stale, new = store_drafts(session, settings, day, drafts)
        folder.mkdir(parents=True, exist_ok=True)
        for leftover in folder.glob(".*.part"):  # left by a run that was killed mid-write
            leftover.unlink(missing_ok=True)
        for name in stale:
            (folder / name).unlink(missing_ok=True)
        present = [p.name for p in folder.glob("*.docx")]  # listed once: a province has ~1,000 letters a day
        for letter, _draft in stored:
            for name in present:  # a rerun that changed the kind renames it
                if name.startswith(f"{letter.number}-") and name != letter.file_name:
                    (folder / name).unlink(missing_ok=True)
        paths = write_letters([(folder / letter.file_name, draft) for letter, draft in stored], settings)
        for letter in register.letters_of_day(session, day):
            target = folder / letter.file_name
            if letter.status != "draft" and not target.exists():
                draft = rebuild_draft(session, settings, letter)
                paths.append(write_atomically(target, lambda p, d=draft: write_letter_docx(d, p, settings)))
        session.commit()
        rows = [r for r in register.register_rows(session, day) if r.day == day]
    return LettersResult(folder=folder, day=day, period=period, letters=rows, paths=sorted(paths), new=new)


def rebuild_draft(session: Session, settings: Settings, letter: Letter) -> LetterDraft:
    """A letter of the register as a draft again (to rewrite a missing file): its projects, judged as of
    its date; a project no longer found (merged away) keeps the name the letter printed."""
    status = build_status(session, settings, letter.period, as_of=letter.day) if letter.kind != "report" else None
    projects = {p["project_id"]: p for p in status["projects"]} if status else {}
    items = []
    for lp in register.projects_of(session, letter.id):
        cited = session.get(Letter, lp.cites_letter_id) if lp.cites_letter_id else None
        p = projects.get(lp.project_id) or _bare_project(lp)
        items.append(Item(p, list(lp.reasons), Cited(cited.id, cited.number, cited.day, cited.title) if cited else None))
    towns = {t["town"]: t for t in status["towns"]} if status else {}
    due = deadline(letter.period, day=settings["reporting.deadline_day"], holidays=settings.holidays,
                   workdays=settings.workdays)
    return LetterDraft(letter.kind, letter.recipient, letter.town, letter.period, letter.day, letter.reply_due,
                       letter.title, letter.number, items, towns.get(letter.town or ""),
                       sum(1 for t in towns.values() if t["rank"] is not None),
                       due if letter.kind == "report" else None, settings["district.bureau"])


def _bare_project(lp: LetterProject) -> dict[str, Any]:
    keys = ("town", "village", "allocated", "requested", "disbursed", "spent", "spend_rate", "benchmark", "gap",
            "light", "status")
    return {"project_id": lp.project_id, "project_name": lp.project_name, "project_code": lp.project_code,
            "flags": [], "flag_details": {}, **dict.fromkeys(keys)}


def data_date(draft: LetterDraft) -> date:
    """截至 date of the figures a letter cites."""
    return period_end(draft.period)
