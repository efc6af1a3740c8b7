"""Parsed workbooks kept between runs, so a file that has not changed is not read again.

An entry is keyed by the file's sha256, its path in the inbox (the file name can name the unit)
and a version of everything reading depends on: the reading code's source and the registry and
schemas as the workers see them. Change any of them and every old entry is simply never found
again (and its folder is removed). Entries hold each sheet's typed rows column by column, as
zlib-compressed JSON: compact, deterministic, and safe to load (no pickle). The cache is only a
shortcut: an entry that cannot be read is ignored and rebuilt, and one that cannot be written is
skipped, so the outputs are always those of a cold run.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import zlib
from pathlib import Path

FORMAT = 1
CACHE_FOLDER = ".cache"  # under OUTBOX; safe to delete at any time
# what reading a workbook depends on, besides its bytes and the worker context
_READING_CODE = ("pipeline/intake/readers.py", "pipeline/intake/parse.py", "pipeline/intake/package.py",
                 "pipeline/intake/confidential.py", "pipeline/intake/survey.py", "pipeline/textnorm.py",
                 "pipeline/problems.py", "pipeline/safetext.py")


def code_version(root: Path, context: dict) -> str:
    """One hash of the reading code, the schemas and the worker context (registry, year, limits)."""
    digest = hashlib.sha256(f"format {FORMAT}\n".encode())
    for rel in (*_READING_CODE, *sorted(str(p.relative_to(root)) for p in (root / "schemas").glob("*.py"))):
        path = root / rel
        digest.update(rel.encode() + b"\0" + (path.read_bytes() if path.exists() else b"") + b"\0")
    digest.update(json.dumps(context, sort_keys=True, ensure_ascii=False, default=str).encode())
    return digest.hexdigest()[:32]


def _column(values: list) -> dict | None:
    """A column as JSON: dates as ISO text tagged 'date'; None when a value has no JSON form."""
    present = [v for v in values if v is not None]
    if present and all(type(v) is dt.date for v in present):
        return {"t": "date", "v": [None if v is None else v.isoformat() for v in values]}
    if all(type(v) in (str, int, float, bool) for v in present):
        if any(type(v) is float and v != v for v in present):
            return None
        return {"t": "plain", "v": values}
    return None


def _encode_records(records: list[dict]) -> dict | None:
    keys = list(dict.fromkeys(k for r in records for k in r))
    columns, absent = {}, {}
    for key in keys:
        column = _column([r.get(key) for r in records])
        if column is None:
            return None
        columns[key] = column
        missing = [i for i, r in enumerate(records) if key not in r]
        if missing:
            absent[key] = missing
    return {"n": len(records), "keys": keys, "columns": columns, "absent": absent}


def _decode_records(data: dict) -> list[dict]:
    n, keys = data["n"], data["keys"]
    values = {}
    for key in keys:
        column = data["columns"][key]
        v = column["v"]
        values[key] = [None if x is None else dt.date.fromisoformat(x) for x in v] if column["t"] == "date" else v
    absent = {key: set(rows) for key, rows in data["absent"].items()}
    return [{k: values[k][i] for k in keys if not (k in absent and i in absent[k])} for i in range(n)]


def encode(book: dict) -> bytes | None:
    """The parsed book (without cell grids) as compressed columnar JSON; None when it cannot be kept."""
    sheets = {}
    for label, sheet in book["sheets"].items():
        records = _encode_records(sheet["records"])
        if records is None:
            return None
        sheets[label] = {**{k: v for k, v in sheet.items() if k != "records"}, "records": records}
    head = {k: v for k, v in book.items() if k not in ("sheets", "grids")}
    filled_on = head.get("filled_on")
    head["filled_on"] = filled_on.isoformat() if isinstance(filled_on, dt.date) else None
    try:
        text = json.dumps({"format": FORMAT, "book": head, "sheets": sheets}, ensure_ascii=False, sort_keys=True)
    except (TypeError, ValueError):
        return None
    return zlib.compress(text.encode("utf-8", "surrogatepass"), 6)


def decode(blob: bytes) -> dict:
    data = json.loads(zlib.decompress(blob).decode("utf-8", "surrogatepass"))
    if data.get("format") != FORMAT:
        raise ValueError("other cache format")
    book = data["book"]
    book["filled_on"] = dt.date.fromisoformat(book["filled_on"]) if book.get("filled_on") else None
    book["sheets"] = {label: {**{k: v for k, v in sheet.items() if k != "records"},
                              "columns": {k: int(c) for k, c in sheet["columns"].items()},
                              "records": _decode_records(sheet["records"])}
                      for label, sheet in data["sheets"].items()}
    return book


class ParseCache:
    """OUTBOX/.cache/parsed/<version>/: one entry per (file bytes, inbox path)."""

    def __init__(self, directory: Path, version: str):
        self.root = Path(directory) / "parsed"
        self.folder = self.root / version
        self.hits = 0

    def _path(self, rel: str, sha256: str) -> Path:
        key = hashlib.sha256(f"{sha256}\0{rel}".encode("utf-8", "surrogatepass")).hexdigest()
        return self.folder / key[:2] / f"{key}.json.z"

    def get(self, rel: str, sha256: str) -> dict | None:
        path = self._path(rel, sha256)
        try:
            book = decode(path.read_bytes())
        except FileNotFoundError:
            return None
        except Exception:  # a damaged entry is rebuilt from the file
            path.unlink(missing_ok=True)
            return None
        self.hits += 1
        return book

    def put(self, rel: str, sha256: str, book: dict) -> None:
        blob = encode(book)
        if blob is None:
            return
        path = self._path(rel, sha256)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            temporary = path.with_name(f".{path.name}.{os.getpid()}")
            temporary.write_bytes(blob)
            os.replace(temporary, path)
        except OSError:
            return

    def forget_other_versions(self) -> None:
        """Entries made by other reading code or another registry can never be used again."""
        try:
            for old in self.root.iterdir():
                if old.is_dir() and old != self.folder:
                    shutil.rmtree(old, ignore_errors=True)
        except OSError:
            return
