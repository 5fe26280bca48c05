"""From a parsed file to the database, in the caller's one transaction: submission, projects, rows, findings."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from etl.identity import ProjectResolver
from etl.model import ParsedFile, ParsedRow
from etl.resolve import TOWN_DOUBT, Identity, check_new_town, clerk_notes
from monitor import queries as q
from monitor.findings import Finding, FindingCounts
from monitor.schema import Allocation, FindingRow, Project, ReportRow, StoredFile, Submission


@dataclass
class LoadOptions:
    received_at: datetime | None = None
    district: str = ""
    candidate_score: int = 80


@dataclass
class FileOutcome(FindingCounts):
    """What became of one file: the per-file line of the ingest summary."""

    file_name: str
    outcome: str  # accepted | rejected | duplicate | checked
    sha256: str = ""
    submission_id: int | None = None
    town: str | None = None
    period: str | None = None
    rows_accepted: int = 0
    rows_rejected: int = 0
    superseded_id: int | None = None
    findings: list[Finding] = field(default_factory=list)
    kind: str = "town_report"  # or "register"
    notes: list[str] = field(default_factory=list)  # for the person running the command (English)


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def dedupe_key(sha: str, town: str | None, period: str | None) -> str:
    return f"{sha}|{town or ''}|{period or ''}"


def store_file(session: Session, data: bytes, sha: str, file_name: str) -> None:
    if session.get(StoredFile, sha) is None:
        session.add(StoredFile(sha256=sha, size=len(data), content=data, first_name=file_name,
                               stored_at=q.now()))
        session.flush()


def load_parsed(session: Session, parsed: ParsedFile, data: bytes, identity: Identity,
                options: LoadOptions) -> FileOutcome:
    """Load one file. Same bytes for the same town and period again: nothing changes."""
    sha = sha256_of(data)
    key = dedupe_key(sha, identity.town, identity.period)
    existing = session.scalar(select(Submission).where(Submission.dedupe_key == key))
    if existing is not None and existing.status != "rejected":
        outcome = FileOutcome(parsed.file_name, "duplicate", sha, existing.id, identity.town, identity.period,
                              existing.rows_accepted, existing.rows_rejected)
        if existing.status == "withdrawn":
            outcome.notes.append(f"this file is submission #{existing.id}, withdrawn earlier: "
                                 f"fundmon submissions restore {existing.id} to use it again")
        return outcome
    store_file(session, data, sha, parsed.file_name)
    identity = check_new_town(session, identity, parsed.file_name, options.candidate_score)
    file_findings = [*parsed.findings, *identity.findings]
    doubt = any(f.code in TOWN_DOUBT for f in file_findings)  # a name in doubt never becomes a town
    town = q.get_or_create_town(session, identity.town) if identity.town and not doubt else None
    sub = existing or Submission(dedupe_key=key)
    _fill_submission(sub, parsed, sha, town.id if town else None, identity.period, options)
    if existing is not None:  # a rejected file sent again: judged afresh in the same record
        session.execute(FindingRow.__table__.delete().where(FindingRow.submission_id == existing.id))
    session.add(sub)
    session.flush()
    outcome = FileOutcome(parsed.file_name, "rejected", sha, sub.id, identity.town, identity.period)
    outcome.notes.extend(clerk_notes(file_findings))
    if town is None or identity.period is None or any(f.is_error for f in file_findings):
        return _reject(session, sub, parsed, file_findings, outcome)
    rows = _load_rows(session, sub, parsed, town.id, identity.period, options)
    if not rows:
        return _reject(session, sub, parsed, file_findings, outcome)
    previous = q.current_submission(session, town.id, identity.period)
    sub.status = "accepted"
    if previous is not None and previous.id != sub.id:
        file_findings += _supersede(session, previous, sub, rows, parsed.file_name)
        outcome.superseded_id = previous.id
    return _finish(session, sub, parsed, file_findings, outcome, "accepted")


def _fill_submission(sub: Submission, parsed: ParsedFile, sha: str, town_id: int | None,
                     period: str | None, options: LoadOptions) -> None:
    sub.file_name, sub.sha256, sub.town_id, sub.period = parsed.file_name, sha, town_id, period
    sub.received_at = options.received_at or q.now()
    sub.ingested_at = q.now()
    sub.status, sub.sheet, sub.unit, sub.kind = "rejected", parsed.sheet, parsed.unit, "town_report"
    sub.is_template, sub.town_source, sub.period_source = parsed.is_template, parsed.town_source, \
        parsed.period_source
    sub.header_map = dict(parsed.header_map)


def _reject(session: Session, sub: Submission, parsed: ParsedFile, file_findings: list[Finding],
            outcome: FileOutcome) -> FileOutcome:
    errors = [f for f in file_findings if f.is_error]
    if errors:
        sub.reason = errors[0].message
    elif not parsed.accepted_rows:
        sub.reason = "所有项目行均有错误，未能导入任何数据"
    return _finish(session, sub, parsed, file_findings, outcome, "rejected")


def _finish(session: Session, sub: Submission, parsed: ParsedFile, file_findings: list[Finding],
            outcome: FileOutcome, status: str) -> FileOutcome:
    sub.status = status
    findings = file_findings + [f for row in parsed.rows for f in row.findings]
    sub.rows_accepted = len(parsed.accepted_rows) if status == "accepted" else 0
    sub.rows_rejected = len(parsed.rows) - sub.rows_accepted
    sub.errors = sum(1 for f in findings if f.is_error)
    sub.warnings = sum(1 for f in findings if f.severity == "warning")
    if findings:
        session.execute(insert(FindingRow), [_finding_dict(sub.id, f) for f in findings])
    session.flush()
    outcome.outcome, outcome.findings = status, findings
    outcome.rows_accepted, outcome.rows_rejected = sub.rows_accepted, sub.rows_rejected
    return outcome


def _finding_dict(submission_id: int, f: Finding) -> dict[str, object]:
    return {"submission_id": submission_id, "file_name": f.file, "sheet": f.sheet, "row": f.row,
            "col": f.col, "column": f.column, "raw": f.raw, "code": f.code, "severity": f.severity,
            "message": f.message}


def _load_rows(session: Session, sub: Submission, parsed: ParsedFile, town_id: int, period: str,
               options: LoadOptions) -> list[dict[str, object]]:
    """Resolve each accepted row's project, check it against history, insert the report rows."""
    resolver = ProjectResolver(session, town_id, options.district, options.candidate_score)
    resolved = resolver.resolve_all([r for r in parsed.rows if not r.rejected], parsed.file_name)
    ids = [p.id for p in resolved.values()]
    before, before_year, newest = q.reports_before_each(session, ids, (period, f"{period[:4]}-01", "9999-12"))
    alloc = q.allocation_totals(session, ids)
    allocations = _Allocations(session, sub, ids)
    rows: list[dict[str, object]] = []
    seen: set[tuple[int, int]] = set()
    first_row: dict[int, ParsedRow] = {}
    per_project: dict[int, int] = {}
    for row in (r for r in parsed.rows if not r.rejected):
        per_project[resolved[row.excel_row].id] = per_project.get(resolved[row.excel_row].id, 0) + 1
    for row in (r for r in parsed.rows if not r.rejected):
        project = resolved[row.excel_row]
        fund_year = int(row.values.get("fund_year") or alloc.get(project.id, {}).get("fund_year") or period[:4])
        if (project.id, fund_year) in seen:
            _reject_row(row, "duplicate-project", "project_name",
                        f"项目“{project.name}”在本表中重复填报，请合并为一行", parsed.file_name)
            continue
        if row.values.get("allocated") is None and not _has_money(alloc.get(project.id)):
            _reject_row(row, "missing-allocated", "allocated",
                        "新项目缺少下达资金，请填写下达资金（万元）", parsed.file_name)
            continue
        first_row.setdefault(project.id, row)
        if project.id not in newest or newest[project.id].period <= period:
            _keep_latest_name(project, row)
        by_year = per_project[project.id] > 1  # one row per fund year, else the row is the project's total
        _check_allocation(row, fund_year if by_year else None, alloc.get(project.id), parsed.file_name)
        spent = _spent(row, fund_year, before_year.get(project.id))
        rows.append(_report_dict(sub.id, project.id, row, fund_year, spent))
        seen.add((project.id, fund_year))
        _record_allocation(allocations, sub, project.id, fund_year, row)
    _check_history(rows, first_row, before, parsed.file_name)
    allocations.insert_new()
    if rows:
        session.execute(insert(ReportRow), rows)
    resolver.drop_unused({int(r["project_id"]) for r in rows})  # type: ignore[call-overload]
    return rows


