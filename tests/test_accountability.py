"""承诺书, the 信访举报 register and 一案双查, as the office and the units fill them."""
import dataclasses
import datetime as dt
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from conftest import D, feedback_rows, inspection, manifest_row, problems_of, rectification, report, run
from pipeline.intake.register_template import write_register_template
from pipeline.intake.templates import write_template

PERIOD, AS_OF = "2017-08", D(2017, 8, 31)


def ledger_book(path: Path, config, unit_name: str, *, inspections=(), rectifications=(), reports=(), pledges=(),
                filled_on=None) -> Path:
    """A unit's workbook with its 承诺书 sheet, filled as the unit would."""
    path.parent.mkdir(parents=True, exist_ok=True)
    write_template(path, config.unit_by_name()[unit_name], config,
                   {"检查台账": list(inspections), "整改台账": list(rectifications), "月报表": list(reports),
                    "承诺书": list(pledges)}, filled_on)
    return path


def pledge(place, signer="王晓梅", on="２０１７年６月２８日", position="社区党委书记", note=None) -> dict:
    return {"承诺单位": place, "承诺人": signer, "职务": position, "承诺日期": on,
            "承诺内容": "经自查自纠，未发现“微腐败”问题；如有隐瞒，愿接受问责", "说明": note}


def clue(no, place, *, accepted="2017-06-12", channel="电话", who="钟晓梅", phone="13912345678",
         problem="反映社区主任优亲厚友", handler="专项治理第一小组", due="2017-07-12", status="已办结",
         closed="2017/7/2", verdict="属实", action="第一种形态", double="否", category="其他微腐败问题", note=None) -> dict:
    return {"线索编号": no, "受理日期": accepted, "来源渠道": channel, "举报人": who, "联系方式": phone,
            "被反映单位": place, "被反映人": "某某（社区主任）", "治理类别": category, "反映问题": problem,
            "承办单位": handler, "办理时限": due, "办理状态": status, "办结日期": closed, "核实结果": verdict,
            "处理方式": action, "一案双查": double, "说明": note}


def register(path: Path, config, rows) -> Path:
    write_register_template(path, config, list(rows))
    return path


@pytest.fixture(scope="module")
def campaign(config, tmp_path_factory):
    """西安路街道 commits for 桐竹社区 after a clean self-inspection; a group then finds a problem there.
    桂乐社区 was inspected clean but never committed; 桐明社区 keeps having problems."""
    root = tmp_path_factory.mktemp("accountability")
    inbox = root / "inbox"
    ledger_book(inbox / "2017-08-15" / "西安路街道台账.xlsx", config, "西安路街道", filled_on=D(2017, 8, 15), inspections=[
        inspection("自检1号", "桐竹社区", on="2017年6月5日", nature="无问题", category=None, problem=None, deadline=None),
        inspection("自检2号", "桂乐社区", on="2017/6/6", nature="无问题", category=None, problem=None, deadline=None),
        inspection("自检3号", "桐明社区", on="2017.6.7", category="集体三资管理", problem="集体资产出租未公开招租",
                   deadline="2017-06-30"),
        inspection("自检4号", "桐明社区", on="20170720", category="集体三资管理", problem="集体资产出租仍未公开",
                   deadline="2017-08-30"),
    ], rectifications=[
        rectification("自检3号", done="2017-06-20", problem="集体资产出租未公开招租"),
        rectification("自检4号", status="整改中", done=None, problem="集体资产出租仍未公开"),
    ], reports=[report("2017-08", inspected=3, found=2, rectified=1)], pledges=[pledge("桐竹社区")])
    ledger_book(inbox / "2017-08-16" / "第一小组台账.xlsx", config, "专项治理第一小组", filled_on=D(2017, 8, 16),
                inspections=[inspection("督查1号", "桐竹社区", on="2017-08-10", method="专项督查",
                                        problem="低保审核把关不严", category="惠民政策和专项资金", deadline="2017-09-10")])
    register(inbox / "2017-08-18" / "信访举报登记表.xlsx", config, [
        clue("XF-001", "桐明社区", double="是", problem="来电人钟晓梅（电话139 1234 5678）反映社区集体资产出租不公开"),
        clue("XF-002", "桂乐社区", channel="来信", who="周大伟", phone="028-87654321", status="在办", closed=None,
             verdict=None, action=None, due="2017-07-30", note="举报人周大伟要求保密"),
        clue("XF-003", "区民政局", channel="网络", who=None, phone=None, verdict="不属实", action="不予处理",
             handler="区民政局"),
        clue("XF-004", "桐竹社区", channel="来访", who="邝燚鑫", phone="１３７００００１１１１", verdict="部分属实",
             action="第二种形态", closed="2017-08-01", due="2017-07-20"),
    ])
    return run(config, inbox, root / "outbox", period=PERIOD, as_of=AS_OF)


