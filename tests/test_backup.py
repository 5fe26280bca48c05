"""Backups: backup → change → restore gives the earlier state back, also while other connections write."""

from __future__ import annotations

import errno
import os
import sqlite3
import sys
import threading
from datetime import datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import text

from etl.pipeline import IngestOptions, ingest_paths
from monitor.backup import backup_database, inspect_backup, plan_restore, restore_database
from monitor.cli.main import cli
from monitor.db import MIGRATIONS, create_db_engine, current_revision, head_revision, open_database
from monitor.errors import DatabaseError, UsageError
from monitor.settings import load_settings
from tests.helpers import LX_ROWS, project, town_workbook

NOW = datetime(2023, 11, 5, 9, 30, 0)


def db_path(url: str) -> Path:
    return Path(url.removeprefix("sqlite:///"))


def ingest(url: str, path: Path, received: datetime) -> None:
    settings = load_settings(None, {"towns.expected": ["磷溪镇", "官塘镇"]})
    report = ingest_paths(open_database(url), [path], settings, IngestOptions(received_at=received))
    assert report.results[0].outcome.rows_accepted > 0


def dump(path: Path) -> dict[str, list[tuple[object, ...]]]:
    """Every table's rows, in a stable order: what 'the same state' means."""
    conn = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
    try:
        names = [n for (n,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
                                            "AND name NOT LIKE 'sqlite_%' ORDER BY name")]
        return {n: sorted(conn.execute(f'SELECT * FROM "{n}"').fetchall(), key=repr) for n in names}
    finally:
        conn.close()


@pytest.fixture
def loaded(sqlite_url: str, tmp_path: Path) -> str:
    """A database with one town's September file."""
    ingest(sqlite_url, town_workbook(tmp_path / "磷溪镇_2023年9月.xlsx", "磷溪镇", "2023-09", LX_ROWS),
           datetime(2023, 10, 4, 9, 0))
    return sqlite_url


def october(tmp_path: Path) -> Path:
    rows = [project("XQ2023-LX-001", "溪口市场升级改造", 420, 200), *LX_ROWS[1:]]
    return town_workbook(tmp_path / "磷溪镇_2023年10月.xlsx", "磷溪镇", "2023-10", rows)


def test_backup_change_restore_gives_back_the_earlier_state(loaded: str, tmp_path: Path) -> None:
    live = db_path(loaded)
    result = backup_database(loaded, tmp_path, now=NOW)
    assert result.target == tmp_path / "fundmon-20231105-093000.db"
    assert (result.copy.revision, result.copy.submissions) == (head_revision(), 1)
    earlier = dump(live)
    assert dump(result.target) == earlier

    ingest(loaded, october(tmp_path), datetime(2023, 11, 3, 10, 0))
    changed = dump(live)
    assert len(changed["submissions"]) == 2

    plan = plan_restore(loaded, result.target, now=NOW)
    assert plan.current is not None and plan.current.submissions == 2
    assert plan.backup.last_received == datetime(2023, 10, 4, 9, 0)
    assert plan.current.last_received == datetime(2023, 11, 3, 10, 0)
    done = restore_database(plan)
    assert dump(live) == earlier
    assert done.before == tmp_path / "fundmon.db.before-restore-20231105-093000.db"
    assert dump(done.before) == changed  # what was replaced is kept, and opens
    assert inspect_backup(done.before).submissions == 2
    with open_database(loaded)() as session:  # the application reads the restored database
        assert session.execute(text("SELECT count(*) FROM submissions")).scalar() == 1


