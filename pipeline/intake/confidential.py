"""Keep complainants secret: the one place where 举报人 and 联系方式 are read, masked and dropped.

Runs inside the reader worker on a freshly parsed book, so nothing past intake (frames, problems,
grids kept for the 回执) ever holds a complainant's name or number. Every occurrence of those values
elsewhere in the book (a clerk writing “来电人钟晓梅（电话139…）反映…” into 反映问题) is masked too,
as is any telephone-like number in free text.
"""
from __future__ import annotations

import functools
import re
import unicodedata

from ..textnorm import header_key

_SPLIT = re.compile(r"[、,，;；/\\|]+")
_DIGITS = re.compile(r"\d")
# a run of digits, possibly broken by spaces or dashes, long enough to be a phone number
_PHONE = re.compile(r"(?:86)?1[3-9]\d{9}|0\d{2,3}\d{7,8}")  # a mobile, or a landline with its area code
_CUED = re.compile(r"(?:电话|手机|联系|号码|热线|tel|TEL|Tel)[^\d]{0,4}$")  # a local number said to be a phone
_PUNCT = re.compile(r"[（）()【】\[\]:：。.“”\"'!！?？]")
_ANY_NUMBER = re.compile(r"(?<!\d)\d(?:[\s\-－—]*\d){4,}(?!\d)")
_DIGIT_RUN = re.compile(r"\d+")
# a number written in groups with dots: a phone as 138.1234.5678, a QQ number as 654.321
_DOTTED = re.compile(r"(?<!\d)(?<!\d\.)\d+(?:\.\d+)+(?!\d)")
_DATE = re.compile(r"(?<!\d)(?<!\d[.\-/])(?:19|20)\d{2}\s*[-./年]\s*\d{1,2}(?:\s*[-./月]\s*\d{1,2}\s*[日号]?)?(?!\d)")
# what a contact's dotted digits may also be, and are then no number of anyone's: a date, an amount
_DATE_OR_AMOUNT = re.compile(r"(?:19|20)?\d{2}\.\d{1,2}\.\d{1,2}|\d+\.\d{1,2}")
_TINY_NUMBER = re.compile(r"(?<!\d)\d{3,4}(?!\d)")  # an extension (分机7788), too short for _ANY_NUMBER
MIN_NAME = 2
# a secret number shorter than the shortest telephone number (a local landline, 7 digits: a QQ
# number, an extension) is masked where a number is it, or one of its parts between spaces or dashes,
# not inside a longer run of digits (a 联系方式 of 00001 masked every number holding 00001)
MIN_SECRET_DIGITS = 7
# a bracketed piece that looks like a person's name (2-3 Chinese characters), not a unit's (桐竹社区)
_NAME_LIKE = re.compile(r"[\u3400-\u9fff]{2,3}")


_WHITE = re.compile(r"\s")
MANY_CASED = 50  # names with letter case (Latin letters) a register may hold before each cell is searched for all names


@functools.lru_cache(maxsize=4096)
def _alternation(names: tuple[str, ...]) -> re.Pattern:
    """Each name with any white space between its characters, tried longest first."""
    return re.compile("|".join(r"\s*".join(map(re.escape, n)) for n in names), re.IGNORECASE)


def _longest_first(names) -> tuple[str, ...]:
    return tuple(sorted(names, key=lambda n: (-len(n), n)))


def _substitute(pattern: re.Pattern, text: str) -> str | None:
    if not pattern.search(text):
        return None
    return pattern.sub(lambda m: mask_name(_WHITE.sub("", m.group(0))), text)


def _nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def mask_name(name: str) -> str:
    """钟晓梅 → 钟**: the surname stays so staff can tell rows apart."""
    name = _nfkc(name).strip()
    return name[:1] + "*" * max(2, len(name) - 1) if name else ""


def mask_phone(text: str) -> str:
    """13912345678 → 139****5678; a shorter number keeps only its last 4 digits, or its last 2."""
    digits = "".join(_DIGITS.findall(_nfkc(text)))
    if len(digits) >= 11:
        return digits[:3] + "****" + digits[-4:]
    if len(digits) >= 7:
        return "*" * (len(digits) - 4) + digits[-4:]
    return "*" * max(3, len(digits) - 2) + digits[-2:] if len(digits) > 2 else "***"


