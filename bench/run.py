"""Time the monthly job on generated months of 300-item workbooks against the calamine read floor.

Usage: .venv/bin/python bench/run.py [--size district|city|province]
Generated inboxes are cached under bench/out/ (ignored by git) and reused while the code that
writes them (the generator below, the template writer, the schemas) is unchanged.
For each month, in one run: the floor (reading every workbook with python-calamine in two
processes), the cold month (empty outbox), an unchanged rerun (same outbox), and the peak
resident memory of the largest single process of the job (main process or a reader).
"""
from __future__ import annotations

import argparse
import calendar
import csv
import functools
import datetime as dt
import hashlib
import inspect
import multiprocessing as mp
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.config import load_config  # noqa: E402
from pipeline.intake.register_template import REGISTER_FILE, write_register_template  # noqa: E402
from pipeline.intake.templates import write_template  # noqa: E402
from pipeline.versions import hash_files, library_versions  # noqa: E402
from schemas.vocab import CATEGORIES  # noqa: E402

OUT = ROOT / "bench" / "out"
ITEMS = 300  # inspection rows of a workbook: 299 problems and one clean self-inspection
PLACES = 6  # grassroots units of each reporting unit, the last one clean


def make_config(directory: Path, units: int) -> Path:
    """A registry of `units` reporting units with six grassroots units each, plus the real campaign file."""
    directory.mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "config" / "campaign.toml", directory / "campaign.toml")
    with open(directory / "units.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["单位编码", "单位名称", "单位类型", "别名"])
        for i in range(units):
            w.writerow([f"U{i:04d}", f"测试{i:04d}街道" if i % 3 else f"测试{i:04d}局", "街道" if i % 3 else "部门", ""])
    with open(directory / "grassroots.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["所属单位", "基层单位名称", "类型"])
        for i in range(units):
            owner = f"测试{i:04d}街道" if i % 3 else f"测试{i:04d}局"
            for j in range(PLACES):
                w.writerow([owner, f"测试{i:04d}第{j + 1}社区", "社区"])
    return directory


@functools.lru_cache(maxsize=1)
def _config(config_dir: str):
    return load_config(Path(config_dir))  # a province registry takes a while to load: once per process


# distinct problem descriptions, as real ledgers have: each item in its own words (TEXTS: same, distinct, long)
_PLACES = ["社区服务中心", "村委会", "居委会", "便民服务站", "卫生站", "文化站", "劳动保障站"]
_ACTS = ["低保审核把关不严", "优亲厚友", "吃拿卡要", "虚报冒领补贴", "违规收取费用", "挪用专项资金", "公款吃喝", "收受红包礼金",
         "账目公开不及时", "工程项目未公开招标", "集体资产出租未公开", "慰问品发放不透明", "办事推诿拖延", "台账管理混乱",
         "私设小金库", "违规发放津补贴", "门难进脸难看", "截留惠民资金", "征地补偿款发放不及时", "违规报销差旅费"]
_FIXES = ["退回违规款项", "约谈相关负责人", "完善审核制度", "重新公示", "建立首问负责制", "补建台账", "诫勉谈话", "开展专项清理"]


def _texts(rng: random.Random, category: str, place: str, texts: str) -> tuple[str, str]:
    """(发现的问题, 整改措施): the same few sentences everywhere (same), or each item's own (distinct,
    about 38 and 25 characters; long: three times that, as a unit writes that describes its findings)."""
    if texts == "same":
        return f"{category}方面发现问题，群众反映办事推诿拖延", "批评教育并建立首问负责制"
    problems, fixes = [], []
    for _ in range(3 if texts == "long" else 1):
        problems.append(f"{place}{rng.choice(_PLACES)}{rng.choice(_ACTS)}，涉及{rng.randint(2, 60)}户群众"
                        f"{rng.randint(1000, 99999)}元，{rng.choice(_ACTS)}")
        fixes.append(f"{rng.choice(_FIXES)}{rng.randint(1000, 99999)}元，{rng.choice(_FIXES)}，{rng.choice(_FIXES)}")
    return "；".join(problems), "；".join(fixes)


def _one(args) -> None:
    """One unit's workbook; `revised`: the copy it sends again later in the month (see _revise)."""
    config_dir, name, path, seed, texts, *revised = args
    config = _config(config_dir)
    unit = config.unit_by_name()[name]
    rng = random.Random(seed)
    grassroots = config.grassroots_of(name)
    clean, grassroots = grassroots[-1], grassroots[:-1]  # one place's self-inspection finds nothing
    inspections, rects = [], []
    for n in range(1, ITEMS):
        on = dt.date(2017, 5, 1) + dt.timedelta(days=rng.randint(0, 30))
        deadline = on + dt.timedelta(days=rng.choice([20, 30, 45]))
        category = rng.choice(CATEGORIES)
        place = rng.choice(grassroots)
        problem, fix = _texts(rng, category, place, texts)
        inspections.append({"编号": f"自检{n}号", "检查时间": on, "被检查单位": place, "检查方式": "自查自纠",
                            "治理类别": category, "问题性质": "一般问题", "发现的问题": problem,
                            "整改建议": "限期整改，完善制度", "整改时限": deadline, "整改责任人": "王晓梅（社区主任）",
                            "检查人员": "李建国、陈思远", "说明": None})
        if rng.random() < 0.85:
            done = rng.random() < 0.6
            rects.append({"编号": f"自检{n}号", "检查单位": None, "问题单位": None,
                          "存在问题": problem if texts != "same" else "群众反映办事推诿拖延",
                          "整改措施": fix, "整改责任人及责任": "王晓梅（社区主任），负责落实",
                          "完成情况": "已完成" if done else "整改中", "完成时间": on + dt.timedelta(days=5) if done else None,
                          "说明": None})
    inspections.append({"编号": f"自检{ITEMS}号", "检查时间": dt.date(2017, 5, 20), "被检查单位": clean, "检查方式": "自查自纠",
                        "治理类别": None, "问题性质": "无问题", "发现的问题": None, "整改建议": None, "整改时限": None,
                        "整改责任人": None, "检查人员": "李建国、陈思远", "说明": None})
    reports = [{"报表月份": "2017-06", "受检基层单位数": PLACES, "发现问题数": ITEMS - 1, "整改完成数": 0,
                "制度机制建设数": 1}]
    # the clean place mostly signs its 承诺书 (有效); now and then a place with problems signs one too (存疑)
    signed = ([clean] if rng.random() < 0.7 else []) + ([rng.choice(grassroots)] if rng.random() < 0.05 else [])
    pledges = [{"承诺单位": place, "承诺人": "王晓梅", "职务": "社区党委书记", "承诺日期": dt.date(2017, 6, rng.randint(1, 9)),
                "承诺内容": "经自查自纠，本社区未发现“微腐败”问题；如有隐瞒，本人愿接受组织问责", "说明": None}
               for place in signed]
    if revised and revised[0]:
        _revise(random.Random(-seed), inspections, rects)
    write_template(Path(path), unit, config, {"检查台账": inspections, "整改台账": rects, "月报表": reports,
                                              "承诺书": pledges}, dt.date(2017, 6, 15))


def _revise(rng: random.Random, inspections: list[dict], rects: list[dict]) -> None:
    """A resubmission as units send them: progress brought up to date (a third of what was 整改中 now
    已完成), one deadline moved later without a word in 说明 (a 疑问 marked in its 回执), one item added."""
    for row in rects:
        if row["完成情况"] == "整改中" and rng.random() < 1 / 3:
            row["完成情况"], row["完成时间"] = "已完成", dt.date(2017, 6, 20)
    moved = rng.choice(inspections[:-1])
    moved["整改时限"] = moved["整改时限"] + dt.timedelta(days=30)
    added = dict(inspections[0], 编号=f"自检{ITEMS + 1}号", 检查时间=dt.date(2017, 6, 18), 整改时限=dt.date(2017, 7, 18))
    inspections.append(added)


CLUES_PER_UNIT = 2
MAX_CLUES = 5000  # a city office's register of a year; a province's bench month holds as many
_CHANNELS = ["来信", "来访", "电话", "网络"]
_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
_GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华建国志晓梅红玉凤岚澄舟"


def make_register(config, path: Path, seed: int = 1) -> None:
    """The office's 信访举报 register: two clues a unit about its places, complainants named in the text as clerks write."""
    rng = random.Random(seed)
    groups = [u.name for u in config.units if u.type == "专项治理小组"]
    rows = []
    for i, unit in enumerate((config.units * CLUES_PER_UNIT)[:MAX_CLUES]):
        who = rng.choice(_SURNAMES) + "".join(rng.choice(_GIVEN) for _ in range(rng.randint(1, 2)))
        phone = f"1{rng.choice('3589')}{rng.randint(10**8, 10**9 - 1)}"
        on = dt.date(2017, 5, 1) + dt.timedelta(days=rng.randint(0, 40))
        done = rng.random() < 0.7
        rows.append({"线索编号": f"XF2017-{i + 1:05d}", "受理日期": on, "来源渠道": rng.choice(_CHANNELS), "举报人": who,
                     "联系方式": phone, "被反映单位": rng.choice(config.grassroots_of(unit.name) or [unit.name]),
                     "被反映人": "某某（社区工作人员）", "治理类别": rng.choice(CATEGORIES),
                     "反映问题": f"来电人{who}（电话{phone}）反映{rng.choice(_ACTS)}", "承办单位": rng.choice(groups or [unit.name]),
                     "办理时限": on + dt.timedelta(days=30), "办理状态": "已办结" if done else "在办",
                     "办结日期": on + dt.timedelta(days=20) if done else None,
                     "核实结果": rng.choice(["属实", "部分属实", "不属实"]) if done else None,
                     "处理方式": "第一种形态" if done else None, "一案双查": "否" if done else None, "说明": None})
    path.parent.mkdir(parents=True, exist_ok=True)
    write_register_template(path, config, rows, dt.date(2017, 6, 25))


def _generator_version() -> str:
    """Workbooks written by other template code are another month: they are generated again."""
    digest = hashlib.sha256("".join(inspect.getsource(f) for f in (make_config, _texts, _one, _revise, make_register,
                                                                   make_inbox))
                            .encode())
    digest.update(repr((ITEMS, PLACES, _PLACES, _ACTS, _FIXES, CLUES_PER_UNIT, MAX_CLUES, _CHANNELS, _SURNAMES, _GIVEN)).encode()
                  + library_versions(("xlsxwriter",)))
    hash_files(digest, ROOT, ["pipeline/intake/templates.py", "pipeline/intake/register_template.py",
                              "pipeline/config.py", "pipeline/printing.py",
                              *sorted(str(p.relative_to(ROOT)) for p in (ROOT / "schemas").glob("*.py"))])
    return digest.hexdigest()


def make_inbox(name: str, units: int, texts: str = "same", resubmit: int = 0) -> tuple[Path, Path]:
    """`resubmit`: per cent of units that send their workbook again, revised, on 26 June."""
    base = OUT / name
    config_dir, inbox = base / "config", base / "inbox"
    marker = base / ".complete"
    made_by = _generator_version()
    if marker.is_file() and marker.read_text() == made_by:
        return config_dir, inbox
    shutil.rmtree(base, ignore_errors=True)
    make_config(config_dir, units)
    config = load_config(config_dir)
    jobs = []
    for i, unit in enumerate(config.units):
        day = dt.date(2017, 6, 10 + i % 15)
        path = inbox / day.isoformat() / f"{unit.name}_专项治理台账.xlsx"
        path.parent.mkdir(parents=True, exist_ok=True)
        jobs.append((str(config_dir), unit.name, str(path), i, texts))
        if resubmit and i % (100 // resubmit) == 0:
            again = inbox / "2017-06-26" / f"{unit.name}_专项治理台账（修改后）.xlsx"
            again.parent.mkdir(parents=True, exist_ok=True)
            jobs.append((str(config_dir), unit.name, str(again), i, texts, True))
    started = time.perf_counter()
    with mp.get_context("spawn").Pool(2) as pool:
        for n, _ in enumerate(pool.imap_unordered(_one, jobs, chunksize=4), start=1):
            if n % 100 == 0 or n == len(jobs):
                print(f"  generated {n}/{len(jobs)} workbooks", flush=True)
    make_register(config, inbox / "2017-06-25" / REGISTER_FILE)
    print(f"  generation took {time.perf_counter() - started:.0f} s")
    marker.write_text(made_by)
    return config_dir, inbox


def unlisted_config(config_dir: Path, unlisted: int) -> Path:
    """The registry with the first `unlisted` of each unit's inspected grassroots units left out of
    grassroots.csv, as an office's list may be incomplete: their rows become queries (疑问), so most
    回执 mark cells; a place that signed a 承诺书 and is left out is an error. The inbox is the same."""
    if not unlisted:
        return config_dir
    directory = config_dir.with_name(f"config-unlisted{unlisted}")
    shutil.copytree(config_dir, directory, dirs_exist_ok=True)
    with open(config_dir / "grassroots.csv", encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    seen: dict[str, int] = {}
    kept = [rows[0]]
    for owner, *rest in rows[1:]:
        seen[owner] = seen.get(owner, 0) + 1
        if seen[owner] > unlisted:
            kept.append([owner, *rest])
    with open(directory / "grassroots.csv", "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows(kept)
    return directory


def _read_all_sheets(path: str) -> int:
    import python_calamine as pc

    book = pc.CalamineWorkbook.from_path(path)
    return sum(len(book.get_sheet_by_name(name).to_python()) for name in book.sheet_names)


def floor(inbox: Path) -> float:
    """Seconds to merely read every workbook with python-calamine in two processes: the job's floor."""
    paths = sorted(str(p) for p in inbox.rglob("*.xlsx"))
    started = time.perf_counter()
    with mp.get_context("spawn").Pool(2) as pool:
        sum(pool.imap_unordered(_read_all_sheets, paths, chunksize=16))
    return time.perf_counter() - started


def _timed(cmd: list[str]) -> tuple[float, float]:
    """Wall seconds and the peak resident memory (MiB) of the largest single process the command ran."""
    probe = ("import resource, subprocess, sys, time; t = time.perf_counter(); "
             "subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL); "
             "print(time.perf_counter() - t, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
    done = subprocess.run([sys.executable, "-c", probe, *cmd], check=True, cwd=ROOT, capture_output=True, text=True)
    seconds, kib = done.stdout.split()[-2:]
    return float(seconds), int(kib) / 1024


def measure(name: str, units: int, texts: str = "same", period: str = "2017-06", resubmit: int = 0,
            unlisted: int = 0) -> dict:
    folder = name + ("" if texts == "same" else f"-{texts}") + (f"-resubmit{resubmit}" if resubmit else "")
    config_dir, inbox = make_inbox(folder, units, texts, resubmit)
    config_dir = unlisted_config(config_dir, unlisted)
    out = OUT / folder / "outbox"
    shutil.rmtree(out, ignore_errors=True)
    year, month = (int(x) for x in period.split("-"))
    as_of = dt.date(year, month, calendar.monthrange(year, month)[1])
    cmd = [sys.executable, "-m", "pipeline", "monthly", "--period", period, "--inbox", str(inbox),
           "--outbox", str(out), "--as-of", as_of.isoformat(), "--config", str(config_dir)]
    result = {"floor": floor(inbox)}
    result["cold"], result["cold_peak"] = _timed(cmd)
    with open(out / period / "data" / "manifest.csv", encoding="utf-8-sig", newline="") as fh:
        answers = [row["结果"] for row in csv.DictReader(fh)]
    result["accepted"], result["files"], result["replaced"] = answers.count("已采用"), len(answers), answers.count("已被替代")
    result["rerun"], result["rerun_peak"] = _timed(cmd)
    return result


SIZES = {"district": 60, "city": 1500, "province": 11000}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", choices=[*SIZES, "default"], default="default",
                        help="district and city by default; province (11,000 workbooks) only when asked")
    parser.add_argument("--texts", choices=["same", "distinct", "long"], default="same",
                        help="same: a few repeated sentences (the issue's month); distinct: every item described in "
                             "its own words, as in real ledgers (the history's search index then costs most); long: "
                             "as distinct, each text three times as long")
    parser.add_argument("--period", default="2017-06",
                        help="the month the job is run for, as of its last day, on the same inbox (June's ledgers); "
                             "e.g. 2017-08: a month after the self-inspection phase, with past months in the trend")
    parser.add_argument("--resubmit", type=int, choices=[0, 1, 5, 10, 20], default=0,
                        help="per cent of units that send a revised workbook again later in the month (progress "
                             "updated, a deadline moved, an item added): their 回执 list the changes and mark a cell")
    parser.add_argument("--unlisted", type=int, choices=range(PLACES), default=0,
                        help="the first N of each unit's five inspected grassroots units left out of grassroots.csv: "
                             "about N fifths of the rows are queries and most 回执 mark cells")
    args = parser.parse_args()
    names = ["district", "city"] if args.size == "default" else [args.size]
    results = {}
    for name in names:
        words = {"same": "", "distinct": "，各问题文字不同", "long": "，各问题文字不同且较长"}[args.texts]
        print(f"{name}: {SIZES[name]} workbooks × {ITEMS} items{words}", flush=True)
        results[name] = measure(name, SIZES[name], args.texts, args.period, args.resubmit, args.unlisted)
    print("\n| month | workbooks | items | calamine floor | cold | cold / floor | unchanged rerun | rerun / cold "
          "| peak memory (largest process) | 已采用 |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for name, r in results.items():
        label = (name + {"same": "", "distinct": " (distinct texts)", "long": " (long distinct texts)"}[args.texts]
                 + ("" if args.period == "2017-06" else f", {args.period}")
                 + (f", {args.resubmit} % resubmitted" if args.resubmit else "")
                 + (f", {args.unlisted} in 5 places unlisted" if args.unlisted else ""))
        print(f"| {label} | {SIZES[name]:,} | {SIZES[name] * ITEMS:,} | {r['floor']:.1f} s | {r['cold']:.1f} s "
              f"| {r['cold'] / r['floor']:.1f} × | {r['rerun']:.1f} s | {r['rerun'] / r['cold'] * 100:.0f} % "
              f"| {max(r['cold_peak'], r['rerun_peak']):.0f} MiB | {r['accepted']:,} / {r['files']:,}"
              + (f" ({r['replaced']:,} 已被替代)" if r["replaced"] else "") + " |")


if __name__ == "__main__":
    main()
