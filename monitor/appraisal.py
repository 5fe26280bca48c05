"""Year-end appraisal (年度考核): per town, the year's months by light, bottom-three months, the final spend
rate against the year-end target, letters received, late replies, late or missing reports, surplus not
recovered — and a ranking whose rule is stated, not a weighted score.

Every month is judged as :func:`monitor.status.build_status` shows it *with the data received by the as-of
date* (a correction received later than the month's dispatch counts). The months judged run from the
year's first month with data to the last month whose reporting deadline is on or before the as-of date.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from monitor.errors import UsageError
from monitor.history import received_in_time
from monitor.money import yuan_to_fen
from monitor.periods import timeliness
from monitor.rules.benchmark import benchmark_fraction, to_decimal
from monitor.schema import Letter, Submission, Town
from monitor.settings import Settings
from monitor.status import (
    all_towns,
    build_status,
    due_date,
    judge_each,
    periods_with_data,
    rule_settings,
    towns_json,
)

#: letter kinds a town receives and the appraisal counts (拨付函 goes to the finance bureau, not a town)
TOWN_KINDS = ("reminder", "supervision", "report")
READABLE = ("accepted", "superseded")
_FOUR = Decimal("0.0001")


@dataclass(frozen=True)
class TownMonth:
    """One town in one judged month: its light and place as that month's status shows it, and its report."""

    period: str
    light: str | None  # None: no project with a rate (nothing reported yet)
    spend_rate: float | None
    rank: int | None
    bottom: bool
    report: str  # on-time / late / unknown (received, time not known) / missing


@dataclass(frozen=True)
class LetterLine:
    """A letter counted in the appraisal and where its reply stood on the as-of date."""

    number: str
    day: date
    kind: str
    town: str
    period: str
    issued_on: date
    reply_due: date
    replied_on: date | None  # only a reply recorded by the as-of date
    state: str  # waiting / overdue / replied / replied-late
    days_late: int


@dataclass(frozen=True)
class SurplusLine:
    """A project flagged ``surplus`` (结余资金待收回) in the last judged month."""

    town: str
    project_code: str | None
    project_name: str
    status: str | None
    allocated_fen: int
    spent_fen: int

    @property
    def surplus_fen(self) -> int:
        return self.allocated_fen - self.spent_fen


@dataclass
class TownAppraisal:
    """The tallies of one town that feed its appraisal score."""

    town: str
    months: list[TownMonth]
    final_rate: float | None
    allocated_fen: int | None
    spent_fen: int | None
    gap: float | None  # year-end target − final spend rate (positive: short of the target)
    letters: dict[str, int]
    replies_overdue: int
    replies_late: int
    surplus: list[SurplusLine]
    rank: int | None = None

    def count(self, attr: str, value: Any) -> int:
        """How many judged months have ``attr`` (light, bottom, report) equal to ``value``."""
        return sum(1 for m in self.months if getattr(m, attr) == value)

    @property
    def red(self) -> int:
        return self.count("light", "red")

    @property
    def yellow(self) -> int:
        return self.count("light", "yellow")

    @property
    def green(self) -> int:
        return self.count("light", "green")

    @property
    def unlit(self) -> int:
        return self.count("light", None)

    @property
    def bottom_months(self) -> int:
        return self.count("bottom", True)

    @property
    def on_time(self) -> int:
        return self.count("report", "on-time")

    @property
    def late(self) -> int:
        return self.count("report", "late")

    @property
    def unknown(self) -> int:
        return self.count("report", "unknown")

    @property
    def missing(self) -> int:
        return self.count("report", "missing")

    @property
    def surplus_fen(self) -> int:
        return sum(s.surplus_fen for s in self.surplus)


@dataclass
class Appraisal:
    """The year's appraisal: the months judged, the towns in ranking order, the letters and surplus behind
    the counts, and what the rules used."""

    year: int
    as_of: date
    district: str
    bureau: str
    months: list[str]
    not_due: list[str]  # months of the year after the last judged one (deadline after the as-of date)
    due: dict[str, date]  # each judged month's reporting deadline
    target: float  # the year-end benchmark of the year's own money (序时进度 at 12-31)
    bottom_n: int
    thresholds: dict[str, Any]
    towns: list[TownAppraisal]
    letters: list[LetterLine] = field(default_factory=list)
    drafts: int = 0  # letters of the year to towns still in draft on the as-of date: not counted

    @property
    def final_period(self) -> str:
        return self.months[-1]


