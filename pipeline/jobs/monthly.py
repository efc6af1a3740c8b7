"""The monthly job: one run per outbox period, skipped when nothing changed, else the period's
outputs (jobs/period.py) written aside and swapped in whole (jobs/staging.py).

Only what an unchanged rerun needs is loaded before it answers: staff who run `make monthly`
again when nothing has arrived hear so at once, without waiting for pandas and the writers.
"""
from __future__ import annotations

import calendar
import datetime as dt
import sys
import warnings
from pathlib import Path
from typing import TYPE_CHECKING

from ..config import Config
from ..intake.cache import CACHE_FOLDER
from ..intake.inbox import scan
from ..intake.workers import Readers
from ..publish.history_runs import HISTORY_FILE
from ..publish.runlog import write_run_log
from .plan_file import plan_path
from .staging import RUN_LOG, StagedPeriod
from .unchanged import forget, inputs_fingerprint, is_current, remember

if TYPE_CHECKING:
    from .period import MonthlyResult


def period_bounds(period: str) -> tuple[dt.date, dt.date]:
    year, month = (int(x) for x in period.split("-"))
    return dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1])


def default_as_of(period: str, today: dt.date | None = None) -> dt.date:
    """The earlier of today and the period's last day."""
    return min(today or dt.date.today(), period_bounds(period)[1])


def run_monthly(config: Config, period: str, inbox: Path, outbox: Path, as_of: dt.date,
                *, workers: int | None = None, log=sys.stderr, skip_unchanged: bool = False) -> MonthlyResult | None:
    """The month's outputs, written aside and swapped in whole (see staging); one run per outbox period.

    `skip_unchanged`: return None without writing when the period already holds what this run would
    write (see jobs.unchanged), as `make monthly` does.
    """
    outbox = Path(outbox)
    cache, history = outbox / CACHE_FOLDER, outbox / HISTORY_FILE
    with StagedPeriod(outbox, period) as stage, warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("default")
        files = scan(Path(inbox))
        inputs = inputs_fingerprint(files, config, period, as_of, plan_path(outbox, period))
        if skip_unchanged and is_current(cache, stage.final, history, period, inputs):
            log.write(f"收件箱文件、配置和程序都与上次运行时相同，{period} 的输出已是最新，未重新生成。\n"
                      f"输出目录：{stage.final}\n（如需重新生成，请加 FORCE=1 再运行，如 make monthly PERIOD={period} FORCE=1；直接用命令行时加 --force。）\n")
            return None
        forget(cache, period)
        # the reader workers start while this process imports the schemas, then read the month's files
        # while it imports the rest (the writers)
        with Readers(config, workers).start(len(files)) as readers:
            readers.read_ahead(files, as_of, cache)
            from .period import write_period  # only now: the unchanged answer above needs none of it

            result = write_period(stage.path, config, period, inbox, as_of, workers=workers, log=log, files=files,
                                  inputs=inputs, readers=readers)
        write_run_log(stage.path / RUN_LOG, result.intake.files, caught, period, as_of)
        stage.commit()
        if not any(f.retry for f in result.intake.files):  # a file lost to a stall is read again next run
            remember(cache, stage.final, history, period, inputs)
    result.out = stage.final
    log.write(f"输出目录：{result.out}\n")
    return result
