"""The campaign history: every month's data/ tables kept in OUTBOX/history.sqlite, searchable in Chinese.

Each monthly run replaces its own period's rows in one transaction, so a run that is interrupted
leaves the history exactly as it was. Tables are written generically: whatever the job put in
`tables` becomes a table of the same name, with the same Chinese column names plus `期间`.

Full-text search must find 低保 inside 虚报冒领低保金. The index is fed pre-segmented text (see
publish/search.py: each run of Chinese characters as its overlapping pairs), and a search for
words becomes the phrase of their pairs (search.search_query, which `make browse` gives Datasette
as its `escape_fts`). A two-character word is one pair, so plain `MATCH '低保'` and sqlite-utils'
`search("低保")` find it as they are.

Indexing is the expensive part, and ledgers are cumulative (every month a unit resends all its
problems) with measures that repeat, so the same texts come back month after month. Each distinct
(发现的问题, 存在问题, 整改措施) is therefore stored and indexed once, in `item_texts`; an items row
points at it by `文本号`, and a month segments only the texts the history has never seen. Texts no
longer used by any row leave the table and the index when their period is replaced. `items_fts` is
an external-content FTS5 table over `item_texts`: it returns the original text, while its index
holds the segmented text (so never run sqlite-utils' `rebuild-fts` on it; `rebuild_search` does the
right thing). Datasette searches items with `文本号 in (select rowid from items_fts where … match …)`.
A text that repeats another of its triple (存在问题 copied from 发现的问题, as units usually write it)
is fed to the index once (search.segment_rows): the row is found all the same, and the index of a
month of distinct texts is a third smaller.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import sqlite3
from concurrent.futures import FIRST_COMPLETED, Future, wait
from pathlib import Path

import numpy as np
import pandas as pd
import sqlite_utils

from ..distinct import group_ids
from ..ledger.reconcile import row_refs
from .history_runs import PERIOD, RUNS_TABLE, period_mark
from .search import TOKENIZER, segment_columns, segment_rows

CONFIDENTIAL = ("举报人", "联系方式")
SEARCHED = ("发现的问题", "存在问题", "整改措施")
ANSWERED = SEARCHED[1:]  # the 整改台账 texts an item's history row is given
TEXTS_TABLE = "item_texts"  # one row per distinct SEARCHED triple, shared by every period
TEXT_ID = "文本号"  # items.文本号 = item_texts.文本号 = items_fts.rowid
TEXT_HASH = "指纹"  # a hash of the triple, indexed, to find a month's texts among those already stored
INDEXED = ("单位", PERIOD, "状态", TEXT_ID)
FTS_TABLE = "items_fts"
INSERT_ROWS = 50_000
SEGMENT_SLICE = 10_000  # rows segmented at once (search.search_texts: their characters as arrays)
# FTS5 gathers new tokens in memory up to this size before writing them out as a segment to be merged
# later; its 1 MiB default made a city month of new texts merge ~40 % more (SQLite's 'hashsize' setting)
INDEX_BUFFER = 32 << 20
# bump when search_text or the search tables change: they are then rebuilt from items (PRAGMA user_version)
SEARCH_VERSION = 6  # 4: pairs of characters (search.py), was every substring up to 8; 5: a row's repeated text fed once;
# 6: the ascii tokenizer, other text folded as unicode61 would (search.fold_other)

_COLS = ", ".join(f"[{c}]" for c in SEARCHED)
_HASH_INDEX = f"idx_{TEXTS_TABLE}_{TEXT_HASH}"


class ConfidentialColumn(ValueError):
    """A complainant's identity must never reach the history; refusing is safer than dropping quietly."""


def answers(rectifications: pd.DataFrame) -> pd.DataFrame:
    """The 整改台账 columns the items' history rows take their texts from (with_rectification_text)."""
    return rectifications[[c for c in ("_file", "_row", *ANSWERED) if c in rectifications.columns]]


def answer_rows(rectifications: pd.DataFrame | None) -> pd.DataFrame | None:
    """The 整改台账 texts keyed as items cite the row that answers them (整改来源文件, and 整改来源行
    as "整改台账!5" for the 0-based _row 4), a repeated row's last; None when there are none. Made
    apart from the join (with_rectification_text) so that the other process makes it while this one
    still reconciles."""
    rect = rectifications if rectifications is not None else pd.DataFrame()
    if rect.empty or not {"_file", "_row"} <= set(rect.columns):
        return None
    return pd.DataFrame({
        "整改来源文件": rect["_file"].astype(object),
        "整改来源行": row_refs("整改台账", rect["_row"]),
        **{c: (rect[c].astype(object) if c in rect.columns else None) for c in ANSWERED},
    }).drop_duplicates(["整改来源文件", "整改来源行"], keep="last")


