"""社会评价 and fair naming: Wilson intervals, funnel limits, survey exports as the office receives them."""
from __future__ import annotations

import pickle
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import xlsxwriter

from pipeline import ROOT
from pipeline.campaign.survey import distinct_responses, survey_table, wilson
from pipeline.intake.parse import read_context
from pipeline.ledger.funnel import below_funnel, binom_cdf, lower_limit, upper_limit
from pipeline.ledger.rank import rank_units
from tests.conftest import D, feedback_rows, manifest_row, problems_of, run

# --- the statistics, against values worked by hand -------------------------------------------


@pytest.mark.parametrize("p, n, low, high", [
    (0.8, 10, 0.4902, 0.9433),   # 8 of 10
    (0.5, 100, 0.4038, 0.5962),  # 50 of 100
    (0.0, 10, 0.0, 0.2775),      # none of 10: the interval still reaches 28 %
    (1.0, 20, 0.8389, 1.0),      # all of 20
])
def test_wilson_interval_known_values(p, n, low, high):
    got = wilson(p, n)
    assert round(got[0], 4) == low and round(got[1], 4) == high


def test_funnel_limits_match_hand_computation():
    # Binomial(10, 0.5): F(1) = 11/1024, F(2) = 56/1024; the 2.5 % point lies between 1 and 2 problems closed:
    # α = (56/1024 − 0.025) / (45/1024) = 30.4/45, lower limit = (2 − α)/10 = 59.6/450
    assert binom_cdf(1, 10, 0.5) == pytest.approx(11 / 1024)
    assert binom_cdf(2, 10, 0.5) == pytest.approx(56 / 1024)
    assert lower_limit(0.5, 10) == pytest.approx(59.6 / 450)
    assert upper_limit(0.5, 10) == pytest.approx(1 - 59.6 / 450)  # symmetric at 50 %
    assert below_funnel(1, 10, 0.5) and not below_funnel(2, 10, 0.5)
    # 0 of 3 against 70 %: P = 0.3³ = 0.027 ≥ 2.5 %, inside the funnel (the normal approximation's
    # limit 0.7 − 1.96·√(0.21/3) = 18 % would have named it)
    assert binom_cdf(0, 3, 0.7) == pytest.approx(0.027)
    assert not below_funnel(0, 3, 0.7)
    assert lower_limit(0.7, 3) == 0.0
    # the limit closes in on the average as problems grow
    assert lower_limit(0.8, 20) < lower_limit(0.8, 100) < lower_limit(0.8, 1000) < 0.8


def _unit(name, typ, found, closed, **extra):
    row = dict(单位=name, 单位类型=typ, 受检基层单位数=5, 发现问题数=found, 已销号数=closed,
               整改率=round(closed / found, 4) if found else None, 逾期数=0, 月报报送="按时", 月报收到日期="2017-06-15",
               月报与台账一致="是", 月报差异="", 退回次数=0, 未说明疑问数=0)
    row.update(extra)
    return row


def _ranked(config, rows):
    ranking = rank_units(pd.DataFrame(rows), config, D(2017, 6, 30))
    return ranking.set_index("单位")


def test_small_unit_with_very_low_rate_is_not_named(config):
    rows = [_unit(f"街道{i}", "街道", 20, 16) for i in range(8)] + [_unit("小街道", "街道", 4, 1)]
    ranking = _ranked(config, rows)
    small = ranking.loc["小街道"]
    assert small["通报类别"] != "点名批评"
    assert small["低于漏斗下限"] == "否"
    assert "漏斗" not in small["理由"]


