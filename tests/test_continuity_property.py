"""Whatever a unit sends, in whatever order: no item ever known disappears, and the counts add up."""
import datetime as dt

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import table_of
from pipeline.intake.validate import build_frames
from pipeline.ledger.reconcile import OPEN, STATUS_CLOSED, STATUS_NONE, STATUS_ORPHAN, build_items

UNIT = "西安路街道"
NUMBERS = [f"自检{i}号" for i in range(1, 9)]

inspection_row = st.fixed_dictionaries({
    "问题性质": st.sampled_from(["一般问题", "隐患风险", "无问题"]),
    "整改时限": st.dates(dt.date(2017, 6, 1), dt.date(2017, 8, 31)),
})
rect_row = st.fixed_dictionaries({"完成情况": st.sampled_from(["已完成", "整改中", "未整改"])})
submission = st.tuples(
    st.dictionaries(st.sampled_from(NUMBERS), inspection_row, max_size=8),
    st.dictionaries(st.sampled_from(NUMBERS), rect_row, max_size=8),
)



def book(inspections: dict, rects: dict) -> dict:
    insp_records = [{"_row": 3 + i, "_key": no[:-1], "编号": no, "检查时间": dt.date(2017, 6, 1), "被检查单位": "桐竹社区",
                     "检查方式": "自查自纠", "治理类别": None if v["问题性质"] == "无问题" else "作风和不作为",
                     "问题性质": v["问题性质"], "发现的问题": "问题", "整改时限": v["整改时限"], "检查人员": "甲"}
                    for i, (no, v) in enumerate(sorted(inspections.items()))]
    rect_records = [{"_row": 3 + i, "_key": no[:-1], "编号": no, "存在问题": "问题", "整改责任人及责任": "乙",
                     "完成情况": v["完成情况"], "完成时间": dt.date(2017, 6, 2) if v["完成情况"] == "已完成" else None}
                    for i, (no, v) in enumerate(sorted(rects.items()))]
    return {"unit": UNIT, "sheets": {"检查台账": {"table": table_of(insp_records)},
                                     "整改台账": {"table": table_of(rect_records)}}}


@settings(max_examples=60, deadline=None)
@given(st.lists(submission, min_size=1, max_size=4))
def test_no_item_ever_known_disappears_and_counts_add_up(config, sequence):
    books, received, files = {}, {}, []
    for n, (inspections, rects) in enumerate(sequence):
        name = f"2017-06-{10 + n}/台账.xlsx"
        books[name] = book(inspections, rects)
        received[name] = dt.date(2017, 6, 10 + n)
        files.append({"file": name, "unit": UNIT, "received": pd.Timestamp(received[name]), "filled_on": pd.NaT,
                      "name": "台账.xlsx"})
    frames = build_frames(books, received)
    items = build_items(frames, pd.DataFrame(files), config, dt.date(2017, 6, 30))

    ever_inspected = {no for inspections, _ in sequence for no in inspections}
    ledger = items[items["状态"] != STATUS_ORPHAN]
    assert set(ledger["编号"]) == ever_inspected
    assert len(ledger) == len(ever_inspected)

    ever_rectified = {no for _, rects in sequence for no in rects}
    orphans = set(items.loc[items["状态"] == STATUS_ORPHAN, "编号"])
    assert orphans == ever_rectified - ever_inspected

    closed = (ledger["状态"] == STATUS_CLOSED).sum()
    still_open = ledger["状态"].isin(OPEN).sum()
    no_problem = (ledger["状态"] == STATUS_NONE).sum()
    assert closed + still_open + no_problem == len(ever_inspected)

    latest = sequence[-1][0]
    for no in ever_inspected - set(latest):
        assert "最新台账中已删除" in ledger.set_index("编号").loc[no, "备注"]
