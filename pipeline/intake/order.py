"""Which accepted workbook of a unit is in force: the order in which workbooks take effect."""
from __future__ import annotations

import pandas as pd


def order_files(files: pd.DataFrame) -> pd.DataFrame:
    """Accepted files in the order they take effect: received, then 填报时间, then file name."""
    return files.sort_values(["received", "filled_on", "name", "file"], na_position="first")


def in_force_rows(frame: pd.DataFrame, files: pd.DataFrame) -> pd.DataFrame:
    """The rows of a sheet frame that come from each owner's workbook in force (its latest accepted one)."""
    latest = order_files(files).groupby("unit", sort=False)["file"].last()
    return frame[frame["_file"].isin(set(latest.values))].reset_index(drop=True)
