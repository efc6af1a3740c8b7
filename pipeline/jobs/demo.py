"""A realistic, invented district month (May–July) for `make demo`, generated from a fixed seed.

Every registered unit keeps one living workbook and emails it as the campaign goes: on time,
late or not at all, sometimes rejected and corrected, sometimes twice. Inspection groups find
problems in grassroots units, whose units then rectify them. All people are invented.
"""
from __future__ import annotations

import datetime as dt
import random
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path

from schemas.vocab import CATEGORIES
from ..config import Config
from ..intake.templates import write_template
from .demo_survey import add_survey_exports, plant_slow_unit
from .demo_accountability import add_clue_register, plant_accountability, pledges_on

D = dt.date
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段漕钱汤尹黎易常武乔贺赖龚文"
GIVEN = ["建国", "晓梅", "思远", "志强", "丽娟", "海燕", "俊杰", "秀英", "文博", "雪梅", "国平", "春华", "德明", "玉兰",
         "明辉", "红霞", "永刚", "静怡", "立新", "嘉怡", "宏伟", "淑芬", "子涵", "学军", "婷婷", "建华", "小军", "慧敏"]
ROLES = ["社区主任", "社区书记", "科长", "站长", "副主任", "窗口负责人", "所长", "纪检员"]
PROBLEMS = {
    "惠民政策和专项资金": ["低保审核把关不严，{n}户不符合条件家庭享受低保", "残疾人补贴发放台账不全，存在代领情况",
                   "困难群众救助资金未按时发放到位"],
    "集体三资管理": ["集体资产出租未公开招租，租金偏低", "社区账目公开不及时，群众反映强烈", "存在以收据代替发票入账情况"],
    "征地拆迁和旧城改造": ["拆迁补偿资料不全，面积核定依据不足", "旧城改造项目公示不到位", "违法建筑拆除工作推进不力"],
    "执法和窗口服务": ["窗口工作人员态度生硬，群众反映办事推诿", "行政审批超时限办理{n}件", "执法记录不规范，处罚依据不清"],
    "工程建设": ["微小工程未按规定比选施工单位", "小区改造工程验收把关不严", "工程款支付审批手续不全"],
    "作风和不作为": ["工作时间擅自离岗", "对群众诉求回应不及时，推诿扯皮", "上班时间玩手机游戏，服务意识不强"],
    "违反八项规定": ["公务接待超标准，无公函接待", "春节期间违规发放购物卡", "公车私用，节假日停放在私人住所"],
    "其他微腐败问题": ["向服务对象索要土特产", "在社区活动经费中列支与活动无关的支出", "优亲厚友，违规推荐公益性岗位"],
}
ADVICE = ["对当事人批评教育，限期整改", "完善制度，加强监督检查", "严格执行公开公示制度", "建立台账，逐项销号"]
MEASURES = ["已对当事人诫勉谈话并全面清理", "修订管理制度并公示", "退还违规款项，通报批评", "开展专题警示教育，建立首问负责制"]
METHODS = ["自查自纠"] * 6 + ["随机抽查", "交叉检查", "明察暗访", "信访举报", "巡察"]
GROUP_METHODS = ["专项督查", "随机抽查", "交叉检查", "明察暗访"]


@dataclass
class Item:
    no: str
    by: str                     # reporting unit that inspected
    owner: str                  # unit that rectifies
    inspected: str
    on: dt.date
    method: str
    category: str | None
    nature: str
    problem: str
    deadline: dt.date | None
    responsible: str
    inspectors: str
    rect_start: dt.date | None = None
    done_on: dt.date | None = None
    rect_person: str = ""
    deadline_moved_on: dt.date | None = None
    moved_to: dt.date | None = None
    note: str = ""


@dataclass
class UnitPlan:
    name: str
    kind: str
    items: list[Item] = field(default_factory=list)
    orphan: bool = False
    drop_in_july: bool = False
    text_dates: bool = False
    report_off_by: int = 0
    mechanisms: dict[str, int] = field(default_factory=dict)


