"""Submission templates: one workbook per town for the coming monthly report, pre-filled from the database.

The builder returns data (:func:`build_template`); :mod:`reports.template_sheet` writes it. Each project row
mirrors the project's latest report before the template's month — one row per fund year when the town split
the project that way — so a template filled in and sent back loads exactly like the town's own last report.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, sessionmaker

from monitor.errors import UsageError
from monitor.periods import add_months, split_period
from monitor.rules.text import month_cn
from monitor.schema import Allocation, Project, ReportRow, Submission, Town
from monitor.settings import Settings
from monitor.status import due_date, periods_with_data, today

#: the data sheet, the instructions sheet and the hidden sheet that marks fundmon's own template
DATA_SHEET = "项目进度"
HELP_SHEET = "填表说明"
MARK_SHEET = "_fundmon"
TEMPLATE_MARK = "fundmon-template"
#: blank, unlocked rows under the projects for projects new this month
NEW_ROWS = 10


@dataclass(frozen=True)
class TemplateRow:
    """One pre-filled project row; money in 分, the 上月 figures from the latest report before the month."""

    project_name: str
    project_code: str | None = None
    village: str | None = None
    category: str | None = None
    owner: str | None = None
    fund_year: int | None = None
    allocated: int | None = None
    last_requested: int | None = None
    last_disbursed: int | None = None
    last_spent: int | None = None
    last_period: str | None = None
    status: str | None = None
    planned_start: date | None = None
    planned_end: date | None = None


@dataclass(frozen=True)
class TownTemplate:
    """What one town's workbook says: whose it is, for which month, when it is due, and its projects."""

    town: str
    period: str
    due: date
    district: str
    bureau: str
    generated: date
    rows: list[TemplateRow] = field(default_factory=list)
    new_rows: int = NEW_ROWS


def month_words(period: str) -> str:
    """2023-11 → 2023年11月."""
    return month_cn(period)


def template_name(town: str, period: str) -> str:
    """``官塘镇_2023年11月_项目进度月报.xlsx``: town and month in the name, as the ETL reads file names."""
    from reports.files import safe_file_name

    return f"{safe_file_name(town)}_{month_words(period)}_项目进度月报.xlsx"


def template_period(session: Session, as_of: date) -> str:
    """The coming report: the later of the month just ended on ``as_of`` and the month after the latest
    month with data (so on 10 November, with October in, the towns are sent November's template)."""
    just_ended = add_months(f"{as_of.year:04d}-{as_of.month:02d}", -1)
    periods = periods_with_data(session)
    after_latest = add_months(periods[-1], 1) if periods else just_ended
    return max(just_ended, after_latest)


def template_towns(session: Session, settings: Settings, town: str | None = None) -> list[str]:
    """The expected towns of the settings, else every town in the database; ``town`` must be one of them."""
    known = settings.expected_towns or list(session.scalars(select(Town.name).order_by(Town.id)))
    if town is None:
        if not known:
            raise UsageError("no towns known: set towns.expected in fundmon.toml or ingest a town's file first")
        return known
    if town not in known:
        raise UsageError(f"unknown town {town!r} (known: {'、'.join(known) or 'none'})")
    return [town]


def build_template(session: Session, settings: Settings, town: str, period: str,
                   generated: date | None = None) -> TownTemplate:
    """One town's template for ``period``: its projects with last month's cumulative figures."""
    return TownTemplate(town=town, period=period, due=due_date(period, settings),
                        district=settings["district.name"], bureau=settings["district.bureau"],
                        generated=generated or today(), rows=town_rows(session, town, period))


def town_rows(session: Session, town: str, period: str) -> list[TemplateRow]:
    """Every live project of the town, in the order of the town's latest report, register-only ones last."""
    town_id = session.scalar(select(Town.id).where(Town.name == town))
    if town_id is None:
        return []
    projects = {p.id: p for p in session.scalars(select(Project).where(Project.town_id == town_id))}
    reports = _reports(session, list(projects))
    register = _register(session, list(projects))
    keyed: list[tuple[tuple[object, ...], list[TemplateRow]]] = []
    for pid, project in projects.items():
        before = [r for r in reports.get(pid, []) if r[0] < period]
        shape = before[-1] if before else (reports[pid][-1] if pid in reports else None)
        if shape is None and pid not in register:
            continue  # only a withdrawn file ever named it
        rows = _project_rows(project, shape, shape if before else None, register.get(pid, {}))
        order = (0, _desc(shape[0]), shape[2][0].excel_row) if shape else (1, "", 0)
        keyed.append(((*order, project.code or "", project.name), rows))
    return [row for _, rows in sorted(keyed, key=lambda k: k[0]) for row in rows]


