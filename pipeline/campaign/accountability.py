"""The accountability half in one call for a job: clues, commitments, recurrence and per-unit figures."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from ..config import Config
from ..intake.order import in_force_rows
from ..ledger.rollup import with_unit_figures
from .clues import build_clues, clue_tables, clue_unit_counts
from .commitments import build_commitments, commitment_unit_counts, doubt_reasons, pledges_in_force
from .evidence import evidence_of
from .recurrence import build_recurrence

UNIT_COUNT_COLUMNS = ["承诺数", "承诺存疑数", "缺承诺数", "信访线索数", "属实线索数", "线索超期数"]


@dataclass
class Accountability:
    clues: pd.DataFrame
    commitments: pd.DataFrame
    recurrence: pd.DataFrame
    units: pd.DataFrame          # 单位 + UNIT_COUNT_COLUMNS + 承诺存疑理由, to merge into units.csv
    clue_tables: dict[str, pd.DataFrame]

    def tables(self) -> dict[str, pd.DataFrame]:
        return {"commitments": self.commitments, "clues": self.clues, "recurrence": self.recurrence}


def accountability(frames: dict[str, pd.DataFrame], files: pd.DataFrame, items: pd.DataFrame, config: Config,
                   as_of: dt.date) -> Accountability:
    """`frames`: intake frames of accepted workbooks; `files`: accepted workbooks; `items`: the 销号 items."""
    clues = build_clues(in_force_rows(frames["信访举报"], files), config, as_of)
    against = evidence_of(items)
    commitments = build_commitments(pledges_in_force(frames["承诺书"], files), items, clues, config, as_of, against)
    recurrence = build_recurrence(items, clues, config, against)
    counts = commitment_unit_counts(commitments, config).merge(clue_unit_counts(clues, config), on="单位")
    counts = counts.merge(doubt_reasons(commitments, items, clues), on="单位", how="left")
    counts["承诺存疑理由"] = counts["承诺存疑理由"].fillna("")
    return Accountability(clues, commitments, recurrence, counts, clue_tables(clues))


def merge_unit_counts(units: pd.DataFrame, acc: Accountability) -> pd.DataFrame:
    """units.csv gains the accountability figures (left join on 单位, integers filled with 0)."""
    merged = with_unit_figures(units, acc.units, UNIT_COUNT_COLUMNS)
    merged["承诺存疑理由"] = merged["承诺存疑理由"].fillna("")
    return merged
