"""Check the month's ledgers against the pandera models and the registry, all files at once.

Frames of every file are validated together (pandera costs ~35 ms per call, so once per sheet
type, not per file), each row keeping its file and row so a failure still points at its cell.
"""
from __future__ import annotations

import datetime as dt
from itertools import chain

import numpy as np
import pandas as pd
import pandera.pandas as pa

from schemas import KINDS, MODELS, columns
from schemas.clues import CONFIDENTIAL
from ..config import Config
from ..distinct import map_each
from ..problems import CATALOGUE, problem
from ..textnorm import clean_text
from .table import Coded

META = ["_file", "_unit", "_received", "_row", "_key"]
SECRET = {label for kind in KINDS for label in kind.confidential} | set(CONFIDENTIAL)  # never a frame column


CONVERTED = ("date", "count")  # the kinds of column _typed converts; the others are kept as parsed


def _typed(values: pd.Series, kind: str | None) -> pd.Series:
    if kind == "date":  # ISO text as decoded (intake.cache), or dates
        return pd.to_datetime(values, errors="coerce", format="ISO8601")
    if kind == "count":
        return pd.to_numeric(values, errors="coerce").astype("float64")
    return values


def _month_column(parts: list, sizes: list[int], kind: str | None) -> pd.Series:
    """One column of the month from each file's part (None where a file lacks it), typed by `kind`.

    Coded parts (text and dates, see intake.table) are joined as codes, so each distinct value is
    converted once; any plain part (numbers, a mix of types) makes the column join cell by cell.
    """
    if any(part is not None and not isinstance(part, Coded) for part in parts):
        return _typed(pd.Series(list(chain.from_iterable(part if part is not None else [None] * n
                                                         for part, n in zip(parts, sizes))), dtype=object), kind)
    present = [part for part in parts if part is not None]
    pooled = np.array(list(chain.from_iterable(part.values for part in present)) or [None], dtype=object)
    if kind not in CONVERTED:
        return _pooled_column(pooled, parts, sizes)
    # every file's distinct values, numbered across the month at once (None: pandas' missing, -1)
    month, uniques = pd.factorize(pooled)
    missing = len(uniques)
    month[month < 0] = missing
    values = _typed(pd.Series([*uniques, None], dtype=object), kind)
    pieces, start = [], 0
    for part, n in zip(parts, sizes):
        if part is None:
            pieces.append(np.full(n, missing, dtype=month.dtype))
            continue
        pieces.append(month[start:start + len(part.values)][np.frombuffer(part.codes, dtype=np.intc)])
        start += len(part.values)
    codes = np.concatenate(pieces) if pieces else np.zeros(0, dtype=month.dtype)
    return pd.Series(values.to_numpy()[codes], dtype=values.dtype)


def _pooled_column(pooled: np.ndarray, parts: list, sizes: list[int]) -> pd.Series:
    """A column kept as parsed (text, codes): each file's codes point into the files' values pooled, blanks
    as None (a coded value is text or None, as parsed and as decoded: no other blank needs a look).
    Numbering the values across the month pays only where each is then converted once; a city's
    problem texts, each written in its own words, took 0.3 s to number."""
    pooled = np.append(pooled, None)
    blank = len(pooled) - 1
    pieces, start = [], 0
    for part, n in zip(parts, sizes):
        if part is None:
            pieces.append(np.full(n, blank, dtype=np.intp))
            continue
        pieces.append(np.frombuffer(part.codes, dtype=np.intc) + start)
        start += len(part.values)
    return pd.Series(pooled[np.concatenate(pieces)] if pieces else pooled[:0], dtype=object)


def build_frames(books: dict[str, dict], received: dict[str, dt.date]) -> dict[str, pd.DataFrame]:
    """One DataFrame per sheet type (of every kind of workbook), labels as columns plus META.

    Built column by column from every file's table at once: a frame per file, or a dict per row,
    costs more than reading the files.
    """
    frames = {}
    for sheet in MODELS:
        specs = [c for c in columns(sheet) if c.label not in SECRET]
        tables = [(file, books[file]["sheets"][sheet]["table"]) for file in sorted(books)
                  if books[file]["sheets"].get(sheet) and len(books[file]["sheets"][sheet]["table"].get("_row") or ())]
        sizes = [len(table["_row"]) for _, table in tables]

        def repeated(values: list) -> list:
            return list(chain.from_iterable([value] * n for value, n in zip(values, sizes)))

        files = [file for file, _ in tables]
        data = {
            "_file": pd.Series(repeated(files), dtype=object),
            "_unit": pd.Series(repeated([books[f].get("unit") for f in files]), dtype=object),
            "_received": pd.to_datetime(pd.Series(repeated([received[f] for f in files]), dtype=object)),
            "_row": pd.Series(list(chain.from_iterable(table["_row"] for _, table in tables)), dtype="int64"),
            "_key": _month_column([table.get("_key") for _, table in tables], sizes, None),
        }
        for spec in specs:
            data[spec.label] = _month_column([table.get(spec.label) for _, table in tables], sizes, spec.kind)
        frames[sheet] = pd.DataFrame(data)
    return frames


def _code_for(check: str) -> str | None:
    if check == "not_nullable":
        return "required"
    if check.startswith("isin"):
        return "vocab"
    if check.startswith("greater_than_or_equal_to"):
        return "negative"
    if check.startswith("less_than_or_equal_to"):
        return "count_too_large"
    if check in CATALOGUE:
        return check
    return None


def _shown(value):
    """A located cell's value as its problem shows it: a day as ISO text, a whole number without .0, a blank as ''."""
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    if isinstance(value, float) and value == value and value.is_integer():
        return int(value)
    if value is None or pd.isna(value):
        return ""
    return value


