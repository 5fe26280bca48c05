"""`fundmon schedule` from the command line: the demo's Monday, the foreground process, errors."""

from __future__ import annotations

import json
import os
import queue
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from docx import Document
from openpyxl import load_workbook

from monitor.cli.main import cli


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("demo")
    result = CliRunner().invoke(cli, ["demo", "--out", str(out)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return out / "fundmon.db"


def cells(path: Path) -> dict[str, list[tuple]]:  # type: ignore[type-arg]
    wb = load_workbook(path)
    return {ws.title: [tuple(c.value for c in row) for row in ws.iter_rows()] for ws in wb.worksheets}


def texts(path: Path) -> list[str]:
    doc = Document(str(path))
    return [p.text for p in doc.paragraphs] + [c.text for t in doc.tables for row in t.rows for c in row.cells]


def test_schedule_run_weekly_makes_the_same_pack_as_dispatch(demo_db: Path, tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    a, b = tmp_path / "a.db", tmp_path / "b.db"
    for target in (a, b):  # the demo's last commits may still be in its WAL file: copy through SQLite
        with sqlite3.connect(demo_db) as source, sqlite3.connect(target) as copy:
            source.backup(copy)
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    by_hand = runner.invoke(cli, ["--db", f"sqlite:///{a}", "dispatch", "--date", "2023-10-30", "--out", "byhand"])
    assert by_hand.exit_code == 0, by_hand.output
    scheduled = runner.invoke(cli, ["--db", f"sqlite:///{b}", "schedule", "run", "weekly", "--at", "2023-10-30"])
    assert scheduled.exit_code == 0, scheduled.output
    assert "weekly:2023-W44 done" in scheduled.output
    mine, theirs = Path("outputs/dispatch-2023-W44"), Path("byhand/dispatch-2023-W44")
    assert cells(mine / "调度表.xlsx") == cells(theirs / "调度表.xlsx")
    assert [p.text for p in Document(str(mine / "调度通报.docx")).paragraphs] == \
        [p.text for p in Document(str(theirs / "调度通报.docx")).paragraphs]
    letters = sorted(Path("outputs/letters-2023-10-30").glob("*.docx"))
    assert letters and all(str(p) in scheduled.output for p in letters), scheduled.output
    # the job judges the month once for the pack and the letters: the letters are those drafted by hand after it
    drafted = runner.invoke(cli, ["--db", f"sqlite:///{a}", "letters", "--date", "2023-10-30", "--out", "byhand"])
    assert drafted.exit_code == 0, drafted.output
    assert [p.name for p in letters] == sorted(p.name for p in Path("byhand/letters-2023-10-30").glob("*.docx"))
    for path in letters:
        assert texts(path) == texts(Path("byhand/letters-2023-10-30") / path.name), path.name

    again = runner.invoke(cli, ["--db", f"sqlite:///{b}", "schedule", "run", "weekly", "--at", "2023-11-01"])
    assert again.exit_code == 0 and "weekly:2023-W44 already ran (ok" in again.output
    history = runner.invoke(cli, ["--db", f"sqlite:///{b}", "schedule", "history", "--format", "json"])
    rows = json.loads(history.output)
    assert [(r["key"], r["outcome"], r["trigger"], r["attempts"]) for r in rows] == \
        [("weekly:2023-W44", "ok", "manual", 1)]
    assert rows[0]["outputs"]["dispatch"] == [str(mine / "调度表.xlsx"), str(mine / "调度通报.docx")]
    listing = runner.invoke(cli, ["--db", f"sqlite:///{b}", "schedule", "list"])
    assert listing.exit_code == 0
    assert "weekly   mon 09:00" in listing.output and "last weekly:2023-W44 ok" in listing.output
    assert "No scheduler is running on this database (never started)." in listing.output


@pytest.mark.parametrize(("args", "message"), [
    (["schedule", "run", "yearly"], "Invalid value for '{inbox|weekly|monthly}'"),
    (["schedule", "run", "weekly", "--at", "2023-02-30"], "is not a date"),
    (["schedule", "history", "--limit", "0"], "Invalid value for '--limit'"),
])
def test_bad_command_lines_exit_2(tmp_path: Path, args: list[str], message: str) -> None:
    result = CliRunner().invoke(cli, ["--db", f"sqlite:///{tmp_path / 'x.db'}", *args])
    assert result.exit_code == 2 and message in result.output


def test_no_database_and_bad_schedule_settings_exit_2_with_one_line(tmp_path: Path) -> None:
    missing = CliRunner().invoke(cli, ["--db", f"sqlite:///{tmp_path / 'none.db'}", "schedule", "list"])
    assert missing.exit_code == 2 and missing.output.startswith("Error: no database at")
    config = tmp_path / "fundmon.toml"
    config.write_text('[schedule]\nweekly_time = "9点"\n', encoding="utf-8")
    bad = CliRunner().invoke(cli, ["--config", str(config), "--db", f"sqlite:///{tmp_path / 'x.db'}",
                                   "schedule", "history"])
    assert bad.exit_code == 2 and "schedule.weekly_time" in bad.output and len(bad.output.splitlines()) == 1


def test_history_of_a_new_database(tmp_path: Path) -> None:
    runner = CliRunner()
    url = f"sqlite:///{tmp_path / 'x.db'}"
    assert runner.invoke(cli, ["--db", url, "schedule", "run", "inbox"]).exit_code == 0  # creates it; inbox empty
    result = runner.invoke(cli, ["--db", url, "schedule", "history"])
    assert result.exit_code == 0 and result.output.strip() == "No runs yet."


class Process:
    """`fundmon schedule` in a child process, its stderr lines readable with a timeout."""

    def __init__(self, cwd: Path, url: str) -> None:
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        self.proc = subprocess.Popen([sys.executable, "-m", "monitor", "--db", url, "schedule"], cwd=cwd,
                                     stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True,
                                     encoding="utf-8", env=env)
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            self.lines.put(line)

    def expect(self, text: str, timeout: float = 60) -> None:
        end = time.monotonic() + timeout
        while not any(text in line for line in self.seen):
            try:
                self.seen.append(self.lines.get(timeout=max(0.1, end - time.monotonic())))
            except queue.Empty:
                pass
            if time.monotonic() > end:
                raise AssertionError(f"{text!r} not seen in {self.seen}")

    def terminate(self) -> int:
        self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(60)


@pytest.mark.skipif(sys.platform == "win32", reason="SIGTERM")
def test_the_foreground_scheduler_stands_by_and_takes_over_and_stops_cleanly(tmp_path: Path) -> None:
    (tmp_path / "fundmon.toml").write_text("[schedule]\nlease_seconds = 10\n", encoding="utf-8")
    url = f"sqlite:///{tmp_path / 'fundmon.db'}"
    first = Process(tmp_path, url)
    second = None
    try:
        first.expect("[leading]")
        second = Process(tmp_path, url)
        second.expect("[standby] another scheduler")
        assert first.terminate() == 0
        first.expect("[stopped]")
        second.expect("[leading]", timeout=30)
        assert second.terminate() == 0
    finally:
        for p in (first, second):
            if p is not None and p.proc.poll() is None:
                p.proc.kill()
    assert not any("Traceback" in line for line in first.seen + second.seen)
