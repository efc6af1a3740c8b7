"""Which run wrote each period of the history (OUTBOX/history.sqlite, table history_runs).

Apart from the history's writer so the unchanged-rerun check (jobs/unchanged.py) can read a
period's fingerprint without loading pandas or sqlite-utils.
"""
from __future__ import annotations

import sqlite3
from pathlib import Path

HISTORY_FILE = "history.sqlite"
PERIOD = "期间"
RUNS_TABLE = "history_runs"  # per period: a fingerprint of what was written, so an unchanged rerun skips it


def period_mark(con: sqlite3.Connection, period: str) -> str | None:
    """The fingerprint of what `period` holds (the fingerprint includes SEARCH_VERSION)."""
    if not con.execute("select 1 from sqlite_master where type = 'table' and name = ?", (RUNS_TABLE,)).fetchone():
        return None
    row = con.execute(f"select [指纹] from [{RUNS_TABLE}] where [{PERIOD}] = ?", (period,)).fetchone()
    return row[0] if row else None


def stored_mark(path: Path, period: str) -> str | None:
    """The fingerprint of `period` in the history at `path`, read only; None when there is none."""
    if not Path(path).is_file():
        return None
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            return period_mark(con, period)
        finally:
            con.close()
    except sqlite3.Error:
        return None
