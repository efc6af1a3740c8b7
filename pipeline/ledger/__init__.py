"""Ledger: 销号 items from the inspection and rectification ledgers, unit rollup and ranking."""
