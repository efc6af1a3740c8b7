"""What leaders read: the rollup workbook, the bulletin (.html and .docx) and the reminders."""
import re
import shutil
import subprocess
import zipfile

import openpyxl
import pytest
from docx import Document

from conftest import D, inspection, rectification, report, run, unit_workbook

HOSTILE = '=HYPERLINK("http://example.invalid","点此查看")'


@pytest.fixture(scope="module")
def month(config, tmp_path_factory):
    root = tmp_path_factory.mktemp("render")
    inbox = root / "inbox"
    unit_workbook(inbox / "2017-06-12" / "西安路街道.xlsx", config, "西安路街道", [
        inspection("自检1号", "桐竹社区", deadline=D(2017, 6, 20), problem=HOSTILE),
        inspection("自检2号", "桂乐社区", deadline=D(2017, 7, 5), problem="+cmd|' /C calc'!A0"),
        inspection("自检3号", "桐明社区", deadline=D(2017, 7, 30), problem="账目\x07不清\x00"),
    ], [rectification("自检3号", done=D(2017, 6, 10))], [report("2017-06", 3, 3, 1)])
    unit_workbook(inbox / "2017-06-15" / "区教育局.xlsx", config, "区教育局", [
        inspection(f"自检{i}号", "教育局财务科", deadline=D(2017, 7, 30), category="惠民政策和专项资金") for i in range(1, 5)
    ], [rectification(f"自检{i}号", done=D(2017, 6, 14)) for i in range(1, 5)], [report("2017-06", 1, 4, 4)])
    return run(config, inbox, root / "out")


def rollup(month):
    path = next(month.out.glob("全区专项治理微腐败工作月度汇总（2017年6月）.xlsx"))
    return path, openpyxl.load_workbook(path)


def test_the_rollup_has_every_sheet_with_frozen_filtered_printable_tables(month):
    path, wb = rollup(month)
    assert wb.sheetnames[:8] == ["总览", "单位情况", "排名", "未销号问题", "月报报送", "分类统计", "数据质量", "催办"]
    assert {"承诺情况", "信访举报统计", "信访举报线索", "一案双查"} <= set(wb.sheetnames)
    for name in wb.sheetnames:
        ws = wb[name]
        assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize == 9, name
        assert "2017年6月" in ws.oddHeader.left.text, name
        assert "&P" in ws.oddFooter.center.text, name
        if name != "总览":
            assert ws.freeze_panes == "A4" and ws.auto_filter.ref and ws.print_title_rows == "$3:$3", name
    with zipfile.ZipFile(path) as z:
        assert len([n for n in z.namelist() if n.startswith("xl/charts/chart")]) >= 4  # 总览's three + the monthly trend


def test_unit_table_totals_equal_the_sum_of_units(month):
    _, wb = rollup(month)
    ws = wb["单位情况"]
    header = [c.value for c in ws[3]]
    col = header.index("发现问题数")
    rows = list(ws.iter_rows(min_row=4, values_only=True))
    units = [r for r in rows if r[1] in ("街道", "部门")]
    total = next(r for r in rows if r[0] == "全区合计")
    assert total[col] == sum(r[col] for r in units) == 7


def listed(month, sheet):
    """A sheet's table as the leaders read it: its header (row 3) and its rows below, by column."""
    _, wb = rollup(month)
    header = [c.value for c in wb[sheet][3]]
    return header, [dict(zip(header, r)) for r in wb[sheet].iter_rows(min_row=4, values_only=True)]


def test_open_items_trace_to_their_source_cell_and_unit_text_stays_inert(month):
    _, wb = rollup(month)
    ws = wb["未销号问题"]
    _, rows = listed(month, "未销号问题")
    first = next(r for r in rows if r["编号"] == "自检1号")
    assert (first["预警"], first["来源文件"], first["来源行"]) == ("红", "2017-06-12/西安路街道.xlsx", "检查台账!4")
    cells = [c for row in ws.iter_rows(min_row=4) for c in row if c.value in (HOSTILE, "+cmd|' /C calc'!A0")]
    assert len(cells) == 2 and all(c.data_type == "s" for c in cells)


def test_formula_like_text_is_inert_in_the_csv_files_too(month):
    raw = (month.out / "data" / "items.csv").read_text(encoding="utf-8-sig")
    assert "'=HYPERLINK(" in raw and "'+cmd|" in raw
    assert ",=HYPERLINK(" not in raw and ",+cmd" not in raw


