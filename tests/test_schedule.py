"""The rhythm: jobs under their keys, the scheduler on an injected clock, standby and takeover, the inbox."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from etl.pipeline import IngestOptions, ingest_paths
from monitor.db import open_database
from monitor.scheduler import jobs as jobs_module
from monitor.scheduler.jobs import Runtime, run_job
from monitor.scheduler.service import Rhythm
from monitor.schema import RunLog, Submission
from monitor.settings import load_settings
from tests.helpers import LX_ROWS, project, town_workbook

SH = ZoneInfo("Asia/Shanghai")
TOWNS = ["磷溪镇", "官塘镇"]


class FakeClock:
    """A clock that starts where a test puts it and then runs with real time."""

    def __init__(self, start: datetime) -> None:
        self.set(start)

    def set(self, moment: datetime) -> None:
        self.offset = moment - datetime.now(UTC)

    def __call__(self) -> datetime:
        return (datetime.now(UTC) + self.offset).astimezone(SH)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> FakeClock:
    """The injected clock, also APScheduler's (it reads datetime.now in its scheduler and executor)."""
    import apscheduler.executors.base as executor_base
    import apscheduler.schedulers.base as scheduler_base

    fake = FakeClock(datetime(2023, 10, 30, 8, 0, tzinfo=SH))

    class FakeDatetime(datetime):
        @classmethod
        def now(cls, tz=None):  # type: ignore[no-untyped-def,override]
            moment = fake()
            return moment.astimezone(tz) if tz else moment.replace(tzinfo=None)

    monkeypatch.setattr(scheduler_base, "datetime", FakeDatetime)
    monkeypatch.setattr(executor_base, "datetime", FakeDatetime)
    return fake


def settings_for(root: Path, **extra: object):  # type: ignore[no-untyped-def]
    values = {"towns.expected": TOWNS, "schedule.inbox_dir": str(root / "inbox"),
              "schedule.processed_dir": str(root / "processed"), "schedule.rejected_dir": str(root / "rejected"),
              "schedule.out_dir": str(root / "outputs"), "schedule.inbox_settle_seconds": 0,
              "ingest.findings_dir": str(root / "问题清单")}
    values.update(extra)
    return load_settings(None, values)


def load_september(factory, settings, root: Path) -> None:  # type: ignore[no-untyped-def]
    """Two towns' September reports, received on time; 仙田村道路 (nothing spent) makes 磷溪镇 red."""
    files = [town_workbook(root / "磷溪镇_2023年9月.xlsx", "磷溪镇", "2023-09", LX_ROWS),
             town_workbook(root / "官塘镇_2023年9月.xlsx", "官塘镇", "2023-09",
                           [project("XQ2023-GT-001", "官塘村道路", 200, 180)])]
    ingest_paths(factory, files, settings, IngestOptions(received_at=datetime(2023, 10, 3, 10)))


def runs(factory) -> dict[str, RunLog]:  # type: ignore[no-untyped-def]
    with factory() as session:
        return {r.key: r for r in session.scalars(select(RunLog))}


def wait_for(condition: Callable[[], bool], timeout: float = 90) -> None:
    end = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > end:
            raise AssertionError("timed out waiting")
        time.sleep(0.1)


class Running:
    """A Rhythm on its own thread, stopped (and joined) on exit."""

    def __init__(self, rt: Runtime, lease_seconds: float = 2) -> None:
        self.rhythm = Rhythm(rt, lease_seconds=lease_seconds, poll_seconds=0.2, on_state=lambda *_: None)
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.rhythm.run, args=(self.stop,), daemon=True)

    def __enter__(self) -> Rhythm:
        self.thread.start()
        return self.rhythm

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join(60)
        assert not self.thread.is_alive()


@pytest.fixture
def setup(db_url: str, tmp_path: Path) -> Iterator[tuple]:  # type: ignore[type-arg]
    factory = open_database(db_url)
    settings = settings_for(tmp_path)
    load_september(factory, settings, tmp_path)
    yield factory, settings, tmp_path
    factory.kw["bind"].dispose()


