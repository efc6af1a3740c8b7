"""The campaign calendar: milestone documents, statuses around deadlines, summaries, month against month."""
import datetime as dt
import io
import shutil
import subprocess

import pandas as pd
import pytest

from conftest import D, inspection, manifest_row, rectification, report, run, unit_workbook
from pipeline import ROOT
from pipeline.campaign.milestones import milestone_status
from pipeline.campaign.summary import phase_span
from pipeline.intake.documents import DOCUMENT_COLUMNS, classify
from pipeline.jobs.summary import run_summary, span_from_args


@pytest.mark.parametrize("name, unit, milestone, quarter", [
    ("西安路街道自查自纠阶段小结（2017年6月20日）.docx", "西安路街道", "自查自纠阶段小结", ""),
    ("关于西华街办专项治理“微腐败”工作实施方案的报告.pdf", "西华街道", "实施方案", ""),
    ("【驷马桥街道办事处】关于自查自纠工作情况的总结.docx", "驷马桥街道", "自查自纠阶段小结", ""),
    ("区住建局整改落实阶段总结 - 副本.docx", "区建设局", "整改落实阶段小结", ""),
    ("区卫计局关于报送整改方案的报告(2).doc", "区卫生局", "整改方案", ""),
    ("区房产管理局整改方案（1）.wps", "区房管局", "整改方案", ""),
    ("专项治理第三小组2017年第三季度工作报告.pdf", "专项治理第三小组", "季度报告", "2017Q3"),
    ("第二组二季度季报 2017.7.8.ofd", "专项治理第二小组", "季度报告", "2017Q2"),
    ("征地拆迁和旧城改造专项治理小组季报.jpg", "专项治理第三小组", "季度报告", ""),
])
def test_milestone_documents_are_recognised_by_realistic_names(config, name, unit, milestone, quarter):
    match = classify(name, config)
    assert (match.unit, match.milestone, match.quarter, match.reason) == (unit, milestone, quarter, "")


@pytest.mark.parametrize("name, says", [
    ("自查自纠阶段小结.docx", "没有可识别的单位名称"),
    ("西安路街道、西华街道联合整改方案.docx", "同时出现西安路街道、西华街道"),
    ("荷花池街道工作照片.jpg", "没有报送事项"),
])
def test_a_document_that_cannot_be_placed_says_how_to_name_it(config, name, says):
    match = classify(name, config)
    assert says in match.reason and "单位名称+事项" in match.reason


def _docs(*rows) -> pd.DataFrame:
    return pd.DataFrame([dict(zip(DOCUMENT_COLUMNS, r)) for r in rows], columns=DOCUMENT_COLUMNS)


def _status(config, docs, unit, what, as_of, quarter=""):
    table = milestone_status(docs, config, as_of)
    row = table[(table["单位"] == unit) & (table["事项"] == what) & (table["季度"] == quarter)]
    assert len(row) == 1
    return row.iloc[0]["状态"]


@pytest.mark.parametrize("what, due", [("实施方案", D(2017, 5, 25)), ("自查自纠阶段小结", D(2017, 6, 25)),
                                       ("整改方案", D(2017, 7, 10)), ("整改落实阶段小结", D(2017, 9, 25))])
def test_status_around_each_deadline(config, what, due):
    day = dt.timedelta(days=1)
    nothing = _docs()
    assert _status(config, nothing, "西安路街道", what, due - day) == "未到期"
    assert _status(config, nothing, "西安路街道", what, due) == "未到期"
    assert _status(config, nothing, "西安路街道", what, due + day) == "未报"
    on_due = _docs(("a.docx", due, "西安路街道", what, ""))
    assert _status(config, on_due, "西安路街道", what, due) == "按时"
    assert _status(config, on_due, "西安路街道", what, due - day) == "未到期"  # not yet received then
    late = _docs(("b.pdf", due + day, "西安路街道", what, ""))
    assert _status(config, late, "西安路街道", what, due + day) == "迟报"
    assert _status(config, late, "西安路街道", what, due) == "未到期"
    both = _docs(("late.pdf", due + day, "区教育局", what, ""), ("early.pdf", due - day, "区教育局", what, ""))
    assert _status(config, both, "区教育局", what, due + 10 * day) == "按时"


