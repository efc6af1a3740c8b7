"""Read untrusted workbook bytes into plain cell grids, in capped worker processes.

Spreadsheet readers fail badly on damaged or crafted files (calamine can abort the process,
openpyxl can hang), so every file is read in a pre-started worker with a memory cap and a time
limit; a worker that dies or stalls becomes a rejected file and the run goes on. This module and
everything it imports stay free of pandas so workers start fast and fit under the cap.
"""
from __future__ import annotations

import hashlib
import io
import itertools
import multiprocessing as mp
import os
import signal
import time
import zipfile
from multiprocessing.connection import wait

from .package import main_part, odf_encrypted, relocate_workbook

SPREADSHEET_EXTENSIONS = {".xlsx", ".xlsm", ".xls", ".et", ".ods", ".xlsb", ".ett", ".xltx", ".csv"}
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ENCRYPTION_STREAM = "EncryptionInfo".encode("utf-16-le")
MAX_COLUMNS = 200
MAX_CELL_CHARS = 4000
_READY = "__worker_ready__"
QUEUED = 2  # jobs a worker holds: the one it reads and the next
CONTEXT_LATER = "__context_later__"  # a pool started before its context is known (WorkerPool.set_context)
MAX_FAILED_STARTS = 3


class ReadFailure(Exception):
    """A file that cannot be read; `code` is a problems.CATALOGUE key."""

    def __init__(self, code: str, detail: str = ""):
        super().__init__(code)
        self.code = code
        self.detail = detail


def _later(context) -> bool:
    """The context is still to come (a pool started with CONTEXT_LATER)."""
    return isinstance(context, str) and context == CONTEXT_LATER


def _refuse_too_large(size: int, limits: dict) -> None:
    if size > limits.get("max_file_mb", 30) * 1024 * 1024:
        raise ReadFailure("too_large", f"文件大小 {size // 1024 // 1024} MB")


def sniff(data: bytes, ext: str, limits: dict) -> str:
    """Decide the container format before any reader touches the bytes; raise ReadFailure."""
    if not data:
        raise ReadFailure("empty_file")
    _refuse_too_large(len(data), limits)
    if data.startswith(b"PK"):
        try:
            archive = zipfile.ZipFile(io.BytesIO(data))
            infos = archive.infolist()
        except (zipfile.BadZipFile, ValueError, OSError) as exc:
            raise ReadFailure("truncated") from exc
        declared = sum(i.file_size for i in infos)
        if len(infos) > 10000:
            raise ReadFailure("too_large", f"压缩包内有 {len(infos)} 个部件")
        if declared > limits.get("max_unzipped_mb", 300) * 1024 * 1024:
            raise ReadFailure("too_large", f"解压后约 {declared // 1024 // 1024} MB")
        if any(i.flag_bits & 0x1 for i in infos):
            raise ReadFailure("encrypted")
        names = {i.filename for i in infos}
        if "xl/workbook.xml" in names or "xl/workbook.bin" in names:
            return "xlsx"
        if "content.xml" in names and "mimetype" in names:
            if odf_encrypted(archive, names):
                raise ReadFailure("encrypted")
            return "ods"
        if (main_part(archive, names) or "").endswith(".xml"):
            return "xlsx-moved"  # the workbook part is elsewhere: _rels/.rels says where
        raise ReadFailure("not_spreadsheet", "压缩包或Word等其他文件")
    if data.startswith(OLE_MAGIC):
        if ENCRYPTION_STREAM in data:
            raise ReadFailure("encrypted")
        return "xls"
    head = data[:512].lstrip().lower()
    if head.startswith((b"<html", b"<!doctype", b"<?xml", b"<table", b"\xef\xbb\xbf<")):
        raise ReadFailure("not_spreadsheet", "这是网页或XML文件")
    if ext == ".csv":
        raise ReadFailure("save_as_xlsx", "CSV文本文件")
    raise ReadFailure("not_spreadsheet")


