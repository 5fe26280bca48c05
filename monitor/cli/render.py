"""Rendering batch results for people: the per-file summary table and the 问题清单 workbooks."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
from rich.table import Table

from monitor.cli.common import data_console, shown

#: what the town reads in its 问题清单 (Chinese only)
RESULT_CN = {"accepted": "已导入", "rejected": "已退回，未导入任何数据", "duplicate": "此前已导入（重复报送）",
             "checked": "仅检查，未导入", "skipped": "未导入（该镇街本月已有自报报表，以镇街报表为准）"}
RESULT_LABEL = {"accepted": "accepted 已导入", "rejected": "rejected 退回", "duplicate": "unchanged 重复",
                "checked": "checked 已检查", "skipped": "skipped 以镇街自报为准"}


def write_problem_lists(report: Any, folder: Path) -> dict[Path, Path]:
    """One 问题清单 per file with findings; returns source path → written path."""
    from reports.problem_list import problem_list_name, write_problem_list

    written: dict[Path, Path] = {}
    for result in report.results:
        outcome = result.outcome
        if not outcome.findings or result.path in written:
            continue
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / problem_list_name(result.path.name)
        parts = [r.outcome for r in report.results if r.path == result.path]
        if len(parts) > 1:  # a consolidated workbook (汇总台账): one list for all its town-month parts
            written[result.path] = write_problem_list(
                target, file_name=result.path.name, data=result.data, grids=getattr(result.parsed, "grids", None),
                findings=[f for o in parts for f in o.findings], title_info=_ledger_info(result.path.name, parts))
            continue
        info = {"文件": result.path.name, "镇街": outcome.town or "（未识别）",
                "报表月份": outcome.period or "（未识别）",
                "处理结果": RESULT_CN.get(outcome.outcome, outcome.outcome)
                + (f"（{outcome.rows_rejected}行退回）" if outcome.rows_rejected and outcome.outcome == "accepted" else ""),
                "错误": str(outcome.errors), "警告": str(outcome.warnings)}
        grids = getattr(result.parsed, "grids", None)  # a register keeps no grids: the workbook is re-read
        written[result.path] = write_problem_list(target, file_name=result.path.name, data=result.data,
                                                  findings=outcome.findings, grids=grids, title_info=info)
    return written


def _ledger_info(name: str, parts: list[Any]) -> dict[str, str]:
    """The heading of a consolidated workbook's 问题清单: its towns, months and what became of the parts."""
    towns = list(dict.fromkeys(o.town for o in parts if o.town))
    periods = sorted({o.period for o in parts if o.period})
    done = {word: sum(1 for o in parts if o.outcome == key) for key, word in
            (("accepted", "已导入"), ("checked", "已检查"), ("duplicate", "此前已导入"), ("skipped", "以镇街自报为准未导入"),
             ("rejected", "退回"))}
    return {"文件": f"{name}（汇总台账，按镇街、月份拆分为{len(parts)}份）", "镇街": "、".join(towns) or "（未识别）",
            "报表月份": f"{periods[0]}至{periods[-1]}" if len(periods) > 1 else (periods or ["（未识别）"])[0],
            "处理结果": "，".join(f"{word}{n}份" for word, n in done.items() if n),
            "错误": str(sum(o.errors for o in parts)), "警告": str(sum(o.warnings for o in parts))}


def print_file_table(report: Any, written: dict[Path, Path]) -> None:
    console = data_console(140)
    table = Table(show_lines=False)
    for head in ("#", "File 文件", "Town 镇街", "Period 月份", "Result 结果", "Rows 行", "Rejected 退回",
                 "Warnings 警告", "Supersedes 替代"):
        table.add_column(head, overflow="fold")
    for result in report.results:
        o = result.outcome
        town = "项目库 register" if o.kind == "register" else (o.town or "?")
        period = "" if o.kind == "register" else (o.period or "?")
        table.add_row(str(o.submission_id or ""), shown(result.path.name), shown(town), period,
                      RESULT_LABEL.get(o.outcome, o.outcome), str(o.rows_accepted), str(o.rows_rejected),
                      str(o.warnings), f"#{o.superseded_id}" if o.superseded_id else "")
    console.print(table)
    for result in report.results:
        for note in result.outcome.notes:
            click.echo(f"  {result.path.name}: {note}")
        errors = [f for f in result.outcome.findings if f.is_error]
        for f in errors[:3]:
            click.echo(f"  {f.location() or result.path.name}: {f.message}")
        if len(errors) > 3:
            click.echo(f"  … {len(errors) - 3} more errors in {result.path.name} (see its 问题清单)")
    if written:
        click.echo(f"问题清单 written for {len(written)} file(s) in {next(iter(written.values())).parent}/")
    total = len({r.path for r in report.results})
    parts = f" ({len(report.results)} town-month parts)" if len(report.results) > total else ""
    accepted = sum(1 for r in report.results if r.outcome.outcome in ("accepted", "checked", "duplicate"))
    click.echo(f"{total} file(s){parts}: {accepted} read, "
               f"{sum(r.outcome.rows_accepted for r in report.results)} rows, "
               f"{sum(r.outcome.rows_rejected for r in report.results)} rejected rows, "
               f"{sum(r.outcome.errors for r in report.results)} errors, "
               f"{sum(r.outcome.warnings for r in report.results)} warnings.")
