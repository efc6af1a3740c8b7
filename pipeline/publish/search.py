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
"""
from __future__ import annotations

import functools
import pickle
import re
import unicodedata

_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_RUNS = re.compile(f"([{_CJK}]+)")
_WORD = re.compile(r"\w")


def _pairs(run: str) -> list[str]:
    """A Chinese run's overlapping pairs: each character and the next."""
    return list(map(str.__add__, run[:-1], run[1:]))


def search_text(text) -> str:
    """Text as the index is fed it: each Chinese run as its overlapping pairs, then its last character."""
    if not isinstance(text, str) or not text:
        return ""
    return _segment(text)


@functools.lru_cache(maxsize=1 << 12)  # a replaced period's texts are segmented again to delete them
def _segment(text: str) -> str:
    parts = _RUNS.split(text)  # other text, a Chinese run, other text, …
    if len(parts) == 1:
        return text
    out = []
    for i in range(1, len(parts), 2):
        if parts[i - 1]:
            out.append(parts[i - 1])
        run = parts[i]
        if len(run) > 1:
            out.append(" ".join(map(str.__add__, run, run[1:])))
        out.append(run[-1])
    if parts[-1]:
        out.append(parts[-1])
    return " ".join(out)


def segment_row(texts) -> tuple:
    """A row's texts as the index is fed them. A text that repeats an earlier one of the same row
    (存在问题 copied from 发现的问题, as units usually write it) is fed blank: the row is found by its
    first copy, and the index does not grow by the second."""
    fed = []
    for n, text in enumerate(texts):
        fed.append("" if text in texts[:n] else search_text(text))
    return tuple(fed)


def segment_rows(rows: list[tuple]) -> list[tuple]:
    """(rowid, *texts) → (rowid, *texts as the index is fed them): a slice of a month for a helper process."""
    return [(rowid, *segment_row(texts)) for rowid, *texts in rows]


def segment_rows_into(path: str, rows: list[tuple]) -> str:
    """segment_rows for a helper process, handed back through the file at `path` (which it returns)."""
    with open(path, "wb") as fh:
        pickle.dump(segment_rows(rows), fh, protocol=pickle.HIGHEST_PROTOCOL)
    return path


def search_query(words) -> str:
    """What a person typed in a search box, as an FTS5 query on the index: every word must be there.

    Registered as Datasette's `escape_fts` by `make browse` (pipeline/jobs/datasette_plugins), and
    usable in SQL as `items_fts match ?` with this as the parameter.
    """
    terms = []
    for word in unicodedata.normalize("NFKC", str(words or "")).replace('"', " ").split():
        for i, part in enumerate(_RUNS.split(word)):
            if i % 2 == 0:
                if _WORD.search(part):  # letters and digits, as the tokenizer splits them
                    terms.append(f'"{part}"')
            elif len(part) == 1:
                terms.append(f"{part}*")
            else:
                terms.append('"' + " ".join(_pairs(part)) + '"')
    return " ".join(terms) or '""'