def mask_value(label: str, value) -> str:
    """How a confidential cell is shown in the register's own 回执."""
    if value is None or str(value).strip() == "":
        return ""
    if isinstance(value, float) and value.is_integer():  # a number typed into the cell: 13912345678.0
        value = int(value)
    text = _nfkc(str(value))
    if label == "联系方式" or (_DIGITS.search(text) and len(_DIGITS.findall(text)) >= 5):
        return mask_phone(text)
    return "、".join(mask_name(p) for p in _SPLIT.split(text) if p)


def _written_without_prefix(digits: str) -> tuple[str, ...]:
    """A number as it may be written elsewhere without its prefix: a mobile without 86, a landline
    without its area code (028-87654321 given as 87654321; its last 7 digits are in either length)."""
    if len(digits) == 13 and digits.startswith("86"):
        return (digits[2:],)
    if digits.startswith("0") and 10 <= len(digits) <= 12:
        return (digits[-MIN_SECRET_DIGITS:],)
    return ()


def _without(dotted: set[str], text: str) -> str:
    """`text` with the dotted numbers that are secrets (Scrubber.dotted) taken out."""
    return _DOTTED.sub(lambda m: " " if m.group(0) in dotted else m.group(0), text) if dotted else text


class Scrubber:
    """Masks every occurrence of the book's secret names and numbers in a text, and any phone number."""

    def __init__(self, values, keep=()):
        # cells whose names are never masked: a choice from a list (治理类别 工程建设 holds a complainant
        # 程建 by chance) and a registered unit's name are not what anyone said; masking would reject the file
        self.keep = frozenset(_WHITE.sub("", _nfkc(str(k))) for k in keep)
        names: set[str] = set()
        numbers: set[str] = set()
        tiny: set[str] = set()
        dotted: set[str] = set()
        grouped: set[str] = set()  # tiny ones as groups of a dotted number (138, 1234, 5678 of 138.1234.5678)
        for value in values:
            if value is None or isinstance(value, bool):
                continue
            if isinstance(value, float) and value.is_integer():
                value = int(value)
            text = _nfkc(str(value)).strip()
            # a date beside a contact (2017.06.05来电) is no one's number: 2017 masked everywhere, and
            # XF-20170605-01 in the 线索编号, would be; a contact that is nothing but such digits
            # (2019.12.34, 12.34.56) is the contact
            whole = bool(_DOTTED.fullmatch(text))
            undated = text if whole else _DATE.sub(" ", text)
            # a number written in groups with dots is also the number of its digits (138.1234.5678 is
            # 13812345678 written plainly elsewhere); its groups stay secrets of their own as well
            # (138.1234-5678, 138/1234/5678), but it names no one (QQ 654.321 is no name QQ654321)
            for found in _DOTTED.findall(undated):
                digits = found.replace(".", "")
                if len(digits) >= 5 and (whole or not _DATE_OR_AMOUNT.fullmatch(found)):
                    numbers.update((digits, *_written_without_prefix(digits)))
                    dotted.add(found)
            for found in _ANY_NUMBER.findall(undated):
                digits = re.sub(r"\D", "", found)
                numbers.update((digits, *_written_without_prefix(digits)))
            left = _ANY_NUMBER.sub(" ", undated)
            tiny.update(_TINY_NUMBER.findall(_without(dotted, left)))
            grouped.update(_TINY_NUMBER.findall(left))
            words = _without(dotted, _ANY_NUMBER.sub(" ", text))
            for part in [words, *_SPLIT.split(words)]:
                # as written (an e-mail keeps its dots), without punctuation, and each piece between
                # brackets: “钟晓梅（退休教师）” must also hide a bare 钟晓梅 written elsewhere
                pieces = [re.sub(r"\s", "", part), re.sub(r"\s", "", _PUNCT.sub("", part))]
                pieces += [p for p in (re.sub(r"\s", "", x) for x in _PUNCT.split(part)) if _NAME_LIKE.fullmatch(p)]
                for piece in pieces:
                    # digits left once the numbers are out (2017) are too short to name anyone
                    if len(piece) >= (3 if piece.isascii() else MIN_NAME) and not piece.isdigit():
                        names.add(piece)
        self.numbers = numbers
        self.alone = tiny  # written on their own (分机8012): masked wherever they are shown
        self.tiny = tiny | grouped
        self.dotted = dotted
        self._number_lengths = sorted({len(n) for n in numbers if len(n) >= MIN_SECRET_DIGITS})
        # one alternation of a register's every name costs each cell a try of every name at every
        # character: quadratic in complainants. A name without letter case (Chinese characters,
        # digits, punctuation) can only match where the cell, its white space removed, contains it,
        # so a cell is searched for those alone; a name with letters that have a case (which may
        # match in another case) is always searched for.
        self._plain: dict[str, list[str]] = {}  # by their first two characters
        self._others: list[str] = []
        for name in names:
            if name.lower() == name == name.upper():
                self._plain.setdefault(name[:2], []).append(name)
            else:
                self._others.append(name)
        self.names = frozenset(names)
        self._everything: re.Pattern | None = None

    def _mask_names(self, text: str) -> str | None:
        """`text` with every secret name masked, or None when none occurs."""
        if len(self._others) > MANY_CASED:  # a pattern per cell would cost more than one of every name
            if self._everything is None:
                self._everything = _alternation(_longest_first(self.names))
            return _substitute(self._everything, text)
        flat = _WHITE.sub("", text)
        plain = self._plain
        found = _longest_first({n for i in range(len(flat) - 1) for n in plain.get(flat[i:i + 2], ()) if n in flat})
        if self._others or (found and flat != text):
            return _substitute(_alternation(_longest_first((*found, *self._others))), text)
        if not found:
            return None
        # no white space and only names without letter case: what the pattern would do, without one.
        # At each place a name starts, the longest (first in `found`) is taken, left to right
        starts: dict[int, str] = {}
        for name in reversed(found):
            at = text.find(name)
            while at != -1:
                starts[at] = name
                at = text.find(name, at + 1)
        out, done = [], 0
        for at in sorted(starts):
            if at >= done:
                out += [text[done:at], mask_name(starts[at])]
                done = at + len(starts[at])
        out.append(text[done:])
        return "".join(out)

    def _holds_secret_number(self, digits: str) -> bool:
        """Whether `digits` hold a secret number as long as a telephone number (MIN_SECRET_DIGITS): each
        piece of such a length is looked up, not each of a register's thousands of numbers searched for."""
        numbers = self.numbers
        return any(digits[i:i + k] in numbers for k in self._number_lengths for i in range(len(digits) - k + 1))

    def _number(self, m: re.Match, short: bool = True) -> str:
        written = m.group(0)
        digits = re.sub(r"\D", "", written)
        if self._holds_secret_number(digits) or _PHONE.fullmatch(digits) or _CUED.search(m.string, 0, m.start()):
            return mask_phone(digits)
        if not short:
            return written
        if digits in self.numbers:  # a shorter secret (a QQ number) written with a dash or a space: 654-321
            return mask_phone(digits)
        # or as one of the number's parts (QQ654321 8月): that part alone
        return _DIGIT_RUN.sub(lambda part: mask_phone(part.group(0)) if part.group(0) in self.numbers else part.group(0),
                              written)

    def _dotted(self, m: re.Match, short: bool = True) -> str:
        """A dotted number whose digits are a secret telephone number, or written as a shorter secret
        was (654.321; not 6543.21元, an amount with the same digits): masked as one number. Not one
        merely holding a secret's digits: joined across every dot, an address 176.54.32.10 holds a
        landline's 7654321."""
        written = m.group(0)
        digits = self._dotted_secret(written)
        if digits is None or (not short and len(digits) < MIN_SECRET_DIGITS):
            return written
        return mask_phone(digits)

    def _dotted_secret(self, written: str) -> str | None:
        """The digits of a dotted number that is a contact (see _dotted), else None."""
        digits = written.replace(".", "").lstrip("-")
        if written in self.dotted or (len(digits) >= MIN_SECRET_DIGITS and digits in self.numbers):
            return digits
        return None

    def secret_decimal(self, value: float) -> str | None:
        """A number typed with a decimal point that is a secret written with dots (QQ 654.321), masked;
        else None (an amount keeps its value, whatever digits it shares with a contact)."""
        digits = self._dotted_secret(str(value))
        return None if digits is None else mask_phone(digits)

    def whole_name(self, text: str) -> bool:
        """The cell is nothing but a secret name (钟晓梅), not a text a name is a word of."""
        return _WHITE.sub("", _nfkc(text)) in self.names

    def _tiny(self, m: re.Match) -> str:
        if m.group(0) not in self.tiny:
            return m.group(0)
        text, start, end = m.string, m.start(), m.end()
        before, after = text[max(0, start - 20):start], text[end:end + 20]
        if m.group(0) not in self.alone and ((before.endswith("*") and before.rstrip("*")[-1:].isdigit()) or
                                             (after.startswith("*") and after.lstrip("*")[:1].isdigit())):
            return m.group(0)  # the digits a masked number shows (138****5678), not an extension (转8012)
        return mask_phone(m.group(0))

    def __call__(self, value, short: bool = True, names: bool = True):
        """`value` with the secrets masked; `short` False: not the numbers shorter than a telephone
        number (a 线索编号 keeps XF-00001 whatever a contact's digits, see BookKind.verbatim);
        `names` False: only the numbers (a column's heading, see seal)."""
        if not isinstance(value, str) or not value:
            return value
        text = _nfkc(value)
        # a cell that is one of `keep` names no one, though a name may be part of it; numbers are still masked
        kept = not names or (bool(self.keep) and _WHITE.sub("", text) in self.keep)
        masked = self._mask_names(text) if self.names and not kept else None
        if masked is not None:
            value = text = masked
        if "." in text and _DOTTED.search(text):
            masked = _DOTTED.sub(functools.partial(self._dotted, short=short), text)
            if masked != text:
                value = text = masked
        if _ANY_NUMBER.search(text):
            masked = _ANY_NUMBER.sub(functools.partial(self._number, short=short), text)
            if masked != text:
                value = text = masked
        if short and self.tiny and _TINY_NUMBER.search(text):
            masked = _TINY_NUMBER.sub(self._tiny, text)
            if masked != text:
                value = masked
        return value


