"""One benchmark step in its own process: ``python benchmarks/steps.py STEP '<json args>'``.

Each step imports what it needs, then times only its work and prints one JSON line: ``seconds`` (the work),
``import_seconds`` (start-up, not in the ratios) and peak memory: this process's own (``ru_maxrss``), and
the process tree's (this process plus its helpers, summed at the same moment, sampled every 50 ms). run.py starts every step,
so nothing a step imports or caches helps the next one.
"""

from __future__ import annotations

import json
import os
import resource
import sys
import threading
import time
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
STARTED = time.perf_counter()
sys.path[:0] = [str(HERE), str(HERE.parent)]  # the baselines, and the checkout this script is in

STEPS: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {}


def step(func: Callable[[dict[str, Any]], dict[str, Any]]) -> Callable[[dict[str, Any]], dict[str, Any]]:
    STEPS[func.__name__] = func
    return func


class TreeMemory:
    """The largest resident memory of this process and its descendants *at the same moment*, sampled every
    ``every`` seconds in a thread. ``ru_maxrss`` of the children cannot say it: a child started with
    fork/vfork and exec keeps the parent's peak at the time it started as its own."""

    def __init__(self, every: float = 0.05) -> None:
        self.every, self.peak_kb = every, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> TreeMemory:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        page_kb = os.sysconf("SC_PAGE_SIZE") // 1024
        while True:
            self.peak_kb = max(self.peak_kb, sum(_rss_pages(pid) for pid in _tree(os.getpid())) * page_kb)
            if self._stop.wait(self.every):
                return


def _tree(root: int) -> list[int]:
    """``root`` and every process below it (Linux /proc; just ``root`` elsewhere)."""
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        try:
            for task in os.listdir(f"/proc/{pid}/task"):
                todo += [int(c) for c in Path(f"/proc/{pid}/task/{task}/children").read_text().split()]
        except OSError:
            continue
    return found


def _rss_pages(pid: int) -> int:
    try:
        return int(Path(f"/proc/{pid}/statm").read_text().split()[1])
    except (OSError, IndexError, ValueError):
        return 0  # gone meanwhile


