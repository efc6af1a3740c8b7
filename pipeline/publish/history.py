"""The campaign history: every month's data/ tables kept in OUTBOX/history.sqlite, searchable in Chinese.

Each monthly run replaces its own period's rows in one transaction, so a run that is interrupted
leaves the history exactly as it was. Tables are written generically: whatever the job put in
`tables` becomes a table of the same name, with the same Chinese column names plus `期间`.

Full-text search must find 低保 inside 虚报冒领低保金 through plain `MATCH`, sqlite-utils'
`search()` and Datasette's search box alike, none of which we can teach to split a Chinese query.
SQLite's trigram tokenizer never matches a query shorter than 3 characters and unicode61 keeps a
run of Chinese characters as one token, so the index is fed pre-segmented text instead: every
substring of up to `MAX_GRAM` characters of each run of Chinese characters is its own token (other
text is kept as written). Any Chinese query word of up to `MAX_GRAM` characters is then exactly one
index token. `items_fts` is an external-content FTS5 table over `items`: it returns the original
text, while its index holds the segmented text (so never run sqlite-utils' `rebuild-fts` on it;
`rebuild_search` does the right thing).
"""
from __future__ import annotations

import datetime as dt
import functools
import hashlib
import re
import sqlite3
from pathlib import Path

import pandas as pd
import sqlite_utils

HISTORY_FILE = "history.sqlite"
PERIOD = "期间"
CONFIDENTIAL = ("举报人", "联系方式")
INDEXED = ("单位", PERIOD, "状态")
SEARCHED = ("发现的问题", "存在问题", "整改措施")
FTS_TABLE = "items_fts"
RUNS_TABLE = "history_runs"  # per period: a fingerprint of what was written, so an unchanged rerun skips it
MAX_GRAM = 8
# bump when search_text changes: the index is then rebuilt from items (kept in PRAGMA user_version)
SEARCH_VERSION = 2

_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_RUNS = re.compile(f"([{_CJK}]+)")


class ConfidentialColumn(ValueError):
    """A complainant's identity must never reach the history; refusing is safer than dropping quietly."""


def search_text(text) -> str:
    """Text as the index sees it: every substring of up to MAX_GRAM characters of each Chinese run."""
    if not isinstance(text, str) or not text:
        return ""
    return _segment(text)


@functools.lru_cache(maxsize=1 << 16)  # the same problems come back every month and when rows are deleted
def _segment(text: str) -> str:
    out = []
    for i, part in enumerate(_RUNS.split(text)):
        if i % 2 == 0:
            out.append(part)
            continue
        n = len(part)
        out.extend(dict.fromkeys(part[a:b] for a in range(n) for b in range(a + 1, min(a + MAX_GRAM, n) + 1)))
    return " ".join(p for p in out if p)


def with_rectification_text(items: pd.DataFrame, rectifications: pd.DataFrame | None) -> pd.DataFrame:
    """items plus 存在问题 and 整改措施 of the 整改台账 row that answers each item (by file and row)."""
    extra = [c for c in ("存在问题", "整改措施") if c not in items.columns]
    if not extra:
        return items
    found: dict[tuple, dict] = {}
    rect = rectifications if rectifications is not None else pd.DataFrame()
    if not rect.empty and {"_file", "_row"} <= set(rect.columns):
        for rec in rect[["_file", "_row", *[c for c in extra if c in rect.columns]]].to_dict("records"):
            found[(rec.pop("_file"), f"整改台账!{int(rec.pop('_row')) + 1}")] = rec
    keys = list(zip(items.get("整改来源文件", pd.Series(index=items.index, dtype=object)),
                    items.get("整改来源行", pd.Series(index=items.index, dtype=object))))
    return items.assign(**{c: [found.get(k, {}).get(c) for k in keys] for c in extra})


def _sql_type(values: pd.Series) -> type:
    """int for counts even when a blank made pandas hold them as float (逾期天数), as the CSV shows them."""
    kind = pd.api.types.infer_dtype(values, skipna=True)
    if kind in ("integer", "boolean"):
        return int
    if kind in ("floating", "mixed-integer-float", "decimal"):
        numbers = pd.to_numeric(values, errors="coerce").dropna()
        return int if len(numbers) and (numbers == numbers.round()).all() else float
    return str


def _rows(frame: pd.DataFrame, period: str) -> list[tuple]:
    """(期间, values…) as SQLite stores them and the CSV shows them: no NaN, whole counts as int, dates as text."""
    cols = [c for c in frame.columns if c != PERIOD]
    out = {}
    for c in cols:
        s = frame[c]
        if pd.api.types.is_datetime64_any_dtype(s):
            s = s.dt.strftime("%Y-%m-%d")
        elif _sql_type(s) is int and not pd.api.types.is_integer_dtype(s):
            s = pd.to_numeric(s, errors="coerce").astype("Int64")
        values = s.astype(object)
        out[c] = values.where(s.notna(), None).tolist()
    columns = [[period] * len(frame), *(out[c] for c in cols)]
    return [tuple(map(_plain, row)) for row in zip(*columns)]


def _plain(value):
    if isinstance(value, (str, int, float)) or value is None:
        return value
    if isinstance(value, (pd.Timestamp, dt.datetime)):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, dt.date):
        return value.isoformat()
    return value.item() if hasattr(value, "item") else value  # numpy scalars


def _insert(db: sqlite_utils.Database, name: str, frame: pd.DataFrame, period: str) -> None:
    """One executemany: sqlite-utils' insert_all builds a dict per row, too slow for a city's items."""
    cols = [PERIOD, *(c for c in frame.columns if c != PERIOD)]
    names = ", ".join(f"[{c}]" for c in cols)
    marks = ", ".join("?" for _ in cols)
    db.conn.executemany(f"insert into [{name}] ({names}) values ({marks})", _rows(frame, period))


