"""`fundmon status`: every project and town with figures, lights and flags, as a table, JSON or CSV."""

from __future__ import annotations

import csv
import json
import sys
from datetime import date
from typing import Any

import click
from rich.console import Console
from rich.table import Table

from monitor.cli.common import DATE, PERIOD, App, pass_app, pct, wan

PROJECT_COLUMNS = ("project_code", "project_name", "town", "village", "category", "fund_year", "allocated",
                   "requested", "disbursed", "spent", "spend_rate", "benchmark", "gap", "light", "progress",
                   "status", "flags", "last_period")
TOWN_COLUMNS = ("town", "projects", "allocated", "requested", "disbursed", "spent", "spend_rate", "benchmark",
                "gap", "light", "rank", "bottom_three", "green", "yellow", "red", "submitted")


@click.command()
@click.option("--period", type=PERIOD, help="Report month [default: latest month past its deadline].")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table",
              show_default=True, help="Output format.")
@click.option("--towns", "towns_only", is_flag=True, help="CSV: the towns instead of the projects.")
@click.option("--as-of", type=DATE, help="Judge as of this date [default: today].")
@pass_app
def status(app: App, period: str | None, fmt: str, towns_only: bool, as_of: date | None) -> None:
    """Every project and town with figures, lights and flags.

    Example: fundmon status --period 2023-10 --format json > status.json
    """
    from monitor.status import build_status

    with app.sessions()() as session:
        data = build_status(session, app.settings, period, as_of)
    if fmt == "json":
        click.echo(json.dumps(data, ensure_ascii=False, indent=1))
    elif fmt == "csv":
        columns = TOWN_COLUMNS if towns_only else PROJECT_COLUMNS
        write_csv(data["towns"] if towns_only else data["projects"], columns)
    else:
        print_status(data)


def write_csv(rows: list[dict[str, Any]], columns: tuple[str, ...]) -> None:
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow(["|".join(v) if isinstance(v := row.get(c), list) else ("" if v is None else v)
                         for c in columns])


def print_status(data: dict[str, Any]) -> None:
    console = Console(soft_wrap=False, width=max(Console().width, 150))
    if data["period"] is None:
        console.print("No data yet: ingest town submissions first (fundmon ingest PATH).")
        return
    towns = Table(title=f"镇街 Towns — {data['period']}（万元）")
    for head in ("Rank 排名", "Town 镇街", "Projects 项目", "Allocated 下达", "Spent 已支出", "Rate 支出率",
                 "Light 灯", "Submitted 报送"):
        towns.add_column(head, justify="right" if head[0] in "RPAS" and head != "Submitted 报送" else "left")
    for t in sorted(data["towns"], key=lambda t: (t["rank"] is None, t["rank"] or 0, t["town"])):
        towns.add_row(str(t["rank"] or "-") + (" ▼" if t.get("bottom_three") else ""), t["town"],
                      str(t["projects"]), wan(t["allocated"]), wan(t["spent"]), pct(t["spend_rate"]),
                      t["light"] or "", "yes" if t["submitted"] else "NO 未报")
    console.print(towns)
    projects = Table(title="项目 Projects（万元）")
    for head in ("Town 镇街", "Project 项目", "Year 年度", "Allocated 下达", "Spent 已支出", "Rate 支出率",
                 "Light 灯", "Status 状态", "Flags", "Last 最近"):
        projects.add_column(head)
    for p in data["projects"]:
        projects.add_row(p["town"], p["project_name"][:28], str(p["fund_year"] or ""), wan(p["allocated"]),
                         wan(p["spent"]), pct(p["spend_rate"]), p["light"] or "", p["status"] or "",
                         ", ".join(p["flags"]), p["last_period"])
    console.print(projects)
