"""The package's stages import downwards only (jobs → publish → campaign → ledger → intake → core):
a newcomer finds a rule in its stage, and a stage can be tested without the ones above it."""
import ast
from pathlib import Path

from pipeline import ROOT

STAGES = ["intake", "ledger", "campaign", "publish", "jobs"]


def _imported_stages(path: Path, package: list[str]) -> set[str]:
    """The pipeline stages a module imports, relative or absolute, at any depth of the module."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[:len(package) - node.level + 1]
                parts = base + (node.module.split(".") if node.module else [])
                names = [parts + [alias.name] for alias in node.names] if not node.module else [parts]
            else:
                names = [(node.module or "").split(".")]
        elif isinstance(node, ast.Import):
            names = [alias.name.split(".") for alias in node.names]
        else:
            continue
        for parts in names:
            if len(parts) > 1 and parts[0] == "pipeline" and parts[1] in STAGES:
                found.add(parts[1])
    return found


def test_no_stage_imports_a_stage_above_it():
    upward = []
    for rank, stage in enumerate(STAGES):
        for path in sorted((ROOT / "pipeline" / stage).rglob("*.py")):
            package = ["pipeline", *path.relative_to(ROOT / "pipeline").parent.parts]
            for used in _imported_stages(path, package):
                if STAGES.index(used) > rank:
                    upward.append(f"{path.relative_to(ROOT)} imports pipeline.{used}")
    assert not upward, upward
