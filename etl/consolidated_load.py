"""Loading a consolidated workbook's parts: each town-month like a town's own file, in the file's transaction."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from sqlalchemy import select
from sqlalchemy.orm import Session

from etl.consolidated import LEDGER_SOURCE, Ledger
from etl.load import FileOutcome, LoadOptions, load_parsed, sha256_of
from etl.model import ParsedFile
from etl.resolve import TOWN_DOUBT, Identity, check_new_town, resolve_identity
from monitor import queries as q
from monitor.findings import Finding
from monitor.schema import Submission, Town


def load_ledger(session: Session, ledger: Ledger, data: bytes, *, expected_towns: Sequence[str],
                options: LoadOptions) -> list[FileOutcome]:
    """One outcome per town-month part (and one for what fits in none), all in the caller's transaction.

    Receipt: ``options.received_at`` when given, else unknown (NULL) — a backfilled month is neither on
    time nor late. A town's own file for the same month wins: the part is then left out (``skipped``).
    A town name that is unknown, or close to a known one, rejects its part and makes no town; the finding
    points at the cell naming it. Warnings about the whole workbook go with the first part loaded.
    """
    sha = sha256_of(data)
    outcomes: list[FileOutcome] = []
    checks = list(ledger.checks)
    # a bare 磷溪 beside 磷溪镇 in the same workbook is a slip even when neither is known yet
    named = [t for t in dict.fromkeys(p.town for p in ledger.parts if p.town) if t.endswith(("镇", "街道", "乡"))]
    for part in ledger.parts:
        ident = resolve_identity(part, town=None, period=None, expected_towns=expected_towns)
        ident = check_new_town(session, ident, part.file_name, options.candidate_score, also=named)
        part.findings = _in_part(part.findings, part)
        ident.findings = _at_town_cell(_in_part(ident.findings, part), ledger, part)
        own = own_file(session, ident, sha)
        if own is not None:
            skipped = FileOutcome(part.file_name, "skipped", sha, None, ident.town, ident.period)
            skipped.notes.append(f"{ident.town} {ident.period} not loaded: the town's own file is in force "
                                 f"(#{own.id} {own.file_name})")
            outcomes.append(skipped)
            continue
        part.findings, checks = [*part.findings, *checks], []
        outcomes.append(_unknown_receipt(session, load_parsed(session, part, data, ident, options), options))
    if ledger.leftover is not None:
        ledger.leftover.findings, checks = [*ledger.leftover.findings, *checks], []
        outcome = load_parsed(session, ledger.leftover, data, Identity(None, None, []), options)
        outcomes.append(_unknown_receipt(session, outcome, options))
    outcomes[0].notes[:0] = ledger.notes
    outcomes[0].findings.extend(checks)  # every part skipped: still said, though stored with none
    return outcomes


def _at_town_cell(findings: list[Finding], ledger: Ledger, part: ParsedFile) -> list[Finding]:
    """A finding about the part's town marks the cell that names it, and says that the month's rows of the
    town were not loaded."""
    cell = ledger.town_cells.get((part.sheet or "", part.town or ""))
    if cell is None:
        return findings
    return [replace(f, row=cell.row, col=cell.col, column=cell.column, raw=cell.raw,
                    message=f"{f.message}（该镇街本月{len(part.rows)}个项目行未导入）")
            if f.code in TOWN_DOUBT and f.row is None else f for f in findings]


def _in_part(findings: list[Finding], part: ParsedFile) -> list[Finding]:
    """A finding about a whole part (no row) says which town and month of the 汇总台账 it is about."""
    period = f"{part.period[:4]}年{int(part.period[5:])}月" if part.period else ""
    where = f"【{part.town or ''}{period}】"
    return [f if f.row is not None else replace(f, sheet=f.sheet or part.sheet, message=where + f.message)
            for f in findings]


def own_file(session: Session, ident: Identity, sha: str) -> Submission | None:
    """The town's own file in force for the part's month (not a part of this or another 汇总台账), if any."""
    if ident.town is None or ident.period is None:
        return None
    town_id = session.scalar(select(Town.id).where(Town.name == ident.town))
    current = q.current_submission(session, town_id, ident.period) if town_id is not None else None
    if current is None or current.sha256 == sha or (current.town_source or "").startswith(LEDGER_SOURCE):
        return None
    return current


def _unknown_receipt(session: Session, outcome: FileOutcome, options: LoadOptions) -> FileOutcome:
    """Without --received the month's receipt is unknown (the loader stamps "now" by default)."""
    if options.received_at is None and outcome.outcome != "duplicate" and outcome.submission_id is not None:
        sub = session.get(Submission, outcome.submission_id)
        if sub is not None:
            sub.received_at = None
            session.flush()
    return outcome
