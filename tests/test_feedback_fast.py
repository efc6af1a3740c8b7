"""A clean 回执 filled in from a prepared workbook reads exactly like one built from scratch."""
import datetime as dt
from pathlib import Path
from types import SimpleNamespace

import openpyxl

from pipeline.intake.feedback import FeedbackWriter, write_feedback


def _cells(path):
    wb = openpyxl.load_workbook(path)
    return {ws.title: [[c for c in row] for row in ws.iter_rows(values_only=True)] for ws in wb}, \
        {ws.title: sorted(str(r) for r in ws.merged_cells.ranges) for ws in wb}


def _file(**over):
    f = SimpleNamespace(rel="2017-06-15/西安路街道_台账 & <副本>.xlsx", unit="西安路街道", received=dt.date(2017, 6, 15),
                        result="已采用", problems=[], book=None, errors=0, queries=0, duplicate_of="", changes=None)
    f.__dict__.update(over)
    return f


def test_a_clean_feedback_workbook_reads_the_same_either_way(tmp_path):
    writer = FeedbackWriter("金牛区", tmp_path / "scratch")
    register = _file(rel="2017-06-15/信访举报登记表.xlsx", unit="区纪委信访室", book={"kind": "信访举报登记表"})
    for n, f in enumerate([_file(), register, _file(result="已被替代", unit=""),
                           _file(result="重复文件", duplicate_of="2017-06-14/西安路街道.xlsx")]):
        fast, slow = tmp_path / f"fast{n}.xlsx", tmp_path / f"slow{n}.xlsx"
        writer.write(fast, f)
        write_feedback(slow, f, "金牛区")
        assert _cells(fast) == _cells(slow)
        text = [v for row in _cells(fast)[0]["审核结果"] for v in row if v]
        assert f.rel in text and not any("⟦" in v for v in text)
    scratch = tmp_path / "scratch"  # made only where this process had not prepared these verdicts yet
    assert not scratch.exists() or not list(scratch.iterdir()), "no prepared workbook is left among the outputs"


def test_the_register_answer_is_titled_for_the_register(tmp_path):
    f = _file(rel="2017-06-15/信访举报登记表.xlsx", unit="区纪委信访室", book={"kind": "信访举报登记表"})
    FeedbackWriter("金牛区", tmp_path).write(tmp_path / "r.xlsx", f)
    assert _cells(tmp_path / "r.xlsx")[0]["审核结果"][0][0] == "专项治理“微腐败”信访举报登记表审核回执"


def _busy(seconds):
    import time

    time.sleep(seconds)


def test_feedback_the_other_core_has_not_begun_is_written_here_and_its_later_tasks_go_first(tmp_path):
    """A month of long 回执 (many resubmissions): the history waits for items.csv and the leaders'
    workbook, so those go ahead of the 回执 parts the other core has not begun, and this process writes
    whatever parts are still waiting once it is done with its own work. Every 回执 is written once."""
    import multiprocessing
    import time
    from concurrent.futures import ProcessPoolExecutor

    from pipeline.jobs.period import _Feedback, _parts

    files = [_file(rel=f"2017-06-{10 + n}/单位{n}.xlsx", unit=f"单位{n}") for n in range(12)]
    names = {f.rel: f"回执/单位{n}_回执.xlsx" for n, f in enumerate(files)}
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork")) as other:
        other.submit(_busy, 2)  # the other core is busy: nothing sent after this has begun
        answered = _Feedback(other, [dict(district="金牛区", out=tmp_path, files=part, names=names)
                                     for part in _parts(files, 4)])
        later = answered.submit(_busy, seconds=0)
        started = time.monotonic()
        answered.take_back()
        assert time.monotonic() - started < 2, "the waiting parts were written here, not waited for"
        here = {p.name for p in (tmp_path / "回执").iterdir()}
        assert len(here) >= 6, "at most the part already handed over is left to the other core"
        answered.result()
        later.result()
    assert sorted(p.name for p in (tmp_path / "回执").iterdir()) == sorted(Path(n).name for n in names.values())
    assert [len(part) for part in _parts(files, 4)] == [3, 3, 3, 3] and _parts([], 4) == [[]]


