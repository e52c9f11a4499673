"""The bulk price / quantity / title file: the table as read, then its rows as one-variant products."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from catalog.domain.issues import Issue
from catalog.domain.model import Product
from catalog.domain.report import Table
from catalog.readers.base import Reading, ReadProduct
from catalog.readers.bulk import corrections
from catalog.readers.bulk.rows import build_product, bulk_rows, cell_issues
from catalog.readers.full_csv.rows import Row


@dataclass(slots=True)
class BulkReading(Reading):
    rows: list[Row] = field(default_factory=list)

    @property
    def streamed(self) -> bool:
        return False  # 2000 rows at most: judged whole, so SKUs may be swapped between two rows

    def corrections(self, products: Sequence[Product], type_fixes: Mapping[str, str]) -> dict[tuple[int, str], str]:
        fixes = corrections.safe_corrections(self.rows)
        for product in products:
            corrections.apply_corrections(product, fixes)
        return fixes


def _products(rows: list[Row], broken: dict[int, Issue]) -> Iterator[ReadProduct]:
    for row in rows:
        product = build_product(row)
        problem = broken.get(row.number)
        # A row of the wrong length: its cells are not trusted, so no cell rule is run on them.
        yield product, [problem] if problem is not None else cell_issues(row, product)


def read_bulk_table(table: Table, *, source: str) -> BulkReading:
    """A bulk file whose file-level checks passed (exact header, row limit), as one product per row."""
    rows, broken = bulk_rows(table)
    return BulkReading(kind="bulk", source=source, products=list(_products(rows, broken)), row_count=len(rows),
                       table=table, rows=rows)
