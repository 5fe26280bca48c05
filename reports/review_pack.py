"""The monthly review pack (一月一研判): charts as PNG and SVG, 研判报告.docx and 数据.xlsx in review-YYYY-MM/."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from matplotlib.figure import Figure
from sqlalchemy.orm import Session, sessionmaker

from monitor.periods import split_period
from monitor.rules.text import day_cn
from monitor.settings import Settings
from reports import review_findings as findings
from reports import review_tables as tables
from reports.charts import PNG_DPI, chart_district, chart_town_rates, chart_trends, save_figure
from reports.charts_projects import chart_categories, chart_lights, chart_outlook, chart_progress
from reports.review import Review, build_review
from reports.review_docx import DocSection, DocTable, ReportDocument, write_review_docx
from reports.review_focus import Focus, lights_focus, outlook_focus, rates_focus, trends_focus
from reports.review_sources import sources_doc_table, sources_findings, sources_table
from reports.review_tables import SheetTable
from reports.review_xlsx import write_review_xlsx

REPORT_NAME = "研判报告.docx"
WORKBOOK_NAME = "数据.xlsx"
NUMERALS = "一二三四五六七八九十"


@dataclass(frozen=True)
class ChartSpec:
    """One chart of the pack: its name (file stem and caption), how to draw it, its table and findings, and
    for a chart that lists towns, which of them it shows."""

    name: str
    draw: Callable[[Review], Figure]
    table: Callable[[Review], SheetTable]
    findings: Callable[[Review], list[str]]
    focus: Callable[[Review], Focus[Any]] | None = None


CHARTS: tuple[ChartSpec, ...] = (
    ChartSpec("各镇街支出率与序时进度", lambda r: chart_town_rates(r.towns, r.period), tables.town_rates_table,
              findings.towns_findings, lambda r: rates_focus(r.towns)),
    ChartSpec("全区累计支出进度", lambda r: chart_district(r.district), tables.district_table,
              findings.district_findings),
    ChartSpec("各镇街支出率走势", lambda r: chart_trends(r.trends), tables.trends_table, findings.trend_findings,
              lambda r: trends_focus(r.trends)),
    ChartSpec("红黄绿灯项目数", lambda r: chart_lights(r.towns, r.period), tables.lights_table,
              findings.lights_findings, lambda r: lights_focus(r.towns)),
    ChartSpec("分类别资金", lambda r: chart_categories(r.categories, r.period), tables.categories_table,
              findings.category_findings),
    ChartSpec("形象进度与支出率", lambda r: chart_progress(r.points, r.period), tables.progress_table,
              findings.progress_findings),
    ChartSpec("年底支出预判", lambda r: chart_outlook(r.outlook, r.district_outlook, r.period),
              tables.outlook_table, findings.outlook_findings, lambda r: outlook_focus(r.outlook)),
)
#: the flags section (no chart) follows the lights chart; the money sources (no chart) follow the categories
FLAGS_AFTER = "红黄绿灯项目数"
SOURCES_AFTER = "分类别资金"
SOURCES_HEADING = "资金来源进度"


@dataclass(frozen=True)
class ReviewResult:
    """What a review run wrote."""

    period: str
    directory: Path
    charts: list[Path]  # PNG and SVG, in chart order
    report: Path
    workbook: Path

    @property
    def paths(self) -> list[Path]:
        return [*self.charts, self.report, self.workbook]


def chart_stem(number: int, spec: ChartSpec) -> str:
    return f"图{number}_{spec.name}"


def pack_dir(out_dir: Path, period: str) -> Path:
    return out_dir / f"review-{period}"


def render_charts(review: Review, directory: Path, dpi: int = PNG_DPI) -> list[Path]:
    """Draw every chart and save it as PNG and SVG; the figures are dropped as soon as they are saved."""
    written = []
    for number, spec in enumerate(CHARTS, start=1):
        figure = spec.draw(review)
        for suffix in (".png", ".svg"):
            written.append(save_figure(figure, directory / f"{chart_stem(number, spec)}{suffix}", dpi))
    return written


def build_document(review: Review, images: dict[str, Path]) -> ReportDocument:
    """The report: title, the overview, one section per chart (the flags after the lights, the money sources
    after the categories)."""
    year, month = split_period(review.period)
    sections = []
    for number, spec in enumerate(CHARTS, start=1):
        focus = spec.focus(review) if spec.focus is not None else None
        told = findings.focus_sentence(number, focus) if focus is not None else ""
        sections.append(DocSection(spec.name, ["".join(spec.findings(review)) + told], images.get(spec.name),
                                   f"图{number}　{spec.name}{focus.caption if focus is not None else ''}"))
        if spec.name == FLAGS_AFTER:
            rows = [[label, str(count), names] for label, count, names in findings.flag_rows(review)]
            sections.append(DocSection("问题线索", ["".join(findings.flags_findings(review))],
                                       table=DocTable(["问题类型", "项目数", "涉及项目（镇街）"], rows, [38, 18, 100])
                                       if rows else None))
        if spec.name == SOURCES_AFTER:
            sections.append(DocSection(SOURCES_HEADING, ["".join(sources_findings(review))],
                                       table=sources_doc_table(review)))
    for index, section in enumerate(sections):
        section.heading = f"{NUMERALS[index]}、{section.heading}"
    return ReportDocument(
        title=f"{review.district_name}驻镇帮镇扶村资金支出月度研判报告",
        subtitle=f"（{year}年{month}月）", issuer=review.bureau,
        date_text=day_cn(review.as_of),
        lead=["".join(findings.overview(review))], sections=sections)


def write_review(review: Review, out_dir: Path, *, dpi: int = PNG_DPI) -> ReviewResult:
    """Write the whole pack for ``review`` under ``out_dir/review-YYYY-MM/``."""
    directory = pack_dir(out_dir, review.period)
    directory.mkdir(parents=True, exist_ok=True)
    charts = render_charts(review, directory, dpi)
    images = {spec.name: charts[2 * i] for i, spec in enumerate(CHARTS)}
    report = write_review_docx(build_document(review, images), directory / REPORT_NAME)
    workbook = write_review_xlsx(workbook_tables(review), directory / WORKBOOK_NAME)
    return ReviewResult(review.period, directory, charts, report, workbook)


def workbook_tables(review: Review) -> list[SheetTable]:
    """One sheet per chart, in chart order, the flags sheet after the lights, the money sources after the
    categories."""
    sheets = []
    for spec in CHARTS:
        sheets.append(spec.table(review))
        if spec.name == FLAGS_AFTER:
            sheets.append(tables.flags_table(review))
        if spec.name == SOURCES_AFTER:
            sheets.append(sources_table(review))
    return sheets


def run_review(session_factory: sessionmaker[Session], settings: Settings, period: str | None, as_of: date,
               out_dir: Path, *, dpi: int = PNG_DPI) -> ReviewResult:
    """Build the review of ``period`` (default: the latest past its deadline as of ``as_of``) and write it."""
    with session_factory() as session:
        review = build_review(session, settings, period, as_of)
    return write_review(review, out_dir, dpi=dpi)
