"""销号 reconciliation, the unit rollup and the ranking, on a small month staff could check by hand.

As of 2017-06-30, 西安路街道 (JD01) keeps a living workbook sent twice; 专项治理第一小组 inspects
grassroots units of 西安路街道 and 西华街道; 西华街道 answers late; 荷花池街道 never reports.
"""
import filecmp

import pytest

from conftest import D, inspection, rectification, report, run, unit_workbook

AS_OF = D(2017, 6, 30)


@pytest.fixture(scope="module")
def month(config, tmp_path_factory):
    root = tmp_path_factory.mktemp("reconcile")
    inbox = root / "inbox"
    june_items = [
        inspection("自检1号", "桐竹社区", deadline=D(2017, 6, 15)),                      # closed late
        inspection("自检2号", "桐竹社区", deadline=D(2017, 6, 25)),                      # open, overdue 5 days
        inspection("自检3号", "桂乐社区", deadline=D(2017, 7, 5)),                       # open, 5 days left: yellow
        inspection("自检4号", "桐明社区", deadline=D(2017, 7, 15)),                      # no rectification yet: green
        inspection("自检5号", "桐明社区", deadline=D(2017, 8, 30)),                      # open, far: no warning
        inspection("自检6号", "桐竹社区", nature="无问题", category=None, problem=None, deadline=None),
        inspection("自检7号", "桂乐社区", deadline=D(2017, 7, 31)),                      # dropped later
        inspection("自检8号", "桂乐社区", deadline=D(2017, 7, 31)),                      # reopened later
    ]
    unit_workbook(inbox / "2017-06-10" / "西安路街道.xlsx", config, "西安路街道", june_items,
                  [rectification("自检8号", done=D(2017, 6, 8))], [report("2017-05", 2, 3, 1)])
    later = [i for i in june_items if i["编号"] != "自检7号"]
    later[2] = inspection("自检3号", "桂乐社区", deadline=D(2017, 7, 5))
    later[3] = inspection("自检4号", "桐明社区", deadline=D(2017, 7, 15))
    later[0] = inspection("自检1号", "桐竹社区", deadline=D(2017, 6, 15))
    later[4] = inspection("自检5号", "桐明社区", deadline=D(2017, 8, 30))
    rects = [
        rectification("自检1号", done=D(2017, 6, 19)),
        rectification("自检2号", status="整改中", done=None),
        rectification("自检3号", status="未整改", done=None),
        rectification("自检5号", status="整改中", done=None),
        rectification("自检8号", status="整改中", done=None),
        rectification("督查1号", by="第一专项治理小组", done=D(2017, 6, 16)),
        rectification("自检99号", done=D(2017, 6, 12)),
    ]
    unit_workbook(inbox / "2017-06-20" / "西安路街道.xlsx", config, "西安路街道", later, rects,
                  [report("2017-05", 2, 3, 1), report("2017-06", 3, 6, 1)])
    unit_workbook(inbox / "2017-06-19" / "专项治理第一小组.xlsx", config, "专项治理第一小组", [
        inspection("督查1号", "桐竹社区", method="专项督查", deadline=D(2017, 6, 30)),
        inspection("督查2号", "青芙社区", method="随机抽查", deadline=D(2017, 6, 28)),
        inspection("督查3号", "西华街道", method="专项督查", deadline=D(2017, 7, 30)),
    ], [], [report("2017-06", 3, 3, 0)])
    unit_workbook(inbox / "2017-06-23" / "西华街道.xlsx", config, "西华街道",
                  [inspection("自检1号", "青芙社区", deadline=D(2017, 7, 20))],
                  [rectification("自检1号", done=D(2017, 6, 22)), rectification("督查2号", by="专项治理第一小组", done=D(2017, 6, 21))],
                  [report("2017-06", 1, 1, 1)])
    unit_workbook(inbox / "2017-06-15" / "驷马桥街道.xlsx", config, "驷马桥街道",
                  [inspection("自检1号", "源星社区", deadline=D(2017, 7, 20))], [rectification("自检1号", done=D(2017, 6, 14))],
                  [report("2017-06", 1, 1, 1)])
    unit_workbook(inbox / "2017-06-12" / "荷花池街道.xlsx", config, "荷花池街道",
                  [inspection("自检1号", "春福社区", deadline=D(2017, 6, 15))], [], [report("2017-05", 1, 1, 0)])
    result = run(config, inbox, root / "out", as_of=AS_OF)
    result.root = root
    result.inbox = inbox
    return result


def item(month, unit, number, by=None):
    items = month.items
    rows = items[(items["单位"] == unit) & (items["编号"] == number) & (items["检查单位"] == (by or unit))]
    assert len(rows) == 1, rows
    return rows.iloc[0]


def unit_row(month, unit):
    return month.units.set_index("单位").loc[unit]


def test_a_late_closure_is_closed_out_but_marked_late(month):
    i = item(month, "西安路街道", "自检1号")
    assert (i["状态"], i["逾期"], i["逾期天数"], i["预警"]) == ("已销号", "逾期完成", 4, "无")


def test_an_open_item_past_its_deadline_is_red_with_days_overdue(month):
    i = item(month, "西安路街道", "自检2号")
    assert (i["状态"], i["逾期"], i["逾期天数"], i["预警"]) == ("整改中", "逾期未完成", 5, "红")


