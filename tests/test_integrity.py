"""Money stays right through the awkward paths a review found: codes across towns, YTD columns with
several fund years, changing allocations, withdrawals, partial registers, merges, re-sent registers."""

from __future__ import annotations

from pathlib import Path

import pytest
import xlsxwriter
from sqlalchemy import select

from etl.pipeline import IngestOptions, ingest_paths
from monitor.db import open_database
from monitor.identity import merge_projects
from monitor.schema import Project
from monitor.settings import load_settings
from monitor.status import build_status
from monitor.submissions import withdraw
from tests.helpers import project, town_workbook

SETTINGS = load_settings(None, {"towns.expected": ["磷溪镇", "官塘镇"]})
AS_OF = None  # judged today, with every file received


@pytest.fixture
def factory(db_url: str):  # type: ignore[no-untyped-def]
    return open_database(db_url)


def load(factory, *paths: Path, **kw):  # type: ignore[no-untyped-def]
    return [r.outcome for r in ingest_paths(factory, list(paths), SETTINGS, IngestOptions(**kw)).results]


def projects(factory, period: str) -> dict[str, dict]:  # type: ignore[type-arg]
    with factory() as s:
        return {p["project_name"]: p for p in build_status(s, SETTINGS, period, AS_OF)["projects"]}


def test_a_code_from_another_town_is_refused_not_taken_over(factory, tmp_path: Path) -> None:
    load(factory, town_workbook(tmp_path / "gt.xlsx", "官塘镇", "2023-10", [project("GT-001", "奕湖村污水治理", 100, 50)]))
    [outcome] = load(factory, town_workbook(tmp_path / "lx.xlsx", "磷溪镇", "2023-10",
                                            [project("GT-001", "溪口市场升级改造", 300, 20),
                                             project("LX-002", "仙田村道路", 150, 30)]))
    conflict = next(f for f in outcome.findings if f.code == "code-conflict")
    assert conflict.is_error and "官塘镇" in conflict.message and conflict.row == 4
    assert (outcome.rows_accepted, outcome.rows_rejected) == (1, 1)
    got = projects(factory, "2023-10")
    assert got["奕湖村污水治理"]["town"] == "官塘镇" and got["奕湖村污水治理"]["allocated"] == 1_000_000.00


def _ytd_workbook(path: Path, period: str, rows: list[tuple]) -> Path:  # type: ignore[type-arg]
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("进度")
    ws.write_row(0, 0, [f"磷溪镇{period[:4]}年{int(period[5:])}月项目进度表"])
    ws.write_row(1, 0, ["序号", "项目编号", "项目名称", "资金年度", "下达资金（万元）", "本年累计支出（万元）"])
    for i, row in enumerate(rows, start=2):
        ws.write_row(i, 0, [i - 1, *row])
    wb.close()
    return path


def test_year_to_date_column_adds_each_fund_years_own_earlier_spending(factory, tmp_path: Path) -> None:
    dec = town_workbook(tmp_path / "dec.xlsx", "磷溪镇", "2023-12",
                        [project("LX-9", "溪口市场", 100, 100, year=2022), project("LX-9", "溪口市场", 50, 10)])
    jan = _ytd_workbook(tmp_path / "jan.xlsx", "2024-01", [("LX-9", "溪口市场", 2022, 100, 0),
                                                            ("LX-9", "溪口市场", 2023, 50, 5)])
    outcomes = load(factory, dec, jan)
    assert [o.outcome for o in outcomes] == ["accepted", "accepted"]
    assert not any(f.code == "spent-decreased" for f in outcomes[1].findings)
    market = projects(factory, "2024-01")["溪口市场"]
    assert market["spent"] == 1_150_000.00 and "regressed" not in market["flags"]


