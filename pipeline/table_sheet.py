"""A worksheet that takes a table a column at a time: the leaders' workbook holds up to 40,000
detail rows and a 回执 thousands of changes or problems, and xlsxwriter's per-cell path (argument
checks, a bounds check and a tuple per cell, then the cell's XML through the generic attribute
escaper) costs about 10 µs a cell. In the core: publish (the leaders' workbook) and intake (回执) use it.

`TableSheet.put_column` keeps a column as one block (its cells' shared-string indices, numbers or
date serials, and formats) instead of a tuple per cell, and the sheet's rows are written with each
block's cells formatted in one pass. Cells written the ordinary way (headers, titles, a cell written
over a block) go through xlsxwriter's own code, and a block becomes ordinary cells wherever
xlsxwriter itself reads the cell table (chart data, autofit, hyperlinks) or blocks overlap. It
relies on xlsxwriter's internals, so `tests/test_table_sheet.py` checks that a sheet written this
way is byte for byte the workbook xlsxwriter writes cell by cell.
"""
from __future__ import annotations

import zipfile
from math import isfinite

import xlsxwriter.worksheet
import xlsxwriter.workbook
from xlsxwriter import Workbook
from xlsxwriter.utility import xl_col_to_name
from xlsxwriter.worksheet import CellBlankTuple, CellDatetimeTuple, CellNumberTuple, CellStringTuple, Worksheet

_TUPLE = {"string": CellStringTuple, "number": CellNumberTuple, "datetime": CellDatetimeTuple}


class _Block:
    """One put_cells: `values` are shared-string indices (string), numbers or date serials; None is
    a blank. `rows`: where they go, ascending (a range for put_column)."""

    __slots__ = ("rows", "col", "kind", "values", "formats", "_held")

    def __init__(self, rows: range | list[int], col: int, kind: str, values: list, formats: list):
        self.rows, self.col, self.kind, self.values, self.formats = rows, col, kind, values, formats
        self._held = rows if isinstance(rows, range) else None

    @property
    def first(self) -> int:
        return self.rows[0]

    @property
    def last(self) -> int:
        return self.rows[-1]

    def holds(self, row: int) -> bool:
        if self._held is None:
            self._held = frozenset(self.rows)
        return row in self._held

    def cells(self, letters: str, xf: dict) -> list[str]:
        """Each cell's XML, as xlsxwriter writes a formatted string, number, date or blank cell."""
        rows = [r + 1 for r in self.rows]
        styles = [xf[id(f)] for f in self.formats]
        if self.kind == "string":
            return [f'<c r="{letters}{r}" s="{s}"/>' if v is None else f'<c r="{letters}{r}" s="{s}" t="s"><v>{v}</v></c>'
                    for r, v, s in zip(rows, self.values, styles)]
        return [f'<c r="{letters}{r}" s="{s}"/>' if v is None else f'<c r="{letters}{r}" s="{s}"><v>{v:.16G}</v></c>'
                for r, v, s in zip(rows, self.values, styles)]


def display_width(text: str) -> int:
    """Columns a text needs: a Chinese character is about two Latin ones wide."""
    return (len(text.encode("utf-8")) + len(text)) // 2  # CJK: 3 bytes → 2 columns; ASCII: 1 → 1


