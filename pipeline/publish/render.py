"""The district rollup workbook leaders read: overview with charts, then one formatted table a sheet.

Every table has a frozen header and a filter and prints on A4 landscape with repeated headers,
the title and period in the page header and page numbers in the footer. Text from units is always
written as text (`strings_to_formulas` off and write_string), so `=HYPERLINK(...)` stays inert.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from schemas.vocab import CATEGORIES, NATURES
from .bulletin import cn_date, cn_month, current_phase, upcoming_deadlines, with_source
from .campaign_calendar import add_calendar_sheets
from .plan_book import add_plan_status_sheet
from .accountability import add_accountability_sheets
from ..config import Config
from ..ledger.rank import formula_line
from ..printing import a4_landscape
from .funnel_chart import add_funnel_charts
from ..table_sheet import TableWorkbook
from ..textnorm import printable
from ..ledger.reconcile import OPEN

WARNING_FILL = {"红": "#FF9999", "黄": "#FFE699", "绿": "#C6EFCE"}


def rollup_name(period: str) -> str:
    return f"全区专项治理微腐败工作月度汇总（{cn_month(period)}）.xlsx"


class Book:
    """Thin helpers over an xlsxwriter workbook so every sheet gets the same print setup."""

    def __init__(self, path: Path, title: str, period: str):
        self.wb = TableWorkbook(str(path), {"strings_to_formulas": False, "strings_to_urls": False,
                                            "strings_to_numbers": False, "nan_inf_to_errors": True})
        self.wb.set_properties({"title": title, "created": dt.datetime(2000, 1, 1)})
        self.title, self.period = title, period
        f = self.wb.add_format
        self.f = {
            "title": f({"bold": True, "font_size": 16, "align": "center", "valign": "vcenter"}),
            "sub": f({"italic": True, "font_color": "#595959"}),
            "head": f({"bold": True, "bg_color": "#1F4E78", "font_color": "#FFFFFF", "border": 1, "text_wrap": True,
                       "valign": "vcenter", "align": "center"}),
            "text": f({"border": 1, "valign": "top", "text_wrap": True}),
            "num": f({"border": 1, "valign": "top", "num_format": "0"}),
            "dec": f({"border": 1, "valign": "top", "num_format": "0.0"}),
            "pct": f({"border": 1, "valign": "top", "num_format": "0.0%"}),
            "date": f({"border": 1, "valign": "top", "num_format": "yyyy-mm-dd"}),
            "total": f({"bold": True, "border": 1, "bg_color": "#D9E1F2", "num_format": "0"}),
            "total_pct": f({"bold": True, "border": 1, "bg_color": "#D9E1F2", "num_format": "0.0%"}),
            "big": f({"bold": True, "font_size": 20, "align": "center", "valign": "vcenter", "border": 1,
                      "font_color": "#1F4E78"}),
            "big_pct": f({"bold": True, "font_size": 20, "align": "center", "valign": "vcenter", "border": 1,
                          "font_color": "#1F4E78", "num_format": "0.0%"}),
            "label": f({"align": "center", "valign": "vcenter", "border": 1, "bg_color": "#DDEBF7", "text_wrap": True}),
            "wrap": f({"text_wrap": True, "valign": "top"}),
            "red": f({"bg_color": WARNING_FILL["红"]}),
            "yellow": f({"bg_color": WARNING_FILL["黄"]}),
            "green": f({"bg_color": WARNING_FILL["绿"]}),
            "bad": f({"bg_color": "#FFC7CE", "font_color": "#9C0006"}),
            "good": f({"bg_color": "#C6EFCE", "font_color": "#006100"}),
        }
        for name, color in WARNING_FILL.items():
            self.f[f"w_{name}"] = f({"border": 1, "valign": "top", "bg_color": color, "align": "center"})

    def tiles(self, ws, tiles: list[tuple[str, object]], *, per_row: int, width: int, top: int = 3) -> None:
        """The big figures at the top of an overview: a label over a number; 整改率 as a percentage."""
        f = self.f
        for i, (label, value) in enumerate(tiles):
            r, c = top + (i // per_row) * 3, (i % per_row) * width
            ws.merge_range(r, c, r, c + width - 1, label, f["label"])
            rate = label == "整改率"
            ws.merge_range(r + 1, c, r + 1, c + width - 1, None, f["big_pct" if rate else "big"])
            if rate and (value is None or pd.isna(value)):
                ws.write_string(r + 1, c, "—", f["big"])
            elif rate:
                ws.write_number(r + 1, c, float(value), f["big_pct"])
            else:
                ws.write_number(r + 1, c, int(value), f["big"])
            ws.set_row(r + 1, 34)

    def warning_fills(self) -> dict:
        """预警 cells in their colour: 红, 黄, 绿."""
        return {name: self.f[f"w_{name}"] for name in WARNING_FILL}

    def cut_note(self, ws, shown: int, total: int, where: str) -> None:
        """A leader's sheet holds what can be read; the line above the table says where the rest is."""
        if total > shown:
            ws.write_string(1, 0, f"共{total}条，本表按紧急程度列出前{shown}条，其余{total - shown}条见{where}。",
                            self.f["sub"])

    def sheet(self, name: str, heading: str):
        ws = self.wb.add_worksheet(name)
        a4_landscape(ws, f"&L{self.title}&R{heading}")
        return ws

    def _column(self, series: pd.Series, kind: str):
        """(values, writer name, format) for a whole column, decided once rather than per cell."""
        if kind == "date":
            days = pd.to_datetime(series, errors="coerce")
            return [None if pd.isna(d) else d.to_pydatetime() for d in days], "write_datetime", self.f["date"]
        if kind in ("pct", "dec") or pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series):
            values = pd.to_numeric(series, errors="coerce").astype(float)
            fmt = self.f["pct" if kind == "pct" else "dec" if kind == "dec" else "num"]
            return [None if v != v else v for v in values.tolist()], "write_number", fmt
        values = series.tolist()
        try:
            distinct = set(values)
        except TypeError:  # a value that cannot be a dictionary key (a list): each value on its own
            distinct = None
        if distinct is not None and all(type(v) is str or v is None or (type(v) is float and v != v) for v in distinct):
            # names, statuses and files repeat down a column: each distinct text is cleaned once
            shown = {v: printable(v) if type(v) is str else None for v in distinct}
            return list(map(shown.__getitem__, values)), "write_string", self.f["text"]
        return [None if v is None or (isinstance(v, float) and v != v) else printable(v if type(v) is str else str(v))
                for v in values], "write_string", self.f["text"]

    def table(self, ws, top: int, frame: pd.DataFrame, widths: dict[str, int] | None = None,
              kinds: dict[str, str] | None = None, fills: dict[str, dict] | None = None) -> tuple[int, int]:
        """Header at `top`, data below, a filter over it, frozen and repeated when printed.

        Columns given a width wrap, and their rows are made tall enough that nothing is cut off;
        `fills`: per column, the format of a cell holding a given value (预警 红/黄/绿 in colour).
        """
        kinds, widths, fills = kinds or {}, widths or {}, fills or {}
        ncol = len(frame.columns)
        blank = self.f["text"]
        texts, text_widths = [], []
        for c, col in enumerate(frame.columns):
            kind = kinds.get(col, "text")
            values, writer, fmt = self._column(frame[col], kind)
            text = writer == "write_string"
            width = widths.get(col, max(6, min(16, len(col) * 2 + 2)) if text else 8)
            ws.write_string(top, c, col, self.f["head"])
            ws.set_column(c, c, width)
            filled = fills.get(col)
            formats = [filled.get(value, fmt) for value in values] if filled else [fmt] * len(values)
            ws.put_column(top + 1, c, values, writer.removeprefix("write_"), formats, blank)
            if text:
                texts.append(values)
                text_widths.append(width)
        ws.fit_rows(top + 1, texts, text_widths)
        last = top + max(1, len(frame))
        ws.autofilter(top, 0, last, ncol - 1)
        ws.freeze_panes(top + 1, 0)
        ws.repeat_rows(top)
        return top + 1, top + len(frame)


