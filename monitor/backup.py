"""Backups of the SQLite database: a consistent online copy, and a restore into the live database.

Both use SQLite's backup API. A backup pins one read snapshot for the whole copy, so it stays consistent
(and never restarts) while the scheduler or an ingest keeps writing — WAL lets writers go on meanwhile.
A restore writes into the live database through the same API, so other processes' open connections and
the WAL/shm files stay coherent; it saves what it replaces first, under the write lock it holds.
"""

from __future__ import annotations

import os
import sqlite3
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path

from monitor.errors import DatabaseError, UsageError

#: pages copied per step of the backup API (4 MiB with SQLite's default 4 KiB pages)
STEP_PAGES = 1024
_BUSY = (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)

#: (pages copied, pages in all), after each step
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class DbSummary:
    """What a person needs to tell two databases apart."""

    path: Path
    size: int  #: bytes, WAL included
    revision: str | None  #: Alembic schema revision, None when not a fundmon database
    submissions: int | None
    last_received: datetime | None  #: when the newest submission was received


@dataclass(frozen=True)
class BackupResult:
    target: Path
    copy: DbSummary
    pages: int


@dataclass(frozen=True)
class RestorePlan:
    """What a restore will replace, shown to a person before anything changes."""

    url: str
    database: Path
    current: DbSummary | None  #: None: there is no database yet
    backup: DbSummary
    before: Path | None  #: where the current database is saved first
    head: str

    @property
    def upgrade(self) -> bool:
        return self.backup.revision != self.head


@dataclass(frozen=True)
class RestoreResult:
    plan: RestorePlan
    before: Path | None
    revision: str


def sqlite_path(url: str, action: str) -> Path:
    """The database file behind ``url``; PostgreSQL is refused with the pg_dump/pg_restore line to use."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise DatabaseError(f"not a database URL: {url!r} (e.g. sqlite:///fundmon.db)") from exc
    if parsed.get_backend_name() == "postgresql":
        raise UsageError(f"fundmon {action} works on SQLite only; on PostgreSQL run "
                         f"`{pg_command(url, action)}` (README, section Backups)")
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        raise DatabaseError(f"fundmon {action} needs a SQLite database file, not {url!r}")
    return Path(parsed.database).expanduser().resolve()


def pg_command(url: str, action: str) -> str:
    """The pg_dump (backup) or pg_restore (restore) command for a PostgreSQL URL, without its password."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    parts = [f"-h {parsed.host or 'localhost'}", f"-p {parsed.port or 5432}"]
    parts += [f"-U {parsed.username}"] if parsed.username else []
    parts.append(f"-d {parsed.database or 'fundmon'}")
    if action == "backup":
        return f"pg_dump -Fc {' '.join(parts)} -f fundmon.dump"
    return f"pg_restore --clean --if-exists --no-owner {' '.join(parts)} fundmon.dump"


def backup_database(url: str, path: str | Path, *, force: bool = False, now: datetime | None = None,
                    progress: Progress | None = None, step_pages: int = STEP_PAGES) -> BackupResult:
    """Copy the live database to ``path`` (a file, or a folder for ``fundmon-YYYYMMDD-HHMMSS.db``).

    A ``path`` given as text and ending in a path separator (``backups/``; ``backups\\`` on Windows) names a
    folder: it must exist — it is never created, nor taken for a file name (an unmounted USB drive's
    mount point must not turn into a file on the system disk).
    """
    source = sqlite_path(url, "backup")
    if not source.is_file():
        raise DatabaseError(f"no database at {source}: nothing to back up")
    target = Path(path).expanduser().resolve()
    if _names_folder(path) and not target.is_dir():
        raise UsageError(f"not a folder: {target}" if target.exists() else f"folder does not exist: {target}")
    if target.is_dir():
        target = target / f"fundmon-{_stamp(now)}.db"
    if not target.parent.is_dir():
        raise UsageError(f"folder does not exist: {target.parent}")
    if target == source:
        raise UsageError(f"{target} is the live database itself: give another file or a folder")
    if target.exists() and not force:
        raise UsageError(f"{target} exists: give another name, or --force to overwrite it")
    copy, pages = _snapshot(source, target, force=force, progress=progress, step_pages=step_pages)
    return BackupResult(target=target, copy=copy, pages=pages)


def _names_folder(path: str | Path) -> bool:
    """Whether the path as typed ends in a separator (``Path`` drops it, so only text can say so)."""
    return isinstance(path, str) and path.endswith(tuple(sep for sep in (os.sep, os.altsep) if sep))


def inspect_backup(path: Path) -> DbSummary:
    """The summary of a fundmon backup; refuses anything else (exit 2)."""
    path = path.expanduser().resolve()
    if not path.is_file():
        raise UsageError(f"no backup file at {path}")
    try:
        conn = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True, timeout=30)
    except sqlite3.Error as exc:
        raise DatabaseError(f"cannot open {path}: {exc}") from exc
    try:
        _check_integrity(conn, path)
        summary = _summarise(conn, path)
    finally:
        conn.close()
    if summary.revision is None:
        raise UsageError(f"{path} is not a fundmon database (it has no schema version)")
    return summary