class TableSheet(Worksheet):
    """Every sheet of a `TableWorkbook`: `put_column` and `put_table` write a table a column at a
    time, `fit_rows` makes its rows tall enough for their wrapped texts."""

    def __init__(self):
        super().__init__()
        self._blocks: list[_Block] = []
        self._columns: dict[int, list[_Block]] = {}  # each column's blocks (a marked copy's rows: thousands)
        self._reach: dict[int, int] = {}  # each column's last row in a block: a block below it overlaps none

    def put_column(self, first_row: int, col: int, values: list, kind: str, formats: list, blank) -> None:
        """values[i] at (first_row + i, col) in formats[i]; kind is 'string', 'number' or 'datetime';
        a None is a blank cell in `blank`. Same cells as xlsxwriter's write_* one by one."""
        self.put_cells(range(first_row, first_row + len(values)), col, values, kind, formats, blank)

    def put_cells(self, rows: range | list[int], col: int, values: list, kind: str, formats: list, blank) -> None:
        """put_column at the given rows (ascending, as many as values): a column of rows far apart,
        such as the marked rows of a unit's sheet, as one block."""
        if kind not in _TUPLE:
            raise ValueError(f"unknown cell kind {kind!r}")
        if isinstance(rows, range) and rows.step != 1:
            rows = list(rows)  # a block's range is consecutive rows
        if not isinstance(rows, range) and any(a >= b for a, b in zip(rows, rows[1:])):
            raise ValueError("put_cells: rows must be ascending, each once")
        # the cases xlsxwriter decides cell by cell (no format given, constant memory, off the sheet)
        if (not values or self.constant_memory or blank is None or None in formats
                or self._check_dimensions(rows[0], col) or self._check_dimensions(rows[-1], col)):
            self._put_one_by_one(rows, col, values, kind, formats, blank)
            return
        first_row, last = rows[0], rows[-1]
        present = [v for v in values if v is not None]
        if kind == "string":
            # a text longer than a cell holds is truncated by xlsxwriter's own check
            if present and max(map(len, present)) > self.xls_strmax // 2:
                self._put_one_by_one(rows, col, values, kind, formats, blank)
                return
            index = self.str_table._get_shared_string_index
            stored = [None if v is None else index(v) for v in values]
        elif kind == "number":
            if not isfinite(sum(present)):  # NaN and ±inf become error cells (an overflowing sum: the same path)
                self._put_one_by_one(rows, col, values, kind, formats, blank)
                return
            stored = list(values)
        else:
            convert = self._convert_date_time
            stored = [None if v is None else convert(v) for v in values]
        cells = [blank if v is None else f for v, f in zip(values, formats)]
        below = first_row > self._reach.get(col, -1)
        if not below:  # a column written twice: the earlier blocks' cells, then this one over them
            for block in [b for b in self._columns[col] if b.first <= last and first_row <= b.last]:
                if any(map(block.holds, rows)):
                    self._as_cells(block)
        table = self.table
        for row in rows:  # a cell written earlier is replaced, as write_* would
            existing = table.get(row)
            if existing:
                existing.pop(col, None)
        block = _Block(rows, col, kind, stored, cells)
        self._blocks.append(block)
        self._columns.setdefault(col, []).append(block)
        self._reach[col] = max(last, self._reach.get(col, -1))

    def put_table(self, first_row: int, first_col: int, columns: list[list[str]], formats: list[list], blank) -> None:
        """Columns of text side by side from (first_row, first_col), the same workbook as writing them
        row by row: the texts are numbered in that order first (shared strings are numbered as met).
        A None is a blank cell in `blank`."""
        longest = max((len(v) for values in columns for v in values if v is not None), default=0)
        if self.constant_memory or longest > self.xls_strmax // 2:  # rows flushed in order, or a text to truncate
            for r, row in enumerate(zip(*columns)):
                for c, value in enumerate(row):
                    if value is None:
                        self._write_blank(first_row + r, first_col + c, None, blank)
                    else:
                        self._write_string(first_row + r, first_col + c, value, formats[c][r])
            return
        table = self.str_table
        counted = table.count
        for row in zip(*columns):
            for value in row:
                if value is not None:
                    table._get_shared_string_index(value)
        table.count = counted  # each cell is counted once, when put_column writes it
        for c, (values, fmts) in enumerate(zip(columns, formats)):
            self.put_column(first_row, first_col + c, values, "string", fmts, blank)

    def fit_rows(self, first_row: int, columns: list[list], widths: list[float], most: int = 8) -> None:
        """Rows from `first_row` made tall enough for their texts (`columns` of equal length), each
        column wrapped at its width, up to `most` lines: a viewer that does not grow a row to its
        wrapped text would cut it off."""
        lines = [1] * max(map(len, columns), default=0)
        for values, width in zip(columns, widths):
            # worked out once per distinct text that may not fit
            needs = {v: -(-display_width(v) // max(1, int(width) - 1)) for v in set(values)
                     if isinstance(v, str) and len(v) * 2 > width}
            if needs:
                lines = [max(n, needs.get(v, 1)) for n, v in zip(lines, values)]
        tall = [(first_row + i, 15 * min(n, most)) for i, n in enumerate(lines) if n > 1]
        self._set_heights(tall)

    def _set_heights(self, rows: list[tuple[int, float]]) -> None:
        """set_row(row, height) for each of `rows` (ascending): xlsxwriter's own call at each end
        (its bounds and dimension checks), its record of a row's height in between (20,000 calls
        cost a district's leaders' workbook 0.1 s)."""
        row_info = getattr(xlsxwriter.worksheet, "RowInfo", None)  # xlsxwriter 3.3 and later
        if row_info is None or self.constant_memory or len(rows) < 3:
            for row, height in rows:
                self.set_row(row, height)
            return
        self.set_row(*rows[0])
        self.set_row(*rows[-1])
        for row, height in rows[1:-1]:
            pixels = int(height * 4.0 / 3.0 + 0.5)  # as set_row converts
            self.row_info[row] = row_info(height=pixels, row_format=None, hidden=False, level=0, collapsed=False)
            self.row_sizes[row] = [pixels, False]

    def _put_one_by_one(self, rows, col, values, kind, formats, blank) -> None:
        write = getattr(self, f"_write_{kind}")
        for row, value, fmt in zip(rows, values, formats):
            if value is None:
                self._write_blank(row, col, None, blank)
            else:
                write(row, col, value, fmt)

    def _as_cells(self, block: _Block) -> None:
        """A block as xlsxwriter's own cells, under any cell written over it since."""
        self._blocks.remove(block)
        self._columns[block.col].remove(block)
        table, make = self.table, _TUPLE[block.kind]
        for row, value, fmt in zip(block.rows, block.values, block.formats):
            if block.col not in table[row]:
                table[row][block.col] = CellBlankTuple(fmt) if value is None else make(value, fmt)

    def _all_as_cells(self) -> None:
        for block in list(self._blocks):
            self._as_cells(block)

    # the places xlsxwriter reads its cell table other than the rows themselves
    def _get_range_data(self, row_start, col_start, row_end, col_end):
        self._all_as_cells()
        return super()._get_range_data(row_start, col_start, row_end, col_end)

    def autofit(self, *args, **kwargs):
        self._all_as_cells()
        return super().autofit(*args, **kwargs)

    def _xf_in_writing_order(self) -> dict:
        """Give formats their style numbers in the order xlsxwriter's row loop would meet them (row by
        row: the row's own format, then its cells left to right), so styles.xml comes out the same."""
        met = [(row, -1, info.row_format) for row, info in self.row_info.items()
               if info.row_format is not None and self.dim_rowmin <= row <= self.dim_rowmax]
        met += [(row, col, cell.format) for row, cells in self.table.items() for col, cell in cells.items()
                if cell.format is not None]
        for block in self._blocks:
            met += [(block.rows[block.formats.index(f)], block.col, f) for f in dict.fromkeys(block.formats)]
        for _, _, fmt in sorted(met, key=lambda m: (m[0], m[1])):
            fmt._get_xf_index()
        return {id(f): f._get_xf_index() for block in self._blocks for f in dict.fromkeys(block.formats)}

    def _spans(self, rows: dict[int, dict]) -> dict[int, str]:
        """xlsxwriter's <row spans>: the first and last used column of each 16 rows."""
        bounds: dict[int, list[int]] = {}

        def widen(chunk: int, low: int, high: int) -> None:
            b = bounds.get(chunk)
            if b is None:
                bounds[chunk] = [low, high]
            else:
                b[0], b[1] = min(b[0], low), max(b[1], high)

        for row, cols in rows.items():
            if cols:
                widen(row // 16, min(cols), max(cols))
        for row, cols in self.comments.items():
            if cols and self.dim_rowmin <= row <= self.dim_rowmax:
                widen(row // 16, min(cols), max(cols))
        for block in self._blocks:
            chunks = range(block.first // 16, block.last // 16 + 1) if isinstance(block.rows, range) \
                else dict.fromkeys(row // 16 for row in block.rows)
            for chunk in chunks:
                widen(chunk, block.col, block.col)
        return {chunk: f"{low + 1}:{high + 1}" for chunk, (low, high) in bounds.items()}

    def _write_rows(self) -> None:
        if not self._blocks or self.hyperlinks:
            self._all_as_cells()
            return super()._write_rows()
        for block in list(self._blocks):  # a cell written over a column: that column's cells the ordinary way
            if any(block.col in cells and block.holds(row) for row, cells in self.table.items()):
                self._as_cells(block)
        if not self._blocks:
            return super()._write_rows()
        xf = self._xf_in_writing_order()
        rows = {row: cells for row, cells in self.table.items() if cells}
        spans = self._spans(rows)
        # blocks of the same rows (a table's columns) are joined into each row's cells at once
        tables: dict[tuple, list[_Block]] = {}
        for block in sorted(self._blocks, key=lambda b: b.col):
            at = block.rows
            tables.setdefault(("from", at.start, at.stop) if isinstance(at, range) else tuple(at), []).append(block)
        cover: dict[int, list] = {}  # row → (blocks, their cells, each row's cells joined, index) of each table in it
        for blocks in tables.values():
            pieces = [b.cells(xl_col_to_name(b.col), xf) for b in blocks]
            texts = list(map("".join, zip(*pieces)))
            for i, row in enumerate(blocks[0].rows):
                cover.setdefault(row, []).append((blocks, pieces, texts, i))
        write, row_info, comments = self.fh.write, self.row_info, self.comments
        for row in range(self.dim_rowmin, self.dim_rowmax + 1):
            cells, covering = rows.get(row), cover.get(row)
            if not cells and not covering:
                if row in comments or row in row_info:
                    self._write_empty_row(row, spans.get(row // 16), row_info.get(row))
                continue
            self._write_row(row, spans.get(row // 16), row_info.get(row))
            if not cells and len(covering) == 1:
                _, _, texts, i = covering[0]
                write(texts[i])
            else:  # ordinary cells or several tables in this row: every cell in column order
                order = [(b.col, piece[i]) for blocks, pieces, _, i in covering or ()
                         for b, piece in zip(blocks, pieces) if not cells or b.col not in cells]
                order += [(col, None) for col in cells or ()]
                for col, piece in sorted(order, key=lambda o: o[0]):
                    if piece is None:
                        self._write_cell(row, col, cells[col])
                    else:
                        write(piece)
            self._xml_end_tag("row")


class _QuickZip(zipfile.ZipFile):
    """Deflate at level 1: the leaders' workbook of a city is 56 MB of XML, 1 s to pack at zlib's
    default level and 0.25 s at 1, for a file a third larger (5 → 7 MB); a 回执 marking 50 cells
    packs in 0.8 ms instead of 2.1 (28 → 33 KB)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("compresslevel", 1)
        super().__init__(*args, **kwargs)

    def writestr(self, zinfo_or_arcname, data, compress_type=None, compresslevel=None):
        # a workbook assembled in memory gives each part as a ZipInfo, which zipfile packs at zlib's
        # default level unless told otherwise
        return super().writestr(zinfo_or_arcname, data, compress_type,
                                self.compresslevel if compresslevel is None else compresslevel)


class TableWorkbook(Workbook):
    """An xlsxwriter workbook whose sheets are TableSheets, packed quickly (`packing` None: as
    xlsxwriter packs)."""

    worksheet_class = TableSheet
    packing: type[zipfile.ZipFile] | None = _QuickZip

    def _store_workbook(self) -> None:
        if self.packing is None:
            return super()._store_workbook()
        # xlsxwriter makes its zip file inside this method, by the name its module imported
        packing = xlsxwriter.workbook.ZipFile
        xlsxwriter.workbook.ZipFile = self.packing
        try:
            super()._store_workbook()
        finally:
            xlsxwriter.workbook.ZipFile = packing