def test_quarterly_reports_are_due_the_tenth_after_each_quarter(config):
    table = milestone_status(_docs(), config, D(2017, 10, 11))
    group = table[(table["单位"] == "专项治理第一小组") & (table["事项"] == "季度报告")]
    assert group[["季度", "截止日期", "状态"]].values.tolist() == [
        ["2017Q2", "2017-07-10", "未报"], ["2017Q3", "2017-10-10", "未报"], ["2017Q4", "2018-01-10", "未到期"]]
    assert table[(table["单位"] == "西安路街道") & (table["事项"] == "季度报告")].empty
    named = _docs(("q3.pdf", D(2017, 10, 9), "专项治理第一小组", "季度报告", "2017Q3"),
                  ("q2.pdf", D(2017, 7, 12), "专项治理第一小组", "季度报告", ""))
    assert _status(config, named, "专项治理第一小组", "季度报告", D(2017, 10, 11), "2017Q2") == "迟报"
    assert _status(config, named, "专项治理第一小组", "季度报告", D(2017, 10, 11), "2017Q3") == "按时"


def test_an_unlabelled_quarterly_report_answers_the_quarter_just_ended(config):
    """A 季报 without a quarter in its name, sent on 10-8 while Q2's is still owed, is Q3's (on time)."""
    docs = _docs(("季度工作报告.docx", D(2017, 10, 8), "专项治理第一小组", "季度报告", ""))
    at = D(2017, 10, 11)
    assert _status(config, docs, "专项治理第一小组", "季度报告", at, "2017Q3") == "按时"
    assert _status(config, docs, "专项治理第一小组", "季度报告", at, "2017Q2") == "未报"
    early = _docs(("季报.docx", D(2017, 6, 28), "专项治理第一小组", "季度报告", ""))  # sent before Q2 ended
    assert _status(config, early, "专项治理第一小组", "季度报告", D(2017, 7, 11), "2017Q2") == "按时"


@pytest.fixture(scope="module")
def documents_month(config, tmp_path_factory):
    root = tmp_path_factory.mktemp("documents")
    inbox = root / "inbox"
    unit_workbook(inbox / "2017-06-15" / "西安路街道.xlsx", config, "西安路街道", [inspection("自检1号", "桐竹社区")],
                  reports=[report("2017-06", found=1, rectified=0)])
    for day, name in [("2017-05-24", "西安路街道关于专项治理“微腐败”工作的实施方案.docx"),
                      ("2017-06-28", "【西安路街办】自查自纠阶段小结（2017.6.28）.pdf"),
                      ("2017-05-25", "区教育局实施方案 - 副本.doc"),
                      ("2017-06-20", "自查自纠阶段小结.docx"),
                      ("2017-06-20", "西华街道、荷花池街道联合整改方案.docx")]:
        (inbox / day).mkdir(parents=True, exist_ok=True)
        (inbox / day / name).write_bytes(b"%PDF-1.4 placeholder, never opened")
    result = run(config, inbox, root / "out", period="2017-06", as_of=D(2017, 6, 30))
    return result


def test_documents_are_registered_with_unit_and_milestone(documents_month):
    row = manifest_row(documents_month, "2017-06-28/【西安路街办】自查自纠阶段小结（2017.6.28）.pdf")
    assert (row["结果"], row["单位"], row["说明"], row["回执"]) == ("已登记", "西安路街道", "报送事项：自查自纠阶段小结", "")
    assert manifest_row(documents_month, "2017-05-25/区教育局实施方案 - 副本.doc")["单位"] == "区教育局"
    nameless = manifest_row(documents_month, "2017-06-20/自查自纠阶段小结.docx")
    assert nameless["结果"] == "已忽略" and "没有可识别的单位名称" in nameless["说明"]
    two = manifest_row(documents_month, "2017-06-20/西华街道、荷花池街道联合整改方案.docx")
    assert two["结果"] == "已忽略" and "同时出现西华街道、荷花池街道" in two["说明"]


