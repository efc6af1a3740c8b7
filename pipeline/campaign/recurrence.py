"""一案双查: grassroots units where problems recur (反复发生) or cluster (易发多发).

Pure: items + clues + config → recurrence.csv, one row per place and trigger.
"""
from __future__ import annotations

import pandas as pd

from schemas.vocab import NO_PROBLEM
from ..config import Config
from ..ledger.reconcile import STATUS_CLOSED, STATUS_ORPHAN
from ..textnorm import clean_text
from .clues import is_verified
from .commitments import item_ref

RECURRING, FREQUENT = "反复发生", "易发多发"
RECURRENCE_COLUMNS = ["基层单位", "所属单位", "触发", "治理类别", "问题数", "相关问题", "已一案双查"]
DEFAULT_THRESHOLD = 3


def frequent_threshold(config: Config) -> int:
    return int(config.campaign.accountability.get("frequent_threshold", DEFAULT_THRESHOLD))


def build_recurrence(items: pd.DataFrame, clues: pd.DataFrame, config: Config) -> pd.DataFrame:
    owner = config.grassroots_owner()
    order = {u.name: i for i, u in enumerate(config.units)}
    problems = items[(items["状态"] != STATUS_ORPHAN) & items["问题性质"].notna() & (items["问题性质"] != NO_PROBLEM)]
    problems = problems.assign(_place=problems["被检查单位"].map(lambda v: clean_text(v) if isinstance(v, str) else ""),
                               _ref=item_ref(problems), _on=pd.to_datetime(problems["检查时间"]),
                               _done=pd.to_datetime(problems["完成时间"]))
    problems = problems[problems["_place"].isin(owner.keys())].sort_values(["_on", "_ref"], kind="stable")
    verified = clues[is_verified(clues)] if len(clues) else clues.assign(_place=pd.Series(dtype=object))
    verified = verified.assign(_place=verified["被反映单位"].map(lambda v: clean_text(v) if isinstance(v, str) else ""))
    verified = verified[verified["_place"].isin(owner.keys())]
    checked = set(clues.loc[clues["一案双查"] == "是", "被反映单位"].map(clean_text)) if len(clues) else set()
    rows = []
    for (place, category), part in problems.groupby(["_place", "治理类别"], sort=False):
        closed = part[(part["状态"] == STATUS_CLOSED) & part["_done"].notna()]
        if closed.empty:
            continue
        again = part[part["_on"].apply(lambda on: bool((closed["_done"] < on).any()))]
        if again.empty:
            continue
        # the evidence is the place's whole history in that category: what was closed, and what came back
        rows.append({"基层单位": place, "所属单位": owner[place], "触发": RECURRING, "治理类别": category,
                     "问题数": len(part), "相关问题": ";".join(dict.fromkeys(part["_ref"])),
                     "已一案双查": "是" if place in checked else "否"})
    threshold = frequent_threshold(config)
    for place in sorted(set(problems["_place"]) | set(verified["_place"])):
        mine, hits = problems[problems["_place"] == place], verified[verified["_place"] == place]
        if len(mine) + len(hits) < threshold:
            continue
        categories = [c for c in dict.fromkeys([*mine["治理类别"], *hits["治理类别"]]) if isinstance(c, str) and c]
        rows.append({"基层单位": place, "所属单位": owner[place], "触发": FREQUENT, "治理类别": "、".join(categories),
                     "问题数": len(mine) + len(hits),
                     "相关问题": ";".join([*mine["_ref"], *hits["线索编号"].astype(str)]),
                     "已一案双查": "是" if place in checked else "否"})
    out = pd.DataFrame(rows, columns=RECURRENCE_COLUMNS)
    if out.empty:
        return out.astype(object)
    out = out.assign(_u=out["所属单位"].map(order), _t=out["触发"].map({RECURRING: 0, FREQUENT: 1}))
    out = out.sort_values(["_u", "基层单位", "_t", "治理类别"], kind="stable").drop(columns=["_u", "_t"])
    return out.reset_index(drop=True).astype(object)
