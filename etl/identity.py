"""Which project a row is: by code, else by confirmed alias, else by town + name key; new ones are created."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from functools import lru_cache

from rapidfuzz import fuzz, process
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from etl.model import ParsedRow
from monitor import queries as q
from monitor.findings import Finding
from monitor.names import name_key, place_prefixes
from monitor.schema import Project


class ProjectResolver:
    """Resolves the rows of one file for one town; loads the town's projects once."""

    def __init__(self, session: Session, town_id: int, district: str, candidate_score: int) -> None:
        self.session = session
        self.town_id = town_id
        self.score = candidate_score
        self.places = _place_index(district, tuple(q.town_names(session)))
        self.projects = q.town_projects(session, town_id)
        self.by_key: dict[str, Project] = {}
        for project in self.projects:
            self.by_key.setdefault(project.name_key, project)
        self.aliases = q.town_aliases(session, town_id)
        self.created: list[Project] = []
        #: the projects known before this file, by id: the only ones a new name is compared with (built once,
        #: not per new project — a file of 10,000 new projects took 45 s, of 100,000 hours)
        self.known = {p.id: p for p in self.projects}
        self.known_keys = {p.id: p.name_key for p in self.projects}

    def resolve_all(self, rows: Sequence[ParsedRow], file_name: str) -> dict[int, Project]:
        """Excel row → project for every row it can place; near-miss names get a ``name-candidate`` note.

        A row whose project code belongs to another town is not placed: it is rejected with ``code-conflict``
        (a code is one project in one town; taking it over would move another town's money).
        """
        codes = [str(r.values["project_code"]) for r in rows if r.values.get("project_code")]
        by_code = q.projects_by_code(self.session, codes)
        placed: dict[int, Project] = {}
        for row in rows:
            project = self._resolve(row, by_code, file_name)
            if project is not None:
                placed[row.excel_row] = project
        if self.created:
            _number_new(self.session, self.created)
            self.session.flush()  # one batch of INSERTs for the file's new projects, which gives their ids
        return placed

    def _resolve(self, row: ParsedRow, by_code: dict[str, Project], file_name: str) -> Project | None:
        name = str(row.values.get("project_name") or "")
        code = row.values.get("project_code")
        key = self.places.key(name)
        if code and code in by_code:
            if by_code[code].town_id != self.town_id:
                self._conflict(row, by_code[code], file_name)
                return None
            return self._refresh(by_code[code], row)
        if key in self.aliases:
            return self._refresh(self.session.get(Project, self.aliases[key]), row)  # type: ignore[arg-type]
        known = self.by_key.get(key)
        if known is not None and (not code or known.code is None):
            if code:
                known.code = str(code)
                by_code[str(code)] = known
            return self._refresh(known, row)
        project = self._create(row, name, key, code)
        if code:
            by_code[str(code)] = project
        self._note_candidates(row, project, file_name)
        return project

    def _conflict(self, row: ParsedRow, other: Project, file_name: str) -> None:
        from monitor.schema import Town

        town = self.session.get(Town, other.town_id)
        label = row.labels.get("project_code")
        row.rejected = True
        row.findings.append(Finding(
            "code-conflict", f"项目编号“{other.code}”属于{town.name if town else '其他镇街'}的项目“{other.name}”，"
            "不能用于本镇街的项目，请核对项目编号", file=file_name, sheet=row.sheet, row=row.excel_row,
            col=row.columns.get("project_code"), column=label, raw=row.raw.get(label) if label else None))

    def _create(self, row: ParsedRow, name: str, key: str, code: object) -> Project:
        v = row.values
        project = Project(code=str(code) if code else None, town_id=self.town_id, name=name, name_key=key,
                          village=v.get("village"), category=v.get("category"), owner=v.get("owner"),
                          planned_start=v.get("planned_start"), planned_end=v.get("planned_end"),
                          created_at=q.now())
        self.session.add(project)
        self.created.append(project)
        self.projects.append(project)
        self.by_key.setdefault(key, project)
        return project

    def drop_unused(self, used: set[int]) -> None:
        """Projects this file created whose every row was then rejected are not kept."""
        for project in self.created:
            if project.id not in used:
                self.session.delete(project)
        self.session.flush()

    def _refresh(self, project: Project, row: ParsedRow) -> Project:
        """Fill what the project lacked from what the town now says (never overwrite)."""
        for attr in ("village", "category", "owner", "planned_start", "planned_end"):
            if getattr(project, attr) is None and row.values.get(attr) is not None:
                setattr(project, attr, row.values[attr])
        return project

    def _note_candidates(self, row: ParsedRow, project: Project, file_name: str) -> None:
        if not self.known_keys:  # a file's own new projects are not compared with each other
            return
        best = process.extractOne(project.name_key, self.known_keys, scorer=fuzz.ratio, score_cutoff=self.score)
        if best is None:
            return
        other = self.known[best[2]]
        row.findings.append(Finding(
            "name-candidate",
            f"新项目“{project.name}”与以往报送的项目“{other.name}”名称相近（相似度{best[1]:.0f}）；"
            "如为同一项目，请今后使用相同的项目名称或填写项目编号",
            file=file_name, sheet=row.sheet, row=row.excel_row, col=row.columns.get("project_name"),
            column=row.labels.get("project_name"), raw=project.name))


