"""From the database to the rules' inputs: each project's allocations and monthly reports, up to a period."""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from functools import lru_cache
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from monitor.rules.model import AllocationLine, ProjectInput, Report
from monitor.schema import Allocation, Project, ReportRow, Submission, Town

#: the columns of a report row the rules and the status read (not the raw cells, not the free text)
FIGURES = (ReportRow.id, ReportRow.project_id, ReportRow.fund_year, ReportRow.allocated_fen, ReportRow.requested_fen,
           ReportRow.disbursed_fen, ReportRow.spent_fen, ReportRow.progress_bp, ReportRow.status, ReportRow.village,
           ReportRow.category, ReportRow.planned_start, ReportRow.planned_end)
#: a selected row of FIGURES, read by attribute like the ORM object (``row.spent_fen``)
Figures = Any
#: report rows fetched from the database at a time
STREAM_ROWS = 20_000


@dataclass
class ProjectRecord:
    """A project as the status shows it: the rules' input plus its descriptive fields."""

    project: Project
    input: ProjectInput
    village: str | None
    category: str | None
    last_period: str
    reported_allocated: int | None  # what the latest report's 下达资金 said


def received_by(as_of: date | None) -> datetime | None:
    """The end of the as-of day: a file received later did not exist yet for a report dated then."""
    return None if as_of is None else datetime.combine(as_of + timedelta(days=1), time())


def received_in_time(as_of: date):  # type: ignore[no-untyped-def]
    """SQL: the file had arrived by the end of the as-of day. A file whose arrival is unknown (a month
    backfilled from the clerk's own 汇总台账) counts as always there: it is history the bureau already had."""
    return or_(Submission.received_at.is_(None), Submission.received_at < received_by(as_of))


def versions_in_force(session: Session, period: str, as_of: date | None) -> dict[tuple[int, str], int]:
    """Per (town, month), the submission in force: the accepted one; as of a past day, the newest received
    by then (a correction that came later did not exist yet)."""
    stmt = (select(Submission.id, Submission.town_id, Submission.period, Submission.status,
                   Submission.received_at)
            .where(Submission.status.in_(("accepted", "superseded")), Submission.kind == "town_report",
                   Submission.period <= period))
    if as_of is not None:
        stmt = stmt.where(received_in_time(as_of))
    best: dict[tuple[int, str], tuple[tuple[bool, datetime, int], int]] = {}
    for sub_id, town_id, per, status, received in session.execute(stmt):
        rank = (status == "accepted", received or datetime.min, sub_id)
        key = (town_id, per)
        if key not in best or rank > best[key][0]:
            best[key] = (rank, sub_id)
    return {key: sub_id for key, (_, sub_id) in best.items()}


def load_history(session: Session, period: str, town: str | None = None,
                 project_ids: list[int] | None = None, as_of: date | None = None) -> list[ProjectRecord]:
    """Every project with a report in force at or before ``period`` (optionally one town / some projects).

    Per project and month: the rows of the version in force; when that version left the project out, the
    rows of the newest earlier version of the same month, marked as carried (flagged missing-report).
    """
    done = {pid: _summed(name, months) for pid, name, months in _stream(session, period, town, project_ids, as_of)}
    ids = list(done)
    projects = _projects(session, ids)
    allocations = _allocations(session, ids)
    return [_record(projects[i], *done[i], allocations.get(i, {})) for i in ids]


