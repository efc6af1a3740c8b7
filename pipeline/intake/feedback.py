"""The feedback workbook (回执) staff email back: the verdict, the problem table, marked sheets."""
from __future__ import annotations

import datetime as dt
import math
import os
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape as xml_escape

from schemas import MODELS, spec_by_label
from ..printing import a4_landscape
from ..problems import ERROR
from ..table_sheet import TableWorkbook
from ..textnorm import clean_text, printable
from .cache import unpack_grids
from .marked import rows_to_copy, shown_only, spread
from .resubmission import write_changes_sheet

RED = "#FFC7CE"
YELLOW = "#FFEB9C"
VERDICT_TEXT = {
    "已采用": "已通过审核（本期采用）",
    "已被替代": "已通过审核（已被本单位后来报送的台账替代）",
    "已退回": "未通过审核，已退回",
    "重复文件": "重复文件（与已收到的文件完全相同）",
}


TITLES = {"信访举报登记表": "信访举报登记表审核回执", "问卷调查": "问卷数据审核回执"}


def _title(f) -> str:
    """What the 回执 answers: a unit's ledgers, the office's clue register, or a survey export."""
    return TITLES.get((f.book or {}).get("kind"), "台账审核回执")


MARKED_COPIES = "后面的工作表是所填表格的标注副本：表格只列出表头和有标注的行，行号与原表相同。"


def _explanation(f) -> str:
    text = _verdict_explanation(f)
    tables = f.book and f.book.get("grids") and any(rows is not None for rows in rows_to_copy(f).values())
    return text + MARKED_COPIES if tables else text


def _verdict_explanation(f) -> str:
    if f.result == "已退回":
        if f.book is None and any(p["code"] == "changed_while_read" for p in f.problems):
            return "文件在处理过程中被改动，下次运行时会重新读取，无需重新发送。贵单位此前通过审核的台账继续有效。"
        if f.book is None:
            return "文件无法读取，请按下方说明处理后重新发送。贵单位此前通过审核的台账继续有效。"
        return (f"本文件有 {f.errors} 处错误、{f.queries} 处疑问，已退回。请按下表逐项修改（红色为错误，黄色为疑问）"
                "后重新发送；在此之前，贵单位此前通过审核的台账继续有效。")
    if f.result == "重复文件":
        return f"本文件与 {f.duplicate_of} 内容完全相同，按一份处理，无需重复发送。"
    if f.queries:
        return (f"本文件已通过审核，但有 {f.queries} 处疑问（黄色）：请核实，确有错误的请修改，"
                "情况属实的请在该行“说明”列写明原因，随下月台账一并报送。")
    return "本文件已通过审核，未发现问题。感谢配合！"


def _write_cell(ws, r: int, c: int, value, fmt, date_fmt) -> None:
    """Units' text is always written as text: a typed `=HYPERLINK(...)` stays inert."""
    if value is None or value == "":
        ws.write_blank(r, c, None, fmt)
        return
    kind, shown = _as_written(value)
    if kind == "number":
        ws.write_number(r, c, shown, fmt)
    elif kind == "datetime":
        ws.write_datetime(r, c, shown, date_fmt)
    else:
        ws.write_string(r, c, printable(shown), fmt)


def _safe_sheet_name(name: str, used: set[str]) -> str:
    base = "".join("_" if ch in "[]:*?/\\" else ch for ch in printable(name))[:28].strip("'") or "表"
    candidate, n = base, 2
    while candidate.lower() in used:
        candidate, n = f"{base[:26]}_{n}", n + 1
    used.add(candidate.lower())
    return candidate