def test_the_ranking_sheet_names_the_unit_that_did_not_report(month):
    _, wb = rollup(month)
    ws = wb["排名"]
    header = [c.value for c in ws[3]]
    rows = {r[header.index("单位")]: dict(zip(header, r)) for r in ws.iter_rows(min_row=4, values_only=True)}
    assert rows["荷花池街道"]["通报类别"] == "点名批评" and "月报表未报送" in rows["荷花池街道"]["理由"]


def bulletin_text(month, ext):
    path = next(month.out.glob(f"关于全区专项治理“微腐败”工作推进情况的通报（第2期）.{ext}"))
    if ext == "html":
        return re.sub(r"<[^>]+>", "", path.read_text(encoding="utf-8"))
    doc = Document(str(path))
    parts = [p.text for p in doc.paragraphs]
    parts += [c.text for t in doc.tables for row in t.rows for c in row.cells]
    return "\n".join(parts)


@pytest.mark.parametrize("ext", ["html", "docx"])
def test_the_bulletin_states_the_figures_of_units_csv(month, ext):
    text = bulletin_text(month, ext)
    ranked = month.units[month.units["单位类型"] != "专项治理小组"]
    assert "关于全区专项治理“微腐败”工作" in text and "推进情况的通报（第2期）" in text
    assert "截至6月30日" in text
    assert f"发现问题{ranked['发现问题数'].sum()}个" in text
    assert f"已整改销号{ranked['已销号数'].sum()}个" in text
    assert "未报单位：" in text and "荷花池街道" in text
    assert "{{" not in text and "{%" not in text


def test_html_and_docx_carry_the_same_sentences(month):
    html, docx = bulletin_text(month, "html"), bulletin_text(month, "docx")
    for sentence in re.findall(r"截至[^。]+。", html):
        assert sentence in docx


def test_reminders_list_overdue_items_and_missing_reports(month):
    text = (month.out / "催办清单.txt").read_text(encoding="utf-8")
    assert "【西安路街道】" in text and "自检1号" in text and "已逾期10天" in text
    assert "【荷花池街道】" in text and "月报表尚未报送" in text


def test_the_chase_sheet_says_where_each_item_came_from(month):
    header, rows = listed(month, "催办")
    overdue = next(r for r in rows if r["编号"] == "自检1号")
    assert (overdue["事项"], overdue["整改时限"], overdue["说明"], overdue["来源"]) == (
        "逾期未完成整改", "2017-06-20", "已逾期10天", "2017-06-12/西安路街道.xlsx 检查台账!4")
    soon = next(r for r in rows if r["编号"] == "自检2号")
    assert (soon["事项"], soon["说明"]) == ("即将到期", "5天后到期")
    unreported = next(r for r in rows if r["单位"] == "荷花池街道")
    assert unreported["事项"] == "月报表未报送" and not unreported["来源"]
    assert "来源文件" not in header and "来源行" not in header


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_libreoffice_prints_the_rollup_and_the_bulletin(month, tmp_path):
    files = [next(month.out.glob("全区*.xlsx")), next(month.out.glob("关于*.docx"))]
    subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), *map(str, files)],
                   check=True, capture_output=True, timeout=240)
    pdfs = sorted(tmp_path.glob("*.pdf"))
    assert len(pdfs) == 2 and all(p.stat().st_size > 10_000 for p in pdfs)


def test_a_city_sized_open_list_is_cut_to_the_most_urgent_rows_with_a_note(tmp_path, config):
    """At city scale the leaders' sheet lists the most overdue first and says where the rest is."""
    import dataclasses

    rows = [inspection(f"自检{i}号", "桐竹社区", deadline=D(2017, 6, 10 + i)) for i in range(1, 8)]
    unit_workbook(tmp_path / "inbox" / "2017-06-18" / "西安路街道.xlsx", config, "西安路街道", rows)
    small = dataclasses.replace(config, campaign=dataclasses.replace(
        config.campaign, limits={**config.campaign.limits, "rollup_detail_rows": 3}))
    result = run(small, tmp_path / "inbox", tmp_path / "out")
    ws = openpyxl.load_workbook(next(result.out.glob("全区*.xlsx")), read_only=True)["未销号问题"]
    table = list(ws.iter_rows(values_only=True))
    assert "共7条" in table[1][0] and "其余4条" in table[1][0] and "data/items.csv" in table[1][0]
    numbers = [r[3] for r in table[3:] if r and r[3]]
    assert numbers == ["自检1号", "自检2号", "自检3号"]  # the longest overdue first
