"""Command line: `python -m pipeline templates|monthly|demo`; failures print one Chinese line."""
from __future__ import annotations

import argparse
import datetime as dt
import re
import sys
from pathlib import Path

from . import ROOT
from .config import ConfigError, load_config
from .jobs.staging import RunLocked, disk_message
from .memory import collect_cycles_less


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:
        self.exit(2, f"参数错误：{message}（运行 python -m pipeline -h 查看用法）\n")


def _period(text: str) -> str:
    m = re.fullmatch(r"(\d{4})-(\d{2})", text or "")
    if not m or not 1 <= int(m.group(2)) <= 12:
        raise argparse.ArgumentTypeError(f"月份“{text}”格式不对，应为 YYYY-MM，如 2017-06")
    return text


def _day(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"日期“{text}”格式不对，应为 YYYY-MM-DD，如 2017-06-30") from exc


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m pipeline", description="区纪委专项治理“微腐败”台账处理工具")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    t = sub.add_parser("templates", help="为每个填报单位生成空白台账模板",
                       description="为每个填报单位生成个性化空白台账。例：python -m pipeline templates --out outbox/templates")
    t.add_argument("--out", type=Path, default=ROOT / "outbox" / "templates", help="输出目录")
    t.add_argument("--config", type=Path, default=ROOT / "config", help="配置目录（默认 config）")

    m = sub.add_parser("monthly", help="月度处理：读取收件箱、审核、生成回执和汇总",
                       description="月度处理。例：python -m pipeline monthly --period 2017-06 --inbox inbox --outbox outbox")
    m.add_argument("--period", type=_period, required=True, help="统计月份 YYYY-MM")
    m.add_argument("--inbox", type=Path, default=ROOT / "inbox", help="收件箱目录（默认 inbox）")
    m.add_argument("--outbox", type=Path, default=ROOT / "outbox", help="输出目录（默认 outbox）")
    m.add_argument("--as-of", type=_day, default=None, help="统计截止日 YYYY-MM-DD（默认：今天与月末较早者）")
    m.add_argument("--config", type=Path, default=ROOT / "config", help="配置目录（默认 config）")
    m.add_argument("--workers", type=int, default=None, help="并行读取进程数（默认按CPU）")
    m.add_argument("--force", action="store_true", help="即使收件箱、配置和程序都未变化，也重新生成本期全部输出")

    p = sub.add_parser("plan", help="制定每月检查计划：随机抽查和交叉检查（可复核的公开抽签）",
                       description="按收件箱中截至计划日期的台账加权抽取本月随机抽查和交叉检查，输出 OUTBOX/plans/<月份>/"
                                   "检查计划.csv 和检查计划工作簿；默认随机种子由月份得出，也可用联席会议掷骰子得到的数字。"
                                   "例：python -m pipeline plan --period 2017-07 --seed 362514")
    p.add_argument("--period", type=_period, required=True, help="计划月份 YYYY-MM")
    p.add_argument("--seed", default=None, help="随机种子：一串数字，如掷骰子所得（默认由月份得出，如 2017-07 → 201707）")
    p.add_argument("--inbox", type=Path, default=ROOT / "inbox", help="收件箱目录（默认 inbox）")
    p.add_argument("--outbox", type=Path, default=ROOT / "outbox", help="输出目录（默认 outbox）")
    p.add_argument("--as-of", type=_day, default=None, help="计划日期（数据截止）YYYY-MM-DD（默认：月初，或今天如更早）")
    p.add_argument("--config", type=Path, default=ROOT / "config", help="配置目录（默认 config）")

    s = sub.add_parser("summary", help="阶段、季度、每周或任意时段的工作总结（工作簿和Word）",
                       description="按检查时间统计一个时段发现和整改的问题（按类别、性质、自查与督查、单位），"
                                   "输出 OUTBOX/summaries/<起>_<止>/：data/summary.csv、领导用工作簿和Word总结。"
                                   "收件箱读取至今（或 --as-of 日），后来报送的时段内检查和截止日前的销号也计入。例：python -m pipeline summary --from 2017-05-20 --to 2017-06-30；"
                                   "python -m pipeline summary --phase 自查自纠；--quarter 2017Q3；--week 2017-06-19")
    s.add_argument("--from", dest="start", type=_day, default=None, help="起始日期 YYYY-MM-DD")
    s.add_argument("--to", dest="end", type=_day, default=None, help="截止日期 YYYY-MM-DD（已销号指完成时间不晚于此日）")
    s.add_argument("--as-of", type=_day, default=None, help="收件箱读取截止日 YYYY-MM-DD（默认：今天）")
    s.add_argument("--title", default=None, help="总结标题（默认按时段生成）")
    s.add_argument("--phase", default=None, help="按配置中的阶段起止日期：自查自纠、整改落实、建章立制")
    s.add_argument("--quarter", default=None, help="季度，如 2017Q3（各专项治理小组季度检查、发现和整改情况）")
    s.add_argument("--week", type=_day, default=None, help="周例会材料：从该日起7天，如 2017-06-19（每个单位一页）")
    s.add_argument("--inbox", type=Path, default=ROOT / "inbox", help="收件箱目录（默认 inbox）")
    s.add_argument("--outbox", type=Path, default=ROOT / "outbox", help="输出目录（默认 outbox）")
    s.add_argument("--config", type=Path, default=ROOT / "config", help="配置目录（默认 config）")
    s.add_argument("--workers", type=int, default=None, help="并行读取进程数（默认按CPU）")

    d = sub.add_parser("demo", help="生成演示收件箱并运行月度处理",
                       description="生成一个虚构的全区演示月份并运行月度处理。例：python -m pipeline demo")
    d.add_argument("--dir", type=Path, default=ROOT / "outbox" / "demo", help="演示目录（默认 outbox/demo）")
    d.add_argument("--period", type=_period, default="2017-07", help="演示月份（默认 2017-07）")
    d.add_argument("--config", type=Path, default=ROOT / "config", help="配置目录（默认 config）")
    b = sub.add_parser("browse", help="在浏览器中查看逐月历史数据（只读，仅本机）",
                       description="用 Datasette 打开 OUTBOX/history.sqlite（只读，仅 127.0.0.1），可筛选、全文搜索、导出。"
                                   "按 Ctrl-C 停止。例：python -m pipeline browse --outbox outbox --port 8001")
    b.add_argument("--outbox", type=Path, default=ROOT / "outbox", help="输出目录（默认 outbox）")
    b.add_argument("--port", type=int, default=8001, help="本机端口（默认 8001）")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "browse":  # needs no config: it only serves what monthly runs wrote
        from .jobs.browse import run_browse

        return run_browse(args.outbox, args.port)
    collect_cycles_less()
    try:
        config = load_config(args.config)
        if args.command == "templates":
            from .intake.templates import write_templates

            paths = write_templates(config, args.out)
            units = [p for p in paths if p.name != "信访举报登记表.xlsx"]  # the office's register is not a unit's
            print(f"已为 {len(units)} 个单位生成台账模板，并生成信访举报登记表：{args.out}")
        elif args.command == "monthly":
            from .jobs.monthly import default_as_of, run_monthly

            if not args.inbox.is_dir():
                print(f"收件箱目录 {args.inbox} 不存在。", file=sys.stderr)
                return 2
            as_of = args.as_of or default_as_of(args.period)
            run_monthly(config, args.period, args.inbox, args.outbox, as_of, workers=args.workers,
                        skip_unchanged=not args.force)
        elif args.command == "plan":
            from .campaign.plan import clean_seed
            from .jobs.plan import run_plan

            if not args.inbox.is_dir():
                print(f"收件箱目录 {args.inbox} 不存在。", file=sys.stderr)
                return 2
            try:
                seed = clean_seed(args.seed) if args.seed is not None else None
            except ValueError as exc:
                print(f"{exc}。", file=sys.stderr)
                return 2
            run_plan(config, args.period, args.inbox, args.outbox, args.as_of, seed)
        elif args.command == "summary":
            from .jobs.summary import run_summary, span_from_args

            if not args.inbox.is_dir():
                print(f"收件箱目录 {args.inbox} 不存在。", file=sys.stderr)
                return 2
            try:
                span = span_from_args(config, args.start, args.end, args.title, args.phase, args.quarter, args.week)
            except ValueError as exc:
                print(str(exc), file=sys.stderr)
                return 2
            run_summary(config, span, args.inbox, args.outbox, as_of=args.as_of, workers=args.workers)
        elif args.command == "demo":
            from .jobs.demo import run_demo

            run_demo(config, args.dir, args.period)
    except ConfigError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    except RunLocked as exc:
        print(str(exc), file=sys.stderr)
        return 3
    except OSError as exc:
        print(disk_message(exc), file=sys.stderr)
        return 2
    except Exception as exc:  # a bug must not show staff a traceback: one line here, the detail in a file
        where = crash_log(exc, getattr(args, "outbox", None) or getattr(args, "dir", None))
        print(f"程序内部错误（{type(exc).__name__}），本次没有生成输出，之前的输出保持不变。"
              f"请把{where}发给维护人员。", file=sys.stderr)
        return 1
    return 0


def crash_log(exc: BaseException, folder) -> str:
    """Where the failing lines went (never the exception's message: it may quote a cell)."""
    import traceback

    text = "".join(traceback.format_tb(exc.__traceback__)) + f"{type(exc).__module__}.{type(exc).__name__}\n"
    try:
        path = Path(folder or ".") / "运行出错日志.txt"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return f" {path} "
    except OSError:
        return "本窗口的提示"
