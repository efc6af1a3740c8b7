"""CSV files under data/: UTF-8 with BOM, dates as text, text that cannot turn into a formula."""
from __future__ import annotations

import codecs
import csv
import io
import os
import pickle
import re
import time
from pathlib import Path

import numpy as np
import pandas as pd

from ..distinct import per_value
from ..safetext import CONTROL_CHARACTERS, FORMULA_START, csv_text

# what csv_text changes: a formula start, a control character, a lone surrogate (safetext's rule)
_RISKY = "|".join([f"^[{re.escape(''.join(sorted(FORMULA_START)))}]", CONTROL_CHARACTERS, r"[\ud800-\udfff]"])
_RISKY_RE = re.compile(_RISKY)
_CONTROL_OR_SURROGATE = re.compile("|".join([CONTROL_CHARACTERS, r"[\ud800-\udfff]"]))
# A column is screened as one joined text, a few C scans instead of a Python call per value. The
# separator is printable, so str.isprintable() vouches for "no control character, no surrogate";
# a value that contains the separator can only send its column to the exact per-value path.
_SEP = "\u00a6"
_FORMULA_AFTER_SEP = re.compile(re.escape(_SEP) + f"[{re.escape(''.join(sorted(FORMULA_START)))}]")


def _field(value: str) -> str:
    """One field exactly as the csv module writes it (pandas.to_csv writes through it too)."""
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerow([value, "x"])
    return buf.getvalue()[:-3]


# the characters that make the csv module quote a field, asked of the module itself
_QUOTED = tuple(c for c in ',"\n\r' if _field(c) != c)
_QUOTED_RE = re.compile("|".join(map(re.escape, _QUOTED)) or "(?!)")


def _quote(value: str) -> str:
    return '"' + value.replace('"', '""') + '"' if _QUOTED_RE.search(value) else value


def _with_numbers(values: np.ndarray) -> list[str] | None:
    """Integers among text (-5 too) are written as they are, never prefixed or quoted; other
    numbers (floats, dates) keep pandas' formatting: None."""
    numbers = np.fromiter((not isinstance(v, str) for v in values), bool, len(values))
    if any(type(v) is not int for v in values[numbers]):
        return None
    fields = np.array(_text_fields(np.where(numbers, "", values).astype(object)), dtype=object)
    fields[numbers] = [str(v) for v in values[numbers]]
    return fields.tolist()


def _text_fields(values: np.ndarray) -> list[str] | None:
    """A text column's CSV fields (missing as "", risky text through csv_text), or None when
    pandas should write it."""
    try:
        joined = _SEP.join(values)
    except TypeError:  # missing values (NaN, None) or numbers
        values = np.where(pd.isna(values), "", values).astype(object)
        try:
            joined = _SEP.join(values)
        except TypeError:
            return _with_numbers(values)
    if (not joined.isprintable() and _CONTROL_OR_SURROGATE.search(joined)) or joined[:1] in FORMULA_START \
            or _FORMULA_AFTER_SEP.search(joined):
        values = [csv_text(v) if _RISKY_RE.search(v) else v for v in values]
        joined = _SEP.join(values)
    if not any(q in joined for q in _QUOTED):
        return values.tolist() if isinstance(values, np.ndarray) else values
    distinct = set(values)
    if 2 * len(distinct) > len(values):  # texts each in their own words: a lookup would only add to quoting them
        return list(map(_quote, values))
    quoted = {v: _quote(v) for v in distinct}  # free text repeats: quote each text once
    return list(map(quoted.__getitem__, values))


def _fields(column: pd.Series) -> list[str] | None:
    """The column's CSV fields as pandas writes them, or None when pandas should write the frame."""
    if column.dtype == object or pd.api.types.is_string_dtype(column):
        return _text_fields(column.to_numpy(dtype=object))
    if isinstance(column.dtype, np.dtype) and column.dtype.kind in "iu":
        return list(map(str, column.tolist()))
    if isinstance(column.dtype, pd.api.extensions.ExtensionDtype) and column.dtype.kind in "iu":  # Int64
        return ["" if v is pd.NA else str(v) for v in column.tolist()]
    return None


def _write_with_pandas(frame: pd.DataFrame, path: Path) -> None:
    safe = frame.copy()
    for col in safe.columns:
        column = safe[col]
        if column.dtype == object or pd.api.types.is_string_dtype(column):
            risky = column.astype(str).str.contains(_RISKY, regex=True)
            if risky.any():
                risky &= column.map(type).eq(str)  # a number such as -5 is written as a number
                safe[col] = column.mask(risky, column[risky].map(csv_text))
    safe.to_csv(path, index=False, encoding="utf-8-sig", lineterminator="\n")


