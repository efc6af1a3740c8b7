"""What a unit changed between one accepted workbook and the next, and where it moved the goalposts.

Pure functions of the month's frames: for each unit, each accepted workbook is compared with the
accepted one before it, in the order they take effect (intake.order), row by row (by 编号) and
field by field. Only the three ledgers are compared; registers with confidential columns never are.
"""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from schemas import columns
from schemas.vocab import DONE
from ..config import Config
from ..distinct import group_ids, map_each
from ..intake.order import effect_order, order_files
from ..textnorm import clean_text, number_key

CHANGE_COLUMNS = ["单位", "原文件", "新文件", "表", "编号", "检查单位", "变化", "字段", "原值", "新值"]
ADDED, REMOVED, MODIFIED = "新增", "删除", "修改"
TRACKED = ("检查台账", "整改台账", "月报表")
GOALPOST_CODES = ("deadline_moved_after_due", "inspection_date_changed", "completion_date_changed")


def _text(value, kind: str) -> str:
    """A field as staff compare it: dates as YYYY-MM-DD, counts as integers, text tidied."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if kind == "date":
        day = pd.Timestamp(value)
        return "" if pd.isna(day) else day.strftime("%Y-%m-%d")
    if kind == "count" and isinstance(value, float) and value.is_integer():
        return str(int(value))
    return clean_text(value)


def _keyed(frame: pd.DataFrame, sheet: str, config: Config) -> pd.DataFrame:
    """The sheet's rows with the key they are compared by and the 检查单位 shown."""
    if sheet == "检查台账":
        return frame.assign(_k=frame["_key"], _by=frame["_unit"], _shown=frame["编号"])
    if sheet == "整改台账":
        names = config.name_index()
        by = frame["检查单位"].map(lambda v: names.get(clean_text(v)) if v is not None else None).fillna(frame["_unit"])
        return frame.assign(_k=frame["_key"], _by=by.astype(object), _shown=frame["编号"])
    month = frame["报表月份"].map(lambda v: clean_text(v) if v is not None else "")
    return frame.assign(_k=month, _by="", _shown=month)


def _pairs(files: pd.DataFrame) -> list[tuple[str, str, str]]:
    """(unit, previous file, file) for every accepted workbook that follows another of its unit."""
    seq = order_files(files)
    out = []
    for unit, group in seq.groupby("unit", sort=False):
        names = group["file"].tolist()
        out += [(unit, a, b) for a, b in zip(names, names[1:])]
    return out


def workbook_changes(frames: dict[str, pd.DataFrame], files: pd.DataFrame, config: Config) -> pd.DataFrame:
    """One row per added or removed ledger row and per changed field, in the order workbooks take effect.

    Each workbook's rows are joined to the previous one's by (检查单位, 编号) for all pairs at once: a
    city where every unit resends has thousands of pairs, and a frame per pair costs milliseconds each.
    """
    pairs = pd.DataFrame(_pairs(files), columns=["单位", "原文件", "新文件"])
    if pairs.empty:
        return pd.DataFrame(columns=CHANGE_COLUMNS)
    pairs["_pair"] = np.arange(len(pairs))
    involved = set(pairs["原文件"]) | set(pairs["新文件"])
    found = []
    for order, sheet in enumerate(TRACKED):
        if sheet not in frames or frames[sheet].empty:
            continue
        specs = [c for c in columns(sheet) if c.label != "编号" and c.label != "报表月份"]
        frame = frames[sheet]
        rows = _keyed(frame[frame["_file"].isin(involved)], sheet, config)  # only resent workbooks and those they replace
        rows = rows.dropna(subset=["_k"]).drop_duplicates(["_file", "_by", "_k"])
        rows = pd.DataFrame({"_file": rows["_file"], "_by": rows["_by"], "_k": rows["_k"],
                             "_编号": map_each(rows["_shown"], clean_text), "_检查单位": map_each(rows["_by"], lambda v: v or ""),
                             "_at": np.arange(len(rows)),
                             **{s.label: map_each(rows[s.label], lambda v, kind=s.kind: _text(v, kind)) for s in specs}})
        before = pairs.merge(rows, left_on="原文件", right_on="_file")
        after = pairs.merge(rows, left_on="新文件", right_on="_file")
        keys = ["_pair", "_by", "_k"]
        matched = after.merge(before[[*keys, *(s.label for s in specs)]], on=keys, how="left",
                              suffixes=("", "_old"), indicator=True)
        added = matched[matched["_merge"] == "left_only"]
        kept = matched[matched["_merge"] == "both"]
        gone = before.merge(after[keys], on=keys, how="left", indicator=True)
        gone = gone[gone["_merge"] == "left_only"]
        found.append(added.assign(表=sheet, 变化=ADDED, 字段="", 原值="", 新值="", _sheet=order, _phase=0, _field=-1))
        for n, spec in enumerate(specs):
            old, new = kept[f"{spec.label}_old"], kept[spec.label]
            edited = kept[old.to_numpy() != new.to_numpy()]
            found.append(edited.assign(表=sheet, 变化=MODIFIED, 字段=spec.label, 原值=edited[f"{spec.label}_old"],
                                       新值=edited[spec.label], _sheet=order, _phase=0, _field=n))
        found.append(gone.assign(表=sheet, 变化=REMOVED, 字段="", 原值="", 新值="", _sheet=order, _phase=1, _field=-1))
    found = [part for part in found if len(part)]
    if not found:
        return pd.DataFrame(columns=CHANGE_COLUMNS)
    shown = {"_编号": "编号", "_检查单位": "检查单位"}  # 检查单位 is also a field of the 整改台账
    changes = pd.concat([part.drop(columns=[c for c in shown.values() if c in part.columns]).rename(columns=shown)[
        [*CHANGE_COLUMNS, "_pair", "_sheet", "_phase", "_at", "_field"]] for part in found], ignore_index=True)
    changes = changes.sort_values(["_pair", "_sheet", "_phase", "_at", "_field"], kind="stable")
    return changes[CHANGE_COLUMNS].reset_index(drop=True).astype(object)


