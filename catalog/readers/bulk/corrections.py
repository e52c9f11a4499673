"""The corrected copy of a bulk file: the same safe fixes as the full CSV's, on the cells a bulk file has.

Invisible characters and mojibake in the title, `49,90` → `49.90`; the title fix is carried into the model,
so a title staged for moderation is the corrected one.
"""

from __future__ import annotations

from catalog.domain.bulk import PRICE, TITLE
from catalog.domain.model import Product
from catalog.readers.full_csv.rows import Row
from validators.fixes import fix_price
from validators.text import fix_text


def safe_corrections(rows: list[Row]) -> dict[tuple[int, str], str]:
    """(row, column) → corrected cell, for the cells a safe fix changes."""
    fixes: dict[tuple[int, str], str] = {}
    for row in rows:
        for column, fix in ((TITLE, fix_text), (PRICE, fix_price)):
            value = row.get(column)
            if value and fix(value) != value:
                fixes[(row.number, column)] = fix(value)
    return fixes


def apply_corrections(product: Product, fixes: dict[tuple[int, str], str]) -> None:
    row = product.first_row
    if row is not None and (row, TITLE) in fixes:
        product.title = fixes[(row, TITLE)].strip()
