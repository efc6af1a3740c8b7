"""承诺 commitments tracked top-down: 有效, 存疑 (a problem found at a committed unit), 缺承诺.

Pure: 承诺书 rows + items + clues + config + as-of → commitments.csv, and per-unit figures.
"""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from schemas.vocab import NO_PROBLEM
from ..config import Config
from ..distinct import RowsOf, map_each
from ..ledger.reconcile import STATUS_CLOSED, STATUS_ORPHAN, carry_forward
from ..textnorm import clean_text, typed_text
from .clues import is_verified
from .evidence import Evidence, evidence_of, item_ref

VALID, DOUBT, MISSING = "有效", "存疑", "缺承诺"
COMMITMENT_COLUMNS = ["单位", "承诺单位", "承诺人", "承诺日期", "状态", "相关问题", "来源文件", "来源行"]
UNIT_COLUMNS = ["承诺数", "承诺存疑数", "缺承诺数"]
REASON_COLUMNS = ["单位", "承诺存疑理由"]
QUOTED_FACTS = 3  # problems quoted for one 存疑 commitment; 相关问题 in commitments.csv lists them all
QUOTED_COMMITMENTS = 3  # 存疑 commitments described for one unit; commitments.csv lists them all
REFERENCED_SLICE = 200_000  # items whose references are made at once to find those a 存疑 commitment names


def self_inspection_end(config: Config) -> dt.date:
    """The last day of the 自查自纠 phase (config phases, else campaign.self_inspection_end)."""
    for phase in config.campaign.phases:
        if phase.name == "自查自纠":
            return phase.end
    return config.campaign.self_inspection_end


class _About:
    """Which rows of `frame` are about a committed place: the place itself, or, for a 街道/部门's own
    commitment, all of the unit. Indexed once: a city month has thousands of commitments."""

    def __init__(self, frame: pd.DataFrame, place_col: str, unit_col: str, config: Config):
        target = map_each(frame[place_col], typed_text)
        self.by_place, self.by_unit = RowsOf(target), RowsOf(frame[unit_col])
        self.units = {u.name for u in config.units}

    def positions(self, place: str) -> np.ndarray:
        """The rows' positions, in frame order."""
        at = self.by_place[place]
        if place in self.units:
            at = np.union1d(at, self.by_unit[place])
        return at


def pledges_in_force(pledges: pd.DataFrame, files: pd.DataFrame) -> pd.DataFrame:
    """Every commitment ever accepted: a unit cannot withdraw a commitment by deleting its row."""
    if pledges.empty:
        return pledges.assign(备注=pd.Series(dtype=object))
    keyed = pledges.assign(_pledge=pledges["承诺单位"].map(lambda v: clean_text(v) if v is not None else "")
                           + "\x00" + pd.to_datetime(pledges["承诺日期"]).dt.strftime("%Y-%m-%d").fillna(""))
    return carry_forward(keyed, files, ["_unit", "_pledge"], [])


def build_commitments(pledges: pd.DataFrame, items: pd.DataFrame, clues: pd.DataFrame, config: Config,
                      as_of: dt.date, against: Evidence | None = None) -> pd.DataFrame:
    """One row per commitment (有效 / 存疑, with the evidence), plus 缺承诺 rows once self-inspection is over.

    `pledges`: 承诺书 rows (pledges_in_force); `items`: the items frame; `clues`: clues.csv;
    `against`: evidence_of(items), when the caller made it already.
    """
    rows = []
    if len(pledges):  # the evidence against each commitment (a city's items: not gathered for none)
        against = evidence_of(items) if against is None else against
        problems = against.problems.reset_index(drop=True)
        about_items = _About(problems, "被检查单位", "单位", config)
        on, refs, rank = against.on, against.refs, against.rank  # rank: each row's place in the listing order
        done = pd.to_datetime(problems["完成时间"]).to_numpy()
        closed = (problems["状态"] == STATUS_CLOSED).to_numpy()
        verified = clues[is_verified(clues)] if len(clues) else clues
        about_clues = _About(verified, "被反映单位", "所属单位", config) if len(verified) else None
        clue_numbers = verified["线索编号"].astype(str).to_numpy(dtype=object) if len(verified) else None
    names = config.name_index()  # a unit's own commitment may name it by an alias (西安路 ≡ 西安路街道)
    for p in pledges.sort_values(["_unit", "_file", "_row"], kind="stable").to_dict("records"):
        place = clean_text(p["承诺单位"] or "")
        place = names.get(place, place)
        day = pd.Timestamp(p["承诺日期"])
        at = about_items.positions(place)
        when = day.to_datetime64()
        # found after the commitment, or found before it and not closed out by then
        found = (on[at] >= when) | ((on[at] < when) & ~(closed[at] & (done[at] <= when)))
        chosen = at[found]
        evidence = refs[chosen[np.argsort(rank[chosen], kind="stable")]].tolist()
        if about_clues is not None:
            evidence += clue_numbers[about_clues.positions(place)].tolist()
        rows.append({"单位": p["_unit"], "承诺单位": place, "承诺人": p["承诺人"] or "",
                     "承诺日期": day.strftime("%Y-%m-%d"), "状态": DOUBT if evidence else VALID,
                     "相关问题": ";".join(dict.fromkeys(evidence)), "来源文件": p["_file"],
                     "来源行": "承诺书!" + str(int(p["_row"]) + 1)})
    rows += missing_commitments(items, pledges, config, as_of)
    out = pd.DataFrame(rows, columns=COMMITMENT_COLUMNS)
    order = {u.name: i for i, u in enumerate(config.units)}
    out = out.assign(_u=out["单位"].map(order)).sort_values("_u", kind="stable").drop(columns="_u")
    return out.reset_index(drop=True).astype(object)


