"""One period's outputs, written into the staging folder the monthly job (jobs/monthly.py) swaps in:
intake, the ledgers' figures, the campaign's mechanisms, every document made from them, and the
history rows, committed once every file was written."""
from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import functools
import gc
import os
import sys
import tempfile
import threading
import time
import warnings
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path

import pandas as pd

from .. import ROOT
from ..campaign.accountability import accountability, merge_unit_counts
from ..campaign.milestones import milestone_status
from ..campaign.plan_status import plan_counts, plan_status
from ..campaign.survey import survey_table, unit_survey_columns
from ..campaign.trend import monthly_trend
from ..config import Config
from ..memory import give_back_memory
from ..processes import helper_process
from ..intake.cache import CACHE_FOLDER
from ..intake.documents import REGISTERED, registered_documents
from ..intake.feedback import write_all
from ..intake.ingest import ACCEPTED, DUPLICATE, IGNORED, REJECTED, SUPERSEDED, Intake, attach_grids, ingest
from ..intake.resubmission import attach_changes
from ..intake.survey import SHEET as SURVEY_SHEET
from ..intake.workers import Readers
from ..ledger.changes import edit_rollup, moved_goalposts, workbook_changes
from ..ledger.rank import rank_units
from ..ledger.reconcile import ITEM_COLUMNS, build_items
from ..ledger.rollup import district_totals, unit_rollup, with_unit_figures
from ..publish.accountability import add_accountability, urgent_recurrence
from ..publish.bulletin import bulletin_context, reminder_blocks, reminders, render_docx, render_html
from ..publish.campaign_calendar import add_month_on_month, milestone_reminder_text
from ..publish.edits import add_moved_deadlines
from ..publish.history import answer_rows, answers, stage_items, write_history
from ..publish.history_runs import HISTORY_FILE
from ..publish.render import detail_rows, rollup_name, urgent_open_items, urgent_reminders, write_rollup
from ..publish.tables import dates_as_text, read_spooled, spool_frame, write_csv
from ..safetext import output_name
from .past_rates import PastRates
from .plan import read_plan

# inspection rows from which a fresh second interpreter pays for its start and the tasks sent to it, where
# the system cannot fork (measured with a spawned one: 6,000 rows 0.3 s slower with it, 18,000 0.7 s faster);
# the early fork is always worth it (the demo's July, 3,000 rows: 6.4 → 5.2 s)
PARALLEL_ROWS = 12_000
MANIFEST_COLUMNS = ["文件", "收到日期", "sha256", "单位", "结果", "错误数", "疑问数", "说明", "回执"]


class _Here:
    """Runs a task at once in this process: a small month's tasks are not worth sending elsewhere."""

    def submit(self, fn, /, **kwargs) -> Future:
        done: Future = Future()
        done.set_result(fn(**kwargs))
        return done

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def _started() -> None:
    """The first task of the second process: forking it is all it has to do."""


def _fork() -> ProcessPoolExecutor | None:
    """The second process, forked before the month is read where the system allows: it starts at once
    (a fresh interpreter would import pandas and the writers again, about 1 s on a district's critical
    path) and shares none of the month's data (a later fork would keep alive every page this process
    frees after it)."""
    if sys.platform != "linux":  # macOS's system libraries are not safe to fork
        return None
    pool = helper_process("fork")
    # the fork happens at the first task; its collections must leave this process's objects alone
    gc.freeze()
    try:
        with warnings.catch_warnings():
            # Python 3.12+ warns about forking beside other threads (numpy's idle BLAS pool): the
            # fork never calls into BLAS, and the warning would reach every run's log
            warnings.filterwarnings("ignore", message=".*fork.*", category=DeprecationWarning)
            pool.submit(_started)
    finally:
        gc.unfreeze()
    return pool


