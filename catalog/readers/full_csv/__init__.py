"""The full product CSV: the table as read, then its rows as products of the one model."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from catalog.domain.model import Product
from catalog.domain.report import Table
from catalog.readers.base import Reading, ReadProduct
from catalog.readers.full_csv import corrections, rows
from catalog.readers.full_csv.rows import Row, RowGroup


@dataclass(slots=True)
class FullCsvReading(Reading):
    rows: list[Row] = field(default_factory=list)

    def corrections(self, products: Sequence[Product], type_fixes: Mapping[str, str]) -> dict[tuple[int, str], str]:
        fixes = corrections.safe_corrections(self.rows, list(products), type_fixes)
        for product in products:
            corrections.apply_corrections(product, fixes)
        return fixes


def _products(groups: list[RowGroup]) -> Iterator[ReadProduct]:
    for group in groups:
        if not group.handle:
            yield Product(handle="", rows=[r.number for r in group.rows]), []
            continue
        product = rows.build_product(group)
        found = rows.required_issues(group, product)
        found += rows.variant_row_issues(group)
        found += rows.option_row_issues(group, product)
        yield product, found


def read_full_table(table: Table, *, source: str) -> FullCsvReading:
    """A full CSV whose file-level checks passed, as products (rows without a Handle as products without one)."""
    table_rows, found = rows.table_rows(table)
    broken = {i.row for i in found if i.row is not None}
    groups, grouping = rows.group_rows(table_rows)
    return FullCsvReading(
        kind="full", source=source, issues=found + grouping, products=_products(groups),
        row_count=len(table_rows), table=table, cell_records=rows.cell_records(table_rows, broken), rows=table_rows,
    )
