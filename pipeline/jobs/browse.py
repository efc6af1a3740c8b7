"""Serve OUTBOX/history.sqlite with Datasette, read-only on 127.0.0.1, with Chinese titles, facets and queries."""
from __future__ import annotations

import json
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

from ..publish.history import FTS_TABLE, TEXT_ID, TEXTS_TABLE
from ..publish.history_runs import HISTORY_FILE, PERIOD

PLUGINS = Path(__file__).parent / "datasette_plugins"  # the search box's query for the pairs index
HOST = "127.0.0.1"  # never a public interface: the history names units, people in charge and problems
FACETS = (PERIOD, "单位", "状态", "预警", "治理类别")
OPEN = "('未建整改台账', '整改中')"

TABLES = {
    "items": ("问题台账（逐月）", "每个问题一行（同 data/items.csv），按期间保存；含整改台账的存在问题、整改措施。"
              "搜索框可查任意词，如“低保”。"),
    "units": ("单位情况（逐月）", "每个登记单位一行（同 data/units.csv）：发现问题、销号、逾期、整改率、月报报送等。"),
    "district": ("全区合计（逐月）", "全区及街道、部门、专项治理小组合计（同 data/district.csv）。"),
    "ranking": ("排名（逐月）", "街道、部门分别排名：得分、表扬/点名批评及理由（同 data/ranking.csv）。"),
    "manifest": ("收到的文件（逐月）", "收件箱里每个文件一行：收到日期、单位、结果、错误数、疑问数（同 data/manifest.csv）。"),
    "commitments": ("承诺（逐月）", "承诺书及其状态：有效、存疑、缺承诺（同 data/commitments.csv）。"),
    "clues": ("信访举报线索（逐月）", "线索办理情况（同 data/clues.csv），不含举报人及联系方式。"),
    "recurrence": ("反复发生、易发多发（逐月）", "需一案双查的基层单位（同 data/recurrence.csv）。"),
    "milestones": ("阶段材料报送（逐月）", "实施方案、阶段小结、整改方案、季度报告的报送情况（同 data/milestones.csv）。"),
    "plan_status": ("检查计划执行（逐月）", "随机抽查、交叉检查计划是否已执行（同 data/plan_status.csv）。"),
    "survey": ("社会评价（逐月）", "问卷满意率及95%区间（同 data/survey.csv）。"),
    "changes": ("台账修改记录（逐月）", "重报台账与上一份相比的新增、删除、修改（同 data/changes.csv）。"),
}

QUERIES = {
    "一个基层单位的全部问题": {
        "title": "一个基层单位的全部问题",
        "description": "输入基层单位名称（可只写一部分，如“幸福社区”）；期间留空为最近一个月。",
        "sql": """select 期间, 单位, 检查单位, 编号, 被检查单位, 检查时间, 检查方式, 治理类别, 问题性质, 发现的问题,
  存在问题, 整改措施, 整改时限, 状态, 逾期, 预警, 来源文件, 来源行
from items
where 被检查单位 like '%' || :基层单位 || '%'
  and 期间 = coalesce(nullif(:期间, ''), (select max(期间) from items))
order by 单位, 检查时间, 编号""",
    },
    "某类别仍未销号的问题": {
        "title": "某类别仍未销号的问题",
        "description": "输入治理类别（可只写一部分，如“惠民”）；期间留空为最近一个月。逾期最久的在前。",
        "sql": f"""select 期间, 单位, 检查单位, 编号, 被检查单位, 治理类别, 发现的问题, 整改时限, 状态, 逾期, 逾期天数, 预警
from items
where 状态 in {OPEN}
  and 治理类别 like '%' || :治理类别 || '%'
  and 期间 = coalesce(nullif(:期间, ''), (select max(期间) from items))
order by coalesce(逾期天数, 0) desc, 单位, 编号""",
    },
    "各单位整改率逐月变化": {
        "title": "各单位整改率逐月变化",
        "description": "每个单位每月一行：发现问题数、已销号数、整改率及较上月变化。单位留空为全部单位。",
        "sql": """select 单位, 单位类型, 期间, 发现问题数, 已销号数, 整改率,
  round(整改率 - lag(整改率) over (partition by 单位 order by 期间), 4) as 较上月变化
from units
where 单位 like '%' || :单位 || '%'
order by 单位类型, 单位, 期间""",
    },
}


