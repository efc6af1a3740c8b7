"""The history database: every month kept in OUTBOX/history.sqlite, searchable, browsable with `make browse`."""
import json
import random
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from concurrent.futures import Future

import pandas as pd
import pytest
import sqlite_utils
from datasette.utils import tilde_encode

from conftest import D, inspection, rectification, report, run, unit_workbook
from pipeline import ROOT
from pipeline.cli import main
from pipeline.jobs import browse
from pipeline.publish import history
from pipeline.publish.history import ConfidentialColumn, write_history
from pipeline.publish.search import search_query, search_text, search_texts, segment_rows


def _inbox(config, inbox):
    """西安路街道 reports in June and resubmits in July with one more problem; 西华街道 reports once."""
    june = [inspection("自检1号", "桐竹社区", category="惠民政策和专项资金", problem="虚报冒领低保金3000元",
                       deadline=D(2017, 6, 25)),
            inspection("自检2号", "桂乐社区", problem="窗口工作人员态度生硬")]
    fixes = [rectification("自检1号", status="整改中", done=None, problem="社区干部冒领低保",
                           **{"整改措施": "追回违规资金并约谈当事人"})]
    unit_workbook(inbox / "2017-06-15" / "西安路街道.xlsx", config, "西安路街道", june, fixes, [report()])
    unit_workbook(inbox / "2017-06-16" / "西华街道.xlsx", config, "西华街道", [inspection("自检1号", "青芙社区")],
                  [rectification("自检1号")], [report()])
    july = june + [inspection("自检3号", "桐明社区", on=D(2017, 7, 3), problem="违规发放慰问品")]
    unit_workbook(inbox / "2017-07-12" / "西安路街道_7月.xlsx", config, "西安路街道", july, fixes,
                  [report(), report("2017-07", found=3, rectified=0)])


@pytest.fixture(scope="module")
def months(config, tmp_path_factory):
    root = tmp_path_factory.mktemp("history")
    inbox, out = root / "inbox", root / "out"
    _inbox(config, inbox)
    june = run(config, inbox, out, "2017-06", D(2017, 6, 30))
    july = run(config, inbox, out, "2017-07", D(2017, 7, 31))
    return {"2017-06": june, "2017-07": july, "inbox": inbox, "out": out, "db": out / "history.sqlite"}


def _counts(db, table):
    with sqlite3.connect(db) as con:
        return dict(con.execute(f"select 期间, count(*) from [{table}] group by 期间").fetchall())


def test_every_data_table_holds_each_period_with_the_rows_of_its_csv(months):
    for table in months["2017-07"].tables:
        csv = {p: len(pd.read_csv(months["out"] / p / "data" / f"{table}.csv")) for p in ("2017-06", "2017-07")}
        stored = _counts(months["db"], table)
        assert {p: stored.get(p, 0) for p in csv} == csv, table


def test_columns_are_the_chinese_columns_of_data_plus_the_period(months):
    db = sqlite_utils.Database(months["db"])
    for table in ("items", "units", "manifest", "ranking"):
        header = list(pd.read_csv(months["out"] / "2017-07" / "data" / f"{table}.csv", nrows=0).columns)
        columns = list(db[table].columns_dict)
        assert columns[0] == "期间"
        assert columns[1:len(header) + 1] == header
    indexed = {tuple(i.columns) for i in db["items"].indexes}
    assert {("单位",), ("期间",), ("状态",)} <= indexed


def test_items_carry_the_rectification_text_for_search(months):
    with sqlite3.connect(months["db"]) as con:
        row = con.execute("select 存在问题, 整改措施 from items where 期间 = '2017-07' and 单位 = '西安路街道' "
                          "and 编号 = '自检1号'").fetchone()
    assert row == ("社区干部冒领低保", "追回违规资金并约谈当事人")


def _found(con, words: str) -> list[tuple]:
    """What Datasette's search box on items shows: the rows whose text 文本号 the index matches."""
    return con.execute("select 期间, 编号, 发现的问题 from items where 文本号 in "
                       "(select rowid from items_fts where items_fts match ?) order by 1, 2",
                       (search_query(words),)).fetchall()