def _refuse_confidential(tables: dict[str, pd.DataFrame]) -> None:
    for name, frame in tables.items():
        leaked = [c for c in frame.columns if str(c).strip() in CONFIDENTIAL]
        if leaked:
            raise ConfidentialColumn(f"历史数据库拒绝写入表 {name} 的保密列：{'、'.join(leaked)}（举报人信息不得出现在任何输出中）")


def _ensure_table(db: sqlite_utils.Database, name: str, frame: pd.DataFrame) -> sqlite_utils.db.Table:
    table = db.table(name)
    wanted = {PERIOD: str, **{c: _sql_type(frame[c]) for c in frame.columns if c != PERIOD}}
    if name == "items":
        wanted.update({c: str for c in SEARCHED if c not in wanted})
    if not table.exists():
        table.create(wanted)
    else:
        have = set(table.columns_dict)
        for col, kind in wanted.items():
            if col not in have:
                table.add_column(col, kind)
    for col in INDEXED:
        if col in table.columns_dict:
            table.create_index([col], find_unique_name=True, if_not_exists=True)
    return table


def _fts_rows(db: sqlite_utils.Database, where: str, params=()) -> list[tuple]:
    cols = ", ".join(f"[{c}]" for c in SEARCHED)
    return [(rowid, *(search_text(v) for v in values))
            for rowid, *values in db.execute(f"select rowid, {cols} from items where {where}", params).fetchall()]


def _fts_write(db: sqlite_utils.Database, rows: list[tuple], delete: bool = False) -> None:
    cols = ", ".join(f"[{c}]" for c in SEARCHED)
    marks = ", ".join("?" for _ in SEARCHED)
    if delete:
        sql = f"insert into [{FTS_TABLE}] ([{FTS_TABLE}], rowid, {cols}) values ('delete', ?, {marks})"
    else:
        sql = f"insert into [{FTS_TABLE}] (rowid, {cols}) values (?, {marks})"
    db.conn.executemany(sql, rows)


def rebuild_search(db: sqlite_utils.Database) -> None:
    """Create items_fts if missing and index every items row afresh (segmented text)."""
    if not db.table(FTS_TABLE).exists():
        cols = ", ".join(f"[{c}]" for c in SEARCHED)
        db.execute(f"create virtual table [{FTS_TABLE}] using fts5({cols}, content=[items])")
    db.execute(f"insert into [{FTS_TABLE}] ([{FTS_TABLE}]) values ('delete-all')")
    _fts_write(db, _fts_rows(db, "1"))
    db.execute(f"pragma user_version = {SEARCH_VERSION}")


def fingerprint(tables: dict[str, pd.DataFrame]) -> str:
    """One hash of every table's names, columns and values: an unchanged rerun need not rewrite its period."""
    digest = hashlib.sha256(f"search {SEARCH_VERSION}".encode())
    for name in sorted(tables):
        frame = tables[name]
        digest.update(f"\0{name}\0{list(frame.columns)}\0{len(frame)}\0".encode("utf-8", "surrogatepass"))
        if len(frame):
            text = frame.astype(object).where(frame.notna(), None).astype(str)
            digest.update(pd.util.hash_pandas_object(text, index=False).values.tobytes())
    return digest.hexdigest()


def _unchanged(db: sqlite_utils.Database, period: str, mark: str) -> bool:
    if not db.table(RUNS_TABLE).exists():  # the fingerprint includes SEARCH_VERSION
        return False
    row = db.execute(f"select [指纹] from [{RUNS_TABLE}] where [{PERIOD}] = ?", (period,)).fetchone()
    return row is not None and row[0] == mark


def write_history(path: Path, period: str, tables: dict[str, pd.DataFrame],
                  rectifications: pd.DataFrame | None = None) -> Path:
    """Replace `period`'s rows of every table in the history database with `tables`, all or nothing."""
    tables = dict(tables)
    if "items" in tables:
        tables["items"] = with_rectification_text(tables["items"], rectifications)
    _refuse_confidential(tables)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    # another period's run may be writing: wait for it rather than fail (SQLite serialises writers)
    db = sqlite_utils.Database(sqlite3.connect(path, timeout=600))
    try:
        db.execute("pragma secure_delete = on")  # replaced rows leave no readable trace in free pages
        mark = fingerprint(tables)
        if _unchanged(db, period, mark):  # the same month written again: the stored rows are already these
            return path
        with db.atomic():
            history = [t for t in db.table_names() if PERIOD in db.table(t).columns_dict]
            version = db.execute("pragma user_version").fetchone()[0]
            searchable = db.table(FTS_TABLE).exists() and version == SEARCH_VERSION
            if searchable and "items" in history:
                _fts_write(db, _fts_rows(db, f"[{PERIOD}] = ?", (period,)), delete=True)
            for name in history:
                db.execute(f"delete from [{name}] where [{PERIOD}] = ?", (period,))
            for name, frame in tables.items():
                table = _ensure_table(db, name, frame)
                if len(frame):
                    _insert(db, name, frame, period)
            if "items" in tables or "items" in history:
                if searchable:
                    _fts_write(db, _fts_rows(db, f"[{PERIOD}] = ?", (period,)))
                else:
                    rebuild_search(db)
            db.table(RUNS_TABLE).insert({PERIOD: period, "指纹": mark, "写入表": "、".join(sorted(tables))})
    finally:
        db.close()
    return path
