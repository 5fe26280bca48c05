"""The `fundmon` command: a thin click adapter over the monitor, etl and reports libraries."""

from __future__ import annotations

import logging
from pathlib import Path

import click

from monitor import __version__
from monitor.cli.appraisal import appraisal
from monitor.cli.backup import backup, restore
from monitor.cli.common import App, GuardedGroup
from monitor.cli.demo import demo
from monitor.cli.disclose import disclose
from monitor.cli.dispatch import dispatch
from monitor.cli.explain import explain
from monitor.cli.ingest import check, ingest
from monitor.cli.letters import letters
from monitor.cli.projects import projects
from monitor.cli.review import review
from monitor.cli.schedule import schedule
from monitor.cli.status import status
from monitor.cli.submissions import submissions
from monitor.cli.template import template


@click.group(cls=GuardedGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--db", envvar="FUNDMON_DB", help="Database URL [env FUNDMON_DB; default sqlite:///fundmon.db].")
@click.option("--config", type=click.Path(dir_okay=False, path_type=Path),
              help="Settings file [default: ./fundmon.toml when present].")
@click.option("--debug", is_flag=True, help="Show tracebacks and debug logging.")
@click.version_option(__version__, prog_name="fundmon")
@click.pass_context
def cli(ctx: click.Context, db: str | None, config: Path | None, debug: bool) -> None:
    """fundmon — 驻镇帮镇扶村 fund disbursement monitor.

    Ingest towns' monthly spreadsheets, compute spend rates, and report.

    Example: fundmon demo
    """
    logging.basicConfig(level=logging.DEBUG if debug else logging.CRITICAL,
                        format="%(levelname)s %(name)s: %(message)s")
    ctx.obj = App(config=config, db=db, debug=debug)


for command in (demo, ingest, check, status, explain, dispatch, letters, review, template, disclose,
                submissions, projects, schedule, backup, restore, appraisal):
    cli.add_command(command)


def main() -> None:
    cli(prog_name="fundmon")