def plan_restore(url: str, path: Path, *, now: datetime | None = None) -> RestorePlan:
    """Check the backup and describe both databases; refuses a backup from a newer fundmon."""
    from monitor.db import head_revision

    database = sqlite_path(url, "restore")
    backup = inspect_backup(path)
    if backup.path == database:
        raise UsageError(f"{backup.path} is the live database itself")
    if backup.revision not in _known_revisions():
        raise UsageError(f"{backup.path} has schema version {backup.revision}, which this fundmon does not "
                         "know: it was made by a newer fundmon; upgrade fundmon before restoring it")
    current, before = None, None
    if database.exists():
        current = _describe_live(database)
        before = _free_name(database.with_name(f"{database.name}.before-restore-{_stamp(now)}.db"))
    return RestorePlan(url=url, database=database, current=current, backup=backup, before=before,
                       head=head_revision())


def restore_database(plan: RestorePlan, *, wait: float = 60.0, waiting: Callable[[], None] | None = None,
                     progress: Progress | None = None, notify: Callable[[str], None] | None = None,
                     step_pages: int = STEP_PAGES) -> RestoreResult:
    """Replace the live database by the backup, saving it first; then upgrade an older schema.

    The restore's first step takes the database's write lock (the one ``lock_for_load`` waits for) and
    holds it to the end; only then is the current database saved, so no ingest can land in between and
    be lost. While another process writes, it waits up to ``wait`` seconds, then fails and changes nothing.
    """
    created = not plan.database.exists()
    steps = _RestoreSteps(plan, wait, waiting, progress)
    try:
        _restore_into(plan, steps, step_pages)
    except BaseException:
        if created:
            _remove(plan.database)  # leave no empty database where there was none
        raise
    return RestoreResult(plan=plan, before=steps.saved, revision=_upgrade(plan, notify))


@dataclass
class _RestoreSteps:
    """The backup API's progress hook: waits for the lock, then saves the current database, then reports."""

    plan: RestorePlan
    wait: float
    waiting: Callable[[], None] | None
    progress: Progress | None
    saved: Path | None = None
    waited: bool = False
    started: float = field(default_factory=time.monotonic)

    def __call__(self, status: int, remaining: int, total: int) -> None:
        if status in _BUSY:  # the first step could not take the write lock yet
            if time.monotonic() - self.started > self.wait:
                raise DatabaseError(f"another process kept writing to {self.plan.database} for {self.wait:g} s; "
                                    "nothing was restored: try again when it has finished")
            if self.waiting is not None and not self.waited:
                self.waiting()
            self.waited = True
            return
        if self.plan.before is not None and self.saved is None:  # the lock is ours: save what goes
            self.saved = _snapshot(self.plan.database, self.plan.before, verify=False)[0].path
        if self.progress is not None:
            self.progress(total - remaining, total)


def _restore_into(plan: RestorePlan, steps: _RestoreSteps, step_pages: int) -> None:
    try:
        dest = sqlite3.connect(plan.database, isolation_level=None, timeout=0.2)
        src = sqlite3.connect(f"{plan.backup.path.as_uri()}?mode=ro", uri=True, isolation_level=None)
    except sqlite3.Error as exc:
        raise DatabaseError(f"cannot open {plan.database}: {exc}") from exc
    try:
        dest.execute("PRAGMA journal_mode=WAL")
        total = src.execute("PRAGMA page_count").fetchone()[0]
        # at least two steps, so that the before-restore copy is made once the first step holds the lock
        src.backup(dest, pages=max(1, min(step_pages, total - 1)), progress=steps, sleep=0.1)
        _check_integrity(dest, plan.database, quick=True)
    except sqlite3.Error as exc:
        raise DatabaseError(f"cannot restore into {plan.database}: {exc}") from exc
    finally:
        src.close()
        dest.close()


def _upgrade(plan: RestorePlan, notify: Callable[[str], None] | None) -> str:
    from monitor.db import create_db_engine, current_revision, migrate

    engine = create_db_engine(plan.url)
    try:
        if plan.upgrade:
            migrate(engine, notify)
        return current_revision(engine) or "?"
    finally:
        engine.dispose()


