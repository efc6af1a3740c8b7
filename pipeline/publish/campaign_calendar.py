"""The campaign calendar in the leaders' documents: 报送事项 sheet, month-on-month trend, bulletin sentences.

Hooks called by the monthly job and the rollup writer; each takes the frames computed in
campaign/ (milestones, trend) and only formats them.
"""
from __future__ import annotations

import datetime as dt

import pandas as pd

from ..campaign.milestones import LATE, MISSING, NOT_DUE, ON_TIME, milestone_grid
from ..campaign.trend import change_points, previous_period
from ..config import Config
from .bulletin import cn_date, named

STATUS_FILL = {ON_TIME: "#C6EFCE", LATE: "#FFE699", MISSING: "#FF9999", NOT_DUE: "#EDEDED"}


def _month(period: str) -> str:
    return f"{int(period[5:])}月"


def milestone_label(row) -> str:
    return f"{row['事项']}（{row['季度'][:4]}年第{row['季度'][-1]}季度）" if row["季度"] else row["事项"]


def add_calendar_sheets(book, milestones: pd.DataFrame | None, trend: pd.DataFrame | None) -> None:
    """The 总览 month-by-month chart and the 报送事项 sheet, when the job computed them."""
    if trend is not None and len(trend):
        _trend_chart(book, trend)
    if milestones is not None:
        _milestone_sheet(book, milestones)


def _trend_chart(book, trend: pd.DataFrame) -> None:
    ws = book.wb.get_worksheet_by_name("总览")
    if ws is None:
        return
    f = book.f
    top, left = 58, 9  # beside the other charts' data, below the printed area
    ws.write_row(top, left, ["月份", "整改率", "逾期未完成数"], f["head"])
    for i, r in enumerate(trend.itertuples(index=False), start=1):
        ws.write_string(top + i, left, _month(r.月份))
        if r.整改率 is None or pd.isna(r.整改率):
            ws.write_blank(top + i, left + 1, None)
        else:
            ws.write_number(top + i, left + 1, float(r.整改率), f["pct"])
        ws.write_number(top + i, left + 2, int(r.逾期未完成数))
    n = len(trend)
    chart = book.wb.add_chart({"type": "line"})
    chart.add_series({"name": "整改率", "categories": ["总览", top + 1, left, top + n, left],
                      "values": ["总览", top + 1, left + 1, top + n, left + 1], "marker": {"type": "circle"},
                      "line": {"color": "#2E75B6", "width": 2.25},
                      "data_labels": {"value": True, "num_format": "0%", "position": "above", "font": {"size": 8}}})
    chart.add_series({"name": "逾期未完成问题（右轴）", "categories": ["总览", top + 1, left, top + n, left],
                      "values": ["总览", top + 1, left + 2, top + n, left + 2], "marker": {"type": "square"},
                      "line": {"color": "#C00000", "width": 2.25, "dash_type": "dash"}, "y2_axis": True,
                      "data_labels": {"value": True, "position": "below", "font": {"size": 8}}})
    chart.set_y_axis({"num_format": "0%", "min": 0, "max": 1, "major_gridlines": {"visible": True}})
    chart.set_y2_axis({"min": 0})
    chart.set_legend({"position": "bottom"})
    chart.set_title({"name": "全区整改率和逾期未完成问题按月变化", "name_font": {"size": 10}})
    chart.set_size({"width": 340, "height": 290})
    ws.set_column(10, 13, 11)
    ws.insert_chart(2, 10, chart, {"x_offset": 8})  # beside the headline figures, inside the printed page


def _milestone_sheet(book, milestones: pd.DataFrame) -> None:
    ws = book.sheet("报送事项", "报送事项")
    grid = milestone_grid(milestones)
    ws.merge_range(0, 0, 0, max(1, len(grid.columns) - 1), "各单位报送事项（实施方案、阶段小结、整改方案、季度报告）",
                   book.f["title"])
    counts = milestones["状态"].value_counts()
    ws.write_string(1, 0, "　".join(f"{s}{int(counts.get(s, 0))}项" for s in (ON_TIME, LATE, MISSING, NOT_DUE))
                    + "（绿：按时；黄：迟报；红：未报；灰：未到期；—：该单位无须报送）", book.f["sub"])
    widths = {c: 14 for c in grid.columns}
    widths.update({"单位": 16, "单位类型": 12})
    first, last = book.table(ws, 2, grid, widths=widths)
    ws.set_row(2, 45)
    fills = {s: book.wb.add_format({"border": 1, "align": "center", "bg_color": c}) for s, c in STATUS_FILL.items()}
    for r, row in enumerate(grid.itertuples(index=False), start=first):
        for c, value in enumerate(row[2:], start=2):
            if value in fills:
                ws.write_string(r, c, value, fills[value])
    detail = milestones.assign(事项=milestones.apply(milestone_label, axis=1) if len(milestones) else "")
    ws = book.sheet("报送事项明细", "报送事项明细")
    ws.merge_range(0, 0, 0, 5, "报送事项明细（收到日期和文件）", book.f["title"])
    first, last = book.table(ws, 2, detail[["单位", "事项", "截止日期", "状态", "收到日期", "文件"]],
                             widths={"单位": 16, "事项": 26, "截止日期": 11, "状态": 8, "收到日期": 11, "文件": 60})
    for status, fill in fills.items():
        if last >= first:
            ws.conditional_format(first, 3, last, 3, {"type": "cell", "criteria": "==", "value": f'"{status}"',
                                                      "format": book.wb.add_format({"bg_color": STATUS_FILL[status]})})


