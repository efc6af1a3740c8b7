"""The catalogue of problems found in submissions: stable codes, severity and Chinese wording.

A problem is a row (file, sheet, cell, column, value, code, severity, message, hint); the
manifest, the feedback workbook and the rollup all read that one table.
"""
from __future__ import annotations

from dataclasses import dataclass

ERROR = "错误"
QUERY = "疑问"


@dataclass(frozen=True)
class Kind:
    severity: str
    message: str
    hint: str
    column: str | None = None


CATALOGUE: dict[str, Kind] = {
    # whole files
    "empty_file": Kind(ERROR, "文件是空的（0字节）", "请重新保存台账后再发送附件。"),
    "not_spreadsheet": Kind(ERROR, "文件不是Excel工作簿（可能是网页或文本另存成了表格扩展名）",
                            "请在Excel或WPS中打开台账，选择“另存为”→“Excel工作簿(.xlsx)”后重新发送。"),
    "truncated": Kind(ERROR, "文件不完整，可能在下载或复制时中断", "请重新保存台账并重新发送附件。"),
    "encrypted": Kind(ERROR, "文件设置了打开密码，无法读取", "请取消文件密码（文件→信息→保护工作簿）后重新发送。"),
    "too_large": Kind(ERROR, "文件过大或解压后体积异常，已停止读取", "请删除无关工作表和图片，另存为 .xlsx 后重新发送。"),
    "changed_while_read": Kind(ERROR, "文件在处理过程中被改动或移走（可能正在保存）",
                               "下次运行月度处理时会重新读取本文件，请以届时的回执为准。"),
    "unreadable": Kind(ERROR, "文件已损坏或过大，无法读取", "请在Excel或WPS中打开并另存为 .xlsx 后重新发送。"),
    "save_as_xlsx": Kind(ERROR, "该文件格式无法读取", "请另存为 .xlsx 格式后重新发送。"),
    "no_ledger_sheets": Kind(ERROR, "文件中没有找到“检查台账”“整改台账”“月报表”任何一张表",
                             "请使用区纪委下发的台账模板填写，不要修改工作表名称和表头。"),
    "unit_unknown": Kind(ERROR, "无法识别填报单位", "请在表头“填报单位”处填写本单位全称，或使用区纪委下发的本单位模板。"),
    "unit_conflict": Kind(ERROR, "填报单位前后矛盾", "请确认使用的是本单位的模板，并核对“填报单位”与文件名。"),
    "unit_unregistered": Kind(ERROR, "填报单位不在全区单位名单中", "请填写本单位全称（如“沙河源街道”），或联系区纪委办公室登记。"),
    "unit_name_unusual": Kind(QUERY, "“填报单位”的写法不在全区单位名单中，已按模板或文件名识别", "请填写本单位全称（如“沙河源街道”）。"),
    # headers
    "missing_column": Kind(ERROR, "表头缺少必填列", "请恢复模板中的该列（列名须与模板一致），不要删除或改名。"),
    "unknown_column": Kind(QUERY, "表头中有模板以外的列，系统不会读取该列", "如需补充说明，请写在“说明”列；否则可删除该列。"),
    "header_not_found": Kind(ERROR, "没有找到表头行", "请保留模板中的表头行（编号、检查时间……），不要删除或改名。"),
    "missing_sheet": Kind(QUERY, "工作簿中缺少该表", "请使用完整模板，检查台账、整改台账、月报表三张表都要保留。"),
    # cells
    "required": Kind(ERROR, "必填项为空", "请补填该单元格。"),
    "vocab": Kind(ERROR, "不在可选范围内", "请从下拉列表中选择。"),
    "bad_date": Kind(ERROR, "日期无法识别或不存在", "请填写真实日期，如 2017-06-30。"),
    "bad_number": Kind(ERROR, "不是数字", "请填写非负整数，如 5。"),
    "bad_month": Kind(ERROR, "报表月份无法识别", "请填写如 2017-06 或 2017年6月。"),
    "negative": Kind(ERROR, "数量不能为负数", "请填写非负整数。"),
    "not_whole_number": Kind(ERROR, "数量应为整数", "请填写整数，不要带小数。"),
    "count_too_large": Kind(ERROR, "数量过大，超过一百万", "请核对后填写实际数量（整数）。"),
    "problem_needs_category": Kind(ERROR, "发现问题时必须填写治理类别", "请从下拉列表选择治理类别；未发现问题时问题性质填“无问题”。", "治理类别"),
    "problem_needs_description": Kind(ERROR, "发现问题时必须写明发现的问题", "请见人见事写清问题；未发现问题时问题性质填“无问题”。", "发现的问题"),
    "problem_needs_deadline": Kind(ERROR, "发现问题时必须填写整改时限", "请填写整改完成的最后日期，如 2017-07-31。", "整改时限"),
    "deadline_before_inspection": Kind(ERROR, "整改时限早于检查时间", "请核对日期：整改时限应在检查时间之后。", "整改时限"),
    "duplicate_number": Kind(ERROR, "编号重复：同一台账中已有相同编号", "编号不得重复使用，请改用新编号。", "编号"),
    "done_without_date": Kind(ERROR, "完成情况为“已完成”但没有完成时间", "请填写整改完成的日期。", "完成时间"),
    "completed_after_received": Kind(ERROR, "完成时间晚于文件收到日期，不可能已完成", "请核对完成时间；尚未完成的请将完成情况改为“整改中”。", "完成时间"),
    "duplicate_period": Kind(ERROR, "同一月份填了多行", "每个月只保留一行，请删除重复行。", "报表月份"),
    "inspecting_unit_unregistered": Kind(ERROR, "检查单位不是全区登记的单位", "请填写检查单位全称（如“专项治理第一小组”）；本单位自查的问题留空。"),
    "survey_unit_unknown": Kind(ERROR, "被评价单位不是全区登记的街道、部门或其基层单位",
                                "请核对名称（可填街道、部门全称或其社区、科室、站所、服务窗口名称），修改后重新导出发送。"),
    "survey_answer_off_scale": Kind(QUERY, "答案不在满意度量表内，未计入满意率",
                                    "答案应为 满意、基本满意、不满意 或 1–5 分；请核实该答卷。"),
    "survey_duplicate_row": Kind(QUERY, "与本表前面一行完全相同（连答卷编号或提交时间也相同），是同一份答卷重复导出，只计一次",
                                 "无需处理；如确是两份不同的答卷，请核对导出文件。"),
    # resubmissions: moving the goalposts (the earlier accepted workbook said otherwise)
    "deadline_moved_after_due": Kind(QUERY, "整改时限在原时限已过后被推迟", "逾期仍按原整改时限计算；确需调整的，请在该行“说明”列写明原因和批准情况。", "整改时限"),
    "inspection_date_changed": Kind(QUERY, "检查时间与上次报送的台账不一致", "检查时间一经报送不应更改；确属填错的，请在该行“说明”列写明原因。", "检查时间"),
    "completion_date_changed": Kind(QUERY, "已销号问题的完成时间被修改", "已销号问题的完成时间不应更改；确属填错的，请在该行“说明”列写明原因。", "完成时间"),
    "grassroots_unlisted": Kind(QUERY, "被检查单位不在本单位登记的基层单位名单中", "请核对名称；确属本单位基层单位的，请在“说明”列注明。"),
    # 承诺书 (commitments) and the 信访举报 register
    "commitment_after_received": Kind(ERROR, "承诺日期晚于文件收到日期", "请核对承诺书签字日期，如 2017-06-28。", "承诺日期"),
    "commitment_unit_not_own": Kind(ERROR, "承诺单位不是本单位，也不是本单位登记的基层单位",
                                    "请从下拉列表选择本单位或所属社区、科室、站(所)、服务窗口的全称。", "承诺单位"),
    "clue_closed_before_accepted": Kind(ERROR, "办结日期早于受理日期", "请核对办结日期和受理日期。", "办结日期"),
    "clue_due_before_accepted": Kind(ERROR, "办理时限早于受理日期", "请核对办理时限。", "办理时限"),
    "clue_accepted_after_received": Kind(ERROR, "受理日期晚于登记表收到日期", "请核对受理日期。", "受理日期"),
    "clue_closed_without_date": Kind(ERROR, "办理状态为“已办结”但没有办结日期", "请填写办结日期；尚未办结的请改为“在办”。", "办结日期"),
    "clue_closed_without_verdict": Kind(QUERY, "线索已办结但没有核实结果", "请填写核实结果（属实、部分属实、不属实），或在“说明”列注明原因。", "核实结果"),
    "clue_verified_without_action": Kind(QUERY, "核实结果为属实或部分属实，但没有填写处理方式",
                                         "请按“四种形态”填写处理方式，或在“说明”列注明尚在研究处理。", "处理方式"),
    "duplicate_clue_number": Kind(ERROR, "线索编号重复：登记表中已有相同编号", "线索编号不得重复使用，请改用新编号。", "线索编号"),
    "clue_handler_unregistered": Kind(ERROR, "承办单位不是全区登记的单位", "请填写承办单位全称（如“专项治理第二小组”“西安路街道”）。", "承办单位"),
    "clue_unit_unknown": Kind(QUERY, "被反映单位不在全区单位和基层单位名单中", "请核对名称；名单外的单位请在“说明”列注明其所属街道或部门。", "被反映单位"),
}


def problem(code: str, *, file: str, sheet: str = "", row: int | None = None, col: int | None = None,
            column: str = "", value="", detail: str = "") -> dict:
    """One located problem; row and col are 0-based grid positions, shown as an A1 cell."""
    from .textnorm import cell_name, clean_text

    kind = CATALOGUE[code]
    cell = cell_name(row, col) if row is not None and col is not None else ""
    message = kind.message + (f"：{detail}" if detail else "")
    return {
        "file": file, "sheet": sheet, "cell": cell, "column": column or (kind.column or ""),
        "value": clean_text(value)[:200], "code": code, "severity": kind.severity,
        "message": message, "hint": kind.hint, "row": row, "col": col,
    }


def describe(p: dict) -> str:
    """One line staff can paste: where, what, and how to fix it."""
    where = f"{p['sheet']}!{p['cell']}" if p["sheet"] and p["cell"] else p["sheet"]
    label = f"「{p['column']}」" if p["column"] else ""
    value = f"（填写内容：{p['value']}）" if p["value"] else ""
    head = f"{where}{label}：" if where or label else ""
    return f"{head}{p['message']}{value}。{p['hint']}"
