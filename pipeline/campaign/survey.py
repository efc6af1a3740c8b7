"""社会评价: satisfaction per reporting unit from the accepted 问卷 exports, with 95 % Wilson intervals.

All accepted survey files count together. An online survey tool's later export repeats the
earlier answers, and staff resend files, so a respondent row found in several files counts once:
each distinct row counts as many times as it appears in the one file that holds it most often
(rows alike within one export are different people who answered alike).

满意率 is the share of answers that are 满意 or 基本满意; 样本数 is the number of respondents with
at least one answer on the scale. The interval uses the respondents as its sample size, because
one person's answers to several questions are not independent.
"""
from __future__ import annotations

import math

import pandas as pd

SURVEY_COLUMNS = ["单位", "样本数", "满意率", "下限", "上限"]
UNIT_COLUMNS = {"样本数": "问卷样本数", "满意率": "满意率", "下限": "满意率下限", "上限": "满意率上限"}
Z95 = 1.959963984540054  # two-sided 95 %
RESPONSE_COLUMNS = ["_file", "_row", "单位", "_key", "满意数", "答案数"]


def wilson(p: float, n: float, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval for a share p out of n: stays inside [0, 1] and is honest for small n."""
    if n <= 0:
        return (float("nan"), float("nan"))
    z2 = z * z
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = z / (1 + z2 / n) * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    return (max(0.0, centre - half), min(1.0, centre + half))


def distinct_responses(responses: pd.DataFrame) -> pd.DataFrame:
    """Respondent rows with repeats across files removed (see the module docstring)."""
    if responses.empty:
        return responses
    ordered = responses.sort_values(["_file", "_row"], kind="stable")
    nth = ordered.groupby(["_key", "_file"], sort=False).cumcount()
    return ordered.loc[~pd.DataFrame({"k": ordered["_key"], "n": nth}).duplicated()].reset_index(drop=True)


def survey_table(responses: pd.DataFrame, unit_order: list[str] | None = None) -> pd.DataFrame:
    """survey.csv: one row per reporting unit with answers, in registry order when given."""
    rows = distinct_responses(responses)
    rows = rows[rows["答案数"] > 0] if not rows.empty else rows
    if rows.empty:
        return pd.DataFrame(columns=SURVEY_COLUMNS)
    per = rows.groupby("单位").agg(样本数=("_key", "size"), 满意=("满意数", "sum"), 答案=("答案数", "sum"))
    order = [u for u in (unit_order or []) if u in per.index] + sorted(u for u in per.index if u not in (unit_order or []))
    out = []
    for unit in order:
        n, share = int(per.at[unit, "样本数"]), float(per.at[unit, "满意"]) / float(per.at[unit, "答案"])
        low, high = wilson(share, n)
        out.append({"单位": unit, "样本数": n, "满意率": round(share, 4), "下限": round(low, 4), "上限": round(high, 4)})
    return pd.DataFrame(out, columns=SURVEY_COLUMNS)


def unit_survey_columns(survey: pd.DataFrame) -> pd.DataFrame:
    """The survey figures under the names they take in units.csv, for the job to merge on 单位."""
    return survey.rename(columns=UNIT_COLUMNS)[["单位", *UNIT_COLUMNS.values()]]