def add_counter_tables(path: Path, rows: int) -> None:
    """A log and a running total kept equal by every transaction: a torn copy would show them unequal."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("CREATE TABLE t_log (n INTEGER, pad BLOB)")
    conn.execute("CREATE TABLE t_total (v INTEGER)")
    conn.execute("INSERT INTO t_total VALUES (0)")
    conn.execute("BEGIN")
    for i in range(rows):
        conn.execute("INSERT INTO t_log VALUES (?, randomblob(3000))", (i,))
    conn.execute("UPDATE t_total SET v = ?", (rows,))
    conn.execute("COMMIT")
    conn.close()


def counts(path: Path) -> tuple[int, int]:
    conn = sqlite3.connect(path)
    try:
        return (conn.execute("SELECT count(*) FROM t_log").fetchone()[0],
                conn.execute("SELECT v FROM t_total").fetchone()[0])
    finally:
        conn.close()


def test_backup_while_another_connection_writes_is_a_consistent_copy(loaded: str, tmp_path: Path) -> None:
    live = db_path(loaded)
    add_counter_tables(live, 300)
    commits, enough, stop = [0], threading.Event(), threading.Event()

    def writer() -> None:
        conn = sqlite3.connect(live, isolation_level=None, timeout=30)
        while not stop.is_set():
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("INSERT INTO t_log VALUES (-1, randomblob(3000))")
            conn.execute("UPDATE t_total SET v = v + 1")
            conn.execute("COMMIT")
            commits[0] += 1
            if commits[0] >= 25:
                enough.set()
        conn.close()

    thread = threading.Thread(target=writer)
    steps: list[tuple[int, int]] = []

    def progress(done: int, total: int) -> None:
        steps.append((done, total))
        if len(steps) == 1:  # the copy has begun: write while the rest is copied
            thread.start()
            assert enough.wait(60)

    try:
        result = backup_database(loaded, tmp_path / "copy.db", progress=progress, step_pages=16)
    finally:
        stop.set()
        if thread.is_alive():
            thread.join()
    assert len(steps) > 5 and steps[-1][0] == steps[-1][1]
    assert [d for d, _ in steps] == sorted(d for d, _ in steps)  # never restarted
    conn = sqlite3.connect(result.target)
    assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    assert conn.execute("PRAGMA journal_mode").fetchone() == ("delete",)  # one self-contained file
    conn.close()
    assert counts(result.target) == (300, 300)  # the state committed when the copy began
    assert counts(live)[0] == counts(live)[1] >= 325
    assert not list(tmp_path.glob(".copy.db.*"))  # no temporary file left


def lock_holder(live: Path) -> sqlite3.Connection:
    """Another connection in the middle of a write (as an ingest holds lock_for_load)."""
    conn = sqlite3.connect(live, isolation_level=None, check_same_thread=False)
    conn.execute("BEGIN IMMEDIATE")
    conn.execute("INSERT INTO t_log VALUES (-7, NULL)")
    conn.execute("UPDATE t_total SET v = v + 1")
    return conn


def test_restore_waits_for_a_writer_and_keeps_its_work_in_the_before_copy(loaded: str, tmp_path: Path) -> None:
    live = db_path(loaded)
    add_counter_tables(live, 100)
    backup = backup_database(loaded, tmp_path / "b.db").target
    earlier = dump(live)
    plan = plan_restore(loaded, backup, now=NOW)
    holder = lock_holder(live)
    waiting, outcome = threading.Event(), []
    worker = threading.Thread(target=lambda: outcome.append(restore_database(plan, waiting=waiting.set)))
    worker.start()
    assert waiting.wait(60)  # the restore is blocked by the writer
    holder.execute("COMMIT")
    holder.close()
    worker.join()
    assert dump(live) == earlier
    before = outcome[0].before
    assert before is not None and counts(before) == (101, 101)  # the writer's work was saved, not lost


def test_restore_gives_up_clearly_while_a_writer_keeps_the_lock(loaded: str, tmp_path: Path) -> None:
    live = db_path(loaded)
    add_counter_tables(live, 100)
    backup = backup_database(loaded, tmp_path / "b.db").target
    holder = lock_holder(live)
    try:
        with pytest.raises(DatabaseError, match="another process kept writing"):
            restore_database(plan_restore(loaded, backup), wait=0.3)
        result = CliRunner().invoke(cli, ["--db", loaded, "restore", str(backup), "--yes", "--wait", "0.3"])
        assert result.exit_code == 2, result.output
        assert "nothing was restored" in result.output
        holder.execute("COMMIT")
    finally:
        holder.close()
    assert counts(live) == (101, 101)  # the writer's transaction landed; nothing of the restore did
    conn = sqlite3.connect(live)
    assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    conn.close()
    assert not list(tmp_path.glob("fundmon.db.before-restore-*"))


def test_restore_of_an_older_schema_is_upgraded(sqlite_url: str, tmp_path: Path) -> None:
    from alembic import command
    from alembic.config import Config

    old_url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = create_db_engine(old_url)
    with engine.begin() as conn:
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        config.attributes["connection"] = conn
        command.upgrade(config, "0004")
    engine.dispose()
    backup = backup_database(old_url, tmp_path / "old-backup.db").target
    open_database(sqlite_url)  # a current, empty database
    plan = plan_restore(sqlite_url, backup)
    assert plan.upgrade and plan.backup.revision == "0004"
    notes: list[str] = []
    assert restore_database(plan, notify=notes.append).revision == head_revision()
    assert current_revision(create_db_engine(sqlite_url)) == head_revision()
    assert notes and "0004" in notes[0]


def test_restore_creates_a_missing_database(loaded: str, tmp_path: Path) -> None:
    backup = backup_database(loaded, tmp_path / "b.db").target
    new = tmp_path / "new" / "fundmon.db"
    new.parent.mkdir()
    plan = plan_restore(f"sqlite:///{new}", backup)
    assert plan.current is None and plan.before is None
    assert restore_database(plan).before is None
    assert dump(new) == dump(db_path(loaded))


@pytest.fixture
def backup_file(loaded: str, tmp_path: Path) -> Path:
    return backup_database(loaded, tmp_path / "b.db").target


def test_refuses_files_that_are_not_fundmon_databases(loaded: str, backup_file: Path, tmp_path: Path) -> None:
    notes = tmp_path / "notes.db"
    notes.write_text("这不是数据库" * 200, encoding="utf-8")
    with pytest.raises(UsageError, match="not a SQLite database"):
        plan_restore(loaded, notes)
    other = tmp_path / "other.db"
    sqlite3.connect(other).executescript("CREATE TABLE x (a); INSERT INTO x VALUES (1);")
    with pytest.raises(UsageError, match="not a fundmon database"):
        plan_restore(loaded, other)
    damaged = tmp_path / "damaged.db"
    data = bytearray(backup_file.read_bytes())
    data[4096 * 3:4096 * 6] = b"\xff" * 4096 * 3
    damaged.write_bytes(bytes(data))
    with pytest.raises(DatabaseError, match="integrity"):
        plan_restore(loaded, damaged)
    with pytest.raises(UsageError, match="no backup file"):
        plan_restore(loaded, tmp_path / "missing.db")


def test_refuses_a_backup_from_a_newer_schema(loaded: str, backup_file: Path) -> None:
    conn = sqlite3.connect(backup_file)
    conn.execute("UPDATE alembic_version SET version_num = '9999'")
    conn.commit()
    conn.close()
    before = dump(db_path(loaded))
    with pytest.raises(UsageError, match="newer fundmon"):
        plan_restore(loaded, backup_file)
    result = CliRunner().invoke(cli, ["--db", loaded, "restore", str(backup_file), "--yes"])
    assert result.exit_code == 2 and "schema version 9999" in result.output
    assert dump(db_path(loaded)) == before


def test_existing_target_needs_force(loaded: str, backup_file: Path, tmp_path: Path) -> None:
    backup_file.write_bytes(b"keep me")
    with pytest.raises(UsageError, match="--force"):
        backup_database(loaded, backup_file)
    assert backup_file.read_bytes() == b"keep me"
    result = CliRunner().invoke(cli, ["--db", loaded, "backup", str(backup_file)])
    assert result.exit_code == 2 and "--force" in result.output
    result = CliRunner().invoke(cli, ["--db", loaded, "backup", str(backup_file), "--force"])
    assert result.exit_code == 0, result.output
    assert inspect_backup(backup_file).submissions == 1
    with pytest.raises(UsageError, match="live database itself"):
        backup_database(loaded, db_path(loaded), force=True)


def test_backup_of_a_missing_database_or_into_a_missing_folder(sqlite_url: str, tmp_path: Path) -> None:
    with pytest.raises(DatabaseError, match="no database"):
        backup_database(sqlite_url, tmp_path)
    open_database(sqlite_url)
    with pytest.raises(UsageError, match="folder does not exist"):
        backup_database(sqlite_url, tmp_path / "nowhere" / "b.db")


@pytest.fixture
def at_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """CliRunner's stdin is no terminal: let the question be asked as at a console."""
    monkeypatch.setattr("monitor.cli.backup._at_terminal", lambda: True)


