"""Read and check a 问卷 export: answers on the satisfaction scale, the rated unit in the registry.

The worker part (`read_answers`) is plain Python like parse.py: it finds the question columns
among the sheet's dynamic columns, tallies each respondent's answers and queries an answer off
the scale. The rest runs in ingest on the month's frame: the rated unit must be a registered
unit or one of its grassroots units (counted for its reporting unit).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import re

from ..problems import problem
from .confidential import asked_label
from .table import rows_of
from ..textnorm import clean_text, header_key, squeeze

SHEET = "问卷"
KIND = "问卷调查"   # the kind's name in schemas/kinds.py; also the manifest 单位 of a survey file
FIXED = ("被评价单位", "调查日期")
QUESTION_WORDS = ("满意", "评价", "评分", "打分")
COUNTS = ["单位", "满意数", "答案数"]


def scale_context() -> dict:
    """The answer scale as plain data for the reader workers (parse.read_context): importing schemas
    there would load pandera into every worker, a second's start for the first survey it reads."""
    from schemas.survey import ANSWER_NUMBERS, CONTENT, NOT_QUESTIONS, SCALE, SUBMITTED

    return {"scale": dict(SCALE), "content": sorted(CONTENT), "not_questions": sorted(NOT_QUESTIONS),
            "answer_numbers": sorted(ANSWER_NUMBERS), "submitted": sorted(SUBMITTED)}