def test_large_unit_clearly_below_the_funnel_is_named_with_its_figures(config):
    rows = [_unit(f"街道{i}", "街道", 20, 18) for i in range(8)] + [_unit("大街道", "街道", 60, 30)]
    ranking = _ranked(config, rows)
    big = ranking.loc["大街道"]
    assert big["通报类别"] == "点名批评"
    assert big["低于漏斗下限"] == "是"
    pooled = (8 * 18 + 30) / (8 * 20 + 60)
    assert big["同类整改率"] == pytest.approx(pooled, abs=1e-4)
    assert big["漏斗下限"] == pytest.approx(lower_limit(pooled, 60), abs=1e-4)
    assert f"整改率50%（30/60），低于同类平均整改率{pooled * 100:.0f}%" in big["理由"]
    assert f"95%漏斗下限{lower_limit(pooled, 60) * 100:.0f}%" in big["理由"]
    # a unit below the average but inside its funnel is not named for its rate
    rows[0] = _unit("街道0", "街道", 20, 13)
    assert _ranked(config, rows).loc["街道0", "通报类别"] != "点名批评"


def test_survey_component_uses_the_lower_bound_and_skips_small_samples(config):
    rows = [_unit("甲街道", "街道", 10, 9, 问卷样本数=200, 满意率=0.9, 满意率下限=0.85),
            _unit("乙街道", "街道", 10, 9, 问卷样本数=5, 满意率=1.0, 满意率下限=0.57)]
    ranking = _ranked(config, rows)
    assert ranking.loc["甲街道", "社会评价分"] == 85.0
    assert ranking.loc["乙街道", "按社会评价评分"] == "否"
    assert ranking.loc["乙街道", "社会评价分"] == 85.0  # the type's average
    assert "问卷样本5份，不足30份，社会评价按同类平均计" in ranking.loc["乙街道", "理由"]


def test_a_respondent_row_in_two_exports_counts_once():
    rows = pd.DataFrame([
        {"_file": "a.xlsx", "_row": 1, "单位": "西华街道", "_key": "r1", "满意数": 1, "答案数": 1},
        {"_file": "a.xlsx", "_row": 2, "单位": "西华街道", "_key": "same", "满意数": 1, "答案数": 1},
        {"_file": "a.xlsx", "_row": 3, "单位": "西华街道", "_key": "same", "满意数": 1, "答案数": 1},
        {"_file": "b.xlsx", "_row": 1, "单位": "西华街道", "_key": "r1", "满意数": 1, "答案数": 1},
        {"_file": "b.xlsx", "_row": 2, "单位": "西华街道", "_key": "same", "满意数": 1, "答案数": 1},
        {"_file": "b.xlsx", "_row": 3, "单位": "西华街道", "_key": "r4", "满意数": 0, "答案数": 1},
    ])
    # r1 repeated by the later export; "same" twice in one export = two people who answered alike
    assert len(distinct_responses(rows)) == 4
    table = survey_table(rows)
    assert table.to_dict("records") == [{"单位": "西华街道", "样本数": 4, "满意率": 0.75,
                                         "下限": round(wilson(0.75, 4)[0], 4), "上限": round(wilson(0.75, 4)[1], 4)}]


# --- survey exports in the inbox ---------------------------------------------------------------

QUESTIONS = ["您对该单位工作人员服务态度是否满意", "您对该单位办事效率的评价（1-5分）"]


def survey_export(path: Path, rows: list[list], header=("序号", "被评价单位", "调查日期", *QUESTIONS)) -> Path:
    """An online survey tool's export: one sheet 问卷, a row per respondent."""
    path.parent.mkdir(parents=True, exist_ok=True)
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("问卷")
    ws.write_row(0, 0, header)
    for r, row in enumerate(rows, start=1):
        ws.write_row(r, 0, row)
    wb.close()
    return path


