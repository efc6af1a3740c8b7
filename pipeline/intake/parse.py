"""Read a workbook's grids as a person typed them: find sheets, header rows, the unit, the values.

Pure Python (no pandas) so it runs inside the capped reader workers; the result is plain data.
"""
from __future__ import annotations

import datetime as dt
import itertools
import re
from array import array
from operator import itemgetter
from pathlib import PurePosixPath

from ..problems import problem
from .cache import decode, encode, pack_grids
from .marked import kept
from .confidential import seal
from .survey import KIND as SURVEY_KIND, read_answers, scale_context
from .table import Coded
from .readers import ReadFailure, file_bytes, read_grids
from ..textnorm import (Unparsed, clean_number_keys, clean_text, clean_texts, header_key, parse_date, parse_month,
                        parse_number, squeeze, strip_category_prefix)

MARKER_SHEET = "_meta"
MARKER_TEMPLATE = "专项治理微腐败台账"
HEADER_SCAN_ROWS = 40
TOLERATED_HEADERS = {"序号"}
_LABEL_SPLIT = re.compile(r"[:：]")


def read_encoded(payload: dict, context: dict) -> dict:
    """The worker task: a file (payload['path'] and the sha256 it must have, or its bytes as
    payload['data']) → {'blob': the parsed book, encoded as the cache keeps it}, or with
    payload['grids'] (sheet name → the rows to keep, or None: intake/marked.rows_to_copy) and
    payload['kind'] (the book's kind, as first read) {'grids': those sheets' cell grids, to mark a
    feedback workbook, packed (cache.pack_grids)}, or
    {'failure': (code, detail)}.

    The worker encodes (compact columnar JSON) so that the job reads a fresh file and a cached one
    the same way, and the main process never converts cell by cell.
    """
    marked = payload.get("grids")
    # a ledger's marked sheets are all its 回执 needs of it again: only they are read, as typed; a
    # book with confidential columns is read whole, as its seal needs (a month whose every file is
    # marked read each again whole, 4.9 s of a city's)
    only = frozenset(marked) if marked and not _is_confidential(payload.get("kind"), context) else None
    try:
        data = payload["data"] if "data" in payload else file_bytes(payload["path"], payload["sha256"], context["limits"])
        grids = read_grids(data, payload["ext"], context["limits"], only=only)
    except ReadFailure as exc:
        return {"failure": (exc.code, exc.detail)}
    if only is not None:
        return {"grids": pack_grids({sheet["name"]: {"merged": sheet["merged"],
                                                     "rows": kept(_absolute(sheet, fill_merged=False), marked.get(sheet["name"]),
                                                                  sheet["merged"])}
                                     for sheet in grids})}
    book = parse_book(grids, payload["file"], context, keep_grids=bool(marked))
    if marked:
        return {"grids": pack_grids({name: {**grid, "rows": kept(grid["rows"], marked.get(name), grid["merged"])}
                                     for name, grid in book["grids"].items() if name in marked})}
    blob = encode(book)
    if blob is None:
        return {"failure": ("unreadable", "读取程序无法保存该文件的内容")}
    return {"blob": blob}


def _is_confidential(kind: str | None, context: dict) -> bool:
    """The kind of book (as parse_book named it) has confidential columns, or is not known."""
    return next((bool(k["confidential"]) for k in context["kinds"] if k["name"] == kind), True)


def read_submission(payload: dict, context: dict) -> dict:
    """The parsed book of one file (its sheets' values as columns, see intake.table), or {'failure': ...}."""
    result = read_encoded(payload, context)
    return decode(result["blob"]) if "blob" in result else result


