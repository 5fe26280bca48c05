"""The status contract of DESIGN §6: every key, exact amounts, default period, ranks."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest

from etl.pipeline import IngestOptions, ingest_paths
from monitor.db import open_database
from monitor.settings import load_settings
from monitor.status import build_status
from tests.helpers import LX_ROWS, project, town_workbook

SETTINGS = load_settings(None, {"towns.expected": ["磷溪镇", "官塘镇", "铁铺镇"]})
PROJECT_KEYS = {"project_code", "project_name", "town", "village", "category", "fund_year", "allocated",
                "requested", "disbursed", "spent", "spend_rate", "benchmark", "gap", "light", "progress",
                "status", "flags", "last_period"}
TOWN_KEYS = {"town", "projects", "allocated", "spent", "spend_rate", "benchmark", "gap", "light", "rank",
             "green", "yellow", "red", "submitted", "requested", "disbursed", "bottom_three"}


@pytest.fixture
def loaded(db_url: str, tmp_path: Path):  # type: ignore[no-untyped-def]
    factory = open_database(db_url)
    september = [town_workbook(tmp_path / "lx9.xlsx", "磷溪镇", "2023-09", LX_ROWS)]
    october = [
        town_workbook(tmp_path / "lx10.xlsx", "磷溪镇", "2023-10", LX_ROWS[:2]),
        town_workbook(tmp_path / "gt10.xlsx", "官塘镇", "2023-10",
                      [project("XQ-GT-1", "奕湖村污水治理", 300, 270, village="奕湖", year=2022),
                       project("XQ-GT-2", "宫头村四小园", 0, 0, village="宫头")]),
    ]
    ingest_paths(factory, september, SETTINGS, IngestOptions(received_at=datetime(2023, 10, 3, 9)))
    ingest_paths(factory, october, SETTINGS, IngestOptions(received_at=datetime(2023, 11, 2, 9)))
    return factory


def test_status_json_shape_and_figures(loaded) -> None:
    with loaded() as s:
        data = build_status(s, SETTINGS, "2023-10")
    assert data["period"] == "2023-10" and data["benchmark_mode"] == "monthly" and "thresholds" in data
    for p in data["projects"]:
        assert set(p) >= PROJECT_KEYS
    for t in data["towns"]:
        assert set(t) >= TOWN_KEYS
    by_name = {p["project_name"]: p for p in data["projects"]}
    market = by_name["溪口市场升级改造"]
    assert market["allocated"] == 4_200_000.00 and market["spent"] == 1_305_000.00
    assert market["spend_rate"] == 0.3107 and market["requested"] == 2_000_000.00
    assert market["progress"] == 0.6 and market["status"] == "在建" and market["last_period"] == "2023-10"
    lamps = by_name["北堤村太阳能路灯"]  # not in October's file: keeps its September report
    assert lamps["last_period"] == "2023-09" and lamps["spend_rate"] == 1.0
    zero = by_name["宫头村四小园"]
    assert zero["spend_rate"] is None and zero["allocated"] == 0.0
    assert by_name["奕湖村污水治理"]["fund_year"] == 2022
    towns = {t["town"]: t for t in data["towns"]}
    assert towns["官塘镇"]["rank"] == 1 and towns["磷溪镇"]["rank"] == 2
    assert towns["官塘镇"]["projects"] == 2 and towns["官塘镇"]["allocated"] == 3_000_000.00
    assert towns["铁铺镇"]["submitted"] is False and towns["铁铺镇"]["rank"] is None
    assert towns["铁铺镇"]["flags"] == ["missing-report"] and towns["磷溪镇"]["flags"] == []
    assert towns["磷溪镇"]["submitted"] is True


def test_default_period_waits_for_the_deadline(loaded) -> None:
    with loaded() as s:
        assert build_status(s, SETTINGS, as_of=date(2023, 11, 3))["period"] == "2023-09"
        assert build_status(s, SETTINGS, as_of=date(2023, 11, 6))["period"] == "2023-10"


def test_empty_database_has_no_period(db_url: str) -> None:
    with open_database(db_url)() as s:
        data = build_status(s, SETTINGS)
    assert data["period"] is None and data["projects"] == []


def test_project_left_out_of_a_correction_keeps_its_report_and_is_flagged(db_url: str, tmp_path: Path) -> None:
    factory = open_database(db_url)
    first = town_workbook(tmp_path / "a.xlsx", "磷溪镇", "2023-10", LX_ROWS)
    corrected = town_workbook(tmp_path / "b.xlsx", "磷溪镇", "2023-10", LX_ROWS[:2])
    ingest_paths(factory, [first, corrected], SETTINGS, IngestOptions(received_at=datetime(2023, 11, 2, 9)))
    with factory() as s:
        data = build_status(s, SETTINGS, "2023-10", as_of=date(2023, 11, 10))
    lamps = next(p for p in data["projects"] if p["project_name"] == "北堤村太阳能路灯")
    assert lamps["last_period"] == "2023-10" and lamps["spent"] == 370_000.00
    assert "missing-report" in lamps["flags"] and "沿用" in lamps["flag_details"]["missing-report"]
    market = next(p for p in data["projects"] if p["project_name"] == "溪口市场升级改造")
    assert "missing-report" not in market["flags"]


def test_lights_flags_and_town_light(loaded) -> None:
    with loaded() as s:
        data = build_status(s, SETTINGS, "2023-10", as_of=date(2023, 11, 10))
    by_name = {p["project_name"]: p for p in data["projects"]}
    market = by_name["溪口市场升级改造"]  # 31.07% against 83.33%: 52.26 points behind
    assert (market["benchmark"], market["gap"], market["light"]) == (0.8333, 0.5226, "red")
    road = by_name["仙田村道路硬底化"]
    assert road["light"] == "red" and "zero-spend" in road["flags"]
    sewage = by_name["奕湖村污水治理"]  # 2022 money: benchmark 1, carried over
    assert sewage["benchmark"] == 1.0 and "carryover" in sewage["flags"]
    zero = by_name["宫头村四小园"]
    assert zero["light"] is None and zero["benchmark"] is None
    towns = {t["town"]: t for t in data["towns"]}
    assert towns["磷溪镇"]["red"] == 2 and towns["磷溪镇"]["light"] == "red"
    assert data["thresholds"]["yellow_gap"] == 0.3


def test_status_by_fund_year_splits_current_and_carryover(loaded) -> None:
    with loaded() as s:
        rows = build_status(s, SETTINGS, "2023-10", as_of=date(2023, 11, 10), by="fund-year")["by"]["rows"]
    assert [(r["key"], r["kind"]) for r in rows] == [(2022, "结转"), (2023, "当年")]
    assert rows[0]["allocated"] == 3_000_000.00 and rows[0]["spent"] == 2_700_000.00


def test_money_of_a_later_fund_year_is_left_out_until_its_year(db_url: str, tmp_path: Path) -> None:
    import xlsxwriter

    factory = open_database(db_url)
    register = tmp_path / "项目库.xlsx"
    wb = xlsxwriter.Workbook(str(register))
    ws = wb.add_worksheet("项目库")
    ws.write_row(0, 0, ["项目编号", "镇街", "项目名称", "资金年度", "资金批次", "下达资金（万元）"])
    ws.write_row(1, 0, ["T1", "铁铺镇", "厚洋村四小园", 2023, "第一批", 100])
    ws.write_row(2, 0, ["T1", "铁铺镇", "厚洋村四小园", 2024, "提前下达", 60])  # next year's money, early
    ws.write_row(3, 0, ["T2", "铁铺镇", "西林村电商中心", 2024, "提前下达", 80])
    wb.close()
    rows = [project("T1", "厚洋村四小园", None, 50, village="厚洋"), project("T2", "西林村电商中心", None, 0)]
    ingest_paths(factory, [register, town_workbook(tmp_path / "t.xlsx", "铁铺镇", "2023-10", rows)], SETTINGS,
                 IngestOptions(received_at=datetime(2023, 11, 2, 9)))
    with factory() as s:
        data = build_status(s, SETTINGS, "2023-10", as_of=date(2023, 11, 10))
        later = build_status(s, SETTINGS, "2024-01", as_of=date(2024, 2, 10))
    by_code = {p["project_code"]: p for p in data["projects"]}
    assert by_code["T1"]["allocated"] == 1_000_000.00 and by_code["T1"]["spend_rate"] == 0.5
    assert by_code["T2"]["allocated"] == 0.0 and by_code["T2"]["light"] is None
    assert {p["project_code"]: p["allocated"] for p in later["projects"]} == {"T1": 1_600_000.00, "T2": 800_000.00}


def test_a_past_day_sees_only_the_files_received_by_then(db_url: str, tmp_path: Path) -> None:
    factory = open_database(db_url)
    first = town_workbook(tmp_path / "v1.xlsx", "磷溪镇", "2023-09", [project("A", "溪口市场", 100, 50)])
    fixed = town_workbook(tmp_path / "v2.xlsx", "磷溪镇", "2023-09", [project("A", "溪口市场", 100, 40)])
    ingest_paths(factory, [first], SETTINGS, IngestOptions(received_at=datetime(2023, 10, 5, 9)))
    ingest_paths(factory, [fixed], SETTINGS, IngestOptions(received_at=datetime(2023, 10, 10, 9)))
    with factory() as s:
        before = build_status(s, SETTINGS, as_of=date(2023, 10, 9))
        after = build_status(s, SETTINGS, as_of=date(2023, 10, 10))
        nothing = build_status(s, SETTINGS, as_of=date(2023, 10, 4))
    assert before["period"] == after["period"] == "2023-09"
    assert before["projects"][0]["spent"] == 500_000.00 and after["projects"][0]["spent"] == 400_000.00
    assert nothing["period"] is None and nothing["projects"] == []
