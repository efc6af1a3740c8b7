"""The monthly inspection plan: a fair, verifiable draw, valid cross-check pairs, and its execution report."""
from __future__ import annotations

import datetime as dt
import hashlib
import io

import openpyxl
import pandas as pd
import pytest

from conftest import inspection, run, unit_workbook
from pipeline.campaign.plan import (CROSS, PLAN_COLUMNS, SPOT, clean_seed, default_seed, draw_plan,
                                    previous_cross_pairs, risk_weights)
from pipeline.campaign.plan_status import plan_sentence
from pipeline.cli import build_parser, main
from pipeline.jobs.plan import run_plan
from pipeline.publish.tables import write_csv

D = dt.date
AS_OF = D(2017, 7, 1)
GROUP = "专项治理第一小组"


def no_items() -> pd.DataFrame:
    return pd.DataFrame(columns=["状态", "被检查单位", "逾期", "检查单位", "检查时间"])


def items(*rows) -> pd.DataFrame:
    """Ledger items as build_items gives them, only the columns the weights read."""
    return pd.DataFrame([{"状态": "整改中", "逾期": "否", "检查时间": pd.Timestamp(2017, 6, 20), **r} for r in rows],
                        columns=["状态", "被检查单位", "逾期", "检查单位", "检查时间"])


@pytest.fixture(scope="module")
def weights(config):
    return risk_weights(config, no_items(), AS_OF)


def check_constraints(plan, config, seed):
    rows = plan.rows
    assert list(rows.columns) == PLAN_COLUMNS
    assert rows["计划编号"].is_unique
    assert set(rows["完成时限"]) == {"2017-07-31"} and set(rows["随机种子"]) == {seed}
    owner = {g.name: g.owner for g in config.grassroots}
    assert all(owner[u] == o for u, o in zip(rows["被检查单位"], rows["所属单位"]))
    spot = rows[rows["检查方式"] == SPOT]
    groups = [u.name for u in config.units if u.type == "专项治理小组"]
    assert spot.groupby("检查单位").size().to_dict() == {g: 3 for g in groups}
    assert spot["被检查单位"].is_unique, "no grassroots unit is drawn twice in one month's 随机抽查"
    cross = rows[rows["检查方式"] == CROSS]
    for kind in ("街道", "部门"):
        members = {u.name for u in config.units if u.type == kind}
        part = cross[cross["检查单位"].isin(members)]
        target = part.groupby("检查单位")["所属单位"].agg(set).to_dict()
        assert all(len(t) == 1 for t in target.values()), "each inspector has one inspected unit"
        target = {a: next(iter(t)) for a, t in target.items()}
        assert set(target) == members, "every unit inspects"
        assert sorted(target.values()) == sorted(members), "every unit is inspected exactly once"
        assert all(a != b for a, b in target.items()), "nobody inspects itself"
        assert all(target[b] != a for a, b in target.items()), "no two units inspect each other"
        for a, b in target.items():
            drawn = part[part["检查单位"] == a]["被检查单位"]
            assert drawn.is_unique and len(drawn) == min(2, len(config.grassroots_of(b)))
    return cross


def test_every_constraint_holds_for_many_seeds(config, weights):
    for n in range(40):
        seed = str(1000 + 37 * n)
        check_constraints(draw_plan(config, weights, "2017-07", seed, AS_OF), config, seed)


def test_pairs_of_last_month_are_not_repeated(config, weights):
    for n in range(15):
        june = draw_plan(config, weights, "2017-06", f"6{n}", AS_OF)
        avoid = previous_cross_pairs(june.rows)
        july = draw_plan(config, weights, "2017-07", f"7{n}", AS_OF, avoid)
        cross = check_constraints(july, config, f"7{n}")
        assert not set(zip(cross["检查单位"], cross["所属单位"])) & avoid