def _change_text(points) -> str:
    if points is None:
        return ""
    if points > 0:
        return f"较上月提高{points:.1f}个百分点"
    if points < 0:
        return f"较上月下降{-points:.1f}个百分点"
    return "与上月持平"


def _pct(x) -> str:
    return "—" if x is None or pd.isna(x) else f"{float(x) * 100:.1f}%"


def add_month_on_month(context: dict, units: pd.DataFrame, trend: pd.DataFrame, milestones: pd.DataFrame,
                       config: Config, period: str, as_of: dt.date) -> dict:
    """The bulletin's month-on-month sentences and overdue milestone documents, added to its context."""
    out = dict(context)
    by_month = trend.set_index("月份")
    last = previous_period(period)
    overall = list(out.get("overall", []))
    if period in by_month.index and last in by_month.index:
        now, before = by_month.loc[period], by_month.loc[last]
        points = change_points(now["整改率"], before["整改率"])
        if points is not None:
            overdue_now, overdue_before = int(now["逾期未完成数"]), int(before["逾期未完成数"])
            trend_word = "减少" if overdue_now < overdue_before else "增加" if overdue_now > overdue_before else "持平"
            overall.insert(min(2, len(overall)),
                           f"与上月相比，全区整改率由{_pct(before['整改率'])}变为{_pct(now['整改率'])}，{_change_text(points)}；"
                           f"逾期未完成整改问题由{overdue_before}个{'变为' if trend_word == '持平' else trend_word + '到'}"
                           f"{overdue_now}个。")
    out["overall"] = overall

    rates = units.set_index("单位")

    def with_change(rows: list[dict]) -> list[dict]:
        result = []
        for r in rows:
            r = dict(r)
            if r["unit"] in rates.index:
                text = _change_text(change_points(rates.at[r["unit"], "整改率"], rates.at[r["unit"], "上月整改率"]))
                if text:
                    r["reason"] = f"{r['reason']}；整改率{text}"
            result.append(r)
        return result

    out["praised"] = with_change(out.get("praised", []))
    out["criticised"] = with_change(out.get("criticised", []))
    sentences = milestone_sentences(milestones, as_of)
    if sentences:
        out["reports"] = [*out.get("reports", []), *sentences]
    return out


def milestone_sentences(milestones: pd.DataFrame, as_of: dt.date) -> list[str]:
    """One sentence per due milestone naming the units late or missing with it."""
    due = milestones[(milestones["状态"].isin([LATE, MISSING]))]
    if due.empty:
        return []
    out = []
    labelled = due.assign(_label=due.apply(milestone_label, axis=1)).sort_values("截止日期", kind="stable")
    for label, part in labelled.groupby("_label", sort=False):
        deadline = dt.date.fromisoformat(part["截止日期"].iloc[0])
        late = part[part["状态"] == LATE]["单位"].tolist()
        missing = part[part["状态"] == MISSING]["单位"].tolist()
        bits = []
        if late:
            bits.append(f"迟报{len(late)}个（{named(late, '报送事项')}）")
        if missing:
            bits.append(f"截至{cn_date(as_of)}仍未报送{len(missing)}个（{named(missing, '报送事项')}）")
        out.append(f"{label}应于{cn_date(deadline)}前报送，{'，'.join(bits)}。")
    return out


def milestone_reminder_text(milestones: pd.DataFrame, as_of: dt.date) -> str:
    """Documents still owed, per unit, for the 催办清单 staff paste into emails."""
    owed = milestones[milestones["状态"] == MISSING]
    if owed.empty:
        return ""
    by_unit: dict[str, list[dict]] = {}
    for r in owed.to_dict("records"):  # a city has thousands of owed documents: no per-row Series
        by_unit.setdefault(r["单位"], []).append(r)
    blocks = []
    for unit, part in by_unit.items():
        lines = [f"{i}. {milestone_label(r)}（应于{cn_date(dt.date.fromisoformat(r['截止日期']))}前报送），尚未收到。"
                 for i, r in enumerate(part, start=1)]
        blocks.append(f"【{unit}】报送事项\n截至{cn_date(as_of)}，请贵单位尽快报送以下材料（文件名请写明单位名称和事项）：\n"
                      + "\n".join(lines))
    return "\n" + "\n\n".join(blocks) + "\n"