def _overview(book: Book, units, district, config: Config, period: str, as_of: dt.date) -> None:
    ws = book.sheet("总览", "总览")
    f = book.f
    ws.set_column(0, 9, 13)
    ws.merge_range(0, 0, 0, 9, book.title, f["title"])
    ws.set_row(0, 30)
    ws.write_string(1, 0, f"统计截至{cn_date(as_of)}　当前阶段：{current_phase(config, as_of)}", f["sub"])
    total = district.set_index("范围").loc["全区合计"]
    tiles = [("受检基层单位", total["受检基层单位数"]), ("发现问题", total["发现问题数"]), ("已销号", total["已销号数"]),
             ("整改率", total["整改率"]), ("逾期未完成", total["逾期数"]),
             ("月报按时", total["月报按时单位数"]), ("月报迟报", total["月报迟报单位数"]), ("月报未报", total["月报未报单位数"]),
             ("正在整改", total["整改中数"]), ("未建整改台账", total["未建整改台账数"])]
    book.tiles(ws, tiles, per_row=5, width=2)
    ws.write_string(10, 0, "近期时间节点", f["label"])
    for i, text in enumerate(upcoming_deadlines(config, as_of, period)):
        ws.merge_range(11 + i, 0, 11 + i, 9, f"· {text}", f["wrap"])

    # chart data lives on the sheet itself, below the charts, so the charts stay native and traceable
    data_top = 58
    ws.write_string(data_top - 1, 0, "图表数据", f["sub"])
    ranked = units[units["单位类型"] != "专项治理小组"].sort_values("整改率", na_position="first", kind="stable")
    ws.write_row(data_top, 0, ["单位", "整改率"], f["head"])
    for i, r in enumerate(ranked.itertuples(index=False), start=1):
        ws.write_string(data_top + i, 0, r.单位)
        ws.write_number(data_top + i, 1, 0 if r.整改率 is None or pd.isna(r.整改率) else float(r.整改率), f["pct"])
    n = len(ranked)
    ws.write_row(data_top, 3, ["治理类别", "问题数"], f["head"])
    for i, cat in enumerate(CATEGORIES, start=1):
        ws.write_string(data_top + i, 3, cat)
        ws.write_number(data_top + i, 4, int(total[f"类别_{cat}"]))
    ws.write_row(data_top, 6, ["预警", "问题数"], f["head"])
    for i, (label, col) in enumerate((("红色（逾期）", "红色预警数"), ("黄色（10日内到期）", "黄色预警数"),
                                      ("绿色（20日内到期）", "绿色预警数")), start=1):
        ws.write_string(data_top + i, 6, label)
        ws.write_number(data_top + i, 7, int(total[col]))

    bar = book.wb.add_chart({"type": "bar"})
    bar.add_series({"name": "整改率", "categories": ["总览", data_top + 1, 0, data_top + n, 0],
                    "values": ["总览", data_top + 1, 1, data_top + n, 1], "fill": {"color": "#2E75B6"},
                    "data_labels": {"value": True, "num_format": "0%", "font": {"size": 7}}})
    bar.set_title({"name": "各街道、部门整改率", "name_font": {"size": 12}})
    bar.set_x_axis({"num_format": "0%", "min": 0, "max": 1, "major_gridlines": {"visible": True}})
    bar.set_y_axis({"num_font": {"size": 7}, "interval_unit": 1})
    bar.set_legend({"none": True})
    bar.set_size({"width": 560, "height": max(420, 14 * n + 80)})
    ws.insert_chart(16, 0, bar)

    col = book.wb.add_chart({"type": "column"})
    col.add_series({"name": "问题数", "categories": ["总览", data_top + 1, 3, data_top + 8, 3],
                    "values": ["总览", data_top + 1, 4, data_top + 8, 4], "fill": {"color": "#C55A11"},
                    "data_labels": {"value": True}})
    col.set_title({"name": "发现问题按治理类别", "name_font": {"size": 12}})
    col.set_x_axis({"num_font": {"size": 8, "rotation": -30}})
    col.set_legend({"none": True})
    col.set_size({"width": 520, "height": 300})
    ws.insert_chart(16, 6, col)

    pie = book.wb.add_chart({"type": "column"})
    pie.add_series({"name": "预警", "categories": ["总览", data_top + 1, 6, data_top + 3, 6],
                    "values": ["总览", data_top + 1, 7, data_top + 3, 7], "data_labels": {"value": True},
                    "points": [{"fill": {"color": "#E06666"}}, {"fill": {"color": "#F6B26B"}}, {"fill": {"color": "#93C47D"}}]})
    pie.set_title({"name": "未销号问题预警", "name_font": {"size": 12}})
    pie.set_legend({"none": True})
    pie.set_size({"width": 520, "height": 260})
    ws.insert_chart(33, 6, pie)
    ws.print_area(0, 0, data_top - 2, 13)


