#!/usr/bin/env python
"""Write fundmon's sample data: 湘桥区 town submissions 2023-03 … 2023-10, the manifest, README and
expected.json.

    python sample_data/generate.py

Deterministic (fixed seed, fixed file timestamps): running it twice writes byte-identical files.
Needs only the standard library and XlsxWriter. The data are fictional, modelled on public sources.

The story lives in PROJECTS below: for every project the cumulative spending (as a fraction of the
allocation) for each month March … October, the status ladder, physical progress and the planned
dates. From that the script writes each town's files in that town's own (messy) layout, and it
computes, with its own small reference implementation of DESIGN §5, the lights and flags the product
should show for 2023-10 (as of 2023-11-10). Every rule that can be read two ways is evaluated both ways
and the script stops if the readings disagree on any project, or if any gap sits within half a point of
a light boundary, so the expected results do not hinge on an interpretation.
"""

from __future__ import annotations

import csv
import io
import json
import random
import re
import shutil
import sys
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import xlsxwriter

HERE = Path(__file__).resolve().parent
SUBMISSIONS = HERE / "submissions"
SEED = 20231110
YEAR = 2023
MONTHS = list(range(3, 11))  # 2023-03 … 2023-10
AS_OF = date(2023, 11, 10)
PERIOD = 10
D = Decimal
CENT = D("0.01")
WAN = D(10000)

GREEN_MAX = D("0.10")
YELLOW_MAX = D("0.30")
ZERO_SPEND_BENCH = D("0.25")
PROGRESS_GAP = D("0.5")
STATUS_DONE = {"完工", "已验收", "结算审核", "已结算"}
STATUS_NOT_STARTED = {"未开工", "前期"}

rng = random.Random(SEED)


# ----------------------------------------------------------------------------------------------
# The story
# ----------------------------------------------------------------------------------------------

@dataclass
class Project:
    key: str
    town: str
    code: str | None
    name: str
    village: str
    category: str
    fund_year: int
    alloc_units: str  # allocation as the town's unit writes it (万元 or 元)
    fr: list  # cumulative spent as a fraction of the allocation, one per month (None = not reported)
    status: str  # compact ladder, e.g. "前期*2,在建*6"
    progress: list  # percent per month
    start: date
    end: date
    light: str  # the intended light in 2023-10
    flags: list  # the intended flags in 2023-10
    story: str  # one English sentence for the README
    issues: dict = field(default_factory=dict)  # month -> text (that month and later unless replaced)
    remarks: dict = field(default_factory=dict)  # month -> text (that month only)
    amounts: dict = field(default_factory=dict)  # month -> exact spent override (town unit)
    req_fr: dict = field(default_factory=dict)  # month -> requested fraction override
    disb_fr: dict = field(default_factory=dict)  # month -> disbursed fraction override
    name_by_month: dict = field(default_factory=dict)  # month -> name variant written that month

    # filled in by build()
    unit: str = "万元"
    allocated: Decimal = D(0)  # 元
    spent: dict = field(default_factory=dict)  # month -> 元
    requested: dict = field(default_factory=dict)
    disbursed: dict = field(default_factory=dict)
    statuses: dict = field(default_factory=dict)
    prog: dict = field(default_factory=dict)

    def months(self) -> list[int]:
        return [m for m, f in zip(MONTHS, self.fr) if f is not None]

    def issue(self, m: int) -> str:
        text = ""
        for k in sorted(self.issues):
            if k <= m:
                text = self.issues[k]
        return text


def d(s: str) -> date:
    return date.fromisoformat(s)


