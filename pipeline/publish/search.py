"""How the history's full-text index sees Chinese text, and how a search for words becomes an index query.

SQLite's tokenizers keep a run of Chinese characters as one token (unicode61) or never match a
query shorter than three characters (trigram), so the index is fed pre-segmented text: each run of
Chinese characters becomes its overlapping pairs of characters, in order, then its last character
(other text is kept as written and split by the tokenizer). A Chinese word is then found anywhere
inside a longer phrase as the *phrase* of its own pairs: 冒领低保 is "冒领 领低 低保", which only
matches those pairs side by side, i.e. the word itself. A two-character word is a single pair, so a
plain `MATCH '低保'` finds it too; a single character is any pair it starts (`低*`).

Pairs keep the index small: one token per character, where indexing every substring up to eight
characters cost about 120 tokens per problem description and made the history the slowest part of
a month whose problems are each described in their own words.

The index splits the fed text with SQLite's `ascii` tokenizer (TOKENIZER), which splits at ASCII
spaces and punctuation only: unicode61 looks every character up in Unicode's tables, and indexing a
city month of texts took 2.3 s with it, 1.7 s without. So the fed text already has what unicode61
would have done to other characters: a character that is neither a letter, a number nor private
use (、。《》“” and the like) is a space, and a letter is lower case (fold_other). Unlike unicode61,
a search for "e" no longer finds "é".
"""
from __future__ import annotations

import functools
import re
import unicodedata

import numpy as np

_CJK_RANGES = ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF))
_CJK = "".join(f"\\u{low:04x}-\\u{high:04x}" for low, high in _CJK_RANGES)
_RUNS = re.compile(f"([{_CJK}]+)")
_WORD = re.compile(r"\w")
TOKENIZER = "ascii"  # the index's tokenizer (history.py creates items_fts with it)


def _folded(char: str) -> str:
    """A character that is not ASCII nor Chinese as the index is fed it: a space unless a letter, a
    number or private use (as unicode61 splits text), a letter lower case when that is one character."""
    category = unicodedata.category(char)
    if category[0] not in "LN" and category != "Co":
        return " "
    lower = char.lower()
    return lower if len(lower) == 1 else char


@functools.cache
def _fold_table() -> np.ndarray:
    """_folded of every character of the Basic Multilingual Plane, as code points (built once, 30 ms)."""
    table = np.arange(0x10000, dtype=np.uint32)
    for code in range(0x80, 0x10000):
        table[code] = ord(_folded(chr(code)))
    return table


def fold_other(text: str) -> str:
    """Text that is not Chinese (a part between runs of Chinese characters) as the index is fed it."""
    if text.isascii():
        return text
    return "".join(char if char.isascii() else _folded(char) for char in text)


def _pairs(run: str) -> list[str]:
    """A Chinese run's overlapping pairs: each character and the next."""
    return list(map(str.__add__, run[:-1], run[1:]))


def search_text(text) -> str:
    """Text as the index is fed it: each Chinese run as its overlapping pairs, then its last character,
    apart from the text around it. The rule for one text; the history feeds the index search_texts."""
    if not isinstance(text, str) or not text:
        return ""
    parts = _RUNS.split(text)  # other text, a Chinese run, other text, …
    if len(parts) == 1:
        return fold_other(text)
    out = []
    for i in range(1, len(parts), 2):
        if parts[i - 1]:
            out.append(fold_other(parts[i - 1]))
        run = parts[i]
        if len(run) > 1:
            out.append(" ".join(_pairs(run)))
        out.append(run[-1])
    if parts[-1]:
        out.append(fold_other(parts[-1]))
    return " ".join(out)