def _snapshot(source: Path, target: Path, *, force: bool = False, verify: bool = True,
              progress: Progress | None = None, step_pages: int = STEP_PAGES) -> tuple[DbSummary, int]:
    """Copy ``source`` to a temporary file beside ``target``, check it, then give it its name atomically.

    A file-system failure (no space, no permission, a read-only or vanished drive) is one UsageError naming
    ``target``; the temporary file is removed whatever happens.
    """
    try:
        fd, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
        os.close(fd)
    except OSError as exc:
        raise _unwritable(target, exc) from exc
    tmp = Path(name)
    try:
        pages = _copy(source, tmp, progress, step_pages)
        conn = sqlite3.connect(f"{tmp.as_uri()}?mode=ro", uri=True)
        try:
            if verify:
                _check_integrity(conn, source)
            summary = _summarise(conn, tmp)
        finally:
            conn.close()
        if verify and summary.revision is None:
            raise UsageError(f"{source} is not a fundmon database (it has no schema version)")
        tmp.chmod(source.stat().st_mode & 0o777)  # mkstemp made it private; keep the database's own mode
        _fsync(tmp)
        _publish(tmp, target, force)
        _fsync(target.parent)
        return replace(summary, path=target), pages
    except OSError as exc:
        raise _unwritable(target, exc) from exc
    finally:
        _remove(tmp)


def _unwritable(target: Path, exc: OSError) -> UsageError:
    return UsageError(f"cannot write {target}: {exc.strerror or exc}")


def _remove(path: Path) -> None:
    for leftover in (path, *(Path(f"{path}{s}") for s in ("-journal", "-wal", "-shm"))):
        leftover.unlink(missing_ok=True)


def _copy(source: Path, tmp: Path, progress: Progress | None, step_pages: int) -> int:
    """The backup API from one pinned read snapshot: writers elsewhere neither disturb nor restart it."""
    try:
        src = sqlite3.connect(source, isolation_level=None, timeout=30)
        dst = sqlite3.connect(tmp, isolation_level=None)
    except sqlite3.Error as exc:
        raise DatabaseError(f"cannot open {source}: {exc}") from exc
    pages = 0

    def step(_status: int, remaining: int, total: int) -> None:
        nonlocal pages
        pages = total
        if progress is not None:
            progress(total - remaining, total)

    try:
        src.execute("BEGIN")
        src.execute("SELECT count(*) FROM sqlite_master").fetchone()  # the snapshot starts at the first read
        src.backup(dst, pages=step_pages, progress=step)
        src.execute("COMMIT")
        dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
    except sqlite3.Error as exc:
        raise DatabaseError(f"cannot copy {source}: {exc}") from exc
    finally:
        src.close()
        dst.close()
    return pages


def _publish(tmp: Path, target: Path, force: bool) -> None:
    if force:
        os.replace(tmp, target)
        return
    try:
        os.link(tmp, target)  # fails if the name was taken meanwhile: never overwrite without --force
    except FileExistsError as exc:
        raise UsageError(f"{target} exists: give another name, or --force to overwrite it") from exc
    except OSError:  # no hard links on this file system
        if target.exists():
            raise UsageError(f"{target} exists: give another name, or --force to overwrite it") from None
        os.replace(tmp, target)


def _check_integrity(conn: sqlite3.Connection, path: Path, *, quick: bool = False) -> None:
    try:
        rows = conn.execute("PRAGMA quick_check" if quick else "PRAGMA integrity_check").fetchall()
    except sqlite3.DatabaseError as exc:
        if "not a database" in str(exc):
            raise UsageError(f"{path} is not a SQLite database") from exc
        raise DatabaseError(f"{path} fails SQLite's integrity check: {exc}") from exc
    if rows != [("ok",)]:
        raise DatabaseError(f"{path} fails SQLite's integrity check: {rows[0][0]}")


def _summarise(conn: sqlite3.Connection, path: Path) -> DbSummary:
    size = sum(p.stat().st_size for p in (path, Path(f"{path}-wal")) if p.exists())
    try:
        (revision,) = conn.execute("SELECT version_num FROM alembic_version").fetchone() or (None,)
    except sqlite3.DatabaseError:
        return DbSummary(path, size, None, None, None)
    try:
        count, last = conn.execute("SELECT count(*), max(received_at) FROM submissions").fetchone()
    except sqlite3.DatabaseError:
        count, last = None, None
    return DbSummary(path, size, revision, count, datetime.fromisoformat(last) if last else None)


def _describe_live(database: Path) -> DbSummary:
    """The live database as it is now; tolerant, since a damaged database is a reason to restore."""
    try:
        conn = sqlite3.connect(database, timeout=30)
        try:
            return _summarise(conn, database)
        finally:
            conn.close()
    except sqlite3.Error:
        return DbSummary(database, database.stat().st_size, None, None, None)


def _known_revisions() -> set[str]:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from monitor.db import MIGRATIONS

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return {script.revision for script in ScriptDirectory.from_config(config).walk_revisions()}


def _stamp(now: datetime | None) -> str:
    from monitor.queries import now as local_now

    return (now or local_now()).strftime("%Y%m%d-%H%M%S")


def _free_name(path: Path) -> Path:
    n = 2
    candidate = path
    while candidate.exists():
        candidate = path.with_name(f"{path.stem}-{n}{path.suffix}")
        n += 1
    return candidate


def _fsync(path: Path) -> None:
    if path.is_dir() and os.name != "posix":
        return  # directories cannot be opened for fsync on Windows
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
