"""Review of issue 7: the contract's rules for 承诺, 信访举报 and 一案双查 at their edges,
with workbooks built from the contract's labels alone (no template marker), as another office's tool would."""
from pathlib import Path

import openpyxl
import pandas as pd

from conftest import D, inspection, manifest_row, report, run
from test_accountability import clue, ledger_book, register
from test_confidentiality import output_texts

LEDGER = {
    "检查台账": ["编号", "检查时间", "被检查单位", "检查方式", "治理类别", "问题性质", "发现的问题", "整改建议", "整改时限",
             "整改责任人", "检查人员", "说明"],
    "整改台账": ["编号", "检查单位", "问题单位", "存在问题", "整改措施", "整改责任人及责任", "完成情况", "完成时间", "说明"],
    "月报表": ["报表月份", "受检基层单位数", "检查工作情况", "发现问题数", "发现问题情况", "整改完成数", "整改情况", "制度机制建设数",
            "制度机制建设情况"],
    "承诺书": ["承诺单位", "承诺人", "职务", "承诺日期", "承诺内容", "说明"],
}
REGISTER = ["线索编号", "受理日期", "来源渠道", "举报人", "联系方式", "被反映单位", "被反映人", "治理类别", "反映问题", "承办单位",
            "办理时限", "办理状态", "办结日期", "核实结果", "处理方式", "一案双查", "说明"]


