"""销号 reconciliation: inspection and rectification ledgers merged by (检查单位, 编号) into items.

Pure functions of DataFrames. Every item ever seen in an accepted workbook stays in the result:
an item a newer workbook dropped keeps its last known state and says so in 备注.
"""
from __future__ import annotations

import datetime as dt
import re

import numpy as np
import pandas as pd

from schemas.vocab import DONE, NO_PROBLEM
from ..config import Config
from ..distinct import group_ids, map_each
from ..intake.order import effect_order, in_force
from ..textnorm import clean_text
from .changes import original_deadlines

STATUS_NONE = "无问题"
STATUS_NO_RECT = "未建整改台账"
STATUS_OPEN = "整改中"
STATUS_CLOSED = "已销号"
STATUS_ORPHAN = "无对应检查记录"
OPEN = (STATUS_NO_RECT, STATUS_OPEN)

ITEM_COLUMNS = [
    "单位", "单位类型", "检查单位", "编号", "被检查单位", "检查时间", "检查方式", "治理类别", "问题性质", "发现的问题",
    "整改时限", "原整改时限", "整改责任人", "完成情况", "完成时间", "状态", "逾期", "逾期天数", "预警", "距整改时限天数",
    "来源文件", "来源行", "整改来源文件", "整改来源行", "备注",
]


def _natural(key: str) -> tuple:
    return tuple(int(t) if t.isdigit() else t for t in re.split(r"(\d+)", key or ""))


def carry_forward(frame: pd.DataFrame, files: pd.DataFrame, keys: list[str], watch,
                  watched: tuple[str, ...] = ()) -> pd.DataFrame:
    """For each unit's sequence of workbooks, the last known row of every key ever seen.

    `watch` are vectorised describers (previous version, current version) → Series of notes
    (e.g. a moved deadline), comparing the columns `watched` (and `_file`); an item missing from
    its unit's latest workbook is noted as deleted. Versions are ordered on these columns alone
    and the rows kept taken once: a province's ledgers are millions of rows of text.
    """
    if frame.empty:
        return frame.assign(备注=pd.Series(dtype=object))
    latest_of_unit = in_force(files)
    order = effect_order(frame, files)
    rows = frame[list(dict.fromkeys([*keys, "_file", "_row", "_unit", *watched]))].iloc[order]
    item = group_ids(rows, keys)
    workbook, workbooks = pd.factorize(rows["_file"])
    # each version of an item (item < rows: the product stays far inside int64)
    first_in_file = ~pd.Series(item * len(workbooks) + workbook).duplicated().to_numpy()
    versions = rows[first_in_file]
    previous = versions.drop(columns=keys).groupby(item[first_in_file], sort=False).shift()
    notes = pd.Series("", index=versions.index, dtype=object)
    for describe in watch:
        notes = _join_series(notes, describe(previous, versions))
    noted = notes != ""
    history = {}
    if noted.any():
        grouped = notes[noted].groupby([versions.loc[noted, k] for k in keys], dropna=False, sort=False)
        history = {k if isinstance(k, tuple) else (k,): _join_notes(*s) for k, s in grouped}
    last = frame.iloc[order[~pd.Series(item).duplicated(keep="last").to_numpy()]]
    note = pd.Series([history.get(k, "") for k in zip(*(last[c] for c in keys))] if history else "",
                     index=last.index, dtype=object)
    deleted = last["_file"].values != last["_unit"].map(latest_of_unit).values
    note[deleted] = map_each(note[deleted], lambda n: _join_notes(n, "最新台账中已删除"))
    return last.assign(备注=note)


def _join_series(a: pd.Series, b: pd.Series) -> pd.Series:
    """a；b row by row; a blank side adds nothing (most rows have no note on either side)."""
    out = b.where(a == "", a).astype(object)
    both = (a != "") & (b != "")
    if both.any():
        out[both] = a[both] + "；" + b[both]
    return out


def _join_notes(*parts) -> str:
    notes = [n for part in parts if isinstance(part, str) for n in part.split("；") if n]
    return "；".join(dict.fromkeys(notes))