def test_a_high_risk_unit_is_drawn_clearly_more_often(config):
    risky = items(*[{"被检查单位": "乐桂社区", "检查单位": "凤凰山街道", "逾期": "逾期未完成", "编号": f"自检{i}号"}
                    for i in range(3)],
                  {"被检查单位": "桐竹社区", "检查单位": GROUP, "状态": "已销号"})
    weights = risk_weights(config, risky, AS_OF)
    w = dict(zip(weights["基层单位"], weights["权重"]))
    assert w["乐桂社区"] == 1 + 6 + 2 and w["桐竹社区"] == 1
    why = dict(zip(weights["基层单位"], weights["抽取依据"]))["乐桂社区"]
    assert "逾期未销号问题3个+6" in why and "从未被专项治理小组检查+2" in why
    hits = {"乐桂社区": 0, "桐竹社区": 0}
    for n in range(150):
        spot = draw_plan(config, weights, "2017-07", str(n), AS_OF).rows
        drawn = set(spot[spot["检查方式"] == SPOT]["被检查单位"])
        for unit in hits:
            hits[unit] += unit in drawn
    assert hits["乐桂社区"] > 40, hits  # about 40 % of months against 5 % for a unit of weight 1
    assert hits["乐桂社区"] > 4 * max(1, hits["桐竹社区"]), hits


def test_weights_take_clues_and_commitments_when_they_exist(config):
    clues = pd.DataFrame({"被反映单位": ["乐桂 社区", "乐桂社区", "桐竹社区"], "核实结果": ["属实", "部分属实", "不属实"]})
    commitments = pd.DataFrame({"承诺单位": ["桐竹社区", "桂乐社区"], "状态": ["存疑", "缺承诺"]})
    base = dict(zip(*risk_weights(config, no_items(), AS_OF)[["基层单位", "权重"]].T.values))
    w = risk_weights(config, no_items(), AS_OF, commitments=commitments, clues=clues)
    got = dict(zip(w["基层单位"], w["权重"]))
    assert got["乐桂社区"] == base["乐桂社区"] + 6
    assert got["桐竹社区"] == base["桐竹社区"] + 3
    assert got["桂乐社区"] == base["桂乐社区"] + 2


# --- a second, independent implementation of the published rules -----------------------------

def sha_numbers(label: str):
    """The i-th number: SHA-256 of UTF-8 "label," followed by i zero bytes, as a big-endian integer."""
    i = 0
    while True:
        yield int(hashlib.sha256(label.encode("utf-8") + b"," + b"\x00" * i).hexdigest(), 16)
        i += 1


def redraw(names, weights, k, numbers):
    names, weights, out = list(names), list(weights), []
    for _ in range(min(k, len(names))):
        rest = next(numbers) % sum(weights)
        i = 0
        while rest >= weights[i]:
            rest -= weights[i]
            i += 1
        out.append(names.pop(i))
        weights.pop(i)
    return out


def test_anyone_can_recompute_the_draw_from_the_published_list(config):
    weights = risk_weights(config, items({"被检查单位": "乐桂社区", "检查单位": "凤凰山街道", "逾期": "逾期未完成"}), AS_OF)
    plan = draw_plan(config, weights, "2017-07", "362514", AS_OF)
    groups = [u.name for u in config.units if u.type == "专项治理小组"]
    drawn = redraw(weights["基层单位"], weights["权重"], 3 * len(groups), sha_numbers("362514/随机抽查"))
    spot = plan.rows[plan.rows["检查方式"] == SPOT]
    for g, group in enumerate(groups):
        assert list(spot[spot["检查单位"] == group]["被检查单位"]) == drawn[g::len(groups)]
    steps = plan.steps[plan.steps["抽取"] == "362514/随机抽查"]
    assert list(steps["抽中"]) == drawn
    first = next(sha_numbers("362514/随机抽查"))
    assert steps.iloc[0]["随机数"] == f"{first:064x}" and steps.iloc[0]["余数"] == first % int(weights["权重"].sum())

    # the 街道 pairs: Fisher-Yates from the last position, reshuffled until valid
    streets = [u.name for u in config.units if u.type == "街道"]
    numbers = sha_numbers("362514/交叉检查/街道")
    while True:
        order = list(streets)
        for k in range(len(order) - 1, 0, -1):
            j = next(numbers) % (k + 1)
            order[k], order[j] = order[j], order[k]
        pairs = dict(zip(streets, order))
        if all(a != b and pairs[b] != a for a, b in pairs.items()):
            break
    cross = plan.rows[(plan.rows["检查方式"] == CROSS) & plan.rows["检查单位"].isin(streets)]
    assert dict(zip(cross["检查单位"], cross["所属单位"])) == pairs
    a = streets[0]
    pool = config.grassroots_of(pairs[a])
    w = dict(zip(weights["基层单位"], weights["权重"]))
    assert list(cross[cross["检查单位"] == a]["被检查单位"]) == redraw(pool, [w[g] for g in pool], 2,
                                                                    sha_numbers(f"362514/交叉检查/{a}"))