def with_rectification_text(items: pd.DataFrame, rectifications: pd.DataFrame | None,
                            answered: pd.DataFrame | None = None) -> pd.DataFrame:
    """items plus 存在问题 and 整改措施 of the 整改台账 row that answers each item (by file and row).
    `answered`: answer_rows(rectifications), when made already."""
    extra = [c for c in ANSWERED if c not in items.columns]
    if not extra:
        return items
    answer = answered if answered is not None else answer_rows(rectifications)
    if answer is None:
        return items.assign(**{c: None for c in extra})
    keys = pd.DataFrame({c: items[c].astype(object) if c in items.columns else None
                         for c in ("整改来源文件", "整改来源行")})
    found = keys.merge(answer[["整改来源文件", "整改来源行", *extra]], on=["整改来源文件", "整改来源行"], how="left")
    return items.assign(**{c: found[c].to_numpy() for c in extra})


def _sql_type(values: pd.Series) -> type:
    """int for counts even when a blank made pandas hold them as float (逾期天数), as the CSV shows them."""
    kind = pd.api.types.infer_dtype(values, skipna=True)
    if kind in ("integer", "boolean"):
        return int
    if kind in ("floating", "mixed-integer-float", "decimal"):
        numbers = pd.to_numeric(values, errors="coerce").dropna()
        return int if len(numbers) and (numbers == numbers.round()).all() else float
    return str


def _column(values: pd.Series) -> list:
    """One column as SQLite stores it and the CSV shows it: None for blanks, whole counts as int, dates as text."""
    if pd.api.types.is_datetime64_any_dtype(values):
        values = values.dt.strftime("%Y-%m-%d")
    elif _sql_type(values) is int and not pd.api.types.is_integer_dtype(values):
        values = pd.to_numeric(values, errors="coerce").astype("Int64")
    # blanks as NaN: SQLite stores a NaN as NULL, and the sqlite3 module binds a float faster than None
    plain = values.astype(object).where(values.notna(), np.nan)
    if values.dtype == object and pd.api.types.infer_dtype(plain, skipna=True) not in ("string", "empty"):
        return [_plain(v) for v in plain]  # a mixed column may hold dates or numpy scalars
    return plain.tolist()  # numbers and text are plain Python values already


def _plain(value):
    if isinstance(value, (str, int, float)) or value is None:
        return value
    if isinstance(value, (pd.Timestamp, dt.datetime)):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, dt.date):
        return value.isoformat()
    return value.item() if hasattr(value, "item") else value  # numpy scalars


def _rows(frame: pd.DataFrame, cols: list[str], lead: tuple = (), trail: np.ndarray | None = None):
    """The rows of `cols` as SQLite is given them (each after `lead`, and before its number in
    `trail`), from columns converted whole (a dict or a conversion per value is too slow for a city),
    a slice at a time (a city's items as Python values is 100s of MB)."""
    for start in range(0, len(frame), INSERT_ROWS):
        part = frame.iloc[start:start + INSERT_ROWS]
        after = () if trail is None else (trail[start:start + INSERT_ROWS].tolist(),)
        yield from zip(*([value] * len(part) for value in lead), *(_column(part[c]) for c in cols), *after)


def _insert(db: sqlite_utils.Database, name: str, frame: pd.DataFrame, period: str) -> None:
    cols = [c for c in frame.columns if c != PERIOD]
    names = ", ".join(f"[{c}]" for c in (PERIOD, *cols))
    marks = ", ".join("?" for _ in range(1 + len(cols)))
    db.conn.executemany(f"insert into [{name}] ({names}) values ({marks})", _rows(frame, cols, (period,)))


STAGED = "staged_items"  # the schema name write_history attaches a staged file under
STAGED_TEXT = "_text"  # a staged items row's number among the month's distinct texts (staged texts.k)
_FED = ("_fed1", "_fed2", "_fed3")  # the staged texts as the search index is fed them (search.segment_rows)


