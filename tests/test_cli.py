"""The command line as staff meet it: help, one-line Chinese failures, documented make targets."""
import re
import shutil
import subprocess
import sys

import pytest

from pipeline import ROOT
from pipeline.cli import build_parser, main


def cli(*args, cwd=ROOT):
    return subprocess.run([sys.executable, "-m", "pipeline", *args], capture_output=True, text=True, cwd=cwd, timeout=300)


COMMANDS = build_parser()._subparsers._group_actions[0].choices


def test_the_documented_commands_all_exist():
    assert {"templates", "monthly", "demo", "plan", "summary", "browse"} <= set(COMMANDS)


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_every_command_has_help_with_an_example(command):
    assert "例：" in COMMANDS[command].description


def test_a_bad_period_is_one_chinese_line():
    done = cli("monthly", "--period", "2017-13")
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "格式不对" in done.stderr


def test_a_broken_config_names_the_file_and_row(tmp_path):
    config = tmp_path / "config"
    shutil.copytree(ROOT / "config", config)
    with open(config / "units.csv", "a", encoding="utf-8") as fh:
        fh.write("JD99,新街道,乡镇,\n")
    done = cli("monthly", "--period", "2017-06", "--inbox", str(tmp_path), "--outbox", str(tmp_path / "out"),
               "--config", str(config))
    assert done.returncode == 2
    assert done.stderr.strip().count("\n") == 0
    assert "units.csv" in done.stderr and "第52行" in done.stderr and "乡镇" in done.stderr


def test_rejections_are_a_normal_outcome_with_exit_status_zero(tmp_path):
    (tmp_path / "inbox").mkdir()
    (tmp_path / "inbox" / "坏文件.xlsx").write_bytes(b"")
    assert main(["monthly", "--period", "2017-06", "--inbox", str(tmp_path / "inbox"),
                 "--outbox", str(tmp_path / "out"), "--as-of", "2017-06-30", "--workers", "1"]) == 0
    assert (tmp_path / "out" / "2017-06" / "data" / "manifest.csv").exists()


def test_every_make_target_is_documented():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    targets = set(re.findall(r"^([a-z]+):", makefile, re.M))
    documented = set(re.findall(r"^## ([a-z]+):", makefile, re.M))
    assert {"demo", "test", "templates", "monthly", "bench", "plan", "summary", "phase", "quarterly", "weekly",
            "browse"} <= targets
    assert targets - {"help"} <= documented


def test_an_unwritable_outbox_is_one_chinese_line(tmp_path):
    (tmp_path / "inbox").mkdir()
    blocker = tmp_path / "outbox"
    blocker.write_text("这是一个文件，不是目录", encoding="utf-8")
    done = cli("monthly", "--period", "2017-06", "--inbox", str(tmp_path / "inbox"), "--outbox", str(blocker))
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "无法读写文件" in done.stderr