def file_bytes(path: bytes, sha256: str, limits: dict) -> bytes:
    """The bytes of the inbox file at `path`, read by the worker itself (a job is a path, not the
    file, so the next one can wait in the pipe), and only if they are still those hashed when the
    inbox was listed; raise ReadFailure."""
    try:
        with open(path, "rb") as fh:
            _refuse_too_large(os.fstat(fh.fileno()).st_size, limits)  # before the bytes are in memory
            data = fh.read()
    except OSError as exc:
        raise ReadFailure("changed_while_read", "文件已被移走或无法打开") from exc
    if hashlib.sha256(data).hexdigest() != sha256:
        raise ReadFailure("changed_while_read")
    return data


def read_grids(data: bytes, ext: str, limits: dict, keep_hidden: frozenset[str] = frozenset({"_meta"}),
               only: frozenset[str] | None = None) -> list[dict]:
    """Visible worksheets (and the named hidden ones) as {name, visible, origin, rows, merged};
    with `only`, just the sheets so named.

    Rows stop after a long blank run, so a stray cell far below the data cannot blow up the read.
    """
    import python_calamine as pc

    if sniff(data, ext, limits) == "xlsx-moved":
        try:
            data = relocate_workbook(data)
        except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
            raise ReadFailure("truncated") from exc
    try:
        book = pc.CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception as exc:
        text = str(exc).lower()
        if "password" in text or "encrypt" in text:
            raise ReadFailure("encrypted") from exc
        raise ReadFailure("unreadable", "无法解析工作簿结构") from exc
    max_blank = int(limits.get("max_blank_rows", 500))
    sheets = []
    for meta in book.sheets_metadata:
        visible = "Visible" in str(meta.visible) and "Hidden" not in str(meta.visible)
        if "WorkSheet" not in str(meta.typ) or not (visible or meta.name in keep_hidden):
            continue
        if only is not None and meta.name not in only:
            continue
        try:
            sheet = book.get_sheet_by_name(meta.name)
        except Exception as exc:
            if visible:  # a visible sheet Excel could not open either: the file is damaged, say so
                raise ReadFailure("unreadable", "有工作表已损坏") from exc
            continue
        start = sheet.start or (0, 0)
        rows: list[list] = []
        blank_run = 0
        for row in sheet.iter_rows():
            if len(row) > MAX_COLUMNS:
                row = row[:MAX_COLUMNS]
            if not any(row) and row.count("") + row.count(None) == len(row):
                blank_run += 1
                if blank_run > max_blank:
                    break
                continue
            if blank_run:
                rows.extend([] for _ in range(blank_run))
                blank_run = 0
            rows.append(row)
        if max(map(len, filter(str.__instancecheck__, itertools.chain.from_iterable(rows))), default=0) > MAX_CELL_CHARS:
            for row in rows:
                for c in [c for c, v in enumerate(row) if type(v) is str and len(v) > MAX_CELL_CHARS]:
                    row[c] = row[c][:MAX_CELL_CHARS]
        merged = []
        try:
            merged = [((a[0], a[1]), (b[0], b[1])) for a, b in (sheet.merged_cell_ranges or [])]
        except Exception:
            merged = []
        sheets.append({
            "name": meta.name,
            "visible": visible,
            "origin": (int(start[0]), int(start[1])),
            "rows": rows,
            "merged": merged,
        })
    return sheets