def history_columns(items: pd.DataFrame) -> list[str]:
    """The columns of the items' history rows: the items', then the 整改台账 texts they are given."""
    return [c for c in items.columns if c != PERIOD] + [c for c in ANSWERED if c not in items.columns]


def stage_items(items: pd.DataFrame, rectifications: pd.DataFrame | None, path: Path,
                answered: pd.DataFrame | None = None) -> Path | None:
    """Everything write_history needs of the month's items, made by another process into a file of
    its own while this month's other work goes on: the rows as it would insert them (their 整改台账
    texts joined, each value converted), their distinct texts with hashes, and those texts as the
    search index is fed them. write_history then only copies in SQLite (_copy_staged), where it
    would give it every value again. A row's texts are staged once, as its distinct triple's
    (a city's file is then a third smaller: freshly written pages cost this machine's system time).
    None when the file could not be written: write_history inserts the rows itself. `answered`:
    answer_rows(rectifications), when made already."""
    path = Path(path)
    try:
        frame = with_rectification_text(items, rectifications, answered)
        cols = _staged_columns(frame.columns)
        codes, values, marks = _month_texts(frame)
        conn = sqlite3.connect(path)
        try:
            conn.execute("pragma page_size = 65536")  # as the history's: a month's rows are read once, in order
            conn.execute("pragma journal_mode = off")  # a scratch file: if this fails it is thrown away
            conn.execute("pragma synchronous = off")
            conn.execute(f"create table items ({', '.join(f'[{c}]' for c in cols)}, [{STAGED_TEXT}] integer)")
            conn.executemany(f"insert into items values ({', '.join('?' for _ in cols)}, ?)",
                             _rows(frame, cols, trail=codes))
            # typed as item_texts is, so that a text compares with a stored one as it will be stored
            conn.execute(f"create table texts (k integer primary key, {', '.join(f'[{c}] text' for c in SEARCHED)}, "
                         f"[{TEXT_HASH}] integer, {', '.join(f'[{c}] text' for c in _FED)})")
            conn.executemany("insert into texts values (?, ?, ?, ?, ?, ?, ?, ?)", _fed_texts(values, marks))
            conn.commit()
        finally:
            conn.close()
        return path
    except Exception:
        path.unlink(missing_ok=True)
        return None


def _staged_columns(columns) -> list[str]:
    """The columns of a staged items row: the history row's but its texts (in staged texts, by STAGED_TEXT)."""
    return [c for c in columns if c != PERIOD and c not in SEARCHED]


def _attach_staged(db: sqlite_utils.Database, staged: Path | None) -> tuple[list[str], int] | None:
    """Attach the staged items and read what they hold (their columns, their row count). Called
    inside the history's transaction, once the staged file is complete (SQLite attaches inside one
    since 3.21). None when there is nothing to copy, or a file of another version (detached after the
    commit: SQLite detaches only outside a transaction). Any error SQLite meets here raises
    _RolledBack: a damaged file (a short copy, a disk error) may have rolled the transaction back, or
    leave it refusing every later write ("database disk image is malformed")."""
    if staged is None or not Path(staged).is_file():
        return None
    try:
        db.execute(f"attach database ? as [{STAGED}]", [str(staged)])
        db.execute("select row_number() over () from (select 1)")  # a SQLite before 3.25: insert instead
        cols = [r[1] for r in db.execute(f"pragma [{STAGED}].table_info(items)")]
        texts = [r[1] for r in db.execute(f"pragma [{STAGED}].table_info(texts)")]
        count = db.execute(f"select count(*) from [{STAGED}].items").fetchone()[0]
    except sqlite3.Error as exc:
        raise _RolledBack from exc
    if cols[-1:] != [STAGED_TEXT] or texts != ["k", *SEARCHED, TEXT_HASH, *_FED]:
        return None  # not a staged file of this version
    return cols[:-1], count


def _detach_staged(db: sqlite_utils.Database) -> None:
    try:
        db.execute(f"detach database [{STAGED}]")
    except sqlite3.Error:  # closing the connection detaches it all the same
        pass


