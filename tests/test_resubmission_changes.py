"""What a unit changed between versions is listed, and moving the goalposts is a 疑问 staff see."""
import datetime as dt

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import D, inspection, manifest_row, problems_of, rectification, run, table_of, unit_workbook
from pipeline.intake.validate import build_frames
from pipeline.ledger.changes import workbook_changes
from pipeline.ledger.reconcile import STATUS_ORPHAN, build_items

UNIT = "西安路街道"
V1 = "2017-06-05/西安路街道.xlsx"
V2 = "2017-06-16/西安路街道.xlsx"


@pytest.fixture(scope="module")
def month(config, tmp_path_factory):
    root = tmp_path_factory.mktemp("resubmit")
    v1 = [inspection("自检1号", "桐竹社区", deadline=D(2017, 6, 10)),
          inspection("自检2号", "桐竹社区"),
          inspection("自检3号", "桐竹社区"),
          inspection("自检4号", "桐竹社区"),
          inspection("自检6号", "桐竹社区"),
          inspection("自检7号", "桐竹社区", deadline=D(2017, 6, 20)),
          inspection("自检8号", "桐竹社区", deadline=D(2017, 6, 20))]
    v2 = [inspection("自检1号", "桐竹社区", deadline=D(2017, 6, 30)),                # pushed back after it passed
          inspection("自检2号", "桐竹社区", on=D(2017, 6, 3)),                       # inspection date changed
          inspection("自检3号", "桐竹社区"),
          inspection("自检5号", "桐竹社区"),                                          # added; 4 removed
          inspection("自检6号", "桐竹社区", problem="窗口人员服务态度差"),            # text edited
          inspection("自检7号", "桐竹社区", deadline=D(2017, 7, 15), note="经区纪委同意延期至7月15日"),
          inspection("自检8号", "桐竹社区", deadline=D(2017, 7, 15))]                # moved before it passed, unexplained
    unit_workbook(root / "inbox" / V1, config, UNIT, v1, [rectification("自检3号", done=D(2017, 6, 4))])
    unit_workbook(root / "inbox" / V2, config, UNIT, v2, [rectification("自检3号", done=D(2017, 6, 8))])
    return run(config, root / "inbox", root / "out")


def changes_of(month) -> pd.DataFrame:
    return pd.read_csv(month.out / "data" / "changes.csv", encoding="utf-8-sig", dtype=str, keep_default_na=False)


def test_changes_csv_lists_every_edit_with_the_contract_columns(month):
    changes = changes_of(month)
    assert list(changes.columns) == ["单位", "原文件", "新文件", "表", "编号", "检查单位", "变化", "字段", "原值", "新值"]
    assert set(changes["单位"]) == {UNIT} and set(changes["原文件"]) == {V1} and set(changes["新文件"]) == {V2}
    rows = {(r.表, r.编号, r.变化, r.字段, r.原值, r.新值) for r in changes.itertuples()}
    assert ("检查台账", "自检1号", "修改", "整改时限", "2017-06-10", "2017-06-30") in rows
    assert ("检查台账", "自检2号", "修改", "检查时间", "2017-06-05", "2017-06-03") in rows
    assert ("整改台账", "自检3号", "修改", "完成时间", "2017-06-04", "2017-06-08") in rows
    assert ("检查台账", "自检4号", "删除", "", "", "") in rows
    assert ("检查台账", "自检5号", "新增", "", "", "") in rows
    assert ("检查台账", "自检6号", "修改", "发现的问题", "窗口工作人员态度生硬", "窗口人员服务态度差") in rows
    assert ("检查台账", "自检7号", "修改", "说明", "", "经区纪委同意延期至7月15日") in rows


def test_moving_the_goalposts_is_a_query_at_the_cell_in_the_new_feedback(month):
    queries = problems_of(month, V2)
    moved = queries[queries["code"].isin(["deadline_moved_after_due", "inspection_date_changed",
                                          "completion_date_changed"])]
    found = {(p.code, p.sheet, p.column) for p in moved.itertuples()}
    assert found == {("deadline_moved_after_due", "检查台账", "整改时限"),
                     ("inspection_date_changed", "检查台账", "检查时间"),
                     ("completion_date_changed", "整改台账", "完成时间")}
    assert set(moved["severity"]) == {"疑问"} and all(moved["cell"] != "")
    assert manifest_row(month, V2)["结果"] == "已采用"
    assert problems_of(month, V1).empty or not problems_of(month, V1)["code"].isin(moved["code"]).any()


