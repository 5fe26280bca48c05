"""Per-town slices of the dispatch pack: only the town's rows in every sheet, district ranks, a 通报 to the town,
folder names, unknown names, and no effect on the district pack or the 本周变化 snapshots."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime
from pathlib import Path
from typing import Any

import docx
import openpyxl
import pytest
from click.testing import CliRunner
from sqlalchemy import select

from etl.pipeline import IngestOptions, ingest_paths
from monitor.cli.dispatch import dispatch
from monitor.cli.dispatch import run_dispatch as cli_run_dispatch
from monitor.cli.letters import run_letters
from monitor.db import open_database
from monitor.errors import UsageError
from monitor.schema import DispatchSnapshot
from monitor.settings import load_settings
from monitor.snapshots import ProjectChange
from reports.dispatch import DISPATCH_DOCX, DISPATCH_XLSX, build_dispatch, run_dispatch
from reports.dispatch_docx import changes_sentence
from reports.dispatch_slice import resolve_town, run_town_slices, slice_dispatch
from reports.dispatch_slice_docx import slice_changes_sentence
from reports.dispatch_xlsx import SHEETS
from tests.helpers import LX_ROWS, project, town_workbook

SETTINGS = load_settings(None, {"towns.expected": ["磷溪镇", "官塘镇", "铁铺镇"]})
W45, W46 = date(2023, 11, 10), date(2023, 11, 17)
GT_ROWS = [project("XQ-GT-1", "奕湖村污水治理", 300, 270, village="奕湖", year=2022),
           project("XQ-GT-2", "宫头村四小园", 100, 10, village="宫头"),
           project("XQ-GT-3", "象山村热线站", 50, 40, village="象山")]
OTHERS = {"磷溪镇", "铁铺镇", "溪口市场升级改造", "仙田村道路硬底化", "北堤村太阳能路灯", "XQ2023-LX-001",
          "XQ2023-LX-002"}


def ingest(factory: Any, path: Path, received: datetime) -> None:
    report = ingest_paths(factory, [path], SETTINGS, IngestOptions(received_at=received))
    assert all(r.outcome.outcome == "accepted" for r in report.results), report.results


@pytest.fixture
def loaded(db_url: str, tmp_path: Path):  # type: ignore[no-untyped-def]
    """磷溪镇 September and October, 官塘镇 October (a red, 2022 money), 铁铺镇 nothing; letters drafted on W45."""
    factory = open_database(db_url)
    ingest(factory, town_workbook(tmp_path / "lx9.xlsx", "磷溪镇", "2023-09", LX_ROWS), datetime(2023, 10, 4, 9))
    ingest(factory, town_workbook(tmp_path / "lx10.xlsx", "磷溪镇", "2023-10", LX_ROWS), datetime(2023, 11, 2, 10))
    ingest(factory, town_workbook(tmp_path / "gt10.xlsx", "官塘镇", "2023-10", GT_ROWS), datetime(2023, 11, 3, 15))
    run_letters(factory, SETTINGS, W45, tmp_path / "letters")
    return factory


def _week_of_changes(factory: Any, tmp_path: Path) -> None:
    """The district pack of W45, then a correction from each town before W46, so 本周变化 lists both."""
    run_dispatch(factory, SETTINGS, W45, tmp_path / "out")
    fixed = [project("XQ2023-LX-001", "溪口市场升级改造", 420, 200), *LX_ROWS[1:]]
    ingest(factory, town_workbook(tmp_path / "lx10b.xlsx", "磷溪镇", "2023-10", fixed), datetime(2023, 11, 14, 9))
    more = [GT_ROWS[0], project("XQ-GT-2", "宫头村四小园", 100, 60, village="宫头"), GT_ROWS[2]]
    ingest(factory, town_workbook(tmp_path / "gt10b.xlsx", "官塘镇", "2023-10", more), datetime(2023, 11, 15, 9))


def _cells(path: Path) -> dict[str, list[str]]:
    wb = openpyxl.load_workbook(path)
    return {ws.title: [str(v) for row in ws.iter_rows(values_only=True) for v in row if v is not None]
            for ws in wb.worksheets}


def _text(path: Path) -> str:
    document = docx.Document(str(path))
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def test_a_slice_holds_only_its_town_in_every_sheet(loaded, tmp_path: Path) -> None:
    _week_of_changes(loaded, tmp_path)
    district = _cells(run_dispatch(loaded, SETTINGS, W46, tmp_path / "district").paths[0])
    assert any("磷溪镇" in c for c in district["本周变化"])  # the district's changes name the other town
    result = run_town_slices(loaded, SETTINGS, W46, tmp_path / "out", ["官塘镇"])[0]
    assert result.folder == tmp_path / "out" / "dispatch-2023-W46" / "官塘镇"
    sheets = _cells(result.paths[0])
    assert list(sheets) == list(SHEETS)
    for name, cells in sheets.items():
        leaked = {other for other in OTHERS for c in cells if other in c}
        assert not leaked, (name, leaked)
    everything = "\n".join(c for cells in sheets.values() for c in cells)
    for code in ("XQ-GT-1", "XQ-GT-2", "XQ-GT-3"):
        assert code in "\n".join(sheets["全部项目"]) and code in everything
    assert "湘桥区官塘镇驻镇帮镇扶村资金支出调度表（2023年第46周）" in sheets["调度总览"]
    assert "湘农函" in "\n".join(sheets["函件跟踪"])  # 官塘镇's own letter, not 磷溪镇's
    assert any("官塘镇新增支出50.00万元" in c for c in sheets["本周变化"])
    assert "宫头村四小园" in "\n".join(sheets["本周变化"])
    brief = _text(result.paths[1])
    assert not [other for other in OTHERS if other in brief]
    assert "你镇新增支出50.00万元" in brief  # the letter speaks to the town: 你镇, not 官塘镇新增支出
    assert "官塘镇" not in brief.split("官塘镇人民政府：", 1)[1]  # its name only in the title and the addressee


def test_the_slice_brief_addresses_the_town_where_the_district_brief_names_it(loaded, tmp_path: Path) -> None:
    """New reds, the town's change of light and new files: said to the town without its name; the district
    brief keeps the towns' names."""
    _week_of_changes(loaded, tmp_path)
    with loaded() as s:
        whole = build_dispatch(s, SETTINGS, W46)
        s.rollback()
    d = slice_dispatch(whole, "官塘镇")
    assert d.changes is not None and whole.changes is not None
    red = ProjectChange(1, "官塘镇", "XQ-GT-2", "宫头村四小园", "yellow", "red", 100_000, 600_000, 0.1, 0.6,
                        kinds=("new-red", "worse"))
    town = dataclasses.replace(d.changes.towns[0], light_before="yellow", light_after="red")
    d = dataclasses.replace(d, changes=dataclasses.replace(d.changes, projects=[red], towns=[town]))
    assert slice_changes_sentence(d) == ("与上次调度（2023年第45周）相比，你镇新增支出50.00万元；新增红灯1个（宫头村四小园）；"
                                         "灯色变差1个；你镇由黄灯转红灯；新收报送1份（2023年10月（更正））。")
    assert "官塘镇新增支出" not in slice_changes_sentence(d)
    district = changes_sentence(whole)
    assert "全区新增支出" in district and "官塘镇2023年10月（更正）" in district
    street = dataclasses.replace(d, town="桥东街道")
    assert slice_changes_sentence(street).startswith("与上次调度（2023年第45周）相比，你街道新增支出")