def _absolute(sheet: dict, fill_merged: bool = True) -> list[list]:
    """The sheet's rows from A1; a merged range's value is copied into each of its cells
    (one inspection merged over several problem rows belongs to each of them)."""
    r0, c0 = sheet["origin"]
    if fill_merged and not sheet["merged"] and not r0 and not c0:
        return sheet["rows"]  # nothing to shift or fill, and this grid is only ever read
    pad = [None] * c0
    grid = [[] for _ in range(r0)] + [pad + list(row) if c0 else list(row) for row in sheet["rows"]]
    if not fill_merged:
        return grid
    for (a_r, a_c), (b_r, b_c) in sheet["merged"]:
        if a_r >= len(grid) or a_c >= 200:
            continue
        top = grid[a_r][a_c] if a_c < len(grid[a_r]) else None
        for r in range(a_r, min(b_r, len(grid) - 1, a_r + 5000) + 1):
            row = grid[r]
            last = min(b_c, 199)
            if len(row) <= last:
                row.extend([None] * (last + 1 - len(row)))
            for c in range(a_c, last + 1):
                row[c] = top
    return grid


_BUILT: dict[tuple[str, int], tuple[object, object]] = {}  # (what, id of a context list) → (the list, built from it)


def _built_once(what: str, source: list, build):
    """`build(source)` once per worker for each list of the read context (which lives as long as the worker)."""
    entry = _BUILT.get((what, id(source)))
    if entry is None or entry[0] is not source:
        entry = _BUILT[(what, id(source))] = (source, build(source))
    return entry[1]


def _label_lookup(specs: list[dict]) -> dict[str, str]:
    return _built_once("labels", specs, _labels)


def _labels(specs: list[dict]) -> dict[str, str]:
    lookup = {}
    for spec in specs:
        for spelling in (*spec["aliases"], spec["label"]):
            lookup[squeeze(spelling)] = spec["label"]
    return lookup


def find_header(grid: list[list], specs: list[dict], also: frozenset[str] = frozenset()) -> tuple[int | None, dict[str, int]]:
    """The row (0-based) holding most of the sheet's labels, and label → column. `also`: headers
    outside the schema (as header_key gives them) that tell rows holding as many labels apart: a
    survey tool's 序号, 姓名, 提交时间 are in its header row, not in a caption above it (被评价单位：
    西华街道 调查日期：…, which holds both of its labels as well, each with a colon)."""
    lookup = _label_lookup(specs)
    best, best_map, best_count = None, {}, (0, 0)
    for r, row in enumerate(grid[:HEADER_SCAN_ROWS]):
        found: dict[str, int] = {}
        others = 0
        for c, value in enumerate(row):
            key = header_key(value)
            label = lookup.get(key)
            if label and label not in found:
                found[label] = c
                if also and isinstance(value, str) and value.rstrip().endswith((":", "：")):
                    others -= 1  # a caption's 被评价单位：, its value in the next cell
            elif key in also:
                others += 1
        if also and best_count[0] == len(specs) and not found and any(v not in (None, "") for v in row):
            break  # the data begins: a row below it (a second export's header, a summary) is no header
        if (len(found), others) > best_count:
            best, best_map, best_count = r, found, (len(found), others)
            if len(found) == len(specs) and not also:  # no later row can hold more (and the rows below are data)
                break
    if len(best_map) < min(3, len(specs)):
        return None, {}
    return best, best_map


def _labelled_value(grid: list[list], above: int, label: str):
    """The value typed after a caption like `填报单位：` above the header row."""
    for row in grid[:above]:
        for c, value in enumerate(row):
            text = clean_text(value) if isinstance(value, str) else ""
            if not squeeze(text).startswith(label):
                continue
            rest = _LABEL_SPLIT.split(text, maxsplit=1)
            tail = rest[1].strip() if len(rest) > 1 else ""
            tail = re.sub(r"[（(]盖章[)）]", "", tail).strip()
            if tail:
                return tail
            for value2 in row[c + 1:]:
                if value2 not in (None, ""):
                    return value2
            return None
    return None


def _normalize(value, spec: dict, year: int):
    """(normalized value, problem code or None) for one cell as typed."""
    kind = spec["kind"]
    if kind == "date":
        parsed = parse_date(value)
        return (None, "bad_date") if isinstance(parsed, Unparsed) else (parsed, None)
    if kind == "count":
        parsed = parse_number(value)
        return (None, "bad_number") if isinstance(parsed, Unparsed) else (parsed, None)
    if kind == "month":
        parsed = parse_month(value, year)
        return (None, "bad_month") if isinstance(parsed, Unparsed) else (parsed, None)
    if isinstance(value, (dt.date, dt.datetime)):
        value = value.isoformat()[:10]
    return _text_value(clean_text(value), spec), None