def test_milestones_csv_and_the_documents_still_owed(documents_month):
    table = pd.read_csv(documents_month.out / "data" / "milestones.csv", dtype=str, keep_default_na=False)
    assert list(table.columns[:6]) == ["单位", "事项", "截止日期", "状态", "收到日期", "文件"]
    mine = table[table["单位"] == "西安路街道"].set_index("事项")
    assert mine.loc["实施方案", ["状态", "收到日期"]].tolist() == ["按时", "2017-05-24"]
    assert mine.loc["自查自纠阶段小结", ["状态", "收到日期"]].tolist() == ["迟报", "2017-06-28"]
    assert mine.loc["整改方案", "状态"] == "未到期"
    assert table[(table["单位"] == "西华街道") & (table["事项"] == "实施方案")]["状态"].tolist() == ["未报"]
    chase = (documents_month.out / "催办清单.txt").read_text(encoding="utf-8")
    assert "【西华街道】报送事项" in chase and "实施方案（应于2017年5月25日前报送），尚未收到" in chase
    assert "【西安路街道】报送事项" not in chase


def test_bulletin_names_units_late_with_a_milestone(documents_month):
    html = next(documents_month.out.glob("*.html")).read_text(encoding="utf-8")
    assert "自查自纠阶段小结应于2017年6月25日前报送，迟报1个（西安路街道）" in html


def test_a_city_bulletin_names_the_first_units_of_a_long_list_and_says_where_the_rest_are(documents_month,
                                                                                          monkeypatch):
    """A district names every unit that owes a document; a city's 1,500 would fill pages, so past the
    first ones (here 3, 60 in use) the sentence says how many and which sheet lists them all."""
    from pipeline.publish import bulletin
    from pipeline.publish.campaign_calendar import milestone_sentences

    table = pd.read_csv(documents_month.out / "data" / "milestones.csv", dtype=str, keep_default_na=False)
    owed = table[(table["事项"] == "实施方案") & (table["状态"] == "未报")]
    assert len(owed) > 3
    whole = milestone_sentences(table, D(2017, 6, 30))
    assert any("、".join(owed["单位"]) in s for s in whole)
    monkeypatch.setattr(bulletin, "NAMED", 3)
    short = next(s for s in milestone_sentences(table, D(2017, 6, 30)) if s.startswith("实施方案"))
    assert f"仍未报送{len(owed)}个（{'、'.join(owed['单位'][:3])}等{len(owed)}个，全部名单见月度汇总“报送事项”表）" in short


# --- summaries -----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def june(config, tmp_path_factory):
    """A small month checked by hand: 西安路街道's own four findings, one group finding, and files
    received after 6-30 that the summary must see: a June inspection reported late, and closures
    reported late (one on or before 6-30, which counts, one after it, which does not)."""
    root = tmp_path_factory.mktemp("june")
    inbox = root / "inbox"
    xianlu = [  # 西安路街道's inspections, the same in its June workbook and its July update
        inspection("自检1号", "桐竹社区", on=D(2017, 6, 5)),
        inspection("自检2号", "桂乐社区", on=D(2017, 6, 12)),
        inspection("自检3号", "桂乐社区", on=D(2017, 6, 15), category="违反八项规定", nature="违纪违法"),
        inspection("自检4号", "桐竹社区", on=D(2017, 5, 28), category="工程建设"),
        inspection("自检5号", "桐明社区", on=D(2017, 6, 20), nature="无问题", problem=None, deadline=None,
                   responsible=None, category=None),
    ]
    unit_workbook(inbox / "2017-06-26" / "西安路街道.xlsx", config, "西安路街道", xianlu, [
        rectification("自检1号", done=D(2017, 6, 10)),
        rectification("自检2号", status="整改中", done=None),
        rectification("自检4号", done=D(2017, 6, 1)),
        rectification("督查1号", by="专项治理第一小组", done=D(2017, 6, 25), unit_with_problem="桐竹社区"),
    ])
    unit_workbook(inbox / "2017-06-23" / "专项治理第一小组.xlsx", config, "专项治理第一小组", [
        inspection("督查1号", "桐竹社区", on=D(2017, 6, 22), method="专项督查", category="集体三资管理",
                   nature="隐患风险")])
    unit_workbook(inbox / "2017-07-02" / "西华街道.xlsx", config, "西华街道", [
        inspection("自检1号", "青芙社区", on=D(2017, 6, 28)),
        inspection("自检2号", "青芙社区", on=D(2017, 7, 1))])
    unit_workbook(inbox / "2017-07-05" / "西安路街道（7月更新）.xlsx", config, "西安路街道", xianlu, [
        rectification("自检1号", done=D(2017, 6, 10)),
        rectification("自检2号", done=D(2017, 6, 29)),
        rectification("自检3号", done=D(2017, 7, 3)),
        rectification("自检4号", done=D(2017, 6, 1)),
        rectification("督查1号", by="专项治理第一小组", done=D(2017, 6, 25), unit_with_problem="桐竹社区"),
    ])
    span = span_from_args(config, D(2017, 6, 1), D(2017, 6, 30), None, None, None, None)
    out = run_summary(config, span, inbox, root / "out", as_of=D(2017, 7, 31), workers=1, log=io.StringIO())
    return out


