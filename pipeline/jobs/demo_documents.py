"""Milestone documents for the demo inbox: 实施方案, 阶段小结, 整改方案 and groups' 季度报告,
mostly on time, some late, some missing, named the way units name their attachments."""
from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

from ..config import Config

D = dt.date
PLACEHOLDER = {".docx": b"PK\x03\x04 demo milestone document (never opened)", ".pdf": b"%PDF-1.4\n% demo milestone document\n",
               ".doc": b"\xd0\xcf\x11\xe0 demo milestone document"}
NAMES = {
    "实施方案": ["{u}关于开展专项治理“微腐败”工作的实施方案", "关于报送{u}专项治理“微腐败”工作实施方案的报告", "【{u}】实施方案（{d}）"],
    "自查自纠阶段小结": ["{u}自查自纠阶段小结（{d}）", "关于{u}自查自纠阶段工作情况的总结", "{u}自查自纠阶段小结 - 副本"],
    "整改方案": ["{u}专项治理“微腐败”整改方案", "关于印发{u}整改方案的报告（{d}）", "{u}整改方案(1)"],
}


def _day(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=rng.randint(0, (end - start).days))


def add_milestone_documents(config: Config, inbox: Path, until: dt.date = D(2017, 7, 31), seed: int = 2017) -> int:
    """Write the demo's milestone documents received up to `until`; returns how many files."""
    rng = random.Random(seed * 7 + 9)
    units = [u for u in config.units if u.type != "专项治理小组"]
    groups = [u for u in config.units if u.type == "专项治理小组"]
    written = 0

    def put(day: dt.date, name: str, ext: str) -> None:
        nonlocal written
        if day > until:
            return
        path = inbox / day.isoformat() / f"{name}{ext}"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(PLACEHOLDER[ext])
        written += 1

    schedule = [("实施方案", D(2017, 5, 16), D(2017, 5, 25), D(2017, 5, 26), D(2017, 6, 8), 3, 1),
                ("自查自纠阶段小结", D(2017, 6, 15), D(2017, 6, 25), D(2017, 6, 26), D(2017, 7, 6), 4, 3),
                ("整改方案", D(2017, 7, 1), D(2017, 7, 10), D(2017, 7, 11), D(2017, 7, 20), 4, 3)]
    for what, first, due, late_from, late_to, n_late, n_missing in schedule:
        order = units[:]
        rng.shuffle(order)
        missing, late = order[:n_missing], order[n_missing:n_missing + n_late]
        for u in units:
            if u in missing:
                continue
            day = _day(rng, late_from, late_to) if u in late else _day(rng, first, due)
            spelling = rng.choice([u.name, u.name, *u.aliases[:1]])
            name = rng.choice(NAMES[what]).format(u=spelling, d=f"{day.year}.{day.month}.{day.day}")
            put(day, name, rng.choice([".docx", ".docx", ".pdf", ".doc"]))
    for i, g in enumerate(groups):
        put(_day(rng, D(2017, 5, 16), D(2017, 5, 25)), f"{g.name}实施方案", ".docx")
        if i == 0:
            continue  # one group has not sent its second-quarter report
        day = D(2017, 7, 12) if i == 1 else _day(rng, D(2017, 7, 3), D(2017, 7, 10))
        put(day, f"{g.aliases[0] if i % 2 else g.name}2017年第二季度工作报告", ".pdf")
    # names the office cannot place: no unit, or two units
    put(D(2017, 6, 26), "自查自纠阶段小结", ".docx")
    put(D(2017, 7, 8), f"{units[0].name}、{units[1].name}联合整改方案", ".docx")
    return written