def _place_index(district: str, towns: tuple[str, ...]) -> _PlaceView:
    """The index for the towns known now. A batch adds towns one file at a time (ordered by id, so the list
    only grows): the index grows with it instead of being rebuilt for every file."""
    with _INDEX_LOCK:  # threads with other databases must not extend one index with two different towns
        index = _INDEXES.get(district)
        if index is None or not index.extend(towns):
            index = _INDEXES[district] = _PlaceIndex(district)
            index.extend(towns)
    return _PlaceView(index, len(towns))


def _number_new(session: Session, created: list[Project]) -> None:
    """SQLite: give new projects the ids SQLite would (one past the largest, in order), so the flush inserts
    them in one executemany; without ids it inserts them one statement each, to read each id back. The
    file's transaction holds the database's write lock, so no other writer can take these ids meanwhile.
    PostgreSQL numbers them from its sequence in one batched INSERT … RETURNING already."""
    pending = [p for p in created if p.id is None]
    if not pending or session.get_bind().dialect.name != "sqlite":
        return
    with session.no_autoflush:
        top = session.scalar(select(func.max(Project.id))) or 0
    for number, project in enumerate(pending, start=top + 1):
        project.id = number


@lru_cache(maxsize=65536)
def _folded(place: str) -> str:
    return name_key(place)


class _PlaceIndex:
    """The place names a project name may start with, indexed by first character, each with the number of
    towns before the one it came from (the district's name: -1).

    ``name_key(name, places)`` folds and sorts every place on every call, which a province of 1,127 towns
    (2,254 prefixes) makes the cost of a file. Only a place that occurs in the name's folded key can be
    stripped from it (the key only ever loses a prefix), so the same key comes from that handful of places.
    """

    def __init__(self, district: str) -> None:
        self.towns: list[str] = []
        self.rank: dict[str, int] = {}
        self.by_char: dict[str, list[tuple[str, int]]] = {}
        self._add(place_prefixes(district, ()), -1)

    def extend(self, towns: tuple[str, ...]) -> bool:
        """Take in the towns past those already known; False when ``towns`` does not continue them."""
        have = len(self.towns)
        if len(towns) >= have:
            if list(towns[:have]) != self.towns:
                return False
            for rank, town in enumerate(towns[have:], start=have):
                self._add(place_prefixes("", (town,)), rank)
            self.towns.extend(towns[have:])
            return True
        return list(towns) == self.towns[: len(towns)]

    def _add(self, places: list[str], rank: int) -> None:
        for folded in (_folded(p) for p in places if p):
            if folded and folded not in self.rank:
                self.rank[folded] = rank
                self.by_char.setdefault(folded[0], []).append((folded, rank))


class _PlaceView:
    """The index as it was with the first ``count`` towns: places of later towns are left out."""

    def __init__(self, index: _PlaceIndex, count: int) -> None:
        self.index, self.count = index, count

    def key(self, name: str) -> str:
        bare = name_key(name)
        by_char, count = self.index.by_char, self.count
        near = [p for ch in set(bare) for p, rank in by_char.get(ch, ()) if rank < count and p in bare]
        return (name_key(name, near) if near else bare) or bare


#: one growing index per district name
_INDEXES: dict[str, _PlaceIndex] = {}
_INDEX_LOCK = threading.Lock()