def _has_money(totals: dict[str, Any] | None) -> bool:
    """Whether the project already has money on record (from the register or an earlier report)."""
    return any((totals or {}).get(source) for source in ("register", "submission"))


def _keep_latest_name(project: Project, row: ParsedRow) -> None:
    """A project shows the spelling of its newest report (same key, e.g. without the street's name)."""
    name = row.values.get("project_name")
    if name and name != project.name:
        project.name = str(name)


def _reject_row(row: ParsedRow, code: str, field_name: str, message: str, file_name: str) -> None:
    row.rejected = True
    row.findings.append(field_finding(row, code, field_name, message, file_name))


def field_finding(row: ParsedRow, code: str, field_name: str, message: str, file_name: str) -> Finding:
    """A finding on one field's cell of a row, with the label and raw value the file shows."""
    label = row.labels.get(field_name)
    return Finding(code, message, file=file_name, sheet=row.sheet, row=row.excel_row,
                   col=row.columns.get(field_name), column=label,
                   raw=row.raw.get(label) if label else None)


def _spent(row: ParsedRow, fund_year: int, before_year: q.PriorReport | None) -> int:
    """Project-to-date spent; a 本年累计 column gets the same fund year's earlier spending added, never mixed."""
    if row.values.get("spent") is not None:
        return int(row.values["spent"])
    ytd = row.values.get("spent_ytd")
    if ytd is not None:
        return int(ytd) + (before_year.by_year.get(fund_year, 0) if before_year else 0)
    return 0