class Demo:
    def __init__(self, config: Config, seed: int = 2017):
        self.config = config
        self.rng = random.Random(seed)

    @staticmethod
    def diligent(unit: str) -> bool:
        return sum(map(ord, unit)) % 3 == 0

    def person(self) -> str:
        return self.rng.choice(SURNAMES) + self.rng.choice(GIVEN)

    def day(self, start: dt.date, end: dt.date) -> dt.date:
        return start + dt.timedelta(days=self.rng.randint(0, max(0, (end - start).days)))

    def _item(self, no, by, owner, inspected, on, method) -> Item:
        rng = self.rng
        nature = rng.choices(["一般问题", "隐患风险", "违纪违法", "无问题"], [60, 22, 8, 10])[0]
        category = rng.choice(CATEGORIES)
        problem = rng.choice(PROBLEMS[category]).format(n=rng.randint(2, 6))
        deadline = on + dt.timedelta(days=rng.choice([20, 30, 30, 45, 45, 60]))
        item = Item(no, by, owner, inspected, on, method, None if nature == "无问题" else category, nature,
                    "" if nature == "无问题" else problem, None if nature == "无问题" else deadline,
                    f"{self.person()}（{rng.choice(ROLES)}）", "、".join(self.person() for _ in range(rng.randint(1, 3))))
        if nature != "无问题":
            item.rect_start = on + dt.timedelta(days=rng.randint(2, 12))
            diligent = self.diligent(owner)
            if rng.random() < (0.95 if diligent else 0.8):
                item.done_on = on + dt.timedelta(days=rng.randint(3, 25) if diligent or rng.random() < 0.6
                                                 else rng.randint(20, 70))
            item.rect_person = f"{item.responsible}，负责落实整改"
        return item

    def plan(self) -> dict[str, UnitPlan]:
        rng, config = self.rng, self.config
        plans: dict[str, UnitPlan] = {}
        reporting = [u for u in config.units if u.type != "专项治理小组"]
        zero_blank = {u.name for u in rng.sample(reporting, 2)}
        for u in reporting:
            plan = UnitPlan(u.name, u.type)
            grassroots = config.grassroots_of(u.name)
            count = 0 if u.name in zero_blank else rng.randint(3, 12)
            for i in range(1, count + 1):
                # diligent units did most of their self-inspection early and closed items fast
                on = self.day(D(2017, 5, 20), D(2017, 6, 30) if self.diligent(u.name) else D(2017, 7, 25))
                plan.items.append(self._item(f"自检{i}号", u.name, u.name, rng.choice(grassroots), on, rng.choice(METHODS)))
            if u.name in zero_blank:
                for i, g in enumerate(grassroots[:2], start=1):
                    item = self._item(f"自检{i}号", u.name, u.name, g, self.day(D(2017, 5, 22), D(2017, 6, 20)), "自查自纠")
                    item.nature, item.category, item.problem, item.deadline = "无问题", None, "", None
                    item.rect_start = item.done_on = None
                    plan.items.append(item)
            plans[u.name] = plan
        for u in config.units:
            if u.type != "专项治理小组":
                continue
            plan = UnitPlan(u.name, u.type)
            for i in range(1, rng.randint(6, 10) + 1):
                g = rng.choice(config.grassroots)
                on = self.day(D(2017, 6, 5), D(2017, 7, 20))
                item = self._item(f"督查{i}号", u.name, g.owner, g.name, on, rng.choice(GROUP_METHODS))
                if item.nature == "无问题":
                    item.nature, item.category = "一般问题", rng.choice(CATEGORIES)
                    item.problem = rng.choice(PROBLEMS[item.category]).format(n=3)
                    item.deadline = on + dt.timedelta(days=30)
                    item.rect_start = on + dt.timedelta(days=5)
                    item.rect_person = f"{item.responsible}，负责落实整改"
                plan.items.append(item)
            plans[u.name] = plan
        ordinary = [p for p in plans.values() if p.kind != "专项治理小组" and p.items and p.name not in zero_blank]
        for p in rng.sample(ordinary, 2):
            p.orphan = True
        for p in rng.sample(ordinary, 2):
            p.drop_in_july = True
        for p in rng.sample(ordinary, 6):
            p.text_dates = True
        for p in rng.sample(ordinary, 3):
            p.report_off_by = rng.choice([-2, -1, 1, 2])
        moved = rng.choice([p for p in ordinary if any(i.deadline for i in p.items)])
        target = next(i for i in moved.items if i.deadline)
        target.deadline_moved_on, target.moved_to = D(2017, 7, 1), target.deadline + dt.timedelta(days=30)
        for p in plans.values():
            total = 0
            for m in ("2017-05", "2017-06", "2017-07"):
                total += rng.choice([0, 0, 1, 1, 2])
                p.mechanisms[m] = total
        return plans

    # --- what a unit's workbook holds on a given day ---------------------------------------

    def _value(self, day: dt.date | None, as_text: bool):
        if day is None:
            return None
        if not as_text:
            return day
        return self.rng.choice([f"{day.year}年{day.month}月{day.day}日", f"{day.year}.{day.month}.{day.day}",
                                f"{day.year}/{day.month}/{day.day}"])

    def snapshot(self, plan: UnitPlan, plans: dict[str, UnitPlan], on: dt.date, dropped: set[str]) -> dict:
        text = plan.text_dates
        own = [i for i in plan.items if i.on <= on and i.no not in dropped]
        inspections = []
        for i in own:
            deadline = i.moved_to if i.deadline_moved_on and on >= i.deadline_moved_on else i.deadline
            no = i.no.replace("1", "１") if text and self.rng.random() < 0.3 else i.no
            inspections.append({"编号": no, "检查时间": self._value(i.on, text), "被检查单位": i.inspected,
                                "检查方式": i.method, "治理类别": i.category, "问题性质": i.nature,
                                "发现的问题": i.problem, "整改建议": self.rng.choice(ADVICE) if i.problem else None,
                                "整改时限": self._value(deadline, text), "整改责任人": i.responsible,
                                "检查人员": i.inspectors, "说明": i.note or None})
        answers = [i for i in own if i.owner == plan.name] + [
            i for p in plans.values() if p.kind == "专项治理小组" for i in p.items if i.owner == plan.name and i.on <= on]
        rectifications = []
        for i in answers:
            if not i.rect_start or i.rect_start > on:
                continue
            done = i.done_on is not None and i.done_on <= on
            rectifications.append({"编号": i.no, "检查单位": None if i.by == plan.name else i.by,
                                   "问题单位": i.inspected, "存在问题": i.problem,
                                   "整改措施": self.rng.choice(MEASURES), "整改责任人及责任": i.rect_person,
                                   "完成情况": "已完成" if done else "整改中",
                                   "完成时间": self._value(i.done_on, text) if done else None, "说明": None})
        if plan.orphan and on >= D(2017, 6, 20):
            rectifications.append({"编号": f"自检{len(plan.items) + 7}号", "检查单位": None, "问题单位": "",
                                   "存在问题": "会议记录不完整", "整改措施": "补齐会议记录",
                                   "整改责任人及责任": f"{self.person()}（纪检员）", "完成情况": "已完成",
                                   "完成时间": D(2017, 6, 18), "说明": None})
        reports = []
        for month in ("2017-05", "2017-06", "2017-07"):
            first = D(int(month[:4]), int(month[5:]), 1)
            if first > on or plan.kind == "专项治理小组" and month == "2017-05":
                continue
            cut = min(on, (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1))
            seen = [i for i in own if i.on <= cut]
            found = sum(i.nature != "无问题" for i in seen)
            if plan.report_off_by and month == "2017-07":
                found = max(0, found + plan.report_off_by)
            reports.append({"报表月份": f"{first.year}年{first.month}月" if text else month,
                            "受检基层单位数": len({i.inspected for i in seen}),
                            "检查工作情况": f"召开周例会{self.rng.randint(2, 5)}次，走访检查基层单位{len({i.inspected for i in seen})}个",
                            "发现问题数": found,
                            "发现问题情况": f"累计发现问题{found}个",
                            "整改完成数": sum(1 for r in rectifications if r["完成情况"] == "已完成"),
                            "整改情况": "正在按整改方案推进",
                            "制度机制建设数": plan.mechanisms[month],
                            "制度机制建设情况": "建立和完善相关制度" if plan.mechanisms[month] else ""})
        return {"检查台账": inspections, "整改台账": rectifications, "月报表": reports, "承诺书": pledges_on(plan, on)}


