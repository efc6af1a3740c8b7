"""What of a unit's own sheets its 回执 copies, marked: the sheets with a problem at a cell and, of
a table, its head and the rows with a mark, at their own row numbers, the others hidden. A 300-row
ledger with three marks reads as three rows, and its 回执 takes a quarter of the time (a city month
whose every ledger has a mark writes 1,500 of them). A sheet whose header row was not found (a form,
or not the template) is copied whole. The worker reading a file again for its 回执 keeps only these
rows and the top row of each merged range reaching them (intake/parse.read_encoded); the 回执 writer
spreads those ranges' values and shows only these rows (intake/feedback)."""
from __future__ import annotations

import bisect


def marked_sheets(f) -> list[str]:
    """The sheets a file's 回执 shows marked: those with a problem at a cell (a city month whose every
    row is queried held every sheet of 1,500 workbooks in memory, 770 MB, to copy the unmarked ones too)."""
    return sorted({p["sheet"] for p in f.problems if p["row"] is not None and p["sheet"]})


def copied_rows(header_row: int | None, marked: set[int]) -> list[int] | None:
    """The rows of a sheet its marked copy shows (None: every row)."""
    if header_row is None:
        return None
    return sorted(set(range(header_row + 1)) | set(marked))


def rows_to_copy(f) -> dict[str, list[int] | None]:
    """copied_rows of each of the file's marked sheets, by sheet name."""
    header = {found.get("name"): found.get("header_row") for found in ((f.book or {}).get("sheets") or {}).values()}
    marked: dict[str, set[int]] = {}
    for p in f.problems:
        if p["row"] is not None and p["sheet"]:
            marked.setdefault(p["sheet"], set()).add(p["row"])
    return {sheet: copied_rows(header.get(sheet), rows) for sheet, rows in sorted(marked.items())}


def kept(grid: list[list], rows: list[int] | None, merged: list = ()) -> list[list]:
    """What the worker sends of a grid for its marked copy: `rows`, and the top row of each merged
    range ((top, left), (bottom, right)) that reaches one of them (the writer spreads its value,
    `spread`), the other rows empty, up to the last of `rows`."""
    if rows is None:
        return grid
    needed = set(rows)
    for (a_r, _), (b_r, _) in merged:
        at = bisect.bisect_left(rows, a_r)
        if at < len(rows) and rows[at] <= b_r:
            needed.add(a_r)
    return [row if r in needed else [] for r, row in enumerate(grid[:rows[-1] + 1])]


def spread(grid: list[list], merged: list[tuple[int, int, int, int]], rows: list[int] | None) -> list[list]:
    """The grid with the value of each of these merged ranges (top, left, bottom, right), not merged
    again in the copy, in each of its cells of the `rows` shown (None: every row), as the unit sees
    them: a 被检查单位 merged down over problems' rows, some left out or marked. A blank where the
    range's top-left cell is blank. The ranges are the writer's (feedback._merges_kept: none
    overlapping, none huge), so this writes no more cells than the rows shown hold."""
    out = list(grid)
    for a_r, a_c, b_r, b_c in merged:
        value = grid[a_r][a_c] if a_r < len(grid) and a_c < len(grid[a_r]) else None
        bottom = min(b_r, len(grid) - 1)
        if rows is None:
            covered = range(a_r, bottom + 1)
        else:
            covered = rows[bisect.bisect_left(rows, a_r):bisect.bisect_right(rows, bottom)]
        for r in covered:
            row = out[r] = list(out[r])
            row.extend([None] * (b_c + 1 - len(row)))
            row[a_c:b_c + 1] = [value] * (b_c + 1 - a_c)
    return out


def shown_only(grid: list[list], rows: list[int] | None) -> list[list]:
    """The grid with only `rows` filled (None: all of them)."""
    if rows is None:
        return grid
    shown = set(rows)
    return [row if r in shown else [] for r, row in enumerate(grid[:rows[-1] + 1])]
