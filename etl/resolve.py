"""Which town and which month a file is for: overrides, then what the file says, checked against the list."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rapidfuzz import process
from rapidfuzz.fuzz import WRatio

from etl.model import ParsedFile
from monitor.findings import Finding
from monitor.names import canonical_town

#: a town's name is a few characters; anything longer is a title or a paragraph, not a town
MAX_TOWN_NAME = 30


@dataclass
class Identity:
    town: str | None
    period: str | None
    findings: list[Finding]


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
        findings.append(Finding("no-town", f"“{the_town[:20]}…”有{len(the_town)}个字，不是镇街名称：请写明"
                                "“填报单位：XX镇”，或导入时用 --town 指定", file=name, raw=raw_town[:200]))
        the_town = None
    elif the_town is None:
        findings.append(Finding("no-town", "无法确定填报镇街：请在表头上方写明“填报单位：XX镇”，"
                                "或在文件名中写明镇街名称，或导入时用 --town 指定", file=name))
    elif expected_towns and the_town not in expected_towns:
        hint = nearest_town(the_town, expected_towns)
        tip = f"，是否应为“{hint}”？" if hint else f"；已知镇街：{'、'.join(expected_towns)}"
        findings.append(Finding("unknown-town", f"镇街“{raw_town}”不在镇街名单中{tip}",
                                file=name, raw=raw_town))
    if the_period is None:
        findings.append(Finding("no-period", "无法确定报表月份：请在表头上方写明“报表月份：2023年10月”，"
                                "或在文件名中写明月份，或导入时用 --period 指定", file=name))
    return Identity(the_town, the_period, findings)