def load_histories(session: Session, periods: Sequence[str], as_of: date | None = None
                   ) -> Iterator[tuple[str, list[ProjectRecord]]]:
    """:func:`load_history` of each of ``periods`` (oldest first), from one read of the rows up to the latest.

    The version in force of a town's month does not depend on the period judged, so the records of an
    earlier period are the latest period's cut at that month: each project's reports up to it, and the rows
    of its latest month up to it. A review of a province year judges twelve months: one read instead of
    twelve. Each period's records are built only when asked for and can be dropped before the next.
    """
    wanted = sorted(set(periods))
    if not wanted:
        return
    kept: dict[int, tuple[str, list[Report], list[list[Kept]], list[str]]] = {}
    shared: dict[Any, Any] = {}  # one object per distinct village, category and date: a year repeats them
    for pid, name, months in _stream(session, wanted[-1], None, None, as_of):
        ordered = sorted(months.items())
        kept[pid] = (name, [_report(per, rows, not rank[0]) for per, (rank, rows) in ordered],
                     [[_kept(row, shared) for row in rows] for _, (_, rows) in ordered], [per for per, _ in ordered])
    del shared
    ids = list(kept)
    projects = _projects(session, ids)
    allocations = _allocations(session, ids)
    for period in wanted:
        records = []
        for pid in ids:
            name, reports, rows, months = kept[pid]
            upto = bisect_right(months, period)
            if upto:
                records.append(_record(projects[pid], name, reports[:upto], rows[upto - 1], allocations.get(pid, {})))
        yield period, records


@dataclass(frozen=True, slots=True)
class Kept:
    """What :func:`_record` reads of a month's rows, kept for every month of a year (a province's 270k rows
    as database rows took ~200 MB)."""

    allocated_fen: int | None
    fund_year: int | None
    planned_start: date | None
    planned_end: date | None
    village: str | None
    category: str | None


def _kept(row: Figures, shared: dict[Any, Any]) -> Kept:
    return Kept(row.allocated_fen, row.fund_year, shared.setdefault(row.planned_start, row.planned_start),
                shared.setdefault(row.planned_end, row.planned_end), shared.setdefault(row.village, row.village),
                shared.setdefault(row.category, row.category))


def _stream(session: Session, period: str, town: str | None, project_ids: list[int] | None, as_of: date | None
            ) -> Iterator[tuple[int, str, dict[str, tuple[tuple[bool, datetime, int], list[Figures]]]]]:
    """Per project (in id order): its town and, per month at or before ``period``, the rank of the version
    its rows come from and those rows."""
    in_force = versions_in_force(session, period, as_of)
    stmt = (select(*FIGURES, Submission.period, Submission.id, Submission.town_id, Submission.received_at,
                   Town.name)
            .join(Submission, Submission.id == ReportRow.submission_id)
            .join(Town, Town.id == Submission.town_id)
            .where(Submission.status.in_(("accepted", "superseded")), Submission.period <= period)
            .order_by(ReportRow.project_id, Submission.period, ReportRow.id))
    if as_of is not None:
        stmt = stmt.where(received_in_time(as_of))
    if town is not None:
        stmt = stmt.where(Town.name == town)
    if project_ids is not None:
        stmt = stmt.where(ReportRow.project_id.in_(project_ids))
    months: dict[str, tuple[tuple[bool, datetime, int], list[Figures]]] = {}
    pid, town_name = None, ""
    width = len(FIGURES)
    # streamed in project order, each project handed on as soon as its rows are read: a province year is
    # 270k rows
    if session.new or session.dirty or session.deleted:
        session.flush()  # as session.execute would: the rows read include this session's own changes
    # through the connection, as plain rows: the ORM's result processing was ~40% of reading a province year
    for found in session.connection().execute(stmt.execution_options(yield_per=STREAM_ROWS)):
        row, (per, sub_id, town_id, received, name) = found, found[width:]
        force = in_force.get((town_id, per))
        if force is None:
            continue
        if row.project_id != pid:
            if pid is not None:
                yield pid, town_name, months
            pid, months = row.project_id, {}
        rank = (sub_id == force, received or datetime.min, sub_id)
        current = months.get(per)
        if current is None or rank > current[0]:
            months[per] = (rank, [row])
        elif rank == current[0]:
            current[1].append(row)
        town_name = name
    if pid is not None:
        yield pid, town_name, months


def _summed(town: str, months: dict[str, tuple[tuple[bool, datetime, int], list[Figures]]]
            ) -> tuple[str, list[Report], list[Figures]]:
    """A project's town, its report per month (oldest first; carried when not from the version in force),
    and the rows of its latest month."""
    reports = [_report(per, rows, not rank[0]) for per, (rank, rows) in sorted(months.items())]
    return town, reports, months[reports[-1].period][1]


