"""What of a unit's own sheets its 回执 copies, marked: the sheets with a problem at a cell and, of
a table, its head and the rows with a mark, at their own row numbers: a 300-row ledger with three
marks reads as three rows, and its 回执 takes a quarter of the time (a city month whose every
ledger has a mark: 1,500 of them). A sheet whose header row was not found (a
form, or not the template) is copied whole. The worker reading a file again for its 回执 keeps only
these rows (intake/parse.read_encoded), and the 回执 writer shows only them (intake/feedback)."""
from __future__ import annotations


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
    """The grid with only `rows` filled (the others empty), up to the last of them. A merged range
    that reaches a row left out is not merged in the copy (the writer keeps only ranges within the
    rows shown), so its value is spread into its cells in the rows shown (one 被检查单位 merged down
    over several problems' rows, the first of them without a mark)."""
    if rows is None:
        return grid
    shown = set(rows)
    out = [row if r in shown else [] for r, row in enumerate(grid[:rows[-1] + 1])]
    return spread(out, grid, [m for m in merged if not shown.issuperset(range(m[0][0], m[1][0] + 1))], shown)


def spread(out: list[list], grid: list[list], merged: list, shown: set[int] | None = None) -> list[list]:
    """`out` with the value of each merged range ((top, left), (bottom, right)) of `grid` in each of
    its cells (in the `shown` rows), as the unit sees them: for a range not merged again in the copy."""
    for (a_r, a_c), (b_r, b_c) in merged:
        if a_r >= len(grid) or a_c >= len(grid[a_r]):
            continue
        value = grid[a_r][a_c]
        last = min(b_c, a_c + 200)
        bottom = min(b_r, len(out) - 1)
        # the rows shown, looked up one by one: a hostile file's range may span a million rows
        rows = range(a_r, bottom + 1) if shown is None else sorted(r for r in shown if a_r <= r <= bottom)
        for r in rows:
            row = out[r] = list(out[r])
            row.extend([None] * (last + 1 - len(row)))
            row[a_c:last + 1] = [value] * (last + 1 - a_c)
    return out
