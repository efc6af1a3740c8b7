"""How a template column is declared: a pandera Field carrying what the blank template shows.

Field metadata `kind` is how a typed cell is read: text, code (编号), date, count (whole number) or month.
"""
from __future__ import annotations

import pandera.pandas as pa

NOTE_HELP = "补充说明；对系统提出的“疑问”可在此解释。"
# no unit counts a million of anything in a month's report: a larger figure is a slip or a crafted file
# (one of 10^20 overflowed the month's integer columns and stopped the run for every unit)
COUNT_MAX = 1_000_000


def column(label: str, help: str, example: str, *, kind: str = "text", required: bool = False,
           isin=None, width: int = 14, aliases: tuple[str, ...] = (), **checks):
    """A column: its label, help and example for the template; type, vocabulary and required for validation."""
    metadata = {"kind": kind, "example": example, "width": width, "aliases": aliases}
    return pa.Field(alias=label, title=label, description=help, nullable=not required,
                    isin=list(isin) if isin else None, metadata=metadata, **checks)


def row_check(name: str):
    """A check across a row's columns, named by its problem code. The month's frames give every row
    its file and row (intake/validate.build_frames), so none is all blank: pandera's per-check look
    for all-blank rows (ignore_na, a pass over the whole frame, 1 s of a city month's validation)
    is skipped."""
    return pa.dataframe_check(name=name, ignore_na=False)


def note_column(help: str = NOTE_HELP):
    """The 说明 column every sheet has: where a unit answers a 疑问."""
    return column("说明", help, "", width=20, aliases=("备注",))