def test_a_monday_run_fired_by_the_scheduler_writes_the_pack_and_letters(setup, clock: FakeClock) -> None:
    factory, settings, root = setup
    clock.set(datetime(2023, 10, 30, 8, 59, 57, tzinfo=SH))
    rt = Runtime(factory, settings, clock=clock)
    with Running(rt) as rhythm:
        wait_for(lambda: rhythm.state == "leading")
        assert runs(factory) == {}  # not before 09:00
        wait_for(lambda: runs(factory).get("weekly:2023-W44") is not None
                 and runs(factory)["weekly:2023-W44"].outcome != "running")
    run = runs(factory)["weekly:2023-W44"]
    assert run.outcome == "ok", run.error
    assert run.at == datetime(2023, 10, 30, 9, 0) and run.trigger == "scheduler"
    pack = root / "outputs" / "dispatch-2023-W44"
    assert (pack / "调度表.xlsx").is_file() and (pack / "调度通报.docx").is_file()
    letters = sorted((root / "outputs" / "letters-2023-10-30").glob("*.docx"))
    assert [p.name for p in letters if "磷溪镇" in p.name], letters  # the red town got its 提醒函
    assert {str(p) for p in letters} <= set(run.outputs["letters"])
    assert run.outputs["period"] == "2023-09" and run.finished_at >= run.started_at


def test_a_restart_after_missed_runs_runs_each_once(setup, clock: FakeClock) -> None:
    factory, settings, root = setup
    clock.set(datetime(2023, 10, 27, 12, 0, tzinfo=SH))  # a Friday: the scheduler starts, stores its jobs
    with Running(Runtime(factory, settings, clock=clock)) as rhythm:
        wait_for(lambda: rhythm.state == "leading")
    assert runs(factory) == {}
    # the machine was off over two Mondays (30 Oct, 6 Nov) and the 6th: back on Wednesday 8 November
    clock.set(datetime(2023, 11, 8, 10, 0, tzinfo=SH))
    with Running(Runtime(factory, settings, clock=clock)) as rhythm:
        wait_for(lambda: rhythm.state == "leading")
        wait_for(lambda: {k: r.outcome for k, r in runs(factory).items()}
                 == {"weekly:2023-W45": "ok", "monthly:2023-10": "ok"})
        time.sleep(1)  # nothing more comes
    logged = runs(factory)
    assert set(logged) == {"weekly:2023-W45", "monthly:2023-10"}
    assert all(r.attempts == 1 for r in logged.values())
    assert (root / "outputs" / "dispatch-2023-W45" / "调度表.xlsx").is_file()
    assert logged["monthly:2023-10"].outputs["review"] == []  # no October reports: 催报 instead of a review
    assert any("催报" in p for p in logged["monthly:2023-10"].outputs["letters"])
    # and a third start the same day finds nothing due
    with Running(Runtime(factory, settings, clock=clock)) as rhythm:
        wait_for(lambda: rhythm.state == "leading")
        time.sleep(1)
    assert runs(factory).keys() == logged.keys()


def test_a_second_scheduler_stands_by_and_takes_over(setup) -> None:
    factory, settings, _ = setup
    first, second = Runtime(factory, settings), Runtime(factory, settings)
    a = Running(first)
    with a as leader:
        wait_for(lambda: leader.state == "leading")
        with Running(second) as standby:
            wait_for(lambda: standby.state == "standby")
            time.sleep(1.5)  # several polls and renewals later, still one scheduler
            assert (leader.state, standby.state) == ("leading", "standby")
            # both try the same week at once: one runs it
            at = datetime(2023, 10, 30, 9, 0)
            results: list[str] = []
            threads = [threading.Thread(target=lambda rt=rt: results.append(run_job(rt, "weekly", at).outcome))
                       for rt in (first, second)]
            for t in threads:
                t.start()
            for t in threads:
                t.join(120)
            assert sorted(results) == ["ok", "skipped"]
            a.stop.set()
            a.thread.join(60)
            wait_for(lambda: standby.state == "leading", timeout=20)
            assert leader.state == "stopped"
    assert [r.attempts for r in runs(factory).values()] == [1]


