"""The rows of a bulk file as products of the one model: one row, one variant.

A row's product has the row's Variant ID as its handle (the key its issues and its verdict go by), the
Product ID in `raw`, the new title, and one variant with the new SKU, quantity and price. The rules here
are the ones only rows have: row length, empty cells, and the cell formats of quantity and price, which
are the full CSV's own cell rules (`validators.cells.FULL_CELL_RULES`).
"""

from __future__ import annotations

from dataclasses import replace

from catalog.domain.bulk import PRICE, QTY, SKU, TITLE, VARIANT_ID
from catalog.domain.issues import Issue
from catalog.domain.model import Product, Variant
from catalog.domain.report import Table
from catalog.domain.rules import issue
from catalog.readers.full_csv.rows import Row, table_rows
from validators.cells import FULL_CELL_RULES, INT_RE, first_cell_issue, parse_price

# The bulk file's cells judged by the full CSV's rules of the same meaning.
CELL_RULES = {QTY: FULL_CELL_RULES["Variant Inventory Qty"], PRICE: FULL_CELL_RULES["Variant Price"]}
REQUIRED = (TITLE, QTY, PRICE)
_FIELD = {QTY: "inventory_qty", PRICE: "price"}


def row_key(row: Row) -> str:
    """What a row's issues and verdict go by: its Variant ID as written, or its row for an empty one."""
    return row.get(VARIANT_ID).strip() or f"(ligne {row.number})"


def build_product(row: Row) -> Product:
    qty, price = row.get(QTY).strip(), row.get(PRICE).strip()
    key = row_key(row)
    variant = Variant(
        row=row.number, sku=row.get(SKU).strip(),
        inventory_qty=int(qty) if INT_RE.fullmatch(qty) else None,
        price=parse_price(price) if price else None,
        variant_id=key, raw=dict(row.cells),
    )
    return Product(handle=key, rows=[row.number], title=row.get(TITLE).strip(), variants=[variant],
                   source_kind="bulk", raw=dict(row.cells))


def cell_issues(row: Row, product: Product) -> list[Issue]:
    """Empty required cells, then the format of quantity and price."""
    found: list[Issue] = []
    for column in REQUIRED:
        if not row.get(column).strip():
            found.append(issue("field.required", row=row.number, column=column, product=product.handle, value=""))
    for column, rules in CELL_RULES.items():
        value = row.get(column)
        if value.strip():
            failed = first_cell_issue(rules, value, at=product.at(_FIELD[column], product.variants[0]),
                                      product=product.handle)
            if failed is not None:
                found.append(failed)
    return found


def bulk_rows(table: Table) -> tuple[list[Row], dict[int, Issue]]:
    """The rows as column → cell maps, and the row-length error of each row that has one (keyed by row)."""
    rows, found = table_rows(table)
    keys = {row.number: row_key(row) for row in rows}
    return rows, {i.row: replace(i, product=keys[i.row]) for i in found if i.row is not None}

