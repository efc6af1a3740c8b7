"""One sanitiser for every text that reaches an output, and names the file system holds shown safely.

File names come off the disk as bytes (a GBK name from a zip extracted on Linux, a name with a
newline); Python keeps undecodable bytes as lone surrogates, which every writer (CSV, xlsx, docx,
html, txt) refuses. Everything written goes through `safe_text`, CSV fields also through
`csv_text`, and every inbox name is shown through `display_name`.
"""
from __future__ import annotations

import os
import re

# what an xlsx/docx XML part cannot hold; tab, line feed and carriage return are kept
CONTROL_CHARACTERS = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]"
_CONTROL = re.compile(CONTROL_CHARACTERS)
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_NAME_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
FORMULA_START = frozenset("=+-@\t\r")
_NOT_ON_WINDOWS = re.compile(r'[<>:"/\\|?*\x00-\x1f\x7f]')
SAFE_NAME_BYTES = 180  # a derived name plus folder prefixes stays well under 255 bytes


def _surrogate(m: re.Match) -> str:
    code = ord(m.group())
    # surrogateescape keeps an undecodable byte b as U+DC00+b: show the byte itself
    return f"\\x{code - 0xDC00:02x}" if 0xDC80 <= code <= 0xDCFF else "\ufffd"


def safe_text(value) -> str:
    """Text any writer accepts: no lone surrogates (shown as \\xNN), no control characters."""
    if value is None:
        return ""
    text = value if isinstance(value, str) else str(value)
    if _SURROGATE.search(text):
        text = _SURROGATE.sub(_surrogate, text)
    if _CONTROL.search(text):
        text = _CONTROL.sub("", text)
    return text


def csv_text(value: str) -> str:
    """safe_text, and a leading ' when the text would start a formula in Excel."""
    text = safe_text(value)
    return "'" + text if text[:1] in FORMULA_START else text


def needs_cleaning(text: str) -> bool:
    return bool(_SURROGATE.search(text) or _CONTROL.search(text)) or text[:1] in FORMULA_START


def decode_name(raw: bytes) -> str:
    """One path component as a person would read it: UTF-8, else GBK, else with \\xNN escapes."""
    for encoding in ("utf-8", "gbk"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # mostly GBK with a stray byte (a name cut mid-character) reads better as GBK: fewest escapes wins
        text = min((raw.decode(e, "backslashreplace") for e in ("utf-8", "gbk")), key=lambda t: t.count("\\x"))
    return _NAME_CONTROL.sub(lambda m: {"\n": "\\n", "\r": "\\r", "\t": "\\t"}.get(m.group(), f"\\x{ord(m.group()):02x}"), text)


def display_name(rel: str) -> str:
    """A relative path (str from os/pathlib, maybe with surrogates) shown part by part, '/'-joined."""
    return "/".join(decode_name(os.fsencode(part)) for part in rel.split("/"))


def cut_bytes(text: str, max_bytes: int) -> str:
    """The longest prefix of `text` within `max_bytes` UTF-8 bytes, never cutting a character."""
    raw = text.encode("utf-8", "surrogatepass")
    if len(raw) <= max_bytes:
        return text
    return raw[:max_bytes].decode("utf-8", "ignore")


def output_name(text: str, max_bytes: int = SAFE_NAME_BYTES) -> str:
    """A file-name part safe on Linux and Windows: no separators or reserved characters, bounded length."""
    name = _NOT_ON_WINDOWS.sub("_", safe_text(text).replace("\\x", "x"))
    name = cut_bytes(name, max_bytes).rstrip(" .")
    return name or "文件"


_COPY_MARK = re.compile(r"(\s*[(（]\d+[)）]$|\s*[-－—]?\s*副本(\s*[(（]?\d*[)）]?)?$|\s*[-－—]?\s*复件(\s*[(（]?\d*[)）]?)?$"
                        r"|^(copy\s+of|复件|副本)\s*|\s*[-_]\s*copy(\s*\(\d+\))?$)", re.IGNORECASE)


def looks_like_copy(stem: str) -> bool:
    """`台账(1)`, `台账 - 副本`, `台账副本`, `复件 台账`, `Copy of 台账`: what copying a file names it."""
    return bool(_COPY_MARK.search(stem.strip()))
