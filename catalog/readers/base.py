"""What every reader returns: the file-level issues, then the products with what the reader found on each."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from catalog.domain.issues import Issue
from catalog.domain.model import Product
from catalog.domain.report import Table
from validators.cells import CellRecord

# A product as read, with the issues only its input could show (its rows' length, a feed item's fields…).
ReadProduct = tuple[Product, list[Issue]]


@dataclass(slots=True)
class Reading:
    """One input read: `issues` reject it as a whole when one is an error; else `products` come one by one.

    `products` may be a generator: the engine consumes it once, in input order.
    """

    kind: str
    source: str
    issues: list[Issue] = field(default_factory=list)
    products: Iterable[ReadProduct] = ()
    row_count: int = 0
    table: Table | None = None
    # The full CSV's cells for the tabular contract (pandera), checked once over the whole table.
    cell_records: list[CellRecord] = field(default_factory=list)

    @property
    def streamed(self) -> bool:
        """Whether the engine judges each product as it comes (a feed) rather than the input whole (a CSV)."""
        return not self.cell_records

    @property
    def rejected(self) -> bool:
        return any(i.is_error and i.is_file_level for i in self.issues)

    def corrections(self, products: Sequence[Product], type_fixes: Mapping[str, str]) -> dict[tuple[int, str], str]:
        """The input's cells after the safe fixes (applied in the annotated file); none where the input has no cells."""
        return {}
