"""Parsing ahead in helper processes (etl/parallel.py): the same results in the same order as parsing here,
exceptions reach the caller, and a helper that dies leaves the rest to this process."""

from __future__ import annotations

import os
import signal
from datetime import datetime
from pathlib import Path

import pytest

from etl.parallel import ParseAhead, helpers_for
from etl.pipeline import IngestOptions, collect_paths, parse_path
from monitor.settings import load_settings

DATA = Path(__file__).parent / "data"
OPTIONS = IngestOptions(received_at=datetime(2023, 11, 3, 10))


def _files() -> list[Path]:
    files = [p for p in collect_paths([DATA]) if p.parent == DATA]
    assert len(files) >= 20
    return files


def _summary(result: tuple[bytes, object]) -> tuple[object, ...]:
    data, parsed = result
    return (data, repr(parsed))


def test_helpers_give_what_parsing_here_gives_in_the_same_order() -> None:
    settings = load_settings(None, {})
    files = _files()
    expected = [_summary(parse_path(p, settings, OPTIONS)) for p in files]
    with ParseAhead(files, settings, OPTIONS, helpers=1) as ahead:
        assert ahead.pool is not None
        got = [(path, _summary(parse())) for path, parse in ahead]
    assert [path for path, _ in got] == files
    assert [summary for _, summary in got] == expected


def test_an_exception_while_parsing_reaches_the_caller(tmp_path: Path) -> None:
    settings = load_settings(None, {})
    missing = tmp_path / "gone.xlsx"
    files = [*_files()[:3], missing]
    with ParseAhead(files, settings, OPTIONS, helpers=1) as ahead:
        results = list(ahead)
        for _, parse in results[:3]:
            parse()
        with pytest.raises(FileNotFoundError):
            results[3][1]()


def test_a_helper_that_dies_leaves_the_rest_to_this_process() -> None:
    settings = load_settings(None, {})
    files = _files()
    expected = [_summary(parse_path(p, settings, OPTIONS)) for p in files]
    got = []
    with ParseAhead(files, settings, OPTIONS, helpers=1) as ahead:
        for i, (_, parse) in enumerate(ahead):
            got.append(_summary(parse()))
            if i == 1:
                assert ahead.pool is not None
                for process in list(ahead.pool._processes.values()):  # the helper is killed mid-batch
                    os.kill(process.pid, signal.SIGKILL)
        assert ahead.pool is None  # given up: the files after were parsed here
    assert got == expected


def test_small_batches_get_no_helper() -> None:
    assert helpers_for(3) == 0
    with ParseAhead(_files()[:3], load_settings(None, {}), OPTIONS) as ahead:
        assert ahead.pool is None