def _quiet(err_path: str | None) -> None:
    """Send this worker's fd 1 and 2 (Rust panics, tracebacks) to its own file, never the terminal."""
    if not err_path:
        return
    import sys

    fd = os.open(err_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    for target in (1, 2):
        os.dup2(fd, target)
    os.close(fd)
    sys.stdout = sys.stderr = open(2, "w", encoding="utf-8", errors="backslashreplace", buffering=1, closefd=False)


def _worker_main(conn, memory_mb: int, task, context, err_path: str | None = None) -> None:
    """Serve jobs until the pipe closes; the memory cap turns allocation blow-ups into deaths."""
    _quiet(err_path)
    try:
        import resource

        cap = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    except (ImportError, ValueError, OSError):
        pass
    conn.send(_READY)  # a slow start on a busy machine must not count against the first file's time
    if _later(context):
        try:
            context = conn.recv()
        except (EOFError, OSError):
            return
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        key, payload = job
        try:
            result = task(payload, context)
        except MemoryError:
            result = {"failure": ("too_large", "读取时内存超限")}
        except BaseException as exc:  # a reader bug or a Rust panic must not stop the other files
            if isinstance(exc, (KeyboardInterrupt, SystemExit)):
                raise
            _log_exception(exc)
            result = {"failure": ("unreadable", "读取程序无法解析该文件的内容")}
        conn.send((key, result))


def _log_exception(exc: BaseException) -> None:
    """Where it failed and the exception's type, for the maintainer; never its message (it may quote cells)."""
    import sys
    import traceback

    frames = "".join(traceback.format_tb(exc.__traceback__)[-6:])
    sys.stderr.write(f"{frames}{type(exc).__module__}.{type(exc).__name__}\n")
    sys.stderr.flush()


class WorkerPool:
    """Pre-started workers, one job each at a time; a dead or stalled worker is replaced."""

    def __init__(self, task, context, *, workers: int = 2, timeout: float = 60.0, memory_mb: int = 2048,
                 quiet: bool = True):
        import tempfile

        self._err_dir = tempfile.mkdtemp(prefix="pipeline-workers-") if quiet else None
        self._serial = 0
        self._failed_starts = 0
        self.incidents: dict = {}  # job key → what the worker wrote on stderr while reading it
        self.stalled: set = set()  # job keys lost to the machine (a stall, a dead worker), not to the file's bytes
        self._task = task
        self._context = context
        self._timeout = timeout
        self._memory_mb = memory_mb
        self._mp = mp.get_context("spawn")
        self._workers = [self._start() for _ in range(max(1, workers))]

    @property
    def needs_context(self) -> bool:
        return _later(self._context)

    def set_context(self, context) -> None:
        """The context of a pool started with CONTEXT_LATER, given to its workers before any job."""
        self._context = context
        for w in self._workers:
            if w.pop("later", False):
                try:
                    w["conn"].send(context)
                except OSError:  # it died starting: its replacement is given the context as it starts
                    self._replace(w)

    def grow(self, workers: int) -> None:
        """At least `workers` workers from now on (a pool started for one file may be given many)."""
        while len(self._workers) < workers:
            self._workers.append(self._start())

    def _start(self):
        parent, child = self._mp.Pipe()
        self._serial += 1
        err = os.path.join(self._err_dir, f"worker-{self._serial}.txt") if self._err_dir else None
        proc = self._mp.Process(target=_worker_main, args=(child, self._memory_mb, self._task, self._context, err),
                                daemon=True)
        proc.start()
        child.close()
        return {"proc": proc, "conn": parent, "jobs": [], "since": time.monotonic(), "err": err, "offset": 0,
                "ready": False, "later": self.needs_context}

    def _err_size(self, worker) -> int:
        try:
            return os.path.getsize(worker["err"]) if worker["err"] else 0
        except OSError:
            return 0

    def _collect(self, worker, key) -> None:
        """Keep what the worker wrote while reading `key` (a panic, a traceback) for the run log."""
        if not worker["err"]:
            return
        try:
            with open(worker["err"], "rb") as fh:
                fh.seek(worker["offset"])
                text = fh.read(20000).decode("utf-8", "backslashreplace").strip()
        except OSError:
            return
        if text:
            self.incidents[key] = text

    def _replace(self, worker) -> None:
        try:
            worker["proc"].kill()
        except Exception:
            pass
        worker["proc"].join(timeout=5)
        worker["conn"].close()
        worker.update(self._start())

    def _starting(self, worker, has_message: bool, now: float) -> None:
        """A worker says it is ready; one that died or never started is started again, a few times."""
        if has_message:
            try:
                worker["ready"] = worker["conn"].recv() == _READY
                if worker["ready"]:
                    self._failed_starts = 0
                return
            except (EOFError, OSError):
                pass
        elif now - worker["since"] <= max(120.0, 4 * self._timeout):
            return
        self._failed_starts += 1
        self._replace(worker)

    def _cannot_start(self) -> bool:
        """Workers that keep dying before they are ready (e.g. a memory cap too low) must not loop forever."""
        return self._failed_starts >= MAX_FAILED_STARTS * len(self._workers) and not any(
            w["ready"] for w in self._workers)

    def _send(self, w, job) -> bool:
        """Give `w` a job behind those it holds; False when it has died (an idle one is replaced at
        once; one that died reading a file is answered for it by run, which finds its pipe closed)."""
        if not w["jobs"]:
            w["offset"], w["since"] = self._err_size(w), time.monotonic()
        try:
            w["conn"].send(job)
        except OSError:  # the system took its memory back, say: another worker takes the file
            if not w["jobs"]:
                self._replace(w)
            return False
        w["jobs"].append(job)
        return True

    def _next_job(self, w) -> None:
        """`w` answered its first job: the one behind it starts now."""
        w["jobs"].pop(0)
        if w["jobs"]:
            w["offset"], w["since"] = self._err_size(w), time.monotonic()

    def run(self, jobs):
        """Yield (key, result) for every (key, payload) job, in completion order.

        Each worker holds up to `QUEUED` jobs, so it begins its next file the moment it has sent the
        last one back, however long this process takes to digest it. Payloads must be small (a
        path, not the file's bytes): one waits in the pipe while the worker reads another. A worker
        that dies or stalls fails its first job only; the ones behind it go to the next free worker.
        """
        if self.needs_context:
            raise RuntimeError("WorkerPool.set_context must be called before run")
        self.incidents, self.stalled = {}, set()  # of this run's jobs
        pending = iter(jobs)
        returned: list = []  # jobs a lost worker held but had not begun: they go first
        waiting = next(pending, None)

        def take():
            nonlocal waiting
            if returned:
                return returned.pop(0)
            job, waiting = waiting, next(pending, None)
            return job

        def lose(w) -> None:
            returned[:0] = w["jobs"][1:]
            self._replace(w)

        while waiting is not None or returned or any(w["jobs"] for w in self._workers):
            if self._cannot_start():
                for key, _ in returned:
                    self.stalled.add(key)
                    yield key, {"failure": ("unreadable", "读取进程无法启动（可能是内存上限设置过低）")}
                returned.clear()
                while waiting is not None:
                    self.stalled.add(waiting[0])
                    yield waiting[0], {"failure": ("unreadable", "读取进程无法启动（可能是内存上限设置过低）")}
                    waiting = next(pending, None)
                return
            for w in self._workers:
                while w["ready"] and len(w["jobs"]) < QUEUED and (returned or waiting is not None):
                    job = take()
                    if not self._send(w, job):
                        returned.insert(0, job)
                        break
            conns = [w["conn"] for w in self._workers if w["jobs"] or not w["ready"]]
            ready = wait(conns, timeout=1.0)
            now = time.monotonic()
            for w in self._workers:
                if not w["ready"]:
                    self._starting(w, w["conn"] in ready, now)
                    continue
                if not w["jobs"]:
                    continue
                key = w["jobs"][0][0]
                if w["conn"] in ready:
                    try:
                        key, result = w["conn"].recv()
                        self._collect(w, key)
                        self._next_job(w)
                    except (EOFError, OSError):
                        result = {"failure": ("unreadable", "读取程序在解析该文件时崩溃，文件结构异常")}
                        w["proc"].join(timeout=2)
                        if w["proc"].exitcode in (None, -signal.SIGKILL):  # the system killed it (memory ran short)
                            self.stalled.add(key)  # an abort or a segfault is the file's doing: that stays
                        self._collect(w, key)
                        lose(w)
                    yield key, result
                elif now - w["since"] > self._timeout:
                    self.stalled.add(key)
                    self._collect(w, key)
                    lose(w)
                    yield key, {"failure": ("unreadable", f"读取超过{int(self._timeout)}秒仍未完成")}

    def close(self) -> None:
        """Stop the workers at once: they hold nothing to finish, and waiting for their interpreters
        to wind down cost a district month 0.2 s."""
        for w in self._workers:
            try:
                w["conn"].close()
            except Exception:
                pass
            w["proc"].kill()
        for w in self._workers:
            w["proc"].join(timeout=2)
        if self._err_dir:
            import shutil

            shutil.rmtree(self._err_dir, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def worker_count() -> int:
    return max(1, min(4, os.cpu_count() or 1))
