"""Re-assigning a submission to another town or period: reload its kept bytes under the new identity."""

from __future__ import annotations

from sqlalchemy.orm import Session

from etl.load import FileOutcome, LoadOptions, load_parsed
from etl.model import ParsedFile
from etl.pipeline import IngestOptions, parse_bytes
from etl.resolve import resolve_identity
from monitor import queries as q
from monitor.errors import UsageError
from monitor.names import canonical_town
from monitor.schema import StoredFile, Town
from monitor.settings import Settings
from monitor.submissions import get_submission, record, withdraw


def reassign(session: Session, settings: Settings, submission_id: int, *, town: str | None,
             period: str | None, note: str | None = None) -> FileOutcome:
    """The same bytes loaded as (town, period); the old submission is withdrawn; both steps recorded."""
    sub = get_submission(session, submission_id)
    if town is None and period is None:
        raise UsageError("say what to change: --town and/or --period")
    if sub.status == "withdrawn":
        raise UsageError(f"submission #{sub.id} is withdrawn; restore it first")
    stored = session.get(StoredFile, sub.sha256)
    if stored is None:  # pragma: no cover - every submission keeps its bytes
        raise UsageError(f"the original file of submission #{sub.id} is missing")
    old_town = session.get(Town, sub.town_id).name if sub.town_id else None
    new_town = canonical_town(town) if town else old_town
    new_period = period or sub.period
    if (new_town, new_period) == (old_town, sub.period):
        raise UsageError(f"submission #{sub.id} is already {old_town} {sub.period}")
    parsed = parse_bytes(stored.content, sub.file_name, settings,
                         IngestOptions(period=new_period, town=new_town, received_at=sub.received_at))
    if not isinstance(parsed, ParsedFile):
        raise UsageError(f"submission #{sub.id} is a project register; it has no town or month to change")
    ident = resolve_identity(parsed, town=new_town, period=new_period, expected_towns=settings.expected_towns)
    if town is not None and ident.town is not None and not ident.findings:
        _move_own_projects(session, sub.id, q.get_or_create_town(session, ident.town).id)
    options = LoadOptions(received_at=sub.received_at, district=settings["district.name"],
                          candidate_score=settings["identity.candidate_score"])
    outcome = load_parsed(session, parsed, stored.content, ident, options)
    if outcome.outcome == "duplicate":
        raise UsageError(f"this file is already loaded as {new_town} {new_period} (submission "
                         f"#{outcome.submission_id})")
    if outcome.outcome != "accepted":
        raise UsageError(f"submission #{sub.id} cannot be loaded as {new_town} {new_period}: "
                         + "; ".join(f.message for f in outcome.findings if f.is_error)[:300])
    if sub.status != "rejected":
        withdraw(session, sub.id, note=f"reassigned to #{outcome.submission_id}")
    record(session, "reassign", sub, {"town": old_town, "period": sub.period}, note,
           after={"town": new_town, "period": new_period, "submission": outcome.submission_id})
    return outcome


def _move_own_projects(session: Session, submission_id: int, town_id: int) -> None:
    """Projects that exist only because of this file's wrong town go with it to the right town."""
    from sqlalchemy import select

    from monitor.schema import Project, ReportRow

    mine = set(session.scalars(select(ReportRow.project_id).where(ReportRow.submission_id == submission_id)))
    elsewhere = set(session.scalars(select(ReportRow.project_id).where(
        ReportRow.project_id.in_(mine), ReportRow.submission_id != submission_id)))
    for project in session.scalars(select(Project).where(Project.id.in_(mine - elsewhere))):
        project.town_id = town_id
    session.flush()