def _number_texts(db: sqlite_utils.Database, month: str) -> int:
    """Each of the month's distinct texts (`month`: a table of k, the SEARCHED texts and their hash)
    its 文本号 in temp.text_of: the stored one, found by hash and text, else the next free number in
    the order of k. The new texts go into item_texts; returns the first new 文本号."""
    start = db.execute(f"select coalesce(max([{TEXT_ID}]), 0) + 1 from [{TEXTS_TABLE}]").fetchone()[0]
    db.execute("drop table if exists temp.[text_of]")
    db.execute("create temp table [text_of] (k integer primary key, id integer)")
    same = " and ".join(f"t.[{c}] is s.[{c}]" for c in SEARCHED)  # `is`: a blank equals a blank
    db.execute(f"insert or ignore into temp.[text_of] select s.k, t.[{TEXT_ID}] from {month} s "
               f"join [{TEXTS_TABLE}] t on t.[{TEXT_HASH}] = s.[{TEXT_HASH}] and {same}")
    matched = db.execute("select exists (select 1 from temp.[text_of])").fetchone()[0]
    numbered = db.execute(f"select count(*) = coalesce(max(k) + 1, 0) and coalesce(min(k), 0) = 0 "
                          f"from {month}").fetchone()[0]
    if not matched and numbered:  # all new, k 0, 1, 2, …: the same numbers without a window (a first month: 0.2 s)
        db.execute(f"insert into temp.[text_of] select k, ? + k from {month}", [start])
    else:
        db.execute(f"insert into temp.[text_of] select k, ? + row_number() over (order by k) - 1 from {month} "
                   f"where k not in (select k from temp.[text_of])", [start])
    added = db.execute("select count(*) from temp.[text_of] where id >= ?", [start]).fetchone()[0]
    # more new texts than stored ones (a first month): the hash index is made once, sorted, not grown row by row
    rebuild = added > start - 1
    if rebuild:
        db.execute(f"drop index if exists [{_HASH_INDEX}]")
    picked = ", ".join(f"s.[{c}]" for c in SEARCHED)
    # CROSS JOIN keeps the left table the outer loop, so rows go in in its order without a sort
    db.execute(f"insert into [{TEXTS_TABLE}] ([{TEXT_ID}], {_COLS}, [{TEXT_HASH}]) select m.id, {picked}, "
               f"s.[{TEXT_HASH}] from temp.[text_of] m cross join {month} s on s.k = m.k where m.id >= ?", [start])
    if rebuild:
        _index_hashes(db)
    return start


def _copy_staged(db: sqlite_utils.Database, cols: list[str], period: str) -> tuple[int, set[int]]:
    """The attached staged month into the history, all in SQLite: its texts numbered (_number_texts),
    then the rows with their 文本号, in order. Returns the first new 文本号 (the search index takes the
    texts from it on, _fts_staged) and the 文本号 the rows use."""
    start = _number_texts(db, f"[{STAGED}].texts")
    names = ", ".join(f"[{c}]" for c in (PERIOD, *cols, TEXT_ID))
    picked = ", ".join(f"t.[{c}]" if c in SEARCHED else f"s.[{c}]" for c in cols)
    db.execute(f"insert into items ({names}) select ?, {picked}, m.id from [{STAGED}].items s "
               f"cross join temp.[text_of] m on m.k = s.[{STAGED_TEXT}] "
               f"cross join [{STAGED}].texts t on t.k = s.[{STAGED_TEXT}]", [period])
    return start, {r[0] for r in db.execute("select id from temp.[text_of]")}


def _fts_staged(db: sqlite_utils.Database, start: int) -> None:
    """The texts _copy_staged added, into items_fts as the other process segmented them."""
    fed = ", ".join(f"s.[{c}]" for c in _FED)
    db.execute(f"insert into [{FTS_TABLE}] (rowid, {_COLS}) select m.id, {fed} from temp.[text_of] m "
               f"cross join [{STAGED}].texts s on s.k = m.k where m.id >= ?", [start])
    db.execute("drop table temp.[text_of]")


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
        wanted[TEXT_ID] = int
    if not table.exists():
        table.create(wanted)
    else:
        have = set(table.columns_dict)
        for col, kind in wanted.items():
            if col not in have:
                table.add_column(col, kind)
    return table


def _ensure_indexes(table: sqlite_utils.db.Table) -> None:
    """Created after a new table's first rows: building an index once is faster than growing it row by row."""
    for col in INDEXED:
        if col in table.columns_dict:
            table.create_index([col], find_unique_name=True, if_not_exists=True)


