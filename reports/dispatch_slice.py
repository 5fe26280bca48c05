"""Per-town slices of the dispatch pack: what the bureau sends back to each town government.

A slice is the week's district pack filtered to one town — every sheet holds only that town's rows; ranks
stay the district's (全区第N名) — written to ``dispatch-YYYY-Www/<town>/`` under the contract's file names.
Slices only read: they store no snapshot (本周变化 compares with the previous district dispatch, as the
district pack does) and never touch the district pack's own files.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from monitor.errors import UsageError
from monitor.names import canonical_town, fold_text
from monitor.settings import Settings
from monitor.snapshots import Changes
from reports.dispatch import DISPATCH_DOCX, DISPATCH_XLSX, Dispatch, DispatchResult, build_dispatch
from reports.files import remove_partial_files, write_atomically

_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]')
_SUFFIX = re.compile(r"(镇|街道|乡)$")


def known_towns(d: Dispatch, expected: Sequence[str] = ()) -> list[str]:
    """The towns of the week's pack: the overview's (expected and seen, in rank order), then towns only
    报送情况 names, then expected towns the pack does not list (no data at all yet)."""
    names = [t["town"] for t in d.towns]
    names += [r.town for r in d.reporting if r.town not in names]
    return names + [t for t in expected if t not in names]


def _key(name: str, district: str) -> str:
    """``湘桥区官塘镇`` / ``官塘镇人民政府`` / `` 官塘镇 `` → ``官塘镇``; a district (and anything before it) is dropped."""
    text = re.sub(r"\s+", "", fold_text(name))
    place = re.sub(r"\s+", "", fold_text(district)) if district else ""
    if place and place in text and not text.endswith(place):
        text = text.split(place, 1)[1]
    return canonical_town(text) if text else text


def resolve_town(name: str, known: Sequence[str], district: str = "") -> str:
    """The known town ``name`` means, with or without the district in front or 人民政府/办事处 behind, or its bare
    name (官塘) when only one town has it; UsageError listing the known towns otherwise."""
    wanted = _key(name, district)
    for town in known:
        if _key(town, district) == wanted:
            return town
    bare = [t for t in known if _SUFFIX.sub("", _key(t, district)) == _SUFFIX.sub("", wanted)]
    if len(bare) == 1 and wanted:
        return bare[0]
    listed = "、".join(known) if known else "none (ingest a town's file or set towns.expected first)"
    raise UsageError(f"unknown town {name!r}; known towns: {listed}")


def slice_dispatch(d: Dispatch, town: str) -> Dispatch:
    """The pack as one town sees it: its overview row (district rank kept), projects, flags, reports, letters,
    changes and money sources; the district's totals stay only as the reference row."""
    status = {**d.status, "projects": [p for p in d.status["projects"] if p["town"] == town],
              "towns": [t for t in d.status["towns"] if t["town"] == town]}
    return dataclasses.replace(
        d, status=status, town=town, ranked=d.ranked, snapshot={},
        towns=[t for t in d.towns if t["town"] == town], projects=[p for p in d.projects if p["town"] == town],
        flags=[f for f in d.flags if f.town == town], reporting=[r for r in d.reporting if r.town == town],
        letters=[r for r in d.letters if r.town == town], changes=_slice_changes(d.changes, town),
        sources=d.sources.for_town(town) if d.sources is not None else None)


def _slice_changes(changes: Changes | None, town: str) -> Changes | None:
    if changes is None:
        return None
    return dataclasses.replace(
        changes, projects=[p for p in changes.projects if p.town == town],
        towns=[t for t in changes.towns if t.town == town],
        new_submissions=[s for s in changes.new_submissions if s["town"] == town])


def slice_folder(out_dir: Path, week: str, town: str) -> Path:
    """``<out>/dispatch-2023-W45/官塘镇/``: beside the district pack's files, one folder per town."""
    return Path(out_dir) / f"dispatch-{week}" / (_UNSAFE.sub("_", town).strip(". ") or "_")


def run_town_slices(session_factory: sessionmaker[Session], settings: Settings, day: date, out_dir: Path,
                    towns: Sequence[str] | None = None) -> list[DispatchResult]:
    """Write one slice per town named (or for every town of the pack when ``towns`` is None).

    Every name is checked before anything is written; nothing is stored in the database.
    """
    from reports.dispatch_slice_docx import write_slice_docx
    from reports.dispatch_xlsx import write_dispatch_xlsx

    with session_factory() as session:
        dispatch = build_dispatch(session, settings, day)
        session.rollback()  # read only: the slice never stores a snapshot
    known = known_towns(dispatch, settings.expected_towns)
    if towns is None:
        if not known:
            raise UsageError("no towns known: set towns.expected in fundmon.toml or ingest a town's file first")
        chosen = known
    else:
        chosen = list(dict.fromkeys(resolve_town(name, known, settings["district.name"]) for name in towns))
    results = []
    for town in chosen:
        piece = slice_dispatch(dispatch, town)
        folder = slice_folder(out_dir, dispatch.week, town)
        folder.mkdir(parents=True, exist_ok=True)
        remove_partial_files(folder)
        paths = [write_atomically(folder / DISPATCH_XLSX, lambda p, x=piece: write_dispatch_xlsx(x, p)),
                 write_atomically(folder / DISPATCH_DOCX, lambda p, x=piece: write_slice_docx(x, p))]
        results.append(DispatchResult(folder=folder, paths=paths, week=dispatch.week, period=dispatch.period,
                                      previous_week=dispatch.changes.previous_week if dispatch.changes else None))
    return results


__all__ = ["known_towns", "resolve_town", "run_town_slices", "slice_dispatch", "slice_folder"]
