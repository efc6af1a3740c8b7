"""The leaders' workbook and the 回执 write their tables a column at a time (pipeline/table_sheet.py): the file must
be exactly the one xlsxwriter writes cell by cell, whatever the xlsxwriter version installed."""
import datetime as dt
import math
import zipfile

import pytest
import xlsxwriter

from pipeline.table_sheet import TableWorkbook

COLUMNS = [
    ("string", ["红", None, "西安路街道", "=HYPERLINK(\"x\")", " 前后空格 ", "换行\n文字", "长" * 20000, "红",
                "𠀀" * 17000]),  # the last one is 34,000 UTF-16 units: xlsxwriter truncates it
    ("number", [1, None, 2.5, -40.0, math.inf, math.nan, -math.inf, 1e20, 3]),
    ("datetime", [dt.datetime(2017, 6, 30), None, dt.datetime(2017, 5, 1, 12, 30), dt.datetime(1900, 1, 1),
                  dt.datetime(2017, 6, 1), None, dt.datetime(2030, 12, 31), dt.datetime(2017, 6, 2), None]),
]


def _book(path, cls, by_column: bool, blank_format: bool, chart: bool):
    wb = cls(str(path), {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False,
                         "nan_inf_to_errors": True})
    wb.set_properties({"created": dt.datetime(2000, 1, 1)})
    plain = wb.add_format({"border": 1})
    red = wb.add_format({"bg_color": "#FF9999"})
    yellow, green = wb.add_format({"bg_color": "#FFE699"}), wb.add_format({"bg_color": "#C6EFCE"})
    blank = wb.add_format({"border": 1, "valign": "top"}) if blank_format else None
    ws = wb.add_worksheet("未销号问题")
    ws.write_string(0, 0, "标题")
    ws.set_row(4, 30, red)
    for c, (kind, values) in enumerate(COLUMNS):
        formats = [red if v == "红" else plain for v in values]
        if kind == "datetime":  # met in row 3 to the right of a format first met lower down on the left
            formats[0] = yellow
        if kind == "string":
            formats[6] = green
        if by_column:
            ws.put_column(2, c, values, kind, formats, blank)
            continue
        for i, (value, fmt) in enumerate(zip(values, formats)):
            if value is None:
                ws.write_blank(2 + i, c, None, blank)
            else:
                getattr(ws, f"write_{kind}")(2 + i, c, value, fmt)
    ws.autofilter(1, 0, 10, 2)
    # a second, longer table beside the first shares its rows; cells written before and after a
    # column replace one another as they do cell by cell; a column written twice keeps the later cells
    ws.write_string(3, 5, "先写后被覆盖")
    side = [f"第{i}条" for i in range(30)]
    side_formats = [red if i % 7 == 0 else plain for i in range(30)]
    put(ws, by_column, 0, 5, side, "string", side_formats, blank)
    put(ws, by_column, 0, 6, [float(i) for i in range(30)], "number", [plain] * 30, blank)
    ws.write_number(12, 6, -1, red)
    ws.write_comment(20, 7, "批注")
    put(ws, by_column, 10, 5, ["重写"] * 5, "string", [plain] * 5, blank)
    ws.set_row(40, 20, red)
    if chart:  # a chart's cached values come from a column's cells
        drawn = wb.add_chart({"type": "column"})
        drawn.add_series({"values": ["未销号问题", 0, 6, 29, 6], "categories": ["未销号问题", 0, 5, 29, 5]})
        ws.insert_chart("J2", drawn)
    other = wb.add_worksheet("催办")
    put(other, by_column, 1, 0, side, "string", side_formats, blank)
    other.write_string(0, 0, "催办")
    # a column's cells in rows far apart (a marked copy's marked rows), of two kinds in between one
    # another, in rows another column shares, and a column written twice over some of its rows
    put_at(other, by_column, [33, 37, 38, 60, 61, 120], 2, ["甲", None, "乙", "甲", "丙", "丁"], "string",
           [plain, plain, red, plain, plain, red], blank)
    put_at(other, by_column, [34, 36, 62], 2, [1.5, 2.0, None], "number", [plain, red, plain], blank)
    put_at(other, by_column, [33, 37, 38, 60, 61, 120], 3, [dt.datetime(2017, 6, i) for i in range(1, 7)], "datetime",
           [yellow] * 6, blank)
    put_at(other, by_column, [37, 90], 2, ["重写", "新"], "string", [green, plain], blank)
    put_at(other, by_column, [33, 37], 4, ["两行", "之间空三行"], "string", [plain, plain], blank)
    put(other, by_column, 33, 5, ["连续", "四", "行", "字"], "string", [plain] * 4, blank)  # rows 33 up to 37
    wb.close()


def put_at(ws, by_column, rows, col, values, kind, formats, blank):
    if by_column:
        ws.put_cells(rows, col, values, kind, formats, blank)
        return
    for row, value, fmt in zip(rows, values, formats):
        if value is None:
            ws.write_blank(row, col, None, blank)
        else:
            getattr(ws, f"write_{kind}")(row, col, value, fmt)


def put(ws, by_column, first_row, col, values, kind, formats, blank):
    if by_column:
        ws.put_column(first_row, col, values, kind, formats, blank)
        return
    for i, (value, fmt) in enumerate(zip(values, formats)):
        if value is None:
            ws.write_blank(first_row + i, col, None, blank)
        else:
            getattr(ws, f"write_{kind}")(first_row + i, col, value, fmt)


def _parts(path):
    with zipfile.ZipFile(path) as z:
        return {name: z.read(name) for name in z.namelist()}