def _segmented(rows: list[tuple]):
    """(文本号, texts as the index is fed them), a slice at a time as SQLite takes them: a month of
    segmented text at once would be hundreds of MB."""
    for start in range(0, len(rows), SEGMENT_SLICE):
        yield from segment_rows(rows[start:start + SEGMENT_SLICE])


def _passing(text):
    """A copy of a text for SQLite, which asks Python for its UTF-8, and Python keeps that with the
    string: bound as they are, a month's texts would each keep a second copy in this process until
    the month is done (the distinct-text city's second process: 110 MiB; texts three times as long:
    310 MiB, at 1 GiB). The copy and its UTF-8 go as soon as the slice is written."""
    return "".join((text, "")) if type(text) is str else text


def _fed_texts(values: list[list], marks: list[int]):
    """Rows of staged texts (k, the texts, their hash, the texts as the index is fed them), a slice at
    a time as _segmented."""
    for start in range(0, len(marks), SEGMENT_SLICE):
        part = [column[start:start + SEGMENT_SLICE] for column in values]
        given = [list(map(_passing, column)) for column in part]
        yield from zip(range(start, start + len(part[0])), *given, marks[start:start + SEGMENT_SLICE],
                       *segment_columns(part))


def _fts_write(db: sqlite_utils.Database, rows: list[tuple], delete: bool = False) -> None:
    """(文本号, 发现的问题, 存在问题, 整改措施) into items_fts as segmented text, or out of it."""
    marks = ", ".join("?" for _ in SEARCHED)
    if delete:  # external content: the index forgets a text only when given the tokens it was fed
        sql = f"insert into [{FTS_TABLE}] ([{FTS_TABLE}], rowid, {_COLS}) values ('delete', ?, {marks})"
    else:
        sql = f"insert into [{FTS_TABLE}] (rowid, {_COLS}) values (?, {marks})"
    db.conn.executemany(sql, _segmented(rows))


def _distinct_texts(texts: pd.DataFrame) -> tuple[np.ndarray, pd.DataFrame]:
    """Each row's number among the distinct triples, and those triples in that order."""
    codes = group_ids(texts, list(SEARCHED))  # numbered in the order the triples first appear
    return codes, texts.iloc[pd.Series(codes).drop_duplicates().index]


def _month_texts(frame: pd.DataFrame) -> tuple[np.ndarray, list[list], list[int]]:
    """Each row's number among the distinct SEARCHED triples, those triples column by column as
    SQLite is given them, and each triple's hash (TEXT_HASH). A number typed as a text is given as
    its text: item_texts stores it so, and the index must later be told the same tokens to forget it."""
    codes, distinct = _distinct_texts(frame.reindex(columns=list(SEARCHED)))
    values = [[v if v is None or type(v) is str or v != v else str(v) for v in _column(distinct[c])] for c in SEARCHED]
    return codes, values, text_hashes(values).view(np.int64).tolist()


def text_hashes(columns: list[list]) -> np.ndarray:
    """pd.util.hash_pandas_object(index=False) of the rows these columns (of texts and blanks) make,
    as stored in TEXT_HASH, at half its cost: it first factorizes each column to hash each distinct
    text once, which a month of texts each written in their own words pays for twice. Without that
    step pandas hashes a blank differently, so blanks are given the hash it gives them, then the
    columns' hashes are combined as it combines them (pandas.core.util.hashing.combine_hash_arrays)."""
    combined = np.full(len(columns[0]) if columns else 0, 0x345678, dtype=np.uint64)
    mult = np.uint64(1000003)
    for n, column in enumerate(columns):
        values = np.array(column, dtype=object)
        hashed = pd.util.hash_array(values, categorize=False)
        hashed[pd.isna(values)] = np.iinfo(np.uint64).max
        combined ^= hashed
        combined *= mult
        mult += np.uint64(82520 + 2 * (len(columns) - n))
    return combined + np.uint64(97531)