def write_feedback(path: Path, f, district: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    # in memory: a 回执 is small, and its dozen parts as temporary files cost 3 ms of its 5
    wb = TableWorkbook(str(path), {"strings_to_formulas": False, "strings_to_urls": False, "in_memory": True})
    wb.set_properties({"title": _title(f), "author": f"{district}专项治理办公室", "created": dt.datetime(2000, 1, 1)})
    title = wb.add_format({"bold": True, "font_size": 16, "align": "center", "valign": "vcenter"})
    label = wb.add_format({"bold": True, "bg_color": "#F2F2F2", "border": 1, "valign": "top"})
    text = wb.add_format({"text_wrap": True, "border": 1, "valign": "top"})
    bad = f.result == "已退回"
    verdict = wb.add_format({"bold": True, "font_size": 13, "border": 1, "font_color": "#9C0006" if bad else "#006100",
                             "bg_color": RED if bad else "#C6EFCE"})
    header = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "align": "center", "valign": "vcenter", "text_wrap": True})
    sev = {ERROR: wb.add_format({"border": 1, "bg_color": RED, "valign": "top"}),
           "疑问": wb.add_format({"border": 1, "bg_color": YELLOW, "valign": "top"})}

    used: set[str] = set()
    ws = wb.add_worksheet(_safe_sheet_name("审核结果", used))
    a4_landscape(ws, f"&C{district}专项治理“微腐败”{_title(f)}")
    widths = [6, 12, 8, 14, 22, 6, 40, 44]
    for c, width in enumerate(widths):
        ws.set_column(c, c, width)
    ws.merge_range(0, 0, 0, 7, f"专项治理“微腐败”{_title(f)}", title)
    ws.set_row(0, 30)
    info = [("文件", f.rel), ("填报单位", f.unit or "（未能识别）"), ("收到日期", f.received.isoformat()),
            ("审核结果", VERDICT_TEXT.get(f.result, f.result)), ("说明", _explanation(f))]
    for i, (k, v) in enumerate(info, start=2):
        ws.merge_range(i, 0, i, 1, k, label)
        ws.merge_range(i, 2, i, 7, printable(v), verdict if k == "审核结果" else text)
    ws.set_row(6, 36)
    top = 8
    heads = ["序号", "工作表", "单元格", "列名", "填写内容", "级别", "问题", "修改建议"]
    for c, h in enumerate(heads):
        ws.write_string(top, c, h, header)
    keys = ("sheet", "cell", "column", "value", "severity", "message", "hint")
    table = [[str(i) for i in range(1, len(f.problems) + 1)], *([printable(p[key]) for p in f.problems] for key in keys)]
    # a file wrong in every row has thousands of problems: written a column at a time (pipeline/table_sheet.py)
    ws.put_table(top + 1, 0, table, [[sev[p["severity"]] for p in f.problems] if key == "severity"
                                     else [text] * len(f.problems) for key in ("序号", *keys)], text)
    ws.fit_rows(top + 1, table, widths)  # a long 问题 or 修改建议 is read whole, not cut off at the column's edge
    if not f.problems:
        ws.merge_range(top + 1, 0, top + 1, 7, "未发现问题。", text)
    ws.freeze_panes(top + 1, 0)
    ws.autofilter(top, 0, top + max(1, len(f.problems)), 7)
    ws.repeat_rows(top)

    write_changes_sheet(wb, f, used)
    if f.book and f.book.get("grids"):  # the sheets with a marked cell, read again (ingest.attach_grids)
        _write_marked_sheets(wb, f, used)
    wb.close()


