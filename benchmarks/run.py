"""fundmon at province scale: ingest, status, dispatch, letters and review, each against the simplest honest baseline.

    python benchmarks/run.py                       # the province: 1,127 towns × 20 projects × 12 months
    python benchmarks/run.py --towns 50 --months 3 # smaller

Generates the towns' files once (cached under --work), then runs every step in its own process (so no step
warms another's caches), prints a table with the machine's description and ends with one machine-readable
line per figure. Times are wall-clock seconds of the step's work (start-up and imports excluded, shown
apart); ratios compare two steps of this one run. Peak memory is the larger of the step process's own maximum
resident set and the most its whole process tree (the step and its helper processes) held at one moment,
sampled every 50 ms. With FUNDMON_TEST_PG set, month 1 is also ingested into a fresh
PostgreSQL database. See docs/performance.md.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
import uuid
from contextlib import closing
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:0] = [str(HERE), str(ROOT)]

from machine import describe  # noqa: E402

#: steps that are baselines, not fundmon: left out of peak_mb
BASELINES = ("calamine", "openpyxl", "select", "dump")
TARGETS = {"ingest_vs_calamine": 2.5, "status_vs_select": 3.0, "dispatch_vs_dump": 2.0, "peak_mb": 500.0,
           "weekly_province_s": 60.0}


@dataclass
class Run:
    """One step's result: the work's seconds (median of repeats), the process's, and peak memory; or why not."""

    name: str
    seconds: float
    process_seconds: float
    peak_mb: float
    info: dict[str, Any] = field(default_factory=dict)
    problem: str | None = None  # "did not finish within …", "failed …": the step has no figures

    @classmethod
    def missing(cls, name: str, problem: str) -> Run:
        return cls(name, math.nan, math.nan, math.nan, {}, problem)


#: seconds a step may take before it is stopped and reported as not finished (set by --step-timeout)
STEP_TIMEOUT = [1800.0]


def run_step(name: str, args: dict[str, Any], repeat: int = 1) -> Run:
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        try:
            proc = subprocess.run([sys.executable, str(HERE / "steps.py"), name,
                                   json.dumps(args, ensure_ascii=False)], capture_output=True, text=True,
                                  timeout=STEP_TIMEOUT[0])
        except subprocess.TimeoutExpired:
            return Run.missing(name, f"did not finish within {STEP_TIMEOUT[0]:.0f} s (stopped)")
        wall = time.perf_counter() - start
        line = next((x for x in proc.stdout.splitlines() if x.startswith("RESULT ")), None)
        if proc.returncode != 0 or line is None:
            print(f"step {name} failed (exit {proc.returncode}):\n{proc.stderr[-3000:]}", file=sys.stderr)
            last = (proc.stderr.strip().splitlines() or ["no message"])[-1][:120]
            return Run.missing(name, f"failed (exit {proc.returncode}): {last}")
        if args.get("profile"):
            print(proc.stderr, file=sys.stderr)
        info = json.loads(line[len("RESULT "):])
        runs.append(Run(name, info["seconds"], wall, max(info["maxrss_kb"], info["tree_peak_kb"]) / 1024, info))
    return Run(name, statistics.median(r.seconds for r in runs), statistics.median(r.process_seconds for r in runs),
               max(r.peak_mb for r in runs), runs[-1].info)


def prepare_data(a: argparse.Namespace) -> Path:
    """The generated province, reused while its parameters are the same."""
    from sample_data.scale import Spec, generate

    spec = Spec(a.towns, a.projects, a.months, a.year, a.seed)
    data = a.work / f"data-{a.towns}t-{a.projects}p-{a.months}m-{a.year}-{a.seed}"
    stamp = data / ".complete"
    if not stamp.is_file():
        shutil.rmtree(data, ignore_errors=True)
        start = time.perf_counter()
        print(f"generating {a.towns} towns × {a.projects} projects × {a.months} months into {data} …", flush=True)
        generate(spec, data, jobs=a.jobs)
        stamp.write_text(repr(spec))
        print(f"  done in {time.perf_counter() - start:.0f} s", flush=True)
    return data


def month_folder(data: Path, year: int, month: int) -> Path:
    return data / f"{year}-{month:02d}"


def deadline_after(period: str) -> str:
    """The day the weekly job reports on: the day after the month's reporting deadline."""
    from monitor.periods import deadline

    return (deadline(period, day=5, holidays=set(), workdays=set()) + timedelta(days=1)).isoformat()


