"""The bulk file's rules across rows and against the catalog: ownership, one row per variant, one new title
per product, what each row changes, and prices that move too far.

Values in, issues out: the catalog comes as a `BulkCatalog` the store filled. Only what a row changes is
judged against the catalog: a live title or SKU the row leaves as it is raises nothing (it was accepted
when it went live), so a whole re-sent export with three edits speaks of those three edits.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from catalog.domain.bulk import EDITABLE, PRICE, PRODUCT_ID, QTY, SKU, TITLE, BulkCatalog, LiveVariant
from catalog.domain.issues import Issue
from catalog.domain.location import Location
from catalog.domain.model import Product
from catalog.domain.rules import issue
from validators.cells import INT_RE
from validators.products import SkuRegistry

Changes = dict[str, list[str]]


def _price_text(value: Decimal | None) -> str:
    return "" if value is None else str(value)


def is_suspicious(old: Decimal | None, new: Decimal | None, factor: Decimal) -> bool:
    """A price multiplied or divided by more than `factor` (both prices known and positive)."""
    if old is None or new is None or old <= 0 or new <= 0:
        return False
    return new > old * factor or new * factor < old


def row_changes(product: Product, live: LiveVariant) -> Changes:
    """Column → [old, new] for each editable cell of the row that differs from the live variant.

    A cell that does not parse (its own rule says why) is compared as text, so it shows as a change.
    """
    variant = product.variants[0]
    cells = variant.raw
    changes: Changes = {}
    if product.title != live.title:
        changes[TITLE] = [live.title, product.title]
    if variant.sku != live.sku:
        changes[SKU] = [live.sku, variant.sku]
    qty_cell = cells.get(QTY, "").strip()
    if (variant.inventory_qty if variant.inventory_qty is not None else qty_cell) != live.qty:
        changes[QTY] = ["" if live.qty is None else str(live.qty), qty_cell]
    price_cell = cells.get(PRICE, "").strip()
    if (variant.price if variant.price is not None else price_cell) != live.price:
        changes[PRICE] = [_price_text(live.price), price_cell]
    return changes


@dataclass(slots=True)
class _TitleRequest:
    title: str
    row: int


class BulkChecker:
    """The rules only a bulk file has, row after row; `changes` keeps what each known row would change.

    Without a catalog (a dry run with no seller) only the rules within the file run.
    """

    def __init__(self, catalog: BulkCatalog | None, rows: Sequence[Product]) -> None:
        self.catalog = catalog
        self.changes: dict[str, Changes] = {}
        rows_of: dict[str, list[int]] = {}
        for p in rows:
            rows_of.setdefault(p.handle, []).append(p.first_row or 0)
        self._repeated = {key: numbers for key, numbers in rows_of.items() if len(numbers) > 1}
        self._titles: dict[int, _TitleRequest] = {}
        # SKUs: a row that keeps its variant's SKU is not judged; one that changes it must not take a SKU
        # another variant keeps (in the file or the catalog), and frees its old one (two rows may swap).
        self._sku_changers = {p.handle for p in rows if self._sku_changed(p)} if catalog is not None else None
        self.skus = SkuRegistry(catalog.skus if catalog is not None else {},
                                self._sku_changers if self._sku_changers is not None else {p.handle for p in rows})

    def _sku_changed(self, product: Product) -> bool:
        assert self.catalog is not None
        live = self.catalog.variants.get(int(product.handle)) if INT_RE.fullmatch(product.handle) else None
        return live is None or product.variants[0].sku != live.sku

    def check(self, product: Product, found: list[Issue]) -> list[Issue]:
        """`found` (the row's own issues) with the bulk rules added, and what concerns unchanged cells left out.

        A row refused for its ids (repeated, unknown, not the seller's) says only that: nothing else of it
        could apply.
        """
        key = product.handle
        at_id = product.at("handle")
        broken = [i for i in found if i.code == "structure.row_length"]
        if key in self._repeated:
            return [*broken, issue("bulk.variant_repeated", at=at_id, product=key, value=key,
                                   rows=", ".join(map(str, self._repeated[key])))]
        if self.catalog is None:
            return found + self.skus.check(product)
        own = self._owned(product, at_id)
        if isinstance(own, Issue):
            return [*broken, own]
        changes = row_changes(product, own)
        self.changes[key] = changes
        unchanged = {column for column in EDITABLE if column not in changes}
        kept = [i for i in found if i.column not in unchanged]
        if SKU in changes:
            kept += self.skus.check(product)
        if TITLE in changes:
            kept += self._title_conflict(product, own)
        if PRICE in changes and is_suspicious(own.price, product.variants[0].price, self.catalog.price_factor):
            kept.append(issue("price.suspicious_change", at=product.at("price", product.variants[0]), product=key,
                              value=changes[PRICE][1], old=changes[PRICE][0], new=changes[PRICE][1],
                              factor=f"{self.catalog.price_factor.normalize():f}"))
        if not changes:
            kept.append(issue("product.unchanged", at=product.at(None), product=key))
        return kept

    def _owned(self, product: Product, at_id: Location) -> LiveVariant | Issue:
        """The live variant the row names, or the issue saying why the row may not touch it."""
        assert self.catalog is not None
        key = product.handle
        live = self.catalog.variants.get(int(key)) if INT_RE.fullmatch(key) else None
        if live is None:
            return issue("bulk.unknown_variant", at=at_id, product=key, value=key)
        if live.seller_id != self.catalog.seller_id:
            return issue("bulk.not_owner", at=at_id, product=key, value=key)
        product_id = product.raw.get(PRODUCT_ID, "").strip()
        if product_id != str(live.product_id):
            return issue("bulk.product_mismatch", at=product.at("product_id"), product=key, value=product_id,
                         variant=key, product_id=product_id)
        return live

    def _title_conflict(self, product: Product, live: LiveVariant) -> list[Issue]:
        earlier = self._titles.get(live.product_id)
        if earlier is None:
            self._titles[live.product_id] = _TitleRequest(product.title, product.first_row or 0)
            return []
        if earlier.title == product.title:
            return []
        return [issue("bulk.title_conflict", at=product.at("title"), product=product.handle, value=product.title,
                      product_id=str(live.product_id), other=earlier.title, other_row=earlier.row)]