def moved_goalposts(frames: dict[str, pd.DataFrame], files: pd.DataFrame, changes: pd.DataFrame,
                    config: Config) -> list[dict]:
    """Edits that move the goalposts, as (file, sheet, row, column, value, code, detail) to locate as 疑问.

    A 整改时限 made later after the earlier one had passed (by the new file's received date), a
    changed 检查时间, a changed 完成时间 of an item the previous workbook had closed out.
    """
    if changes.empty:
        return []
    received = {f: pd.Timestamp(r).date() for f, r in zip(files["file"], files["received"])}
    edits = changes[changes["变化"] == MODIFIED]
    involved = set(edits["原文件"]) | set(edits["新文件"])
    found = []
    rows_of = {}
    for sheet in ("检查台账", "整改台账"):
        if sheet in frames and not frames[sheet].empty:
            k = _keyed(frames[sheet][frames[sheet]["_file"].isin(involved)], sheet, config)
            rows_of[sheet] = {(f, by, key): (row, done) for f, by, key, row, done in zip(
                k["_file"], k["_by"], k["_k"], k["_row"], k["完成情况"] if "完成情况" in k else [None] * len(k))}
    for e in edits.itertuples(index=False):
        sheet, field = e.表, e.字段
        if sheet not in rows_of:
            continue
        key = number_key(e.编号)
        code, detail = None, ""
        if sheet == "检查台账" and field == "整改时限" and e.原值 and e.新值 and e.新值 > e.原值 \
                and received.get(e.新文件, dt.date.max) > dt.date.fromisoformat(e.原值):
            code, detail = "deadline_moved_after_due", f"原整改时限 {e.原值} 已过，现改为 {e.新值}"
        elif sheet == "检查台账" and field == "检查时间":
            code, detail = "inspection_date_changed", f"原为 {e.原值 or '空'}，现为 {e.新值 or '空'}"
        elif sheet == "整改台账" and field == "完成时间":
            before = rows_of[sheet].get((e.原文件, e.检查单位, key))
            if before is not None and before[1] == DONE:
                code, detail = "completion_date_changed", f"已销号问题的完成时间原为 {e.原值 or '空'}，现为 {e.新值 or '空'}"
        if code is None:
            continue
        where = rows_of[sheet].get((e.新文件, e.检查单位, key))
        if where is None:
            continue
        found.append({"file": e.新文件, "sheet": sheet, "row": int(where[0]), "column": field, "value": e.新值,
                      "code": code, "detail": detail})
    return found


def original_deadlines(inspections: pd.DataFrame, files: pd.DataFrame, keys=("_unit", "_key")) -> pd.DataFrame:
    """The first 整改时限 recorded for each item, in the order workbooks take effect."""
    if inspections.empty:
        return pd.DataFrame(columns=[*keys, "原整改时限"])
    dated = inspections.loc[inspections["整改时限"].notna(), [*keys, "_file", "_row", "整改时限"]]
    rows = dated.iloc[effect_order(dated, files)]
    first = rows[~pd.Series(group_ids(rows, list(keys))).duplicated().to_numpy()]
    return first[[*keys, "整改时限"]].rename(columns={"整改时限": "原整改时限"})


def edit_rollup(changes: pd.DataFrame, goalposts: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per unit: how many rows each resubmission added, removed and changed, and the goalposts moved."""
    cols = ["单位", "新增", "删除", "修改", "整改时限逾期后推迟", "检查时间修改", "已销号完成时间修改"]
    if changes.empty:
        return pd.DataFrame(columns=cols)
    counted = changes.assign(_n=1).pivot_table(index="单位", columns="变化", values="_n", aggfunc="sum", fill_value=0)
    out = pd.DataFrame({"单位": counted.index})
    for c in (ADDED, REMOVED, MODIFIED):
        out[c] = counted[c].values if c in counted else 0
    labels = dict(zip(GOALPOST_CODES, cols[4:]))
    for code, label in labels.items():
        n = (goalposts[goalposts["code"] == code].groupby("单位").size()
             if goalposts is not None and not goalposts.empty else pd.Series(dtype=int))
        out[label] = out["单位"].map(n).fillna(0).astype(int)
    return out.reset_index(drop=True)
