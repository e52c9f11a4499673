"""Checks: pure functions that take values and return issues."""