UNIT_COLUMNS = ["单位", "单位类型", "受检基层单位数", "发现问题数", "已销号数", "整改中数", "未建整改台账数", "逾期数",
                "整改率", "红色预警数", "黄色预警数", "本月新发现问题数", "自查发现数", "督查发现数", "无对应检查记录数",
                "制度机制建设数", "月报报送", "月报与台账一致", "检查发现问题数", "检查发现已销号数", "检查发现整改率"]


def _units(book: Book, units: pd.DataFrame, district: pd.DataFrame) -> None:
    ws = book.sheet("单位情况", "单位情况")
    ws.merge_range(0, 0, 0, 10, f"各单位专项治理工作情况（{cn_month(book.period)}）", book.f["title"])
    frame = units[UNIT_COLUMNS]
    kinds = {"整改率": "pct", "检查发现整改率": "pct"}
    first, last = book.table(ws, 2, frame, widths={"单位": 14, "单位类型": 8, "月报报送": 6, "月报与台账一致": 7},
                             kinds=kinds)
    ws.set_row(2, 45)
    col = {c: i for i, c in enumerate(frame.columns)}
    if last >= first:
        ws.conditional_format(first, col["逾期数"], last, col["逾期数"],
                              {"type": "cell", "criteria": ">", "value": 0, "format": book.f["bad"]})
        ws.conditional_format(first, col["整改率"], last, col["整改率"],
                              {"type": "3_color_scale", "min_color": "#F8696B", "mid_color": "#FFEB84", "max_color": "#63BE7B"})
        ws.conditional_format(first, col["月报报送"], last, col["月报报送"],
                              {"type": "cell", "criteria": "==", "value": '"未报"', "format": book.f["bad"]})
        ws.conditional_format(first, col["月报与台账一致"], last, col["月报与台账一致"],
                              {"type": "cell", "criteria": "==", "value": '"否"', "format": book.f["bad"]})
    r = last + 2
    for row in district.itertuples(index=False):
        ws.write_string(r, 0, row.范围, book.f["total"])
        ws.write_string(r, 1, f"{row.单位数}个单位", book.f["total"])
        for name in UNIT_COLUMNS[2:]:
            c = col[name]
            if name == "整改率":
                value = row.整改率
                if value is None or pd.isna(value):
                    ws.write_string(r, c, "—", book.f["total"])
                else:
                    ws.write_number(r, c, float(value), book.f["total_pct"])
            elif hasattr(row, name) and name.endswith("数"):
                ws.write_number(r, c, int(getattr(row, name)), book.f["total"])
            else:
                ws.write_blank(r, c, None, book.f["total"])
        r += 1
    ws.write_string(r + 1, 0, "注：合计按各单位问题数汇总，整改率由合计数重新计算；专项治理小组发现的问题计入被检查单位所属街道、部门。",
                    book.f["sub"])


