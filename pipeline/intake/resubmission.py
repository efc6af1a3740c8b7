"""A resubmission's 回执 shows what changed since the unit's previous accepted workbook, and its 疑问.

The comparison itself is pure (ledger.changes); this places its findings on the files read:
each goalpost query at its cell, and each file's list of changes for its 回执 sheet.
"""
from __future__ import annotations

import pandas as pd

from ..printing import a4_landscape
from ..problems import describe, problem
from ..safetext import safe_text

CHANGES_SHEET = "与上次报送相比的变化"


def attach_changes(files, queries: list[dict], changes: pd.DataFrame) -> None:
    """Add the located 疑问 to each file's problems and keep its change rows for its 回执."""
    from .ingest import _sort_problems

    by_rel = {f.rel: f for f in files}
    touched = set()
    for q in queries:
        f = by_rel.get(q["file"])
        if f is None or f.book is None:
            continue
        found = f.book["sheets"].get(q["sheet"], {})
        col = found.get("columns", {}).get(q["column"])
        f.problems.append(problem(q["code"], file=f.rel, sheet=found.get("name", q["sheet"]), row=q["row"], col=col,
                                  column=q["column"], value=q["value"], detail=q["detail"]))
        touched.add(f.rel)
    for rel in touched:
        f = by_rel[rel]
        f.problems = _sort_problems(f.problems)
        f.note = describe(f.problems[0]) if f.problems else ""
    if not changes.empty:
        for rel, rows in changes.groupby("新文件", sort=False):
            if rel in by_rel:
                by_rel[rel].changes = rows.reset_index(drop=True)


def write_changes_sheet(wb, f, used_names: set[str]) -> None:
    """One sheet in the 回执: every row added, removed or changed since the previous accepted workbook."""
    rows = getattr(f, "changes", None)
    if rows is None or rows.empty:
        return
    head = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True, "valign": "vcenter"})
    text = wb.add_format({"border": 1, "valign": "top", "text_wrap": True})
    ws = wb.add_worksheet(CHANGES_SHEET)
    used_names.add(CHANGES_SHEET.lower())
    ws.write_string(0, 0, safe_text(f"与本单位上一份通过审核的台账（{rows['原文件'].iloc[0]}）相比，本次报送的变化如下。"
                                     "整改时限、检查时间、已销号问题的完成时间一般不应修改。"))
    cols = ["表", "编号", "检查单位", "变化", "字段", "原值", "新值"]
    widths = [10, 12, 18, 8, 14, 24, 24]
    for c, (name, width) in enumerate(zip(cols, widths)):
        ws.write_string(2, c, name, head)
        ws.set_column(c, c, width)
    # a resubmission may change every row: written a column at a time (pipeline/table_sheet.py)
    table = [[safe_text("" if value is None else value) for value in rows[name].tolist()] for name in cols]
    ws.put_table(3, 0, table, [[text] * len(rows)] * len(cols), text)
    ws.fit_rows(3, table, widths)  # a long 原值 or 新值 is read whole
    ws.freeze_panes(3, 0)
    ws.autofilter(2, 0, 2 + len(rows), len(cols) - 1)
    a4_landscape(ws, f"&C{CHANGES_SHEET}", repeat_row=2)  # 原值 and 新值 printed beside the rest, not on pages of their own