def search_texts(texts: list) -> list[str]:
    """search_text of each of `texts`, all at once: their characters as one array, each Chinese
    character written with the next one of its run (then a space), a run set apart by spaces from
    the text around it. Equal, text for text, to search_text, but a month's texts take a second
    instead of ten (one small string per character and a Python loop per run cost that much)."""
    texts = [t if isinstance(t, str) else "" for t in texts]
    lengths = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
    chars = np.frombuffer("".join(texts).encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    if not len(chars):
        return texts
    cjk = np.zeros(len(chars), dtype=bool)
    for low, high in _CJK_RANGES:
        cjk |= (chars >= low) & (chars <= high)
    other = np.flatnonzero((chars >= 0x80) & ~cjk)  # fold_other, one character for one
    if len(other):
        codes = chars[other]
        chars = chars.copy()
        chars[other] = _fold_table()[np.minimum(codes, 0xFFFF)]
        beyond = codes > 0xFFFF  # beyond the table: one by one (rare)
        for at, code in zip(other[beyond].tolist(), codes[beyond].tolist()):
            chars[at] = ord(_folded(chr(code)))
    ends = np.cumsum(lengths)
    filled = lengths > 0
    first = np.zeros(len(chars), dtype=bool)
    first[(ends - lengths)[filled]] = True
    last = np.zeros(len(chars), dtype=bool)
    last[ends[filled] - 1] = True
    next_cjk = np.append(cjk[1:], False) & ~last  # the next character, of the same text, is Chinese
    prev_cjk = np.insert(cjk[:-1], 0, False) & ~first
    pair = cjk & next_cjk  # written with the next character, then a space
    lead = cjk & ~prev_cjk & ~first  # a run after other text: a space before it
    trail = cjk & ~next_cjk & ~last  # a run before other text: a space after it
    out_end = np.cumsum(1 + 2 * pair.astype(np.int64) + lead + trail)
    at = out_end - (1 + 2 * pair.astype(np.int64) + trail)  # where each character itself goes
    out = np.full(int(out_end[-1]), ord(" "), dtype=np.uint32)
    out[at] = chars
    paired = np.flatnonzero(pair)
    out[at[paired] + 1] = chars[paired + 1]
    fed = out.tobytes().decode("utf-32-le", "surrogatepass")
    bounds = [0, *np.maximum.accumulate(np.where(filled, out_end[np.maximum(ends - 1, 0)], 0)).tolist()]
    return [fed[a:b] for a, b in zip(bounds, bounds[1:])]


def segment_columns(columns: list[list]) -> list[list[str]]:
    """Columns of texts (row n of each is one row's) → the columns as the index is fed them. A text
    that repeats an earlier one of the same row (存在问题 copied from 发现的问题, as units usually
    write it) is fed blank: the row is found by its first copy, and the index does not grow by the
    second. A column at a time, as lists: a month's texts as rows of tuples took seconds."""
    fed = []
    for n, column in enumerate(columns):
        kept = [None if text in earlier else text for text, earlier in zip(column, zip(*columns[:n]))] if n else column
        fed.append(search_texts(list(kept)))
    return fed


def segment_rows(rows: list[tuple]) -> list[tuple]:
    """(rowid, *texts) → (rowid, *texts as the index is fed them), as segment_columns."""
    if not rows:
        return []
    rowids, *columns = zip(*rows)
    return list(zip(rowids, *segment_columns([list(c) for c in columns])))


def search_query(words) -> str:
    """What a person typed in a search box, as an FTS5 query on the index: every word must be there.

    Registered as Datasette's `escape_fts` by `make browse` (pipeline/jobs/datasette_plugins), and
    usable in SQL as `items_fts match ?` with this as the parameter.
    """
    terms = []
    for word in unicodedata.normalize("NFKC", str(words or "")).replace('"', " ").split():
        for i, part in enumerate(_RUNS.split(word)):
            if i % 2 == 0:
                part = fold_other(part)  # as the index was fed it
                if _WORD.search(part):  # letters and digits, as the tokenizer splits them
                    terms.append(f'"{part}"')
            elif len(part) == 1:
                terms.append(f"{part}*")
            else:
                terms.append('"' + " ".join(_pairs(part)) + '"')
    return " ".join(terms) or '""'
