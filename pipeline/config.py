"""Load config/ once into frozen dataclasses; a broken file stops the run with one Chinese line."""
from __future__ import annotations

import csv
import datetime as dt
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from .textnorm import clean_text, squeeze

UNIT_TYPES = ("街道", "部门", "专项治理小组")
GRASSROOTS_TYPES = ("社区", "科室", "站所", "服务窗口")


class ConfigError(Exception):
    """A config file the job cannot run with; the message is shown to staff as is."""


@dataclass(frozen=True)
class Unit:
    code: str
    name: str
    type: str
    aliases: tuple[str, ...]


@dataclass(frozen=True)
class Grassroots:
    owner: str
    name: str
    type: str


@dataclass(frozen=True)
class Phase:
    name: str
    start: dt.date
    end: dt.date


@dataclass(frozen=True)
class Deadline:
    date: dt.date
    what: str


@dataclass(frozen=True)
class Milestone:
    """A document units owe by a date (实施方案, 阶段小结…); a quarterly one is expanded per quarter."""
    what: str
    who: tuple[str, ...]
    due: dt.date
    match: tuple[tuple[str, ...], ...]  # every group must occur in the file name, any word of a group
    quarter: str = ""                   # "2017Q3" for one quarter's 季度报告


@dataclass(frozen=True)
class Campaign:
    district: str
    office: str
    issuer: str
    year: int
    start: dt.date
    end: dt.date
    first_period: str
    due_day: int
    self_inspection_end: dt.date
    yellow_days: int
    green_days: int
    phases: tuple[Phase, ...]
    deadlines: tuple[Deadline, ...]
    ranking: dict = field(hash=False)
    bulletin: dict = field(hash=False)
    limits: dict = field(hash=False)
    plan: dict = field(default_factory=dict, hash=False)  # the monthly inspection plan ([plan])
    milestones: tuple[Milestone, ...] = ()
    accountability: dict = field(default_factory=dict, hash=False)  # 承诺, 信访举报, 一案双查 ([accountability])


@dataclass(frozen=True)
class Config:
    units: tuple[Unit, ...]
    grassroots: tuple[Grassroots, ...]
    campaign: Campaign

    def unit_by_name(self) -> dict[str, Unit]:
        return {u.name: u for u in self.units}

    def unit_by_code(self) -> dict[str, Unit]:
        return {u.code: u for u in self.units}

    def name_index(self) -> dict[str, str]:
        """Every spelling (name, alias, code) → registered name, compared after clean_text."""
        index: dict[str, str] = {}
        for u in self.units:
            for spelling in (u.name, u.code, *u.aliases):
                index[clean_text(spelling)] = u.name
        return index

    def grassroots_of(self, unit_name: str) -> list[str]:
        return [g.name for g in self.grassroots if g.owner == unit_name]

    def place_index(self) -> dict[str, str]:
        """Every spelling of a grassroots or reporting unit, without spaces → its registered name.

        Names as people type them in free text (西华 街道, full-width, aliases); a grassroots unit wins a tie.
        """
        return {**{squeeze(k): v for k, v in self.name_index().items()},
                **{squeeze(g.name): g.name for g in self.grassroots}}

    def grassroots_owner(self) -> dict[str, str]:
        return {clean_text(g.name): g.owner for g in self.grassroots}

    def listing_grassroots(self) -> set[str]:
        """The units whose grassroots units the registry lists: only their places can be checked against it."""
        return {g.owner for g in self.grassroots}


def _read_csv(path: Path, columns: list[str]) -> list[tuple[int, dict]]:
    if not path.exists():
        raise ConfigError(f"配置文件 {path} 不存在，请检查 config 目录。")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"配置文件 {path} 不是 UTF-8 编码，请用“CSV UTF-8”格式另存。") from exc
    reader = csv.DictReader(text.splitlines())
    missing = [c for c in columns if c not in (reader.fieldnames or [])]
    if missing:
        raise ConfigError(f"配置文件 {path} 第1行缺少列：{'、'.join(missing)}。")
    return [(i, row) for i, row in enumerate(reader, start=2) if any((v or "").strip() for v in row.values())]


def load_units(path: Path) -> tuple[Unit, ...]:
    units: list[Unit] = []
    seen_codes: set[str] = set()
    seen_spellings: dict[str, str] = {}
    for line, row in _read_csv(path, ["单位编码", "单位名称", "单位类型", "别名"]):
        code = clean_text(row["单位编码"])
        name = clean_text(row["单位名称"])
        typ = clean_text(row["单位类型"])
        if not code or not name:
            raise ConfigError(f"配置文件 {path} 第{line}行：单位编码和单位名称不能为空。")
        if typ not in UNIT_TYPES:
            raise ConfigError(f"配置文件 {path} 第{line}行：单位类型“{typ}”无效，应为 街道、部门 或 专项治理小组。")
        if code in seen_codes:
            raise ConfigError(f"配置文件 {path} 第{line}行：单位编码“{code}”重复。")
        seen_codes.add(code)
        aliases = tuple(a for a in (clean_text(x) for x in (row["别名"] or "").split(";")) if a)
        for spelling in (name, *aliases):
            other = seen_spellings.get(spelling)
            if other and other != name:
                raise ConfigError(f"配置文件 {path} 第{line}行：名称或别名“{spelling}”已属于“{other}”，不能重复使用。")
            seen_spellings[spelling] = name
        units.append(Unit(code, name, typ, aliases))
    if not units:
        raise ConfigError(f"配置文件 {path} 没有任何单位。")
    return tuple(units)