def row_refs(sheet: str, rows: pd.Series) -> list[str]:
    """`检查台账!12`: the sheet row a value came from (the frame's _row is 0-based, data below the header); blank when none."""
    values = rows.tolist()
    refs = {r: f"{sheet}!{int(r) + 1}" for r in set(values) if r == r}  # one string per row number, not per item
    return [refs[r] if r == r else "" for r in values]


def _joined_notes(*columns: pd.Series) -> list[str]:
    """Row by row, _join_notes of several note columns; most rows have no note at all."""
    noted = np.zeros(len(columns[0]), dtype=bool)
    for column in columns:
        noted |= column.fillna("").to_numpy(dtype=object) != ""
    out = np.full(len(noted), "", dtype=object)
    out[noted] = [_join_notes(*parts) for parts in zip(*(column[noted] for column in columns))]
    return out.tolist()


def _dates_text(values: pd.Series) -> pd.Series:
    return pd.to_datetime(values).dt.strftime("%Y-%m-%d").fillna("空").astype(object)


def deadline_changes(prev: pd.DataFrame, cur: pd.DataFrame) -> pd.Series:
    a, b = pd.to_datetime(prev["整改时限"]), pd.to_datetime(cur["整改时限"])
    same = (a.isna() & b.isna()) | (a == b)
    changed = prev["_file"].notna() & ~same
    text = pd.Series("", index=cur.index, dtype=object)
    if changed.any():  # worded only where it moved
        text[changed] = "整改时限由" + _dates_text(a[changed]) + "调整为" + _dates_text(b[changed])
    return text


def reopenings(prev: pd.DataFrame, cur: pd.DataFrame) -> pd.Series:
    reopened = (prev["完成情况"] == DONE) & (cur["完成情况"] != DONE)
    text = pd.Series("", index=cur.index, dtype=object)
    if reopened.any():
        text[reopened] = "已销号问题重新打开（现为" + cur.loc[reopened, "完成情况"].fillna("空").astype(str) + "）"
    return text


def responsible_units(inspected: pd.Series, inspectors: pd.Series, config: Config) -> tuple[pd.Series, pd.Series]:
    """Whose item a problem is: the owner of the inspected grassroots unit, or the unit itself.

    A group's finding belongs to the 街道/部门 owning the inspected unit (or to the 街道/部门
    inspected directly); one that cannot be placed stays with the group, with a note.
    """
    kinds = {u.name: u.type for u in config.units}
    place = {**{k: v for k, v in config.name_index().items() if kinds[v] != "专项治理小组"},
             **config.grassroots_owner()}
    by_group = inspectors.map(kinds) == "专项治理小组"
    owner = map_each(inspected, lambda t: place.get(clean_text(t)) if t is not None else None)
    unit = inspectors.where(~by_group, owner.fillna(inspectors))
    unplaced = by_group & owner.isna()
    note = pd.Series("", index=inspected.index, dtype=object).where(~unplaced, "被检查单位未登记，暂计入检查单位")
    return unit.astype(object), note