def _text_ids(db: sqlite_utils.Database, texts: pd.DataFrame) -> tuple[np.ndarray, list[tuple]]:
    """Each row's 文本号 (_number_texts, the month's texts given to SQLite here); the triples the
    history had not stored are returned for items_fts (give them to _fts_write once the month's rows
    are written)."""
    codes, values, marks = _month_texts(texts)
    db.execute("drop table if exists temp.[month_texts]")
    db.execute(f"create temp table [month_texts] (k integer primary key, {', '.join(f'[{c}] text' for c in SEARCHED)}, "
               f"[{TEXT_HASH}] integer)")
    db.conn.executemany("insert into temp.[month_texts] values (?, ?, ?, ?, ?)", zip(range(len(marks)), *values, marks))
    start = _number_texts(db, "temp.[month_texts]")
    ids = np.array([i for (i,) in db.execute("select id from temp.[text_of] order by k")], dtype=np.int64)
    new = db.execute(f"select m.id, {', '.join(f's.[{c}]' for c in SEARCHED)} from temp.[text_of] m "
                     f"cross join temp.[month_texts] s on s.k = m.k where m.id >= ?", [start]).fetchall()
    db.execute("drop table temp.[text_of]")
    db.execute("drop table temp.[month_texts]")
    return ids[codes], new


def _drop_unused_texts(db: sqlite_utils.Database, candidates: set[int]) -> None:
    """Forget the texts a replaced period used that no items row uses any more (secure_delete wipes them)."""
    db.execute("drop table if exists temp.[gone_texts]")
    db.execute("create temp table [gone_texts] (id integer primary key)")
    db.conn.executemany("insert into temp.[gone_texts] values (?)", ((i,) for i in candidates))
    rows = db.execute(f"select t.[{TEXT_ID}], {', '.join(f't.[{c}]' for c in SEARCHED)} from temp.[gone_texts] g "
                      f"join [{TEXTS_TABLE}] t on t.[{TEXT_ID}] = g.id "
                      f"where not exists (select 1 from items i where i.[{TEXT_ID}] = g.id)").fetchall()
    db.execute("drop table temp.[gone_texts]")
    _fts_write(db, rows, delete=True)
    db.conn.executemany(f"delete from [{TEXTS_TABLE}] where [{TEXT_ID}] = ?", ((r[0],) for r in rows))


def _index_hashes(db: sqlite_utils.Database) -> None:
    db.execute(f"create index if not exists [{_HASH_INDEX}] on [{TEXTS_TABLE}] ([{TEXT_HASH}])")


def _create_search(db: sqlite_utils.Database) -> None:
    db.execute(f"create table [{TEXTS_TABLE}] ([{TEXT_ID}] integer primary key, "
               f"{', '.join(f'[{c}] text' for c in SEARCHED)}, [{TEXT_HASH}] integer)")
    _index_hashes(db)
    # content=[item_texts] written just so: sqlite-utils and Datasette find the index by that text
    db.execute(f"create virtual table [{FTS_TABLE}] using fts5({_COLS}, content=[{TEXTS_TABLE}], "
               f"content_rowid=[{TEXT_ID}], tokenize={TOKENIZER})")
    _buffer_index(db)


def _buffer_index(db: sqlite_utils.Database) -> None:
    try:
        db.execute(f"insert into [{FTS_TABLE}] ([{FTS_TABLE}], rank) values ('hashsize', ?)", (INDEX_BUFFER,))
    except sqlite3.OperationalError:  # a SQLite without the setting indexes all the same, only slower
        pass


def rebuild_search(db: sqlite_utils.Database) -> None:
    """item_texts and items_fts made afresh from every items row (also how an older database is migrated)."""
    for name in (FTS_TABLE, TEXTS_TABLE):  # an older items_fts indexed items itself
        db.execute(f"drop table if exists [{name}]")
    _create_search(db)
    if db.table("items").exists():
        items = db.table("items")
        if TEXT_ID not in items.columns_dict:
            items.add_column(TEXT_ID, int)
        stored = db.execute(f"select rowid, {_COLS} from items").fetchall()
        texts = pd.DataFrame([r[1:] for r in stored], columns=list(SEARCHED), dtype=object)
        ids = []
        if stored:
            ids, new = _text_ids(db, texts)
            _fts_write(db, new)
            ids = ids.tolist()
        db.conn.executemany(f"update items set [{TEXT_ID}] = ? where rowid = ?", zip(ids, (r[0] for r in stored)))
        _ensure_indexes(items)
    db.execute(f"pragma user_version = {SEARCH_VERSION}")


