"""The inbox job: take each settled town file from the inbox folder, ingest it, and move it out — to
``processed/YYYY-MM-DD/`` when it was taken in, to ``rejected/`` (with its 问题清单 beside it) when it was
refused. A file is moved only after its load committed: a crash in between leaves it in the inbox, and the
next run finds it already loaded (same bytes) and moves it. Links are never followed out of the inbox."""

from __future__ import annotations

import logging
import os
import shutil
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session, sessionmaker

from etl.pipeline import SUFFIXES, IngestOptions, ingest_paths
from monitor.settings import Settings

log = logging.getLogger(__name__)

#: names a person's tools leave while a file is still being written or opened
PARTIAL_SUFFIXES = {".part", ".tmp", ".crdownload", ".partial", ".download"}


@dataclass
class InboxFolders:
    inbox: Path
    processed: Path
    rejected: Path

    @classmethod
    def from_settings(cls, settings: Settings) -> InboxFolders:
        return cls(Path(settings["schedule.inbox_dir"]), Path(settings["schedule.processed_dir"]),
                   Path(settings["schedule.rejected_dir"]))


@dataclass
class InboxResult:
    """What one pass over the inbox did, as the run log keeps it."""

    processed: list[str] = field(default_factory=list)  # where each taken file now is
    rejected: list[str] = field(default_factory=list)
    problem_lists: list[str] = field(default_factory=list)
    waiting: list[str] = field(default_factory=list)  # still being copied: next run
    ignored: list[str] = field(default_factory=list)  # links, lock files: left where they are
    errors: int = 0  # files with error findings (rejected rows or refused)

    def as_json(self) -> dict[str, object]:
        return {"processed": self.processed, "rejected": self.rejected, "problem_lists": self.problem_lists,
                "waiting": self.waiting, "ignored": self.ignored, "files_with_errors": self.errors}


def ready_files(folders: InboxFolders, settle_seconds: float, result: InboxResult | None = None) -> list[Path]:
    """Regular files inside the inbox (never through a link), unchanged for ``settle_seconds``."""
    root = folders.inbox
    if not root.is_dir():
        return []
    real_root = root.resolve()
    skip = {p.resolve() for p in (folders.processed, folders.rejected) if p.exists()}
    found: list[Path] = []
    now = time.time()
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        here = Path(dirpath)
        if result is not None:
            result.ignored += [str(here / d) for d in dirnames if (here / d).is_symlink()]
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(".") and (here / d).resolve() not in skip
                             and not (here / d).is_symlink())
        for name in sorted(filenames):
            path = here / name
            if name.startswith((".", "~$")) or Path(name).suffix.lower() in PARTIAL_SUFFIXES:
                continue
            if path.is_symlink() or not path.is_file() or not path.resolve().is_relative_to(real_root):
                if result is not None:
                    result.ignored.append(str(path))
                continue
            if now - path.stat().st_mtime < settle_seconds:
                if result is not None:
                    result.waiting.append(str(path))
                continue
            found.append(path)
    return found


def arrival(path: Path, now: datetime, tz: ZoneInfo) -> datetime:
    """When the file reached the inbox: the later of its modification and change times (a copy into the
    folder changes one or the other on every system), never later than now. Naive, in ``tz``."""
    stat = path.stat()
    seen = datetime.fromtimestamp(max(stat.st_mtime, stat.st_ctime), tz).replace(tzinfo=None, microsecond=0)
    return min(seen, now)


def process_inbox(factory: sessionmaker[Session], settings: Settings, now: datetime,
                  folders: InboxFolders | None = None) -> InboxResult:
    """One pass over the inbox; ``now`` is the run's moment (naive, the schedule's time zone)."""
    from monitor.cli.render import write_problem_lists

    folders = folders or InboxFolders.from_settings(settings)
    result = InboxResult()
    tz = ZoneInfo(settings["reporting.timezone"])
    for path in ready_files(folders, settings["schedule.inbox_settle_seconds"], result):
        relative = path.relative_to(folders.inbox)
        if path.suffix.lower() not in SUFFIXES:
            result.rejected.append(str(_move(path, folders.rejected / relative)))
            result.errors += 1
            log.warning("inbox: %s is not a spreadsheet (.xlsx .xlsm .xls .csv); moved to %s", relative,
                        folders.rejected)
            continue
        report = ingest_paths(factory, [path], settings, IngestOptions(received_at=arrival(path, now, tz),
                                                                       arrival_only=True))
        outcomes = [r.outcome for r in report.results]
        refused = not outcomes or all(o.outcome == "rejected" for o in outcomes)
        target_dir = (folders.rejected if refused else folders.processed / now.date().isoformat()) / relative.parent
        moved = _move(path, target_dir / path.name)
        for taken in report.results:  # the 问题清单 is named after the file as moved (``name (2).xlsx``)
            taken.path = moved
        lists = write_problem_lists(report, moved.parent) if any(o.findings for o in outcomes) else {}
        result.problem_lists += [str(p) for p in lists.values()]
        (result.rejected if refused else result.processed).append(str(moved))
        result.errors += report.has_errors or refused
        log.info("inbox: %s → %s (%s)", relative, moved.parent, "; ".join(map(_describe, outcomes)) or "not a report")
    return result


def _describe(o: Any) -> str:
    if o.town or o.period:
        return f"{o.town or '?'} {o.period or '?'} {o.outcome}"
    first = next((f.message for f in o.findings), "")
    return f"{o.outcome}: {first}" if first else o.outcome


def _move(path: Path, target: Path) -> Path:
    """Move without ever overwriting: a second file of the same name becomes ``name (2).xlsx``."""
    target.parent.mkdir(parents=True, exist_ok=True)
    candidate, n = target, 1
    while candidate.exists():
        n += 1
        candidate = target.with_name(f"{target.stem} ({n}){target.suffix}")
    shutil.move(str(path), str(candidate))
    return candidate
