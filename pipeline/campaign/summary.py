"""Phase, quarter, week or any span's summary (分类分层次归纳统计): pure frames from the items.

Items found in [D1, D2] (by 检查时间), counted by unit, category, nature and method; of them those
closed out by D2. The long form is the contract's summary.csv; the other frames feed the leaders'
workbook and the Word summary.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from schemas.vocab import CATEGORIES, NATURES, NO_PROBLEM
from ..config import Config
from ..distinct import RowsOf
from ..ledger.reconcile import OPEN, STATUS_CLOSED, STATUS_ORPHAN

SUMMARY_COLUMNS = ["单位", "单位类型", "治理类别", "问题性质", "检查方式", "问题数", "已销号数"]
GROUP = "专项治理小组"
SELF, BY_GROUP, OTHER = "本单位自查发现", "专项治理小组督查发现", "其他单位检查发现"


@dataclass(frozen=True)
class Span:
    start: dt.date
    end: dt.date
    title: str
    kind: str = "custom"  # custom / phase / quarter / week


def phase_span(config: Config, name: str) -> Span:
    for p in config.campaign.phases:
        if p.name == name:
            return Span(p.start, p.end, f"{config.campaign.district}专项治理“微腐败”工作{name}阶段总结", "phase")
    names = "、".join(p.name for p in config.campaign.phases)
    raise ValueError(f"阶段“{name}”不在配置中，可选：{names}。")


def quarter_span(config: Config, quarter: str) -> Span:
    year, q = int(quarter[:4]), int(quarter[-1])
    start = dt.date(year, 3 * q - 2, 1)
    end = dt.date(year, 12, 31) if q == 4 else dt.date(year, 3 * q + 1, 1) - dt.timedelta(days=1)
    cn = "一二三四"[q - 1]
    return Span(start, end, f"{config.campaign.district}专项治理“微腐败”工作{year}年第{cn}季度报告", "quarter")


def week_span(config: Config, first_day: dt.date) -> Span:
    end = first_day + dt.timedelta(days=6)
    return Span(first_day, end, f"{config.campaign.district}专项治理“微腐败”工作周例会材料"
                                f"（{first_day.month}月{first_day.day}日—{end.month}月{end.day}日）", "week")


def custom_span(config: Config, start: dt.date, end: dt.date, title: str | None) -> Span:
    return Span(start, end, title or f"{config.campaign.district}专项治理“微腐败”工作阶段性总结"
                                     f"（{start.month}月{start.day}日—{end.month}月{end.day}日）")


def in_span(items: pd.DataFrame, span: Span) -> pd.DataFrame:
    """Ledger items whose 检查时间 falls in the span (orphan rectification rows have none)."""
    on = pd.to_datetime(items["检查时间"], errors="coerce")
    keep = (items["状态"] != STATUS_ORPHAN) & on.notna() & (on >= pd.Timestamp(span.start)) & (on <= pd.Timestamp(span.end))
    return items[keep]


def closed_by(items: pd.DataFrame, day: dt.date) -> pd.Series:
    done = pd.to_datetime(items["完成时间"], errors="coerce")
    return (items["状态"] == STATUS_CLOSED) & (done.isna() | (done <= pd.Timestamp(day)))


def summary_long(items: pd.DataFrame, config: Config, span: Span) -> pd.DataFrame:
    """The contract's long form: one row per (单位, 治理类别, 问题性质, 检查方式) with 问题数 and 已销号数.

    Like 发现问题数 in units.csv, 问题数 counts problems only: inspections that found nothing
    (问题性质 无问题) are not problems and have no row (the workbook counts them as inspections).
    """
    part = in_span(items, span)
    part = part[part["问题性质"] != NO_PROBLEM]
    keys = ["单位", "单位类型", "治理类别", "问题性质", "检查方式"]
    frame = part[keys].astype(object).where(part[keys].notna(), "").assign(_closed=closed_by(part, span.end).astype(int))
    if frame.empty:
        return pd.DataFrame(columns=SUMMARY_COLUMNS)
    out = frame.groupby(keys, sort=False).agg(问题数=("_closed", "size"), 已销号数=("_closed", "sum")).reset_index()
    unit_order = {u.name: i for i, u in enumerate(config.units)}
    order = {
        "单位": unit_order,
        "治理类别": {c: i for i, c in enumerate(CATEGORIES)},
        "问题性质": {n: i for i, n in enumerate(NATURES)},
    }
    out = out.assign(**{f"_{k}": out[k].map(v).fillna(len(v)) for k, v in order.items()})
    out = out.sort_values(["_单位", "单位", "_治理类别", "_问题性质", "检查方式"], kind="stable")
    out = out.drop(columns=[f"_{k}" for k in order]).reset_index(drop=True)
    return out.astype({"问题数": int, "已销号数": int})[SUMMARY_COLUMNS]


def source_of(items: pd.DataFrame, config: Config) -> pd.Series:
    kinds = {u.name: u.type for u in config.units}
    by_group = items["检查单位"].map(kinds) == GROUP
    own = items["检查单位"] == items["单位"]
    return pd.Series(OTHER, index=items.index).mask(by_group, BY_GROUP).mask(own, SELF)


def _rate(closed: int, found: int):
    return round(closed / found, 4) if found else None


@dataclass
class Summary:
    span: Span
    as_of: dt.date
    long: pd.DataFrame         # data/summary.csv
    problems: pd.DataFrame     # the span's items with a problem (not 无问题), with 来源 and 已销号
    figures: dict              # headline numbers
    by_category: pd.DataFrame  # 治理类别 × 问题性质, with totals
    by_source: pd.DataFrame    # self-found / groups / others
    by_method: pd.DataFrame
    by_unit: pd.DataFrame
    by_group: pd.DataFrame     # each inspection group's inspections and findings in the span
    closed: pd.DataFrame       # items closed out within the span (whenever found)
    week: pd.DataFrame         # per unit: new, closed, due next week, overdue (for the weekly meeting)


def build_summary(items: pd.DataFrame, config: Config, span: Span, as_of: dt.date) -> Summary:
    long = summary_long(items, config, span)
    part = in_span(items, span)
    problems = part[part["问题性质"] != NO_PROBLEM]
    problems = problems.assign(来源=source_of(problems, config), 已销号=closed_by(problems, span.end))
    found, closed = len(problems), int(problems["已销号"].sum())
    done = pd.to_datetime(items["完成时间"], errors="coerce")
    closed_in = items[(items["状态"] == STATUS_CLOSED) & (done >= pd.Timestamp(span.start)) & (done <= pd.Timestamp(span.end))]
    figures = {
        "inspected": int(part["被检查单位"].nunique()), "inspections": len(part), "found": found, "closed": closed,
        "rate": _rate(closed, found), "open": found - closed,
        "overdue": int((problems["逾期"] == "逾期未完成").sum()),
        "closed_in_span": len(closed_in[closed_in["问题性质"] != NO_PROBLEM]),
        "cases": int((problems["问题性质"] == NATURES[0]).sum()),
    }

    natures = list(NATURES[:-1])
    table = pd.crosstab(problems["治理类别"], problems["问题性质"]) if found else pd.DataFrame()
    by_category = table.reindex(index=list(CATEGORIES), columns=natures, fill_value=0).astype(int)
    by_category["合计"] = by_category.sum(axis=1)
    closed_cat = problems[problems["已销号"]].groupby("治理类别").size().reindex(CATEGORIES, fill_value=0)
    by_category["已销号数"] = closed_cat.astype(int).values
    by_category["整改率"] = [_rate(c, n) for c, n in zip(by_category["已销号数"], by_category["合计"])]
    by_category = by_category.reset_index().rename(columns={"index": "治理类别"})
    by_category.columns.name = None

    def tally(column: str, values) -> pd.DataFrame:
        rows = []
        for v in values:
            sel = problems[problems[column] == v]
            rows.append({column: v, "问题数": len(sel), "已销号数": int(sel["已销号"].sum()),
                         "整改率": _rate(int(sel["已销号"].sum()), len(sel)),
                         "占比": round(len(sel) / found, 4) if found else None})
        return pd.DataFrame(rows)

    by_source = tally("来源", [SELF, BY_GROUP, OTHER])
    methods = list(dict.fromkeys([*problems["检查方式"].dropna().astype(str)]))
    by_method = tally("检查方式", sorted(methods))

    names = [u.name for u in config.units if u.type != GROUP]
    kinds = {u.name: u.type for u in config.units}
    unit_rows = []
    # each unit's rows through one grouping, not a scan of the whole city per unit
    problems_of, part_of = RowsOf(problems["单位"]), RowsOf(part["单位"])
    for name in names:
        sel = problems.iloc[problems_of[name]]
        mine = part.iloc[part_of[name]]
        n, c = len(sel), int(sel["已销号"].sum())
        unit_rows.append({"单位": name, "单位类型": kinds[name], "受检基层单位数": int(mine[mine["检查单位"] == name]["被检查单位"].nunique()),
                          "发现问题数": n, "自查发现数": int((sel["来源"] == SELF).sum()),
                          "督查发现数": int((sel["来源"] == BY_GROUP).sum()), "已销号数": c, "整改率": _rate(c, n),
                          "违纪违法数": int((sel["问题性质"] == NATURES[0]).sum()),
                          "逾期未完成数": int((sel["逾期"] == "逾期未完成").sum())})
    by_unit = pd.DataFrame(unit_rows)

    group_rows = []
    for u in config.units:
        if u.type != GROUP:
            continue
        mine = part[part["检查单位"] == u.name]
        sel = problems[problems["检查单位"] == u.name]
        n, c = len(sel), int(sel["已销号"].sum())
        group_rows.append({"专项治理小组": u.name, "检查次数": len(mine), "检查基层单位数": int(mine["被检查单位"].nunique()),
                           "发现问题数": n, "违纪违法数": int((sel["问题性质"] == NATURES[0]).sum()),
                           "已销号数": c, "整改率": _rate(c, n), "逾期未完成数": int((sel["逾期"] == "逾期未完成").sum())})
    by_group = pd.DataFrame(group_rows)

    week = weekly_pages(items, problems, closed_in, config, span)
    return Summary(span, as_of, long, problems, figures, by_category, by_source, by_method, by_unit, by_group,
                   closed_in, week)


def weekly_pages(items: pd.DataFrame, problems: pd.DataFrame, closed_in: pd.DataFrame, config: Config,
                 span: Span) -> pd.DataFrame:
    """Per unit for the weekly meeting: what was found and closed in the span, what falls due in the
    seven days after it, and what is overdue (open) at its end."""
    deadline = pd.to_datetime(items["整改时限"], errors="coerce")
    is_open = items["状态"].isin(OPEN) & (items["问题性质"] != NO_PROBLEM)
    after = pd.Timestamp(span.end)
    due_next = items[is_open & (deadline > after) & (deadline <= after + pd.Timedelta(days=7))]
    overdue = items[is_open & (items["逾期"] == "逾期未完成")]
    parts = [(problems, "本周新发现"), (closed_in[closed_in["问题性质"] != NO_PROBLEM], "本周已销号"),
             (due_next, "下周到期"), (overdue, "逾期未完成")]
    cols = ["单位", "事项", "编号", "检查单位", "被检查单位", "治理类别", "发现的问题", "整改时限", "完成时间", "状态"]
    frames = [p.assign(事项=label)[cols] for p, label in parts if len(p)]
    if not frames:
        return pd.DataFrame(columns=cols)
    out = pd.concat(frames, ignore_index=True)
    order = {u.name: i for i, u in enumerate(config.units)}
    rank = {label: i for i, (_, label) in enumerate(parts)}
    out = out.assign(_u=out["单位"].map(order), _e=out["事项"].map(rank)).sort_values(["_u", "_e"], kind="stable")
    return out.drop(columns=["_u", "_e"]).reset_index(drop=True)
