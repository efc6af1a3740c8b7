"""The 信访举报 register in force, as clues.csv: who is reported, who handles it, overdue or not.

Pure: the register's frame (in force, already without 举报人 and 联系方式) + config + as-of → frames.
"""
from __future__ import annotations

import datetime as dt

import pandas as pd

from schemas.clues import CHANNELS, CLOSED, FORMS, TRUE_VERDICTS
from ..config import Config
from ..textnorm import clean_text

CLUE_COLUMNS = ["线索编号", "受理日期", "来源渠道", "被反映单位", "所属单位", "被反映人", "治理类别", "承办单位", "办理时限",
                "办理状态", "办结日期", "超期", "核实结果", "处理方式", "一案双查", "来源文件", "来源行"]
UNIT_COLUMNS = ["信访线索数", "属实线索数", "线索超期数"]


def owner_of(place, owners: dict[str, str], names: dict[str, str]) -> str:
    """The reporting unit a place belongs to: a grassroots unit's 街道/部门 (`owners`:
    config.grassroots_owner()), or the unit itself (`names`: config.name_index())."""
    if place is None or (isinstance(place, float) and pd.isna(place)):
        return ""
    key = clean_text(place)
    return owners.get(key) or names.get(key) or ""


def _day(value) -> str:
    return "" if value is None or pd.isna(value) else pd.Timestamp(value).strftime("%Y-%m-%d")


def build_clues(register: pd.DataFrame, config: Config, as_of: dt.date) -> pd.DataFrame:
    """One row per clue of the register in force; 超期 as the contract says; dates as text."""
    if register.empty:
        return pd.DataFrame(columns=CLUE_COLUMNS)
    day = pd.Timestamp(as_of)
    reg = register.sort_values(["_file", "_row"], kind="stable")
    due = pd.to_datetime(reg["办理时限"])
    closed_on = pd.to_datetime(reg["办结日期"])
    closed = reg["办理状态"] == CLOSED
    late = (~closed & due.notna() & (day > due)) | (closed & due.notna() & closed_on.notna() & (closed_on > due))
    names, owners = config.name_index(), config.grassroots_owner()  # once: a city registers thousands of clues
    out = pd.DataFrame({
        "线索编号": reg["线索编号"].values,
        "受理日期": [_day(v) for v in reg["受理日期"]],
        "来源渠道": reg["来源渠道"].values,
        "被反映单位": [clean_text(v) if v is not None else "" for v in reg["被反映单位"]],
        "所属单位": [owner_of(v, owners, names) for v in reg["被反映单位"]],
        "被反映人": reg["被反映人"].fillna("").values,
        "治理类别": reg["治理类别"].fillna("").values,
        "承办单位": [names.get(clean_text(v), clean_text(v)) if v is not None else "" for v in reg["承办单位"]],
        "办理时限": [_day(v) for v in reg["办理时限"]],
        "办理状态": reg["办理状态"].values,
        "办结日期": [_day(v) for v in reg["办结日期"]],
        "超期": ["是" if x else "否" for x in late],
        "核实结果": reg["核实结果"].fillna("").values,
        "处理方式": reg["处理方式"].fillna("").values,
        "一案双查": reg["一案双查"].fillna("").values,
        "来源文件": reg["_file"].values,
        "来源行": ["信访举报!" + str(int(r) + 1) for r in reg["_row"]],
    }, columns=CLUE_COLUMNS)
    return out.astype(object)


def is_verified(clues: pd.DataFrame) -> pd.Series:
    """属实 or 部分属实: a clue that counts as a problem (commitments, recurrence, plan weights)."""
    return clues["核实结果"].isin(TRUE_VERDICTS)


def clue_unit_counts(clues: pd.DataFrame, config: Config) -> pd.DataFrame:
    """Per reporting unit: clues about it or its grassroots units, verified ones, and overdue ones it handles."""
    names = pd.Index([u.name for u in config.units], name="单位")

    def count(mask, by):
        return clues[mask].groupby(by).size().reindex(names, fill_value=0).astype(int).values

    every = pd.Series(True, index=clues.index)
    return pd.DataFrame({
        "单位": names,
        "信访线索数": count(every, "所属单位"),
        "属实线索数": count(is_verified(clues), "所属单位"),
        "线索超期数": count(clues["超期"] == "是", "承办单位"),
    })


def clue_tables(clues: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """The rollup's view for leaders: by channel (办结率, 属实率), overdue per 承办单位, the 四种形态 tally."""
    rows = []
    for channel in (*CHANNELS, "合计"):
        part = clues if channel == "合计" else clues[clues["来源渠道"] == channel]
        done = int((part["办理状态"] == CLOSED).sum())
        verified = int(is_verified(part).sum())
        rows.append({"来源渠道": channel, "线索数": len(part), "已办结数": done,
                     "办结率": round(done / len(part), 4) if len(part) else None,
                     "属实数": int((part["核实结果"] == "属实").sum()),
                     "部分属实数": int((part["核实结果"] == "部分属实").sum()),
                     "属实率": round(verified / done, 4) if done else None,
                     "超期数": int((part["超期"] == "是").sum())})
    by_channel = pd.DataFrame(rows)
    flags = pd.DataFrame({"承办单位": clues["承办单位"], "done": clues["办理状态"] == CLOSED, "late": clues["超期"] == "是"})
    handled = flags.groupby("承办单位").agg(线索数=("done", "size"), 已办结数=("done", "sum"),
                                         超期数=("late", "sum")).reset_index()
    handled = handled.sort_values(["超期数", "承办单位"], ascending=[False, True], kind="stable").reset_index(drop=True)
    forms = pd.DataFrame({"处理方式": list(FORMS) + ["尚未处理"],
                          "线索数": [int((clues["处理方式"] == f).sum()) for f in FORMS]
                          + [int((is_verified(clues) & (clues["处理方式"] == "")).sum())]})
    return {"by_channel": by_channel, "by_handler": handled, "forms": forms}