def test_survey_exports_accumulate_and_count_each_respondent_once(tmp_path, config):
    inbox = tmp_path / "inbox"
    first = [[1, "西华街道", "2017-06-05", "满意", 5], [2, "西华街道", "2017-06-05", "不满意", 2],
             [3, "桐竹社区", "2017-06-06", "基本满意", 3], [4, "西安路街道", "2017-06-06", "满意", 4]]
    survey_export(inbox / "2017-06-10" / "问卷导出_第1周.xlsx", first)
    # the next export repeats respondent 2 and adds two new ones; the first file is also forwarded again
    second = [first[1], [5, "西华街道", "2017-06-12", "满意", 4], [6, "西华街道", "2017-06-12", "不满意", 1]]
    survey_export(inbox / "2017-06-17" / "问卷导出_第2周.xlsx", second)
    shutil.copy(inbox / "2017-06-10" / "问卷导出_第1周.xlsx", inbox / "2017-06-17" / "问卷导出_第1周.xlsx")

    result = run(config, inbox, tmp_path / "out")
    for name in ("2017-06-10/问卷导出_第1周.xlsx", "2017-06-17/问卷导出_第2周.xlsx"):
        row = manifest_row(result, name)
        assert (row["结果"], row["单位"], row["错误数"]) == ("已采用", "问卷调查", 0)
        assert row["回执"]
    assert manifest_row(result, "2017-06-17/问卷导出_第1周.xlsx")["结果"] == "重复文件"

    survey = pd.read_csv(result.out / "data" / "survey.csv", encoding="utf-8-sig").set_index("单位")
    assert list(survey.columns) == ["样本数", "满意率", "下限", "上限"]
    # 西华街道: respondents 1, 2, 5, 6 (2 counted once); answers 满意,5 / 不满意,2 / 满意,4 / 不满意,1
    assert survey.loc["西华街道", "样本数"] == 4
    assert survey.loc["西华街道", "满意率"] == 0.5
    assert survey.loc["西华街道", "下限"] == round(wilson(0.5, 4)[0], 4)
    # 桐竹社区 belongs to 西安路街道
    assert survey.loc["西安路街道", "样本数"] == 2 and survey.loc["西安路街道", "满意率"] == 1.0
    units = result.units.set_index("单位")
    assert units.loc["西华街道", "问卷样本数"] == 4 and units.loc["人民北路街道", "问卷样本数"] == 0


def test_the_ranking_sheet_explains_its_formula_and_draws_the_funnel(tmp_path, config):
    import openpyxl

    from tests.conftest import inspection, rectification, report, unit_workbook

    inbox = tmp_path / "inbox"
    for name, found, closed in (("西华街道", 10, 8), ("西安路街道", 6, 5)):
        unit_workbook(inbox / "2017-06-15" / f"{name}.xlsx", config, name,
                      [inspection(f"自检{i}号", config.grassroots_of(name)[0]) for i in range(1, found + 1)],
                      [rectification(f"自检{i}号") for i in range(1, closed + 1)],
                      [report(found=found, rectified=closed)])
    result = run(config, inbox, tmp_path / "out")
    ws = openpyxl.load_workbook(next(result.out.glob("全区*.xlsx")))["排名"]
    assert ws["A2"].value.startswith("得分 =（整改率×0.35") and "漏斗下限" in ws["A2"].value
    assert len(ws._charts) == 1  # one funnel chart per type with problems (only 街道 here)


def test_unknown_rated_unit_is_an_error_at_its_cell(tmp_path, config):
    inbox = tmp_path / "inbox"
    survey_export(inbox / "2017-06-10" / "问卷.xlsx", [[1, "西华街道", "2017-06-05", "满意", 5],
                                                      [2, "幸福街道", "2017-06-05", "满意", 5]])
    result = run(config, inbox, tmp_path / "out")
    assert manifest_row(result, "2017-06-10/问卷.xlsx")["结果"] == "已退回"
    problems = problems_of(result, "2017-06-10/问卷.xlsx")
    bad = problems[problems["code"] == "survey_unit_unknown"].iloc[0]
    assert (bad["severity"], bad["sheet"], bad["cell"], bad["value"]) == ("错误", "问卷", "B3", "幸福街道")
    assert any(r[2] == "B3" and r[5] == "错误" for r in feedback_rows(result, "2017-06-10/问卷.xlsx"))
    assert (result.out / "data" / "survey.csv").exists()


