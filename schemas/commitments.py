"""pandera model of 承诺书: the written commitments of units that found no problem after self-inspection.

Optional fourth sheet of a unit's workbook: an older workbook without it is read as before.
承诺单位 must be the unit itself or one of its grassroots units (checked against the registry).
"""
from __future__ import annotations

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from .fields import column, note_column, row_check


class Commitment(pa.DataFrameModel):
    """承诺书: one row per written commitment, signed by the unit's party secretary."""

    committed_unit: Series[str] = column(
        "承诺单位", "作出承诺的单位：本单位，或本单位所属的社区、科室、站(所)、服务窗口（可从下拉列表选择）。",
        "锦绣社区", required=True, width=18, aliases=("承诺主体",))
    signer: Series[str] = column(
        "承诺人", "签字承诺的人，一般为该单位党组织书记。", "王晓梅", required=True, width=12,
        aliases=("承诺人姓名",))
    position: Series[str] = column(
        "职务", "承诺人的职务。", "社区党委书记", width=14)
    committed_on: Series[pd.Timestamp] = column(
        "承诺日期", "书面承诺签字的日期，如 2017-06-28；不得晚于报送日期。", "2017-06-28",
        kind="date", required=True, width=12, aliases=("签字日期",))
    content: Series[str] = column(
        "承诺内容", "承诺的内容：经自查自纠未发现“微腐败”问题，如今后发现问题愿接受问责。",
        "经自查自纠，本社区未发现“微腐败”问题；如有隐瞒，愿接受组织问责", width=40)
    note: Series[str] = note_column()

    class Config:
        coerce = True
        strict = False

    @row_check("commitment_after_received")
    def _not_after_received(cls, df: pd.DataFrame) -> Series[bool]:
        return ~(df["承诺日期"] > df["_received"]).fillna(False).astype(bool)