def test_the_parts_left_are_shared_the_other_core_from_the_first_this_one_from_the_last(tmp_path, monkeypatch):
    """Once this process is done with its own work, it must not take every waiting part at once and
    leave the other core idle: it writes one from the end while the other goes on from the start."""
    from concurrent.futures import Future

    import pipeline.jobs.period as period

    written = []

    class OtherCore:
        def __init__(self):
            self.queue = []

        def submit(self, fn, /, **kwargs):
            future = Future()
            self.queue.append((future, kwargs))
            return future

        def begin_next(self):
            while self.queue:
                future, kwargs = self.queue.pop(0)
                if future.set_running_or_notify_cancel():  # not taken back: the other core writes it
                    written.append(("other core", kwargs["files"][0]))
                    future.set_result(None)
                    return

    other = OtherCore()

    def write_here(district, out, files, names):
        written.append(("here", files[0]))
        other.begin_next()  # meanwhile the other core has finished a part and begins the next

    monkeypatch.setattr(period, "write_all", write_here)
    answered = period._Feedback(other, [dict(district="金牛区", out=tmp_path, files=[n], names={}) for n in range(6)])
    answered.take_back()
    answered.result()
    assert written == [("here", 5), ("other core", 0), ("here", 4), ("other core", 1), ("here", 3), ("other core", 2)]


def test_a_long_problem_is_read_whole_in_its_row(tmp_path):
    """问题 and 修改建议 wrap in their columns; the row is made tall enough for them, since a viewer
    that does not grow rows itself (LibreOffice, some WPS versions) would cut the text off."""
    from pipeline.problems import problem

    moved = problem("vocab", file="2017-06-15/西安路街道.xlsx", sheet="整改台账", row=3, col=6, column="完成情况",
                    value="基本完成", detail="应为 已完成、整改中、未整改 之一；" + "本单位自查发现的问题须逐条对应整改台账" * 3)
    short = problem("vocab", file="2017-06-15/西安路街道.xlsx", sheet="整改台账", row=4, col=6, column="完成情况",
                    value="完成")
    f = _file(result="已退回", errors=2, problems=[moved, short])
    write_feedback(tmp_path / "r.xlsx", f, "金牛区")
    ws = openpyxl.load_workbook(tmp_path / "r.xlsx")["审核结果"]
    rows = {row[0].value: row[0].row for row in ws.iter_rows(min_row=10) if row[0].value in ("1", "2")}
    assert ws.row_dimensions[rows["1"]].height >= 15 * 3, "about 100 characters in a 40-wide column: three lines"
    assert ws.row_dimensions[rows["2"]].height is None, "a short problem keeps the ordinary height"


