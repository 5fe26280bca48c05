"""The province benchmark runs end to end at a small size, and the scale generator is sound. No timings asserted."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from fundmon_sample_data.scale import Spec, generate, town_names

ROOT = Path(__file__).resolve().parent.parent
KEYS = ("ingest_vs_calamine", "ingest_vs_openpyxl", "status_vs_select", "dispatch_vs_dump", "peak_mb",
        "weekly_province_s")


def test_benchmark_runs_small_and_prints_every_figure(tmp_path: Path) -> None:
    proc = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "run.py"), "--towns", "5", "--months", "2",
                           "--no-review", "--work", str(tmp_path)], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    out = proc.stdout
    assert "| step |" in out and "- CPU:" in out and "- Python:" in out
    assert "ingest month 1: 5 files" in out and "status 2024-02" in out and "letters:" in out
    assert "weekly job's reports: dispatch pack, then" in out
    tail = out.strip().splitlines()[-len(KEYS):]
    for key, line in zip(KEYS, tail, strict=True):
        assert re.fullmatch(rf"{key}=\d+(\.\d+)?", line), line
    assert not list(tmp_path.glob("run-*")), "the run folder is removed unless --keep"


def test_scale_generator_is_deterministic_and_names_are_unique(tmp_path: Path) -> None:
    names = town_names(1127, 2024)
    assert len(set(names)) == 1127 and all(n.endswith(("镇", "街道")) for n in names)
    spec = Spec(towns=6, projects=5, months=2)
    rows = generate(spec, tmp_path / "a")
    again = generate(spec, tmp_path / "b", jobs=2)
    assert rows == again and len(rows) >= 6
    for path, _town, period, _received in rows:
        assert (tmp_path / "a" / path).read_bytes() == (tmp_path / "b" / path).read_bytes()
        assert path.startswith(period + "/")
    assert (tmp_path / "a" / "manifest.csv").read_text("utf-8").startswith("path,town,period,received_at")


def test_peak_memory_counts_helper_processes_at_the_same_moment() -> None:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        from steps import TreeMemory
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    hold = "b = bytearray(80 * 2**20); import time; time.sleep(0.6)"  # 80 MB in a helper for a while
    with TreeMemory(every=0.02) as tree:
        own = int(Path("/proc/self/statm").read_text().split()[1]) * 4096 // 1024
        subprocess.run([sys.executable, "-c", hold], check=True)
    assert tree.peak_kb >= own + 70 * 1024, (tree.peak_kb, own)
