"""Parsed workbooks kept between runs, so a file that has not changed is not read again.

An entry is keyed by the file's sha256, its path in the inbox (the file name can name the unit)
and a version of everything reading depends on: the reading code's source, the registry and
schemas as the workers see them, and the reader library's version. Change any of them and every
old entry is simply never found again (and its folder is removed). Entries, rows of one SQLite
file (ParseCache), hold each sheet's typed rows column by column (text and dates as their
distinct values and a code per row, the codes packed as base64 of 32-bit integers), as
zstd-compressed JSON: compact, deterministic, and safe to load (no pickle). orjson and zstd rather
than the standard json and zlib: the workers encode a city month's 1,500 books and this process
decodes them about 1.5 s of CPU faster (they share two cores while a month is read). Decoded, a
text or date column stays coded (intake.table.Coded): the month's frames join codes, not cells.
The cache is only a shortcut: an entry that cannot be read is ignored and rebuilt, and one that
cannot be written is skipped, so the outputs are always those of a cold run.
"""
from __future__ import annotations

import base64
import contextlib
import datetime as dt
import hashlib
import json
import pickle
import sqlite3
import sys
from array import array
from pathlib import Path

import orjson
import zstandard

from ..cache_files import forget_other_folders
from ..versions import hash_files, library_versions
from .table import Coded

# 2: each sheet's values as columns (intake.table); 3: text as distinct values and codes; 4: codes packed, dates coded;
# 5: orjson and zstd
FORMAT = 5
CACHE_FOLDER = ".cache"  # under OUTBOX; safe to delete at any time
ENTRIES = "entries.sqlite"
# what reading a workbook depends on, besides its bytes and the worker context
_READING_CODE = ("pipeline/intake/readers.py", "pipeline/intake/parse.py", "pipeline/intake/package.py",
                 "pipeline/intake/confidential.py", "pipeline/intake/survey.py", "pipeline/textnorm.py",
                 "pipeline/problems.py", "pipeline/safetext.py")


def code_version(root: Path, context: dict) -> str:
    """One hash of the reading code, the schemas and the worker context (registry, year, limits)."""
    digest = hashlib.sha256(f"format {FORMAT}\n".encode())
    hash_files(digest, root, (*_READING_CODE, *sorted(str(p.relative_to(root)) for p in (root / "schemas").glob("*.py"))))
    digest.update(json.dumps(context, sort_keys=True, ensure_ascii=False, default=str).encode())
    digest.update(library_versions(("python-calamine",)))  # the reader decides what a cell holds: date, number, text
    return digest.hexdigest()[:32]


def _packed(codes: array) -> str:
    numbers = codes
    if sys.byteorder == "big":
        numbers = array("i", codes)
        numbers.byteswap()
    return base64.b64encode(numbers.tobytes()).decode("ascii")


def _unpacked(text: str) -> array:
    numbers = array("i")
    numbers.frombytes(base64.b64decode(text))
    if sys.byteorder == "big":
        numbers.byteswap()
    return numbers


def _column(values: list | Coded) -> dict | None:
    """A column as JSON: text as its distinct values and a code per row (names, statuses and methods
    repeat down a ledger), dates likewise as ISO text, tagged 'date'; None when a value has no JSON form."""
    if isinstance(values, Coded):  # the parser's text and date columns: coded already
        distinct, codes = values.values, values.codes
    else:
        distinct = list(dict.fromkeys(values))
        codes = None
    kinds = set(map(type, distinct))
    kinds.discard(type(None))
    if kinds == {dt.date} or kinds == {str}:
        if codes is None:
            code_of = {value: code for code, value in enumerate(distinct)}
            codes = array("i", map(code_of.__getitem__, values))
        if kinds == {str}:
            return {"t": "text", "u": distinct, "c": _packed(codes)}
        return {"t": "date", "u": [None if day is None else day.isoformat() for day in distinct], "c": _packed(codes)}
    values = list(values)
    if kinds <= _PLAIN:
        if float in kinds and any(v != v for v in values if type(v) is float):
            return None
        return {"t": "plain", "v": values}
    return None


_PLAIN = {str, int, float, bool}


def encode(book: dict) -> bytes | None:
    """The parsed book (without cell grids) as compressed columnar JSON; None when it cannot be kept."""
    sheets = {}
    for label, sheet in book["sheets"].items():
        columns = {}
        for key, values in sheet["table"].items():
            column = _column(values)
            if column is None:
                return None
            columns[key] = column
        sheets[label] = {**{k: v for k, v in sheet.items() if k != "table"}, "table": columns}
    head = {k: v for k, v in book.items() if k not in ("sheets", "grids")}
    filled_on = head.get("filled_on")
    head["filled_on"] = filled_on.isoformat() if isinstance(filled_on, dt.date) else None
    try:
        # dates are refused as the standard json refuses them (a value of a problem is shown as typed)
        text = orjson.dumps({"format": FORMAT, "book": head, "sheets": sheets}, option=_JSON_OPTIONS)
    except (TypeError, ValueError):
        return None
    return _zstd("compress", 1).compress(text)


_JSON_OPTIONS = orjson.OPT_SORT_KEYS | orjson.OPT_PASSTHROUGH_DATETIME
_CODECS: dict = {}


def _zstd(way: str, level: int):
    """This process's zstd (de)compressor: making one costs more than a small book's compression."""
    codec = _CODECS.get(way)
    if codec is None:
        codec = _CODECS[way] = zstandard.ZstdCompressor(level=level) if way == "compress" else zstandard.ZstdDecompressor()
    return codec