def test_the_marked_copy_of_a_sheet_reads_as_the_unit_typed_it(tmp_path):
    """The 回执's copy of the unit's sheet (written a column at a time) holds its head and each row
    with a mark, every cell as typed, dates as dates, at the rows of the unit's own sheet; the rows
    without a mark are left out and hidden, so a 300-row ledger with three marks reads as three rows.
    Merged ranges within the shown rows are kept, but not one holding a marked cell (the mark stays
    visible, with the range's value in it); a mark and a note sit on exactly the cells with a problem."""
    from pipeline.intake.cache import pack_grids
    from pipeline.problems import problem

    day = dt.datetime(2017, 6, 1)
    grid = [["开展专项治理“微腐败”检查台账", "", "", "", ""],
            ["填报单位：", "西安路街道", "", "填报时间：", dt.date(2017, 6, 15)],
            ["编号", "检查时间", "被检查单位", "整改时限", "说明"],
            ["自检1号", day, "金沙社区", day, None],
            ["自检2号", day, "西安路社区", 3.5, "合并说明"],
            ["自检3号", day, "", True, None],
            ["自检4号", "六月五日", "营门口社区", day, "另一合并"],
            ["自检5号", day, "金沙社区", day, None],
            ["自检6号", day, "金沙社区", day, None]]
    merged = [((0, 0), (0, 4)), ((4, 4), (5, 4)), ((6, 4), (7, 4))]
    rel = "2017-06-15/西安路街道.xlsx"
    problems = [problem("grassroots_unlisted", file=rel, sheet="检查台账", row=3, col=2, column="被检查单位", value="金沙社区"),
                problem("grassroots_unlisted", file=rel, sheet="检查台账", row=4, col=2, column="被检查单位", value="西安路社区"),
                problem("vocab", file=rel, sheet="检查台账", row=5, col=2, column="被检查单位"),
                problem("vocab", file=rel, sheet="检查台账", row=7, col=4, column="说明")]
    book = {"kind": "台账", "sheets": {"检查台账": {"name": "检查台账", "header_row": 2,
                                                   "columns": {"编号": 0, "检查时间": 1, "被检查单位": 2, "整改时限": 3, "说明": 4}}},
            "grids": pack_grids({"检查台账": {"rows": grid, "merged": merged}})}
    f = _file(result="已退回", errors=2, queries=2, problems=problems, book=book)
    write_feedback(tmp_path / "r.xlsx", f, "金牛区")

    wb = openpyxl.load_workbook(tmp_path / "r.xlsx")
    ws = wb["检查台账"]
    typed = [[{True: "是"}.get(v, v) if v not in ("", None) else None for v in row] for row in grid]
    typed[1][4] = dt.datetime(2017, 6, 15)
    typed[7][4] = "另一合并"  # E7:E8 is not merged again (E8 is marked, row 7 left out): its value shows in E8
    shown = [0, 1, 2, 3, 4, 5, 7]  # the head, then the rows with a mark; row 7 (自检4号) and 9 (自检6号) have none
    rows = [list(row) for row in ws.iter_rows(values_only=True)]
    assert [rows[r] for r in shown] == [typed[r] for r in shown]
    assert rows[6] == [None] * 5 and len(rows) == 8, "the unmarked rows are not copied"
    assert ws.sheet_format.zeroHeight, "and the rows not copied are hidden"
    assert ws["B4"].number_format == "yyyy-mm-dd" and ws["C4"].number_format == "General"
    assert sorted(str(r) for r in ws.merged_cells.ranges) == ["A1:E1", "E5:E6"], "E7:E8 holds a marked cell"
    fills = {c.coordinate: c.fill.fgColor.rgb[-6:] for row in ws.iter_rows() for c in row if c.fill.fill_type}
    assert {k: v for k, v in fills.items() if v in ("FFC7CE", "FFEB9C")} == \
        {"C4": "FFEB9C", "C5": "FFEB9C", "C6": "FFC7CE", "E8": "FFC7CE"}
    notes = {c.coordinate: c.comment.text for row in ws.iter_rows() for c in row if c.comment}
    assert sorted(notes) == ["C4", "C5", "C6", "E8"] and "不在本单位登记的基层单位名单中" in notes["C4"]
    said = [row[2] for row in wb["审核结果"].iter_rows(values_only=True) if row[0] == "说明"][0]
    assert "只列出表头和有标注的行，行号与原表相同" in said