N = None
PROJECTS: list[Project] = [
    # ---------------- 磷溪镇: the fastest town, reports in 万元, codes XQ2023-LX-nnn -----------------
    Project("LX-1", "磷溪镇", "XQ2023-LX-001", "溪口市场及溪口二村市场升级改造", "溪口村、溪口二村", "产业发展",
            2023, "436.00", [.30, .30, .35, .45, .60, .70, .80, .90], "在建*4,完工,已验收,结算审核*2",
            [55, 65, 80, 95, 100, 100, 100, 100], d("2023-02-20"), d("2023-06-30"), "green", [],
            "The market upgrade (400-odd 万元 of these funds, trial operation since July 2023) is in "
            "settlement audit with 90% paid: ahead of the benchmark.",
            issues={9: "结算审核中，审定后支付尾款"}, remarks={7: "7月起试运营"}),
    Project("LX-2", "磷溪镇", "XQ2023-LX-002", "磷溪圩镇美丽圩镇立面改造（一期）", "田心村", "乡村风貌提升",
            2023, "420.00", [0, 0, .10, .20, .45, .55, .68, .80], "前期,招投标,在建*6",
            [0, 0, 10, 25, 45, 60, 75, 85], d("2023-04-20"), d("2023-12-31"), "green", [],
            "Façades of the market town: 80% spent. In October the town requested more than was "
            "transferred, but only in that one report, so no awaiting-transfer flag (it needs two).",
            req_fr={10: .88}, remarks={10: "10月已请款待拨付"}),
    Project("LX-3", "磷溪镇", "XQ2023-LX-003", "太阳能路灯安装（202盏）", "窑美村、埔涵村", "基础设施",
            2023, "37.00", [0, 0, .30, .30, .30, 1, 1, 1], "招投标*2,在建*2,完工,已验收,已结算*2",
            [0, 0, 30, 70, 100, 100, 100, 100], d("2023-05-10"), d("2023-07-31"), "green", [],
            "202 solar street lamps for about 37万元, settled and fully spent: green whatever the date."),
    Project("LX-4", "磷溪镇", "XQ2023-LX-004", "饶砂村道路硬底化", "饶砂村", "基础设施",
            2023, "286.50", [.2, .25, .35, .45, .6, .7, .8377, .9467], "在建*3,完工,已验收,结算审核*2,已结算",
            [50, 65, 85, 100, 100, 100, 100, 100], d("2022-12-01"), d("2023-06-30"), "green", ["surplus"],
            "Road hardening settled in October at 271.23万元 of 286.50万元: the 15.27万元 balance is "
            "surplus to be recovered.",
            amounts={3: D("57.30"), 4: D("71.63"), 5: D("100.28"), 6: D("128.93"), 7: D("171.90"),
                     8: D("200.55"), 9: D("240.00"), 10: D("271.23")},
            issues={10: "结算审定271.23万元，结余15.27万元待收回"}),
    Project("LX-5", "磷溪镇", "XQ2023-LX-005", "北堤村农村生活污水治理", "北堤村", "农村生活污水治理",
            2023, "300.00", [.05, .10, .20, .30, .45, .60, .73, .85], "在建*8",
            [10, 20, 30, 45, 60, 75, 85, 92], d("2023-02-15"), d("2023-12-20"), "green", [],
            "Sewage works (the binding 2023 task) paid by progress every month: 85%."),
    Project("LX-6", "磷溪镇", "XQ2023-LX-006", "仙田村茶园景观提升", "仙田村", "产业发展",
            2023, "180.00", [0, .10, .15, .30, .40, .52, .65, .78], "前期,在建*7",
            [0, 15, 25, 40, 55, 65, 75, 85], d("2023-04-01"), d("2023-12-31"), "green",
            ["awaiting-transfer"],
            "Tea-garden landscape: spending is on track, but in September and October the town had "
            "requested 153万元 then 171万元 while only 126万元 then 144万元 was transferred.",
            req_fr={9: .85, 10: .95}, disb_fr={9: .70, 10: .80},
            issues={9: "已向区申请拨付，资金未到位"}),
    Project("LX-7", "磷溪镇", "XQ2022-LX-012", "埔涵村四小园建设", "埔涵村", "四小园",
            2022, "120.00", [.50, .55, .62, .68, .74, .80, .87, .9333], "在建*3,完工,已验收*4",
            [70, 80, 90, 100, 100, 100, 100, 100], d("2022-09-01"), d("2023-05-31"), "green", ["carryover"],
            "A 2022 allocation still being paid out in 2023 (112.00 of 120.00万元): carried-over money, "
            "benchmark 100%.",
            amounts={10: D("112.00")}),
    Project("LX-8", "磷溪镇", "XQ2023-LX-008", "窑美村光伏发电项目", "窑美村", "光伏",
            2023, "260.00", [0, 0, .10, .15, .22, .28, .34, .40], "招投标*2,在建*6",
            [0, 0, 15, 25, 35, 45, 55, 65], d("2023-05-01"), d("2023-12-31"), "red", [],
            "Photovoltaics: equipment is paid on delivery and acceptance, so only 40% is spent: red.",
            issues={6: "组件分批到货，设备款待验收后支付"}),
    Project("LX-9", "磷溪镇", "XQ2023-LX-009", "溪口二村农村电商服务站", "溪口二村", "产业发展",
            2023, "85.00", [0, 0, .05, .10, .22, .38, .54, .70], "前期*2,在建*6",
            [0, 5, 15, 25, 45, 60, 75, 85], d("2023-04-15"), d("2023-12-31"), "yellow", [],
            "Rural e-commerce station: 70% spent, paying about 16 points a month, enough to finish "
            "by December."),
    # ---------------- 官塘镇: 万元, info row with 报送日期, text amounts, progress as 0.45 ----------------
    Project("GT-1", "官塘镇", "XQ2023-GT-001", "奕湖村农村生活污水治理", "奕湖村", "农村生活污水治理",
            2023, "420.00", [.05, .10, .20, .30, .45, .57, .68, .80], "在建*8",
            [10, 20, 30, 45, 60, 70, 80, 88], d("2023-02-20"), d("2023-12-31"), "green", [],
            "Sewage works paid by progress: 80% spent."),
    Project("GT-2", "官塘镇", "XQ2023-GT-002", "尧里村道路硬底化及拓宽", "尧里村", "基础设施",
            2023, "350.00", [.10, .15, .20, .24, .27, .30, .36, .42], "在建*6,完工*2",
            [20, 35, 50, 65, 80, 95, 100, 100], d("2023-01-10"), d("2023-09-30"), "red", ["progress-gap"],
            "The road is finished (形象进度 100%) but only 42% is paid, waiting for the audit: progress "
            "runs 58 points ahead of spending.",
            issues={9: "已完工，待审计结算后支付工程款"}),
    Project("GT-3", "官塘镇", "XQ2023-GT-003", "宫头村四小园建设", "宫头村", "四小园",
            2023, "60.00", [N, N, N, N, 0, 0, 0, 0], "前期*2,招投标*2",
            [0, 0, 0, 0], d("2023-12-01"), d("2024-05-31"), "red", ["zero-spend"],
            "Allocated in the July batch, still tendering in October with nothing spent although the "
            "benchmark is 83.33%: zero spending.",
            issues={9: "招标文件编制中"}),
    Project("GT-4", "官塘镇", "XQ2023-GT-004", "象山村农田水利设施改造", "象山村", "基础设施",
            2023, "240.00", [0, 0, 0, 0, 0, .0125, .01875, .025], "前期*8",
            [0, 0, 0, 0, 0, 0, 0, 0], d("2023-07-15"), d("2024-03-31"), "red", ["not-started"],
            "Planned to start on 15 July 2023, still 前期 in October; only 6.00万元 of design and "
            "survey fees paid.",
            amounts={8: D("3.00"), 9: D("4.50"), 10: D("6.00")},
            issues={6: "设计方案调整，预算评审未完成"}),
    Project("GT-5", "官塘镇", "XQ2023-GT-005", "奕东村太阳能路灯", "奕东村", "基础设施",
            2023, "36.50", [.30, .30, .60, 1, 1, 1, 1, N], "在建*2,完工,已验收,结算审核,已结算*2",
            [60, 80, 100, 100, 100, 100, 100], d("2023-01-15"), d("2023-05-31"), "green", ["missing-report"],
            "Settled and fully spent in August; the town dropped it from its October file, so it keeps "
            "its September figures and is flagged as not reported."),
    Project("GT-6", "官塘镇", "XQ2023-GT-006", "顶乡村特色农产品加工车间", "顶乡村", "产业发展",
            2023, "380.00", [0, .05, .08, .12, .17, .34, .51, .68], "前期,在建*7",
            [5, 10, 20, 30, 40, 55, 70, 80], d("2023-04-01"), d("2024-01-31"), "yellow", [],
            "Processing workshop: 68% spent, on pace to finish by December."),
    Project("GT-7", "官塘镇", "XQ2023-GT-007", "苏三村、苏二村光伏发电项目", "苏三村、苏二村", "光伏",
            2023, "300.00", [.10, .25, .40, .55, .70, .80, .90, .95], "在建*4,完工*2,已验收*2",
            [30, 50, 70, 90, 100, 100, 100, 100], d("2023-01-05"), d("2023-07-31"), "green", [],
            "Photovoltaics accepted; 5% retention (质保金) still held, which is not surplus at 已验收.",
            issues={9: "预留5%质保金"}),
    Project("GT-8", "官塘镇", "XQ2023-GT-008", "奕庵村村容村貌提升", "奕庵村", "乡村风貌提升",
            2023, "230.00", [0, .04, .08, .14, .22, .38, .54, .70], "前期,在建*7",
            [0, 10, 20, 30, 40, 55, 70, 82], d("2023-04-10"), d("2023-12-31"), "yellow", [],
            "Village appearance works: 70% spent, on pace."),
    # ---------------- 铁铺镇: reports in 元 (单位：元), no codes, no year in the file name -------------
    Project("TP-1", "铁铺镇", None, "铁铺圩镇美丽圩镇立面改造", "铁铺社区", "乡村风貌提升",
            2023, "6200000.00", [.08, .15, .22, .26, .30, .30, .30, .30], "在建*8",
            [12, 20, 30, 38, 45, 45, 45, 45], d("2023-02-01"), d("2023-12-31"), "red", ["stalled"],
            "Façade works stopped in July (contractor short of money): 30% spent and the same figure "
            "in July, August, September and October.",
            issues={8: "施工单位资金紧张，7月下旬起基本停工"}),
    Project("TP-2", "铁铺镇", None, "洋东村道路硬底化", "洋东村", "基础设施",
            2023, "1850000.00", [.05, .10, .18, .26, .35, .42, .55, .45], "在建*8",
            [10, 20, 30, 40, 50, 60, 65, 70], d("2023-03-01"), d("2023-12-31"), "red", ["regressed"],
            "September wrongly included 185,000元 of the 溪美村 sewage project; October corrects it, so "
            "the cumulative figure falls.",
            remarks={10: "9月误将溪美村污水项目支出185,000元计入本项目，本月已更正"}),
    Project("TP-3", "铁铺镇", None, "溪美村农村生活污水治理", "溪美村", "农村生活污水治理",
            2023, "4380000.00", [.05, .10, .15, .20, .25, .30, .34, .40], "在建*8",
            [10, 20, 30, 45, 60, 70, 75, 80], d("2023-02-01"), d("2023-09-30"), "red", ["overdue"],
            "Planned to finish in September 2023, still under construction in October at 80% progress.",
            issues={9: "管网铺设受村道施工影响，未能按期完工"},
            name_by_month={8: "溪美村 农村生活污水治理"}),
    Project("TP-4", "铁铺镇", None, "坑门村生态茶园观光道建设", "坑门村", "产业发展",
            2023, "2600000.00", [.10, .20, .30, .40, .58, .60, .62, .64], "在建*8",
            [20, 30, 40, 50, 65, 68, 70, 72], d("2023-01-15"), d("2023-12-31"), "yellow", ["year-end-risk"],
            "Only yellow today (64%), but it has gained about 2 points a month since July: at that pace "
            "it reaches about 68% by December.",
            issues={8: "二期工程量变更待审批，进度款支付放缓"}),
    Project("TP-5", "铁铺镇", None, "石湖村光伏发电项目", "石湖村", "光伏",
            2023, "1980000.00", [.30, .30, .60, .90, 1, 1, 1, 1], "在建*2,完工,已验收,结算审核,已结算*3",
            [50, 80, 100, 100, 100, 100, 100, 100], d("2022-11-01"), d("2023-05-31"), "green", [],
            "Settled and fully spent."),
    Project("TP-6", "铁铺镇", None, "厚洋村四小园建设", "厚洋村", "四小园",
            2023, "650000.00", [0, .10, .20, .30, .45, .57, .68, .80], "前期,在建*7",
            [0, 15, 30, 45, 60, 70, 80, 88], d("2023-04-01"), d("2023-12-31"), "green", [],
            "Four small gardens: 80% spent. Its May row was sent without a name (rejected)."),
    Project("TP-7", "铁铺镇", None, "西林村农村电商服务中心", "西林村", "产业发展",
            2023, "1200000.00", [0, 0, .05, .10, .22, .38, .54, .70], "前期,招投标,在建*6",
            [0, 0, 10, 20, 35, 55, 70, 80], d("2023-05-01"), d("2024-01-31"), "yellow", [],
            "E-commerce centre: 70% spent, on pace."),
    # ---------------- 意溪镇: 元 in the headers, codes, section rows, 合计 on top, resubmission ------------
    Project("YX-1", "意溪镇", "XQ2023-YX-001", "意溪圩镇美丽圩镇建设（二期）", "东郊村", "乡村风貌提升",
            2023, "5600000.00", [.08, .13, .20, .28, .38, .50, .63, .76], "在建*8",
            [15, 25, 35, 45, 55, 65, 75, 85], d("2023-01-10"), d("2023-12-31"), "green", [],
            "Market-town works, 76%. The first September file typed 1,000,000元 too much for it; the "
            "corrected file fixes that (without the correction October would look like a regression)."),
    Project("YX-2", "意溪镇", "XQ2023-YX-002", "东郊村农村生活污水治理", "东郊村", "农村生活污水治理",
            2023, "3900000.00", [.20, .35, .50, .65, .80, .92, .98, 1.0288], "在建*5,完工*3",
            [30, 45, 60, 75, 90, 100, 100, 100], d("2022-12-15"), d("2023-08-31"), "green",
            ["over-allocation"],
            "Extra pipe length pushed spending to 4,012,345.67元 against 3,900,000.00元 allocated.",
            amounts={10: D("4012345.67")}, req_fr={10: 1}, disb_fr={10: 1},
            remarks={10: "追加管网工程量，超出下达资金112,345.67元由镇级资金垫付，已申请调整"}),
    Project("YX-3", "意溪镇", "XQ2021-YX-015", "锡美村农田水利设施建设", "锡美村", "基础设施",
            2021, "2100000.00", [.30, .33, .36, .40, .45, .52, .56, .60], "在建*4,完工*4",
            [80, 85, 90, 95, 100, 100, 100, 100], d("2021-10-01"), d("2022-12-31"), "red",
            ["carryover", "carryover-2y"],
            "2021 money, works finished in July but only 60% paid: two years carried over, at risk of "
            "being taken back.",
            issues={7: "2021年资金结转，结算审核慢，存在被收回风险"}),
    Project("YX-4", "意溪镇", "XQ2022-YX-021", "桥头村四小园及村道绿化", "桥头村", "四小园",
            2022, "800000.00", [.30, .35, .40, .44, .48, .58, .69, .80], "在建*8",
            [50, 55, 60, 65, 70, 80, 88, 95], d("2022-10-01"), d("2023-12-31"), "yellow", ["carryover"],
            "2022 money still being spent in 2023 (80%): benchmark 100%, so yellow."),
    Project("YX-5", "意溪镇", "XQ2023-YX-005", "上津村光伏发电项目", "上津村", "光伏",
            2023, "3000000.00", [0, 0, .05, .10, .18, .24, .30, .35], "前期,招投标,在建*6",
            [0, 5, 15, 25, 35, 45, 55, 65], d("2023-04-20"), d("2023-12-31"), "red", [],
            "Photovoltaics, 35% spent: red."),
    Project("YX-6", "意溪镇", "XQ2023-YX-006", "塘下村一村一品特色产业基地", "塘下村", "产业发展",
            2023, "3200000.00", [0, .05, .08, .12, .20, .37, .54, .71], "前期,在建*7",
            [5, 10, 20, 30, 40, 55, 70, 82], d("2023-04-01"), d("2024-02-29"), "yellow", [],
            "One-village-one-product base: 71% spent, on pace."),
    Project("YX-7", "意溪镇", "XQ2023-YX-007", "长和村农村电商服务站", "长和村", "产业发展",
            2023, "450000.00", [.10, .10, .30, .50, .70, .80, .88, .95], "在建*4,完工,已验收*3",
            [30, 45, 60, 80, 100, 100, 100, 100], d("2023-01-05"), d("2023-06-30"), "green", [],
            "E-commerce station, accepted, 95% paid. Its April row carries a negative amount (rejected).",
            amounts={3: D("45000.00"), 4: D("45000.00")}),
    Project("YX-8", "意溪镇", "XQ2023-YX-008", "堤头村道路硬底化", "堤头村", "基础设施",
            2023, "2800000.00", [.05, .10, .16, .24, .34, .48, .62, .75], "在建*8",
            [10, 20, 30, 40, 55, 65, 75, 85], d("2023-02-15"), d("2023-12-31"), "green", [],
            "Road hardening, 75%."),
    # ---------------- 桥东街道: GB18030 CSV, 万元, no codes, no September file ---------------------------
    Project("QD-1", "桥东街道", None, "黄金塘村四小园建设", "黄金塘村", "四小园",
            2023, "55.00", [.20, .40, .60, .80, 1, 1, N, 1], "在建*2,完工,已验收,结算审核,已结算,已结算",
            [40, 70, 100, 100, 100, 100, 100], d("2023-02-01"), d("2023-05-31"), "green", [],
            "Settled and fully spent. The March file calls it 桥东街道黄金塘村四小园建设 (same project).",
            name_by_month={3: "桥东街道黄金塘村四小园建设"}),
    Project("QD-2", "桥东街道", None, "六亩村巷道硬底化", "六亩村", "基础设施",
            2023, "68.00", [0, 0, .05, .10, .15, .20, N, .30], "前期,招投标,在建*5",
            [0, 0, 10, 20, 30, 40, 50], d("2023-05-01"), d("2023-12-31"), "red", [],
            "Lane hardening, 30% spent: red."),
    Project("QD-3", "桥东街道", None, "卧石村农村生活污水管网修复", "卧石村", "农村生活污水治理",
            2023, "45.00", [0, .05, .08, .12, .20, .37, N, .71], "前期,在建*6",
            [0, 10, 20, 30, 40, 55, 80], d("2023-04-01"), d("2023-12-31"), "yellow", [],
            "Sewage pipe repair: 71% spent, on pace."),
    Project("QD-4", "桥东街道", None, "社光村人居环境整治（美丽庭院）", "社光村", "乡村风貌提升",
            2023, "32.00", [.10, .20, .30, .40, .50, .62, N, .85], "在建*7",
            [20, 30, 40, 50, 60, 70, 90], d("2023-02-01"), d("2023-12-31"), "green", [],
            "Courtyard improvement: 85% spent."),
]

