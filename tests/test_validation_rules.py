"""One broken rule per workbook: each is named at its cell, with a message a clerk understands."""

import pytest

from conftest import D, feedback_rows, inspection, manifest_row, problems_of, rectification, report, run, unit_workbook

GOOD_INSPECTION = inspection("自检1号", "桐竹社区")
CASES = {
    # file: (unit, inspections, rectifications, reports)
    "required.xlsx": ("西安路街道", [inspection("自检1号", "桐竹社区", inspectors=None)], [], []),
    "vocab.xlsx": ("西安路街道", [inspection("自检1号", "桐竹社区", method="上门检查")], [], []),
    "bad_date.xlsx": ("西安路街道", [inspection("自检1号", "桐竹社区", on="2017-02-30")], [], []),
    "typed_1917.xlsx": ("西安路街道", [inspection("自检1号", "桐竹社区", on=D(1917, 6, 5))], [], []),
    "deadline.xlsx": ("西安路街道", [inspection("自检1号", "桐竹社区", on=D(2017, 6, 20), deadline=D(2017, 6, 1))], [], []),
    "dup_number.xlsx": ("西安路街道", [GOOD_INSPECTION, inspection("自检 001", "桐竹社区")], [], []),
    "done_no_date.xlsx": ("西安路街道", [GOOD_INSPECTION], [rectification("自检1号", done=None)], []),
    "done_future.xlsx": ("西安路街道", [GOOD_INSPECTION], [rectification("自检1号", done=D(2017, 6, 28))], []),
    "report_number.xlsx": ("西安路街道", [GOOD_INSPECTION], [], [report(found="3.5", rectified=-1, inspected="若干")]),
    "report_month.xlsx": ("西安路街道", [GOOD_INSPECTION], [], [report(period="上个月")]),
    "report_huge.xlsx": ("西安路街道", [GOOD_INSPECTION], [], [report(mechanisms=1e20)]),
    "inspector_unknown.xlsx": ("西安路街道", [GOOD_INSPECTION], [rectification("督查3号", by="第九专项治理小组")], []),
    "outside_list.xlsx": ("西安路街道", [inspection("自检1号", "幸福小区物业")], [], []),
    "outside_explained.xlsx": ("西华街道", [inspection("自检1号", "幸福小区物业", note="辖区新建小区，尚未登记")], [], []),
    "category_missing.xlsx": ("西安路街道", [inspection("自检1号", "桐竹社区", category=None)], [], []),
}


@pytest.fixture(scope="module")
def month(config, tmp_path_factory):
    root = tmp_path_factory.mktemp("rules")
    inbox = root / "inbox" / "2017-06-15"
    for name, (unit, insp, rect, rep) in CASES.items():
        unit_workbook(inbox / name, config, unit, insp, rect, rep)
    return run(config, root / "inbox", root / "out")


def only_problem(month, file):
    found = problems_of(month, f"2017-06-15/{file}")
    assert len(found) == 1, found[["cell", "code", "message"]].to_string()
    return found.iloc[0]


def test_a_blank_required_cell_is_an_error_at_its_cell(month):
    p = only_problem(month, "required.xlsx")
    assert (p.sheet, p.cell, p.column, p.severity) == ("检查台账", "K4", "检查人员", "错误")
    assert p.message == "必填项为空"
    row = manifest_row(month, "2017-06-15/required.xlsx")
    assert row["结果"] == "已退回"
    assert row["说明"].startswith("检查台账!K4「检查人员」：必填项为空")


def test_a_value_outside_the_vocabulary_lists_the_choices(month):
    p = only_problem(month, "vocab.xlsx")
    assert (p.cell, p.column, p.value, p.severity) == ("D4", "检查方式", "上门检查", "错误")
    assert "自查自纠" in p.message and "信访举报" in p.message


def test_a_real_date_a_century_off_is_an_error_like_its_text(month):
    """Typed into a date cell (or a 1 there, which Excel shows as 1900-01-01), a year outside 2000–2100
    is held to the rule a date written as text is."""
    p = only_problem(month, "typed_1917.xlsx")
    assert (p.cell, p.column, p.value, p.code) == ("B4", "检查时间", "1917-06-05", "bad_date")


def test_an_impossible_date_is_an_error(month):
    p = only_problem(month, "bad_date.xlsx")
    assert (p.cell, p.column, p.value) == ("B4", "检查时间", "2017-02-30")
    assert p.message == "日期无法识别或不存在"