def test_a_slice_of_a_town_whose_only_file_was_turned_back(db_url: str, tmp_path: Path) -> None:
    factory = open_database(db_url)
    bad = town_workbook(tmp_path / "gt10.xlsx", "官塘镇", "2023-10",
                        [project("GT-1", "奕湖村污水治理", "abc", "x"), project("GT-2", "宫头村道路", "无效", "y")])
    report = ingest_paths(factory, [bad], SETTINGS, IngestOptions(received_at=datetime(2023, 11, 3, 9)))
    assert [r.outcome.outcome for r in report.results] == ["rejected"]
    brief = _text(run_town_slices(factory, SETTINGS, W45, tmp_path, ["官塘镇"])[0].paths[1])
    assert "暂无数据" in brief
    assert "你镇报送的2023年10月报表（1份）未能导入，已退回，视为未报送，请按问题清单修改后重新报送。" in brief
    assert "官塘镇" not in brief.split("官塘镇人民政府：", 1)[1]


def test_ranks_in_a_slice_are_the_district_ranks(loaded, tmp_path: Path) -> None:
    with loaded() as s:
        from monitor.status import build_status

        towns = {t["town"]: t for t in build_status(s, SETTINGS, None, W45)["towns"]}
    results = run_town_slices(loaded, SETTINGS, W45, tmp_path, None)
    assert [r.folder.name for r in results] == [t for t in ("官塘镇", "磷溪镇", "铁铺镇")]  # rank order
    for result in results:
        town = result.folder.name
        ws = openpyxl.load_workbook(result.paths[0])["调度总览"]
        rows = [r for r in ws.iter_rows(min_row=6, values_only=True) if r[1]]
        assert [r[1] for r in rows] == [town, "全区合计"]
        rank = towns[town]["rank"]
        assert rows[0][0] == (f"全区第{rank}名" if rank else "未参与排名")
        assert "全区共2个镇街参与排名" in ws["A4"].value
    brief = _text(results[0].paths[1])
    assert "官塘镇人民政府：" in brief and "你镇" in brief
    assert f"在全区2个镇（街道）中排名第{towns['官塘镇']['rank']}位" in brief
    silent = _text(results[2].paths[1])  # 铁铺镇 sent nothing: told so, and asked for it
    assert "你镇尚未报送2023年10月报表" in silent and "立即报送2023年10月报表" in silent


