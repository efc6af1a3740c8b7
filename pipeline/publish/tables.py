"""CSV files under data/: UTF-8 with BOM, dates as text, text that cannot turn into a formula."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..safetext import csv_text as _safe_text, needs_cleaning


def write_csv(frame: pd.DataFrame, path: Path) -> None:
    """UTF-8 with BOM so Excel opens Chinese correctly; \\n line ends for byte-stable reruns.

    Text typed by units that starts like a formula is prefixed with ' so Excel shows it as text.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    safe = frame.copy()
    for col in safe.columns:
        if safe[col].dtype == object or pd.api.types.is_string_dtype(safe[col]):
            values = safe[col].tolist()
            if any(isinstance(v, str) and needs_cleaning(v) for v in values):
                safe[col] = [_safe_text(v) if isinstance(v, str) else v for v in values]
    safe.to_csv(path, index=False, encoding="utf-8-sig", lineterminator="\n")


def dates_as_text(frame: pd.DataFrame) -> pd.DataFrame:
    """Dates as YYYY-MM-DD text, so the files read the same in Excel and are byte-stable."""
    out = frame.copy()
    for col in out.columns:
        if pd.api.types.is_datetime64_any_dtype(out[col]):
            out[col] = out[col].dt.strftime("%Y-%m-%d").fillna("")
    return out