def test_the_library_generator_is_the_documented_sha256_counter():
    from cryptorandom.cryptorandom import SHA256

    prng, mine = SHA256("201707/随机抽查"), sha_numbers("201707/随机抽查")
    for _ in range(5):
        assert int.from_bytes(prng.nextRandom(), "big") == next(mine)
    # the vector pinned in cryptorandom's own tests, which match Rivest's and Stark's implementations:
    # a release that changed the generator would fail here rather than silently change plans
    reference = SHA256(12345678901234567890)
    reference.next()
    assert reference.nextRandom().hex() == "310d959ce65476647a3ec93074beff0aa6d720949207daf915712fd574635165"


def test_seeds_as_typed_at_the_meeting():
    assert default_seed("2017-07") == "201707"
    assert clean_seed(" 3 6 2，5１4 ") == "362514"
    with pytest.raises(ValueError, match="随机种子"):
        clean_seed("三六二")


# --- the command, its files and workbook -------------------------------------------------------

@pytest.fixture(scope="module")
def inbox(tmp_path_factory, config):
    box = tmp_path_factory.mktemp("plan") / "inbox"
    unit_workbook(box / "2017-06-15" / "凤凰山街道.xlsx", config, "凤凰山街道",
                  [inspection("自检1号", "乐桂社区", deadline=D(2017, 6, 20)),
                   inspection("自检2号", "乐桂社区", deadline=D(2017, 6, 25))])
    unit_workbook(box / "2017-06-16" / "第一组.xlsx", config, GROUP,
                  [inspection("督查1号", "桐竹社区", method="专项督查", nature="无问题", category=None, problem=None,
                              deadline=None)])
    return box


def test_same_inbox_and_seed_give_a_byte_identical_plan_and_another_seed_another(tmp_path, inbox, config):
    a = run_plan(config, "2017-07", inbox, tmp_path / "a", log=io.StringIO())
    b = run_plan(config, "2017-07", inbox, tmp_path / "b", log=io.StringIO())
    c = run_plan(config, "2017-07", inbox, tmp_path / "c", seed="4152", log=io.StringIO())
    for name in ("检查计划.csv", "抽取名单.csv", "抽取过程.csv"):
        assert (a.out / name).read_bytes() == (b.out / name).read_bytes()
    assert (a.out / "检查计划.csv").read_bytes() != (c.out / "检查计划.csv").read_bytes()
    frame = pd.read_csv(a.out / "检查计划.csv", dtype=str, encoding="utf-8-sig")
    assert list(frame.columns) == PLAN_COLUMNS and set(frame["随机种子"]) == {"201707"}
    listed = pd.read_csv(a.out / "抽取名单.csv", dtype=str, encoding="utf-8-sig").set_index("基层单位")
    assert listed.loc["乐桂社区", "逾期未销号问题数"] == "2"
    assert listed.loc["桐竹社区", "被小组检查次数"] == "1"


def test_the_plan_workbook_shows_seed_rules_list_and_weights(tmp_path, inbox, config):
    result = run_plan(config, "2017-07", inbox, tmp_path, seed="362514", log=io.StringIO())
    book = openpyxl.load_workbook(result.out / "检查计划（2017年7月）.xlsx")
    groups = [u.name for u in config.units if u.type == "专项治理小组"]
    assert book.sheetnames == ["说明", "交叉检查", *groups, "抽取名单", "抽取过程"]
    cover = {r[0]: r[1] for r in book["说明"].iter_rows(min_row=3, values_only=True) if r[0]}
    assert cover["随机种子"] == "362514" and "联席会议" in cover["种子来源"]
    assert "SHA-256" in cover["抽取规则1"] and "余数" in cover["抽取规则2"]
    for ws in book.worksheets:
        assert ws.page_setup.paperSize == 9 and ws.page_setup.orientation == "landscape"
        assert "362514" in ws.oddHeader.right.text
    listed = [r for r in book["抽取名单"].iter_rows(min_row=4, values_only=True)]
    assert len(listed) == len(config.grassroots) and all(isinstance(r[9], int) for r in listed)
    mine = [r for r in book[GROUP].iter_rows(min_row=5, values_only=True) if r[0]]
    assert len(mine) == 3


