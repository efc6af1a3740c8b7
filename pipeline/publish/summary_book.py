"""The summary workbook for leaders: category × nature, self-found vs groups, per unit and group, charts."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from schemas.vocab import NATURES
from ..campaign.summary import Summary
from .bulletin import cn_date
from .render import Book

ITEM_COLUMNS = ["单位", "检查单位", "编号", "被检查单位", "检查时间", "检查方式", "治理类别", "问题性质", "发现的问题",
                "整改时限", "状态", "完成时间", "逾期", "来源文件", "来源行"]


def span_text(s: Summary) -> str:
    a, b = s.span.start, s.span.end
    return f"{cn_date(a)}至{cn_date(b)}"


def _overview(book: Book, s: Summary) -> None:
    ws = book.sheet("总览", "总览")
    f = book.f
    ws.set_column(0, 11, 12)
    ws.merge_range(0, 0, 0, 11, s.span.title, f["title"])
    ws.set_row(0, 30)
    ws.write_string(1, 0, f"统计范围：检查时间在{span_text(s)}之间的问题；整改情况截至{cn_date(s.span.end)}", f["sub"])
    g = s.figures
    tiles = [("检查基层单位", g["inspected"]), ("发现问题", g["found"]), ("已销号", g["closed"]), ("整改率", g["rate"]),
             ("违纪违法问题", g["cases"]), ("未销号", g["open"]), ("逾期未完成", g["overdue"]),
             ("期间销号（含此前发现）", g["closed_in_span"])]
    book.tiles(ws, tiles, per_row=4, width=3)

    top = 45  # chart data below the printed area
    ws.write_string(top - 1, 0, "图表数据", f["sub"])
    cats = s.by_category
    ws.write_row(top, 0, ["治理类别", *NATURES[:-1]], f["head"])
    for i, r in enumerate(cats.itertuples(index=False), start=1):
        ws.write_string(top + i, 0, r.治理类别)
        for j, nature in enumerate(NATURES[:-1], start=1):
            ws.write_number(top + i, j, int(getattr(r, nature)))
    ws.write_row(top, 5, ["来源", "问题数"], f["head"])
    for i, r in enumerate(s.by_source.itertuples(index=False), start=1):
        ws.write_string(top + i, 5, r.来源)
        ws.write_number(top + i, 6, int(r.问题数))

    n = len(cats)
    col = book.wb.add_chart({"type": "column", "subtype": "stacked"})
    colors = ["#C00000", "#2E75B6", "#F4B183"]
    for j, nature in enumerate(NATURES[:-1], start=1):
        col.add_series({"name": nature, "categories": ["总览", top + 1, 0, top + n, 0],
                        "values": ["总览", top + 1, j, top + n, j], "fill": {"color": colors[j - 1]}})
    col.set_title({"name": "发现问题按治理类别和问题性质", "name_font": {"size": 12}})
    col.set_x_axis({"num_font": {"size": 8, "rotation": -30}})
    col.set_legend({"position": "bottom"})
    col.set_size({"width": 560, "height": 330})
    ws.insert_chart(10, 0, col)

    pie = book.wb.add_chart({"type": "pie"})
    pie.add_series({"name": "问题来源", "categories": ["总览", top + 1, 5, top + 3, 5],
                    "values": ["总览", top + 1, 6, top + 3, 6], "data_labels": {"percentage": True, "category": True},
                    "points": [{"fill": {"color": "#2E75B6"}}, {"fill": {"color": "#C55A11"}}, {"fill": {"color": "#A5A5A5"}}]})
    pie.set_title({"name": "自查发现与督查发现", "name_font": {"size": 12}})
    pie.set_legend({"position": "bottom"})
    pie.set_size({"width": 400, "height": 330})
    ws.insert_chart(10, 7, pie)
    ws.print_area(0, 0, top - 2, 12)


def _table_sheet(book: Book, name: str, heading: str, frame: pd.DataFrame, widths=None, kinds=None) -> None:
    ws = book.sheet(name, name)
    ws.merge_range(0, 0, 0, max(1, min(10, len(frame.columns) - 1)), heading, book.f["title"])
    first, last = book.table(ws, 2, frame, widths=widths or {}, kinds=kinds or {})
    ws.set_row(2, 32)


def _week_pages(book: Book, s: Summary) -> None:
    """One printed page per unit for the weekly meeting."""
    ws = book.sheet("逐单位", "周例会逐单位")
    cols = list(s.week.columns)
    widths = {"单位": 14, "事项": 10, "编号": 9, "检查单位": 14, "被检查单位": 14, "治理类别": 14, "发现的问题": 34,
              "整改时限": 11, "完成时间": 11, "状态": 10}
    for c, name in enumerate(cols):
        ws.set_column(c, c, widths.get(name, 12))
    row, breaks = 0, []
    text, head = book.f["text"], book.f["head"]
    for unit, part in s.week.groupby("单位", sort=False):
        if row:
            breaks.append(row)
        ws.merge_range(row, 0, row, len(cols) - 1, f"{unit}（{span_text(s)}）", book.f["title"])
        counts = part["事项"].value_counts()
        ws.write_string(row + 1, 0, "　".join(f"{k}{int(counts.get(k, 0))}个" for k in ("本周新发现", "本周已销号", "下周到期", "逾期未完成")),
                        book.f["sub"])
        ws.write_row(row + 2, 0, cols, head)
        for i, values in enumerate(part.itertuples(index=False), start=row + 3):
            for c, v in enumerate(values):
                if v is None or (isinstance(v, float) and v != v) or v is pd.NaT:
                    ws.write_blank(i, c, None, text)
                elif isinstance(v, pd.Timestamp):
                    ws.write_string(i, c, v.strftime("%Y-%m-%d"), text)
                else:
                    ws.write_string(i, c, str(v), text)
        row += len(part) + 4
    if breaks:
        ws.set_h_pagebreaks(breaks)
    if s.week.empty:
        ws.write_string(0, 0, "本周没有新发现、销号、下周到期或逾期的问题。")


def write_summary_book(path: Path, s: Summary) -> None:
    book = Book(path, s.span.title, f"{s.span.start}_{s.span.end}")
    _overview(book, s)
    pct = {"整改率": "pct", "占比": "pct"}
    _table_sheet(book, "分类统计", f"发现问题按治理类别和问题性质（{span_text(s)}）", s.by_category,
                 widths={"治理类别": 20}, kinds=pct)
    source = pd.concat([s.by_source.rename(columns={"来源": "类别"}).assign(分组="发现来源"),
                        s.by_method.rename(columns={"检查方式": "类别"}).assign(分组="检查方式")], ignore_index=True)
    _table_sheet(book, "自查与督查", f"自查自纠发现与专项治理小组督查发现（{span_text(s)}）",
                 source[["分组", "类别", "问题数", "占比", "已销号数", "整改率"]], widths={"分组": 10, "类别": 22}, kinds=pct)
    _table_sheet(book, "单位情况", f"各街道、部门发现和整改问题情况（{span_text(s)}）", s.by_unit,
                 widths={"单位": 16}, kinds=pct)
    _table_sheet(book, "专项治理小组", f"各专项治理小组检查、发现和督促整改情况（{span_text(s)}）", s.by_group,
                 widths={"专项治理小组": 18}, kinds=pct)
    widths = {"发现的问题": 34, "来源文件": 26, "单位": 12, "检查单位": 12, "被检查单位": 14, "治理类别": 14}
    _table_sheet(book, "新发现问题", f"期间新发现的问题（{span_text(s)}）", s.problems[ITEM_COLUMNS], widths=widths,
                 kinds={"检查时间": "date", "整改时限": "date", "完成时间": "date"})
    _table_sheet(book, "期间销号", f"期间整改销号的问题（完成时间在{span_text(s)}之间）", s.closed[ITEM_COLUMNS],
                 widths=widths, kinds={"检查时间": "date", "整改时限": "date", "完成时间": "date"})
    if s.span.kind == "week":
        _week_pages(book, s)
    book.wb.close()