def fingerprint(tables: dict[str, pd.DataFrame]) -> str:
    """One hash of every table's names, columns and values: an unchanged rerun need not rewrite its period."""
    digest = hashlib.sha256(f"search {SEARCH_VERSION}".encode())
    for name in sorted(tables):
        frame = tables[name]
        digest.update(f"\0{name}\0{list(frame.columns)}\0{len(frame)}\0".encode("utf-8", "surrogatepass"))
        if len(frame):
            try:
                hashes = pd.util.hash_pandas_object(frame, index=False)
            except TypeError:  # a value pandas cannot hash (a list, say): hash the text it prints as
                hashes = pd.util.hash_pandas_object(frame.astype(object).where(frame.notna(), None).astype(str),
                                                    index=False)
            digest.update(hashes.to_numpy().tobytes())
    return digest.hexdigest()


def _searchable(db: sqlite_utils.Database) -> bool:
    """The search tables exist in this version's shape (an older database is rebuilt on its next write)."""
    version = db.execute("pragma user_version").fetchone()[0]
    return version == SEARCH_VERSION and db.table(FTS_TABLE).exists() and db.table(TEXTS_TABLE).exists()


def write_history(path: Path, period: str, tables: dict[str, pd.DataFrame],
                  rectifications: pd.DataFrame | None = None, before_commit=None, mark: str | None = None,
                  staged: Path | Future | None = None, later: Future | None = None) -> Path:
    """Replace `period`'s rows of every table in the history database with `tables`, all or nothing.

    `before_commit`: called inside the transaction once the rows are written; if it raises (the
    month's other outputs failed), nothing of this write is kept. `mark`: what identifies these
    rows, so that writing them again is skipped; the monthly job passes the fingerprint of its
    inputs, from which the tables follow (hashing a city's tables takes 1.3 s); by default a
    hash of the tables themselves. `staged`: the items' rows and texts written ahead by stage_items,
    if any, or the future of that file (None: not staged): while another process still stages the
    items, the period's old rows are deleted and its other tables written (a city's: 0.4 s, a
    resubmitted one's much more); once it is done, the items go first. `later`: the future of more
    tables (the month's others, while `tables` holds its items): the history begins before they
    are made, and writes whichever of them and the staged items is ready first (a province's items
    are staged 10 s before its other tables are made, which the history waited for).
    """
    tables = dict(tables)
    _refuse_confidential(tables)
    if mark is None and later is not None:  # the fingerprint is of every table
        tables.update(_tables_of(later))
        later = None
    # the 整改台账 text items will carry, fingerprinted before the join so an unchanged rerun skips the join too
    answered = {}
    if "items" in tables and rectifications is not None:
        answered["items/整改台账"] = answers(rectifications)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    # another period's run may be writing: wait for it rather than fail (SQLite serialises writers)
    db = sqlite_utils.Database(sqlite3.connect(path, timeout=600))
    try:
        db.execute("pragma page_size = 65536")  # a new database's: rows go in and indexes are built in order
        db.execute("pragma secure_delete = on")  # replaced rows leave no readable trace in free pages
        db.execute("pragma temp_store = memory")
        # 32 MiB: copying a province's 3.3 million staged items took 6.3 s with 16 MiB, 2.0 s with 32
        # (a city's took 0.3 s either way); more made neither faster, only larger
        db.execute("pragma cache_size = -32768")
        mark = mark or fingerprint({**tables, **answered})
        if period_mark(db.conn, period) == mark:  # the same month written again: the stored rows are already these
            return path
        try:
            _replace_period(db, period, tables, rectifications, mark, before_commit, staged, later)
        except _RolledBack:  # nothing of this write was kept: all of it again, the items inserted here
            _detach_staged(db)
            _replace_period(db, period, tables, rectifications, mark, before_commit, None, later)
        if staged is not None:
            _detach_staged(db)
    finally:
        db.close()
    return path


class _RolledBack(Exception):
    """SQLite failed reading the staged file inside the history's transaction: it may have rolled the
    transaction back (a full disk, an I/O error; statements after it would each be kept on their
    own) or refuse every later write (a damaged file). The month is written again without it."""


def _tables_of(later: Future) -> dict[str, pd.DataFrame]:
    """The tables `later` brings, once it does."""
    tables = later.result()
    _refuse_confidential(tables)
    return tables