def load_grassroots(path: Path, units: tuple[Unit, ...]) -> tuple[Grassroots, ...]:
    names = {u.name for u in units}
    result: list[Grassroots] = []
    seen: dict[str, str] = {}
    for line, row in _read_csv(path, ["所属单位", "基层单位名称", "类型"]):
        owner, name, typ = (clean_text(row[c]) for c in ("所属单位", "基层单位名称", "类型"))
        if owner not in names:
            raise ConfigError(f"配置文件 {path} 第{line}行：所属单位“{owner}”不在 units.csv 中。")
        if not name:
            raise ConfigError(f"配置文件 {path} 第{line}行：基层单位名称不能为空。")
        if typ not in GRASSROOTS_TYPES:
            raise ConfigError(f"配置文件 {path} 第{line}行：类型“{typ}”无效，应为 社区、科室、站所 或 服务窗口。")
        if name in seen and seen[name] != owner:
            raise ConfigError(f"配置文件 {path} 第{line}行：基层单位“{name}”已登记在“{seen[name]}”名下。")
        if name in seen:  # the same line twice: listed once, or a plan could draw one unit twice
            continue
        seen[name] = owner
        result.append(Grassroots(owner, name, typ))
    return tuple(result)


def _date(value, path: Path, key: str) -> dt.date:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    raise ConfigError(f"配置文件 {path} 中 {key} 应为日期（如 2017-06-30），现为“{value}”。")


def _quarters(start: dt.date, end: dt.date) -> list[tuple[str, dt.date]]:
    """(label, last day) of every quarter the campaign touches."""
    out, year, q = [], start.year, (start.month - 1) // 3 + 1
    while dt.date(year, 3 * q - 2, 1) <= end:
        last = dt.date(year, 12, 31) if q == 4 else dt.date(year, 3 * q + 1, 1) - dt.timedelta(days=1)
        out.append((f"{year}Q{q}", last))
        year, q = (year + 1, 1) if q == 4 else (year, q + 1)
    return out


def load_milestones(rows: list, path: Path, start: dt.date, end: dt.date) -> tuple[Milestone, ...]:
    out: list[Milestone] = []
    for n, row in enumerate(rows, start=1):
        where = f"配置文件 {path} 第{n}个 [[milestones]]"
        what = str(row.get("what", "")).strip()
        who = tuple(str(x) for x in row.get("who", []))
        match = tuple(tuple(w for w in str(g).split("|") if w) for g in row.get("match", []))
        if not what or not who or not match or not all(match):
            raise ConfigError(f"{where}：what、who、match 都必须填写。")
        bad = [w for w in who if w not in UNIT_TYPES]
        if bad:
            raise ConfigError(f"{where}：who 中的“{bad[0]}”无效，应为 街道、部门 或 专项治理小组。")
        if row.get("quarterly"):
            day = row.get("due_day", 10)
            if not isinstance(day, int) or not 1 <= day <= 28:
                raise ConfigError(f"{where}：due_day 应为 1–28 之间的整数。")
            for label, last in _quarters(start, end):
                nxt = last + dt.timedelta(days=1)
                out.append(Milestone(what, who, dt.date(nxt.year, nxt.month, day), match, label))
        else:
            out.append(Milestone(what, who, _date(row.get("due"), path, "milestones.due"), match))
    return tuple(sorted(out, key=lambda m: m.due))


def load_campaign(path: Path) -> Campaign:
    if not path.exists():
        raise ConfigError(f"配置文件 {path} 不存在，请检查 config 目录。")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"配置文件 {path} 格式错误：{exc}") from exc
    try:
        d, c, w = data["district"], data["campaign"], data["warning"]
        phases = tuple(
            Phase(p["name"], _date(p["start"], path, "phases.start"), _date(p["end"], path, "phases.end"))
            for p in data.get("phases", [])
        )
        deadlines = tuple(
            sorted(
                (Deadline(_date(x["date"], path, "deadlines.date"), x["what"]) for x in data.get("deadlines", [])),
                key=lambda x: x.date,
            )
        )
        campaign = Campaign(
            district=d["name"],
            office=d["office"],
            issuer=d["issuer"],
            year=int(c["year"]),
            start=_date(c["start"], path, "campaign.start"),
            end=_date(c["end"], path, "campaign.end"),
            first_period=str(c["first_period"]),
            due_day=int(c["monthly_due_day"]),
            self_inspection_end=_date(c["self_inspection_end"], path, "campaign.self_inspection_end"),
            yellow_days=int(w["yellow_days"]),
            green_days=int(w["green_days"]),
            phases=phases,
            deadlines=deadlines,
            ranking=dict(data.get("ranking", {})),
            bulletin=dict(data.get("bulletin", {})),
            limits=dict(data.get("limits", {})),
            plan=dict(data.get("plan", {})),
            accountability=dict(data.get("accountability", {})),
            milestones=load_milestones(data.get("milestones", []), path, _date(c["start"], path, "campaign.start"),
                                       _date(c["end"], path, "campaign.end")),
        )
    except KeyError as exc:
        raise ConfigError(f"配置文件 {path} 缺少必填项 {exc.args[0]}。") from exc
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"配置文件 {path} 中有无效的值：{exc}") from exc
    if not 1 <= campaign.due_day <= 28:
        raise ConfigError(f"配置文件 {path} 中 monthly_due_day 应在 1–28 之间。")
    return campaign


def load_config(directory: Path) -> Config:
    directory = Path(directory)
    units = load_units(directory / "units.csv")
    return Config(
        units=units,
        grassroots=load_grassroots(directory / "grassroots.csv", units),
        campaign=load_campaign(directory / "campaign.toml"),
    )