def test_answer_off_the_scale_is_a_query_and_not_counted(tmp_path, config):
    inbox = tmp_path / "inbox"
    survey_export(inbox / "2017-06-10" / "问卷.xlsx", [[1, "西华街道", "2017-06-05", "满意", 5],
                                                      [2, "西华街道", "2017-06-05", "满意", 7],
                                                      [3, "西华街道", "2017-06-06", "不满意", 4]])
    result = run(config, inbox, tmp_path / "out")
    row = manifest_row(result, "2017-06-10/问卷.xlsx")
    assert (row["结果"], row["疑问数"], row["错误数"]) == ("已采用", 1, 0)
    query = problems_of(result, "2017-06-10/问卷.xlsx").iloc[0]
    assert (query["code"], query["severity"], query["cell"], query["value"]) == ("survey_answer_off_scale", "疑问", "E3", "7")
    survey = pd.read_csv(result.out / "data" / "survey.csv", encoding="utf-8-sig").set_index("单位")
    assert survey.loc["西华街道", "样本数"] == 3
    assert survey.loc["西华街道", "满意率"] == 0.8  # 4 of the 5 answers on the scale


def test_reading_a_survey_export_loads_neither_pandas_nor_pandera_in_the_reader(tmp_path, config):
    """A reader worker holds only plain Python: the survey's answer scale comes with the read
    context, so the month's first survey export does not cost a worker pandera's second of start."""
    path = survey_export(tmp_path / "问卷.xlsx", [[1, "西华街道", "2017-06-05", "满意", 5]])
    context = read_context(config)
    probe = ("import pickle, sys; from pipeline.intake.parse import read_submission; "
             "context, data = pickle.load(sys.stdin.buffer); "
             "book = read_submission({'data': data, 'ext': '.xlsx', 'file': '问卷.xlsx'}, context); "
             "print(book['kind'], sorted(m for m in ('pandas', 'pandera', 'schemas', 'numpy') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", probe], input=pickle.dumps((context, path.read_bytes())),
                          capture_output=True, cwd=ROOT, check=True)
    assert done.stdout.decode().split(maxsplit=1) == ["问卷调查", "[]\n"]


def test_who_answered_is_masked_in_the_surveys_own_feedback_and_kept_nowhere(tmp_path, config):
    """A survey tool's export names its respondents (姓名, 手机号). The office's 回执 for the file copies
    the marked sheet, so those columns show as 钟** and 139****5678 there; no output holds them. A
    question that mentions a 电话 is still a question, read and shown as answered."""
    import openpyxl

    from tests.test_confidentiality import leaks

    inbox = tmp_path / "inbox"
    hotline = "您对12345热线电话办理结果是否满意"
    header = ("序号", "姓名", "手机号", "被评价单位", "调查日期", hotline, QUESTIONS[1])
    survey_export(inbox / "2017-06-10" / "问卷.xlsx", [
        # 9: off the scale, so each row is marked and shown in the 回执's copy of the sheet
        [1, "钟晓梅", "13912345678", "西华街道", "2017-06-05", "满意", 9],
        [2, "邝燚鑫", 13700001111, "西华街道", "2017-06-05", "不满意", 9],
    ], header=header)
    result = run(config, inbox, tmp_path / "out")
    row = manifest_row(result, "2017-06-10/问卷.xlsx")
    assert (row["结果"], row["疑问数"], row["错误数"]) == ("已采用", 2, 0)
    survey = pd.read_csv(result.out / "data" / "survey.csv", encoding="utf-8-sig").set_index("单位")
    assert survey.loc["西华街道", "样本数"] == 2 and survey.loc["西华街道", "满意率"] == 0.5

    marked = openpyxl.load_workbook(result.out / row["回执"])["问卷"]
    shown = [[cell.value for cell in r] for r in marked.iter_rows()]
    assert shown[1][1:3] == ["钟**", "139****5678"] and shown[2][1:3] == ["邝**", "137****1111"]
    assert shown[0][5] == hotline and shown[1][5] == "满意"
    assert not leaks(tmp_path / "out", ["钟晓梅", "邝燚鑫"], ["13912345678", "13700001111"])


