"""A parsed register into the database: its lines replace the listed projects' register allocations.

A register is the new truth for every project it lists: that project's earlier ``source="register"``
allocations are deleted and the register's lines inserted. Projects it does not list keep their earlier
register allocations, because a register may be partial (one town, one batch). The register also overwrites
a listed project's descriptive fields (village, category, owner, planned dates) where it gives a value —
never its name or name key, which stay as identity left them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from etl.register import RegisterFile, RegisterLine
from etl.resolve import nearest_town
from monitor import queries as q
from monitor.findings import Finding, FindingCounts
from monitor.names import canonical_town, name_key, place_prefixes
from monitor.schema import Allocation, Project

if TYPE_CHECKING:
    from etl.load import FileOutcome

#: what a register may say about a project beyond its money
DESCRIPTIVE_FIELDS = ("village", "category", "owner", "planned_start", "planned_end")


@dataclass
class RegisterOutcome(FindingCounts):
    """Counts of one register load, and every finding (the parser's and the loader's)."""

    projects_created: int = 0
    #: existing projects the register listed (their register allocations were replaced)
    projects_updated: int = 0
    allocations_written: int = 0
    rows_rejected: int = 0
    findings: list[Finding] = field(default_factory=list)


def load_register(session: Session, register: RegisterFile, submission_id: int, *, district: str,
                  expected_towns: Sequence[str]) -> RegisterOutcome:
    """Write a register's allocations inside the caller's transaction (flushes, never commits)."""
    outcome = RegisterOutcome(rows_rejected=register.rows_rejected, findings=list(register.findings))
    lines, unknown = split_by_town(register, expected_towns)
    outcome.findings.extend(unknown)
    outcome.rows_rejected += len(unknown)
    towns = {name: q.get_or_create_town(session, name).id for name in dict.fromkeys(ln.town for ln in lines)}
    matcher = ProjectMatcher(session, district, [ln.project_code for ln in lines if ln.project_code])
    placed: dict[int, list[RegisterLine]] = {}
    for line in lines:
        project = matcher.match(line, towns[line.town], register, outcome)
        if project is not None:
            placed.setdefault(project.id, []).append(line)
    outcome.projects_created = len(matcher.created & placed.keys())
    outcome.projects_updated = len(placed.keys() - matcher.created)
    outcome.allocations_written = _replace_allocations(session, placed, submission_id)
    return outcome


def split_by_town(register: RegisterFile,
                  expected_towns: Sequence[str]) -> tuple[list[RegisterLine], list[Finding]]:
    """Lines of known towns, and an error for each other line that suggests the nearest known name.

    Pure (no database), so ``fundmon check`` can show the same findings; without a town list all lines pass.
    """
    expected = [canonical_town(t) for t in expected_towns]
    if not expected:
        return list(register.lines), []
    kept, found = [], []
    for line in register.lines:
        if line.town in expected:
            kept.append(line)
            continue
        hint = nearest_town(line.town, expected)
        tip = f"是否应为“{hint}”？" if hint else f"已知镇街：{'、'.join(expected)}。"
        found.append(_line_finding(register, line, "unknown-town", "town",
                                   f"镇街“{line.town}”不在镇街名单中，{tip}该行未导入"))
    return kept, found


def _line_finding(register: RegisterFile, line: RegisterLine, code: str, name: str, message: str) -> Finding:
    label = line.labels.get(name)
    return Finding(code, message, file=register.file_name, sheet=register.sheet, row=line.excel_row,
                   col=line.columns.get(name), column=label, raw=line.raw.get(label) if label else None)


class ProjectMatcher:
    """Finds a line's project by code, else by town + name key (or a confirmed alias), else creates it."""

    def __init__(self, session: Session, district: str, codes: list[str]) -> None:
        self.session = session
        self.places = place_prefixes(district, q.town_names(session))
        self.by_code = q.projects_by_code(session, codes)
        self.by_key: dict[tuple[int, str], Project] = {}
        self.aliases: dict[int, dict[str, int]] = {}
        self.created: set[int] = set()

    def match(self, line: RegisterLine, town_id: int, register: RegisterFile,
              outcome: RegisterOutcome) -> Project | None:
        """The line's project with the register's descriptive values applied; None on a code conflict."""
        code = line.project_code
        if code and code in self.by_code:
            project = self.by_code[code]
            if project.town_id != town_id:
                outcome.findings.append(_line_finding(
                    register, line, "code-conflict", "project_code",
                    f"项目编号“{code}”在系统中是其他镇街的项目“{project.name}”，与本行镇街“{line.town}”不符："
                    "请核对项目编号或镇街，该行未导入"))
                outcome.rows_rejected += 1
                return None
            return _overwrite(project, line)
        key = name_key(line.project_name, self.places) or name_key(line.project_name)
        known = self._by_name(town_id, key)
        if known is not None and (not code or known.code is None):
            if code:  # the register is where codes come from: a town's uncoded project gets its code
                known.code = code
                self.by_code[code] = known
            return _overwrite(known, line)
        return self._create(line, town_id, key)

    def _by_name(self, town_id: int, key: str) -> Project | None:
        if town_id not in self.aliases:
            self.aliases[town_id] = q.town_aliases(self.session, town_id)
            for project in q.town_projects(self.session, town_id):
                self.by_key.setdefault((town_id, project.name_key), project)
        alias = self.aliases[town_id].get(key)
        if alias is not None:
            return self.session.get(Project, alias)
        return self.by_key.get((town_id, key))

    def _create(self, line: RegisterLine, town_id: int, key: str) -> Project:
        project = Project(code=line.project_code, town_id=town_id, name=line.project_name, name_key=key,
                          created_at=q.now())
        _overwrite(project, line)
        self.session.add(project)
        self.session.flush()
        self.created.add(project.id)
        self.by_key.setdefault((town_id, key), project)
        if line.project_code:
            self.by_code[line.project_code] = project
        return project