# around what a survey column asks for (as header_key gives it: NFKC, no spaces): a question number
# (1、 Q2. （3） 一、 1.1 第1题), the asking words (请留下您的真实), a remark and the question mark ((方便回访)？)
_QUESTION_NUMBER = re.compile(r"^(?:第?[0-9一二三四五六七八九十]+(?:\.[0-9]+)*题?|[Qq][0-9]+|[(][0-9一二三四五六七八九十]+[)])[.、,:)]?")
_ASKING = re.compile(r"^(?:请(?:留下|填写|输入|提供|写下)?)?[您你]?的?(?:真实)?")
_REMARK = re.compile(r"(?:[(][^()]*[)])?[?:.!。]*$")


def asked_label(header, headers: dict[str, str]) -> str | None:
    """The confidential label of a column headed as one of `headers` (header_key → label): as
    written (姓名, 手机号码：), or asked as a survey question (1、您的姓名？ 请留下您的联系电话（方便回访）)."""
    key = header_key(header) if isinstance(header, str) else ""
    if not key or key in headers:
        return headers.get(key)
    return headers.get(_REMARK.sub("", _ASKING.sub("", _QUESTION_NUMBER.sub("", key))))


REPORTED = "被反映"  # 被反映人 is who a clue is about, not who gave it (反映人 is an alias of 举报人)


