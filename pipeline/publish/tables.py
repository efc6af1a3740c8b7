"""CSV files under data/: UTF-8 with BOM, dates as text, text that cannot turn into a formula."""
from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from ..safetext import CONTROL_CHARACTERS, FORMULA_START, csv_text

# one regular expression per column instead of a Python test per value (a city month has millions)
_RISKY = "|".join([f"^[{re.escape(''.join(sorted(FORMULA_START)))}]", CONTROL_CHARACTERS, r"[\ud800-\udfff]"])


def write_csv(frame: pd.DataFrame, path: Path) -> None:
    """UTF-8 with BOM so Excel opens Chinese correctly; \\n line ends for byte-stable reruns.

    Text typed by units that starts like a formula is prefixed with ' so Excel shows it as text.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    safe = frame.copy()
    for col in safe.columns:
        column = safe[col]
        if column.dtype == object or pd.api.types.is_string_dtype(column):
            risky = column.astype(str).str.contains(_RISKY, regex=True)
            if risky.any():
                risky &= column.map(type).eq(str)  # a number such as -5 is written as a number
                safe[col] = column.mask(risky, column[risky].map(csv_text))
    safe.to_csv(path, index=False, encoding="utf-8-sig", lineterminator="\n")


def dates_as_text(frame: pd.DataFrame) -> pd.DataFrame:
    """Dates as YYYY-MM-DD text, so the files read the same in Excel and are byte-stable."""
    out = frame.copy()
    for col in out.columns:
        if pd.api.types.is_datetime64_any_dtype(out[col]):
            out[col] = out[col].dt.strftime("%Y-%m-%d").fillna("")
    return out
