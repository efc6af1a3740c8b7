"""举报人 and 联系方式 never leave the register: not in any output file, not even inside xlsx/docx XML."""
import io
import zipfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import D, feedback_rows, manifest_row, run
from test_accountability import clue, register

PLANTED_NAMES = ["邝燚鑫", "钟晓梅", "滕淼焱"]
PLANTED_PHONES = ["13912345678", "028-87654321", "13700001111"]


def output_texts(out: Path):
    """(file, text) of every output file; the parts of xlsx/docx are unzipped and read one by one."""
    for path in sorted(p for p in out.rglob("*") if p.is_file()):
        data = path.read_bytes()
        if zipfile.is_zipfile(io.BytesIO(data)):
            with zipfile.ZipFile(io.BytesIO(data)) as z:
                for name in z.namelist():
                    yield f"{path.name}!{name}", z.read(name).decode("utf-8", "replace")
        else:
            yield path.name, data.decode("utf-8", "replace")


def short_numbers(out: Path, numbers) -> list[str]:
    """Where a number shorter than a telephone number is written as one, in any output (only as one:
    a six-digit run turns up by chance among all the digits of a month's files)."""
    import re

    patterns = [re.compile(r"(?<!\d)" + r"[\s\-]*".join(number) + r"(?!\d)") for number in numbers]
    return [f"{where}: {p.pattern}" for where, text in output_texts(out) for p in patterns if p.search(text)]


def digits_only(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


def leaks(out: Path, names, phones) -> list[str]:
    found = []
    for where, text in output_texts(out):
        flat = digits_only(text)
        for name in names:
            if name in text:
                found.append(f"{where}: {name}")
        for phone in phones:
            if phone in text or digits_only(phone) in flat:
                found.append(f"{where}: {phone}")
    return found


def test_planted_complainants_appear_in_no_output(config, tmp_path):
    inbox = tmp_path / "inbox"
    register(inbox / "2017-08-18" / "信访举报登记表.xlsx", config, [
        clue("XF-001", "桐竹社区", who="钟晓梅", phone="13912345678",
             problem="来电人钟晓梅（电话139-1234-5678）反映社区主任收受红包", note="钟 晓梅 要求回复"),
        clue("XF-002", "桂乐社区", who="邝燚鑫、滕淼焱", phone="028-87654321", channel="来信", action=None,
             problem="邝燚鑫来信，联系电话028 8765 4321，反映低保优亲厚友"),
        # a bad date: the 回执 marks the register's cells, and must mask what it shows
        clue("XF-003", "桐明社区", who="滕淼焱", phone="１３７００００１１１１", accepted="13700001111"),
    ])
    result = run(config, inbox, tmp_path / "outbox", period="2017-08", as_of=D(2017, 8, 31))
    assert not leaks(tmp_path / "outbox", PLANTED_NAMES, PLANTED_PHONES)
    assert not leaks(tmp_path / "outbox", ["钟晓梅"], []) and result.log.count("钟晓梅") == 0
    for frame in result.intake.frames.values():
        assert "举报人" not in frame.columns and "联系方式" not in frame.columns


def test_the_registers_own_feedback_shows_them_masked(config, tmp_path):
    inbox = tmp_path / "inbox"
    register(inbox / "2017-08-18" / "登记表.xlsx", config, [
        clue("XF-001", "桐竹社区", who="钟晓梅", phone="13912345678", closed="2017-06-01")])  # closed before accepted
    result = run(config, inbox, tmp_path / "outbox", period="2017-08", as_of=D(2017, 8, 31))
    texts = dict(output_texts(result.out / "回执"))
    shared = next(text for where, text in texts.items() if where.endswith("sharedStrings.xml"))
    assert "钟**" in shared and "139****5678" in shared
    assert feedback_rows(result, "2017-08-18/登记表.xlsx")


# hypothesis: names from characters no output uses, numbers as people type them
RARE = "邝燚鑫淼焱犇垚鑫昊霂翀朤羴骉"
names = st.text(alphabet=RARE, min_size=2, max_size=4)
mobiles = st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True)
spaced = mobiles.map(lambda m: f"{m[:3]} {m[3:7]} {m[7:]}")
phones = st.one_of(mobiles, spaced, st.from_regex(r"0[1-9][0-9]{1,2}-[2-8][0-9]{7}", fullmatch=True))


