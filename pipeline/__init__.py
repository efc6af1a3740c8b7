"""Intake, 销号 reconciliation and monthly reporting for the district's 微腐败 campaign."""
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