def test_slices_leave_the_district_pack_and_the_snapshots_alone(loaded, tmp_path: Path) -> None:
    out = tmp_path / "out"
    district = run_dispatch(loaded, SETTINGS, W45, out)
    before = {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in district.paths}

    def snapshots() -> list[tuple[Any, ...]]:
        with loaded() as s:
            return [(r.week, r.day, r.created_at, r.content) for r in s.scalars(select(DispatchSnapshot))]

    stored = snapshots()
    assert [s[0] for s in stored] == ["2023-W45"]
    run_town_slices(loaded, SETTINGS, W45, out, None)
    sliced = run_town_slices(loaded, SETTINGS, W46, out, ["磷溪镇"])[0]  # a week with no district pack yet
    assert sliced.previous_week == "2023-W45"
    assert snapshots() == stored
    assert {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in district.paths} == before
    assert sorted(p.name for p in district.folder.iterdir() if p.is_file()) == sorted([DISPATCH_XLSX, DISPATCH_DOCX])
    assert sorted(p.name for p in district.folder.iterdir() if p.is_dir()) == sorted(["官塘镇", "磷溪镇", "铁铺镇"])
    for town in ("官塘镇", "磷溪镇", "铁铺镇"):
        assert sorted(p.name for p in (district.folder / town).iterdir()) == sorted([DISPATCH_XLSX, DISPATCH_DOCX])
    later = run_dispatch(loaded, SETTINGS, W46, out)  # the district's W46 still compares with W45
    assert later.previous_week == "2023-W45"


@pytest.mark.parametrize("name", ["官塘镇", "湘桥区官塘镇", "官塘镇人民政府", " 官塘镇 ", "官塘", "湘桥区 官塘"])
def test_town_names_with_or_without_the_district(name: str) -> None:
    assert resolve_town(name, ["磷溪镇", "官塘镇", "桥东街道"], "湘桥区") == "官塘镇"


def test_street_names_and_unknown_towns() -> None:
    known = ["磷溪镇", "官塘镇", "桥东街道"]
    assert resolve_town("桥东街道办事处", known, "湘桥区") == "桥东街道"
    with pytest.raises(UsageError, match="known towns: 磷溪镇、官塘镇、桥东街道"):
        resolve_town("沙溪镇", known, "湘桥区")
    with pytest.raises(UsageError):
        resolve_town("湘桥区", known, "湘桥区")