@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.tuples(names, phones, st.booleans()), min_size=1, max_size=3))
def test_whatever_the_register_holds_no_output_contains_a_complainant(config, tmp_path_factory, rows):
    root = tmp_path_factory.mktemp("prop")
    inbox = root / "inbox"
    register(inbox / "2017-08-18" / "登记表.xlsx", config, [
        clue(f"XF-{i}", "桐竹社区", who=name, phone=phone,
             problem=f"{name}（{phone}）反映问题" if in_text else "反映问题",
             note=f"联系{phone}" if in_text else None)
        for i, (name, phone, in_text) in enumerate(rows, start=1)])
    run(config, inbox, root / "outbox", period="2017-08", as_of=D(2017, 8, 31))
    assert not leaks(root / "outbox", [n for n, _, _ in rows], [p for _, p, _ in rows])


def test_a_complainant_whose_name_is_inside_a_category_leaves_the_register_accepted(config, tmp_path):
    """程建 complained: 工程建设 (a choice from the list) and 西华街道 stay as they are; 程建 is masked
    wherever people wrote the name."""
    inbox = tmp_path / "inbox"
    register(inbox / "2017-08-18" / "信访举报登记表.xlsx", config, [
        clue("XF-001", "桐竹社区", who="程建", phone="13912345678", category="工程建设", handler="西华街道",
             problem="来电人程建反映社区工程建设项目未公开招标", note="程 建要求回复")])
    result = run(config, inbox, tmp_path / "outbox", period="2017-08", as_of=D(2017, 8, 31))
    row = result.manifest[result.manifest["文件"] == "2017-08-18/信访举报登记表.xlsx"].iloc[0]
    assert row["结果"] == "已采用", row["说明"]
    clues = result.tables["clues"]
    assert clues.loc[0, "治理类别"] == "工程建设" and clues.loc[0, "承办单位"] == "西华街道"
    assert not leaks(tmp_path / "outbox", [], ["13912345678"])
    left = [where for where, text in output_texts(tmp_path / "outbox") if "程建" in text.replace("工程建设", "")]
    assert not left
    # in what people wrote the name is masked wherever it stands, inside a word too: never missed
    assert result.intake.frames["信访举报"].loc[0, "反映问题"] == "来电人程**反映社区工程**设项目未公开招标"


def test_complainants_under_a_renamed_or_second_header_are_masked_too(config, tmp_path):
    """A clerk writes the header 举报人（保密）, or adds a column 联系电话 of their own beside 联系方式: the
    reader does not take those columns, but the register's 回执 copies its sheet, so they are masked
    there and their values scrubbed everywhere, as the named columns' are."""
    import openpyxl

    inbox = tmp_path / "inbox"
    path = register(inbox / "2017-08-18" / "登记表.xlsx", config, [
        clue("XF-001", "桐竹社区", who="钟晓梅", phone="13912345678", closed="2017-06-01"),  # closed before accepted
        clue("XF-002", "桂乐社区", who="邝燚鑫", phone="87654321", problem="邝燚鑫来信反映低保优亲厚友")])
    wb = openpyxl.load_workbook(path)
    ws = wb["信访举报"]
    header = next(row for row in ws.iter_rows() if any(c.value == "举报人" for c in row))
    next(c for c in header if c.value == "举报人").value = "举报人（保密）"
    extra = ws.max_column + 1
    ws.cell(header[0].row, extra, "联系电话")
    ws.cell(header[0].row + 1, extra, "028-66554433")
    ws.cell(header[0].row + 2, extra, "alice@example.com")
    wb.save(path)
    result = run(config, inbox, tmp_path / "outbox", period="2017-08", as_of=D(2017, 8, 31))
    assert feedback_rows(result, "2017-08-18/登记表.xlsx"), "the register's sheet is marked, so its 回执 copies it"
    assert not leaks(tmp_path / "outbox", ["钟晓梅", "邝燚鑫", "alice@example.com"], ["13912345678", "87654321", "028-66554433"])