def table(result, name: str) -> pd.DataFrame:
    return pd.read_csv(result.out / "data" / f"{name}.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")


def test_the_register_is_the_offices_and_in_force(campaign):
    row = manifest_row(campaign, "2017-08-18/信访举报登记表.xlsx")
    assert row["结果"] == "已采用" and row["单位"] == "区纪委信访室"


def test_commitment_under_doubt_when_a_group_finds_a_problem_after_it(campaign):
    c = table(campaign, "commitments").set_index("承诺单位")
    assert list(table(campaign, "commitments").columns) == ["单位", "承诺单位", "承诺人", "承诺日期", "状态", "相关问题",
                                                            "来源文件", "来源行"]
    assert c.loc["桐竹社区", "状态"] == "存疑"
    assert c.loc["桐竹社区", "承诺日期"] == "2017-06-28"
    assert c.loc["桐竹社区", "相关问题"] == "专项治理第一小组:督查1号;XF-004"
    assert c.loc["桐竹社区", "来源行"] == "承诺书!4"


def test_a_clean_grassroots_unit_without_commitment_is_missing_one(campaign):
    c = table(campaign, "commitments").set_index("承诺单位")
    assert c.loc["桂乐社区", "状态"] == "缺承诺" and c.loc["桂乐社区", "单位"] == "西安路街道"
    assert "桐明社区" not in c.index


def test_false_commitment_names_the_unit_with_the_reason_in_words(campaign):
    r = table(campaign, "ranking").set_index("单位").loc["西安路街道"]
    assert r["通报类别"] == "点名批评"
    assert "桐竹社区2017年6月28日书面承诺无问题后，专项治理第一小组于8月10日发现“低保审核把关不严”" in r["理由"]
    bulletin = next(campaign.out.glob("*.html")).read_text(encoding="utf-8")
    assert "承诺存疑" in bulletin and "尚未作出书面承诺的基层单位1个：西安路街道（桂乐社区）" in bulletin


def test_clues_csv_as_the_contract_says(campaign):
    clues = table(campaign, "clues")
    assert list(clues.columns) == ["线索编号", "受理日期", "来源渠道", "被反映单位", "所属单位", "被反映人", "治理类别", "承办单位",
                                   "办理时限", "办理状态", "办结日期", "超期", "核实结果", "处理方式", "一案双查", "来源文件", "来源行"]
    c = clues.set_index("线索编号")
    assert c.loc["XF-001", "所属单位"] == "西安路街道" and c.loc["XF-001", "办结日期"] == "2017-07-02"
    assert c.loc["XF-002", "超期"] == "是"      # open and past its 办理时限
    assert c.loc["XF-004", "超期"] == "是"      # closed after its 办理时限
    assert c.loc["XF-001", "超期"] == "否"
    assert c.loc["XF-003", "所属单位"] == "区民政局"


def test_units_gain_the_accountability_figures(campaign):
    u = table(campaign, "units").set_index("单位")
    x = u.loc["西安路街道"]
    assert (x["承诺数"], x["承诺存疑数"], x["缺承诺数"]) == ("1", "1", "1")
    assert (x["信访线索数"], x["属实线索数"]) == ("3", "2")
    assert u.loc["专项治理第一小组", "线索超期数"] == "2"