def _text_value(text: str, spec: dict):
    """A text or code cell's value once cleaned: None when blank, a vocabulary word as the vocabulary spells it."""
    if not text:
        return None
    if spec["vocab"]:
        bare = strip_category_prefix(text) if spec["label"] == "治理类别" else squeeze(text)
        if bare in spec["vocab"]:
            return bare
    return text


_TEXT_OR_BLANK = {str, type(None)}
_PLAIN_KINDS = {"count"}  # numbers stay a plain list; text and dates are coded
_TEXT_KINDS = {"text", "code"}  # nothing typed in them is an error


def _texts_of(keys, spec: dict, year: int, cleaned: dict) -> dict:
    """key → value for the distinct typed values of a text or code column. `cleaned`: the book's
    texts already cleaned (存在问题 is usually 发现的问题 copied), each cleaned once."""
    fresh = [key for key in keys if type(key) is str and key not in cleaned]
    cleaned.update(zip(fresh, clean_texts(fresh)))
    if not spec["vocab"]:  # _text_value of a plain text: the text, None when blank
        return {key: (cleaned[key] or None) if type(key) is str else _normalize(key[1], spec, year)[0]
                for key in keys}
    return {key: _text_value(cleaned[key], spec) if type(key) is str else _normalize(key[1], spec, year)[0]
            for key in keys}


def _read_table(grid, header_row, colmap, specs, file, sheet_name, year, problems, cleaned: dict) -> dict:
    """The sheet's typed values column by column ({'_row': [...], label: [...]}), blank rows skipped.

    Each distinct value of a column is normalised once (a city month has millions of cells), and a
    column of text or dates is kept as its distinct values and a code per row (intake.table.Coded),
    the form the cache and the month's frames keep it in.
    """
    by_label = {s["label"]: s for s in specs}
    places = list(colmap.items())
    cols = [c for _, c in places]
    kept = _filled_rows(grid, header_row + 1, cols)
    rows = [grid[r] for r in kept]
    narrowest = min(map(len, rows), default=0)
    table: dict = {"_row": kept}
    found = []
    for order, (label, c) in enumerate(places):
        spec = by_label[label]
        raw = [row[c] for row in rows] if c < narrowest else [row[c] if c < len(row) else None for row in rows]
        # 1, 1.0 and True are equal dict keys: only text is keyed by itself
        keys = raw if set(map(type, raw)) <= _TEXT_OR_BLANK else [
            v if type(v) is str or v is None else (type(v), v) for v in raw]
        distinct = dict.fromkeys(keys)
        distinct.pop(None, None)
        if spec["kind"] in _TEXT_KINDS:
            value_of = _texts_of(distinct, spec, year, cleaned)
        else:
            memo = {k: _normalize(k if type(k) is not tuple else k[1], spec, year) for k in distinct}
            if any(h[1] for h in memo.values()):
                found.extend((kept[i], order, problem(memo[k][1], file=file, sheet=sheet_name, row=kept[i], col=c,
                                                      column=label, value=raw[i]))
                             for i, k in enumerate(keys) if k is not None and memo[k][1])
            value_of = {k: h[0] for k, h in memo.items()}
        value_of[None] = None
        if spec["kind"] in _PLAIN_KINDS:
            table[label] = list(_each(value_of, keys))
            continue
        table[label] = column = _coded(keys, value_of)
        if spec["kind"] == "code":
            table["_key"] = list(_each(_number_keys(column.values), column.codes))
    found.sort(key=lambda x: (x[0], x[1]))
    problems.extend(p for _, _, p in found)
    return table


