"""Per-unit and district figures, and the monthly report's timeliness and consistency checks."""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from schemas.vocab import CATEGORIES, DONE, NATURES, NO_PROBLEM
from ..config import Config
from ..intake.order import order_files
from .reconcile import STATUS_CLOSED, STATUS_NO_RECT, STATUS_OPEN, STATUS_ORPHAN

ON_TIME, LATE, MISSING = "按时", "迟报", "未报"
REPORT_FIGURES = ("受检基层单位数", "发现问题数", "整改完成数")  # compared between 月报表 and the ledgers


def due_date(period: str, due_day: int) -> dt.date:
    year, month = (int(x) for x in period.split("-"))
    return dt.date(year, month, due_day)


def report_status(reports: pd.DataFrame, period: str, due: dt.date, as_of: dt.date) -> pd.DataFrame:
    """按时 / 迟报 per unit from the first accepted file holding the period's 月报表 row."""
    rows = reports[reports["报表月份"] == period]
    first = rows.groupby("_unit")["_received"].min()
    days = [day.date() for day in first]
    return pd.DataFrame({
        "单位": list(first.index),
        "月报报送": [ON_TIME if day <= due else LATE if day <= as_of else MISSING for day in days],
        "月报收到日期": [day.isoformat() for day in days],
    }, columns=["单位", "月报报送", "月报收到日期"], dtype=object)


