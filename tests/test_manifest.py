"""A month of submissions as the office receives them: resubmissions, copies, mistakes."""
import datetime as dt
import os
import shutil

import pytest

from conftest import D, inspection, manifest_row, run, unit_workbook

GOOD = [inspection("自检1号", "桐竹社区")]


@pytest.fixture(scope="module")
def month(config, tmp_path_factory):
    root = tmp_path_factory.mktemp("month")
    inbox = root / "inbox"
    unit_workbook(inbox / "2017-06-10" / "西安路街道.xlsx", config, "西安路街道", GOOD)
    newer = unit_workbook(inbox / "2017-06-18" / "西安路街道_更新.xlsx", config, "西安路街道",
                          GOOD + [inspection("自检2号", "桂乐社区")])
    unit_workbook(inbox / "2017-06-19" / "西安路街道_再次.xlsx", config, "西安路街道",
                  GOOD + [inspection("自检2号", "桂乐社区", method="不知道")])
    (inbox / "2017-06-18" / "副本").mkdir()
    shutil.copy(newer, inbox / "2017-06-18" / "副本" / "西安路街道_更新(1).xlsx")
    unit_workbook(inbox / "20170612" / "西华街道.xlsx", config, "西华街道", [inspection("自检1号", "青芙社区")])
    loose = unit_workbook(inbox / "荷花池街道.xlsx", config, "荷花池街道", [])
    stamp = dt.datetime(2017, 6, 14, 9, 30).timestamp()
    os.utime(loose, (stamp, stamp))
    unit_workbook(inbox / "2017-06-20" / "b_驷马桥街道.xlsx", config, "驷马桥街道", [], filled_on=D(2017, 6, 20))
    unit_workbook(inbox / "2017-06-20" / "a_驷马桥街道.xlsx", config, "驷马桥街道", [], filled_on=D(2017, 6, 19))
    unit_workbook(inbox / "2017-07-02" / "茶店子街道.xlsx", config, "茶店子街道", [])
    result = run(config, inbox, root / "out")
    result.inbox = inbox
    return result


def test_every_file_appears_exactly_once(month):
    files = sorted(p.relative_to(month.inbox).as_posix() for p in month.inbox.rglob("*") if p.is_file())
    assert sorted(month.manifest["文件"]) == files


def test_the_latest_accepted_workbook_is_in_force_and_earlier_ones_are_superseded(month):
    assert manifest_row(month, "2017-06-10/西安路街道.xlsx")["结果"] == "已被替代"
    assert manifest_row(month, "2017-06-18/西安路街道_更新.xlsx")["结果"] == "已采用"


def test_a_rejected_resubmission_leaves_the_earlier_workbook_in_force(month):
    row = manifest_row(month, "2017-06-19/西安路街道_再次.xlsx")
    assert (row["结果"], row["错误数"]) == ("已退回", 1)
    assert "检查台账!D5「检查方式」" in row["说明"]
    assert month.intake.in_force["西安路街道"] == "2017-06-18/西安路街道_更新.xlsx"


def test_identical_bytes_are_a_duplicate_of_the_first(month):
    row = manifest_row(month, "2017-06-18/副本/西安路街道_更新(1).xlsx")
    assert (row["结果"], row["单位"]) == ("重复文件", "西安路街道")
    assert "2017-06-18/西安路街道_更新.xlsx" in row["说明"]
    assert row["sha256"] == manifest_row(month, "2017-06-18/西安路街道_更新.xlsx")["sha256"]


def test_received_dates_come_from_folders_or_the_file_time(month):
    assert manifest_row(month, "20170612/西华街道.xlsx")["收到日期"] == "2017-06-12"
    assert manifest_row(month, "荷花池街道.xlsx")["收到日期"] == "2017-06-14"


def test_same_day_submissions_are_ordered_by_their_fill_date(month):
    assert manifest_row(month, "2017-06-20/b_驷马桥街道.xlsx")["结果"] == "已采用"
    assert manifest_row(month, "2017-06-20/a_驷马桥街道.xlsx")["结果"] == "已被替代"


def test_a_file_received_after_the_as_of_date_is_not_used(month):
    row = manifest_row(month, "2017-07-02/茶店子街道.xlsx")
    assert row["结果"] == "已忽略" and "晚于统计截止日" in row["说明"]


def test_the_console_closes_with_a_summary(month):
    assert "已采用 4，已被替代 2" in month.log and "已退回 1" in month.log and "重复文件 1" in month.log


def test_the_manifest_is_utf8_with_bom_and_the_contract_columns(month):
    raw = (month.out / "data" / "manifest.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    header = raw[3:].split(b"\n", 1)[0].decode()
    assert header == "文件,收到日期,sha256,单位,结果,错误数,疑问数,说明,回执"
