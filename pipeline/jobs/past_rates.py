"""Past months' per-unit rates for the trend (campaign/trend.py), kept between runs under OUTBOX/.cache.

A past month's rates follow from the workbooks received by its last day, so once computed they hold
for every later run that sees the same workbooks. When units resend their ledgers every month, each
past month has its own set of workbooks and would otherwise be reconciled again on every run: a city
December, seven reconciliations of up to a city's ledgers. An entry is keyed by those workbooks
(name, bytes, day received, unit, 填报时间) and the day, in a folder named for the program and the
settings (jobs.unchanged.setup_digest): a new version of either starts afresh. Safe to delete.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path

import pandas as pd

from ..cache_files import forget_other_folders, write_whole
from .unchanged import setup_digest

FOLDER = "trend"


class PastRates:
    """get/put of one past month's unit rates (campaign.trend.unit_rates) by the workbooks it was made from."""

    def __init__(self, cache: Path, config, sha256_by_file: dict[str, str]):
        self.root = Path(cache) / FOLDER
        self.folder = self.root / hashlib.sha256(setup_digest(config)).hexdigest()[:32]
        self._sha256 = sha256_by_file
        self.hits = 0

    def _path(self, day: dt.date, known: pd.DataFrame) -> Path:
        digest = hashlib.sha256(day.isoformat().encode())
        for file, unit, received, filled_on in known[["file", "unit", "received", "filled_on"]].itertuples(index=False):
            filled = "" if pd.isna(filled_on) else pd.Timestamp(filled_on).isoformat()
            digest.update(f"\0{file}\0{self._sha256.get(file, '')}\0{unit}\0{pd.Timestamp(received).isoformat()}"
                          f"\0{filled}".encode("utf-8", "surrogatepass"))
        return self.folder / f"{digest.hexdigest()[:40]}.json"

    def get(self, day: dt.date, known: pd.DataFrame) -> pd.DataFrame | None:
        path = self._path(day, known)
        try:
            kept = json.loads(path.read_text(encoding="utf-8"))
            rates = pd.DataFrame({name: pd.Series(values, dtype=dtype)
                                  for name, dtype, values in kept["columns"]})
        except FileNotFoundError:
            return None
        except Exception:  # a damaged entry is computed again
            path.unlink(missing_ok=True)
            return None
        self.hits += 1
        return rates

    def put(self, day: dt.date, known: pd.DataFrame, rates: pd.DataFrame) -> None:
        kept = {"columns": [[name, str(rates[name].dtype), rates[name].tolist()] for name in rates.columns]}
        write_whole(self._path(day, known), json.dumps(kept, ensure_ascii=False).encode("utf-8"))

    def forget_other_versions(self) -> None:
        """Entries of another program or other settings can never be used again."""
        forget_other_folders(self.root, self.folder)
