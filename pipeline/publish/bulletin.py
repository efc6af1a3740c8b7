"""The monthly bulletin (通报) and reminders (催办): figures turned into an official's sentences.

`bulletin_context` is a pure function of the month's tables; the wording lives in the Jinja
templates under templates/, which staff can edit without touching code.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from schemas.vocab import CATEGORIES
from ..config import Config
from ..distinct import per_value
from ..safetext import safe_text
from ..ledger.rank import CRITICISE, PRAISE
from ..ledger.reconcile import OPEN
from ..campaign.plan_status import plan_sentence


def cn_date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def cn_month(period: str) -> str:
    return f"{int(period[:4])}年{int(period[5:])}月"


def issue_number(first_period: str, period: str) -> int:
    y0, m0 = (int(x) for x in first_period.split("-"))
    y1, m1 = (int(x) for x in period.split("-"))
    return max(1, (y1 - y0) * 12 + (m1 - m0) + 1)


def pct(x) -> str:
    return "—" if x is None or pd.isna(x) else f"{float(x) * 100:.1f}%"


def _names(units: list[str]) -> str:
    return "、".join(units) if units else "无"


NAMED = 60  # a district's units are all named in a list of the bulletin; a city's first ones, then how many


def first(values: list[str], most: int, tail: str, sep: str = "、") -> str:
    """The first `most` of a list the bulletin names, then `tail` (its {n}: how many in all) when
    there are more: a bulletin names a few, the leaders' workbook lists them all."""
    shown = sep.join(values[:most])
    return shown + tail.format(n=len(values)) if len(values) > most else shown


def named(units: list[str], where: str, sep: str = "、") -> str:
    """The units of one of the bulletin's lists; beyond NAMED, how many in all and which sheet of the
    leaders' workbook lists them (a city month would otherwise print 1,500 names)."""
    return first(units, NAMED, f"等{{n}}个，全部名单见月度汇总“{where}”表", sep)


def current_phase(config: Config, day: dt.date) -> str:
    phases = [p.name for p in config.campaign.phases if p.start <= day <= p.end]
    return "、".join(phases) if phases else ("尚未开始" if day < config.campaign.start else "已结束")


