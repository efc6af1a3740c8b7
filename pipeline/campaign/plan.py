"""The monthly inspection plan: risk weights, a public SHA-256 draw (随机抽查) and cross-check pairs (交叉检查).

Pure functions of DataFrames and config. Every random number comes from cryptorandom's SHA-256
generator seeded with a public text, the way risk-limiting election audits draw (RFC 3797,
Rivest's sampler, Colorado's CORLA): the i-th number of a stream labelled L is
SHA-256(UTF-8 of "L," followed by i zero bytes) read as a big-endian integer. Integers only:
a draw is "that number modulo the total weight, counted down the published list", so anyone can
recompute it by hand or with another program. Never Python's hash(), set order or an unseeded
generator.
"""
from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass, field

import pandas as pd
from cryptorandom.cryptorandom import SHA256

from ..config import Config
from ..ledger.reconcile import STATUS_ORPHAN
from ..textnorm import squeeze

SPOT = "随机抽查"
CROSS = "交叉检查"
PLAN_COLUMNS = ["计划编号", "检查方式", "检查单位", "被检查单位", "所属单位", "完成时限", "抽取依据", "随机种子"]
WEIGHT_COLUMNS = ["序号", "基层单位", "所属单位", "类型", "逾期未销号问题数", "属实线索数", "承诺情况",
                  "被小组检查次数", "最近受检日期", "权重", "抽取依据"]
STEP_COLUMNS = ["抽取", "步骤", "随机数", "总权重", "余数", "抽中", "权重"]
VERIFIED = ("属实", "部分属实")
MAX_ATTEMPTS = 1000

DEFAULTS = {
    "spot_checks_per_group": 3, "cross_checks_per_unit": 2, "recent_days": 60,
    "weight_overdue": 2, "weight_clue": 3, "weight_doubtful_commitment": 3, "weight_missing_commitment": 2,
    "weight_never_inspected": 2, "weight_not_recent": 1,
}
CAP_OVERDUE, CAP_CLUES = 3, 2

ALGORITHM = [
    "随机数：每条抽取线使用一个公开标签（如“201707/随机抽查”），第 i 个随机数（i 从 0 起）= SHA-256（标签的 UTF-8 字节 + 英文逗号“,” + i 个零字节）"
    "的 64 位十六进制结果，按大端整数读取（Python 库 cryptorandom 的 SHA256 生成器，与风险限制审计、RFC 3797 同类做法）。",
    "加权不放回抽样：把候选名单按公布的顺序排列，每个单位占“权重”个号；余数 = 随机数 ÷ 剩余总权重 的余数（0 起）；"
    "从名单第一个单位往下累加权重，累计值第一次大于余数的单位即被抽中；抽中者移出名单，用下一个随机数再抽。",
    "随机抽查：抽取线“种子/随机抽查”，候选为全部基层单位，全月不重复；第1、2、3…次抽中的单位依次分给第1、2、3…小组，轮流分配，"
    "每组抽满规定数量为止。",
    "交叉检查配对：街道、部门分别进行，抽取线“种子/交叉检查/街道”“种子/交叉检查/部门”。按名单顺序用 Fisher-Yates 洗牌"
    "（从最后一位起，第 k 位与第 随机数 mod k 位交换，位次从 0 起），第 n 个单位检查洗牌后第 n 位的单位；"
    "出现自己检查自己、两单位互查或与上月计划重复的配对则重洗，直到满足为止（上月配对无法全部避开时取重复最少的第一次结果）。",
    "交叉检查的基层单位：每个检查单位用抽取线“种子/交叉检查/检查单位名称”，在被检查单位的基层单位中按同样的权重加权不放回抽取。",
]


def default_seed(period: str) -> str:
    """The seed when none is given: the period's digits (2017-07 → 201707), printed on the plan."""
    return period.replace("-", "")


def clean_seed(text: str) -> str:
    """Dice digits as typed at the 联席会议 (spaces, commas and full-width digits allowed) → a digit string."""
    digits = re.sub(r"[\s,，、]", "", squeeze(text))
    if not re.fullmatch(r"\d{1,64}", digits):
        raise ValueError(f"随机种子“{text}”无效，应为1–64位数字（如联席会议上掷骰子得到的数字）")
    return digits


def settings(config: Config) -> dict:
    return {**DEFAULTS, **{k: v for k, v in config.campaign.plan.items() if k in DEFAULTS}}


class Stream:
    """One labelled line of SHA-256 numbers; keeps what it gave out so the draw can be printed."""

    def __init__(self, label: str):
        self.label = label
        self.prng = SHA256(label)
        self.used = 0

    def number(self) -> int:
        self.used += 1
        return int.from_bytes(self.prng.nextRandom(), "big")


