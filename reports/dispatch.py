"""The weekly dispatch pack (一周一调度): what it reports, built from the status, and the run that writes it."""

from __future__ import annotations

import gc
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from monitor.breakdown import MoneySources, money_sources
from monitor.letters import RegisterRow, register_rows
from monitor.money import rate
from monitor.periods import iso_week, period_end
from monitor.rules.flags import FLAG_LABELS
from monitor.rules.lights import light
from monitor.settings import Settings
from monitor.snapshots import Changes, compare_snapshots, fen, make_snapshot, previous_snapshot, save_snapshot
from monitor.status import build_status, default_period, due_date, rule_settings
from reports.dispatch_reporting import (
    READABLE,
    REPORT_STATES,
    TownReporting,
    received_datetime,
    submissions_as_of,
    town_reporting,
)
from reports.files import remove_partial_files, write_atomically

DISPATCH_XLSX = "调度表.xlsx"
DISPATCH_DOCX = "调度通报.docx"
LIGHT_ORDER: dict[str | None, int] = {"red": 0, "yellow": 1, "green": 2, None: 3}
_FOUR = Decimal("0.0001")


@dataclass(frozen=True)
class Totals:
    """The district's totals over its towns (元 as in the status, rates to four decimals)."""

    projects: int
    allocated: float
    spent: float
    spend_rate: float | None
    benchmark: float | None
    gap: float | None
    light: str | None
    red: int
    yellow: int
    green: int


@dataclass(frozen=True)
class FlagLine:
    """One raised flag of one project (问题线索)."""

    town: str
    project_code: str | None
    project_name: str
    light: str | None
    code: str
    label: str
    explanation: str


@dataclass
class Dispatch:
    """Everything one week's pack says; writers only lay it out."""

    day: date
    week: str
    district: str
    bureau: str
    status: dict[str, Any]
    totals: Totals
    towns: list[dict[str, Any]]  # ranked, the unranked last
    projects: list[dict[str, Any]]  # by town (as ranked), red first, widest gap first
    flags: list[FlagLine]
    reporting: list[TownReporting]
    due: date | None
    changes: Changes | None
    snapshot: dict[str, Any]
    letters: list[RegisterRow] = field(default_factory=list)  # the register up to the day (函件跟踪)
    #: the month 报送情况 covers: the data's month, or with no data yet the month of the files that were all
    #: rejected (so a town whose only file was turned back is still named)
    reporting_period: str | None = None
    sources: MoneySources | None = None  # 资金来源进度: the rated projects' money by fund year, batch, level
    #: a town's slice (reports.dispatch_slice): only that town's rows; ranks stay the district's
    town: str | None = None
    ranked: int = 0  # towns ranked district-wide (a slice's 全区第N名 is out of these)

    @property
    def scope(self) -> str:
        """Whose figures these are: 全区, or the slice's town."""
        return self.town or "全区"

    @property
    def period(self) -> str | None:
        return self.status["period"]

    @property
    def week_label(self) -> str:
        year, week, _ = self.day.isocalendar()
        return f"{year}年第{week}周"

    @property
    def data_date(self) -> date | None:
        return period_end(self.period) if self.period else None

    @property
    def thresholds(self) -> dict[str, Any]:
        return self.status["thresholds"]

    @property
    def red_yellow(self) -> list[dict[str, Any]]:
        return sorted((p for p in self.projects if p["light"] in ("red", "yellow")), key=_project_severity)


@dataclass(frozen=True)
class DispatchResult:
    """What a run wrote: the pack's folder and files, its week and data month, the week it compared with."""

    folder: Path
    paths: list[Path]
    week: str
    period: str | None
    previous_week: str | None


def build_dispatch(session: Session, settings: Settings, day: date) -> Dispatch:
    """The pack for the ISO week of ``day``: the default period judged as of ``day``, compared with the
    latest earlier dispatch's snapshot. Only files received by the end of ``day`` count, everywhere.
    Reads only; :func:`run_dispatch` writes and stores."""
    week = iso_week(day)
    period = default_period(session, settings, day)
    status = build_status(session, settings, period, as_of=day)
    submissions = submissions_as_of(session, settings, day)
    snapshot = make_snapshot(status, submissions)
    previous = previous_snapshot(session, week)
    towns = sorted(status["towns"], key=lambda t: (t["rank"] is None, t["rank"] or 0))
    order = {t["town"]: n for n, t in enumerate(towns)}
    projects = sorted(status["projects"], key=lambda p: (order.get(p["town"], len(order)), *_project_severity(p)))
    reporting_period = period or _rejected_period(submissions, settings, day)
    sources = money_sources(session, settings, period, day) if period else None
    # no figures yet: the expected towns, and (in town_reporting) any town whose files were turned back
    listed = [t["town"] for t in towns] or list(settings.expected_towns)
    return Dispatch(
        day=day, week=week, district=settings["district.name"], bureau=settings["district.bureau"],
        status=status, totals=district_totals(status, settings, sources), towns=towns, projects=projects,
        flags=flag_lines(projects, towns),
        reporting=town_reporting(session, settings, reporting_period, listed, submissions, day),
        due=due_date(reporting_period, settings) if reporting_period else None,
        changes=compare_snapshots(previous, snapshot) if previous is not None else None, snapshot=snapshot,
        letters=register_rows(session, day, until=day), reporting_period=reporting_period,
        sources=sources,
        ranked=sum(t["rank"] is not None for t in towns))


