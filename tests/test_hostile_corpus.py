"""A month of broken and odd files: every file answered in Chinese, exit 0, nothing technical on the terminal."""
import io
import os
import subprocess
import sys
import zipfile

import pandas as pd
import pytest

from conftest import inspection, unit_workbook
from pipeline import ROOT


def rewrite(src, dst, change):
    """A copy of a workbook package with some parts changed (`change(name, data)` → data, or None to drop)."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as out:
        for item in zin.infolist():
            data = change(item.filename, zin.read(item.filename))
            if data is not None:
                out.writestr(item.filename, data)


def relocate(src, dst, folder="excel", name="workbook.xml"):
    """The same workbook with its workbook part elsewhere, as some writers store it; _rels/.rels says where."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as out:
        for item in zin.infolist():
            data, fn = zin.read(item.filename), item.filename
            if fn.startswith("xl/"):
                fn = (folder + "/" if folder else "") + fn[3:]
                fn = {f"{folder}/workbook.xml".lstrip("/"): f"{folder}/{name}".lstrip("/"),
                      f"{folder}/_rels/workbook.xml.rels".lstrip("/"): f"{folder}/_rels/{name}.rels".lstrip("/")}.get(fn, fn)
            if fn.endswith(".rels") or fn == "[Content_Types].xml":
                data = data.replace(b'"xl/workbook.xml"', f'"{folder}/{name}"'.lstrip("/").encode())
                data = data.replace(b"/xl/workbook.xml", f"/{folder}/{name}".replace("//", "/").encode())
                data = data.replace(b"/xl/", f"/{folder}/".replace("//", "/").encode())
            out.writestr(fn, data)


def encrypted_ods(path):
    """What LibreOffice writes for a password-protected spreadsheet: the parts are encrypted, the manifest says so."""
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet", compress_type=zipfile.ZIP_STORED)
        z.writestr("content.xml", os.urandom(2048))
        z.writestr("META-INF/manifest.xml",
                   '<?xml version="1.0"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0">'
                   '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml">'
                   '<manifest:encryption-data manifest:checksum-type="SHA1/1K" manifest:checksum="x">'
                   '<manifest:algorithm manifest:algorithm-name="Blowfish CFB" manifest:initialisation-vector="x"/>'
                   '</manifest:encryption-data></manifest:file-entry></manifest:manifest>')


def deep_merges(name, data):
    if name != "xl/worksheets/sheet2.xml":
        return data
    ranges = "".join(f'<mergeCell ref="A{r}:Z{r + 2}"/>' for r in range(40, 6000, 3))
    overlapping = '<mergeCell ref="A1:XFD1048576"/><mergeCell ref="B2:C3"/>'
    return data.replace(b"</sheetData>", f"</sheetData><mergeCells>{ranges}{overlapping}</mergeCells>".encode())


