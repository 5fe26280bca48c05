"""Builders of small town workbooks for tests (the awkward real-world shapes live in tests/data/)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import xlsxwriter

HEADER = ("序号", "项目编号", "项目名称", "村(社区)", "项目类别", "资金年度", "下达资金（万元）",
          "已请款（万元）", "已拨付（万元）", "累计支出（万元）", "形象进度", "项目状态")


def project(code: str | None, name: str, allocated: Any, spent: Any, *, village: str = "溪口",
            category: str = "产业发展", year: Any = 2023, requested: Any = None, disbursed: Any = None,
            progress: Any = None, status: Any = "在建") -> tuple[Any, ...]:
    return (code, name, village, category, year, allocated, requested, disbursed, spent, progress, status)


def town_workbook(path: Path, town: str, period: str, rows: Sequence[Sequence[Any]], *,
                  header: Sequence[str] = HEADER, unit: str = "万元") -> Path:
    """Title row, info row, header at row 3, one row per project from row 4 (Excel numbering)."""
    year, month = period.split("-")
    wb = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False, "strings_to_formulas": False})
    ws = wb.add_worksheet("项目进度")
    ws.write_string(0, 0, f"{town}{year}年{int(month)}月驻镇帮镇扶村项目进度表")
    ws.write_string(1, 0, f"填报单位：{town}    报表月份：{year}年{int(month)}月    单位：{unit}")
    for col, head in enumerate(header):
        ws.write_string(2, col, head)
    for r, values in enumerate(rows, start=3):
        ws.write_number(r, 0, r - 2)
        for c, value in enumerate(values, start=1):
            if value is None:
                continue
            if isinstance(value, int | float):
                ws.write_number(r, c, value)
            else:
                ws.write_string(r, c, str(value))
    wb.close()
    return path


LX_ROWS = [
    project("XQ2023-LX-001", "溪口市场升级改造", 420, 130.5, requested=200, disbursed=150, progress="60%"),
    project("XQ2023-LX-002", "仙田村道路硬底化", 150, 0, village="仙田", category="基础设施", status="招投标"),
    project(None, "北堤村太阳能路灯", 37, 37, village="北堤", category="基础设施", status="已验收",
            progress=1),
]