def test_a_dead_schedulers_lease_expires_and_a_standby_takes_over(setup) -> None:
    factory, settings, _ = setup
    with Running(Runtime(factory, settings)) as dead:
        wait_for(lambda: dead.state == "leading")
        dead.abandon()  # stops without releasing its lease, like a killed process
        wait_for(lambda: dead.state == "stopped", timeout=20)
    with Running(Runtime(factory, settings)) as heir:
        wait_for(lambda: heir.state == "standby", timeout=5)
        wait_for(lambda: heir.state == "leading", timeout=20)  # once the 2-second lease has run out


def test_a_failed_run_is_logged_and_the_next_attempt_may_run_it(setup, monkeypatch) -> None:
    factory, settings, root = setup
    rt = Runtime(factory, settings)
    at = datetime(2023, 10, 30, 9, 0)

    def broken(rt: Runtime, at: datetime) -> dict:  # type: ignore[type-arg]
        raise OSError("disk full")

    monkeypatch.setitem(jobs_module.BODIES, "weekly", broken)
    result = run_job(rt, "weekly", at)
    assert result.outcome == "failed" and "disk full" in (result.error or "")
    assert runs(factory)["weekly:2023-W44"].outcome == "failed"
    monkeypatch.undo()
    assert run_job(rt, "weekly", at).outcome == "ok"
    assert run_job(rt, "weekly", at + timedelta(days=2)).outcome == "skipped"  # same week
    assert run_job(rt, "weekly", at, force=True).outcome == "ok"
    assert runs(factory)["weekly:2023-W44"].attempts == 3


def age(factory, key: str, minutes: int) -> None:  # type: ignore[no-untyped-def]
    """Make a run's heartbeat (and start) ``minutes`` older, as if its process had stopped beating."""
    with factory() as session:
        row = session.scalar(select(RunLog).where(RunLog.key == key))
        row.started_at -= timedelta(minutes=minutes)
        row.heartbeat_at -= timedelta(minutes=minutes)
        session.commit()


def test_a_run_left_running_by_a_dead_process_is_taken_over_only_once_its_heartbeat_stops(setup) -> None:
    from monitor.scheduler import runlog

    factory, settings, _ = setup
    at = datetime(2023, 10, 30, 9, 0)
    assert runlog.claim(factory, "weekly:2023-W44", "weekly", at, runner="gone:1", trigger="scheduler").run
    rt = Runtime(factory, settings)
    assert run_job(rt, "weekly", at).outcome == "skipped"  # it may still be running
    assert run_job(rt, "weekly", at, force=True).outcome == "skipped"  # not even forced
    age(factory, "weekly:2023-W44", 1)
    assert run_job(rt, "weekly", at).outcome == "skipped"  # one minute without a heartbeat: still alive
    age(factory, "weekly:2023-W44", 2)
    assert run_job(rt, "weekly", at).outcome == "ok"
    assert runs(factory)["weekly:2023-W44"].attempts == 2


def test_a_slow_run_keeps_its_heartbeat_so_nobody_takes_it_over(setup, monkeypatch) -> None:
    from monitor.scheduler import runlog

    factory, settings, _ = setup
    monkeypatch.setattr(runlog, "HEARTBEAT", timedelta(seconds=0.2))
    monkeypatch.setattr(runlog, "DEAD_AFTER", timedelta(seconds=1))
    started, release = threading.Event(), threading.Event()

    def slow(rt: Runtime, at: datetime) -> dict:  # type: ignore[type-arg]
        started.set()
        release.wait(30)
        return {}

    monkeypatch.setitem(jobs_module.BODIES, "weekly", slow)
    rt = Runtime(factory, settings)
    at = datetime(2023, 10, 30, 9, 0)
    first = threading.Thread(target=run_job, args=(rt, "weekly", at))
    first.start()
    started.wait(30)
    time.sleep(2.5)  # longer than DEAD_AFTER: only the heartbeat keeps it alive
    assert run_job(Runtime(factory, settings), "weekly", at).outcome == "skipped"
    release.set()
    first.join(30)
    assert runs(factory)["weekly:2023-W44"].outcome == "ok"