def pg_ingest(base: dict[str, Any]) -> Run | None:
    """Month 1 into a fresh PostgreSQL database of its own (dropped afterwards)."""
    url = os.environ.get("FUNDMON_TEST_PG")
    if not url:
        return None
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"fundmon_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        db = make_url(url).set(database=name).render_as_string(hide_password=False)
        return run_step("ingest", {**base, "db": db, "findings_dir": base["findings_dir"] + "-pg"})
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def measure(a: argparse.Namespace, data: Path, out: Path) -> dict[str, Any]:
    period = f"{a.year}-{a.months:02d}"
    day = deadline_after(period)
    first, last = month_folder(data, a.year, 1), month_folder(data, a.year, a.months)
    base = {"towns_file": str(data / "towns.txt"), "findings_dir": str(out / "问题清单"), "profile": a.profile}
    db = f"sqlite:///{out / 'province.db'}"
    r: dict[str, Any] = {"period": period, "day": day}
    r["calamine"] = run_step("calamine", {"folder": str(first)}, a.repeat)
    r["openpyxl"] = run_step("openpyxl", {"folder": str(first), "sample": a.openpyxl_sample})

    def month(m: int) -> dict[str, Any]:  # the files arrive on the 3rd of the next month
        return {**base, "folder": str(month_folder(data, a.year, m)), "received": f"{a.year + m // 12}-{m % 12 + 1:02d}-03T10:00:00"}

    fresh = [run_step("ingest", {**month(1), "db": f"sqlite:///{out / f'fresh-{i}.db'}"}) for i in range(a.repeat - 1)]
    r["ingest"] = run_step("ingest", {**month(1), "db": db})
    r["parse"] = run_step("parse", month(1))
    if fresh:
        r["ingest"].seconds = statistics.median([x.seconds for x in fresh] + [r["ingest"].seconds])
    setup = [run_step("ingest", {**month(m), "db": db}) for m in range(2, a.months + 1)]
    r["setup_seconds"] = sum(x.process_seconds for x in setup[:-1])
    r["ingest_last"] = setup[-1] if setup else None
    r["calamine_last"] = run_step("calamine", {"folder": str(last)}, a.repeat) if setup else None
    weekly_db = out / "weekly.db"  # the weekly job's reports run on their own copy (letters register numbers)
    with closing(sqlite3.connect(out / "province.db")) as source, closing(sqlite3.connect(weekly_db)) as copy:
        source.backup(copy)
    r["status"] = run_step("status", {**base, "db": db, "period": period, "day": day}, a.repeat)
    r["select"] = run_step("select", {"db": db, "period": period}, a.repeat)
    r["letters"] = run_step("letters", {**base, "db": db, "day": day, "out": str(out)})
    r["dispatch"] = run_step("dispatch", {**base, "db": db, "day": day, "out": str(out)}, a.repeat)
    r["dump"] = run_step("dump", {"xlsx": r["dispatch"].info["xlsx"], "out": str(out / "dump.xlsx")}, a.repeat) \
        if r["dispatch"].problem is None else Run.missing("dump", "not run: the dispatch has no workbook")
    r["weekly"] = run_step("weekly", {**base, "db": f"sqlite:///{weekly_db}", "day": day, "out": str(out / "weekly")})
    weekly_db.unlink(missing_ok=True)
    r["review"] = None if a.no_review else run_step("review", {**base, "db": db, "period": period, "day": day,
                                                               "out": str(out)})
    r["pg"] = pg_ingest(month(1))
    return r


def figures(r: dict[str, Any]) -> dict[str, float]:
    weekly_ingest = r["ingest_last"] or r["ingest"]
    steps = [x for x in r.values() if isinstance(x, Run) and x.problem is None and x.name not in BASELINES]

    def ratio(a: Run, b: Run) -> float:
        return a.seconds / b.seconds if a.problem is None and b.problem is None else math.nan

    weekly = (weekly_ingest, r["weekly"])  # the reports as the job runs them: the month judged once
    return {
        "ingest_vs_calamine": ratio(r["ingest"], r["calamine"]),
        "ingest_vs_openpyxl": ratio(r["ingest"], r["openpyxl"]),
        "status_vs_select": ratio(r["status"], r["select"]),
        "dispatch_vs_dump": ratio(r["dispatch"], r["dump"]),
        "peak_mb": max((x.peak_mb for x in steps), default=math.nan),
        "weekly_province_s": sum(x.process_seconds for x in weekly),  # nan when one of them did not finish
    }


