"""Which town and which month a file is for: overrides, then what the file says, checked against the list."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from rapidfuzz import fuzz, process
from rapidfuzz.fuzz import WRatio
from sqlalchemy import select
from sqlalchemy.orm import Session

from etl.model import ParsedFile
from monitor.findings import Finding
from monitor.names import bare_town, canonical_town
from monitor.schema import Town

#: a town's name is a few characters; anything longer is a title or a paragraph, not a town
MAX_TOWN_NAME = 30
#: findings that leave a file's town in doubt: no town is created from such a file
TOWN_DOUBT = frozenset({"no-town", "unknown-town", "town-candidate", "town-conflict", "several-towns"})


@dataclass
class Identity:
    town: str | None
    period: str | None
    findings: list[Finding]
    #: the town was judged against ``towns.expected`` (on it, or an ``unknown-town`` finding)
    listed: bool = False


def nearest_town(name: str, towns: Sequence[str]) -> str | None:
    """The known town most like ``name`` (for the “did you mean” in a finding)."""
    if not towns:
        return None
    best = process.extractOne(name, list(towns), scorer=WRatio)
    return best[0] if best and best[1] >= 50 else None


def resolve_identity(parsed: ParsedFile, *, town: str | None, period: str | None,
                     expected_towns: Sequence[str]) -> Identity:
    """Apply ``--town`` / ``--period`` overrides, canonicalise the town, check it against the town list."""
    findings: list[Finding] = []
    name = parsed.file_name
    raw_town = town or parsed.town
    the_town = canonical_town(raw_town) if raw_town else None
    the_period = period or parsed.period
    if parsed.kind == "unreadable":
        return Identity(the_town, the_period, findings)
    if the_town is not None and len(the_town) > MAX_TOWN_NAME:
        findings.append(Finding("no-town", f"“{the_town[:20]}…”有{len(the_town)}个字，不是镇街名称：请在表头上方"
                                "写明“填报单位：XX镇”", file=name, raw=raw_town[:200]))
        the_town = None
    elif the_town is None:
        findings.append(Finding("no-town", "无法确定填报镇街：请在表头上方写明“填报单位：XX镇”，"
                                "或在文件名中写明镇街名称", file=name))
    elif expected_towns and the_town not in expected_towns:
        hint = nearest_town(the_town, expected_towns)
        tip = f"，是否应为“{hint}”？" if hint else f"；已知镇街：{'、'.join(expected_towns)}"
        findings.append(Finding("unknown-town", f"镇街“{raw_town}”不在镇街名单中{tip}",
                                file=name, raw=raw_town))
    if the_period is None:
        findings.append(Finding("no-period", "无法确定报表月份：请在表头上方写明“报表月份：2023年10月”，"
                                "或在文件名中写明月份", file=name))
    return Identity(the_town, the_period, findings, listed=bool(expected_towns))


def known_town(session: Session, name: str | None) -> Town | None:
    """The town of that exact name already in the database, if any."""
    return session.scalar(select(Town).where(Town.name == name)) if name else None


def near_town(name: str, known: Iterable[str], score: int) -> str | None:
    """A known town that ``name`` is likely a slip for: the same name without or with another 镇/街道/乡
    (``磷溪`` for ``磷溪镇``), one the start of the other, or a similarity (``fuzz.ratio``) of ``score`` or more."""
    others = [t for t in dict.fromkeys(known) if t and t != name]
    for town in others:
        if bare_town(town) == bare_town(name) or town.startswith(name) or name.startswith(town):
            return town
    best = process.extractOne(name, others, scorer=fuzz.ratio, score_cutoff=score) if others else None
    return best[0] if best else None


def check_new_town(session: Session, ident: Identity, file_name: str, score: int,
                   also: Iterable[str] = ()) -> Identity:
    """Without a town list, towns are learned from the data, but a name new to the database that is close to
    a known town (or to a town in ``also``) is an error finding: the file's rows are not loaded and no town
    is made up. Whether ``磷溪`` is 磷溪镇 is a person's call, as for project names (DESIGN §4)."""
    if ident.town is None or ident.listed or any(f.code in TOWN_DOUBT for f in ident.findings):
        return ident
    if known_town(session, ident.town) is not None:
        return ident
    near = near_town(ident.town, [*session.scalars(select(Town.name)), *also], score)
    if near is None:
        return ident
    finding = Finding("town-candidate", f"镇街名称“{ident.town}”与已有的“{near}”相近，请核对：如为{near}，"
                      f"请将镇街名称改为“{near}”", file=file_name, raw=ident.town)
    return replace(ident, findings=[*ident.findings, finding])


def clerk_notes(findings: Sequence[Finding]) -> list[str]:
    """What the person running ingest can do about a file's town or month (English; never in the 问题清单)."""
    codes = {f.code: f for f in findings}
    notes = []
    if "no-period" in codes or "period-conflict" in codes:
        notes.append("the report month is not clear: give it with --period YYYY-MM if you know it")
    if "no-town" in codes or "town-conflict" in codes:
        notes.append("the town is not clear: give it with --town NAME if you know it")
    if "town-candidate" in codes:
        raw = codes["town-candidate"].raw
        notes.append(f"town {raw} is close to a known town and was not loaded: correct the name in the file, or "
                     "if it really is a new town, list every town in towns.expected (fundmon.toml)")
    return notes