def _overwrite(project: Project, line: RegisterLine) -> Project:
    """The register is authoritative for what it states; a blank register cell erases nothing."""
    for attr in DESCRIPTIVE_FIELDS:
        value = getattr(line, attr)
        if value is not None:
            setattr(project, attr, value)
    return project


def _replace_allocations(session: Session, placed: dict[int, list[RegisterLine]], submission_id: int) -> int:
    """Delete the listed projects' register allocations, insert the register's lines; returns rows written."""
    if not placed:
        return 0
    session.execute(delete(Allocation).where(Allocation.project_id.in_(list(placed)),
                                             Allocation.source == "register"))
    now = q.now()
    rows = [{"project_id": pid, "fund_year": ln.fund_year, "batch": ln.batch, "level": ln.level,
             "doc_no": ln.doc_no, "amount_fen": ln.amount_fen, "source": "register",
             "submission_id": submission_id, "created_at": now}
            for pid, lines in placed.items() for ln in lines]
    session.execute(insert(Allocation), rows)
    session.flush()
    return len(rows)


def load_register_file(session: Session, register: RegisterFile, data: bytes, *, district: str,
                       expected_towns: Sequence[str], received_at: datetime | None) -> FileOutcome:
    """A register as a submission of its own (kind "register"): the same bytes twice change nothing."""
    from etl.load import FileOutcome, dedupe_key, sha256_of, store_file
    from monitor.schema import FindingRow, Submission

    sha = sha256_of(data)
    key = dedupe_key(sha, None, None) + "|register"
    existing = session.scalar(select(Submission).where(Submission.dedupe_key == key))
    if existing is not None and existing.status != "rejected":
        return FileOutcome(register.file_name, "duplicate", sha, existing.id, rows_accepted=existing.rows_accepted,
                           rows_rejected=existing.rows_rejected, kind="register")
    store_file(session, data, sha, register.file_name)
    sub = existing or Submission(dedupe_key=key)  # a rejected register sent again is judged afresh in place
    if existing is not None:
        session.execute(delete(FindingRow).where(FindingRow.submission_id == existing.id))
    sub.file_name, sub.sha256, sub.kind, sub.status = register.file_name, sha, "register", "accepted"
    sub.received_at, sub.ingested_at = received_at or q.now(), q.now()
    sub.sheet, sub.unit, sub.reason = register.sheet, register.unit, None
    session.add(sub)
    session.flush()
    result = load_register(session, register, sub.id, district=district, expected_towns=expected_towns)
    written = result.allocations_written
    sub.status = "accepted" if written else "rejected"
    sub.rows_accepted, sub.rows_rejected = (len(register.lines) - result.rows_rejected + register.rows_rejected,
                                            result.rows_rejected)
    sub.errors, sub.warnings = result.errors, result.warnings
    if not written:
        sub.reason = next((f.message for f in result.findings if f.is_error), "项目库中没有可导入的资金下达行")
    if result.findings:
        session.execute(insert(FindingRow), [
            {"submission_id": sub.id, "file_name": f.file or register.file_name, "sheet": f.sheet, "row": f.row,
             "col": f.col, "column": f.column, "raw": f.raw, "code": f.code, "severity": f.severity,
             "message": f.message} for f in result.findings])
    session.flush()
    return FileOutcome(register.file_name, sub.status, sha, sub.id, rows_accepted=sub.rows_accepted,
                       rows_rejected=sub.rows_rejected, findings=list(result.findings), kind="register")