def ledger_counts(frames: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Per workbook, what its own ledgers say, to compare with its 月报表 row."""
    insp, rect = frames["检查台账"], frames["整改台账"]
    counts = pd.DataFrame({
        "受检基层单位数": insp.groupby("_file")["被检查单位"].nunique(),
        "发现问题数": (insp["问题性质"] != NO_PROBLEM).groupby(insp["_file"]).sum(),
        "整改完成数": (rect["完成情况"] == DONE).groupby(rect["_file"]).sum(),
    })
    return counts.fillna(0).astype(int)


def report_consistency(frames: dict[str, pd.DataFrame], files: pd.DataFrame, period: str) -> pd.DataFrame:
    """The period's 月报表 row against the ledgers of the same workbook (the latest one holding it)."""
    reports = frames["月报表"]
    rows = reports[reports["报表月份"] == period]
    rank = pd.Series(range(len(files)), index=order_files(files)["file"].values)
    latest = rows.assign(_seq=rows["_file"].map(rank)).sort_values("_seq").drop_duplicates("_unit", keep="last")
    counted = ledger_counts(frames).reindex(latest["_file"]).fillna(0).astype(int)
    out = []
    for (unit, file), reported, count in zip(zip(latest["_unit"], latest["_file"]),
                                             latest[[*REPORT_FIGURES, "制度机制建设数"]].to_dict("records"),
                                             counted.to_dict("records")):
        diffs = []
        for label in REPORT_FIGURES:
            value = reported[label]
            if pd.isna(value) or int(value) != count[label]:
                diffs.append(f"{label}：月报{'空' if pd.isna(value) else int(value)}，台账{count[label]}")
        mechanisms = reported["制度机制建设数"]
        out.append({"单位": unit, "月报与台账一致": "否" if diffs else "是", "月报差异": "；".join(diffs),
                    "制度机制建设数": 0 if pd.isna(mechanisms) else int(mechanisms), "月报来源文件": file})
    return pd.DataFrame(out, columns=["单位", "月报与台账一致", "月报差异", "制度机制建设数", "月报来源文件"])


def _count(frame: pd.DataFrame, by: str, index: pd.Index) -> pd.Series:
    """Rows per entry of `index` (0 for none); rows whose `by` is not in the index are not counted."""
    return _count_at(index.get_indexer(frame[by]), index)


def _count_at(at: np.ndarray, index: pd.Index) -> pd.Series:
    """_count of rows whose places in `index` are `at` (-1: not in it)."""
    return pd.Series(np.bincount(at[at >= 0], minlength=len(index)), index=index)


def _tally(frame: pd.DataFrame, by: str, column: str, values, index: pd.Index,
           at: np.ndarray | None = None) -> pd.DataFrame:
    """A crosstab of `by` (rows, as `index`) against the listed `values` of `column`, counted in one pass.
    `at`: index.get_indexer(frame[by]), when found already."""
    values = list(values)
    at = index.get_indexer(frame[by]) if at is None else at
    value_at = pd.Index(values).get_indexer(frame[column])
    known = (at >= 0) & (value_at >= 0)
    cells = np.bincount(at[known] * len(values) + value_at[known], minlength=len(index) * len(values))
    return pd.DataFrame(cells.reshape(len(index), len(values)), index=index, columns=values)


def _rate(num: pd.Series, den: pd.Series) -> pd.Series:
    return (num / den.where(den > 0)).round(4).astype(object).where(den > 0, None)


_COUNTED = ("单位", "检查单位", "被检查单位", "检查时间", "问题性质", "治理类别", "状态", "逾期", "预警")


def unit_rollup(items: pd.DataFrame, frames: dict[str, pd.DataFrame], files: pd.DataFrame, submissions: pd.DataFrame,
                config: Config, period: str, as_of: dt.date) -> pd.DataFrame:
    """One row per registered unit, reported or not. `submissions`: the manifest rows (单位, 结果, 疑问数…)."""
    names = pd.Index([u.name for u in config.units], name="单位")
    kinds = pd.Series([u.type for u in config.units], index=names)
    is_group = kinds == "专项治理小组"
    start = pd.Timestamp(f"{period}-01")
    end = start + pd.offsets.MonthEnd(0)
    # only the columns counted here: a province's items copied whole, twice, took seconds
    ledger = items.loc[items["状态"] != STATUS_ORPHAN, list(_COUNTED)]
    found = ledger[ledger["问题性质"] != NO_PROBLEM]
    unit_at = names.get_indexer(found["单位"])  # each problem's unit, found once for every count by unit
    status = _tally(found, "单位", "状态", (STATUS_CLOSED, STATUS_OPEN, STATUS_NO_RECT), names, unit_at)
    late = _tally(found, "单位", "逾期", ("逾期未完成", "逾期完成"), names, unit_at)
    warn = _tally(found, "单位", "预警", ("红", "黄", "绿"), names, unit_at)
    inspected_by_unit = ledger.groupby("单位")["被检查单位"].nunique().reindex(names, fill_value=0)
    inspected_by_group = ledger.groupby("检查单位")["被检查单位"].nunique().reindex(names, fill_value=0)
    found_count = _count_at(unit_at, names)
    on = pd.to_datetime(found["检查时间"])
    by_self = (found["检查单位"] == found["单位"]).to_numpy()
    self_found = _count_at(unit_at[by_self], names)
    by_me = _count(found, "检查单位", names)
    by_me_closed = _count(found[found["状态"] == STATUS_CLOSED], "检查单位", names)
    reports = report_status(frames["月报表"], period, due_date(period, config.campaign.due_day), as_of).set_index("单位")
    consistency = report_consistency(frames, files, period).set_index("单位")
    subs = submissions[submissions["单位"].isin(names)]
    results = _tally(subs, "单位", "结果", ("已采用", "已被替代", "已退回"), names)
    in_force = subs[subs["结果"] == "已采用"].drop_duplicates("单位").set_index("单位").reindex(names)

    out = pd.DataFrame({
        "单位": names,
        "单位类型": kinds.values,
        "受检基层单位数": inspected_by_unit.where(~is_group, inspected_by_group).astype(int).values,
        "发现问题数": found_count.values,
        "已销号数": status[STATUS_CLOSED].values,
        "整改中数": status[STATUS_OPEN].values,
        "未建整改台账数": status[STATUS_NO_RECT].values,
        "逾期数": late["逾期未完成"].values,
        "整改率": _rate(status[STATUS_CLOSED], found_count).values,
        "月报报送": reports["月报报送"].reindex(names).fillna(MISSING).values,
        "月报与台账一致": consistency["月报与台账一致"].reindex(names).fillna("无月报").values,
        "月报收到日期": reports["月报收到日期"].reindex(names).fillna("").values,
        "月报差异": consistency["月报差异"].reindex(names).fillna("").values,
        "逾期完成数": late["逾期完成"].values,
        "红色预警数": warn["红"].values,
        "黄色预警数": warn["黄"].values,
        "绿色预警数": warn["绿"].values,
        "本月新发现问题数": _count_at(unit_at[((on >= start) & (on <= end)).to_numpy()], names).values,
        "自查发现数": self_found.values,
        "督查发现数": (found_count - self_found).values,
        "无对应检查记录数": _count(items.loc[items["状态"] == STATUS_ORPHAN, ["单位"]], "单位", names).values,
        "制度机制建设数": consistency["制度机制建设数"].reindex(names).fillna(0).astype(int).values,
    })
    natures = _tally(found, "单位", "问题性质", NATURES[:-1], names, unit_at)
    for nature in NATURES[:-1]:
        out[f"{nature}数"] = natures[nature].values
    categories = _tally(found, "单位", "治理类别", CATEGORIES, names, unit_at)
    for category in CATEGORIES:
        out[f"类别_{category}"] = categories[category].values
    out["检查发现问题数"] = by_me.values
    out["检查发现已销号数"] = by_me_closed.values
    out["检查发现整改率"] = _rate(by_me_closed, by_me).values
    out["报送文件数"] = results.sum(axis=1).values
    out["退回次数"] = results["已退回"].values
    out["未说明疑问数"] = in_force["疑问数"].fillna(0).astype(int).values
    out["在用台账"] = in_force["文件"].fillna("").values
    return out


def with_unit_figures(units: pd.DataFrame, figures: pd.DataFrame, counts: list[str]) -> pd.DataFrame:
    """units.csv gains per-unit figures computed elsewhere (left join on 单位); units not mentioned count 0."""
    merged = units.merge(figures, on="单位", how="left")
    merged[counts] = merged[counts].fillna(0).astype(int)
    return merged


def district_totals(units: pd.DataFrame) -> pd.DataFrame:
    """全区 and per-type totals; rates recomputed from the sums, never averaged."""
    numeric = [c for c in units.columns if c.endswith("数") or c.startswith("类别_")]
    groups = [("全区合计", units[units["单位类型"] != "专项治理小组"])] + [
        (f"{t}合计", units[units["单位类型"] == t]) for t in ("街道", "部门", "专项治理小组")]
    rows = []
    for name, part in groups:
        row = {"范围": name, "单位数": len(part)}
        for c in numeric:
            row[c] = int(part[c].sum())
        row["整改率"] = round(row["已销号数"] / row["发现问题数"], 4) if row["发现问题数"] else None
        for s in (ON_TIME, LATE, MISSING):
            row[f"月报{s}单位数"] = int((part["月报报送"] == s).sum())
        rows.append(row)
    return pd.DataFrame(rows)