def test_declining_the_confirmation_changes_nothing(loaded: str, backup_file: Path, tmp_path: Path,
                                                    at_terminal: None) -> None:
    ingest(loaded, october(tmp_path), datetime(2023, 11, 3, 10, 0))
    before = dump(db_path(loaded))
    result = CliRunner().invoke(cli, ["--db", loaded, "restore", str(backup_file)], input="n\n")
    assert result.exit_code == 0 and "Nothing restored" in result.output
    assert "Everything loaded after the backup was taken is replaced. Replace the database" in result.output
    assert "2 submissions, last received 2023-11-03 10:00" in result.output  # what would be replaced
    assert "1 submissions, last received 2023-10-04 09:00" in result.output  # by what
    assert "Nothing restored" in result.output
    assert dump(db_path(loaded)) == before
    assert not list(tmp_path.glob("fundmon.db.before-restore-*"))


def test_cli_backup_to_a_folder_then_restore(loaded: str, tmp_path: Path, at_terminal: None) -> None:
    runner = CliRunner()
    out = tmp_path / "backups"
    out.mkdir()
    result = runner.invoke(cli, ["--db", loaded, "backup", str(out)])
    assert result.exit_code == 0, result.output
    (copy,) = out.glob("fundmon-*.db")
    assert f"Backed up to {copy}" in result.output and "integrity ok" in result.output
    earlier = dump(db_path(loaded))
    ingest(loaded, october(tmp_path), datetime(2023, 11, 3, 10, 0))
    result = runner.invoke(cli, ["--db", loaded, "restore", str(copy)], input="y\n")
    assert result.exit_code == 0, result.output
    assert "Restored" in result.output and "before-restore" in result.output
    assert dump(db_path(loaded)) == earlier
    (saved,) = tmp_path.glob("fundmon.db.before-restore-*.db")
    assert inspect_backup(saved).submissions == 2


