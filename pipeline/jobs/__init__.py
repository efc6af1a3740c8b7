"""Jobs: one module per command, wiring intake → ledger → campaign → publish."""
