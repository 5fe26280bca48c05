"""The jobs of the rhythm and the key each run is logged under: one run per key, ever."""

from __future__ import annotations

from datetime import datetime

from monitor.periods import add_months

#: job name → what it does (the CLI lists them in this order)
JOBS: dict[str, str] = {
    "inbox": "ingest new files from the inbox folder",
    "weekly": "inbox, then the dispatch pack (一周一调度), then letter drafts",
    "monthly": "inbox, then the review pack (一月一研判) for the month just closed, then letters and 催报",
}


def month_closed(at: datetime) -> str:
    """The month before ``at``'s month: what a run on 6 November reviews (2023-10)."""
    return add_months(f"{at.year:04d}-{at.month:02d}", -1)


def run_key(job: str, at: datetime) -> str:
    """``weekly:2023-W44`` (ISO week), ``monthly:2023-10`` (the month reviewed), ``inbox:2023-10-30T09:10``."""
    if job == "weekly":
        return f"weekly:{at:%G-W%V}"
    if job == "monthly":
        return f"monthly:{month_closed(at)}"
    if job == "inbox":
        return f"inbox:{at:%Y-%m-%dT%H:%M}"
    raise ValueError(f"unknown job {job!r}")
