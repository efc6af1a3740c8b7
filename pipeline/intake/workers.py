"""The job's reader workers (intake/readers.WorkerPool running parse.read_encoded): started as early
as the job likes, told the reading context once the schemas are loaded, and kept open until the
job has also read again the files whose 回执 mark cells. Free of pandas, like the workers: the
monthly job starts them before it imports the rest."""
from __future__ import annotations

import contextlib

from ..config import Config
from .parse import read_context, read_encoded
from .readers import CONTEXT_LATER, WorkerPool, worker_count


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

    def close(self) -> None:
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