def _rejected_period(submissions: Sequence[Mapping[str, Any]], settings: Settings, day: date) -> str | None:
    """With no figures yet: the month of the towns' files that were turned back (due by ``day`` if any)."""
    periods = sorted({s["period"] for s in submissions if s["town"] and s["period"] and s["status"] == "rejected"})
    due = [p for p in periods if due_date(p, settings) <= day]
    return (due or periods or [None])[-1]


def _project_severity(p: Mapping[str, Any]) -> tuple[Any, ...]:
    return LIGHT_ORDER.get(p["light"], 3), -(p["gap"] or 0), p["town"], p["project_name"]


def district_totals(status: Mapping[str, Any], settings: Settings, sources: MoneySources | None = None) -> Totals:
    """全区: the towns' sums; the benchmark is the allocation-weighted mean of the rated projects' — exact from
    the money sources when given (as the review and the 资金来源进度 sheet have it), else from the status's
    rounded project benchmarks."""
    allocated = sum(fen(t["allocated"]) or 0 for t in status["towns"])
    spent = sum(fen(t["spent"]) or 0 for t in status["towns"])
    if sources is not None and sources.parts:
        benchmark = sources.total().benchmark
    else:
        rated = [p for p in status["projects"] if p["spend_rate"] is not None and p["benchmark"] is not None]
        weight = sum(fen(p["allocated"]) or 0 for p in rated)
        benchmark = (sum((Decimal(fen(p["allocated"]) or 0) * Decimal(str(p["benchmark"])) for p in rated),
                         Decimal(0)) / weight) if weight else None
    spend_rate = rate(spent, allocated)
    colour, gap, _ = light(spend_rate, benchmark, spent, allocated, rule_settings(settings))
    lights = [p["light"] for p in status["projects"]]
    return Totals(projects=len(status["projects"]), allocated=_yuan(allocated), spent=_yuan(spent),
                  spend_rate=_four(spend_rate), benchmark=_four(benchmark), gap=_four(gap), light=colour,
                  red=lights.count("red"), yellow=lights.count("yellow"), green=lights.count("green"))


def _yuan(fen_amount: int) -> float:
    return float(Decimal(fen_amount) / 100)


def _four(value: Decimal | None) -> float | None:
    return None if value is None else float(value.quantize(_FOUR, rounding=ROUND_HALF_UP))


def flag_lines(projects: Sequence[Mapping[str, Any]], towns: Sequence[Mapping[str, Any]]) -> list[FlagLine]:
    """One line per raised flag, in the registry's order; a town that did not submit is one line too."""
    lines = [FlagLine(p["town"], p["project_code"], p["project_name"], p["light"], code, FLAG_LABELS.get(code, code),
                      p.get("flag_details", {}).get(code, ""))
             for p in projects for code in p["flags"]]
    lines += [FlagLine(t["town"], None, "（全镇）", t["light"], "missing-report", FLAG_LABELS["missing-report"],
                       "本期报表未报送，沿用以前月份数据") for t in towns if "missing-report" in t.get("flags", [])]
    position = {code: n for n, code in enumerate(FLAG_LABELS)}
    return sorted(lines, key=lambda f: position.get(f.code, len(position)))



# ── the run ─────────────────────────────────────────────────────────────────────────────────────────


def run_dispatch(session_factory: sessionmaker[Session], settings: Settings, day: date,
                 out_dir: Path, *, town: str | None = None) -> DispatchResult:
    """Build the week's pack, write ``dispatch-YYYY-Www/`` (each file atomically), then store the snapshot.

    Rerunning the same week rewrites the same files and replaces that week's snapshot. With ``town``, only
    that town's slice is written (``dispatch-YYYY-Www/<town>/``) and nothing is stored (see
    :mod:`reports.dispatch_slice`); UsageError for a town that is not known.
    """
    from reports.dispatch_docx import write_dispatch_docx
    from reports.dispatch_xlsx import write_dispatch_xlsx

    if town is not None:
        from reports.dispatch_slice import run_town_slices

        return run_town_slices(session_factory, settings, day, out_dir, [town])[0]
    with session_factory() as session, _no_cyclic_gc():
        dispatch = build_dispatch(session, settings, day)
        folder = Path(out_dir) / f"dispatch-{dispatch.week}"
        folder.mkdir(parents=True, exist_ok=True)
        remove_partial_files(folder)  # left by a run that was killed mid-write
        paths = [write_atomically(folder / DISPATCH_XLSX, lambda p: write_dispatch_xlsx(dispatch, p)),
                 write_atomically(folder / DISPATCH_DOCX, lambda p: write_dispatch_docx(dispatch, p))]
        save_snapshot(session, dispatch.week, day, dispatch.snapshot)
        session.commit()
    return DispatchResult(folder=folder, paths=paths, week=dispatch.week, period=dispatch.period,
                          previous_week=dispatch.changes.previous_week if dispatch.changes else None)


@contextmanager
def _no_cyclic_gc() -> Iterator[None]:
    """No cyclic garbage collection during a run: a province's status holds a million objects, and each
    collection pass the pack's own allocations (ORM rows, 600,000 cells) set off walks all of them again
    (a third of the run). The pack makes few cycles; they are collected after. Restored after."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


__all__ = ["DISPATCH_DOCX", "DISPATCH_XLSX", "READABLE", "REPORT_STATES", "Dispatch", "DispatchResult", "TownReporting",
           "build_dispatch", "received_datetime", "run_dispatch"]