def test_catch_up_reruns_an_interrupted_run_for_its_own_day(setup) -> None:
    from monitor.scheduler import runlog
    from monitor.scheduler.jobs import catch_up

    factory, settings, root = setup
    monday = datetime(2023, 10, 30, 9, 0)
    runlog.claim(factory, "weekly:2023-W44", "weekly", monday, runner="killed:9", trigger="scheduler")
    age(factory, "weekly:2023-W44", 5)
    clock = FakeClock(datetime(2023, 10, 31, 11, 0, tzinfo=SH))
    [result] = catch_up(Runtime(factory, settings, clock=clock))
    assert result.outcome == "ok" and result.key == "weekly:2023-W44"
    run = runs(factory)["weekly:2023-W44"]
    assert (run.trigger, run.attempts, run.at) == ("retry", 2, monday)
    assert (root / "outputs" / "letters-2023-10-30").is_dir()  # the pack of the Monday it stands for
    assert catch_up(Runtime(factory, settings, clock=clock)) == []


def test_catch_up_retries_a_failed_run_up_to_three_attempts(setup, monkeypatch) -> None:
    from monitor.scheduler.jobs import catch_up

    factory, settings, _ = setup
    clock = FakeClock(datetime(2023, 10, 30, 9, 0, tzinfo=SH))
    rt = Runtime(factory, settings, clock=clock)

    def broken(rt: Runtime, at: datetime) -> dict:  # type: ignore[type-arg]
        raise OSError("disk full")

    monkeypatch.setitem(jobs_module.BODIES, "weekly", broken)
    assert run_job(rt, "weekly").outcome == "failed"
    assert [r.outcome for r in catch_up(rt)] == ["failed"]
    assert [r.outcome for r in catch_up(rt)] == ["failed"]
    assert catch_up(rt) == []  # three attempts: left for a person (schedule history shows it)
    monkeypatch.undo()
    assert catch_up(rt) == [] and run_job(rt, "weekly").outcome == "ok"
    assert runs(factory)["weekly:2023-W44"].attempts == 4


def test_the_monthly_run_waits_for_a_deadline_moved_by_holidays(setup) -> None:
    from monitor.scheduler.jobs import catch_up

    factory, _, root = setup
    holidays = [f"2023-10-0{d}" for d in range(2, 7)]  # 国庆: September's reports are due on 9 October
    settings = settings_for(root, **{"reporting.holidays": holidays})
    clock = FakeClock(datetime(2023, 10, 6, 9, 0, tzinfo=SH))
    rt = Runtime(factory, settings, clock=clock)
    result = run_job(rt, "monthly")
    assert result.outcome == "deferred" and "2023-10-09" in result.outputs["note"]
    assert not (root / "outputs" / "review-2023-09").exists()
    for moment in (datetime(2023, 10, 9, 10, 0), datetime(2023, 10, 10, 8, 0)):  # deadline day; before 09:00
        clock.set(moment.replace(tzinfo=SH))
        assert catch_up(rt) == []
    clock.set(datetime(2023, 10, 10, 9, 5, tzinfo=SH))
    [done] = catch_up(rt)
    assert done.outcome == "ok" and done.key == "monthly:2023-09"
    assert (root / "outputs" / "review-2023-09" / "研判报告.docx").is_file()
    assert runs(factory)["monthly:2023-09"].trigger == "catch-up"


