"""`make monthly` run again on the same inbox does not regenerate the month; any change makes it run."""
import datetime as dt

from conftest import D, inspection, rectification, report, unit_workbook
from pipeline.jobs.monthly import run_monthly


def _month(tmp_path, config):
    inbox = tmp_path / "inbox"
    unit_workbook(inbox / "2017-06-15" / "西安路街道_台账.xlsx", config, "西安路街道",
                  [inspection("自检1号", "桐竹社区")], [rectification("自检1号")], [report()], filled_on=D(2017, 6, 15))
    return inbox, tmp_path / "out"


class Log:
    def __init__(self):
        self.text = ""

    def write(self, text):
        self.text += text


def again(config, inbox, out, as_of=D(2017, 6, 30)):
    log = Log()
    result = run_monthly(config, "2017-06", inbox, out, as_of, workers=1, log=log, skip_unchanged=True)
    return result, log.text


def test_the_same_inbox_run_again_keeps_the_outputs_as_they_are(tmp_path, config):
    inbox, out = _month(tmp_path, config)
    first, _ = again(config, inbox, out)
    assert first is not None
    rollup = next((out / "2017-06").glob("*.xlsx"))
    written = rollup.stat().st_mtime_ns

    second, said = again(config, inbox, out)
    assert second is None
    assert "输出已是最新，未重新生成" in said
    assert rollup.stat().st_mtime_ns == written


def test_a_new_file_a_touched_output_or_another_as_of_date_runs_the_month_again(tmp_path, config):
    inbox, out = _month(tmp_path, config)
    again(config, inbox, out)

    unit_workbook(inbox / "2017-06-18" / "西华街道_台账.xlsx", config, "西华街道",
                  [inspection("自检1号", "青芙社区")], reports=[report()], filled_on=D(2017, 6, 18))
    result, _ = again(config, inbox, out)
    assert result is not None and "西华街道" in set(result.manifest["单位"])

    feedback = next((out / "2017-06" / "回执").iterdir())
    feedback.unlink()
    result, _ = again(config, inbox, out)
    assert result is not None and feedback.exists(), "a deleted 回执 is written again"

    result, _ = again(config, inbox, out, as_of=dt.date(2017, 6, 29))
    assert result is not None


def test_a_month_whose_history_rows_are_gone_is_written_again(tmp_path, config):
    inbox, out = _month(tmp_path, config)
    again(config, inbox, out)
    (out / "history.sqlite").unlink()
    result, _ = again(config, inbox, out)
    assert result is not None and (out / "history.sqlite").exists()


def _history_items(out) -> int:
    import sqlite3

    con = sqlite3.connect(out / "history.sqlite")
    try:
        return con.execute("select count(*) from items where 期间 = '2017-06'").fetchone()[0]
    finally:
        con.close()


def test_a_file_the_busy_machine_could_not_read_in_time_is_read_again_on_the_next_run(tmp_path, config, monkeypatch):
    # a reader that stalls (the machine busy with something else) must not freeze the 退回 in place:
    # staff run `make monthly` again and expect the file to be read this time
    from pipeline.intake.readers import WorkerPool

    inbox, out = _month(tmp_path, config)
    real_run = WorkerPool.run

    def stalled(self, jobs):
        for key, _ in jobs:
            self.stalled.add(key)
            yield key, {"failure": ("unreadable", "读取超过60秒仍未完成")}

    monkeypatch.setattr(WorkerPool, "run", stalled)
    first, _ = again(config, inbox, out)
    assert set(first.manifest["结果"]) == {"已退回"}

    assert _history_items(out) == 0

    monkeypatch.setattr(WorkerPool, "run", real_run)
    second, said = again(config, inbox, out)
    assert second is not None, said
    assert set(second.manifest["结果"]) == {"已采用"}
    assert _history_items(out) == 1, "the history holds the month as read this time, not as the stalled run left it"
    third, said = again(config, inbox, out)
    assert third is None and "输出已是最新" in said


def test_the_answer_that_nothing_changed_comes_before_pandas_and_the_writers_load(tmp_path, config):
    """Staff run `make monthly` again often; the unchanged answer must not wait for the heavy modules."""
    import subprocess
    import sys

    from pipeline import ROOT

    inbox, out = _month(tmp_path, config)
    again(config, inbox, out)
    probe = ("import sys; from pipeline.cli import main; "
             f"main(['monthly', '--period', '2017-06', '--as-of', '2017-06-30', '--inbox', {str(inbox)!r}, "
             f"'--outbox', {str(out)!r}, '--config', {str(ROOT / 'config')!r}]); "
             "print(sorted(m for m in ('pandas', 'pandera', 'xlsxwriter', 'sqlite_utils') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert "输出已是最新，未重新生成" in done.stderr
    assert done.stdout.strip() == "[]"
