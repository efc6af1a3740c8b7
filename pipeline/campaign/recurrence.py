"""一案双查: grassroots units where problems recur (反复发生) or cluster (易发多发).

Pure: items + clues + config → recurrence.csv, one row per place and trigger.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..config import Config
from ..distinct import map_each
from ..ledger.reconcile import STATUS_CLOSED
from ..textnorm import clean_text, typed_text
from .clues import is_verified
from .evidence import Evidence, evidence_of

RECURRING, FREQUENT = "反复发生", "易发多发"
RECURRENCE_COLUMNS = ["基层单位", "所属单位", "触发", "治理类别", "问题数", "相关问题", "已一案双查"]
DEFAULT_THRESHOLD = 3


def frequent_threshold(config: Config) -> int:
    return int(config.campaign.accountability.get("frequent_threshold", DEFAULT_THRESHOLD))


def build_recurrence(items: pd.DataFrame, clues: pd.DataFrame, config: Config,
                     against: Evidence | None = None) -> pd.DataFrame:
    """`against`: evidence_of(items), when the caller made it already."""
    owner = config.grassroots_owner()
    order = {u.name: i for i, u in enumerate(config.units)}
    against = evidence_of(items) if against is None else against
    # only what the triggers read: filtering and sorting carry every column along
    place = map_each(against.problems["被检查单位"], typed_text)
    kept = place.isin(owner.keys()).to_numpy()
    listed = np.flatnonzero(kept)[np.argsort(against.rank[kept])]  # the places' problems as evidence is listed
    problems = against.problems[["状态", "治理类别"]].iloc[listed]
    # places and categories numbered once: grouping a province's 3 million problems by their text, for
    # each trigger, took seconds each time
    place_of = place.to_numpy()[listed]
    place_ids, places = pd.factorize(place_of)
    category_ids = pd.factorize(problems["治理类别"])[0]  # -1: no category
    problems = problems.assign(_place=place_of, _ref=against.refs[listed], _ref_id=against.ref_ids[listed],
                               _on=against.on[listed],
                               _done=pd.to_datetime(against.problems["完成时间"].to_numpy()[listed]), _place_id=place_ids,
                               _group=np.where(category_ids < 0, -1, place_ids * (category_ids.max(initial=0) + 1)
                                               + category_ids))
    verified = clues[is_verified(clues)] if len(clues) else clues.assign(_place=pd.Series(dtype=object))
    verified = verified.assign(_place=map_each(verified["被反映单位"], typed_text))
    verified = verified[verified["_place"].isin(owner.keys())]
    checked = set(clues.loc[clues["一案双查"] == "是", "被反映单位"].map(clean_text)) if len(clues) else set()
    parts = [p for p in (_recurring(problems), _frequent(problems, places, verified, frequent_threshold(config)))
             if len(p)]
    if not parts:
        return pd.DataFrame(columns=RECURRENCE_COLUMNS).astype(object)
    found = pd.concat(parts, ignore_index=True)
    out = pd.DataFrame({"基层单位": found["_place"], "所属单位": found["_place"].map(owner), "触发": found["触发"],
                        "治理类别": found["治理类别"], "问题数": found["问题数"], "相关问题": found["相关问题"],
                        "已一案双查": found["_place"].isin(checked).map({True: "是", False: "否"})})
    out = out.assign(_u=out["所属单位"].map(order), _t=out["触发"].map({RECURRING: 0, FREQUENT: 1}))
    out = out.sort_values(["_u", "基层单位", "_t", "治理类别"], kind="stable").drop(columns=["_u", "_t"])
    return out.reset_index(drop=True).astype(object)


def _groups(frame: pd.DataFrame, group: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The groups of `frame` (one number per value in `group`), numbered in order of first appearance:
    each row's group and the rows in group order (each group's in row order); and where each
    group begins among them. One stable sort, where a groupby aggregation would call Python for
    every group."""
    codes = pd.factorize(frame[group].to_numpy())[0]
    order = np.argsort(codes, kind="stable")
    starts = np.r_[0, np.flatnonzero(np.diff(codes[order])) + 1] if len(codes) else np.zeros(0, dtype=np.intp)
    return codes[order], order, starts


