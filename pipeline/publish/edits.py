"""The bulletin names units that pushed back deadlines after they had passed."""
from __future__ import annotations

import pandas as pd

from ..config import Config


def moved_deadline_units(edits: pd.DataFrame, config: Config) -> list[tuple[str, int]]:
    """(unit, how many deadlines) in registry order, from the per-unit edit rollup."""
    if edits is None or edits.empty or "整改时限逾期后推迟" not in edits:
        return []
    counts = dict(zip(edits["单位"], edits["整改时限逾期后推迟"]))
    return [(u.name, int(counts[u.name])) for u in config.units if counts.get(u.name, 0) > 0]


def add_moved_deadlines(context: dict, edits: pd.DataFrame, config: Config) -> dict:
    """A sentence in the bulletin's 月报 section: who moved which many deadlines after they passed."""
    units = moved_deadline_units(edits, config)
    if not units:
        return context
    names = "、".join(f"{u}（{n}条）" for u, n in units)
    line = (f"以下单位在整改时限已过后推迟了整改时限：{names}。逾期仍按最初填报的整改时限计算；"
            "确需调整的，请在台账“说明”列写明原因和批准情况。")
    return {**context, "reports": [*context.get("reports", []), line]}
