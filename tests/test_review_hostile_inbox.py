"""Review of issues #9/#11: one month of ~40 hostile files run as staff run it (a subprocess): every file
listed with the right 结果 and a Chinese reason, exit 0, nothing technical on the terminal."""
import os
import re
import subprocess
import sys
import zipfile

import pandas as pd
import pytest

from conftest import inspection, rectification, report, unit_workbook
from test_hostile_corpus import encrypted_ods
from pipeline import ROOT


def _write(folder, name: bytes, content: bytes):
    with open(os.fsencode(folder) + b"/" + name, "wb") as fh:
        fh.write(content)


@pytest.fixture(scope="module")
def month(config, tmp_path_factory):
    root = tmp_path_factory.mktemp("review_hostile")
    day = root / "inbox" / "2017-06-16"
    day.mkdir(parents=True)
    good = unit_workbook(root / "g.xlsx", config, "西安路街道", [inspection("自检1号", "桐竹社区")],
                         [rectification("自检1号")], [report()]).read_bytes()
    other = unit_workbook(root / "s.xlsx", config, "沙河源街道", reports=[report()]).read_bytes()
    gbk = unit_workbook(root / "h.xlsx", config, "荷花池街道", reports=[report()]).read_bytes()
    w = lambda name, content: _write(day, name.encode() if isinstance(name, str) else name, content)  # noqa: E731
    w("西安路街道台账.xlsx", good)
    w("西安路街道台账 (1).xlsx", good)
    w("西安路街道台账 - 副本.xlsx", good)
    w("沙河源街道".encode("gbk") + b"\xff\xfe.xlsx", other)                 # not UTF-8, not GBK either
    w("荷花池街道台账".encode("gbk") + b".xlsx", gbk)                         # valid GBK
    w("西安路街道实施方案".encode("gbk") + b".pdf", b"%PDF-1.4")              # a GBK-named milestone document
    long = "关于报送荷花池街道专项治理微腐败工作台账的函（联系人张三）"
    while len((long + "补.xlsx").encode()) <= 255:
        long += "补"
    assert len((long + ".xlsx").encode()) in range(250, 256)
    w(long + ".xlsx", good[:100])
    w("=cmd|' -C calc'!A0.xlsx", b"")
    w("空表.xls", b"")
    w("空.ods", b"")
    w("带 引号'\"和$(rm -rf)`;&|.xlsx", os.urandom(300))
    w("换行\n名字.xlsx", b"<html><body><table><tr><td>1</td></tr></table></body></html>")
    w("控制\x01字符.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + os.urandom(3000))
    w("~$西安路街道台账.xlsx", b"\x0c\x00lock")
    w(".~lock.西安路街道台账.xlsx#", b",user,host,01.01.2017 10:00,file:///x;")
    w("网页另存.xls", "<html><body><table><tr><td>编号</td></tr></table></body></html>".encode("gbk"))
    w("mht.xls", b"MIME-Version: 1.0\r\nContent-Type: multipart/related; boundary=x\r\n\r\n--x\r\n")
    w("文本.csv", "编号,检查时间\n1,2017-06-01\n".encode("gbk"))
    w("WPS表格.et", os.urandom(500))
    w("二进制.xlsb", b"PK\x03\x04" + os.urandom(300))
    w("附件.zip", good)
    w("大写扩展名.XLSX", os.urandom(10))
    w("截断.xlsx", good[: len(good) // 2])
    w("西安路街道和沙河源街道实施方案.doc", b"\xd0\xcf\x11\xe0")
    w("西安路街道自查自纠阶段小结（2017年6月15日）- 副本.docx", b"PK\x03\x04doc")
    with zipfile.ZipFile(day / "炸弹.xlsx", "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook/>")
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as fh:
            for _ in range(1024):
                fh.write(b"\0" * (1 << 20))
    with zipfile.ZipFile(day / "万条目.xlsx", "w", zipfile.ZIP_STORED) as z:
        for i in range(12000):
            z.writestr(f"x/{i}.xml", b"")
    from msoffcrypto.format.ooxml import OOXMLFile

    with open(root / "g.xlsx", "rb") as plain, open(day / "加密.xlsx", "wb") as out:
        OOXMLFile(plain).encrypt("123456", out)
    encrypted_ods(day / "加密.ods")
    (day / "空文件夹").mkdir()
    os.symlink("/nonexistent/x.xlsx", day / "断链.xlsx")
    os.mkfifo(day / "管道.xlsx")  # must not hang the run
    proc = subprocess.run([sys.executable, "-m", "pipeline", "monthly", "--period", "2017-06", "--as-of", "2017-06-30",
                           "--inbox", str(root / "inbox"), "--outbox", str(root / "out")],
                          cwd=ROOT, capture_output=True, text=True, timeout=600)
    manifest = pd.read_csv(root / "out" / "2017-06" / "data" / "manifest.csv", encoding="utf-8-sig", dtype=str,
                           keep_default_na=False)
    return proc, manifest.set_index("文件"), root / "out" / "2017-06"


def test_exit_zero_and_a_quiet_terminal(month):
    proc, *_ = month
    assert proc.returncode == 0, proc.stderr
    for marker in ("Traceback", "panicked", "Error", "Exception", "RUST_BACKTRACE", "Warning"):
        assert marker not in proc.stderr + proc.stdout


def test_every_file_is_listed_once_with_a_chinese_reason(month):
    _, manifest, _ = month
    assert manifest.index.is_unique
    assert len(manifest) == 30  # every regular file and link; the folder and the pipe are not files
    for name, row in manifest.iterrows():
        if row["结果"] not in ("已采用", "已被替代"):
            assert re.search(r"[\u4e00-\u9fff]", row["说明"]), name


@pytest.mark.parametrize("name, result, says", [
    ("西安路街道台账.xlsx", "已采用", ""),
    ("西安路街道台账 (1).xlsx", "重复文件", "西安路街道台账.xlsx"),
    ("西安路街道台账 - 副本.xlsx", "重复文件", "西安路街道台账.xlsx"),
    ("荷花池街道台账.xlsx", "已采用", ""),
    ("西安路街道实施方案.pdf", "已登记", "实施方案"),
    ("=cmd|' -C calc'!A0.xlsx", "已退回", "文件是空的"),
    ("空表.xls", "已退回", "文件是空的"),
    ("空.ods", "已退回", "文件是空的"),
    ("加密.xlsx", "已退回", "密码"),
    ("加密.ods", "已退回", "密码"),
    ("炸弹.xlsx", "已退回", "过大"),
    ("万条目.xlsx", "已退回", "部件"),
    ("网页另存.xls", "已退回", "网页"),
    ("截断.xlsx", "已退回", "不完整"),
    ("~$西安路街道台账.xlsx", "已忽略", "锁定"),
    ("西安路街道和沙河源街道实施方案.doc", "已忽略", "无法确定报送单位"),
    ("西安路街道自查自纠阶段小结（2017年6月15日）- 副本.docx", "已登记", "自查自纠阶段小结"),
])
def test_each_kind_gets_the_right_result(month, name, result, says):
    _, manifest, _ = month
    row = manifest.loc[f"2017-06-16/{name}"]
    assert row["结果"] == result and says in row["说明"], (row["结果"], row["说明"])


def test_odd_names_are_shown_readably_and_answered(month):
    _, manifest, out = month
    non_utf8 = [n for n in manifest.index if n.startswith("2017-06-16/沙河源街道")]
    assert len(non_utf8) == 1 and "\\xff" in non_utf8[0] and manifest.loc[non_utf8[0], "单位"] == "沙河源街道"
    long = [n for n in manifest.index if n.startswith("2017-06-16/关于报送")]
    assert manifest.loc[long[0], "结果"] == "已退回"
    feedback = [manifest.loc[n, "回执"] for n in manifest.index if manifest.loc[n, "回执"]]
    assert len(set(feedback)) == len(feedback)
    for rel in feedback:
        assert (out / rel).is_file() and len(os.fsencode((out / rel).name)) <= 255
    assert (out / "运行日志.txt").is_file()