def write_csv(frame: pd.DataFrame, path: Path) -> None:
    """UTF-8 with BOM so Excel opens Chinese correctly; \\n line ends for byte-stable reruns.

    Text typed by units that starts like a formula is prefixed with ' so Excel shows it as text.
    Frames of text and integer columns (the big ones) are joined here, byte for byte what
    pandas.to_csv writes; frames with floats, dates or mixed columns are written by pandas.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    if frame.shape[1] < 2 or not _write_joined(frame, path):  # the csv module writes an empty one-column row as ""
        _write_with_pandas(frame, path)


def _writing(path: Path) -> Path:
    return path.with_name(path.name + ".part")


def spool_frame(frame: pd.DataFrame, path: Path, started=None) -> None:
    """Pickle a frame for another process a column at a time: pickle remembers every object it has
    written, and a province's items pickled whole would have it remember some 80 million cells.
    A column of texts that differ row to row goes as their UTF-8 (_SpooledText).

    `started`: called once the file exists, before anything is written, to let the other process
    read it while it is written (read_spooled follows it); the file takes its name once complete."""
    path = Path(path)
    part = _writing(path)
    path.unlink(missing_ok=True)  # a reader must find this run's file, not one an earlier run left
    try:
        with open(part, "wb") as out:
            if started is not None:
                started()
            pickle.dump((list(frame.columns), len(frame)), out, protocol=pickle.HIGHEST_PROTOCOL)
            for i in range(frame.shape[1]):
                array = frame.iloc[:, i].array
                if _SpooledText.suits(array):
                    _SpooledText.write(array, out)
                else:
                    pickle.dump(array, out, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(part, path)
    except BaseException:
        part.unlink(missing_ok=True)  # a reader following it stops
        path.unlink(missing_ok=True)
        raise


def read_spooled(spooled: str) -> pd.DataFrame:
    """The frame another process spooled (spool_frame) to `spooled`, read as it is still written."""
    with _Following(Path(spooled)) as data:
        columns, rows = pickle.load(data)
        arrays = {}
        for i in range(len(columns)):
            array = pickle.load(data)
            arrays[i] = array.read(data) if isinstance(array, _SpooledText) else array
        frame = pd.DataFrame(arrays, index=pd.RangeIndex(rows))
    frame.columns = columns
    return frame


class SpoolGone(OSError):
    """The spool being read was abandoned by the process writing it."""


class _Following:
    """A spooled file read while the other process may still write it (as `name.part`): a read
    that finds too few bytes waits for them while the file is being written, and ends short once
    it is complete (pickle then says so) or abandoned (SpoolGone). The writer is this process's
    parent: should it die, or not write for WAIT_LIMIT seconds, the reader gives up too."""

    PAUSE = 0.002
    WAIT_LIMIT = 300.0

    def __init__(self, path: Path):
        self.path, self.part, self.parent = path, _writing(path), os.getppid()
        try:
            self.file = open(path, "rb")
        except FileNotFoundError:
            try:
                self.file = open(self.part, "rb")
            except FileNotFoundError:
                if not path.exists():  # complete between the two attempts: open it, else it is gone
                    raise SpoolGone(f"{path}: not written") from None
                self.file = open(path, "rb")

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.file.close()
        return False

    def _still_written(self) -> bool:
        """True while the part is there (asked first: the writer renames it as it completes)."""
        if os.getppid() != self.parent:
            raise SpoolGone(f"{self.path}: its writer is gone")
        if self.part.exists():
            return True
        if self.path.exists():
            return False
        raise SpoolGone(f"{self.path}: abandoned while written")

    def _wait(self, since: float | None) -> float:
        """A pause for the writer; the moment the wait began (SpoolGone after WAIT_LIMIT seconds of it)."""
        since = since or time.monotonic()
        if time.monotonic() - since > self.WAIT_LIMIT:
            raise SpoolGone(f"{self.path}: nothing written for {self.WAIT_LIMIT:.0f} s")
        time.sleep(self.PAUSE)
        return since

    def read(self, size: int = -1) -> bytes:
        if size is None or size < 0:
            since = None
            while self._still_written():
                since = self._wait(since)
            return self.file.read()
        first = self.file.read(size)
        if len(first) == size:
            return first
        data = bytearray(first)
        since = None
        while len(data) < size:
            more = self.file.read(size - len(data))
            if more:
                data += more
                since = None
                continue
            if not self._still_written():
                data += self.file.read(size - len(data))  # what came before the name did
                break
            since = self._wait(since)
        return bytes(data)

    def readinto(self, buffer) -> int:
        data = self.read(len(buffer))
        buffer[:len(data)] = data
        return len(data)

    def readline(self, size: int = -1) -> bytes:
        line = bytearray()
        while not line.endswith(b"\n") and (size < 0 or len(line) < size):
            char = self.read(1)
            if not char:
                break
            line += char
        return bytes(line)


class _SpooledText:
    """A spooled column of texts: what kind of array it is, then its values as UTF-8 a slice at a
    time, its blanks as they were. Pickled as they are, its strings would each keep a UTF-8 copy of
    themselves in this process until the month is done (pickle asks Python for their UTF-8, which
    Python then keeps with the string): spooling a city's items and 整改台账 texts, each problem in its
    unit's own words, grew this process by 100–230 MiB for good. Encoded a slice at a time, nothing is kept.

    Only for a column of mostly different strings (suits): pickle writes a string it has written
    before as a reference, which keeps a column of a few names or statuses small and quick, and
    such a column's few copies cost nothing to keep."""

    SLICE = 50_000
    SAMPLE = 2_000  # neighbouring rows: a unit's rows are together, so repeats show within them

    def __init__(self, dtype, slices: int):
        self.dtype, self.slices = dtype, slices  # dtype: a StringArray's, or None for an object array

    @classmethod
    def suits(cls, array) -> bool:
        if not (isinstance(array, pd.arrays.StringArray)
                or isinstance(array, pd.arrays.NumpyExtensionArray) and array.dtype.numpy_dtype == object):
            return False
        sample = array[:cls.SAMPLE].to_numpy(dtype=object)
        if len({id(v) for v in sample}) * 2 <= len(sample):
            return False
        return pd.api.types.infer_dtype(array.to_numpy(dtype=object), skipna=True) in ("string", "empty")

    @classmethod
    def write(cls, array, out) -> None:
        starts = range(0, len(array), cls.SLICE)
        dtype = array.dtype if isinstance(array, pd.arrays.StringArray) else None
        pickle.dump(cls(dtype, len(starts)), out, protocol=pickle.HIGHEST_PROTOCOL)
        for start in starts:
            values = array[start:start + cls.SLICE].to_numpy(dtype=object)
            blank = np.flatnonzero(pd.isna(values))
            present = np.delete(values, blank).tolist()
            lengths = np.fromiter(map(len, present), dtype=np.int64, count=len(present))
            text = "".join(present).encode("utf-8", "surrogatepass")
            pickle.dump((len(values), blank, values[blank].tolist(), lengths, text), out,
                        protocol=pickle.HIGHEST_PROTOCOL)

    def read(self, data):
        parts = []
        for _ in range(self.slices):
            size, blank, blanks, lengths, text = pickle.load(data)
            text = text.decode("utf-8", "surrogatepass")
            ends = np.cumsum(lengths).tolist()
            values = np.empty(size, dtype=object)
            values[np.delete(np.arange(size), blank)] = [text[a:b] for a, b in zip([0, *ends[:-1]], ends)]
            values[blank] = blanks
            parts.append(values)
        values = np.concatenate(parts) if parts else np.array([], dtype=object)
        return pd.arrays.NumpyExtensionArray(values) if self.dtype is None else pd.array(values, dtype=self.dtype)


