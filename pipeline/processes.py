"""Helper processes of a job: one worker each, quiet, and ending with the job.

A ProcessPoolExecutor rather than a multiprocessing.Pool: when its worker dies (the system ran out
of memory, someone killed it), waiting on a task fails at once (BrokenProcessPool) instead of
hanging on a queue lock the dead worker held.
"""
from __future__ import annotations

import multiprocessing
import os
import sys
import warnings
from concurrent.futures import ProcessPoolExecutor


def quiet_child(job: int) -> None:
    """The helper's warnings stay off the staff's terminal; its errors still reach the job.
    It ends with the job (process `job`): a job killed outright must not leave it waiting for tasks."""
    if sys.platform == "linux":
        import ctypes
        import signal

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # 1: PR_SET_PDEATHSIG
        if os.getppid() != job:  # the job died before that took effect
            os._exit(0)
    warnings.simplefilter("ignore")
    sink = os.open(os.devnull, os.O_WRONLY)
    os.dup2(sink, 1)
    os.dup2(sink, 2)
    os.close(sink)


def helper_process(start: str = "spawn") -> ProcessPoolExecutor:
    """One helper process, started by `start` ('fork' or 'spawn') at its first task."""
    return ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context(start),
                               initializer=quiet_child, initargs=(os.getpid(),))