def test_a_restarted_scheduler_reruns_the_week_its_killed_predecessor_left_half_done(setup, clock) -> None:
    from monitor.scheduler import runlog

    factory, settings, root = setup
    clock.set(datetime(2023, 10, 30, 9, 3, tzinfo=SH))
    runlog.claim(factory, "weekly:2023-W44", "weekly", datetime(2023, 10, 30, 9, 0), runner="killed:9",
                 trigger="scheduler")
    age(factory, "weekly:2023-W44", 3)
    with Running(Runtime(factory, settings, clock=clock)) as rhythm:
        wait_for(lambda: rhythm.state == "leading")
        wait_for(lambda: runs(factory)["weekly:2023-W44"].outcome == "ok")
    assert runs(factory)["weekly:2023-W44"].attempts == 2
    assert (root / "outputs" / "dispatch-2023-W44" / "调度表.xlsx").is_file()


# --- the inbox ---------------------------------------------------------------------------------------------

def submission_count(factory) -> int:  # type: ignore[no-untyped-def]
    with factory() as session:
        return session.scalar(select(func.count()).select_from(Submission))


def test_the_inbox_moves_good_and_bad_files_and_takes_nothing_twice(db_url: str, tmp_path: Path) -> None:
    factory = open_database(db_url)
    settings = settings_for(tmp_path)
    inbox = tmp_path / "inbox"
    (inbox / "官塘镇").mkdir(parents=True)
    good = town_workbook(inbox / "磷溪镇_2023年10月.xlsx", "磷溪镇", "2023-10", LX_ROWS)
    (inbox / "磷溪镇10月(再次发送).xlsx").write_bytes(good.read_bytes())  # the same file under another name
    town_workbook(inbox / "官塘镇" / "官塘镇_2023年10月.xlsx", "官塘镇", "2023-10",
                  [project("XQ2023-GT-001", "官塘村道路", 200, 190)])
    (inbox / "意溪镇10月.xlsx").write_bytes(b"this is not a workbook")
    (inbox / "说明.pdf").write_bytes(b"%PDF-1.4")
    (inbox / "~$磷溪镇_2023年10月.xlsx").write_bytes(b"lock")  # Excel's lock file while a person has it open
    (inbox / "正在复制.xlsx.part").write_bytes(b"half")
    outside = tmp_path / "elsewhere.xlsx"
    outside.write_bytes(good.read_bytes())
    (inbox / "link.xlsx").symlink_to(outside)
    rt = Runtime(factory, settings)
    at = datetime(2023, 11, 3, 10, 20)

    result = run_job(rt, "inbox", at)

    assert result.outcome == "ok", result.error
    day = tmp_path / "processed" / "2023-11-03"
    assert sorted(p.relative_to(day).as_posix() for p in day.rglob("*.xlsx")) == [
        "官塘镇/官塘镇_2023年10月.xlsx", "磷溪镇10月(再次发送).xlsx", "磷溪镇_2023年10月.xlsx"]
    rejected = tmp_path / "rejected"
    names = sorted(p.name for p in rejected.iterdir())
    assert "意溪镇10月.xlsx" in names and "说明.pdf" in names
    assert any("问题清单" in n for n in names)  # beside the refused workbook
    left = sorted(p.name for p in inbox.rglob("*") if p.is_file() or p.is_symlink())
    assert left == ["link.xlsx", "~$磷溪镇_2023年10月.xlsx", "正在复制.xlsx.part"]
    assert outside.is_file()  # the link was not followed, its target not moved
    assert any(str(inbox / "link.xlsx") == p for p in result.outputs["ignored"])
    with factory() as session:
        subs = session.scalars(select(Submission).order_by(Submission.id)).all()
        accepted = [s for s in subs if s.status == "accepted"]
        assert len(accepted) == 2 and {s.received_at for s in accepted} == {at}
    count = submission_count(factory)

    again = run_job(rt, "inbox", at + timedelta(minutes=10))
    assert again.outcome == "idle" and submission_count(factory) == count


