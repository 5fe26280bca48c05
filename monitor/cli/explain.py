"""`fundmon explain PROJECT`: one project's history month by month, with lights, flags and why."""

from __future__ import annotations

import json
from datetime import date

import click
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from monitor.cli.common import DATE, App, pass_app, pct, wan
from monitor.cli.status import light_text


@click.command()
@click.argument("project")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.option("--as-of", type=DATE, help="Judge as of this date [default: today].")
@pass_app
def explain(app: App, project: str, fmt: str, as_of: date | None) -> None:
    """One project's history month by month: figures, light, flags, why, and the source cells.

    PROJECT is a project code, #id or name.

    Example: fundmon explain XQ2023-LX-006
    """
    from monitor.explain import explain_project

    with app.sessions()() as session:
        data = explain_project(session, app.settings, project, as_of)
    if fmt == "json":
        click.echo(json.dumps(data, ensure_ascii=False, indent=1))
        return
    console = Console(width=max(Console().width, 140))
    console.print(f"[bold]{escape(data['project_name'])}[/bold]  "
                  + escape(f"{data['project_code'] or '(无编号)'}  #{data['project_id']}  {data['town']} "
                           f"{data['village'] or ''}  {data['category'] or ''}"))
    console.print(f"计划开工 {data['planned_start'] or '-'}  计划完工 {data['planned_end'] or '-'}")
    for a in data["allocations"]:
        tail = "" if a["counted"] else "  (提前下达, not counted yet)"
        console.print(f"  下达 {a['fund_year']} {a['batch'] or ''} {a['level'] or ''} {a['doc_no'] or ''}: "
                      f"{wan(a['amount'])}万元, 已支出 {wan(a['spent'])}万元{tail}")
    table = Table(title="逐月情况（万元）")
    for head in ("Period 月份", "Allocated 下达", "Spent 已支出", "Rate 支出率", "Benchmark 序时", "Gap 偏差",
                 "Light 灯", "Status 状态", "Flags / why"):
        table.add_column(head, overflow="fold")
    for m in data["months"]:
        why = "\n".join(f"{f['code']}: {f['why']}" for f in m["flags"]) or "-"
        table.add_row(m["period"], wan(m["allocated"]), wan(m["spent"]), pct(m["spend_rate"]), pct(m["benchmark"]),
                      "" if m["gap"] is None else f"{m['gap'] * 100:.1f}",
                      light_text(m["light"]), m["status"] or "", why)
    console.print(table)
    last = data["months"][-1]
    for reason in last["reasons"]:
        console.print(f"  {reason}")
    for src in last["sources"]:
        console.print(f"  source: {src}")
