"""Per-value rules computed once per distinct value: typed text repeats (units, places, notes)."""
from __future__ import annotations

import numpy as np
import pandas as pd


def map_each(values: pd.Series, fn) -> pd.Series:
    """`values.map(fn)` computed once per distinct value.

    Values are told apart as dict keys, where 1, 1.0 and True are one: use it where `fn` treats them
    alike (text columns, or a rule that ignores what is not text)."""
    listed = values.tolist()  # one list for both passes: a NaN is found again by identity
    table = {v: fn(v) for v in set(listed)}
    return pd.Series(list(map(table.__getitem__, listed)), index=values.index, dtype=object)


def per_value(values: pd.Series, text, blank=None) -> np.ndarray:
    """text(value) for each of `values`, made once per distinct value; `blank` where a value is missing.
    The values are numbered (pd.factorize), not keyed as map_each keys them: for numbers and dates,
    whose blanks `text` need not know (a province's 1.6 million 催办 rows have a few hundred)."""
    codes, distinct = pd.factorize(values)
    made = np.array([text(v) for v in distinct] + [blank], dtype=object)
    return made[codes]  # a missing value's code, -1, takes the last


def group_ids(frame: pd.DataFrame, keys: list[str]) -> np.ndarray:
    """One number per row for its values of `keys`, the same for rows with the same values (a blank is a
    value of its own, as groupby(dropna=False) and drop_duplicates have it), counted from 0 in the order
    the values first appear: fewer than the rows, so a caller may combine it with another number. Each
    column is numbered once, where grouping or dropping duplicates by the columns themselves numbers
    their text each time."""
    ids, size = np.zeros(len(frame), dtype=np.int64), 1
    for key in keys:
        codes, uniques = _factorized(frame[key])
        if size * len(uniques) >= 1 << 62:  # renumbered only where the combined number would overflow
            ids, seen = pd.factorize(ids)
            size = len(seen)
        ids, size = ids * max(len(uniques), 1) + codes, size * max(len(uniques), 1)
    return pd.factorize(ids)[0].astype(np.int64, copy=False)


def _factorized(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """pd.factorize(values, use_na_sentinel=False), a column of texts told apart as Python objects: pandas
    hashes a column holding nothing but text by its UTF-8, which Python then keeps with every string
    (a city's distinct problem texts: 100 MiB more in the process that numbers them)."""
    if not (values.dtype == object or pd.api.types.is_string_dtype(values)):
        return pd.factorize(values, use_na_sentinel=False)
    codes, uniques = pd.factorize(np.append(values.to_numpy(dtype=object), None), use_na_sentinel=False)
    return codes[:-1], uniques


class RowsOf:
    """The positions of the rows holding each value, found in one grouping: a filter per value
    (`frame[frame[col] == value]` in a loop over a city's units or places) costs values × rows."""

    _NONE = np.empty(0, dtype=np.intp)

    def __init__(self, values: pd.Series):
        self._at = values.groupby(values.to_numpy(), sort=False).indices if len(values) else {}

    def __getitem__(self, value) -> np.ndarray:
        """Positions in frame order; none for a value no row holds."""
        return self._at.get(value, self._NONE)