def test_a_nickname_that_is_a_word_of_a_question_leaves_the_question_whole(tmp_path, config):
    """A survey tool names respondents by their WeChat nickname, and 服务 is a word of the first
    question. The respondent's cell is masked; the question's heading in the 回执 is the survey's,
    not what anyone typed about a person, and shows whole."""
    import openpyxl

    inbox = tmp_path / "inbox"
    header = ("序号", "昵称", "被评价单位", "调查日期", *QUESTIONS)
    survey_export(inbox / "2017-06-10" / "问卷.xlsx", [[1, "服务", "西华街道", "2017-06-05", "满意", 9]], header=header)
    result = run(config, inbox, tmp_path / "out")
    row = manifest_row(result, "2017-06-10/问卷.xlsx")
    assert (row["结果"], row["疑问数"]) == ("已采用", 1)
    shown = [[cell.value for cell in r] for r in openpyxl.load_workbook(result.out / row["回执"])["问卷"].iter_rows()]
    assert shown[0][4:6] == QUESTIONS and shown[1][1] == "服**"


def test_a_caption_above_the_survey_header_leaves_its_respondents_masked(tmp_path, config):
    """A caption row above the export's header names 被评价单位： and 调查日期： as well. The header is the
    row below it (the tool's 序号, 姓名, 手机号 tell it), so 姓名 and 手机号 are still who answered: masked
    in the 回执, and scored nowhere."""
    import openpyxl

    from tests.test_confidentiality import leaks

    path = tmp_path / "inbox" / "2017-06-10" / "问卷.xlsx"
    path.parent.mkdir(parents=True)
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("问卷")
    ws.write_row(0, 0, ["被评价单位：", "西华街道", "调查日期：", "2017-06-05"])
    ws.write_row(1, 0, ["序号", "姓名", "手机号", "被评价单位", "调查日期", QUESTIONS[0], QUESTIONS[1]])
    ws.write_row(2, 0, [1, "邝燚鑫", "13700001111", "西华街道", "2017-06-05", "满意", 9])  # 9: a 疑问, shown
    wb.close()
    result = run(config, tmp_path / "inbox", tmp_path / "out")
    row = manifest_row(result, "2017-06-10/问卷.xlsx")
    assert (row["结果"], row["疑问数"], row["错误数"]) == ("已采用", 1, 0)
    shown = [[c.value for c in r] for r in openpyxl.load_workbook(result.out / row["回执"])["问卷"].iter_rows()]
    assert shown[2][1:3] == ["邝**", "137****1111"] and shown[1][5:7] == QUESTIONS
    assert not leaks(tmp_path / "out", ["邝燚鑫"], ["13700001111"])


def test_a_second_export_pasted_below_the_first_does_not_become_the_header(tmp_path, config):
    """Someone pastes a second export, with its header and one more column (提交答卷时间), under the
    first in the same sheet. The first row is still the header: the second header is a row of errors
    to fix, and every respondent, above it or below, is masked in the 回执."""
    from tests.test_confidentiality import leaks

    head = ("序号", "姓名", "手机号", "被评价单位", "调查日期", *QUESTIONS)
    survey_export(tmp_path / "inbox" / "2017-06-10" / "问卷.xlsx", [
        [1, "钟晓梅", "13912345678", "西华街道", "2017-06-05", "满意", 9],
        [2, "钟晓兰", "13912340000", "西华街道", "2017-06-05", "满意", 5],
        [*head, "提交答卷时间"],
        [1, "邝燚鑫", "13700001111", "西华街道", "2017-06-06", "满意", 9, "2017-06-06 10:00:05"]], header=head)
    result = run(config, tmp_path / "inbox", tmp_path / "out")
    problems = problems_of(result, "2017-06-10/问卷.xlsx")
    assert "A4" in set(problems["cell"]) or "D4" in set(problems["cell"])  # the pasted header is a row of errors
    assert not leaks(tmp_path / "out", ["钟晓梅", "钟晓兰", "邝燚鑫"], ["13912345678", "13912340000", "13700001111"])


