"""The bulk export: the seller's live variants in the bulk file's six columns, 2000 rows a file at most.

Written like our other CSVs (`reports.annotated.csv_bytes`): UTF-8 with BOM so that Excel opens the accents
right, commas, CRLF, and formula-like cells neutralised with a leading `'` that our reader drops again.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from catalog.domain.bulk import ExportRow
from catalog.domain.columns import BULK_COLUMNS, BULK_MAX_ROWS
from reports.annotated import csv_bytes, neutralise

EXPORT_STEM = "seller_products_quantity_and_price"


def export_names(count: int, limit: int = BULK_MAX_ROWS) -> list[str]:
    """`seller_products_quantity_and_price.csv`, or `…_1.csv`, `…_2.csv` when the rows need several files."""
    files = max(1, -(-count // limit))
    if files == 1:
        return [f"{EXPORT_STEM}.csv"]
    return [f"{EXPORT_STEM}_{n}.csv" for n in range(1, files + 1)]


def render_export(rows: Sequence[ExportRow]) -> bytes:
    return csv_bytes([list(BULK_COLUMNS), *([neutralise(c) for c in row.cells()] for row in rows)])


def write_export(rows: Sequence[ExportRow], out_dir: Path, limit: int = BULK_MAX_ROWS) -> list[Path]:
    """Write the export files into `out_dir` (created if needed); a seller with no variant gets the header only."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths: list[Path] = []
    for n, name in enumerate(export_names(len(rows), limit)):
        path = out_dir / name
        path.write_bytes(render_export(rows[n * limit:(n + 1) * limit]))
        paths.append(path)
    return paths