def _coded(keys: list, value_of: dict) -> Coded:
    """Each row's normalised value as a code into the column's distinct values (two spellings of one
    value share its code)."""
    values = list(value_of.values())
    index = dict(zip(dict.fromkeys(values), itertools.count()))  # each distinct value, numbered in order
    code_of = dict(zip(value_of, range(len(values)))) if len(index) == len(values) else \
        dict(zip(value_of, map(index.__getitem__, values)))
    return Coded(list(index), array("i", _each(code_of, keys)))


def _number_keys(values: list) -> list:
    """Each distinct 编号's key (textnorm.clean_number_key), None for a blank."""
    keys = clean_number_keys([value or "" for value in values])
    return [key if value else None for key, value in zip(keys, values)]


def _each(mapping, keys) -> tuple | list:
    """mapping[key] of each key, looked up in C (a city month looks up millions of cells)."""
    return itemgetter(*keys)(mapping) if len(keys) > 1 else [mapping[key] for key in keys]


def _filled_rows(grid: list[list], start: int, cols: list[int]) -> list[int]:
    """The rows from `start` with something typed in one of `cols` (a city month: millions of rows,
    so the test is written out here rather than called per row and cell)."""
    kept = []
    for r in range(start, len(grid)):
        row = grid[r]
        width = len(row)
        for c in cols:
            if c < width:
                value = row[c]
                if value is not None and (type(value) is not str or value.strip()):
                    kept.append(r)
                    break
    return kept


def _find_sheet(sheets: list[dict], label: str, specs: list[dict], taken: set[str]):
    candidates = [s for s in sheets if s["name"] not in taken and s["name"] != MARKER_SHEET]
    for s in candidates:
        if squeeze(s["name"]) == label:
            return s
    for s in candidates:
        if label in squeeze(s["name"]):
            return s
    for s in candidates:
        if s["visible"] and find_header(_absolute(s), specs)[0] is not None:
            return s
    return None


def _marker(sheets: list[dict]) -> dict:
    for s in sheets:
        if s["name"] == MARKER_SHEET:
            pairs = {}
            for row in _absolute(s):
                if len(row) >= 2 and row[0] not in (None, ""):
                    pairs[clean_text(row[0])] = clean_text(row[1])
            return pairs if pairs.get("模板") == MARKER_TEMPLATE else {}
    return {}


def _resolve(text: str, names: dict[str, str]) -> str | None:
    key = clean_text(text)
    if key in names:
        return names[key]
    return names.get(squeeze(text))


def _spelling_index(spellings: list[tuple[str, str]]) -> tuple[dict[str, list[str]], list[int]]:
    names: dict[str, list[str]] = {}
    for spelling, name in spellings:
        names.setdefault(spelling, []).append(name)
    return names, sorted({len(spelling) for spelling in names})


def _units_in_filename(path: str, spellings: list[tuple[str, str]]) -> set[str]:
    stem = squeeze(PurePosixPath(path).stem)
    names, lengths = _built_once("spellings", spellings, _spelling_index)
    first: dict[str, int] = {}  # each spelling in the stem, where it first appears (a city has thousands)
    for start in range(len(stem)):
        for length in lengths:
            if start + length > len(stem):
                break
            s = stem[start:start + length]
            if s in names and s not in first:
                first[s] = start
    covered: set[str] = set()
    # a short alias inside a longer matched spelling (西华 in 西华街道) is the same mention
    hits = sorted(((start, len(s), name, s) for s, start in first.items() for name in names[s]),
                  key=lambda h: (-h[1], h[3], h[2]))
    spans: list[tuple[int, int]] = []
    for start, length, name, _ in hits:
        if any(a <= start and start + length <= b for a, b in spans):
            continue
        spans.append((start, start + length))
        covered.add(name)
    return covered