def judged_months(session: Session, settings: Settings, year: int, as_of: date) -> tuple[list[str], list[str]]:
    """The months judged (first with data … last due by ``as_of``) and the year's later months not yet due.

    UsageError when the year has no data by ``as_of`` or none of its months is due yet."""
    with_data = [p for p in periods_with_data(session, as_of) if p.startswith(f"{year:04d}-")]
    if not with_data:
        raise UsageError(f"no town reports for {year} in the database as of {as_of} "
                         "(see `fundmon submissions`; load files with `fundmon ingest`)")
    year_months = [f"{year:04d}-{m:02d}" for m in range(1, 13)]
    due = [p for p in year_months if due_date(p, settings) <= as_of]
    months = [p for p in due if p >= with_data[0]]
    if not months:
        first = with_data[0]
        raise UsageError(f"no report month of {year} is past its reporting deadline on {as_of} "
                         f"({first} is due {due_date(first, settings)}); give a later --as-of")
    return months, [p for p in year_months if p > months[-1]]


def year_end_target(settings: Settings, year: int) -> float:
    """序时进度 of the year's own money at 12-31 (1.0 unless a targets table ends lower)."""
    value = benchmark_fraction(year, f"{year:04d}-12", date(year, 12, 31), rule_settings(settings))
    assert value is not None  # the year's own money always has a benchmark in its year
    return float(to_decimal(value).quantize(_FOUR, rounding=ROUND_HALF_UP))


def report_states(session: Session, settings: Settings, months: list[str], as_of: date) -> dict[tuple[str, str], str]:
    """Per (town, month): the timeliness of the month's first readable file received by ``as_of`` (a later
    correction does not make a month late, as in the dispatch's 报送情况); absent: missing."""
    stmt = (select(Town.name, Submission.period, Submission.received_at, Submission.id)
            .join(Town, Town.id == Submission.town_id)
            .where(Submission.status.in_(READABLE), Submission.kind == "town_report",
                   Submission.period.in_(months), received_in_time(as_of)))
    first: dict[tuple[str, str], tuple[datetime, int, datetime | None]] = {}
    for town, period, received, sub_id in session.execute(stmt):
        key = (received or datetime.min, sub_id, received)
        if (town, period) not in first or key < first[(town, period)]:
            first[(town, period)] = key
    return {k: timeliness(v[2], due_date(k[1], settings)) for k, v in first.items()}


def year_letters(session: Session, year: int, as_of: date) -> tuple[list[LetterLine], int]:
    """Letters to towns about the year's report months, sent (issued or replied) by ``as_of``; and how many
    such letters were still drafts then. A reply recorded after ``as_of`` had not come yet."""
    stmt = (select(Letter).where(Letter.kind.in_(TOWN_KINDS), Letter.town.is_not(None),
                                 Letter.period.like(f"{year:04d}-%")).order_by(Letter.day, Letter.year, Letter.seq))
    lines, drafts = [], 0
    for letter in session.scalars(stmt):
        if letter.day > as_of:  # drafted later: it did not exist yet
            continue
        issued = letter.issued_on or letter.day
        if letter.status not in ("issued", "replied") or issued > as_of:
            drafts += 1  # still a draft on the as-of date
            continue
        replied = letter.replied_on if letter.replied_on is not None and letter.replied_on <= as_of else None
        late = ((replied or as_of) - letter.reply_due).days
        if replied is not None:
            state = "replied-late" if late > 0 else "replied"
        else:
            state = "overdue" if late > 0 else "waiting"
        lines.append(LetterLine(letter.number, letter.day, letter.kind, letter.town or "", letter.period, issued,
                                letter.reply_due, replied, state, max(late, 0)))
    return lines, drafts


def fen(yuan: float | None) -> int | None:
    """A status amount (元, two decimals, as a float) → exact 分."""
    return None if yuan is None else yuan_to_fen(Decimal(str(yuan)))


