"""承诺, 信访举报 and 一案双查 in the leaders' documents: rollup sheets and the bulletin paragraphs.

Hooks called by the rollup writer and the monthly job; they only format what campaign/ computed.
No complainant value reaches here: the frames were sealed at intake.
"""
from __future__ import annotations

import pandas as pd

from schemas.clues import CHANNELS, FORMS
from ..campaign.commitments import DOUBT, MISSING, VALID
from ..campaign.recurrence import FREQUENT, RECURRING
from ..config import Config
from .bulletin import first, pct


def add_accountability_sheets(book, acc, recurrence_total: int | None = None) -> None:
    """Sheets 承诺情况, 信访举报统计, 信访举报线索 and 一案双查 (for the 案件监督管理室).

    `recurrence_total`: how many places recurrence.csv lists when `acc.recurrence` holds only
    those urgent_recurrence kept for the sheet.
    """
    if acc is None:
        return
    _commitments(book, acc.commitments)
    _clue_summary(book, acc.clue_tables)
    _clue_list(book, acc.clues)
    _recurrence(book, acc.recurrence, len(acc.recurrence) if recurrence_total is None else recurrence_total)


def urgent_recurrence(recurrence: pd.DataFrame, limit: int) -> tuple[pd.DataFrame, int]:
    """The places the sheet 一案双查 lists, at most `limit`: those not yet double-checked and with
    the most problems first, still in their order by unit; and how many there are in all."""
    if len(recurrence) <= limit:
        return recurrence, len(recurrence)
    count = pd.to_numeric(recurrence["问题数"], errors="coerce").fillna(0)
    urgency = pd.DataFrame({"checked": recurrence["已一案双查"].eq("是"), "count": -count})
    kept = urgency.sort_values(["checked", "count"], kind="stable").index[:limit]
    return recurrence.loc[sorted(kept)], len(recurrence)


def _commitments(book, commitments: pd.DataFrame) -> None:
    ws = book.sheet("承诺情况", "承诺情况")
    ws.merge_range(0, 0, 0, 7, "书面承诺跟踪情况（存疑：承诺后又发现问题；缺承诺：自查未发现问题但未作承诺）", book.f["title"])
    order = {DOUBT: 0, MISSING: 1, VALID: 2}
    frame = commitments.assign(_s=commitments["状态"].map(order)).sort_values("_s", kind="stable").drop(columns="_s")
    first, last = book.table(ws, 2, frame, widths={"单位": 14, "承诺单位": 14, "承诺日期": 11, "状态": 8, "相关问题": 40,
                                                   "来源文件": 30, "来源行": 10})
    if last >= first:
        c = list(frame.columns).index("状态")
        ws.conditional_format(first, c, last, c, {"type": "cell", "criteria": "==", "value": f'"{DOUBT}"', "format": book.f["bad"]})
        ws.conditional_format(first, c, last, c, {"type": "cell", "criteria": "==", "value": f'"{MISSING}"', "format": book.f["yellow"]})


def _small_table(book, ws, top: int, title: str, frame: pd.DataFrame, pcts=()) -> int:
    ws.write_string(top, 0, title, book.f["sub"])
    for c, col in enumerate(frame.columns):
        ws.write_string(top + 1, c, col, book.f["head"])
    for r, row in enumerate(frame.itertuples(index=False), start=top + 2):
        for c, (col, value) in enumerate(zip(frame.columns, row)):
            if value is None or (isinstance(value, float) and value != value):
                ws.write_blank(r, c, None, book.f["text"])
            elif isinstance(value, (int, float)):
                ws.write_number(r, c, float(value), book.f["pct" if col in pcts else "num"])
            else:
                ws.write_string(r, c, str(value), book.f["text"])
    return top + len(frame) + 3


def _clue_summary(book, tables: dict) -> None:
    ws = book.sheet("信访举报统计", "信访举报统计")
    ws.merge_range(0, 0, 0, 8, "信访举报线索办理情况（“四位一体”受理）", book.f["title"])
    ws.write_string(1, 0, "按来源渠道：办结率＝已办结/线索数；属实率＝属实和部分属实/已办结", book.f["sub"])
    by_channel = tables["by_channel"]
    book.table(ws, 2, by_channel, widths={"来源渠道": 18},
               kinds={"办结率": "pct", "属实率": "pct", **{c: "num" for c in by_channel.columns[1:] if "率" not in c}})
    top = _small_table(book, ws, 2 + len(by_channel) + 3,
                       "按承办单位（超期：未办结且已过办理时限，或办结晚于办理时限）", tables["by_handler"])
    _small_table(book, ws, top, "运用监督执纪“四种形态”处理情况", tables["forms"])


def _clue_list(book, clues: pd.DataFrame) -> None:
    ws = book.sheet("信访举报线索", "信访举报线索")
    ws.merge_range(0, 0, 0, 10, "信访举报线索清单（举报人信息保密，不在本表显示）", book.f["title"])
    first, last = book.table(ws, 2, clues, widths={"被反映单位": 14, "所属单位": 12, "承办单位": 14, "来源文件": 24})
    if last >= first:
        c = list(clues.columns).index("超期")
        ws.conditional_format(first, c, last, c, {"type": "cell", "criteria": "==", "value": '"是"', "format": book.f["bad"]})


