"""The values that pass from reading a file to loading it: grids, parsed rows and parsed files."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, Literal

from monitor.findings import Finding

#: Fields a parsed row may carry (DESIGN §4). Amounts are integer 分, rates/progress Decimal fractions.
AMOUNT_FIELDS = ("allocated", "requested", "disbursed", "spent", "spent_ytd", "spent_prior")
TEXT_FIELDS = ("town", "project_code", "project_name", "village", "category", "owner", "status",
               "issues", "remarks")
DATE_FIELDS = ("planned_start", "planned_end")
RATE_FIELDS = ("progress", "spend_rate")


@dataclass(frozen=True)
class CellError:
    """A cell whose formula shows an error (``#DIV/0!``) or was saved without a result (``text`` empty).

    Readers put it in the grid where calamine gives ``""``; every parser treats it as unusable, never blank.
    """

    text: str = ""
    formula: str | None = None

    @property
    def no_value(self) -> bool:
        return not self.text

    def __str__(self) -> str:
        if self.text:
            return self.text
        return f"={self.formula}" if self.formula else ""


@dataclass
class SheetGrid:
    """One sheet as Excel shows it: ``cells[0][0]`` is A1, whatever empty rows/columns come first."""

    name: str
    cells: list[list[Any]]
    #: merged ranges as 0-based inclusive (first_row, first_col, last_row, last_col)
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)
    #: "csv" for a CSV file's one table (all cells text, rows may be longer than the header); else None
    source: str | None = None

    def value(self, row: int, col: int) -> Any:
        """0-based access that returns None outside the grid."""
        if 0 <= row < len(self.cells) and 0 <= col < len(self.cells[row]):
            return self.cells[row][col]
        return None


@dataclass
class ParsedRow:
    """One project row of a submission, normalised, with its Excel position and raw cells."""

    sheet: str
    excel_row: int
    #: field name → normalised value: amounts int 分, progress/spend_rate Decimal 0–1,
    #: fund_year int, planned_* date, text fields str (stripped); a field absent from the file is absent here
    values: dict[str, Any] = field(default_factory=dict)
    #: header label as the file shows it → the raw cell value as text (lossless record of the row)
    raw: dict[str, str] = field(default_factory=dict)
    #: 1-based Excel column of each recognised field, for findings and highlighting
    columns: dict[str, int] = field(default_factory=dict)
    #: field name → the header label as the file shows it (the key into ``raw``)
    labels: dict[str, str] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    rejected: bool = False


@dataclass
class ParsedFile:
    """What a file says, before it meets the database."""

    file_name: str
    kind: Literal["town_report", "unreadable"] = "town_report"
    sheet: str | None = None
    town: str | None = None
    town_source: str | None = None  # "column", "cell", "sheet", "file"
    period: str | None = None  # "YYYY-MM"
    period_source: str | None = None  # "cell", "sheet", "file"
    unit: Literal["万元", "元"] = "万元"
    #: the date the file says it was sent (报送日期), never the period
    sent_on: date | None = None
    is_template: bool = False
    rows: list[ParsedRow] = field(default_factory=list)
    #: findings about the file as a whole (and about total rows)
    findings: list[Finding] = field(default_factory=list)
    #: header label (as shown) → field name, for the record
    header_map: dict[str, str] = field(default_factory=dict)
    header_rows: tuple[int, ...] = ()  # Excel row numbers of the header
    grids: list[SheetGrid] = field(default_factory=list)
    #: the file names two different towns / periods in different places (title, sheet name, file name);
    #: the ``town-conflict`` / ``period-conflict`` finding is moot when the user gave ``--town`` / ``--period``
    town_conflict: bool = False
    period_conflict: bool = False

    @property
    def all_findings(self) -> list[Finding]:
        found = list(self.findings)
        for row in self.rows:
            found.extend(row.findings)
        return found

    @property
    def accepted_rows(self) -> list[ParsedRow]:
        return [r for r in self.rows if not r.rejected]

    @property
    def rejected_rows(self) -> list[ParsedRow]:
        return [r for r in self.rows if r.rejected]


def decimal_or_none(value: Any) -> Decimal | None:
    """Helper for tests and loaders."""
    return None if value is None else Decimal(str(value))
