"""销号 reconciliation: inspection and rectification ledgers merged by (检查单位, 编号) into items.

Pure functions of DataFrames. Every item ever seen in an accepted workbook stays in the result:
an item a newer workbook dropped keeps its last known state and says so in 备注.
"""
from __future__ import annotations

import datetime as dt
import re

import pandas as pd

from schemas.vocab import DONE, NO_PROBLEM
from .config import Config
from .textnorm import clean_text

STATUS_NONE = "无问题"
STATUS_NO_RECT = "未建整改台账"
STATUS_OPEN = "整改中"
STATUS_CLOSED = "已销号"
STATUS_ORPHAN = "无对应检查记录"
OPEN = (STATUS_NO_RECT, STATUS_OPEN)

ITEM_COLUMNS = [
    "单位", "单位类型", "检查单位", "编号", "被检查单位", "检查时间", "检查方式", "治理类别", "问题性质", "发现的问题",
    "整改时限", "整改责任人", "完成情况", "完成时间", "状态", "逾期", "逾期天数", "预警", "距整改时限天数",
    "来源文件", "来源行", "整改来源文件", "整改来源行", "备注",
]


def order_files(files: pd.DataFrame) -> pd.DataFrame:
    """Accepted files in the order they take effect: received, then 填报时间, then file name."""
    return files.sort_values(["received", "filled_on", "name", "file"], na_position="first")


def _natural(key: str) -> tuple:
    return tuple(int(t) if t.isdigit() else t for t in re.split(r"(\d+)", key or ""))


def carry_forward(frame: pd.DataFrame, files: pd.DataFrame, keys: list[str], watch: dict[str, str]) -> pd.DataFrame:
    """For each unit's sequence of workbooks, the last known row of every key ever seen.

    `watch` maps a column to how a change of it is described in 备注 (e.g. a moved deadline).
    """
    if frame.empty:
        return frame.assign(备注="")
    seq = order_files(files).reset_index(drop=True)
    rank = {f: i for i, f in enumerate(seq["file"])}
    latest_of_unit = seq.groupby("unit")["file"].last()
    rows = frame.assign(_seq=frame["_file"].map(rank)).sort_values(["_seq", "_row"], kind="stable")
    notes: dict[tuple, list[str]] = {}
    last: dict[tuple, pd.Series] = {}
    for _, row in rows.iterrows():
        k = tuple(row[c] for c in keys)
        prev = last.get(k)
        if prev is not None and prev["_file"] != row["_file"]:
            for col, describe in watch.items():
                change = describe(prev, row)
                if change:
                    notes.setdefault(k, []).append(change)
        last[k] = row
    out = []
    for k, row in last.items():
        note = list(dict.fromkeys(notes.get(k, [])))
        if row["_file"] != latest_of_unit.get(row["_unit"]):
            note.append("最新台账中已删除")
        out.append(row.to_dict() | {"备注": "；".join(note)})
    return pd.DataFrame(out, columns=[*frame.columns, "_seq", "备注"]).drop(columns="_seq")


def _join_notes(*parts) -> str:
    notes = [n for part in parts if isinstance(part, str) for n in part.split("；") if n]
    return "；".join(dict.fromkeys(notes))


def _fmt(day) -> str:
    return "" if day is None or pd.isna(day) else pd.Timestamp(day).date().isoformat()


def _deadline_change(prev, row) -> str:
    a, b = prev["整改时限"], row["整改时限"]
    if pd.isna(a) and pd.isna(b) or (not pd.isna(a) and not pd.isna(b) and a == b):
        return ""
    return f"整改时限由{_fmt(a) or '空'}调整为{_fmt(b) or '空'}"


def _reopened(prev, row) -> str:
    if prev["完成情况"] == DONE and row["完成情况"] != DONE:
        return f"已销号问题重新打开（现为{row['完成情况'] or '空'}）"
    return ""


def responsible_unit(inspected: str, inspector: str, config: Config) -> tuple[str, str]:
    """Whose item a problem is: the owner of the inspected grassroots unit, or the unit itself."""
    units = config.unit_by_name()
    if units[inspector].type != "专项治理小组":
        return inspector, ""
    key = clean_text(inspected)
    owner = config.grassroots_owner().get(key) or config.name_index().get(key)
    if owner and units[owner].type != "专项治理小组":
        return owner, ""
    return inspector, "被检查单位未登记，暂计入检查单位"