def secret_columns(sheet: dict, grid: dict, labels: tuple[str, ...], spellings: dict[str, str],
                   headers: dict[str, str] | None = None) -> dict[int, str]:
    """Column → confidential label, for every column of the header row that holds one: as read (the
    label or an alias), any header that contains a spelling of one (举报人（保密）, a second 来电人
    column), any header `headers` names (asked_label: a survey tool's 姓名, or 1、您的姓名 asked as a
    question; a question about a 电话 is none), each as header_key sees it (*姓名, 手机号码：), and every
    column a merged header cell of one spans (across, or down from the row above). A column so headed
    but not read would otherwise show its names and numbers in the book's own 回执."""
    header_row = sheet["header_row"]
    found = {c: label for label, c in sheet["columns"].items() if label in labels}
    if header_row is None or header_row >= len(grid["rows"]):
        return found

    def label_of(value) -> str | None:
        key = header_key(value) if isinstance(value, str) else ""
        if not key or REPORTED in key:
            return None
        asked = asked_label(key, headers) if headers else None
        return asked or next((label for spelling, label in spellings.items() if spelling and spelling in key), None)

    rows = grid["rows"]
    header = list(rows[header_row])
    spans = []
    for (a_r, a_c), (b_r, b_c) in grid["merged"]:
        if a_r <= header_row <= b_r and b_c - a_c < 200:
            spans.append((a_c, b_c))
            top = rows[a_r][a_c] if a_r < len(rows) and a_c < len(rows[a_r]) else None
            header.extend([None] * (b_c + 1 - len(header)))
            for c in range(a_c, b_c + 1):  # a header merged down from the row above, or across
                if header[c] is None or header[c] == "":
                    header[c] = top
    for c, value in enumerate(header):
        label = label_of(value)
        if label and c not in found:
            found[c] = label
    for a_c, b_c in spans:
        if a_c in found:
            for c in range(a_c + 1, b_c + 1):
                found.setdefault(c, found[a_c])
    return found


