"""A province of town submissions for benchmarks: N towns × M projects × K months, in the sample's five layouts.

    python -m fundmon_sample_data.scale --towns 1127 --out /tmp/province      # (the default province)
    python -m fundmon_sample_data.scale --towns 5 --months 2 --out /tmp/small

Writes ``OUT/YYYY-MM/<town file>`` for each month, ``OUT/manifest.csv`` (path, town, period, received_at) and
``OUT/towns.txt``. Deterministic by ``--seed``: each town's story comes from its own random stream, so a file
is the same whatever ``--jobs`` is. Town names are made of place-name syllables + 镇/街道 and are unique.
Most files are clean; about one in fifty carries one bad cell (a row the ingest rejects), a few towns miss a
month, as real months do. The figures are fictional.
"""

from __future__ import annotations

import argparse
import csv
import random
import re
import sys
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from pathlib import Path

try:
    from .scale_shapes import SHAPES, Line, TownMonth
except ImportError:  # run as a script: python sample_data/scale.py
    from scale_shapes import SHAPES, Line, TownMonth  # type: ignore[no-redef]

#: the number of Guangdong towns in the 驻镇帮镇扶村 programme
PROVINCE_TOWNS = 1127
SYLLABLES = ("石龙塘沙溪坑田岭湖坪洞江口桥新东西南北平安和凤凰梅花竹松林高大古横水山头埔涌冲岗陂洋洲"
             "圩湾角岩岐坝河源丰华兴隆福寿宁康仁德云珠金银玉宝白黄青赤茶桂榕荔龟鹤马牛鹿狮象鸡")
#: layouts in about the mix of a real district (most towns use the bureau's template or something close)
SHAPE_WEIGHTS = {"grouped": 30, "plain": 25, "yuan-text": 20, "sections": 15, "csv": 10}
WORKS = [("道路硬底化", "基础设施"), ("农村生活污水治理", "农村生活污水治理"), ("四小园建设", "四小园"),
         ("光伏发电项目", "光伏"), ("太阳能路灯安装", "基础设施"), ("村容村貌提升", "乡村风貌提升"),
         ("农田水利设施改造", "基础设施"), ("特色农产品加工车间", "产业发展"), ("农村电商服务站", "产业发展"),
         ("人居环境整治", "乡村风貌提升"), ("茶园景观提升", "产业发展"), ("巷道改造", "基础设施")]
#: spending pace of a project (share of the year's benchmark it keeps), with weights
PACES = {"ahead": 25, "on-track": 35, "slow": 18, "stalls": 8, "zero": 4, "settles": 10}
BAD_FILE_SHARE = 0.02
MISSING_SHARE = 0.01
CENT = Decimal("0.01")


@dataclass(frozen=True)
class Spec:
    towns: int = PROVINCE_TOWNS
    projects: int = 20
    months: int = 12
    year: int = 2024
    seed: int = 2024


def town_names(n: int, seed: int) -> list[str]:
    """``n`` distinct plausible town names: two syllables + 镇 (one in eight a 街道); three syllables if needed."""
    rng = random.Random(f"{seed}:towns")
    names: list[str] = []
    seen: set[str] = set()
    while len(names) < n:
        length = 2 if len(seen) < 0.6 * len(SYLLABLES) ** 2 else 3
        stem = "".join(rng.choice(SYLLABLES) for _ in range(length))
        if stem in seen or len(set(stem)) < length:
            continue
        seen.add(stem)
        names.append(stem + ("街道" if rng.random() < 0.125 else "镇"))
    return names


def _q(x: Decimal, unit: str) -> Decimal:
    """Round to what the town writes: 0.01 万元 (100 元) or 0.01 元."""
    step = Decimal(100) if unit == "万元" else CENT
    return (x / step).quantize(Decimal(1), rounding=ROUND_HALF_UP) * step


@dataclass
class Story:
    line: Line
    pace: str
    rate: float  # share of the benchmark kept each month
    stall_from: int
    settle_at: float  # final share spent for "settles" (below 1: a surplus to recover)
    awaiting: bool