def test_command_slices_and_refuses_an_unknown_town(loaded, db_url: str, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    from monitor.cli.main import cli

    monkeypatch.chdir(tmp_path)  # no fundmon.toml: the towns are learned from the data
    out = tmp_path / "packs"

    def run(*args: str) -> Any:
        return CliRunner().invoke(cli, ["--db", db_url, "dispatch", "--date", "2023-11-10", "--out", str(out), *args])

    bad = run("--town", "沙溪镇")
    assert bad.exit_code == 2
    assert bad.output.strip().splitlines() == ["Error: unknown town '沙溪镇'; known towns: 官塘镇、磷溪镇"]
    assert not out.exists()
    both = run("--town", "官塘镇", "--each-town")
    assert both.exit_code == 2 and "either --town" in both.output
    ok = run("--town", "湘桥区官塘镇")
    assert ok.exit_code == 0, ok.output
    assert "1 town slice" in ok.output and str(out / "dispatch-2023-W45" / "官塘镇" / DISPATCH_XLSX) in ok.output
    assert not (out / "dispatch-2023-W45" / DISPATCH_XLSX).exists()  # only the slice was asked for
    each = run("--each-town")
    assert each.exit_code == 0 and "2 town slices" in each.output
    assert "Example: fundmon dispatch" in (dispatch.help or "") and "--town 官塘镇" in (dispatch.help or "")


def test_library_calls_keep_their_signatures(loaded, tmp_path: Path) -> None:
    whole = cli_run_dispatch(loaded, SETTINGS, W45, tmp_path)
    assert whole.folder == tmp_path / "dispatch-2023-W45"
    one = cli_run_dispatch(loaded, SETTINGS, W45, tmp_path, town="官塘镇")
    assert one.folder == tmp_path / "dispatch-2023-W45" / "官塘镇" and one.week == "2023-W45"
    assert [p.name for p in one.paths] == [DISPATCH_XLSX, DISPATCH_DOCX]


def test_a_slice_of_an_empty_database_needs_a_known_town(db_url: str, tmp_path: Path) -> None:
    factory = open_database(db_url)
    results = run_town_slices(factory, SETTINGS, W45, tmp_path, None)  # the expected towns, no data yet
    assert [r.folder.name for r in results] == ["磷溪镇", "官塘镇", "铁铺镇"]
    assert "暂无数据" in _text(results[0].paths[1])
    bare = load_settings(None, {})
    with pytest.raises(UsageError, match="no towns known"):
        run_town_slices(factory, bare, W45, tmp_path, None)


def test_every_demo_slice_holds_only_its_town(tmp_path: Path) -> None:
    """On the sample data (five towns, letters, two dispatches): no other town's name, project name or code in
    any cell of any sheet, nor in the 通报; each slice's 资金来源进度 adds up to the town's totals."""
    from monitor.cli.demo import DEMO_AS_OF, demo_settings, sample_root
    from monitor.cli.main import cli
    from monitor.status import build_status

    out = tmp_path / "demo"
    assert CliRunner().invoke(cli, ["demo", "--out", str(out)]).exit_code == 0
    factory = open_database(f"sqlite:///{out / 'fundmon.db'}")
    settings = demo_settings(sample_root())
    with factory() as s:
        status = build_status(s, settings, None, DEMO_AS_OF)
    mine: dict[str, set[str]] = {t["town"]: {t["town"]} for t in status["towns"]}
    for p in status["projects"]:
        mine[p["town"]] |= {p["project_name"]} | ({p["project_code"]} if p["project_code"] else set())
    results = run_town_slices(factory, settings, DEMO_AS_OF, out, None)
    assert sorted(r.folder.name for r in results) == sorted(mine)
    for result in results:
        town = result.folder.name
        others = set().union(*(names for t, names in mine.items() if t != town))
        sheets = _cells(result.paths[0])
        for name, cells in sheets.items():
            assert not {o for o in others for c in cells if o in c}, (town, name)
        assert not [o for o in others if o in _text(result.paths[1])], town
        row = next(t for t in status["towns"] if t["town"] == town)
        total = next(r for r in openpyxl.load_workbook(result.paths[0])["资金来源进度"].iter_rows(values_only=True)
                     if r[1] == "合计")
        assert round(total[3] * 1_000_000) == round(row["allocated"] * 100), town
        assert round(total[5] * 1_000_000) == round(row["spent"] * 100), town
