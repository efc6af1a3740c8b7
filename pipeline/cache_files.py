"""Files kept between runs under OUTBOX/.cache (parsed books, past months' rates, run stamps):
each written whole or not at all, and a folder of another program's entries removed."""
from __future__ import annotations

import os
import shutil
from pathlib import Path


def write_whole(path: Path, data: bytes) -> bool:
    """Write `data` to `path` through a temporary file beside it, so a reader never sees half of it;
    False when the disk refused (what is kept is only ever a saving)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.{os.getpid()}")
        temporary.write_bytes(data)
        os.replace(temporary, path)
        return True
    except OSError:
        return False


def forget_other_folders(root: Path, keep: Path) -> None:
    """Remove every folder under `root` but `keep`: entries another version made can never be used again."""
    try:
        for old in root.iterdir():
            if old.is_dir() and old != keep:
                shutil.rmtree(old, ignore_errors=True)
    except OSError:
        return