def test_summary_counts_match_the_hand_count(june):
    assert june.name == "2017-06-01_2017-06-30"
    table = pd.read_csv(june / "data" / "summary.csv", dtype=str, keep_default_na=False)
    assert list(table.columns) == ["单位", "单位类型", "治理类别", "问题性质", "检查方式", "问题数", "已销号数"]
    assert table.values.tolist() == [
        ["西安路街道", "街道", "集体三资管理", "隐患风险", "专项督查", "1", "1"],
        ["西安路街道", "街道", "作风和不作为", "一般问题", "自查自纠", "2", "2"],
        ["西安路街道", "街道", "违反八项规定", "违纪违法", "自查自纠", "1", "0"],
        ["西华街道", "街道", "作风和不作为", "一般问题", "自查自纠", "1", "0"],
    ]  # 问题数 counts problems only, like 发现问题数: the 无问题 inspection has no row


def test_summary_workbook_and_word_say_the_same(june):
    import docx
    import openpyxl

    book = openpyxl.load_workbook(next(june.glob("*.xlsx")))
    assert {"总览", "分类统计", "自查与督查", "单位情况", "专项治理小组", "新发现问题", "期间销号"} <= set(book.sheetnames)
    units = {r[0]: r for r in book["单位情况"].iter_rows(min_row=4, values_only=True) if r[0]}
    assert units["西安路街道"][3:7] == (4, 3, 1, 3)  # 发现, 自查, 督查, 已销号
    groups = {r[0]: r for r in book["专项治理小组"].iter_rows(min_row=4, values_only=True) if r[0]}
    assert groups["专项治理第一小组"][1:4] == (1, 1, 1)
    text = "\n".join(p.text for p in docx.Document(str(next(june.glob("*.docx")))).paragraphs)
    assert "发现问题5个，其中违纪违法问题1个" in text
    assert "已整改销号3个，整改率60.0%" in text


# --- month against month -------------------------------------------------------------------

@pytest.fixture(scope="module")
def three_months(config, tmp_path_factory):
    root = tmp_path_factory.mktemp("three")
    inbox = root / "inbox"
    may = [inspection("自检1号", "青芙社区", on=D(2017, 5, 20)), inspection("自检2号", "谊青社区", on=D(2017, 5, 22))]
    june = may + [inspection("自检3号", "安祥社区", on=D(2017, 6, 10))]
    july = june + [inspection("自检4号", "谊永社区", on=D(2017, 7, 5), deadline=D(2017, 8, 31))]
    unit_workbook(inbox / "2017-05-28" / "西华街道_5月.xlsx", config, "西华街道", may,
                  reports=[report("2017-05", inspected=2, found=2, rectified=0)])
    unit_workbook(inbox / "2017-06-15" / "西华街道_6月.xlsx", config, "西华街道", june,
                  [rectification("自检1号", done=D(2017, 6, 12))], reports=[report("2017-06", inspected=3, found=3)])
    unit_workbook(inbox / "2017-07-15" / "西华街道_7月.xlsx", config, "西华街道", july,
                  [rectification(n, done=D(2017, 7, 10)) for n in ("自检1号", "自检2号", "自检3号")],
                  reports=[report("2017-07", inspected=4, found=4, rectified=3)])
    return run(config, inbox, root / "out", period="2017-07", as_of=D(2017, 7, 31))


