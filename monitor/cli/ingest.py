"""`fundmon ingest` and `fundmon check`: files in, a per-file summary and a 问题清单 per file with findings."""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import click

from monitor.cli.common import DATETIME, PERIOD, App, pass_app

EXIT_FINDINGS = 3



def _paths_argument(func: Callable) -> Callable:
    return click.argument("paths", nargs=-1, required=True,
                          type=click.Path(exists=True, path_type=Path))(func)


def _shared_options(func: Callable) -> Callable:
    func = click.option("--findings-dir", type=click.Path(file_okay=False, path_type=Path),
                        help="Where to write 问题清单 workbooks [default: setting ingest.findings_dir].")(func)
    func = click.option("--town", help="Town for every file (overrides what the files say).")(func)
    func = click.option("--period", type=PERIOD, help="Report month for every file (overrides the files).")(func)
    return _paths_argument(func)


@click.command()
@_shared_options
@click.option("--received", type=DATETIME, help="When the files really arrived (e.g. the e-mail's date).")
@pass_app
def ingest(app: App, paths: tuple[Path, ...], period: str | None, town: str | None,
           received: datetime | None, findings_dir: Path | None) -> None:
    """Load town submissions (files or folders) into the database.

    Prints one line per file and writes a 问题清单 workbook for each file with findings.
    Exit code 3 when some files had errors (rejected rows or unreadable files).

    Example: fundmon ingest inbox/ --received "2023-11-03 10:20"
    """
    from etl.pipeline import IngestOptions, ingest_paths

    files, folder = _prepare(app, paths, town, findings_dir)
    options = IngestOptions(period=period, town=town, received_at=received)
    factory = app.sessions(create=True)
    with _progress(len(files)) as advance:
        report = ingest_paths(factory, list(paths), app.settings, options, progress=advance)
    _finish(report, folder)


@click.command()
@_shared_options
@pass_app
def check(app: App, paths: tuple[Path, ...], period: str | None, town: str | None,
          findings_dir: Path | None) -> None:
    """Read files and report their findings exactly as ingest would, storing nothing.

    Example: fundmon check 磷溪镇_2023年10月.xlsx
    """
    from etl.pipeline import IngestOptions, check_paths
    from monitor.db import open_database, open_existing

    files, folder = _prepare(app, paths, town, findings_dir)
    # the bureau's database when there is one (so known projects are known), else an empty one in memory
    factory = open_existing(app.db_url) or open_database("sqlite://", allow_memory=True)
    with _progress(len(files)) as advance:
        report = check_paths(factory, list(paths), app.settings, IngestOptions(period=period, town=town),
                             progress=advance)
    _finish(report, folder)


class _progress:
    """A progress bar on a terminal when there are several files; silent otherwise."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.bar = None

    def __enter__(self) -> Callable[[Path], None]:
        if self.total < 2 or not sys.stderr.isatty():
            return lambda _path: None
        from rich.console import Console
        from rich.progress import Progress

        self.bar = Progress(console=Console(stderr=True), transient=True)
        self.bar.start()
        task = self.bar.add_task("Reading files", total=self.total)
        return lambda path: self.bar.update(task, advance=1, description=path.name[:40])  # type: ignore[union-attr]

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.stop()


def _prepare(app: App, paths: tuple[Path, ...], town: str | None,
             findings_dir: Path | None) -> tuple[list[Path], Path]:
    """Check everything a person gave before any file is read: files found, town known, folder writable."""
    from etl.pipeline import collect_paths
    from etl.resolve import nearest_town
    from monitor.errors import UsageError
    from monitor.names import canonical_town

    files = collect_paths(paths)
    if not files:
        raise UsageError("no spreadsheet files (.xlsx, .xlsm, .xls, .csv) in " + ", ".join(map(str, paths)))
    expected = app.settings.expected_towns
    if town and expected and canonical_town(town) not in expected:
        hint = nearest_town(canonical_town(town), expected)
        raise UsageError(f"--town {town!r} is not in towns.expected" + (f"; did you mean {hint}?" if hint else ""))
    folder = findings_dir or Path(app.settings["ingest.findings_dir"])
    _check_writable(folder)
    return files, folder


def _check_writable(folder: Path) -> None:
    from monitor.errors import UsageError

    try:
        folder.mkdir(parents=True, exist_ok=True)
        probe = folder / ".fundmon-write-test"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise UsageError(f"cannot write 问题清单 to {folder}: {exc.strerror or exc}") from exc


def _finish(report, folder: Path) -> None:  # type: ignore[no-untyped-def]
    from monitor.cli.render import print_file_table, write_problem_lists

    written = write_problem_lists(report, folder)
    print_file_table(report, written)
    if report.has_errors:
        sys.exit(EXIT_FINDINGS)
