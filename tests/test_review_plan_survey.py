"""Review of the plan and the survey as a checker would build them from the contract."""
from __future__ import annotations

import datetime as dt
import random
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pandas as pd
import xlsxwriter

from conftest import D, inspection, manifest_row, problems_of, run, unit_workbook
from pipeline import ROOT
from pipeline.campaign.plan import CROSS, PLAN_COLUMNS, SPOT, draw_plan, risk_weights
from pipeline.campaign.survey import wilson
from pipeline.config import load_config
from pipeline.ledger.funnel import below_funnel
from pipeline.ledger.rank import rank_units

# --- survey exports as an online survey tool writes them ------------------------------------------

HEADER = ["序号", "提交答卷时间", "被评价单位", "调查日期", "Q1服务态度", "Q2办事效率（1-5分）", "Q3廉洁情况"]
FORMS = {"满意": ["满意", " 满意", 5, 4, "５", "4分"], "基本满意": ["基本满意", 3, "3"], "不满意": ["不满意", 1, 2, "2分"]}
SPELLINGS = {"西华街道": ["西华街道", "西华街办", "西华 街道", "青芙社区"], "区教育局": ["区教育局", "教育局", "教育局财务科"],
             "沙河源街道": ["沙河源街道"], "区民政局": ["区民政局", "民政局低保审核窗口"]}


