"""data/*.csv are written column by column (publish.tables.write_csv) for speed, yet must be the very
bytes pandas would write: staff and other tools read them as plain CSV files."""
from __future__ import annotations

import csv
import random

import pandas as pd
import pytest

from pipeline.publish import tables
from pipeline.publish.tables import write_csv


def _typed(rng: random.Random, distinct: bool) -> str | None:
    """What units type into a problem description: commas, quotes, line breaks, a formula start."""
    words = ["虚报冒领低保金", "违规发放慰问品", "A-12号", "1,200元", '称"已整改"', "第一行\n第二行", "=SUM(A1)",
             "+86", "-5", "@某人", "  前后空格 ", "，全角逗号", ""]
    if rng.random() < 0.05:
        return None
    text = "".join(rng.choice(words) for _ in range(rng.randint(1, 3)))
    return f"{text}（第{rng.randint(0, 10**9)}条）" if distinct else text


@pytest.mark.parametrize("distinct", [True, False], ids=["each-in-own-words", "repeated"])
def test_items_csv_is_what_pandas_writes_whatever_units_typed(tmp_path, distinct):
    rng = random.Random(5)
    rows = 2 * tables.CHUNK_ROWS + 17  # across slices, the last one short
    frame = pd.DataFrame({
        "单位": [rng.choice(["西华街道", "区民政局", "第一专项治理小组"]) for _ in range(rows)],
        "发现的问题": [_typed(rng, distinct) for _ in range(rows)],
        "整改措施": [_typed(rng, distinct) for _ in range(rows)],
        "逾期天数": [rng.randint(0, 90) for _ in range(rows)],
    })
    joined, by_pandas = tmp_path / "items.csv", tmp_path / "pandas.csv"
    write_csv(frame, joined)
    tables._write_with_pandas(frame, by_pandas)
    assert joined.read_bytes() == by_pandas.read_bytes()
    with open(joined, encoding="utf-8-sig", newline="") as f:  # as Excel and the csv module read it back
        back = list(csv.reader(f))
    assert back[0] == list(frame.columns) and len(back) == rows + 1
    assert [r[1] for r in back[1:]] == [tables.csv_text(t) if t else "" for t in frame["发现的问题"].fillna("")]
