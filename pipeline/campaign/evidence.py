"""The ledger problems that count as evidence against a place (承诺存疑 in commitments, 一案双查 in
recurrence), in the order evidence is listed: 检查时间 (unknown last), then the item's reference,
then ledger order. Made once a month for both."""
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
    ref_ids: np.ndarray     # each problem's reference as a number: equal numbers, equal references


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
    rank = np.empty(len(refs), dtype=np.intp)
    order, ref_ids = _listing(on, problems["检查单位"], problems["编号"], refs)
    rank[order] = np.arange(len(refs))
    return Evidence(problems, refs, on, rank, ref_ids)


def _listing(on: np.ndarray, by: pd.Series, number: pd.Series, refs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The problems' positions in listing order: 检查时间 (unknown last), then reference, then ledger
    order; and their references numbered (Evidence.ref_ids). A reference is its 检查单位, a colon, its
    编号: where both are texts and no 检查单位 holds a colon, references compare as their 检查单位 with
    the colon do, then as their 编号, so each side's few distinct values are sorted instead of a
    reference per problem (a province's 3 million took 4 s), and a reference is numbered by its two
    sides' numbers. Anything else (a blank side, a 编号 typed as a number, where 1 and 1.0 read
    differently) is sorted and numbered by its references themselves."""
    positions = np.arange(len(refs))
    texts = len(refs) and all(side.notna().all() and pd.api.types.infer_dtype(side, skipna=False) == "string"
                              for side in (by, number))
    if texts and not pd.api.types.is_object_dtype(on.dtype):
        by_codes, by_values = pd.factorize(by)
        heads = np.array([f"{b}:" for b in by_values], dtype=object)
        if not any(":" in head[:-1] for head in heads):
            days = on.view(np.int64).copy()
            days[np.isnat(on)] = np.iinfo(np.int64).max  # unknown last
            number_codes, number_values = pd.factorize(number)
            by_rank, number_rank = (np.unique(values, return_inverse=True)[1].reshape(-1)
                                    for values in (heads, np.asarray(number_values, dtype=object)))
            return (np.lexsort((positions, number_rank[number_codes], by_rank[by_codes], days)),
                    by_codes.astype(np.int64) * max(len(number_values), 1) + number_codes)
    ordered = pd.DataFrame({"on": on, "ref": refs, "pos": positions}).sort_values(["on", "ref", "pos"])
    return ordered["pos"].to_numpy(), pd.factorize(refs)[0].astype(np.int64)