def test_recurrence_repeated_and_frequent(campaign):
    rec = table(campaign, "recurrence")
    assert list(rec.columns) == ["基层单位", "所属单位", "触发", "治理类别", "问题数", "相关问题", "已一案双查"]
    again = rec[(rec["基层单位"] == "桐明社区") & (rec["触发"] == "反复发生")].iloc[0]
    assert again["治理类别"] == "集体三资管理" and again["相关问题"] == "西安路街道:自检3号;西安路街道:自检4号"
    assert again["已一案双查"] == "是"
    many = rec[(rec["基层单位"] == "桐明社区") & (rec["触发"] == "易发多发")].iloc[0]
    assert many["问题数"] == "3" and many["相关问题"] == "西安路街道:自检3号;西安路街道:自检4号;XF-001"
    assert many["治理类别"] == "集体三资管理、其他微腐败问题"  # each category once, as first mentioned
    assert "桐竹社区" not in set(rec["基层单位"])   # two problems: below the threshold of 3


def test_rollup_has_the_accountability_sheets(campaign):
    wb = openpyxl.load_workbook(next(campaign.out.glob("*.xlsx")), read_only=True)
    assert {"承诺情况", "信访举报统计", "信访举报线索", "一案双查"} <= set(wb.sheetnames)


# validation, one rule per test ------------------------------------------------------------------------------

def _one(config, tmp_path, build, received="2017-08-18"):
    inbox = tmp_path / "inbox"
    path = build(inbox / received)
    result = run(config, inbox, tmp_path / "out", period=PERIOD, as_of=AS_OF)
    rel = path.relative_to(inbox).as_posix()
    return result, rel


def test_closed_before_accepted_is_an_error(config, tmp_path):
    result, rel = _one(config, tmp_path, lambda d: register(d / "登记表.xlsx", config, [
        clue("XF-1", "桐竹社区", accepted="2017年7月5日", closed="2017-07-01")]))
    p = problems_of(result, rel)
    assert manifest_row(result, rel)["结果"] == "已退回"
    assert set(p.loc[p["code"] == "clue_closed_before_accepted", "cell"]) == {"M4"}


def test_verified_clue_without_action_is_a_query(config, tmp_path):
    result, rel = _one(config, tmp_path, lambda d: register(d / "登记表.xlsx", config, [
        clue("XF-1", "桐竹社区", action=None)]))
    assert manifest_row(result, rel)["结果"] == "已采用"
    rows = feedback_rows(result, rel)
    assert any(r[5] == "疑问" and "处理方式" in r[6] for r in rows)


def test_commitment_for_another_units_community_is_an_error(config, tmp_path):
    result, rel = _one(config, tmp_path, lambda d: ledger_book(d / "西安路.xlsx", config, "西安路街道",
                                                               pledges=[pledge("青芙社区")]))
    p = problems_of(result, rel)
    assert "commitment_unit_not_own" in set(p["code"]) and manifest_row(result, rel)["结果"] == "已退回"


def test_commitment_dated_after_received_and_without_signer_are_errors(config, tmp_path):
    result, rel = _one(config, tmp_path, lambda d: ledger_book(d / "西安路.xlsx", config, "西安路街道", pledges=[
        pledge("桐竹社区", on="2017-09-01"), pledge("西安路街道", signer=None)]))
    p = problems_of(result, rel)
    assert "commitment_after_received" in set(p["code"])
    assert ((p["code"] == "required") & (p["column"] == "承诺人")).any()


def test_an_older_workbook_without_the_commitment_sheet_is_read_as_before(config, tmp_path):
    def build(d):
        path = ledger_book(d / "西安路.xlsx", config, "西安路街道",
                           inspections=[inspection("自检1号", "桐竹社区", nature="无问题", category=None, problem=None,
                                                   deadline=None)])
        wb = openpyxl.load_workbook(path)
        del wb["承诺书"]
        wb.save(path)
        return path
    result, rel = _one(config, tmp_path, build)
    assert manifest_row(result, rel)["结果"] == "已采用"
    assert "missing_sheet" not in set(problems_of(result, rel).get("code", pd.Series(dtype=str)))