def test_full_text_search_finds_a_two_character_word_inside_a_longer_phrase(months):
    with sqlite3.connect(months["db"]) as con:
        found = _found(con, "低保")
        by_measure = _found(con, "约谈")
        whole = _found(con, "虚报冒领低保金")  # seven characters: the phrase of their six pairs
        one = _found(con, "金")  # the last character of a run
        nothing = _found(con, "小金库")
        apart = _found(con, "冒领金")  # each character is there, but not side by side
        texts = con.execute("select count(*) from items_fts where items_fts match '低保'").fetchone()[0]
    assert found == [("2017-06", "自检1号", "虚报冒领低保金3000元"), ("2017-07", "自检1号", "虚报冒领低保金3000元")]
    assert (by_measure, whole, one, nothing, apart) == (found, found, found, [], [])
    assert texts == 1, "a text resent every month is stored and indexed once"
    hits = list(sqlite_utils.Database(months["db"])["item_texts"].search("低保"))
    assert [(h["发现的问题"], h["存在问题"]) for h in hits] == [("虚报冒领低保金3000元", "社区干部冒领低保")]


def test_replacing_a_period_forgets_texts_no_row_uses(tmp_path):
    db = tmp_path / "history.sqlite"
    items = pd.DataFrame({"单位": ["西安路街道", "西华街道"], "编号": ["自检1号", "自检1号"],
                          "发现的问题": ["虚报冒领低保金", "违规发放慰问品"]})
    write_history(db, "2017-06", {"items": items})
    write_history(db, "2017-07", {"items": items})
    write_history(db, "2017-07", {"items": items.assign(发现的问题=["虚报冒领低保金", "截留私分集体收益"])})
    with sqlite3.connect(db) as con:
        assert [r[1] for r in _found(con, "慰问品")] == ["自检1号"], "June still uses it"
        assert [r[0] for r in _found(con, "私分")] == ["2017-07"]
        write_history(db, "2017-06", {"items": items.head(1)})
        assert _found(con, "慰问品") == []
        stored = con.execute("select 发现的问题 from item_texts order by 1").fetchall()
        assert stored == [("截留私分集体收益",), ("虚报冒领低保金",)]
        assert con.execute("select count(*) from items_fts where items_fts match ?",
                           (search_query("慰问品"),)).fetchone()[0] == 0
        con.execute("insert into items_fts(items_fts) values ('integrity-check')")


def test_a_problem_copied_into_the_rectification_ledger_is_found_and_indexed_once(tmp_path):
    db = tmp_path / "history.sqlite"
    items = pd.DataFrame({"单位": ["西安路街道", "西华街道"], "编号": ["自检1号", "自检2号"],
                          "发现的问题": ["虚报冒领低保金", "违规发放慰问品"],
                          "存在问题": ["虚报冒领低保金", "慰问品发放不规范"], "整改措施": ["追回资金", "追回慰问品"]})
    write_history(db, "2017-06", {"items": items})
    with sqlite3.connect(db) as con:
        assert [r[1] for r in _found(con, "冒领低保")] == ["自检1号"]
        assert [r[1] for r in _found(con, "慰问品")] == ["自检2号"]
        assert [r[1] for r in _found(con, "不规范")] == ["自检2号"], "a 存在问题 of its own is indexed"
        con.execute("create virtual table temp.vocab using fts5vocab(main, items_fts, col)")
        assert con.execute("select col, doc from temp.vocab where term = '冒领'").fetchall() == [("发现的问题", 1)]
        write_history(db, "2017-06", {"items": items.head(1).assign(存在问题=["低保审核不严"])})
        assert [r[1] for r in _found(con, "审核不严")] == ["自检1号"]
        assert _found(con, "慰问品") == []
        con.execute("insert into items_fts(items_fts) values ('integrity-check')")  # deletes fed the same tokens


def test_a_history_written_before_texts_were_shared_is_migrated_on_the_next_write(tmp_path):
    db = tmp_path / "history.sqlite"
    with sqlite3.connect(db) as con:  # the version 2 layout: items_fts indexed every items row itself
        con.execute("create table items (期间 text, 单位 text, 编号 text, 发现的问题 text, 存在问题 text, 整改措施 text)")
        con.execute("insert into items values ('2017-06', '西安路街道', '自检1号', '虚报冒领低保金', null, '约谈')")
        con.execute("create virtual table items_fts using fts5(发现的问题, 存在问题, 整改措施, content=[items])")
        con.execute("insert into items_fts (rowid, 发现的问题, 存在问题, 整改措施) "
                    "values (1, ?, '', ?)", (search_text("虚报冒领低保金"), search_text("约谈")))
        con.execute("pragma user_version = 2")
    write_history(db, "2017-07", {"items": pd.DataFrame({"单位": ["西华街道"], "编号": ["自检1号"],
                                                              "发现的问题": ["违规发放低保"]})})
    with sqlite3.connect(db) as con:
        assert [r[0] for r in _found(con, "低保")] == ["2017-06", "2017-07"]
        assert [r[0] for r in _found(con, "约谈")] == ["2017-06"]
        con.execute("insert into items_fts(items_fts) values ('integrity-check')")


