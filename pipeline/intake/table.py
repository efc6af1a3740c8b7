"""A sheet's values as columns: {'_row': [...], '_key': [...], label: [...]}, one list per column.

This is what parse_book makes of each sheet, what a reader worker encodes (intake.cache: text as
distinct values and codes) and the month's frames are built from (intake.validate.build_frames): a
city month has millions of cells, and a dict per row would cost more than reading the files.
"""
from __future__ import annotations

import datetime as dt


def rows_of(sheet: dict | None) -> list[dict]:
    """The sheet's rows as dicts, in sheet order, dates as dates: for the few small consumers that go row by row.

    A decoded sheet keeps its date columns as ISO text and names them in 'dates' (see intake.cache).
    """
    table = dict((sheet or {}).get("table") or {})
    for key in (sheet or {}).get("dates", ()):
        table[key] = [None if v is None else dt.date.fromisoformat(v) for v in table[key]]
    return [dict(zip(table, values)) for values in zip(*table.values())]
