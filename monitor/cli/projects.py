"""`fundmon projects candidates / merge`: likely same-project pairs and the alias a person confirms."""

from __future__ import annotations

import click

from monitor.cli.common import App, pass_app


@click.group()
def projects() -> None:
    """Project identity: near-miss names are never merged silently."""


@projects.command()
@click.option("--min-score", default=None, type=float, help="Similarity 0–100 [default: setting].")
@pass_app
def candidates(app: App, min_score: float | None) -> None:
    """Likely same-project pairs with their similarity scores.

    Example: fundmon projects candidates --min-score 85
    """
    from monitor.identity import find_candidates

    score = min_score if min_score is not None else app.settings["identity.candidate_score"]
    with app.sessions()() as session:
        found = find_candidates(session, score)
        if not found:
            click.echo(f"No pairs of project names at or above similarity {score:g}.")
        for c in found:
            click.echo(f"{c.score:5.1f}  {c.town}  #{c.first.id} {c.first.name}  ~  #{c.second.id} {c.second.name}")
        if found:
            click.echo("Confirm a pair with: fundmon projects merge KEEP_ID OTHER_ID")


@projects.command()
@click.argument("keep_id", type=int)
@click.argument("other_id", type=int)
@click.option("--note", help="Why (kept in the corrections log).")
@pass_app
def merge(app: App, keep_id: int, other_id: int, note: str | None) -> None:
    """Confirm that OTHER_ID is the same project as KEEP_ID: its reports move, its name becomes an alias.

    Example: fundmon projects merge 3 17
    """
    from monitor.identity import merge_projects

    with app.sessions().begin() as session:
        keep = merge_projects(session, keep_id, other_id, note)
        click.echo(f"Project #{other_id} merged into #{keep.id} {keep.name}; its name is now an alias.")