def upcoming_deadlines(config: Config, as_of: dt.date, period: str, limit: int = 4) -> list[str]:
    c = config.campaign
    year, month = (int(x) for x in period.split("-"))
    nxt = dt.date(year + month // 12, month % 12 + 1, c.due_day)
    items = [(nxt, f"报送{nxt.month}月月报表及检查、整改台账")]
    items += [(d.date, d.what) for d in c.deadlines if d.date > as_of]
    items.sort()
    return [f"{d.month}月{d.day}日前{what}" for d, what in items[:limit]]


def bulletin_context(units: pd.DataFrame, district: pd.DataFrame, ranking: pd.DataFrame, items: pd.DataFrame,
                     config: Config, period: str, as_of: dt.date) -> dict:
    c = config.campaign
    total = district.set_index("范围").loc["全区合计"]
    groups = units[units["单位类型"] == "专项治理小组"]
    ranked = units[units["单位类型"] != "专项治理小组"]
    found = int(total["发现问题数"])
    overall = [
        f"截至{as_of.month}月{as_of.day}日，全区{len(ranked)}个街道和部门共检查基层单位{int(total['受检基层单位数'])}个，"
        f"发现问题{found}个，其中违纪违法问题{int(total['违纪违法数'])}个、一般问题{int(total['一般问题数'])}个、"
        f"隐患风险{int(total['隐患风险数'])}个；本月新发现问题{int(total['本月新发现问题数'])}个。",
        f"已整改销号{int(total['已销号数'])}个，整改率{pct(total['整改率'])}；正在整改{int(total['整改中数'])}个，"
        f"尚未建立整改台账{int(total['未建整改台账数'])}个；逾期未完成整改{int(total['逾期数'])}个，"
        f"另有{int(total['黄色预警数'])}个问题将在{c.yellow_days}日内到期。"
        f"各单位累计建立完善制度机制{int(total['制度机制建设数'])}项。",
        f"{len(groups)}个专项治理小组通过专项督查、随机抽查、交叉检查等方式，检查基层单位{int(groups['受检基层单位数'].sum())}个，"
        f"发现问题{int(groups['检查发现问题数'].sum())}个，已整改销号{int(groups['检查发现已销号数'].sum())}个。",
    ]
    if plan_sentence(units):
        overall.append(plan_sentence(units))
    by_category = {cat: int(ranked[f"类别_{cat}"].sum()) for cat in CATEGORIES}
    ordered = sorted(((n, cat) for cat, n in by_category.items() if n), reverse=True)
    categories = []
    if ordered:
        parts = [f"{cat}问题{n}个（占{n / found * 100:.1f}%）" for n, cat in ordered[:3]] if found else []
        if not parts:
            categories.append("本期未发现问题。")
        elif len(parts) == 1:
            categories.append(f"从问题类别看，发现的问题均为{parts[0]}。")
        else:
            categories.append(f"从问题类别看，{parts[0]}最多，其次是{'和'.join(parts[1:])}。")
        rest = [f"{cat}{n}个" for n, cat in ordered[3:]]
        if rest:
            categories.append("此外，" + "、".join(rest) + "。")
    orphans = int(total["无对应检查记录数"])
    if orphans:
        categories.append(f"各单位整改台账中有{orphans}条记录在检查台账中找不到对应编号，请相关单位核对台账，做到一一对应、销号管理。")

    def verdict_rows(verdict: str) -> list[dict]:
        part = ranking[ranking["通报类别"] == verdict]
        return [{"unit": r.单位, "type": r.单位类型, "rank": int(r.排名), "score": f"{r.得分:.1f}", "reason": r.理由}
                for r in part.itertuples(index=False)]

    on_time = units[(units["单位类型"] != "专项治理小组") & (units["月报报送"] == "按时")]["单位"].tolist()
    late = ranked[ranked["月报报送"] == "迟报"]
    missing = ranked[ranked["月报报送"] == "未报"]["单位"].tolist()
    mismatch = ranked[ranked["月报与台账一致"] == "否"]
    reports = [
        f"本月应报送月报表的街道和部门{len(ranked)}个，按时报送{len(on_time)}个，迟报{len(late)}个，未报{len(missing)}个。",
    ]
    if len(late):
        reports.append("迟报单位：" + named([f"{r.单位}（{r.月报收到日期[5:7].lstrip('0')}月{r.月报收到日期[8:].lstrip('0')}日）"
                                            for r in late.itertuples(index=False)], "月报报送") + "。")
    if missing:
        reports.append(f"未报单位：{named(missing, '月报报送')}。")
    if len(mismatch):
        reports.append("月报数据与台账不一致的单位：" + named([f"{r.单位}（{r.月报差异}）" for r in mismatch.itertuples(index=False)],
                                                   "月报报送", "；")
                       + "。请相关单位核实更正，做到见人见事、数据准确。")
    next_steps = [
        "各街道各部门要对照本通报，对逾期未完成整改的问题逐项明确责任人和完成时限，实行销号管理，确保问题不解决不放过。",
        "被点名批评的单位要认真分析原因，于下次月报时一并报送整改情况。",
        "自查自纠中“零问题”的单位要深入排查，严防“零空白”，各专项治理小组要加强追踪督查。",
    ] + [f"{d}。" for d in upcoming_deadlines(config, as_of, period)]
    return {
        "district": c.district,
        "issue": issue_number(c.first_period, period),
        "title": f"关于全区专项治理“微腐败”工作推进情况的通报（第{issue_number(c.first_period, period)}期）",
        "title_lines": ["关于全区专项治理“微腐败”工作", f"推进情况的通报（第{issue_number(c.first_period, period)}期）"],
        "period": cn_month(period),
        "as_of": cn_date(as_of),
        "phase": current_phase(config, as_of),
        "office": c.office,
        "issuer": c.issuer,
        "date": cn_date(as_of),
        "overall": overall,
        "praised": verdict_rows(PRAISE),
        "criticised": verdict_rows(CRITICISE),
        "categories": categories,
        "reports": reports,
        "missing": missing,
        "next_steps": next_steps,
        "accountability": [],  # 承诺 / 信访举报 / 一案双查 paragraphs, filled by publish.accountability
        "figures": {
            "inspected": int(total["受检基层单位数"]), "found": found, "closed": int(total["已销号数"]),
            "rate": pct(total["整改率"]), "overdue": int(total["逾期数"]),
        },
    }


_REMINDED = ["单位", "预警", "编号", "检查单位", "被检查单位", "整改时限", "逾期天数", "距整改时限天数", "来源文件", "来源行"]


def reminders(items: pd.DataFrame, units: pd.DataFrame, config: Config, as_of: dt.date) -> pd.DataFrame:
    """Per unit: overdue items, items due within the warning days, and a missing monthly report.
    Where a row came from is in 来源文件 and 来源行 (joined as 来源 for the rows listed: with_source)."""
    # only the columns a reminder shows: a province's due items with every column were gigabytes
    due = items.loc[items["状态"].isin(OPEN) & items["预警"].isin(["红", "黄", "绿"]), _REMINDED]
    red = due["预警"] == "红"
    note = np.empty(len(due), dtype=object)  # each row's text made for its own kind only
    late = red.to_numpy()
    note[late] = per_value(due["逾期天数"][late].astype(int), lambda days: f"已逾期{days}天")
    note[~late] = per_value(due["距整改时限天数"][~late].astype("Int64"), lambda days: f"{days}天后到期")
    rows = pd.DataFrame({
        "单位": due["单位"], "事项": red.map({True: "逾期未完成整改", False: "即将到期"}), "预警": due["预警"],
        "编号": due["编号"], "检查单位": due["检查单位"], "被检查单位": due["被检查单位"],
        "整改时限": per_value(pd.to_datetime(due["整改时限"]), lambda day: day.strftime("%Y-%m-%d"), np.nan),
        "说明": note, "来源文件": due["来源文件"], "来源行": due["来源行"],
    })
    missing = units[(units["单位类型"] != "专项治理小组") & (units["月报报送"] == "未报")]
    unreported = pd.DataFrame({"单位": missing["单位"], "事项": "月报表未报送", "预警": "红", "编号": "", "检查单位": "",
                               "被检查单位": "", "整改时限": "", "说明": "请尽快报送本月月报表及台账", "来源文件": "",
                               "来源行": ""})
    order = {u.name: i for i, u in enumerate(config.units)}
    frame = pd.concat([rows, unreported], ignore_index=True).astype(object)
    rank = {"月报表未报送": 0, "逾期未完成整改": 1, "即将到期": 2}
    return frame.assign(_u=frame["单位"].map(order), _e=frame["事项"].map(rank)).sort_values(
        ["_u", "_e", "整改时限", "编号"], kind="stable").drop(columns=["_u", "_e"]).reset_index(drop=True)


def with_source(reminders: pd.DataFrame) -> pd.DataFrame:
    """The 催办 rows as listed: 来源文件 and 来源行 as one 来源 ("file 检查台账!5"), blank for a
    missing report. Made for the listed rows only: a province has 1.6 million, each its own text."""
    source = reminders["来源文件"] + " " + reminders["来源行"]
    source = source.where(reminders["来源文件"] != "", "")
    return reminders.drop(columns=["来源文件", "来源行"]).assign(来源=source)


def reminder_blocks(frame: pd.DataFrame, period: str, as_of: dt.date):
    """Short per-unit notes staff paste into an email (催办清单.txt), a unit at a time to be written as
    they come: a province's 催办 has millions of rows, and its whole text held at once is a GiB."""
    if frame.empty:
        yield "本期没有需要催办的事项。\n"
        return
    # one line per row, each string built once: a city's 催办 has hundreds of thousands of rows
    by, no, place, deadline, note = (frame[c].astype(str).tolist()
                                     for c in ("检查单位", "编号", "被检查单位", "整改时限", "说明"))
    units, what = frame["单位"].tolist(), frame["事项"].tolist()
    rows: dict[str, list[int]] = {}
    for i, unit in enumerate(units):
        if unit is None or unit != unit:  # as groupby did: a row without a unit belongs to no block
            continue
        rows.setdefault(unit, []).append(i)
    missing = f"{cn_month(period)}月报表尚未报送，请尽快报送。"
    for n, (unit, positions) in enumerate(rows.items()):
        lines = []
        for i in positions:
            if what[i] == "月报表未报送":
                lines.append(f"{len(lines) + 1}. {missing}")
                continue
            found_by = f"（{by[i]}督查发现）" if by[i] != unit else ""
            lines.append(f"{len(lines) + 1}. {no[i]}{found_by}，被检查单位{place[i]}，整改时限{deadline[i]}，{note[i]}。")
        yield safe_text(("\n\n" if n else "") + f"【{unit}】\n截至{cn_date(as_of)}，请贵单位抓紧办理以下事项：\n"
                        + "\n".join(lines))
    yield "\n"


def safe_context(value):
    """Every text of a template context through the one sanitiser (safetext.safe_text)."""
    if isinstance(value, str):
        return safe_text(value)
    if isinstance(value, dict):
        return {k: safe_context(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(safe_context(v) for v in value) if isinstance(value, list) else tuple(safe_context(v) for v in value)
    return value


def _environment(template_dir: Path) -> Environment:
    return Environment(loader=FileSystemLoader(str(template_dir)), autoescape=select_autoescape(["html", "j2"]),
                       undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)


def render_html(context: dict, template_dir: Path, path: Path) -> None:
    html = _environment(template_dir).get_template("bulletin.html.j2").render(**safe_context(context))
    path.write_text(safe_text(html), encoding="utf-8")


def render_docx(context: dict, template_dir: Path, path: Path) -> None:
    from docxtpl import DocxTemplate

    doc = DocxTemplate(str(template_dir / "bulletin.docx"))
    doc.render(safe_context(context), autoescape=True)
    doc.save(str(path))