def test_a_deadline_before_the_inspection_is_an_error(month):
    p = only_problem(month, "deadline.xlsx")
    assert (p.cell, p.column, p.message) == ("I4", "整改时限", "整改时限早于检查时间")


def test_a_number_used_twice_in_one_ledger_is_an_error_on_the_second(month):
    p = only_problem(month, "dup_number.xlsx")
    assert (p.cell, p.column, p.value) == ("A5", "编号", "自检 001")
    assert "编号重复" in p.message


def test_done_without_a_completion_date_is_an_error(month):
    p = only_problem(month, "done_no_date.xlsx")
    assert (p.sheet, p.cell, p.column) == ("整改台账", "H4", "完成时间")
    assert "已完成" in p.message


def test_a_completion_date_after_the_file_was_received_is_an_error(month):
    p = only_problem(month, "done_future.xlsx")
    assert (p.sheet, p.cell, p.value) == ("整改台账", "H4", "2017-06-28")
    assert "晚于文件收到日期" in p.message


def test_monthly_figures_must_be_whole_non_negative_numbers(month):
    found = problems_of(month, "2017-06-15/report_number.xlsx").set_index("cell")
    assert found.loc["D4", "code"] == "not_whole_number" and found.loc["D4", "column"] == "发现问题数"
    assert found.loc["F4", "code"] == "negative" and found.loc["F4", "column"] == "整改完成数"
    assert found.loc["B4", "code"] == "bad_number" and found.loc["B4", "value"] == "若干"
    assert len(found) == 3


def test_a_count_no_unit_could_report_is_an_error_not_a_stopped_run(month):
    """10^20 制度机制 once overflowed the units' integer columns and stopped the month for every unit."""
    p = only_problem(month, "report_huge.xlsx")
    assert (p.sheet, p.cell, p.column, p.code) == ("月报表", "H4", "制度机制建设数", "count_too_large")
    assert manifest_row(month, "2017-06-15/report_huge.xlsx")["结果"] == "已退回"


def test_an_unreadable_report_month_is_an_error(month):
    p = only_problem(month, "report_month.xlsx")
    assert (p.sheet, p.cell, p.column, p.value) == ("月报表", "A4", "报表月份", "上个月")


def test_an_inspecting_unit_not_in_the_registry_is_an_error(month):
    p = only_problem(month, "inspector_unknown.xlsx")
    assert (p.sheet, p.cell, p.column, p.value) == ("整改台账", "B4", "检查单位", "第九专项治理小组")


def test_an_inspected_unit_outside_the_units_list_is_only_a_query(month):
    p = only_problem(month, "outside_list.xlsx")
    assert (p.cell, p.column, p.severity) == ("C4", "被检查单位", "疑问")
    row = manifest_row(month, "2017-06-15/outside_list.xlsx")
    assert (row["结果"], row["错误数"], row["疑问数"]) == ("已采用", 0, 1)


def test_a_query_explained_in_the_note_column_is_not_raised_again(month):
    assert problems_of(month, "2017-06-15/outside_explained.xlsx").empty


def test_a_problem_without_its_category_is_an_error(month):
    p = only_problem(month, "category_missing.xlsx")
    assert (p.cell, p.column) == ("E4", "治理类别")


def test_the_feedback_workbook_marks_each_bad_cell(month):
    import openpyxl

    rel = manifest_row(month, "2017-06-15/deadline.xlsx")["回执"]
    wb = openpyxl.load_workbook(month.out / rel)
    assert wb.sheetnames == ["审核结果", "检查台账"], "only the sheets with a marked cell are copied into it"
    cell = wb["检查台账"]["I4"]
    assert cell.fill.fgColor.rgb.endswith("FFC7CE")
    assert "整改时限早于检查时间" in cell.comment.text
    rows = feedback_rows(month, "2017-06-15/deadline.xlsx")
    assert rows[0][1:7] == ("检查台账", "I4", "整改时限", "2017-06-01", "错误", "整改时限早于检查时间")


def test_a_query_is_marked_yellow(month):
    import openpyxl

    rel = manifest_row(month, "2017-06-15/outside_list.xlsx")["回执"]
    cell = openpyxl.load_workbook(month.out / rel)["检查台账"]["C4"]
    assert cell.fill.fgColor.rgb.endswith("FFEB9C")
    assert "疑问" in cell.comment.text