def export(path: Path, header: list, rows: list[list]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("问卷")
    stamp = wb.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
    ws.write_row(0, 0, header)
    for r, row in enumerate(rows, start=1):
        for c, v in enumerate(row):
            ws.write_datetime(r, c, v, stamp) if isinstance(v, dt.datetime) else ws.write(r, c, v)
    wb.close()
    return path


def planted(n: int, seed: int = 7):
    """n respondents: (reporting unit, answers, the row as exported)."""
    rng = random.Random(seed)
    out = []
    for i in range(1, n + 1):
        unit = rng.choice(sorted(SPELLINGS))
        answers = [rng.choice(["满意", "基本满意", "不满意"]) for _ in range(3)]
        row = [i, dt.datetime(2017, 6, 5, 9) + dt.timedelta(minutes=17 * i), rng.choice(SPELLINGS[unit]),
               rng.choice(["2017-06-05", "2017/6/6", "2017年6月7日"]), *(rng.choice(FORMS[a]) for a in answers)]
        out.append((unit, answers, row))
    return out


def expected(respondents) -> dict:
    table = {}
    for unit in sorted({u for u, _, _ in respondents}):
        mine = [a for u, a, _ in respondents if u == unit]
        share = sum(x != "不满意" for a in mine for x in a) / sum(len(a) for a in mine)
        low, high = wilson(share, len(mine))
        table[unit] = {"样本数": len(mine), "满意率": round(share, 4), "下限": round(low, 4), "上限": round(high, 4)}
    return table


def test_survey_csv_matches_planted_answers_across_cumulative_and_resaved_exports(tmp_path, config):
    people = planted(120)
    inbox = tmp_path / "inbox"
    first = export(inbox / "2017-06-10" / "问卷星导出1.xlsx", HEADER, [r for _, _, r in people[:70]])
    export(inbox / "2017-06-20" / "问卷星导出2.xlsx", HEADER, [r for _, _, r in people])  # the tool exports all again
    # the first export forwarded after someone opened and saved it: same rows, other bytes
    book = openpyxl.load_workbook(first)
    (inbox / "2017-06-21").mkdir()
    book.save(inbox / "2017-06-21" / "转发的问卷.xlsx")
    result = run(config, inbox, tmp_path / "out")
    for f in ("2017-06-10/问卷星导出1.xlsx", "2017-06-20/问卷星导出2.xlsx", "2017-06-21/转发的问卷.xlsx"):
        assert manifest_row(result, f)["结果"] == "已采用", manifest_row(result, f)["说明"]
    survey = pd.read_csv(result.out / "data" / "survey.csv", encoding="utf-8-sig")
    assert list(survey.columns) == ["单位", "样本数", "满意率", "下限", "上限"]
    got = {r.pop("单位"): r for r in survey.to_dict("records")}
    assert got == expected(people)


def test_respondents_of_the_same_day_in_separate_exports_are_told_apart_by_submission_time(tmp_path, config):
    header = ["提交答卷时间", "被评价单位", "调查日期", "总体满意度"]
    inbox = tmp_path / "inbox"
    export(inbox / "2017-06-10" / "线上问卷.xlsx", header, [[dt.datetime(2017, 6, 5, 9, 1), "西华街道", "2017-06-05", "满意"]])
    export(inbox / "2017-06-11" / "线下问卷.xlsx", header, [[dt.datetime(2017, 6, 5, 15, 30), "西华街道", "2017-06-05", "满意"]])
    result = run(config, inbox, tmp_path / "out")
    survey = pd.read_csv(result.out / "data" / "survey.csv", encoding="utf-8-sig").set_index("单位")
    assert survey.loc["西华街道", "样本数"] == 2


def test_a_score_off_the_scale_is_queried_even_when_the_whole_column_is_off(tmp_path, config):
    inbox = tmp_path / "inbox"
    export(inbox / "2017-06-10" / "问卷.xlsx", ["被评价单位", "调查日期", "服务评分"], [["西华街道", "2017-06-05", 6]])
    result = run(config, inbox, tmp_path / "out")
    row = manifest_row(result, "2017-06-10/问卷.xlsx")
    assert (row["结果"], row["疑问数"]) == ("已采用", 1)
    query = problems_of(result, "2017-06-10/问卷.xlsx").iloc[0]
    assert (query["severity"], query["cell"]) == ("疑问", "C2")


def test_unknown_rated_unit_is_an_error_but_stray_spaces_are_not(tmp_path, config):
    inbox = tmp_path / "inbox"
    export(inbox / "2017-06-10" / "问卷.xlsx", ["被评价单位", "调查日期", "总体满意度"],
           [["西华 街道", "2017-06-05", "满意"], ["　沙河源街道 ", "2017-06-05", "不满意"], ["幸福街道", "2017-06-05", "满意"]])
    result = run(config, inbox, tmp_path / "out")
    assert manifest_row(result, "2017-06-10/问卷.xlsx")["结果"] == "已退回"
    bad = problems_of(result, "2017-06-10/问卷.xlsx")
    assert bad[["severity", "cell", "value"]].values.tolist() == [["错误", "A4", "幸福街道"]]


# --- the funnel: the rule as written, for any number of problems ----------------------------------

def _unit(name, found, closed):
    return dict(单位=name, 单位类型="街道", 受检基层单位数=5, 发现问题数=found, 已销号数=closed,
                整改率=round(closed / found, 4) if found else None, 逾期数=0, 月报报送="按时", 月报收到日期="2017-06-15",
                月报与台账一致="是", 月报差异="", 退回次数=0, 未说明疑问数=0)


def test_every_unit_beyond_the_funnel_is_named_and_none_inside(config):
    rows = [_unit(f"街道{i}", 50, 48) for i in range(6)] + [_unit("两个问题", 2, 0), _unit("四个问题", 4, 3),
                                                            _unit("大单位", 40, 30), _unit("一个问题", 1, 0)]
    ranking = rank_units(pd.DataFrame(rows), config, D(2017, 6, 30)).set_index("单位")
    pooled = (6 * 48 + 0 + 3 + 30 + 0) / (6 * 50 + 2 + 4 + 40 + 1)
    for name, found, closed in (("两个问题", 2, 0), ("四个问题", 4, 3), ("大单位", 40, 30), ("一个问题", 1, 0)):
        beyond = below_funnel(closed, found, pooled)
        assert (ranking.loc[name, "低于漏斗下限"] == "是") == beyond
        assert (ranking.loc[name, "通报类别"] == "点名批评") == beyond, name
    assert ranking.loc["两个问题", "通报类别"] == "点名批评"   # P(0 of 2 | 92 %) ≈ 0.6 %: not chance
    assert ranking.loc["一个问题", "通报类别"] != "点名批评"   # P(0 of 1 | 92 %) ≈ 8 %: could be chance


# --- the plan under another config, on a risky inbox -------------------------------------------------

def test_constraints_hold_for_counts_from_config_and_uneven_weights(tmp_path):
    folder = tmp_path / "config"
    shutil.copytree(ROOT / "config", folder)
    toml = (folder / "campaign.toml").read_text(encoding="utf-8")
    toml = toml.replace("spot_checks_per_group = 3", "spot_checks_per_group = 5")
    toml = toml.replace("cross_checks_per_unit = 2", "cross_checks_per_unit = 1")
    (folder / "campaign.toml").write_text(toml, encoding="utf-8")
    config = load_config(folder)
    rng = random.Random(1)
    risky = [{"状态": "整改中", "逾期": "逾期未完成", "检查时间": pd.Timestamp(2017, 6, 1), "被检查单位": g.name,
              "检查单位": g.owner} for g in config.grassroots for _ in range(rng.choice([0, 0, 1, 3]))]
    items = pd.DataFrame(risky, columns=["状态", "被检查单位", "逾期", "检查单位", "检查时间"])
    weights = risk_weights(config, items, D(2017, 7, 1))
    assert weights["权重"].nunique() > 2
    kinds = {u.name: u.type for u in config.units}
    groups = [u.name for u in config.units if u.type == "专项治理小组"]
    for seed in range(40):
        rows = draw_plan(config, weights, "2017-02", str(seed), D(2017, 2, 1)).rows
        assert list(rows.columns) == PLAN_COLUMNS and set(rows["完成时限"]) == {"2017-02-28"}
        spot = rows[rows["检查方式"] == SPOT]
        assert spot["被检查单位"].is_unique
        assert spot.groupby("检查单位").size().to_dict() == {g: 5 for g in groups}
        cross = rows[rows["检查方式"] == CROSS]
        assert cross.groupby("检查单位").size().eq(1).all()
        pairs = dict(zip(cross["检查单位"], cross["所属单位"]))
        for kind in ("街道", "部门"):
            members = sorted(u.name for u in config.units if u.type == kind)
            mine = {a: b for a, b in pairs.items() if kinds[a] == kind}
            assert sorted(mine) == members and sorted(mine.values()) == members
            assert all(a != b and mine[b] != a for a, b in mine.items())


# --- executing the plan --------------------------------------------------------------------------

def test_a_plan_saved_again_by_excel_and_names_written_with_their_owner_are_matched(tmp_path, config):
    out = tmp_path / "out"
    plan = pd.DataFrame([["201707-抽01", SPOT, "专项治理第一小组", "桐竹社区", "西安路街道"],
                         ["201707-交01", CROSS, "凤凰山街道", "青芙社区", "西华街道"]],
                        columns=["计划编号", "检查方式", "检查单位", "被检查单位", "所属单位"]).assign(
        完成时限="2017-07-31", 抽取依据="测试", 随机种子="201707")[PLAN_COLUMNS]
    path = out / "plans" / "2017-07" / "检查计划.csv"
    path.parent.mkdir(parents=True)
    plan.to_csv(path, index=False, encoding="gb18030")  # Excel's 「CSV（逗号分隔）」 on a Chinese Windows
    clean = dict(nature="无问题", category=None, problem=None, deadline=None)
    inbox = tmp_path / "inbox"
    unit_workbook(inbox / "2017-07-20" / "第一组.xlsx", config, "专项治理第一小组",
                  [inspection("督查1号", "西安路街道桐竹社区", method="随机抽查", on="2017/7/31", **clean)])
    unit_workbook(inbox / "2017-07-21" / "凤凰山.xlsx", config, "凤凰山街道",
                  [inspection("交叉1号", "西华街办-青芙社区", method="交叉检查", on=D(2017, 7, 1), **clean)])
    result = run(config, inbox, out, period="2017-07", as_of=D(2017, 7, 31))
    status = result.tables["plan_status"].set_index("计划编号")
    assert status["状态"].to_dict() == {"201707-抽01": "已执行", "201707-交01": "已执行"}


def test_make_plan_passes_dice_digits_with_spaces_as_one_seed():
    dry = subprocess.run(["make", "-n", "-o", ".venv/.installed", "plan", "PERIOD=2017-07", "SEED=3 6 2 5"],
                         cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert '--seed "3 6 2 5"' in dry


def test_a_unit_without_answers_is_not_said_to_have_too_few(config):
    rows = [dict(_unit("甲街道", 10, 9), 问卷样本数=200, 满意率=0.9, 满意率下限=0.85),
            dict(_unit("乙街道", 10, 9), 问卷样本数=0, 满意率=None, 满意率下限=None)]
    ranking = rank_units(pd.DataFrame(rows), config, D(2017, 6, 30)).set_index("单位")
    assert "无问卷答卷，社会评价按同类平均计" in ranking.loc["乙街道", "理由"]
