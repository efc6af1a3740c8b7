"""Per-unit and district figures, and the monthly report's timeliness and consistency checks."""
from __future__ import annotations

import datetime as dt

import pandas as pd

from schemas.vocab import CATEGORIES, DONE, NATURES, NO_PROBLEM
from .config import Config
from .reconcile import OPEN, STATUS_CLOSED, STATUS_NO_RECT, STATUS_OPEN, STATUS_ORPHAN

ON_TIME, LATE, MISSING = "按时", "迟报", "未报"
REPORT_FIGURES = (("受检基层单位数", "受检基层单位数"), ("发现问题数", "发现问题数"), ("整改完成数", "整改完成数"))


def due_date(period: str, due_day: int) -> dt.date:
    year, month = (int(x) for x in period.split("-"))
    return dt.date(year, month, due_day)


def report_status(reports: pd.DataFrame, period: str, due: dt.date, as_of: dt.date) -> pd.DataFrame:
    """按时 / 迟报 per unit from the first accepted file holding the period's 月报表 row."""
    rows = reports[reports["报表月份"] == period]
    first = rows.groupby("_unit")["_received"].min()
    status = first.map(lambda day: ON_TIME if day.date() <= due else LATE if day.date() <= as_of else MISSING)
    return pd.DataFrame({"单位": first.index, "月报报送": status.values,
                         "月报收到日期": [day.date().isoformat() for day in first]})


def ledger_counts(frames: dict[str, pd.DataFrame], file: str) -> dict[str, int]:
    """What a workbook's own ledgers say, to compare with its 月报表 row."""
    insp = frames["检查台账"][frames["检查台账"]["_file"] == file]
    rect = frames["整改台账"][frames["整改台账"]["_file"] == file]
    return {
        "受检基层单位数": int(insp["被检查单位"].dropna().nunique()),
        "发现问题数": int((insp["问题性质"] != NO_PROBLEM).sum()),
        "整改完成数": int((rect["完成情况"] == DONE).sum()),
    }


def report_consistency(frames: dict[str, pd.DataFrame], files: pd.DataFrame, period: str) -> pd.DataFrame:
    """The period's 月报表 row against the ledgers of the same workbook (the latest one holding it)."""
    from .reconcile import order_files

    reports = frames["月报表"]
    rows = reports[reports["报表月份"] == period]
    seq = order_files(files)
    rank = {f: i for i, f in enumerate(seq["file"])}
    out = []
    for unit, group in rows.groupby("_unit"):
        latest = max(group["_file"], key=rank.get)
        row = group[group["_file"] == latest].iloc[0]
        counted = ledger_counts(frames, latest)
        diffs = []
        for label, key in REPORT_FIGURES:
            reported = row[label]
            if pd.isna(reported) or int(reported) != counted[key]:
                shown = "空" if pd.isna(reported) else int(reported)
                diffs.append(f"{label}：月报{shown}，台账{counted[key]}")
        out.append({"单位": unit, "月报与台账一致": "否" if diffs else "是", "月报差异": "；".join(diffs),
                    "制度机制建设数": 0 if pd.isna(row["制度机制建设数"]) else int(row["制度机制建设数"]),
                    "月报来源文件": latest})
    return pd.DataFrame(out, columns=["单位", "月报与台账一致", "月报差异", "制度机制建设数", "月报来源文件"])


def unit_rollup(items: pd.DataFrame, frames: dict[str, pd.DataFrame], files: pd.DataFrame, submissions: pd.DataFrame,
                config: Config, period: str, as_of: dt.date) -> pd.DataFrame:
    """One row per registered unit, reported or not. `submissions`: the manifest rows (单位, 结果, 疑问数…)."""
    start = pd.Timestamp(f"{period}-01")
    end = start + pd.offsets.MonthEnd(0)
    ledger = items[items["状态"] != STATUS_ORPHAN]
    problems = ledger[ledger["问题性质"] != NO_PROBLEM]
    rows = []
    status = report_status(frames["月报表"], period, due_date(period, config.campaign.due_day), as_of).set_index("单位")
    consistency = report_consistency(frames, files, period).set_index("单位")
    for unit in config.units:
        is_group = unit.type == "专项治理小组"
        mine = ledger[ledger["检查单位" if is_group else "单位"] == unit.name]
        found = problems[problems["单位"] == unit.name]
        closed = int((found["状态"] == STATUS_CLOSED).sum())
        inspected_on = pd.to_datetime(found["检查时间"])
        row = {
            "单位": unit.name,
            "单位类型": unit.type,
            "受检基层单位数": int(mine["被检查单位"].dropna().nunique()),
            "发现问题数": len(found),
            "已销号数": closed,
            "整改中数": int((found["状态"] == STATUS_OPEN).sum()),
            "未建整改台账数": int((found["状态"] == STATUS_NO_RECT).sum()),
            "逾期数": int((found["逾期"] == "逾期未完成").sum()),
            "整改率": round(closed / len(found), 4) if len(found) else None,
            "月报报送": status["月报报送"].get(unit.name, MISSING),
            "月报与台账一致": consistency["月报与台账一致"].get(unit.name, "无月报"),
            "月报收到日期": status["月报收到日期"].get(unit.name, ""),
            "月报差异": consistency["月报差异"].get(unit.name, ""),
            "逾期完成数": int((found["逾期"] == "逾期完成").sum()),
            "红色预警数": int((found["预警"] == "红").sum()),
            "黄色预警数": int((found["预警"] == "黄").sum()),
            "绿色预警数": int((found["预警"] == "绿").sum()),
            "本月新发现问题数": int(((inspected_on >= start) & (inspected_on <= end)).sum()),
            "自查发现数": int((found["检查单位"] == unit.name).sum()),
            "督查发现数": int((found["检查单位"] != unit.name).sum()),
            "无对应检查记录数": int(((items["单位"] == unit.name) & (items["状态"] == STATUS_ORPHAN)).sum()),
            "制度机制建设数": int(consistency["制度机制建设数"].get(unit.name, 0)),
        }
        for nature in NATURES[:-1]:
            row[f"{nature}数"] = int((found["问题性质"] == nature).sum())
        for category in CATEGORIES:
            row[f"类别_{category}"] = int((found["治理类别"] == category).sum())
        by_me = problems[problems["检查单位"] == unit.name]
        row["检查发现问题数"] = len(by_me)
        row["检查发现已销号数"] = int((by_me["状态"] == STATUS_CLOSED).sum())
        row["检查发现整改率"] = round(row["检查发现已销号数"] / len(by_me), 4) if len(by_me) else None
        mine_subs = submissions[submissions["单位"] == unit.name]
        row["报送文件数"] = int(mine_subs["结果"].isin(["已采用", "已被替代", "已退回"]).sum())
        row["退回次数"] = int((mine_subs["结果"] == "已退回").sum())
        in_force = mine_subs[mine_subs["结果"] == "已采用"]
        row["未说明疑问数"] = int(in_force["疑问数"].sum()) if len(in_force) else 0
        row["在用台账"] = in_force["文件"].iloc[0] if len(in_force) else ""
        rows.append(row)
    return pd.DataFrame(rows)


def district_totals(units: pd.DataFrame) -> pd.DataFrame:
    """全区 and per-type totals; rates recomputed from the sums, never averaged."""
    numeric = [c for c in units.columns if c.endswith("数") and c not in ("整改率",)]
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
