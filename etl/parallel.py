"""Reading and parsing a batch's files ahead in a helper process while this one loads them, in their order.

Parsing is pure (bytes in, a ParsedFile out); loading needs the one database session and stays here. The
results come back in the order of the files, so the database sees exactly what a one-process run writes.
A helper that dies (a crash inside calamine, the memory limit) is not an error of its own: the files it
had not returned are parsed here instead, so such a file fails exactly as it does without helpers.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from etl.pipeline import IngestOptions
    from monitor.settings import Settings

#: below this many files a helper's start-up (about 0.1 s forked, 0.5 s spawned) does not pay
MIN_FILES = 40
#: files parsed ahead of the one being loaded, per helper (bounds the memory held by waiting results)
AHEAD = 16
MAX_HELPERS = 4

Parse = Callable[[], Any]

_worker: dict[str, Any] = {}


def _start(settings: Settings, options: IngestOptions, parent: int) -> None:
    _worker["settings"], _worker["options"] = settings, options
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()


def _watch_parent(parent: int) -> None:
    """A helper whose ingest process was killed (SIGKILL, a crash) ends too instead of waiting for work."""
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(1)


def _parse(path: Path) -> Any:
    from etl.pipeline import parse_path

    return parse_path(path, _worker["settings"], _worker["options"])


def helpers_for(files: int) -> int:
    """Helper processes for a batch of ``files``: one per processor beyond this process's own."""
    if files < MIN_FILES:
        return 0
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cpus = os.cpu_count() or 1
    return max(0, min(cpus - 1, MAX_HELPERS))


class ParseAhead:
    """``for path, parse in ParseAhead(paths, …)``: ``parse()`` gives ``parse_path(path, …)``'s result (or
    raises its exception), the next files being parsed meanwhile by helper processes."""

    def __init__(self, paths: Sequence[Path], settings: Settings, options: IngestOptions,
                 helpers: int | None = None) -> None:
        self.paths, self.settings, self.options = list(paths), settings, options
        count = helpers_for(len(self.paths)) if helpers is None else helpers
        self.pool: ProcessPoolExecutor | None = None
        if count > 0:
            # fork is quick and safe while this process has one thread; with threads (the scheduler) spawn
            method = "fork" if threading.active_count() == 1 and os.name == "posix" else "spawn"
            self.pool = ProcessPoolExecutor(count, mp_context=multiprocessing.get_context(method),
                                            initializer=_start, initargs=(settings, options, os.getpid()))
        self.ahead = AHEAD * max(count, 1)

    def __enter__(self) -> ParseAhead:
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop()

    def _stop(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None

    def __iter__(self) -> Iterator[tuple[Path, Parse]]:
        pending: deque[tuple[Path, Future[Any]]] = deque()
        rest = iter(self.paths)
        while True:
            while self.pool is not None and len(pending) < self.ahead:
                path = next(rest, None)
                if path is None:
                    break
                try:
                    pending.append((path, self.pool.submit(_parse, path)))
                except BrokenProcessPool:
                    self._stop()
                    pending.append((path, _failed_future()))
            if pending:
                path, future = pending.popleft()
                yield path, self._result(path, future)
                continue
            path = next(rest, None)
            if path is None:
                return
            yield path, self._here(path)

    def _here(self, path: Path) -> Parse:
        def parse() -> Any:
            from etl.pipeline import parse_path

            return parse_path(path, self.settings, self.options)
        return parse

    def _result(self, path: Path, future: Future[Any]) -> Parse:
        def parse() -> Any:
            try:
                return future.result()
            except BrokenProcessPool:  # a helper died: this file and the rest are parsed here
                self._stop()
                return self._here(path)()
        return parse


def _failed_future() -> Future[Any]:
    future: Future[Any] = Future()
    future.set_exception(BrokenProcessPool("the helper processes are gone"))
    return future
