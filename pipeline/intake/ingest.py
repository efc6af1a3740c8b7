"""Find every file in the inbox, read each safely, validate, and decide what each one is.

The inbox is only ever read. Each file's outcome (结果) follows the contract: 已采用, 已被替代,
已退回, 重复文件 or 已忽略, with the first problem as its 说明.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import sys
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from schemas import KINDS
from ..config import Config
from ..memory import give_back_memory
from .cache import ParseCache, decode
from .documents import is_document, register
from .inbox import InboxFile, ignore_reason, scan
from .order import order_files
from .survey import SHEET as SURVEY_SHEET, respondents, survey_problems
from ..problems import ERROR, describe, problem
from .validate import build_frames, drop_shadowed, validate
from .marked import marked_sheets
from .workers import Readers, parse_cache_for, reading_jobs, using as _using

ACCEPTED = "已采用"
SUPERSEDED = "已被替代"
REJECTED = "已退回"
DUPLICATE = "重复文件"
IGNORED = "已忽略"


class Progress:
    """A one-line counter on stderr while files are read."""

    def __init__(self, total: int, stream=sys.stderr):
        self.total, self.done, self.stream = total, 0, stream
        self.live = hasattr(stream, "isatty") and stream.isatty()

    def step(self, label: str) -> None:
        self.done += 1
        if self.live:
            self.stream.write(f"\r正在读取文件 {self.done}/{self.total} {label[:40]:<40}")
        elif self.done == self.total or self.done % 50 == 0:
            self.stream.write(f"正在读取文件 {self.done}/{self.total}\n")
        self.stream.flush()

    def finish(self) -> None:
        if self.live and self.total:
            self.stream.write("\n")
            self.stream.flush()


@dataclass
class Intake:
    files: list[InboxFile]
    frames: dict[str, pd.DataFrame]
    in_force: dict[str, str]
    accepted: pd.DataFrame  # accepted workbooks (file, unit, received, filled_on, name) in the order they take effect
    from_cache: int = 0  # files not read again: parsed by an earlier run from the same bytes

    def by_rel(self) -> dict[str, InboxFile]:
        return {f.rel: f for f in self.files}


def attach_grids(files: list[InboxFile], config: Config, *, workers: int | None = None,
                 readers: Readers | None = None) -> None:
    """Read again, in the capped workers, the few files whose feedback marks cells: the sheets it
    marks, as book["grids"], packed (cache.pack_grids) until their 回执 is written."""
    marked = [f for f in files if f.book is not None and marked_sheets(f)]
    if not marked:
        return
    by_rel = {f.rel: f for f in marked}
    with _using(readers, config, workers) as readers:
        pool = readers.pool(len(marked))
        for rel, result in pool.run(reading_jobs(marked, grids=True)):
            by_rel[rel].book["grids"] = result.get("grids", b"")
            by_rel[rel].retry = "grids" not in result  # its 回执 lacks the unit's sheets this time
        for rel, text in pool.incidents.items():
            by_rel[rel].log = "\n".join(x for x in (by_rel[rel].log, text) if x)


def _take(f: InboxFile, book: dict) -> None:
    f.book = book
    f.problems = list(book["problems"])
    f.unit = book.get("unit") or ""
    f.filled_on = book.get("filled_on")


def read_files(to_read: list[InboxFile], config: Config, *, workers: int | None = None,
               cache: ParseCache | None = None, readers: Readers | None = None) -> None:
    """Parse every file, from the cache when its bytes were parsed before by the same reading code."""
    progress = Progress(len(to_read))
    by_rel = {f.rel: f for f in to_read}
    shared: dict[str, str] = {}  # each distinct text once in memory, however many cells repeat it
    misses = []
    for f in to_read:
        book = cache.get(f.rel, f.sha256, shared) if cache is not None else None
        if book is None:
            misses.append(f)
            continue
        _take(f, book)
        progress.step(f.rel)
    if misses:
        with _using(readers, config, workers) as readers:
            ahead = readers.take_ahead()  # the files read while this process was still starting
            early = [(f.rel, ahead.results[f.rel]) for f in misses if f.rel in ahead.results]
            rest = [f for f in misses if f.rel not in ahead.results]
            pool = readers.pool(len(rest)) if rest else None
            for rel, result in itertools.chain(early, pool.run(reading_jobs(rest)) if pool else ()):
                f = by_rel[rel]
                if "failure" in result:  # never cached: a stall on a busy machine must not stick
                    code, detail = result["failure"]
                    f.problems = [problem(code, file=rel, detail=detail)]
                    f.retry = code == "changed_while_read"  # its new bytes are read next run
                else:
                    if cache is not None:
                        cache.put(rel, f.sha256, result["blob"])
                    _take(f, decode(result["blob"], shared))
                progress.step(rel)
            incidents = {**ahead.incidents, **(pool.incidents if pool else {})}
            for rel, text in incidents.items():
                if rel in by_rel:
                    by_rel[rel].log = text
            for rel in ahead.stalled | (pool.stalled if pool else set()):
                if rel in by_rel:
                    by_rel[rel].retry = True
    progress.finish()


def parse_cache(directory: Path | None, config: Config) -> ParseCache | None:
    """The outbox's cache of parsed files for this reading code and registry (None: no cache)."""
    if directory is None:
        return None
    cache = parse_cache_for(directory, config)
    cache.forget_other_versions()
    return cache