def _locate(frame: pd.DataFrame, indexes, sheet: str, label: str, books: dict, code: str,
            detail: str = "") -> list[dict]:
    """The problems `code` at `label` of these rows of `frame`, each at its file's cell. The rows' columns
    are taken whole: a row at a time cost 25 µs, and a city month whose every row is queried has 450,000."""
    if not len(indexes):
        return []
    rows = frame.loc[indexes]
    values = rows[label].astype(object) if label in frame.columns else [""] * len(rows)
    found = []
    for file, row, value in zip(rows["_file"], rows["_row"].tolist(), values):
        sheet_found = books[file]["sheets"][sheet]
        found.append(problem(code, file=file, sheet=sheet_found["name"], row=int(row),
                             col=sheet_found["columns"].get(label), column=label, value=_shown(value), detail=detail))
    return found


def schema_problems(frames: dict[str, pd.DataFrame], books: dict) -> list[dict]:
    """Run each sheet's pandera model lazily and turn every failure case into a located problem."""
    found: list[dict] = []
    for sheet, model in MODELS.items():
        frame = frames[sheet]
        if frame.empty:
            continue
        try:
            model.validate(frame, lazy=True)
            continue
        except pa.errors.SchemaErrors as exc:
            cases = exc.failure_cases
        seen = set()
        located: dict[tuple[str, str, str], list[int]] = {}  # the failing rows of each column, code and detail
        for case in cases.itertuples(index=False):
            code = _code_for(str(case.check))
            if code is None or case.index is None or pd.isna(case.index):
                continue
            # a row check lists every column of a failing row: report it once, at its column
            target = CATALOGUE[code].column or case.column
            key = (int(case.index), target, code)
            if key in seen:
                continue
            seen.add(key)
            detail = ""
            if code == "vocab":
                spec = next(c for c in columns(sheet) if c.label == target)
                detail = f"应为 {'、'.join(spec.vocab)} 之一"
            located.setdefault((target, code, detail), []).append(int(case.index))
        for (target, code, detail), indexes in located.items():
            found.extend(_locate(frame, indexes, sheet, target, books, code, detail))
    return found


def _clean(value):
    return clean_text(value) if value is not None else None


def registry_problems(frames: dict[str, pd.DataFrame], books: dict, config: Config) -> list[dict]:
    """Checks that need the registry: who inspected, and whether the inspected unit is known."""
    found: list[dict] = []
    names = config.name_index()
    rect = frames["整改台账"]
    by = map_each(rect["检查单位"], _clean)
    found.extend(_locate(rect, rect.index[by.notna() & ~by.isin(names.keys())], "整改台账", "检查单位", books,
                         "inspecting_unit_unregistered"))

    insp = frames["检查台账"]
    kinds = {u.name: u.type for u in config.units}
    owner = config.grassroots_owner()
    target = map_each(insp["被检查单位"], _clean)
    owned_by = map_each(target, lambda t: owner.get(t) or names.get(t))
    by_group = insp["_unit"].map(kinds) == "专项治理小组"
    # a unit whose grassroots units the office has not registered has no list to be checked against:
    # only a place registered as another unit's is queried (a city registry without them queried every row)
    unlisted = ~insp["_unit"].isin(config.listing_grassroots())
    known = owned_by.notna().where(by_group, (owned_by == insp["_unit"]) | (unlisted & owned_by.isna()))
    unexplained = target.notna() & insp["_unit"].notna() & insp["说明"].isna()
    found.extend(_locate(insp, insp.index[unexplained & ~known.astype(bool)], "检查台账", "被检查单位", books,
                         "grassroots_unlisted"))
    return found


def accountability_problems(frames: dict[str, pd.DataFrame], books: dict, config: Config) -> list[dict]:
    """承诺书 and the 信访举报 register against the registry: whose commitment, who handles, about whom."""
    found: list[dict] = []
    names = config.name_index()
    owner = config.grassroots_owner()
    pledges = frames["承诺书"]
    who = map_each(pledges["承诺单位"], _clean)
    listed = config.listing_grassroots()  # as for 被检查单位: no list, nothing to check against
    belongs = [w is None or names.get(w) == unit or owner.get(w) == unit
               or (unit not in listed and w not in names and w not in owner) for w, unit in zip(who, pledges["_unit"])]
    found.extend(_locate(pledges, pledges.index[~pd.Series(belongs, index=pledges.index, dtype=bool)], "承诺书",
                         "承诺单位", books, "commitment_unit_not_own"))
    clues = frames["信访举报"]
    handler = map_each(clues["承办单位"], _clean)
    found.extend(_locate(clues, clues.index[handler.notna() & ~handler.isin(names.keys())], "信访举报", "承办单位",
                         books, "clue_handler_unregistered"))
    about = map_each(clues["被反映单位"], _clean)
    unknown = about.notna() & ~about.isin(names.keys()) & ~about.isin(owner.keys()) & clues["说明"].isna()
    found.extend(_locate(clues, clues.index[unknown], "信访举报", "被反映单位", books, "clue_unit_unknown"))
    return found


def validate(frames: dict[str, pd.DataFrame], books: dict, config: Config) -> list[dict]:
    return (schema_problems(frames, books) + registry_problems(frames, books, config)
            + accountability_problems(frames, books, config))


def drop_shadowed(problems: list[dict]) -> list[dict]:
    """A cell that could not be read is reported as such, not again as empty."""
    unreadable = {(p["file"], p["sheet"], p["cell"]) for p in problems if p["code"] in ("bad_date", "bad_number", "bad_month")}
    return [p for p in problems if not (p["code"] == "required" and (p["file"], p["sheet"], p["cell"]) in unreadable)]