def build_demo_inbox(config: Config, inbox: Path, seed: int = 2017, adjust=None) -> int:
    """Write the demo inbox; returns the number of files written."""
    demo = Demo(config, seed)
    rng = demo.rng
    plans = demo.plan()
    plant_slow_unit(demo, plans)  # demo_survey: a large 街道 named beyond the funnel
    plant_accountability(demo, plans)  # demo_accountability: commitments and a place where problems recur
    if adjust is not None:  # e.g. demo_plan: the July plan's checks that groups carried out
        adjust(plans)
    units = config.unit_by_name()
    inbox.mkdir(parents=True, exist_ok=True)
    written = 0
    names = sorted(n for n in plans if plans[n].kind != "专项治理小组")
    rng.shuffle(names)
    missing_july = set(names[:4])
    late_july = set(names[4:10])
    late_june = set(names[10:14])
    rejected_first = set(names[14:17])
    may_reporters = set(names[18:36])
    duplicates = set(names[36:38])

    def save(plan: UnitPlan, received: dt.date, filled: dt.date, suffix: str, dropped=frozenset(), break_it=False,
             folder: str | None = None) -> Path:
        nonlocal written
        data = demo.snapshot(plan, plans, filled, set(dropped))
        if break_it and data["整改台账"]:
            data["整改台账"][0]["完成情况"] = "基本完成"
        elif break_it:
            data["月报表"][-1]["发现问题数"] = "若干"
        alias = rng.choice([plan.name, plan.name, *units[plan.name].aliases[:1]])
        path = inbox / (folder or received.isoformat()) / f"{alias}{suffix}.xlsx"
        path.parent.mkdir(parents=True, exist_ok=True)
        write_template(path, units[plan.name], config, data, filled)
        written += 1
        return path

    for name in sorted(plans):
        plan = plans[name]
        if name in may_reporters:
            day = demo.day(D(2017, 5, 26), D(2017, 5, 31))
            save(plan, day, day, "_专项治理台账_5月")
        june = demo.day(D(2017, 6, 21), D(2017, 6, 27)) if name in late_june else demo.day(D(2017, 6, 12), D(2017, 6, 20))
        june_path = save(plan, june, june, "_专项治理台账_6月")
        if name in duplicates:
            dup = inbox / june.isoformat() / "转发" / june_path.name
            dup.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(june_path, dup)
            written += 1
        if name in missing_july:
            continue
        july = demo.day(D(2017, 7, 21), D(2017, 7, 28)) if name in late_july else demo.day(D(2017, 7, 10), D(2017, 7, 19))
        dropped = {plan.items[0].no} if plan.drop_in_july and plan.items else set()
        if name in rejected_first:
            save(plan, july, july, "_专项治理台账_7月", dropped, break_it=True)
            july = july + dt.timedelta(days=rng.randint(1, 2))
            save(plan, july, july, "_专项治理台账_7月（修改后）", dropped)
        else:
            save(plan, july, july, "_专项治理台账_7月", dropped)

    noise_day = inbox / "2017-07-14"
    noise_day.mkdir(parents=True, exist_ok=True)
    some = sorted(noise_day.glob("*.xlsx"))
    if some:
        (noise_day / f"~${some[0].name}").write_bytes(b"\x06\x00lock")
        data = some[0].read_bytes()
        (noise_day / "邮件附件（下载不完整）.xlsx").write_bytes(data[: len(data) // 2])
    (noise_day / "报送说明.docx").write_bytes(b"PK\x03\x04demo cover letter")
    (noise_day / "网页版台账.xlsx").write_text("<html><body>请使用附件</body></html>", encoding="utf-8")
    from .demo_documents import add_milestone_documents

    return written + 4 + add_milestone_documents(config, inbox) + add_survey_exports(config, inbox) \
        + add_clue_register(config, inbox)


def run_demo(config: Config, directory: Path, period: str, log=sys.stdout) -> None:
    from .monthly import period_bounds, run_monthly

    directory = Path(directory)
    inbox = directory / "inbox"
    shutil.rmtree(inbox, ignore_errors=True)
    log.write("正在生成演示收件箱（虚构数据）……\n")
    from .demo_plan import build_inbox_with_plan

    count = build_inbox_with_plan(config, directory, inbox, period, build_demo_inbox, log)
    log.write(f"演示收件箱：{inbox}（{count} 个文件）\n")
    as_of = period_bounds(period)[1]
    result = run_monthly(config, period, inbox, directory, as_of)
    log.write(f"\n演示月份 {period}，统计截止 {as_of.isoformat()}，共 {len(result.items)} 条台账记录。\n")
    log.write(f"输出目录：{result.out}\n")
    for path in sorted(p for p in result.out.rglob("*") if p.is_file() and "回执" not in p.parts):
        log.write(f"  {path.relative_to(result.out)}\n")
    log.write(f"  回执/（{len(list((result.out / '回执').glob('*.xlsx')))} 份回执）\n")
    log.write(f"逐月历史数据库：{directory / 'history.sqlite'}（在浏览器中查看：make browse OUTBOX={directory}）\n")