CHUNK_ROWS = 20_000  # a city's items.csv is 200 MB: built and written a slice at a time


def _write_joined(frame: pd.DataFrame, path: Path) -> bool:
    """Write the frame slice by slice from its columns' CSV fields; False (nothing kept) when some
    column must be written by pandas."""
    with open(path, "wb") as out:
        out.write(codecs.BOM_UTF8 + (",".join(_quote(str(c)) for c in frame.columns) + "\n").encode("utf-8"))
        for start in range(0, max(len(frame), 1), CHUNK_ROWS):  # an empty frame's columns decide too
            part = frame.iloc[start:start + CHUNK_ROWS]
            columns = [_fields(part.iloc[:, i]) for i in range(part.shape[1])]
            if any(c is None for c in columns):
                break
            if len(part):
                out.write(("\n".join(map(",".join, zip(*columns))) + "\n").encode("utf-8"))
        else:
            return True
    path.unlink()
    return False


def dates_as_text(frame: pd.DataFrame) -> pd.DataFrame:
    """Dates as YYYY-MM-DD text, so the files read the same in Excel and are byte-stable."""
    out = frame.copy(deep=False)  # copy-on-write: only the date columns are new, the rest is shared
    for col in out.columns:
        if pd.api.types.is_datetime64_any_dtype(out[col]):
            # a month has few distinct days: each formatted once
            out[col] = pd.Series(per_value(out[col], lambda day: day.strftime("%Y-%m-%d"), ""), index=out.index,
                                 dtype="str")
    return out
