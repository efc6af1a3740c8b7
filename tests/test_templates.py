"""`make templates`: one workbook per unit, with drop-downs, help text and the unit locked in."""
import dataclasses
import shutil
import subprocess

import openpyxl
import pytest

from pipeline.config import Unit
from pipeline.intake.parse import read_context, read_submission
from pipeline.intake.templates import template_name, write_template, write_templates
from schemas import columns


@pytest.fixture(scope="module")
def templates(config, tmp_path_factory):
    out = tmp_path_factory.mktemp("templates")
    write_templates(config, out)
    return out


def test_one_workbook_per_registered_unit(config, templates):
    assert sorted(p.name for p in templates.iterdir()) == sorted(
        [template_name(u) for u in config.units] + ["信访举报登记表.xlsx"])


def test_sheets_header_help_and_unit(config, templates):
    wb = openpyxl.load_workbook(templates / "沙河源街道_专项治理台账.xlsx")
    assert wb.sheetnames[:4] == ["填报说明", "检查台账", "整改台账", "月报表"]
    assert wb["_meta"].sheet_state == "veryHidden"
    for sheet in ("检查台账", "整改台账", "月报表"):
        ws = wb[sheet]
        labels = [c.label for c in columns(sheet)]
        assert [ws.cell(3, i + 1).value for i in range(len(labels))] == labels
        assert all(ws.cell(3, i + 1).comment is not None for i in range(len(labels)))
        assert ws["B2"].value == "沙河源街道" and ws["B2"].protection.locked
        assert ws.protection.sheet
        assert ws.freeze_panes == "A4"
        assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize == 9
        assert ws.print_title_rows == "$3:$3"
    help_text = wb["检查台账"]["I3"].comment.text
    assert "整改时限" in help_text and "不得早于检查时间" in help_text


def test_drop_downs_cover_every_vocabulary_and_the_units_grassroots(config, templates):
    wb = openpyxl.load_workbook(templates / "沙河源街道_专项治理台账.xlsx")
    ws = wb["检查台账"]
    lists = {str(dv.sqref).split(":")[0]: dv for dv in ws.data_validations.dataValidation if dv.type == "list"}
    assert '"自查自纠,专项督查' in lists["D4"].formula1
    assert "作风和不作为" in lists["E4"].formula1
    assert lists["C4"].formula1.startswith("_lists!") and lists["C4"].errorStyle == "information"
    grassroots = [c.value for c in wb["_lists"]["A"] if c.value]
    assert grassroots == config.grassroots_of("沙河源街道")


def inspectors_listed(path):
    """The names the 整改台账's 检查单位 drop-down offers."""
    wb = openpyxl.load_workbook(path)
    ws = wb["整改台账"]
    ref = next(dv.formula1 for dv in ws.data_validations.dataValidation if str(dv.sqref).startswith("B4"))
    column = ref.split("!")[1].split(":")[0].replace("$", "")[0]
    return [c.value for c in wb["_lists"][column] if c.value]


def test_the_inspecting_unit_drop_down_offers_the_groups_and_the_other_units(config, templates):
    groups = [u.name for u in config.units if u.type == "专项治理小组"]
    listed = inspectors_listed(templates / "沙河源街道_专项治理台账.xlsx")
    assert listed[:len(groups)] == groups
    assert "区民政局" in listed and "沙河源街道" not in listed


def test_a_city_registry_offers_only_the_groups_and_lets_other_names_be_typed(config, tmp_path):
    city = dataclasses.replace(config, units=config.units + tuple(
        Unit(f"CS{i:04d}", f"市属测试{i:04d}局", "部门", ()) for i in range(1500)))
    path = tmp_path / "沙河源街道.xlsx"
    write_template(path, city.unit_by_name()["沙河源街道"], city)
    assert inspectors_listed(path) == [u.name for u in config.units if u.type == "专项治理小组"]
    ws = openpyxl.load_workbook(path)["整改台账"]
    assert next(dv for dv in ws.data_validations.dataValidation if str(dv.sqref).startswith("B4")).errorStyle == "information"


def test_a_blank_template_reads_back_as_its_unit_with_no_problem(config, templates):
    path = templates / "区民政局_专项治理台账.xlsx"
    book = read_submission({"data": path.read_bytes(), "ext": ".xlsx", "file": path.name}, read_context(config))
    assert book["unit"] == "区民政局"
    assert book["problems"] == []


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_libreoffice_keeps_the_drop_downs_and_help(templates, tmp_path):
    src = templates / "西华街道_专项治理台账.xlsx"
    subprocess.run(["soffice", "--headless", "--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir", str(tmp_path),
                    str(src)], check=True, capture_output=True, timeout=180)
    ws = openpyxl.load_workbook(tmp_path / src.name)["检查台账"]
    kinds = {dv.type for dv in ws.data_validations.dataValidation}
    assert {"list", "date"} <= kinds
    assert ws["A3"].comment is not None and "编号" in ws["A3"].comment.text
