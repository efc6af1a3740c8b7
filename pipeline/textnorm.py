"""Turn what a person typed into comparable values (full-width digits, stray spaces, text dates)."""
from __future__ import annotations

import datetime as dt
import functools
import re
import unicodedata

from .safetext import safe_text

_SPACE = re.compile(r"\s+")
_UNTIDY = re.compile(r"^\s|\s$|\s\s|[^\S ]")
_LEADING_ZEROS = re.compile(r"(?<!\d)0+(?=\d)")
_CATEGORY_PREFIX = re.compile(r"^[（(]?\d+[)）]?[.、．,，:：]?\s*")
_EXCEL_EPOCH = dt.date(1899, 12, 30)


# the full-width punctuation of Chinese typing, each with its NFKC form (an ASCII character)
_WIDE = tuple((wide, unicodedata.normalize("NFKC", wide)) for wide in "，：；（）！？　")


def nfkc(text: str) -> str:
    """unicodedata.normalize("NFKC", text), five times faster for Chinese text: its full-width
    punctuation (nearly every sentence has a ，) is replaced first, and what is left is usually normal
    already. A character and its NFKC form decompose alike, so the result is the same."""
    for wide, narrow in _WIDE:
        if wide in text:
            text = text.replace(wide, narrow)
    return text if unicodedata.is_normalized("NFKC", text) else unicodedata.normalize("NFKC", text)


def clean_text(value) -> str:
    """NFKC, no line breaks or runs of spaces, trimmed; None and NaN become ''."""
    if value is None:
        return ""
    if isinstance(value, float):
        if value != value:
            return ""
        if value.is_integer():
            return str(int(value))
    text = str(value)
    if not unicodedata.is_normalized("NFKC", text):
        text = nfkc(text)
    return _tidied(text)


def clean_texts(texts: list[str]) -> list[str]:
    """clean_text of each of `texts` (all str), the whole list at once: joined by NUL, which NFKC
    never joins to a neighbour, so normalising the joined text normalises each one. A sheet's column
    of problems described in their own words took a per-text call each (a city month: seconds)."""
    if not texts:
        return []
    joined = "\0".join(texts)
    if joined.count("\0") != len(texts) - 1:  # a text holding NUL itself: one by one
        return [clean_text(text) for text in texts]
    if not unicodedata.is_normalized("NFKC", joined):
        joined = nfkc(joined)
    pieces = joined.split("\0")
    # printable text has no white space but plain spaces: then only the ends and double spaces need a look
    if (joined.replace("\0", "").isprintable() and "  " not in joined and " \0" not in joined
            and "\0 " not in joined and joined[:1] != " " and joined[-1:] != " "):
        return pieces
    return [_tidied(text) for text in pieces]


def _tidied(text: str) -> str:
    """Normalised text without line breaks or runs of spaces, trimmed."""
    # printable text has no white space but plain spaces: then only the ends and double spaces need a look
    if text.isprintable() and "  " not in text and text[:1] != " " and text[-1:] != " ":
        return text
    return _SPACE.sub(" ", text).strip() if _UNTIDY.search(text) else text


def typed_text(value) -> str:
    """clean_text of a value typed as text; a blank or a number names nothing ('')."""
    return clean_text(value) if isinstance(value, str) else ""


def squeeze(value) -> str:
    """clean_text without any white space: for labels and vocabulary comparison."""
    return _SPACE.sub("", clean_text(value))


_HEADER_MARKS = re.compile(r"[*＊]|[（(]必填[)）]|[（(]选填[)）]")


@functools.lru_cache(maxsize=8192, typed=True)  # the same labels head every file's sheets
def header_key(value) -> str:
    """A header cell as it is matched against labels and known headers: squeezed, without a required
    mark (*, （必填）, （选填）) or a trailing colon."""
    return _HEADER_MARKS.sub("", squeeze(value)).rstrip(":：")


def number_key(value) -> str:
    """Two 编号 are the same after NFKC, no spaces, no trailing 号 and no leading zeros."""
    return clean_number_key(clean_text(value))


def clean_number_key(text: str) -> str:
    """number_key of a text clean_text returned, whose only white space is single plain spaces
    (a ledger's 编号 column is cleaned anyway: cleaning it twice cost a city month a second)."""
    text = text.replace(" ", "")
    if text.endswith("号"):
        text = text[:-1]
    return _LEADING_ZEROS.sub("", text) if "0" in text else text