TOWN_ORDER = ["意溪镇", "磷溪镇", "铁铺镇", "官塘镇", "桥东街道"]
TOWN_UNIT = {"意溪镇": "元", "磷溪镇": "万元", "铁铺镇": "元", "官塘镇": "万元", "桥东街道": "万元"}
TOWN_MONTHS = {t: list(MONTHS) for t in TOWN_ORDER}
TOWN_MONTHS["桥东街道"] = [m for m in MONTHS if m != 9]  # 桥东街道 never sends September

# When each file arrived (Asia/Shanghai local time). Reports are due on the 5th of the next month.
RECEIVED = {
    3: {"磷溪镇": "04-03 10:12", "意溪镇": "04-03 16:40", "官塘镇": "04-04 09:05", "铁铺镇": "04-04 17:22",
        "桥东街道": "04-04 11:37"},
    4: {"磷溪镇": "05-04 09:48", "意溪镇": "05-05 10:03", "官塘镇": "05-04 15:16", "铁铺镇": "05-05 16:55",
        "桥东街道": "05-05 09:31"},
    5: {"磷溪镇": "06-01 17:02", "意溪镇": "06-02 11:20", "官塘镇": "06-02 09:44", "铁铺镇": "06-05 15:38",
        "桥东街道": "06-05 10:09"},
    6: {"磷溪镇": "07-03 09:27", "意溪镇": "07-04 14:51", "官塘镇": "07-05 10:33", "铁铺镇": "07-05 16:18",
        "桥东街道": "07-04 09:12"},
    7: {"磷溪镇": "08-01 10:06", "意溪镇": "08-02 15:43", "官塘镇": "08-09 16:27", "铁铺镇": "08-04 11:59",
        "桥东街道": "08-03 09:50"},
    8: {"磷溪镇": "09-01 09:15", "意溪镇": "09-04 10:48", "官塘镇": "09-04 16:02", "铁铺镇": "09-05 17:31",
        "桥东街道": "09-05 09:40"},
    9: {"磷溪镇": "10-04 10:21", "意溪镇": "10-05 09:36", "官塘镇": "10-04 15:09", "铁铺镇": "10-05 16:44"},
    10: {"磷溪镇": "11-01 10:17", "意溪镇": "11-02 09:58", "官塘镇": "11-03 15:26", "铁铺镇": "11-09 10:42",
         "桥东街道": "11-02 16:05"},
}
YX_RESUBMIT_RECEIVED = "2023-10-10 14:35"  # 意溪镇 sends a corrected September file
YX_TYPO = D("1000000.00")  # the first September file overstates XQ2023-YX-001 by this much


def received(m: int, town: str) -> datetime:
    return datetime.strptime(f"{YEAR if m < 12 else YEAR + 1}-{RECEIVED[m][town]}", "%Y-%m-%d %H:%M")


# ----------------------------------------------------------------------------------------------
# Numbers
# ----------------------------------------------------------------------------------------------

def q2(x: Decimal) -> Decimal:
    return x.quantize(CENT, rounding=ROUND_HALF_UP)


def q4(x: Decimal) -> Decimal:
    return x.quantize(D("0.0001"), rounding=ROUND_HALF_UP)


def expand_status(spec: str) -> list[str]:
    out: list[str] = []
    for part in spec.split(","):
        name, _, n = part.partition("*")
        out.extend([name] * int(n or 1))
    return out


def build() -> None:
    """Turn fractions into amounts in 元 (to the 分), month by month."""
    for p in PROJECTS:
        p.unit = TOWN_UNIT[p.town]
        scale = WAN if p.unit == "万元" else D(1)
        p.allocated = q2(D(p.alloc_units) * scale)
        months = p.months()
        statuses = expand_status(p.status)
        assert len(statuses) == len(months) == len(p.progress), p.key
        prev_frac, prev_amt = None, None
        for m, st, pg in zip(months, statuses, p.progress):
            frac = D(str(p.fr[MONTHS.index(m)]))
            if m in p.amounts:
                amt = q2(p.amounts[m] * scale)
            elif frac == 0:
                amt = D(0)
            elif frac == 1:
                amt = p.allocated
            elif frac == prev_frac:
                amt = prev_amt
            elif p.unit == "万元":
                amt = q2((D(p.alloc_units) * frac).quantize(CENT, rounding=ROUND_HALF_UP) * WAN)
            else:  # towns that report in 元 write amounts to the 分, not round numbers
                noise = D(rng.randint(-1500, 1500)) + D(rng.randint(0, 99)) / 100
                amt = q2(p.allocated * frac + noise)
            p.spent[m] = amt
            p.statuses[m] = st
            p.prog[m] = D(pg) / 100
            prev_frac, prev_amt = frac, amt

            def money(f: float) -> Decimal:
                if p.unit == "万元":
                    return q2((D(p.alloc_units) * D(str(f))).quantize(CENT, rounding=ROUND_HALF_UP) * WAN)
                return q2(p.allocated * D(str(f)))

            p.requested[m] = money(p.req_fr[m]) if m in p.req_fr else amt
            p.disbursed[m] = money(p.disb_fr[m]) if m in p.disb_fr else amt
    # 铁铺镇: the 185,000元 booked to 洋东村 in September belongs to 溪美村; October moves it back.
    tp2, tp3 = P("TP-2"), P("TP-3")
    true9 = tp2.spent[9]
    tp2.spent[9] = tp2.requested[9] = tp2.disbursed[9] = true9
    tp2.spent[10] = true9 - D("185000.00")  # 已请款/已拨付 stay: the transfer was made on the wrong claim
    tp2.requested[10] = tp2.disbursed[10] = true9
    assert tp2.spent[10] > tp2.spent[8]
    assert tp3.spent[10] - tp3.spent[9] > D("185000")
    for p in PROJECTS:  # cumulative figures only grow (but for the deliberate regression)
        ms = sorted(p.spent)
        for a, b in zip(ms, ms[1:]):
            assert p.spent[b] >= p.spent[a] or (p.key, b) == ("TP-2", 10), (p.key, b)
            assert p.requested[b] >= p.requested[a] and p.disbursed[b] >= p.disbursed[a], (p.key, b)
        for m in ms:
            assert p.requested[m] >= p.disbursed[m], (p.key, m)
            assert p.disbursed[m] >= p.spent[m] or p.key == "YX-2", (p.key, m)


def P(key: str) -> Project:
    return next(p for p in PROJECTS if p.key == key)


# ----------------------------------------------------------------------------------------------
# Reference rules (DESIGN §5, monthly benchmark), with every ambiguous reading checked both ways
# ----------------------------------------------------------------------------------------------

def benchmark(fund_year: int, month: int) -> Decimal:
    return D(month) / 12 if fund_year == YEAR else D(1)


def light_of(alloc: Decimal, spent: Decimal, bench: Decimal) -> tuple[str, Decimal, Decimal]:
    rate = spent / alloc
    gap = bench - rate
    g4 = q4(gap)
    if spent >= alloc:
        return "green", rate, gap
    if spent == 0 and bench >= ZERO_SPEND_BENCH:
        return "red", rate, gap
    if g4 <= GREEN_MAX:
        return "green", rate, gap
    if g4 <= YELLOW_MAX:
        return "yellow", rate, gap
    return "red", rate, gap


def year_end_projections(p: Project, m: int) -> dict[str, Decimal | None]:
    """Spending projected to December from the pace of the last reports, three readings."""
    s = p.spent
    out: dict[str, Decimal | None] = {}
    left = 12 - m
    # A: the reports of the last three calendar months (m-2 … m): pace = (s_m − s_{m−2}) / 2
    out["A"] = s[m] + (s[m] - s[m - 2]) / 2 * left if m - 2 in s else None
    # C: average of the last three monthly increments (m-3 … m)
    out["C"] = s[m] + (s[m] - s[m - 3]) / 3 * left if m - 3 in s else None
    # B: the last three reports whatever their months: pace per calendar month between first and last
    reps = sorted(k for k in s if k <= m)[-3:]
    if len(reps) == 3:
        out["B"] = s[m] + (s[m] - s[reps[0]]) / (m - reps[0]) * left
    else:
        out["B"] = None
    return out