def test_restore_without_a_terminal_needs_yes(loaded: str, backup_file: Path, tmp_path: Path) -> None:
    """No terminal (cron, a pipe, < /dev/null) and no --yes: one line saying so, exit 2, nothing read or changed."""
    ingest(loaded, october(tmp_path), datetime(2023, 11, 3, 10, 0))
    before = dump(db_path(loaded))
    for given in (None, "y\n"):  # an answer waiting on stdin is not a person's answer
        result = CliRunner().invoke(cli, ["--db", loaded, "restore", str(backup_file)], input=given)
        assert result.exit_code == 2, result.output
        assert result.output.strip().splitlines() == [
            "Error: not run at a terminal, so nobody can answer the question: add --yes to restore"]
    assert dump(db_path(loaded)) == before
    assert not list(tmp_path.glob("fundmon.db.before-restore-*"))
    result = CliRunner().invoke(cli, ["--db", loaded, "restore", str(backup_file), "--yes"])
    assert result.exit_code == 0 and "Restored" in result.output, result.output


@pytest.mark.parametrize("sep", sorted({os.sep, os.altsep or os.sep}))
def test_a_trailing_separator_names_a_folder_that_must_exist(loaded: str, tmp_path: Path, sep: str,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """`backup bk/` with no folder bk (an unmounted USB drive) must not write a file named bk, nor make the folder."""
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["--db", loaded, "backup", f"bk{sep}"])
    assert result.exit_code == 2, result.output
    assert result.output.strip().splitlines() == [f"Error: folder does not exist: {tmp_path / 'bk'}"]
    assert not (tmp_path / "bk").exists()
    with pytest.raises(UsageError, match="folder does not exist"):
        backup_database(loaded, str(tmp_path / "usb") + sep)
    assert not (tmp_path / "usb").exists()
    (tmp_path / "notes.txt").write_text("x")
    result = CliRunner().invoke(cli, ["--db", loaded, "backup", f"notes.txt{sep}"])
    assert result.exit_code == 2 and "Error: not a folder:" in result.output
    assert (tmp_path / "notes.txt").read_text() == "x"
    (tmp_path / "bk").mkdir()  # the folder is there: the copy goes into it, named by the time
    result = CliRunner().invoke(cli, ["--db", loaded, "backup", f"bk{sep}"])
    assert result.exit_code == 0, result.output
    (copy,) = (tmp_path / "bk").glob("fundmon-*.db")
    assert f"Backed up to {copy}" in result.output
    assert backup_database(loaded, "plain.db").target == tmp_path / "plain.db"  # no separator: a file name


def test_a_file_system_error_is_one_line_and_leaves_no_temporary_file(loaded: str, tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "usb"
    out.mkdir()

    def full(path: Path) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("monitor.backup._fsync", full)
    with pytest.raises(UsageError, match=f"cannot write {out / 'b.db'}: No space left on device"):
        backup_database(loaded, out / "b.db")
    result = CliRunner().invoke(cli, ["--db", loaded, "backup", str(out / "b.db")])
    assert result.exit_code == 2, result.output
    assert result.output.strip().splitlines() == [f"Error: cannot write {out / 'b.db'}: No space left on device"]
    assert list(out.iterdir()) == []  # neither the copy nor its temporary file


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="/proc takes no new files on Linux only")
def test_backup_into_a_place_that_takes_no_files(loaded: str) -> None:
    result = CliRunner().invoke(cli, ["--db", loaded, "backup", "/proc/x.db"])
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: cannot write /proc/x.db: ")
    assert "Internal error" not in result.output


@pytest.mark.parametrize("command", ["backup", "restore"])
def test_postgresql_is_pointed_to_pg_dump(command: str, tmp_path: Path) -> None:
    url = "postgresql+psycopg://clerk:secret@db.example:5433/fundmon"
    result = CliRunner().invoke(cli, ["--db", url, command, str(tmp_path / "x.dump")])
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "README" in lines[0] and "secret" not in lines[0]
    tool = "pg_dump -Fc" if command == "backup" else "pg_restore --clean"
    assert tool in lines[0] and "-h db.example -p 5433 -U clerk -d fundmon" in lines[0]


def test_help_has_examples() -> None:
    for command in ("backup", "restore"):
        result = CliRunner().invoke(cli, [command, "--help"])
        assert result.exit_code == 0 and "Example" in result.output and f"fundmon {command} " in result.output
