"""`fundmon template`: pre-filled submission workbooks (项目进度月报) for the towns' coming monthly report."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import click

from monitor.cli.common import DATE, PERIOD, App, pass_app

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker

    from monitor.settings import Settings


@click.command()
@click.option("--period", type=PERIOD,
              help="Report month the towns will fill in [default: the later of the month just ended and "
                   "the month after the latest month with data].")
@click.option("--town", help="Only this town [default: every expected town, else every town in the database].")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=Path("."), show_default=True,
              help="Folder in which templates-YYYY-MM/ is written.")
@click.option("--as-of", type=DATE, help="Date that decides the default month [default: today].")
@pass_app
def template(app: App, period: str | None, town: str | None, out: Path, as_of: date | None) -> None:
    """Write one pre-filled submission workbook per town into templates-YYYY-MM/.

    Each workbook (官塘镇_2023年11月_项目进度月报.xlsx) lists the town's projects locked, last month's
    cumulative figures beside the input cells, validated inputs, a 填表说明 sheet and the deadline; filled
    in and sent back, it ingests as fundmon's own template.

    Example: fundmon template --period 2023-11 --town 官塘镇 --out templates
    """
    paths = run_templates(app.sessions(), app.settings, period, town, out, as_of=as_of)
    click.echo(f"{len(paths)} template(s) in {paths[0].parent}/:" if paths else "No templates written.")
    for path in paths:
        click.echo(f"  {path.name}")


def run_templates(session_factory: sessionmaker[Session], settings: Settings, period: str | None,
                  town: str | None, out_dir: Path, *, as_of: date | None = None) -> list[Path]:
    """The library call behind the command, for the demo (imported late so ``fundmon --help`` stays quick)."""
    from reports.template import run_templates as run

    return run(session_factory, settings, period, town, out_dir, as_of=as_of)


__all__ = ["run_templates", "template"]
