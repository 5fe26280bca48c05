"""The hostile corpus: malformed and hostile town files, each with the outcome ``fundmon ingest`` must give it.

Nothing is committed but this code: the files are generated where the tests want them.

    python -m tests.hostile.make_corpus OUT_DIR     # write every case (one folder per case)
    python -m tests.hostile.make_corpus --table     # print the table of docs/reliability.md
"""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from monitor.findings import CODES
from tests.hostile.case import Case, Corpus
from tests.hostile.cases_content import (
    add_date_cases,
    add_encoding_cases,
    add_formula_cases,
    add_header_cases,
    add_length_cases,
    add_name_cases,
    add_number_cases,
)
from tests.hostile.cases_files import add_bomb_cases, add_format_cases, add_size_cases, add_zip_cases

#: every file's town is its own, so no case can supersede another by accident
_FIRST = "东西南北中上下前后左右新旧大小"
_SECOND = "山河湖海田林泉石溪岭塘湾洲坑埔"


def town_names() -> Iterator[str]:
    for first in _FIRST:
        for second in _SECOND:
            yield f"{first}{second}镇"


def build_corpus() -> list[Case]:
    """Every case, in the order ingest meets them (each in its own numbered folder)."""
    corpus, towns = Corpus(), town_names()
    for add in (add_zip_cases, add_format_cases, add_bomb_cases, add_size_cases, add_header_cases,
                add_encoding_cases, add_number_cases, add_date_cases, add_formula_cases, add_name_cases,
                add_length_cases):
        add(corpus, towns)
    cases = corpus.cases
    assert len({c.file_name for c in cases}) == len(cases), "file names must be unique across the corpus"
    assert len({(c.category, c.slug) for c in cases}) == len(cases)
    return cases


def case_folder(index: int, case: Case) -> str:
    return f"{index:03d}-{case.category}-{case.slug}"


def write_corpus(root: Path, cases: list[Case] | None = None) -> list[tuple[Case, Path]]:
    """Write each case as ``root/NNN-category-slug/<its file name>``; returns (case, path) in order."""
    cases = build_corpus() if cases is None else cases
    written = []
    for index, case in enumerate(cases):
        folder = root / case_folder(index, case)
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / case.file_name
        path.write_bytes(case.build())
        written.append((case, path))
    return written


def markdown_table(cases: list[Case]) -> str:
    """Categories × cases × outcome, as docs/reliability.md shows it."""
    lines = ["| category | cases | accepted | … with rows refused | rejected | superseded / duplicate | finding codes |",
             "|---|---:|---:|---:|---:|---:|---|"]
    by_category: dict[str, list[Case]] = {}
    for case in cases:
        by_category.setdefault(case.category, []).append(case)
    for category, group in [*by_category.items(), ("**all**", cases)]:
        counts = Counter(c.outcome for c in group)
        partly = sum(1 for c in group if c.outcome == "accepted" and any(CODES[k][0] == "error" for k in c.codes))
        codes = sorted({code for c in group for code in c.codes}) if group is not cases else []
        name = category if group is not cases else f"**all {len(by_category)} categories**"
        lines.append(f"| {name} | {len(group)} | {counts['accepted']} | {partly} | {counts['rejected']} | "
                     f"{counts['superseded'] + counts['duplicate']} | {', '.join(f'`{c}`' for c in codes)} |")
    return "\n".join(lines)


def case_list(cases: list[Case]) -> str:
    """One line per case: what it is and what must happen."""
    lines = ["| # | category | case | outcome | codes | what it is |", "|---:|---|---|---|---|---|"]
    for index, case in enumerate(cases):
        codes = ", ".join(f"`{c}`" for c in sorted(case.codes)) or "—"
        where = " (own process)" if case.isolated else ""
        note = case.note.replace("|", "\\|").replace("\n", " ")
        lines.append(f"| {index} | {case.category} | {case.slug} | {case.outcome}{where} | {codes} | {note} |")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    cases = build_corpus()
    if argv[:1] == ["--table"]:
        print(markdown_table(cases))
        print()
        print(case_list(cases))
        return 0
    if len(argv) != 1:
        print(__doc__)
        return 2
    for case, path in write_corpus(Path(argv[0]), cases):
        print(f"{case.outcome:10} {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