def missing_commitments(items: pd.DataFrame, pledges: pd.DataFrame, config: Config, as_of: dt.date) -> list[dict]:
    """Grassroots units their own 街道/部门 inspected and found clean everywhere, without a commitment."""
    if as_of <= self_inspection_end(config):
        return []
    owner = config.grassroots_owner()
    ledger = items[items["状态"] != STATUS_ORPHAN]
    place = map_each(ledger["被检查单位"], typed_text)
    own = (ledger["检查单位"] == ledger["单位"]) & (place.map(owner) == ledger["单位"])
    committed = {clean_text(v) for v in pledges["承诺单位"] if isinstance(v, str)} if len(pledges) else set()
    # every ledger row about the place, whoever inspected it, found no problem (one pass, not one per place)
    clean = (ledger["问题性质"] == NO_PROBLEM).groupby(place, sort=False).all()
    rows = []
    order = {u.name: i for i, u in enumerate(config.units)}
    candidates = sorted(set(place[own]), key=lambda g: (order.get(owner[g], 0), g))
    for g in candidates:
        if clean[g] and g not in committed:
            rows.append({"单位": owner[g], "承诺单位": g, "承诺人": "", "承诺日期": "", "状态": MISSING,
                         "相关问题": "", "来源文件": "", "来源行": ""})
    return rows


def commitment_unit_counts(commitments: pd.DataFrame, config: Config) -> pd.DataFrame:
    names = pd.Index([u.name for u in config.units], name="单位")

    def count(mask):
        return commitments[mask].groupby("单位").size().reindex(names, fill_value=0).astype(int).values

    status = commitments["状态"]
    return pd.DataFrame({"单位": names, "承诺数": count(status.isin([VALID, DOUBT])),
                         "承诺存疑数": count(status == DOUBT), "缺承诺数": count(status == MISSING)})


def doubt_reasons(commitments: pd.DataFrame, items: pd.DataFrame, clues: pd.DataFrame) -> pd.DataFrame:
    """Per unit, the 存疑 commitments in words, for the ranking's 理由 and the bulletin:
    “桐竹社区2017年6月28日书面承诺无问题后，专项治理第一小组于8月10日发现…”."""
    doubt = commitments[commitments["状态"] == DOUBT]
    if doubt.empty:
        return pd.DataFrame(columns=REASON_COLUMNS)
    named = {ref for refs in doubt["相关问题"] for ref in refs.split(";")}
    found = {}  # reference → the first item it names
    # a slice of the items at a time: a province's references all at once were the month's peak of memory
    for start in range(0, len(items), REFERENCED_SLICE):
        part = items.iloc[start:start + REFERENCED_SLICE]
        refs = item_ref(part)
        hit = refs.isin(named).to_numpy()
        quoted = part[hit]
        columns = (quoted[c] for c in ("检查时间", "发现的问题", "治理类别", "检查单位", "编号"))
        for ref, *quote in zip(refs[hit], *columns):
            found.setdefault(ref, quote)
    by_no = {}
    if len(clues):
        for number, result in zip(clues["线索编号"], clues["核实结果"]):
            by_no.setdefault(number, result)
    out = []
    for unit, part in doubt.groupby("单位", sort=False):
        texts = []
        for c in part.itertuples(index=False):
            day = pd.Timestamp(c.承诺日期)
            facts = []
            for ref in c.相关问题.split(";"):
                if ref in found:
                    on, problem, category, by, number = found[ref]
                    on = pd.Timestamp(on)
                    what = problem if isinstance(problem, str) and problem else category
                    if on >= day:
                        facts.append(f"{by}于{on.month}月{on.day}日发现“{what}”")
                    else:
                        facts.append(f"此前发现的“{what}”（{by}:{number}）当时尚未整改销号")
                elif ref in by_no:
                    facts.append(f"信访举报线索{ref}经核实{by_no[ref]}")
            if len(facts) > QUOTED_FACTS:  # a place with dozens of problems: the first few, the rest counted
                facts = [*facts[:QUOTED_FACTS - 1], f"{facts[QUOTED_FACTS - 1]}，另有{len(facts) - QUOTED_FACTS}个问题"]
            texts.append(f"{c.承诺单位}{day.year}年{day.month}月{day.day}日书面承诺无问题后，" + "；".join(facts)
                         + "，承诺存疑")
        if len(texts) > QUOTED_COMMITMENTS:  # a street with dozens of places: the first few, the rest counted
            texts = [*texts[:QUOTED_COMMITMENTS], f"另有{len(texts) - QUOTED_COMMITMENTS}份承诺存疑"]
        out.append({"单位": unit, "承诺存疑理由": "；".join(texts)})
    return pd.DataFrame(out, columns=REASON_COLUMNS)