def _timed(work: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    value = work()
    return time.perf_counter() - start, value


def _files(folder: str, limit: int | None = None) -> list[Path]:
    """The month's files, each read once before any clock starts: every step finds them in the page cache."""
    found = sorted(p for p in Path(folder).iterdir() if p.suffix.lower() in (".xlsx", ".xls", ".csv"))
    for path in found:
        path.read_bytes()
    return found[:limit] if limit else found


def _settings(a: dict[str, Any]):  # type: ignore[no-untyped-def]
    from monitor.settings import load_settings

    towns = Path(a["towns_file"]).read_text("utf-8").split() if a.get("towns_file") else []
    return load_settings(None, {"towns.expected": towns})


def _factory(url: str):  # type: ignore[no-untyped-def]
    from monitor.db import open_database

    return open_database(url)


@step
def calamine(a: dict[str, Any]) -> dict[str, Any]:
    from baseline_calamine import parse_all

    files = _files(a["folder"])
    seconds, cells = _timed(lambda: parse_all(files))
    return {"seconds": seconds, "files": len(files), "cells": cells}


@step
def openpyxl(a: dict[str, Any]) -> dict[str, Any]:
    from baseline_openpyxl import read_all

    every = _files(a["folder"])
    files = every[::max(1, len(every) // a["sample"])] if a.get("sample") and a["sample"] < len(every) else every
    seconds, cells = _timed(lambda: read_all(files))
    # a subset is scaled per file to the whole month
    return {"seconds": seconds * len(every) / len(files), "measured_files": len(files), "files": len(every),
            "measured_seconds": seconds, "cells": cells}


@step
def ingest(a: dict[str, Any]) -> dict[str, Any]:
    from etl.pipeline import IngestOptions, ingest_paths
    from monitor.cli.render import write_problem_lists

    settings = _settings(a)
    factory = _factory(a["db"])
    options = IngestOptions(received_at=datetime.fromisoformat(a["received"]))
    _files(a["folder"])
    seconds, report = _timed(lambda: ingest_paths(factory, [Path(a["folder"])], settings, options))
    lists_seconds, written = _timed(lambda: write_problem_lists(report, Path(a["findings_dir"])))
    results = report.results
    return {"seconds": seconds, "files": len(results), "problem_lists_seconds": lists_seconds,
            "problem_lists": len(written) if hasattr(written, "__len__") else None,
            "accepted": sum(r.outcome.outcome == "accepted" for r in results),
            "rows": sum(r.outcome.rows_accepted for r in results),
            "rejected_rows": sum(r.outcome.rows_rejected for r in results)}


@step
def parse(a: dict[str, Any]) -> dict[str, Any]:
    """The ingest's reading and parsing alone (etl.pipeline.parse_path), no database: its share of ingest."""
    from etl.pipeline import IngestOptions, parse_path

    settings = _settings(a)
    options = IngestOptions(received_at=datetime.fromisoformat(a["received"]))
    files = _files(a["folder"])
    seconds, parsed = _timed(lambda: [parse_path(path, settings, options) for path in files])
    return {"seconds": seconds, "files": len(parsed)}


@step
def status(a: dict[str, Any]) -> dict[str, Any]:
    from monitor.status import build_status

    settings = _settings(a)
    factory = _factory(a["db"])
    with factory() as session:
        seconds, result = _timed(lambda: build_status(session, settings, a["period"], date.fromisoformat(a["day"])))
    return {"seconds": seconds, "projects": len(result["projects"]), "towns": len(result["towns"]),
            "red": sum(p["light"] == "red" for p in result["projects"])}


@step
def select(a: dict[str, Any]) -> dict[str, Any]:
    from baseline_select import select_rows

    seconds, frame = _timed(lambda: select_rows(a["db"], a["period"]))
    return {"seconds": seconds, "rows": len(frame)}


@step
def letters(a: dict[str, Any]) -> dict[str, Any]:
    import reports.letter_docx  # noqa: F401 - imported by the run; loaded here so the work time is the work
    from reports.letters import run_letters

    settings = _settings(a)
    factory = _factory(a["db"])
    seconds, result = _timed(lambda: run_letters(factory, settings, date.fromisoformat(a["day"]), Path(a["out"])))
    return {"seconds": seconds, "letters": len(result.letters), "folder": str(result.folder)}


@step
def dispatch(a: dict[str, Any]) -> dict[str, Any]:
    import reports.dispatch_docx  # noqa: F401 - imported by the run; loaded here so the work time is the work
    import reports.dispatch_xlsx  # noqa: F401
    from reports.dispatch import run_dispatch

    settings = _settings(a)
    factory = _factory(a["db"])
    seconds, result = _timed(lambda: run_dispatch(factory, settings, date.fromisoformat(a["day"]), Path(a["out"])))
    return {"seconds": seconds, "xlsx": str(result.paths[0]), "week": result.week}


@step
def weekly(a: dict[str, Any]) -> dict[str, Any]:
    """The weekly job's reports as the job runs them: the dispatch pack, then the letters, the month judged
    once for both (monitor.scheduler.jobs.weekly_reports)."""
    import reports.dispatch_docx  # noqa: F401 - imported by the run; loaded here so the work time is the work
    import reports.dispatch_xlsx  # noqa: F401
    import reports.letter_docx  # noqa: F401
    from monitor.scheduler.jobs import weekly_reports

    settings = _settings(a)
    factory = _factory(a["db"])
    seconds, (pack, letters) = _timed(lambda: weekly_reports(factory, settings, date.fromisoformat(a["day"]),
                                                             Path(a["out"])))
    return {"seconds": seconds, "week": pack.week, "letters": len(letters.letters)}


@step
def dump(a: dict[str, Any]) -> dict[str, Any]:
    from baseline_dump import cells_of
    from baseline_dump import dump as write

    sheets = cells_of(Path(a["xlsx"]))
    seconds, cells = _timed(lambda: write(sheets, Path(a["out"])))
    return {"seconds": seconds, "cells": cells, "sheets": len(sheets)}


@step
def review(a: dict[str, Any]) -> dict[str, Any]:
    from reports.review_pack import run_review

    settings = _settings(a)
    factory = _factory(a["db"])
    seconds, result = _timed(lambda: run_review(factory, settings, a["period"], date.fromisoformat(a["day"]),
                                                Path(a["out"])))
    return {"seconds": seconds, "charts": len(result.charts)}


def main() -> None:
    name, args = sys.argv[1], json.loads(sys.argv[2])
    imported = time.perf_counter() - STARTED
    with TreeMemory() as tree:
        if args.get("profile"):
            import cProfile
            import pstats

            profiler = cProfile.Profile()
            result = profiler.runcall(STEPS[name], args)
            pstats.Stats(profiler, stream=sys.stderr).sort_stats("cumulative").print_stats(45)
        else:
            result = STEPS[name](args)
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    result.update(import_seconds=imported, maxrss_kb=own, children_maxrss_kb=children,
                  tree_peak_kb=tree.peak_kb)
    print("RESULT " + json.dumps(result, ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main()