def _sort_problems(problems: list[dict]) -> list[dict]:
    order = {"检查台账": 0, "整改台账": 1, "月报表": 2, "承诺书": 3, "信访举报": 0}
    return sorted(problems, key=lambda p: (p["severity"] != ERROR, order.get(p["sheet"], -1) if p["row"] is not None else -1,
                                           p["row"] if p["row"] is not None else -1,
                                           p["col"] if p["col"] is not None else -1, p["code"]))


_EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()


def ingest(inbox: Path, config: Config, as_of: dt.date, *, workers: int | None = None,
           cache: Path | None = None, files: list[InboxFile] | None = None, readers: Readers | None = None) -> Intake:
    """`cache`: a folder where parsed files are kept between runs (OUTBOX/.cache), or None;
    `files`: the inbox as scan() already listed it; `readers`: workers to keep for attach_grids."""
    files = scan(inbox) if files is None else files
    first_by_hash: dict[str, InboxFile] = {}
    to_read: list[InboxFile] = []
    for f in files:
        if not f.note and is_document(f.path):  # milestone documents: registered by name, never opened
            f.result, f.unit, f.note = register(Path(f.rel).name, f.received, config, as_of)  # shown name: GBK decoded
            continue
        reason = ignore_reason(f, as_of)
        if reason:
            f.result, f.note = IGNORED, reason
            continue
        original = first_by_hash.get(f.sha256) if f.sha256 != _EMPTY_SHA256 else None  # empty files are each 文件是空的
        if original is not None:
            f.result, f.duplicate_of = DUPLICATE, original.rel
            f.note = f"与 {original.rel} 内容完全相同，按一份处理"
            continue
        first_by_hash[f.sha256] = f
        to_read.append(f)

    parsed = parse_cache(cache, config)
    try:
        read_files(to_read, config, workers=workers, cache=parsed, readers=readers)
    finally:
        if parsed is not None:
            parsed.close()
    give_back_memory()

    books = {f.rel: f.book for f in to_read if f.book is not None and f.unit}
    received = {f.rel: f.received for f in to_read}
    frames = build_frames(books, received)
    frames[SURVEY_SHEET] = respondents(books, received, config)  # a survey's rows carry their answer tallies
    for book in books.values():  # the frames hold the values now
        for sheet in book["sheets"].values():
            sheet["table"] = {}
    reading = {f.rel: f for f in to_read}
    for p in validate(frames, books, config) + survey_problems(frames[SURVEY_SHEET], books):
        reading[p["file"]].problems.append(p)
    give_back_memory()

    for f in to_read:
        f.problems = _sort_problems(drop_shadowed(f.problems))
        if f.book is not None and f.unit and f.errors == 0:
            f.result = SUPERSEDED
        else:
            f.result = REJECTED
        f.note = describe(f.problems[0]) if f.problems else ""

    accepted = order_files(pd.DataFrame(
        [{"file": f.rel, "unit": f.unit, "received": pd.Timestamp(f.received),
          "filled_on": pd.Timestamp(f.filled_on) if f.filled_on else pd.NaT, "name": f.path.name}
         for f in to_read if f.result == SUPERSEDED],
        columns=["file", "unit", "received", "filled_on", "name"]))
    in_force = accepted.groupby("unit", sort=False)["file"].last().to_dict()
    for rel in in_force.values():
        reading[rel].result = ACCEPTED
    cumulative = {kind.name for kind in KINDS if kind.cumulative}
    for f in to_read:  # every accepted survey export counts, not only the latest
        if f.result == SUPERSEDED and f.book.get("kind") in cumulative:
            f.result = ACCEPTED

    by_rel = {f.rel: f for f in files}
    for f in files:
        if f.result == DUPLICATE:
            f.unit = by_rel[f.duplicate_of].unit
    frames = {sheet: frame[frame["_file"].isin(accepted["file"])].reset_index(drop=True) for sheet, frame in frames.items()}
    return Intake(files=files, frames=frames, in_force=in_force, accepted=accepted.reset_index(drop=True),
                  from_cache=parsed.hits if parsed is not None else 0)