def test_a_value_merged_down_over_rows_shows_in_each_marked_row_it_covers(tmp_path):
    """One 被检查单位 merged down over three problems' rows (C3:C5), the first without a mark: the
    copy leaves that row out, so the range is not merged again, and 金沙社区 shows in the marked rows
    it covered, as the unit sees it in its own sheet. So does a 说明 merged over two marked rows
    (E4:E5) with a mark in it, not merged again so that the mark shows."""
    from pipeline.intake.cache import pack_grids
    from pipeline.problems import problem

    day = dt.datetime(2017, 6, 1)
    grid = [["开展专项治理“微腐败”检查台账", "", "", "", ""],
            ["编号", "检查时间", "被检查单位", "整改时限", "说明"],
            ["自检1号", day, "金沙社区", day, None],
            ["自检2号", day, "", "三天", "合并说明"],
            ["自检3号", day, "", "五月", None],
            ["自检4号", day, "营门口社区", day, None]]
    rel = "2017-06-15/西安路街道.xlsx"
    problems = [problem("vocab", file=rel, sheet="检查台账", row=4, col=3, column="整改时限", value="五月"),
                problem("grassroots_unlisted", file=rel, sheet="检查台账", row=3, col=2, column="被检查单位", value="金沙社区"),
                problem("vocab", file=rel, sheet="检查台账", row=4, col=4, column="说明", value="合并说明")]
    book = {"kind": "台账", "sheets": {"检查台账": {"name": "检查台账", "header_row": 1,
                                                   "columns": {"编号": 0, "检查时间": 1, "被检查单位": 2, "整改时限": 3, "说明": 4}}},
            "grids": pack_grids({"检查台账": {"rows": grid, "merged": [((0, 0), (0, 4)), ((2, 2), (4, 2)), ((3, 4), (4, 4))]}})}
    write_feedback(tmp_path / "r.xlsx", _file(result="已退回", errors=2, queries=1, problems=problems, book=book), "金牛区")
    ws = openpyxl.load_workbook(tmp_path / "r.xlsx")["检查台账"]
    assert [ws["C4"].value, ws["C5"].value] == ["金沙社区", "金沙社区"] and ws["A3"].value is None
    assert [ws["E4"].value, ws["E5"].value] == ["合并说明", "合并说明"], "E4:E5 holds a marked cell: not merged, both show it"
    assert [str(r) for r in ws.merged_cells.ranges] == ["A1:E1"]
    assert ws["C4"].comment is not None and ws["C5"].comment is None


def test_a_merge_spread_into_the_copy_reaches_only_the_rows_shown_and_a_blank_stays_blank(tmp_path):
    """说明 merged over E5:E7 with a mark in E5: its value shows in E5 alone, rows 6 and 7 (no mark)
    stay out of the copy. C8:C9 merged from a row the unit left blank (read as an empty row) shows
    blank in the marked C9, not the text hidden under the merge in the unit's own sheet."""
    from pipeline.intake.cache import pack_grids
    from pipeline.intake.marked import kept, rows_to_copy
    from pipeline.problems import problem

    grid = [["开展专项治理“微腐败”检查台账"], ["编号", "检查时间", "被检查单位", "整改时限", "说明"],
            ["自检1号", "a", "b", "c", "d"], ["自检2号", "a", "b", "c", "d"],
            ["自检3号", "a", "b", "c", "合并说明"], ["自检4号", "a", "b", "c", ""], ["自检5号", "a", "b", "c", ""],
            [], ["自检7号", "a", "旧值（合并下看不见）", "c", "d"]]
    merged = [((4, 4), (6, 4)), ((7, 2), (8, 2))]
    rel = "2017-06-15/西安路街道.xlsx"
    problems = [problem("vocab", file=rel, sheet="检查台账", row=4, col=4, column="说明", value="合并说明"),
                problem("vocab", file=rel, sheet="检查台账", row=8, col=2, column="被检查单位")]
    book = {"kind": "台账", "sheets": {"检查台账": {"name": "检查台账", "header_row": 1,
                                                   "columns": {"编号": 0, "检查时间": 1, "被检查单位": 2, "整改时限": 3, "说明": 4}}}}
    f = _file(result="已退回", errors=2, problems=problems, book=book)
    sent = kept(grid, rows_to_copy(f)["检查台账"], merged)  # as the worker reading the file again sends it
    book["grids"] = pack_grids({"检查台账": {"rows": sent, "merged": merged}})
    write_feedback(tmp_path / "r.xlsx", f, "金牛区")
    ws = openpyxl.load_workbook(tmp_path / "r.xlsx")["检查台账"]
    rows = {r[0].row: [c.value for c in r] for r in ws.iter_rows() if any(c.value is not None for c in r)}
    assert sorted(rows) == [1, 2, 5, 9] and rows[5][4] == "合并说明"
    assert rows[9][:3] == ["自检7号", "a", None]
    assert not ws.merged_cells.ranges


