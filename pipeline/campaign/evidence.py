"""The ledger problems that count as evidence against a place (承诺存疑 in commitments, 一案双查 in
recurrence), in the order evidence is listed: 检查时间 (unknown last), then the item's reference,
then ledger order. Made once a month for both: ordering a city's references takes a third of a second."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from schemas.vocab import NO_PROBLEM
from ..ledger.reconcile import STATUS_ORPHAN

# what commitments and recurrence read of a problem: a province's items with every column would be gigabytes
COLUMNS = ["单位", "被检查单位", "检查单位", "编号", "检查时间", "完成时间", "状态", "治理类别"]


@dataclass
class Evidence:
    problems: pd.DataFrame  # COLUMNS of the items that are problems: not orphans, with a 问题性质 other than 无问题
    refs: np.ndarray        # each problem's reference (item_ref), objects
    on: np.ndarray          # each problem's 检查时间, datetime64
    rank: np.ndarray        # each problem's place in the listing order


def item_ref(items: pd.DataFrame) -> pd.Series:
    """`检查单位:编号`, how evidence names a ledger item."""
    by, number = items["检查单位"], items["编号"]
    if by.isna().any() or number.isna().any():  # a missing side leaves the reference missing
        return (by.astype(str) + ":" + number.astype(str)).astype(object)
    return pd.Series([f"{b}:{n}" for b, n in zip(by.tolist(), number.tolist())], index=items.index, dtype=object)


def evidence_of(items: pd.DataFrame) -> Evidence:
    problems = items.loc[(items["状态"] != STATUS_ORPHAN) & items["问题性质"].notna() & (items["问题性质"] != NO_PROBLEM),
                         COLUMNS]
    refs = item_ref(problems).to_numpy(dtype=object)
    on = pd.to_datetime(problems["检查时间"]).to_numpy()
    ordered = pd.DataFrame({"on": on, "ref": refs, "pos": np.arange(len(refs))}).sort_values(["on", "ref", "pos"])
    rank = np.empty(len(refs), dtype=np.intp)
    rank[ordered["pos"].to_numpy()] = np.arange(len(refs))
    return Evidence(problems, refs, on, rank)