def _beside(rows: int, forked: ProcessPoolExecutor | None):
    """Where the month's 回执, items.csv and leaders' workbook are written: the early fork; where the
    system cannot fork, a fresh interpreter for a large month (`rows` inspection rows), else here."""
    if forked is not None:
        return forked
    return helper_process("spawn") if rows >= PARALLEL_ROWS else _Here()


SCRATCH = "history-items-*.sqlite"
STALE_SCRATCH_SECONDS = 24 * 3600


def _scratch(cache: Path) -> Path:
    """A file of this run's own under OUTBOX/.cache for the staged history rows (another run may be
    writing another period beside it); one a killed run left behind a day ago is removed."""
    cache.mkdir(parents=True, exist_ok=True)
    for old in cache.glob(SCRATCH):
        with contextlib.suppress(OSError):
            if time.time() - old.stat().st_mtime > STALE_SCRATCH_SECONDS:
                old.unlink()
    handle, name = tempfile.mkstemp(prefix="history-items-", suffix=".sqlite", dir=cache)
    os.close(handle)  # an empty file is an empty database: the other process fills it
    return Path(name)


FEEDBACK_PARTS = 32  # the last part either process begins is what the other may wait for


def _parts(files: list, count: int = FEEDBACK_PARTS) -> list[list]:
    """`files` dealt into `count` parts (fewer when there are fewer files): the long 回执 of one day's
    resubmissions, neighbours in the inbox, are shared out."""
    return [files[i::count] for i in range(min(count, len(files)))] or [[]]


class _Feedback:
    """The 回执, sent to the other core in parts. Its later tasks (the history's staged items,
    items.csv, the leaders' workbook) go ahead of the parts it has not begun, and once this process
    is done with its own work it shares out those still not begun (150 resubmissions' long 回执 kept
    this process waiting 48 s; taken back all at once, they left the other core idle for 20 s)."""

    def __init__(self, pool, parts: list[dict]):
        self.pool = pool
        self.parts = [(pool.submit(write_all, **part), part) for part in parts]

    def _waiting(self) -> list[int]:
        return [n for n, (future, _) in enumerate(self.parts) if future.cancel()]

    def submit(self, fn, /, **kwargs) -> Future:
        """`fn` on the other core ahead of the parts it has not begun."""
        waiting = self._waiting()
        future = self.pool.submit(fn, **kwargs)
        for n in waiting:
            self.parts[n] = (self.pool.submit(write_all, **self.parts[n][1]), self.parts[n][1])
        return future

    def take_back(self) -> None:
        """The parts not yet begun, written here one at a time from the last, while the other core
        goes on from the first: neither waits while the other still has 回执 to write."""
        while True:
            for n in reversed(range(len(self.parts))):
                future, part = self.parts[n]
                if future.cancel():
                    self.parts[n] = (_Here().submit(write_all, **part), part)
                    break
            else:
                return

    def result(self) -> None:
        for future, _ in self.parts:
            future.result()


def _spools(out: Path) -> tuple[Path, Path]:
    """Where the items and their 整改台账 texts go to the other process: files beside items.csv."""
    items_csv = out / "data" / "items.csv"
    return items_csv.with_name(f".{items_csv.stem}.pickle"), items_csv.with_name(f".{items_csv.stem}-整改台账.pickle")


def _answers_ahead(pool, rectifications: pd.DataFrame | None, out: Path) -> str | None:
    """The 整改台账 texts the items' history rows are given, sent to the other process as soon as the
    month is read: it reads and keys them (key_answers_beside) while this one reconciles and it has
    nothing else to do (a city's: 0.4 s off the month's longest chain, staging then the history).
    Returns the spooled file (None: none sent, as for a small month written here)."""
    if isinstance(pool, _Here) or rectifications is None:
        return None
    spool = _spools(out)[1]
    try:
        spool_frame(answers(rectifications), spool)
    except BaseException:
        spool.unlink(missing_ok=True)
        raise
    pool.submit(key_answers_beside, str(spool))  # a failure shows when the staging keys them again
    return str(spool)


