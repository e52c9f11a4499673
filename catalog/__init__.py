"""Catalog ingestion for the marketplace: the product model, rules, settings and CLI."""

__version__ = "0.1.0"