def test_search_text_splits_chinese_runs_into_pairs_and_keeps_other_text():
    assert search_text("冒领低保") .split() == ["冒领", "领低", "低保", "保"]
    assert search_text("A-12号") == "A-12 号"
    assert search_text(None) == ""


def test_a_search_for_words_is_a_phrase_of_pairs_for_each_word():
    assert search_query("冒领低保") == '"冒领 领低 低保"'
    assert search_query("低保  约谈") == '"低保" "约谈"'
    assert search_query("金") == "金*"
    assert search_query("Ａ-12号") == '"A-12" 号*'  # full-width letters typed as they look
    assert search_query('"，"') == '""'  # nothing searchable: matches nothing rather than failing


def test_rerunning_a_period_replaces_its_rows(config, months):
    before = {t: _counts(months["db"], t) for t in ("items", "units", "manifest")}
    again = run(config, months["inbox"], months["out"], "2017-07", D(2017, 7, 31))
    assert again.out == months["out"] / "2017-07"
    assert {t: _counts(months["db"], t) for t in before} == before
    with sqlite3.connect(months["db"]) as con:
        assert [r[0] for r in _found(con, "低保")] == ["2017-06", "2017-07"]
        assert con.execute("select count(*) from item_texts where 文本号 not in (select 文本号 from items)"
                           ).fetchone()[0] == 0
        con.execute("insert into items_fts(items_fts) values ('integrity-check')")


def test_an_interrupted_write_leaves_the_earlier_history(months, monkeypatch, tmp_path):
    db = tmp_path / "history.sqlite"
    items = months["2017-07"].tables["items"]
    write_history(db, "2017-07", {"items": items, "units": months["2017-07"].tables["units"]})
    before = (_counts(db, "items"), _counts(db, "units"))

    def power_cut(*args, **kwargs):
        raise OSError("磁盘已满")

    monkeypatch.setattr(history, "_fts_write", power_cut)
    with pytest.raises(OSError):
        write_history(db, "2017-07", {"items": items.head(1), "units": months["2017-07"].tables["units"].head(1)})
    assert (_counts(db, "items"), _counts(db, "units")) == before


def test_when_the_months_other_outputs_fail_the_history_keeps_the_earlier_rows(months, tmp_path):
    db = tmp_path / "history.sqlite"
    tables = months["2017-07"].tables
    write_history(db, "2017-07", {"items": tables["items"], "units": tables["units"]})
    before = (_counts(db, "items"), _counts(db, "units"))

    def workbook_failed():  # e.g. the leaders' workbook, written on the other core, hit a full disk
        raise OSError("磁盘已满")

    with pytest.raises(OSError):
        write_history(db, "2017-07", {"items": tables["items"].head(1), "units": tables["units"].head(1)},
                      before_commit=workbook_failed)
    assert (_counts(db, "items"), _counts(db, "units")) == before


def test_a_complainant_column_is_never_written(tmp_path):
    db = tmp_path / "history.sqlite"
    clues = pd.DataFrame({"线索编号": ["X1"], "举报人": ["赵某某"], "联系方式": ["13800000000"]})
    with pytest.raises(ConfidentialColumn):
        write_history(db, "2017-07", {"clues": clues})
    assert not db.exists() or b"13800000000" not in db.read_bytes()
    write_history(db, "2017-07", {"clues": clues.drop(columns=["举报人", "联系方式"])})
    data = db.read_bytes()
    assert "赵某某".encode() not in data and b"13800000000" not in data


def test_browse_without_a_history_says_so_in_chinese(tmp_path, capsys):
    assert main(["browse", "--outbox", str(tmp_path)]) == 2
    assert "还没有历史数据库" in capsys.readouterr().err