def _items_beside(beside: _Feedback, frame: pd.DataFrame, out: Path, answers_spool: str | None,
                  stage: Path) -> tuple[Future, Future]:
    """On the other core, the history's rows and texts of the items into `stage`
    (history.stage_items), then items.csv: (items.csv written, the staged file or None). The history
    waits for the first only, so it is done first (a month of distinct texts takes the other core 9 s).
    The items go there through a file beside items.csv, as their 整改台账 texts went ahead
    (`answers_spool`): pickled into the executor's queue, a province's items would wait in this
    process's memory until the other core had written 11,000 回执."""
    path = out / "data" / "items.csv"
    if isinstance(beside.pool, _Here):  # a small month: the history inserts its rows itself
        return beside.submit(write_csv, frame=frame, path=path), _Here().submit(lambda: None)
    spooled = _spools(out)[0]
    sent = []

    def hand_over() -> None:  # the other core reads the items as they are written
        sent.append(beside.submit(stage_beside, spooled=str(spooled), answers=answers_spool, stage=str(stage)))
        sent.append(beside.submit(write_items_beside, spooled=str(spooled), path=path, answers=answers_spool))

    try:
        spool_frame(frame, spooled, started=hand_over)
    except BaseException:
        if answers_spool:
            Path(answers_spool).unlink(missing_ok=True)
        raise
    return sent[1], sent[0]


@functools.lru_cache(maxsize=1)
def _spooled_items(spooled: str) -> pd.DataFrame:
    """The spooled items, read once in the other process for both of its tasks (a city's: 0.6 s)."""
    return read_spooled(spooled)


@functools.lru_cache(maxsize=1)
def _answers_beside(spooled: str) -> pd.DataFrame | None:
    """In the other process: the spooled 整改台账 texts keyed as items cite them (history.answer_rows)."""
    return answer_rows(read_spooled(spooled))


def key_answers_beside(spooled: str) -> None:
    """The other process's first task of a large month: _answers_beside made ahead of the staging."""
    _answers_beside(spooled)


def stage_beside(spooled: str, answers: str | None, stage: str) -> Path | None:
    """In the other process: the history's rows of the spooled items (None: not staged)."""
    answered = _answers_beside(answers) if answers else None
    return stage_items(_spooled_items(spooled), None, Path(stage), answered=answered)


def write_items_beside(spooled: str, path: Path, answers: str | None) -> None:
    """In the other process, after stage_beside: items.csv from the spooled items, whose files it removes."""
    try:
        frame = _spooled_items(spooled)
    finally:
        _spooled_items.cache_clear()
        _answers_beside.cache_clear()
        for done in (spooled, answers):
            if done:
                Path(done).unlink(missing_ok=True)
    write_csv(frame, path)


def _feedback_name(f, used: set[str]) -> str:
    # a 250-byte mail attachment name must not make its 回执 name too long for the disk
    stem = output_name(Path(f.rel).stem, 120)
    base = output_name(f"{f.unit or '未识别单位'}_{f.received.isoformat()}_{stem}_回执")
    name, n = base, 2
    while name.lower() in used:  # `used` holds lower-cased names: a case-insensitive disk sees one file
        name, n = f"{base}_{n}", n + 1
    used.add(name.lower())
    return f"回执/{name}.xlsx"


def manifest_frame(intake: Intake, feedback: dict[str, str]) -> pd.DataFrame:
    rows = [{
        "文件": f.rel, "收到日期": f.received.isoformat(), "sha256": f.sha256, "单位": f.unit,
        "结果": f.result, "错误数": f.errors, "疑问数": f.queries, "说明": f.note, "回执": feedback.get(f.rel, ""),
    } for f in intake.files]
    return pd.DataFrame(rows, columns=MANIFEST_COLUMNS)


