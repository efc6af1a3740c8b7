"""Write each reporting unit its own blank workbook, laid out from the schemas."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import xlsxwriter
from xlsxwriter.utility import xl_col_to_name

from schemas import SHEETS, columns
from ..config import Config, Unit
from .parse import MARKER_SHEET, MARKER_TEMPLATE
from ..printing import a4_landscape

TEMPLATE_VERSION = "1"
HEADER_ROW = 2
DATA_ROWS = 2000
TITLES = {
    "检查台账": "开展专项治理“微腐败”工作检查台账",
    "整改台账": "开展专项治理“微腐败”工作整改台账",
    "月报表": "开展专项治理“微腐败”工作月报表",
    "承诺书": "开展专项治理“微腐败”工作书面承诺登记表",
    "信访举报": "专项治理“微腐败”信访举报线索登记表",
}
LISTS_SHEET = "_lists"
# a drop-down is read by a person: past this many other units (a city's or a province's registry),
# 检查单位 lists the inspection groups only and another unit's name is typed (the list only suggests)
LISTED_PEERS = 200


def template_name(unit: Unit) -> str:
    return f"{unit.name}_专项治理台账.xlsx"


def _instructions(unit: Unit, config: Config) -> list[tuple[str, str]]:
    c = config.campaign
    rows = [
        ("title", f"{unit.name} 专项治理“微腐败”工作台账 填报说明"),
        ("h", "一、怎么填"),
        ("p", "1. 本工作簿含“检查台账”“整改台账”“月报表”三张表，请在对应表中逐行填写，不要修改表名和表头。"),
        ("p", "2. 点击表头单元格可看到该列的填写说明；有下拉箭头的列请从列表中选择。日期请填写如 2017-06-05。"),
        ("p", "3. 检查台账：每发现一个问题填一行；检查后未发现问题的，也填一行，“问题性质”选“无问题”。"),
        ("p", "4. 整改台账：与检查台账一一对应，实行销号管理。每个问题一行，编号与检查台账相同；整改完成后将“完成情况”改为“已完成”并填写完成时间。"),
        ("p", "5. 专项治理小组督查发现本单位的问题，也要在本单位整改台账中填一行：“检查单位”填该小组名称，“编号”填小组台账中的编号。"),
        ("p", "6. 月报表：每月新增一行，数字为截至填报时的累计数，须与台账一致（见人见事、数据准确）。"),
        ("p", "7. 承诺书：经自查自纠未发现问题的本单位或所属基层单位，由党组织书记签字作出书面承诺后，每份承诺填一行。"
              "承诺后又被发现问题的，视为虚假承诺，将被点名并问责。没有承诺的不填。"),
        ("h", "二、编号规则"),
        ("p", "自查发现的问题编号为“自检1号、自检2号……”，督查发现的为“督查1号……”。编号在本单位台账内唯一，不得重复，作废的编号也不再使用。"),
        ("h", "三、台账是累计的"),
        ("p", "请始终在同一个工作簿上续填，每次报送完整台账。已填写的行不得删除；问题整改完成后只更新“完成情况”和“完成时间”。"),
        ("h", "四、报送时限"),
        ("p", f"月报表及台账每月{c.due_day}日前报送区纪委宣传部（电子稿）。逾期视为迟报，未报送的单位将在月通报中点名。"),
    ]
    for d in c.deadlines:
        rows.append(("p", f"{d.date.month}月{d.date.day}日前：{d.what}"))
    rows.append(("h", "五、审核与回执"))
    rows.append(("p", "报送后，区纪委将发回审核回执：红色为错误，须修改后重新报送；黄色为疑问，请核实修改或在该行“说明”列解释。"))
    return rows


def _write_instructions(wb, ws, unit: Unit, config: Config, fmts: dict) -> None:
    ws.set_column(0, 0, 14)
    ws.set_column(1, 1, 8)
    ws.set_column(2, 2, 60)
    ws.set_column(3, 3, 30)
    r = 0
    for kind, text in _instructions(unit, config):
        if kind == "title":
            ws.merge_range(r, 0, r, 3, text, fmts["title"])
            ws.set_row(r, 30)
        elif kind == "h":
            r += 1
            ws.merge_range(r, 0, r, 3, text, fmts["h"])
        else:
            ws.merge_range(r, 0, r, 3, text, fmts["wrap"])
            ws.set_row(r, 32)
        r += 1
    r += 1
    ws.merge_range(r, 0, r, 3, "六、各列填写说明", fmts["h"])
    r += 1
    for sheet in SHEETS:
        for c, h in enumerate(("工作表/列", "必填", "说明", "示例")):
            ws.write_string(r, c, h, fmts["head"])
        r += 1
        ws.merge_range(r, 0, r, 3, sheet, fmts["h"])
        r += 1
        for spec in columns(sheet):
            ws.write_string(r, 0, spec.label, fmts["cell"])
            ws.write_string(r, 1, "是" if spec.required else "", fmts["cell"])
            extra = f"（可选：{'、'.join(spec.vocab)}）" if spec.vocab else ""
            ws.write_string(r, 2, spec.help + extra, fmts["cellwrap"])
            ws.write_string(r, 3, spec.example, fmts["cellwrap"])
            r += 1
        r += 1
    a4_landscape(ws, f"&C{unit.name} 填报说明")
    ws.protect("", {"select_locked_cells": True, "select_unlocked_cells": True})


def _write_lists(wb, unit: Unit, config: Config) -> dict[str, str]:
    """Long drop-down lists live in a hidden sheet (a literal list is capped at 255 characters)."""
    ws = wb.add_worksheet(LISTS_SHEET)
    ws.hide()
    if unit.type == "专项治理小组":
        inspected = [g.name for g in config.grassroots] + [u.name for u in config.units if u.type != "专项治理小组"]
    else:
        inspected = config.grassroots_of(unit.name) or [unit.name]
    peers = [u.name for u in config.units if u.type != "专项治理小组" and u.name != unit.name]
    inspectors = [u.name for u in config.units if u.type == "专项治理小组"] + (
        peers if len(peers) <= LISTED_PEERS else [])
    refs = {}
    own = [unit.name] + config.grassroots_of(unit.name)
    for c, (key, values) in enumerate((("被检查单位", inspected), ("检查单位", inspectors), ("问题单位", inspected),
                                       ("承诺单位", own))):
        for r, v in enumerate(values):
            ws.write_string(r, c, v)
        col = xl_col_to_name(c)
        refs[key] = f"={LISTS_SHEET}!${col}$1:${col}${max(1, len(values))}"
    return refs


def _write_rows(ws, specs, rows: list[dict], fmts: dict) -> None:
    """Values as a unit types them: dates as dates, numbers as numbers, anything else as text."""
    order = {spec.label: c for c, spec in enumerate(specs)}
    for i, row in enumerate(rows):
        r = HEADER_ROW + 1 + i
        for label, value in row.items():
            c = order[label]
            if value is None or value == "":
                continue
            if isinstance(value, (dt.date, dt.datetime)):
                day = value if isinstance(value, dt.datetime) else dt.datetime(value.year, value.month, value.day)
                ws.write_datetime(r, c, day, fmts["date_in"])
            elif isinstance(value, (int, float)) and not isinstance(value, bool):
                ws.write_number(r, c, value, fmts["input"])
            else:
                ws.write_string(r, c, str(value), fmts["input"])


def _write_ledger(wb, ws, sheet: str, unit: Unit, refs: dict[str, str], fmts: dict,
                  rows: list[dict] | None = None, filled_on: dt.date | None = None) -> None:
    specs = columns(sheet)
    last = len(specs) - 1
    ws.merge_range(0, 0, 0, last, TITLES[sheet], fmts["title"])
    ws.set_row(0, 30)
    ws.write_string(1, 0, "填报单位：", fmts["label"])
    ws.merge_range(1, 1, 1, 3, unit.name, fmts["unit"])
    ws.write_string(1, 4, "填报时间：", fmts["label"])
    if filled_on:
        ws.write_datetime(1, 5, dt.datetime(filled_on.year, filled_on.month, filled_on.day), fmts["date_in"])
    else:
        ws.write_blank(1, 5, None, fmts["date_in"])
    ws.data_validation(1, 5, 1, 5, {"validate": "date", "criteria": "between",
                                    "minimum": dt.date(2000, 1, 1), "maximum": dt.date(2100, 12, 31),
                                    "input_title": "填报时间", "input_message": "本次报送的日期，如 2017-06-18",
                                    "error_type": "warning", "error_message": "请填写日期，如 2017-06-18"})
    ws.set_row(HEADER_ROW, 36)
    first, end = HEADER_ROW + 1, HEADER_ROW + DATA_ROWS
    for c, spec in enumerate(specs):
        ws.set_column(c, c, spec.width, fmts["date_in"] if spec.kind == "date" else fmts["input"])
        ws.write_string(HEADER_ROW, c, spec.label, fmts["head_req"] if spec.required else fmts["head"])
        vocab = f"\n可选：{'、'.join(spec.vocab)}" if spec.vocab else ""
        note = f"{spec.label}{'（必填）' if spec.required else ''}\n{spec.help}{vocab}"
        if spec.example:
            note += f"\n示例：{spec.example}"
        ws.write_comment(HEADER_ROW, c, note, {"x_scale": 2.2, "y_scale": 1.6, "author": "区纪委"})
        tip = {"input_title": spec.label[:32], "input_message": spec.help[:255]}
        if spec.vocab:
            ws.data_validation(first, c, end, c, {"validate": "list", "source": list(spec.vocab), **tip,
                                                  "error_title": "请从下拉列表选择",
                                                  "error_message": f"{spec.label}只能是：{'、'.join(spec.vocab)}"[:255]})
        elif spec.label in refs:
            ws.data_validation(first, c, end, c, {"validate": "list", "source": refs[spec.label], **tip,
                                                  "error_type": "information",
                                                  "error_message": "该名称不在下拉列表中，如确认无误请点“确定”。"})
        elif spec.kind == "date":
            ws.data_validation(first, c, end, c, {"validate": "date", "criteria": "between",
                                                  "minimum": dt.date(2000, 1, 1), "maximum": dt.date(2100, 12, 31),
                                                  **tip, "error_type": "warning",
                                                  "error_message": "请填写日期，如 2017-06-30"})
        elif spec.kind == "count":
            ws.data_validation(first, c, end, c, {"validate": "integer", "criteria": ">=", "value": 0, **tip,
                                                  "error_message": "请填写非负整数"})
        else:
            ws.data_validation(first, c, end, c, {"validate": "any", **tip})
    if rows:
        _write_rows(ws, specs, rows, fmts)
    ws.freeze_panes(HEADER_ROW + 1, 0)
    a4_landscape(ws, f"&C{unit.name} {TITLES[sheet]}", repeat_row=HEADER_ROW)
    ws.protect("", {"format_cells": True, "format_columns": True, "format_rows": True, "insert_rows": True,
                    "delete_rows": True, "insert_columns": True, "sort": True, "autofilter": True})


def write_template(path: Path, unit: Unit, config: Config, data: dict[str, list[dict]] | None = None,
                   filled_on: dt.date | None = None) -> None:
    """The unit's workbook; `data` (sheet → rows of label → value) fills it as the unit would."""
    wb = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_urls": False})
    wb.set_properties({"title": f"{unit.name}专项治理台账", "author": config.campaign.office,
                       "created": dt.datetime(config.campaign.year, 5, 15)})
    fmts = formats(wb)
    intro = wb.add_worksheet("填报说明")
    _write_instructions(wb, intro, unit, config, fmts)
    ledgers = {sheet: wb.add_worksheet(sheet) for sheet in SHEETS}
    refs = _write_lists(wb, unit, config)
    for sheet, ws in ledgers.items():
        _write_ledger(wb, ws, sheet, unit, refs, fmts, (data or {}).get(sheet), filled_on)
    marker = wb.add_worksheet(MARKER_SHEET)
    for r, (k, v) in enumerate((("模板", MARKER_TEMPLATE), ("版本", TEMPLATE_VERSION),
                                 ("单位编码", unit.code), ("单位名称", unit.name))):
        marker.write_string(r, 0, k)
        marker.write_string(r, 1, v)
    marker.very_hidden()
    ledgers["检查台账"].activate()
    wb.close()


