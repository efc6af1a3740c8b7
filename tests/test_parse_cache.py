"""The parse cache speeds up reruns and changes nothing: cold, warm and cache-deleted runs agree byte for byte."""
import filecmp
import shutil
import sqlite3

from conftest import D, inspection, rectification, report, run, unit_workbook
from pipeline.intake.cache import CACHE_FOLDER, ENTRIES, decode, encode


def _inbox(tmp_path, config):
    inbox = tmp_path / "inbox"
    unit_workbook(inbox / "2017-06-15" / "西安路街道_台账.xlsx", config, "西安路街道",
                  [inspection("自检1号", "桐竹社区", on="2017年6月5日"), inspection("自检２号", "桂乐社区", nature="无问题",
                                                                        category=None, problem=None, deadline=None)],
                  [rectification("自检1号")], [report(inspected=2)], filled_on=D(2017, 6, 15))
    unit_workbook(inbox / "2017-06-21" / "西华街道.xlsx", config, "西华街道",
                  [inspection("自检1号", "青芙社区", deadline="2017-06-01")], reports=[report(found="三")])
    (inbox / "2017-06-21" / "坏文件.xlsx").write_bytes(b"PK\x03\x04 not really")
    return inbox


def _entries(out) -> list[bytes]:
    blobs = []
    for path in (out / CACHE_FOLDER).rglob(ENTRIES):
        with sqlite3.connect(path) as db:
            blobs += [blob for (blob,) in db.execute("select blob from entries")]
    return blobs


def _data(out):
    return sorted(p.relative_to(out) for p in (out / "2017-06" / "data").iterdir())


def test_cold_warm_and_cache_deleted_runs_write_the_same_data(tmp_path, config):
    inbox = _inbox(tmp_path, config)
    out = tmp_path / "out"
    run(config, inbox, out)
    cold = tmp_path / "cold"
    shutil.copytree(out / "2017-06" / "data", cold)
    cache = out / CACHE_FOLDER
    assert len(_entries(out)) == 2, "the two readable workbooks are kept for the next run"

    warm = run(config, inbox, out)
    assert warm.intake.from_cache == 2, "the two readable workbooks are not read again"
    assert "2 个文件与上次运行时相同" in warm.log
    for name in _data(out):
        assert filecmp.cmp(cold / name.name, out / name, shallow=False), f"{name} differs on a warm run"

    shutil.rmtree(cache)
    run(config, inbox, out)
    for name in _data(out):
        assert filecmp.cmp(cold / name.name, out / name, shallow=False), f"{name} differs after deleting the cache"


def test_a_damaged_cache_entry_is_ignored_and_rebuilt(tmp_path, config):
    inbox = _inbox(tmp_path, config)
    out = tmp_path / "out"
    first = run(config, inbox, out)
    (entries,) = (out / CACHE_FOLDER).rglob(ENTRIES)
    with sqlite3.connect(entries) as db:
        db.execute("update entries set blob = ?", [b"garbage"])
    db.close()
    second = run(config, inbox, out)
    assert second.intake.from_cache == 0
    assert second.manifest.equals(first.manifest)
    assert len(_entries(out)) == 2 and b"garbage" not in _entries(out)


def test_a_cache_file_that_is_not_a_database_is_made_afresh(tmp_path, config):
    inbox = _inbox(tmp_path, config)
    out = tmp_path / "out"
    first = run(config, inbox, out)
    (entries,) = (out / CACHE_FOLDER).rglob(ENTRIES)
    entries.write_bytes(b"not a database at all " * 100)
    second = run(config, inbox, out)
    assert second.manifest.equals(first.manifest)
    assert len(_entries(out)) == 2, "the next run finds its entries again"
    assert run(config, inbox, out).intake.from_cache == 2


def test_an_entry_holds_typed_rows_as_they_were_read():
    import datetime as dt

    from pipeline.intake.table import rows_of

    book = {"kind": "台账", "unit": "西安路街道", "filled_on": dt.date(2017, 6, 15), "marker": {"模板": "x"},
            "problems": [{"file": "a.xlsx", "row": 3, "col": None, "value": "＝1"}],
            "sheets": {"检查台账": {"name": "检查台账", "header_row": 2, "columns": {"编号": 0, "检查时间": 1},
                                   "table": {"_row": [3, 4], "_key": ["自检1", None], "编号": ["自检1号", None],
                                             "检查时间": [dt.date(2017, 6, 5), None], "发现问题数": [2.0, None]}}}}
    back = decode(encode(book))
    assert rows_of(back["sheets"]["检查台账"]) == rows_of(book["sheets"]["检查台账"])
    assert {k: v for k, v in back.items() if k != "sheets"} == {k: v for k, v in book.items() if k != "sheets"}


def test_the_month_joins_files_as_they_were_typed_whether_text_numbers_or_missing():
    import datetime as dt

    from pipeline.intake.validate import build_frames

    def book(unit, ledger, report=None):
        sheets = {"检查台账": {"name": "检查台账", "header_row": 2, "columns": {}, "table": ledger}}
        if report:
            sheets["月报表"] = {"name": "月报表", "header_row": 2, "columns": {}, "table": report}
        return {"kind": "台账", "unit": unit, "filled_on": None, "problems": [], "sheets": sheets}

    books = {  # as the month reads them: decoded from what the workers (or the cache) kept
        "a.xlsx": decode(encode(book("西安路街道", {"_row": [3, 4], "_key": ["自检1", "自检2"], "编号": ["自检1号", "自检2号"],
                                                 "检查时间": [dt.date(2017, 6, 5), None]},
                                    {"_row": [3], "_key": [None], "发现问题数": [2]}))),
        "b.xlsx": decode(encode(book("西华街道", {"_row": [3], "_key": ["1"], "编号": [1]},
                                    {"_row": [3], "_key": [None], "发现问题数": ["三"]}))),
        "c.xlsx": decode(encode(book("沙河源街道", {"_row": [3], "_key": ["自检1"], "编号": ["自检1号"],
                                                "检查时间": [dt.date(2017, 6, 9)]}))),
    }
    frames = build_frames(books, dict.fromkeys(books, dt.date(2017, 6, 15)))
    ledger, report = frames["检查台账"], frames["月报表"]
    assert ledger["_file"].tolist() == ["a.xlsx", "a.xlsx", "b.xlsx", "c.xlsx"]
    assert ledger["编号"].tolist() == ["自检1号", "自检2号", 1, "自检1号"], "a number typed as 编号 stays a number"
    assert ledger["检查时间"].dt.strftime("%Y-%m-%d").fillna("").tolist() == ["2017-06-05", "", "", "2017-06-09"]
    assert report["_file"].tolist() == ["a.xlsx", "b.xlsx"]
    assert report["发现问题数"].fillna(-1).tolist() == [2.0, -1], "三 is not a count: blank here, flagged by validation"
