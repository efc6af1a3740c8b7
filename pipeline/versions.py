"""What a saved result depends on besides its inputs: our source files and the libraries' versions.

The parse cache (intake.cache) and the unchanged-run stamp (jobs.unchanged) both key on them, so a
new version of either is never mistaken for the one that wrote what is kept.
"""
from __future__ import annotations

from importlib import metadata
from pathlib import Path


def hash_files(digest, root: Path, rels) -> None:
    """Feed `digest` each file's path (relative to `root`) and bytes; a missing file counts as empty."""
    for rel in rels:
        path = Path(root) / rel
        digest.update(str(rel).encode() + b"\0" + (path.read_bytes() if path.is_file() else b"") + b"\0")


def library_versions(names) -> bytes:
    """`name=version` of each installed library ('-' when it is not installed)."""
    found = []
    for name in names:
        try:
            found.append(f"{name}={metadata.version(name)}")
        except metadata.PackageNotFoundError:
            found.append(f"{name}=-")
    return "\0".join(found).encode() + b"\0"
