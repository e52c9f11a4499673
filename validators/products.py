"""The rules on a product's structure, whatever the input: options and variants, prices, tags, SKUs."""

from __future__ import annotations

from catalog.domain.issues import Issue
from catalog.domain.location import Location
from catalog.domain.model import Product, Variant, option_field
from catalog.domain.rules import issue

MAX_VARIANTS = 100
MAX_OPTIONS = 3


def option_issues(product: Product) -> list[Issue]:
    """Options named once each, a value for each declared option, every combination once, ≤ 100 variants."""
    handle = product.handle
    names = product.option_names
    first_variant = product.variants[0] if product.variants else None
    found: list[Issue] = []

    def name_column(i: int) -> str:
        return product.at(option_field("name", i)).column or ""

    def inconsistent(at: Location, value: str, fr: str, en: str) -> None:
        found.append(issue("variants.options_inconsistent", at=at, product=handle, value=value,
                           problem_fr=fr, problem_en=en))

    for i, name in enumerate(names):
        if not name:
            inconsistent(product.at(option_field("name", i)), name,
                         f"{name_column(i)} est vide alors que {name_column(i + 1)} est renseigné",
                         f"{name_column(i)} is empty while a later option is named")
    if len({n.lower() for n in names if n}) < len([n for n in names if n]):
        inconsistent(product.at(option_field("name", 0)), names[0], "deux options portent le même nom",
                     "two options have the same name")
    for variant in product.variants:
        for i in range(max(len(variant.options), len(names))):
            value = variant.options[i] if i < len(variant.options) else ""
            declared = names[i] if i < len(names) else ""
            at = product.at(option_field("value", i), variant)
            first_value = first_variant.options[i] if first_variant and i < len(first_variant.options) else ""
            if declared and not value:
                inconsistent(at, first_value, f"l'option « {declared} » n'a pas de valeur",
                             f"option \"{declared}\" has no value")
            elif value and not declared:
                inconsistent(at, first_value, f"une valeur « {value} » sans nom d'option ({name_column(i)})",
                             f"a value \"{value}\" without an option name ({name_column(i)})")
    if len(names) > MAX_OPTIONS:
        found.append(issue("variants.too_many_options", at=product.at(None), product=handle, count=len(names)))
    if len(product.variants) > MAX_VARIANTS:
        found.append(issue("variants.too_many", at=product.at(None), product=handle,
                           count=len(product.variants)))
    seen: dict[tuple[str, ...], Variant] = {}
    for variant in product.variants:
        key = tuple(v.lower() for v in variant.options[: max(len(names), 1)])
        if not any(key) and len(product.variants) == 1:
            continue
        if key in seen:
            shown = " / ".join(v for v in variant.options if v) or "(aucune / none)"
            other = seen[key]
            found.append(issue("variants.duplicate", at=product.at(option_field("value", 0), variant),
                               product=handle, other_row=other.row or other.item or 0, options=shown, value=shown))
        else:
            seen[key] = variant
    return found


def price_issues(product: Product) -> list[Issue]:
    found = []
    for variant in product.variants:
        if variant.price is not None and variant.compare_at_price is not None \
                and variant.compare_at_price <= variant.price:
            found.append(issue("price.compare_at", at=product.at("compare_at_price", variant),
                               product=product.handle, value=str(variant.compare_at_price),
                               compare_at=variant.compare_at_price, price=variant.price))
    return found


def collection_issues(product: Product) -> list[Issue]:
    if not product.collection:
        return []
    return [issue("structure.collection_not_empty", at=product.at("collection"),
                  product=product.handle, value=product.collection)]


MAX_TAG_LENGTH = 40


def normalise_tags(tags: str) -> str:
    """Tags as the marketplace wants them: trimmed, no empty ones, no space after commas."""
    return ",".join(t.strip() for t in tags.split(",") if t.strip())


def tag_issues(product: Product) -> list[Issue]:
    """`tags.format` (fixable) and `taxonomy.tag_mismatch` (Type missing from the tags)."""
    found: list[Issue] = []
    raw = product.tags
    if not raw.strip():
        return found
    parts = raw.split(",")
    fr: list[str] = []
    en: list[str] = []
    if any(p != p.strip() for p in parts):
        fr.append("espaces autour des virgules")
        en.append("spaces around commas")
    if any(not p.strip() for p in parts):
        fr.append("tags vides")
        en.append("empty tags")
    long = [p.strip() for p in parts if len(p.strip()) > MAX_TAG_LENGTH]
    if long:
        fr.append(f"tag de plus de {MAX_TAG_LENGTH} caractères ({long[0][:50]})")
        en.append(f"tag over {MAX_TAG_LENGTH} characters ({long[0][:50]})")
    if fr:
        found.append(issue("tags.format", at=product.at("tags"), product=product.handle,
                           value=raw[:200], problems_fr=", ".join(fr), problems_en=", ".join(en),
                           fixed=normalise_tags(raw)[:200]))
    if product.type and product.type not in product.tag_list:
        found.append(issue("taxonomy.tag_mismatch", at=product.at("tags"), product=product.handle,
                           value=raw[:200], type=product.type, suggestions=[normalise_tags(raw + "," + product.type)]))
    return found


class SkuRegistry:
    """Missing SKUs (warning) and SKUs used twice in the input or by another product of the seller's catalog.

    Products are checked one by one as they come, so a feed of any length is checked in one pass.
    A product of the input replaces its catalog version, so a SKU the catalog gives to a product that
    the input also sends is free: two products may swap SKUs in one file. `input_handles` are the
    input's products when they are known beforehand (a CSV); a streamed feed learns them as it goes.
    """

    def __init__(self, catalog_skus: dict[str, str], input_handles: set[str] | None = None) -> None:
        self.catalog_skus = catalog_skus
        self.input_handles = input_handles if input_handles is not None else set()
        self._first_use: dict[str, tuple[str, Location]] = {}

    def check(self, product: Product) -> list[Issue]:
        self.input_handles.add(product.handle)
        found: list[Issue] = []
        for variant in product.variants:
            sku = variant.sku
            at = product.at("sku", variant)
            if not sku:
                found.append(issue("sku.missing", at=at, product=product.handle))
                continue
            if sku in self._first_use:
                other_handle, other_at = self._first_use[sku]
                fr, en = other_at.place()
                found.append(issue("sku.duplicate", at=at, product=product.handle,
                                   value=sku, where_fr=f"dans ce fichier ({fr}, « {other_handle} »)",
                                   where_en=f"in this file ({en}, \"{other_handle}\")"))
                continue
            self._first_use[sku] = (product.handle, at)
            owner = self.catalog_skus.get(sku)
            if owner is not None and owner != product.handle and owner not in self.input_handles:
                found.append(issue("sku.duplicate", at=at, product=product.handle,
                                   value=sku, where_fr=f"dans votre catalogue par le produit « {owner} »",
                                   where_en=f"in your catalog by product \"{owner}\""))
        return found


def sku_issues(products: list[Product], catalog_skus: dict[str, str]) -> list[Issue]:
    """`SkuRegistry` over a whole list of products."""
    registry = SkuRegistry(catalog_skus, {p.handle for p in products})
    return [found for product in products for found in registry.check(product)]
