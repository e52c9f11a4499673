"""The full product CSV: the table as read, then its rows as products."""