def test_a_file_loaded_but_not_moved_before_a_crash_is_moved_next_time_not_loaded_twice(
        db_url: str, tmp_path: Path) -> None:
    factory = open_database(db_url)
    settings = settings_for(tmp_path)
    (tmp_path / "inbox").mkdir()
    path = town_workbook(tmp_path / "inbox" / "磷溪镇_2023年10月.xlsx", "磷溪镇", "2023-10", LX_ROWS)
    ingest_paths(factory, [path], settings, IngestOptions(received_at=datetime(2023, 11, 3, 10, 20)))
    count = submission_count(factory)
    result = run_job(Runtime(factory, settings), "inbox", datetime(2023, 11, 3, 10, 30))
    assert result.outcome == "ok" and submission_count(factory) == count
    assert (tmp_path / "processed" / "2023-11-03" / path.name).is_file() and not path.exists()


def test_a_file_still_being_copied_waits(sqlite_url: str, tmp_path: Path) -> None:
    factory = open_database(sqlite_url)
    settings = settings_for(tmp_path, **{"schedule.inbox_settle_seconds": 3600})
    (tmp_path / "inbox").mkdir()
    town_workbook(tmp_path / "inbox" / "磷溪镇_2023年10月.xlsx", "磷溪镇", "2023-10", LX_ROWS)
    assert run_job(Runtime(factory, settings), "inbox").outcome == "idle"
    assert (tmp_path / "inbox" / "磷溪镇_2023年10月.xlsx").is_file() and submission_count(factory) == 0


def test_a_database_outage_is_waited_out_not_fatal(setup, monkeypatch: pytest.MonkeyPatch) -> None:
    from sqlalchemy.exc import OperationalError

    from monitor.scheduler.lease import Lease

    factory, settings, _ = setup
    real = Lease.try_acquire
    calls = {"n": 0}

    def flaky(self: Lease) -> bool:
        calls["n"] += 1
        if calls["n"] <= 2:
            raise OperationalError("SELECT 1", {}, Exception("server closed the connection unexpectedly"))
        return real(self)

    monkeypatch.setattr(Lease, "try_acquire", flaky)
    states: list[str] = []
    running = Running(Runtime(factory, settings))
    running.rhythm.on_state = lambda state, detail: states.append(state)
    with running as rhythm:
        wait_for(lambda: rhythm.state == "leading", timeout=20)
    assert states == ["waiting", "leading", "stopped"]


def test_a_consolidated_workbook_in_the_inbox_keeps_its_months_receipt_unknown(sqlite_url: str,
                                                                              tmp_path: Path) -> None:
    """The inbox's arrival time is when the clerk dropped the 汇总台账, not when towns sent those months."""
    from tests.test_backfill import ledger_workbook

    factory = open_database(sqlite_url)
    settings = settings_for(tmp_path, **{"towns.expected": []})
    (tmp_path / "inbox").mkdir()
    ledger_workbook(tmp_path / "inbox" / "2023年汇总台账.xlsx")
    result = run_job(Runtime(factory, settings), "inbox", datetime(2023, 11, 3, 10, 20))
    assert result.outcome == "ok" and len(result.outputs["processed"]) == 1
    with factory() as session:
        subs = session.scalars(select(Submission).where(Submission.status == "accepted")).all()
    assert len(subs) > 3 and all(s.received_at is None for s in subs)


def test_a_refused_file_sent_twice_keeps_both_problem_lists(sqlite_url: str, tmp_path: Path) -> None:
    factory = open_database(sqlite_url)
    settings = settings_for(tmp_path)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    rt = Runtime(factory, settings)
    for minute in (0, 10):
        (inbox / "空.xlsx").write_bytes(b"not a workbook" + bytes([minute]))
        assert run_job(rt, "inbox", datetime(2023, 11, 3, 10, minute)).outcome == "ok"
    names = sorted(p.name for p in (tmp_path / "rejected").iterdir())
    assert names == ["空 (2).xlsx", "空 (2)_问题清单.xlsx", "空.xlsx", "空_问题清单.xlsx"]