def metadata(db_path: Path) -> dict:
    """Chinese titles for the tables the history holds, and facets only on columns they have."""
    con = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        names = [r[0] for r in con.execute("select name from sqlite_master where type = 'table' order by name")]
        tables = {}
        for name in names:
            columns = [r[1] for r in con.execute(f"pragma table_info([{name}])")]
            if PERIOD not in columns:
                continue
            title, description = TABLES.get(name, (name, f"data/{name}.csv 的逐月数据。"))
            entry = {"title": title, "description": description,
                     "facets": [c for c in FACETS if c in columns], "sort_desc": PERIOD}
            if name == "items":  # the index holds each distinct text once: items find theirs by 文本号
                entry.update(fts_table=FTS_TABLE, fts_pk=TEXT_ID)
            tables[name] = entry
        if TEXTS_TABLE in names:  # the search's own table of distinct texts: staff search items instead
            tables[TEXTS_TABLE] = {"hidden": True}
    finally:
        con.close()
    return {
        "title": "专项治理“微腐败”工作历史数据",
        "description": "每次月度处理（make monthly）写入的逐月数据，只读。点表名浏览，可按列筛选、在搜索框查词，"
                       "点“CSV”可导出。",
        "databases": {Path(db_path).stem: {
            "title": "逐月历史数据库",
            "description": "每张表的“期间”列是月份（YYYY-MM）；重跑某月会替换该月的数据。",
            "tables": tables,
            "queries": QUERIES,
        }},
    }


def port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        try:
            s.bind((HOST, port))
        except OSError:
            return False
    return True


def datasette_command(db_path: Path, meta_path: Path, port: int) -> list[str]:
    return [sys.executable, "-m", "datasette", "serve", "-i", str(db_path), "--host", HOST, "--port", str(port),
            "--metadata", str(meta_path), "--setting", "default_facet_size", "20",
            "--setting", "suggest_facets", "off", "--plugins-dir", str(PLUGINS)]


def run_browse(outbox: Path, port: int, out=None, err=None) -> int:
    """Serve until Ctrl-C; 2 with one Chinese line when there is nothing to serve or the port is taken."""
    out, err = out or sys.stdout, err or sys.stderr
    db_path = Path(outbox) / HISTORY_FILE
    if not db_path.is_file():
        err.write(f"还没有历史数据库 {db_path}：请先运行月度处理（make monthly PERIOD=YYYY-MM OUTBOX={outbox}），"
                  "每次运行都会写入。\n")
        return 2
    if not port_free(port):
        err.write(f"端口 {port} 已被占用，请换一个端口，如 make browse PORT={port + 1}。\n")
        return 2
    with tempfile.TemporaryDirectory(prefix="browse-") as tmp:
        meta_path = Path(tmp) / "metadata.json"
        meta_path.write_text(json.dumps(metadata(db_path), ensure_ascii=False, indent=2), encoding="utf-8")
        out.write(f"历史数据库：{db_path}\n请在浏览器中打开 http://{HOST}:{port}/ （仅本机可访问；按 Ctrl-C 停止）\n")
        out.flush()
        # Ctrl-C (even when started from a script that ignores it) and a plain kill both stop the server too
        previous = {sig: signal.signal(sig, _interrupt) for sig in (signal.SIGINT, signal.SIGTERM)}
        proc = subprocess.Popen(datasette_command(db_path, meta_path, port))
        try:
            return 0 if proc.wait() in (0, -signal.SIGINT) else 2
        except KeyboardInterrupt:
            _stop(proc)
            out.write("已停止浏览。\n")
            return 0
        finally:
            _stop(proc)
            for sig, handler in previous.items():
                signal.signal(sig, handler)


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _interrupt(signum, frame):
    raise KeyboardInterrupt
