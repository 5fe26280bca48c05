"""Output safety: town text that looks like a formula stays text in every xlsx fundmon writes (read back,
no cell is a formula, the text is exact), and no output path built from a town's name leaves --out."""

from __future__ import annotations

import zipfile
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from monitor.cli.main import cli
from reports.files import safe_file_name
from tests.helpers import HEADER, project, town_workbook

FORMULAS = ['=1+1', '=HYPERLINK("http://x","y")', "+cmd|' /C calc'!A0", "@SUM(A1)", "-2+3"]
#: a town given with --town: separators and .. in its name (NUL, newlines and 200+ characters cannot get in)
ESCAPING_TOWN = "../../外面/逃..逸镇"
WIDE_HEADER = (*HEADER, "业主单位", "存在问题", "备注")


def _rows(month: int) -> list[tuple[object, ...]]:
    """Five slow projects (red lights, so letters are drafted), each named like a formula."""
    rows = []
    for i, text in enumerate(FORMULAS):
        owner, issue, note = FORMULAS[(i + 1) % 5], FORMULAS[(i + 2) % 5], FORMULAS[(i + 3) % 5]
        rows.append((*project(f"XQ-{i}", text, 100, month, village=FORMULAS[(i + 4) % 5], status="在建"),
                     owner, issue, note))
    return rows


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("output-safety")
    inbox, out = root / "inbox", root / "out"
    inbox.mkdir()
    for month in (9, 10):
        town_workbook(inbox / f"磷溪镇_2023年{month}月.xlsx", "磷溪镇", f"2023-{month:02d}", _rows(month),
                      header=WIDE_HEADER)
    bad = [project("XQ-9", "坏金额项目", "=1+1", 0), *_rows(10)[:1]]
    town_workbook(inbox / "官塘镇_2023年10月.xlsx", "官塘镇", "2023-10", bad)
    other = town_workbook(root / "外来文件.xlsx", "意溪镇", "2023-10", _rows(10), header=WIDE_HEADER)
    db = f"sqlite:///{root / 'fundmon.db'}"
    runner = CliRunner()

    def run(*args: str, codes: tuple[int, ...] = (0,)) -> None:
        result = runner.invoke(cli, ["--db", db, *args], catch_exceptions=False)
        assert result.exit_code in codes, result.output

    run("ingest", str(inbox), "--findings-dir", str(out / "问题清单"), "--received", "2023-10-03", codes=(0, 3))
    run("ingest", str(other), "--town", ESCAPING_TOWN, "--findings-dir", str(out / "问题清单"),
        "--received", "2023-11-03", codes=(0, 3))
    run("dispatch", "--date", "2023-11-13", "--out", str(out))
    run("dispatch", "--date", "2023-11-13", "--out", str(out), "--each-town")
    run("review", "--period", "2023-10", "--as-of", "2023-11-13", "--out", str(out))
    run("letters", "--date", "2023-11-13", "--out", str(out))
    run("template", "--period", "2023-11", "--as-of", "2023-11-13", "--out", str(out))
    run("disclose", "--period", "2023-10", "--as-of", "2023-11-13", "--out", str(out))
    run("appraisal", "--year", "2023", "--as-of", "2023-12-31", "--out", str(out))
    return out


def _workbooks(out: Path) -> list[Path]:
    return sorted(out.rglob("*.xlsx"))


@pytest.mark.slow
def test_every_kind_of_workbook_was_written(out: Path) -> None:
    names = {p.name for p in _workbooks(out)}
    assert {"调度表.xlsx", "数据.xlsx", "年度考核.xlsx", "项目公示表_2023年10月.xlsx",
            "磷溪镇_2023年9月_问题清单.xlsx", "官塘镇_2023年10月_问题清单.xlsx",
            "磷溪镇_2023年11月_项目进度月报.xlsx"} <= names
    assert any(p.parent.parent.name.startswith("dispatch-") for p in _workbooks(out))  # the per-town slices
    assert list(out.glob("letters-2023-11-13/*.docx"))


