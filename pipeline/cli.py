"""Command line: `python -m pipeline templates|monthly|demo`; failures print one Chinese line."""
from __future__ import annotations

import argparse
import datetime as dt
import re
import sys
from pathlib import Path

from . import ROOT
from .config import ConfigError, load_config


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

    d = sub.add_parser("demo", help="生成演示收件箱并运行月度处理",
                       description="生成一个虚构的全区演示月份并运行月度处理。例：python -m pipeline demo")
    d.add_argument("--dir", type=Path, default=ROOT / "outbox" / "demo", help="演示目录（默认 outbox/demo）")
    d.add_argument("--period", type=_period, default="2017-07", help="演示月份（默认 2017-07）")
    d.add_argument("--config", type=Path, default=ROOT / "config", help="配置目录（默认 config）")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        config = load_config(args.config)
        if args.command == "templates":
            from .intake.templates import write_templates

            paths = write_templates(config, args.out)
            print(f"已为 {len(paths)} 个单位生成台账模板：{args.out}")
        elif args.command == "monthly":
            from .jobs.monthly import default_as_of, run_monthly

            if not args.inbox.is_dir():
                print(f"收件箱目录 {args.inbox} 不存在。", file=sys.stderr)
                return 2
            as_of = args.as_of or default_as_of(args.period)
            run_monthly(config, args.period, args.inbox, args.outbox, as_of, workers=args.workers)
        elif args.command == "demo":
            from .jobs.demo import run_demo

            run_demo(config, args.dir, args.period)
    except ConfigError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    except OSError as exc:
        where = f"：{exc.filename}" if getattr(exc, "filename", None) else ""
        print(f"无法读写文件{where}（{exc.strerror or exc}），请检查目录是否存在、是否有写入权限、磁盘是否已满。",
              file=sys.stderr)
        return 2
    return 0
