"""A worksheet that takes a table a column at a time: the leaders' workbook holds up to 40,000
detail rows, and xlsxwriter's per-cell path (argument checks, a bounds check and a tuple per cell,
then the cell's XML through the generic attribute escaper) costs about 10 µs a cell.

`TableSheet` stores a column's cells in one loop and writes a formatted text, number, date or
blank cell's XML directly; anything else goes through xlsxwriter's own code. It relies on
xlsxwriter's internal cell table, so `tests/test_table_sheet.py` checks that a sheet written this
way is byte for byte the sheet xlsxwriter writes cell by cell.
"""
from __future__ import annotations

from math import isfinite

from xlsxwriter import Workbook
from xlsxwriter.utility import xl_rowcol_to_cell_fast
from xlsxwriter.worksheet import CellBlankTuple, CellDatetimeTuple, CellNumberTuple, CellStringTuple, Worksheet

_CELL_XML = {CellStringTuple: '<c r="{}" s="{}" t="s"><v>{}</v></c>',
             CellNumberTuple: '<c r="{}" s="{}"><v>{:.16G}</v></c>',
             CellDatetimeTuple: '<c r="{}" s="{}"><v>{:.16G}</v></c>'}


class TableSheet(Worksheet):
    """Every sheet of a `TableWorkbook`; `put_column` is its one addition."""

    def put_column(self, first_row: int, col: int, values: list, kind: str, formats: list, blank) -> None:
        """values[i] at (first_row + i, col) in formats[i]; kind is 'string', 'number' or 'datetime';
        a None is a blank cell in `blank`. Same cells as xlsxwriter's write_* one by one."""
        if kind not in ("string", "number", "datetime"):
            raise ValueError(f"unknown cell kind {kind!r}")
        last = first_row + len(values) - 1
        # the cases xlsxwriter decides cell by cell (no format given, constant memory, off the sheet)
        if (not values or self.constant_memory or blank is None or None in formats
                or self._check_dimensions(first_row, col) or self._check_dimensions(last, col)):
            self._put_one_by_one(first_row, col, values, kind, formats, blank)
            return
        table = self.table
        if kind == "string":
            index = self.str_table._get_shared_string_index
            limit = self.xls_strmax // 2  # a longer text may need truncating: xlsxwriter's own check does it
            for row, value, fmt in zip(range(first_row, last + 1), values, formats):
                if value is None:
                    table[row][col] = CellBlankTuple(blank)
                elif len(value) > limit:
                    self._write_string(row, col, value, fmt)
                else:
                    table[row][col] = CellStringTuple(index(value), fmt)
        elif kind == "number":
            for row, value, fmt in zip(range(first_row, last + 1), values, formats):
                if value is None:
                    table[row][col] = CellBlankTuple(blank)
                elif isfinite(value):
                    table[row][col] = CellNumberTuple(value, fmt)
                else:
                    self._write_number(row, col, value, fmt)
        else:
            convert = self._convert_date_time
            for row, value, fmt in zip(range(first_row, last + 1), values, formats):
                table[row][col] = CellBlankTuple(blank) if value is None else CellDatetimeTuple(convert(value), fmt)

    def _put_one_by_one(self, first_row, col, values, kind, formats, blank) -> None:
        write = getattr(self, f"_write_{kind}")
        for i, (value, fmt) in enumerate(zip(values, formats)):
            if value is None:
                self._write_blank(first_row + i, col, None, blank)
            else:
                write(first_row + i, col, value, fmt)

    def _write_cell(self, row: int, col: int, cell) -> None:
        kind = type(cell)
        fmt = cell.format
        if fmt is None or self.constant_memory:
            super()._write_cell(row, col, cell)
        elif kind is CellBlankTuple:
            self.fh.write(f'<c r="{xl_rowcol_to_cell_fast(row, col)}" s="{fmt._get_xf_index()}"/>')
        elif kind in _CELL_XML:
            value = cell.string if kind is CellStringTuple else cell.number
            self.fh.write(_CELL_XML[kind].format(xl_rowcol_to_cell_fast(row, col), fmt._get_xf_index(), value))
        else:
            super()._write_cell(row, col, cell)


class TableWorkbook(Workbook):
    """An xlsxwriter workbook whose sheets are TableSheets."""

    worksheet_class = TableSheet