def test_an_answer_sheet_exported_twice_into_one_file_counts_once(tmp_path, config):
    """Row 3 repeats row 2 down to its 序号: the same answer sheet, counted once and queried at its
    序号. Rows alike in an export without answer numbers are people who answered alike: both count."""
    inbox = tmp_path / "inbox"
    survey_export(inbox / "2017-06-10" / "问卷_第1周.xlsx", [
        [7, "西华街道", "2017-06-05", "不满意", 1], [7, "西华街道", "2017-06-05", "不满意", 1],
        [8, "西华街道", "2017-06-05", "满意", 5]])
    survey_export(inbox / "2017-06-11" / "问卷_纸质.xlsx", [
        ["西安路街道", "2017-06-06", "满意", 5], ["西安路街道", "2017-06-06", "满意", 5]],
        header=("被评价单位", "调查日期", *QUESTIONS))
    result = run(config, inbox, tmp_path / "out")
    row = manifest_row(result, "2017-06-10/问卷_第1周.xlsx")
    assert (row["结果"], row["疑问数"], row["错误数"]) == ("已采用", 1, 0)
    query = problems_of(result, "2017-06-10/问卷_第1周.xlsx").iloc[0]
    assert (query["code"], query["severity"], query["cell"]) == ("survey_duplicate_row", "疑问", "A3")
    assert "与第2行相同" in query["message"]
    assert manifest_row(result, "2017-06-11/问卷_纸质.xlsx")["疑问数"] == 0
    survey = pd.read_csv(result.out / "data" / "survey.csv", encoding="utf-8-sig").set_index("单位")
    assert survey.loc["西华街道", "样本数"] == 2 and survey.loc["西华街道", "满意率"] == 0.5
    assert survey.loc["西安路街道", "样本数"] == 2


def test_respondent_columns_headed_as_people_head_them_are_masked_and_not_scored(tmp_path, config):
    """A two-row header whose 序号 and 姓名 cells are merged down from the row above, a 手机号码： with
    its colon, a 联系电话（选填） and a question 9、请留下您的联系方式: all are who answered, masked in the
    回执, and none is scored (their numbers are not queried as answers off the scale). A respondent's
    name written into an answer is masked in the 疑问 it raises, wherever that is listed."""
    import openpyxl

    from tests.test_confidentiality import leaks, short_numbers

    path = tmp_path / "inbox" / "2017-06-10" / "问卷.xlsx"
    path.parent.mkdir(parents=True)
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("问卷")
    ws.merge_range("A1:A2", "序号")
    ws.merge_range("B1:B2", "*姓名")
    ws.merge_range("C1:F1", "答卷信息")
    ws.write_row(1, 2, ["手机号码：", "联系电话（选填）", "被评价单位", "调查日期"])
    ws.merge_range("G1:I1", "满意度")
    ws.write_row(1, 6, [*QUESTIONS, "9、请留下您的联系方式"])
    ws.write_row(2, 0, [1, "钟晓梅", "13912345678", "87654321", "西华街道", "2017-06-05", "满意", 9, 66554433])
    ws.write_row(3, 0, [2, "邝燚鑫", "13700001111", "", "西华街道", "2017-06-05", "邝燚鑫不满意", 4, "QQ 654321"])
    wb.close()
    result = run(config, tmp_path / "inbox", tmp_path / "out")
    row = manifest_row(result, "2017-06-10/问卷.xlsx")
    assert (row["结果"], row["疑问数"], row["错误数"]) == ("已采用", 2, 0)  # 9 and 邝燚鑫不满意: off the scale
    queried = problems_of(result, "2017-06-10/问卷.xlsx")
    assert sorted(queried["cell"]) == ["G4", "H3"] and "邝**不满意" in set(queried["value"])
    marked = openpyxl.load_workbook(result.out / row["回执"])["问卷"]
    shown = [[cell.value for cell in r] for r in marked.iter_rows()]
    assert shown[2][1:4] == ["钟**", "139****5678", "****4321"] and shown[3][1:3] == ["邝**", "137****1111"]
    assert shown[2][8] == "****4433" and shown[3][8] == "****21"
    assert not leaks(tmp_path / "out", ["钟晓梅", "邝燚鑫"], ["13912345678", "13700001111", "87654321", "66554433"])
    assert not short_numbers(tmp_path / "out", ["654321"])


