"""Demo additions for accountability: commitments (valid, under doubt, missing), the office's
信访举报 register on all four channels, and a place where problems recur. All invented, on their
own random stream, kept apart from demo.py so the rest of the demo stays as it was.
"""
from __future__ import annotations

import datetime as dt
import random
import re
from pathlib import Path

from ..config import Config
from ..intake.register_template import REGISTER_FILE, write_register_template

D = dt.date
PLEDGE_TEXT = "经自查自纠，本社区未发现“微腐败”问题；如有隐瞒，本人愿接受组织问责"


def _pledge(place: str, signer: str, on: dt.date) -> tuple[dt.date, dict]:
    return on, {"承诺单位": place, "承诺人": signer, "职务": "社区党委书记", "承诺日期": f"{on.year}年{on.month}月{on.day}日",
                "承诺内容": PLEDGE_TEXT, "说明": None}


def _clean(demo, by: str, place: str, on: dt.date, no: str):
    item = demo._item(no, by, by, place, on, "自查自纠")
    item.nature, item.category, item.problem, item.deadline = "无问题", None, "", None
    item.rect_start = item.done_on = None
    return item


def _problem(demo, by: str, owner: str, place: str, on: dt.date, no: str, category: str, text: str,
             done: dt.date | None, method: str = "自查自纠"):
    item = demo._item(no, by, owner, place, on, method)
    item.nature, item.category, item.problem = "一般问题", category, text
    item.deadline, item.rect_start, item.done_on = on + dt.timedelta(days=30), on + dt.timedelta(days=3), done
    item.rect_person = f"{item.responsible}，负责落实整改"
    return item


def plant_accountability(demo, plans: dict) -> None:
    """西安路街道: 桐竹社区 commits and a group then finds a problem (存疑); 桂乐社区 is clean but never
    commits (缺承诺); 桐明社区's 集体三资 problem comes back after it was closed (反复发生). 西华街道's
    青芙社区 commits and stays clean (有效)."""
    saved, demo.rng = demo.rng, random.Random(7707)
    try:
        a, b = "西安路街道", "西华街道"
        if a not in plans or b not in plans:
            return
        watched = {"桐竹社区", "桂乐社区", "桐明社区", "青芙社区"}
        for plan in plans.values():
            plan.items = [i for i in plan.items if i.inspected not in watched]
        pa, pb = plans[a], plans[b]
        group1, group2 = plans.get("专项治理第一小组"), plans.get("专项治理第二小组")

        def own_no(plan, prefix="自检"):
            # after dropping items, the next number is past the highest ever used (numbers are never reused)
            used = [int(re.sub(r"\D", "", i.no) or 0) for i in plan.items if i.no.startswith(prefix)]
            return f"{prefix}{max(used + [len(plan.items) + 10]) + 1}号"

        pa.items.append(_clean(demo, a, "桐竹社区", D(2017, 6, 1), own_no(pa)))
        pa.items.append(_clean(demo, a, "桂乐社区", D(2017, 6, 2), own_no(pa)))
        pa.items.append(_problem(demo, a, a, "桐明社区", D(2017, 5, 25), own_no(pa), "集体三资管理",
                                 "集体资产出租未公开招租，租金偏低", D(2017, 6, 2)))
        pa.pledges = [_pledge("桐竹社区", demo.person(), D(2017, 6, 8))]
        pb.items.append(_clean(demo, b, "青芙社区", D(2017, 6, 2), own_no(pb)))
        pb.pledges = [_pledge("青芙社区", demo.person(), D(2017, 6, 9))]
        if group1 is not None:
            group1.items.append(_problem(demo, group1.name, a, "桐竹社区", D(2017, 7, 10), own_no(group1, "督查"),
                                         "惠民政策和专项资金", "低保审核把关不严，2户不符合条件家庭享受低保", None,
                                         "专项督查"))
        if group2 is not None:
            group2.items.append(_problem(demo, group2.name, a, "桐明社区", D(2017, 7, 5), own_no(group2, "督查"),
                                         "集体三资管理", "集体资产再次违规出租，未经民主决策", None, "随机抽查"))
    finally:
        demo.rng = saved


def pledges_on(plan, on: dt.date) -> list[dict]:
    """The 承诺书 rows a unit's workbook holds on a given day (used by Demo.snapshot)."""
    return [row for day, row in getattr(plan, "pledges", []) if day <= on]


CLUES = [
    # 线索编号, 受理日期, 来源渠道, 举报人, 联系方式, 被反映单位, 治理类别, 反映问题, 承办单位, 办理时限, 办理状态, 办结日期, 核实结果, 处理方式, 一案双查, 说明
    ("XF2017-001", "2017-06-05", "来信", "柏青岚", "13982760415", "桐明社区", "集体三资管理",
     "来信人柏青岚（电话13982760415）反映社区集体门面出租未公开招租", "专项治理第二小组", "2017-07-05", "已办结",
     "2017年6月28日", "属实", "第一种形态", "是", None),
    ("XF2017-002", "2017-06-09", "来访", "古月澄", "028-86120934", "谊青社区", "作风和不作为",
     "反映社区工作人员办事推诿", "西华街道", "2017-07-09", "已办结", "2017/7/1", "不属实", "不予处理", "否", None),
    ("XF2017-003", "2017-06-20", "电话", "匿名", None, "锦天社区", "惠民政策和专项资金",
     "反映残疾人补贴存在代领", "人民北路街道", "2017-07-10", "在办", None, None, None, None, None),
    ("XF2017-004", "2017-06-26", "网络", "司马叶舟", "13700562981", "建设局行政审批服务窗口", "执法和窗口服务",
     "网络留言反映行政审批超时限办理，司马叶舟称多次电话137 0056 2981无人回复", "区建设局", "2017-07-26", "已办结",
     "2017-07-20", "属实", "第二种形态", "否", None),
    ("XF2017-005", "2017-07-03", "电话", "阮星河", "18628034417", "源星社区", "违反八项规定",
     "反映社区干部春节期间收受购物卡", "专项治理第七小组", "2017-08-03", "已办结", "2017-07-24", "部分属实", None, "否",
     "正在研究处理意见"),
    ("XF2017-006", "2017-07-18", "网络", None, None, "春福社区", "工程建设",
     "反映小区改造工程验收把关不严", "荷花池街道", "2017-08-18", "待办", None, None, None, None, None),
]
LABELS = ("线索编号", "受理日期", "来源渠道", "举报人", "联系方式", "被反映单位", "治理类别", "反映问题", "承办单位",
          "办理时限", "办理状态", "办结日期", "核实结果", "处理方式", "一案双查", "说明")


def add_clue_register(config: Config, inbox: Path) -> int:
    """The office's register, sent at the end of June and again, complete, in late July."""
    rows = [dict(zip(LABELS, c)) | {"被反映人": "某某（社区工作人员）"} for c in CLUES]
    early = [r | {"办理状态": "在办", "办结日期": None, "核实结果": None, "处理方式": None, "一案双查": None}
             if r["线索编号"] == "XF2017-004" else r for r in rows if r["受理日期"] <= "2017-06-30"]
    written = 0
    for day, part in (("2017-06-30", early), ("2017-07-25", rows)):
        folder = inbox / day
        folder.mkdir(parents=True, exist_ok=True)
        write_register_template(folder / REGISTER_FILE, config, part, D(*map(int, day.split("-"))))
        written += 1
    return written
