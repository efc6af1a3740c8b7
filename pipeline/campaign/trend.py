"""Month against month: the same 整改率 and overdue counts as of each month end since the campaign began.

Pure: past months are rebuilt from the same accepted workbooks (those received by each month end),
since the ledgers are cumulative; earlier output folders are never read.
"""
from __future__ import annotations

import calendar
import datetime as dt

import pandas as pd

from schemas.vocab import NO_PROBLEM
from ..config import Config
from ..ledger.reconcile import ITEM_COLUMNS, STATUS_CLOSED, STATUS_ORPHAN, build_items, overdue_on

TREND_COLUMNS = ["月份", "截止日期", "发现问题数", "已销号数", "整改率", "逾期未完成数"]
GROUP = "专项治理小组"


def month_end(period: str) -> dt.date:
    year, month = (int(x) for x in period.split("-"))
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def previous_period(period: str) -> str:
    year, month = (int(x) for x in period.split("-"))
    return f"{year - 1}-12" if month == 1 else f"{year}-{month - 1:02d}"


def periods_between(first: str, last: str) -> list[str]:
    out, p = [], last
    while p >= first:
        out.append(p)
        p = previous_period(p)
    return out[::-1]


def items_as_of(frames: dict[str, pd.DataFrame], files: pd.DataFrame, config: Config, day: dt.date) -> pd.DataFrame:
    """Items as they stood on `day`: only workbooks received by then, judged against that day."""
    known = files[files["received"] <= pd.Timestamp(day)].reset_index(drop=True)
    if known.empty:
        return pd.DataFrame(columns=ITEM_COLUMNS)
    keep = set(known["file"])
    past = {sheet: frame[frame["_file"].isin(keep)].reset_index(drop=True) for sheet, frame in frames.items()}
    return build_items(past, known, config, day)


def unit_rates(items: pd.DataFrame, config: Config, overdue: pd.Series | None = None) -> pd.DataFrame:
    """单位, 发现问题数, 已销号数, 逾期数, 整改率 per registered unit, counted as units.csv counts them.
    `overdue`: the items' 逾期 on another day (reconcile.overdue_on), if not their own."""
    names = pd.Index([u.name for u in config.units], name="单位")
    counted = (items["状态"] != STATUS_ORPHAN) & (items["问题性质"] != NO_PROBLEM)
    found = items[counted]
    overdue = (items["逾期"] if overdue is None else overdue)[counted]
    n = found.groupby("单位").size().reindex(names, fill_value=0).astype(int)
    closed = found[found["状态"] == STATUS_CLOSED].groupby("单位").size().reindex(names, fill_value=0).astype(int)
    late = found[overdue == "逾期未完成"].groupby("单位").size().reindex(names, fill_value=0).astype(int)
    rate = (closed / n.where(n > 0)).round(4).astype(object).where(n > 0, None)
    return pd.DataFrame({"单位": names, "单位类型": [u.type for u in config.units], "发现问题数": n.values,
                         "已销号数": closed.values, "逾期数": late.values, "整改率": rate.values})


def _district_row(period: str, day: dt.date, rates: pd.DataFrame) -> dict:
    part = rates[rates["单位类型"] != GROUP]
    found, closed = int(part["发现问题数"].sum()), int(part["已销号数"].sum())
    return {"月份": period, "截止日期": day.isoformat(), "发现问题数": found, "已销号数": closed,
            "整改率": round(closed / found, 4) if found else None, "逾期未完成数": int(part["逾期数"].sum())}


def monthly_trend(frames: dict[str, pd.DataFrame], files: pd.DataFrame, items: pd.DataFrame, config: Config,
                  period: str, as_of: dt.date, past=None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(district figures by month since the campaign's first month, last month's per-unit rates).

    The current month uses `items` as of the run's as-of date; earlier months their last day.
    `past`: where a past month's rates are kept by the workbooks they were made from
    (jobs.past_rates: get(day, known) / put(day, known, rates)), or None to rebuild each.
    """
    def rates_on(day: dt.date) -> pd.DataFrame:
        if (files["received"] <= pd.Timestamp(day)).all():
            # every workbook had arrived by then: the same items, only their 逾期 judged on that day
            return unit_rates(items, config, overdue_on(items, as_of, day))
        known = files[files["received"] <= pd.Timestamp(day)]
        rates = past.get(day, known) if past is not None else None
        if rates is None:
            rates = unit_rates(items_as_of(frames, files, config, day), config)
            if past is not None:
                past.put(day, known, rates)
        return rates

    first = min(config.campaign.first_period, period)
    rows = []
    previous = None
    for p in periods_between(first, period):
        if p == period:
            rates, day = unit_rates(items, config), as_of
        else:
            day = month_end(p)
            rates = rates_on(day)
        if p == previous_period(period):
            previous = rates
        rows.append(_district_row(p, day, rates))
    if previous is None:  # the campaign's first month: last month is before it began
        previous = rates_on(month_end(previous_period(period)))
    last = previous[["单位", "整改率"]].rename(columns={"整改率": "上月整改率"})
    last = last.assign(上月发现问题数=previous["发现问题数"].values, 上月逾期数=previous["逾期数"].values)
    return pd.DataFrame(rows, columns=TREND_COLUMNS), last


def change_points(now, before) -> float | None:
    """Percentage points between two rates (None when either is unknown)."""
    if now is None or before is None or pd.isna(now) or pd.isna(before):
        return None
    return round((float(now) - float(before)) * 100, 1)