MAX_HEADINGS = 200  # the columns a sheet is read to (readers.MAX_COLUMNS)
MERGED_LOOKED = 100_000  # header cells of merged ranges looked at, at most (as feedback.MERGED_CELLS)


def _covered(merged, row: int) -> set[int]:
    """The columns of `row` whose cell a merged range covers (all but its top-left cell)."""
    covered: set[int] = set()
    looked = 0
    for (a_r, a_c), (b_r, b_c) in merged:
        if a_r <= row <= b_r and a_c < MAX_HEADINGS:
            last = min(b_c, MAX_HEADINGS - 1)
            looked += last - a_c + 1
            if looked > MERGED_LOOKED or len(covered) >= MAX_HEADINGS:
                return set(range(MAX_HEADINGS))  # a hostile file's countless ranges: every cell masked in full
            covered.update(c for c in range(a_c, last + 1) if (row, c) != (a_r, a_c))
    return covered


def seal(book: dict, sheets: dict[str, dict], labels: tuple[str, ...], keep=(), spellings: dict[str, str] | None = None,
         headers: dict[str, str] | None = None, verbatim=(), headings: frozenset[str] = frozenset(),
         questions: dict[str, set[int]] | None = None) -> None:
    """Drop the confidential columns from every sheet's table, mask them in the kept grids, and scrub
    their values (and any phone-like number) from all other text of the book, problems included;
    a cell that is exactly one of `keep` (vocabularies, registered names) is left as it is, and the
    `verbatim` columns (a clue's number: what the office assigns) keep the numbers shorter than a
    telephone number. `spellings`, `headers`: how a confidential column may be headed (secret_columns).
    A column's heading is the form's, not what anyone typed about a person: in it only numbers are
    masked, not names (a respondent nicknamed 服务 is no reason to show the question
    您对该单位工作人员服务态度是否满意 as 服**态度). A heading is a header-row cell that is one the
    schema knows (`headings`, as header_key gives them), or heads a column read as a survey's
    question (`questions`, by sheet name); never a cell a merged range covers (what it holds is
    hidden from the unit, but kept in the file), nor one that is nothing but a secret name."""
    if not labels:
        return
    spellings = {label: label for label in labels} if spellings is None else spellings
    secrets = [value for sheet in sheets.values() for label in labels for value in sheet["table"].get(label, ())]
    grids = book.get("grids", {})
    hidden: dict[str, dict[int, str]] = {}
    for sheet in sheets.values():
        grid = grids.get(sheet["name"])
        if grid is None or sheet["header_row"] is None:
            continue
        hidden[sheet["name"]] = secret_columns(sheet, grid, labels, spellings, headers)
        for c in hidden[sheet["name"]]:
            for row in grid["rows"][sheet["header_row"] + 1:]:
                if c < len(row):
                    secrets.append(row[c])
    scrub = Scrubber(secrets, keep)
    for sheet in sheets.values():
        table = sheet["table"]
        for label in labels:
            table.pop(label, None)
        light = {*verbatim, "_key"} if verbatim else set()  # _key: the verbatim number's matching key
        for key, values in table.items():
            short = key not in light
            table[key] = [scrub(v, short) if isinstance(v, str) else v for v in values]
        grid = grids.get(sheet["name"])
        if grid is None:
            continue
        masked = hidden.get(sheet["name"], {})
        kept = {sheet["columns"][label] for label in verbatim if label in sheet["columns"]}
        head = sheet["header_row"]
        covered = _covered(grid.get("merged", ()), head)
        asked = (questions or {}).get(sheet["name"], set())
        for r, row in enumerate(grid["rows"]):
            for c, value in enumerate(row):
                if c in masked and r > head:
                    row[c] = mask_value(masked[c], value)
                elif isinstance(value, str):
                    heading = (r == head and c not in masked and c not in covered
                               and (c in asked or header_key(value) in headings) and not scrub.whole_name(value))
                    row[c] = scrub(value, not (c in kept and r > head), names=not heading)
                elif isinstance(value, (int, float)) and not isinstance(value, bool) and abs(value) >= 1e4:
                    # a number typed as one: from five digits it may be a secret (a QQ number) or a phone
                    row[c] = scrub(str(int(value)) if float(value).is_integer() else str(value))
                elif isinstance(value, float) and value == value and not value.is_integer():
                    masked_number = scrub.secret_decimal(value)  # a QQ number 654.321 typed as a number
                    if masked_number is not None:
                        row[c] = masked_number
    for p in book.get("problems", []):
        for key in ("value", "message", "hint", "column"):
            p[key] = scrub(p[key])
