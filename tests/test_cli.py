"""The CLI: exit codes, one-line errors, the summary, JSON equal to the library, the installed command."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from monitor.cli.main import cli
from tests.helpers import LX_ROWS, project, town_workbook


@pytest.fixture
def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("FUNDMON_DB", raising=False)
    runner = CliRunner()

    def invoke(*args: str):  # type: ignore[no-untyped-def]
        return runner.invoke(cli, list(args), catch_exceptions=False)

    return invoke


@pytest.fixture
def good(tmp_path: Path) -> Path:
    return town_workbook(tmp_path / "磷溪镇_2023年10月.xlsx", "磷溪镇", "2023-10", LX_ROWS)


@pytest.fixture
def bad(tmp_path: Path) -> Path:
    return town_workbook(tmp_path / "官塘镇_2023年10月.xlsx", "官塘镇", "2023-10",
                         [project("G1", "奕湖村污水治理", 300, "待定", village="奕湖")])


def test_ingest_good_file_exit_0_with_summary(run, good: Path) -> None:
    result = run("ingest", str(good), "--received", "2023-11-03 10:20")
    assert result.exit_code == 0, result.output
    assert "磷溪镇" in result.output and "2023-10" in result.output and "accepted" in result.output
    assert Path("fundmon.db").is_file()


def test_ingest_with_error_findings_exit_3_and_problem_list(run, good: Path, bad: Path) -> None:
    result = run("ingest", str(good), str(bad))
    assert result.exit_code == 3, result.output
    assert "rejected" in result.output and "待定" in result.output
    lists = list(Path("问题清单").glob("*.xlsx"))
    assert [p.name for p in lists] == ["官塘镇_2023年10月_问题清单.xlsx"]
    from openpyxl import load_workbook

    wb = load_workbook(lists[0])
    town_sheet = wb["项目进度"]
    assert town_sheet["J4"].comment is not None and "待定" in town_sheet["J4"].comment.text


def test_check_stores_nothing(run, good: Path, bad: Path) -> None:
    result = run("check", str(bad))
    assert result.exit_code == 3 and "rejected" in result.output and "待定" in result.output
    assert run("check", str(good)).exit_code == 0
    assert "checked" in run("check", str(good)).output
    assert not Path("fundmon.db").exists()


def test_check_knows_the_projects_in_an_existing_database(run, tmp_path: Path) -> None:
    first = town_workbook(tmp_path / "官塘镇_202309.xlsx", "官塘镇", "2023-09",
                          [project("G1", "奕湖村污水治理", 300, 100, village="奕湖")])
    no_allocated = town_workbook(tmp_path / "官塘镇_202310.xlsx", "官塘镇", "2023-10",
                                 [project("G1", "奕湖村污水治理", None, 150, village="奕湖")])
    assert run("check", str(no_allocated)).exit_code == 3  # a new project needs its 下达资金
    assert run("ingest", str(first)).exit_code == 0
    checked = run("check", str(no_allocated))
    assert checked.exit_code == 0 and "checked" in checked.output
    listing = run("submissions", "--format", "json").output
    assert listing.count('"id"') == 1  # check stored nothing


def test_status_json_equals_library(run, good: Path) -> None:
    assert run("ingest", str(good)).exit_code == 0
    result = run("status", "--period", "2023-10", "--format", "json")
    assert result.exit_code == 0
    data = json.loads(result.output)
    from monitor.db import open_database
    from monitor.settings import load_settings
    from monitor.status import build_status

    with open_database("sqlite:///fundmon.db")() as s:
        assert data == json.loads(json.dumps(build_status(s, load_settings(), "2023-10")))
    assert "溪口市场升级改造" in result.output  # UTF-8, not ASCII-escaped


def test_status_csv_and_table(run, good: Path) -> None:
    run("ingest", str(good))
    csv_out = run("status", "--format", "csv", "--period", "2023-10").output.splitlines()
    assert csv_out[0].startswith("project_code,project_name,town") and len(csv_out) == 4
    assert "溪口市场升级改造" in run("status", "--period", "2023-10").output


@pytest.mark.parametrize("args, needle", [
    (("--db", "mysql://nope/x", "status"), "unsupported database"),
    (("--db", "sqlite:////no/such/folder/x.db", "status"), "no database at"),
    (("--db", "sqlite:////no/such/folder/x.db", "ingest", "."), "does not exist"),
    (("--db", "postgresql+psycopg://nobody@127.0.0.1:1/x", "status"), "cannot use database"),
    (("--config", "missing.toml", "status"), "config file not found"),
    (("status", "--period", "2023-13"), "2023-10"),
    (("submissions", "withdraw", "99"), "no submission #99"),
    (("projects", "merge", "1", "2"), "no project #1"),
    (("--db", "sqlite:///", "status"), "in-memory"),
    (("explain", "nothing-like-this"), "no project matches"),
])
def test_usage_config_and_database_errors_exit_2_in_one_line(run, args, needle, good: Path) -> None:
    from monitor.db import open_database

    open_database("sqlite:///fundmon.db")  # an empty database, so the commands get as far as their own checks
    Path("x.xlsx").write_bytes(good.read_bytes())
    result = run(*args)
    assert result.exit_code == 2, result.output
    assert needle in result.output and "Traceback" not in result.output


def test_ingest_refuses_bad_requests_before_reading(run, good: Path, tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    assert "no spreadsheet files" in run("ingest", str(tmp_path / "empty")).output
    Path("afile").write_text("x")
    result = run("ingest", str(good), "--findings-dir", "afile/sub")
    assert result.exit_code == 2 and "cannot write 问题清单" in result.output
    assert not Path("fundmon.db").exists() or "磷溪镇" not in run("submissions").output
    Path("fundmon.toml").write_text('[towns]\nexpected = ["磷溪镇", "官塘镇"]\n', encoding="utf-8")
    result = run("ingest", str(good), "--town", "麟溪镇")
    assert result.exit_code == 2 and "磷溪镇" in result.output


def test_folder_ingest_never_reads_back_its_own_problem_lists(run, tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    town_workbook(inbox / "官塘镇_2023年10月.xlsx", "官塘镇", "2023-10",
                  [project("G1", "奕湖村污水治理", 300, "待定", village="奕湖"),
                   project("G2", "宫头村四小园", 60, 10, village="宫头")])
    assert run("ingest", str(inbox), "--findings-dir", str(inbox / "问题清单")).exit_code == 3
    assert list((inbox / "问题清单").glob("*_问题清单.xlsx"))
    again = run("ingest", str(inbox), "--findings-dir", str(inbox / "问题清单"))
    assert again.exit_code == 3 and "unchanged" in again.output and "待定" in again.output  # findings again
    assert "问题清单.xlsx │" not in again.output and "1 file(s)" in again.output


def test_bad_config_value_exit_2(run) -> None:
    Path("fundmon.toml").write_text('[reporting]\ndeadline_day = "five"\n', encoding="utf-8")
    result = run("status")
    assert result.exit_code == 2 and "deadline_day must be int" in result.output
    Path("fundmon.toml").write_text('[reporting]\ndeadlin_day = 5\n', encoding="utf-8")
    assert "unknown setting" in run("status").output
    for text, needle in (('[reporting]\ndeadline_day = 0\n', "between 1 and 28"),
                         ('[rules]\ngreen_gap = 0.5\nyellow_gap = 0.1\n', "green_gap must not be larger"),
                         ('[reporting]\ntimezone = "Mars/Phobos"\n', "unknown time zone"),
                         ('[rules]\nbenchmark_mode = "weekly"\n', "monthly, daily or targets")):
        Path("fundmon.toml").write_text(text, encoding="utf-8")
        result = run("status")
        assert result.exit_code == 2 and needle in result.output, text


def test_submissions_list_and_withdraw(run, good: Path) -> None:
    run("ingest", str(good), "--received", "2023年11月9日 9:30")
    listing = run("submissions")
    assert listing.exit_code == 0 and "磷溪镇" in listing.output and "late" in listing.output
    assert run("submissions", "withdraw", "1", "--note", "test").exit_code == 0
    assert "withdrawn" in run("submissions", "--format", "json").output
    assert "withdraw" in run("submissions", "log").output


def test_every_command_has_help_with_an_example() -> None:
    import click

    def walk(command: click.Command, path: str) -> None:
        assert command.help and "Example" in command.help or isinstance(command, click.Group), path
        if isinstance(command, click.Group):
            for name, sub in command.commands.items():
                walk(sub, f"{path} {name}")

    walk(cli, "fundmon")


INSTALLED = shutil.which("fundmon", path=str(Path(sys.executable).parent)) or shutil.which("fundmon")


@pytest.mark.skipif(INSTALLED is None, reason="the fundmon script is not installed")
def test_installed_command_runs(tmp_path: Path) -> None:
    result = subprocess.run([str(INSTALLED), "--db", f"sqlite:///{tmp_path / 'x.db'}", "status"],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 2 and "no database at" in result.stderr  # reading never creates a database
    assert not (tmp_path / "x.db").exists()
    module = subprocess.run([sys.executable, "-m", "monitor", "--version"], capture_output=True, text=True)
    assert module.returncode == 0 and "fundmon" in module.stdout


def test_a_file_disagreeing_with_itself_is_settled_by_the_clerk(run) -> None:
    source = Path(__file__).parent / "data" / "title-disagrees_官塘镇_202310.xlsx"
    refused = run("ingest", str(source))
    assert refused.exit_code == 3 and "rejected" in refused.output and "磷溪镇" in refused.output
    settled = run("ingest", str(source), "--town", "官塘镇", "--period", "2023-10")
    assert settled.exit_code == 0, settled.output
    assert "官塘镇" in settled.output and "accepted" in settled.output


def test_a_file_name_with_markup_and_an_escape_sequence_prints_as_text(tmp_path: Path) -> None:
    """A file named like rich markup, holding a terminal escape, is shown as it is: no style, no escape."""
    name = "[bold red]磷溪镇_2023年10月\x1b[31m.xlsx"
    town_workbook(tmp_path / name, "磷溪镇", "2023-10", LX_ROWS)
    result = CliRunner().invoke(cli, ["--db", f"sqlite:///{tmp_path / 'x.db'}", "ingest", str(tmp_path / name)])
    assert result.exit_code == 0, result.output
    assert "\x1b" not in result.output and "[bold" in result.output
    listing = CliRunner().invoke(cli, ["--db", f"sqlite:///{tmp_path / 'x.db'}", "submissions"])
    assert listing.exit_code == 0 and "\x1b" not in listing.output and "[bold" in listing.output