def test_a_word_beside_a_complainants_name_does_not_mask_the_registered_places(config, tmp_path):
    """举报人 “吴涛（社区）”: 社区 is kept secret with the name, but a cell that is exactly a registered
    grassroots unit's name is not what anyone said, so every clue keeps its place and its unit."""
    import pandas as pd

    inbox = tmp_path / "inbox"
    register(inbox / "2017-08-18" / "登记表.xlsx", config, [
        clue("XF-001", "桐竹社区", who="吴涛（社区）"), clue("XF-002", "桂乐社区", who="钟晓梅")])
    result = run(config, inbox, tmp_path / "outbox", period="2017-08", as_of=D(2017, 8, 31))
    clues = pd.read_csv(result.out / "data" / "clues.csv", encoding="utf-8-sig")
    assert sorted(clues["被反映单位"]) == ["桂乐社区", "桐竹社区"]
    assert not leaks(tmp_path / "outbox", ["吴涛", "钟晓梅"], [])


def test_a_ledger_with_a_copy_of_the_register_sheet_is_still_the_units_ledger(config, tmp_path):
    """西安路街道 pastes the register's 信访举报 sheet into its ledger: the file is its ledger, read as
    such, and the office's register stays in force (it once replaced the register and every clue)."""
    import openpyxl

    from conftest import inspection, manifest_row, unit_workbook

    inbox = tmp_path / "inbox"
    register(inbox / "2017-08-18" / "登记表.xlsx", config, [clue("XF-001", "桐竹社区"), clue("XF-002", "桂乐社区")])
    copy = register(tmp_path / "copy.xlsx", config, [clue("XF-009", "桐竹社区", who="钟晓梅")])
    ledger = unit_workbook(inbox / "2017-08-20" / "西安路街道.xlsx", config, "西安路街道", [inspection("自检1号", "桐竹社区")])
    wb, pasted = openpyxl.load_workbook(ledger), openpyxl.load_workbook(copy)["信访举报"]
    sheet = wb.create_sheet("信访举报")
    for row in pasted.iter_rows(values_only=True):
        sheet.append(row)
    wb.save(ledger)
    result = run(config, inbox, tmp_path / "outbox", period="2017-08", as_of=D(2017, 8, 31))
    assert manifest_row(result, "2017-08-18/登记表.xlsx")["结果"] == "已采用"
    row = manifest_row(result, "2017-08-20/西安路街道.xlsx")
    assert (row["单位"], row["结果"]) == ("西安路街道", "已采用")
    assert sorted(result.tables["clues"]["线索编号"]) == ["XF-001", "XF-002"]
    assert not leaks(tmp_path / "outbox", ["钟晓梅"], [])