def flags_at(p: Project, m: int, as_of: date) -> tuple[list[str], dict]:
    """Flags of project p in period m (its latest report at or before m), and the light."""
    reps = [k for k in p.spent if k <= m]
    last = max(reps)
    s = p.spent[last]
    alloc = p.allocated
    bench = benchmark(p.fund_year, m)
    light, rate, gap = light_of(alloc, s, bench)
    status = p.statuses[last]
    progress = p.prog[last]
    period_end = date(YEAR, m + 1, 1) if m < 12 else date(YEAR + 1, 1, 1)
    flags: list[str] = []

    if s == 0 and bench >= ZERO_SPEND_BENCH:
        flags.append("zero-spend")

    # stalled — reading 1: s_m == s_{m−1} == s_{m−2}; reading 2: s_m == s_{m−1}
    def stalled(strict: bool) -> bool:
        if not (0 < s < alloc) or last != m:
            return False
        need = [m - 1, m - 2] if strict else [m - 1]
        return all(k in p.spent and p.spent[k] == s for k in need)
    st1, st2 = stalled(True), stalled(False)
    assert st1 == st2, f"{p.key}: stalled depends on the reading"
    if st1:
        flags.append("stalled")

    # awaiting-transfer: requested > disbursed in this report and the previous calendar month's
    def awaiting(k: int) -> bool:
        return k in p.requested and p.requested[k] > p.disbursed[k]
    if last == m and awaiting(m) and awaiting(m - 1):
        flags.append("awaiting-transfer")

    if status in ("已结算", "取消") and alloc - s > 0:
        flags.append("surplus")
    if s > alloc:
        flags.append("over-allocation")
    if last == m and m - 1 in p.spent and s < p.spent[m - 1]:
        flags.append("regressed")
    if progress - rate >= PROGRESS_GAP:
        flags.append("progress-gap")
    assert progress - rate < D("0.45") or progress - rate >= D("0.55"), f"{p.key}: progress-gap margin"

    # not-started / overdue: "passed" read as before the period end, and as before the as-of date
    for which, dt, test in (("not-started", p.start, lambda st: st in STATUS_NOT_STARTED),
                            ("overdue", p.end, lambda st: st not in STATUS_DONE)):
        a = dt < period_end and test(status)
        b = dt < as_of and test(status)
        assert a == b, f"{p.key}: {which} depends on the reading"
        if a:
            flags.append(which)

    if p.fund_year < YEAR and s < alloc:
        flags.append("carryover")
        if p.fund_year <= YEAR - 2:
            flags.append("carryover-2y")
    if last != m:
        flags.append("missing-report")

    # year-end-risk: not red, not fully spent, last three reports' pace does not reach 100% by Dec
    if light != "red" and s < alloc and last == m:
        pro = year_end_projections(p, m)
        verdicts = {k: v < alloc for k, v in pro.items() if v is not None}
        assert len(set(verdicts.values())) <= 1, f"{p.key}: year-end-risk depends on the reading {pro}"
        for k, v in pro.items():  # keep clear of the boundary
            if v is not None:
                assert abs(v - alloc) / alloc >= D("0.01"), f"{p.key}: year-end projection {k} too close"
        if any(verdicts.values()):
            flags.append("year-end-risk")

    info = {"rate": rate, "gap": gap, "bench": bench, "light": light, "last": last, "status": status,
            "progress": progress}
    return flags, info


ORDER = ["zero-spend", "stalled", "awaiting-transfer", "surplus", "over-allocation", "regressed",
         "progress-gap", "not-started", "overdue", "carryover", "carryover-2y", "missing-report",
         "year-end-risk"]


def check_story() -> dict:
    """Compute 2023-10 and assert it is the intended story; return the expected results."""
    rows = []
    for p in PROJECTS:
        flags, info = flags_at(p, PERIOD, AS_OF)
        flags = sorted(flags, key=ORDER.index)
        gap4 = q4(info["gap"])
        if p.spent[info["last"]] < p.allocated and not (p.spent[info["last"]] == 0):
            for edge in (GREEN_MAX, YELLOW_MAX):
                assert abs(gap4 - edge) >= D("0.005"), f"{p.key}: gap {gap4} too close to {edge}"
        assert info["light"] == p.light, f"{p.key}: light {info['light']} (gap {gap4}), intended {p.light}"
        assert flags == sorted(p.flags, key=ORDER.index), f"{p.key}: flags {flags}, intended {p.flags}"
        rows.append((p, flags, info))
    # every flag of DESIGN §5 appears at least once (missing-report also in 2023-09 for 桥东街道)
    seen = {f for _, fl, _ in rows for f in fl}
    assert seen == set(ORDER), f"flags never shown: {set(ORDER) - seen}"
    # each town shows green, yellow and red projects
    for t in TOWN_ORDER:
        lights = {info["light"] for p, _, info in rows if p.town == t}
        assert lights == {"green", "yellow", "red"}, f"{t}: lights {lights}"
    return {"rows": rows}


def town_totals(m: int) -> list[dict]:
    out = []
    for t in TOWN_ORDER:
        alloc = spent = wb = D(0)
        counts = {"green": 0, "yellow": 0, "red": 0}
        n = 0
        for p in PROJECTS:
            if p.town != t or not any(k <= m for k in p.spent):
                continue
            last = max(k for k in p.spent if k <= m)
            alloc += p.allocated
            spent += p.spent[last]
            wb += p.allocated * benchmark(p.fund_year, m)
            _, info = flags_at(p, m, AS_OF) if m == PERIOD else (None, {"light": light_of(
                p.allocated, p.spent[last], benchmark(p.fund_year, m))[0]})
            counts[info["light"]] += 1
            n += 1
        bench = wb / alloc
        light, rate, gap = light_of(alloc, spent, bench)
        for edge in (GREEN_MAX, YELLOW_MAX):
            assert abs(q4(gap) - edge) >= D("0.005"), f"{t}: town gap {q4(gap)} too close to {edge}"
        out.append({"town": t, "projects": n, "allocated": alloc, "spent": spent, "rate": rate,
                    "bench": bench, "gap": gap, "light": light, "counts": counts,
                    "submitted": m in TOWN_MONTHS[t]})
    ranked = sorted(out, key=lambda r: -r["rate"])
    for i, r in enumerate(ranked, 1):
        r["rank"] = i
        r["bottom_three"] = i > len(ranked) - 3
    return out


# ----------------------------------------------------------------------------------------------
# Writing the files
# ----------------------------------------------------------------------------------------------

BAD_CELLS: list[dict] = []
FILES: list[dict] = []  # manifest rows


def cn_date(dt: date) -> str:
    return f"{dt.year}年{dt.month}月{dt.day}日"


def wan(x: Decimal) -> Decimal:
    return x / WAN


def name_in(p: Project, m: int) -> str:
    return p.name_by_month.get(m, p.name)


def town_rows(town: str, m: int) -> list[Project]:
    return [p for p in PROJECTS if p.town == town and m in p.spent]


def new_workbook(path: Path, town: str, when: datetime) -> xlsxwriter.Workbook:
    wb = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_numbers": False})
    wb.set_properties({"title": path.stem, "author": f"{town}农业农村办", "company": f"潮州市湘桥区{town}",
                       "created": when.replace(second=0)})
    return wb


def record(path: Path, town: str, m: int, when: datetime) -> None:
    FILES.append({"path": path.relative_to(HERE).as_posix(), "town": town, "period": f"{YEAR}-{m:02d}",
                  "received_at": when.strftime("%Y-%m-%d %H:%M:%S")})


def bad(file: Path, sheet: str, row0: int, col0: int, header: str, raw: str, project: Project, why: str):
    BAD_CELLS.append({"file": file.relative_to(HERE).as_posix(), "sheet": sheet, "excel_row": row0 + 1,
                      "column": xlsxwriter.utility.xl_col_to_name(col0) if col0 is not None else None,
                      "header": header, "raw": raw, "project": project.name, "reason": why})


# --- 磷溪镇: 填表说明 sheet first, title + info row, two-row header with merged 资金情况（万元）, formulas --

LX_INSTRUCTIONS = [
    "填表说明",
    "1. 本表每月5日前报送区农业农村局（区委农办），数据截至上月底。",
    "2. 项目编号按区驻镇帮镇扶村项目库编号填写；资金单位为万元，保留两位小数。",
    "3. “已请款”指已向区申请拨付的累计金额；“已拨付”指区财政已拨付到镇（业主单位）的累计金额；",
    "   “已支出”指业主单位已实际支付的累计金额（自项目开始起累计，不是本年累计）。",
    "4. 形象进度按工程实际完成比例填写，如45%。",
    "5. 项目状态填写：前期、招投标、在建、完工、已验收、结算审核、已结算、未开工、暂停、取消。",
    "6. 存在问题如实填写；无问题的填“无”。",
]