def test_browse_listens_on_loopback_only(tmp_path):
    command = browse.datasette_command(tmp_path / "history.sqlite", tmp_path / "m.json", 8001)
    assert command[command.index("--host") + 1] == "127.0.0.1" and command.count("--host") == 1
    assert "-i" in command  # immutable: Datasette never writes to the history


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str, deadline: float) -> bytes:
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as r:
                return r.read()
        except (urllib.error.URLError, ConnectionError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


def test_browse_serves_tables_facets_search_and_canned_queries_on_loopback(months):
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "pipeline", "browse", "--outbox", str(months["out"]),
                             "--port", str(port)], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True)
    base = f"http://127.0.0.1:{port}/history"
    try:
        tables = json.loads(_get(base + ".json", time.monotonic() + 60))
        assert {"items", "units", "manifest", "ranking"} <= {t["name"] for t in tables["tables"]}
        assert "逐月历史数据库" in _get(base, time.monotonic() + 10).decode()

        page = _get(base + "/items", time.monotonic() + 10).decode()
        assert "问题台账（逐月）" in page and 'name="_search"' in page
        data = json.loads(_get(base + "/items.json?" + urllib.parse.urlencode({"_search": "低保", "_shape": "objects"}),
                               time.monotonic() + 10))
        assert {f["name"] for f in data["facet_results"].values()} >= {"期间", "单位", "状态", "预警", "治理类别"}
        assert data["filtered_table_rows_count"] == 2
        assert all("低保" in r["发现的问题"] for r in data["rows"])
        for words, count in (("冒领低保金", 2), ("虚报 3000", 2), ("低保审核", 0)):  # longer words, several words
            data = json.loads(_get(base + "/items.json?" + urllib.parse.urlencode({"_search": words, "_shape": "objects"}),
                                   time.monotonic() + 10))
            assert data["filtered_table_rows_count"] == count, words

        query = base + "/" + tilde_encode("某类别仍未销号的问题") + ".json?" + urllib.parse.urlencode(
            {"治理类别": "惠民", "期间": "", "_shape": "array"})
        rows = json.loads(_get(query, time.monotonic() + 10))
        assert [(r["单位"], r["编号"], r["预警"]) for r in rows] == [("西安路街道", "自检1号", "红")]
        rates = base + "/" + tilde_encode("各单位整改率逐月变化") + ".json?" + urllib.parse.urlencode(
            {"单位": "西华", "_shape": "array"})
        assert [(r["期间"], r["整改率"]) for r in json.loads(_get(rates, time.monotonic() + 10))] == [
            ("2017-06", 1.0), ("2017-07", 1.0)]
    finally:
        proc.send_signal(signal.SIGINT)  # what Ctrl-C does
        try:
            output, _ = proc.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            output, _ = proc.communicate()
    assert f"http://127.0.0.1:{port}/" in output and "按 Ctrl-C 停止" in output
    assert proc.returncode == 0


def test_an_unchanged_rerun_keeps_the_stored_period_and_a_changed_one_replaces_it(tmp_path):
    import pandas as pd

    from pipeline.publish.history import write_history

    db_path = tmp_path / "history.sqlite"
    units = pd.DataFrame({"单位": ["西安路街道", "西华街道"], "发现问题数": [3, 1]})
    write_history(db_path, "2017-06", {"units": units})
    stamp = db_path.stat().st_mtime_ns
    write_history(db_path, "2017-06", {"units": units.copy()})
    assert db_path.stat().st_mtime_ns == stamp, "nothing to write when the month is the same"
    write_history(db_path, "2017-06", {"units": units.assign(发现问题数=[4, 1])})
    with sqlite3.connect(db_path) as con:
        rows = con.execute("select 单位, 发现问题数 from units where 期间 = '2017-06' order by 单位 desc").fetchall()
    assert rows == [("西安路街道", 4), ("西华街道", 1)]


def test_a_month_of_texts_is_segmented_a_slice_at_a_time_into_the_same_index(tmp_path, monkeypatch):
    import pipeline.publish.history as history

    items = pd.DataFrame({"单位": ["西安路街道"] * 5, "编号": [f"自检{i}号" for i in range(1, 6)],
                          "发现的问题": ["虚报冒领低保金", "违规发放慰问品", "截留私分集体收益", "公款吃喝", "低保审核不严"]})
    write_history(tmp_path / "whole.sqlite", "2017-06", {"items": items})
    monkeypatch.setattr(history, "SEGMENT_SLICE", 2)
    write_history(tmp_path / "sliced.sqlite", "2017-06", {"items": items})
    for name in ("whole", "sliced"):
        with sqlite3.connect(tmp_path / f"{name}.sqlite") as con:
            assert [r[1] for r in _found(con, "低保")] == ["自检1号", "自检5号"], name
            assert [r[1] for r in _found(con, "私分集体")] == ["自检3号"], name
            con.execute("insert into items_fts(items_fts) values ('integrity-check')")


