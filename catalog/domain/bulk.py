"""The bulk file against the catalog: what the store knows of the variants a file names, and the edits to apply.

A bulk row is one variant: the reader makes it a product of the one model whose handle is the row's
Variant ID, with its Product ID in `raw`. The store fills a `BulkCatalog` (read inside the submit's
transaction, so the old values are the ones the edit replaces); the checks compare each row with it;
`bulk_edits` turns the accepted rows of a report into what the store applies.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from catalog.domain.report import Report

PRODUCT_ID, VARIANT_ID = "Product ID", "Variant ID"
TITLE, SKU, QTY, PRICE = "Product Title", "Variant SKU", "Variant Qty", "Variant Price"
EDITABLE = (TITLE, SKU, QTY, PRICE)
HELD_CODE = "price.suspicious_change"
DEFAULT_PRICE_FACTOR = Decimal(3)


@dataclass(frozen=True, slots=True)
class LiveVariant:
    """A variant as the marketplace shows it now: its owner, its product's live title and its offer."""

    variant_id: int
    product_id: int
    seller_id: str
    handle: str
    title: str
    sku: str
    price: Decimal | None
    qty: int | None
    position: int = 0
    created: date | None = None


@dataclass(slots=True)
class BulkCatalog:
    """What a bulk file is checked against: the variants it names (any seller's) and the seller's SKUs."""

    seller_id: str
    variants: dict[int, LiveVariant] = field(default_factory=dict)
    skus: dict[str, str] = field(default_factory=dict)  # SKU -> the seller's variant id (as the file writes it)
    price_factor: Decimal = DEFAULT_PRICE_FACTOR


@dataclass(frozen=True, slots=True)
class ExportRow:
    """One row of the export: a live variant's ids and values, in the file's six columns."""

    product_id: int
    variant_id: int
    title: str
    sku: str
    qty: int | None
    price: Decimal | None

    def cells(self) -> list[str]:
        return [str(self.product_id), str(self.variant_id), self.title, self.sku,
                "" if self.qty is None else str(self.qty), "" if self.price is None else str(self.price)]


@dataclass(frozen=True, slots=True)
class BulkEdit:
    """One accepted row's changes: what is applied at once, and what waits for moderation."""

    variant_id: int
    product_id: int
    row: int
    sku: str | None = None
    qty: int | None = None
    price: Decimal | None = None  # applied on submit
    held_price: Decimal | None = None  # held for review (`price` moderation item)
    title: str | None = None  # staged as a moderation update

    @property
    def applies_now(self) -> bool:
        return self.sku is not None or self.qty is not None or self.price is not None


def bulk_edits(report: Report) -> list[BulkEdit]:
    """The edits of a checked bulk report's accepted variants that change something, in file order."""
    if report.file_rejected:
        return []
    edits: list[BulkEdit] = []
    for result in report.accepted:
        product, changes = result.product, result.changes
        if product is None or not changes or not product.variants or result.variant_id is None:
            continue
        variant = product.variants[0]
        held = HELD_CODE in result.codes
        price = variant.price if PRICE in changes else None
        edits.append(BulkEdit(
            variant_id=int(result.variant_id), product_id=int(product.raw[PRODUCT_ID].strip()),
            row=result.rows[0],
            sku=variant.sku if SKU in changes else None,
            qty=variant.inventory_qty if QTY in changes else None,
            price=None if held else price,
            held_price=price if held else None,
            title=product.title if TITLE in changes else None,
        ))
    return edits
