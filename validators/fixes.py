"""The corrected copy: only the fixes of rules.md whose meaning cannot change.

Invisible characters removed, mojibake repaired, tags normalised, `49,90` →
`49.90`, `true` → `TRUE`, a Type with a case/accent slip → the exact
collection name, a level 4–6 Type → its assignable ancestor (and the tag with
it). Contact details, out-of-range prices and unknown types are never fixed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from catalog.domain.columns import FULL_TEXT_COLUMNS, OPTION_NAME_COLUMNS, OPTION_VALUE_COLUMNS
from catalog.domain.model import Product
from validators.products import Row, normalise_tags

_COMMA_PRICE = re.compile(r"(\d+),(\d{1,2})")
PRICE_COLUMNS = ("Variant Price", "Variant Compare At Price")
BOOLEAN_COLUMNS = ("Variant Requires Shipping", "Variant Taxable")


def fix_price(value: str) -> str:
    match = _COMMA_PRICE.fullmatch(value.strip())
    return f"{match[1]}.{match[2]}" if match else value


def fix_boolean(value: str) -> str:
    return value.strip().upper() if value.strip().lower() in {"true", "false"} else value


def fix_type_in_tags(tags: str, old: str, new: str) -> str:
    parts = [t.strip() for t in tags.split(",") if t.strip()]
    if old in parts:
        parts = [new if t == old else t for t in parts]
    elif new not in parts:
        parts.append(new)
    return ",".join(dict.fromkeys(parts))


def safe_corrections(rows: list[Row], products: list[Product],
                     type_fixes: Mapping[str, str]) -> dict[tuple[int, str], str]:
    """(row, column) → corrected cell, for the cells a safe fix changes.

    `type_fixes` maps a Handle to the collection its Type safely becomes (a slip, or a level 4–6 name's
    ancestor), as the Type check found it.
    """
    from validators.text import fix_text

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


_PRODUCT_FIELDS = {"Title": "title", "Body (HTML)": "body_html", "Type": "type", "Tags": "tags",
                   "Product Policy": "policy", "SEO Title": "seo_title", "SEO Description": "seo_description"}


def apply_corrections(product: Product, fixes: dict[tuple[int, str], str]) -> None:
    """Carry the safe fixes into the product model, so what is staged is what the corrected copy says."""
    first = product.first_row
    if first is None:
        return
    for column, attr in _PRODUCT_FIELDS.items():
        if (first, column) in fixes:
            setattr(product, attr, fixes[(first, column)])
    product.option_names = tuple(fixes.get((first, OPTION_NAME_COLUMNS[i]), name)
                                 for i, name in enumerate(product.option_names))
    for variant in product.variants:
        if variant.row is not None:
            variant.options = tuple(fixes.get((variant.row, OPTION_VALUE_COLUMNS[i]), value)
                                    for i, value in enumerate(variant.options))
    for image in product.images:
        if image.row is not None:
            image.alt = fixes.get((image.row, "Image Alt Text"), image.alt)
