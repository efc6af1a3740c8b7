"""A period's outputs appear whole or not at all; one run per outbox period at a time."""
import hashlib
import os
import sqlite3
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import inspection, unit_workbook
from pipeline import ROOT
from pipeline.jobs.staging import StagedPeriod

PY = sys.executable


def monthly(inbox, outbox, *args, **kw):
    return subprocess.Popen([PY, "-m", "pipeline", "monthly", "--period", "2017-06", "--as-of", "2017-06-30",
                             "--inbox", str(inbox), "--outbox", str(outbox), "--workers", "1", *args],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)


def snapshot(folder):
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def inbox(config, tmp_path_factory):
    root = tmp_path_factory.mktemp("whole")
    names = ["西安路街道", "沙河源街道", "区卫生局", "区教育局", "专项治理第一小组"]
    for day in ("2017-06-10", "2017-06-16"):
        for unit in names:
            if unit in {u.name for u in config.units}:
                unit_workbook(root / "inbox" / day / f"{unit}.xlsx", config, unit,
                              [inspection(f"自检{i}号", "桐竹社区") for i in range(1, 4)]
                              if unit == "西安路街道" else [])
    return root / "inbox"


def test_a_killed_run_leaves_the_previous_outputs_byte_identical(inbox, tmp_path):
    outbox = tmp_path / "out"
    first = monthly(inbox, outbox)
    assert first.wait() == 0, first.stderr.read()
    before = snapshot(outbox / "2017-06")
    assert "data/manifest.csv" in before and "运行日志.txt" in before

    # --force: the same inbox again would be found unchanged and not written at all
    victim = monthly(inbox, outbox, "--force", start_new_session=True)
    for _ in range(2000):  # wait until it is writing files into its temporary folder, then kill it and its workers
        if any(p.is_file() for p in outbox.glob(".2017-06.部分输出-*/**/*")) or victim.poll() is not None:
            break
        time.sleep(0.01)
    os.killpg(victim.pid, signal.SIGKILL)
    assert victim.wait() == -signal.SIGKILL, "the run was killed before it finished"
    assert snapshot(outbox / "2017-06") == before

    again = monthly(inbox, outbox)
    assert again.wait() == 0
    assert not any(outbox.glob(".2017-06.部分输出-*")), "a killed run's temporary folder is cleaned on the next run"
    assert snapshot(outbox / "2017-06")["data/manifest.csv"] == before["data/manifest.csv"]


def test_a_second_run_on_the_same_period_stops_at_once_with_one_chinese_line(inbox, tmp_path):
    outbox = tmp_path / "out"
    with StagedPeriod(outbox, "2017-06"):  # a run in progress
        second = monthly(inbox, outbox)
        code = second.wait()
        err = second.stderr.read()
    assert code != 0
    assert err.count("\n") == 1 and "正在另一个窗口中运行" in err
    assert not (outbox / "2017-06").exists()