def _check_history(rows: list[dict[str, object]], first_row: dict[int, ParsedRow],
                   before: dict[int, q.PriorReport], file_name: str) -> None:
    """Cumulative spending is compared project by project (all its fund-year rows summed) with last time."""
    totals: dict[int, int] = {}
    for r in rows:
        pid = int(r["project_id"])  # type: ignore[call-overload]
        totals[pid] = totals.get(pid, 0) + int(r["spent_fen"])  # type: ignore[call-overload]
    for pid, spent in totals.items():
        last = before.get(pid)
        if last is not None and spent < last.spent:
            first_row[pid].findings.append(field_finding(
                first_row[pid], "spent-decreased", "spent",
                f"累计支出{_wan(spent)}万元低于{last.period}报送的{_wan(last.spent)}万元，累计数只能增加，请核实",
                file_name))


def _check_allocation(row: ParsedRow, fund_year: int | None, totals: dict[str, Any] | None,
                      file_name: str) -> None:
    """A town's 下达资金 against the register: per fund year when the file splits the project by year,
    else against the register's total for the project."""
    allocated = row.values.get("allocated")
    by_year = (totals or {}).get("register")
    if allocated is None or not by_year:
        return
    register = by_year.get(fund_year) if fund_year is not None else sum(by_year.values())
    what = f"{fund_year}年度下达资金" if fund_year is not None else "下达资金"
    if register is not None and int(allocated) != register:
        row.findings.append(field_finding(
            row, "allocation-mismatch", "allocated",
            f"{what}{_wan(int(allocated))}万元与项目库{_wan(register)}万元不一致，请核实", file_name))


