"""Rank 街道 and 部门 apart on a weighted score, and decide who is praised and who is named.

Weights and thresholds come from config/campaign.toml [ranking] and [bulletin]; every component
and every reason is written out, so a leader can see why a unit stands where it does.
"""
from __future__ import annotations

import datetime as dt

import pandas as pd

from ..config import Config
from .funnel import below_funnel, lower_limit, pooled_rate
from .rollup import LATE, MISSING, ON_TIME

PRAISE, NORMAL, CRITICISE = "表扬", "一般", "点名批评"
RANKED_TYPES = ("街道", "部门")
COMPONENTS = (("整改率分", "weight_rectification"), ("逾期分", "weight_overdue"), ("报送分", "weight_timeliness"),
              ("质量分", "weight_quality"), ("力度分", "weight_effort"), ("社会评价分", "weight_survey"))
NAMES = {"整改率分": "整改率", "逾期分": "逾期", "报送分": "月报报送", "质量分": "数据质量", "力度分": "工作力度",
         "社会评价分": "社会评价"}


def formula_line(config: Config) -> str:
    """One line above the ranking table, so a leader can see how a score is made."""
    r = config.campaign.ranking
    parts = " + ".join(f"{NAMES[c]}×{float(r.get(k, 0)):g}" for c, k in COMPONENTS)
    return (f"得分 =（{parts}）÷ 权重之和，各分项0–100分；社会评价分取问卷满意率95%置信区间下限，"
            f"样本少于{int(r.get('min_survey_sample', 30))}份或发现问题少于{int(r.get('min_items_for_rates', 3))}个的，"
            "相应分项按同类平均计；整改率低于同类平均且超出95%漏斗下限的才因整改率点名批评。")


def _pct(x: float) -> str:
    return f"{x * 100:.0f}%"


def score_units(units: pd.DataFrame, config: Config, as_of: dt.date) -> pd.DataFrame:
    """Score components (0–100) per unit; a component that cannot be judged is left blank."""
    r = config.campaign.ranking
    min_items = int(r.get("min_items_for_rates", 3))
    full = float(r.get("effort_full_score_per_unit", 2.0))
    min_sample = int(r.get("min_survey_sample", 30))
    after_self_inspection = as_of > config.campaign.self_inspection_end
    rows = []
    for u in units.itertuples(index=False):
        found, inspected = u.发现问题数, u.受检基层单位数
        rated = found >= min_items
        zero_blank = found == 0 and after_self_inspection
        effort = 0.0 if zero_blank or inspected == 0 else min(100.0, found / inspected / full * 100)
        sample = getattr(u, "问卷样本数", None)
        surveyed = sample is not None and sample == sample and sample >= min_sample
        rows.append({
            "单位": u.单位,
            "整改率分": round(u.整改率 * 100, 1) if rated else None,
            "逾期分": max(0.0, 100.0 - 25.0 * u.逾期数),
            "报送分": {ON_TIME: 100.0, LATE: 50.0, MISSING: 0.0}[u.月报报送],
            "质量分": max(0.0, 100.0 - 20.0 * u.退回次数 - 5.0 * u.未说明疑问数),
            "力度分": round(effort, 1),
            # the interval's lower bound: a few happy respondents do not outscore many
            "社会评价分": round(float(u.满意率下限) * 100, 1) if surveyed else None,
            "按整改率评分": "是" if rated else "否",
            "零空白": "是" if zero_blank else "否",
        })
    scores = pd.DataFrame(rows)
    # a unit with too few items is scored at its type's average rate: neither praised nor shamed by chance
    kinds = units.set_index("单位")["单位类型"]
    typical = scores.groupby(scores["单位"].map(kinds))["整改率分"].transform("mean")
    scores["整改率分"] = scores["整改率分"].fillna(typical.round(1))
    scores["按社会评价评分"] = scores["社会评价分"].notna().map({True: "是", False: "否"})
    surveyed = scores.groupby(scores["单位"].map(kinds))["社会评价分"].transform("mean")
    scores["社会评价分"] = scores["社会评价分"].fillna(surveyed.round(1))
    weights = {col: float(r.get(key, 0)) for col, key in COMPONENTS}
    total = sum(scores[c].fillna(0) * w for c, w in weights.items())
    used = sum(scores[c].notna() * w for c, w in weights.items())
    scores["得分"] = (total / used.where(used > 0)).round(1).fillna(0.0)
    return scores


def _reasons(u, s, criticise_over: int) -> tuple[list[str], list[str]]:
    bad, good = [], []
    if u.月报报送 == MISSING:
        bad.append("月报表未报送")
    elif u.月报报送 == LATE:
        bad.append(f"月报表迟报（{u.月报收到日期}收到）")
    if u.逾期数 > criticise_over:
        bad.append(f"逾期未完成整改问题{u.逾期数}个（超过{criticise_over}个）")
    elif u.逾期数:
        bad.append(f"逾期未完成整改问题{u.逾期数}个")
    if s.零空白 == "是":
        bad.append("自查自纠阶段结束后仍未发现任何问题（零空白）")
    if u.月报与台账一致 == "否":
        bad.append(f"月报数据与台账不一致（{u.月报差异}）")
    if u.退回次数:
        bad.append(f"报送材料被退回{u.退回次数}次")
    if s.按整改率评分 == "是":
        good.append(f"整改率{_pct(u.整改率)}（{u.已销号数}/{u.发现问题数}）")
    else:
        good.append(f"发现问题{u.发现问题数}个，不足以按整改率评价")
    if u.逾期数 == 0 and u.发现问题数:
        good.append("无逾期未完成问题")
    if u.月报报送 == ON_TIME:
        good.append("月报按时报送")
    return bad, good