def surplus_lines(status: dict[str, Any]) -> list[SurplusLine]:
    return [SurplusLine(p["town"], p["project_code"], p["project_name"], p["status"], fen(p["allocated"]) or 0,
                        fen(p["spent"]) or 0)
            for p in status["projects"] if "surplus" in p["flags"]]


def rank_appraised(towns: list[TownAppraisal]) -> list[TownAppraisal]:
    """Final spend rate (four decimals) high to low; then fewer red months; then fewer bottom-three months;
    towns equal on all three share a rank (1, 2, 2, 4). Towns without a rate are unranked, listed last."""
    def key(t: TownAppraisal) -> tuple[float, int, int]:
        return -(t.final_rate or 0.0), t.red, t.bottom_months

    rated = sorted((t for t in towns if t.final_rate is not None), key=key)
    for position, t in enumerate(rated, start=1):
        previous = rated[position - 2] if position > 1 else None
        t.rank = previous.rank if previous is not None and key(previous) == key(t) else position
    return rated + [t for t in towns if t.final_rate is None]


def appraise_town(name: str, towns: dict[str, dict[str, dict[str, Any]]], reports: dict[tuple[str, str], str],
                  letters: list[LetterLine], surplus: list[SurplusLine], target: float) -> TownAppraisal:
    """One town's tallies from the months' status rows (``towns``: month → town → row, in month order, the
    last month final)."""
    rows = {p: by_name.get(name) for p, by_name in towns.items()}
    months = [TownMonth(p, r["light"] if r else None, r["spend_rate"] if r else None, r["rank"] if r else None,
                        bool(r and r["bottom_three"]), reports.get((name, p), "missing")) for p, r in rows.items()]
    last = rows[list(rows)[-1]] or {}
    rate = last.get("spend_rate")
    gap = None if rate is None else float((Decimal(str(target)) - Decimal(str(rate))).quantize(_FOUR))
    return TownAppraisal(
        town=name, months=months, final_rate=rate, allocated_fen=fen(last.get("allocated")),
        spent_fen=fen(last.get("spent")), gap=gap,
        letters={k: sum(1 for x in letters if x.kind == k) for k in TOWN_KINDS},
        replies_overdue=sum(1 for x in letters if x.state == "overdue"),
        replies_late=sum(1 for x in letters if x.state == "replied-late"), surplus=surplus)


def build_appraisal(session: Session, settings: Settings, year: int, as_of: date) -> Appraisal:
    """The year's appraisal with the data received by ``as_of`` (see the module's docstring).

    UsageError when the year has no data by ``as_of`` or none of its months is past its deadline yet."""
    months, not_due = judged_months(session, settings, year, as_of)
    rules = rule_settings(settings)
    statuses: dict[str, dict[str, Any]] = {}
    for p, judged in judge_each(session, settings, months, as_of):  # one read of the year's rows
        statuses[p] = build_status(session, settings, p, as_of, judged=judged) if p == months[-1] else \
            {"period": p, "towns": towns_json(session, settings, p, as_of, judged, rules)}  # towns is all it needs
    final = statuses[months[-1]]
    reports = report_states(session, settings, months, as_of)
    letters, drafts = year_letters(session, year, as_of)
    target = year_end_target(settings, year)
    by_town: dict[str, list[LetterLine]] = defaultdict(list)
    for line in letters:
        by_town[line.town].append(line)
    surplus: dict[str, list[SurplusLine]] = defaultdict(list)
    for s in surplus_lines(final):
        surplus[s.town].append(s)
    names = all_towns(session, settings, as_of)
    names += [t["town"] for t in final["towns"] if t["town"] not in names]
    rows = {p: {t["town"]: t for t in status["towns"]} for p, status in statuses.items()}
    towns = [appraise_town(n, rows, reports, by_town[n], surplus[n], target) for n in names]
    return Appraisal(year=year, as_of=as_of, district=settings["district.name"], bureau=settings["district.bureau"],
                     months=months, not_due=not_due, due={p: due_date(p, settings) for p in months},
                     target=target, bottom_n=rule_settings(settings).bottom_n, thresholds=final["thresholds"],
                     towns=rank_appraised(towns), letters=letters, drafts=drafts)


__all__ = ["Appraisal", "LetterLine", "SurplusLine", "TownAppraisal", "TownMonth", "build_appraisal"]
