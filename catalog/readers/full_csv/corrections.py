"""The safe fixes of a full CSV: (row, column) → the cell after the fix, and the same fixes on the model.

Invisible characters removed, mojibake repaired, tags normalised, `49,90` →
`49.90`, `true` → `TRUE`, a Type with a case/accent slip → the exact
collection name, a level 4–6 Type → its assignable ancestor (and the tag with
it). Contact details, out-of-range prices and unknown types are never fixed.
"""

from __future__ import annotations

from collections.abc import Mapping

from catalog.domain.columns import FULL_TEXT_COLUMNS
from catalog.domain.location import Location
from catalog.domain.model import Product, option_field
from catalog.readers.full_csv.rows import Row
from validators.fixes import fix_boolean, fix_price, fix_type_in_tags
from validators.products import normalise_tags
from validators.text import fix_text

PRICE_COLUMNS = ("Variant Price", "Variant Compare At Price")
BOOLEAN_COLUMNS = ("Variant Requires Shipping", "Variant Taxable")


def safe_corrections(rows: list[Row], products: list[Product],
                     type_fixes: Mapping[str, str]) -> dict[tuple[int, str], str]:
    """(row, column) → corrected cell, for the cells a safe fix changes.

    `type_fixes` maps a Handle to the collection its Type safely becomes (a slip, or a level 4–6 name's
    ancestor), as the Type check found it.
    """
    fixes: dict[tuple[int, str], str] = {}

    def put(row: int, column: str, old: str, new: str) -> None:
        if new != old:
            fixes[(row, column)] = new

    for row in rows:
        for column in FULL_TEXT_COLUMNS:
            value = row.get(column)
            if value:
                fixed = fix_text(value)
                put(row.number, column, value, normalise_tags(fixed) if column == "Tags" else fixed)
        for column in PRICE_COLUMNS:
            put(row.number, column, row.get(column), fix_price(row.get(column)))
        for column in BOOLEAN_COLUMNS:
            put(row.number, column, row.get(column), fix_boolean(row.get(column)))
    for product in products:
        row, new_type = product.first_row, type_fixes.get(product.handle)
        if row is None or not new_type:
            continue
        put(row, "Type", product.type, new_type)
        tags = fixes.get((row, "Tags"), product.tags)
        put(row, "Tags", product.tags, fix_type_in_tags(tags, product.type, new_type))
    return fixes


_FIXED_FIELDS = ("title", "body_html", "type", "tags", "policy", "seo_title", "seo_description")


def apply_corrections(product: Product, fixes: Mapping[tuple[int, str], str]) -> None:
    """Carry the safe fixes into the product model, so what is staged is what the annotated file says."""

    def fixed(at: Location, value: str) -> str:
        return fixes.get((at.row, at.column or ""), value) if at.row is not None else value

    if product.first_row is None:
        return
    for name in _FIXED_FIELDS:
        setattr(product, name, fixed(product.at(name), getattr(product, name)))
    product.option_names = tuple(fixed(product.at(option_field("name", i)), name)
                                 for i, name in enumerate(product.option_names))
    for variant in product.variants:
        variant.options = tuple(fixed(product.at(option_field("value", i), variant), value)
                                for i, value in enumerate(variant.options))
    for image in product.images:
        image.alt = fixed(product.at("alt", image), image.alt)