def test_a_text_repeating_an_earlier_one_of_its_row_is_fed_blank_whatever_the_number_of_texts():
    """存在问题 copied from 发现的问题 is indexed once: each text of a row is fed as search_text makes
    it, or blank when an earlier text of the same row is that text (a blank or a number alike)."""
    rng = random.Random(11)
    nan = float("nan")
    choices = ["虚报冒领低保金", "违规发放慰问品", "补建台账", "", None, 3000, nan, "A-12号"]
    for width in (1, 2, 3, 4):
        rows = [(n, *(rng.choice(choices) for _ in range(width))) for n in range(2000)]
        expected = [(n, *("" if text in texts[:i] else search_text(text) for i, text in enumerate(texts)))
                    for n, *texts in rows]
        assert segment_rows(rows) == expected, width
    assert segment_rows([]) == []


def test_texts_segmented_together_are_each_as_segmented_alone():
    """The index is fed search_texts of a slice; deleting a text re-segments it (search_text): the
    two must agree to the character, whatever a unit typed."""
    rng = random.Random(7)
    alphabet = ["低", "保", "冒", "领", "a", "Z", "9", " ", "  ", "，", ",", "\n", "\t", "。", "（", ")", "·",
                "ー", "가", "\u3400", "\u4dbf", "\u4e00", "\u9fff", "\uf900", "\ufaff", "\u33ff", "\u4dc0",
                "\ufb00", "\U00020000", "_", "-", "\x00", "\ud800", "、", "《", "》", "“", "Ω", "É", "İ", "ß", "①",
                "\U0001F600", "\U0001D400", "\ue000", "々"]
    texts = ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 14))) for _ in range(20_000)]
    texts += ["", "低", "a", "低a", "a低", "虚报冒领低保金", None, float("nan"), 12]
    assert search_texts(texts) == [search_text(t) for t in texts]
    assert search_texts([]) == [] and search_texts(["", None]) == ["", ""]


def test_items_written_ahead_by_another_process_are_copied_in_and_anything_else_is_inserted(months, tmp_path,
                                                                                            monkeypatch):
    """A large month's items rows are written ahead into a file of their own (history.stage_items,
    by the second process) and copied in; a staged file that is not this month's rows, or none at
    all, leaves the history to insert them itself. The history is the same each way."""
    june = months["2017-06"]
    tables, answers = june.tables, june.intake.frames["整改台账"]

    def written(name, staged=None):
        db = tmp_path / f"{name}.sqlite"
        write_history(db, "2017-06", tables, answers, mark="m", staged=staged)
        with sqlite3.connect(db) as con:
            names = [n for (n,) in con.execute("select name from sqlite_master where type = 'table' "
                                               "and name not like 'items_fts_%'")]
            return {n: con.execute(f"select rowid, * from [{n}] order by rowid").fetchall() for n in names}

    plain = written("plain")
    assert len(plain["items"]) == len(tables["items"]) > 1
    staged = history.stage_items(tables["items"], answers, tmp_path / "staged.sqlite")
    assert staged is not None and written("copied", staged) == plain
    other = history.stage_items(tables["items"].iloc[1:], answers, tmp_path / "other.sqlite")
    assert written("not_these_rows", other) == plain
    assert written("gone", tmp_path / "no_such_file.sqlite") == plain
    # the monthly job hands over the staged file's future: the other tables go in while it is pending
    copied = []
    copy = history._copy_staged
    monkeypatch.setattr(history, "_copy_staged", lambda *a: copied.append(1) or copy(*a))
    assert written("ready", _handed_over(staged)) == plain and copied == [1]
    assert written("pending", _handed_over(staged, after=0.3)) == plain and copied == [1, 1]
    assert written("pending_not_these_rows", _handed_over(other, after=0.3)) == plain and copied == [1, 1]
    assert written("pending_none", _handed_over(None, after=0.3)) == plain and copied == [1, 1]
    junk = tmp_path / "junk.sqlite"  # a file of another version: attached, found wanting, detached after the commit
    with sqlite3.connect(junk) as con:
        con.execute("create table items (x)")
    con.close()
    assert written("pending_junk", _handed_over(junk, after=0.3)) == plain


