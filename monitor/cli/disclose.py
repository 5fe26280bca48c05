"""`fundmon disclose`: the public disclosure table 项目公示表 (信息公开) as xlsx and CSV."""

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
@click.option("--period", type=PERIOD, help="Report month [default: latest month past its deadline].")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=Path("."), show_default=True,
              help="Folder in which 项目公示表_YYYY年M月.xlsx and .csv are written.")
@click.option("--as-of", type=DATE, help="Date that decides the default month [default: today].")
@pass_app
def disclose(app: App, period: str | None, out: Path, as_of: date | None) -> None:
    """Write the public disclosure table 项目公示表 as xlsx and CSV (UTF-8 with BOM, for Excel).

    Public columns only: town, village, project, category, fund year, allocated, spent (万元, two
    decimals), status and owner, under a title and the data date — no lights, flags, findings or notes.

    Example: fundmon disclose --period 2023-10 --out 公示
    """
    paths = run_disclose(app.sessions(), app.settings, period, as_of, out)
    click.echo("Disclosure table written:")
    for path in paths:
        click.echo(f"  {path}")


def run_disclose(session_factory: sessionmaker[Session], settings: Settings, period: str | None,
                 as_of: date | None, out_dir: Path) -> list[Path]:
    """The library call behind the command, for the demo (imported late so ``fundmon --help`` stays quick)."""
    from reports.disclose import run_disclose as run

    return run(session_factory, settings, period, as_of, out_dir)


__all__ = ["disclose", "run_disclose"]
