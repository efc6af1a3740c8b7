"""The month's files are read while the job is still starting (Readers.read_ahead); what was read
ahead is used as if ingest had read it, and the outputs are those of a run that reads nothing ahead."""
import filecmp
import shutil

from conftest import D, inspection, rectification, report, run, unit_workbook
from pipeline.intake.cache import CACHE_FOLDER
from pipeline.intake.inbox import scan
from pipeline.intake.workers import Readers


def _inbox(tmp_path, config):
    inbox = tmp_path / "inbox"
    unit_workbook(inbox / "2017-06-15" / "西安路街道_台账.xlsx", config, "西安路街道",
                  [inspection("自检1号", "桐竹社区"), inspection("自检2号", "桂乐社区", deadline="2017-06-01")],
                  [rectification("自检1号")], [report(inspected=2)], filled_on=D(2017, 6, 15))
    unit_workbook(inbox / "2017-06-21" / "西华街道.xlsx", config, "西华街道",
                  [inspection("自检1号", "青芙社区")], reports=[report()])
    shutil.copy(inbox / "2017-06-21" / "西华街道.xlsx", inbox / "2017-06-21" / "西华街道(1).xlsx")  # sent twice
    (inbox / "2017-06-21" / "坏文件.xlsx").write_bytes(b"PK\x03\x04 not really")
    (inbox / "2017-06-21" / "~$西华街道.xlsx").write_bytes(b"lock")
    (inbox / "2017-06-21" / "说明.txt").write_text("请查收", encoding="utf-8")
    unit_workbook(inbox / "2017-07-02" / "人民北路街道.xlsx", config, "人民北路街道", [inspection("自检1号", "桂园社区")])
    return inbox


def test_the_workbooks_of_the_month_are_read_ahead_once_each_and_nothing_else(tmp_path, config):
    inbox = _inbox(tmp_path, config)
    with Readers(config, 1).start(8) as readers:
        readers.read_ahead(scan(inbox), D(2017, 6, 30), None)
        ahead = readers.take_ahead(finish=True)
    # the copy sent twice is read once, as the first of the two in the inbox's order (ingest's)
    assert sorted(ahead.results) == ["2017-06-15/西安路街道_台账.xlsx", "2017-06-21/坏文件.xlsx", "2017-06-21/西华街道.xlsx"]
    assert "blob" in ahead.results["2017-06-15/西安路街道_台账.xlsx"]
    assert "failure" in ahead.results["2017-06-21/坏文件.xlsx"]


def test_a_month_read_ahead_writes_what_a_month_read_in_turn_writes(tmp_path, config, monkeypatch):
    inbox = _inbox(tmp_path, config)
    ahead = run(config, inbox, tmp_path / "ahead")
    with monkeypatch.context() as m:
        m.setattr(Readers, "read_ahead", lambda self, files, as_of, cache: None)
        in_turn = run(config, inbox, tmp_path / "in_turn")
    assert ahead.manifest.equals(in_turn.manifest)
    assert dict(zip(ahead.manifest["文件"], ahead.manifest["结果"])) == {
        "2017-06-15/西安路街道_台账.xlsx": "已退回",  # a deadline before its inspection: a cell its 回执 marks
        "2017-06-21/~$西华街道.xlsx": "已忽略", "2017-06-21/坏文件.xlsx": "已退回", "2017-06-21/西华街道.xlsx": "已采用",
        "2017-06-21/说明.txt": "已忽略", "2017-06-21/西华街道(1).xlsx": "重复文件", "2017-07-02/人民北路街道.xlsx": "已忽略"}
    data = sorted(p.name for p in (tmp_path / "ahead" / "2017-06" / "data").iterdir())
    assert data == sorted(p.name for p in (tmp_path / "in_turn" / "2017-06" / "data").iterdir())
    for name in data:
        assert filecmp.cmp(tmp_path / "ahead" / "2017-06" / "data" / name,
                           tmp_path / "in_turn" / "2017-06" / "data" / name, shallow=False), name


def test_files_the_parse_cache_holds_are_not_read_ahead(tmp_path, config):
    inbox = _inbox(tmp_path, config)
    out = tmp_path / "out"
    run(config, inbox, out)
    with Readers(config, 1).start(8) as readers:
        readers.read_ahead(scan(inbox), D(2017, 6, 30), out / CACHE_FOLDER)
        assert sorted(readers.take_ahead(finish=True).results) == ["2017-06-21/坏文件.xlsx"], "only the file never kept"
