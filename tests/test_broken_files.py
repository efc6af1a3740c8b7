"""Broken and hostile files are answered, never crash or stall the run, and the inbox is untouched."""
import hashlib
import os
import time
import zipfile

import openpyxl
import pytest

from conftest import feedback_rows, inspection, manifest_row, run, unit_workbook
from pipeline.intake.readers import WorkerPool


def far_cell(src, dst):
    """The template with one more cell at XFD1048576: a dense read would need billions of cells."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as out:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "xl/worksheets/sheet2.xml":
                data = data.replace(b"</sheetData>", b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData>')
            out.writestr(item, data)


def zip_bomb(path):
    """Under 1 MB on disk, a gigabyte declared inside."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook/>")
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as fh:
            block = b"\0" * (1 << 20)
            for _ in range(1024):
                fh.write(block)


@pytest.fixture(scope="module")
def month(config, tmp_path_factory):
    root = tmp_path_factory.mktemp("broken")
    day = root / "inbox" / "2017-06-16"
    good = unit_workbook(day / "西安路街道.xlsx", config, "西安路街道", [inspection("自检1号", "桐竹社区")])
    data = good.read_bytes()
    (day / "zero.xlsx").write_bytes(b"")
    (day / "truncated.xlsx").write_bytes(data[: len(data) // 3])
    (day / "网页.xlsx").write_text("<!DOCTYPE html><html><body>邮件附件下载失败</body></html>", encoding="utf-8")
    (day / "~$西安路街道.xlsx").write_bytes(b"\x0c\x00lock")
    (day / "说明.docx").write_bytes(b"PK\x03\x04 not really")
    (day / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    zip_bomb(day / "bomb.xlsx")
    far_cell(good, day / "远端单元格.xlsx")
    from msoffcrypto.format.ooxml import OOXMLFile

    with open(good, "rb") as plain, open(day / "加密.xlsx", "wb") as out:
        OOXMLFile(plain).encrypt("123456", out)
    (day / "快捷方式.xlsx").symlink_to(good)
    before = {p: (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime) for p in day.iterdir()}
    result = run(config, root / "inbox", root / "out")
    result.before = before
    result.day = day
    return result


@pytest.mark.parametrize("file, expected", [
    ("zero.xlsx", "文件是空的"),
    ("truncated.xlsx", "文件不完整"),
    ("网页.xlsx", "不是Excel工作簿"),
    ("加密.xlsx", "设置了打开密码"),
    ("bomb.xlsx", "文件过大"),
    ("old.xls", "无法读取"),
    ("远端单元格.xlsx", "文件已损坏或过大"),
])
def test_a_broken_file_is_returned_with_a_reason_a_clerk_understands(month, file, expected):
    row = manifest_row(month, f"2017-06-16/{file}")
    assert row["结果"] == "已退回"
    assert expected in row["说明"]
    assert row["回执"].startswith("回执/")
    assert (month.out / row["回执"]).exists()


def test_lock_files_and_other_documents_are_ignored(month):
    assert manifest_row(month, "2017-06-16/~$西安路街道.xlsx")["结果"] == "已忽略"
    assert manifest_row(month, "2017-06-16/说明.docx")["结果"] == "已忽略"
    assert manifest_row(month, "2017-06-16/快捷方式.xlsx")["结果"] == "已忽略"
    assert manifest_row(month, "2017-06-16/~$西安路街道.xlsx")["说明"].startswith("Excel/WPS打开文件时产生的临时锁定文件")


def test_good_files_survive_their_broken_neighbours(month):
    row = manifest_row(month, "2017-06-16/西安路街道.xlsx")
    assert (row["单位"], row["结果"]) == ("西安路街道", "已采用")
    assert len(month.manifest) == 11 == len(list(month.day.iterdir()))


def test_nothing_in_the_inbox_is_changed(month):
    after = {p: (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime) for p in month.day.iterdir()}
    assert after == month.before


def with_values(src, dst, values: dict[str, str]):
    """The workbook with some cells of its 检查台账 holding what no Excel writes but a file may
    (`<v>inf</v>`, `<v>NaN</v>`), which python-calamine reads as such floats."""
    import re

    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as out:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "xl/worksheets/sheet2.xml":
                for cell, value in values.items():
                    data = re.sub(rf'(<c r="{cell}"[^>]*>)<v>[^<]*</v>'.encode(), rf"\1<v>{value}</v>".encode(), data, count=1)
            out.writestr(item, data)


def test_a_number_no_cell_can_hold_is_marked_in_the_answer_not_fatal(config, tmp_path):
    """A 整改时限 of `inf` is a date nobody can read: the file is returned with that cell marked and shown
    as written, and the run goes on for everyone else (the 回执 once crashed the whole month)."""
    day = tmp_path / "inbox" / "2017-06-16"
    unit_workbook(day / "西安路街道.xlsx", config, "西安路街道", [inspection("自检1号", "桐竹社区")])
    typed = unit_workbook(tmp_path / "typed.xlsx", config, "茶店子街道",
                          [inspection("自检1号", "蓝友社区"), inspection("自检2号", "欣桐社区")])
    with_values(typed, day / "茶店子街道.xlsx", {"I4": "inf", "I5": "NaN"})
    result = run(config, tmp_path / "inbox", tmp_path / "out")

    assert manifest_row(result, "2017-06-16/西安路街道.xlsx")["结果"] == "已采用"
    assert manifest_row(result, "2017-06-16/茶店子街道.xlsx")["结果"] == "已退回"
    marked = {(r[1], r[2], r[4]) for r in feedback_rows(result, "2017-06-16/茶店子街道.xlsx")}
    assert ("检查台账", "I4", "inf") in marked
    ws = openpyxl.load_workbook(result.out / manifest_row(result, "2017-06-16/茶店子街道.xlsx")["回执"])["检查台账"]
    assert ws["I4"].value == "inf" and ws["I4"].fill.fgColor.rgb.endswith("FFC7CE")


def _crash(payload, context):
    if payload == "die":
        os._exit(134)
    if payload == "hang":
        time.sleep(60)
    if payload == "hog":
        hog = bytearray(4 * 1024 * 1024 * 1024)
        return {"size": len(hog)}
    return {"ok": payload}


def test_a_worker_that_dies_hangs_or_runs_out_of_memory_becomes_a_rejection():
    jobs = [("a", "fine"), ("b", "die"), ("c", "hang"), ("d", "hog"), ("e", "also fine")]
    with WorkerPool(_crash, None, workers=2, timeout=3, memory_mb=1024) as pool:
        results = dict(pool.run(jobs))
    assert results["a"] == {"ok": "fine"} and results["e"] == {"ok": "also fine"}
    assert results["b"]["failure"][0] == "unreadable"
    assert results["c"]["failure"][0] == "unreadable" and "秒" in results["c"]["failure"][1]
    assert results["d"]["failure"][0] in {"too_large", "unreadable"}


class _DiesOnArrival:
    """A context that kills the worker while it is being started, before it can say it is ready."""

    def __reduce__(self):
        return os._exit, (1,)


def test_workers_that_cannot_start_reject_the_files_instead_of_looping_forever():
    with WorkerPool(_crash, _DiesOnArrival(), workers=2, timeout=3, memory_mb=1024) as pool:
        results = dict(pool.run([("a", "fine"), ("b", "fine")]))
    assert set(results) == {"a", "b"}
    assert all(r["failure"][0] == "unreadable" and "无法启动" in r["failure"][1] for r in results.values())


def test_the_file_waiting_behind_one_that_kills_or_stalls_its_worker_is_still_read():
    # one worker holds two jobs: the one it reads and the next
    jobs = [("a", "die"), ("b", "fine"), ("c", "hang"), ("d", "also fine")]
    with WorkerPool(_crash, None, workers=1, timeout=3, memory_mb=1024) as pool:
        results = dict(pool.run(jobs))
    assert results["b"] == {"ok": "fine"} and results["d"] == {"ok": "also fine"}
    assert results["a"]["failure"][0] == "unreadable" and results["c"]["failure"][0] == "unreadable"
    assert pool.stalled == {"c"}, "only the file that stalled is read again next run"


def test_a_file_changed_after_the_inbox_was_listed_is_read_again_next_run(config, tmp_path):
    from pipeline.intake.inbox import scan
    from pipeline.intake.ingest import ingest

    inbox = tmp_path / "inbox"
    book = unit_workbook(inbox / "2017-06-16" / "西安路街道.xlsx", config, "西安路街道", [inspection("自检1号", "桐竹社区")])
    files = scan(inbox)
    book.write_bytes(book.read_bytes() + b"\0")  # saved again while the month was being read
    intake = ingest(inbox, config, files[0].received, files=files, workers=1)
    (f,) = intake.files
    assert [p["code"] for p in f.problems] == ["changed_while_read"] and f.retry
    assert "被改动" in f.note
    from pipeline.intake.feedback import write_feedback

    write_feedback(tmp_path / "回执.xlsx", f, config.campaign.district)
    said = [c for row in openpyxl.load_workbook(tmp_path / "回执.xlsx")["审核结果"].iter_rows(values_only=True)
            for c in row if isinstance(c, str)]
    assert any("无需重新发送" in c for c in said), "the unit is not asked to resend a file the next run reads again"