def _joined(texts: np.ndarray, group_of: np.ndarray, groups: int, sep: str) -> list[str]:
    """Each group's texts joined by `sep`, in their order (`group_of`: each text's group, ascending);
    '' for a group with none. Cut from one joined text: a list per group of a province's 3 million
    references took 2 s."""
    whole = sep.join(texts.tolist())
    after = np.r_[0, np.cumsum(np.fromiter(map(len, texts), dtype=np.int64, count=len(texts)) + len(sep))]
    first, last = (np.searchsorted(group_of, np.arange(groups), side=side) for side in ("left", "right"))
    ends = np.maximum(after[last] - len(sep), after[first])  # a group with none: empty, not cut back by `sep`
    return [whole[a:b] for a, b in zip(after[first].tolist(), ends.tolist())]


def _first_mentions(group_of: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Whether each row is the first in its group with its value."""
    return ~pd.DataFrame({"group": group_of, "value": values}).duplicated().to_numpy()


def _recurring(problems: pd.DataFrame) -> pd.DataFrame:
    """反复发生: a problem found in a place and category after an earlier one there was closed out.

    The evidence is the place's whole history in that category: what was closed, and what came back.
    """
    closed_on = problems["_done"].where((problems["状态"] == STATUS_CLOSED) & problems["_done"].notna())
    group = problems["_group"].to_numpy()  # each place and category (-1: no category, dropped below)
    first_closed = closed_on.groupby(group).transform("min")
    again = (problems["_on"] > first_closed).groupby(group).transform("any")
    part = problems.loc[again & problems["治理类别"].notna(), ["_place", "治理类别", "_group", "_ref", "_ref_id"]]
    if part.empty:
        return pd.DataFrame()
    group_of, order, starts = _groups(part, "_group")
    heads = part.iloc[order[starts]]
    # a reference once, where it is first mentioned (two ledger rows may share 检查单位 and 编号)
    once = _first_mentions(group_of, part["_ref_id"].to_numpy()[order])
    return pd.DataFrame({"_place": heads["_place"].to_numpy(), "治理类别": heads["治理类别"].to_numpy(),
                         "问题数": np.diff(np.r_[starts, len(order)]),
                         "相关问题": _joined(part["_ref"].to_numpy(dtype=object)[order][once], group_of[once],
                                         len(starts), ";"),
                         "触发": RECURRING})


def _frequent(problems: pd.DataFrame, places: np.ndarray, verified: pd.DataFrame, threshold: int) -> pd.DataFrame:
    """易发多发: at least `threshold` problems about a place, ledger items and verified clues together.
    `places`: the places problems["_place_id"] numbers."""
    known = pd.Index(places)
    clue_ids = known.get_indexer(verified["_place"])
    unseen = clue_ids < 0  # a place only clues are about: numbered after the ledger's
    clue_ids[unseen] = len(known) + pd.factorize(verified["_place"].to_numpy()[unseen])[0]
    evidence = pd.concat([
        pd.DataFrame({"_place": problems["_place"], "_category": problems["治理类别"], "_ref": problems["_ref"],
                      "_place_id": problems["_place_id"].to_numpy()}),
        pd.DataFrame({"_place": verified["_place"], "_category": verified["治理类别"],
                      "_ref": verified["线索编号"].astype(str), "_place_id": clue_ids}),
    ], ignore_index=True)
    ids = evidence["_place_id"].to_numpy()
    evidence = evidence[np.bincount(ids)[ids] >= threshold] if len(ids) else evidence
    if evidence.empty:
        return pd.DataFrame()
    group_of, order, starts = _groups(evidence, "_place_id")
    # a place's categories, each once in order of first mention, blanks left out
    category_ids, categories = pd.factorize(evidence["_category"].to_numpy()[order])
    named = np.array([isinstance(c, str) and c != "" for c in categories] + [False])[category_ids]
    once = _first_mentions(group_of, category_ids) & named
    return pd.DataFrame({"_place": evidence["_place"].to_numpy()[order[starts]],
                         "治理类别": _joined(np.asarray(categories, dtype=object)[category_ids[once]], group_of[once],
                                         len(starts), "、"),
                         "问题数": np.diff(np.r_[starts, len(order)]),
                         "相关问题": _joined(evidence["_ref"].to_numpy(dtype=object)[order], group_of, len(starts), ";"),
                         "触发": FREQUENT})
