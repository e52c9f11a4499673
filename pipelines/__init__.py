"""Prefect flows and tasks: orchestration only; the work lives in the other packages."""
