"""`fundmon demo`: the whole job on the shipped sample data (湘桥区 2023), on a fresh SQLite database."""

from __future__ import annotations

import csv
import shutil
from datetime import date, datetime, timedelta
from importlib import resources
from pathlib import Path

import click

from monitor.cli.common import App, pass_app

DEMO_AS_OF = date(2023, 11, 10)


def sample_root() -> Path:
    """The sample data: the repository's sample_data/ or the copy shipped in the wheel."""
    root = Path(str(resources.files("fundmon_sample_data")))
    if not (root / "manifest.csv").is_file():
        raise click.ClickException(f"sample data not found in {root} (reinstall fundmon)")
    return root


def read_manifest(root: Path) -> list[tuple[Path, datetime]]:
    with (root / "manifest.csv").open(encoding="utf-8-sig", newline="") as fh:
        return [(root / row["path"], datetime.fromisoformat(row["received_at"])) for row in csv.DictReader(fh)]


def demo_settings(root: Path):  # type: ignore[no-untyped-def]
    from monitor.settings import load_settings

    towns: list[str] = []
    with (root / "manifest.csv").open(encoding="utf-8-sig", newline="") as fh:
        for row in csv.DictReader(fh):
            if row["town"] not in towns:
                towns.append(row["town"])
    return load_settings(None, {"towns.expected": towns}) if not Path("fundmon.toml").is_file() \
        else load_settings(Path("fundmon.toml"), {"towns.expected": towns})


@click.command()
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=Path("fundmon-demo"),
              show_default=True, help="Folder for the demo database and outputs (recreated).")
@pass_app
def demo(app: App, out: Path) -> None:
    """Run the whole job on the shipped sample data (湘桥区, March–October 2023).

    Example: fundmon demo --out /tmp/fundmon-demo
    """
    from monitor.cli.status import print_status
    from monitor.db import open_database
    from monitor.status import build_status

    root = sample_root()
    out.mkdir(parents=True, exist_ok=True)
    db_path = out / "fundmon.db"
    for stale in (db_path, out / "fundmon.db-wal", out / "fundmon.db-shm"):
        stale.unlink(missing_ok=True)
    settings = demo_settings(root)
    factory = open_database(f"sqlite:///{db_path.resolve()}")
    findings_dir = out / "问题清单"
    ingest_sample(factory, settings, root, findings_dir)
    with factory() as session:
        print_status(build_status(session, settings, None, DEMO_AS_OF))
    click.echo(f"\nDemo as of {DEMO_AS_OF}: database {db_path}")
    click.echo(f"问题清单 (problem lists sent back to towns): {findings_dir}/")
    for line in write_packs(factory, settings, out):
        click.echo(line)
    click.echo(f"Try: fundmon --db sqlite:///{db_path} status --format json")


def ingest_sample(factory, settings, root: Path, findings_dir: Path) -> None:  # type: ignore[no-untyped-def]
    """The sample files month by month, each with the date it really arrived; one line per file."""
    from etl.pipeline import IngestOptions, ingest_paths
    from monitor.cli.render import write_problem_lists

    if findings_dir.is_dir():
        shutil.rmtree(findings_dir)
    for path, received in read_manifest(root):
        report = ingest_paths(factory, [path], settings, IngestOptions(received_at=received))
        write_problem_lists(report, findings_dir)
        for r in report.results:
            o = r.outcome
            extra = f", {o.rows_rejected} rejected" if o.rows_rejected else ""
            extra += f", supersedes #{o.superseded_id}" if o.superseded_id else ""
            click.echo(f"{received:%Y-%m-%d} {o.town or '?'} {o.period or '?'}: {o.outcome}, "
                       f"{o.rows_accepted} rows{extra}  ({path.name})")


def write_packs(factory, settings, out: Path) -> list[str]:  # type: ignore[no-untyped-def]
    """The bureau's documents as of the demo date; returns where each one is."""
    from monitor.cli.appraisal import run_appraisal
    from monitor.cli.disclose import run_disclose
    from monitor.cli.dispatch import run_dispatch, run_town_dispatches
    from monitor.cli.letters import run_letters
    from monitor.cli.review import run_review
    from monitor.cli.template import run_templates

    run_dispatch(factory, settings, DEMO_AS_OF - timedelta(days=7), out)  # last week's, for 本周变化
    lettered = run_letters(factory, settings, DEMO_AS_OF, out)  # before the dispatch: its 函件跟踪 lists them
    dispatched = run_dispatch(factory, settings, DEMO_AS_OF, out)
    slices = run_town_dispatches(factory, settings, DEMO_AS_OF, out)
    reviewed = run_review(factory, settings, None, DEMO_AS_OF, out)
    templates = run_templates(factory, settings, None, None, out, as_of=DEMO_AS_OF)
    disclosed = run_disclose(factory, settings, None, DEMO_AS_OF, out)
    appraised = run_appraisal(factory, settings, DEMO_AS_OF.year, DEMO_AS_OF, out)
    return [f"周调度 dispatch pack {dispatched.week}: {dispatched.folder}/ (调度表.xlsx, 调度通报.docx)",
            f"分镇街 one slice per town: {dispatched.folder}/<镇街>/ ({len(slices)} towns; fundmon dispatch --town NAME)",
            f"提醒函 letter drafts: {lettered.folder}/ ({len(lettered.paths)} letters; "
            "issue one with: fundmon letters issue N)",
            f"月研判 review pack {reviewed.period}: {reviewed.directory}/ (研判报告.docx, 数据.xlsx, charts)",
            f"报送模板 templates for next month: {templates[0].parent}/ ({len(templates)} towns)",
            f"信息公开 disclosure table: {disclosed[0]}",
            f"年度考核 appraisal {DEMO_AS_OF.year} so far: {appraised.folder}/ (年度考核.xlsx, 年度考核说明.docx)"]