def _handed_over(value, after: float | None = None) -> Future:
    """A future as the monthly job hands it over (the staged file, the month's other tables): done,
    or done `after` seconds later; failed, if `value` is an exception."""
    future = Future()
    done = future.set_exception if isinstance(value, BaseException) else future.set_result
    if after is None:
        done(value)
    else:
        threading.Timer(after, done, [value]).start()
    return future


def test_the_months_other_tables_may_come_after_its_history_began(months, tmp_path, monkeypatch):
    """The monthly job begins the history with the items and hands over the other tables once it has
    made them: the history is the same whichever of them and the staged items comes first. If the
    month fails before they are made, nothing of the history's write is kept."""
    june = months["2017-06"]
    tables, answers = june.tables, june.intake.frames["整改台账"]
    items, others = {"items": tables["items"]}, {n: f for n, f in tables.items() if n != "items"}
    staged = history.stage_items(tables["items"], answers, tmp_path / "staged.sqlite")
    copied = []
    copy = history._copy_staged
    monkeypatch.setattr(history, "_copy_staged", lambda *a: copied.append(1) or copy(*a))

    def written(name, begun_with, later=None, staged_file=None, mark="m"):
        db = tmp_path / f"{name}.sqlite"
        write_history(db, "2017-06", begun_with, answers, mark=mark, staged=staged_file, later=later)
        return _whole(db)

    whole = written("whole", tables, staged_file=_handed_over(staged))
    assert written("items_staged_first", items, _handed_over(others, after=0.3), _handed_over(staged)) == whole
    assert written("tables_first", items, _handed_over(others, after=0.1), _handed_over(staged, after=0.4)) == whole
    assert written("not_staged", items, _handed_over(others, after=0.2)) == whole
    assert copied == [1, 1, 1]
    fingerprinted = written("fingerprinted", tables, mark=None)
    assert written("fingerprinted_later", items, _handed_over(others, after=0.2), mark=None) == fingerprinted

    db = tmp_path / "whole.sqlite"
    before = {name: _counts(db, name) for name in ("items", "units")}
    with pytest.raises(RuntimeError):
        write_history(db, "2017-06", {"items": tables["items"].head(1)}, answers, mark="n",
                      staged=_handed_over(None), later=_handed_over(RuntimeError("汇总失败"), after=0.2))
    assert {name: _counts(db, name) for name in ("items", "units")} == before


def _whole(db) -> dict:
    """Every table of a history database, the search index's own tables included."""
    with sqlite3.connect(db) as con:
        names = [n for (n,) in con.execute("select name from sqlite_master where type = 'table' "
                                           "and name not like 'sqlite_%' and name != 'items_fts'")]
        tables = {}
        for n in names:
            try:
                tables[n] = con.execute(f"select rowid, * from [{n}] order by rowid").fetchall()
            except sqlite3.OperationalError:  # the index's own tables without a rowid: ordered by every column
                width = len(con.execute(f"pragma table_info([{n}])").fetchall())
                tables[n] = con.execute(f"select * from [{n}] order by {', '.join(map(str, range(1, width + 1)))}")\
                    .fetchall()
        return tables