def write_linxi(m: int, when: datetime) -> None:
    town = "磷溪镇"
    folder = SUBMISSIONS / f"{YEAR}-{m:02d}"
    path = folder / f"磷溪镇{YEAR}年{m}月驻镇帮镇扶村项目进度表.xlsx"
    wb = new_workbook(path, town, when)
    f_title = wb.add_format({"bold": True, "font_size": 16, "align": "center", "valign": "vcenter",
                             "font_name": "宋体"})
    f_info = wb.add_format({"font_size": 11, "font_name": "宋体"})
    f_head = wb.add_format({"bold": True, "border": 1, "align": "center", "valign": "vcenter",
                            "text_wrap": True, "bg_color": "#DDEBF7", "font_name": "宋体"})
    f_cell = wb.add_format({"border": 1, "valign": "vcenter", "text_wrap": True, "font_name": "宋体"})
    f_num = wb.add_format({"border": 1, "num_format": "0.00", "font_name": "宋体"})
    f_date = wb.add_format({"border": 1, "num_format": "yyyy-mm-dd", "font_name": "宋体"})
    f_total = wb.add_format({"border": 1, "bold": True, "num_format": "0.00", "font_name": "宋体"})
    f_total_t = wb.add_format({"border": 1, "bold": True, "align": "center", "font_name": "宋体"})

    ins = wb.add_worksheet("填表说明")
    ins.set_column(0, 0, 100)
    for i, line in enumerate(LX_INSTRUCTIONS):
        ins.write_string(i, 0, line, f_title if i == 0 else f_info)

    sheet = "进度表"
    ws = wb.add_worksheet(sheet)
    ws.activate()
    widths = [5, 15, 30, 16, 14, 8, 10, 10, 10, 10, 9, 10, 12, 12, 28, 20]
    for c, w in enumerate(widths):
        ws.set_column(c, c, w)
    ws.merge_range(0, 0, 0, 15, f"磷溪镇{YEAR}年{m}月驻镇帮镇扶村项目进度表", f_title)
    ws.merge_range(1, 0, 1, 15, f"填报单位：磷溪镇  报表月份：{YEAR}年{m}月  单位：万元", f_info)
    single = {0: "序号", 1: "项目编号", 2: "项目名称", 3: "村(社区)", 4: "项目类别", 5: "资金年度",
              10: "形象进度", 11: "项目状态", 12: "计划开工时间", 13: "计划完工时间", 14: "存在问题", 15: "备注"}
    for c, h in single.items():
        ws.merge_range(2, c, 3, c, h, f_head)
    ws.merge_range(2, 6, 2, 9, "资金情况（万元）", f_head)
    for c, h in zip(range(6, 10), ["下达", "已请款", "已拨付", "已支出"]):
        ws.write_string(3, c, h, f_head)
    r = 4
    rows = town_rows(town, m)
    for i, p in enumerate(rows, 1):
        ws.write_number(r, 0, i, f_cell)
        ws.write_string(r, 1, p.code, f_cell)
        ws.write_string(r, 2, name_in(p, m), f_cell)
        ws.write_string(r, 3, p.village, f_cell)
        ws.write_string(r, 4, p.category, f_cell)
        ws.write_number(r, 5, p.fund_year, f_cell)
        for c, v in zip(range(6, 10), [p.allocated, p.requested[m], p.disbursed[m], p.spent[m]]):
            ws.write_number(r, c, float(wan(v)), f_num)
        ws.write_string(r, 10, f"{int(p.prog[m] * 100)}%", f_cell)
        ws.write_string(r, 11, p.statuses[m], f_cell)
        ws.write_datetime(r, 12, datetime.combine(p.start, datetime.min.time()), f_date)
        ws.write_datetime(r, 13, datetime.combine(p.end, datetime.min.time()), f_date)
        ws.write_string(r, 14, p.issue(m) or "无", f_cell)
        ws.write_string(r, 15, p.remarks.get(m, ""), f_cell)
        r += 1
    first, lastr = 5, r  # Excel rows of the data
    ws.merge_range(r, 0, r, 5, "合计", f_total_t)
    for c, attr in zip(range(6, 10), ["allocated", "requested", "disbursed", "spent"]):
        total = sum((wan(p.allocated) if attr == "allocated" else wan(getattr(p, attr)[m])) for p in rows)
        col = xlsxwriter.utility.xl_col_to_name(c)
        ws.write_formula(r, c, f"=SUM({col}{first}:{col}{lastr})", f_total, float(q2(total)))
    r += 2
    ws.write_string(r, 0, "填报人：陈晓敏  联系电话：0768-0000001  审核人：林少鹏", f_info)
    wb.close()
    record(path, town, m, when)


# --- 官塘镇: title, one info cell (+ 报送日期), 安排资金/实际支出 with （万元）, blank rows, text amounts ----

def write_guantang(m: int, when: datetime) -> None:
    town = "官塘镇"
    folder = SUBMISSIONS / f"{YEAR}-{m:02d}"
    path = folder / f"官塘镇_{YEAR}{m:02d}.xlsx"
    wb = new_workbook(path, town, when)
    f_title = wb.add_format({"bold": True, "font_size": 14, "align": "center"})
    f_head = wb.add_format({"bold": True, "border": 1, "align": "center", "valign": "vcenter",
                            "text_wrap": True})
    f_cell = wb.add_format({"border": 1, "text_wrap": True})
    f_num = wb.add_format({"border": 1, "num_format": "#,##0.00"})
    f_pct = wb.add_format({"border": 1, "num_format": "0%"})
    sheet = "Sheet1"
    ws = wb.add_worksheet(sheet)
    ws.set_column(0, 0, 5)
    ws.set_column(1, 1, 15)
    ws.set_column(2, 2, 28)
    ws.set_column(3, 15, 12)
    ws.merge_range(0, 0, 0, 15, "官塘镇驻镇帮镇扶村项目资金支出进度表", f_title)
    ws.write_string(1, 0, f"填报单位：官塘镇  报表月份：{YEAR}年{m}月  单位：万元")
    ws.write_string(1, 12, f"报送日期：{cn_date(when.date())}")
    heads = ["序号", "项目编号", "项目名称", "村（社区）", "项目类别", "资金年度", "安排资金\n（万元）",
             "已请款\n（万元）", "已拨付\n（万元）", "实际支出\n（万元）", "形象进度", "项目状态",
             "计划开工时间", "计划完工时间", "存在问题", "备注"]
    for c, h in enumerate(heads):
        ws.write_string(2, c, h, f_head)
    ws.set_row(2, 32)
    r = 3
    rows = town_rows(town, m)
    for i, p in enumerate(rows, 1):
        if i == 5:
            r += 1  # a blank row the clerk left in the middle
        ws.write_number(r, 0, i, f_cell)
        ws.write_string(r, 1, p.code, f_cell)
        ws.write_string(r, 2, name_in(p, m), f_cell)
        ws.write_string(r, 3, p.village, f_cell)
        ws.write_string(r, 4, p.category, f_cell)
        ws.write_string(r, 5, f"{p.fund_year}年", f_cell)
        for c, v in zip(range(6, 10), [p.allocated, p.requested[m], p.disbursed[m], p.spent[m]]):
            if p.key == "GT-3" and c in (7, 8):
                ws.write_string(r, c, "/", f_cell)
            elif p.key == "GT-3" and c == 9:
                ws.write_string(r, c, "-", f_cell)
            elif p.key == "GT-5" and c == 6:
                ws.write_string(r, c, f"{wan(v).normalize():f}万", f_cell)  # 36.5万
            elif p.key == "GT-6" and c == 9 and m == 6:
                ws.write_string(r, c, "待定", f_cell)
                bad(path, sheet, r, c, heads[c].replace("\n", ""), "待定", p,
                    "累计支出填“待定”，不是金额")
            elif p.key in ("GT-1", "GT-7") and c == 9:
                ws.write_string(r, c, f" {wan(v):,.2f} ", f_cell)  # text with spaces
            else:
                ws.write_number(r, c, float(wan(v)), f_num)
        ws.write_number(r, 10, float(p.prog[m]), f_pct)
        ws.write_string(r, 11, p.statuses[m], f_cell)
        ws.write_string(r, 12, p.start.strftime("%Y.%m.%d"), f_cell)
        ws.write_string(r, 13, p.end.strftime("%Y.%m.%d"), f_cell)
        ws.write_string(r, 14, p.issue(m) or "/", f_cell)
        ws.write_string(r, 15, p.remarks.get(m, ""), f_cell)
        r += 1
    r += 1  # blank row before the total
    ws.write_string(r, 2, "合计", f_head)
    for c, attr in zip(range(6, 10), ["allocated", "requested", "disbursed", "spent"]):
        total = sum((wan(p.allocated) if attr == "allocated" else wan(getattr(p, attr)[m])) for p in rows)
        ws.write_number(r, c, float(q2(total)), f_num)
    r += 2
    ws.write_string(r, 0, "填报人：  联系电话：  审核人：")
    wb.close()
    record(path, town, m, when)


# --- 铁铺镇: 单位：元, 计划投资/完成支付, amounts as text with commas, progress 0–100, no codes ---------

def write_tiepu(m: int, when: datetime) -> None:
    town = "铁铺镇"
    folder = SUBMISSIONS / f"{YEAR}-{m:02d}"
    path = folder / f"铁铺镇-{m}月报表.xlsx"
    wb = new_workbook(path, town, when)
    f_title = wb.add_format({"bold": True, "font_size": 14})
    f_head = wb.add_format({"bold": True, "border": 1, "text_wrap": True, "align": "center"})
    f_cell = wb.add_format({"border": 1})
    f_right = wb.add_format({"border": 1, "align": "right"})
    sheet = f"{m}月"
    ws = wb.add_worksheet(sheet)
    ws.set_column(0, 1, 8)
    ws.set_column(2, 2, 28)
    ws.set_column(3, 15, 14)
    ws.write_string(0, 0, "铁铺镇驻镇帮镇扶村项目资金使用情况月报表", f_title)
    ws.write_string(1, 0, "填报单位：铁铺镇")
    ws.write_string(1, 5, f"报送月份：{YEAR}年{m}月")
    ws.write_string(1, 12, "单位：元")
    heads = ["序号", "项目编号", "建设项目", "所在村", "项目类型", "年度", "计划投资", "累计请款", "拨付资金",
             "完成支付", "工程进度（%）", "进展情况", "计划开工时间", "计划完工时间", "存在问题", "备注"]
    for c, h in enumerate(heads):
        ws.write_string(2, c, h, f_head)
    r = 3
    rows = town_rows(town, m)
    for i, p in enumerate(rows, 1):
        ws.write_number(r, 0, i, f_cell)
        ws.write_blank(r, 1, None, f_cell)
        if p.key == "TP-6" and m == 5:
            ws.write_blank(r, 2, None, f_cell)
            bad(path, sheet, r, 2, "建设项目", "", p, "有金额但项目名称为空")
        else:
            ws.write_string(r, 2, name_in(p, m), f_cell)
        ws.write_string(r, 3, p.village, f_cell)
        ws.write_string(r, 4, p.category, f_cell)
        ws.write_number(r, 5, p.fund_year, f_cell)
        for c, v in zip(range(6, 10), [p.allocated, p.requested[m], p.disbursed[m], p.spent[m]]):
            if v == 0:
                ws.write_string(r, c, "/" if c in (7, 8) else "-", f_right)
            else:
                ws.write_string(r, c, f"{v:,.2f}", f_right)
        ws.write_number(r, 10, int(p.prog[m] * 100), f_cell)
        ws.write_string(r, 11, p.statuses[m], f_cell)
        ws.write_string(r, 12, f"{p.start.year}年{p.start.month}月", f_cell)
        ws.write_string(r, 13, f"{p.end.year}年{p.end.month}月", f_cell)
        ws.write_string(r, 14, p.issue(m) or "/", f_cell)
        ws.write_string(r, 15, p.remarks.get(m, "-"), f_cell)
        r += 1
    ws.write_string(r, 0, "合计", f_head)
    for c, attr in zip(range(6, 10), ["allocated", "requested", "disbursed", "spent"]):
        total = sum((p.allocated if attr == "allocated" else getattr(p, attr)[m]) for p in rows)
        ws.write_string(r, c, f"{total:,.2f}", f_right)
    r += 2
    ws.write_string(r, 0, "填报人：黄伟雄        联系电话：0768-0000003        审核人：")
    wb.close()
    record(path, town, m, when)


