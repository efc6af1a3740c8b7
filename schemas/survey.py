"""pandera model of a 问卷 export (sheet 问卷): one row per respondent, then any question columns.

Only 被评价单位 and 调查日期 are fixed; the question columns are whatever the online survey asked,
answered 满意 / 基本满意 / 不满意 or on a 1–5 scale (4–5 count as 满意, 3 as 基本满意).
"""
from __future__ import annotations

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from .fields import column

SATISFIED, FAIRLY, UNSATISFIED = "满意", "基本满意", "不满意"
SCALE = {SATISFIED: SATISFIED, FAIRLY: FAIRLY, UNSATISFIED: UNSATISFIED,
         "5": SATISFIED, "4": SATISFIED, "3": FAIRLY, "2": UNSATISFIED, "1": UNSATISFIED}
CONTENT = frozenset({SATISFIED, FAIRLY})  # 满意率 counts both
# who answered, as a survey tool exports it (header as written → what it is): kept secret like a
# complainant, masked in the survey's own 回执 and never read into any table (schemas/kinds.SURVEY)
RESPONDENT = "答卷人"
RESPONDENT_PHONE = "联系方式"
RESPONDENT_HEADERS = {**dict.fromkeys(("填写人", "姓名", "答卷人", "答题人", "昵称", "微信昵称", "用户名"), RESPONDENT),
                      **dict.fromkeys(("电话", "电话号码", "联系方式", "联系电话", "手机", "手机号", "手机号码"), RESPONDENT_PHONE)}
# a column that numbers the answers (or times each to the second): two rows alike down to it are the
# same answer sheet exported twice, counted once; rows alike without one are people who answered alike
ANSWER_NUMBERS = frozenset({"序号", "编号", "答卷编号", "答卷序号", "id", "ID", "答卷ID", "用户ID",
                            "No", "No.", "NO", "NO."})
SUBMITTED = frozenset({"提交答卷时间", "提交时间", "填写时间", "开始时间", "结束时间"})
# columns an online survey tool adds beside the questions: kept to tell respondents apart, never scored
NOT_QUESTIONS = frozenset({"所用时间", "答题时间", "答题时长", "来源", "来源详情", "来自IP", "IP", "ip", "IP地址", "说明",
                           "备注", "性别", "年龄", "职业", "总分", "得分", "总得分", "年龄段",
                           *ANSWER_NUMBERS, *SUBMITTED})  # who answered: RESPONDENT_HEADERS


class SurveyResponse(pa.DataFrameModel):
    """问卷: one row per respondent of an online opinion survey, as the survey tool exports it."""

    rated_unit: Series[str] = column(
        "被评价单位", "被评价的街道、部门，或其社区、科室、站(所)、服务窗口（计入所属街道、部门）。", "沙河源街道",
        required=True, width=18, aliases=("评价单位", "被调查单位"))
    surveyed_on: Series[pd.Timestamp] = column(
        "调查日期", "答卷日期，如 2017-06-05。", "2017-06-05", kind="date", width=12, aliases=("答卷日期", "填写日期"))

    class Config:
        coerce = True
        strict = False