def test_the_latest_register_is_in_force(config, tmp_path):
    inbox = tmp_path / "inbox"
    register(inbox / "2017-07-01" / "登记表.xlsx", config, [clue("XF-1", "桐竹社区")])
    register(inbox / "2017-08-01" / "登记表.xlsx", config, [clue("XF-1", "桐竹社区"), clue("XF-2", "桂乐社区")])
    result = run(config, inbox, tmp_path / "out", period=PERIOD, as_of=AS_OF)
    assert manifest_row(result, "2017-07-01/登记表.xlsx")["结果"] == "已被替代"
    assert list(table(result, "clues")["线索编号"]) == ["XF-1", "XF-2"]


@pytest.mark.skipif(__import__("shutil").which("soffice") is None, reason="LibreOffice is not installed")
def test_a_register_saved_by_a_spreadsheet_program_reads_the_same(config, tmp_path):
    import subprocess

    src = register(tmp_path / "src" / "信访举报登记表.xlsx", config, [
        clue("XF-1", "桐竹社区", accepted=dt.datetime(2017, 6, 12), closed="２０１７年７月２日"),
        clue("XF-2", "桂乐社区", channel="网络", status="在办", closed=None, verdict=None, action=None)])
    inbox = tmp_path / "inbox" / "2017-08-18"
    subprocess.run(["soffice", "--headless", "--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir", str(inbox),
                    str(src)], check=True, capture_output=True, timeout=180)
    result = run(config, tmp_path / "inbox", tmp_path / "out", period=PERIOD, as_of=AS_OF)
    assert manifest_row(result, "2017-08-18/信访举报登记表.xlsx")["结果"] == "已采用"
    clues = table(result, "clues").set_index("线索编号")
    assert clues.loc["XF-1", "受理日期"] == "2017-06-12" and clues.loc["XF-1", "办结日期"] == "2017-07-02"
    assert clues.loc["XF-2", "来源渠道"] == "网络"


def test_a_city_sized_recurrence_list_is_cut_to_the_places_to_check_first(campaign, config, tmp_path):
    """The sheet 一案双查 lists at most rollup_detail_rows places, not yet double-checked and most
    problems first; the line above it says how many more recurrence.csv holds."""
    import dataclasses

    from pipeline.publish.accountability import urgent_recurrence

    places = pd.DataFrame({"基层单位": ["甲社区", "乙社区", "丙社区", "丁社区"], "所属单位": ["西安路街道"] * 4,
                           "触发": ["易发多发"] * 4, "治理类别": ["工程建设"] * 4, "问题数": [3, 9, 5, 12],
                           "相关问题": [""] * 4, "已一案双查": ["否", "否", "否", "是"]})
    listed, total = urgent_recurrence(places, 2)
    assert total == 4 and list(listed["基层单位"]) == ["乙社区", "丙社区"]  # 丁社区 is already double-checked
    assert urgent_recurrence(places, 4)[0] is places

    small = dataclasses.replace(config, campaign=dataclasses.replace(
        config.campaign, limits={**config.campaign.limits, "rollup_detail_rows": 1}))
    result = run(small, campaign.out.parent.parent / "inbox", tmp_path / "out", period=PERIOD, as_of=AS_OF)
    assert len(table(result, "recurrence")) == 2  # the CSV keeps every place
    sheet = list(openpyxl.load_workbook(next(result.out.glob("*.xlsx")), read_only=True)["一案双查"].iter_rows(values_only=True))
    assert "共2条" in sheet[1][0] and "其余1条" in sheet[1][0] and "data/recurrence.csv" in sheet[1][0]
    assert [r[2] for r in sheet[3:] if r and r[0]] == ["易发多发"]  # 3 problems before the 2 that recurred