def weighted_sample(names: list[str], weights: list[int], k: int, stream: Stream) -> tuple[list[str], list[dict]]:
    """k names without replacement, each draw proportional to integer weight; with the steps taken."""
    pool = list(zip(names, weights))
    chosen, steps = [], []
    for step in range(1, min(k, len(pool)) + 1):
        total = sum(w for _, w in pool)
        value = stream.number()
        rest = value % total
        acc = 0
        for idx, (name, w) in enumerate(pool):
            acc += w
            if rest < acc:
                break
        name, w = pool.pop(idx)
        chosen.append(name)
        steps.append({"抽取": stream.label, "步骤": step, "随机数": f"{value:064x}", "总权重": total, "余数": rest,
                      "抽中": name, "权重": w})
    return chosen, steps


def shuffle(names: list[str], stream: Stream) -> list[str]:
    """Fisher-Yates from the last position down: position k swaps with position (number mod (k+1))."""
    out = list(names)
    for k in range(len(out) - 1, 0, -1):
        j = stream.number() % (k + 1)
        out[k], out[j] = out[j], out[k]
    return out


def cross_pairs(names: list[str], stream: Stream, avoid: frozenset = frozenset()) -> tuple[dict[str, str], str]:
    """Inspector → inspected: no self, no mutual pair, each inspected once; previous pairs avoided if possible."""
    if len(names) < 3:
        return {}, f"参加单位不足3个（{len(names)}个），无法安排不互查的交叉检查"
    best: tuple[int, dict[str, str], int] | None = None
    for attempt in range(1, MAX_ATTEMPTS + 1):
        targets = dict(zip(names, shuffle(names, stream)))
        if any(a == b or targets[b] == a for a, b in targets.items()):
            continue
        repeats = sum((a, b) in avoid for a, b in targets.items())
        if repeats == 0:
            return targets, f"第{attempt}次洗牌满足全部条件"
        if best is None or repeats < best[0]:
            best = (repeats, targets, attempt)
    if best is None:  # practically unreachable: one cycle through the list order is always valid
        return {a: names[(i + 1) % len(names)] for i, a in enumerate(names)}, "按名单顺序循环配对"
    return best[1], f"上月配对无法全部避开，取重复最少（{best[0]}对）的第{best[2]}次洗牌"


def _resolver(config: Config):
    """Typed name → registered grassroots unit (or reporting unit), compared without spaces/width."""
    index = config.place_index()

    def resolve(value) -> str:
        key = squeeze(value)
        return index.get(key, key)
    return resolve


