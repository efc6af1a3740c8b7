"""Workbooks as units really fill them: their own layouts, typed dates, merged cells, WPS habits."""
import datetime as dt
from pathlib import Path

import openpyxl
import pytest

from conftest import D, inspection, manifest_row, problems_of, run, unit_workbook
from pipeline.intake.parse import read_context, read_submission
from pipeline.intake.table import rows_of

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="module")
def context(config):
    return read_context(config)


def read(path: Path, context, name: str | None = None) -> dict:
    return read_submission({"data": path.read_bytes(), "ext": path.suffix.lower(), "file": name or path.name}, context)


def homemade_ledger(path: Path) -> Path:
    """A 街道 that rebuilt the sheet by hand: notes above the header, its own column order,
    an extra phone column, merged cells for one inspection with several problems, typed dates."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "检查台账 "
    ws["A1"] = "开展专项治理“微腐败”工作检查台账"
    ws["A2"] = "填报单位（盖章）：西安路街道办事处"
    ws["A3"] = "（本表由街道纪工委汇总）"
    ws["E3"] = "填报时间：2017年6月18日"
    header = ["序号", "被检查单位", "检查时间", " 编 号 ", "检查方式", "治理类别", "问题性质", "发现的问题", "整改建议",
              "整改时限", "整改责任人", "检查人员", "联系电话", "说明"]
    for c, label in enumerate(header, start=1):
        ws.cell(5, c, label)
    rows = [
        [1, "桐竹社区", dt.datetime(2017, 6, 5), "自检００１号", "自查自纠", "6.作风和不作为", "一般问题", "办事推诿", "教育", "2017/7/5", "王晓梅", "李建国", "12345", None],
        [2, None, None, "自检２号", "自查自纠", "２．集体三资管理", "隐患风险", "账目不清", "清理", "2017年7月20日", "王晓梅", "李建国", None, None],
        [3, None, None, "自检3号", "自查自纠", "违反八项规定", "违纪违法", "公款吃喝", "立案", "20170731", "王晓梅", "李建国", None, None],
        [None] * 14,
        [4, "桂乐社区", "2017.6.9", "自检4号", "随机抽查", None, "无问题", None, None, None, None, "陈思远", None, None],
    ]
    for r, row in enumerate(rows, start=6):
        for c, value in enumerate(row, start=1):
            ws.cell(r, c, value)
    ws.merge_cells("B6:B8")
    ws.merge_cells("C6:C8")
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def bare_ledger(path: Path) -> None:
    """Just the required headers of 检查台账, in a new workbook: no marker, no 填报单位 cell."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "检查台账"
    for c, label in enumerate(["编号", "检查时间", "被检查单位", "检查方式", "问题性质", "检查人员"], start=1):
        ws.cell(1, c, label)
    wb.save(path)


def test_a_homemade_layout_is_read_as_the_person_typed_it(tmp_path, context):
    book = read(homemade_ledger(tmp_path / "台账.xlsx"), context)
    assert book["unit"] == "西安路街道"
    assert book["filled_on"] == D(2017, 6, 18)
    sheet = book["sheets"]["检查台账"]
    assert sheet["header_row"] == 4
    records = rows_of(sheet)
    assert [r["_key"] for r in records] == ["自检1", "自检2", "自检3", "自检4"]
    assert [r["_row"] + 1 for r in records] == [6, 7, 8, 10]
    assert [r["被检查单位"] for r in records] == ["桐竹社区", "桐竹社区", "桐竹社区", "桂乐社区"]
    assert [r["检查时间"] for r in records] == [D(2017, 6, 5)] * 3 + [D(2017, 6, 9)]
    assert [r["整改时限"] for r in records] == [D(2017, 7, 5), D(2017, 7, 20), D(2017, 7, 31), None]
    assert [r["治理类别"] for r in records][:3] == ["作风和不作为", "集体三资管理", "违反八项规定"]
    unknown = [p for p in book["problems"] if p["code"] == "unknown_column"]
    assert [(p["cell"], p["column"], p["severity"]) for p in unknown] == [("M5", "联系电话", "疑问")]


def test_a_pasted_essay_in_one_cell_is_cut_to_a_readable_length(tmp_path, context):
    path = homemade_ledger(tmp_path / "台账.xlsx")
    wb = openpyxl.load_workbook(path)
    wb.active["H7"] = "账目不清" * 2500  # 10,000 characters pasted into 发现的问题
    wb.save(path)
    records = rows_of(read(path, context)["sheets"]["检查台账"])
    assert len(records[1]["发现的问题"]) == 4000
    assert records[0]["发现的问题"] == "办事推诿"


