"""Zip packages as they arrive: where an .xlsx keeps its workbook part, and whether an .ods is encrypted.

An Office Open XML package names its main part in `_rels/.rels`; most writers put it at
xl/workbook.xml, some do not, and the reader only looks there. Such a package is rewritten in
memory so the workbook part sits where the reader expects it. Free of pandas (runs in workers).
"""
from __future__ import annotations

import io
import posixpath
import re
import zipfile

OFFICE_DOCUMENT = "/officeDocument"
_REL = re.compile(rb"<(?:\w+:)?Relationship\b[^>]*>", re.S)
_ATTR = re.compile(rb'(\w+)\s*=\s*"([^"]*)"|(\w+)\s*=\s*\'([^\']*)\'')


def _relationships(xml: bytes) -> list[dict[str, str]]:
    rels = []
    for tag in _REL.findall(xml):
        attrs = {}
        for m in _ATTR.finditer(tag):
            key = (m.group(1) or m.group(3)).decode("ascii", "replace")
            attrs[key] = (m.group(2) if m.group(1) else m.group(4)).decode("utf-8", "replace")
        rels.append(attrs)
    return rels


def _resolve(base_dir: str, target: str) -> str:
    if target.startswith("/"):
        return posixpath.normpath(target.lstrip("/"))
    return posixpath.normpath(posixpath.join(base_dir, target))


def main_part(archive: zipfile.ZipFile, names: set[str]) -> str | None:
    """The workbook part `_rels/.rels` names, if the package holds it."""
    if "_rels/.rels" not in names:
        return None
    try:
        xml = archive.read("_rels/.rels")
    except (KeyError, zipfile.BadZipFile, OSError, ValueError):
        return None
    for rel in _relationships(xml[:1_000_000]):
        if rel.get("Type", "").endswith(OFFICE_DOCUMENT) and rel.get("Target"):
            part = _resolve("", rel["Target"])
            return part if part in names else None
    return None


def odf_encrypted(archive: zipfile.ZipFile, names: set[str]) -> bool:
    """An ODF package with a password lists `encryption-data` for its parts in the manifest."""
    if "META-INF/manifest.xml" not in names:
        return False
    try:
        return b"encryption-data" in archive.read("META-INF/manifest.xml")[:5_000_000]
    except (KeyError, zipfile.BadZipFile, OSError, ValueError):
        return False


def relocate_workbook(data: bytes) -> bytes:
    """The same package with its workbook part's folder moved to xl/ and the part named xl/workbook.xml.

    Relative targets keep working because the whole folder moves; absolute ones are rewritten.
    """
    archive = zipfile.ZipFile(io.BytesIO(data))
    names = [i.filename for i in archive.infolist()]
    part = main_part(archive, set(names))
    if part is None or part == "xl/workbook.xml":
        return data
    folder = posixpath.dirname(part)
    package_level = ("[Content_Types].xml", "_rels/.rels")

    def moved(name: str) -> str:
        if name == part:
            return "xl/workbook.xml"
        if name == posixpath.join(folder, "_rels", posixpath.basename(part) + ".rels"):
            return "xl/_rels/workbook.xml.rels"
        if name in package_level or name.startswith("docProps/"):
            return name
        if not folder:
            return "xl/" + name
        if name.startswith(folder + "/"):
            return "xl/" + name[len(folder) + 1:]
        return name

    renames = {n: moved(n) for n in names}
    absolute = {("/" + a).encode(): ("/" + b).encode() for a, b in renames.items() if a != b}
    pattern = re.compile(b"|".join(re.escape(k) + rb'(?=")' for k in sorted(absolute, key=len, reverse=True))) if absolute else None
    out = io.BytesIO()
    written = set()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in archive.infolist():
            target = renames[info.filename]
            if target in written:
                continue
            written.add(target)
            content = archive.read(info.filename)
            if pattern is not None and (info.filename.endswith(".rels") or info.filename == "[Content_Types].xml"):
                content = pattern.sub(lambda m: absolute[m.group(0)], content)
            if info.filename == "_rels/.rels":
                content = re.sub(rb'Target\s*=\s*"/?' + re.escape(part.encode()) + rb'"', b'Target="xl/workbook.xml"', content)
            z.writestr(target, content)
    return out.getvalue()
