"""The three sheets units fill, each a pandera model: the one source of labels, types and help."""
from .ledgers import Inspection, MonthlyReport, Rectification, SHEETS, ColumnSpec, columns, spec_by_label

__all__ = ["Inspection", "Rectification", "MonthlyReport", "SHEETS", "ColumnSpec", "columns", "spec_by_label"]
