"""Demo additions for 社会评价 and fair naming: two invented survey exports, and one large 街道
whose rectification lags clearly beyond the funnel (so the bulletin names it for a reason
that is not chance). Kept apart from demo.py, on their own random stream, so the rest of the
demo stays as it was.
"""
from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import xlsxwriter

from ..config import Config

QUESTIONS = ("您对该单位工作人员服务态度是否满意", "您对该单位办事效率的评价（1-5分）", "您对该单位治理“微腐败”工作成效是否满意")
SOURCES = ("微信", "手机提交", "链接")
SLOW_ITEMS = 40


def plant_slow_unit(demo, plans: dict) -> str:
    """A 街道 with many problems that closes few of them; its deadlines are far off, so only its rate is at stake."""
    candidates = [p for p in plans.values() if p.kind == "街道" and p.items
                  and any(i.nature != "无问题" for i in p.items)]
    plan = sorted(candidates, key=lambda p: p.name)[-1]
    saved, demo.rng = demo.rng, random.Random(4242)
    grassroots = demo.config.grassroots_of(plan.name)
    start = len(plan.items)
    for i in range(start + 1, start + SLOW_ITEMS + 1):
        on = demo.day(dt.date(2017, 5, 22), dt.date(2017, 6, 28))
        item = demo._item(f"自检{i}号", plan.name, plan.name, demo.rng.choice(grassroots), on, "自查自纠")
        if item.nature == "无问题":
            continue
        item.deadline = dt.date(2017, 9, 30)  # the end of 整改落实: nothing overdue yet
        if demo.rng.random() < 0.75:
            item.done_on = None
        plan.items.append(item)
    for item in plan.items:
        if item.done_on is not None and demo.rng.random() < 0.5:
            item.done_on = None
        if item.deadline is not None:
            item.deadline = max(item.deadline, dt.date(2017, 9, 30))
    demo.rng = saved
    return plan.name


def add_survey_exports(config: Config, inbox: Path, seed: int = 1707) -> int:
    """Two exports of the online 民意问卷 (June, July); the July one repeats a June respondent's row,
    answers 1–5 in one question and one answer off the scale. Returns the number of files written."""
    rng = random.Random(seed)
    reporting = [u.name for u in config.units if u.type in ("街道", "部门")]
    rated = sorted(rng.sample(reporting, 8))
    small = rated[-1]  # too few answers to be scored: its 社会评价 is the type's average
    happiness = {u: rng.uniform(0.55, 0.95) for u in rated}

    def answer(unit: str, numeric: bool):
        r = rng.random()
        p = happiness[unit]
        if numeric:
            return rng.choice([4, 5]) if r < p * 0.8 else 3 if r < p else rng.choice([1, 2])
        return "满意" if r < p * 0.8 else "基本满意" if r < p else "不满意"

    def respondents(month: int, count: int, first_no: int) -> list[list]:
        rows = []
        for k in range(count):
            unit = small if rng.random() < 0.04 else rng.choice(rated[:-1])
            name = rng.choice([unit, unit, *config.grassroots_of(unit)[:3]])  # grassroots count for their unit
            day = dt.date(2017, month, rng.randint(1, 25))
            at = dt.datetime(day.year, day.month, day.day, rng.randint(8, 21), rng.randint(0, 59), rng.randint(0, 59))
            rows.append([first_no + k, at.strftime("%Y-%m-%d %H:%M:%S"), rng.choice(SOURCES), name, day.isoformat(),
                         answer(unit, False), answer(unit, True), answer(unit, False)])
        return rows

    june = respondents(6, 180, 1)
    july = respondents(7, 160, 181)
    july.insert(40, list(june[17]))      # the tool exported a June respondent again
    july[90][6] = 6                      # an answer off the 1–5 scale: a 疑问 in the 回执
    written = 0
    for day, rows, name in ((dt.date(2017, 6, 30), june, "民意问卷调查导出_6月.xlsx"),
                            (dt.date(2017, 7, 26), july, "民意问卷调查导出_7月.xlsx")):
        path = inbox / day.isoformat() / name
        path.parent.mkdir(parents=True, exist_ok=True)
        wb = xlsxwriter.Workbook(str(path))
        wb.set_properties({"created": dt.datetime(2000, 1, 1)})
        ws = wb.add_worksheet("问卷")
        ws.write_row(0, 0, ["序号", "提交答卷时间", "来源", "被评价单位", "调查日期", *QUESTIONS])
        for r, row in enumerate(rows, start=1):
            ws.write_row(r, 0, row)
        wb.close()
        written += 1
    return written