def test_warnings_by_days_left(month):
    assert item(month, "西安路街道", "自检3号")[["状态", "预警"]].tolist() == ["整改中", "黄"]
    assert item(month, "西安路街道", "自检4号")[["状态", "预警"]].tolist() == ["未建整改台账", "绿"]
    assert item(month, "西安路街道", "自检5号")[["状态", "预警", "逾期"]].tolist() == ["整改中", "无", "否"]


def test_an_inspection_that_found_nothing_is_no_problem(month):
    assert item(month, "西安路街道", "自检6号")["状态"] == "无问题"


def test_an_item_dropped_from_the_newer_workbook_stays_open_with_a_note(month):
    i = item(month, "西安路街道", "自检7号")
    assert i["状态"] == "未建整改台账" and "最新台账中已删除" in i["备注"]
    assert i["来源文件"] == "2017-06-10/西安路街道.xlsx"


def test_a_reopened_item_says_so(month):
    i = item(month, "西安路街道", "自检8号")
    assert i["状态"] == "整改中" and "已销号问题重新打开" in i["备注"]


def test_a_groups_item_counts_for_the_unit_of_the_inspected_community_and_is_closed_by_its_rectification(month):
    i = item(month, "西安路街道", "督查1号", by="专项治理第一小组")
    assert i["状态"] == "已销号"
    assert i["来源文件"] == "2017-06-19/专项治理第一小组.xlsx" and i["来源行"] == "检查台账!4"
    assert i["整改来源文件"] == "2017-06-20/西安路街道.xlsx"
    assert item(month, "西华街道", "督查2号", by="专项治理第一小组")["状态"] == "已销号"
    assert item(month, "西华街道", "督查3号", by="专项治理第一小组")["状态"] == "未建整改台账"


def test_a_rectification_without_an_inspection_is_reported_not_dropped(month):
    i = item(month, "西安路街道", "自检99号")
    assert i["状态"] == "无对应检查记录"
    assert i["来源行"].startswith("整改台账!")


def test_unit_figures(month):
    u = unit_row(month, "西安路街道")
    # problems: 自检1-5,7,8 (7) + 督查1 = 8; closed: 自检1, 督查1
    assert (u["发现问题数"], u["已销号数"], u["整改中数"], u["未建整改台账数"], u["逾期数"]) == (8, 2, 4, 2, 1)
    assert u["整改率"] == 0.25
    assert (u["自查发现数"], u["督查发现数"], u["无对应检查记录数"]) == (7, 1, 1)
    assert u["受检基层单位数"] == 3
    g = unit_row(month, "专项治理第一小组")
    assert (g["检查发现问题数"], g["检查发现已销号数"]) == (3, 2)


def test_every_registered_unit_has_a_row(month, config):
    assert month.units["单位"].tolist() == [u.name for u in config.units]
    assert unit_row(month, "区教育局")["月报报送"] == "未报"


def test_monthly_report_timeliness(month):
    assert unit_row(month, "西安路街道")["月报报送"] == "按时"
    assert unit_row(month, "西华街道")["月报报送"] == "迟报"
    assert unit_row(month, "荷花池街道")["月报报送"] == "未报"


def test_monthly_report_against_its_own_ledgers(month):
    u = unit_row(month, "西安路街道")
    # ledgers of the 06-20 workbook: 3 inspected units, 6 problems, 3 completed rectifications
    assert u["月报与台账一致"] == "否" and u["月报差异"] == "整改完成数：月报1，台账3"
    assert unit_row(month, "西华街道")["月报差异"] == "整改完成数：月报1，台账2"
    assert unit_row(month, "专项治理第一小组")["月报与台账一致"] == "是"
    assert unit_row(month, "荷花池街道")["月报与台账一致"] == "无月报"


def test_a_unit_that_did_not_report_ranks_last_and_is_named(month):
    streets = month.ranking[month.ranking["单位类型"] == "街道"].set_index("单位")
    reporters = streets[streets["月报报送"] != "未报"]
    assert streets.loc["荷花池街道", "通报类别"] == "点名批评"
    assert "月报表未报送" in streets.loc["荷花池街道", "理由"]
    assert streets.loc["荷花池街道", "排名"] > reporters["排名"].max()
    assert set(streets["排名"]) <= set(range(1, 16))


def test_units_with_too_few_items_are_not_praised_by_chance(month):
    r = month.ranking.set_index("单位").loc["驷马桥街道"]
    assert r["整改率"] == 1.0 and r["月报报送"] == "按时"
    assert r["按整改率评分"] == "否" and r["通报类别"] != "表扬"
    assert "不足以按整改率评价" in r["理由"]


def test_equal_scores_share_a_rank(month):
    depts = month.ranking[month.ranking["单位类型"] == "部门"]
    # every 部门 sent nothing: equal scores, equal rank
    assert depts["排名"].nunique() == 1


def test_rerunning_gives_byte_identical_data(month, config):
    again = run(config, month.inbox, month.root / "again", as_of=AS_OF)
    for name in ("manifest.csv", "items.csv", "units.csv", "ranking.csv", "district.csv"):
        assert filecmp.cmp(month.out / "data" / name, again.out / "data" / name, shallow=False), name


def test_district_totals_are_the_sum_of_units(month):
    totals = month.district.set_index("范围").loc["全区合计"]
    ranked = month.units[month.units["单位类型"] != "专项治理小组"]
    assert totals["发现问题数"] == ranked["发现问题数"].sum()
    assert totals["已销号数"] == ranked["已销号数"].sum()