def _ranking(book: Book, ranking: pd.DataFrame, config: Config) -> None:
    ws = book.sheet("排名", "排名")
    ws.merge_range(0, 0, 0, 9, "街道、部门推进情况排名（分别排名）", book.f["title"])
    ws.write_string(1, 0, formula_line(config), book.f["sub"])
    cols = ["单位类型", "排名", "单位", "得分", "通报类别", "理由", "整改率分", "逾期分", "报送分", "质量分", "力度分",
            "社会评价分", "按整改率评分", "零空白", "按社会评价评分", "发现问题数", "已销号数", "整改率", "同类整改率",
            "漏斗下限", "低于漏斗下限", "问卷样本数", "满意率", "满意率下限", "逾期数", "月报报送", "退回次数"]
    frame = ranking[[c for c in cols if c in ranking.columns]]
    first, last = book.table(ws, 2, frame, widths={"单位": 16, "理由": 60, "通报类别": 9},
                             kinds={"整改率": "pct", "得分": "dec", "整改率分": "dec", "逾期分": "dec", "报送分": "dec",
                                    "质量分": "dec", "力度分": "dec", "社会评价分": "dec", "同类整改率": "pct",
                                    "漏斗下限": "pct", "满意率": "pct", "满意率下限": "pct"})
    add_funnel_charts(book, ws, "排名", ranking, last + 3)
    ws.set_row(2, 30)
    c = cols.index("通报类别")
    if last >= first:
        ws.conditional_format(first, c, last, c, {"type": "cell", "criteria": "==", "value": '"点名批评"', "format": book.f["bad"]})
        ws.conditional_format(first, c, last, c, {"type": "cell", "criteria": "==", "value": '"表扬"', "format": book.f["good"]})


