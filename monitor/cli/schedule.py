"""`fundmon schedule`: the rhythm in the foreground; `list`, `run JOB [--at DATE]`, `history`."""

from __future__ import annotations

import json
import logging
import signal
import sys
import threading
from datetime import date

import click

from monitor.cli.common import DATE, App, pass_app

JOB_NAMES = ("inbox", "weekly", "monthly")


def _runtime(app: App):  # type: ignore[no-untyped-def]
    from monitor.scheduler.jobs import Runtime

    return Runtime(app.sessions(create=True), app.settings)


def _log_to_terminal(tz: str, level: int) -> None:
    """Job lines on stderr, stamped in the schedule's time zone (the server's may differ)."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    zone = ZoneInfo(tz)
    formatter = logging.Formatter("%(asctime)s %(message)s", "%Y-%m-%d %H:%M:%S")
    formatter.converter = lambda secs: datetime.fromtimestamp(secs, zone).timetuple()  # type: ignore[assignment,method-assign]
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter)
    for name in ("monitor.scheduler", "apscheduler"):
        logger = logging.getLogger(name)
        logger.handlers = [handler]
        logger.setLevel(level)
        logger.propagate = False
    logging.getLogger("apscheduler").setLevel(max(level, logging.WARNING))


@click.group(invoke_without_command=True)
@click.pass_context
def schedule(ctx: click.Context) -> None:
    """Run the rhythm in the foreground until Ctrl-C: inbox every 10 minutes, the weekly dispatch and
    letters (Monday 09:00), the monthly review and 催报 (the 6th, 09:00), Asia/Shanghai.

    Jobs and their next run times are kept in the database; a run missed while the machine was off runs
    once at start. A second `fundmon schedule` on the same database waits as a standby and takes over
    when the first stops. Folders and times come from the settings (schedule.*).

    Example: fundmon schedule
    """
    if ctx.invoked_subcommand is not None:
        return
    from monitor.scheduler.service import Rhythm

    app = ctx.ensure_object(App)
    rt = _runtime(app)
    _log_to_terminal(app.settings["reporting.timezone"], logging.DEBUG if app.debug else logging.INFO)
    _make_folders(app)
    stop = threading.Event()
    for name in ("SIGINT", "SIGTERM", "SIGBREAK"):  # SIGBREAK: Ctrl-Break in a Windows console
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), lambda *_: stop.set())
    click.echo(f"fundmon schedule on {app.db_url} as {rt.runner}; inbox {app.settings['schedule.inbox_dir']}/, "
               f"outputs {app.settings['schedule.out_dir']}/. Ctrl-C stops.", err=True)
    Rhythm(rt, on_state=lambda state, detail: click.echo(f"[{state}] {detail}", err=True)).run(stop)


def _make_folders(app: App) -> None:
    """The inbox and the outputs folder exist from the start, so the clerk sees where files go."""
    from pathlib import Path

    from monitor.errors import UsageError

    for key in ("schedule.inbox_dir", "schedule.out_dir"):
        try:
            Path(app.settings[key]).mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise UsageError(f"{key}: cannot create {app.settings[key]}: {exc.strerror or exc}") from exc


@schedule.command("list")
@pass_app
def list_(app: App) -> None:
    """The jobs, when each runs next, its last run, and which scheduler holds the database.

    Example: fundmon schedule list
    """
    from monitor.scheduler.listing import job_rows

    with app.sessions()() as session:
        rows, holder = job_rows(session, app.settings)
    for row in rows:
        click.echo(f"{row['job']:<8} {row['when']:<14} next {row['next_run'] or '-':<17} "
                   f"last {row['last'] or '-'}  — {row['does']}")
    click.echo(holder)


@schedule.command()
@click.argument("job", type=click.Choice(JOB_NAMES))
@click.option("--at", "day", type=DATE, help="Run as if on this day, at the job's time [default: now].")
@click.option("--force", is_flag=True, help="Run again even if this week's/month's run already finished.")
@pass_app
def run(app: App, job: str, day: date | None, force: bool) -> None:
    """Run one job now, through the same code path and run log as the scheduler.

    Its key (weekly:2023-W44, monthly:2023-10) is claimed first: a week or month that already ran is
    not run again unless --force.

    Example: fundmon schedule run weekly --at 2023-10-30
    """
    from monitor.scheduler.jobs import moment_of, run_job

    rt = _runtime(app)
    _log_to_terminal(app.settings["reporting.timezone"], logging.DEBUG if app.debug else logging.WARNING)
    at = moment_of(rt, job, day) if day else None
    result = run_job(rt, job, at, trigger="manual", force=force)
    if result.outcome == "skipped":
        click.echo(_skipped_line(result.key, result.previous))
        return
    if result.outcome == "deferred":
        click.echo(f"{result.key} deferred: {result.outputs['note']}. The scheduler runs it then "
                   f"(or: fundmon schedule run {job} --at DATE).")
        return
    if result.outcome == "idle":
        click.echo(f"{result.key}: the inbox ({app.settings['schedule.inbox_dir']}/) has no file ready; nothing done.")
        return
    if result.outcome == "failed":
        click.echo(f"{result.key} failed: {result.error} (see fundmon schedule history)", err=True)
        sys.exit(1)
    click.echo(f"{result.key} done:")
    for line in _output_lines(result.outputs):
        click.echo(f"  {line}")


def _skipped_line(key: str, prev) -> str:  # type: ignore[no-untyped-def]
    if prev.outcome == "running":
        return (f"{key} is running now (started {prev.started_at:%Y-%m-%d %H:%M:%S} by {prev.runner}, last "
                f"heartbeat {prev.heartbeat_at or prev.started_at:%H:%M:%S}); nothing done.")
    return (f"{key} already ran ({prev.outcome}, {prev.finished_at or prev.started_at:%Y-%m-%d %H:%M}, "
            f"{prev.runner}); nothing done. --force runs it again.")


def _output_lines(outputs: dict) -> list[str]:
    lines: list[str] = []
    inbox = outputs.get("inbox", outputs)
    for label in ("processed", "rejected", "problem_lists", "waiting"):
        lines += [f"{label}: {p}" for p in inbox.get(label, [])]
    for label in ("dispatch", "review", "letters"):
        lines += [str(p) for p in outputs.get(label, [])]
    if outputs.get("note"):
        lines.append(outputs["note"])
    return lines or ["(nothing written)"]


@schedule.command()
@click.option("--job", type=click.Choice(JOB_NAMES), help="Only this job.")
@click.option("--limit", type=click.IntRange(1, 10000), default=20, show_default=True)
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@pass_app
def history(app: App, job: str | None, limit: int, fmt: str) -> None:
    """The latest runs: key, who ran it, start and end, outcome, outputs and error.

    Example: fundmon schedule history --job weekly
    """
    from monitor.scheduler.listing import history_rows

    with app.sessions()() as session:
        rows = history_rows(session, job, limit)
    if fmt == "json":
        click.echo(json.dumps(rows, ensure_ascii=False, indent=1))
        return
    if not rows:
        click.echo("No runs yet.")
    for r in rows:
        took = f"{r['started_at']} → {r['finished_at'] or '…'}"
        click.echo(f"{r['key']:<24} {r['outcome']:<8} {took}  {r['trigger']} {r['runner']}"
                   + (f"  attempt {r['attempts']}" if r["attempts"] > 1 else ""))
        for line in _output_lines(r["outputs"] or {}) if r["outputs"] else []:
            click.echo(f"    {line}")
        if r["error"]:
            click.echo(f"    error: {r['error']}")


__all__ = ["schedule"]