def test_last_months_rate_is_rebuilt_from_the_same_inbox(three_months):
    units = pd.read_csv(three_months.out / "data" / "units.csv", dtype=str, keep_default_na=False).set_index("单位")
    assert units.loc["西华街道", ["整改率", "上月整改率"]].tolist() == ["0.75", "0.3333"]
    assert units.loc["西安路街道", "上月整改率"] == ""
    trend = pd.read_csv(three_months.out / "data" / "trend.csv", dtype=str, keep_default_na=False)
    assert trend[["月份", "发现问题数", "已销号数", "整改率"]].values.tolist() == [
        ["2017-05", "2", "0", "0.0"], ["2017-06", "3", "1", "0.3333"], ["2017-07", "4", "3", "0.75"]]
    assert trend["逾期未完成数"].tolist() == ["0", "0", "0"]


def test_past_months_are_reconciled_once_and_kept_for_later_runs(config, tmp_path, monkeypatch):
    """A unit resends its ledger every month: each past month has its own workbooks. Reconciled
    once, a past month's rates are kept (OUTBOX/.cache/trend) and the next run's trend is the same."""
    import pipeline.campaign.trend as trend_module

    inbox, out = tmp_path / "inbox", tmp_path / "out"
    may = [inspection("自检1号", "青芙社区", on=D(2017, 5, 20), deadline=D(2017, 6, 10))]
    june = may + [inspection("自检2号", "谊青社区", on=D(2017, 6, 10))]
    unit_workbook(inbox / "2017-05-28" / "西华街道_5月.xlsx", config, "西华街道", may)
    unit_workbook(inbox / "2017-06-15" / "西华街道_6月.xlsx", config, "西华街道", june,
                  [rectification("自检1号", done=D(2017, 6, 12))])
    unit_workbook(inbox / "2017-07-15" / "西华街道_7月.xlsx", config, "西华街道", june,
                  [rectification(n, done=D(2017, 7, 10)) for n in ("自检1号", "自检2号")])
    rebuilt = []
    real = trend_module.items_as_of
    monkeypatch.setattr(trend_module, "items_as_of", lambda *a: rebuilt.append(a[-1]) or real(*a))

    first = run(config, inbox, out, period="2017-08", as_of=D(2017, 8, 31))
    assert rebuilt == [D(2017, 5, 31), D(2017, 6, 30)]  # July and August: every workbook had arrived
    expected = (first.out / "data" / "trend.csv").read_bytes()
    trend = pd.read_csv(first.out / "data" / "trend.csv", dtype=str, keep_default_na=False)
    assert trend[["月份", "发现问题数", "已销号数", "整改率", "逾期未完成数"]].values.tolist() == [
        ["2017-05", "1", "0", "0.0", "0"], ["2017-06", "2", "1", "0.5", "0"], ["2017-07", "2", "2", "1.0", "0"],
        ["2017-08", "2", "2", "1.0", "0"]]

    rebuilt.clear()
    again = run(config, inbox, out, period="2017-08", as_of=D(2017, 8, 31))
    assert rebuilt == [] and (again.out / "data" / "trend.csv").read_bytes() == expected

    kept = sorted((out / ".cache" / "trend").rglob("*.json"))
    assert len(kept) == 2
    kept[0].write_text("{not json", encoding="utf-8")  # a damaged entry is made again
    again = run(config, inbox, out, period="2017-08", as_of=D(2017, 8, 31))
    assert len(rebuilt) == 1 and (again.out / "data" / "trend.csv").read_bytes() == expected

    unit_workbook(inbox / "2017-06-20" / "西华街道_6月补报.xlsx", config, "西华街道", june,
                  [rectification(n, done=D(2017, 6, 18)) for n in ("自检1号", "自检2号")])
    rebuilt.clear()  # a workbook found late for June: June is reconciled again, May is not
    again = run(config, inbox, out, period="2017-08", as_of=D(2017, 8, 31))
    assert rebuilt == [D(2017, 6, 30)]
    trend = pd.read_csv(again.out / "data" / "trend.csv", dtype=str, keep_default_na=False)
    assert trend.loc[trend["月份"] == "2017-06", ["已销号数", "整改率"]].values.tolist() == [["2", "1.0"]]


