"""One project's story, month by month: figures, light, flags and why — and where each figure came from."""

from __future__ import annotations

from datetime import date
from typing import Any

from rapidfuzz import fuzz, process
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from monitor.errors import UsageError
from monitor.history import load_history
from monitor.money import fen_to_yuan
from monitor.rules.attribution import attribute
from monitor.rules.engine import evaluate_project
from monitor.schema import Project, ReportRow, Submission, Town
from monitor.settings import Settings
from monitor.status import money, rate4, rule_settings, today


def find_project(session: Session, ref: str) -> Project:
    """A project by id (``#12`` or ``12``), code, or name (the closest name when unambiguous)."""
    text = ref.strip().lstrip("#")
    if text.isdigit() and (found := session.get(Project, int(text))) is not None:
        return found
    exact = list(session.scalars(select(Project).where(or_(Project.code == text, Project.name == text))))
    if len(exact) == 1:
        return exact[0]
    everything = {p.id: p.name for p in session.scalars(select(Project))}
    best = process.extract(text, everything, scorer=fuzz.WRatio, limit=3, score_cutoff=70)
    if len(best) == 1 or (best and best[0][1] - best[1][1] >= 10):
        return session.get(Project, best[0][2])  # type: ignore[return-value]
    if best:
        names = "; ".join(f"#{key} {name}" for name, _, key in best)
        raise UsageError(f"{ref!r} matches several projects: {names} — give the code or #id")
    raise UsageError(f"no project matches {ref!r} (give its code, #id or name; see `fundmon status`)")


def sources(session: Session, project_id: int) -> dict[str, list[str]]:
    """Per period, where its figures came from: file › sheet › Excel row (accepted submissions)."""
    stmt = (select(Submission.period, Submission.id, Submission.file_name, ReportRow.sheet, ReportRow.excel_row)
            .join(Submission, Submission.id == ReportRow.submission_id)
            .where(ReportRow.project_id == project_id, Submission.status == "accepted")
            .order_by(Submission.period, ReportRow.excel_row))
    found: dict[str, list[str]] = {}
    for per, sub_id, name, sheet, row in session.execute(stmt):
        found.setdefault(per, []).append(f"#{sub_id} {name} › {sheet} › 第{row}行")
    return found


def explain_project(session: Session, settings: Settings, ref: str, as_of: date | None = None) -> dict[str, Any]:
    """Every period the project reported in, judged as it stood then."""
    as_of = as_of or today()
    project = find_project(session, ref)
    rules = rule_settings(settings)
    town = session.get(Town, project.town_id)
    latest = load_history(session, "9999-12", project_ids=[project.id])
    if not latest:
        raise UsageError(f"project #{project.id} {project.name} has no accepted report yet")
    record = latest[0]
    where = sources(session, project.id)
    months = []
    for report in record.input.reports:
        history = load_history(session, report.period, project_ids=[project.id])[0]
        v = evaluate_project(history.input, report.period, as_of, rules)
        months.append({
            "period": report.period, "allocated": money(v.allocated), "spent": money(report.spent),
            "requested": money(report.requested), "disbursed": money(report.disbursed),
            "spend_rate": rate4(v.spend_rate), "benchmark": rate4(v.benchmark), "gap": rate4(v.gap),
            "light": v.light, "status": report.status,
            "progress": None if report.progress is None else float(report.progress),
            "flags": [{"code": f.code, "label": f.label, "why": f.explanation} for f in v.flags],
            "reasons": list(v.reasons), "sources": where.get(report.period, []),
        })
    period = record.input.reports[-1].period
    attribution = attribute(record.input.allocations, record.input.reports[-1].spent, period)
    return {
        "project_id": project.id, "project_code": project.code, "project_name": project.name,
        "town": town.name if town else None, "village": record.village, "category": record.category,
        "planned_start": _iso(record.input.planned_start), "planned_end": _iso(record.input.planned_end),
        "thresholds": rules.as_dict(),
        "allocations": [{"fund_year": a.line.fund_year, "batch": a.line.batch, "level": a.line.level,
                         "doc_no": a.line.doc_no, "amount": float(fen_to_yuan(a.line.amount) or 0),
                         "spent": float(fen_to_yuan(a.spent) or 0), "counted": a.counted} for a in attribution],
        "months": months,
    }


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None
