"""Publish: the leaders' workbook, the bulletin and reminders, and the CSV files under data/."""