def test_the_feedback_of_a_resubmission_has_a_sheet_of_changes(month):
    import openpyxl

    wb = openpyxl.load_workbook(month.out / manifest_row(month, V2)["回执"], read_only=True)
    assert "与上次报送相比的变化" in wb.sheetnames
    rows = list(wb["与上次报送相比的变化"].iter_rows(values_only=True))
    assert ("检查台账", "自检1号", "西安路街道", "修改", "整改时限", "2017-06-10", "2017-06-30") in rows


def test_overdue_days_count_from_the_first_recorded_deadline_unless_explained(month):
    items = month.items.set_index("编号")
    assert items.loc["自检1号", "原整改时限"] == pd.Timestamp(2017, 6, 10)
    assert (items.loc["自检1号", "逾期"], items.loc["自检1号", "逾期天数"]) == ("逾期未完成", 20)
    assert (items.loc["自检8号", "逾期"], items.loc["自检8号", "逾期天数"]) == ("逾期未完成", 10)
    assert (items.loc["自检7号", "逾期"], items.loc["自检7号", "逾期天数"]) == ("否", 0)
    assert "自检4号" in items.index  # a dropped item is still known
    csv = pd.read_csv(month.out / "data" / "items.csv", encoding="utf-8-sig", dtype=str)
    assert "原整改时限" in csv.columns


# ---- property: the union of items never shrinks and every edit is listed --------------------------------

NUMBERS = [f"自检{i}号" for i in range(1, 7)]
version = st.dictionaries(st.sampled_from(NUMBERS), st.fixed_dictionaries({
    "整改时限": st.dates(dt.date(2017, 6, 1), dt.date(2017, 8, 31)),
    "检查时间": st.sampled_from([dt.date(2017, 5, 30), dt.date(2017, 5, 31)]),
    "发现的问题": st.sampled_from(["问题甲", "问题乙"]),
}), max_size=6)


def _book(rows: dict) -> dict:
    records = [{"_row": 3 + i, "_key": no[:-1], "编号": no, "检查时间": v["检查时间"], "被检查单位": "桐竹社区",
                "检查方式": "自查自纠", "治理类别": "作风和不作为", "问题性质": "一般问题", "发现的问题": v["发现的问题"],
                "整改时限": v["整改时限"], "检查人员": "甲"} for i, (no, v) in enumerate(sorted(rows.items()))]
    return {"unit": UNIT, "sheets": {"检查台账": {"table": table_of(records)}, "整改台账": {"table": {}}}}


@settings(max_examples=40, deadline=None)
@given(st.lists(version, min_size=1, max_size=4))
def test_items_never_shrink_and_every_edit_appears_in_changes(config, sequence):
    books, received, files = {}, {}, []
    for n, rows in enumerate(sequence):
        name = f"2017-06-{10 + n}/台账.xlsx"
        books[name], received[name] = _book(rows), dt.date(2017, 6, 10 + n)
        files.append({"file": name, "unit": UNIT, "received": pd.Timestamp(received[name]), "filled_on": pd.NaT,
                      "name": "台账.xlsx"})
    frames = build_frames(books, received)
    files = pd.DataFrame(files)
    items = build_items(frames, files, config, dt.date(2017, 6, 30))
    changes = workbook_changes(frames, files, config)

    known = set(items.loc[items["状态"] != STATUS_ORPHAN, "编号"])
    assert {no for rows in sequence for no in rows} <= known
    listed = {(r.新文件, r.编号, r.变化, r.字段) for r in changes.itertuples()}
    for n in range(1, len(sequence)):
        old, new, name = sequence[n - 1], sequence[n], files["file"][n]
        for no in new.keys() - old.keys():
            assert (name, no, "新增", "") in listed
        for no in old.keys() - new.keys():
            assert (name, no, "删除", "") in listed
        for no in old.keys() & new.keys():
            for field in ("整改时限", "检查时间", "发现的问题"):
                assert (old[no][field] != new[no][field]) == ((name, no, "修改", field) in listed)
    # the first recorded deadline is kept
    for no in known:
        first = next(rows[no]["整改时限"] for rows in sequence if no in rows)
        assert items.loc[items["编号"] == no, "原整改时限"].iloc[0] == pd.Timestamp(first)


def test_the_rollup_and_bulletin_name_units_that_moved_deadlines_after_they_passed(month):
    import openpyxl

    rollup = next(month.out.glob("全区*.xlsx"))
    ws = openpyxl.load_workbook(rollup, read_only=True)["台账修改情况"]
    rows = list(ws.iter_rows(values_only=True))
    header = next(r for r in rows if r and r[0] == "单位")
    row = dict(zip(header, next(r for r in rows if r and r[0] == UNIT)))
    assert (row["整改时限逾期后推迟"], row["检查时间修改"], row["已销号完成时间修改"]) == (1, 1, 1)
    html = next(month.out.glob("*.html")).read_text(encoding="utf-8")
    assert "推迟了整改时限：西安路街道（1条）" in html
