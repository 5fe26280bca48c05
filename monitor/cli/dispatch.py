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
@click.option("--town", "towns", multiple=True, metavar="NAME",
              help="Only this town's slice, in dispatch-YYYY-Www/NAME/ (repeatable; 湘桥区官塘镇 and 官塘镇 both work).")
@click.option("--each-town", is_flag=True, help="One slice per town, each in dispatch-YYYY-Www/<town>/.")
@pass_app
def dispatch(app: App, day: date | None, out: Path, towns: tuple[str, ...], each_town: bool) -> None:
    """Write the weekly dispatch pack 调度表.xlsx + 调度通报.docx into dispatch-YYYY-Www/.

    The figures are the latest report month past its deadline, judged as of the date; 本周变化 compares
    with the previous week's dispatch. Rerunning a week rewrites its pack.

    With --town or --each-town, only the towns' slices are written (what the bureau sends back to each town
    government: only that town's rows, ranks still the district's); the district pack and the week's
    snapshot for 本周变化 are left as they are.

    Example: fundmon dispatch --date 2023-11-13 --out dispatches

    Example: fundmon dispatch --date 2023-11-13 --out dispatches --town 官塘镇
    """
    from monitor import queries
    from monitor.errors import UsageError

    if towns and each_town:
        raise UsageError("give either --town NAME or --each-town, not both")
    when = day or queries.now().date()
    if towns or each_town:
        results = run_town_dispatches(app.sessions(), app.settings, when, out, list(towns) or None)
    else:
        results = [run_dispatch(app.sessions(), app.settings, when, out)]
    first = results[0]
    data = f"data {first.period}" if first.period else "no data yet"
    since = f"compared with {first.previous_week}" if first.previous_week else "first dispatch: no comparison"
    kind = f"{len(results)} town slice{'s' if len(results) > 1 else ''}" if towns or each_town else "district pack"
    click.echo(f"Dispatch {first.week}, {kind} ({data}; {since}):")
    for result in results:
        for path in result.paths:
            click.echo(f"  {path}")


def run_dispatch(session_factory: sessionmaker[Session], settings: Settings, day: date,
                 out_dir: Path, *, town: str | None = None) -> DispatchResult:
    """The library call behind the command, for the demo and the scheduler (imported late so ``fundmon
    --help`` stays quick). With ``town``, that town's slice only (nothing stored)."""
    from reports.dispatch import run_dispatch as run

    return run(session_factory, settings, day, out_dir, town=town)


def run_town_dispatches(session_factory: sessionmaker[Session], settings: Settings, day: date, out_dir: Path,
                        towns: list[str] | None = None) -> list[DispatchResult]:
    """One slice per town named, or per town of the pack when ``towns`` is None; nothing is stored."""
    from reports.dispatch_slice import run_town_slices

    return run_town_slices(session_factory, settings, day, out_dir, towns)


__all__ = ["dispatch", "run_dispatch", "run_town_dispatches"]
