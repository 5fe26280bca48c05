"""`fundmon status`: every project and town with figures, lights and flags, as a table, JSON or CSV."""

from __future__ import annotations

import csv
import json
import sys
from datetime import date
from typing import Any

import click
from rich.table import Table

from monitor.cli.common import DATE, PERIOD, App, data_console, pass_app, pct, wan

LIGHT_STYLE = {"red": "bold red", "yellow": "bold yellow", "green": "green"}
LIGHT_LABEL = {"red": "红 red", "yellow": "黄 yellow", "green": "绿 green"}
LIGHT_ORDER = {"red": 0, "yellow": 1, "green": 2, None: 3}

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
@click.option("--by", "by", type=click.Choice(["fund-year", "batch", "level"]),
              help="Progress by money source instead: fund year (当年/结转), batch or level.")
@click.option("--as-of", type=DATE, help="Judge as of this date [default: today].")
@pass_app
def status(app: App, period: str | None, fmt: str, towns_only: bool, by: str | None, as_of: date | None) -> None:
    """Every project and town with figures, lights and flags (red first in the table).

    Example: fundmon status --period 2023-10 --format json > status.json
    """
    from monitor.status import build_status

    with app.sessions()() as session:
        data = build_status(session, app.settings, period, as_of, by=by)
    if by is not None:
        _print_breakdown(data, fmt)
        return
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


def light_text(value: str | None) -> str:
    return f"[{LIGHT_STYLE[value]}]{LIGHT_LABEL[value]}[/]" if value in LIGHT_STYLE else "-"


def thresholds_line(data: dict[str, Any]) -> str:
    t = data["thresholds"]
    return (f"序时进度 {t['benchmark_mode']}; green gap ≤ {t['green_gap'] * 100:g}, yellow ≤ {t['yellow_gap'] * 100:g}"
            f" 个百分点, red above or nothing spent at benchmark ≥ {t['zero_spend_benchmark'] * 100:g}%; as of "
            f"{data['as_of']}")


def _print_breakdown(data: dict[str, Any], fmt: str) -> None:
    rows = data["by"]["rows"]
    if fmt == "json":
        click.echo(json.dumps(data["by"], ensure_ascii=False, indent=1))
        return
    if fmt == "csv":
        write_csv(rows, ("key", "kind", "projects", "allocated", "spent", "spend_rate") if rows and "kind" in rows[0]
                  else ("key", "projects", "allocated", "spent", "spend_rate"))
        return
    table = Table(title=f"按{data['by']['label']} — {data['period']}（万元）")
    for head in (data["by"]["label"], "Projects 项目", "Allocated 下达", "Spent 已支出", "Rate 支出率"):
        table.add_column(head)
    for r in rows:
        key = f"{r['key']} {r.get('kind', '')}".strip()
        table.add_row(key, str(r["projects"]), wan(r["allocated"]), wan(r["spent"]), pct(r["spend_rate"]))
    data_console(80).print(table)


def print_status(data: dict[str, Any]) -> None:
    console = data_console(150)
    if data["period"] is None:
        console.print("No data yet: ingest town submissions first (fundmon ingest PATH).")
        return
    console.print(thresholds_line(data))
    towns = Table(title=f"镇街 Towns — {data['period']}（万元）")
    for head in ("Rank 排名", "Town 镇街", "Projects 项目", "Allocated 下达", "Spent 已支出", "Rate 支出率",
                 "Benchmark 序时", "Light 灯", "R/Y/G", "Submitted 报送"):
        towns.add_column(head, justify="right" if head.split()[0] in {"Rank", "Projects", "Allocated", "Spent",
                                                                      "Rate", "Benchmark"} else "left")
    for t in sorted(data["towns"], key=lambda t: (t["rank"] is None, t["rank"] or 0, t["town"])):
        towns.add_row(str(t["rank"] or "-") + (" ▼" if t.get("bottom_three") else ""), t["town"],
                      str(t["projects"]), wan(t["allocated"]), wan(t["spent"]), pct(t["spend_rate"]),
                      pct(t["benchmark"]), light_text(t["light"]), f"{t['red']}/{t['yellow']}/{t['green']}",
                      "yes" if t["submitted"] else "[bold red]NO 未报[/]")
    console.print(towns)
    projects = Table(title="项目 Projects（万元）")
    for head in ("Town\n镇街", "Project\n项目", "Year\n年度", "Allocated\n下达", "Spent\n已支出", "Rate\n支出率",
                 "Benchmark\n序时", "Light\n灯", "Status\n状态", "Flags\n问题", "Last\n最近"):
        projects.add_column(head, overflow="fold", no_wrap=not head.startswith("Flags"),
                            justify="right" if head.split()[0] in {"Allocated", "Spent", "Rate", "Benchmark"}
                            else "left")
    ordered = sorted(data["projects"], key=lambda p: (LIGHT_ORDER.get(p["light"], 3), -(p["gap"] or 0),
                                                      p["town"], p["project_name"]))
    for p in ordered:
        projects.add_row(p["town"], p["project_name"][:28], str(p["fund_year"] or ""), wan(p["allocated"]),
                         wan(p["spent"]), pct(p["spend_rate"]), pct(p["benchmark"]), light_text(p["light"]),
                         p["status"] or "", "\n".join(p["flags"]), p["last_period"])
    console.print(projects)
