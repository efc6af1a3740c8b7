"""Campaign mechanisms beyond the ledgers: commitments, clues, recurrence, plans, milestones, surveys."""
