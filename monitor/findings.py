"""Findings: what was wrong in a submitted file, cell by cell, as values (never exceptions)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Literal

Severity = Literal["error", "warning", "info"]

#: Every finding code with its severity and a short Chinese title (the catalogue in docs/ is made from it).
CODES: dict[str, tuple[Severity, str]] = {
    # the file as a whole
    "file-unreadable": ("error", "文件无法读取"),
    "file-too-large": ("error", "文件过大"),
    "file-empty": ("error", "文件没有内容"),
    "no-header": ("error", "找不到表头"),
    "missing-column": ("error", "缺少必填列"),
    "duplicate-column": ("warning", "重复的列"),
    "no-town": ("error", "无法确定镇街"),
    "unknown-town": ("error", "镇街名称不在名单中"),
    "town-candidate": ("error", "镇街名称与已有镇街相近"),
    "no-period": ("error", "无法确定报表月份"),
    "bad-period": ("error", "报表月份无效"),
    "extra-sheet": ("warning", "其他工作表含项目数据未读取"),
    "no-data-rows": ("error", "没有可读取的项目行"),
    "several-towns": ("error", "一个文件含多个镇街"),
    "several-periods": ("error", "一个文件含多个月份"),
    "town-conflict": ("error", "镇街名称前后不一致"),
    "period-conflict": ("error", "报表月份前后不一致"),
    "unit-conflict": ("warning", "金额单位前后不一致"),
    # one cell or row
    "bad-amount": ("error", "金额无法识别"),
    "negative-amount": ("error", "金额为负数"),
    "bad-percent": ("warning", "百分比无法识别"),
    "bad-date": ("warning", "日期无法识别"),
    "bad-year": ("warning", "资金年度无法识别"),
    "bad-status": ("warning", "项目状态无法识别"),
    "missing-name": ("error", "缺少项目名称"),
    "missing-allocated": ("error", "缺少下达资金"),
    "missing-spent": ("error", "缺少已支出金额"),
    "duplicate-project": ("error", "同一项目重复填报"),
    "rounded-to-fen": ("warning", "金额精度超过分，已四舍五入"),
    "formula-error": ("error", "公式错误或没有计算结果"),
    "extra-fields": ("error", "本行比表头多出列"),
    "template-unfilled": ("error", "模板尚未填写"),
    "text-too-long": ("error", "文字过长"),
    # cross-checks (warnings)
    "spent-over-allocated": ("warning", "已支出超过下达资金"),
    "spent-decreased": ("warning", "累计支出比上月减少"),
    "allocation-mismatch": ("warning", "下达资金与项目库不一致"),
    "total-mismatch": ("warning", "合计行与明细不符"),
    "rate-mismatch": ("warning", "支出率与计算值不符"),
    "project-missing": ("warning", "本月未报送已有项目"),
    "zero-allocation": ("warning", "下达资金为零"),
    "name-candidate": ("info", "项目名称与已有项目相近"),
    "internal-error": ("error", "程序内部错误"),
    # the bureau's project register (项目库 / 资金下达表)
    "missing-fund-year": ("error", "缺少资金年度"),
    "bad-level": ("warning", "资金层级无法识别"),
    "duplicate-allocation": ("error", "同一笔资金重复填写"),
    "code-conflict": ("error", "项目编号对应不同镇街"),
}

SEVERITY_LABEL = {"error": "错误", "warning": "警告", "info": "提示"}


@dataclass(frozen=True)
class Finding:
    """One problem in a submitted file. ``row`` and ``col`` are as Excel shows them (1-based)."""

    code: str
    message: str
    file: str = ""
    sheet: str | None = None
    row: int | None = None
    col: int | None = None
    column: str | None = None
    raw: str | None = None
    severity: Severity | None = None

    def __post_init__(self) -> None:
        if self.code not in CODES:
            raise ValueError(f"unknown finding code {self.code!r}")
        if self.severity is None:
            object.__setattr__(self, "severity", CODES[self.code][0])

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    @property
    def title(self) -> str:
        return CODES[self.code][1]

    @property
    def cell(self) -> str | None:
        """The A1 reference of the cell, when the finding has one."""
        if self.row is None or self.col is None:
            return None
        return f"{column_letter(self.col)}{self.row}"

    def location(self) -> str:
        """``沙溪镇_202310.xlsx › 项目进度 › 第8行 › 累计支出`` — the path a clerk follows to the cell."""
        parts = [self.file]
        if self.sheet:
            parts.append(self.sheet)
        if self.row is not None:
            parts.append(f"第{self.row}行")
        if self.column:
            parts.append(self.column)
        return " › ".join(p for p in parts if p)

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


class FindingCounts:
    """For outcomes that carry ``findings``: how many are errors and how many warnings."""

    findings: list[Finding]

    @property
    def errors(self) -> int:
        return sum(1 for f in self.findings if f.is_error)

    @property
    def warnings(self) -> int:
        return sum(1 for f in self.findings if f.severity == "warning")


def column_letter(col: int) -> str:
    """1 → A, 28 → AB."""
    letters = ""
    while col > 0:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return letters
