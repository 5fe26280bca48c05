"""Baseline: a plain SELECT of a year's report rows (every file in force up to the period) into a DataFrame.

These are the rows the status reads; the status then picks each project's figures, judges them and raises
flags. The SELECT is the floor of that work.

    python benchmarks/baseline_select.py sqlite:///fundmon.db 2024-12
"""

from __future__ import annotations

import sys
import time

import pandas as pd
from sqlalchemy import create_engine, text

SQL = text("""
SELECT r.*, s.period, s.town_id, s.received_at, t.name AS town
FROM report_rows r
JOIN submissions s ON s.id = r.submission_id
JOIN towns t ON t.id = s.town_id
WHERE s.status IN ('accepted', 'superseded') AND s.period <= :period
""")


def select_rows(url: str, period: str) -> pd.DataFrame:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return pd.read_sql(SQL, conn, params={"period": period})
    finally:
        engine.dispose()


if __name__ == "__main__":
    start = time.perf_counter()
    frame = select_rows(sys.argv[1], sys.argv[2])
    print(f"{len(frame)} rows × {frame.shape[1]} columns in {time.perf_counter() - start:.3f} s")
