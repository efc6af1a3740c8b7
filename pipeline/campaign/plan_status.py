"""Which planned checks were carried out: the plan matched against the inspecting units' 检查台账."""
from __future__ import annotations

import calendar
import datetime as dt
import re

import pandas as pd

from ..config import Config
from ..distinct import map_each
from ..ledger.reconcile import STATUS_ORPHAN
from ..textnorm import squeeze
from .plan import PLAN_COLUMNS

DONE, NOT_DONE = "已执行", "未执行"
STATUS_COLUMNS = [*PLAN_COLUMNS, "状态", "检查记录"]
COUNT_COLUMNS = ["计划检查数", "已执行计划数"]


def _names(config: Config):
    places = config.place_index()
    units = {squeeze(k): v for k, v in config.name_index().items()}

    # people often write the owner before the grassroots unit: 西安路街道桐竹社区, 西安路街办-桐竹社区
    spellings_of: dict[str, list[str]] = {}  # each unit's spellings, gathered once (a city has 7,000 places)
    for spelling, name in units.items():
        spellings_of.setdefault(name, []).append(spelling)
    prefixed = {}
    for g in config.grassroots:
        for spelling in spellings_of.get(g.owner, ()):
            prefixed[spelling + squeeze(g.name)] = g.name

    def resolve(value) -> str:
        key = squeeze(value)
        if key not in places:
            key = re.sub(r"[-－—_/／、·•()（）]", "", key)
        return places.get(key) or prefixed.get(key) or key
    return resolve


def plan_status(plan: pd.DataFrame, items: pd.DataFrame, config: Config, period: str) -> pd.DataFrame:
    """The plan's rows plus 状态 and 检查记录 (编号, file and row of the first matching ledger row).

    已执行: the 检查单位's accepted 检查台账 has a row about that 被检查单位 (as people type names),
    with that 检查方式 and a 检查时间 within the period.
    """
    if plan is None or plan.empty:
        return pd.DataFrame(columns=STATUS_COLUMNS)
    resolve = _names(config)
    year, month = (int(x) for x in period.split("-"))
    first = pd.Timestamp(dt.date(year, month, 1))
    last = pd.Timestamp(dt.date(year, month, calendar.monthrange(year, month)[1]))
    rows = items[items["状态"] != STATUS_ORPHAN] if len(items) else items
    when = pd.to_datetime(rows["检查时间"], errors="coerce") if len(rows) else pd.Series(dtype="datetime64[ns]")
    rows = rows.assign(_when=when, _by=map_each(rows["检查单位"], resolve) if len(rows) else None,
                       _who=map_each(rows["被检查单位"], resolve) if len(rows) else None)
    rows = rows[(rows["_when"] >= first) & (rows["_when"] <= last)] if len(rows) else rows
    rows = rows.sort_values(["_when", "来源文件", "来源行"], kind="stable") if len(rows) else rows
    found: dict[tuple, list] = {}
    for by, who, method, no, when_, file, line in zip(rows["_by"], rows["_who"], rows["检查方式"], rows["编号"],
                                                      rows["_when"], rows["来源文件"], rows["来源行"]):
        found.setdefault((by, who, squeeze(method)), []).append(f"{no}（{when_:%Y-%m-%d}，{file} {line}）")
    status, record = [], []
    for by, who, method in zip(plan["检查单位"].map(resolve), plan["被检查单位"].map(resolve), plan["检查方式"]):
        hits = found.get((by, who, squeeze(method)), [])
        status.append(DONE if hits else NOT_DONE)
        record.append("" if not hits else hits[0] + (f" 等{len(hits)}条" if len(hits) > 1 else ""))
    out = plan[PLAN_COLUMNS].copy()
    return out.assign(状态=status, 检查记录=record)


def plan_counts(status: pd.DataFrame) -> pd.DataFrame:
    """Per inspecting unit: planned checks and those carried out, for units.csv."""
    if status is None or status.empty:
        return pd.DataFrame(columns=["单位", *COUNT_COLUMNS])
    grouped = status.assign(_done=status["状态"] == DONE).groupby("检查单位", sort=False)
    return pd.DataFrame({"单位": list(grouped.groups), "计划检查数": grouped.size().values,
                         "已执行计划数": grouped["_done"].sum().astype(int).values})


def plan_sentence(units: pd.DataFrame, limit: int = 10) -> str:
    """A bulletin sentence: how many planned checks were done, naming groups and units with unexecuted ones."""
    if "计划检查数" not in units.columns or int(units["计划检查数"].sum()) == 0:
        return ""
    planned, done = int(units["计划检查数"].sum()), int(units["已执行计划数"].sum())
    text = f"本月检查计划安排随机抽查和交叉检查{planned}项，已执行{done}项"
    behind = units.assign(未执行=units["计划检查数"] - units["已执行计划数"])
    behind = behind[behind["未执行"] > 0]
    if behind.empty:
        return text + "，全部按计划执行。"
    parts = []
    for label, rows in (("专项治理小组", behind[behind["单位类型"] == "专项治理小组"]),
                        ("街道和部门", behind[behind["单位类型"] != "专项治理小组"])):
        if rows.empty:
            continue
        rows = rows.sort_values("未执行", ascending=False, kind="stable")
        names = "、".join(f"{r.单位}（{int(r.未执行)}项）" for r in rows.head(limit).itertuples(index=False))
        more = f"等{len(rows)}个单位" if len(rows) > limit else ""
        parts.append(f"{label}：{names}{more}")
    return (text + "。有未执行的计划检查的，" + "；".join(parts)
            + "（明细见汇总工作簿“计划执行”表），请相关单位抓紧补查，并在检查台账中如实登记。")
