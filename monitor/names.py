"""Name keys for identity: projects by town + normalised name, towns by their canonical spelling."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

_PUNCT = re.compile(r"[\s\W_]+", re.UNICODE)
_TOWN_SUFFIX = re.compile(r"(人民政府|政府|街道办事处|办事处)$")


def fold_text(text: str) -> str:
    """NFKC (full-width → half-width), whitespace collapsed, stripped."""
    return " ".join(unicodedata.normalize("NFKC", text).split())


def name_key(name: str, places: Iterable[str] = ()) -> str:
    """The key two spellings of one project name share: no spaces or punctuation, no leading place name."""
    key = _PUNCT.sub("", fold_text(name)).lower()
    ordered = sorted({_PUNCT.sub("", fold_text(p)).lower() for p in places if p}, key=len, reverse=True)
    changed = True
    while changed:  # 湘桥区磷溪镇… loses both prefixes, in whichever order they come
        changed = False
        for place in ordered:
            if key.startswith(place) and len(key) > len(place):
                key, changed = key[len(place):], True
    return key


def canonical_town(name: str) -> str:
    """``桥东街道办事处`` → ``桥东街道``; ``官塘镇人民政府`` / ``官塘镇政府`` → ``官塘镇``; spaces and full-width
    folded."""
    text = re.sub(r"\s+", "", fold_text(name))
    text = _TOWN_SUFFIX.sub("", text)
    if text.endswith("街道") or text.endswith("镇") or text.endswith("乡"):
        return text
    if name.strip().endswith("街道办事处"):
        return text + "街道"
    return text


def bare_town(name: str) -> str:
    """A town's name without 镇 / 街道 / 乡: ``磷溪镇`` → ``磷溪`` (two towns never share one)."""
    return re.sub(r"(镇|街道|乡)$", "", name)


def place_prefixes(district: str, towns: Iterable[str]) -> list[str]:
    """Names that may lead a project name and are dropped from its key: district, towns, bare town names."""
    prefixes = [district] if district else []
    for town in towns:
        prefixes.append(town)
        bare = bare_town(town)
        if len(bare) >= 2:
            prefixes.append(bare)
    return prefixes
