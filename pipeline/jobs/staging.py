"""A period's outputs appear whole or not at all: one run at a time, written aside, swapped in at the end.

The job writes into a hidden temporary folder beside OUTBOX/<period> and, once everything is
written, exchanges the two folders with one rename, so a killed run, a full disk or a crash leaves
the previous outputs of the period byte-identical. A lock file per outbox period keeps a second
run from writing at the same time; temporary folders a killed run left behind are removed by the
next run.
"""
from __future__ import annotations

import ctypes
import errno
import os
import shutil
import tempfile
from pathlib import Path

try:
    import fcntl
except ImportError:  # pragma: no cover - the office runs Linux; elsewhere there is no lock
    fcntl = None

RUN_LOG = "运行日志.txt"
_HELD: set[int] = set()  # this process's lock descriptors; a fork of it (jobs/period) must not hold them


def _close_held_locks() -> None:
    for fd in _HELD:
        try:
            os.close(fd)
        except OSError:
            pass
    _HELD.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_close_held_locks)


class RunLocked(Exception):
    """Another run is writing the same period of the same outbox."""


def _prefix(period: str) -> str:
    return f".{period}.部分输出-"


def _exchange(a: Path, b: Path) -> bool:
    """Swap two directories atomically (Linux renameat2 RENAME_EXCHANGE); False where unsupported."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP if hasattr(errno, "ENOTSUP") else errno.EINVAL):
        return False
    raise OSError(code, os.strerror(code), str(b))


class StagedPeriod:
    """`with StagedPeriod(outbox, period) as stage:` write under stage.path, then stage.commit()."""

    def __init__(self, outbox: Path, period: str):
        self.outbox, self.period = Path(outbox), period
        self.final = self.outbox / period
        self.path: Path | None = None
        self._lock_fd: int | None = None
        self.committed = False

    def __enter__(self) -> "StagedPeriod":
        self.outbox.mkdir(parents=True, exist_ok=True)
        self._lock()
        try:
            self._clean_stale()
            self.path = Path(tempfile.mkdtemp(prefix=_prefix(self.period), dir=self.outbox))
            mask = os.umask(0)
            os.umask(mask)
            os.chmod(self.path, 0o777 & ~mask)  # mkdtemp makes it private; the period folder is not
        except BaseException:
            self._unlock()
            raise
        return self

    def _lock(self) -> None:
        fd = os.open(self.outbox / f".{self.period}.lock", os.O_RDWR | os.O_CREAT, 0o644)
        if fcntl is not None:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError as exc:
                os.close(fd)
                raise RunLocked(f"{self.period} 月度处理正在另一个窗口中运行（输出目录 {self.outbox}），"
                                "请等它结束后再运行。") from exc
        self._lock_fd = fd
        _HELD.add(fd)

    def _unlock(self) -> None:
        if self._lock_fd is not None:
            _HELD.discard(self._lock_fd)
            os.close(self._lock_fd)  # closing the descriptor releases the lock
            self._lock_fd = None

    def _clean_stale(self) -> None:
        """Folders a killed run left: unfinished ones go; a swap cut halfway is finished first."""
        stale = sorted(p for p in self.outbox.glob(_prefix(self.period) + "*") if p.is_dir())
        for p in stale:
            if not self.final.exists() and p.name.endswith(".旧"):
                p.rename(self.final)  # the previous outputs, moved aside just before a kill
            else:
                shutil.rmtree(p, ignore_errors=True)

    def commit(self) -> None:
        """Put the finished folder in place of the period folder in one step."""
        assert self.path is not None
        if self.final.exists():
            if not _exchange(self.path, self.final):
                aside = self.path.with_name(self.path.name + ".旧")
                self.final.rename(aside)
                self.path.rename(self.final)
                self.path = aside
            shutil.rmtree(self.path, ignore_errors=True)
        else:
            self.path.rename(self.final)
        self.path = None
        self.committed = True

    def __exit__(self, *exc) -> bool:
        try:
            if self.path is not None:
                shutil.rmtree(self.path, ignore_errors=True)
                self.path = None
        finally:
            self._unlock()
        return False


def disk_message(exc: OSError) -> str:
    """One Chinese line for a failed write: full disk, no permission, or anything else."""
    where = f"：{exc.filename}" if getattr(exc, "filename", None) else ""
    reason = {errno.ENOSPC: "磁盘空间已满", errno.EDQUOT: "磁盘配额已用完", errno.EACCES: "没有读写权限",
              errno.EPERM: "没有读写权限", errno.EROFS: "磁盘或目录是只读的", errno.ENOTDIR: "路径中有同名文件而不是目录",
              errno.ENAMETOOLONG: "文件名过长"}.get(exc.errno, exc.strerror or "读写失败")
    return f"无法读写文件{where}（{reason}），本次没有生成任何输出，之前的输出保持不变。请检查磁盘空间和目录权限后重新运行。"