_KEY_END = re.compile(r"号(?=\0|\Z)")


def clean_number_keys(texts: list[str]) -> list[str]:
    """clean_number_key of each of `texts`, the whole list at once, joined by NUL as clean_texts
    (a sheet's 编号 are each their own: a city month called it for a million of them)."""
    if not texts:
        return []
    joined = "\0".join(texts).replace(" ", "")
    if joined.count("\0") != len(texts) - 1:
        return [clean_number_key(text) for text in texts]
    if "号" in joined:
        joined = _KEY_END.sub("", joined)
    if "0" in joined:
        joined = _LEADING_ZEROS.sub("", joined)
    return joined.split("\0")


def strip_category_prefix(value) -> str:
    """`3.征地拆迁和旧城改造` ≡ `征地拆迁和旧城改造`."""
    return _CATEGORY_PREFIX.sub("", squeeze(value))


_DATE_PATTERNS = (
    re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T]?\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})[日号]?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)


class Unparsed(str):
    """A typed value that could not be read as the column's type; keeps the original text."""


def parse_date(value):
    """Return a date, None for blank, or Unparsed(text) for something that is not a real date."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):  # typed as a date, held to the years a text date is (a 1 in a date cell is 1899-12-31)
        return value if 2000 <= value.year <= 2100 else Unparsed(value.isoformat())
    if isinstance(value, bool):
        return Unparsed(str(value))
    if isinstance(value, (int, float)):
        if value != value:
            return None
        if 20000 <= value <= 80000:
            return _EXCEL_EPOCH + dt.timedelta(days=int(value))
        if float(value).is_integer():
            return parse_date(str(int(value)))
        return Unparsed(clean_text(value))
    text = squeeze(value)
    if not text:
        return None
    for pattern in _DATE_PATTERNS:
        m = pattern.match(text)
        if m:
            try:
                day = dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            except ValueError:
                return Unparsed(text)
            return day if 2000 <= day.year <= 2100 else Unparsed(text)
    return Unparsed(text)


_MONTH_PATTERNS = (
    re.compile(r"^(\d{4})[-/.年](\d{1,2})月?(?:份)?$"),
    re.compile(r"^(\d{4})(\d{2})$"),
)
_BARE_MONTH = re.compile(r"^(\d{1,2})月份?$")


def parse_month(value, default_year: int):
    """Return 'YYYY-MM', None for blank, or Unparsed; `6月` takes the campaign year."""
    if value is None or value == "":
        return None
    if isinstance(value, (dt.date, dt.datetime)):
        return f"{value.year:04d}-{value.month:02d}"
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if value != value:
            return None
        if 20000 <= value <= 80000:
            day = _EXCEL_EPOCH + dt.timedelta(days=int(value))
            return f"{day.year:04d}-{day.month:02d}"
        if float(value).is_integer() and 1 <= value <= 12:
            return f"{default_year:04d}-{int(value):02d}"
    text = squeeze(value)
    if not text:
        return None
    for pattern in _MONTH_PATTERNS:
        m = pattern.match(text)
        if m and 1 <= int(m.group(2)) <= 12:
            return f"{int(m.group(1)):04d}-{int(m.group(2)):02d}"
    m = _BARE_MONTH.match(text)
    if m and 1 <= int(m.group(1)) <= 12:
        return f"{default_year:04d}-{int(m.group(1)):02d}"
    day = parse_date(text)
    if isinstance(day, dt.date):
        return f"{day.year:04d}-{day.month:02d}"
    return Unparsed(text)


_NUMBER = re.compile(r"^[+-]?\d+(?:\.\d+)?$")


def parse_number(value):
    """Return a float, None for blank, or Unparsed; `１２`, `12个` and `1,200` read as numbers."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return Unparsed(str(value))
    if isinstance(value, (int, float)):
        return None if value != value else float(value)
    text = squeeze(value).replace(",", "")
    for suffix in ("个", "项", "件", "条", "家", "处"):
        if text.endswith(suffix):
            text = text[: -len(suffix)]
            break
    if not text:
        return None
    if _NUMBER.match(text):
        return float(text)
    return Unparsed(squeeze(value))


printable = safe_text  # text any writer can hold: the one sanitiser of every output (safetext)


def cell_name(row: int, col: int) -> str:
    """0-based (row, col) → A1 reference, as users see it."""
    letters = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return f"{letters}{row + 1}"