def _write_marked_sheets(wb, f, used: set[str]) -> None:
    plain = wb.add_format({"valign": "top", "text_wrap": True})
    date_fmt = wb.add_format({"num_format": "yyyy-mm-dd", "valign": "top"})
    marks = {ERROR: wb.add_format({"bg_color": RED, "border": 2, "border_color": "#C00000", "valign": "top", "text_wrap": True}),
             "疑问": wb.add_format({"bg_color": YELLOW, "border": 2, "border_color": "#BF8F00", "valign": "top", "text_wrap": True})}
    mark_dates = {k: wb.add_format({"bg_color": v, "num_format": "yyyy-mm-dd", "border": 2}) for k, v in ((ERROR, RED), ("疑问", YELLOW))}
    head_fmt = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True, "valign": "vcenter"})
    sheet_label = {found["name"]: label for label, found in f.book["sheets"].items()}
    copied = rows_to_copy(f)
    for name, found_grid in unpack_grids(f.book["grids"]).items():
        grid = found_grid["rows"]
        ws = wb.add_worksheet(_safe_sheet_name(name, used))
        label = sheet_label.get(name)
        found = f.book["sheets"].get(label, {}) if label else {}
        header_row = found.get("header_row")
        colmap = found.get("columns", {})
        cell_problems: dict[tuple[int, int], list[dict]] = {}
        for p in f.problems:
            if p["sheet"] == name and p["row"] is not None and p["col"] is not None:
                cell_problems.setdefault((p["row"], p["col"]), []).append(p)
        worst = {cell: ERROR if any(p["severity"] == ERROR for p in ps) else "疑问" for cell, ps in cell_problems.items()}
        specs = spec_by_label(label) if label in MODELS else {}
        for lab, c in colmap.items():
            ws.set_column(c, c, specs[lab].width if lab in specs else 14)
        merges, unmerged = _merges_kept(found_grid["merged"], cell_problems)
        shown = "审核标注"
        rows = copied.get(name)
        if rows is not None:  # a table: its head and the rows with a mark (intake/marked), the others hidden
            within, whole = set(rows), []
            for m in merges:  # a range reaching a row left out is not merged again
                (whole if within.issuperset(range(m[0], m[2] + 1)) else unmerged).append(m)
            merges = whole
            ws.set_default_row(hide_unused_rows=True)
            shown = "审核标注，只列出表头和有标注的行"
        # a range not merged again (a mark in it, or a row of it left out) shows its value in each of its cells
        grid = shown_only(spread(grid, unmerged, rows), rows)
        _put_grid(ws, grid, worst, {ERROR: (marks[ERROR], mark_dates[ERROR]), "疑问": (marks["疑问"], mark_dates["疑问"])},
                  header_row, head_fmt, plain, date_fmt, merges)
        for a_r, a_c, b_r, b_c in merges:
            value = grid[a_r][a_c] if a_r < len(grid) and a_c < len(grid[a_r]) else None
            fmt = head_fmt if a_r == header_row else plain
            ws.merge_range(a_r, a_c, b_r, b_c, None, date_fmt if isinstance(value, (dt.date, dt.datetime)) else fmt)
            if value not in (None, ""):
                _write_cell(ws, a_r, a_c, value, fmt, date_fmt)
        for (r, c), ps in sorted(cell_problems.items()):
            value = grid[r][c] if r < len(grid) and c < len(grid[r]) else None
            if value is None or value == "":  # a blank marked cell (its filled ones are in the columns)
                ws.write_blank(r, c, None, marks[worst[r, c]])
            note = "\n".join(f"【{p['severity']}】{p['message']}。{p['hint']}" for p in ps)
            ws.write_comment(r, c, clean_text(note) if len(note) > 30000 else note, {"x_scale": 2.5, "y_scale": 2})
        if header_row is not None:
            ws.freeze_panes(header_row + 1, 0)
        a4_landscape(ws, f"&C{f.unit} {name}（{shown}）", repeat_row=header_row)


MERGED_CELLS = 100_000  # the merged cells of a sheet a marked copy looks at: a ledger has a few hundred


def _merges_kept(merged: list, marked) -> tuple[list[tuple[int, int, int, int]], list]:
    """The unit's merged ranges re-created in its marked copy: not one holding a marked cell (the
    mark would hide under the merge; those are returned second, to spread their value into their
    cells), and not the huge or overlapping ones a hostile file may declare, nor any once MERGED_CELLS
    cells were looked at (neither: 10,000 overlapping ranges of 5,000 cells took 7 s)."""
    kept, unmerged, taken, looked = [], [], set(), 0
    for (a_r, a_c), (b_r, b_c) in merged:
        size = (b_r - a_r + 1) * (b_c - a_c + 1)
        area = None
        if size <= 5000 and looked + size <= MERGED_CELLS:
            looked += size
            area = {(r, c) for r in range(a_r, b_r + 1) for c in range(a_c, b_c + 1)}
        if not area or len(area) == 1 or area & taken:
            continue
        taken |= area
        (unmerged if any(cell in marked for cell in area) else kept).append((a_r, a_c, b_r, b_c))
    return kept, unmerged