def _replace_period(db: sqlite_utils.Database, period: str, tables: dict[str, pd.DataFrame],
                    rectifications: pd.DataFrame | None, mark: str, before_commit, staged,
                    later: Future | None) -> None:
    """write_history's transaction: the period's rows of every table replaced, the items first or last
    (`tables` gains those `later` brings). It begins once the staged items or the other tables are
    ready: another period's run may be writing the history, and waits for it meanwhile."""
    if isinstance(staged, Future) and later is not None:
        wait([staged, later], return_when=FIRST_COMPLETED)
    with _writing(db):
        history = [t for t in db.table_names() if PERIOD in db.table(t).columns_dict]
        searched = "items" in tables or "items" in history
        if searched and not _searchable(db):
            rebuild_search(db)
        elif searched:
            _buffer_index(db)  # a database made before the setting
        used = set()
        if searched and "items" in history:
            used = {r[0] for r in db.execute(f"select distinct [{TEXT_ID}] from items where [{PERIOD}] = ? "
                                             f"and [{TEXT_ID}] is not null", (period,))}
        for name in history:
            db.execute(f"delete from [{name}] where [{PERIOD}] = ?", (period,))
        # the items first when their staged file is ready: copying them is SQLite's work, which lets
        # this process's main thread run meanwhile (a province's: 11 s of copying and indexing while
        # it computes), whereas the other tables are given to SQLite value by value, in Python
        if later is not None and later.done():  # made already, or never will be: then nothing is kept
            tables.update(_tables_of(later))
            later = None
        items_first = "items" in tables and (not isinstance(staged, Future) or staged.done())
        if not items_first:  # written while the other process still stages the items
            _write_others(db, tables, period, later)
        if "items" in tables:
            used -= _write_items(db, tables["items"], rectifications, period,
                                 staged.result() if isinstance(staged, Future) else staged)
        if items_first:
            _write_others(db, tables, period, later)
        if used:
            _drop_unused_texts(db, used)
        db.table(RUNS_TABLE).insert({PERIOD: period, "指纹": mark, "写入表": "、".join(sorted(tables))})
        if before_commit is not None:
            before_commit()


@contextlib.contextmanager
def _writing(db: sqlite_utils.Database):
    """A transaction that holds the write lock from its start (BEGIN IMMEDIATE): one that reads first
    and then writes cannot wait for another period's run writing meanwhile (SQLite answers "database
    is locked" at once, where it would have waited up to the connection's timeout)."""
    db.conn.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        db.conn.rollback()  # nothing to roll back where the error already did: the error goes on
        raise
    try:
        db.conn.execute("COMMIT")
    except BaseException:
        db.conn.rollback()
        raise


def _write_others(db: sqlite_utils.Database, tables: dict[str, pd.DataFrame], period: str,
                  later: Future | None) -> None:
    """Every table but the items, its rows given to SQLite here, those `later` brings once it does."""
    if later is not None:
        tables.update(_tables_of(later))
    for name, frame in tables.items():
        if name != "items":
            table = _ensure_table(db, name, frame)
            if len(frame):
                _insert(db, name, frame, period)
            _ensure_indexes(table)


def _write_items(db: sqlite_utils.Database, items: pd.DataFrame, rectifications: pd.DataFrame | None,
                 period: str, staged: Path | None) -> set[int]:
    """The month's items rows and their texts, copied from the staged file when it holds these rows,
    else given to SQLite here; the search index gets the texts the history had not stored. Returns
    the 文本号 the rows use. An error SQLite meets while the staged file is attached raises
    _RolledBack (see there): the month is then written again without it, and an error that is not
    the file's (a full disk) comes back from that second write."""
    columns = history_columns(items)
    attached = _attach_staged(db, staged) if len(items) else None
    if attached is not None and attached != (_staged_columns(columns), len(items)):
        attached = None  # not this month's rows
    if attached is None:
        items = with_rectification_text(items, rectifications)
    table = _ensure_table(db, "items", items)  # the staged items' texts columns are text, as joined
    if not len(items):
        _ensure_indexes(table)
        return set()
    if attached is None:
        ids, new_texts = _text_ids(db, items)
        _insert(db, "items", items.assign(**{TEXT_ID: ids}), period)
        _ensure_indexes(table)
        _fts_write(db, new_texts)
        return set(np.unique(ids).tolist())
    try:
        first_new, used = _copy_staged(db, columns, period)
        _ensure_indexes(table)
        _fts_staged(db, first_new)
    except sqlite3.Error as exc:
        raise _RolledBack from exc
    return used
