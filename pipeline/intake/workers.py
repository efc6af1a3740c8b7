"""The job's reader workers (intake/readers.WorkerPool running parse.read_encoded): started as early
as the job likes, told the reading context once the schemas are loaded, set reading the month's
files while the job imports the rest (read_ahead), and kept open until the job has also read again
the files whose 回执 mark cells. Free of pandas, like the workers: the monthly job starts them
before it imports the rest."""
from __future__ import annotations

import contextlib
import datetime as dt
import os
import threading
from pathlib import Path

from ..config import Config
from .cache import ParseCache, code_version
from .inbox import InboxFile, ignore_reason
from .marked import rows_to_copy
from .parse import read_context, read_encoded
from .readers import CONTEXT_LATER, WorkerPool, worker_count


def reading_jobs(files: list[InboxFile], grids: bool = False):
    """WorkerPool jobs reading `files` (with `grids`, the cells their 回执 copy: intake/marked)."""
    for f in files:
        yield f.rel, {"path": os.fsencode(f.path), "sha256": f.sha256, "ext": f.path.suffix.lower(), "file": f.rel,
                      "grids": rows_to_copy(f) if grids else {}, "kind": (f.book or {}).get("kind") if grids else None}


class Ahead:
    """Files read by a thread of this process, until stop(): what the workers returned, by file,
    and what WorkerPool.run noted of them (incidents, stalled). The thread only passes jobs and
    results along the pipes, so the job's imports go on beside it."""

    def __init__(self, pool: WorkerPool | None = None, files: list[InboxFile] = ()):
        self.results: dict[str, dict] = {}
        self.incidents: dict[str, str] = {}
        self.stalled: set[str] = set()
        self.failed = False
        self._stop = threading.Event()
        self._thread = None
        if pool is not None and files:
            self._thread = threading.Thread(target=self._read, args=(pool, reading_jobs(files)),
                                            name="read-ahead", daemon=True)
            self._thread.start()

    def _until_stopped(self, jobs):
        for job in jobs:
            if self._stop.is_set():
                return
            yield job

    def _read(self, pool: WorkerPool, jobs) -> None:
        try:
            for key, result in pool.run(self._until_stopped(jobs)):
                self.results[key] = result
            self.incidents, self.stalled = dict(pool.incidents), set(pool.stalled)
        except BaseException:  # a bug here must not lose the month: those files are read as usual
            self.failed = True

    def stop(self, finish: bool = False) -> Ahead:
        """No file begun from now on (`finish`: every file is read first); returns once those begun are back."""
        if not finish:
            self._stop.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        return self


def parse_cache_for(directory: Path, config: Config) -> ParseCache:
    """The parse cache under `directory` (OUTBOX/.cache) for this reading code and registry."""
    from .. import ROOT

    return ParseCache(directory, code_version(ROOT, read_context(config)))


def _pool(config: Config, workers: int, context=None) -> WorkerPool:
    limits = config.campaign.limits
    return WorkerPool(read_encoded, read_context(config) if context is None else context, workers=workers,
                      timeout=float(limits.get("read_timeout_seconds", 60)),
                      memory_mb=int(limits.get("worker_memory_mb", 2048)))


class Readers:
    """A job's reader workers: started early (start) or when a file first needs reading, and kept
    until the job has also read again the few files whose 回执 mark cells (attach_grids), whose time
    is mostly the workers' start."""

    def __init__(self, config: Config, workers: int | None = None):
        self.config, self.workers, self._pool = config, workers, None
        self._ahead = Ahead()

    def start(self, jobs: int) -> Readers:
        """Start the workers for `jobs` files now, before the schemas (and pandas) they are told
        about are imported: their own start, a quarter of a second, goes on meanwhile."""
        if self._pool is None and jobs:
            self._pool = _pool(self.config, self.workers or min(worker_count(), jobs), CONTEXT_LATER)
        return self

    def pool(self, jobs: int) -> WorkerPool:
        """Workers for `jobs` files: as many as the machine and the files allow (or as asked)."""
        wanted = self.workers or min(worker_count(), jobs)
        if self._pool is None:
            self._pool = _pool(self.config, wanted)
        else:
            self._pool.grow(wanted)
        if self._pool.needs_context:
            self._pool.set_context(read_context(self.config))
        return self._pool

    def read_ahead(self, files: list[InboxFile], as_of: dt.date, cache: Path | None) -> None:
        """Begin reading, in a thread, the files the month will likely read (ingest decides: a file
        it does not take is simply not used) and the parse cache under `cache` does not hold, while
        this process imports the rest of the job: one core sat idle for those imports (a district
        month 0.08 s sooner). Loads the schemas (the workers' context) first."""
        seen, wanted = set(), []
        for f in files:
            if not ignore_reason(f, as_of) and f.sha256 not in seen:
                seen.add(f.sha256)
                wanted.append(f)
        if cache is not None and wanted and (cache / "parsed").is_dir():
            parsed = parse_cache_for(cache, self.config)
            try:
                wanted = [f for f in wanted if not parsed.holds(f.rel, f.sha256)]
            finally:
                parsed.close()
        if wanted:
            self._ahead = Ahead(self.pool(len(wanted)), wanted)

    def stop_ahead(self, finish: bool = False) -> None:
        """Stop reading ahead (before this process forks: no thread of it may be reading then);
        `finish`: once every file it was given is read."""
        self._ahead.stop(finish)
        if self._ahead.failed and self._pool is not None:  # its workers may still hold files: fresh ones
            self._pool.close()
            self._pool = None

    def take_ahead(self, finish: bool = False) -> Ahead:
        """What was read ahead, once, for ingest to use (`finish`: as stop_ahead)."""
        self.stop_ahead(finish)
        ahead, self._ahead = self._ahead, Ahead()
        return ahead

    def close(self) -> None:
        self._ahead.stop()
        if self._pool is not None:
            self._pool.close()
            self._pool = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def using(readers: Readers | None, config: Config, workers: int | None):
    """The job's readers, left open for its next reads; else workers of this call's own."""
    return contextlib.nullcontext(readers) if readers is not None else Readers(config, workers)
