"""The year-end appraisal run: build it, then write ``appraisal-YYYY/`` (each file atomically)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from monitor.appraisal import Appraisal, build_appraisal
from monitor.settings import Settings
from reports.appraisal_docx import write_appraisal_docx
from reports.appraisal_text import DOCX_NAME, XLSX_NAME, folder_name
from reports.appraisal_xlsx import write_appraisal_xlsx
from reports.files import remove_partial_files, write_atomically


@dataclass(frozen=True)
class AppraisalResult:
    folder: Path
    paths: list[Path]
    appraisal: Appraisal


def run_appraisal(session_factory: sessionmaker[Session], settings: Settings, year: int, as_of: date,
                  out_dir: Path) -> AppraisalResult:
    """Write 年度考核.xlsx and 年度考核说明.docx into ``out_dir/appraisal-YYYY/``; reads the database only."""
    with session_factory() as session:
        appraisal = build_appraisal(session, settings, year, as_of)
    folder = Path(out_dir) / folder_name(year)
    folder.mkdir(parents=True, exist_ok=True)
    remove_partial_files(folder)  # left by a run that was killed mid-write
    paths = [write_atomically(folder / XLSX_NAME, lambda p: write_appraisal_xlsx(appraisal, p)),
             write_atomically(folder / DOCX_NAME, lambda p: write_appraisal_docx(appraisal, p))]
    return AppraisalResult(folder, paths, appraisal)


__all__ = ["AppraisalResult", "run_appraisal"]