def test_an_unwritable_outbox_gives_one_chinese_line_and_writes_nothing(inbox, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    proc = monthly(inbox, blocker / "out")
    assert proc.wait() == 2
    err = proc.stderr.read()
    assert err.count("\n") == 1 and "无法读写文件" in err and "Traceback" not in err


def test_a_failed_write_leaves_the_previous_outputs_and_no_temporary_folder(config, inbox, tmp_path, monkeypatch):
    from conftest import run
    from pipeline.jobs import period as job

    outbox = tmp_path / "out"
    run(config, inbox, outbox)
    before = snapshot(outbox / "2017-06")
    with sqlite3.connect(outbox / "history.sqlite") as con:  # as if written from other files: not skipped as the same
        con.execute("update history_runs set [指纹] = 'earlier'")
    con.close()
    kept = history_rows(outbox / "history.sqlite")

    def full_disk(*a, **k):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(job, "write_csv", full_disk)
    with pytest.raises(OSError):
        run(config, inbox, outbox)
    assert snapshot(outbox / "2017-06") == before
    assert not any(outbox.glob(".2017-06.部分输出-*"))
    # the history, written beside the month's other outputs, is not kept when one of them fails
    assert history_rows(outbox / "history.sqlite") == kept


def test_a_large_month_failing_after_its_history_began_keeps_the_earlier_history(config, inbox, tmp_path,
                                                                                 monkeypatch):
    """The history begins as soon as the items are known and copies them in once the second process
    has staged them; a step failing after that (here the 一案双查) leaves the earlier history whole."""
    from conftest import run
    from pipeline.jobs import period as job
    from pipeline.publish import history

    outbox = tmp_path / "out"
    run(config, inbox, outbox)
    with sqlite3.connect(outbox / "history.sqlite") as con:  # as if written from other files: not skipped as the same
        con.execute("update history_runs set [指纹] = 'earlier'")
    con.close()
    before, kept = snapshot(outbox / "2017-06"), history_rows(outbox / "history.sqlite")
    monkeypatch.setattr(job, "PARALLEL_ROWS", 1)
    real = job.accountability

    def failing(*a, **k):
        real(*a, **k)
        time.sleep(1)  # the staged items are copied in meanwhile
        raise MemoryError

    monkeypatch.setattr(job, "accountability", failing)
    copied = []
    real_copy = history._copy_staged
    monkeypatch.setattr(history, "_copy_staged", lambda *a: copied.append(1) or real_copy(*a))
    with pytest.raises(MemoryError):
        run(config, inbox, outbox)
    assert copied == [1]  # the history had begun
    assert snapshot(outbox / "2017-06") == before
    assert history_rows(outbox / "history.sqlite") == kept
    assert not list((outbox / ".cache").glob("history-items-*"))


@pytest.mark.parametrize("start", ["fork", "spawn"])
def test_a_large_month_written_with_a_second_process_gives_the_same_files(config, inbox, tmp_path, monkeypatch,
                                                                          start):
    from conftest import run
    from pipeline.jobs import period as job

    from pipeline.publish import history

    run(config, inbox, tmp_path / "here")
    monkeypatch.setattr(job, "PARALLEL_ROWS", 1)  # as a large month: 回执 and leaders' workbook in a second process
    if start == "spawn":  # where the system cannot fork, a fresh interpreter
        monkeypatch.setattr(job, "_fork", lambda: None)
    copied = []
    real_copy = history._copy_staged
    monkeypatch.setattr(history, "_copy_staged", lambda *a: copied.append(real_copy(*a)) or copied[-1])
    run(config, inbox, tmp_path / "beside")
    here, beside = snapshot(tmp_path / "here" / "2017-06"), snapshot(tmp_path / "beside" / "2017-06")
    assert beside.keys() == here.keys()
    same = [name for name in here if name.startswith("data/") or name.endswith(".xlsx")]  # the Word file dates itself
    assert {name: beside[name] for name in same} == {name: here[name] for name in same}
    assert any(name.startswith("回执/") for name in beside) and any(name.endswith(".xlsx") for name in beside)
    # the items' history rows were written by the second process and copied in: the same history
    assert len(copied) == 1 and copied[0][1]  # once, with the month's 文本号
    assert history_rows(tmp_path / "beside" / "history.sqlite") == history_rows(tmp_path / "here" / "history.sqlite")
    assert not list((tmp_path / "beside" / ".cache").glob("history-items-*"))


def history_rows(db) -> dict:
    with sqlite3.connect(db) as con:
        names = [n for (n,) in con.execute("select name from sqlite_master where type = 'table' and name not like "
                                           "'sqlite_%' and name not like 'items_fts_%'")]
        return {n: con.execute(f"select rowid, * from [{n}] order by rowid").fetchall() for n in names}


@pytest.mark.skipif(sys.platform != "linux", reason="the second process is forked on Linux only")
def test_the_forked_second_process_does_not_hold_the_run_lock(tmp_path):
    """A job killed outright must not leave its second process keeping every later run locked out."""
    from pipeline.jobs import period as job

    def open_files(pid) -> set[str]:
        return {os.path.realpath(fd) for fd in Path(f"/proc/{pid}/fd").iterdir() if fd.is_symlink()}

    lock = os.path.realpath(tmp_path / ".2017-06.lock")
    with StagedPeriod(tmp_path, "2017-06"):
        forked = job._fork()
        try:
            child = forked.submit(os.getpid).result()
            assert lock in open_files(os.getpid()) and lock not in open_files(child)
        finally:
            forked.shutdown()


@pytest.mark.skipif(sys.platform != "linux", reason="the second process is forked on Linux only")
def test_the_second_process_ends_when_the_job_is_killed(tmp_path):
    script = ("import os, signal\n"
              "from pipeline.jobs.period import _fork\n"
              "pool = _fork()\n"
              "print(pool.submit(os.getpid).result(), flush=True)\n"
              "os.kill(os.getpid(), signal.SIGKILL)\n")
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120)
    child = int(done.stdout.split()[0])
    for _ in range(100):
        if not Path(f"/proc/{child}").exists() or "State:\tZ" in Path(f"/proc/{child}/status").read_text():
            break
        time.sleep(0.1)
    else:
        os.kill(child, signal.SIGKILL)
        pytest.fail("the second process outlived the killed job")


