"""The ingest and check pipelines: many files in, one outcome per file; one bad file never stops a batch."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from etl import read
from etl.consolidated import Ledger, is_ledger, may_be_ledger, parse_ledger
from etl.extract import parse_grids
from etl.header import HeaderMemo
from etl.load import FileOutcome, LoadOptions, load_parsed, sha256_of
from etl.model import ParsedFile
from etl.parallel import Parse, ParseAhead
from etl.register import RegisterFile, is_register, parse_register
from etl.register_load import load_register_file
from etl.resolve import resolve_identity
from monitor import queries as q
from monitor.db import lock_for_load
from monitor.errors import DatabaseError
from monitor.findings import Finding
from monitor.schema import FindingRow, Submission
from monitor.settings import Settings

log = logging.getLogger(__name__)

SUFFIXES = {".xlsx", ".xlsm", ".xls", ".csv"}
#: fundmon's own outputs, never to be read back as submissions
OUTPUT_MARK = "问题清单"


@dataclass
class IngestOptions:
    period: str | None = None
    town: str | None = None
    received_at: datetime | None = None
    #: ``received_at`` is only when the file reached the inbox: right for a town's own report, but a
    #: consolidated workbook (汇总台账) holds months the towns sent long before — their receipt stays unknown
    arrival_only: bool = False


@dataclass
class FileResult:
    """One file's outcome, with what the problem list needs (bytes and the parsed grids)."""

    path: Path
    outcome: FileOutcome
    data: bytes = b""
    parsed: ParsedFile | RegisterFile | Ledger | None = None


@dataclass
class BatchReport:
    results: list[FileResult] = field(default_factory=list)

    @property
    def has_errors(self) -> bool:
        return any(r.outcome.errors for r in self.results)


def collect_paths(paths: Iterable[Path]) -> list[Path]:
    """Files as given; folders searched recursively for spreadsheets, skipping Office lock files and
    fundmon's own 问题清单 outputs (so an inbox holding them is never read back)."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*") if p.is_file() and _is_input(p, path)))
        else:
            found.append(path)
    return found


def _is_input(path: Path, root: Path) -> bool:
    parts = path.relative_to(root).parts
    return (path.suffix.lower() in SUFFIXES and not path.name.startswith(("~$", ".~"))
            and not path.stem.endswith(OUTPUT_MARK) and OUTPUT_MARK not in parts[:-1])


def _limits(settings: Settings) -> read.ReadLimits:
    return read.ReadLimits(max_file_bytes=settings["ingest.max_file_mb"] * 1024 * 1024,
                           max_uncompressed_bytes=settings["ingest.max_uncompressed_mb"] * 1024 * 1024,
                           max_rows=settings["ingest.max_rows"])


def default_year(options: IngestOptions) -> int:
    """The year for a month-only file name (``10月.xlsx``): the year of the month before it arrived."""
    if options.period:
        return int(options.period[:4])
    arrived = options.received_at.date() if options.received_at else q.now().date()
    return (arrived.replace(day=1) - timedelta(days=1)).year


def parse_path(path: Path, settings: Settings,
               options: IngestOptions) -> tuple[bytes, ParsedFile | RegisterFile | Ledger]:
    """Read and parse one file (a town's report or the bureau's register); oversized files are refused unread."""
    limits = _limits(settings)
    size = path.stat().st_size
    if size > limits.max_file_bytes:
        return b"", _unreadable(path.name, "file-too-large", f"文件大小{size / 1048576:.1f}MB超过上限"
                                f"{settings['ingest.max_file_mb']}MB，请删除无关工作表后再报送")
    data = path.read_bytes()
    return data, parse_bytes(data, path.name, settings, options, ledgers=True)


def parse_bytes(data: bytes, name: str, settings: Settings, options: IngestOptions, *,
                ledgers: bool = False) -> ParsedFile | RegisterFile | Ledger:
    """Parse a file's bytes as ingest does (also used to reload a kept file under a new town or month);
    with ``ledgers``, a consolidated workbook (汇总台账) is split into town-month parts."""
    scan = settings["ingest.header_scan_rows"]
    try:
        grids = read.read_grids(data, name, _limits(settings))
    except read.UnreadableFileError as exc:
        return _unreadable(name, exc.code, exc.reason)
    memo: HeaderMemo = {}  # the register check, the header scan and a second parse read the same rows
    if is_register(grids, name, scan_rows=scan, memo=memo):
        return parse_register(grids, name, scan_rows=scan)
    # a month-only name (10月.xlsx) takes its year from the file's own title first; only when nothing in the
    # file says the year is it guessed from when the file arrived
    parsed = parse_grids(grids, name, default_year=None, header_scan_rows=scan, memo=memo)
    if ledgers and may_be_ledger(parsed) and is_ledger(grids, name, scan_rows=scan):
        return parse_ledger(grids, name, town=options.town, period=options.period,
                            default_year=default_year(options), scan_rows=scan)
    if parsed.period is None and not options.period:
        parsed = parse_grids(grids, name, default_year=default_year(options), header_scan_rows=scan, memo=memo)
    _settle_conflicts(parsed, options)
    _fill_labels(parsed)
    return parsed


def _unreadable(name: str, code: str, reason: str) -> ParsedFile:
    parsed = ParsedFile(name, kind="unreadable")
    parsed.findings.append(Finding(code, reason, file=name))
    return parsed


def _settle_conflicts(parsed: ParsedFile, options: IngestOptions) -> None:
    """A --town/--period given by a person settles what the file's own sources disagree on."""
    settled = {"town-conflict"} if options.town else set()
    settled |= {"period-conflict"} if options.period else set()
    if settled:
        parsed.findings = [f for f in parsed.findings if f.code not in settled]