@lru_cache(maxsize=4)
def _town_stems(n: int, seed: int) -> frozenset[str]:
    return frozenset(re.sub("(镇|街道)$", "", name) for name in town_names(n, seed))


def _village(rng: random.Random, spec: Spec) -> str:
    """A village name that does not start with a town's name (so no town prefix is stripped from its projects)."""
    while True:
        stem = rng.choice(SYLLABLES) + rng.choice(SYLLABLES)
        if stem not in _town_stems(spec.towns, spec.seed):
            return stem + "村"


def _stories(rng: random.Random, spec: Spec, town_index: int, unit: str, codes: bool) -> list[Story]:
    villages = [_village(rng, spec) for _ in range(max(3, spec.projects // 3))]
    pairs = sorted({(v, w) for v in villages for w in range(len(WORKS))})
    rng.shuffle(pairs)
    stories = []
    for j, (village, w) in enumerate(pairs[:spec.projects]):
        work, category = WORKS[w]
        fund_year = spec.year - 1 if rng.random() < 0.12 else spec.year
        allocated = _q(Decimal(rng.randint(200, 50000)) * 100, unit)  # 2万 … 500万元
        pace = rng.choices(list(PACES), weights=list(PACES.values()))[0]
        start = date(spec.year if fund_year == spec.year else spec.year - 1, rng.randint(1, 6), rng.randint(1, 28))
        line = Line(code=f"GD{spec.year}-{town_index:04d}-{j + 1:03d}" if codes else None, name=village + work,
                    village=village, category=category, fund_year=fund_year, allocated=allocated,
                    requested=Decimal(0), disbursed=Decimal(0), spent=Decimal(0), progress=0, status="前期",
                    start=start, end=start + timedelta(days=rng.randint(150, 420)))
        stories.append(Story(line, pace, rng.uniform(0.6, 0.8) if pace == "slow" else rng.uniform(0.95, 1.25),
                             rng.randint(3, 8), rng.choice([1.0, 1.0, rng.uniform(0.85, 0.97)]), rng.random() < 0.08))
    return stories


def _share(s: Story, spec: Spec, m: int) -> float:
    """Cumulative share of the allocation spent at the end of month ``m``."""
    carry = s.line.fund_year < spec.year
    bench = 1.0 if carry else m / 12
    if s.pace == "zero":
        return 0.0
    if s.pace == "settles":
        return min(s.settle_at, (0.55 if carry else 0.0) + m / 7)
    if s.pace == "stalls":
        m = min(m, s.stall_from)
    base = 0.6 + 0.4 * m / 12 if carry else bench * s.rate
    return min(1.0, base)


def _month_line(s: Story, spec: Spec, m: int, unit: str, prev: Line | None) -> Line:
    share = Decimal(str(round(_share(s, spec, m), 4)))
    spent = _q(s.line.allocated * share, unit)
    if prev is not None:
        spent = max(spent, prev.spent)
    disbursed = min(s.line.allocated, _q(spent * Decimal("1.05"), unit))
    requested = disbursed + (_q(s.line.allocated * Decimal("0.1"), unit) if s.awaiting and m >= 3 else 0)
    progress = min(100, int(share * 100) + (0 if s.pace == "zero" else 10))
    settled = s.pace == "settles" and share >= Decimal(str(round(s.settle_at, 4)))
    status = ("已结算" if settled else "完工" if progress >= 100 else "在建" if spent > 0 else
              "前期" if s.pace == "zero" else "招投标")
    issue = {"stalls": "施工单位资金紧张，进度放缓", "zero": "前期手续未完成"}.get(s.pace, "") if m > 3 else ""
    return Line(**{**s.line.__dict__, "spent": spent, "disbursed": max(disbursed, spent),
                   "requested": max(requested, disbursed, spent), "progress": progress, "status": status,
                   "issue": issue})


def town_months(spec: Spec, town_index: int, town: str) -> Iterator[tuple[str, TownMonth]]:
    """One town's files, month by month: (shape, what the file says)."""
    rng = random.Random(f"{spec.seed}:{town}")
    shape = rng.choices(list(SHAPE_WEIGHTS), weights=list(SHAPE_WEIGHTS.values()))[0]
    _, unit, codes = SHAPES[shape]
    stories = _stories(rng, spec, town_index, unit, codes)
    previous: list[Line | None] = [None] * len(stories)
    for m in range(1, spec.months + 1):
        lines = [_month_line(s, spec, m, unit, prev) for s, prev in zip(stories, previous, strict=True)]
        previous = list(lines)
        missing = m > 1 and rng.random() < MISSING_SHARE
        bad = (rng.randrange(len(lines)), rng.choice(["text", "negative", "no-name"])) \
            if rng.random() < BAD_FILE_SHARE else None
        if not missing:
            yield shape, TownMonth(town, spec.year, m, received_on(spec.year, m, rng), lines, bad)


def received_on(year: int, month: int, rng: random.Random) -> datetime:
    """Some day from the 1st to the 4th of the next month, in office hours."""
    first = date(year + month // 12, month % 12 + 1, 1)
    return datetime.combine(first + timedelta(days=rng.randint(0, 3)), datetime.min.time()) + \
        timedelta(hours=rng.randint(9, 17), minutes=rng.randint(0, 59))


def period_folder(out: Path, year: int, month: int) -> Path:
    return out / f"{year}-{month:02d}"


def write_town(args: tuple[Spec, int, str, str]) -> list[tuple[str, str, str, str]]:
    """Write one town's files; manifest rows back (path relative to ``out``, town, period, received_at)."""
    spec, index, town, out = args
    rows = []
    for shape, tm in town_months(spec, index, town):
        folder = period_folder(Path(out), tm.year, tm.month)
        folder.mkdir(parents=True, exist_ok=True)
        path = SHAPES[shape][0](tm, folder)
        rows.append((path.relative_to(out).as_posix(), town, f"{tm.year}-{tm.month:02d}", f"{tm.sent:%Y-%m-%d %H:%M:%S}"))
    return rows


def generate(spec: Spec, out: Path, jobs: int = 1) -> list[tuple[str, str, str, str]]:
    """Write the province under ``out``; returns the manifest rows (sorted by arrival)."""
    out.mkdir(parents=True, exist_ok=True)
    names = town_names(spec.towns, spec.seed)
    work = [(spec, i + 1, name, str(out)) for i, name in enumerate(names)]
    if jobs > 1:
        with ProcessPoolExecutor(jobs) as pool:
            results = list(pool.map(write_town, work, chunksize=16))
    else:
        results = [write_town(w) for w in work]
    rows = sorted((r for rs in results for r in rs), key=lambda r: (r[3], r[0]))
    with (out / "manifest.csv").open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(["path", "town", "period", "received_at"])
        writer.writerows(rows)
    (out / "towns.txt").write_text("\n".join(names) + "\n", encoding="utf-8")
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     epilog="Example: python -m fundmon_sample_data.scale --towns 50 --out /tmp/p")
    parser.add_argument("--towns", type=int, default=PROVINCE_TOWNS, help="number of towns [%(default)s]")
    parser.add_argument("--projects", type=int, default=20, help="projects per town [%(default)s]")
    parser.add_argument("--months", type=int, default=12, help="months from January [%(default)s]")
    parser.add_argument("--year", type=int, default=2024, help="report year [%(default)s]")
    parser.add_argument("--seed", type=int, default=2024, help="random seed [%(default)s]")
    parser.add_argument("--jobs", type=int, default=1, help="processes writing files [%(default)s]")
    parser.add_argument("--out", type=Path, required=True, help="folder to write into")
    a = parser.parse_args(argv)
    if not 1 <= a.months <= 12 or a.towns < 1 or not 1 <= a.projects <= 200:
        parser.error("need 1 ≤ --months ≤ 12, --towns ≥ 1 and 1 ≤ --projects ≤ 200")
    rows = generate(Spec(a.towns, a.projects, a.months, a.year, a.seed), a.out, a.jobs)
    print(f"wrote {len(rows)} files for {a.towns} towns × {a.months} months under {a.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