def _desc(period: str) -> str:
    """A sort key that puts later months first."""
    year, month = split_period(period)
    return f"{9999 - year:04d}-{99 - month:02d}"


Report = tuple[str, int, list[ReportRow]]  # (period, submission id, that file's rows of the project)


def _reports(session: Session, project_ids: Sequence[int]) -> dict[int, list[Report]]:
    """Per project, its accepted reports in month order, each with that file's rows of the project."""
    found: dict[int, list[Report]] = defaultdict(list)
    for start in range(0, len(project_ids), 500):
        chunk = list(project_ids[start:start + 500])
        stmt = (select(ReportRow, Submission.period, Submission.id)
                .join(Submission, Submission.id == ReportRow.submission_id)
                .where(ReportRow.project_id.in_(chunk), Submission.status == "accepted",
                       Submission.kind == "town_report", Submission.period.is_not(None))
                .order_by(Submission.period, Submission.id, ReportRow.excel_row))
        for row, per, sub_id in session.execute(stmt):
            reports = found[row.project_id]
            if reports and reports[-1][1] == sub_id:
                reports[-1][2].append(row)
            else:
                reports.append((per, sub_id, [row]))
    return found


def _register(session: Session, project_ids: Sequence[int]) -> dict[int, dict[int, int]]:
    """Per project, the register's (项目库) 分 by fund year, leaving out withdrawn registers."""
    found: dict[int, dict[int, int]] = defaultdict(dict)
    for start in range(0, len(project_ids), 500):
        chunk = list(project_ids[start:start + 500])
        stmt = (select(Allocation).outerjoin(Submission, Submission.id == Allocation.submission_id)
                .where(Allocation.project_id.in_(chunk), Allocation.source == "register",
                       or_(Submission.id.is_(None), Submission.status != "withdrawn")))
        for a in session.scalars(stmt):
            years = found[a.project_id]
            years[a.fund_year] = years.get(a.fund_year, 0) + a.amount_fen
    return found


def _project_rows(project: Project, shape: Report | None, reference: Report | None,
                  register: dict[int, int]) -> list[TemplateRow]:
    """The project's rows: as its latest report split them; the register's money where it has some."""
    common = {"project_name": project.name, "project_code": project.code, "owner": project.owner}
    if shape is None:  # in the register, never reported yet
        return [TemplateRow(**common, village=project.village, category=project.category,
                            fund_year=min(register), allocated=sum(register.values()),
                            planned_start=project.planned_start, planned_end=project.planned_end)]
    rows = shape[2]
    out = []
    for row in rows:
        if register and len(rows) == 1:
            allocated: int | None = sum(register.values())
        else:
            allocated = register.get(row.fund_year, row.allocated_fen) if row.fund_year is not None \
                else row.allocated_fen
        out.append(TemplateRow(
            **common, village=project.village or row.village, category=project.category or row.category,
            fund_year=row.fund_year, allocated=allocated,
            last_requested=row.requested_fen if reference else None,
            last_disbursed=row.disbursed_fen if reference else None,
            last_spent=row.spent_fen if reference else None,
            last_period=reference[0] if reference else None, status=row.status,
            planned_start=project.planned_start or row.planned_start,
            planned_end=project.planned_end or row.planned_end))
    return out


def run_templates(session_factory: sessionmaker[Session], settings: Settings, period: str | None,
                  town: str | None, out_dir: Path, *, as_of: date | None = None) -> list[Path]:
    """Write one template per town (or only ``town``) into ``out_dir/templates-YYYY-MM/``; returns the paths.

    ``period`` defaults to :func:`template_period` as of ``as_of`` (default today); an unknown ``town`` is a
    UsageError. Each file is written atomically, so a rerun replaces the month's templates cleanly.
    """
    from reports.files import write_atomically
    from reports.template_sheet import write_template_xlsx

    as_of = as_of or today()
    with session_factory() as session:
        towns = template_towns(session, settings, town)
        period = period or template_period(session, as_of)
        templates = [build_template(session, settings, name, period, as_of) for name in towns]
    folder = Path(out_dir) / f"templates-{period}"
    folder.mkdir(parents=True, exist_ok=True)
    return [write_atomically(folder / template_name(t.town, t.period),
                             lambda p, t=t: write_template_xlsx(t, p))  # type: ignore[misc]
            for t in templates]