def _fill_labels(parsed: ParsedFile) -> None:
    """Make sure each row knows the header label of each field (for findings made later)."""
    by_field = {f: label for label, f in parsed.header_map.items()}
    for row in parsed.rows:
        for name in row.columns:
            row.labels.setdefault(name, by_field.get(name, name))


def ingest_paths(factory: sessionmaker[Session], paths: Sequence[Path], settings: Settings,
                 options: IngestOptions, progress: Callable[[Path], None] | None = None) -> BatchReport:
    """Ingest files one transaction each; anything unexpected becomes a rejected-file finding."""
    return _run(factory, paths, settings, options, progress, keep=True)


def check_paths(factory: sessionmaker[Session], paths: Sequence[Path], settings: Settings,
                options: IngestOptions, progress: Callable[[Path], None] | None = None) -> BatchReport:
    """Judge files exactly as ingest would — the same load, in a transaction that is rolled back."""
    report = _run(factory, paths, settings, options, progress, keep=False)
    for result in report.results:
        if result.outcome.outcome == "accepted":
            result.outcome.outcome = "checked"
    return report


def _run(factory: sessionmaker[Session], paths: Sequence[Path], settings: Settings, options: IngestOptions,
         progress: Callable[[Path], None] | None, *, keep: bool) -> BatchReport:
    report = BatchReport()
    load_options = LoadOptions(received_at=options.received_at, district=settings["district.name"],
                               candidate_score=settings["identity.candidate_score"])
    # the next files are parsed by a helper process while this one loads (in order, same results)
    with ParseAhead(collect_paths(paths), settings, options) as files:
        for path, parse in files:
            report.results.extend(_one(factory, path, parse, settings, options, load_options, keep))
            if progress:
                progress(path)
    return report


