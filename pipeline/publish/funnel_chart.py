"""The funnel chart under the ranking table: each unit's 整改率 against its number of problems,
with its type's pooled rate and the 95 % limits, as native Excel scatter charts (one per type).

The chart data is written on the sheet below the charts, so leaders can trace every point.
"""
from __future__ import annotations

import pandas as pd

from ..ledger.funnel import funnel_curve

CHART_ROWS = 22  # rows a chart covers at the default row height


def add_funnel_charts(book, ws, sheet: str, ranking: pd.DataFrame, top: int) -> int:
    """Charts from row `top`, their data below; returns the first free row."""
    if ranking.empty:
        return top
    data_top = top + CHART_ROWS + 2
    ws.set_h_pagebreaks([top - 1])  # the charts print on a page of their own, not cut across two
    ws.write_string(data_top - 1, 0, "漏斗图数据（问题数越多，偶然波动越小，上下限越靠近同类平均）", book.f["sub"])
    row, col = data_top, 0
    for i, (typ, part) in enumerate(ranking.groupby("单位类型", sort=False)):
        part = part[part["发现问题数"] > 0].sort_values("发现问题数", kind="stable")
        pooled = part["同类整改率"].dropna()
        if part.empty or pooled.empty:
            continue
        p0 = float(pooled.iloc[0])
        curve = funnel_curve(p0, int(part["发现问题数"].max()))
        ws.write_row(row, col, [f"{typ}单位", "发现问题数", "整改率", "点名批评"], book.f["head"])
        for j, u in enumerate(part.itertuples(index=False), start=1):
            ws.write_string(row + j, col, u.单位)
            ws.write_number(row + j, col + 1, int(u.发现问题数))
            ws.write_number(row + j, col + 2, float(u.整改率), book.f["pct"])
            if u.低于漏斗下限 == "是":
                ws.write_number(row + j, col + 3, float(u.整改率), book.f["pct"])
        units_end = row + len(part)
        ws.write_row(row, col + 6, ["问题数", "95%下限", "95%上限", "同类平均"], book.f["head"])
        for j, (n, low, high) in enumerate(curve, start=1):
            ws.write_number(row + j, col + 6, n)
            ws.write_number(row + j, col + 7, low, book.f["pct"])
            ws.write_number(row + j, col + 8, high, book.f["pct"])
            ws.write_number(row + j, col + 9, p0, book.f["pct"])
        curve_end = row + len(curve)

        chart = book.wb.add_chart({"type": "scatter"})
        x_units = [sheet, row + 1, col + 1, units_end, col + 1]
        chart.add_series({"name": "各单位", "categories": x_units, "values": [sheet, row + 1, col + 2, units_end, col + 2],
                          "marker": {"type": "circle", "size": 6, "fill": {"color": "#2E75B6"}, "border": {"none": True}}})
        chart.add_series({"name": "点名批评", "categories": x_units, "values": [sheet, row + 1, col + 3, units_end, col + 3],
                          "marker": {"type": "diamond", "size": 9, "fill": {"color": "#C00000"}, "border": {"none": True}}})
        x_curve = [sheet, row + 1, col + 6, curve_end, col + 6]
        for k, (name, color, dash) in enumerate((("95%下限", "#C00000", "dash"), ("95%上限", "#70AD47", "dash"),
                                                 ("同类平均", "#7F7F7F", "solid")), start=7):
            chart.add_series({"name": name, "categories": x_curve, "values": [sheet, row + 1, col + k, curve_end, col + k],
                              "line": {"color": color, "width": 1.5, "dash_type": dash}, "marker": {"type": "none"}})
        chart.set_title({"name": f"{typ}整改率漏斗图（同类平均{p0:.0%}）", "name_font": {"size": 12}})
        chart.set_x_axis({"name": "发现问题数", "min": 0, "major_gridlines": {"visible": False}})
        chart.set_y_axis({"name": "整改率", "min": 0, "max": 1, "num_format": "0%", "major_gridlines": {"visible": True}})
        chart.set_legend({"position": "bottom"})
        chart.set_size({"width": 620, "height": 400})
        ws.insert_chart(top, 0, chart, {"x_offset": 10 + 640 * i})
        row = max(units_end, curve_end) + 2
    return row
