"""运行日志.txt: the technical detail of a run (reader panics, tracebacks, warnings) for the maintainer.

Staff see a Chinese reason per file; what the readers printed goes here instead of the terminal.
Only file names, hashes, problem codes and program output are written, never a cell's value
(a register may hold a complainant's name).
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from ..safetext import safe_text

WHOLE_FILE = {"empty_file", "not_spreadsheet", "truncated", "encrypted", "too_large", "unreadable", "save_as_xlsx"}


def run_log_text(files, caught_warnings, period: str, as_of: dt.date) -> str:
    lines = [f"月度处理运行日志（{period}，统计截止日 {as_of.isoformat()}）",
             "本日志供维护人员排查问题，只记文件名、校验值和程序输出，不含任何填报内容。", ""]
    troubled = [f for f in files if f.log or any(p["code"] in WHOLE_FILE for p in f.problems)]
    lines.append(f"无法读取或读取时有程序输出的文件：{len(troubled)} 个")
    for f in troubled:
        codes = ",".join(dict.fromkeys(p["code"] for p in f.problems if p["code"] in WHOLE_FILE)) or "-"
        lines += ["", f"[文件] {f.rel}", f"  sha256：{f.sha256 or '-'}", f"  结果：{f.result}（{codes}）"]
        if f.log:
            lines.append("  读取进程输出：")
            lines += ["    " + line for line in f.log.splitlines()[:200]]
    seen = []
    for w in caught_warnings or ():
        text = f"{w.category.__name__} {Path(w.filename).name}:{w.lineno}"  # the message may quote a cell
        if text not in seen:
            seen.append(text)
    if seen:
        lines += ["", f"程序警告：{len(seen)} 条"] + ["  " + t for t in seen]
    return safe_text("\n".join(lines) + "\n")


def write_run_log(path: Path, files, caught_warnings, period: str, as_of: dt.date) -> None:
    Path(path).write_text(run_log_text(files, caught_warnings, period, as_of), encoding="utf-8")