def test_the_command_line_plan(tmp_path, inbox, capsys):
    sub = build_parser()._subparsers._group_actions[0].choices["plan"]
    assert "例：" in sub.description
    assert main(["plan", "--period", "2017-07", "--inbox", str(inbox), "--outbox", str(tmp_path),
                 "--seed", "6 5 4 3"]) == 0
    assert "随机种子：6543" in capsys.readouterr().err
    assert main(["plan", "--period", "2017-07", "--inbox", str(inbox), "--outbox", str(tmp_path), "--seed", "abc"]) == 2
    err = capsys.readouterr().err.strip()
    assert "随机种子" in err and "\n" not in err


# --- execution: the monthly job matches the plan with the ledgers ---------------------------------

def test_planned_checks_are_matched_on_names_and_dates_as_people_type_them(tmp_path, config):
    out = tmp_path / "out"
    plan = pd.DataFrame([
        ["201707-抽01", SPOT, GROUP, "乐桂社区", "凤凰山街道"],
        ["201707-抽02", SPOT, GROUP, "桐竹社区", "西安路街道"],
        ["201707-抽03", SPOT, GROUP, "桂乐社区", "西安路街道"],
        ["201707-交01", CROSS, "凤凰山街道", "青芙社区", "西华街道"],
        ["201707-交02", CROSS, "凤凰山街道", "谊青社区", "西华街道"],
    ], columns=["计划编号", "检查方式", "检查单位", "被检查单位", "所属单位"]).assign(
        完成时限="2017-07-31", 抽取依据="测试", 随机种子="201707")[PLAN_COLUMNS]
    write_csv(plan, out / "plans" / "2017-07" / "检查计划.csv")
    clean = dict(nature="无问题", category=None, problem=None, deadline=None)
    inbox = tmp_path / "inbox"
    unit_workbook(inbox / "2017-07-20" / "第一组.xlsx", config, GROUP, [
        inspection("督查1号", " 乐桂　社区 ", method="随机抽查", on="2017年7月5日", **clean),   # typed variants
        inspection("督查2号", "桐竹社区", method="专项督查", on=D(2017, 7, 6), **clean),        # another method
        inspection("督查3号", "桂乐社区", method="随机抽查", on="2017.6.28", **clean),          # before the month
    ])
    unit_workbook(inbox / "2017-07-21" / "凤凰山.xlsx", config, "凤凰山街道", [
        inspection("交叉1号", "青芙社区", method="交叉检查", on="20170712", **clean)])
    result = run(config, inbox, out, period="2017-07", as_of=D(2017, 7, 31))
    status = pd.read_csv(result.out / "data" / "plan_status.csv", dtype=str, keep_default_na=False,
                         encoding="utf-8-sig").set_index("计划编号")
    assert list(status.columns) == [*PLAN_COLUMNS[1:], "状态", "检查记录"]
    assert status["状态"].to_dict() == {"201707-抽01": "已执行", "201707-抽02": "未执行", "201707-抽03": "未执行",
                                       "201707-交01": "已执行", "201707-交02": "未执行"}
    assert status.loc["201707-抽01", "检查记录"].startswith("督查1号（2017-07-05，2017-07-20/第一组.xlsx 检查台账!")
    units = result.units.set_index("单位")
    assert units.loc[GROUP, ["计划检查数", "已执行计划数"]].tolist() == [3, 1]
    assert units.loc["凤凰山街道", ["计划检查数", "已执行计划数"]].tolist() == [2, 1]
    assert units.loc["西华街道", ["计划检查数", "已执行计划数"]].tolist() == [0, 0]
    sentence = plan_sentence(result.units)
    assert "安排随机抽查和交叉检查5项，已执行2项" in sentence and f"{GROUP}（2项）" in sentence
    assert "凤凰山街道（1项）" in sentence
    book = openpyxl.load_workbook(next(result.out.glob("全区*.xlsx")), read_only=True)
    assert "计划执行" in book.sheetnames
    assert sentence in next(result.out.glob("*.html")).read_text(encoding="utf-8")


def test_a_month_without_a_plan_has_no_plan_status(tmp_path, config):
    inbox = tmp_path / "inbox"
    unit_workbook(inbox / "2017-07-20" / "第一组.xlsx", config, GROUP, [inspection("督查1号", "乐桂社区")])
    result = run(config, inbox, tmp_path / "out", period="2017-07", as_of=D(2017, 7, 31))
    assert not (result.out / "data" / "plan_status.csv").exists()
    assert result.units["计划检查数"].sum() == 0 and plan_sentence(result.units) == ""
