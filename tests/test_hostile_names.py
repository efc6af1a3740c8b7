"""Any name the file system can hold is listed, read and answered; nothing a writer refuses reaches it."""
import os

import pytest

from conftest import inspection, run, unit_workbook
from pipeline.safetext import cut_bytes, decode_name, looks_like_copy, output_name, safe_text

GBK_NAME = "西安路街道台账六月.xlsx".encode("gbk")
LONG = ("关于报送西安路街道专项治理微腐败工作检查台账整改台账和月报表的函（联系人王晓梅电话）" * 3).encode()
LONG_NAME = LONG[: 250].decode("utf-8", "ignore").encode() + b".xlsx"
NAMES = {
    GBK_NAME: "西安路街道台账六月.xlsx",
    b"\xff\xfe\xfd.xlsx": "\\xff\\xfe\\xfd.xlsx",
    LONG_NAME: LONG_NAME.decode(),
    "它的 \"引号\" 'single' $(rm -rf ~) ; & | `x` 台账.xlsx".encode(): "它的 \"引号\" 'single' $(rm -rf ~) ; & | `x` 台账.xlsx",
    "换行\n台账.xlsx".encode(): "换行\\n台账.xlsx",
    "=HYPERLINK(1).xlsx".encode(): "=HYPERLINK(1).xlsx",
}


@pytest.fixture(scope="module")
def month(config, tmp_path_factory):
    root = tmp_path_factory.mktemp("names")
    day = root / "inbox" / "2017-06-16"
    day.mkdir(parents=True)
    for n, raw in enumerate(NAMES):
        # each a different workbook, so none is a duplicate of another
        tmp = unit_workbook(root / f"tmp{n}.xlsx", config, "西安路街道", [inspection(f"自检{n + 1}号", "桐竹社区")])
        with open(os.fsencode(day) + b"/" + raw, "wb") as fh:
            fh.write(tmp.read_bytes())
    assert len(LONG_NAME) > 240
    return run(config, root / "inbox", root / "out")


def test_every_name_is_listed_once_shown_readably_and_answered(month):
    shown = {f"2017-06-16/{v}" for v in NAMES.values()}
    assert set(month.manifest["文件"]) == shown
    assert set(month.manifest["结果"]) <= {"已采用", "已被替代"}
    for rel in month.manifest["回执"]:
        path = month.out / rel
        assert path.exists()
        assert len(path.name.encode()) <= 200


def test_feedback_names_are_unique_and_safe_on_windows(month):
    names = list(month.manifest["回执"])
    assert len(set(n.lower() for n in names)) == len(names)
    for n in names:
        assert not set(n.split("/", 1)[1]) & set('<>:"\\|?*\n')


def test_no_output_holds_a_surrogate_or_control_character(month):
    for path in month.out.rglob("*"):
        if path.suffix in (".csv", ".html", ".txt"):
            text = path.read_text(encoding="utf-8")  # raises on a surrogate that slipped through
            assert not any(ord(c) < 32 and c not in "\n\r\t" for c in text), path


def test_a_name_that_starts_like_a_formula_stays_text_in_csv(month):
    csv = (month.out / "data" / "manifest.csv").read_text(encoding="utf-8-sig")
    assert "'2017-06-16/" not in csv  # the path starts with the folder, not with '='
    assert "=HYPERLINK(1).xlsx" in csv


def test_the_sanitiser_and_name_helpers():
    assert decode_name("台账.xlsx".encode("gbk")) == "台账.xlsx"
    assert decode_name(b"a\xffb") == "a\\xffb"
    assert safe_text("a\udcffb\x00c") == "a\\xffbc"
    assert cut_bytes("一二三", 7) == "一二"
    assert len(output_name("长" * 200).encode()) <= 180
    assert output_name('a/b\\c:d*?"<>|') == "a_b_c_d______"


@pytest.mark.parametrize("stem, copy", [("台账(1)", True), ("台账 (2)", True), ("台账 - 副本", True), ("台账副本", True),
                                         ("复件 台账", True), ("Copy of 台账", True), ("台账", False),
                                         ("2017年6月台账", False)])
def test_names_that_look_like_copies(stem, copy):
    assert looks_like_copy(stem) is copy


def test_of_identical_files_the_one_not_named_like_a_copy_is_the_original(config, tmp_path):
    day = tmp_path / "inbox" / "2017-06-16"
    good = unit_workbook(day / "a西安路街道台账 - 副本.xlsx", config, "西安路街道", [inspection("自检1号", "桐竹社区")])
    (day / "西安路街道台账.xlsx").write_bytes(good.read_bytes())
    (day / "Copy of 西安路街道台账.xlsx").write_bytes(good.read_bytes())
    result = run(config, tmp_path / "inbox", tmp_path / "out")
    outcome = dict(zip(result.manifest["文件"], result.manifest["结果"]))
    assert outcome["2017-06-16/西安路街道台账.xlsx"] == "已采用"
    assert outcome["2017-06-16/a西安路街道台账 - 副本.xlsx"] == "重复文件"
    assert outcome["2017-06-16/Copy of 西安路街道台账.xlsx"] == "重复文件"
