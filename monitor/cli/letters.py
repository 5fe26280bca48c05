"""`fundmon letters`: reminder and supervision letter drafts (发函提醒), and the letter register."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import click

from monitor.cli.common import DATE, App

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker

    from monitor.settings import Settings
    from reports.letters import LettersResult

STATE_LABELS = {"draft": "draft 草稿", "waiting": "waiting 待回复", "overdue": "OVERDUE 逾期未复",
                "replied": "replied 已回复", "replied-late": "replied late 逾期回复"}


@click.group(invoke_without_command=True)
@click.option("--date", "day", type=DATE, help="Letter date (成文日期) and as-of date [default: today].")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=Path("."), show_default=True,
              help="Folder in which letters-YYYY-MM-DD/ is written.")
@click.pass_context
def letters(ctx: click.Context, day: date | None, out: Path) -> None:
    """Draft the letters a date calls for into letters-YYYY-MM-DD/, numbered in the register.

    提醒函 to towns with red, twice-yellow or stalled projects (督办函 when an issued letter named the same
    project within 45 days), a letter to the finance bureau on money requested but not transferred, and
    催报 to towns that missed the reporting deadline. A project is in one letter per report month;
    rerunning a date rewrites its drafts under the same numbers.

    Example: fundmon letters --date 2023-11-13 --out letters
    """
    if ctx.invoked_subcommand is not None:
        return
    from monitor import queries

    app = ctx.ensure_object(App)
    result = run_letters(app.sessions(), app.settings, day or queries.now().date(), out)
    data = f"data {result.period}" if result.period else "no data yet"
    click.echo(f"Letters of {result.day} ({data}): {len(result.letters)} in {result.folder}/, {result.new} new")
    for row in result.letters:
        click.echo(f"  {row.number}  {row.kind_label}  {row.recipient}  {row.projects} projects  "
                   f"[{row.status}]  {row.file_name}")


@letters.command("list")
@click.option("--status", type=click.Choice(["draft", "issued", "replied"]), help="Only letters in this state.")
@click.option("--as-of", "as_of", type=DATE, help="Judge overdue replies on this date [default: today].")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.pass_obj
def list_(app: App, status: str | None, as_of: date | None, fmt: str) -> None:
    """The letter register: number, date, kind, recipient, projects, reply due, status, overdue.

    Example: fundmon letters list --status issued
    """
    from monitor import queries
    from monitor.letters import register_rows

    with app.sessions()() as session:
        rows = register_rows(session, as_of or queries.now().date(), status=status)
    if fmt == "json":
        click.echo(json.dumps([r.as_json() for r in rows], ensure_ascii=False, indent=1))
        return
    if not rows:
        click.echo("No letters in the register yet (fundmon letters drafts them).")
    for r in rows:
        late = f" {r.days_overdue} days" if r.days_overdue else ""
        click.echo(f"{r.seq:>4}  {r.number}  {r.day}  {r.kind_label}  {r.recipient}  {r.projects} projects  "
                   f"reply due {r.reply_due}  {STATE_LABELS[r.state]}{late}")


@letters.command()
@click.argument("number")
@click.option("--year", type=int, help="Year of the number [default: the latest year in the register].")
@click.option("--date", "day", type=DATE, help="Date it was sent [default: the date the letter bears].")
@click.pass_obj
def issue(app: App, number: str, year: int | None, day: date | None) -> None:
    """Mark letter N (as in 〔2023〕N号) as issued: from now on it counts toward 督办函.

    Example: fundmon letters issue 3 --date 2023-11-13
    """
    from monitor.letters import find_letter, issue_letter

    with app.sessions().begin() as session:
        found = find_letter(session, number, year)
        letter = issue_letter(session, found, day or found.day)  # sent as dated, unless told otherwise
        click.echo(f"{letter.number} ({letter.recipient}) issued on {letter.issued_on}; reply due {letter.reply_due}.")


@letters.command()
@click.argument("number")
@click.option("--date", "day", type=DATE, required=True, help="Date the reply was received.")
@click.option("--year", type=int, help="Year of the number [default: the latest year in the register].")
@click.pass_obj
def reply(app: App, number: str, day: date, year: int | None) -> None:
    """Record the written reply to letter N (as in 〔2023〕N号).

    Example: fundmon letters reply 3 --date 2023-11-20
    """
    from monitor.letters import find_letter, record_reply

    with app.sessions().begin() as session:
        letter = record_reply(session, find_letter(session, number, year), day)
        late = (letter.replied_on - letter.reply_due).days if letter.replied_on else 0
        note = f", {late} days after the due date" if late > 0 else ""
        click.echo(f"{letter.number} ({letter.recipient}) replied on {letter.replied_on}{note}.")


def run_letters(session_factory: sessionmaker[Session], settings: Settings, day: date,
                out_dir: Path) -> LettersResult:
    """The library call behind the command, for the demo (imported late so ``fundmon --help`` stays quick)."""
    from reports.letters import run_letters as run

    return run(session_factory, settings, day, out_dir)


__all__ = ["letters", "run_letters"]
