"""`fundmon submissions`: what was received per town and period; withdraw, restore, reassign."""

from __future__ import annotations

import json

import click
from rich.table import Table

from monitor.cli.common import PERIOD, App, data_console, pass_app, shown

#: a backfilled month (汇总台账, no --received) has no receipt time: neither on time nor late
TIMELINESS_LABEL = {"on-time": "on time 按时", "late": "late 逾期", "unknown": "unknown 不详"}
STATUS_LABEL = {"accepted": "accepted 有效", "superseded": "superseded 已被替代", "rejected": "rejected 退回",
                "withdrawn": "withdrawn 已撤回"}


@click.group(invoke_without_command=True)
@click.option("--town", help="Only this town.")
@click.option("--period", type=PERIOD, help="Only this report month.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.pass_context
def submissions(ctx: click.Context, town: str | None, period: str | None, fmt: str) -> None:
    """What was received per town and period (status, superseded, findings).

    Example: fundmon submissions --period 2023-09
    """
    if ctx.invoked_subcommand is not None:
        return
    from monitor.submissions import list_submissions

    app = ctx.ensure_object(App)
    with app.sessions()() as session:
        rows = list_submissions(session, app.settings, town=town, period=period)
    if fmt == "json":
        click.echo(json.dumps(rows, ensure_ascii=False, indent=1))
        return
    table = Table(title="报送情况 Submissions")
    for head in ("#", "Town 镇街", "Period 月份", "File 文件", "Received 接收", "On time 及时", "Status 状态",
                 "Rows 行", "Rejected 退回", "Warnings 警告"):
        table.add_column(head, overflow="fold")
    for r in rows:
        status = STATUS_LABEL.get(r["status"], r["status"])
        if r["superseded_by"]:
            status += f" → #{r['superseded_by']}"
        table.add_row(str(r["id"]), shown(r["town"] or "?"), r["period"] or "?", shown(r["file_name"]),
                      r["received_at"] or "",
                      TIMELINESS_LABEL.get(r["timeliness"], r["timeliness"]), status, str(r["rows_accepted"]),
                      str(r["rows_rejected"]), str(r["warnings"]))
    data_console(150).print(table)


@submissions.command()
@click.argument("submission_id", type=int)
@click.option("--note", help="Why (kept in the corrections log).")
@pass_app
def withdraw(app: App, submission_id: int, note: str | None) -> None:
    """Take a submission back; the version it replaced becomes current again.

    Example: fundmon submissions withdraw 12 --note "镇里报错了月份"
    """
    from monitor.submissions import withdraw as do_withdraw

    with app.sessions().begin() as session:
        sub = do_withdraw(session, submission_id, note)
        click.echo(f"Submission #{sub.id} ({sub.file_name}) withdrawn.")


@submissions.command()
@click.argument("submission_id", type=int)
@click.option("--note", help="Why (kept in the corrections log).")
@pass_app
def restore(app: App, submission_id: int, note: str | None) -> None:
    """Undo a withdrawal.

    Example: fundmon submissions restore 12
    """
    from monitor.submissions import restore as do_restore

    with app.sessions().begin() as session:
        sub = do_restore(session, submission_id, note)
        click.echo(f"Submission #{sub.id} ({sub.file_name}) restored: now {sub.status}.")


@submissions.command()
@click.argument("submission_id", type=int)
@click.option("--town", help="The right town.")
@click.option("--period", type=PERIOD, help="The right report month.")
@click.option("--note", help="Why (kept in the corrections log).")
@pass_app
def reassign(app: App, submission_id: int, town: str | None, period: str | None, note: str | None) -> None:
    """Load a submission's original file again as another town and/or month.

    Example: fundmon submissions reassign 12 --period 2023-09
    """
    from etl.reassign import reassign as do_reassign

    with app.sessions().begin() as session:
        outcome = do_reassign(session, app.settings, submission_id, town=town, period=period, note=note)
        click.echo(f"Submission #{submission_id} reassigned: now #{outcome.submission_id} "
                   f"{outcome.town} {outcome.period} ({outcome.rows_accepted} rows).")


@submissions.command()
@click.option("--limit", default=50, show_default=True)
@pass_app
def log(app: App, limit: int) -> None:
    """The corrections log: every withdraw, restore, reassign and merge.

    Example: fundmon submissions log
    """
    from monitor.submissions import corrections

    with app.sessions()() as session:
        for c in corrections(session, limit):
            click.echo(f"{c.at:%Y-%m-%d %H:%M}  {c.action:<10} #{c.submission_id or ''} "
                       f"project {c.project_id or '-'}  {c.before} → {c.after}  {c.note or ''}  ({c.actor or ''})")
