"""Who owes which milestone document and whether it came: 按时 / 迟报 / 未报 / 未到期.

Pure: takes the registered documents (文件, 收到日期, 单位, 事项, 季度) and config, returns frames.
"""
from __future__ import annotations

import datetime as dt

import pandas as pd

from ..config import Config, Milestone

ON_TIME, LATE, MISSING, NOT_DUE = "按时", "迟报", "未报", "未到期"
MILESTONE_COLUMNS = ["单位", "事项", "截止日期", "状态", "收到日期", "文件", "季度", "单位类型"]


def label(m: Milestone) -> str:
    """事项 as people say it: 季度报告 with its quarter."""
    return f"{m.what}（{m.quarter[:4]}年第{m.quarter[-1]}季度）" if m.quarter else m.what


def quarter_start(quarter: str) -> dt.date:
    return dt.date(int(quarter[:4]), 3 * int(quarter[-1]) - 2, 1)


def quarter_end(quarter: str) -> dt.date:
    year, q = int(quarter[:4]), int(quarter[-1])
    return dt.date(year, 12, 31) if q == 4 else dt.date(year, 3 * q + 1, 1) - dt.timedelta(days=1)


def status(received: dt.date | None, due: dt.date, as_of: dt.date) -> str:
    """Whole days: on the due day is still on time; unreceived is 未报 only once the due day has passed."""
    if received is not None and received <= as_of:
        return ON_TIME if received <= due else LATE
    return MISSING if as_of > due else NOT_DUE


def _assign(docs: list[dict], owed: list[Milestone]) -> dict[Milestone, tuple[dt.date, str]]:
    """The first document answering each milestone; an unlabelled quarterly report fills the
    earliest quarter still open that had begun when it arrived. `docs`: one unit's rows, as dicts
    (plain Python: a city has 1,500 units, and pandas costs milliseconds a call)."""
    got: dict[Milestone, tuple[dt.date, str]] = {}
    docs = sorted(docs, key=lambda d: (d["收到日期"], d["文件"]))
    for m in owed:
        if m.quarter:
            continue
        hit = next((d for d in docs if d["事项"] == m.what), None)
        if hit is not None:
            got[m] = (hit["收到日期"], hit["文件"])
    quarterly = [m for m in owed if m.quarter]
    for r in docs:
        if r["季度"] == "":
            continue
        for m in quarterly:
            if m.what == r["事项"] and m.quarter == r["季度"] and m not in got:
                got[m] = (r["收到日期"], r["文件"])
    for r in docs:
        if r["季度"] != "":
            continue
        # the quarter that ended last before it arrived (a report sent on 10-8 is Q3's), else the earliest open one
        ended = [m for m in quarterly if m.what == r["事项"] and quarter_end(m.quarter) < r["收到日期"]]
        begun = [m for m in quarterly if m.what == r["事项"] and m not in got and quarter_start(m.quarter) <= r["收到日期"]]
        pick = ended[-1] if ended and ended[-1] not in got else (begun[0] if begun else None)
        if pick is not None:
            got[pick] = (r["收到日期"], r["文件"])
    return got


def milestone_status(documents: pd.DataFrame, config: Config, as_of: dt.date) -> pd.DataFrame:
    """One row per unit × milestone it owes, in registry and due order."""
    rows = []
    received_by_then = documents[documents["收到日期"] <= as_of]
    by_unit: dict[str, list[dict]] = {}
    for doc in received_by_then[["单位", "收到日期", "文件", "事项", "季度"]].to_dict("records"):
        by_unit.setdefault(doc["单位"], []).append(doc)
    for unit in config.units:
        owed = [m for m in config.campaign.milestones if unit.type in m.who]
        got = _assign(by_unit[unit.name], owed) if unit.name in by_unit else {}
        for m in owed:
            received, file = got.get(m, (None, ""))
            rows.append({"单位": unit.name, "事项": m.what, "截止日期": m.due.isoformat(),
                         "状态": status(received, m.due, as_of),
                         "收到日期": received.isoformat() if received else "", "文件": file,
                         "季度": m.quarter, "单位类型": unit.type})
    return pd.DataFrame(rows, columns=MILESTONE_COLUMNS)


def milestone_grid(milestones: pd.DataFrame) -> pd.DataFrame:
    """Units × milestones (statuses), columns in due order, for the rollup's 报送事项 sheet."""
    if milestones.empty:
        return pd.DataFrame(columns=["单位", "单位类型"])
    key = milestones["事项"].where(milestones["季度"] == "",
                                 milestones["事项"] + "（" + milestones["季度"].str[:4] + "年第"
                                 + milestones["季度"].str[-1] + "季度）")
    frame = milestones.assign(_key=key)
    columns = list(dict.fromkeys(frame.sort_values("截止日期", kind="stable")["_key"]))
    grid = frame.pivot(index="单位", columns="_key", values="状态").reindex(columns=columns).fillna("—")
    order = list(dict.fromkeys(frame["单位"]))
    kinds = frame.drop_duplicates("单位").set_index("单位")["单位类型"]
    grid = grid.reindex(order)
    grid.insert(0, "单位类型", kinds.reindex(order).values)
    grid.columns.name = None
    return grid.reset_index()


def owed_now(milestones: pd.DataFrame) -> pd.DataFrame:
    """Milestones past due and not received: what 催办 asks for."""
    return milestones[milestones["状态"] == MISSING]