def pack_grids(grids: dict) -> bytes:
    """A file's marked sheets' cell grids as the reader worker sends them on (pickled, compressed):
    a city month whose every row is queried held 1,500 workbooks' grids, 500 MB, as Python lists in
    the main process until their 回执 were written; packed they are a tenth of that."""
    return _zstd("compress", 1).compress(pickle.dumps(grids, protocol=pickle.HIGHEST_PROTOCOL))


def unpack_grids(packed: bytes) -> dict:
    """The grids pack_grids packed (in the process writing the 回执, which reads them once)."""
    return pickle.loads(_zstd("decompress", 0).decompress(packed))


def _values(column: dict, shared: dict) -> list | Coded:
    if column["t"] == "plain":
        return column["v"]
    distinct = column["u"]
    return Coded(list(map(shared.setdefault, distinct, distinct)), _unpacked(column["c"]))


def decode(blob: bytes, shared: dict | None = None) -> dict:
    """The book a worker encoded. `shared`: one dict for the whole month, so that a text typed in
    many rows and files (a unit's name, a status) is one string in memory, not one per cell."""
    shared = {} if shared is None else shared
    data = orjson.loads(_zstd("decompress", 0).decompress(blob))
    if data.get("format") != FORMAT:
        raise ValueError("other cache format")
    book = data["book"]
    book["filled_on"] = dt.date.fromisoformat(book["filled_on"]) if book.get("filled_on") else None
    # date columns stay ISO text ('dates' names them): the month's frames parse each distinct day once
    book["sheets"] = {label: {**{k: v for k, v in sheet.items() if k != "table"},
                              "columns": {k: int(c) for k, c in sheet["columns"].items()},
                              "table": {k: _values(c, shared) for k, c in sheet["table"].items()},
                              "dates": [k for k, c in sheet["table"].items() if c["t"] == "date"]}
                      for label, sheet in data["sheets"].items()}
    return book


class ParseCache:
    """OUTBOX/.cache/parsed/<version>/entries.sqlite: one row per (file bytes, inbox path).

    One SQLite file rather than a file per entry: creating 1,500 small files cost a city month
    more than a second of this process's time. Entries are written in batches of `BATCH` (a
    province's would be hundreds of MB held until the end), each batch in one transaction.
    Any failure of the database is a miss or a skipped write, and a file that is not a database
    is removed and made afresh: the cache is only ever a saving."""

    BATCH = 200

    def __init__(self, directory: Path, version: str):
        self.root = Path(directory) / "parsed"
        self.folder = self.root / version
        self.path = self.folder / ENTRIES
        self.hits = 0
        self._db: sqlite3.Connection | None = None
        self._failed = False
        self._waiting: list[tuple[str, bytes]] = []
        self._some = self.path.is_file()  # a first run of this reading code looks up nothing (a city: 1,500 misses)

    @staticmethod
    def _key(rel: str, sha256: str) -> str:
        return hashlib.sha256(f"{sha256}\0{rel}".encode("utf-8", "surrogatepass")).hexdigest()

    def _connect(self) -> sqlite3.Connection | None:
        if self._db is not None or self._failed:
            return self._db
        for _ in range(2):
            db = None
            try:
                self.folder.mkdir(parents=True, exist_ok=True)
                db = sqlite3.connect(self.path, timeout=60)  # another period's run may be writing
                db.execute("pragma synchronous = off")  # a cache: a damaged file is found and made afresh
                db.execute("create table if not exists entries (key text primary key, blob blob) without rowid")
                self._db = db
                return db
            except (OSError, sqlite3.Error) as exc:
                if db is not None:
                    db.close()
                not_a_database = isinstance(exc, sqlite3.DatabaseError) and not isinstance(exc, sqlite3.OperationalError)
                if not not_a_database:
                    break  # a locked or unwritable cache is skipped this run, not removed
                with contextlib.suppress(OSError):  # a stray file, a torn write: made afresh
                    self.path.unlink()
        self._failed = True
        return None

    def holds(self, rel: str, sha256: str) -> bool:
        """An entry is kept for these bytes at this path (get may still find it damaged)."""
        if not self._some or (db := self._connect()) is None:
            return False
        try:
            return db.execute("select 1 from entries where key = ?", (self._key(rel, sha256),)).fetchone() is not None
        except sqlite3.Error:
            return False

    def get(self, rel: str, sha256: str, shared: dict | None = None) -> dict | None:
        if not self._some or (db := self._connect()) is None:
            return None
        key = self._key(rel, sha256)
        try:
            row = db.execute("select blob from entries where key = ?", (key,)).fetchone()
        except sqlite3.Error:
            return None
        if row is None:
            return None
        try:
            book = decode(row[0], shared)
        except Exception:  # a damaged entry is rebuilt from the file
            with contextlib.suppress(sqlite3.Error):
                with db:
                    db.execute("delete from entries where key = ?", (key,))
            return None
        self.hits += 1
        return book

    def put(self, rel: str, sha256: str, blob: bytes) -> None:
        """Keep the encoded book a worker returned (see parse.read_encoded); written with its batch."""
        self._waiting.append((self._key(rel, sha256), blob))
        if len(self._waiting) >= self.BATCH:
            self.flush()

    def flush(self) -> None:
        """Write the entries put since the last batch."""
        waiting, self._waiting = self._waiting, []
        if not waiting or (db := self._connect()) is None:
            return
        try:
            with db:
                db.executemany("insert or replace into entries values (?, ?)", waiting)
            self._some = True
        except sqlite3.Error:
            pass

    def close(self) -> None:
        self.flush()
        if self._db is not None:
            with contextlib.suppress(sqlite3.Error):
                self._db.close()
            self._db = None

    def forget_other_versions(self) -> None:
        """Entries made by other reading code or another registry can never be used again."""
        forget_other_folders(self.root, self.folder)
