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
# columns an online survey tool adds beside the questions: kept to tell respondents apart, never scored
NOT_QUESTIONS = frozenset({"序号", "编号", "答卷编号", "答卷序号", "id", "ID", "提交答卷时间", "提交时间", "答题时间",
                           "所用时间", "答题时长", "来源", "来源详情", "来自IP", "IP", "ip", "IP地址", "说明", "备注",
                           "填写人", "姓名", "电话", "联系方式", "性别", "年龄", "职业", "总分",
                           "得分", "总得分", "答卷ID", "用户ID", "No", "No.", "NO", "NO.", "开始时间", "结束时间",
                           "填写时间", "手机", "手机号", "昵称", "微信昵称", "年龄段"})


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