@dataclasses.dataclass
class MonthlyResult:
    out: Path
    intake: Intake  # its frames without the 检查台账's, whose rows are the items'
    manifest: pd.DataFrame
    items: pd.DataFrame
    units: pd.DataFrame
    district: pd.DataFrame
    ranking: pd.DataFrame
    tables: dict[str, pd.DataFrame]  # every file written under data/, by name without .csv


def write_period(out: Path, config: Config, period: str, inbox: Path, as_of: dt.date,
                 *, workers: int | None = None, log=sys.stderr, files: list | None = None,
                 inputs: str | None = None, readers: Readers | None = None) -> MonthlyResult:
    """The month's files go under `out`, the temporary folder swapped in at the end; its rows go into
    the history beside it (OUTBOX/history.sqlite), committed once every file was written.

    `inputs`: the fingerprint of everything the outputs follow from (jobs/unchanged), which marks
    the period's history rows unless a file could not be read this time (it is read again next run).
    `readers`: reader workers the caller started early (intake.workers); closed once the month is read.
    """
    (out / "data").mkdir(parents=True, exist_ok=True)
    if readers is not None:
        readers.stop_ahead()  # its thread must not be running when this process forks
    forked = _fork()
    with forked or contextlib.nullcontext():
        # intake: every file answered; resubmissions compared with the workbook they replace
        with readers or Readers(config, workers) as readers:
            intake = ingest(Path(inbox), config, as_of, cache=out.parent / CACHE_FOLDER, files=files, readers=readers)
            files = intake.accepted
            changes = workbook_changes(intake.frames, files, config)
            goalposts = moved_goalposts(intake.frames, files, changes, config)
            attach_changes(intake.files, goalposts, changes)
            attach_grids(intake.files, config, readers=readers)
        used: set[str] = set()
        feedback = {f.rel: _feedback_name(f, used) for f in intake.files if f.result not in (IGNORED, REGISTERED)}
        manifest = manifest_frame(intake, feedback)
        # the 回执 and leaders' workbook are written on the other core while this one computes
        staging = _scratch(out.parent / CACHE_FOLDER)
        try:
            with _beside(len(intake.frames["检查台账"]), forked) as pool:
                answers_sent = _answers_ahead(pool, intake.frames.get("整改台账"), out)
                answered = _Feedback(pool, [dict(district=config.campaign.district, out=out, files=part, names=feedback)
                                            for part in _parts([f for f in intake.files if f.rel in feedback])])
                mark = inputs if not any(f.retry for f in intake.files) else None
                result = _outputs(out, config, period, as_of, intake, files, changes, goalposts, manifest,
                                  answered, mark, staging, answers_sent)
        finally:  # the other process is done with it by now, whatever happened
            staging.unlink(missing_ok=True)

    counts = manifest["结果"].value_counts()
    log.write(
        f"共收到文件 {len(manifest)} 个：已采用 {counts.get(ACCEPTED, 0)}，已被替代 {counts.get(SUPERSEDED, 0)}，"
        f"已退回 {counts.get(REJECTED, 0)}，重复文件 {counts.get(DUPLICATE, 0)}，已登记 {counts.get(REGISTERED, 0)}，"
        f"已忽略 {counts.get(IGNORED, 0)}。\n"
    )
    if intake.from_cache:
        log.write(f"其中 {intake.from_cache} 个文件与上次运行时相同，直接使用了上次的读取结果。\n")
    return result


