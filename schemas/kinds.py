"""The kinds of workbook the inbox holds, each recognised by its sheets and read by its models.

To add a kind (e.g. a survey export with sheet 问卷): write its pandera model, add one BookKind
below and put it in KINDS before the default kind. Intake, validation and 回执 follow from here.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import pandera.pandas as pa

from .clues import Clue
from .commitments import Commitment
from .ledgers import Inspection, MonthlyReport, Rectification
from .survey import RESPONDENT, RESPONDENT_HEADERS, RESPONDENT_PHONE, SurveyResponse

UNIT = "unit"      # the book belongs to the reporting unit named in it (template marker, 填报单位, file name)
OFFICE = "office"  # the book belongs to the district office itself (shown under a configured name)


@dataclass(frozen=True)
class BookKind:
    name: str                                    # what staff call it, used in messages
    sheets: dict[str, type[pa.DataFrameModel]]   # sheet label → model, in reading order
    signature: tuple[str, ...] = ()              # a sheet so named makes a workbook this kind; () = the default
    optional: frozenset[str] = field(default_factory=frozenset)  # sheets whose absence is no query
    owner: str = UNIT
    confidential: tuple[str, ...] = ()           # columns dropped at intake; their values scrubbed everywhere
    secret_headers: tuple[tuple[str, str], ...] = ()  # (header, confidential label): columns outside the model
    # that are confidential all the same (a survey tool's 姓名, 手机号; confidential.asked_label)
    verbatim: tuple[str, ...] = ()               # columns scrubbed of names and telephone numbers only: what the
    # office assigns (a clue's number); a contact 00001 made XF-00001 and XF-00101 (contact 00101) one clue
    open_columns: bool = False                   # columns beyond the model are data (survey questions), not queried
    cumulative: bool = False                     # every accepted file counts (已采用), not only the latest


LEDGER = BookKind(
    "专项治理台账",
    {"检查台账": Inspection, "整改台账": Rectification, "月报表": MonthlyReport, "承诺书": Commitment},
    optional=frozenset({"承诺书"}),
)
REGISTER = BookKind(
    "信访举报登记表", {"信访举报": Clue}, signature=("信访举报",), owner=OFFICE, confidential=("举报人", "联系方式"),
    verbatim=("线索编号",),
)

# checked in order: the first kind one of whose signature sheets the workbook holds; the default last
SURVEY = BookKind(
    "问卷调查", {"问卷": SurveyResponse}, signature=("问卷",), owner=OFFICE, open_columns=True, cumulative=True,
    confidential=(RESPONDENT, RESPONDENT_PHONE), secret_headers=tuple(RESPONDENT_HEADERS.items()),
)
KINDS: tuple[BookKind, ...] = (REGISTER, SURVEY, LEDGER)
MODELS: dict[str, type[pa.DataFrameModel]] = {label: model for kind in KINDS for label, model in kind.sheets.items()}
KIND_BY_NAME: dict[str, BookKind] = {kind.name: kind for kind in KINDS}
