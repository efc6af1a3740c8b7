"""Milestone documents (实施方案, 阶段小结…): recognised by file name alone, never opened.

A Word/PDF/image file whose name names one registered unit (or alias) and a milestone's keywords
is 已登记 for that unit and milestone; any other such file is 已忽略 with a reason that says how
to name it. Only the name and the received date matter.
"""
from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from pathlib import PurePath

import pandas as pd

from ..config import Config, Milestone

REGISTERED = "已登记"
IGNORED = "已忽略"
DOCUMENT_EXTENSIONS = frozenset({".doc", ".docx", ".wps", ".pdf", ".ofd", ".jpg", ".jpeg", ".png"})
DOCUMENT_COLUMNS = ["文件", "收到日期", "单位", "事项", "季度"]

_COPY = re.compile(r"(?:[-_ ]*副本(?:\(\d+\))?|\(\d{1,2}\)|[-_ ]*copy(?:\(\d+\))?)", re.IGNORECASE)
_SPACE = re.compile(r"\s+")
_CN_DIGIT = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}
_QUARTER = re.compile(r"(?:(20\d{2})年?(?:度)?)?第?([一二三四1-4])季度|(20\d{2})?[Qq]([1-4])")
EXAMPLE = "西安路街道自查自纠阶段小结（2017年6月20日）.docx"


@dataclass(frozen=True)
class DocumentMatch:
    unit: str = ""
    milestone: str = ""
    quarter: str = ""
    reason: str = ""  # why it is not registered; empty when it is


def is_document(path: PurePath) -> bool:
    """A document extension, and not an Office lock file or a hidden file."""
    name = path.name
    return path.suffix.lower() in DOCUMENT_EXTENSIONS and not name.startswith(("~$", "."))


def _plain(name: str) -> str:
    """NFKC (full-width brackets and digits become ASCII), no spaces, no 副本/(1) copy marks."""
    stem = unicodedata.normalize("NFKC", PurePath(name).stem)
    return _COPY.sub("", _SPACE.sub("", stem))


_SPELLINGS: list = [None, []]  # the last config and its spellings: a city month has thousands of documents


def _spellings(config: Config) -> list[tuple[str, str]]:
    """(spelling, unit) of every registered name and alias, longest first."""
    if _SPELLINGS[0] is not config:
        _SPELLINGS[:] = [config, sorted({(_SPACE.sub("", unicodedata.normalize("NFKC", s)), u.name)
                                         for u in config.units for s in (u.name, *u.aliases) if s},
                                        key=lambda x: -len(x[0]))]
    return _SPELLINGS[1]


def units_named(text: str, config: Config) -> list[str]:
    """Registered units whose name or alias occurs, a spelling inside a longer one not counting."""
    spellings = _spellings(config)
    taken: list[tuple[int, int]] = []
    found: list[str] = []
    for spelling, unit in spellings:
        start = text.find(spelling)
        while start >= 0:
            end = start + len(spelling)
            if not any(a <= start and end <= b for a, b in taken):
                taken.append((start, end))
                if unit not in found:
                    found.append(unit)
            start = text.find(spelling, start + 1)
    order = {u.name: i for i, u in enumerate(config.units)}
    return sorted(found, key=order.get)


def _milestone(text: str, milestones: tuple[Milestone, ...]) -> str:
    """The milestone whose every keyword group occurs; the most specific wins, then the earliest due."""
    hits = [m for m in milestones if all(any(word in text for word in group) for group in m.match)]
    hits.sort(key=lambda m: (-len(m.match), m.due))
    return hits[0].what if hits else ""


def quarter_named(text: str, year: int) -> str:
    """`2017年第三季度`, `三季度`, `Q3` → "2017Q3"; a name without a quarter gives ''."""
    m = _QUARTER.search(text)
    if not m:
        return ""
    y = m.group(1) or m.group(3)
    q = _CN_DIGIT[m.group(2) or m.group(4)]
    return f"{int(y) if y else year}Q{q}"


def keywords_hint(config: Config) -> str:
    return "、".join(dict.fromkeys(m.what for m in config.campaign.milestones))


def classify(name: str, config: Config) -> DocumentMatch:
    """What a document's file name says: its unit and milestone, or why it cannot be registered."""
    text = _plain(name)
    units = units_named(text, config)
    how = f"如为报送材料，请按“单位名称+事项”命名文件，如“{EXAMPLE}”"
    if not units:
        return DocumentMatch(reason=f"文件名中没有可识别的单位名称，不作登记；{how}")
    if len(units) > 1:
        return DocumentMatch(reason=f"文件名中同时出现{'、'.join(units)}，无法确定报送单位，不作登记；"
                                    f"请只写本单位名称，按“单位名称+事项”命名文件，如“{EXAMPLE}”")
    milestone = _milestone(text, config.campaign.milestones)
    if not milestone:
        return DocumentMatch(unit=units[0], reason=f"文件名中没有报送事项（{keywords_hint(config)}），不作登记；{how}")
    quarters = {m.quarter for m in config.campaign.milestones if m.what == milestone and m.quarter}
    quarter = quarter_named(text, config.campaign.year) if quarters else ""
    return DocumentMatch(unit=units[0], milestone=milestone, quarter=quarter if quarter in quarters else "")


def register(name: str, received: dt.date, config: Config, as_of: dt.date) -> tuple[str, str, str]:
    """(结果, 单位, 说明) of a document for the manifest."""
    match = classify(name, config)
    if match.reason:
        return IGNORED, match.unit, match.reason
    if received > as_of:
        return IGNORED, match.unit, f"收到日期 {received.isoformat()} 晚于统计截止日 {as_of.isoformat()}，本期不登记"
    kinds = {u.name: u.type for u in config.units}
    owes = any(m.what == match.milestone and kinds[match.unit] in m.who for m in config.campaign.milestones)
    label = f"{match.milestone}（{match.quarter[:4]}年第{match.quarter[-1]}季度）" if match.quarter else match.milestone
    note = f"报送事项：{label}" + ("" if owes else "（该单位无须报送此项，仅登记）")
    return REGISTERED, match.unit, note


def registered_documents(files, config: Config) -> pd.DataFrame:
    """One row per 已登记 file (文件, 收到日期, 单位, 事项, 季度), from the intake's files."""
    rows = []
    for f in files:
        if f.result == REGISTERED:
            m = classify(PurePath(f.rel).name, config)
            rows.append({"文件": f.rel, "收到日期": f.received, "单位": f.unit, "事项": m.milestone, "季度": m.quarter})
    return pd.DataFrame(rows, columns=DOCUMENT_COLUMNS)