def _outputs(out: Path, config: Config, period: str, as_of: dt.date, intake: Intake, files: pd.DataFrame,
             changes: pd.DataFrame, goalposts: list, manifest: pd.DataFrame, answered: _Feedback,
             mark: str | None, staging: Path, answers_sent: str | None) -> MonthlyResult:
    """The month's figures and every document made from them; the other core, besides the 回执
    (`answered`), takes the history's rows of the items (into `staging`), items.csv and the
    leaders' workbook, ahead of the 回执 it has not begun. The history itself is written by a
    thread of this process from the moment the items are known, and committed last."""

    # the ledgers first: everything else is made from the items
    items = build_items(intake.frames, files, config, as_of)
    give_back_memory()
    # the month's largest CSV and the items' history rows, made on the other core while this one goes on
    item_table = dates_as_text(items[ITEM_COLUMNS])
    items_csv, staged = _items_beside(answered, item_table, out, answers_sent, staging)
    beside = [items_csv]  # the other core's work besides the 回执: a failure of it raises in finished()

    def finished() -> None:
        answered.result()
        for work in beside:
            work.result()

    # the history, from now on, mostly inside SQLite (which lets go of Python meanwhile): it copies in the
    # items once the other core has staged them (a province's 10 s before its other tables are made),
    # writes the other tables once this process has made them (`others`), and is kept only once every
    # other output has been written
    others: Future = Future()
    go_ahead, outcome = threading.Event(), {"written": False}

    def when_all_written() -> None:
        go_ahead.wait()
        if not outcome["written"]:
            raise _Abandoned
        finished()

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="history") as beside_here:
        # its own shallow copy: copy-on-write keeps it as it is now, whatever this thread does next
        history = beside_here.submit(_yielding, write_history, out.parent / HISTORY_FILE, period,
                                     {"items": item_table.copy(deep=False)}, intake.frames.get("整改台账"),
                                     before_commit=when_all_written, mark=mark, staged=staged, later=others)
        try:
            result = _figures(out, config, period, as_of, intake, files, changes, goalposts, manifest, answered,
                              items, item_table, beside, others)
            outcome["written"] = True
        finally:
            if not others.done():  # this process failed before it made them: the history is not kept
                others.set_exception(_Abandoned())
            go_ahead.set()
        history.result()
    finished()
    return result