class _Allocations:
    """The file's projects' allocations, read in one query; new ones are inserted in one batch at the end."""

    def __init__(self, session: Session, sub: Submission, project_ids: list[int]) -> None:
        self.session = session
        self.now = q.now()
        self.current: dict[tuple[int, int], Allocation] = {}
        if project_ids:
            for a in session.scalars(select(Allocation).where(Allocation.project_id.in_(project_ids))
                                     .order_by(Allocation.id)):
                self.current.setdefault((a.project_id, a.fund_year), a)
        other_ids = {a.submission_id for a in self.current.values() if a.submission_id is not None}
        #: the month of each submission an allocation came from (to keep the newest month's figure)
        self.periods: dict[int, str | None] = {sid: per for sid, per in session.execute(
            select(Submission.id, Submission.period).where(Submission.id.in_(other_ids)))} if other_ids else {}
        self.new: list[dict[str, object]] = []

    def is_newer(self, sub: Submission, other_id: int | None) -> bool:
        """Whether ``sub`` is of the same month as the allocation's submission or later (or that one is gone)."""
        if other_id is None or other_id not in self.periods:
            return True
        return (sub.period or "") >= (self.periods[other_id] or "")

    def insert_new(self) -> None:
        if self.new:
            self.session.execute(insert(Allocation), self.new)
            self.new = []


def _record_allocation(allocations: _Allocations, sub: Submission, project_id: int, fund_year: int,
                       row: ParsedRow) -> None:
    """A town's 下达资金 is the project's allocation for that fund year, unless the register has one."""
    allocated = row.values.get("allocated")
    if allocated is None:
        return
    current = allocations.current.get((project_id, fund_year))
    if current is None:
        allocations.new.append({"project_id": project_id, "fund_year": fund_year, "amount_fen": int(allocated),
                                "source": "submission", "submission_id": sub.id, "created_at": allocations.now})
    elif current.source == "submission" and allocations.is_newer(sub, current.submission_id):
        current.amount_fen, current.submission_id = int(allocated), sub.id


def _supersede(session: Session, previous: Submission, sub: Submission, rows: list[dict[str, object]],
               file_name: str) -> list[Finding]:
    previous.status, previous.superseded_by_id = "superseded", sub.id
    missing = q.report_project_ids(session, previous.id) - {int(r["project_id"]) for r in rows}  # type: ignore[call-overload]
    findings = []
    for pid in sorted(missing):
        project = session.get(Project, pid)
        findings.append(Finding(
            "project-missing",
            f"更正后的报表缺少此前报送的项目“{project.name if project else pid}”，该项目沿用上次报送数据，"
            "如项目已取消请在项目状态中注明",
            file=file_name))
    return findings


def _report_dict(submission_id: int, project_id: int, row: ParsedRow, fund_year: int,
                 spent: int) -> dict[str, object]:
    v = row.values
    return {
        "submission_id": submission_id, "project_id": project_id, "sheet": row.sheet,
        "excel_row": row.excel_row, "fund_year": fund_year, "allocated_fen": v.get("allocated"),
        "requested_fen": v.get("requested"), "disbursed_fen": v.get("disbursed"), "spent_fen": spent,
        "spent_ytd_fen": v.get("spent_ytd"), "progress_bp": _bp(v.get("progress")),
        "reported_rate_bp": _bp(v.get("spend_rate")), "status": v.get("status"),
        "village": v.get("village"), "category": v.get("category"),
        "planned_start": v.get("planned_start"), "planned_end": v.get("planned_end"),
        "issues": v.get("issues"), "remarks": v.get("remarks"), "raw": dict(row.raw),
    }


def _bp(value: object) -> int | None:
    from decimal import ROUND_HALF_UP, Decimal

    if value is None:
        return None
    return int((Decimal(str(value)) * 10000).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _wan(fen: int) -> str:
    return f"{fen / 1_000_000:,.2f}"