def on_scale(value, scale: dict) -> str | None:
    """满意 / 基本满意 / 不满意 for an answer as typed (5, 5.0, '５', '5分', ' 满意 '), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return scale.get(str(int(value))) if float(value).is_integer() else None
    text = squeeze(value)
    if text.endswith("分") and text[:-1].isdigit():
        text = text[:-1]
    return scale.get(text)


def _whole(value) -> bool:
    """A whole number as typed (6, 0, '１０', '6分'): a score, even when off the 1–5 scale."""
    if isinstance(value, bool):
        return False
    if isinstance(value, (int, float)):
        return float(value).is_integer()
    text = squeeze(value)
    return text.removesuffix("分").isdigit()


def _text(value) -> str:
    if isinstance(value, dt.datetime) and value.time() != dt.time(0):
        return value.isoformat(sep=" ", timespec="seconds")  # a submission time tells respondents apart
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()[:10]
    return clean_text(value)


def read_answers(grid: list[list], header_row: int, colmap: dict[str, int], table: dict[str, list], file: str,
                 sheet_name: str, problems: list, answers: dict, respondent: dict[str, str]) -> set[int]:
    """Tally each respondent row's answers into the sheet's table; an answer off the scale is a 疑问 at
    its cell. `answers`: the scale as scale_context gives it; `respondent`: how the columns of who
    answered are headed (the kind's secret headers, by header_key), never scored. Returns the
    columns read as questions."""
    scale, content = answers["scale"], set(answers["content"])
    not_questions = {header_key(x) for x in answers["not_questions"]}
    fixed = set(colmap.values())
    header = grid[header_row]
    others = [(c, clean_text(v)) for c, v in enumerate(header) if c not in fixed and clean_text(v)]
    rows = [grid[r] for r in table["_row"]]

    def cell(row, c):
        return row[c] if c < len(row) else None

    questions = []
    for c, label in others:
        if header_key(label) in not_questions or asked_label(label, respondent):
            continue  # a column the tool adds, or who answered (1、您的姓名): never scored
        typed = [cell(row, c) for row in rows if _text(cell(row, c))]
        # a column is a question when its label asks for satisfaction, or when most of its answers are on the
        # scale or whole numbers (a score of 0 or 6 is a query), not a timestamp or free text
        scale_like = sum(on_scale(v, scale) is not None or _whole(v) for v in typed)
        if typed and (any(word in squeeze(label) for word in QUESTION_WORDS) or 2 * scale_like >= len(typed)):
            questions.append((c, label))
    numbers, submitted = ({header_key(x) for x in answers[key]} for key in ("answer_numbers", "submitted"))
    numbered = [c for c, label in others if header_key(label) in numbers]
    timed = [c for c, label in others if header_key(label) in submitted]
    every = sorted([(c, lab) for lab, c in colmap.items()] + others, key=lambda x: x[1])
    first_of: dict[int, int] = {}
    table["满意数"], table["答案数"], table["_key"] = [], [], []
    for r, row in zip(table["_row"], rows):
        # the whole row as typed tells one respondent from another (the tool's 序号 and 提交时间 included),
        # kept as a hash: the parse cache holds no respondent's name or number as written
        key = int.from_bytes(hashlib.blake2b("\x1f".join(f"{label}={_text(cell(row, c))}" for c, label in every)
                                             .encode("utf-8", "surrogatepass"), digest_size=8).digest(), "big", signed=True)
        earlier = first_of.setdefault(key, r)
        at = _answer_sheet_mark(row, numbered, timed) if earlier != r else None
        if at is not None:  # the same answer sheet exported twice into one file: counted once
            problems.append(problem("survey_duplicate_row", file=file, sheet=sheet_name, row=r, col=at,
                                    column=dict(others)[at], value=cell(row, at), detail=f"与第{earlier + 1}行相同"))
            table["满意数"].append(0)
            table["答案数"].append(0)
            table["_key"].append(key)
            continue
        satisfied = answered = 0
        for c, label in questions:
            value = cell(row, c)
            if not _text(value):
                continue
            answer = on_scale(value, scale)
            if answer is None:
                problems.append(problem("survey_answer_off_scale", file=file, sheet=sheet_name, row=r, col=c,
                                        column=label, value=value))
                continue
            answered += 1
            satisfied += answer in content
        table["满意数"].append(satisfied)
        table["答案数"].append(answered)
        table["_key"].append(key)
    return {c for c, _ in questions}


_TO_THE_SECOND = re.compile(r"\d:\d{2}:(?!00)\d{2}")  # a time with its seconds (a minute's :00 tells no one apart)


def _answer_sheet_mark(row: list, numbered: list[int], timed: list[int]) -> int | None:
    """The column of what tells this row's answer sheet from any other: its answer number, else its
    submission time to the second; None when it has neither (two such rows alike are two people)."""
    def text(c):
        return _text(row[c] if c < len(row) else None)

    marks = [c for c in numbered if text(c)] + [c for c in timed if _TO_THE_SECOND.search(text(c))]
    return marks[0] if marks else None


def respondents(books: dict[str, dict], received: dict[str, dt.date], config):
    """One row per respondent of every survey book: META, the fixed columns, the reporting unit, the tallies."""
    import pandas as pd  # not at the top: the reader workers import this module and never need pandas

    # names as people type them: full-width, stray spaces inside (西华 街道), aliases, grassroots units
    names = {squeeze(k): v for k, v in config.name_index().items()}
    owner = {squeeze(k): v for k, v in config.grassroots_owner().items()}
    rows = []
    for file in sorted(books):
        found = books[file]["sheets"].get(SHEET) if books[file].get("kind", KIND) == KIND else None
        for rec in rows_of(found):
            rated = squeeze(rec.get("被评价单位"))
            rows.append({"_file": file, "_unit": books[file].get("unit"), "_received": pd.Timestamp(received[file]),
                         "_row": rec["_row"], "_key": rec.get("_key"), "被评价单位": rec.get("被评价单位"),
                         "调查日期": rec.get("调查日期"), "单位": owner.get(rated) or names.get(rated),
                         "满意数": rec.get("满意数", 0), "答案数": rec.get("答案数", 0)})
    frame = pd.DataFrame(rows, columns=["_file", "_unit", "_received", "_row", "_key", *FIXED, *COUNTS])
    frame["调查日期"] = pd.to_datetime(frame["调查日期"], errors="coerce")
    return frame


def survey_problems(frame, books: dict) -> list[dict]:
    """错误 at each 被评价单位 cell naming no registered unit nor grassroots unit."""
    found = []
    unknown = frame[frame["被评价单位"].notna() & frame["单位"].isna()]
    for rec in unknown.to_dict("records"):
        sheet = books[rec["_file"]]["sheets"][SHEET]
        found.append(problem("survey_unit_unknown", file=rec["_file"], sheet=sheet["name"], row=int(rec["_row"]),
                             col=sheet["columns"].get("被评价单位"), column="被评价单位", value=rec["被评价单位"]))
    return found
