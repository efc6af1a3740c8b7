"""Write the office's blank 信访举报登记表 (sheet 信访举报), laid out from schemas/clues.py."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import xlsxwriter
from xlsxwriter.utility import xl_col_to_name

from schemas import REGISTER
from ..config import Config, Unit
from .parse import office_books
from .templates import LISTS_SHEET, _write_ledger, formats
from ..printing import a4_landscape

REGISTER_FILE = "信访举报登记表.xlsx"
SHEET = "信访举报"


def _instructions(ws, config: Config, fmts: dict) -> None:
    lines = [
        ("title", f"{config.campaign.district}专项治理“微腐败”信访举报线索登记表 填写说明"),
        ("p", "1. 本表由区纪委信访室（举报投诉受理组）填写：来信、来访、电话、网络“四位一体”受理的每条线索填一行，"
              "线索编号不得重复。表格是累计的，每次报送完整的登记表，后一次报送的替代前一次。"),
        ("p", "2. 来源渠道、办理状态、核实结果、处理方式（“四种形态”）、一案双查请从下拉列表选择。日期如 2017-06-05。"),
        ("p", "3. 【保密】举报人、联系方式只登记在本表中，系统读取时即予剔除，任何报表、通报、回执均不显示；"
              "请不要把举报人姓名、电话写进“反映问题”或“说明”（系统也会自动遮盖）。"),
        ("p", "4. 办结日期不得早于受理日期；核实属实或部分属实的线索，请填写处理方式。"),
        ("p", "5. 同一社区问题反复发生或易发多发、启动“一案双查”的，请在“一案双查”列选“是”。"),
    ]
    ws.set_column(0, 0, 100)
    for r, (kind, text) in enumerate(lines):
        ws.write_string(r, 0, text, fmts["title"] if kind == "title" else fmts["wrap"])
        ws.set_row(r, 30 if kind == "title" else 36)
    a4_landscape(ws, "&C信访举报线索登记表 填写说明")


def _lists(wb, config: Config) -> dict[str, str]:
    ws = wb.add_worksheet(LISTS_SHEET)
    ws.hide()
    reported = [g.name for g in config.grassroots] + [u.name for u in config.units if u.type != "专项治理小组"]
    handlers = [u.name for u in config.units]
    refs = {}
    for c, (key, values) in enumerate((("被反映单位", reported), ("承办单位", handlers))):
        for r, v in enumerate(values):
            ws.write_string(r, c, v)
        col = xl_col_to_name(c)
        refs[key] = f"={LISTS_SHEET}!${col}$1:${col}${max(1, len(values))}"
    return refs


def write_register_template(path: Path, config: Config, rows: list[dict] | None = None,
                            filled_on: dt.date | None = None) -> None:
    """The blank register; `rows` (label → value) fill it as a clerk would (used by the demo and tests)."""
    office = office_books(config)[REGISTER.name]
    path.parent.mkdir(parents=True, exist_ok=True)
    wb = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_urls": False})
    wb.set_properties({"title": "信访举报线索登记表", "author": config.campaign.office,
                       "created": dt.datetime(config.campaign.year, 5, 15)})
    fmts = formats(wb)
    _instructions(wb.add_worksheet("填写说明"), config, fmts)
    ws = wb.add_worksheet(SHEET)
    refs = _lists(wb, config)
    _write_ledger(wb, ws, SHEET, Unit("", office, "", ()), refs, fmts, rows, filled_on)
    ws.activate()
    wb.close()
