"""The demo's inspection plan: draw the last month's plan, then let groups carry out some of it.

The plan is drawn from the inbox as of the month's first day (May and June files only). The
carried-out checks are July rows that found nothing (无问题), added to the inspecting units' own
ledgers; such rows take no random numbers in the demo generator, so the files the plan was drawn
from come out byte-identical on the second pass and the plan stays the same.
"""
from __future__ import annotations

import datetime as dt
import io
import shutil
from pathlib import Path

import pandas as pd

from ..config import Config
from .demo import Item
from .plan import run_plan

INSPECTORS = ["吕思远、董海燕", "钟立新、潘静怡", "贺文博、龚春华"]


def carry_out(rows: pd.DataFrame, period: str):
    """An `adjust` hook for build_demo_inbox: the first spot check of every group but the last, and
    the first cross check of every other 街道/部门, as 无问题 rows dated early in the month."""
    year, month = (int(x) for x in period.split("-"))
    start = dt.date(year, month, 3)

    def adjust(plans) -> None:
        chosen = []
        spot = rows[rows["检查方式"] == "随机抽查"]
        groups = list(dict.fromkeys(spot["检查单位"]))
        for group in groups[:-1]:
            chosen.append(spot[spot["检查单位"] == group].iloc[0])
        cross = rows[rows["检查方式"] == "交叉检查"]
        for n, inspector in enumerate(dict.fromkeys(cross["检查单位"])):
            if n % 2 == 0:
                chosen.append(cross[cross["检查单位"] == inspector].iloc[0])
        for n, row in enumerate(chosen):
            plan = plans.get(row["检查单位"])
            if plan is None or plan.text_dates:  # text dates would take random numbers: leave those undone
                continue
            prefix = "抽查" if row["检查方式"] == "随机抽查" else "交叉"
            number = sum(i.no.startswith(prefix) for i in plan.items) + 1
            plan.items.append(Item(f"{prefix}{number}号", plan.name, row["所属单位"], row["被检查单位"],
                                   start + dt.timedelta(days=n % 6), row["检查方式"], None, "无问题", "", None,
                                   "", INSPECTORS[n % len(INSPECTORS)],
                                   note=f"按{period[:4]}年{int(period[5:])}月检查计划{row['计划编号']}检查"))
    return adjust


def build_inbox_with_plan(config: Config, directory: Path, inbox: Path, period: str, build, log) -> int:
    """Build the inbox, draw `period`'s plan into directory/plans/, rebuild with some checks carried out."""
    build(config, inbox)
    result = run_plan(config, period, inbox, directory, log=io.StringIO())
    log.write(f"已抽取演示月份检查计划（随机种子 {result.plan.seed}）：{result.out}\n")
    shutil.rmtree(inbox, ignore_errors=True)
    return build(config, inbox, adjust=carry_out(result.plan.rows, period))
