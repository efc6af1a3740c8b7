"""Wire `make plan`: the inbox as of the plan date → weights → the draw → OUTBOX/plans/<period>/."""
from __future__ import annotations

import datetime as dt
import sys
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..campaign.accountability import accountability
from ..campaign.plan import (PLAN_COLUMNS, Plan, clean_seed, default_seed, draw_plan, previous_cross_pairs,
                             risk_weights)
from ..config import Config
from ..intake.cache import CACHE_FOLDER
from ..intake.ingest import ingest
from ..ledger.reconcile import build_items
from ..publish.plan_book import plan_book_name, write_plan_book
from ..publish.tables import write_csv
from .plan_file import PLAN_FILE, plan_path
from .staging import StagedPeriod

@dataclass
class PlanResult:
    out: Path
    plan: Plan
    seed_note: str


def read_plan(outbox: Path, period: str) -> pd.DataFrame | None:
    """A period's plan as written by `make plan` (all text), or None when there is none."""
    path = plan_path(outbox, period)
    if not path.is_file():
        return None
    # staff may open the plan in Excel and save it again: then it is GB18030 without BOM
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            plan = pd.read_csv(path, dtype=str, keep_default_na=False, encoding=encoding)
            break
        except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError):
            plan = None
    if plan is None or not {"检查方式", "检查单位", "被检查单位"} <= set(plan.columns):
        return None
    return plan.assign(**{c: "" for c in PLAN_COLUMNS if c not in plan.columns})[PLAN_COLUMNS]


def previous_period(period: str) -> str:
    year, month = (int(x) for x in period.split("-"))
    return f"{year - 1}-12" if month == 1 else f"{year}-{month - 1:02d}"


def default_plan_date(period: str, today: dt.date | None = None) -> dt.date:
    """The period's first day, or today when the plan is drawn ahead of the month."""
    year, month = (int(x) for x in period.split("-"))
    return min(today or dt.date.today(), dt.date(year, month, 1))


def campaign_frames(intake, items: pd.DataFrame, config: Config, as_of: dt.date) -> dict[str, pd.DataFrame | None]:
    """commitments.csv and clues.csv as the monthly job builds them; None (factor absent) without those sheets."""
    try:
        acc = accountability(intake.frames, intake.accepted, items, config, as_of)
    except KeyError:
        return {"commitments": None, "clues": None}
    return {"commitments": acc.commitments, "clues": acc.clues}


def run_plan(config: Config, period: str, inbox: Path, outbox: Path, as_of: dt.date | None = None,
             seed: str | None = None, *, workers: int | None = None, log=None) -> PlanResult:
    log = log or sys.stderr
    as_of = as_of or default_plan_date(period)
    if seed:
        seed = clean_seed(seed)
        seed_note = "联席会议指定（如掷骰子所得数字）"
    else:
        seed = default_seed(period)
        seed_note = f"默认由计划月份得出（{period} → {seed}）；联席会议可掷骰子另定，用 SEED= 指定"
    intake = ingest(Path(inbox), config, as_of, workers=workers, cache=Path(outbox) / CACHE_FOLDER)
    items = build_items(intake.frames, intake.accepted, config, as_of)
    extra = campaign_frames(intake, items, config, as_of)
    weights = risk_weights(config, items, as_of, commitments=extra["commitments"], clues=extra["clues"])
    previous = previous_cross_pairs(read_plan(outbox, previous_period(period)))
    plan = draw_plan(config, weights, period, seed, as_of, previous)
    with StagedPeriod(Path(outbox) / "plans", period) as stage:
        write_csv(plan.rows, stage.path / PLAN_FILE)
        write_csv(plan.weights, stage.path / "抽取名单.csv")
        write_csv(plan.steps, stage.path / "抽取过程.csv")
        write_plan_book(stage.path / plan_book_name(period), plan, config, seed_note)
        stage.commit()
    out = Path(outbox) / "plans" / period
    log.write(f"随机种子：{seed}（{seed_note}）\n")
    log.write(f"检查计划：随机抽查 {int((plan.rows['检查方式'] == '随机抽查').sum())} 项，"
              f"交叉检查 {int((plan.rows['检查方式'] == '交叉检查').sum())} 项，数据截止 {as_of.isoformat()}。\n")
    log.write(f"输出目录：{out}\n")
    return PlanResult(out=out, plan=plan, seed_note=seed_note)
