"""Rendering a report: JSON, annotated CSV, corrected CSV, HTML, email."""
