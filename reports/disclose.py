"""The public disclosure table 项目公示表 (信息公开): public columns only, as xlsx and as CSV for Excel.

Only what may be published goes in: town, village, project, category, fund year, money allocated and spent,
status and owner. Internal matters — lights, flags, findings, 存在问题, 备注, spend rates against the
benchmark, clerks' names — are never read into the table, so they cannot leak into it.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from monitor.errors import UsageError
from monitor.periods import period_end, split_period
from monitor.rules.text import day_cn
from monitor.schema import Project
from monitor.settings import Settings
from monitor.status import all_towns, build_status, today

#: the public columns, in order: (header, kind for the xlsx layout)
PUBLIC_COLUMNS: tuple[tuple[str, str], ...] = (
    ("序号", "int"), ("镇街", "text"), ("村(社区)", "text"), ("项目名称", "text"), ("项目类别", "text"),
    ("资金年度", "int"), ("下达资金（万元）", "money"), ("已支出（万元）", "money"), ("项目状态", "text"),
    ("业主单位", "text"),
)
CENT = Decimal("0.01")


@dataclass(frozen=True)
class Disclosure:
    """The table as published: its month, data date, issuing bureau and rows (money in 万元, 2 decimals)."""

    period: str
    district: str
    bureau: str
    rows: list[tuple[Any, ...]]

    @property
    def data_date(self) -> date:
        return period_end(self.period)

    @property
    def title(self) -> str:
        year, month = split_period(self.period)
        return f"{self.district}驻镇帮镇扶村项目公示表（{year}年{month}月）"

    @property
    def as_of_words(self) -> str:
        return f"数据截至{day_cn(self.data_date)}"

    @property
    def note(self) -> str:
        return f"公示单位：{self.bureau}    {self.as_of_words}    金额单位：万元"


def wan(yuan: float | None) -> Decimal | None:
    """元 (as status gives it, to the 分) → 万元 rounded half up to two decimals."""
    if yuan is None:
        return None
    return (Decimal(str(yuan)) / 10000).quantize(CENT, rounding=ROUND_HALF_UP)


def disclosure_names(period: str) -> tuple[str, str]:
    year, month = split_period(period)
    stem = f"项目公示表_{year}年{month}月"
    return f"{stem}.xlsx", f"{stem}.csv"


def build_disclosure(session: Session, settings: Settings, period: str | None = None,
                     as_of: date | None = None) -> Disclosure:
    """Every project's public figures for ``period`` (default: status's default period as of ``as_of``)."""
    status = build_status(session, settings, period, as_of or today())
    if status["period"] is None:
        raise UsageError("no data to disclose yet: ingest the towns' monthly files first")
    projects = status["projects"]
    owners = _owners(session, [p["project_id"] for p in projects])
    order = {town: i for i, town in enumerate(all_towns(session, settings))}
    projects = sorted(projects, key=lambda p: (order.get(p["town"], len(order)), p["town"], p["project_code"] is None,
                                               p["project_code"] or "", p["project_name"]))
    rows = [(n, p["town"], p["village"] or "", p["project_name"], p["category"] or "", p["fund_year"],
             wan(p["allocated"]), wan(p["spent"]), p["status"] or "", owners.get(p["project_id"]) or "")
            for n, p in enumerate(projects, start=1)]
    return Disclosure(period=status["period"], district=settings["district.name"],
                      bureau=settings["district.bureau"], rows=rows)


def _owners(session: Session, ids: list[int]) -> dict[int, str | None]:
    found: dict[int, str | None] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        found.update({pid: owner for pid, owner in session.execute(
            select(Project.id, Project.owner).where(Project.id.in_(chunk)))})
    return found


def write_disclosure_xlsx(d: Disclosure, path: Path) -> None:
    """One printable sheet: title, the note with the data date, the table with a filter."""
    from reports.dispatch_layout import Block, Col, SheetSpec, created, page_header, write_workbook

    cols = [Col(h, kind, lo=5 if kind == "int" else 8, hi=40 if h == "项目名称" else 24) for h, kind in PUBLIC_COLUMNS]
    rows = [[float(v) if isinstance(v, Decimal) else v for v in row] for row in d.rows]
    spec = SheetSpec(name="项目公示表", title=d.title, lines=[d.note], blocks=[Block(cols, rows, filter=True)])
    write_workbook(path, [spec], header=page_header(d.bureau, d.as_of_words),
                   properties={"title": d.title, "author": d.bureau, "company": d.bureau,
                               "created": created(d.data_date)})


def write_disclosure_csv(d: Disclosure, path: Path) -> None:
    """UTF-8 with a BOM (Excel then opens it as UTF-8): title line, note line, header, rows; 2-decimal 万元."""
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow([d.title])
        writer.writerow([d.note])
        writer.writerow([h for h, _ in PUBLIC_COLUMNS])
        for row in d.rows:
            writer.writerow(["" if v is None else f"{v:.2f}" if isinstance(v, Decimal) else v for v in row])


def run_disclose(session_factory: sessionmaker[Session], settings: Settings, period: str | None,
                 as_of: date | None, out_dir: Path) -> list[Path]:
    """Write 项目公示表_YYYY年M月.xlsx and .csv into ``out_dir`` (each atomically); returns their paths."""
    from reports.files import write_atomically

    with session_factory() as session:
        disclosure = build_disclosure(session, settings, period, as_of)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    xlsx_name, csv_name = disclosure_names(disclosure.period)
    return [write_atomically(out_dir / xlsx_name, lambda p: write_disclosure_xlsx(disclosure, p)),
            write_atomically(out_dir / csv_name, lambda p: write_disclosure_csv(disclosure, p))]