def build_items(frames: dict[str, pd.DataFrame], files: pd.DataFrame, config: Config, as_of: dt.date) -> pd.DataFrame:
    """One row per item known as of `as_of`; `files` lists accepted workbooks (file, unit, received, filled_on, name)."""
    names = config.name_index()
    unit_type = {u.name: u.type for u in config.units}
    insp = carry_forward(frames["检查台账"], files, ["_unit", "_key"], [deadline_changes], ("整改时限",))
    insp = insp.merge(original_deadlines(frames["检查台账"], files), on=["_unit", "_key"], how="left") if not insp.empty \
        else insp.assign(原整改时限=pd.Series(dtype="datetime64[ns]"))
    rect = frames["整改台账"]
    rect = rect.assign(_by=map_each(rect["检查单位"], lambda v: names.get(clean_text(v)) if v is not None else None)
                       .fillna(rect["_unit"]).astype(object))
    rect = carry_forward(rect, files, ["_unit", "_by", "_key"], [reopenings], ("完成情况",))
    insp = insp.astype({"_unit": object, "_key": object})
    rect = rect.astype({"_unit": object, "_by": object, "_key": object})

    unit, owner_note = responsible_units(insp["被检查单位"], insp["_unit"], config)
    insp = insp.assign(单位=unit, _owner_note=owner_note)

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
        "原整改时限": merged["原整改时限"],
        # 逾期 is judged against the first recorded deadline unless the row's 说明 explains the change
        "_judge": merged["原整改时限"].where(map_each(merged["说明"], lambda v: clean_text(v) == "").astype(bool),
                                        merged["整改时限"])
        .fillna(merged["整改时限"]),
        "整改责任人": merged["整改责任人"],
        "完成情况": merged["完成情况"],
        "完成时间": merged["完成时间"],
        "来源文件": merged["_file"],
        "来源行": row_refs("检查台账", merged["_row"]),
        "整改来源文件": merged["整改来源文件"],
        "整改来源行": row_refs("整改台账", merged["_rect_row"]),
        "备注": _joined_notes(merged["备注"], merged["_owner_note"], merged["_rect_note"]),
    })
    nature = items["问题性质"]
    answer = items["完成情况"]
    statuses = np.array([STATUS_NONE, STATUS_NO_RECT, STATUS_CLOSED, STATUS_OPEN], dtype=object)
    items["状态"] = statuses[np.select([nature.eq(NO_PROBLEM), answer.isna(), answer.eq(DONE)], [0, 1, 2], 3)]
    orphan_items = pd.DataFrame({
        "单位": orphans["_unit"], "检查单位": orphans["_by"], "编号": orphans["编号"], "_key": orphans["_key"],
        "被检查单位": orphans["问题单位"], "发现的问题": orphans["存在问题"], "完成情况": orphans["完成情况"],
        "完成时间": orphans["完成时间"], "来源文件": orphans["_file"],
        "来源行": row_refs("整改台账", orphans["_row"]),
        "整改来源文件": orphans["_file"],
        "整改来源行": row_refs("整改台账", orphans["_row"]),
        "备注": [("；".join(x for x in (n, "整改台账中的编号在检查台账中找不到") if x)) for n in orphans["备注"]],
        "状态": STATUS_ORPHAN,
    })
    del insp, rect, candidates, matched, orphans, merged  # a province's copies of the ledgers: gone before the sort
    items = pd.concat([items, orphan_items], ignore_index=True) if not orphan_items.empty else items
    items = assess(items, as_of, config.campaign.yellow_days, config.campaign.green_days)
    items["单位类型"] = items["单位"].map(unit_type)
    order = {u.name: i for i, u in enumerate(config.units)}
    keys = pd.DataFrame({"_u": items["单位"].map(order), "_o": items["状态"] == STATUS_ORPHAN,
                         "_b": items["检查单位"].map(order), "_n": map_each(items["_key"], _natural),
                         "来源文件": items["来源文件"], "来源行": items["来源行"]})
    ordered = keys.sort_values(list(keys.columns), kind="stable").index
    return items.drop(columns=["_judge"], errors="ignore").loc[ordered].reset_index(drop=True)


def assess(items: pd.DataFrame, as_of: dt.date, yellow_days: int, green_days: int) -> pd.DataFrame:
    """Overdue, days overdue and the red/yellow/green warning against the as-of date."""
    day = pd.Timestamp(as_of)
    deadline = pd.to_datetime(items["_judge"] if "_judge" in items else items["整改时限"])
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


def overdue_on(items: pd.DataFrame, as_of: dt.date, day: dt.date) -> pd.Series:
    """逾期 as `assess` would judge it on another `day`, for the items it judged on `as_of`.

    Only an open item's 逾期 moves with the day, and its 距整改时限天数 keeps the deadline it was
    judged against: overdue on `day` exactly when that deadline is before `day`.
    """
    shift = (pd.Timestamp(day) - pd.Timestamp(as_of)).days
    left = items["距整改时限天数"]
    late = (left.notna() & (left < shift)).astype(bool)
    return items["逾期"].mask(items["逾期"] == "逾期未完成", "否").mask(late, "逾期未完成")
