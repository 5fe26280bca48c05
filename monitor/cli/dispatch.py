"""`fundmon dispatch`: the weekly dispatch pack (一周一调度) — 调度表.xlsx and 调度通报.docx."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import click

from monitor.cli.common import DATE, App, pass_app

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker

    from monitor.settings import Settings
    from reports.dispatch import DispatchResult


@click.command()
@click.option("--date", "day", type=DATE, help="Dispatch date; its ISO week names the pack [default: today].")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=Path("."), show_default=True,
              help="Folder in which dispatch-YYYY-Www/ is written.")
@pass_app
def dispatch(app: App, day: date | None, out: Path) -> None:
    """Write the weekly dispatch pack 调度表.xlsx + 调度通报.docx into dispatch-YYYY-Www/.

    The figures are the latest report month past its deadline, judged as of the date; 本周变化 compares
    with the previous week's dispatch. Rerunning a week rewrites its pack.

    Example: fundmon dispatch --date 2023-11-13 --out dispatches
    """
    from monitor import queries

    result = run_dispatch(app.sessions(), app.settings, day or queries.now().date(), out)
    data = f"data {result.period}" if result.period else "no data yet"
    since = f"compared with {result.previous_week}" if result.previous_week else "first dispatch: no comparison"
    click.echo(f"Dispatch {result.week} ({data}; {since}):")
    for path in result.paths:
        click.echo(f"  {path}")


def run_dispatch(session_factory: sessionmaker[Session], settings: Settings, day: date,
                 out_dir: Path) -> DispatchResult:
    """The library call behind the command, for the demo (imported late so ``fundmon --help`` stays quick)."""
    from reports.dispatch import run_dispatch as run

    return run(session_factory, settings, day, out_dir)


__all__ = ["dispatch", "run_dispatch"]