# --- 意溪镇: （元） in headers, 合计 on top, section rows, 支出率 formulas, resubmission ----------------

YX_SECTIONS = [("一、乡村风貌提升类", ["乡村风貌提升", "四小园"]),
               ("二、农村生活污水治理类", ["农村生活污水治理"]),
               ("三、产业发展类", ["产业发展", "光伏"]),
               ("四、基础设施类", ["基础设施"])]


def write_yixi(m: int, when: datetime, version: int = 1) -> None:
    town = "意溪镇"
    folder = SUBMISSIONS / f"{YEAR}-{m:02d}"
    suffix = "更正版" if version == 2 else ""
    path = folder / f"意溪镇驻镇帮镇扶村项目资金支出表（{YEAR}年{m}月）{suffix}.xlsx"
    wb = new_workbook(path, town, when)
    f_title = wb.add_format({"bold": True, "font_size": 14, "align": "center"})
    f_head = wb.add_format({"bold": True, "border": 1, "text_wrap": True, "align": "center",
                            "valign": "vcenter", "bg_color": "#FCE4D6"})
    f_sec = wb.add_format({"bold": True, "border": 1, "bg_color": "#F2F2F2"})
    f_cell = wb.add_format({"border": 1, "text_wrap": True})
    f_num = wb.add_format({"border": 1, "num_format": "#,##0.00"})
    f_tot = wb.add_format({"border": 1, "bold": True, "num_format": "#,##0.00"})
    f_pct = wb.add_format({"border": 1, "num_format": "0.00%"})
    sheet = "项目台账"
    ws = wb.add_worksheet(sheet)
    ws.set_column(0, 0, 6)
    ws.set_column(1, 1, 15)
    ws.set_column(2, 2, 30)
    ws.set_column(3, 16, 13)
    title = f"意溪镇{YEAR}年{m}月驻镇帮镇扶村项目资金支出进度表"
    if version == 2:
        title += "（更正）"
    ws.merge_range(0, 0, 0, 16, title, f_title)
    heads = ["序号", "项目编号", "项目名称", "村(社区)", "项目类别", "资金年度", "下达资金\n（元）",
             "已请款\n（元）", "已拨付\n（元）", "累计支出\n（元）", "支出率", "形象进度", "项目状态",
             "计划开工时间", "计划完工时间", "存在问题", "备注"]
    for c, h in enumerate(heads):
        ws.write_string(1, c, h, f_head)
    ws.set_row(1, 32)
    rows = town_rows(town, m)
    total_row = 2
    r = 3
    i = 0
    data_rows = []
    sums = {"allocated": D(0), "requested": D(0), "disbursed": D(0), "spent": D(0)}
    older = [p for p in rows if p.fund_year < YEAR]
    sections = [(t, [p for p in rows if p.fund_year == YEAR and p.category in cats]) for t, cats in YX_SECTIONS]
    sections.append(("五、往年结转项目", older))
    for sec_title, members in sections:
        if not members:
            continue
        ws.merge_range(r, 0, r, 5, sec_title, f_sec)
        r += 1
        for p in members:
            i += 1
            spent = p.spent[m]
            if p.key == "YX-1" and m == 9 and version == 1:
                spent = spent + YX_TYPO
            ws.write_number(r, 0, i, f_cell)
            ws.write_string(r, 1, p.code, f_cell)
            ws.write_string(r, 2, name_in(p, m), f_cell)
            ws.write_string(r, 3, p.village, f_cell)
            ws.write_string(r, 4, p.category, f_cell)
            ws.write_number(r, 5, p.fund_year, f_cell)
            vals = [p.allocated, p.requested[m], p.disbursed[m], spent]
            if p.key == "YX-1" and m == 9 and version == 1:
                vals[1] = vals[1] + YX_TYPO
                vals[2] = vals[2] + YX_TYPO
            for c, v in zip(range(6, 10), vals):
                if p.key == "YX-7" and m == 4 and c == 9:
                    ws.write_number(r, c, -float(v), f_num)
                    bad(path, sheet, r, c, "累计支出（元）", f"-{v:.0f}", p, "累计支出为负数")
                else:
                    ws.write_number(r, c, float(v), f_num)
            for k, v in zip(sums, vals):
                sums[k] += v
            ws.write_formula(r, 10, f"=IF(G{r + 1}=0,0,J{r + 1}/G{r + 1})", f_pct,
                             float(vals[3] / vals[0]) if not (p.key == "YX-7" and m == 4) else -float(vals[3] / vals[0]))
            ws.write_string(r, 11, f"{int(p.prog[m] * 100)}%", f_cell)
            ws.write_string(r, 12, p.statuses[m], f_cell)
            ws.write_string(r, 13, p.start.isoformat(), f_cell)
            ws.write_string(r, 14, p.end.isoformat(), f_cell)
            ws.write_string(r, 15, p.issue(m), f_cell)
            remark = p.remarks.get(m, "")
            if version == 2 and p.key == "YX-1":
                remark = "更正：原报累计支出多录1,000,000.00元"
            ws.write_string(r, 16, remark, f_cell)
            data_rows.append(r + 1)
            r += 1
    # the 合计 row sits on top, as SUMs over the project rows (cached values written too)
    ws.merge_range(total_row, 0, total_row, 5, "合计", f_tot)
    for c, k in zip(range(6, 10), sums):
        col = xlsxwriter.utility.xl_col_to_name(c)
        ws.write_formula(total_row, c, "=" + "+".join(f"{col}{x}" for x in data_rows), f_tot,
                         float(sums[k]) if not (m == 4 and k == "spent") else
                         float(sums[k] - 2 * P("YX-7").spent[4]))
    ws.write_formula(total_row, 10, f"=J{total_row + 1}/G{total_row + 1}", f_pct,
                     float(sums["spent"] / sums["allocated"]))
    ws.freeze_panes(3, 3)
    wb.close()
    record(path, town, m, when)


# --- 桥东街道: CSV in GB18030, title + info lines, 下达金额/已支付/到位资金, no codes ----------------------

FULLWIDTH = str.maketrans("0123456789.", "０１２３４５６７８９．")


def write_qiaodong(m: int, when: datetime) -> None:
    town = "桥东街道"
    folder = SUBMISSIONS / f"{YEAR}-{m:02d}"
    path = folder / f"桥东街道{YEAR}.{m}.csv"
    buf = io.StringIO()
    w = csv.writer(buf)  # Excel-style: CRLF line ends, quotes only where needed
    w.writerow(["桥东街道驻镇帮镇扶村项目进度表"] + [""] * 15)
    w.writerow([f"统计月份：{YEAR}年{m}月"] + [""] * 13 + ["单位：万元", ""])
    heads = ["序号", "项目编号", "项目名称", "村(社区)", "项目类别", "资金年度", "下达金额", "已请款", "到位资金",
             "已支付", "形象进度", "项目状态", "计划开工时间", "计划完工时间", "存在问题", "备注"]
    w.writerow(heads)
    rows = town_rows(town, m)
    for i, p in enumerate(rows, 1):
        alloc = f"{wan(p.allocated):.2f}"
        if p.key == "QD-4" and m == 5:
            alloc = alloc.translate(FULLWIDTH)  # full-width digits typed with a Chinese IME
        req = f"{wan(p.requested[m]):.2f}" if p.requested[m] else "-"
        dis = f"{wan(p.disbursed[m]):.2f}" if p.disbursed[m] else "-"
        sp = f"{wan(p.spent[m]):.2f}" if p.spent[m] else "-"
        w.writerow([i, "", name_in(p, m), p.village, p.category, p.fund_year, alloc, req, dis, sp,
                    f"{int(p.prog[m] * 100)}%", p.statuses[m],
                    f"{p.start.year}/{p.start.month}/{p.start.day}", f"{p.end.year}/{p.end.month}/{p.end.day}",
                    p.issue(m) or "无", p.remarks.get(m, "")])
    w.writerow([""] * 16)
    tot = [sum((wan(p.allocated) if a == "allocated" else wan(getattr(p, a)[m])) for p in rows)
           for a in ("allocated", "requested", "disbursed", "spent")]
    w.writerow(["合计", "", "", "", "", ""] + [f"{t:.2f}" for t in tot] + [""] * 6)
    w.writerow(["填报人：", "", "联系电话：", "", "审核人："] + [""] * 11)
    path.write_bytes(buf.getvalue().encode("gb18030"))
    record(path, town, m, when)


WRITERS = {"磷溪镇": write_linxi, "官塘镇": write_guantang, "铁铺镇": write_tiepu, "意溪镇": write_yixi,
           "桥东街道": write_qiaodong}


def write_all() -> None:
    if SUBMISSIONS.exists():
        shutil.rmtree(SUBMISSIONS)
    for m in MONTHS:
        (SUBMISSIONS / f"{YEAR}-{m:02d}").mkdir(parents=True)
        for town in TOWN_ORDER:
            if m not in TOWN_MONTHS[town]:
                continue
            WRITERS[town](m, received(m, town))
    write_yixi(9, datetime.fromisoformat(YX_RESUBMIT_RECEIVED), version=2)
    FILES.sort(key=lambda f: f["received_at"])
    with (HERE / "manifest.csv").open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=["path", "town", "period", "received_at"], lineterminator="\n")
        w.writeheader()
        w.writerows(FILES)