def test_a_submission_time_tells_answer_sheets_apart_only_to_the_second(tmp_path, config):
    """Alike rows timed to the minute (10:23, or 10:23:00 as Excel keeps a minute) are people who
    answered in the same minute: each counts. Alike rows timed to the second are one answer sheet
    exported twice: counted once, queried at the time."""
    import datetime as dt

    inbox = tmp_path / "inbox"
    minute, second = dt.datetime(2017, 6, 5, 10, 23), dt.datetime(2017, 6, 5, 10, 24, 31)
    path = inbox / "2017-06-10" / "问卷.xlsx"
    path.parent.mkdir(parents=True)
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("问卷")
    when = wb.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
    ws.write_row(0, 0, ["提交答卷时间", "被评价单位", "调查日期", *QUESTIONS])
    for r in (1, 2, 3):
        ws.write_datetime(r, 0, minute, when)
    for r in (4, 5):
        ws.write(r, 0, "2017/6/5 10:24")
    for r in (6, 7):
        ws.write_datetime(r, 0, second, when)
    for r in range(1, 8):
        ws.write_row(r, 1, ["西华街道", "2017-06-05", "满意", 5])
    wb.close()
    result = run(config, inbox, tmp_path / "out")
    problems = problems_of(result, "2017-06-10/问卷.xlsx")
    assert problems[["code", "cell"]].values.tolist() == [["survey_duplicate_row", "A8"]]
    survey = pd.read_csv(result.out / "data" / "survey.csv", encoding="utf-8-sig").set_index("单位")
    assert survey.loc["西华街道", "样本数"] == 6


def test_respondents_asked_as_numbered_questions_are_masked(tmp_path, config):
    """问卷星-style headers ask who answered as questions: 1、您的姓名？ 2、您的联系方式？
    3、您的联系电话（方便回访）: never scored, masked wherever they are written."""
    from tests.test_confidentiality import leaks, short_numbers

    inbox = tmp_path / "inbox"
    survey_export(inbox / "2017-06-10" / "问卷.xlsx", [
        [1, "钟晓梅", "QQ 654321", 13912345678, "西华街道", "2017-06-05", "满意", 9],
        [2, "邝燚鑫", "", "", "西华街道", "2017-06-05", "邝燚鑫不满意", 4]],
        header=("序号", "1、您的姓名？", "2、您的联系方式？", "3、您的联系电话（方便回访）", "被评价单位", "调查日期", *QUESTIONS))
    result = run(config, inbox, tmp_path / "out")
    row = manifest_row(result, "2017-06-10/问卷.xlsx")
    assert (row["结果"], row["疑问数"], row["错误数"]) == ("已采用", 2, 0)
    assert not leaks(tmp_path / "out", ["钟晓梅", "邝燚鑫"], ["13912345678"])
    assert not short_numbers(tmp_path / "out", ["654321"])