def test_a_bulletin_with_many_doubtful_commitments_names_a_few_and_points_to_the_list(config, tmp_path):
    """A city month: places in seven units committed though five problems of theirs were still open
    (all four of 西华街道's), clean places in twelve units never committed (all five of 营门口街道's).
    The bulletin describes five units' commitments, three a unit, three problems each, and names ten
    units missing one, three places a unit; the workbook's 承诺情况 and commitments.csv hold them all."""
    inbox = tmp_path / "inbox"
    units = [u.name for u in config.units if config.grassroots_of(u.name)]
    for n, unit in enumerate(units[:19]):
        places = config.grassroots_of(unit) if unit in ("西华街道", "营门口街道") else config.grassroots_of(unit)[:1]
        if n < 7:
            open_ = [inspection(f"自检{i}{k}号", place, on=D(2017, 6, k), category="作风和不作为",
                                problem=f"窗口推诿第{k}次", deadline=D(2017, 9, 30))
                     for i, place in enumerate(places) for k in range(1, 6)]
            ledger_book(inbox / "2017-08-15" / f"{unit}.xlsx", config, unit, inspections=open_,
                        pledges=[pledge(place, on="2017年6月20日") for place in places],
                        reports=[report("2017-08", inspected=len(places), found=len(open_))])
        else:
            clean = [inspection(f"自检{i}号", place, on=D(2017, 6, 5), nature="无问题", category=None, problem=None,
                                deadline=None) for i, place in enumerate(places, start=1)]
            ledger_book(inbox / "2017-08-15" / f"{unit}.xlsx", config, unit, inspections=clean,
                        reports=[report("2017-08", inspected=len(places), found=0, rectified=0)])
    result = run(config, inbox, tmp_path / "out", period=PERIOD, as_of=AS_OF)
    bulletin = next(result.out.glob("*.html")).read_text(encoding="utf-8")
    section = next(p for p in bulletin.split("<p") if "书面承诺方面" in p)
    assert "其中10份承诺后又发现问题" in section
    assert section.count("书面承诺无问题后") == 7 and section.count("，另有2个问题，承诺存疑") == 7
    assert "另有1份承诺存疑" in section  # 西华街道's fourth
    assert "另有2个单位的承诺存疑（清单见月度汇总“承诺情况”表）" in section
    assert "尚未作出书面承诺的基层单位16个：" in section and "等12个单位（清单见月度汇总“承诺情况”表）" in section
    assert "营门口街道（" in section and "等5处）" in section
    commitments = table(result, "commitments")
    assert (commitments["状态"] == "存疑").sum() == 10 and (commitments["状态"] == "缺承诺").sum() == 16
    assert all(len(refs.split(";")) == 5 for refs in commitments.loc[commitments["状态"] == "存疑", "相关问题"])


def test_evidence_is_listed_by_date_then_reference_however_the_checking_units_are_named():
    """Problems are quoted in the order of 检查时间 (unknown last), then of their reference as written
    (检查单位:编号), then of the ledger: also where one group's name begins another's, where a name holds a
    colon itself, or where a 编号 was typed as a number."""
    from pipeline.campaign.evidence import evidence_of

    def listed(by, number, on):
        items = pd.DataFrame({"单位": "西安路街道", "被检查单位": "桐竹社区", "检查单位": by, "编号": number,
                              "检查时间": on, "完成时间": None, "状态": "整改中", "治理类别": "违反八项规定",
                              "问题性质": "一般问题"})
        evidence = evidence_of(items)
        return [evidence.refs[i] for i in sorted(range(len(evidence.refs)), key=evidence.rank.__getitem__)]

    def as_written(by, number, on):  # the rule itself, one reference at a time
        refs = [f"{b}:{n}" for b, n in zip(by, number)]
        days = [pd.Timestamp(d) if d else pd.Timestamp.max for d in on]
        return [refs[i] for i in sorted(range(len(refs)), key=lambda i: (days[i], refs[i], i))]

    on = ["2017-06-02", None, "2017-06-01", "2017-06-02", "2017-06-02", None, "2017-06-02", "2017-06-02"]
    prefixed = (["第一组", "第一组1", "第一组", "第一组10", "第一组", "第一组1", "第一", "第一组1"],
                ["自检2号", "自检1号", "自检9号", "自检1号", "自检10号", "自检1号", "自检3号", "1"])
    colon = (["组:A", "组", "组:A", "组", "组:A", "组", "组", "组"], ["2", "A:1", "1", "A:3", "2", "1", "B", "A:2"])
    typed = (["第一组"] * 8, ["10", 9, "9", 10, "1", 2, "2", "10"])
    floats = (["第一组"] * 8, [1.0, 1, "1", 2.5, True, 0.0, -0.0, "10"])  # 1 and 1.0 are written differently
    for by, number in (prefixed, colon, typed, floats):
        assert listed(by, number, on) == as_written(by, number, on)
    # a blank side leaves the reference blank: listed after the written ones of the same day
    blank = listed(["第一组", None, "第二组"], pd.array(["1", "2", None], dtype="str"), ["2017-06-01"] * 3)
    assert blank[:1] == ["第一组:1"] and all(pd.isna(ref) for ref in blank[1:])