def _figures(out: Path, config: Config, period: str, as_of: dt.date, intake: Intake, files: pd.DataFrame,
             changes: pd.DataFrame, goalposts: list, manifest: pd.DataFrame, answered: _Feedback,
             items: pd.DataFrame, item_table: pd.DataFrame, beside: list[Future], others: Future) -> MonthlyResult:
    """Everything made from the items: the units' figures, the campaign's mechanisms, the CSV files
    and documents; the leaders' workbook goes to the other core (into `beside`), the tables to the
    history (`others`)."""
    # the campaign's mechanisms' per-unit figures join units before ranking
    units = unit_rollup(items, intake.frames, files, manifest, config, period, as_of)
    milestones = milestone_status(registered_documents(intake.files, config), config, as_of)
    past = PastRates(out.parent / CACHE_FOLDER, config, {f.rel: f.sha256 for f in intake.files})
    past.forget_other_versions()
    trend, last_month = monthly_trend(intake.frames, files, items, config, period, as_of, past)
    units = units.merge(last_month[["单位", "上月整改率"]], on="单位", how="left")
    survey = survey_table(intake.frames[SURVEY_SHEET], [u.name for u in config.units])
    units = with_unit_figures(units, unit_survey_columns(survey), ["问卷样本数"])
    # the month's inspection plan, when `make plan` drew one (out is a folder inside OUTBOX)
    executed = plan_status(read_plan(out.parent, period), items, config, period)
    units = with_unit_figures(units, plan_counts(executed), ["计划检查数", "已执行计划数"])
    # the 检查台账's rows live on in the items: its own frame (a province's pointers to them: 430 MB) is
    # let go before the campaign's mechanisms make their largest temporary frames (a province's peak,
    # 3.86 → 3.33 GiB with the pages the rollup and trend freed given back first)
    del intake.frames["检查台账"]
    give_back_memory()
    acc = accountability(intake.frames, files, items, config, as_of)  # 承诺, 信访举报, 一案双查
    give_back_memory()
    units = merge_unit_counts(units, acc)
    district = district_totals(units)
    ranking = rank_units(units, config, as_of)
    chase = reminders(items, units, config, as_of)
    edits = edit_rollup(changes, pd.DataFrame(goalposts, columns=["file", "code"]).assign(
        单位=lambda d: d["file"].map(dict(zip(files["file"], files["unit"])))))

    tables = {"manifest": manifest, "items": item_table, "units": units, "district": district,
              "ranking": ranking, "milestones": milestones, "trend": trend, "survey": survey, "changes": changes,
              **acc.tables()}
    if not executed.empty:
        tables["plan_status"] = executed

    # only the rows the leaders' workbook lists travel to the process that writes it
    listed = detail_rows(config)
    rollup = dict(path=out / rollup_name(period), units=units, district=district, ranking=ranking,
                  open_items=urgent_open_items(items, listed), manifest=manifest,
                  reminders=urgent_reminders(chase, listed), config=config, period=period, as_of=as_of,
                  milestones=milestones, trend=trend, edits=edits, plan_status=executed)
    listed_places, rollup["recurrence_total"] = urgent_recurrence(acc.recurrence, listed)
    rollup["accountability"] = dataclasses.replace(acc, recurrence=listed_places)
    beside.append(answered.submit(write_rollup, **rollup))

    for name, frame in tables.items():
        if name != "items":  # items.csv is written on the other core
            write_csv(frame, out / "data" / f"{name}.csv")
    give_back_memory()  # what the CSV files took is given back before the history's other tables and the documents
    # its own shallow copies: copy-on-write keeps them as they are now, whatever this thread does next
    others.set_result({name: frame.copy(deep=False) for name, frame in tables.items() if name != "items"})
    _documents(out, config, period, as_of, units, district, ranking, items, trend, milestones, acc, edits, chase)
    del chase, rollup
    give_back_memory()
    answered.take_back()  # done with its own work: the 回执 the other core has not begun are written here
    return MonthlyResult(out=out, intake=intake, manifest=manifest, items=items, units=units, district=district,
                         ranking=ranking, tables=tables)


HISTORY_NICENESS = 5  # added to the job's own


def _yielding(fn, *args, **kwargs):
    """fn in this thread at a lower priority: the history begins as soon as the items are staged and
    takes mostly what CPU the main thread and the other process leave. At their priority a city's
    history, copied while the other process writes items.csv and the leaders' workbook, made the
    month 0.4 s later; 10 lower, a province's waited to the end again (94 s with 5, 98 with 10)."""
    if sys.platform == "linux":  # a thread's own priority: elsewhere the number would name a process
        thread = threading.get_native_id()
        with contextlib.suppress(OSError):
            lower = min(19, os.getpriority(os.PRIO_PROCESS, thread) + HISTORY_NICENESS)
            os.setpriority(os.PRIO_PROCESS, thread, lower)
    return fn(*args, **kwargs)


class _Abandoned(Exception):
    """The month's other outputs failed: the history written beside them is not kept."""


def _documents(out: Path, config: Config, period: str, as_of: dt.date, units, district, ranking, items, trend,
               milestones, acc, edits, chase) -> None:
    """The bulletin (HTML and Word) and the 催办 list."""
    context = bulletin_context(units, district, ranking, items, config, period, as_of)
    context = add_month_on_month(context, units, trend, milestones, config, period, as_of)
    context = add_accountability(context, acc, config)
    context = add_moved_deadlines(context, edits, config)
    bulletin = out / f"{context['title']}"
    render_html(context, ROOT / "templates", bulletin.with_name(bulletin.name + ".html"))
    render_docx(context, ROOT / "templates", bulletin.with_name(bulletin.name + ".docx"))
    with open(out / "催办清单.txt", "w", encoding="utf-8") as text:
        text.writelines(reminder_blocks(chase, period, as_of))
        text.write(milestone_reminder_text(milestones, as_of))
