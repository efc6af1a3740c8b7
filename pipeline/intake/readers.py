"""Read untrusted workbook bytes into plain cell grids, in capped worker processes.

Spreadsheet readers fail badly on damaged or crafted files (calamine can abort the process,
openpyxl can hang), so every file is read in a pre-started worker with a memory cap and a time
limit; a worker that dies or stalls becomes a rejected file and the run goes on. This module and
everything it imports stay free of pandas so workers start fast and fit under the cap.
"""
from __future__ import annotations

import io
import multiprocessing as mp
import os
import time
import zipfile
from multiprocessing.connection import wait

SPREADSHEET_EXTENSIONS = {".xlsx", ".xlsm", ".xls", ".et", ".ods", ".xlsb", ".ett", ".xltx", ".csv"}
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ENCRYPTION_STREAM = "EncryptionInfo".encode("utf-16-le")
MAX_COLUMNS = 200
MAX_CELL_CHARS = 4000


class ReadFailure(Exception):
    """A file that cannot be read; `code` is a problems.CATALOGUE key."""

    def __init__(self, code: str, detail: str = ""):
        super().__init__(code)
        self.code = code
        self.detail = detail


def sniff(data: bytes, ext: str, limits: dict) -> str:
    """Decide the container format before any reader touches the bytes; raise ReadFailure."""
    if not data:
        raise ReadFailure("empty_file")
    if len(data) > limits.get("max_file_mb", 30) * 1024 * 1024:
        raise ReadFailure("too_large", f"文件大小 {len(data) // 1024 // 1024} MB")
    if data.startswith(b"PK"):
        try:
            archive = zipfile.ZipFile(io.BytesIO(data))
            infos = archive.infolist()
        except (zipfile.BadZipFile, ValueError, OSError) as exc:
            raise ReadFailure("truncated") from exc
        declared = sum(i.file_size for i in infos)
        if declared > limits.get("max_unzipped_mb", 300) * 1024 * 1024 or len(infos) > 10000:
            raise ReadFailure("too_large", f"解压后约 {declared // 1024 // 1024} MB")
        if any(i.flag_bits & 0x1 for i in infos):
            raise ReadFailure("encrypted")
        names = {i.filename for i in infos}
        if "xl/workbook.xml" in names or "xl/workbook.bin" in names:
            return "xlsx"
        if "content.xml" in names and "mimetype" in names:
            return "ods"
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


def read_grids(data: bytes, ext: str, limits: dict, keep_hidden: frozenset[str] = frozenset({"_meta"})) -> list[dict]:
    """Visible worksheets (and the named hidden ones) as {name, visible, origin, rows, merged}.

    Rows stop after a long blank run, so a stray cell far below the data cannot blow up the read.
    """
    import python_calamine as pc

    sniff(data, ext, limits)
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
        try:
            sheet = book.get_sheet_by_name(meta.name)
        except Exception:
            continue
        start = sheet.start or (0, 0)
        rows: list[list] = []
        blank_run = 0
        for row in sheet.iter_rows():
            row = [v[:MAX_CELL_CHARS] if type(v) is str and len(v) > MAX_CELL_CHARS else v for v in row[:MAX_COLUMNS]]
            if any(v not in ("", None) for v in row):
                if blank_run:
                    rows.extend([] for _ in range(blank_run))
                    blank_run = 0
                rows.append(row)
            else:
                blank_run += 1
                if blank_run > max_blank:
                    break
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


def _worker_main(conn, memory_mb: int, task, context) -> None:
    """Serve jobs until the pipe closes; the memory cap turns allocation blow-ups into deaths."""
    try:
        import resource

        cap = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    except (ImportError, ValueError, OSError):
        pass
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
        except Exception as exc:  # a reader bug must not stop the other files
            result = {"failure": ("unreadable", type(exc).__name__)}
        conn.send((key, result))


class WorkerPool:
    """Pre-started workers, one job each at a time; a dead or stalled worker is replaced."""

    def __init__(self, task, context, *, workers: int = 2, timeout: float = 60.0, memory_mb: int = 2048):
        self._task = task
        self._context = context
        self._timeout = timeout
        self._memory_mb = memory_mb
        self._mp = mp.get_context("spawn")
        self._workers = [self._start() for _ in range(max(1, workers))]

    def _start(self):
        parent, child = self._mp.Pipe()
        proc = self._mp.Process(target=_worker_main, args=(child, self._memory_mb, self._task, self._context),
                                daemon=True)
        proc.start()
        child.close()
        return {"proc": proc, "conn": parent, "job": None, "since": 0.0}

    def _replace(self, worker) -> None:
        try:
            worker["proc"].kill()
        except Exception:
            pass
        worker["proc"].join(timeout=5)
        worker["conn"].close()
        worker.update(self._start())

    def run(self, jobs):
        """Yield (key, result) for every (key, payload) job, in completion order."""
        pending = iter(jobs)
        waiting = next(pending, None)
        busy = 0
        while waiting is not None or busy:
            for w in self._workers:
                if w["job"] is None and waiting is not None:
                    key, payload = waiting
                    waiting = next(pending, None)
                    w["conn"].send((key, payload))
                    w["job"], w["since"] = key, time.monotonic()
                    busy += 1
            conns = [w["conn"] for w in self._workers if w["job"] is not None]
            ready = wait(conns, timeout=1.0)
            now = time.monotonic()
            for w in self._workers:
                if w["job"] is None:
                    continue
                if w["conn"] in ready:
                    try:
                        key, result = w["conn"].recv()
                    except (EOFError, OSError):
                        key, result = w["job"], {"failure": ("unreadable", "读取进程异常退出")}
                        self._replace(w)
                    w["job"] = None
                    busy -= 1
                    yield key, result
                elif now - w["since"] > self._timeout:
                    key = w["job"]
                    self._replace(w)
                    w["job"] = None
                    busy -= 1
                    yield key, {"failure": ("unreadable", f"读取超过{int(self._timeout)}秒仍未完成")}

    def close(self) -> None:
        for w in self._workers:
            try:
                w["conn"].close()
            except Exception:
                pass
            w["proc"].join(timeout=2)
            if w["proc"].is_alive():
                w["proc"].kill()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def worker_count() -> int:
    return max(1, min(4, os.cpu_count() or 1))