OPEN_COLUMNS = ["预警", "单位", "检查单位", "编号", "被检查单位", "治理类别", "问题性质", "发现的问题", "整改时限",
                "距整改时限天数", "逾期天数", "状态", "整改责任人", "来源文件", "来源行", "整改来源文件", "整改来源行", "备注"]


def detail_rows(config: Config) -> int:
    """How many rows a detail sheet of the leaders' workbook lists at most (config [limits])."""
    return int(config.campaign.limits.get("rollup_detail_rows", 20000))


def urgent_open_items(items: pd.DataFrame, limit: int) -> tuple[pd.DataFrame, int]:
    """The open items a leader reads first, at most `limit`: red first, the longest overdue first
    within it, then by deadline; and how many are open in all."""
    order = {"红": 0, "黄": 1, "绿": 2, "无": 3}
    # ordered on the keys alone, then only the listed rows taken: a province has millions open
    keys = items.loc[items["状态"].isin(OPEN), ["预警", "逾期天数", "整改时限", "单位"]]
    keys = keys.assign(_w=keys["预警"].map(order), _late=-keys["逾期天数"])
    listed = keys.sort_values(["_w", "_late", "整改时限", "单位"], kind="stable").index[:limit]
    return items.loc[listed, OPEN_COLUMNS], len(keys)


def urgent_reminders(reminders: pd.DataFrame, limit: int) -> tuple[pd.DataFrame, int]:
    """The 催办 rows as the sheet lists them (with_source), the most urgent `limit` of them still
    grouped by unit; and how many there are."""
    if len(reminders) <= limit:
        return with_source(reminders), len(reminders)
    urgency = reminders["事项"].map({"月报表未报送": 0, "逾期未完成整改": 1}).fillna(2)
    kept = urgency.sort_values(kind="stable").index[:limit]
    return with_source(reminders.loc[sorted(kept)]), len(reminders)


def _open_items(book: Book, frame: pd.DataFrame, total: int) -> None:
    ws = book.sheet("未销号问题", "未销号问题")
    ws.merge_range(0, 0, 0, 10, "未销号问题清单（红：逾期未完成；黄：10日内到期；绿：20日内到期）", book.f["title"])
    book.cut_note(ws, len(frame), total, "data/items.csv（状态为“未建整改台账”或“整改中”）")
    book.table(ws, 2, frame, kinds={"整改时限": "date"},
               widths={"预警": 5, "单位": 12, "检查单位": 12, "编号": 9, "被检查单位": 12, "治理类别": 12, "问题性质": 8,
                       "发现的问题": 28, "整改时限": 11, "状态": 9, "整改责任人": 12, "来源文件": 22, "来源行": 11,
                       "整改来源文件": 22, "整改来源行": 11, "备注": 16},
               fills={"预警": book.warning_fills()})
    ws.set_row(2, 30)


def _reports(book: Book, units: pd.DataFrame) -> None:
    ws = book.sheet("月报报送", "月报报送")
    ws.merge_range(0, 0, 0, 6, f"{cn_month(book.period)}月报表报送及与台账核对情况", book.f["title"])
    frame = units[["单位", "单位类型", "月报报送", "月报收到日期", "月报与台账一致", "月报差异", "在用台账"]]
    first, last = book.table(ws, 2, frame, widths={"单位": 16, "月报差异": 50, "在用台账": 40, "月报收到日期": 12})
    if last >= first:
        for value, fmt in (('"未报"', "bad"), ('"迟报"', "yellow"), ('"按时"', "good")):
            ws.conditional_format(first, 2, last, 2, {"type": "cell", "criteria": "==", "value": value, "format": book.f[fmt]})
        ws.conditional_format(first, 4, last, 4, {"type": "cell", "criteria": "==", "value": '"否"', "format": book.f["bad"]})