def _recurrence(book, recurrence: pd.DataFrame, total: int) -> None:
    ws = book.sheet("一案双查", "一案双查")
    ws.merge_range(0, 0, 0, 6, "问题反复发生、易发多发的基层单位（供案件监督管理室落实“一案双查”）", book.f["title"])
    book.cut_note(ws, len(recurrence), total, "data/recurrence.csv")
    first, last = book.table(ws, 2, recurrence, widths={"基层单位": 14, "所属单位": 14, "治理类别": 24, "相关问题": 50},
                             kinds={"问题数": "num"})
    if last >= first:
        c = list(recurrence.columns).index("已一案双查")
        ws.conditional_format(first, c, last, c, {"type": "cell", "criteria": "==", "value": '"否"', "format": book.f["yellow"]})


NAMED_UNITS = 5  # units whose 存疑 commitments the bulletin describes (twice as many named for 缺承诺)


def _listed(values: list[str], most: int = 8) -> str:
    return first(values, most, "等{n}处")


def accountability_paragraphs(acc, config: Config) -> list[str]:
    """The bulletin's section on commitments (以问责消除“微腐败”零空白), clues and 一案双查."""
    paras = []
    c = acc.commitments
    held, doubt, missing = c[c["状态"].isin([VALID, DOUBT])], c[c["状态"] == DOUBT], c[c["状态"] == MISSING]
    if len(held) or len(missing):
        text = f"书面承诺方面，全区已登记书面承诺{len(held)}份"
        if len(doubt):
            reasons = [r for r in acc.units["承诺存疑理由"] if r]
            named = "；".join(reasons[:NAMED_UNITS])
            if len(reasons) > NAMED_UNITS:  # a bulletin names a few; the workbook's 承诺情况 lists every one
                named += f"；另有{len(reasons) - NAMED_UNITS}个单位的承诺存疑（清单见月度汇总“承诺情况”表）"
            text += (f"，其中{len(doubt)}份承诺后又发现问题，承诺存疑：{named}。"
                     "对虚假承诺的，将严肃追究相关单位和承诺人责任")
        else:
            text += "，目前均未发现承诺后又出现问题的情况"
        if len(missing):
            by_unit = [f"{u}（{_listed(list(dict.fromkeys(part['承诺单位'])), 3)}）"
                       for u, part in missing.groupby("单位", sort=False)]
            named = first(by_unit, NAMED_UNITS * 2, "等{n}个单位（清单见月度汇总“承诺情况”表）", "；")
            text += (f"。自查自纠未发现问题但尚未作出书面承诺的基层单位{len(missing)}个：{named}，"
                     "请所属街道、部门督促其党组织书记签字承诺，以问责消除“微腐败”零空白")
        paras.append(text + "。")
    clues = acc.clues
    if len(clues):
        by = acc.clue_tables["by_channel"].set_index("来源渠道")
        channels = "、".join(f"{ch}{int(by.loc[ch, '线索数'])}条" for ch in CHANNELS if by.loc[ch, "线索数"])
        total = by.loc["合计"]
        text = (f"信访举报方面，累计受理线索{len(clues)}条（{channels}），已办结{int(total['已办结数'])}条，"
                f"办结率{pct(total['办结率'])}；经核实属实或部分属实{int(total['属实数'] + total['部分属实数'])}条，"
                f"属实率{pct(total['属实率'])}")
        late = acc.clue_tables["by_handler"]
        late = late[late["超期数"] > 0]
        if len(late):
            text += "；超期线索" + first([f"{r.承办单位}{int(r.超期数)}条" for r in late.itertuples(index=False)], 10,
                                      "等{n}个单位")
        forms = acc.clue_tables["forms"].set_index("处理方式")["线索数"]
        used = [f"{f}{int(forms[f])}件" for f in FORMS[:4] if forms[f]]
        if used:
            text += "。运用监督执纪“四种形态”处理" + "、".join(used)
        paras.append(text + "。")
    rec = acc.recurrence
    if len(rec):
        parts = []
        again = rec[rec["触发"] == RECURRING]
        if len(again):
            parts.append(f"问题整改后又反复发生的{len(again)}处：" + _listed(
                [f"{r.基层单位}（{r.所属单位}，{r.治理类别}）" for r in again.itertuples(index=False)]))
        many = rec[rec["触发"] == FREQUENT].sort_values("问题数", ascending=False, kind="stable")
        if len(many):
            parts.append(f"问题易发多发（{len(many)}处）较突出的有" + _listed(
                [f"{r.基层单位}（{r.所属单位}，{r.问题数}个）" for r in many.itertuples(index=False)]))
        places = rec.drop_duplicates("基层单位")
        pending = places[places["已一案双查"] == "否"]
        text = "一案双查方面，" + "；".join(parts)
        if len(pending):
            text += (f"。其中{len(pending)}处尚未启动“一案双查”，请案件监督管理室逐一督促落实，既查当事人责任，"
                     "又查相关领导责任（清单见月度汇总“一案双查”表）")
        paras.append(text + "。")
    return paras


def add_accountability(context: dict, acc, config: Config) -> dict:
    """The bulletin context gains `accountability`: paragraphs for its 承诺 / 信访举报 / 一案双查 section."""
    return {**context, "accountability": accountability_paragraphs(acc, config)}