def funnel_check(part: pd.DataFrame) -> pd.DataFrame:
    """Per unit of one type: the type's pooled 整改率, the 95 % funnel's lower limit for the unit's
    number of problems, and whether its rate lies below it (see ledger/funnel.py). No minimum number
    of problems: the exact funnel already spares small units, and a rule stated as "beyond the funnel"
    must name every unit beyond it."""
    p0 = pooled_rate(part["已销号数"], part["发现问题数"])
    rows = []
    for u in part.itertuples(index=False):
        n, closed = int(u.发现问题数), int(u.已销号数)
        limit = lower_limit(p0, n) if p0 is not None and n > 0 else None
        below = p0 is not None and below_funnel(closed, n, p0)
        rows.append({"单位": u.单位, "同类整改率": None if p0 is None else round(p0, 4),
                     "漏斗下限": None if limit is None else round(limit, 4), "低于漏斗下限": "是" if below else "否"})
    return pd.DataFrame(rows, columns=["单位", "同类整改率", "漏斗下限", "低于漏斗下限"]).set_index("单位")


def _survey_reason(s, min_sample: int) -> str:
    if s.按社会评价评分 == "是":
        return f"问卷满意率{_pct(s.满意率)}（{int(s.问卷样本数)}份，95%区间下限{_pct(s.满意率下限)}）"
    if s.社会评价分 == s.社会评价分:
        n = s.问卷样本数 if s.问卷样本数 == s.问卷样本数 and s.问卷样本数 is not None else 0
        if not n:
            return "无问卷答卷，社会评价按同类平均计"
        return f"问卷样本{int(n)}份，不足{min_sample}份，社会评价按同类平均计"
    return ""


def rank_units(units: pd.DataFrame, config: Config, as_of: dt.date) -> pd.DataFrame:
    b = config.campaign.bulletin
    criticise_over = int(b.get("criticise_overdue_more_than", 3))
    praise_top = int(b.get("praise_top", 3))
    praise_rate = float(b.get("praise_min_rate", 0.8))
    scores = score_units(units, config, as_of).set_index("单位")
    min_sample = int(config.campaign.ranking.get("min_survey_sample", 30))
    for col in ("问卷样本数", "满意率", "满意率下限"):
        scores[col] = units.set_index("单位")[col] if col in units.columns else None
    # rows as named tuples: a .loc per unit builds a Series each time
    score_of = dict(zip(scores.index, scores.itertuples(index=False)))
    out = []
    for typ in RANKED_TYPES:
        part = units[units["单位类型"] == typ].copy()
        part["得分"] = part["单位"].map(scores["得分"])
        part["_missing"] = part["月报报送"] == MISSING
        # 未报 ranks below every unit that reported; equal scores share a rank
        part = part.sort_values(["_missing", "得分", "单位"], ascending=[True, False, True], kind="stable")
        reporters = part[~part["_missing"]]
        rank = reporters["得分"].rank(method="min", ascending=False)
        late = part[part["_missing"]]["得分"].rank(method="min", ascending=False) + len(reporters)
        part["排名"] = pd.concat([rank, late]).astype(int)
        praised = 0
        funnel = funnel_check(part)
        funnel_of = dict(zip(funnel.index, funnel.itertuples(index=False)))
        for u in part.itertuples(index=False):
            s = score_of[u.单位]
            fun = funnel_of[u.单位]
            bad, good = _reasons(u, s, criticise_over)
            # a commitment under doubt (figures from campaign/, merged into units by the job) is named first
            doubt = int(getattr(u, "承诺存疑数", 0) or 0)
            if doubt:
                bad.insert(0, getattr(u, "承诺存疑理由", "") or f"书面承诺存疑{doubt}份")
            if fun.低于漏斗下限 == "是":
                bad.append(f"整改率{_pct(u.整改率)}（{u.已销号数}/{u.发现问题数}），低于同类平均整改率{_pct(fun.同类整改率)}，"
                           f"也低于按{u.发现问题数}个问题计算的95%漏斗下限{_pct(fun.漏斗下限)}，不能用偶然波动解释")
            said = _survey_reason(s, min_sample)
            if said:
                good.append(said)
            if u.月报报送 == MISSING or u.逾期数 > criticise_over or fun.低于漏斗下限 == "是" or doubt:
                verdict = CRITICISE
            elif (praised < praise_top and u.逾期数 == 0 and u.月报报送 == ON_TIME and s.按整改率评分 == "是"
                  and u.整改率 >= praise_rate and s.零空白 == "否" and u.月报与台账一致 != "否"):
                verdict = PRAISE
                praised += 1
            else:
                verdict = NORMAL
            reasons = bad if verdict == CRITICISE else good if verdict == PRAISE else bad + good
            out.append({
                "单位类型": typ, "排名": int(u.排名), "单位": u.单位, "得分": float(s.得分), "通报类别": verdict,
                "理由": "；".join(reasons),
                **{c: getattr(s, c) for c, _ in COMPONENTS},
                "按整改率评分": s.按整改率评分, "零空白": s.零空白, "按社会评价评分": s.按社会评价评分,
                "问卷样本数": s.问卷样本数, "满意率": s.满意率, "满意率下限": s.满意率下限,
                "同类整改率": fun.同类整改率, "漏斗下限": fun.漏斗下限, "低于漏斗下限": fun.低于漏斗下限,
                "发现问题数": u.发现问题数, "已销号数": u.已销号数, "整改率": u.整改率, "逾期数": u.逾期数,
                "月报报送": u.月报报送, "退回次数": u.退回次数, "未说明疑问数": u.未说明疑问数,
                "承诺存疑数": doubt,
            })
    return pd.DataFrame(out)