def _categories(book: Book, units: pd.DataFrame) -> None:
    ws = book.sheet("分类统计", "分类统计")
    ws.merge_range(0, 0, 0, 10, "发现问题分类统计（按治理类别、问题性质）", book.f["title"])
    frame = units[units["单位类型"] != "专项治理小组"][["单位", "单位类型", "发现问题数",
                                                     *[f"类别_{c}" for c in CATEGORIES], *[f"{n}数" for n in NATURES[:-1]]]]
    frame = frame.rename(columns={f"类别_{c}": c for c in CATEGORIES})
    first, last = book.table(ws, 2, frame, widths={"单位": 16})
    ws.set_row(2, 45)
    r = last + 1
    ws.write_string(r, 0, "合计", book.f["total"])
    ws.write_string(r, 1, "", book.f["total"])
    for c in range(2, len(frame.columns)):
        ws.write_number(r, c, int(frame.iloc[:, c].sum()), book.f["total"])


def _quality(book: Book, manifest: pd.DataFrame) -> None:
    ws = book.sheet("数据质量", "数据质量")
    counts = manifest["结果"].value_counts()
    summary = "，".join(f"{k}{int(counts.get(k, 0))}个" for k in ("已采用", "已被替代", "已退回", "重复文件", "已忽略"))
    ws.merge_range(0, 0, 0, 7, f"收到文件及审核情况：共{len(manifest)}个，{summary}", book.f["title"])
    frame = manifest[["文件", "收到日期", "单位", "结果", "错误数", "疑问数", "说明", "回执"]]
    first, last = book.table(ws, 2, frame, widths={"文件": 40, "说明": 70, "回执": 40, "收到日期": 11, "单位": 14})
    if last >= first:
        ws.conditional_format(first, 3, last, 3, {"type": "cell", "criteria": "==", "value": '"已退回"', "format": book.f["bad"]})


def _reminders(book: Book, reminders: pd.DataFrame, total: int) -> None:
    ws = book.sheet("催办", "催办")
    ws.merge_range(0, 0, 0, 8, "催办清单：逾期未完成、即将到期的问题和未报送月报的单位", book.f["title"])
    book.cut_note(ws, len(reminders), total, "催办清单.txt")
    book.table(ws, 2, reminders, widths={"单位": 14, "事项": 14, "被检查单位": 14, "说明": 24, "来源": 50},
               fills={"预警": book.warning_fills()})


def _edits(book: Book, edits) -> None:
    """Per unit: what resubmissions added, removed and changed, and the goalposts moved."""
    if edits is None or edits.empty:
        return
    ws = book.sheet("台账修改情况", "各单位重报台账的修改情况")
    ws.write_string(0, 0, "各单位重报台账与上一份通过审核的台账相比的修改条数（明细见 data/changes.csv）", book.f["title"])
    book.table(ws, 2, edits, widths={"单位": 18})


def write_rollup(path: Path, *, units, district, ranking, open_items: tuple[pd.DataFrame, int], manifest,
                 reminders: tuple[pd.DataFrame, int], config: Config, period: str, as_of: dt.date, milestones=None,
                 trend=None, edits=None, plan_status=None, accountability=None, recurrence_total=None) -> None:
    """The leaders' workbook. `open_items` and `reminders`: (rows to list, how many in all), as
    urgent_open_items and urgent_reminders cut them (the job passes only what is written);
    `recurrence_total`: the same for accountability.recurrence (urgent_recurrence)."""
    title = f"{config.campaign.district}专项治理“微腐败”工作月度汇总（{cn_month(period)}）"
    book = Book(path, title, period)
    _overview(book, units, district, config, period, as_of)
    _units(book, units, district)
    _ranking(book, ranking, config)
    _open_items(book, *open_items)
    _reports(book, units)
    _categories(book, units)
    _quality(book, manifest)
    _reminders(book, *reminders)
    add_calendar_sheets(book, milestones, trend)
    _edits(book, edits)
    add_plan_status_sheet(book, plan_status)
    add_accountability_sheets(book, accountability, recurrence_total)
    book.wb.close()
