"""pandera model of the office's 信访举报登记表 (sheet 信访举报): complaint clues from four channels.

举报人 and 联系方式 are confidential: the intake reads them only to scrub them (see
pipeline/intake/confidential.py); no frame past intake holds them.
"""
from __future__ import annotations

from typing import Optional

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from .fields import NOTE_HELP, column, note_column, row_check
from .vocab import CATEGORIES

CHANNELS = ("来信", "来访", "电话", "网络", "其他")
HANDLING = ("待办", "在办", "已办结")
CLOSED = "已办结"
VERDICTS = ("属实", "部分属实", "不属实")
TRUE_VERDICTS = ("属实", "部分属实")
FORMS = ("第一种形态", "第二种形态", "第三种形态", "第四种形态", "不予处理")
YES_NO = ("是", "否")
CONFIDENTIAL = ("举报人", "联系方式")


class Clue(pa.DataFrameModel):
    """信访举报: one row per clue received by the 举报投诉受理组 / 信访室."""

    number: Series[str] = column(
        "线索编号", "登记表内唯一的编号，如“信访2017-001”，不得重复使用。", "信访2017-001", kind="code",
        required=True, width=14, aliases=("编号",))
    accepted_on: Series[pd.Timestamp] = column(
        "受理日期", "受理线索的日期，如 2017-06-05。", "2017-06-05", kind="date", required=True, width=12)
    channel: Series[str] = column(
        "来源渠道", "“四位一体”受理渠道，从下拉列表选择。", "电话", required=True, isin=CHANNELS, width=9)
    # confidential: never in a frame (dropped at intake), so optional to the model
    complainant: Optional[Series[str]] = column(
        "举报人", "举报人姓名，匿名的留空。【保密】仅在本表中登记，任何报表、通报均不显示。", "（保密）",
        width=10, aliases=("举报人姓名", "反映人", "反映人姓名", "信访人", "来电人", "来信人", "来访人"))
    contact: Optional[Series[str]] = column(
        "联系方式", "举报人电话等。【保密】仅在本表中登记，任何报表、通报均不显示。", "（保密）", width=14,
        aliases=("联系电话", "电话", "电话号码", "手机", "手机号码", "举报人电话", "联系人电话"))
    reported_unit: Series[str] = column(
        "被反映单位", "被反映的社区、科室、站(所)、服务窗口，或街道、部门。", "锦绣社区", required=True, width=16)
    reported_person: Series[str] = column(
        "被反映人", "被反映的人员姓名及职务，可留空。", "张某（社区主任）", width=14)
    category: Series[str] = column(
        "治理类别", "从下拉列表选择八类治理内容之一。", "集体三资管理", isin=CATEGORIES, width=18,
        aliases=("治理内容", "问题类别"))
    problem: Series[str] = column(
        "反映问题", "反映的主要问题。请勿在此写入举报人姓名、电话。", "社区集体资产出租未公开招租", required=True,
        width=36, aliases=("反映内容", "主要问题"))
    handler: Series[str] = column(
        "承办单位", "负责核查办理的街道、部门或专项治理小组。", "专项治理第二小组", required=True, width=16)
    due_on: Series[pd.Timestamp] = column(
        "办理时限", "办结的最后日期，如 2017-07-05。", "2017-07-05", kind="date", width=12)
    handling: Series[str] = column(
        "办理状态", "从下拉列表选择：待办、在办、已办结。", "在办", required=True, isin=HANDLING, width=9)
    closed_on: Series[pd.Timestamp] = column(
        "办结日期", "办结的日期；办理状态为“已办结”时必填。", "", kind="date", width=12)
    verdict: Series[str] = column(
        "核实结果", "属实、部分属实、不属实；尚未核实的留空。", "", isin=VERDICTS, width=10)
    action: Series[str] = column(
        "处理方式", "运用监督执纪“四种形态”的处理方式，或“不予处理”；尚未处理的留空。", "", isin=FORMS, width=12)
    double_check: Series[str] = column(
        "一案双查", "是否对该问题启动“一案双查”（既查当事人，又查负有责任的领导）。", "", isin=YES_NO, width=9)
    note: Series[str] = note_column(f"{NOTE_HELP}请勿在此写入举报人姓名、电话。")

    class Config:
        coerce = True
        strict = False

    @row_check("clue_closed_before_accepted")
    def _closed_after_accepted(cls, df: pd.DataFrame) -> Series[bool]:
        return ~(df["办结日期"] < df["受理日期"]).fillna(False).astype(bool)

    @row_check("clue_due_before_accepted")
    def _due_after_accepted(cls, df: pd.DataFrame) -> Series[bool]:
        return ~(df["办理时限"] < df["受理日期"]).fillna(False).astype(bool)

    @row_check("clue_accepted_after_received")
    def _accepted_before_received(cls, df: pd.DataFrame) -> Series[bool]:
        return ~(df["受理日期"] > df["_received"]).fillna(False).astype(bool)

    @row_check("clue_closed_without_date")
    def _closed_has_date(cls, df: pd.DataFrame) -> Series[bool]:
        return (df["办理状态"] != CLOSED) | df["办理状态"].isna() | df["办结日期"].notna()

    @row_check("clue_closed_without_verdict")
    def _closed_has_verdict(cls, df: pd.DataFrame) -> Series[bool]:
        return (df["办理状态"] != CLOSED) | df["办理状态"].isna() | df["核实结果"].notna() | df["说明"].notna()

    @row_check("clue_verified_without_action")
    def _verified_has_action(cls, df: pd.DataFrame) -> Series[bool]:
        return ~df["核实结果"].isin(TRUE_VERDICTS) | df["处理方式"].notna() | df["说明"].notna()

    @row_check("duplicate_clue_number")
    def _unique_number(cls, df: pd.DataFrame) -> Series[bool]:
        return df["_key"].isna() | ~df[["_file", "_key"]].duplicated(keep="first")