def test_items_handed_to_the_second_process_arrive_as_they_left_and_leave_no_copies_behind(tmp_path):
    """The spooled items read back equal, value for value and type for type, and spooling leaves this
    process's strings as they were: pickled, each problem in a unit's own words would keep a UTF-8 copy
    of itself here until the month is done (a city's: 100–230 MiB)."""
    import numpy as np
    import pandas as pd

    from pipeline.publish.tables import read_spooled, spool_frame

    rows = 120_001  # more than two of the slices a text column is written in
    problems = [f"第{i}社区低保审核把关不严，优亲厚友，涉及{i % 60}户群众" if i % 9 else None for i in range(rows)]
    problems[5] = "控制\x00字符与\ud800孤立代理"
    frame = pd.DataFrame({
        "发现的问题": pd.array(problems, dtype="str"),
        "状态": pd.array(["逾期未完成", "已销号"] * (rows // 2) + ["整改中"], dtype="str"),  # a few strings, many rows
        "逾期天数": np.arange(rows),
        "距整改时限天数": pd.array([1, None] * (rows // 2) + [3], dtype="Int64"),
        "整改措施": pd.Series([f"退回违规款项{i}元" if i % 5 else (None, float("nan"))[i % 2] for i in range(rows)],
                          dtype=object),  # text as the month's frames hold it, blanks of both kinds
        "备注": pd.Series(([None, "x", 2.5] * rows)[:rows], dtype=object),
    })
    texts = [t for c in ("发现的问题", "整改措施") for t in frame[c].array.to_numpy(dtype=object)]
    sizes = [sys.getsizeof(t) for t in texts]
    spool_frame(frame, tmp_path / "items.pickle")
    assert [sys.getsizeof(t) for t in texts] == sizes
    # what the other process reads: the columns' arrays made into a frame there, as pickled ones would be
    sent = pd.DataFrame({c: frame[c].array for c in frame.columns})
    pd.testing.assert_frame_equal(read_spooled(str(tmp_path / "items.pickle")), sent, check_exact=True)


def test_the_second_process_reads_the_items_as_they_are_written_and_stops_if_they_are_abandoned(tmp_path):
    """The second process starts reading the items while this one still writes them (as items.pickle.part,
    named items.pickle once complete), and gets them whole; if this process gives up half-way (the
    part removed), the reader stops with an error instead of waiting for the rest forever."""
    import threading

    import pandas as pd

    from pipeline.publish.tables import SpoolGone, read_spooled, spool_frame

    rows = 60_001
    frame = pd.DataFrame({"发现的问题": pd.array([f"第{i}社区低保审核把关不严" for i in range(rows)], dtype="str"),
                          "状态": pd.array(["整改中"] * rows, dtype="str")})
    whole = tmp_path / "whole.pickle"
    spool_frame(frame, whole)
    data = whole.read_bytes()

    def reader(path, outcome):
        try:
            outcome["frame"] = read_spooled(str(path))
        except Exception as exc:  # noqa: BLE001 - handed to the test
            outcome["error"] = exc

    path = tmp_path / "items.pickle"
    part = path.with_name(path.name + ".part")
    part.write_bytes(data[:1000])
    outcome = {}
    follower = threading.Thread(target=reader, args=(path, outcome))
    follower.start()
    with open(part, "ab") as out:
        for start in range(1000, len(data), len(data) // 7):
            time.sleep(0.02)
            out.write(data[start:start + len(data) // 7])
            out.flush()
    os.replace(part, path)
    follower.join(10)
    assert not follower.is_alive() and "error" not in outcome
    pd.testing.assert_frame_equal(outcome["frame"], read_spooled(str(whole)), check_exact=True)

    abandoned = tmp_path / "abandoned.pickle"
    part = abandoned.with_name(abandoned.name + ".part")
    part.write_bytes(data[:len(data) // 2])
    outcome = {}
    follower = threading.Thread(target=reader, args=(abandoned, outcome))
    follower.start()
    time.sleep(0.05)
    part.unlink()
    follower.join(10)
    assert not follower.is_alive() and isinstance(outcome.get("error"), SpoolGone)
    with pytest.raises(SpoolGone):
        read_spooled(str(tmp_path / "never_written.pickle"))


@pytest.mark.skipif(sys.platform != "linux", reason="a thread's own priority is Linux's")
def test_the_history_thread_yields_to_the_job_however_the_job_was_started():
    """The history's thread runs below the job's own priority, also where staff start the job with
    `nice`: the thread is lowered from the job's priority, never set to a fixed one."""
    code = ("import os, threading\n"
            "from concurrent.futures import ThreadPoolExecutor\n"
            "from pipeline.jobs.period import HISTORY_NICENESS, _yielding\n"
            "own = lambda: os.getpriority(os.PRIO_PROCESS, threading.get_native_id())\n"
            "with ThreadPoolExecutor(1) as pool:\n"
            "    print(own(), pool.submit(_yielding, own).result(), own(), HISTORY_NICENESS)\n")
    for nice in (0, 10, 17):
        out = subprocess.run(["nice", "-n", str(nice), PY, "-c", code], cwd=ROOT, capture_output=True, text=True,
                             check=True).stdout.split()
        job, thread, after, step = map(int, out)  # job: `nice` added to whatever priority the tests run at
        assert (thread, after) == (min(19, job + step), job) and job >= nice
