"""Intake: find the inbox's files, read them safely, validate them, and answer each with a 回执."""