def table(a: argparse.Namespace, r: dict[str, Any], f: dict[str, float]) -> list[str]:
    ing, op, st = r["ingest"].info, r["openpyxl"].info, r["status"].info
    scaled = (f" (measured on {op['measured_files']} of {op['files']} files, scaled per file)"
              if op.get("measured_files", 0) < op.get("files", 0) else "")
    lines = ["| step | work s | process s | peak MB | against | baseline s | ratio | target |",
             "|---|---:|---:|---:|---|---:|---:|---|"]

    def row(label: str, run: Run | None, base: Run | None = None, against: str = "", target: str = "") -> None:
        if run is None:
            return
        if run.problem is not None:
            lines.append(f"| {label} | {run.problem} | | | {against} | | | {target} |")
            return
        if base is None:
            bs = ratio = ""
        elif base.problem is not None:
            bs, ratio = base.problem, ""
        else:
            bs, ratio = f"{base.seconds:.2f}", f"{run.seconds / base.seconds:.2f}×"
        lines.append(f"| {label} | {run.seconds:.2f} | {run.process_seconds:.2f} | {run.peak_mb:.0f} | {against} | "
                     f"{bs} | {ratio} | {target} |")

    row(f"ingest month 1: {ing.get('files', '?')} files, {ing.get('rows', '?')} rows, fresh SQLite", r["ingest"],
        r["calamine"], "bare python-calamine parse", "≤ 2.5×")
    row("″", r["ingest"], r["openpyxl"], "pandas.read_excel(openpyxl) loop" + scaled, "(≈ 25× slower)")
    row("of which reading and parsing (etl.pipeline.parse_path, no database)", r["parse"], r["calamine"],
        "bare python-calamine parse")
    if r["ingest_last"]:
        row(f"ingest month {a.months} (with {a.months - 1} months of history)", r["ingest_last"], r["calamine_last"],
            "bare python-calamine parse")
    row(f"status {r['period']}: {st.get('projects', '?')} projects, {r['select'].info.get('rows', '?')} report rows",
        r["status"], r["select"], "plain SELECT into a DataFrame", "≤ 3×")
    row(f"dispatch pack (调度表.xlsx + 调度通报.docx), {r['dump'].info.get('cells', '?')} cells", r["dispatch"],
        r["dump"], "bare XlsxWriter dump of the same cells", "≤ 2×")
    row(f"letters: {r['letters'].info.get('letters', '?')} letters", r["letters"])
    row(f"weekly job's reports: dispatch pack, then {r['weekly'].info.get('letters', '?')} letters, the month "
        "judged once", r["weekly"])
    if r["review"] is not None:
        row(f"review pack: {r['review'].info.get('charts', '?')} charts", r["review"])
    row("ingest month 1 into PostgreSQL", r["pg"], r["calamine"], "bare python-calamine parse")
    lines += ["", f"- weekly job (ingest month {a.months if r['ingest_last'] else 1} + the job's reports: status, "
              f"dispatch pack, letters; process seconds): **{f['weekly_province_s']:.1f} s** (target ≤ 60 s)",
              f"- peak memory of any fundmon step (baselines not counted): **{f['peak_mb']:.0f} MB** (target ≤ 500 MB)",
              f"- setup not in the table: {max(a.months - 2, 0)} more months ingested in {r['setup_seconds']:.1f} s",
              f"- problem lists (问题清单) written after ingest month 1: {ing.get('problem_lists', '?')} in "
              f"{ing.get('problem_lists_seconds', math.nan):.2f} s (not in the ingest figure)",
              f"- repeats: {a.repeat} (medians); report day {r['day']}; a step is stopped after {STEP_TIMEOUT[0]:.0f} s",
              "- targets: " + "; ".join(f"{key} {f[key]:.2f} {'≤' if f[key] <= limit else '>'} {limit:g} "
                                        f"({'reached' if f[key] <= limit else 'NOT reached'})"
                                        for key, limit in TARGETS.items())]
    return lines


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], epilog="Example: python benchmarks/run.py "
                                "--towns 50 --months 3")
    p.add_argument("--towns", type=int, default=1127, help="towns [%(default)s: the province]")
    p.add_argument("--months", type=int, default=12, help="months of the year, from January [%(default)s]")
    p.add_argument("--projects", type=int, default=20, help="projects per town [%(default)s]")
    p.add_argument("--year", type=int, default=2024, help=argparse.SUPPRESS)
    p.add_argument("--seed", type=int, default=2024, help="seed of the generated data [%(default)s]")
    p.add_argument("--work", type=Path, default=Path("/tmp/fundmon-bench"), help="data cache and run folder")
    p.add_argument("--jobs", type=int, default=2, help="processes generating the data [%(default)s]")
    p.add_argument("--repeat", type=int, default=1, help="repeat the timed pairs, take medians [%(default)s]")
    p.add_argument("--openpyxl-sample", type=int, default=200, help="files read with openpyxl (scaled per file)")
    p.add_argument("--no-review", action="store_true", help="skip the review pack (matplotlib)")
    p.add_argument("--profile", action="store_true", help="cProfile every step (to stderr); slows it down")
    p.add_argument("--keep", action="store_true", help="keep the run folder (databases and outputs)")
    p.add_argument("--step-timeout", type=float, default=1800, help="stop a step after this many seconds [%(default)s]")
    a = p.parse_args(argv)
    STEP_TIMEOUT[0] = a.step_timeout
    if not 1 <= a.months <= 12 or a.towns < 1 or a.repeat < 1:
        p.error("need 1 ≤ --months ≤ 12, --towns ≥ 1, --repeat ≥ 1")
    a.work.mkdir(parents=True, exist_ok=True)
    data = prepare_data(a)
    out = a.work / f"run-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}"
    out.mkdir()
    machine = describe()
    try:
        r = measure(a, data, out)
    finally:
        if not a.keep:
            shutil.rmtree(out, ignore_errors=True)
    f = figures(r)
    print(f"\nfundmon benchmark: {a.towns} towns × {a.projects} projects × {a.months} months\n")
    for label, value in machine:
        print(f"- {label}: {value}")
    print()
    print("\n".join(table(a, r, f)))
    print()
    for key, value in f.items():
        print(f"{key}={value:.2f}")
    failed = [x.name for x in r.values() if isinstance(x, Run) and (x.problem or "").startswith("failed")]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
