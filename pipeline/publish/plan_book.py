"""The inspection plan's workbook for the groups (A4, seed and rules printed) and the rollup's execution sheet."""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pandas as pd
import xlsxwriter

from ..campaign.plan import ALGORITHM, CROSS, SPOT, Plan, settings
from ..campaign.plan_status import DONE, NOT_DONE
from ..config import Config
from ..printing import a4_landscape
from ..textnorm import printable


def cn_period(period: str) -> str:
    year, month = period.split("-")
    return f"{year}年{int(month)}月"


def plan_book_name(period: str) -> str:
    return f"检查计划（{cn_period(period)}）.xlsx"


def _width(text: str) -> int:
    return (len(text.encode("utf-8")) + len(text)) // 2


class _Sheets:
    """A few formats and one table writer: text stays text, long cells wrap, headers repeat on print."""

    def __init__(self, path: Path, title: str, seed: str):
        self.wb = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_urls": False,
                                                  "strings_to_numbers": False})
        self.wb.set_properties({"title": title, "created": dt.datetime(2000, 1, 1)})
        self.title, self.seed = title, seed
        f = self.wb.add_format
        self.f = {
            "title": f({"bold": True, "font_size": 15, "align": "center", "valign": "vcenter"}),
            "sub": f({"font_color": "#404040", "text_wrap": True, "valign": "top"}),
            "key": f({"bold": True, "border": 1, "bg_color": "#DDEBF7", "valign": "top", "text_wrap": True}),
            "head": f({"bold": True, "bg_color": "#1F4E78", "font_color": "#FFFFFF", "border": 1, "text_wrap": True,
                       "valign": "vcenter", "align": "center"}),
            "text": f({"border": 1, "valign": "top", "text_wrap": True}),
            "num": f({"border": 1, "valign": "top", "num_format": "0"}),
            "seed": f({"bold": True, "border": 1, "font_size": 14, "font_color": "#C00000", "valign": "top"}),
        }
        self.used: set[str] = set()

    def sheet(self, name: str, heading: str):
        name = re.sub(r"[\[\]:*?/\\]", "", name)[:31] or "表"
        base, n = name, 2
        while name in self.used:
            name = f"{base[:28]}_{n}"
            n += 1
        self.used.add(name)
        ws = self.wb.add_worksheet(name)
        a4_landscape(ws, f"&L{self.title}&C{heading}&R随机种子 {self.seed}")
        return ws

    def table(self, ws, top: int, frame: pd.DataFrame, widths: dict[str, int], min_lines: int = 1) -> int:
        lines = [min_lines] * len(frame)
        for c, col in enumerate(frame.columns):
            width = widths.get(col, 12)
            ws.set_column(c, c, width)
            ws.write_string(top, c, col, self.f["head"])
            for i, value in enumerate(frame[col].tolist()):
                if isinstance(value, (int, float)) and not isinstance(value, bool) and value == value:
                    ws.write_number(top + 1 + i, c, value, self.f["num"])
                elif value is None or (isinstance(value, float) and value != value) or value == "":
                    ws.write_blank(top + 1 + i, c, None, self.f["text"])
                else:
                    text = printable(str(value))
                    ws.write_string(top + 1 + i, c, text, self.f["text"])
                    lines[i] = max(lines[i], -(-_width(text) // max(1, width - 1)))
        for i, n in enumerate(lines):
            if n > 1:
                ws.set_row(top + 1 + i, 17 * min(n, 10) + 2)
        ws.repeat_rows(top)
        ws.freeze_panes(top + 1, 0)
        return top + 1 + len(frame)


def _cover(book: _Sheets, plan: Plan, config: Config, seed_note: str) -> None:
    s = settings(config)
    ws = book.sheet("说明", "说明")
    ws.set_column(0, 0, 16)
    ws.set_column(1, 1, 110)
    ws.merge_range(0, 0, 0, 1, book.title, book.f["title"])
    ws.set_row(0, 30)
    spot = plan.rows[plan.rows["检查方式"] == SPOT]
    cross = plan.rows[plan.rows["检查方式"] == CROSS]
    weights = (f"每个基层单位基础权重1；每个逾期未销号问题+{s['weight_overdue']}（最多计3个）；每条核实属实或部分属实的信访线索"
               f"+{s['weight_clue']}（最多计2条）；承诺存疑+{s['weight_doubtful_commitment']}；缺承诺"
               f"+{s['weight_missing_commitment']}；从未被专项治理小组检查+{s['weight_never_inspected']}；近{s['recent_days']}天"
               f"未受任何检查+{s['weight_not_recent']}。数据为计划日期当天收件箱中已采用的台账"
               "（承诺书、信访举报登记表有数据时计入）。各单位权重及依据见“抽取名单”表。")
    facts = [
        ("随机种子", plan.seed),
        ("种子来源", seed_note),
        ("计划月份", cn_period(plan.period)),
        ("数据截止", plan.as_of.isoformat()),
        ("完成时限", plan.deadline.isoformat()),
        ("计划数量", f"随机抽查{len(spot)}项（{len(spot.groupby('检查单位'))}个专项治理小组，每组{s['spot_checks_per_group']}个基层单位）；"
                  f"交叉检查{len(cross)}项（每个街道、部门检查对方{s['cross_checks_per_unit']}个基层单位）。"),
        ("抽取权重", weights),
        *[(f"抽取规则{i}", text) for i, text in enumerate(ALGORITHM, start=1)],
        *[("抽取结果", note) for note in plan.notes],
        ("如何核对", "任何人可用同一随机种子、“抽取名单”的顺序和权重重新计算：“抽取过程”表列出每一步用到的随机数、剩余总权重、"
                  "余数和抽中的单位；同一收件箱、配置、月份和种子重新运行 make plan，得到逐字节相同的检查计划.csv。"),
        ("执行要求", "各检查单位在完成时限前完成检查，并在本单位检查台账中登记：被检查单位填基层单位名称，检查方式填"
                  "“随机抽查”或“交叉检查”，检查时间在本月内；月度处理时据此判断计划是否已执行。"),
    ]
    r = 2
    for key, value in facts:
        ws.write_string(r, 0, key, book.f["key"])
        ws.write_string(r, 1, printable(value), book.f["seed"] if key == "随机种子" else book.f["text"])
        ws.set_row(r, 17 * max(1, -(-_width(value) // 96)) + 3)
        r += 1


def write_plan_book(path: Path, plan: Plan, config: Config, seed_note: str) -> None:
    """说明, 交叉检查, one sheet per group, 抽取名单 and 抽取过程; every sheet prints on A4 with the seed."""
    title = f"{config.campaign.district}专项治理“微腐败”工作{cn_period(plan.period)}检查计划"
    book = _Sheets(path, title, plan.seed)
    _cover(book, plan, config, seed_note)
    rows = plan.rows
    cross = rows[rows["检查方式"] == CROSS][["计划编号", "检查单位", "被检查单位", "所属单位", "完成时限", "抽取依据"]]
    ws = book.sheet("交叉检查", "交叉检查")
    ws.merge_range(0, 0, 0, 5, f"{cn_period(plan.period)}交叉检查计划（随机种子 {plan.seed}）", book.f["title"])
    book.table(ws, 2, cross, {"计划编号": 11, "检查单位": 16, "被检查单位": 16, "所属单位": 16, "完成时限": 11,
                              "抽取依据": 70})
    fill = ["实际检查日期", "检查台账编号", "检查结果"]
    for group in [u.name for u in config.units if u.type == "专项治理小组"]:
        mine = rows[(rows["检查方式"] == SPOT) & (rows["检查单位"] == group)]
        frame = mine[["计划编号", "被检查单位", "所属单位", "完成时限", "抽取依据"]].assign(**{c: "" for c in fill})
        ws = book.sheet(group, group)
        ws.merge_range(0, 0, 0, 7, f"{group}{cn_period(plan.period)}随机抽查计划", book.f["title"])
        ws.merge_range(1, 0, 1, 7, f"随机种子 {plan.seed}；完成时限 {plan.deadline.isoformat()}；检查后在检查台账中以"
                                   "“随机抽查”方式登记。抽取方法见“说明”表。", book.f["sub"])
        book.table(ws, 3, frame, {"计划编号": 11, "被检查单位": 16, "所属单位": 16, "完成时限": 11, "抽取依据": 48,
                                  "实际检查日期": 11, "检查台账编号": 11, "检查结果": 16}, min_lines=3)
    ws = book.sheet("抽取名单", "抽取名单")
    ws.merge_range(0, 0, 0, 10, f"抽取名单：全部基层单位按此顺序和权重参加抽取（数据截止 {plan.as_of.isoformat()}）",
                   book.f["title"])
    book.table(ws, 2, plan.weights, {"序号": 5, "基层单位": 14, "所属单位": 14, "类型": 7, "逾期未销号问题数": 8,
                                     "属实线索数": 7, "承诺情况": 7, "被小组检查次数": 8, "最近受检日期": 11, "权重": 6,
                                     "抽取依据": 46})
    ws.set_row(2, 30)
    ws = book.sheet("抽取过程", "抽取过程")
    ws.merge_range(0, 0, 0, 6, "抽取过程：每一步的随机数（SHA-256，十六进制）、剩余总权重、余数和抽中的单位", book.f["title"])
    book.table(ws, 2, plan.steps, {"抽取": 22, "步骤": 5, "随机数": 66, "总权重": 7, "余数": 7, "抽中": 14, "权重": 6})
    book.wb.close()


def add_plan_status_sheet(book, status: pd.DataFrame | None) -> None:
    """The rollup's 计划执行 sheet (book is the rollup's Book); nothing when the month has no plan."""
    if status is None or status.empty:
        return
    ws = book.sheet("计划执行", "计划执行")
    done = int((status["状态"] == DONE).sum())
    ws.merge_range(0, 0, 0, 7, f"检查计划执行情况：计划{len(status)}项，已执行{done}项，未执行{len(status) - done}项",
                   book.f["title"])
    order = {NOT_DONE: 0, DONE: 1}
    frame = status.assign(_o=status["状态"].map(order)).sort_values(["_o", "计划编号"], kind="stable")
    frame = frame[["计划编号", "检查方式", "检查单位", "被检查单位", "所属单位", "完成时限", "状态", "检查记录"]]
    first, last = book.table(ws, 2, frame, widths={"计划编号": 11, "检查单位": 16, "被检查单位": 16, "所属单位": 16,
                                                   "完成时限": 11, "状态": 8, "检查记录": 60})
    if last >= first:
        ws.conditional_format(first, 6, last, 6, {"type": "cell", "criteria": "==", "value": f'"{NOT_DONE}"',
                                                  "format": book.f["bad"]})