def _as_written(value) -> tuple[str, object]:
    """How a unit's filled cell is written: (put_column's kind, the value it is given, a text before
    printable). 是/否 for a bool; a number no cell holds (NaN, ±inf: a hostile file's `<v>NaN</v>`) as its text."""
    if isinstance(value, bool):
        return "string", "是" if value else "否"
    if isinstance(value, (int, float)) and math.isfinite(value):
        return "number", value
    if isinstance(value, (dt.date, dt.datetime)):
        return "datetime", value if isinstance(value, dt.datetime) else dt.datetime(value.year, value.month, value.day)
    return "string", str(value)


def _put_grid(ws, grid: list[list], worst: dict, marked_formats: dict, header_row, head_fmt, plain, date_fmt,
              merges: list) -> None:
    """The unit's filled cells, each marked one in its severity's format, a column at a time
    (table_sheet.put_column): a 回执 marking 300 cells cost 40 ms cell by cell, most of a city month
    whose every row is queried. The same workbook as writing the cells row by row, then the merged
    ranges over them, then the marked cells: the texts are numbered in that order first, as
    xlsxwriter numbers them when met, and the cells of a merged range are left to the range (a
    column's block under a cell written the ordinary way would be written cell by cell)."""
    merged = {(r, c) for a_r, a_c, b_r, b_c in merges for r in range(a_r, b_r + 1) for c in range(a_c, b_c + 1)}
    cells: dict[int, list[tuple[int, str, object, object]]] = {}
    texts, marked_texts, under_merges = [], {}, 0
    for r, row in enumerate(grid):
        text_fmt = head_fmt if r == header_row else plain
        for c, value in enumerate(row):
            if type(value) is str:  # most cells: looked at no further
                if not value:
                    continue
                kind = "string"
            elif value is None:
                continue
            else:
                kind, value = _as_written(value)
            severity = worst.get((r, c))
            if severity is None:
                fmt = date_fmt if kind == "datetime" else text_fmt
                if kind == "string":
                    texts.append(value)
                    under_merges += (r, c) in merged
            else:
                fmt = marked_formats[severity][kind == "datetime"]
                if kind == "string":
                    marked_texts[r, c] = value
            if (r, c) not in merged:
                cells.setdefault(c, []).append((r, kind, value, fmt))
    texts += [marked_texts[cell] for cell in sorted(marked_texts)]
    if any(len(text) > ws.xls_strmax // 2 for text in texts):  # a text xlsxwriter may cut short: its own way
        _write_grid_cell_by_cell(ws, grid, worst, marked_formats, header_row, head_fmt, plain, date_fmt)
        return
    # the one sanitiser of every output, asked once of all the sheet's texts: most need nothing of it
    joined = "\n".join(texts)
    shown = (lambda text: text) if printable(joined) == joined else printable
    table = ws.str_table
    counted = table.count
    for text in texts:
        table._get_shared_string_index(shown(text))
    table.count = counted + under_merges  # each cell counted when written, as a merged one was before its range
    for c, column in cells.items():
        kinds: dict[str, list] = {}
        for cell in column:  # a column's cells of each kind as one block, however far apart their rows
            kinds.setdefault(cell[1], []).append(cell)
        for kind, placed in kinds.items():
            rows = [cell[0] for cell in placed]
            if rows[-1] - rows[0] == len(rows) - 1:
                rows = range(rows[0], rows[-1] + 1)
            values = [shown(cell[2]) for cell in placed] if kind == "string" else [cell[2] for cell in placed]
            ws.put_cells(rows, c, values, kind, [cell[3] for cell in placed], plain)


def _write_grid_cell_by_cell(ws, grid: list[list], worst: dict, marked_formats: dict, header_row, head_fmt, plain,
                             date_fmt) -> None:
    """_put_grid's cells written one by one, in the order it numbers their texts."""
    for r, row in enumerate(grid):
        for c, value in enumerate(row):
            if (r, c) not in worst and value is not None and value != "":
                _write_cell(ws, r, c, value, head_fmt if r == header_row else plain, date_fmt)
    for (r, c), severity in sorted(worst.items()):
        value = grid[r][c] if r < len(grid) and c < len(grid[r]) else None
        if value is not None and value != "":
            _write_cell(ws, r, c, value, *marked_formats[severity])


# A clean 回执 (no problem, no change since the last version) differs from another only in a few
# strings. At city scale (1,500 a month) building each from scratch costs most of a second per ten
# files, so one is built per verdict with placeholders and each file's copy only swaps the strings.
_PLACEHOLDERS = {"rel": "⟦文件⟧", "unit": "⟦填报单位⟧", "received": "⟦收到日期⟧", "duplicate_of": "⟦原件⟧"}
_SHARED_STRINGS = "xl/sharedStrings.xml"


class _Day:
    def isoformat(self) -> str:
        return _PLACEHOLDERS["received"]


def is_plain(f) -> bool:
    """Nothing to mark and nothing changed: the 回执 is the verdict page alone."""
    changes = getattr(f, "changes", None)
    return not f.problems and (changes is None or changes.empty)


# the prepared workbooks of this process, by district, verdict and kind of workbook: a month's 回执
# are written in 32 parts (jobs/period.py), and preparing them again for each cost 4 ms a time
_PREPARED: dict[tuple, list[tuple[zipfile.ZipInfo, bytes]]] = {}


class FeedbackWriter:
    """Writes every file's 回执; plain ones are filled in from a prepared workbook per verdict."""

    def __init__(self, district: str, scratch: Path):
        self.district = district
        self.scratch = Path(scratch)

    def _prepare(self, result: str, kind) -> list[tuple[zipfile.ZipInfo, bytes]]:
        key = (self.district, result, kind)
        if key not in _PREPARED:
            from types import SimpleNamespace

            fake = SimpleNamespace(rel=_PLACEHOLDERS["rel"], unit=_PLACEHOLDERS["unit"], received=_Day(),
                                   result=result, problems=[], book={"kind": kind}, errors=0, queries=0,
                                   duplicate_of=_PLACEHOLDERS["duplicate_of"], changes=None)
            self.scratch.mkdir(parents=True, exist_ok=True)
            path = self.scratch / f".回执模板-{os.getpid()}-{len(_PREPARED)}.xlsx"  # both processes may prepare
            write_feedback(path, fake, self.district)
            with zipfile.ZipFile(path) as z:
                _PREPARED[key] = [(info, z.read(info)) for info in z.infolist()]
            path.unlink()
        return _PREPARED[key]

    def write(self, path: Path, f) -> None:
        values = {"rel": f.rel, "unit": f.unit or "（未能识别）", "received": f.received.isoformat(),
                  "duplicate_of": f.duplicate_of or ""}
        if not is_plain(f) or any(v != v.strip() for v in values.values()):  # XML would not keep edge spaces
            write_feedback(path, f, self.district)
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(path, "w") as out:
            for info, data in self._prepare(f.result, (f.book or {}).get("kind")):
                if info.filename == _SHARED_STRINGS:
                    text = data.decode("utf-8")
                    for key, mark in _PLACEHOLDERS.items():
                        text = text.replace(mark, xml_escape(printable(values[key])))
                    data = text.encode("utf-8")
                out.writestr(info, data)


def write_all(district: str, out: Path, files: list, names: dict[str, str]) -> None:
    """Every file's 回执, `names` giving each file's path under `out` (run on the second core at city scale)."""
    answer = FeedbackWriter(district, out)
    for f in files:
        answer.write(Path(out) / names[f.rel], f)
