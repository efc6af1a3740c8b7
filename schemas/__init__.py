"""One pandera model per sheet: the one source of labels, types and help; kinds of workbook in kinds.py."""
from .clues import Clue
from .commitments import Commitment
from .kinds import KINDS, LEDGER, MODELS, REGISTER, BookKind
from .ledgers import Inspection, MonthlyReport, Rectification, ColumnSpec, columns, spec_by_label

SHEETS = LEDGER.sheets  # the sheets of a unit's workbook (the template writes them in this order)

__all__ = ["Inspection", "Rectification", "MonthlyReport", "Commitment", "Clue", "SHEETS", "MODELS", "KINDS",
           "LEDGER", "REGISTER", "BookKind", "ColumnSpec", "columns", "spec_by_label"]
