"""pandera models of 检查台账, 整改台账 and 月报表.

Each field carries what the blank template shows (label, help, example, drop-down, width) and what
the validator enforces (type, required, vocabulary), so the two can never drift apart. Field
metadata `kind` is how a typed cell is read: text, code (编号), date, count (whole number) or month.
Dataframe checks are named by their problem code in pipeline/problems.py.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from .fields import COUNT_MAX, column, note_column, row_check
from .vocab import CATEGORIES, COMPLETION, DONE, METHODS, NATURES, NO_PROBLEM


class Inspection(pa.DataFrameModel):
    """检查台账 (附件2): one row per problem found, or per inspection that found none."""

    number: Series[str] = column(
        "编号", "本单位自行编号，台账内不得重复、不得重复使用。自查用“自检N号”，督查用“督查N号”。",
        "自检1号", kind="code", required=True, width=12)
    inspected_on: Series[pd.Timestamp] = column(
        "检查时间", "开展检查的日期，如 2017-06-05。", "2017-06-05", kind="date", required=True,
        width=12, aliases=("时间", "检查日期"))
    inspected_unit: Series[str] = column(
        "被检查单位", "被检查的社区、科室、站(所)或服务窗口，可从下拉列表选择，也可直接填写。",
        "锦绣社区", required=True, width=18, aliases=("受检单位", "被检单位"))
    method: Series[str] = column(
        "检查方式", "从下拉列表选择检查方式。", "自查自纠", required=True, isin=METHODS, width=11)
    category: Series[str] = column(
        "治理类别", "从下拉列表选择八类治理内容之一；发现问题时必填。", "作风和不作为",
        isin=CATEGORIES, width=18, aliases=("治理内容", "问题类别"))
    nature: Series[str] = column(
        "问题性质", "违纪违法、一般问题、隐患风险；未发现问题填“无问题”。", "一般问题",
        required=True, isin=NATURES, width=10)
    problem: Series[str] = column(
        "发现的问题", "见人见事：写清何人、何事、何时；发现问题时必填。", "窗口工作人员态度生硬，群众反映办事推诿",
        width=36, aliases=("发现问题", "存在问题"))
    advice: Series[str] = column(
        "整改建议", "针对问题提出的整改建议。", "开展作风教育，建立首问负责制", width=28)
    deadline: Series[pd.Timestamp] = column(
        "整改时限", "整改完成的最后日期，不得早于检查时间；发现问题时必填。", "2017-07-31",
        kind="date", width=12, aliases=("整改期限",))
    responsible: Series[str] = column(
        "整改责任人", "负责整改的责任人姓名及职务。", "王晓梅（社区主任）", width=16)
    inspectors: Series[str] = column(
        "检查人员", "参加检查的人员姓名，多人用顿号分隔。", "李建国、陈思远", required=True, width=16)
    note: Series[str] = note_column()

    class Config:
        coerce = True
        strict = False

    @row_check("problem_needs_category")
    def _needs_category(cls, df: pd.DataFrame) -> Series[bool]:
        return (df["问题性质"] == NO_PROBLEM) | df["问题性质"].isna() | df["治理类别"].notna()

    @row_check("problem_needs_description")
    def _needs_description(cls, df: pd.DataFrame) -> Series[bool]:
        return (df["问题性质"] == NO_PROBLEM) | df["问题性质"].isna() | df["发现的问题"].notna()

    @row_check("problem_needs_deadline")
    def _needs_deadline(cls, df: pd.DataFrame) -> Series[bool]:
        return (df["问题性质"] == NO_PROBLEM) | df["问题性质"].isna() | df["整改时限"].notna()

    @row_check("deadline_before_inspection")
    def _deadline_after_inspection(cls, df: pd.DataFrame) -> Series[bool]:
        return ~(df["整改时限"] < df["检查时间"]).fillna(False).astype(bool)

    @row_check("duplicate_number")
    def _unique_number(cls, df: pd.DataFrame) -> Series[bool]:
        return df["_key"].isna() | ~df[["_file", "_key"]].duplicated(keep="first")


class Rectification(pa.DataFrameModel):
    """整改台账 (附件3): one row per inspection 编号, closed out one-to-one (销号管理)."""

    number: Series[str] = column(
        "编号", "与检查台账的编号一一对应；整改专项治理小组督查发现的问题时，填小组的编号。",
        "自检1号", kind="code", required=True, width=12)
    inspecting_unit: Series[str] = column(
        "检查单位", "本单位自查的问题留空；整改专项治理小组等上级检查发现的问题时，填该检查单位名称。",
        "", width=18)
    problem_unit: Series[str] = column(
        "问题单位", "存在问题的社区、科室、站(所)或服务窗口。", "锦绣社区", width=18)
    problem: Series[str] = column(
        "存在问题", "与检查台账“发现的问题”一致。", "窗口工作人员态度生硬，群众反映办事推诿",
        required=True, width=36)
    measures: Series[str] = column(
        "整改措施", "已采取或将采取的整改措施。", "对当事人批评教育，建立首问负责制", width=30)
    responsible: Series[str] = column(
        "整改责任人及责任", "整改责任人姓名、职务及其责任。", "王晓梅（社区主任），负责落实整改",
        required=True, width=22, aliases=("整改责任人",))
    status: Series[str] = column(
        "完成情况", "从下拉列表选择：已完成、整改中、未整改。", "已完成", required=True,
        isin=COMPLETION, width=10)
    completed_on: Series[pd.Timestamp] = column(
        "完成时间", "整改完成的日期；完成情况为“已完成”时必填。", "2017-07-20", kind="date", width=12)
    note: Series[str] = note_column()

    class Config:
        coerce = True
        strict = False

    @row_check("done_without_date")
    def _done_has_date(cls, df: pd.DataFrame) -> Series[bool]:
        return (df["完成情况"] != DONE) | df["完成情况"].isna() | df["完成时间"].notna()

    @row_check("completed_after_received")
    def _completed_before_received(cls, df: pd.DataFrame) -> Series[bool]:
        return ~(df["完成时间"] > df["_received"]).fillna(False).astype(bool)

    @row_check("duplicate_number")
    def _unique_number(cls, df: pd.DataFrame) -> Series[bool]:
        keyed = pd.DataFrame({"file": df["_file"], "by": df["检查单位"].fillna(""), "key": df["_key"]})
        return df["_key"].isna() | ~keyed.duplicated(keep="first")


class MonthlyReport(pa.DataFrameModel):
    """月报表 (附件4): one row per month, figures cumulative since the campaign began."""

    period: Series[str] = column(
        "报表月份", "本行所报月份，如 2017-06 或 2017年6月。每月新增一行，不要覆盖以前月份。",
        "2017-06", kind="month", required=True, width=11)
    units_inspected: Series[float] = column(
        "受检基层单位数", "截至填报时累计检查的基层单位个数（整数）。", "5", kind="count",
        required=True, width=10, ge=0, le=COUNT_MAX)
    work: Series[str] = column(
        "检查工作情况", "检查工作开展情况：会议、走访、检查方式等。", "召开周例会4次，走访社区5个", width=30)
    problems_found: Series[float] = column(
        "发现问题数", "截至填报时累计发现的问题个数（整数），应与检查台账一致。", "8", kind="count",
        required=True, width=10, ge=0, le=COUNT_MAX)
    problems_text: Series[str] = column(
        "发现问题情况", "问题的主要类型和典型情况。", "作风问题5个，三资管理问题3个", width=30)
    rectified: Series[float] = column(
        "整改完成数", "截至填报时累计整改完成（已销号）的问题个数（整数），应与整改台账一致。", "6",
        kind="count", required=True, width=10, ge=0, le=COUNT_MAX)
    rectification_text: Series[str] = column(
        "整改情况", "整改推进情况。", "已整改6个，2个正在整改", width=30)
    mechanisms: Series[float] = column(
        "制度机制建设数", "截至填报时累计建立或完善的制度机制个数（整数）。", "2", kind="count",
        required=True, width=10, ge=0, le=COUNT_MAX)
    mechanisms_text: Series[str] = column(
        "制度机制建设情况", "建立或完善了哪些制度机制。", "建立首问负责制、财务公开制度", width=30)

    class Config:
        coerce = True
        strict = False

    @pa.check("受检基层单位数", "发现问题数", "整改完成数", "制度机制建设数", name="not_whole_number")
    def _whole(cls, s: Series[float]) -> Series[bool]:
        return s.isna() | (s == s.round())

    @row_check("duplicate_period")
    def _unique_period(cls, df: pd.DataFrame) -> Series[bool]:
        return df["报表月份"].isna() | ~df[["_file", "报表月份"]].duplicated(keep="first")


LEDGERS: dict[str, type[pa.DataFrameModel]] = {
    "检查台账": Inspection,
    "整改台账": Rectification,
    "月报表": MonthlyReport,
}


@dataclass(frozen=True)
class ColumnSpec:
    label: str
    kind: str
    required: bool
    vocab: tuple[str, ...]
    help: str
    example: str
    width: int
    aliases: tuple[str, ...]


@cache
def columns(sheet: str) -> tuple[ColumnSpec, ...]:
    """The sheet's columns in template order, read from its pandera model (any kind of workbook)."""
    from .kinds import MODELS

    specs = []
    for label, col in MODELS[sheet].to_schema().columns.items():
        vocab: tuple[str, ...] = ()
        for check in col.checks:
            if check.name == "isin":
                vocab = tuple(check.statistics["allowed_values"])
        meta = col.metadata or {}
        specs.append(ColumnSpec(label, meta["kind"], not col.nullable, vocab, col.description,
                                meta["example"], meta["width"], tuple(meta["aliases"])))
    return tuple(specs)


@cache
def spec_by_label(sheet: str) -> dict[str, ColumnSpec]:
    return {c.label: c for c in columns(sheet)}
