"""The machine a benchmark ran on: CPU, cores, memory, load, Python, OS and the versions of the libraries that matter."""

from __future__ import annotations

import os
import platform
import sqlite3
from importlib import metadata
from pathlib import Path

LIBRARIES = ("pandas", "SQLAlchemy", "python-calamine", "XlsxWriter", "openpyxl", "python-docx", "matplotlib",
             "psycopg", "numpy")


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def memory_gb() -> float | None:
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1024**3
    except (ValueError, OSError, AttributeError):
        return None


def version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "-"


def describe() -> list[tuple[str, str]]:
    """(label, value) lines for the head of the table."""
    ram = memory_gb()
    load = " / ".join(f"{x:.2f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "-"
    libs = ", ".join(f"{name} {version(name)}" for name in LIBRARIES)
    return [("CPU", cpu_model()), ("cores", str(os.cpu_count())),
            ("RAM", f"{ram:.1f} GB" if ram else "-"), ("load average (1/5/15 min) at start", load),
            ("Python", f"{platform.python_version()} ({platform.python_implementation()})"),
            ("OS", platform.platform()), ("SQLite", sqlite3.sqlite_version), ("libraries", libs)]
