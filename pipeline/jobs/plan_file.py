"""Where `make plan` keeps a period's inspection plan, which the monthly job follows up."""
from __future__ import annotations

from pathlib import Path

PLAN_FILE = "检查计划.csv"


def plan_path(outbox: Path, period: str) -> Path:
    return Path(outbox) / "plans" / period / PLAN_FILE