def test_a_short_contact_number_is_masked_where_written_but_clue_numbers_stay_as_written(config, tmp_path):
    """A 联系方式 shorter than a telephone number (a QQ number, an extension, 00001) is masked in its
    own column and wherever a number is it (QQ654321, typed on its own or as a number), but the clue
    numbers are the office's own: XF-00001 and XF-00101 stay as written (masked, with contacts 00001
    and 00101, both were XF-***01 and two clues became one)."""
    import openpyxl
    import pandas as pd

    inbox = tmp_path / "inbox"
    path = register(inbox / "2017-08-18" / "登记表.xlsx", config, [
        # 属实 without 处理方式: a 疑问 in every row, so that the 回执's marked copy shows every row
        clue("XF-00001", "桐竹社区", phone="00001", action=None),
        clue("XF-00101", "桂乐社区", phone="00101", action=None),
        clue("XF-2017-10001", "桂乐社区", who="滕淼焱", phone="QQ 654321", problem="滕淼焱通过QQ654321 8月3日反映低保优亲厚友",
             action=None),
        clue("XF-2017-00002", "桂乐社区", phone="13912345678", problem="来电13912345678反映，与XF-00001为同一事项", action=None),
        clue("XF-2017-00003", "桐竹社区", phone="028-87654321", problem="请回电87654321或8613700001111", action=None)])
    wb = openpyxl.load_workbook(path)
    ws = wb["信访举报"]
    note = next(c.column for c in next(r for r in ws.iter_rows() if any(c.value == "说明" for c in r)) if c.value == "说明")
    ws.cell(ws.max_row, note, 654321)  # the QQ number typed as a number into 说明
    wb.save(path)
    result = run(config, inbox, tmp_path / "outbox", period="2017-08", as_of=D(2017, 8, 31))
    clues = pd.read_csv(result.out / "data" / "clues.csv", encoding="utf-8-sig")
    assert sorted(clues["线索编号"]) == ["XF-00001", "XF-00101", "XF-2017-00002", "XF-2017-00003", "XF-2017-10001"]
    answer = openpyxl.load_workbook(result.out / manifest_row(result, "2017-08-18/登记表.xlsx")["回执"])
    shown = {c.value for row in answer["信访举报"].iter_rows() for c in row if isinstance(c.value, str)}
    assert {"XF-00001", "XF-00101", "***01", "****21", "滕**通过QQ****21 8月3日反映低保优亲厚友",
            "来电139****5678反映,与XF-***01为同一事项"} <= shown  # a cell scrubbed is NFKC (，→ ,)
    assert not leaks(tmp_path / "outbox", ["滕淼焱"], ["13912345678", "87654321", "13700001111"])
    assert not short_numbers(tmp_path / "outbox", ["654321"])


def test_contacts_however_written_elsewhere_are_masked_and_a_clue_number_keeps_no_name_or_phone(config, tmp_path):
    """A QQ number written 654-321 or 654 321, an extension 7788 (分机7788), and a clerk who typed the
    complainant's phone or name into 线索编号: none reaches any output; the clue numbers are masked
    only where they hold a name or a telephone number."""
    inbox = tmp_path / "inbox"
    register(inbox / "2017-08-18" / "登记表.xlsx", config, [
        clue("XF-00001", "桂乐社区", who="滕淼焱", phone="QQ 654321", problem="QQ号654-321反映，微信 654 321"),
        clue("XF-00002", "桐竹社区", who="邝燚鑫", phone="分机7788", problem="请拨7788联系", note="转7788"),
        clue("13700001111", "桐竹社区", who="钟晓梅", phone="13700001111", action=None),  # a 疑问: the sheet is marked
        clue("钟晓梅来电", "桂乐社区", who="钟晓梅", phone="028-66554433")])
    result = run(config, inbox, tmp_path / "outbox", period="2017-08", as_of=D(2017, 8, 31))
    assert len(result.tables["clues"]) == 4
    assert not leaks(tmp_path / "outbox", ["滕淼焱", "邝燚鑫", "钟晓梅"], ["13700001111", "66554433"])
    assert not short_numbers(tmp_path / "outbox", ["654321", "7788"])


