"""A sheet's values as columns: {'_row': [...], '_key': [...], label: [...]}, one list per column.

This is what parse_book makes of each sheet, what a reader worker encodes (intake.cache: text as
distinct values and codes) and the month's frames are built from (intake.validate.build_frames): a
city month has millions of cells, and a dict per row would cost more than reading the files.
A column of text or dates, as parsed and as decoded, is `Coded`: it iterates as the list it stands for.
"""
from __future__ import annotations

import datetime as dt
from array import array


class Coded:
    """A column as its distinct values and each row's code into them (see intake.cache): iterates,
    indexes and compares as the list of values, and lets the month's frames join codes instead of cells."""

    __slots__ = ("values", "codes")

    def __init__(self, values: list, codes: array):
        self.values, self.codes = values, codes

    def __len__(self) -> int:
        return len(self.codes)

    def __iter__(self):
        return map(self.values.__getitem__, self.codes)

    def __getitem__(self, index: int):
        return self.values[self.codes[index]]

    def __eq__(self, other) -> bool:
        return list(self) == list(other)

    def __repr__(self) -> str:
        return f"Coded({list(self)!r})"


def rows_of(sheet: dict | None) -> list[dict]:
    """The sheet's rows as dicts, in sheet order, dates as dates: for the few small consumers that go row by row.

    A decoded sheet keeps its date columns as ISO text and names them in 'dates' (see intake.cache).
    """
    table = dict((sheet or {}).get("table") or {})
    for key in (sheet or {}).get("dates", ()):
        table[key] = [None if v is None else dt.date.fromisoformat(v) for v in table[key]]
    return [dict(zip(table, values)) for values in zip(*table.values())]
