"""Know when a monthly run would write exactly what the period already holds, and then not run it.

Staff often run `make monthly` again when nothing has arrived. The outputs are a pure function of
the inbox's bytes (and the day each file arrived), the registry and campaign settings, the period
and as-of date, the month's inspection plan, and the program itself (our code and the libraries
that write the files). When all of those are what the last finished run of the period saw, and
neither the period's files nor its history rows were touched since, the run is skipped. The stamp
lives in OUTBOX/.cache (safe to delete: the next run is then a full one).
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import hashlib
import json
import sqlite3
import sys
from pathlib import Path

from .. import ROOT
from ..cache_files import write_whole
from ..publish.history_runs import stored_mark
from ..versions import hash_files, library_versions

STAMP_FOLDER = "runs"
# what writes the outputs besides our own code: a new version may write other bytes
LIBRARIES = ("pandas", "numpy", "pandera", "python-calamine", "openpyxl", "xlsxwriter", "jinja2", "docxtpl",
             "python-docx", "sqlite-utils", "lxml", "markupsafe", "et-xmlfile", "python-dateutil", "tzdata")


@functools.cache
def program_digest() -> bytes:
    """Our code, templates, the libraries that write the outputs, the interpreter and SQLite."""
    digest = hashlib.sha256()
    hash_files(digest, ROOT, [path.relative_to(ROOT) for folder in ("pipeline", "schemas", "templates")
                              for path in sorted((ROOT / folder).rglob("*"))
                              if path.is_file() and "__pycache__" not in path.parts])
    digest.update(library_versions(LIBRARIES))
    # the interpreter (its csv, zipfile and json modules write bytes too) and the SQLite the history is kept with
    digest.update(f"python={sys.version}\0sqlite={sqlite3.sqlite_version}\0".encode())
    return digest.digest()


def setup_digest(config) -> bytes:
    """The program and the registry and campaign settings: what every saved result depends on besides the inbox."""
    digest = hashlib.sha256(program_digest())
    settings = json.dumps(dataclasses.asdict(config), ensure_ascii=False, sort_keys=True, default=str)
    digest.update(f"{settings}\0".encode("utf-8", "surrogatepass"))
    return digest.digest()


def inputs_fingerprint(files, config, period: str, as_of: dt.date, plan: Path) -> str:
    """One hash of everything the period's outputs are made from (`files`: the scanned inbox)."""
    digest = hashlib.sha256(setup_digest(config))
    digest.update(f"{period}\0{as_of.isoformat()}\0".encode("utf-8", "surrogatepass"))
    for f in files:
        digest.update(f"{f.rel}\0{f.received.isoformat()}\0{f.sha256}\0{f.note}\0".encode("utf-8", "surrogatepass"))
    digest.update(plan.read_bytes() if plan.is_file() else b"no plan")
    return digest.hexdigest()


def _outputs(folder: Path) -> dict[str, list[int]]:
    """Every file of the period folder with its size and modification time: an edit or a deletion shows."""
    found = {}
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            stat = path.stat()
            found[path.relative_to(folder).as_posix()] = [stat.st_size, stat.st_mtime_ns]
    return found


def _stamp_path(cache: Path, period: str) -> Path:
    return cache / STAMP_FOLDER / f"{period}.json"


def is_current(cache: Path, folder: Path, history: Path, period: str, inputs: str) -> bool:
    """True when the period's outputs and history rows are those a run on these inputs would write."""
    try:
        stamp = json.loads(_stamp_path(cache, period).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    if not isinstance(stamp, dict) or stamp.get("inputs") != inputs or not folder.is_dir():
        return False
    return stamp.get("history") == stored_mark(history, period) and stamp.get("outputs") == _outputs(folder)


def remember(cache: Path, folder: Path, history: Path, period: str, inputs: str) -> None:
    """Note what the finished run saw and wrote; a stamp that cannot be written only costs a full rerun."""
    stamp = {"inputs": inputs, "history": stored_mark(history, period), "outputs": _outputs(folder)}
    write_whole(_stamp_path(cache, period), json.dumps(stamp, ensure_ascii=False, sort_keys=True).encode("utf-8"))


def forget(cache: Path, period: str) -> None:
    _stamp_path(cache, period).unlink(missing_ok=True)