def _one(factory: sessionmaker[Session], path: Path, parse: Parse, settings: Settings,
         options: IngestOptions, load_options: LoadOptions, keep: bool) -> list[FileResult]:
    """One result per file; a consolidated workbook gives one per town-month part (one transaction still)."""
    data, parsed = b"", None
    try:
        data, parsed = parse()
        with factory() as session:  # autobegins; closing without commit rolls back
            lock_for_load(session)
            outcomes = _load(session, parsed, data, settings, options, load_options)
            for outcome in (o for o in outcomes if o.outcome == "duplicate"):
                outcome.findings = stored_findings(session, outcome.submission_id)
            if keep:
                session.commit()
            else:
                session.rollback()
                for outcome in outcomes:
                    outcome.submission_id = outcome.superseded_id = None
        return [FileResult(path, outcome, data, parsed) for outcome in outcomes]
    except OperationalError as exc:  # the database, not the file: stop with one clear line
        raise DatabaseError(f"database error while loading {path.name}: {' '.join(str(exc.orig).split())}") \
            from exc
    except Exception as exc:  # the per-file boundary; the transaction above rolled back
        result = _internal_failure(path, exc, data, parsed)
        if keep:
            _record_failure(factory, path, data, result, load_options)
        return [result]


def _load(session: Session, parsed: ParsedFile | RegisterFile | Ledger, data: bytes, settings: Settings,
          options: IngestOptions, load_options: LoadOptions) -> list[FileOutcome]:
    if isinstance(parsed, RegisterFile):
        return [load_register_file(session, parsed, data, district=settings["district.name"],
                                   expected_towns=settings.expected_towns, received_at=options.received_at)]
    if isinstance(parsed, Ledger):
        from etl.consolidated_load import load_ledger

        if options.arrival_only:
            load_options = replace(load_options, received_at=None)
        return load_ledger(session, parsed, data, expected_towns=settings.expected_towns, options=load_options)
    ident = resolve_identity(parsed, town=options.town, period=options.period,
                             expected_towns=settings.expected_towns)
    return [load_parsed(session, parsed, data, ident, load_options)]


def stored_findings(session: Session, submission_id: int | None) -> list[Finding]:
    """The findings recorded when a file was first ingested (reported again when it is sent again)."""
    rows = session.scalars(select(FindingRow).where(FindingRow.submission_id == submission_id)
                           .order_by(FindingRow.id))
    return [Finding(r.code, r.message, file=r.file_name, sheet=r.sheet, row=r.row, col=r.col, column=r.column,
                    raw=r.raw, severity=r.severity) for r in rows]  # type: ignore[arg-type]


def _internal_failure(path: Path, exc: Exception, data: bytes = b"",
                      parsed: ParsedFile | RegisterFile | Ledger | None = None) -> FileResult:
    log.exception("unexpected failure on %s", path)
    detail = " ".join(str(exc).split())[:200]
    finding = Finding("internal-error", f"处理文件时发生程序错误（{type(exc).__name__}: {detail}），"
                      "该文件未导入任何数据；请将文件转交系统管理员", file=path.name)
    return FileResult(path, FileOutcome(path.name, "rejected", findings=[finding]), data, parsed)


def _record_failure(factory: sessionmaker[Session], path: Path, data: bytes, result: FileResult,
                    load_options: LoadOptions) -> None:
    """Keep the bytes and a rejected submission, so the failure is on record and nothing is lost."""
    from etl.load import dedupe_key, store_file

    try:
        with factory.begin() as session:
            sha = sha256_of(data)
            store_file(session, data, sha, path.name)
            key = dedupe_key(sha, None, None) + f"|failed:{uuid.uuid4().hex}"
            sub = Submission(file_name=path.name, sha256=sha, dedupe_key=key, received_at=
                             load_options.received_at or q.now(), ingested_at=q.now(), status="rejected",
                             reason=result.outcome.findings[0].message, errors=1)
            session.add(sub)
            session.flush()
            f = result.outcome.findings[0]
            session.add(FindingRow(submission_id=sub.id, file_name=f.file, code=f.code,
                                   severity=f.severity or "error", message=f.message))
            result.outcome.submission_id, result.outcome.sha256 = sub.id, sha
    except Exception:  # the database itself is failing: the outcome above still reports the file
        log.exception("could not record the failure of %s", path)
