"""The ingest and check pipelines: many files in, one outcome per file; one bad file never stops a batch."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from etl.extract import parse_file
from etl.load import FileOutcome, LoadOptions, load_parsed, sha256_of
from etl.model import ParsedFile
from etl.read import ReadLimits
from etl.resolve import resolve_identity
from monitor import queries as q
from monitor.errors import DatabaseError
from monitor.findings import Finding
from monitor.settings import Settings

log = logging.getLogger(__name__)

SUFFIXES = {".xlsx", ".xlsm", ".xls", ".csv"}


@dataclass
class IngestOptions:
    period: str | None = None
    town: str | None = None
    received_at: datetime | None = None


@dataclass
class FileResult:
    """One file's outcome, with what the problem list needs (bytes and the parsed grids)."""

    path: Path
    outcome: FileOutcome
    data: bytes = b""
    parsed: ParsedFile | None = None


@dataclass
class BatchReport:
    results: list[FileResult] = field(default_factory=list)

    @property
    def has_errors(self) -> bool:
        return any(r.outcome.errors for r in self.results)


def collect_paths(paths: Iterable[Path]) -> list[Path]:
    """Files as given; folders searched recursively for spreadsheets (Office lock files ``~$`` skipped)."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES
                                and not p.name.startswith(("~$", ".~"))))
        else:
            found.append(path)
    return found


def _limits(settings: Settings) -> ReadLimits:
    return ReadLimits(max_file_bytes=settings["ingest.max_file_mb"] * 1024 * 1024,
                      max_uncompressed_bytes=settings["ingest.max_uncompressed_mb"] * 1024 * 1024,
                      max_rows=settings["ingest.max_rows"])


def parse_path(path: Path, settings: Settings, options: IngestOptions) -> tuple[bytes, ParsedFile]:
    """Read and parse one file; a file too big is refused before it is read whole."""
    limits = _limits(settings)
    size = path.stat().st_size
    if size > limits.max_file_bytes:
        parsed = ParsedFile(path.name, kind="unreadable")
        parsed.findings.append(Finding("file-too-large", f"文件大小{size / 1048576:.1f}MB超过上限"
                                       f"{settings['ingest.max_file_mb']}MB，请删除无关工作表后再报送",
                                       file=path.name))
        return b"", parsed
    data = path.read_bytes()
    default_year = int(options.period[:4]) if options.period else None
    parsed = parse_file(data, path.name, limits=limits, default_year=default_year)
    _fill_labels(parsed)
    return data, parsed


def _fill_labels(parsed: ParsedFile) -> None:
    """Make sure each row knows the header label of each field (for findings made later)."""
    by_field = {f: label for label, f in parsed.header_map.items()}
    for row in parsed.rows:
        for name in row.columns:
            row.labels.setdefault(name, by_field.get(name, name))


def check_paths(paths: Sequence[Path], settings: Settings, options: IngestOptions,
                progress: Callable[[Path], None] | None = None) -> BatchReport:
    """Read and judge files exactly as ingest does, storing nothing."""
    report = BatchReport()
    for path in collect_paths(paths):
        try:
            data, parsed = parse_path(path, settings, options)
            ident = resolve_identity(parsed, town=options.town, period=options.period,
                                     expected_towns=settings.expected_towns)
            outcome = FileOutcome(path.name, "checked", sha256_of(data), None, ident.town, ident.period,
                                  len(parsed.accepted_rows), len(parsed.rejected_rows),
                                  findings=[*parsed.findings, *ident.findings,
                                            *(f for r in parsed.rows for f in r.findings)])
            report.results.append(FileResult(path, outcome, data, parsed))
        except Exception as exc:  # the per-file boundary: one file never stops a batch
            report.results.append(_internal_failure(path, exc))
        if progress:
            progress(path)
    return report


def ingest_paths(factory: sessionmaker[Session], paths: Sequence[Path], settings: Settings,
                 options: IngestOptions, progress: Callable[[Path], None] | None = None) -> BatchReport:
    """Ingest files one transaction each; anything unexpected becomes a rejected-file finding."""
    report = BatchReport()
    load_options = LoadOptions(received_at=options.received_at, district=settings["district.name"],
                               candidate_score=settings["identity.candidate_score"])
    for path in collect_paths(paths):
        result = _ingest_one(factory, path, settings, options, load_options)
        report.results.append(result)
        if progress:
            progress(path)
    return report


def _ingest_one(factory: sessionmaker[Session], path: Path, settings: Settings, options: IngestOptions,
                load_options: LoadOptions) -> FileResult:
    data, parsed = b"", None
    try:
        data, parsed = parse_path(path, settings, options)
        ident = resolve_identity(parsed, town=options.town, period=options.period,
                                 expected_towns=settings.expected_towns)
        with factory.begin() as session:
            outcome = load_parsed(session, parsed, data, ident, load_options)
        return FileResult(path, outcome, data, parsed)
    except OperationalError as exc:  # the database, not the file: stop with one clear line
        raise DatabaseError(f"database error while loading {path.name}: {exc.orig}") from exc
    except Exception as exc:  # the per-file boundary; the transaction above rolled back
        result = _internal_failure(path, exc, data, parsed)
        _record_failure(factory, path, data, result, load_options)
        return result


def _internal_failure(path: Path, exc: Exception, data: bytes = b"",
                      parsed: ParsedFile | None = None) -> FileResult:
    log.exception("unexpected failure on %s", path)
    finding = Finding("internal-error", f"处理文件时发生程序错误（{type(exc).__name__}: {exc}），"
                      "该文件未导入任何数据；请将文件转交系统管理员", file=path.name)
    return FileResult(path, FileOutcome(path.name, "rejected", findings=[finding]), data, parsed)


def _record_failure(factory: sessionmaker[Session], path: Path, data: bytes, result: FileResult,
                    load_options: LoadOptions) -> None:
    """Keep the bytes and a rejected submission, so the failure is on record and nothing is lost."""
    from etl.load import dedupe_key, store_file
    from monitor.schema import FindingRow, Submission

    try:
        with factory.begin() as session:
            sha = sha256_of(data)
            store_file(session, data, sha, path.name)
            key = dedupe_key(sha, None, None) + f"|failed:{q.now().isoformat()}"
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
