"""Status: every project's and town's figures, lights and flags for a period (DESIGN §6 `status` JSON)."""

from __future__ import annotations

import gc
from collections import defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from monitor.errors import ConfigError
from monitor.history import ProjectRecord, load_histories, load_history, received_in_time
from monitor.memo import memos as memos_of
from monitor.money import fen_to_yuan
from monitor.periods import deadline
from monitor.rules.engine import evaluate_project, evaluate_town
from monitor.rules.model import RuleSettings, Verdict
from monitor.schema import Submission, Town
from monitor.settings import Settings

RATE_PLACES = Decimal("0.0001")
BENCHMARK_MODES = ("monthly", "daily", "targets")


@dataclass
class Judged:
    """A project's record and the rules' verdict on it."""

    record: ProjectRecord
    verdict: Verdict


def today() -> date:
    """Today on the product's clock (Asia/Shanghai), whatever the server's time zone."""
    from monitor.queries import now

    return now().date()


def rule_settings(settings: Settings) -> RuleSettings:
    rules = RuleSettings.from_settings(settings)
    if rules.benchmark_mode not in BENCHMARK_MODES:
        raise ConfigError(f"rules.benchmark_mode must be one of {', '.join(BENCHMARK_MODES)}, "
                          f"got {rules.benchmark_mode!r}")
    return rules


def periods_with_data(session: Session, as_of: date | None = None) -> list[str]:
    """Months with a report in force (as of a day: received by its end)."""
    stmt = select(Submission.period).where(Submission.status.in_(("accepted", "superseded")),
                                           Submission.kind == "town_report").distinct()
    if as_of is not None:
        stmt = stmt.where(received_in_time(as_of))
    return sorted(p for p in session.scalars(stmt) if p)


def due_date(period: str, settings: Settings) -> date:
    return deadline(period, day=settings["reporting.deadline_day"], holidays=settings.holidays,
                    workdays=settings.workdays)


def default_period(session: Session, settings: Settings, as_of: date) -> str | None:
    """The latest period whose reporting deadline is on or before ``as_of``, else the latest with data."""
    periods = periods_with_data(session, as_of)
    due = [p for p in periods if due_date(p, settings) <= as_of]
    return (due or periods or [None])[-1]


def judge(session: Session, settings: Settings, period: str, as_of: date, *, town: str | None = None,
          project_ids: list[int] | None = None) -> list[Judged]:
    """Every project with a report at or before ``period``, judged by the rules (kept in the session's memo
    until its next write: the dispatch asks twice; and within :func:`monitor.memo.shared`, for the run)."""
    rules = rule_settings(settings)
    key = _memo_key(period, as_of, town, project_ids, rules)
    memos = memos_of(session)
    for memo in memos:
        if key in memo:
            return list(memo[key])
    with _bulk():
        judged = [Judged(rec, evaluate_project(rec.input, period, as_of, rules))
                  for rec in load_history(session, period, town, project_ids, as_of=as_of)]
    for memo in memos:
        memo[key] = judged
    return list(judged)


def judge_each(session: Session, settings: Settings, periods: Sequence[str], as_of: date, *,
               remember: str | None = None) -> Iterator[tuple[str, list[Judged]]]:
    """:func:`judge` of each of ``periods`` (oldest first) from one read of the rows (a review judges every
    month of the year). The ``remember`` period's result goes into the session's memo, as judge() would."""
    rules = rule_settings(settings)
    memos = memos_of(session)
    for period, records in load_histories(session, periods, as_of):
        with _bulk():
            judged = [Judged(rec, evaluate_project(rec.input, period, as_of, rules)) for rec in records]
        del records
        for memo in memos if period == remember else ():
            memo[_memo_key(period, as_of, None, None, rules)] = judged
        yield period, list(judged)


def _memo_key(period: str, as_of: date, town: str | None, project_ids: list[int] | None,
              rules: RuleSettings) -> tuple[Any, ...]:
    return ("judge", period, as_of, town, None if project_ids is None else tuple(project_ids), rules)


