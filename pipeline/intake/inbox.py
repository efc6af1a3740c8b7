"""Every file under the inbox as received: its shown name, the day it arrived and its sha256.

Kept apart from reading (ingest.py) so a run can tell what arrived, and whether anything changed
since the last run (jobs/unchanged.py), without loading pandas or any reader.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ..problems import ERROR, QUERY
from ..safetext import display_name, looks_like_copy
from .readers import SPREADSHEET_EXTENSIONS

if TYPE_CHECKING:
    import pandas as pd

_DAY_FOLDER = re.compile(r"^(\d{4})-?(\d{2})-?(\d{2})$")


@dataclass
class InboxFile:
    rel: str
    path: Path
    received: dt.date
    sha256: str
    result: str = ""
    unit: str = ""
    note: str = ""
    filled_on: dt.date | None = None
    problems: list[dict] = field(default_factory=list)
    book: dict | None = None
    duplicate_of: str = ""
    changes: pd.DataFrame | None = None  # what changed since the unit's previous accepted workbook (its 回执 sheet)
    log: str = ""  # technical detail for 运行日志.txt (a reader's panic or traceback), never shown to staff
    retry: bool = False  # not read for a reason of the machine's (a stall, a dead reader): read it again next run

    @property
    def errors(self) -> int:
        return sum(p["severity"] == ERROR for p in self.problems)

    @property
    def queries(self) -> int:
        return sum(p["severity"] == QUERY for p in self.problems)


IGNORED_NAMES = {".ds_store", "thumbs.db", "desktop.ini", ".gitkeep"}


def ignore_reason(f: InboxFile, as_of: dt.date) -> str:
    """Why a file that is not a milestone document is not read this month ('' when it is read)."""
    if f.note:
        return f.note
    name = f.path.name
    if name.startswith("~$"):
        return "Excel/WPS打开文件时产生的临时锁定文件，不是台账"
    if name.lower() in IGNORED_NAMES or name.startswith("."):
        return "系统文件，不是台账"
    if f.path.suffix.lower() not in SPREADSHEET_EXTENSIONS:
        return f"不是表格文件（{f.path.suffix or '无扩展名'}），不作处理"
    if f.received > as_of:
        return f"收到日期 {f.received.isoformat()} 晚于统计截止日 {as_of.isoformat()}，本期不采用"
    return ""


def received_date(rel: Path, mtime: float) -> dt.date:
    """The nearest enclosing YYYY-MM-DD or YYYYMMDD folder, else the file's modification day."""
    for part in reversed(rel.parts[:-1]):
        m = _DAY_FOLDER.match(part)
        if m:
            try:
                return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            except ValueError:
                continue
    return dt.date.fromtimestamp(mtime)


def scan(inbox: Path) -> list[InboxFile]:
    """Every file under the inbox, hashed, in a stable order; links are listed, never followed."""
    files, shown = [], set()
    for path in sorted((p for p in inbox.rglob("*") if p.is_symlink() or p.is_file()), key=lambda p: os.fsencode(p)):
        rel = path.relative_to(inbox)
        stat = path.lstat()
        # any name the disk holds (GBK bytes, newlines) is shown decoded and kept unique
        shown_as = display_name(rel.as_posix())
        name, n = shown_as, 2
        while name in shown:
            name, n = f"{shown_as}（同名{n}）", n + 1
        shown.add(name)
        f = InboxFile(name, path, received_date(rel, stat.st_mtime), "")
        if path.is_symlink():
            f.note = "链接（快捷方式）文件，不作处理；请把附件本身保存到收件箱"
        else:
            try:
                digest = hashlib.sha256()
                with path.open("rb") as fh:
                    for chunk in iter(lambda: fh.read(1 << 20), b""):
                        digest.update(chunk)
                f.sha256 = digest.hexdigest()
            except OSError as exc:
                f.note = f"文件无法打开（{exc.strerror or exc}），可能正被其他程序占用或没有读取权限"
        files.append(f)
    # the first copy of identical bytes is the earliest received, then not named like a copy, then the least nested
    files.sort(key=lambda f: (f.received, looks_like_copy(Path(f.rel).stem), f.rel.count("/"), f.rel))
    return files
