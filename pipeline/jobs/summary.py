"""Wire a summary (phase, quarter, week or any span): the inbox as of its last day → OUTBOX/summaries/<D1>_<D2>/."""
from __future__ import annotations

import datetime as dt
import shutil
import sys
from pathlib import Path

from .. import ROOT
from ..campaign.summary import Span, build_summary
from ..config import Config
from ..intake.cache import CACHE_FOLDER
from ..intake.ingest import ingest
from ..ledger.reconcile import build_items
from ..publish.summary_book import write_summary_book
from ..publish.summary_doc import render_summary_docx, summary_context
from ..publish.tables import write_csv
from ..textnorm import printable


def summary_folder(outbox: Path, span: Span) -> Path:
    return Path(outbox) / "summaries" / f"{span.start.isoformat()}_{span.end.isoformat()}"


def run_summary(config: Config, span: Span, inbox: Path, outbox: Path, *, as_of: dt.date | None = None,
                workers: int | None = None, log=sys.stderr) -> Path:
    """Items as the inbox knows them now (or on `as_of`), counted over the span.

    A summary is written after its span: inspections of the span and closures by its last day that
    units reported later count (the ledgers are cumulative); 已销号 means 完成时间 on or before D2.
    """
    as_of = as_of or dt.date.today()
    out = summary_folder(outbox, span)
    shutil.rmtree(out / "data", ignore_errors=True)
    for stale in [*out.glob("*.xlsx"), *out.glob("*.docx")]:
        stale.unlink()
    (out / "data").mkdir(parents=True, exist_ok=True)
    intake = ingest(Path(inbox), config, as_of, workers=workers, cache=Path(outbox) / CACHE_FOLDER)
    items = build_items(intake.frames, intake.accepted, config, as_of)
    summary = build_summary(items, config, span, as_of)
    write_csv(summary.long, out / "data" / "summary.csv")
    name = printable(span.title).replace("/", "／")
    write_summary_book(out / f"{name}.xlsx", summary)
    render_summary_docx(summary_context(summary, config), ROOT / "templates", out / f"{name}.docx")
    g = summary.figures
    log.write(f"{span.title}：检查时间在{span.start}至{span.end}的问题{g['found']}个，已销号{g['closed']}个。\n")
    log.write(f"输出目录：{out}\n")
    return out


def span_from_args(config: Config, start, end, title, phase, quarter, week) -> Span:
    """The span a command line asks for; a wrong combination is one Chinese line (ValueError)."""
    import re

    from ..campaign.summary import custom_span, phase_span, quarter_span, week_span

    if phase:
        span = phase_span(config, phase)
    elif quarter:
        if not re.fullmatch(r"\d{4}Q[1-4]", quarter.strip().upper()):
            raise ValueError(f"季度“{quarter}”格式不对，应为如 2017Q3。")
        span = quarter_span(config, quarter.strip().upper())
    elif week:
        span = week_span(config, week)
    elif start and end:
        span = custom_span(config, start, end, title)
    else:
        raise ValueError("请给出 --from 和 --to，或 --phase、--quarter、--week 之一（运行 python -m pipeline summary -h 查看用法）。")
    if span.end < span.start:
        raise ValueError(f"截止日期 {span.end} 早于起始日期 {span.start}。")
    if title:
        span = Span(span.start, span.end, title, span.kind)
    return span