# ----------------------------------------------------------------------------------------------
# expected.json and README.md
# ----------------------------------------------------------------------------------------------

def money_json(x: Decimal) -> str:
    return f"@@{q2(x)}@@"


def rate_json(x: Decimal) -> str:
    return f"@@{q4(x)}@@"


def dump_json(obj) -> str:
    text = json.dumps(obj, ensure_ascii=False, indent=1)
    return re.sub(r'"@@(-?[0-9.]+)@@"', r"\1", text) + "\n"


def late(when: datetime, m: int) -> bool:
    due = date(YEAR, m + 1, 5)
    while due.weekday() >= 5:
        due = date.fromordinal(due.toordinal() + 1)
    return when.date() > due


def write_expected(result: dict) -> None:
    projects = []
    for p, flags, info in result["rows"]:
        last = info["last"]
        projects.append({
            "project_code": p.code, "project_name": p.name, "town": p.town, "village": p.village,
            "category": p.category, "fund_year": p.fund_year,
            "allocated": money_json(p.allocated), "spent": money_json(p.spent[last]),
            # null where the file wrote "/" or "-" (宫头村 in 官塘镇's October file)
            "requested": None if p.key == "GT-3" else money_json(p.requested[last]),
            "disbursed": None if p.key == "GT-3" else money_json(p.disbursed[last]),
            "spend_rate": rate_json(info["rate"]), "benchmark": rate_json(info["bench"]),
            "gap": rate_json(info["gap"]), "light": info["light"], "progress": rate_json(info["progress"]),
            "status": info["status"], "flags": flags, "last_period": f"{YEAR}-{last:02d}"})
    towns = []
    for t in town_totals(PERIOD):
        towns.append({"town": t["town"], "projects": t["projects"], "allocated": money_json(t["allocated"]),
                      "spent": money_json(t["spent"]), "spend_rate": rate_json(t["rate"]),
                      "benchmark": rate_json(t["bench"]), "gap": rate_json(t["gap"]), "light": t["light"],
                      "rank": t["rank"], "bottom_three": t["bottom_three"], **t["counts"],
                      "submitted": t["submitted"]})
    sep = [{"town": t["town"], "submitted": t["submitted"]} for t in town_totals(9)]
    qd_sep = [{"project_name": p.name, "flags_include": ["missing-report"], "last_period": "2023-08"}
              for p in PROJECTS if p.town == "桥东街道"]
    out = {
        "_about": ("What fundmon should report for the sample data as of 2023-11-10 (period 2023-10, monthly "
                   "benchmark, default thresholds), written by sample_data/generate.py. Amounts in 元; "
                   "rates and gaps rounded to 4 decimals; flags sorted in DESIGN §5 order. Town totals "
                   "include a project not reported in 2023-10 with its latest earlier figures."),
        "period": f"{YEAR}-{PERIOD:02d}", "as_of": AS_OF.isoformat(), "benchmark_mode": "monthly",
        "projects": projects, "towns": towns,
        "period_2023_09": {"towns": sep, "projects_not_reported": qd_sep,
                           "note": "桥东街道 sent no September report: in 2023-09 each of its projects "
                                   "carries missing-report and the town is submitted=false."},
        "submissions": {
            "files": len(FILES),
            "late": [f for f in FILES if late(datetime.fromisoformat(f["received_at"]), int(f["period"][5:]))
                     and "更正版" not in f["path"]],
            "late_note": ("Deadline: the 5th of the next month, moved past weekends (no holidays needed: "
                          "every on-time file arrives on or before the 5th). 意溪镇's corrected 2023-09 "
                          "file arrives 2023-10-10, after the deadline, but the town's first September "
                          "file was on time."),
            "superseded": [f["path"] for f in FILES if f["town"] == "意溪镇" and f["period"] == "2023-09"][:1],
            "missing": [{"town": "桥东街道", "period": "2023-09"}],
        },
        "rejected_rows": BAD_CELLS,
    }
    (HERE / "expected.json").write_text(dump_json(out), encoding="utf-8")


def lines_for(p: Project, flags: list, info: dict) -> str:
    last = info["last"]
    unit_amt = (lambda x: f"{wan(x):,.2f}万元") if p.unit == "万元" else (lambda x: f"{x:,.2f}元")
    flag_txt = ", ".join(f"`{f}`" for f in flags) or "—"
    return (f"| {p.code or '(none)'} | {p.name} | {p.village} | {p.fund_year} | {unit_amt(p.allocated)} | "
            f"{unit_amt(p.spent[last])} | {q4(info['rate']) * 100:.2f}% | {q4(info['bench']) * 100:.2f}% | "
            f"{q4(info['gap']):+.4f} | **{info['light']}** | {flag_txt} | {p.story} |")


TOWN_TEXT = {
    "磷溪镇": ("Linxi (磷溪镇) — the fastest town", "Villages are real 磷溪 villages (溪口, 溪口二村, 仙田, 窑美, "
              "埔涵, 田心, 饶砂, 北堤); the 溪口市场 upgrade and the 202 solar lamps follow public reports. "
              "Helped by 中山市翠亨新区.",
              "`磷溪镇2023年M月驻镇帮镇扶村项目进度表.xlsx`: a **填表说明** instruction sheet comes *first*, the data "
              "sheet `进度表` second; a merged title row and an info row `填报单位：磷溪镇  报表月份：2023年M月  单位：万元`; "
              "a **two-row header** with the merged group cell `资金情况（万元）` over `下达 | 已请款 | 已拨付 | 已支出` "
              "(the other headers merged over both rows); amounts in 万元 as numbers; progress as text `85%`; "
              "planned dates as real Excel dates; a `合计` row (merged A:F) of `=SUM()` **formulas** with cached "
              "values; a footer `填报人：…  联系电话：…  审核人：…`."),
    "官塘镇": ("Guantang (官塘镇)", "Villages are real 官塘 villages (奕湖, 奕庵, 奕东, 尧里, 苏三, 苏二, 宫头, 顶乡, "
              "象山).",
              "`官塘镇_2023MM.xlsx`, sheet `Sheet1`: title row; **one info cell** `填报单位：官塘镇  报表月份：2023年M月  "
              "单位：万元` and, in M2, `报送日期：2023年11月3日` (the date it was sent — *not* the period); headers "
              "`安排资金\\n（万元）`, `实际支出\\n（万元）` with **line breaks** and full-width brackets, `村（社区）`; "
              "资金年度 as text `2023年`; progress as numbers **0.45** (formatted 45%); dates as text `2023.06.15`; "
              "a **blank row** after the 4th project and another before `合计`; **text amounts** (` 336.00 ` with "
              "spaces for two projects, `36.5万` for 奕东村's allocation); `/` and `-` for empty (宫头村: 已请款 `/`, "
              "实际支出 `-`); footer `填报人：  联系电话：  审核人：`. The 2023-07 file arrives late (9 August). "
              "奕东村太阳能路灯 is absent from the 2023-10 file."),
    "铁铺镇": ("Tiepu (铁铺镇) — the slowest town", "**Village names are invented** (铁铺社区, 洋东村, 溪美村, 坑门村, "
              "石湖村, 厚洋村, 西林村): the real ones were not verified.",
              "`铁铺镇-M月报表.xlsx` — **no year in the file name**; sheet `M月`; info row cells `填报单位：铁铺镇`, "
              "`报送月份：2023年M月` (DESIGN §2: 报送月份 is the report month) and `单位：元` — **amounts in 元**; headers "
              "`建设项目`, `所在村`, `项目类型`, `年度`, `计划投资`, `累计请款`, `拨付资金`, `完成支付`, `工程进度（%）`, "
              "`进展情况`; **项目编号 column present but blank**; amounts as **text with thousands separators** "
              "(`6,200,000.00`); `-`/`/` for zero or empty; progress as **whole numbers 0–100**; dates as `2023年9月` "
              "(month only); `合计` row with text amounts; footer. The 2023-10 file arrives **late** (9 November). "
              "In the 2023-08 file 溪美村's project is written with a space, `溪美村 农村生活污水治理` "
              "(whitespace folds away in the project identity)."),
    "意溪镇": ("Yixi (意溪镇)", "**Village names are invented** (东郊村, 锡美村, 桥头村, 上津村, 塘下村, 长和村, 堤头村).",
              "`意溪镇驻镇帮镇扶村项目资金支出表（2023年M月）.xlsx`, sheet `项目台账`: merged title row carrying the "
              "period (`意溪镇2023年M月驻镇帮镇扶村项目资金支出进度表`), no info row; headers with the unit inside "
              "and a line break: `下达资金\\n（元）`, `累计支出\\n（元）` — **amounts in 元**, to the 分; the **`合计` row "
              "sits directly under the header**, above the projects, as formulas; **section rows** `一、乡村风貌提升类` "
              "… `五、往年结转项目` (merged A:F) between the projects (the category column is filled too); a "
              "`支出率` column of formulas (ignored, recomputed); progress as text `85%`; dates as `2023-06-15` text; "
              "frozen panes. **September is sent twice**: the first file (5 Oct) overstates XQ2023-YX-001 by "
              "1,000,000.00元 (累计支出, 已请款 and 已拨付); `…（2023年9月）更正版.xlsx` (10 Oct, title ends `（更正）`) "
              "supersedes it."),
    "桥东街道": ("Qiaodong street (桥东街道) — about 200万元", "Villages: the historic 桥东 villages 黄金塘, 六亩, 卧石, "
                "社光 (written with 村).",
                "`桥东街道2023.M.csv` — **CSV in GB18030** (not UTF-8), CRLF line ends, a title line and an info line "
                "`统计月份：2023年M月 … 单位：万元`; headers `下达金额`, `已请款`, `到位资金`, `已支付`; **项目编号 blank**; "
                "`-` for zero amounts; progress `85%`; dates `2023/6/15`; a blank line, a `合计` line and a footer "
                "line. **No file for 2023-09.** The 2023-05 file writes 社光村's allocation in **full-width digits** "
                "(`３２．００`); the 2023-03 file names a project with the street in front "
                "(`桥东街道黄金塘村四小园建设`)."),
}


