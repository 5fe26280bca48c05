"""Words and numbers both dispatch documents print: Chinese dates, 万元, 个百分点, the thresholds note."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from monitor.rules.flags import FLAG_LABELS
from monitor.rules.text import day_cn as date_cn
from monitor.rules.text import month_cn as period_cn  # noqa: F401 - the packs import it from here

#: Excel number formats for the times and days a clerk reads (real date cells, shown the Chinese way)
DATETIME_FORMAT = 'yyyy"年"m"月"d"日" hh:mm'
DATE_FORMAT = 'yyyy"年"m"月"d"日"'


def datetime_cn(moment: datetime) -> str:
    """2023-11-02 09:05 → ``2023年11月2日 09:05`` (as :data:`DATETIME_FORMAT` shows it)."""
    return f"{date_cn(moment.date())} {moment:%H:%M}"


def wan(yuan: float | None) -> float | None:
    """A status amount in 元 → 万元, exact to the 分 (1601.824179), for a cell formatted with two decimals."""
    return None if yuan is None else float(Decimal(str(yuan)) / 10000)


def fen_wan(fen_amount: int | None) -> float | None:
    return None if fen_amount is None else float(Decimal(fen_amount) / 1_000_000)


def points(gap: float | None) -> float | None:
    """A gap fraction → 个百分点 (0.5226 → 52.26)."""
    return None if gap is None else float(Decimal(str(gap)) * 100)


def _pts(value: float) -> str:
    return format((Decimal(str(value)) * 100).normalize(), "f")


def rules_note(thresholds: Mapping[str, Any]) -> str:
    """The benchmark mode and every threshold the lights used, as one line of Chinese."""
    mode = thresholds["benchmark_mode"]
    if mode == "daily":
        bench = "序时进度按日计算（已过天数÷全年天数）"
    elif mode == "targets":
        nodes = "、".join(f"{k} {float(v) * 100:g}%" for k, v in (thresholds.get("targets") or {}).items())
        bench = f"序时进度按上级确定的时间节点计算（{nodes}，节点之间按日均匀推进）"
    else:
        bench = "序时进度按月计算（当年资金为已过月数÷12，以前年度结转资金为100%）"
    green, yellow = _pts(thresholds["green_gap"]), _pts(thresholds["yellow_gap"])
    return (f"说明：{bench}；偏差＝序时进度－支出率，正数为低于序时进度。灯色：偏差不超过{green}个百分点为绿灯，"
            f"{green}至{yellow}个百分点为黄灯，超过{yellow}个百分点或序时进度达{_pts(thresholds['zero_spend_benchmark'])}%"
            f"仍未支出为红灯；镇街按支出率排名，后{thresholds['bottom_n']}名标“▼”。")


def main_problems(p: Mapping[str, Any]) -> str:
    """A project's 主要问题, the same in the workbook and the 通报: its flags' Chinese labels in the order of
    seriousness (the rules' registry order); a red or yellow project without a flag is behind the benchmark,
    and says by how much."""
    position = {code: n for n, code in enumerate(FLAG_LABELS)}
    codes = sorted(p.get("flags") or [], key=lambda c: position.get(c, len(position)))
    if codes:
        return "、".join(FLAG_LABELS.get(code, code) for code in codes)
    if p.get("light") in ("red", "yellow") and p.get("gap") is not None:
        behind = (Decimal(str(p["gap"])) * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
        return f"支出进度滞后（低于序时进度{behind}个百分点）"
    return ""