def formats(wb) -> dict:
    """The cell formats every template shares."""
    return {
        "title": wb.add_format({"bold": True, "font_size": 16, "align": "center", "valign": "vcenter"}),
        "h": wb.add_format({"bold": True, "font_size": 12}),
        "wrap": wb.add_format({"text_wrap": True, "valign": "top"}),
        "label": wb.add_format({"bold": True, "align": "right"}),
        "unit": wb.add_format({"bold": True, "font_size": 12, "bottom": 1, "locked": True}),
        "head": wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "align": "center",
                               "valign": "vcenter", "text_wrap": True}),
        "head_req": wb.add_format({"bold": True, "bg_color": "#F8CBAD", "border": 1, "align": "center",
                                   "valign": "vcenter", "text_wrap": True}),
        "input": wb.add_format({"locked": False, "text_wrap": True, "valign": "top"}),
        "date_in": wb.add_format({"locked": False, "num_format": "yyyy-mm-dd", "valign": "top"}),
        "cell": wb.add_format({"border": 1, "valign": "top"}),
        "cellwrap": wb.add_format({"border": 1, "text_wrap": True, "valign": "top"}),
    }


def write_templates(config: Config, out: Path) -> list[Path]:
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for unit in config.units:
        path = out / template_name(unit)
        write_template(path, unit, config)
        paths.append(path)
    from .register_template import REGISTER_FILE, write_register_template

    write_register_template(out / REGISTER_FILE, config)
    paths.append(out / REGISTER_FILE)
    return paths