@pytest.mark.slow
def test_no_cell_of_any_workbook_is_a_formula(out: Path) -> None:
    for path in _workbooks(out):
        book = openpyxl.load_workbook(path)
        formulas = [f"{ws.title}!{cell.coordinate}" for ws in book for row in ws.iter_rows() for cell in row
                    if cell.data_type == "f"]
        assert formulas == [], path.relative_to(out)
        with zipfile.ZipFile(path) as archive:
            sheets = [n for n in archive.namelist() if n.startswith("xl/worksheets/")]
            assert not any(b"<f>" in archive.read(n) or b"<f " in archive.read(n) for n in sheets), path.name


@pytest.mark.slow
@pytest.mark.parametrize("name", ["调度表.xlsx", "项目公示表_2023年10月.xlsx", "磷溪镇_2023年11月_项目进度月报.xlsx",
                                  "磷溪镇_2023年9月_问题清单.xlsx"])
def test_formula_looking_names_are_kept_exactly(out: Path, name: str) -> None:
    (path,) = [p for p in _workbooks(out) if p.name == name and "dispatch-" not in p.parent.parent.name]
    texts = {cell.value for ws in openpyxl.load_workbook(path) for row in ws.iter_rows() for cell in row
             if isinstance(cell.value, str)}
    assert set(FORMULAS) <= texts, sorted(t for t in texts if t[:1] in "=+-@")


@pytest.mark.slow
def test_a_bad_cell_that_looks_like_a_formula_is_quoted_as_text_in_its_problem_list(out: Path) -> None:
    book = openpyxl.load_workbook(out / "问题清单" / "官塘镇_2023年10月_问题清单.xlsx")
    values = [(cell.value, cell.data_type) for row in book["问题清单"].iter_rows() for cell in row]
    assert ("=1+1", "s") in values


@pytest.mark.slow
def test_outputs_of_a_town_named_with_separators_stay_in_out(out: Path) -> None:
    root = out.parent
    everything = [p for p in root.rglob("*")]
    assert all(p.resolve().is_relative_to(out.resolve()) for p in everything
               if p.name not in ("inbox", "out", "外来文件.xlsx") and not p.name.startswith("fundmon.db")
               and not p.resolve().is_relative_to((root / "inbox").resolve()))
    assert not (root.parent / "外面").exists() and not (root / "外面").exists()
    town_files = [p for p in out.rglob("*逃*")]
    assert {p.suffix for p in town_files} >= {".xlsx", ".docx"}  # its template and its letter
    for path in town_files:
        assert path.resolve().is_relative_to(out.resolve()) and ".." not in path.relative_to(out).parts


@given(st.text(max_size=300))
def test_safe_file_name_is_always_one_component_in_its_folder(text: str) -> None:
    name = safe_file_name(text)
    folder = Path("/srv/out")
    assert name and len(name.encode()) <= 120 and (folder / name).parent == folder
    assert name not in (".", "..") and not name.startswith(".") and "/" not in name and "\\" not in name
    assert not any(ord(ch) < 32 or ch in '<>:"|?*' for ch in name)


@pytest.mark.parametrize(("text", "expected"), [
    ("官塘镇人民政府", "官塘镇人民政府"), ("../../外面/逃逸镇", "外面_逃逸镇"), ("..", "_"), ("a\x00b\nc", "abc"),
    ("长" * 200, "长" * 40), ("CON", "_CON"), ("\\\\server\\share", "server_share"),
])
def test_safe_file_name(text: str, expected: str) -> None:
    assert safe_file_name(text) == expected


def test_letters_and_templates_use_the_safe_name() -> None:
    from monitor.schema import Letter
    from reports.letters import file_name
    from reports.template import template_name

    letter = Letter(number="湘农函〔2023〕5号", recipient="../../x/逃逸镇人民政府", kind="reminder",
                    day=date(2023, 11, 13))
    assert "/" not in file_name(letter) and file_name(letter).startswith("湘农函〔2023〕5号-x_逃逸镇人民政府-")
    assert template_name("../a\\b镇", "2023-11") == "a_b镇_2023年11月_项目进度月报.xlsx"