def build_items(frames: dict[str, pd.DataFrame], files: pd.DataFrame, config: Config, as_of: dt.date) -> pd.DataFrame:
    """One row per item known as of `as_of`; `files` lists accepted workbooks (file, unit, received, filled_on, name)."""
    names = config.name_index()
    unit_type = {u.name: u.type for u in config.units}
    insp = carry_forward(frames["检查台账"], files, ["_unit", "_key"], {"整改时限": _deadline_change})
    rect = frames["整改台账"].assign(
        _by=lambda d: [names.get(clean_text(v), u) if v is not None else u for v, u in zip(d["检查单位"], d["_unit"])])
    rect = carry_forward(rect, files, ["_unit", "_by", "_key"], {"完成情况": _reopened})
    insp = insp.astype({"_unit": object, "_key": object})
    rect = rect.astype({"_unit": object, "_by": object, "_key": object})

    if not insp.empty:
        owners = [responsible_unit(t or "", u, config) for t, u in zip(insp["被检查单位"], insp["_unit"])]
        insp = insp.assign(单位=[o[0] for o in owners], _owner_note=[o[1] for o in owners])
    else:
        insp = insp.assign(单位=pd.Series(dtype=object), _owner_note=pd.Series(dtype=object))

    # one rectification answers an item; prefer the responsible unit's row, then the most advanced
    progress = {DONE: 0, "整改中": 1, "未整改": 2}
    rect = rect.assign(_progress=rect["完成情况"].map(progress).fillna(3) if not rect.empty else pd.Series(dtype=float))
    insp_keys = insp[["_unit", "_key", "单位"]].rename(columns={"_unit": "_by"})
    candidates = rect.merge(insp_keys, on=["_by", "_key"], how="left", indicator=True)
    matched = candidates[candidates["_merge"] == "both"].assign(_own=lambda d: d["_unit"] != d["单位"])
    matched = matched.sort_values(["_own", "_progress", "_file", "_row"]).drop_duplicates(["_by", "_key"])
    orphans = candidates[candidates["_merge"] == "left_only"]

    rect_cols = {"完成情况": "完成情况", "完成时间": "完成时间", "_file": "整改来源文件", "_row": "_rect_row",
                 "备注": "_rect_note"}
    merged = insp.merge(matched[["_by", "_key", *rect_cols]].rename(columns=rect_cols).rename(columns={"_by": "_unit"}),
                        on=["_unit", "_key"], how="left")

    items = pd.DataFrame({
        "单位": merged["单位"],
        "检查单位": merged["_unit"],
        "编号": merged["编号"],
        "_key": merged["_key"],
        "被检查单位": merged["被检查单位"],
        "检查时间": merged["检查时间"],
        "检查方式": merged["检查方式"],
        "治理类别": merged["治理类别"],
        "问题性质": merged["问题性质"],
        "发现的问题": merged["发现的问题"],
        "整改时限": merged["整改时限"],
        "整改责任人": merged["整改责任人"],
        "完成情况": merged["完成情况"],
        "完成时间": merged["完成时间"],
        "来源文件": merged["_file"],
        "来源行": ["检查台账!" + str(int(r) + 1) for r in merged["_row"]],
        "整改来源文件": merged["整改来源文件"],
        "整改来源行": ["" if pd.isna(r) else "整改台账!" + str(int(r) + 1) for r in merged["_rect_row"]],
        "备注": [_join_notes(*parts) for parts in zip(merged["备注"], merged["_owner_note"], merged["_rect_note"])],
    })
    nature = items["问题性质"]
    items["状态"] = [
        STATUS_NONE if n == NO_PROBLEM else STATUS_NO_RECT if pd.isna(s) or s is None else
        STATUS_CLOSED if s == DONE else STATUS_OPEN
        for n, s in zip(nature, items["完成情况"])
    ]
    orphan_items = pd.DataFrame({
        "单位": orphans["_unit"], "检查单位": orphans["_by"], "编号": orphans["编号"], "_key": orphans["_key"],
        "被检查单位": orphans["问题单位"], "发现的问题": orphans["存在问题"], "完成情况": orphans["完成情况"],
        "完成时间": orphans["完成时间"], "来源文件": orphans["_file"],
        "来源行": ["整改台账!" + str(int(r) + 1) for r in orphans["_row"]],
        "整改来源文件": orphans["_file"],
        "整改来源行": ["整改台账!" + str(int(r) + 1) for r in orphans["_row"]],
        "备注": [("；".join(x for x in (n, "整改台账中的编号在检查台账中找不到") if x)) for n in orphans["备注"]],
        "状态": STATUS_ORPHAN,
    })
    items = pd.concat([items, orphan_items], ignore_index=True) if not orphan_items.empty else items
    items = assess(items, as_of, config.campaign.yellow_days, config.campaign.green_days)
    items["单位类型"] = items["单位"].map(unit_type)
    order = {u.name: i for i, u in enumerate(config.units)}
    items = items.assign(_u=items["单位"].map(order), _b=items["检查单位"].map(order), _n=items["_key"].map(_natural),
                         _o=items["状态"] == STATUS_ORPHAN)
    items = items.sort_values(["_u", "_o", "_b", "_n", "来源文件", "来源行"], kind="stable")
    return items.drop(columns=["_u", "_b", "_n", "_o"]).reset_index(drop=True)


def assess(items: pd.DataFrame, as_of: dt.date, yellow_days: int, green_days: int) -> pd.DataFrame:
    """Overdue, days overdue and the red/yellow/green warning against the as-of date."""
    day = pd.Timestamp(as_of)
    deadline = pd.to_datetime(items["整改时限"])
    done = pd.to_datetime(items["完成时间"])
    is_open = items["状态"].isin(OPEN)
    closed = items["状态"] == STATUS_CLOSED
    overdue_open = is_open & deadline.notna() & (day > deadline)
    closed_late = closed & deadline.notna() & done.notna() & (done > deadline)
    left = (deadline - day).dt.days
    late_days = ((day - deadline).dt.days.where(overdue_open, 0)
                 + (done - deadline).dt.days.where(closed_late, 0)).fillna(0).astype(int)
    warning = pd.Series("无", index=items.index)
    warning[is_open & (left >= 0) & (left <= green_days)] = "绿"
    warning[is_open & (left >= 0) & (left <= yellow_days)] = "黄"
    warning[overdue_open] = "红"
    return items.assign(
        逾期=pd.Series("否", index=items.index).mask(closed_late, "逾期完成").mask(overdue_open, "逾期未完成"),
        逾期天数=late_days,
        预警=warning,
        距整改时限天数=left.where(is_open).astype("Int64"),
    )