def test_the_homemade_layout_is_accepted_with_its_queries(tmp_path, config):
    homemade_ledger(tmp_path / "inbox" / "2017-06-18" / "台账.xlsx")
    result = run(config, tmp_path / "inbox", tmp_path / "out")
    row = manifest_row(result, "2017-06-18/台账.xlsx")
    assert (row["单位"], row["结果"], row["错误数"]) == ("西安路街道", "已采用", 0)
    codes = set(problems_of(result, "2017-06-18/台账.xlsx")["code"])
    assert codes == {"unknown_column", "missing_sheet"}


def test_the_unit_is_recognised_from_the_file_name(tmp_path, context):
    bare_ledger(tmp_path / "荷花池街道6月台账.xlsx")
    assert read(tmp_path / "荷花池街道6月台账.xlsx", context)["unit"] == "荷花池街道"


def template_stating(tmp_path: Path, config, stated: str) -> Path:
    """西安路街道's own template whose 填报单位 cell was overwritten with `stated`."""
    path = unit_workbook(tmp_path / "x.xlsx", config, "西安路街道", [inspection("自检1号", "桐竹社区")])
    wb = openpyxl.load_workbook(path)
    wb["检查台账"]["B2"] = stated
    wb.save(path)
    return path


def test_a_marker_contradicting_the_stated_unit_is_an_error(tmp_path, config, context):
    book = read(template_stating(tmp_path, config, "荷花池街道"), context)
    assert book["unit"] is None
    conflict = [p for p in book["problems"] if p["code"] == "unit_conflict"]
    assert conflict and "西安路街道" in conflict[0]["message"] and "荷花池街道" in conflict[0]["message"]
    assert conflict[0]["severity"] == "错误"


def test_an_unusual_unit_name_is_a_query_when_the_template_tells_the_unit(tmp_path, config, context):
    book = read(template_stating(tmp_path, config, "西安路街道党工委"), context)
    assert book["unit"] == "西安路街道"
    assert [(p["code"], p["severity"]) for p in book["problems"]] == [("unit_name_unusual", "疑问")]


def test_a_workbook_with_no_way_to_tell_the_unit_is_rejected(tmp_path, context):
    bare_ledger(tmp_path / "新建工作表.xlsx")
    book = read(tmp_path / "新建工作表.xlsx", context)
    assert [p["code"] for p in book["problems"] if p["severity"] == "错误"] == ["unit_unknown"]


def test_a_foreign_workbook_is_rejected(tmp_path, context):
    wb = openpyxl.Workbook()
    wb.active.append(["姓名", "工资"])
    wb.active.append(["张三", 5000])
    wb.save(tmp_path / "工资表.xlsx")
    book = read(tmp_path / "工资表.xlsx", context)
    assert [p["code"] for p in book["problems"]] == ["no_ledger_sheets"]


def test_a_file_saved_by_libreoffice_reads_formulas_cached_values(context):
    """fixtures/libreoffice_saved.xlsx: see fixtures/README.md for the command that made it."""
    book = read(FIXTURES / "libreoffice_saved.xlsx", context)
    assert book["unit"] == "西华街道"
    assert [p for p in book["problems"] if p["severity"] == "错误"] == []
    assert [r["_key"] for r in rows_of(book["sheets"]["检查台账"])] == ["自检1", "自检2"]
    report = rows_of(book["sheets"]["月报表"])[0]
    assert report["发现问题数"] == 2.0
    assert report["报表月份"] == "2017-06"


def test_an_ods_workbook_is_read_like_xlsx(tmp_path, context):
    import pandas as pd

    rows = pd.DataFrame([{"编号": "自检1号", "检查时间": "2017-06-05", "被检查单位": "春福社区", "检查方式": "自查自纠",
                          "治理类别": "工程建设", "问题性质": "一般问题", "发现的问题": "未比选施工单位",
                          "整改时限": "2017-07-05", "检查人员": "李建国"}])
    path = tmp_path / "荷花池街道台账.ods"
    with pd.ExcelWriter(path, engine="odf") as writer:
        rows.to_excel(writer, sheet_name="检查台账", index=False)
    book = read(path, context)
    assert book["unit"] == "荷花池街道"
    assert rows_of(book["sheets"]["检查台账"])[0]["整改时限"] == D(2017, 7, 5)


@pytest.mark.parametrize("name", ["西华街道台账.xls", "西华街道台账.et"])
def test_old_excel_and_wps_files_are_read(tmp_path, context, name):
    path = tmp_path / name
    path.write_bytes((FIXTURES / "libreoffice_saved.xls").read_bytes())
    book = read(path, context)
    assert book["unit"] == "西华街道"
    assert [r["_key"] for r in rows_of(book["sheets"]["检查台账"])] == ["自检1", "自检2"]
