"""The bureau's register (项目库 / 资金下达表): detected, read to the 分, loaded as the projects' allocations."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from etl.load import sha256_of, store_file
from etl.model import SheetGrid
from etl.normalise import ParseError
from etl.read import read_grids
from etl.register import (
    RegisterFile,
    is_register,
    normalise_batch,
    normalise_doc_no,
    normalise_level,
    parse_register,
)
from etl.register_load import RegisterOutcome, load_register, split_by_town
from monitor import queries as q
from monitor.db import open_database
from monitor.names import name_key, place_prefixes
from monitor.schema import Allocation, Project, ProjectAlias, Submission, Town
from tests.data.register.make_registers import make_all

ROOT = Path(__file__).resolve().parent.parent
REGISTERS = ROOT / "tests" / "data" / "register"
LIBRARY, YUAN, BAD = "项目库-湘桥区2023.xlsx", "资金下达表-元.xlsx", "register-bad-rows.xlsx"
TOWNS = ["意溪镇", "磷溪镇", "铁铺镇", "官塘镇", "桥东街道"]
TOWN_REPORTS = sorted(
    p for folder in (ROOT / "tests" / "data", ROOT / "sample_data" / "submissions")
    for p in folder.rglob("*")
    if p.suffix.lower() in (".xlsx", ".xlsm", ".xls", ".csv") and REGISTERS not in p.parents)
WAN = 1_000_000  # 分 in one 万元


def grids_of(path: Path) -> list[SheetGrid]:
    return read_grids(path.read_bytes(), path.name)


def register(name: str) -> RegisterFile:
    return parse_register(grids_of(REGISTERS / name), name)


def lines_by_row(reg: RegisterFile) -> dict[int, tuple[Any, ...]]:
    return {ln.excel_row: (ln.town, ln.project_code, ln.fund_year, ln.batch, ln.level, ln.doc_no, ln.amount_fen)
            for ln in reg.lines}


def grid(*rows: list[Any]) -> list[SheetGrid]:
    return [SheetGrid(name="Sheet1", cells=[list(r) for r in rows])]


# --- detection ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", [LIBRARY, YUAN, BAD])
def test_registers_are_detected(name: str) -> None:
    assert is_register(grids_of(REGISTERS / name))


def test_every_town_report_was_found() -> None:
    assert len(TOWN_REPORTS) >= 60  # tests/data quirks + eight months of sample submissions


@pytest.mark.parametrize("path", TOWN_REPORTS, ids=lambda p: p.name)
def test_town_report_is_not_a_register(path: Path) -> None:
    grids = grids_of(path)
    assert not is_register(grids) and not is_register(grids, path.name)


@pytest.mark.parametrize(("extra", "expected"), [
    ((), True),
    (("形象进度",), False),  # a progress column only a town report has
    (("已拨付（万元）",), False),
    (("累计支出",), False),
    (("实际支付金额",), False),  # spending in words header.py does not know is still spending
])
def test_detection_rule(extra: tuple[str, ...], expected: bool) -> None:
    header = ["镇街", "项目名称", "资金批次", "下达资金（万元）", *extra]
    assert is_register(grid(header, ["磷溪镇", "溪口市场", "第一批", 100, *([1] * len(extra))])) is expected


def test_needs_name_town_amount_and_an_allocation_key() -> None:
    assert not is_register(grid(["镇街", "项目名称", "下达资金"], ["磷溪镇", "溪口市场", 100]))
    assert not is_register(grid(["项目名称", "资金批次", "下达资金"], ["溪口市场", "第一批", 100]))
    assert not is_register(grid(["镇街", "项目名称", "资金层级"], ["磷溪镇", "溪口市场", "省级"]))
    assert is_register(grid(["乡镇", "项目名称", "分配资金", "下达文号"], ["磷溪镇", "溪口市场", 1, "x"]))
    assert is_register(grid(["实施镇街", "项目名称", "安排资金", "资金来源"], ["磷溪镇", "溪口市场", 1, "省级"]))


def test_fund_year_alone_needs_a_register_title() -> None:
    rows = [["镇街", "项目名称", "资金年度", "下达资金"], ["磷溪镇", "溪口市场", 2023, 100]]
    assert not is_register(grid(*rows))  # a town report that lost its 已支出 column stays a report
    assert not is_register(grid(*rows), "磷溪镇_202310.xlsx")
    assert is_register(grid(["湘桥区2023年驻镇帮镇扶村项目库"], *rows))
    assert is_register(grid(*rows), "2023年资金分配表.xlsx")


def test_a_town_report_read_as_register_says_no_header() -> None:
    path = next(p for p in TOWN_REPORTS if p.name.startswith("官塘镇_202310"))
    reg = parse_register(grids_of(path), path.name)
    assert reg.lines == [] and [f.code for f in reg.findings] == ["no-header"]


# --- reading -----------------------------------------------------------------------------------------------

def test_library_lines_exact_to_the_fen() -> None:
    reg = register(LIBRARY)
    assert (reg.sheet, reg.unit, reg.rows_rejected, reg.findings) == ("2023年项目库", "万元", 0, [])
    assert lines_by_row(reg) == {
        4: ("磷溪镇", "XQ2023-LX-001", 2022, "第二批", "省", "潮财农〔2022〕88号", 250 * WAN),
        5: ("磷溪镇", "XQ2023-LX-001", 2023, "第一批", "省", "潮财农〔2023〕12号", 170 * WAN),
        6: ("磷溪镇", "XQ2023-LX-002", 2023, "第一批", "中央", "潮财农〔2023〕12号", 150 * WAN),
        7: ("意溪镇", "XQ2023-YX-001", 2023, "第一批", "帮扶市", "潮财农〔2023〕12号", 586_400_000),
        8: ("铁铺镇", "XQ2023-TP-001", 2023, "第一批", "市", "潮财农〔2023〕12号", 80_250_000),
        9: ("官塘镇", "XQ2023-GT-001", 2023, "第二批", "省", "潮财农〔2023〕45号", 12_345_678),
        10: ("桥东街道", "XQ2023-QD-001", 2023, "第二批", "帮扶市", "潮财农〔2023〕45号", 37_123_400),
    }


def test_project_with_two_allocations() -> None:
    lines = [ln for ln in register(LIBRARY).lines if ln.project_code == "XQ2023-LX-001"]
    assert [(ln.fund_year, ln.batch, ln.level) for ln in lines] == [(2022, "第二批", "省"), (2023, "第一批", "省")]
    assert {ln.project_name for ln in lines} == {"溪口市场升级改造"}
    assert sum(ln.amount_fen for ln in lines) == 420 * WAN


def test_descriptive_fields_and_dates() -> None:
    line = next(ln for ln in register(LIBRARY).lines if ln.project_code == "XQ2023-TP-001")
    assert (line.village, line.category, line.owner) == ("铺埔", "产业发展", "铁铺镇人民政府")
    assert (line.planned_start, line.planned_end) == (date(2023, 5, 1), date(2023, 11, 1))
    assert line.raw["下达资金（万元）"] == "80.25" and line.columns["allocated"] == 12


def test_yuan_register_with_two_row_header() -> None:
    reg = register(YUAN)
    assert (reg.sheet, reg.unit, reg.rows_rejected, reg.findings) == ("资金下达", "元", 0, [])
    assert lines_by_row(reg) == {
        5: ("意溪镇", "XQ2023-YX-002", 2023, "第一批", "省", "潮财农〔2023〕12号", 123_456_789),
        6: ("意溪镇", "XQ2023-YX-002", 2023, "第二批", "帮扶市", "潮财农〔2023〕45号", 37_000_000),
        7: ("磷溪镇", "XQ2023-LX-003", 2023, "第二批", "区", "湘财农〔2023〕7号", 85_600_050),
        8: ("磷溪镇", "XQ2023-LX-004", 2024, "提前下达", "中央", "潮财农〔2023〕99号", 20_000_000),
    }


def test_bad_rows_have_exact_findings_and_the_rest_load() -> None:
    reg = register(BAD)
    assert sorted(lines_by_row(reg)) == [3, 5, 9] and reg.rows_rejected == 4
    found = [(f.code, f.severity, f.row, f.col, f.column, f.raw, f.message) for f in reg.findings]
    assert found == [
        ("missing-name", "error", 4, 4, "项目名称", None, "项目名称为空：请填写项目名称，否则该行无法入库"),
        ("bad-amount", "error", 6, 9, "下达资金（万元）", "待定", "下达资金：“待定”不是金额，请填写数字（万元）"),
        ("bad-year", "error", 7, 5, "资金年度", "明年", "资金年度：“明年”不是年度，请填写四位年份（如 2023），该行未导入"),
        ("no-town", "error", 8, 3, "镇街", None, "镇街为空：请填写项目所在镇街（如 磷溪镇），否则该行无法入库"),
        ("bad-level", "warning", 9, 7, "资金层级", "自筹",
         "资金层级：“自筹”不是可识别的资金层级，应为中央、省、市、区、帮扶市之一（已按原文保存）"),
    ]
    assert {(f.file, f.sheet) for f in reg.findings} == {(BAD, "项目库")}


def test_fund_year_from_title_when_the_cell_is_blank() -> None:
    rows = [["镇街", "项目名称", "资金批次", "下达资金"], ["磷溪镇", "溪口市场", "第一批", 100],
            ["官塘镇", "奕湖村污水", "第一批", 50]]
    titled = parse_register(grid(["湘桥区2023年驻镇帮镇扶村项目库"], *rows), "项目库.xlsx")
    assert [ln.fund_year for ln in titled.lines] == [2023, 2023]
    untitled = parse_register(grid(*rows), "项目库.xlsx")
    assert [(f.code, f.row, f.column) for f in untitled.findings] == [("missing-fund-year", 2, None),
                                                                      ("missing-fund-year", 3, None)]
    assert untitled.lines == [] and untitled.rows_rejected == 2


def test_repeated_allocation_and_code_in_two_towns_are_rejected() -> None:
    header = ["项目编号", "镇街", "项目名称", "资金年度", "资金批次", "下达资金"]
    reg = parse_register(grid(header, ["A1", "磷溪镇", "溪口市场", 2023, "第一批", 100],
                              ["A1", "磷溪镇", "溪口市场", 2023, "第一批", 100],
                              ["A1", "官塘镇", "溪口市场", 2023, "第二批", 100]), "项目库.xlsx")
    assert [(f.code, f.row) for f in reg.findings] == [("duplicate-allocation", 3), ("code-conflict", 4)]
    assert [ln.excel_row for ln in reg.lines] == [2] and reg.rows_rejected == 2


def test_total_row_is_checked_not_loaded() -> None:
    cells = grid(["镇街", "项目名称", "资金年度", "下达资金"], ["磷溪镇", "溪口市场", 2023, 100],
                 ["官塘镇", "奕湖村污水", 2023, 50], ["合计", None, None, 160])
    reg = parse_register(cells, "项目库.xlsx")
    assert len(reg.lines) == 2 and [(f.code, f.row) for f in reg.findings] == [("total-mismatch", 4)]


@pytest.mark.parametrize(("raw", "level"), [
    ("中央", "中央"), ("中央衔接资金", "中央"), ("省级", "省"), ("省", "省"), ("省级财政衔接资金", "省"),
    ("市级", "市"), ("市本级", "市"), ("被帮扶市", "市"), ("区级", "区"), ("县级", "区"),
    ("帮扶市", "帮扶市"), ("珠三角帮扶市", "帮扶市"), ("中山市帮扶资金", "帮扶市"), (" 省级 ", "省"), (None, None),
])
def test_levels_normalised(raw: Any, level: str | None) -> None:
    assert normalise_level(raw) == level


@pytest.mark.parametrize("raw", ["自筹", "省市", "其他"])
def test_unknown_level_raises(raw: str) -> None:
    with pytest.raises(ParseError):
        normalise_level(raw)


@pytest.mark.parametrize(("raw", "batch"), [
    ("第一批", "第一批"), ("第1批", "第一批"), ("一批", "第一批"), (2, "第二批"), (2.0, "第二批"), ("3", "第三批"),
    ("2023年第二批", "第二批"), ("第十二批", "第十二批"), ("第 12 批", "第十二批"), ("二十一批", "第二十一批"),
    ("提前下达", "提前下达"), ("第一二批", "第一二批"), ("-", None),
])
def test_batches_normalised(raw: Any, batch: str | None) -> None:
    assert normalise_batch(raw) == batch


@given(st.integers(min_value=1, max_value=99))
def test_batch_spellings_agree(n: int) -> None:
    canonical = normalise_batch(n)
    assert canonical is not None and canonical.startswith("第") and canonical.endswith("批")
    assert normalise_batch(f"第{n}批") == normalise_batch(str(n)) == normalise_batch(canonical) == canonical


@given(st.text(max_size=12))
def test_batch_normalising_is_idempotent(text: str) -> None:
    once = normalise_batch(text)
    assert once is None or normalise_batch(once) == once


@pytest.mark.parametrize("raw", ["潮财农[2023]12号", "潮财农（2023）12号", "潮财农【2023】12号", "潮财农 〔2023〕 12号"])
def test_doc_numbers_get_hexagonal_brackets(raw: str) -> None:
    assert normalise_doc_no(raw) == "潮财农〔2023〕12号"


def test_stored_workbooks_match_their_generator(tmp_path: Path) -> None:
    for made in make_all(tmp_path):
        assert parse_register(grids_of(made), made.name) == register(made.name)


# --- loading -----------------------------------------------------------------------------------------------

@pytest.fixture
def factory(db_url: str) -> sessionmaker[Session]:
    return open_database(db_url)


@pytest.fixture
def sqlite_factory(tmp_path: Path) -> sessionmaker[Session]:
    return open_database(f"sqlite:///{tmp_path / 'x.db'}")


def add_submission(s: Session, name: str) -> int:
    data = f"{name}#{s.scalar(select(func.count()).select_from(Submission))}".encode()
    sha = sha256_of(data)
    store_file(s, data, sha, name)
    sub = Submission(file_name=name, sha256=sha, dedupe_key=f"{sha}||", received_at=q.now(),
                     ingested_at=q.now(), status="accepted")
    s.add(sub)
    s.flush()
    return sub.id


def load(factory: sessionmaker[Session], reg: RegisterFile, towns: list[str] = TOWNS) -> tuple[RegisterOutcome, int]:
    with factory.begin() as s:
        sub = add_submission(s, reg.file_name)
        return load_register(s, reg, sub, district="湘桥区", expected_towns=towns), sub


def allocations(s: Session, code: str) -> list[tuple[Any, ...]]:
    project = s.scalars(select(Project).where(Project.code == code)).one()
    rows = s.scalars(select(Allocation).where(Allocation.project_id == project.id).order_by(Allocation.id))
    return [(a.fund_year, a.batch, a.level, a.amount_fen, a.source, a.submission_id) for a in rows]


def add_project(s: Session, town: str, name: str, code: str | None = None, **fields: Any) -> Project:
    town_id = q.get_or_create_town(s, town).id
    places = place_prefixes("湘桥区", q.town_names(s))
    project = Project(code=code, town_id=town_id, name=name, name_key=name_key(name, places), created_at=q.now(),
                      **fields)
    s.add(project)
    s.flush()
    return project


def test_load_creates_projects_and_allocations(factory: sessionmaker[Session]) -> None:
    outcome, sub = load(factory, register(LIBRARY))
    assert (outcome.projects_created, outcome.projects_updated, outcome.allocations_written,
            outcome.rows_rejected, outcome.findings) == (6, 0, 7, 0, [])
    with factory() as s:
        assert allocations(s, "XQ2023-LX-001") == [(2022, "第二批", "省", 250 * WAN, "register", sub),
                                                   (2023, "第一批", "省", 170 * WAN, "register", sub)]
        assert s.scalar(select(func.sum(Allocation.amount_fen))) == 1_286_119_078
        qd = s.scalars(select(Project).where(Project.code == "XQ2023-QD-001")).one()
        town = s.get(Town, qd.town_id)
        assert town and (town.name, qd.village, qd.category) == ("桥东街道", "黄金塘", "四小园")
        assert qd.planned_end == date(2023, 10, 31)
        assert sorted(q.town_names(s)) == sorted(TOWNS)


def test_reload_replaces_allocations_without_duplicates(factory: sessionmaker[Session]) -> None:
    load(factory, register(LIBRARY))
    outcome, second = load(factory, register(LIBRARY))
    assert (outcome.projects_created, outcome.projects_updated, outcome.allocations_written) == (0, 6, 7)
    with factory() as s:
        assert s.scalar(select(func.count()).select_from(Allocation)) == 7
        assert set(s.scalars(select(Allocation.submission_id))) == {second}
        assert s.scalar(select(func.count()).select_from(Project)) == 6


def test_matched_by_code_by_name_key_and_by_alias(sqlite_factory: sessionmaker[Session]) -> None:
    with sqlite_factory.begin() as s:
        for town in TOWNS:
            q.get_or_create_town(s, town)
        by_code = add_project(s, "磷溪镇", "仙田村道路硬化", "XQ2023-LX-002", category="旧类别", village="旧村")
        by_name = add_project(s, "磷溪镇", "磷溪镇溪口市场 升级改造")
        by_alias = add_project(s, "官塘镇", "奕湖污水项目")
        s.add(ProjectAlias(project_id=by_alias.id, town_id=by_alias.town_id, name="奕湖村农村生活污水治理",
                           name_key=name_key("奕湖村农村生活污水治理"), created_at=q.now()))
        sub = add_submission(s, "官塘镇_202303.xlsx")
        s.add(Allocation(project_id=by_name.id, fund_year=2023, amount_fen=400 * WAN, source="submission",
                         submission_id=sub, created_at=q.now()))
        ids = (by_code.id, by_name.id, by_alias.id)
    outcome, _ = load(sqlite_factory, register(LIBRARY))
    assert (outcome.projects_created, outcome.projects_updated) == (3, 3)
    with sqlite_factory() as s:
        code_p, name_p, alias_p = (s.get(Project, i) for i in ids)
        assert code_p and (code_p.name, code_p.category, code_p.village) == ("仙田村道路硬化", "基础设施", "仙田")
        assert name_p and (name_p.code, name_p.name, name_p.name_key) == ("XQ2023-LX-001", "磷溪镇溪口市场 升级改造",
                                                                           "溪口市场升级改造")
        assert alias_p and alias_p.code == "XQ2023-GT-001"
        assert [a[4] for a in allocations(s, "XQ2023-LX-001")] == ["submission", "register", "register"]


def test_partial_register_leaves_other_projects_alone(factory: sessionmaker[Session]) -> None:
    _, first = load(factory, register(LIBRARY))
    partial = parse_register(grid(["项目编号", "镇街", "项目名称", "资金年度", "资金批次", "资金层级", "下达资金（万元）"],
                                  ["XQ2023-LX-001", "磷溪镇", "溪口市场升级改造", 2023, "第三批", "省级", 500]),
                             "磷溪镇项目库.xlsx")
    outcome, second = load(factory, partial)
    assert (outcome.projects_created, outcome.projects_updated, outcome.allocations_written) == (0, 1, 1)
    with factory() as s:
        assert allocations(s, "XQ2023-LX-001") == [(2023, "第三批", "省", 500 * WAN, "register", second)]
        assert allocations(s, "XQ2023-YX-001") == [(2023, "第一批", "帮扶市", 586_400_000, "register", first)]
        assert s.scalar(select(func.count()).select_from(Allocation)) == 6


def test_bad_rows_load_the_good_ones(factory: sessionmaker[Session]) -> None:
    outcome, _ = load(factory, register(BAD))
    assert (outcome.projects_created, outcome.allocations_written, outcome.rows_rejected) == (2, 2, 5)
    unknown = [f for f in outcome.findings if f.code == "unknown-town"]
    assert [(f.row, f.col, f.column, f.raw, f.message) for f in unknown] == [
        (5, 3, "镇街", "磷西镇", "镇街“磷西镇”不在镇街名单中，是否应为“磷溪镇”？该行未导入")]
    assert outcome.errors == 5 and outcome.warnings == 1
    with factory() as s:
        assert "磷西镇" not in q.town_names(s)


def test_without_a_town_list_towns_are_learned(sqlite_factory: sessionmaker[Session]) -> None:
    outcome, _ = load(sqlite_factory, register(BAD), towns=[])
    assert (outcome.projects_created, outcome.rows_rejected) == (3, 4)
    with sqlite_factory() as s:
        assert "磷西镇" in q.town_names(s)


def test_code_of_another_towns_project_is_rejected(sqlite_factory: sessionmaker[Session]) -> None:
    with sqlite_factory.begin() as s:
        add_project(s, "磷溪镇", "另一个项目", "XQ2023-GT-001")
    outcome, _ = load(sqlite_factory, register(LIBRARY))
    assert [(f.code, f.row, f.raw) for f in outcome.findings] == [("code-conflict", 9, "XQ2023-GT-001")]
    assert (outcome.projects_created, outcome.allocations_written, outcome.rows_rejected) == (5, 6, 1)


def test_a_failed_transaction_leaves_nothing(sqlite_factory: sessionmaker[Session]) -> None:
    with pytest.raises(RuntimeError), sqlite_factory.begin() as s:
        load_register(s, register(LIBRARY), add_submission(s, LIBRARY), district="湘桥区", expected_towns=TOWNS)
        raise RuntimeError("crash after loading")
    with sqlite_factory() as s:
        assert s.scalar(select(func.count()).select_from(Allocation)) == 0
        assert s.scalar(select(func.count()).select_from(Project)) == 0


def test_town_check_without_a_database() -> None:
    kept, found = split_by_town(register(BAD), TOWNS)
    assert [ln.excel_row for ln in kept] == [3, 9]
    assert [(f.code, f.row, f.raw) for f in found] == [("unknown-town", 5, "磷西镇")]
    assert len(split_by_town(register(BAD), [])[0]) == 3