def identify_unit(marker: dict, stated: list[str], path: str, context: dict, file: str, problems: list) -> str | None:
    names, codes = context["names"], context["codes"]
    sources: list[tuple[str, str]] = []
    if marker.get("单位编码") in codes:
        sources.append(("模板标记", codes[marker["单位编码"]]))
    unknown = []
    for text in stated:
        resolved = _resolve(text, names)
        if resolved:
            sources.append(("“填报单位”", resolved))
        else:
            unknown.append(text)
    in_name = _units_in_filename(path, context["spellings"])
    if len(in_name) == 1:
        sources.append(("文件名", next(iter(in_name))))
    distinct = sorted({name for _, name in sources})
    for text in unknown:
        code = "unit_name_unusual" if len(distinct) == 1 else "unit_unregistered"
        problems.append(problem(code, file=file, value=text, detail=f"填写为“{text}”"))
    if len(distinct) > 1:
        said = "；".join(f"{where}为“{name}”" for where, name in sources)
        problems.append(problem("unit_conflict", file=file, detail=said))
        return None
    if distinct:
        return distinct[0]
    if not unknown:
        problems.append(problem("unit_unknown", file=file))
    return None


def book_kind(sheets: list[dict], kinds: list[dict]) -> dict:
    """The kind of workbook, recognised by its sheets: the default (a unit's ledger) when it holds the
    ledger's sheets, else the first kind with a signature sheet, else the default."""
    names = [squeeze(s["name"]) for s in sheets if s["name"] != MARKER_SHEET]
    default = next(kind for kind in kinds if not kind["signature"])
    # a unit's ledger with another sheet besides (a copy of the register's 信访举报) is still its ledger:
    # taken for the office's register, it replaced the real one and wiped every unit's clues
    if any(label in name for label in default["sheets"] if label not in default["optional"] for name in names):
        return default
    for kind in kinds:
        if any(sig == name or sig in name for sig in kind["signature"] for name in names):
            return kind
    return next(kind for kind in kinds if not kind["signature"])