def test_recurrence_names_each_problem_and_category_of_a_place_once(config):
    """易发多发 lists every problem about a place and each of its categories once, as first met; a place
    whose problems have no category gets none. 反复发生 lists a place's problems in that category,
    the closed one first."""
    from pipeline.campaign.recurrence import build_recurrence

    def problem(number, place, category, on, done=None):
        return {"单位": "西安路街道", "被检查单位": place, "检查单位": "西安路街道", "编号": number, "检查时间": on,
                "完成时间": done, "状态": "已销号" if done else "整改中", "治理类别": category, "问题性质": "一般问题"}

    items = pd.DataFrame([
        problem("自检4号", "桂乐社区", None, D(2017, 4, 24)),  # the first place listed
        problem("自检5号", "桂乐社区", "", D(2017, 4, 25)),
        problem("自检6号", "桂乐社区", None, D(2017, 4, 26)),
        problem("自检1号", "桐明社区", "集体三资管理", D(2017, 5, 2), done=D(2017, 5, 20)),
        problem("自检2号", "桐明社区", "作风和不作为", D(2017, 5, 3)),
        problem("自检3号", "桐明社区", "集体三资管理", D(2017, 6, 1)),
    ])
    items["检查时间"], items["完成时间"] = pd.to_datetime(items["检查时间"]), pd.to_datetime(items["完成时间"])
    clues = pd.DataFrame(columns=["被反映单位", "核实结果", "一案双查", "治理类别", "线索编号", "办理状态"])
    rec = build_recurrence(items, clues, config).set_index(["基层单位", "触发"])
    assert rec.loc[("桐明社区", "易发多发"), "治理类别"] == "集体三资管理、作风和不作为"
    assert rec.loc[("桐明社区", "易发多发"), "相关问题"] == "西安路街道:自检1号;西安路街道:自检2号;西安路街道:自检3号"
    assert rec.loc[("桐明社区", "反复发生"), "相关问题"] == "西安路街道:自检1号;西安路街道:自检3号"
    assert rec.loc[("桂乐社区", "易发多发"), "治理类别"] == "" and rec.loc[("桂乐社区", "易发多发"), "问题数"] == 3


def test_a_unit_whose_grassroots_units_are_not_registered_is_not_queried_about_its_own_places(config, tmp_path):
    """A registry listing no grassroots units for a unit (as a city office's may at first) has nothing to check
    its places against: they are taken as written, in the 检查台账 and the 承诺书 alike (at city scale every
    row was queried, and every 承诺书 rejected). A place registered as another unit's is still queried."""
    bare = dataclasses.replace(config, grassroots=tuple(g for g in config.grassroots if g.owner != "西安路街道"))
    result, rel = _one(bare, tmp_path, lambda d: ledger_book(
        d / "西安路.xlsx", bare, "西安路街道", inspections=[inspection("自检1号", "幸福小区物业"),
                                                          inspection("自检2号", "青芙社区")],
        pledges=[pledge("幸福小区物业")]))
    p = problems_of(result, rel)
    assert list(p.loc[p["code"] == "grassroots_unlisted", "value"]) == ["青芙社区"]
    assert "commitment_unit_not_own" not in set(p["code"])
    assert manifest_row(result, rel)["结果"] == "已采用"