@pytest.fixture(scope="module")
def month(config, tmp_path_factory):
    root = tmp_path_factory.mktemp("corpus")
    day = root / "inbox" / "2017-06-16"
    good = unit_workbook(root / "good.xlsx", config, "西安路街道", [inspection("自检1号", "桐竹社区")])
    data = good.read_bytes()
    day.mkdir(parents=True)
    relocate(good, day / "西安路街道_移位.xlsx")
    other = unit_workbook(root / "other.xlsx", config, "沙河源街道", [inspection("自检1号", "桐竹社区")])
    relocate(other, day / "沙河源街道_根目录.xlsx", folder="", name="workbook.xml")
    encrypted_ods(day / "加密.ods")
    (day / "零字节.xlsx").write_bytes(b"")
    for n in (10, 100, len(data) // 2, len(data) - 30):
        (day / f"截断{n}.xlsx").write_bytes(data[:n])
    (day / "乱码.xlsx").write_bytes(os.urandom(5000))
    (day / "乱码.xls").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + os.urandom(4000))
    (day / "网页.xls").write_text("<html><body><table><tr><td>1</td></tr></table></body></html>", encoding="gbk")
    (day / "文本.csv").write_text("编号,检查时间\n1,2017-06-01\n", encoding="utf-8")
    (day / "二进制.xlsb").write_bytes(b"PK\x03\x04" + os.urandom(300))
    rewrite(good, day / "坏表格.xlsx", lambda n, d: os.urandom(len(d)) if n.startswith("xl/worksheets/") else d)
    rewrite(good, day / "缺共享字符串.xlsx", lambda n, d: None if n == "xl/sharedStrings.xml" else d)
    rewrite(good, day / "坏样式.xlsx", lambda n, d: b"<styleSheet" if n == "xl/styles.xml" else d)
    rewrite(good, day / "坏工作簿.xlsx", lambda n, d: d[: len(d) // 2] if n == "xl/workbook.xml" else d)
    rewrite(other, day / "深度合并.xlsx", deep_merges)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("word/document.xml", "<w:document/>")
    (day / "其实是Word.xlsx").write_bytes(buf.getvalue())
    proc = subprocess.run([sys.executable, "-m", "pipeline", "monthly", "--period", "2017-06", "--as-of", "2017-06-30",
                           "--inbox", str(root / "inbox"), "--outbox", str(root / "out")],
                          cwd=ROOT, capture_output=True, text=True)
    manifest = pd.read_csv(root / "out" / "2017-06" / "data" / "manifest.csv", encoding="utf-8-sig", dtype=str,
                           keep_default_na=False).set_index("文件")
    return proc, manifest, root / "out" / "2017-06", day


def test_the_run_ends_normally_and_the_terminal_shows_only_progress(month):
    proc, *_ = month
    assert proc.returncode == 0, proc.stderr
    for marker in ("Traceback", "panicked", "Error", "RUST_BACKTRACE", "Warning"):
        assert marker not in proc.stderr + proc.stdout


def test_every_file_is_answered_with_a_chinese_reason(month):
    _, manifest, out, day = month
    assert len(manifest) == len(list(day.iterdir()))
    for name, row in manifest.iterrows():
        assert row["结果"] in {"已采用", "已被替代", "已退回", "已忽略"}, name
        if row["结果"] == "已退回":
            assert row["说明"] and any("\u4e00" <= c <= "\u9fff" for c in row["说明"]), name
            assert (out / row["回执"]).exists()


def test_an_encrypted_ods_is_returned_as_password_protected(month):
    _, manifest, *_ = month
    row = manifest.loc["2017-06-16/加密.ods"]
    assert row["结果"] == "已退回" and "密码" in row["说明"]


def test_a_workbook_part_stored_elsewhere_is_read_not_refused(month):
    _, manifest, *_ = month
    assert manifest.loc["2017-06-16/西安路街道_移位.xlsx", "结果"] == "已采用"
    assert manifest.loc["2017-06-16/沙河源街道_根目录.xlsx", "结果"] == "已采用"


def test_deep_merges_do_not_stop_the_file(month):
    _, manifest, *_ = month
    assert manifest.loc["2017-06-16/深度合并.xlsx", "结果"] in {"已采用", "已被替代", "已退回"}


def test_the_run_log_keeps_the_technical_detail_without_any_cell_value(month):
    _, manifest, out, _ = month
    log = (out / "运行日志.txt").read_text(encoding="utf-8")
    assert "2017-06-16/坏表格.xlsx" in log and "sha256" in log
    assert "桐竹社区" not in log and "窗口工作人员态度生硬" not in log


def _noisy(payload, context):
    if payload == "panic":
        os.write(2, b"thread '<unnamed>' panicked at src/xlsx/mod.rs:1: index out of bounds\n")
        os._exit(101)
    if payload == "raise":
        value = "".join(["王晓", "梅"])  # as if read from a cell
        raise IndexError(value)
    return {"ok": payload}


def test_a_reader_panic_or_traceback_never_reaches_the_terminal_and_is_kept_for_the_log(capfd):
    from pipeline.intake.readers import WorkerPool

    with WorkerPool(_noisy, None, workers=1, timeout=30, memory_mb=1024) as pool:
        results = dict(pool.run([("a", "panic"), ("b", "raise"), ("c", "fine")]))
        incidents = dict(pool.incidents)
    out, err = capfd.readouterr()
    assert "panicked" not in out + err and "Traceback" not in out + err
    assert results["a"]["failure"][0] == "unreadable" and "崩溃" in results["a"]["failure"][1]
    assert results["b"]["failure"][0] == "unreadable" and results["c"] == {"ok": "fine"}
    assert "panicked" in incidents["a"]
    assert "IndexError" in incidents["b"] and "王晓梅" not in incidents["b"]


def test_a_reader_killed_while_idle_between_reads_is_replaced_and_the_next_files_are_read():
    """The month's readers wait idle while the month is validated, then read again the files whose
    回执 mark cells: one the system killed meanwhile (memory) is replaced, and no file is lost."""
    from pipeline.intake.readers import WorkerPool

    with WorkerPool(_noisy, None, workers=2, timeout=30, memory_mb=1024) as pool:
        assert dict(pool.run([("a", "first"), ("b", "second")])) == {"a": {"ok": "first"}, "b": {"ok": "second"}}
        for worker in pool._workers:
            worker["proc"].kill()
            worker["proc"].join()
        assert dict(pool.run([("c", "third"), ("d", "fourth"), ("e", "fifth")])) == {
            "c": {"ok": "third"}, "d": {"ok": "fourth"}, "e": {"ok": "fifth"}}
        assert not pool.stalled


def test_readers_started_for_one_file_read_many_on_every_core(config):
    from pipeline.intake.workers import Readers
    from pipeline.intake.readers import worker_count

    with Readers(config) as readers:
        assert len(readers.pool(1)._workers) == 1
        assert len(readers.pool(40)._workers) == worker_count()