@contextmanager
def _bulk() -> Iterator[None]:
    """No cyclic garbage collection while a province's records are built: they make no cycles, and the
    collector's repeated passes over a million new objects cost a third of the time. Restored after."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


def money(fen: int | None) -> float | None:
    value = fen_to_yuan(fen)
    return None if value is None else float(value)


def rate4(value: Decimal | None) -> float | None:
    return None if value is None else float(value.quantize(RATE_PLACES, rounding=ROUND_HALF_UP))


def _latest(j: Judged) -> Any:
    return j.record.input.reports[-1]


def project_json(j: Judged) -> dict[str, Any]:
    rec, v, last = j.record, j.verdict, _latest(j)
    return {
        "project_id": rec.project.id, "project_code": rec.project.code, "project_name": rec.project.name,
        "town": rec.input.town, "village": rec.village, "category": rec.category, "fund_year": v.fund_year,
        "allocated": money(v.allocated), "requested": money(last.requested), "disbursed": money(last.disbursed),
        "spent": money(v.spent), "spend_rate": rate4(v.spend_rate), "benchmark": rate4(v.benchmark),
        "gap": rate4(v.gap), "light": v.light,
        "progress": None if last.progress is None else float(last.progress), "status": last.status,
        "flags": [f.code for f in v.flags], "flag_details": {f.code: f.explanation for f in v.flags},
        "year_end_projection": rate4(v.year_end_projection), "last_period": rec.last_period,
    }


def _sum(values: list[int | None]) -> int | None:
    known = [v for v in values if v is not None]
    return sum(known) if known else None


def town_json(town: str, judged: list[Judged], submitted: bool, rules: RuleSettings) -> dict[str, Any]:
    tv = evaluate_town([j.verdict for j in judged], rules)
    rated = [j for j in judged if j.verdict.spend_rate is not None]  # the projects the town's totals cover
    return {
        "town": town, "projects": len(judged), "allocated": money(tv.allocated), "spent": money(tv.spent),
        "requested": money(_sum([_latest(j).requested for j in rated])),
        "disbursed": money(_sum([_latest(j).disbursed for j in rated])),
        "spend_rate": rate4(tv.spend_rate), "benchmark": rate4(tv.benchmark), "gap": rate4(tv.gap),
        "light": tv.light, "rank": None, "bottom_three": False,
        "green": tv.green, "yellow": tv.yellow, "red": tv.red, "submitted": submitted,
        "flags": [] if submitted else ["missing-report"],
    }


def rank_towns(towns: list[dict[str, Any]], bottom: int = 3) -> None:
    """Rank by spend rate, 1 = fastest; towns without a rate are unranked; the last ``bottom`` are marked."""
    rated = sorted((t for t in towns if t["spend_rate"] is not None), key=lambda t: (-t["spend_rate"], t["town"]))
    for position, town in enumerate(rated, start=1):
        town["rank"] = position
        town["bottom_three"] = len(rated) > bottom and position > len(rated) - bottom


def submitted_towns(session: Session, period: str, as_of: date | None = None) -> set[str]:
    """Towns with a report in force for the month (as of a day: received by its end)."""
    stmt = (select(Town.name).join(Submission, Submission.town_id == Town.id)
            .where(Submission.period == period, Submission.status.in_(("accepted", "superseded")),
                   Submission.kind == "town_report"))
    if as_of is not None:
        stmt = stmt.where(received_in_time(as_of))
    return set(session.scalars(stmt))


def all_towns(session: Session, settings: Settings, as_of: date | None = None) -> list[str]:
    """Towns expected in settings, then every town seen in the data (by the as-of day), in a stable order."""
    stmt = select(Town.name).order_by(Town.id)
    if as_of is not None:
        stmt = stmt.where(Town.id.in_(select(Submission.town_id).where(
            received_in_time(as_of))))
    seen = list(session.scalars(stmt))
    expected = settings.expected_towns
    return expected + [t for t in seen if t not in expected]


def build_status(session: Session, settings: Settings, period: str | None = None,
                 as_of: date | None = None, by: str | None = None, *,
                 judged: list[Judged] | None = None) -> dict[str, Any]:
    """The status of DESIGN §6 for ``period`` (default: see :func:`default_period`); ``judged``, when given,
    is that period's :func:`judge` already done."""
    as_of = as_of or today()
    rules = rule_settings(settings)
    period = period or default_period(session, settings, as_of)
    result: dict[str, Any] = {"period": period, "as_of": as_of.isoformat(),
                              "benchmark_mode": rules.benchmark_mode, "thresholds": rules.as_dict(),
                              "projects": [], "towns": []}
    if period is None:
        return result
    with _bulk():
        if judged is None:
            judged = judge(session, settings, period, as_of)
        return _fill_status(result, session, settings, period, as_of, rules, by, judged)


def _fill_status(result: dict[str, Any], session: Session, settings: Settings, period: str, as_of: date,
                 rules: RuleSettings, by: str | None, judged: list[Judged]) -> dict[str, Any]:
    judged = list(judged)
    if by is not None:
        from monitor.breakdown import build_breakdown

        labels = {"fund-year": "资金年度", "batch": "资金批次", "level": "资金层级"}
        result["by"] = {"dimension": by, "label": labels[by], "rows": build_breakdown(judged, by, period)}
    judged.sort(key=lambda j: (j.record.input.town, j.record.project.code or "", j.record.project.name))
    result["projects"] = [project_json(j) for j in judged]
    result["towns"] = towns_json(session, settings, period, as_of, judged, rules)
    return result


def towns_json(session: Session, settings: Settings, period: str, as_of: date, judged: list[Judged],
               rules: RuleSettings) -> list[dict[str, Any]]:
    """The status's ``towns``: every town's totals from the period's judged projects, ranked."""
    by_town: dict[str, list[Judged]] = defaultdict(list)
    for j in judged:
        by_town[j.record.input.town].append(j)
    submitted = submitted_towns(session, period, as_of)
    towns = [town_json(t, by_town.get(t, []), t in submitted, rules) for t in all_towns(session, settings, as_of)]
    rank_towns(towns, rules.bottom_n)
    return towns