def test_a_marked_sheet_whose_header_was_not_found_is_copied_whole(tmp_path):
    """A form (月报表 as label and value) or a sheet not in the template has no table head to keep
    above the marked rows: its copy holds every row, none hidden, and the 回执 says nothing of rows."""
    from pipeline.intake.cache import pack_grids
    from pipeline.problems import problem

    grid = [["月报表", None], ["填报单位", "西安路街道"], ["本月检查次数", "三次"], ["本月发现问题数", 4]]
    rel = "2017-06-15/西安路街道.xlsx"
    book = {"kind": "台账", "sheets": {"月报表": {"name": "月报表", "header_row": None, "columns": {}}},
            "grids": pack_grids({"月报表": {"rows": grid, "merged": []}})}
    f = _file(result="已退回", errors=1, book=book,
              problems=[problem("vocab", file=rel, sheet="月报表", row=2, col=1, column="本月检查次数", value="三次")])
    write_feedback(tmp_path / "r.xlsx", f, "金牛区")
    wb = openpyxl.load_workbook(tmp_path / "r.xlsx")
    assert [list(row) for row in wb["月报表"].iter_rows(values_only=True)] == grid
    assert not wb["月报表"].sheet_format.zeroHeight
    said = [row[2] for row in wb["审核结果"].iter_rows(values_only=True) if row[0] == "说明"][0]
    assert "有标注的行" not in said


def _random_marked_file(seed: int):
    """A unit's sheet as a hostile or careless unit may send it: ragged rows, every type of cell
    python-calamine yields, texts XML must escape or xlsxwriter cuts short, merged ranges, marks."""
    import math
    import random

    from pipeline.intake.cache import pack_grids
    from pipeline.problems import problem

    rng = random.Random(seed)
    texts = ["金沙社区", " 前后空格 ", "换行\n文字", "a&b<c>", "_x0041_", "控制\x01字符", "\ud800孤", "=SUM(A1)", "是", "-5"]
    if seed % 7 == 0:
        texts.append("𠀀" * 17000)  # 34,000 UTF-16 units: xlsxwriter cuts it short

    def value():
        return rng.choice([rng.choice(texts), f"文字{rng.randint(0, 9)}", "", None, None, 2.5, -3, 1e20, True, False,
                           math.nan if seed % 5 == 0 else 0.0, dt.datetime(2017, 6, rng.randint(1, 28)),
                           dt.date(2017, 5, rng.randint(1, 28)), dt.time(8, 30)])

    rows, cols = rng.randint(1, 30), rng.randint(1, 10)
    grid = [[value() for _ in range(rng.randint(0, cols))] for _ in range(rows)]
    merged = [((r, c), (min(rows - 1, r + rng.randint(0, 2)), min(cols - 1, c + rng.randint(0, 2))))
              for r, c in ((rng.randrange(rows), rng.randrange(cols)) for _ in range(rng.randint(0, 4)))]
    rel = "2017-06-15/西安路街道.xlsx"
    problems = [problem(rng.choice(["vocab", "grassroots_unlisted"]), file=rel, sheet="检查台账", row=rng.randrange(rows + 1),
                        col=rng.randrange(cols + 1), column="被检查单位") for _ in range(rng.randint(1, 20))]
    book = {"kind": "台账", "sheets": {"检查台账": {"name": "检查台账", "header_row": rng.choice([None, 0, 2]), "columns": {"编号": 0}}},
            "grids": pack_grids({"检查台账": {"rows": grid, "merged": merged}})}
    return _file(result="已退回", errors=1, queries=1, problems=problems, book=book)


def test_the_marked_copy_written_a_column_at_a_time_is_the_one_written_cell_by_cell(tmp_path, monkeypatch):
    """Byte for byte, over random sheets: the texts numbered in the order cell-by-cell writing meets
    them, merged ranges and cut-short texts included."""
    from pipeline.intake import feedback

    def by_cell(ws, grid, worst, marked_formats, header_row, head_fmt, plain, date_fmt, merges):
        feedback._write_grid_cell_by_cell(ws, grid, worst, marked_formats, header_row, head_fmt, plain, date_fmt)

    for seed in range(80):
        f = _random_marked_file(seed)
        write_feedback(tmp_path / "columns.xlsx", f, "金牛区")
        with monkeypatch.context() as patched:
            patched.setattr(feedback, "_put_grid", by_cell)
            write_feedback(tmp_path / "cells.xlsx", f, "金牛区")
        assert (tmp_path / "columns.xlsx").read_bytes() == (tmp_path / "cells.xlsx").read_bytes(), f"seed {seed}"