def plain_book(path: Path, sheets: dict[str, list[dict]]) -> Path:
    """A workbook made from the contract's labels only: header in row 1, text as people type it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        labels = LEDGER.get(name) or REGISTER
        ws = wb.create_sheet(name)
        ws.append(labels)
        for row in rows:
            ws.append([row.get(label) for label in labels])
    wb.save(path)
    return path


def table(result, name: str) -> pd.DataFrame:
    return pd.read_csv(result.out / "data" / f"{name}.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")


def item(no, place, on, *, nature="一般问题", category="集体三资管理", method="自查自纠"):
    return {"编号": no, "检查时间": on, "被检查单位": place, "检查方式": method, "治理类别": category,
            "问题性质": nature, "发现的问题": None if nature == "无问题" else "集体资产出租未公开招租",
            "整改建议": None if nature == "无问题" else "公开招租",
            "整改时限": None if nature == "无问题" else "2017-09-30", "整改责任人": "王某", "检查人员": "李某"}


def fixed(no, done, status="已完成"):
    return {"编号": no, "存在问题": "集体资产出租未公开招租", "整改措施": "公开招租", "整改责任人及责任": "王某",
            "完成情况": status, "完成时间": done}


def test_doubt_edges_same_day_closed_by_then_and_clues(config, tmp_path):
    """Same-day problem → 存疑; closed exactly on the 承诺日期 → 有效; closed a day later → 存疑;
    a 不属实 clue → 有效, a 部分属实 clue → 存疑."""
    inbox = tmp_path / "inbox"
    plain_book(inbox / "2017-08-15" / "西华街道.xlsx", {
        "检查台账": [item("自检1号", "青芙社区", "2017-06-05"), item("自检2号", "谊青社区", "2017/6/5"),
                 item("自检3号", "安祥社区", "2017年6月1日", nature="无问题"),
                 item("自检4号", "谊永社区", "2017.6.2", nature="无问题")],
        "整改台账": [fixed("自检1号", "2017-06-28"), fixed("自检2号", "2017年6月29日")],
        "月报表": [],
        "承诺书": [{"承诺单位": "青芙社区", "承诺人": "赵某", "承诺日期": "２０１７年６月２８日"},
                {"承诺单位": "谊青社区", "承诺人": "钱某", "承诺日期": "2017-06-28"},
                {"承诺单位": "安祥社区", "承诺人": "孙某", "承诺日期": "20170628"},
                {"承诺单位": "谊永社区", "承诺人": "李某", "承诺日期": "2017/6/28"}],
    })
    plain_book(inbox / "2017-08-16" / "专项治理第二小组.xlsx", {
        "检查台账": [item("督查1号", "安祥社区", "2017-07-01", nature="无问题", method="专项督查")],
        "整改台账": [], "月报表": [],
    })
    register(inbox / "2017-08-18" / "信访举报登记表.xlsx", config, [
        clue("XF-1", "安祥社区", verdict="不属实", action="不予处理"),
        clue("XF-2", "谊永社区", verdict="部分属实", action="第一种形态"),
    ])
    # a problem found on the very day 青芙社区 committed... by another group
    plain_book(inbox / "2017-08-17" / "专项治理第三小组.xlsx", {
        "检查台账": [item("督查1号", "青芙社区", "2017-06-28", method="专项督查")], "整改台账": [], "月报表": []})
    result = run(config, inbox, tmp_path / "out", period="2017-08", as_of=D(2017, 8, 31))
    for f in ("2017-08-15/西华街道.xlsx", "2017-08-16/专项治理第二小组.xlsx", "2017-08-17/专项治理第三小组.xlsx"):
        assert manifest_row(result, f)["结果"] == "已采用", manifest_row(result, f)
    c = table(result, "commitments").set_index("承诺单位")
    assert c.loc["青芙社区", "状态"] == "存疑"
    assert c.loc["青芙社区", "相关问题"] == "专项治理第三小组:督查1号"  # 自检1号 was closed on the day itself
    assert c.loc["谊青社区", "状态"] == "存疑" and c.loc["谊青社区", "相关问题"] == "西华街道:自检2号"
    assert c.loc["安祥社区", "状态"] == "有效" and c.loc["安祥社区", "相关问题"] == ""
    assert c.loc["谊永社区", "状态"] == "存疑" and c.loc["谊永社区", "相关问题"] == "XF-2"
    assert c.loc["安祥社区", "承诺日期"] == "2017-06-28" and c.loc["谊永社区", "单位"] == "西华街道"
    u = table(result, "units").set_index("单位").loc["西华街道"]
    assert (u["承诺数"], u["承诺存疑数"], u["缺承诺数"]) == ("4", "3", "0")
    r = table(result, "ranking").set_index("单位").loc["西华街道"]
    assert r["通报类别"] == "点名批评" and "承诺" in r["理由"]


def _missing_case(config, tmp_path, as_of):
    inbox = tmp_path / "inbox"
    ledger_book(inbox / "2017-06-18" / "西安路.xlsx", config, "西安路街道", filled_on=D(2017, 6, 18), inspections=[
        inspection("自检1号", "桐竹社区", on="2017-06-05", nature="无问题", category=None, problem=None, deadline=None),
        inspection("自检2号", "桂乐社区", on="2017-06-06", nature="无问题", category=None, problem=None, deadline=None),
        inspection("自检3号", "桐明社区", on="2017-06-07", nature="无问题", category=None, problem=None, deadline=None),
    ], reports=[report("2017-06", inspected=3, found=0, rectified=0)])
    # a group found a problem at 桂乐社区: not "every item 无问题"
    ledger_book(inbox / "2017-06-19" / "一组.xlsx", config, "专项治理第一小组", filled_on=D(2017, 6, 19), inspections=[
        inspection("督查1号", "桂乐社区", on="2017-06-10", method="专项督查"),
        inspection("督查2号", "青芙社区", on="2017-06-10", method="专项督查", nature="无问题", category=None,
                   problem=None, deadline=None)])
    period = f"{as_of.year}-{as_of.month:02d}"
    return run(config, inbox, tmp_path / "out", period=period, as_of=as_of)


def test_missing_commitments_only_after_self_inspection_phase(config, tmp_path):
    during = _missing_case(config, tmp_path / "a", D(2017, 6, 30))
    assert table(during, "commitments").empty
    after = _missing_case(config, tmp_path / "b", D(2017, 7, 1))
    c = table(after, "commitments")
    assert sorted(c["承诺单位"]) == sorted(["桐竹社区", "桐明社区"]) and set(c["状态"]) == {"缺承诺"}
    assert set(c["单位"]) == {"西安路街道"}   # 青芙社区 was inspected clean by a group only: not its own unit
    assert table(after, "units").set_index("单位").loc["西安路街道", "缺承诺数"] == "2"


def test_clue_overdue_edges(config, tmp_path):
    inbox = tmp_path / "inbox"
    plain_book(inbox / "2017-08-20" / "登记表.xlsx", {"信访举报": [
        {"线索编号": "A1", "受理日期": "2017-07-01", "来源渠道": "来信", "被反映单位": "桐竹社区", "反映问题": "某事",
         "承办单位": "西安路街道", "办理时限": "2017-08-31", "办理状态": "在办"},                       # due on as-of: 否
        {"线索编号": "A2", "受理日期": "2017-07-01", "来源渠道": "来访", "被反映单位": "桐竹社区", "反映问题": "某事",
         "承办单位": "西安路街道", "办理时限": "2017/8/30", "办理状态": "待办"},                       # 是
        {"线索编号": "A3", "受理日期": "2017-07-01", "来源渠道": "电话", "被反映单位": "桂乐社区", "反映问题": "某事",
         "承办单位": "西安路", "办理时限": "2017-07-31", "办理状态": "已办结", "办结日期": "2017年7月31日",
         "核实结果": "不属实", "处理方式": "不予处理"},                                             # closed on the day: 否
        {"线索编号": "A4", "受理日期": "2017-07-01", "来源渠道": "网络", "被反映单位": "桂乐社区", "反映问题": "某事",
         "承办单位": "西安路街道", "办理时限": "2017-07-31", "办理状态": "已办结", "办结日期": "20170801",
         "核实结果": "属实", "处理方式": "第二种形态"},                                            # a day late: 是
        {"线索编号": "A5", "受理日期": "2017-07-01", "来源渠道": "其他", "被反映单位": "桐明社区", "反映问题": "某事",
         "承办单位": "专项治理第一小组", "办理状态": "在办"},                                          # no 时限: 否
    ]})
    result = run(config, inbox, tmp_path / "out", period="2017-08", as_of=D(2017, 8, 31))
    assert manifest_row(result, "2017-08-20/登记表.xlsx")["结果"] == "已采用"
    c = table(result, "clues").set_index("线索编号")
    assert c["超期"].to_dict() == {"A1": "否", "A2": "是", "A3": "否", "A4": "是", "A5": "否"}
    assert c.loc["A3", "承办单位"] == "西安路街道" and c.loc["A3", "办结日期"] == "2017-07-31"
    u = table(result, "units").set_index("单位")
    assert u.loc["西安路街道", "线索超期数"] == "2" and u.loc["西安路街道", "信访线索数"] == "5"
    assert u.loc["西安路街道", "属实线索数"] == "1"


def test_recurrence_edges(config, tmp_path):
    """Found on the very day the earlier one was closed: not 反复发生; the next day: 反复发生.
    易发多发 counts 属实 and 部分属实 clues, not 不属实 ones; 已一案双查 from any clue saying 是."""
    inbox = tmp_path / "inbox"
    plain_book(inbox / "2017-08-15" / "西安路街道.xlsx", {
        "检查台账": [item("自检1号", "桐竹社区", "2017-06-05"), item("自检2号", "桐竹社区", "2017-06-20"),
                 item("自检3号", "桂乐社区", "2017-06-05"), item("自检4号", "桂乐社区", "2017-06-21"),
                 item("自检5号", "桐明社区", "2017-06-05", category="工程建设"),
                 item("自检6号", "桐明社区", "2017-07-05", category="惠民政策和专项资金")],
        "整改台账": [fixed("自检1号", "2017-06-20"), fixed("自检2号", None, "整改中"),
                 fixed("自检3号", "2017-06-20"), fixed("自检4号", None, "整改中"),
                 fixed("自检5号", "2017-06-20"), fixed("自检6号", None, "整改中")],
        "月报表": [],
    })
    register(inbox / "2017-08-18" / "信访举报登记表.xlsx", config, [
        clue("XF-1", "桐明社区", verdict="不属实", action="不予处理", double="是"),
        clue("XF-2", "桐竹社区", verdict="部分属实", action="第一种形态"),
    ])
    result = run(config, inbox, tmp_path / "out", period="2017-08", as_of=D(2017, 8, 31))
    rec = table(result, "recurrence")
    again = rec[rec["触发"] == "反复发生"]
    assert list(again["基层单位"]) == ["桂乐社区"] and list(again["治理类别"]) == ["集体三资管理"]
    many = rec[rec["触发"] == "易发多发"].set_index("基层单位")
    assert list(many.index) == ["桐竹社区"]              # 2 items + 1 部分属实 clue; 桐明社区 2 items + a 不属实 clue
    assert many.loc["桐竹社区", "问题数"] == "3" and many.loc["桐竹社区", "已一案双查"] == "否"
    assert "XF-2" in many.loc["桐竹社区", "相关问题"].split(";")


def test_complainants_under_other_headers_or_with_a_remark_stay_secret(config, tmp_path):
    """A clerk heads the columns 举报人姓名 / 联系电话, writes “钟晓梅（退休教师）” and then the bare name in
    反映问题; a bad date makes the 回执 show the register's cells. Nothing may leak."""
    inbox = tmp_path / "inbox" / "2017-08-18"
    inbox.mkdir(parents=True)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "信访举报"
    labels = [{"举报人": "举报人姓名", "联系方式": "联系电话"}.get(x, x) for x in REGISTER]
    ws.append(labels)
    ws.append(["XF-1", "2017-13-45", "电话", "钟晓梅（退休教师）", 13912345678, "桐竹社区", "某某", "集体三资管理",
               "钟晓梅来电反映社区主任优亲厚友", "西安路街道", "2017-08-01", "在办", None, None, None, None, "滕淼焱代为反映"])
    ws.append(["XF-2", "2017-07-02", "来信", "滕淼焱", "028-87654321", "桂乐社区", "某某", "集体三资管理", "来信反映",
               "西安路街道", "2017-08-01", "在办", None, None, None, None, None])
    wb.save(inbox / "登记表.xlsx")
    result = run(config, tmp_path / "inbox", tmp_path / "out", period="2017-08", as_of=D(2017, 8, 31))
    assert manifest_row(result, "2017-08-18/登记表.xlsx")["结果"] == "已退回"   # the bad date
    leaked = [(where, s) for where, text in output_texts(tmp_path / "out")
              for s in ("钟晓梅", "滕淼焱", "13912345678", "87654321") if s in text]
    assert not leaked
    assert "unknown_column" not in {p["code"] for p in result.intake.by_rel()["2017-08-18/登记表.xlsx"].problems}


def test_a_phone_typed_as_a_number_is_masked_with_its_own_digits():
    from pipeline.intake.confidential import mask_value
    assert mask_value("联系方式", 13912345678.0) == "139****5678"
