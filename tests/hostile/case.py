"""One hostile input and what ingest must make of it."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

#: final state of the file's submission: accepted (current), superseded (a later file of the corpus replaced
#: it), rejected (unreadable, or every row refused), duplicate (the same bytes were already loaded: no row)
OUTCOMES = ("accepted", "superseded", "rejected", "duplicate")


@dataclass(frozen=True)
class Case:
    """A file of the corpus. ``values`` maps each project that must land to its (allocated, spent) in 分;
    every other project must not. ``codes`` is the exact set of distinct finding codes the file gets."""

    category: str
    slug: str
    file_name: str
    build: Callable[[], bytes]
    outcome: str
    codes: frozenset[str] = frozenset()
    values: dict[str, tuple[int, int]] = field(default_factory=dict)
    town: str | None = None
    period: str | None = None
    #: dangerous (bombs, huge sheets, entities, encryption): its own process under time and memory limits
    isolated: bool = False
    #: submissions the file becomes (a consolidated workbook is split into one per town)
    parts: int = 1
    note: str = ""

    def __post_init__(self) -> None:
        assert self.outcome in OUTCOMES, self.outcome
        assert re.fullmatch(r"[a-z0-9-]+", self.slug), self.slug
        assert self.outcome in ("accepted", "superseded") or not self.values, self.slug

    @property
    def rejected(self) -> bool:
        return self.outcome == "rejected"


class Corpus:
    """Cases in the order they are ingested (a later file may supersede or duplicate an earlier one)."""

    def __init__(self) -> None:
        self.cases: list[Case] = []

    def add(self, category: str, slug: str, file_name: str, build: Callable[[], bytes], outcome: str,
            codes: set[str] | frozenset[str] = frozenset(), **kw: object) -> Case:
        case = Case(category, slug, file_name, build, outcome, frozenset(codes), **kw)  # type: ignore[arg-type]
        self.cases.append(case)
        return case