def _projects(session: Session, ids: list[int]) -> dict[int, Project]:
    found: dict[int, Project] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        found.update({p.id: p for p in session.scalars(select(Project).where(Project.id.in_(chunk)))})
    return found


def _allocations(session: Session, ids: list[int]) -> dict[int, dict[str, list[AllocationLine]]]:
    """Per project and source, its allocations; a withdrawn register's allocations no longer count."""
    found: dict[int, dict[str, list[AllocationLine]]] = defaultdict(lambda: defaultdict(list))
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        stmt = (select(Allocation.project_id, Allocation.source, Allocation.fund_year, Allocation.amount_fen,
                       Allocation.batch, Allocation.level, Allocation.doc_no)
                .outerjoin(Submission, Submission.id == Allocation.submission_id)
                .where(Allocation.project_id.in_(chunk),
                       or_(Submission.id.is_(None), Submission.status != "withdrawn"))
                .order_by(Allocation.fund_year, Allocation.id))
        for pid, source, year, amount, batch, level, doc_no in session.execute(stmt):
            found[pid][source].append(AllocationLine(year, amount, batch, level, doc_no))
    return found


def money_as_of(by_source: dict[str, list[AllocationLine]], latest_rows: Sequence[Figures]) -> list[AllocationLine]:
    """A project's money as it stood at the report judged, fund year by fund year.

    Without a register, each fund year takes the 下达资金 the town wrote in that report (so an earlier month
    is judged with the money it had then, and a withdrawn file's figure goes with it); a year the report
    left blank keeps the latest amount a town reported. The register (项目库), when it lists the project,
    is authoritative: a town's single-row total is only checked against it (a warning at ingest); only a
    report broken down into one row per fund year adds the years the register does not list.
    """
    register = by_source.get("register", [])
    years = {line.fund_year for line in register}
    reported: dict[int, int] = {}
    if not register or len(latest_rows) > 1:
        for row in latest_rows:
            if row.allocated_fen is not None and row.fund_year is not None and row.fund_year not in years:
                reported[row.fund_year] = reported.get(row.fund_year, 0) + row.allocated_fen
    lines = list(register) + [AllocationLine(year, amount) for year, amount in reported.items()]
    if not register:
        lines += [line for line in by_source.get("submission", []) if line.fund_year not in reported]
    return sorted(lines, key=lambda line: line.fund_year)


def _sum(values: list[int | None]) -> int | None:
    known = [v for v in values if v is not None]
    return sum(known) if known else None


def _report(period: str, rows: list[Figures], carried: bool) -> Report:
    last = rows[-1]
    progress = None if last.progress_bp is None else _progress(last.progress_bp)
    if len(rows) == 1:  # most months: one row, nothing to add up
        return Report(period, last.spent_fen, last.requested_fen, last.disbursed_fen, progress, last.status, carried)
    return Report(period=period, spent=sum(r.spent_fen for r in rows),
                  requested=_sum([r.requested_fen for r in rows]), disbursed=_sum([r.disbursed_fen for r in rows]),
                  progress=progress, status=last.status, carried=carried)


@lru_cache(maxsize=16384)
def _progress(basis_points: int) -> Decimal:
    return Decimal(basis_points) / 10000


def _record(project: Project, town: str, reports: list[Report], latest_rows: list[Figures],
            by_source: dict[str, list[AllocationLine]]) -> ProjectRecord:
    allocations = money_as_of(by_source, latest_rows)
    latest = latest_rows[-1]
    planned_start = project.planned_start or latest.planned_start
    planned_end = project.planned_end or latest.planned_end
    inp = ProjectInput(project_id=project.id, name=project.name, town=town, allocations=allocations,
                       reports=reports, planned_start=planned_start, planned_end=planned_end)
    return ProjectRecord(project=project, input=inp, village=project.village or latest.village,
                         category=project.category or latest.category, last_period=reports[-1].period,
                         reported_allocated=_sum([r.allocated_fen for r in latest_rows]))