def parse_book(sheets: list[dict], file: str, context: dict, keep_grids: bool = True) -> dict:
    """Recognise the workbook's kind, locate its sheets and read them; every problem found is returned, none raised.

    `keep_grids`: also return the cells as typed, to mark a feedback workbook (costly at city scale).
    """
    problems: list[dict] = []
    year = context["year"]
    kind = book_kind(sheets, context["kinds"])
    marker = _marker(sheets)
    result_sheets: dict[str, dict] = {}
    questions: dict[str, set[int]] = {}  # a survey sheet's question columns (read_answers)
    grids: dict[str, dict] = {}
    stated: list[str] = []
    filled_on = None
    taken: set[str] = set()
    cleaned: dict[str, str] = {}
    secret_headers = {header_key(header): label for header, label in kind["secret_headers"]}  # asked_label's
    # what else a survey tool heads its columns with: its header row is told from a caption above it by them
    told_apart = (frozenset({*secret_headers, *(header_key(h) for h in context["survey"]["not_questions"])})
                  if kind.get("open_columns") else frozenset())
    for label, specs in kind["sheets"].items():
        sheet = _find_sheet(sheets, label, specs, taken)
        if sheet is None:
            continue
        taken.add(sheet["name"])
        grid = _absolute(sheet)
        if keep_grids or kind["confidential"]:  # confidential values are also collected from the cells as typed
            grids[sheet["name"]] = {"rows": _absolute(sheet, fill_merged=False), "merged": sheet["merged"]}
        header_row, colmap = find_header(grid, specs, told_apart)
        if header_row is None:
            problems.append(problem("header_not_found", file=file, sheet=sheet["name"]))
            result_sheets[label] = {"name": sheet["name"], "header_row": None, "columns": {}, "table": {"_row": []}}
            continue
        unit_text = _labelled_value(grid, header_row, "填报单位")
        if unit_text not in (None, ""):
            text = clean_text(unit_text)
            if text not in stated:
                stated.append(text)
        if filled_on is None:
            day = parse_date(_labelled_value(grid, header_row, "填报时间"))
            filled_on = day if isinstance(day, dt.date) else None
        lookup = _label_lookup(specs)
        for c, value in enumerate(grid[header_row]):
            key = header_key(value)
            if key and key not in lookup and key not in TOLERATED_HEADERS and not kind.get("open_columns"):
                problems.append(problem("unknown_column", file=file, sheet=sheet["name"], row=header_row, col=c,
                                        column=clean_text(value), value=value))
        for spec in specs:
            if spec["required"] and spec["label"] not in colmap:
                problems.append(problem("missing_column", file=file, sheet=sheet["name"], row=header_row, col=0,
                                        column=spec["label"], detail=f"缺少“{spec['label']}”列"))
        table = _read_table(grid, header_row, colmap, specs, file, sheet["name"], year, problems, cleaned)
        if kind.get("open_columns"):  # a survey's question columns
            questions[sheet["name"]] = read_answers(grid, header_row, colmap, table, file, sheet["name"], problems,
                                                    context["survey"], secret_headers)
        result_sheets[label] = {"name": sheet["name"], "header_row": header_row, "columns": colmap, "table": table}
    book = {"kind": kind["name"], "unit": None, "filled_on": filled_on, "sheets": result_sheets, "grids": grids,
            "problems": problems, "marker": marker}
    # the one place complainants' names and numbers are read: dropped and scrubbed before anything else sees them
    if kind["confidential"]:
        seal(book, result_sheets, tuple(kind["confidential"]),
             keep=[*(v for specs in kind["sheets"].values() for spec in specs for v in spec["vocab"]),
                   *context["names"], *context["names"].values(), *context["grassroots"], *context["survey"]["scale"]],
             spellings={spelling: label for specs in kind["sheets"].values()
                        for spelling, label in _label_lookup(specs).items() if label in kind["confidential"]},
             headers=secret_headers,
             verbatim=kind["verbatim"], questions=questions,
             headings=frozenset(key for specs in kind["sheets"].values() for key in _label_lookup(specs)))
    if not keep_grids:
        book["grids"] = {}
    if not result_sheets:
        problems.append(problem("no_ledger_sheets", file=file))
        return {**book, "filled_on": None, "grids": {}}
    for label in kind["sheets"]:
        if label not in result_sheets and label not in kind["optional"]:
            problems.append(problem("missing_sheet", file=file, sheet=label, detail=f"没有“{label}”"))
    if kind["owner"] == "office":  # schemas.kinds.OFFICE (schemas is not imported in the workers)
        book["unit"] = context["office_books"][kind["name"]]
    else:
        book["unit"] = identify_unit(marker, stated, file, context, file, problems)
    return book


DEFAULT_REGISTER_UNIT = "区纪委信访室"


def office_books(config) -> dict[str, str]:
    """The name under which each office-owned kind of workbook is listed (config [accountability])."""
    return {"信访举报登记表": str(config.campaign.accountability.get("register_unit") or DEFAULT_REGISTER_UNIT),
            SURVEY_KIND: SURVEY_KIND}


def read_context(config, limits: dict | None = None) -> dict:
    """Plain-data view of the schemas and registry for the workers (no pandera objects)."""
    from schemas import KINDS, columns

    return {
        "kinds": [{
            "name": kind.name, "signature": list(kind.signature), "optional": sorted(kind.optional),
            "owner": kind.owner, "confidential": list(kind.confidential), "open_columns": kind.open_columns,
            "secret_headers": [list(pair) for pair in kind.secret_headers], "verbatim": list(kind.verbatim),
            "sheets": {
                sheet: [{"label": c.label, "kind": c.kind, "required": c.required, "vocab": list(c.vocab),
                         "aliases": list(c.aliases)} for c in columns(sheet)]
                for sheet in kind.sheets
            },
        } for kind in KINDS],
        "office_books": office_books(config),
        "names": config.name_index(),
        "grassroots": sorted({g.name for g in config.grassroots}),  # never masked as a complainant's name
        "spellings": sorted({(squeeze(k), v) for k, v in config.name_index().items() if len(squeeze(k)) >= 2}),
        "codes": {u.code: u.name for u in config.units},
        "survey": scale_context(),
        "year": config.campaign.year,
        "limits": dict(limits if limits is not None else config.campaign.limits),
    }