def risk_weights(config: Config, items: pd.DataFrame, as_of: dt.date, commitments: pd.DataFrame | None = None,
                 clues: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every grassroots unit with an integer weight ≥ 1 and the reasons; a None frame is an absent factor."""
    s = settings(config)
    resolve = _resolver(config)
    kinds = {u.name: u.type for u in config.units}
    day = pd.Timestamp(as_of)
    real = items[items["状态"] != STATUS_ORPHAN] if len(items) else items
    target = real["被检查单位"].map(resolve) if len(real) else pd.Series(dtype=object)
    overdue = target[real["逾期"] == "逾期未完成"].value_counts().to_dict() if len(real) else {}
    by_group = target[real["检查单位"].map(kinds) == "专项治理小组"].value_counts().to_dict() if len(real) else {}
    when = pd.to_datetime(real["检查时间"], errors="coerce") if len(real) else pd.Series(dtype="datetime64[ns]")
    seen = when.notna() & (when <= day)
    last = when[seen].groupby(target[seen]).max().to_dict() if len(real) else {}
    verified: dict[str, int] = {}
    if clues is not None and len(clues):
        hit = clues[clues["核实结果"].isin(VERIFIED)]
        verified = hit["被反映单位"].map(resolve).value_counts().to_dict()
    promise: dict[str, str] = {}
    if commitments is not None and len(commitments):
        for unit, status in zip(commitments["承诺单位"].map(resolve), commitments["状态"]):
            if status == "存疑" or (status == "缺承诺" and promise.get(unit) != "存疑"):
                promise[unit] = status
    rows = []
    for n, g in enumerate(config.grassroots, start=1):
        weight, why = 1, ["基础1"]
        o = int(overdue.get(g.name, 0))
        if o:
            add = s["weight_overdue"] * min(o, CAP_OVERDUE)
            weight += add
            why.append(f"逾期未销号问题{o}个+{add}")
        c = int(verified.get(g.name, 0))
        if c:
            add = s["weight_clue"] * min(c, CAP_CLUES)
            weight += add
            why.append(f"核实属实线索{c}条+{add}")
        p = promise.get(g.name, "")
        if p == "存疑":
            weight += s["weight_doubtful_commitment"]
            why.append(f"承诺存疑+{s['weight_doubtful_commitment']}")
        elif p == "缺承诺":
            weight += s["weight_missing_commitment"]
            why.append(f"缺承诺+{s['weight_missing_commitment']}")
        inspected = int(by_group.get(g.name, 0))
        if not inspected:
            weight += s["weight_never_inspected"]
            why.append(f"从未被专项治理小组检查+{s['weight_never_inspected']}")
        latest = last.get(g.name)
        if latest is None or (day - latest).days > s["recent_days"]:
            weight += s["weight_not_recent"]
            why.append(f"近{s['recent_days']}天未受检查+{s['weight_not_recent']}")
        rows.append({"序号": n, "基层单位": g.name, "所属单位": g.owner, "类型": g.type, "逾期未销号问题数": o,
                     "属实线索数": c, "承诺情况": p, "被小组检查次数": inspected,
                     "最近受检日期": "" if latest is None else latest.strftime("%Y-%m-%d"),
                     "权重": int(weight), "抽取依据": "；".join(why) + f"；权重{int(weight)}"})
    return pd.DataFrame(rows, columns=WEIGHT_COLUMNS)


@dataclass
class Plan:
    period: str
    seed: str
    as_of: dt.date
    deadline: dt.date
    rows: pd.DataFrame                       # 检查计划.csv
    weights: pd.DataFrame                    # the drawn-from list with each unit's weight
    steps: pd.DataFrame                      # every number used by a weighted draw
    notes: list[str] = field(default_factory=list)


def _last_day(period: str) -> dt.date:
    year, month = (int(x) for x in period.split("-"))
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def draw_plan(config: Config, weights: pd.DataFrame, period: str, seed: str, as_of: dt.date,
              previous_pairs: frozenset = frozenset()) -> Plan:
    """Spot checks for every group, then 街道 and 部门 cross-check pairs and their grassroots units."""
    s = settings(config)
    deadline = _last_day(period)
    stamp = period.replace("-", "")
    weight_of = dict(zip(weights["基层单位"], weights["权重"]))
    reason_of = dict(zip(weights["基层单位"], weights["抽取依据"]))
    owner_of = dict(zip(weights["基层单位"], weights["所属单位"]))
    rows, steps, notes = [], [], []

    groups = [u.name for u in config.units if u.type == "专项治理小组"]
    k = int(s["spot_checks_per_group"])
    stream = Stream(f"{seed}/{SPOT}")
    drawn, spot_steps = weighted_sample(list(weights["基层单位"]), list(weights["权重"]), k * len(groups), stream)
    steps += spot_steps
    if len(drawn) < k * len(groups):
        notes.append(f"基层单位只有{len(drawn)}个，不足每组{k}个，已全部分配")
    for g_index, group in enumerate(groups):
        for j in range(g_index, len(drawn), len(groups)):
            unit = drawn[j]
            rows.append({"检查方式": SPOT, "检查单位": group, "被检查单位": unit, "所属单位": owner_of[unit],
                         "抽取依据": f"随机抽查第{j + 1}次抽中；{reason_of[unit]}"})

    per_unit = int(s["cross_checks_per_unit"])
    for kind in ("街道", "部门"):
        members = [u.name for u in config.units if u.type == kind]
        pairs, how = cross_pairs(members, Stream(f"{seed}/{CROSS}/{kind}"), previous_pairs)
        notes.append(f"{kind}交叉检查配对：{how}")
        for inspector in members:
            if inspector not in pairs:
                continue
            inspected = pairs[inspector]
            pool = [g.name for g in config.grassroots if g.owner == inspected]
            head = f"{kind}交叉检查抽签：{inspector}检查{inspected}"
            if not pool:
                rows.append({"检查方式": CROSS, "检查单位": inspector, "被检查单位": inspected, "所属单位": inspected,
                             "抽取依据": f"{head}；{inspected}未登记基层单位，检查单位本身"})
                continue
            chosen, cross_steps = weighted_sample(pool, [int(weight_of[g]) for g in pool], per_unit,
                                                  Stream(f"{seed}/{CROSS}/{inspector}"))
            steps += cross_steps
            for n, unit in enumerate(chosen, start=1):
                rows.append({"检查方式": CROSS, "检查单位": inspector, "被检查单位": unit, "所属单位": inspected,
                             "抽取依据": f"{head}；第{n}次抽中；{reason_of[unit]}"})

    counters = {SPOT: 0, CROSS: 0}
    for row in rows:
        counters[row["检查方式"]] += 1
        row["计划编号"] = f"{stamp}-{'抽' if row['检查方式'] == SPOT else '交'}{counters[row['检查方式']]:02d}"
        row["完成时限"] = deadline.isoformat()
        row["随机种子"] = seed
    frame = pd.DataFrame(rows, columns=PLAN_COLUMNS)
    return Plan(period=period, seed=seed, as_of=as_of, deadline=deadline, rows=frame, weights=weights,
                steps=pd.DataFrame(steps, columns=STEP_COLUMNS), notes=notes)


def previous_cross_pairs(previous: pd.DataFrame | None) -> frozenset:
    """(检查单位, 被检查的街道/部门) pairs of last month's plan."""
    if previous is None or previous.empty or not {"检查方式", "检查单位", "所属单位"} <= set(previous.columns):
        return frozenset()
    cross = previous[previous["检查方式"] == CROSS]
    return frozenset(zip(cross["检查单位"].map(squeeze), cross["所属单位"].map(squeeze)))
