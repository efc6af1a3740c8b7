"""Shared helpers: the district's config, and workbooks built the way units fill them."""
from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pandas as pd
import pytest

from pipeline import ROOT
from pipeline.config import load_config
from pipeline.jobs.monthly import run_monthly
from pipeline.intake.templates import write_template

D = dt.date


@pytest.fixture(scope="session")
def config():
    return load_config(ROOT / "config")


def inspection(no, unit_inspected, *, on=D(2017, 6, 5), method="自查自纠", category="作风和不作为",
               nature="一般问题", problem="窗口工作人员态度生硬", deadline=D(2017, 7, 31), inspectors="李建国",
               responsible="王晓梅", note=None, **extra) -> dict:
    row = {"编号": no, "检查时间": on, "被检查单位": unit_inspected, "检查方式": method, "治理类别": category,
           "问题性质": nature, "发现的问题": problem, "整改建议": "加强教育", "整改时限": deadline,
           "整改责任人": responsible, "检查人员": inspectors, "说明": note}
    row.update(extra)
    return row


def rectification(no, *, status="已完成", done=D(2017, 6, 10), by=None, unit_with_problem="", problem="窗口工作人员态度生硬",
                  responsible="王晓梅（社区主任）", note=None, **extra) -> dict:
    row = {"编号": no, "检查单位": by, "问题单位": unit_with_problem, "存在问题": problem, "整改措施": "批评教育",
           "整改责任人及责任": responsible, "完成情况": status, "完成时间": done, "说明": note}
    row.update(extra)
    return row


def report(period="2017-06", inspected=1, found=1, rectified=1, mechanisms=0, **extra) -> dict:
    row = {"报表月份": period, "受检基层单位数": inspected, "检查工作情况": "召开周例会", "发现问题数": found,
           "发现问题情况": "作风问题", "整改完成数": rectified, "整改情况": "按期整改", "制度机制建设数": mechanisms,
           "制度机制建设情况": "建立首问负责制"}
    row.update(extra)
    return row


def unit_workbook(path: Path, config, unit_name: str, inspections=(), rectifications=(), reports=(),
                  filled_on: dt.date | None = None) -> Path:
    """The unit's own template, filled in as the unit would."""
    unit = config.unit_by_name()[unit_name]
    path.parent.mkdir(parents=True, exist_ok=True)
    write_template(path, unit, config, {"检查台账": list(inspections), "整改台账": list(rectifications),
                                        "月报表": list(reports)}, filled_on)
    return path


def run(config, inbox: Path, out: Path, period="2017-06", as_of=D(2017, 6, 30)):
    log = io.StringIO()
    result = run_monthly(config, period, inbox, out, as_of, workers=1, log=log)
    result.log = log.getvalue()
    return result


def manifest_row(result, file: str) -> dict:
    rows = result.manifest[result.manifest["文件"] == file]
    assert len(rows) == 1, f"{file} should appear exactly once in the manifest"
    return rows.iloc[0].to_dict()


def problems_of(result, file: str) -> pd.DataFrame:
    f = result.intake.by_rel()[file]
    return pd.DataFrame(f.problems)


def feedback_rows(result, file: str) -> list[tuple]:
    """The problem table of a file's 回执, as a clerk reads it."""
    import openpyxl

    rel = manifest_row(result, file)["回执"]
    wb = openpyxl.load_workbook(result.out / rel)
    ws = wb["审核结果"]
    rows = list(ws.iter_rows(values_only=True))
    start = next(i for i, r in enumerate(rows) if r and r[0] == "序号")
    return [r for r in rows[start + 1:] if r and r[0]]


def table_of(rows: list[dict]) -> dict[str, list]:
    """Rows (dicts) as a sheet's table, the columnar form intake builds frames from; a missing key is None."""
    keys = list(dict.fromkeys(key for row in rows for key in row))
    return {key: [row.get(key) for row in rows] for key in keys}