def test_contacts_written_with_dots_are_masked_wherever_written(config, tmp_path):
    """A clerk writes the phone as 138.1234.5678 and the QQ number as 654.321 in 联系方式, and the same
    contacts, dotted or not, in 反映问题. Each is masked wherever written, as one number where
    it is written as one; an amount with the QQ number's digits grouped otherwise (6543.21元), a date
    in a contact (2017.06.05) and the clue numbers holding that date stay as written. The QQ number
    typed as a number into another cell shows masked too."""
    import openpyxl

    inbox = tmp_path / "inbox"
    path = register(inbox / "2017-08-18" / "登记表.xlsx", config, [
        clue("XF-20170605-01", "桂乐社区", who="滕淼焱", phone="138.1234.5678（2017.06.05来电）",
             problem="来电13812345678反映低保金6543.21元未发放，另可拨Tel.138.1234.5678", action=None),
        clue("XF-20170705-01", "桐竹社区", who="邝燚鑫", phone="QQ 654.321", problem="QQ654321于2017.06.05反映",
             action=None)])
    wb = openpyxl.load_workbook(path)
    ws = wb["信访举报"]
    named = next(c.column for c in next(r for r in ws.iter_rows() if any(c.value == "被反映人" for c in r))
                 if c.value == "被反映人")
    ws.cell(ws.max_row, named, 654.321)  # the QQ number typed, as a number, where it does not belong
    wb.save(path)
    result = run(config, inbox, tmp_path / "outbox", period="2017-08", as_of=D(2017, 8, 31))
    assert sorted(result.tables["clues"]["线索编号"]) == ["XF-20170605-01", "XF-20170705-01"]
    assert not leaks(tmp_path / "outbox", ["滕淼焱", "邝燚鑫"], ["13812345678"])
    assert not short_numbers(tmp_path / "outbox", ["654321"])
    answer = openpyxl.load_workbook(result.out / manifest_row(result, "2017-08-18/登记表.xlsx")["回执"])
    shown = {c.value for row in answer["信访举报"].iter_rows() for c in row if c.value is not None}
    assert {"来电138****5678反映低保金6543.21元未发放,另可拨Tel.138****5678", "QQ****21于2017.06.05反映",
            "XF-20170605-01", "XF-20170705-01", "****21"} <= shown
    assert 654.321 not in shown


def test_text_hidden_under_a_merged_heading_is_masked(config, tmp_path):
    """举报人 is merged down from the title row into the header row, and the cell it covers still holds
    what was typed there before (LibreOffice keeps it): 举报人（钟晓梅 13912345678 来电）. The unit
    never sees it, but it is in the file the 回执 copies, so it is masked like any other text."""
    import xlsxwriter

    row = clue("XF-001", "桐竹社区", accepted="不是日期")  # a bad date: the sheet is marked and copied
    labels = list(row)
    at = labels.index("举报人")
    path = tmp_path / "inbox" / "2017-08-18" / "登记表.xlsx"
    path.parent.mkdir(parents=True)
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("信访举报")
    ws.write(0, 0, "信访举报登记表")
    ws.write_row(1, 0, [None if c == at else label for c, label in enumerate(labels)])
    ws.write_row(2, 0, list(row.values()))
    ws.merge_range(0, at, 1, at, "举报人")
    ws.write(1, at, "举报人（钟晓梅 13912345678 来电）")  # under the merge, as LibreOffice keeps it
    wb.close()
    result = run(config, tmp_path / "inbox", tmp_path / "outbox", period="2017-08", as_of=D(2017, 8, 31))
    assert manifest_row(result, "2017-08-18/登记表.xlsx")["回执"]
    assert not leaks(tmp_path / "outbox", ["钟晓梅"], ["13912345678"])


def test_amounts_typed_as_numbers_stay_numbers_beside_a_dotted_contact(config, tmp_path):
    """A contact written 138.1234.5678 makes its groups (138, 1234, 5678) secrets wherever written as
    text, but a number typed in a cell is an amount unless it is a contact typed with dots: 1234.56
    and 138.5 stay numbers in the 回执's copy."""
    import openpyxl

    inbox = tmp_path / "inbox"
    path = register(inbox / "2017-08-18" / "登记表.xlsx", config, [
        clue("XF-00001", "桐竹社区", phone="138.1234.5678", action=None),
        clue("XF-00002", "桐竹社区", action=None)])
    wb = openpyxl.load_workbook(path)
    ws = wb["信访举报"]
    named = next(c.column for c in next(r for r in ws.iter_rows() if any(c.value == "被反映人" for c in r))
                 if c.value == "被反映人")
    ws.cell(ws.max_row - 1, named, 1234.56)
    ws.cell(ws.max_row, named, 138.5)
    wb.save(path)
    result = run(config, inbox, tmp_path / "outbox", period="2017-08", as_of=D(2017, 8, 31))
    answer = openpyxl.load_workbook(result.out / manifest_row(result, "2017-08-18/登记表.xlsx")["回执"])
    shown = {c.value for row in answer["信访举报"].iter_rows() for c in row if c.value is not None}
    assert {1234.56, 138.5} <= shown
