"""`fundmon backup` and `fundmon restore`: an online copy of the SQLite database, and putting one back."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from monitor.cli.common import App, pass_app
from monitor.errors import UsageError

if TYPE_CHECKING:
    from monitor.backup import DbSummary

#: show a progress line only for databases bigger than this many pages (64 MiB of 4 KiB pages)
BIG = 16_384


@click.command()
@click.argument("path", type=click.Path())  # text, not Path: a trailing separator says "a folder"
@click.option("--force", is_flag=True, help="Overwrite PATH if it exists.")
@pass_app
def backup(app: App, path: str, force: bool) -> None:
    """Copy the SQLite database to PATH, safely while fundmon is running.

    PATH is a file, or a folder that gets fundmon-YYYYMMDD-HHMMSS.db; a PATH ending in / names a folder,
    which must exist (it is never created). The copy is checked (integrity, schema version) before it
    gets its name. On PostgreSQL use pg_dump (README, "Backups").

    \b
    Examples:
      fundmon backup /mnt/usb/
      fundmon --db sqlite:///D:/fundmon/fundmon.db backup D:/备份/fundmon-11月.db --force
    """
    from monitor.backup import backup_database

    result = backup_database(app.db_url, path, force=force, progress=_progress_line)
    click.echo(f"Backed up to {result.target}: {_describe(result.copy)}; integrity ok.")


@click.command()
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--yes", "-y", is_flag=True, help="Do not ask for confirmation.")
@click.option("--wait", type=click.FloatRange(min=0), default=60, show_default=True, metavar="SECONDS",
              help="Seconds to wait for another process (an ingest loading a file) to finish writing.")
@pass_app
def restore(app: App, path: Path, yes: bool, wait: float) -> None:
    """Replace the SQLite database by the backup at PATH (made by fundmon backup).

    Shows what will be replaced and asks first; not at a terminal, add --yes. Everything loaded after the
    backup was taken is replaced; the current database is saved beside it as
    <db>.before-restore-YYYYMMDD-HHMMSS.db. An ingest running meanwhile: the file it is loading is waited
    for (--wait), the files it loaded before are replaced, the rest load into the restored database. A
    backup from an older fundmon is upgraded after the restore; one from a newer fundmon is refused.
    Declining changes nothing.

    \b
    Examples:
      fundmon restore /mnt/usb/fundmon-20231105-093000.db
      fundmon restore backups/fundmon-20231105-093000.db --yes
    """
    from monitor.backup import plan_restore, restore_database

    plan = plan_restore(app.db_url, path)  # reads no stdin; says first what is wrong with the backup or URL
    if not yes and not _at_terminal():  # before anything is read from stdin or shown
        raise UsageError("not run at a terminal, so nobody can answer the question: add --yes to restore")
    click.echo(f"Database: {plan.database}\n  now:    "
               + (_describe(plan.current) if plan.current else "does not exist yet"))
    click.echo(f"  backup: {_describe(plan.backup)} ({plan.backup.path})")
    if plan.before:
        click.echo(f"The current database is first saved as {plan.before}.")
    if plan.upgrade:
        click.echo(f"The backup's schema {plan.backup.revision} is upgraded to {plan.head} afterwards.")
    question = "Everything loaded after the backup was taken is replaced. Replace the database by the backup?"
    if not yes and not click.confirm(question, default=False):
        click.echo("Nothing restored; the database is unchanged.", err=True)
        return  # the person's choice, not an error
    result = restore_database(plan, wait=wait, progress=_progress_line, notify=lambda m: click.echo(m, err=True),
                              waiting=lambda: click.echo("Waiting for another process to finish writing…",
                                                         err=True))
    saved = f" The previous database is in {result.before}." if result.before else ""
    click.echo(f"Restored {plan.database} from {plan.backup.path} (schema {result.revision}).{saved}")


def _at_terminal() -> bool:
    """Whether a person can answer on stdin (a closed or missing stdin is no terminal)."""
    try:
        return sys.stdin is not None and sys.stdin.isatty()
    except (ValueError, OSError):  # closed
        return False


def _describe(summary: DbSummary) -> str:
    if summary.revision is None:
        return f"{summary.size / 1e6:.1f} MB, not a fundmon database"
    last = summary.last_received.strftime("%Y-%m-%d %H:%M") if summary.last_received else "none"
    return (f"{summary.size / 1e6:.1f} MB, schema {summary.revision}, {summary.submissions} submissions, "
            f"last received {last}")


def _progress_line(done: int, total: int) -> None:
    if total > BIG:
        click.echo(f"\r{done * 100 // total:3d}% of {total:,} pages", nl=done == total, err=True)
