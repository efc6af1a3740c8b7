"""Which accepted workbook of a unit is in force: the order in which workbooks take effect."""
from __future__ import annotations

import pandas as pd


def order_files(files: pd.DataFrame) -> pd.DataFrame:
    """Accepted files in the order they take effect: received, then 填报时间, then file name."""
    return files.sort_values(["received", "filled_on", "name", "file"], na_position="first")