def test_each_month_is_judged_with_the_money_it_had_then(factory, tmp_path: Path) -> None:
    load(factory, town_workbook(tmp_path / "sep.xlsx", "磷溪镇", "2023-09", [project("A", "溪口市场", 100, 50)]),
         town_workbook(tmp_path / "oct.xlsx", "磷溪镇", "2023-10", [project("A", "溪口市场", 200, 60)]),
         town_workbook(tmp_path / "aug.xlsx", "磷溪镇", "2023-08", [project("A", "溪口市场", 80, 40)]))
    assert projects(factory, "2023-09")["溪口市场"]["allocated"] == 1_000_000.00
    assert projects(factory, "2023-08")["溪口市场"]["allocated"] == 800_000.00
    assert projects(factory, "2023-10")["溪口市场"]["allocated"] == 2_000_000.00


def test_withdrawing_a_typo_file_takes_its_money_with_it(factory, tmp_path: Path) -> None:
    load(factory, town_workbook(tmp_path / "a.xlsx", "磷溪镇", "2023-10", [project("A", "溪口市场", 100, 50)]))
    [typo] = load(factory, town_workbook(tmp_path / "b.xlsx", "磷溪镇", "2023-10", [project("A", "溪口市场", 1000, 50)]))
    assert projects(factory, "2023-10")["溪口市场"]["allocated"] == 10_000_000.00
    with factory.begin() as s:
        withdraw(s, typo.submission_id)
    assert projects(factory, "2023-10")["溪口市场"]["allocated"] == 1_000_000.00


def test_a_partial_register_leaves_the_years_it_does_not_list(factory, tmp_path: Path) -> None:
    register = tmp_path / "项目库.xlsx"
    wb = xlsxwriter.Workbook(str(register))
    ws = wb.add_worksheet("项目库")
    ws.write_row(0, 0, ["项目编号", "镇街", "项目名称", "资金年度", "资金批次", "下达资金（万元）"])
    ws.write_row(1, 0, ["A", "磷溪镇", "溪口市场", 2023, "第一批", 100])
    wb.close()
    town = town_workbook(tmp_path / "t.xlsx", "磷溪镇", "2024-03",
                         [project("A", "溪口市场", 100, 80, year=2023), project("A", "溪口市场", 200, 20, year=2024)])
    outcomes = load(factory, register, town)
    assert not any(f.code == "allocation-mismatch" for f in outcomes[1].findings)
    market = projects(factory, "2024-03")["溪口市场"]
    assert market["allocated"] == 3_000_000.00 and market["spent"] == 1_000_000.00


def test_merge_keeps_the_newest_money_and_name_and_can_be_repeated(factory, tmp_path: Path) -> None:
    load(factory, town_workbook(tmp_path / "a.xlsx", "磷溪镇", "2023-08", [project(None, "溪口市场改造工程", 100, 10)]),
         town_workbook(tmp_path / "b.xlsx", "磷溪镇", "2023-09", [project(None, "溪口市场改造项目", 110, 20)]),
         town_workbook(tmp_path / "c.xlsx", "磷溪镇", "2023-10", [project(None, "溪口市场改造", 120, 30)]))
    with factory() as s:
        ids = {p.name: p.id for p in s.scalars(select(Project))}
    with factory.begin() as s:
        merge_projects(s, ids["溪口市场改造工程"], ids["溪口市场改造项目"])
    with factory.begin() as s:
        merge_projects(s, ids["溪口市场改造"], ids["溪口市场改造工程"])
    got = projects(factory, "2023-10")
    assert list(got) == ["溪口市场改造"] and got["溪口市场改造"]["allocated"] == 1_200_000.00


def test_a_rejected_register_can_be_sent_again(factory, tmp_path: Path) -> None:
    register = tmp_path / "项目库.xlsx"
    wb = xlsxwriter.Workbook(str(register))
    ws = wb.add_worksheet("项目库")
    ws.write_row(0, 0, ["项目编号", "镇街", "项目名称", "资金年度", "资金批次", "下达资金（万元）"])
    ws.write_row(1, 0, ["A", "铁铺镇", "溪口市场", 2023, "第一批", 100])
    wb.close()
    [first] = load(factory, register)
    assert first.outcome == "rejected"  # 铁铺镇 is not in towns.expected
    again = ingest_paths(factory, [register], load_settings(None, {"towns.expected": ["铁铺镇"]}),
                         IngestOptions()).results[0].outcome
    assert again.outcome == "accepted" and again.rows_accepted == 1