def test_staged_months_make_the_same_history_and_index_as_inserted_ones(tmp_path):
    """June, July with texts both new and already stored (blanks among them, a number among them), then
    July again after a resubmission that drops texts: copied from staged files or inserted here, the
    history is the same, row for row, down to the search index's own pages, and it finds what it should."""
    def month(problems, fixes):
        items = pd.DataFrame({"单位": ["西安路街道"] * len(problems), "编号": [f"自检{i}号" for i in range(len(problems))],
                              "发现的问题": problems, "整改来源文件": ["a.xlsx"] * len(problems),
                              "整改来源行": [f"整改台账!{i + 4}" for i in range(len(problems))]})
        answers = pd.DataFrame({"_file": ["a.xlsx"] * len(fixes), "_row": list(range(3, 3 + len(fixes))),
                                "存在问题": [f[0] for f in fixes], "整改措施": [f[1] for f in fixes]})
        return items, answers

    june = month(["虚报冒领低保金", "违规发放慰问品", None, "虚报冒领低保金"],
                 [("虚报冒领低保金", "追回资金"), (None, None), ("台账不全", "补建台账")])
    july = month(["虚报冒领低保金", "违规发放慰问品", "截留私分集体收益", 3000, "虚报冒领低保金"],
                 [("虚报冒领低保金", "追回资金"), ("私分", None), ("台账不全", "补建台账"), ("吃拿卡要", 3000)])
    july_again = month(["虚报冒领低保金", "截留私分集体收益"], [("虚报冒领低保金", "追回资金")])

    def build(staging: bool) -> dict:
        db = tmp_path / f"{'staged' if staging else 'inserted'}.sqlite"
        for n, (period, (items, answers)) in enumerate([("2017-06", june), ("2017-07", july),
                                                          ("2017-07", july_again)]):
            staged = history.stage_items(items, answers, tmp_path / f"stage-{n}.sqlite") if staging else None
            assert (staged is not None) == staging
            write_history(db, period, {"items": items, "units": pd.DataFrame({"单位": ["西安路街道"]})},
                          answers, mark=f"run {n}", staged=staged)
        with sqlite3.connect(db) as con:
            con.execute("insert into items_fts(items_fts) values ('integrity-check')")
            assert [r[0] for r in _found(con, "慰问品")] == ["2017-06"]
            assert [r[0] for r in _found(con, "补建")] == ["2017-06"]
        return _whole(db)

    assert build(staging=True) == build(staging=False)


def test_a_number_typed_as_a_problem_is_indexed_as_the_text_it_is_stored_as(tmp_path):
    """A 发现的问题 typed as a number is stored as text; the index must be fed that text, or it cannot
    forget it when the period is replaced (the index's own check then finds it damaged)."""
    db = tmp_path / "history.sqlite"
    first = pd.DataFrame({"单位": ["西安路街道"] * 4, "编号": ["自检1号", "自检2号", "自检3号", "自检4号"],
                          "发现的问题": ["虚报冒领低保金", 3000, 3000, "虚报冒领低保金"]})
    write_history(db, "2017-06", {"items": first})
    with sqlite3.connect(db) as con:
        assert [r[1] for r in _found(con, "3000")] == ["自检2号", "自检3号"]
    write_history(db, "2017-06", {"items": first.head(1).assign(发现的问题=["台账不全"])})
    with sqlite3.connect(db) as con:
        con.execute("insert into items_fts(items_fts) values ('integrity-check')")
        assert _found(con, "3000") == []


def test_a_months_texts_are_hashed_as_the_texts_already_stored_were():
    """Histories written by earlier runs hold each text's pandas row hash (TEXT_HASH); a month's texts,
    hashed the faster way, must find them by it: blanks of either kind, empty text and numbers as text."""
    columns = [["虚报冒领低保金", None, "", "3000", float("nan"), "截留私分集体收益"],
               ["虚报冒领低保金", "私分", None, None, float("nan"), ""],
               [None, "追回资金", "补建台账", "3000", float("nan"), "吃拿卡要"]]
    stored = pd.util.hash_pandas_object(pd.DataFrame(dict(zip(history.SEARCHED, columns)), dtype=object), index=False)
    assert history.text_hashes(columns).tolist() == stored.to_numpy().tolist()
    assert len(set(history.text_hashes(columns).tolist())) == len(columns[0])


def test_search_splits_and_folds_other_text_as_people_expect(tmp_path):
    """Text beside the Chinese is split at Chinese punctuation and found whatever its case: 第1、2项
    is found by 2, 《低保》 by 低保, ΩMEGA by ωmega; a word is not found inside a longer one."""
    db = tmp_path / "history.sqlite"
    items = pd.DataFrame({"单位": ["西安路街道"] * 4, "编号": ["自检1号", "自检2号", "自检3号", "自检4号"],
                          "发现的问题": ["第1、2项未公示", "《低保》审核不严", "ΩMEGA系统账号共用", "Café消费3000元"]})
    write_history(db, "2017-06", {"items": items})
    with sqlite3.connect(db) as con:
        con.execute("insert into items_fts(items_fts) values ('integrity-check')")
        assert [r[1] for r in _found(con, "2")] == ["自检1号"]
        assert [r[1] for r in _found(con, "1、2项")] == ["自检1号"]
        assert [r[1] for r in _found(con, "《低保》")] == ["自检2号"]
        assert [r[1] for r in _found(con, "ωmega")] == [r[1] for r in _found(con, "ΩMEGA")] == ["自检3号"]
        assert [r[1] for r in _found(con, "café 3000")] == ["自检4号"]
        assert _found(con, "MEG") == [] and _found(con, "300") == []
    write_history(db, "2017-06", {"items": items.head(1)})  # the replaced texts leave the index whole
    with sqlite3.connect(db) as con:
        con.execute("insert into items_fts(items_fts) values ('integrity-check')")
        assert _found(con, "ωmega") == []