def test_overdue_by_month_counts_each_month_end_against_the_deadline_judged_then(config, tmp_path):
    """Months after the last workbook arrived reuse this month's items, judged on each month end."""
    inbox = tmp_path / "inbox"
    may = [inspection("自检1号", "青芙社区", on=D(2017, 5, 20), deadline=D(2017, 7, 10))]
    # July: the deadline moved without a 说明 (still judged against 7月10日), a new item due in June
    july = [inspection("自检1号", "青芙社区", on=D(2017, 5, 20), deadline=D(2017, 8, 31)),
            inspection("自检2号", "谊青社区", on=D(2017, 6, 1), deadline=D(2017, 6, 15)),
            inspection("自检3号", "安祥社区", on=D(2017, 6, 2), deadline=D(2017, 9, 15))]
    unit_workbook(inbox / "2017-05-28" / "西华街道_5月.xlsx", config, "西华街道", may)
    unit_workbook(inbox / "2017-07-05" / "西华街道_7月.xlsx", config, "西华街道", july)
    result = run(config, inbox, tmp_path / "out", period="2017-09", as_of=D(2017, 9, 30))
    trend = pd.read_csv(result.out / "data" / "trend.csv", dtype=str, keep_default_na=False)
    assert trend[["月份", "发现问题数", "逾期未完成数"]].values.tolist() == [
        ["2017-05", "1", "0"], ["2017-06", "1", "0"], ["2017-07", "3", "2"], ["2017-08", "3", "2"],
        ["2017-09", "3", "3"]]
    units = pd.read_csv(result.out / "data" / "units.csv", dtype=str, keep_default_na=False).set_index("单位")
    assert units.loc["西华街道", "逾期数"] == "3"


def test_bulletin_says_how_much_the_rate_rose(three_months):
    html = next(three_months.out.glob("*.html")).read_text(encoding="utf-8")
    assert "全区整改率由33.3%变为75.0%，较上月提高41.7个百分点" in html


def test_rollup_has_the_milestone_sheet_and_the_trend(three_months):
    import openpyxl

    book = openpyxl.load_workbook(next(three_months.out.glob("*.xlsx")))
    assert "报送事项" in book.sheetnames
    overview = book["总览"]
    months = [overview.cell(row=r, column=10).value for r in range(60, 63)]
    assert months == ["5月", "6月", "7月"]


# --- make phase on the demo ----------------------------------------------------------------

def test_make_phase_on_the_demo_writes_a_workbook_and_a_docx_that_open(config, tmp_path):
    from pipeline.jobs.demo import build_demo_inbox

    inbox = tmp_path / "inbox"
    build_demo_inbox(config, inbox)
    done = subprocess.run(["make", "-s", "phase", "PHASE=自查自纠", f"INBOX={inbox}", f"OUTBOX={tmp_path / 'out'}"],
                          cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    span = phase_span(config, "自查自纠")
    folder = tmp_path / "out" / "summaries" / f"{span.start}_{span.end}"
    book, word = next(folder.glob("*.xlsx")), next(folder.glob("*.docx"))
    assert pd.read_csv(folder / "data" / "summary.csv")["问题数"].sum() > 0
    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip("LibreOffice not installed")
    for path, sub in ((book, "xlsx"), (word, "docx")):
        target = tmp_path / f"pdf_{sub}"
        subprocess.run([soffice, f"-env:UserInstallation=file://{tmp_path}/lo", "--headless", "--convert-to", "pdf",
                        "--outdir", str(target), str(path)], capture_output=True, timeout=300)
        pdf = next(target.glob("*.pdf"))
        assert pdf.read_bytes()[:5] == b"%PDF-" and pdf.stat().st_size > 5000
