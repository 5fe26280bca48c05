"""`fundmon appraisal`: the year-end appraisal (年度考核) — per-town tallies and a ranking, xlsx and docx."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import click

from monitor.cli.common import DATE, App, pass_app, pct

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker

    from monitor.settings import Settings
    from reports.appraisal_pack import AppraisalResult


def run_appraisal(session_factory: sessionmaker[Session], settings: Settings, year: int, as_of: date,
                  out_dir: Path) -> AppraisalResult:
    """The library call behind the command, for the demo (imported late so ``fundmon --help`` stays quick)."""
    from reports.appraisal_pack import run_appraisal as run

    return run(session_factory, settings, year, as_of, out_dir)


@click.command()
@click.option("--year", type=click.IntRange(2000, 2100), required=True, help="The year appraised (YYYY).")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=Path("."), show_default=True,
              help="Folder in which appraisal-YYYY/ is written.")
@click.option("--as-of", type=DATE,
              help="Use the data received by this date; months due by then are judged [default: today].")
@pass_app
def appraisal(app: App, year: int, out: Path, as_of: date | None) -> None:
    """Write the year-end appraisal (年度考核): 年度考核.xlsx and 年度考核说明.docx.

    Per town: months red / yellow / green, months in the bottom three, the final spend rate against the
    year-end target, letters received (issued ones; drafts do not count), late replies, late or missing
    reports, surplus not recovered — ranked by the final spend rate, then fewer red months, then fewer
    bottom-three months. Each month is judged by the status rules with the data received by --as-of.

    Example: fundmon appraisal --year 2023 --as-of 2024-01-10 --out 考核
    """
    from monitor.status import today

    result = run_appraisal(app.sessions(), app.settings, year, as_of or today(), out)
    a = result.appraisal
    click.echo(f"Appraisal {year} (年度考核), months {a.months[0]}..{a.months[-1]}, data as of {a.as_of}:")
    for t in a.towns:
        click.echo(f"  {t.rank or '-':>2} {t.town}  rate {pct(t.final_rate) or '-'}  red/yellow/green "
                   f"{t.red}/{t.yellow}/{t.green}  bottom {t.bottom_months}  letters {sum(t.letters.values())}  "
                   f"replies late {t.replies_overdue + t.replies_late}  reports late {t.late} missing {t.missing}  "
                   f"surplus {len(t.surplus)}")
    for path in result.paths:
        click.echo(f"  {path}")


__all__ = ["appraisal", "run_appraisal"]