def test_staging_a_month_leaves_its_texts_without_a_second_copy(tmp_path):
    """SQLite is given each text's UTF-8, which Python keeps with the string once asked for it: the
    month's texts, staged as they are, would each keep a second copy in the second process until the
    month is done (with long texts, the second process came within 13 MiB of 1 GiB)."""
    rows = 3_000
    items = pd.DataFrame({"单位": ["西安路街道"] * rows, "编号": [f"自检{i}号" for i in range(rows)],
                          "发现的问题": [f"第{i}社区低保审核把关不严，优亲厚友，涉及{i % 60}户群众" for i in range(rows)],
                          "整改来源文件": ["a.xlsx"] * rows, "整改来源行": [f"整改台账!{i + 4}" for i in range(rows)]})
    answers = pd.DataFrame({"_file": ["a.xlsx"] * rows, "_row": list(range(3, 3 + rows)),
                            "存在问题": [f"第{i}社区低保审核把关不严" for i in range(rows)],
                            "整改措施": [f"退回违规款项{i}元，完善审核制度" for i in range(rows)]})
    texts = [*items["发现的问题"], *answers["存在问题"], *answers["整改措施"]]
    sizes = [sys.getsizeof(t) for t in texts]
    assert history.stage_items(items, answers, tmp_path / "staged.sqlite") is not None
    assert [sys.getsizeof(t) for t in texts] == sizes


def test_a_damaged_staged_file_leaves_the_month_written_whole_with_its_items_inserted(months, tmp_path):
    """A staged file cut short (a short copy, a disk error): SQLite meets it inside the history's
    transaction, which it may roll back or leave refusing every later write. The month is written
    again without it, the other tables included, as if nothing had been staged."""
    june = months["2017-06"]
    tables, answers = june.tables, june.intake.frames["整改台账"]
    plain, damaged = tmp_path / "plain.sqlite", tmp_path / "damaged.sqlite"
    write_history(plain, "2017-06", tables, answers, mark="m")
    staged = history.stage_items(tables["items"], answers, tmp_path / "staged.sqlite")
    data = staged.read_bytes()
    page = 65536  # stage_items' page size: the first pages intact, the rest zeros
    assert len(data) > 2 * page
    staged.write_bytes(data[:2 * page] + bytes(len(data) - 2 * page))
    write_history(damaged, "2017-06", tables, answers, mark="m", staged=_handed_over(staged, after=0.3))
    assert _whole(damaged) == _whole(plain)


def test_another_periods_run_waits_for_a_history_still_being_written(months, tmp_path):
    """June's run has begun its history and still makes its other tables when July's run (another
    process, in the office) writes its own: July's waits for June's to be committed, then both are kept."""
    june, july = months["2017-06"], months["2017-07"]
    db = tmp_path / "history.sqlite"
    write_history(db, "2017-06", june.tables, june.intake.frames["整改台账"], mark="earlier")
    others = _handed_over({n: f for n, f in june.tables.items() if n != "items"}, after=1.5)
    failed = []

    def june_run():
        try:
            write_history(db, "2017-06", {"items": june.tables["items"]}, june.intake.frames["整改台账"],
                          mark="june", staged=_handed_over(None), later=others)
        except Exception as exc:  # reported below, not lost in the thread
            failed.append(exc)

    begun = threading.Thread(target=june_run)
    begun.start()
    time.sleep(0.5)  # June's transaction holds the write lock now
    write_history(db, "2017-07", july.tables, july.intake.frames["整改台账"], mark="july")
    begun.join()
    assert not failed
    assert _counts(db, "items") == {"2017-06": len(june.tables["items"]), "2017-07": len(july.tables["items"])}
    with sqlite3.connect(db) as con:
        assert [m for (m,) in con.execute("select [指纹] from history_runs order by rowid")][-2:] == ["june", "july"]
    con.close()