def write_readme(result: dict) -> None:
    out = []
    a = out.append
    a("# Sample data — 湘桥区 2023 (fictional)\n")
    a("Town submissions of 驻镇帮镇扶村 project progress for **湘桥区 (潮州)**, periods **2023-03 to 2023-10**, "
      "from 意溪镇, 磷溪镇, 铁铺镇, 官塘镇 and 桥东街道. `fundmon demo` ingests them in `manifest.csv` order "
      "with each file's `received_at`, then reports **as of 2023-11-10** (period 2023-10).\n")
    a("**The data are fictional**, though modelled on public sources (town and village names, typical "
      "projects, amounts and practice from DESIGN.md/DOMAIN.md). No figure is a real town's figure. Names, "
      "phone numbers and village names marked *invented* below are made up.\n")
    a("Everything here is written by `python sample_data/generate.py` (fixed seed, byte-identical reruns; "
      "standard library + XlsxWriter). Edit the story there, not the files.\n")
    a("## Files\n")
    a("- `submissions/2023-MM/` — one file per town per month as towns name them "
      f"({len(FILES)} files: 5 towns × 8 months, minus 桥东街道 2023-09, plus 意溪镇's corrected 2023-09).")
    a("- `manifest.csv` — UTF-8, `path,town,period,received_at` (local time, Asia/Shanghai), in arrival order; "
      "`path` is relative to `sample_data/`.")
    a("- `expected.json` — what `fundmon status --format json` should say for 2023-10 (amounts in 元, flags, "
      "lights, town totals and ranks), plus 2023-09 submission facts, late files and the rejected rows.")
    a("- `generate.py` — the script; `README.md` — this file.\n")
    a("## Rules used (DESIGN §5 defaults)\n")
    a("Benchmark (序时进度) in 2023-10: 10/12 = 83.33% for 2023 money, 100% for 2021/2022 money. "
      "gap = benchmark − spend rate; green ≤ 0.10, yellow ≤ 0.30, red > 0.30 or nothing spent; fully "
      "spent is green. The generator checks the story with its own implementation of the rules and "
      "refuses to write it if a rule that can be read two ways gives two answers (stalled over one or two "
      "months; year-end pace over the last three calendar months, the last three reports, or the last "
      "three increments; planned dates passed by the period end or by the as-of date), or if a gap lies "
      "within 0.005 of a light boundary.\n")
    a("## Town by town (2023-10)\n")
    for t in TOWN_ORDER:
        title, names, mess = TOWN_TEXT[t]
        a(f"### {title}\n")
        a(names + "\n")
        a("| code | project | village | fund year | allocated | spent | rate | benchmark | gap | light | "
          "flags | story |")
        a("|---|---|---|---|---|---|---|---|---|---|---|---|")
        for p, flags, info in result["rows"]:
            if p.town == t:
                a(lines_for(p, flags, info))
        a("")
        a("**File mess:** " + mess + "\n")
    a("## Towns in 2023-10\n")
    a("| rank | town | projects | allocated (元) | spent (元) | rate | benchmark | gap | light | "
      "green/yellow/red |")
    a("|---|---|---|---|---|---|---|---|---|---|")
    for t in sorted(town_totals(PERIOD), key=lambda r: r["rank"]):
        a(f"| {t['rank']}{' (bottom three)' if t['bottom_three'] else ''} | {t['town']} | {t['projects']} | "
          f"{t['allocated']:,.2f} | {t['spent']:,.2f} | {q4(t['rate']) * 100:.2f}% | "
          f"{q4(t['bench']) * 100:.2f}% | {q4(t['gap']):+.4f} | **{t['light']}** | "
          f"{t['counts']['green']}/{t['counts']['yellow']}/{t['counts']['red']} |")
    a("")
    a("Town benchmarks are allocation-weighted (2021/2022 money counts at 100%). 官塘镇's total includes "
      "奕东村太阳能路灯 with its September figures.\n")
    sep = sorted(town_totals(9), key=lambda r: r["rank"])
    a("For reference, 2023-09 by spend rate (counting 桥东街道, which sent nothing, at its August "
      "figures): " + ", ".join(f"{r['rank']}. {r['town']} {q4(r['rate']) * 100:.2f}%" for r in sep) + ".\n")
    a("In `expected.json`, 宫头村四小园建设 has `requested`/`disbursed` null: the October file writes `/` "
      "there (and `-` for spent, which counts as 0).\n")
    a("## Where each flag happens\n")
    a("| flag | project (town) | why |")
    a("|---|---|---|")
    why = {
        "zero-spend": "nothing spent in October, benchmark 83.33% ≥ 25%",
        "stalled": "0 < spent < allocated and spent identical in 2023-07, -08, -09 and -10",
        "awaiting-transfer": "已请款 > 已拨付 in both 2023-09 and 2023-10",
        "surplus": "已结算 with 15.27万元 not spent",
        "over-allocation": "spent 4,012,345.67元 > allocated 3,900,000.00元",
        "regressed": "cumulative spent falls by 185,000.00元 from 2023-09 to 2023-10",
        "progress-gap": "形象进度 100% vs spend rate 42% (≥ 50 points)",
        "not-started": "planned start 2023-07-15 passed, status 前期",
        "overdue": "planned end September 2023 passed, status 在建",
        "carryover": "2022 (or 2021) money not fully spent in 2023",
        "carryover-2y": "2021 money not fully spent in 2023 (also carries `carryover`)",
        "missing-report": "absent from 官塘镇's 2023-10 file (last report 2023-09); and every 桥东街道 project "
                          "in 2023-09, when the street sent nothing",
        "year-end-risk": "yellow (64%), +2 points a month since July → about 68% by December",
    }
    for f in ORDER:
        holders = [f"{p.name} ({p.town})" for p, fl, _ in result["rows"] if f in fl]
        a(f"| `{f}` | {'; '.join(holders)} | {why[f]} |")
    a("")
    a("Projects with no flag are there to be plain green, yellow or red. Where a yellow or green project "
      "has not reached 100%, its pace over July–October is fast enough to finish by December, so it does "
      "**not** get `year-end-risk`. 磷溪 田心村 façades show requested > disbursed in October only (one "
      "report, so no `awaiting-transfer`).\n")
    a("## Submissions\n")
    a("- Mostly on time (1st–5th of the next month). **Late**: 官塘镇 2023-07 (received 2023-08-09; the 5th "
      "was a Saturday, so due Monday 7 August) and 铁铺镇 2023-10 (received 2023-11-09; due Monday 6 November). "
      "September reports arrive on 4–5 October, during the National Day holiday, which is on time with or "
      "without holidays configured.")
    a("- **Resubmission**: 意溪镇 2023-09 twice — first 2023-10-05 09:36, corrected `更正版` 2023-10-10 14:35, "
      "which supersedes the first. The correction lowers XQ2023-YX-001's 累计支出 by 1,000,000.00元; if the "
      "first file were still counted, October would wrongly show `regressed` for it.")
    a("- **Missing**: 桥东街道 sends nothing for 2023-09.")
    a("- The period is written inside every file (title or info row), so no file depends on its name for "
      "the period (`铁铺镇-10月报表.xlsx` has no year; `桥东街道2023.10.csv` uses a dot).\n")
    a("## Deliberate bad cells (rows to be rejected, the rest of each file loads)\n")
    a("| file | sheet | Excel row | column | header | raw value | project | reason |")
    a("|---|---|---|---|---|---|---|---|")
    for b in BAD_CELLS:
        raw = b["raw"] if b["raw"] else "(empty)"
        a(f"| `{b['file']}` | {b['sheet']} | {b['excel_row']} | {b['column']} | {b['header']} | `{raw}` | "
          f"{b['project']} | {b['reason']} |")
    a("")
    a("None of them is in a 2023-10 file, and none touches the months the 2023-10 flags look at "
      "(August–October), so they do not change the expected October results. The 合计 rows are the "
      "clerk's true totals, so a file with a rejected row also shows a 合计 that does not add up (a "
      "warning). 意溪镇's April 合计 formula includes the negative figure (its cached value is what Excel "
      "would show).\n")
    a("## Things the ETL must cope with (summary)\n")
    a("- An instruction sheet before the data sheet; sheet names `Sheet1`, `进度表`, `项目台账`, `10月`.")
    a("- Header words per town: 下达 / 下达资金 / 安排资金 / 计划投资 / 下达金额; 已支出 / 累计支出 / 实际支出 / "
      "完成支付 / 已支付; 已拨付 / 拨付资金 / 到位资金; 已请款 / 累计请款; 项目名称 / 建设项目; 村(社区) / "
      "村（社区） / 所在村; 项目类别 / 项目类型; 资金年度 / 年度; 项目状态 / 进展情况; 形象进度 / 工程进度（%）.")
    a("- Two-row header with the sub-header `下达` meaning 下达资金 only under `资金情况（万元）`.")
    a("- Units: 万元 (磷溪, 官塘, 桥东) and 元 (铁铺 via `单位：元`, 意溪 via `（元）` in headers).")
    a("- 合计 as the first data row (意溪) or after a blank row; section rows `一、…类`; footers.")
    a("- Formula cells (cached values): 磷溪 合计, 意溪 合计 and 支出率.")
    a("- Text amounts with commas/spaces, `36.5万`, full-width digits, `-` and `/`; fund year `2023年`.")
    a("- Progress as `85%`, 0.85 and 85; dates as Excel dates, `2023-06-15`, `2023.06.15`, `2023/6/15`, "
      "`2023年9月`.")
    a("- Periods from `报表月份`, `报送月份`, `统计月份` or the title; `报送日期` is not the period.")
    a("- A GB18030 CSV; a town name with the street prefixed in one month's project name; a name with a "
      "space in another month.\n")
    (HERE / "README.md").write_text("\n".join(out), encoding="utf-8")


def main() -> int:
    build()
    result = check_story()
    town_totals(PERIOD)
    write_all()
    write_expected(result)
    write_readme(result)
    print(f"wrote {len(FILES)} submissions, manifest.csv, expected.json, README.md")
    for t in sorted(town_totals(PERIOD), key=lambda r: r["rank"]):
        print(f"  {t['rank']}. {t['town']}: rate {q4(t['rate'])} bench {q4(t['bench'])} gap {q4(t['gap'])} "
              f"{t['light']} {t['counts']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
