"""`fundmon review`: the monthly review pack (一月一研判) — charts, 研判报告.docx and 数据.xlsx."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import click

from monitor.cli.common import DATE, PERIOD, App, pass_app
from monitor.settings import Settings

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker

    from reports.review_pack import ReviewResult


def run_review(session_factory: sessionmaker[Session], settings: Settings, period: str | None, as_of: date,
               out_dir: Path, *, dpi: int | None = None) -> ReviewResult:
    """Write the review pack under ``out_dir/review-YYYY-MM/`` (matplotlib is imported only now)."""
    from reports.review_pack import PNG_DPI
    from reports.review_pack import run_review as write_pack

    return write_pack(session_factory, settings, period, as_of, out_dir, dpi=dpi or PNG_DPI)


@click.command()
@click.option("--period", type=PERIOD, help="Report month [default: latest month past its deadline].")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=Path("."), show_default=True,
              help="Folder in which review-YYYY-MM/ is written.")
@click.option("--as-of", type=DATE, help="Judge as of this date [default: today].")
@pass_app
def review(app: App, period: str | None, out: Path, as_of: date | None) -> None:
    """Write the monthly review pack (一月一研判): charts (PNG, SVG), 研判报告.docx, 数据.xlsx.

    Example: fundmon review --period 2023-10 --out reviews/
    """
    from monitor.status import today

    result = run_review(app.sessions(), app.settings, period, as_of or today(), out)
    click.echo(f"Review {result.period}: {len(result.charts) // 2} charts, {result.report.name}, "
               f"{result.workbook.name} in {result.directory}/")