@pytest.mark.parametrize("blank_format, chart", [(True, False), (False, False), (True, True)])
def test_a_table_written_by_column_is_the_workbook_xlsxwriter_writes_cell_by_cell(tmp_path, blank_format, chart):
    _book(tmp_path / "by_column.xlsx", TableWorkbook, by_column=True, blank_format=blank_format, chart=chart)
    _book(tmp_path / "by_cell.xlsx", xlsxwriter.Workbook, by_column=False, blank_format=blank_format, chart=chart)
    fast, slow = _parts(tmp_path / "by_column.xlsx"), _parts(tmp_path / "by_cell.xlsx")
    assert fast.keys() == slow.keys()
    for name in slow:
        assert fast[name] == slow[name], name
    sheet = slow["xl/worksheets/sheet1.xml"].decode()
    assert 't="s"' in sheet and "#NUM!" in sheet and "#DIV/0!" in sheet  # shared strings; NaN, ±inf as errors


def test_cells_at_every_other_row_are_those_written_one_by_one(tmp_path):
    """put_cells takes rows as a stepped range or a list; rows out of order are refused."""
    def sheet(path, fast):
        wb = (TableWorkbook if fast else xlsxwriter.Workbook)(str(path))
        wb.set_properties({"created": dt.datetime(2000, 1, 1)})
        fmt = wb.add_format({"border": 1})
        ws = wb.add_worksheet()
        first, every_other = [f"甲{i}" for i in range(40)], [f"乙{i}" for i in range(20)]
        if fast:
            ws.put_column(0, 0, first, "string", [fmt] * 40, fmt)
            ws.put_cells(range(0, 40, 2), 1, every_other, "string", [fmt] * 20, fmt)
            with pytest.raises(ValueError):
                ws.put_cells([5, 3], 2, ["丙", "丁"], "string", [fmt] * 2, fmt)
        else:
            for i, value in enumerate(first):
                ws.write_string(i, 0, value, fmt)
            for i, value in zip(range(0, 40, 2), every_other):
                ws.write_string(i, 1, value, fmt)
        wb.close()

    sheet(tmp_path / "fast.xlsx", True)
    sheet(tmp_path / "slow.xlsx", False)
    assert _parts(tmp_path / "fast.xlsx") == _parts(tmp_path / "slow.xlsx")


def _changes(path, cls, by_table: bool, packing_default: bool = False, longest: int = 10):
    """A 回执's list of changes: texts repeated across columns (the same value before and after),
    a blank, and one text `longest` characters long (past 16,383, xlsxwriter truncates it)."""
    wb = cls(str(path), {"strings_to_formulas": False, "strings_to_urls": False})
    if packing_default:
        wb.packing = None
    wb.set_properties({"created": dt.datetime(2000, 1, 1)})
    text = wb.add_format({"border": 1, "text_wrap": True})
    red = wb.add_format({"bg_color": "#FFC7CE"})
    ws = wb.add_worksheet("修改情况")
    ws.write_string(0, 0, "与上一份台账相比")
    columns = [[f"自检{i}号" for i in range(40)], ["修改"] * 40, [f"2017-05-{i % 28 + 1:02d}" for i in range(40)],
               [f"2017-05-{(i + 3) % 28 + 1:02d}" for i in range(40)], ["", None, "长" * longest, *["整改中"] * 37]]
    formats = [[red if i % 5 == 0 else text for i in range(40)] if c == 1 else [text] * 40 for c in range(5)]
    if by_table:
        ws.put_table(2, 0, columns, formats, text)
    else:
        for r, row in enumerate(zip(*columns), start=2):
            for c, value in enumerate(row):
                if value is None:
                    ws.write_blank(r, c, None, text)
                else:
                    ws.write_string(r, c, value, formats[c][r - 2])
    ws.write_comment(5, 2, "批注")
    wb.close()


@pytest.mark.parametrize("longest", [10, 40000])
def test_a_table_of_columns_numbers_its_texts_as_row_by_row_writing_does(tmp_path, longest):
    _changes(tmp_path / "by_table.xlsx", TableWorkbook, by_table=True, packing_default=True, longest=longest)
    _changes(tmp_path / "by_cell.xlsx", xlsxwriter.Workbook, by_table=False, longest=longest)
    assert (tmp_path / "by_table.xlsx").read_bytes() == (tmp_path / "by_cell.xlsx").read_bytes()


def _fitted(path, cls, fit: bool) -> None:
    wb = cls(str(path))
    wb.set_properties({"created": dt.datetime(2000, 1, 1)})
    ws = wb.add_worksheet("未销号问题")
    texts = ["短", "违反八项规定方面发现问题，群众反映办事推诿拖延" * 3, "中等长度的问题描述文字", "长" * 400, "短"] * 5
    for i, text in enumerate(texts):
        ws.write_string(1 + i, 0, text)
    if fit:
        ws.fit_rows(1, [texts], [20])
    else:  # what fit_rows asks of xlsxwriter, a row at a time
        for i, text in enumerate(texts):
            lines = -(-len(text) * 2 // 19) if len(text) * 2 > 20 else 1
            if lines > 1:
                ws.set_row(1 + i, 15 * min(lines, 8))
    wb.close()


def test_rows_made_tall_for_their_texts_are_those_set_row_makes(tmp_path):
    _fitted(tmp_path / "fitted.xlsx", TableWorkbook, fit=True)
    _fitted(tmp_path / "set_row.xlsx", xlsxwriter.Workbook, fit=False)
    fitted, by_hand = _parts(tmp_path / "fitted.xlsx"), _parts(tmp_path / "set_row.xlsx")
    sheet = "xl/worksheets/sheet1.xml"
    assert fitted[sheet].count(b'customHeight="1"') == 15, "the two long texts of each five rows, and the middle one"
    assert fitted[sheet] == by_hand[sheet]
