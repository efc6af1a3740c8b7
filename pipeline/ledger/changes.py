"""What a unit changed between one accepted workbook and the next, and where it moved the goalposts.

Pure functions of the month's frames: for each unit, each accepted workbook is compared with the
accepted one before it, in the order they take effect (intake.order), row by row (by 编号) and
field by field. Only the three ledgers are compared; registers with confidential columns never are.
"""
from __future__ import annotations

import datetime as dt

import pandas as pd

from schemas import columns
from schemas.vocab import DONE
from ..config import Config
from ..intake.order import order_files
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
    """One row per added or removed ledger row and per changed field, in the order workbooks take effect."""
    rows: list[dict] = []
    pairs = _pairs(files)
    if not pairs:
        return pd.DataFrame(columns=CHANGE_COLUMNS)
    keyed = {s: _keyed(frames[s], s, config) for s in TRACKED if s in frames and not frames[s].empty}
    specs = {s: [c for c in columns(s) if c.label != "编号" and c.label != "报表月份"] for s in TRACKED}
    by_file = {s: dict(tuple(f.groupby("_file", sort=False))) for s, f in keyed.items()}
    for unit, old, new in pairs:
        for sheet in TRACKED:
            if sheet not in keyed:
                continue
            a = by_file[sheet].get(old, keyed[sheet].iloc[0:0]).dropna(subset=["_k"]).drop_duplicates(["_by", "_k"])
            b = by_file[sheet].get(new, keyed[sheet].iloc[0:0]).dropna(subset=["_k"]).drop_duplicates(["_by", "_k"])
            before = {(r["_by"], r["_k"]): r for r in a.to_dict("records")}
            after = {(r["_by"], r["_k"]): r for r in b.to_dict("records")}
            base = {"单位": unit, "原文件": old, "新文件": new, "表": sheet}
            for key, r in after.items():
                shown = {"编号": clean_text(r["_shown"]), "检查单位": r["_by"] or ""}
                if key not in before:
                    rows.append({**base, **shown, "变化": ADDED, "字段": "", "原值": "", "新值": ""})
                    continue
                p = before[key]
                for spec in specs[sheet]:
                    x, y = _text(p.get(spec.label), spec.kind), _text(r.get(spec.label), spec.kind)
                    if x != y:
                        rows.append({**base, **shown, "变化": MODIFIED, "字段": spec.label, "原值": x, "新值": y})
            for key, p in before.items():
                if key not in after:
                    rows.append({**base, "编号": clean_text(p["_shown"]), "检查单位": p["_by"] or "",
                                 "变化": REMOVED, "字段": "", "原值": "", "新值": ""})
    return pd.DataFrame(rows, columns=CHANGE_COLUMNS)


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
    found = []
    rows_of = {}
    for sheet in ("检查台账", "整改台账"):
        if sheet in frames and not frames[sheet].empty:
            k = _keyed(frames[sheet], sheet, config)
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
    rank = pd.Series(range(len(files)), index=order_files(files)["file"].values)
    seen = inspections.assign(_seq=inspections["_file"].map(rank)).dropna(subset=["整改时限"])
    first = seen.sort_values(["_seq", "_row"], kind="stable").drop_duplicates(list(keys), keep="first")
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
